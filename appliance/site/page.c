/* page: turn the caller's structs into template variables and render them in
 * the shared layout. Everything shown goes through tmpl's escapers; this file
 * only decides what to show and keeps each page small (slow Tor circuits). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "site/asset.h"
#include "site/i18n.h"
#include "base/text.h"
#include "base/log.h"
#include "site/kind.h"
#include "site/page.h"
#include "site/tmpl.h"
#include "site/page_int.h"

/* Longest name or path shown in a listing; the link keeps the full name. */
#define NAME_SHOWN_MAX 96

static tmpl_set_t *templates;
static char css_version[40];
static int init_rc = -1;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void
load_templates(void)
{
	const unsigned char *data;
	const char *name, *etag;
	size_t len;

	templates = tmpl_set_new();
	init_rc = 0;
	for (size_t i = 0; (name = asset_name(i)) != NULL; i++) {
		size_t nl = strlen(name);
		char *err = NULL;
		if (nl < 5 || strcmp(name + nl - 5, ".html") != 0)
			continue;
		if (asset_get(name, &data, &len, NULL) < 0 ||
		    tmpl_set_add(templates, name, (const char *)data, len, &err) < 0) {
			log_err("template %s", err ? err : name);
			free(err);
			init_rc = -1;
		}
	}
	char *err = NULL;
	if (i18n_init(&err) < 0) {
		log_err("catalogue %s", err);
		free(err);
		init_rc = -1;
	}
	/* The version in the stylesheet URL lets the server mark it immutable. */
	if (asset_get("style.css", &data, &len, &etag) == 0)
		snprintf(css_version, sizeof(css_version), "%.*s", (int)strlen(etag) - 2, etag + 1);
}

int
page_init(void)
{
	pthread_once(&init_once, load_templates);
	return init_rc;
}

/* ---- formatting helpers ---- */

void
page_put_count_(tmpl_vars_t *v, const char *key, int64_t n)
{
	strbuf_t b;
	strbuf_init(&b);
	i18n_number(tmpl_vars_lang(v), &b, n);
	tmpl_putn(v, key, b.s, b.len);
	strbuf_release(&b);
}

void
page_put_size_(tmpl_vars_t *v, const char *key, int64_t n)
{
	strbuf_t b;
	strbuf_init(&b);
	i18n_size(tmpl_vars_lang(v), &b, n);
	tmpl_putn(v, key, b.s, b.len);
	strbuf_release(&b);
}

/* To the minute, in UTC, in the language's numeric form: enough to tell
 * versions apart. Listings say UTC once in the column heading; elsewhere
 * it follows the time. */
void
page_put_date_(tmpl_vars_t *v, const char *key, int64_t t, int utc_suffix)
{
	strbuf_t b;
	strbuf_init(&b);
	i18n_date(tmpl_vars_lang(v), &b, t, utc_suffix);
	tmpl_putn(v, key, b.s, b.len);
	strbuf_release(&b);
}

size_t
page_utf8_cut_(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* Put s, shortened in the middle to about max bytes so that the end (often the
 * extension or a version number) stays visible. */
void
page_put_shortened_(tmpl_vars_t *v, const char *key, const char *s, size_t max, const char *full)
{
	size_t len = strlen(s), head, tail;
	strbuf_t b;

	if (len <= max) {
		tmpl_putn(v, key, s, len);
		return;
	}
	/* The whole name on hover and for screen readers' descriptions. */
	if (full)
		tmpl_putn(v, full, s, len);
	head = page_utf8_cut_(s, len, max * 2 / 3);
	tail = len - max / 3;
	while (tail < len && ((unsigned char)s[tail] & 0xc0) == 0x80)
		tail++;
	strbuf_init(&b);
	strbuf_add(&b, s, head);
	strbuf_adds(&b, "…");
	strbuf_add(&b, s + tail, len - tail);
	tmpl_putn(v, key, b.s, b.len);
	strbuf_release(&b);
}

/* POSIX shell single quoting, so the commands we show can be pasted as-is. */
static void
shell_quote(strbuf_t *b, const char *s, size_t len)
{
	strbuf_addc(b, '\'');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\'')
			strbuf_adds(b, "'\\''");
		else
			strbuf_addc(b, s[i]);
	}
	strbuf_addc(b, '\'');
}

const char *
page_or_default_(const char *s, const char *def)
{
	return s && *s ? s : def;
}

/* minisign -P wants the key itself: the last non-empty line of the key file. */
static void
put_pubkey_b64(tmpl_vars_t *v, const page_site_t *s)
{
	const char *k, *end, *line;

	if (s == NULL || s->publisher_pubkey == NULL)
		return;
	k = s->publisher_pubkey;
	end = k + strlen(k);
	while (end > k && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	line = end;
	while (line > k && line[-1] != '\n')
		line--;
	if (end > line)
		tmpl_putn(v, "pubkey_b64", line, (size_t)(end - line));
}

const char *
page_base_name_(const char *path)
{
	const char *sl = strrchr(path, '/');
	return sl ? sl + 1 : path;
}

/* "<56 base32>.onion" */
static int
onion_like(const char *a)
{
	return a && strlen(a) == 62 && strspn(a, "abcdefghijklmnopqrstuvwxyz234567") == 56 &&
	    strcmp(a + 56, ".onion") == 0;
}

const i18n_lang_t *
page_lang_(const page_site_t *s)
{
	const i18n_lang_t *l = s ? i18n_find(s->lang) : NULL;
	return l ? l : i18n_english();
}

/* The page's language on v, <html lang dir> and the switcher: a link per
 * language to this same page (its query kept) in that language. */
static void
put_lang(tmpl_vars_t *v, const page_site_t *s)
{
	const i18n_lang_t *l = page_lang_(s), *o;

	tmpl_vars_set_lang(v, l, s && s->lang_chosen);
	tmpl_put(v, "lang_code", i18n_code(l));
	if (i18n_rtl(l))
		tmpl_put(v, "rtl", "1");
	for (size_t i = 0; (o = i18n_at(i)) != NULL; i++) {
		tmpl_vars_t *it = tmpl_push(v, "langs");
		tmpl_put(it, "code", i18n_code(o));
		tmpl_put(it, "name", i18n_name(o));
		if (o == l)
			tmpl_put(it, "current", "1");
	}
	for (size_t i = 0; s && i + 1 < 2 * s->nparams; i += 2) {
		tmpl_vars_t *it = tmpl_push(v, "params");
		tmpl_put(it, "k", s->params[i]);
		tmpl_put(it, "v", s->params[i + 1]);
	}
}

void
page_put_common_(tmpl_vars_t *v, const page_site_t *s, const char *title)
{
	tmpl_put(v, "publisher", page_or_default_(s ? s->publisher_name : NULL, "Broadside"));
	tmpl_put(v, "css_version", css_version);
	tmpl_put(v, "title", title);
	put_lang(v, s);
	if (s == NULL)
		return;
	tmpl_vars_t *m = NULL, *last = NULL;
	for (size_t i = 0; i < s->nmirrors; i++) {
		/* Only an onion address becomes a link off this site. */
		if (!onion_like(s->mirrors[i].addr))
			continue;
		if (m == NULL) {
			m = tmpl_push(v, "also");
			tmpl_put(m, "mslug", s->mirrors_slug);
		}
		if (last)
			tmpl_put(last, "sep", "1");
		last = tmpl_push(m, "mirrors");
		tmpl_put(last, "addr", s->mirrors[i].addr);
		if (s->mirrors[i].note && s->mirrors[i].note[0])
			tmpl_put(last, "note", s->mirrors[i].note);
	}
}

/* Breadcrumbs for path (a/b/c): links to each folder above; the last part is
 * the page itself (a folder or a file), not a link. */
void
page_put_crumbs_(tmpl_vars_t *v, const page_collection_t *c, const char *path)
{
	const char *p = path;

	tmpl_put(v, "slug", c->slug);
	tmpl_put(v, "ctitle", page_or_default_(c->title, c->slug));
	tmpl_put(v, "origin", c->origin);
	tmpl_put(v, "in_coll", c->slug);   /* the header's search box stays in it */
	if (!*path)
		tmpl_put(v, "at_root", "1");
	while (*p) {
		const char *sl = strchr(p, '/');
		size_t end = sl ? (size_t)(sl - path) : strlen(path);
		tmpl_vars_t *it = tmpl_push(v, "crumbs");
		tmpl_putn(it, "name", p, (size_t)(path + end - p));
		tmpl_putn(it, "path", path, end);
		if (sl)
			tmpl_put(it, "link", "1");
		if (!sl)
			break;
		p = sl + 1;
	}
}

/* Page numbers: first, a window around the current one, last. */
void
page_put_pager_(tmpl_vars_t *v, int64_t page, int64_t per_page, int64_t total)
{
	int64_t npages = total <= 0 ? 1 : (total - 1) / per_page + 1;
	tmpl_vars_t *pg, *it;

	if (page > npages)
		page = npages;   /* never "page 999 of 100" */
	if (npages <= 1 && page <= 1)
		return;
	pg = tmpl_push(v, "pager");
	tmpl_put_int(pg, "cur", page);
	tmpl_put_int(pg, "npages", npages);
	if (page > 1)
		tmpl_put_int(tmpl_push(pg, "prev"), "n", page - 1 < npages ? page - 1 : npages);
	if (page < npages)
		tmpl_put_int(tmpl_push(pg, "next"), "n", page + 1);
	if (npages > 9)
		tmpl_put(pg, "goto", "1");
	/* 1 … p-2 p-1 p p+1 p+2 … last */
	int64_t mid = page < npages ? page : npages;
	int64_t lo = mid - 2 < 2 ? 2 : mid - 2, hi = mid + 2 > npages - 1 ? npages - 1 : mid + 2;
	for (int64_t n = 1; n <= npages; n = n == 1 && lo > 2 ? lo : n + 1) {
		if (n > 1 && n < lo)
			continue;
		if (n > hi && n < npages)
			n = npages;
		if ((n == lo && lo > 2) || (n == npages && hi < npages - 1))
			tmpl_put(tmpl_push(pg, "pages"), "gap", "1");
		it = tmpl_push(pg, "pages");
		tmpl_put_int(it, "n", n);
		if (n == page)
			tmpl_put(it, "current", "1");
	}
}

int
page_render_(strbuf_t *out, const char *body, tmpl_vars_t *v)
{
	size_t start = out->len;
	int rc = page_init() < 0 ? -1 : tmpl_render(templates, "layout.html", body, v, out);

	if (rc < 0) {
		log_warn("cannot render %s", body);
		out->len = start;
		out->s[start] = '\0';
	}
	tmpl_vars_free(v);
	return rc;
}

/* ---- pages ---- */

int
page_home(strbuf_t *out, const page_site_t *s, const page_collection_t *cols, size_t n)
{
	tmpl_vars_t *v = tmpl_vars_new();
	int64_t files = 0, bytes = 0;

	page_put_common_(v, s, i18n_tr(page_lang_(s), N_("Home")));
	tmpl_put(v, "nosearch", "1");
	if (s) {
		tmpl_put(v, "statement", s->publisher_statement);
		tmpl_put(v, "pubkey", s->publisher_pubkey);
	}
	put_pubkey_b64(v, s);
	for (size_t i = 0; i < n; i++) {
		const page_collection_t *c = &cols[i];
		tmpl_vars_t *it = tmpl_push(v, "collections");
		tmpl_put(it, "slug", c->slug);
		tmpl_put(it, "title", page_or_default_(c->title, c->slug));
		tmpl_put(it, "description", c->description);
		tmpl_put(it, "origin", c->origin);
		page_put_count_(it, "files", c->files);
		page_put_count_(it, "bytes", c->bytes);
		page_put_size_(it, "size", c->bytes);
		page_put_date_(it, "updated", c->updated, 1);
		files += c->files;
		bytes += c->bytes;
	}
	if (n > 1) {
		tmpl_put(v, "ncols", "1");
		page_put_count_(v, "total_files", files);
		page_put_size_(v, "total_size", bytes);
	}
	return page_render_(out, "home.html", v);
}

static void
put_sort_column(tmpl_vars_t *v, const char *col, const char *sort, int desc)
{
	char key[32];
	int active = strcmp(col, sort) == 0;

	snprintf(key, sizeof(key), "%s_desc", col);
	/* Clicking the active column flips it; names start A-Z, sizes and dates
	 * start with the largest and newest, which is what people look for. */
	tmpl_put(v, key, active ? (desc ? "0" : "1") : (strcmp(col, "name") == 0 ? "0" : "1"));
	if (active) {
		snprintf(key, sizeof(key), "sort_%s", col);
		tmpl_vars_t *it = tmpl_push(v, key);
		tmpl_put(it, "aria", desc ? "descending" : "ascending");
		tmpl_put(it, "arrow", desc ? "↓" : "↑");
	}
}

int
page_dir(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *dir,
    const page_entry_t *e, size_t n, int64_t total, const char *sort, int desc,
    int64_t page, int64_t per_page)
{
	return page_dir_archive(out, s, c, dir, e, n, total, sort, desc, page, per_page, NULL);
}

/* "memos — agency-x/2019 — Collection": eight agencies' "memos" folders
 * (or files) stay apart in tabs, history and bookmarks. */
static void
put_path_title(tmpl_vars_t *v, const page_site_t *s, const page_collection_t *c, const char *path)
{
	const char *name = page_base_name_(path);
	strbuf_t b;

	strbuf_init(&b);
	if (*path) {
		strbuf_adds(&b, name);
		strbuf_adds(&b, " — ");
	}
	if (name > path) {
		strbuf_add(&b, path, (size_t)(name - 1 - path));
		strbuf_adds(&b, " — ");
	}
	strbuf_adds(&b, page_or_default_(c->title, c->slug));
	page_put_common_(v, s, b.s);
	strbuf_release(&b);
}

static int
dir_render(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *dir,
    const page_entry_t *e, size_t n, int64_t total, const char *sort, int desc,
    int64_t page, int64_t per_page, const page_archive_t *ar, const page_filter_t *f)
{
	tmpl_vars_t *v = tmpl_vars_new();
	const char *heading;
	int64_t npages;

	if (!dir)
		dir = "";
	if (!sort || (strcmp(sort, "size") != 0 && strcmp(sort, "date") != 0))
		sort = "name";
	desc = desc ? 1 : 0;
	if (per_page <= 0)
		per_page = PAGE_DIR_PER_PAGE;
	/* Past the end is the last page: never "page 999 of 100". */
	npages = total <= 0 ? 1 : (total - 1) / per_page + 1;
	if (page > npages)
		page = npages;
	if (page < 1)
		page = 1;
	heading = *dir ? page_base_name_(dir) : page_or_default_(c->title, c->slug);
	put_path_title(v, s, c, dir);
	page_put_crumbs_(v, c, dir);
	if (total > per_page || f != NULL)
		tmpl_put(v, "filter_form", "1");
	if (f != NULL) {
		tmpl_vars_t *it = tmpl_push(v, "filtered");
		tmpl_put(v, "ftext", f->text);
		page_put_count_(it, "found", (int64_t)n);
		page_put_count_(it, "looked", f->looked);
		if (f->next)
			tmpl_put(it, "fnext", f->next);
		if (f->from)
			tmpl_put(it, "ffrom", "1");
		if (f->next || f->from)
			tmpl_put(it, "fnav", "1");
	} else if (n > 0) {
		tmpl_put(v, "sortby", "1");
	}
	tmpl_put(v, "heading", heading);
	tmpl_put(v, "description", c->description);
	tmpl_put(v, "sort", sort);
	tmpl_put_int(v, "desc", desc);
	put_sort_column(v, "name", sort, desc);
	put_sort_column(v, "size", sort, desc);
	put_sort_column(v, "date", sort, desc);
	page_put_count_(v, "total", total);
	tmpl_put(v, "items_word", i18n_ntr(page_lang_(s), "item", "items", total));
	for (size_t i = 0; i < n; i++) {
		tmpl_vars_t *it = tmpl_push(v, "entries");
		const char *name = page_or_default_(e[i].name, "?");
		if (i == 0)
			tmpl_put(it, "first", "1");
		if (i + 1 == n)
			tmpl_put(it, "last", "1");
		tmpl_put(it, "href", name);
		page_put_shortened_(it, "name", name, NAME_SHOWN_MAX, "full");
		if (e[i].is_dir) {
			tmpl_put(it, "is_dir", "1");
			if (e[i].files >= 0) {
				strbuf_t b;
				strbuf_init(&b);
				i18n_number(page_lang_(s), &b, e[i].files);
				tmpl_putf(it, "size", "%s %s", b.s, i18n_ntr(page_lang_(s), "item", "items", e[i].files));
				strbuf_release(&b);
			} else {
				tmpl_put(it, "size", i18n_tr(page_lang_(s), N_("folder")));
			}
		} else {
			page_put_size_(it, "size", e[i].size);
			if (e[i].size >= 1000)
				page_put_count_(it, "bytes", e[i].size);
		}
		page_put_date_(it, "date", e[i].mtime, 0);
	}
	if (f == NULL)
		page_put_pager_(v, page, per_page, total);
	if (ar != NULL && ar->torrent)
		tmpl_put(v, "torrent", "1");
	if (ar != NULL && ar->files > 0) {
		tmpl_vars_t *a = tmpl_push(v, ar->too_large ? "archive_big" : "archive");
		const char *sep = *dir ? "/" : "";
		tmpl_putf(a, "tar", "%s%s%s.tar", c->slug, sep, dir);
		tmpl_putf(a, "zip", "%s%s%s.zip", c->slug, sep, dir);
		page_put_count_(a, "files", ar->files);
		page_put_size_(a, "size", ar->bytes);
	}
	return page_render_(out, "dir.html", v);
}

int
page_dir_archive(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *dir,
    const page_entry_t *e, size_t n, int64_t total, const char *sort, int desc,
    int64_t page, int64_t per_page, const page_archive_t *ar)
{
	return dir_render(out, s, c, dir, e, n, total, sort, desc, page, per_page, ar, NULL);
}

int
page_dir_filtered(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *dir,
    const page_entry_t *e, size_t n, int64_t total, const page_filter_t *f, const page_archive_t *ar)
{
	return dir_render(out, s, c, dir, e, n, total, "name", 0, 1, PAGE_DIR_PER_PAGE, ar, f);
}

/* Whether a file name can be carried whole in a pasted shell line and shown
 * as it is: valid UTF-8 with nothing text_cp_visible would replace (controls,
 * newlines, bidi controls). Others get commands that use the hash only. */
static int
shell_name_safe(const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		uint32_t cp;
		size_t k = text_utf8_next((const unsigned char *)s, n, &cp);
		if ((cp == 0xfffd && (k != 3 || memcmp(s, "\xef\xbf\xbd", 3) != 0)) || text_cp_visible(cp) != cp)
			return 0;
		s += k;
		n -= k;
	}
	return 1;
}

/* The line sha256sum -c expects; GNU coreutils escapes \ and newline in the
 * name and marks such lines with a leading backslash. */
static void
checksum_line(strbuf_t *b, const char *sha256, const char *name)
{
	int esc = strpbrk(name, "\\\n") != NULL;

	if (esc)
		strbuf_addc(b, '\\');
	strbuf_adds(b, sha256);
	strbuf_adds(b, "  ");
	for (const char *p = name; *p; p++) {
		if (esc && *p == '\\')
			strbuf_adds(b, "\\\\");
		else if (esc && *p == '\n')
			strbuf_adds(b, "\\n");
		else
			strbuf_addc(b, *p);
	}
}

int
page_file(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *path,
    int64_t size, int64_t mtime, const char *mime, const char *sha256,
    const char *preview, size_t preview_len, int preview_truncated, const page_nav_t *nav,
    int readable)
{
	tmpl_vars_t *v = tmpl_vars_new();
	const char *name, *slug = c->slug ? c->slug : "";
	char words[160];
	strbuf_t b;

	if (!path)
		path = "";
	name = page_base_name_(path);

	put_path_title(v, s, c, path);
	page_put_crumbs_(v, c, path);
	tmpl_put(v, "name", name);
	tmpl_put(v, "path", path);
	kind_describe(page_lang_(s), mime, words, sizeof(words));
	tmpl_put(v, "kind", words);
	kind_duration(page_lang_(s), size, PAGE_TOR_RATE, words, sizeof(words));
	tmpl_put(v, "duration", words);
	{
		strbuf_t nb;
		strbuf_init(&nb);
		strbuf_init(&b);
		i18n_number(page_lang_(s), &nb, PAGE_TOR_RATE / 1000000);
		i18n_subst(&b, i18n_tr(page_lang_(s), N_("{n} MB/s")), "n", nb.s, (const char *)NULL);
		tmpl_putn(v, "rate", b.s, b.len);
		strbuf_release(&nb);
		strbuf_release(&b);
	}
	switch (kind_show(mime)) {
	case KIND_SHOW_IMAGE:
		/* JPEG, PNG, GIF and WebP are shown from the clean copy (/i/, no
		 * metadata; docs/image.h image_kind_of). */
		if (mime && (strcmp(mime, "image/jpeg") == 0 || strcmp(mime, "image/png") == 0 ||
		    strcmp(mime, "image/gif") == 0 || strcmp(mime, "image/webp") == 0))
			tmpl_put(v, "clean_image", "1");
		else
			tmpl_put(v, "show_image", "1");
		break;
	case KIND_SHOW_AUDIO: tmpl_put(v, "show_audio", "1"); break;
	case KIND_SHOW_VIDEO: tmpl_put(v, "show_video", "1"); break;
	default: break;
	}
	if (nav && (nav->prev || nav->next)) {
		tmpl_vars_t *it = tmpl_push(v, "nav");
		const char *side[2] = { nav->prev, nav->next };
		for (int k = 0; k < 2; k++) {
			tmpl_vars_t *o;
			if (side[k] == NULL)
				continue;
			o = tmpl_push(it, k ? "next" : "prev");
			strbuf_init(&b);
			strbuf_add(&b, path, (size_t)(name - path));   /* the folder, with its '/' */
			strbuf_adds(&b, side[k]);
			tmpl_putn(o, "path", b.s, b.len);
			strbuf_release(&b);
			page_put_shortened_(o, "name", side[k], NAME_SHOWN_MAX, NULL);
		}
	}
	if (readable)
		tmpl_put(v, "readable", "1");
	page_put_size_(v, "size", size);
	page_put_count_(v, "bytes", size);
	page_put_date_(v, "date", mtime, 1);
	tmpl_put(v, "mime", page_or_default_(mime, "application/octet-stream"));
	if (mime && strcmp(mime, "application/pdf") == 0)
		tmpl_put(v, "pdf_pages", "1");
	if (sha256 && *sha256)
		tmpl_put(v, "sha256", sha256);

	strbuf_init(&b);
	shell_quote(&b, name, strlen(name));
	tmpl_putn(v, "sh_name", b.s, b.len);
	strbuf_reset(&b);
	/* Text, not a link: the reader pastes it into a terminal. */
	strbuf_adds(&b, "'http://");
	strbuf_adds(&b, page_or_default_(s ? s->onion : NULL, "ADDRESS.onion"));
	strbuf_adds(&b, "/f/");
	tmpl_escape_url(&b, slug, strlen(slug));
	strbuf_addc(&b, '/');
	tmpl_escape_url(&b, path, strlen(path));
	strbuf_addc(&b, '\'');
	tmpl_putn(v, "sh_url", b.s, b.len);
	if (sha256 && *sha256) {
		int safe = shell_name_safe(name);
		strbuf_t line;
		strbuf_init(&line);
		strbuf_reset(&b);
		if (safe) {
			checksum_line(&line, sha256, name);
			shell_quote(&b, line.s, line.len);
			tmpl_putn(v, "sh_line", b.s, b.len);
			tmpl_put(v, "check_name", name);
			strbuf_reset(&b);
			shell_quote(&b, name, strlen(name));
		} else {
			strbuf_adds(&b, "FILE");
			tmpl_put(v, "sh_file_placeholder", "1");
		}
		tmpl_putn(v, "sh_file", b.s, b.len);
		strbuf_release(&line);
		put_pubkey_b64(v, s);
		if (nav && nav->folder_key) {
			tmpl_put(v, "folder_key", nav->folder_key);
			strbuf_reset(&b);
			strbuf_adds(&b, "'http://");
			strbuf_adds(&b, page_or_default_(s ? s->onion : NULL, "ADDRESS.onion"));
			strbuf_adds(&b, "/m/");
			tmpl_escape_url(&b, slug, strlen(slug));
			strbuf_addf(&b, "/sums/%s/SHA256SUMS'", nav->folder_key);
			tmpl_putn(v, "sh_sums_url", b.s, b.len);
			b.len--;
			strbuf_adds(&b, ".minisig'");
			tmpl_putn(v, "sh_sig_url", b.s, b.len);
		}
	}
	strbuf_release(&b);

	if (preview && preview_len > 0) {
		size_t len = preview_len;
		/* Do not show a character the cut split in two as U+FFFD. */
		if (preview_truncated) {
			size_t k = len, back = 0;
			while (k > 0 && back < 4 && ((unsigned char)preview[k - 1] & 0xc0) == 0x80)
				k--, back++;
			if (k > 0 && (unsigned char)preview[k - 1] >= 0xc0) {
				unsigned char lead = (unsigned char)preview[k - 1];
				size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
				if (back + 1 < need)
					len = k - 1;
			}
		}
		tmpl_put(v, "has_preview", "1");
		tmpl_putn(v, "preview", preview, len);
		if (preview_truncated) {
			tmpl_put(v, "truncated", "1");
			page_put_size_(v, "preview_size", (int64_t)preview_len);
		}
	}
	return page_render_(out, "file.html", v);
}

int
page_pdf_page(strbuf_t *out, const page_site_t *s, const page_collection_t *c,
    const char *path, int64_t n, int64_t pages, int image, const char *why,
    const char *text, size_t text_len)
{
	tmpl_vars_t *v = tmpl_vars_new();
	const char *name;
	char num[24];
	strbuf_t b;

	if (!path)
		path = "";
	name = page_base_name_(path);
	strbuf_init(&b);
	{
		strbuf_t nb, pb;
		strbuf_init(&nb);
		strbuf_init(&pb);
		i18n_number(page_lang_(s), &nb, n);
		i18n_number(page_lang_(s), &pb, pages);
		i18n_subst(&b, i18n_tr(page_lang_(s), N_("{name}, page {n} of {pages}")), "name", name,
		    "n", nb.s, "pages", pb.s, (const char *)NULL);
		strbuf_release(&nb);
		strbuf_release(&pb);
	}
	page_put_common_(v, s, b.s);
	strbuf_release(&b);
	page_put_crumbs_(v, c, path);
	tmpl_put(v, "name", name);
	tmpl_put(v, "path", path);
	snprintf(num, sizeof(num), "%lld", (long long)n);
	tmpl_put(v, "n", num);
	snprintf(num, sizeof(num), "%lld", (long long)pages);
	tmpl_put(v, "pages", num);
	if (n > 1) {
		snprintf(num, sizeof(num), "%lld", (long long)(n - 1));
		tmpl_put(v, "prev", num);
	}
	if (n < pages) {
		snprintf(num, sizeof(num), "%lld", (long long)(n + 1));
		tmpl_put(v, "next", num);
	}
	if (image)
		tmpl_put(v, "image", "1");
	else if (why && *why)
		tmpl_put(v, "why", i18n_tr(page_lang_(s), why));
	if (text && text_len > 0)
		tmpl_putn(v, "text", text, text_len);
	return page_render_(out, "pdfpage.html", v);
}
