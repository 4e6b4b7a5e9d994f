/* page_search: the search page, its hits and its form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"
#include "site/i18n.h"
#include "site/kind.h"
#include "site/page.h"
#include "site/page_int.h"
#include "site/tmpl.h"

#define SNIPPET_MAX 400

/* The kinds a search can be narrowed to: names as catalogue/search.c's
 * (search_kind_parse checks the reader's), words for the form. */
static const struct {
	const char *name, *words;
} kinds[] = {
	{ "pdf", N_("PDF documents") },
	{ "email", N_("E-mails") },
	{ "document", N_("Documents (Word, OpenDocument, RTF)") },
	{ "spreadsheet", N_("Spreadsheets") },
	{ "presentation", N_("Presentations") },
	{ "web", N_("Web pages") },
	{ "text", N_("Plain text") },
	{ "image", N_("Images") },
	{ "archive", N_("Archives") },
};

static int
filled(const char *s)
{
	return s && *s;
}

/* The filters on the form (open when one is set) and on every link. */
static void
put_filters(tmpl_vars_t *v, const page_site_t *s, const page_search_filter_t *f)
{
	const char *kind = f && filled(f->kind) ? f->kind : "";

	if (f && (filled(f->folder) || filled(f->kind) || filled(f->from) || filled(f->to)))
		tmpl_put(v, "filtering", "1");
	if (f && filled(f->folder))
		tmpl_putn(v, "folder", f->folder, page_utf8_cut_(f->folder, strlen(f->folder), PAGE_QUERY_MAX));
	tmpl_put(v, "kind", *kind ? kind : NULL);
	tmpl_put(v, "from", f && filled(f->from) ? f->from : NULL);
	tmpl_put(v, "to", f && filled(f->to) ? f->to : NULL);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		tmpl_vars_t *it = tmpl_push(v, "kinds");
		tmpl_put(it, "name", kinds[i].name);
		tmpl_put(it, "words", i18n_tr(page_lang_(s), kinds[i].words));
		if (strcmp(kind, kinds[i].name) == 0)
			tmpl_put(it, "selected", "1");
	}
}

/* The query with its last word (from start) replaced by each of ws, as the
 * list name. */
static void
put_replaced(tmpl_vars_t *v, const char *name, const char *q, size_t start, const char *const *ws, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		tmpl_vars_t *it = tmpl_push(v, name);
		strbuf_t b;
		strbuf_init(&b);
		strbuf_add(&b, q, start);
		strbuf_adds(&b, ws[i]);
		tmpl_putn(it, "sq", b.s, b.len);
		tmpl_put(it, "word", ws[i]);
		if (i + 1 == n)
			tmpl_put(it, "last", "1");
		strbuf_release(&b);
	}
	if (n)
		tmpl_put(v, name[0] == 'f' ? "has_forms" : "has_similar", "1");
}

/* No hit: the same words without the filters or in every collection, fewer
 * words (the last one left out), or words that start the same (a single
 * word of 5+ letters cut by two, as a prefix); the other forms of the last
 * word's stem and words near it that the index holds (the caller's). */
static void
put_suggestions(tmpl_vars_t *v, const char *q, size_t qlen, int in_collection, const page_search_filter_t *f)
{
	size_t end = qlen, start = 0, nchars = 0;
	int words = 0;

	if (f && (filled(f->folder) || filled(f->kind) || filled(f->from) || filled(f->to)))
		tmpl_put(v, "unfilter", "1");
	if (in_collection)
		tmpl_put(v, "everywhere", "1");
	for (size_t i = 0; i < qlen; i++)
		if (q[i] != ' ' && (i == 0 || q[i - 1] == ' '))
			words++, start = i;
	while (end > 0 && q[end - 1] == ' ')
		end--;
	if (f && words > 0) {
		put_replaced(v, "forms", q, start, f->forms, f->nforms);
		put_replaced(v, "similar", q, start, f->similar, f->nsimilar);
	}
	if (words > 1) {
		size_t cut = start;
		while (cut > 0 && q[cut - 1] == ' ')
			cut--;
		tmpl_putn(v, "fewer", q, cut);
	} else if (words == 1 && memchr(q + start, '*', end - start) == NULL && memchr(q + start, '"', end - start) == NULL) {
		size_t keep = start, k = 0;
		for (size_t i = start; i < end; i++)
			nchars += ((unsigned char)q[i] & 0xc0) != 0x80;
		/* Cut by two characters, never inside one. */
		for (size_t i = start; i < end && k < nchars - 2; i++) {
			keep = i + 1;
			if (i + 1 == end || ((unsigned char)q[i + 1] & 0xc0) != 0x80)
				k++;
		}
		if (nchars >= 5) {
			strbuf_t b;
			strbuf_init(&b);
			strbuf_add(&b, q + start, keep - start);
			strbuf_addc(&b, '*');
			tmpl_putn(v, "prefix", b.s, b.len);
			strbuf_release(&b);
		}
	}
	tmpl_put(v, "suggest", "1");
}

/* A hit is named by its document's own title when it has one (an
 * attachment's own), else by its file's name; its folder is shown apart, and
 * the file name too when a title took its place. */
static void
put_where(tmpl_vars_t *it, const page_hit_t *h)
{
	const char *path = page_or_default_(h->path, "?"), *base = page_base_name_(path);
	const char *title = h->title && *h->title && strcmp(h->title, base) != 0 ? h->title : NULL;
	char *dir = base > path ? xstrndup(path, (size_t)(base - path - 1)) : NULL;

	/* A title that only repeats a name (ingest's fallback) adds nothing. */
	if (title && h->part && (strcmp(title, h->part) == 0 || strcmp(title, page_base_name_(h->part)) == 0))
		title = NULL;
	page_put_shortened_(it, "name", title ? title : base, PATH_SHOWN_MAX, NULL);
	if (title)
		page_put_shortened_(it, "file", base, PATH_SHOWN_MAX, NULL);
	if (dir) {
		tmpl_put(it, "dir", dir);
		page_put_shortened_(it, "shown_dir", dir, PATH_SHOWN_MAX, NULL);
	}
	free(dir);
}

int
page_search(strbuf_t *out, const page_site_t *s, const char *q, const char *coll_filter,
    const page_collection_t *cols, size_t ncols, const page_hit_t *hits, size_t n,
    int64_t total, int total_is_estimate, const char *message, int64_t page, int64_t per_page,
    const page_search_filter_t *f)
{
	tmpl_vars_t *v = tmpl_vars_new();
	size_t qlen = q ? strlen(q) : 0;

	if (per_page <= 0)
		per_page = PAGE_SEARCH_PER_PAGE;
	if (page < 1)
		page = 1;
	/* A hostile 10 KB query would otherwise be echoed in every page link. */
	qlen = page_utf8_cut_(q ? q : "", qlen, PAGE_QUERY_MAX);
	if (qlen) {
		/* The query in the title, so tabs and history tell searches apart. */
		strbuf_t t;
		strbuf_init(&t);
		strbuf_adds(&t, "“");
		strbuf_add(&t, q, qlen);
		strbuf_adds(&t, "” — ");
		strbuf_adds(&t, i18n_tr(page_lang_(s), N_("Search results")));
		page_put_common_(v, s, t.s);
		strbuf_release(&t);
	} else {
		page_put_common_(v, s, i18n_tr(page_lang_(s), N_("Search")));
	}
	tmpl_put(v, "nosearch", "1");
	tmpl_put(v, "is_search", "1");
	if (qlen) {
		tmpl_putn(v, "q", q, qlen);
		tmpl_put(v, "has_query", "1");
	}
	/* Only a known slug is carried on: c= comes from the reader too. */
	const char *c = "";
	for (size_t i = 0; coll_filter && i < ncols; i++)
		if (cols[i].slug && strcmp(coll_filter, cols[i].slug) == 0)
			c = cols[i].slug;
	tmpl_put(v, "c", c);
	put_filters(v, s, f);
	if (f && f->windowed)
		message = N_("More than 20,000 documents hold your words; only the 20,000 most recently "
		    "catalogued were filtered. Add a word to reach the others.");
	tmpl_put(v, "message", message ? i18n_tr(page_lang_(s), message) : NULL);
	if (qlen && total <= 0)
		put_suggestions(v, q, qlen, *c != '\0', f);
	for (size_t i = 0; i < ncols; i++) {
		tmpl_vars_t *it = tmpl_push(v, "options");
		if (i == 0)
			tmpl_put(it, "first", "1");
		if (i + 1 == ncols)
			tmpl_put(it, "last", "1");
		tmpl_put(it, "slug", cols[i].slug);
		tmpl_put(it, "title", page_or_default_(cols[i].title, cols[i].slug));
		if (*c && cols[i].slug && strcmp(c, cols[i].slug) == 0)
			tmpl_put(it, "selected", "1");
	}
	if (total <= 0) {
		tmpl_put(v, "count_text", i18n_tr(page_lang_(s), N_("No results")));
	} else {
		strbuf_t nb, cb;
		strbuf_init(&nb);
		strbuf_init(&cb);
		i18n_number(page_lang_(s), &nb, total);
		i18n_subst(&cb, total_is_estimate ?
		    i18n_ntr(page_lang_(s), "About {n} result", "About {n} results", total) :
		    i18n_ntr(page_lang_(s), "{n} result", "{n} results", total),
		    "n", nb.s, (const char *)NULL);
		tmpl_putn(v, "count_text", cb.s, cb.len);
		strbuf_release(&nb);
		strbuf_release(&cb);
	}
	tmpl_put_int(v, "start", (page - 1) * per_page + 1);
	for (size_t i = 0; i < n; i++) {
		const page_hit_t *h = &hits[i];
		tmpl_vars_t *it = tmpl_push(v, "hits");
		const char *ctitle = h->slug;
		if (i == 0)
			tmpl_put(it, "first", "1");
		if (i + 1 == n)
			tmpl_put(it, "last", "1");
		for (size_t k = 0; k < ncols; k++)
			if (cols[k].slug && h->slug && strcmp(cols[k].slug, h->slug) == 0)
				ctitle = page_or_default_(cols[k].title, h->slug);
		tmpl_put(it, "slug", h->slug);
		tmpl_put(it, "path", h->path);
		put_where(it, h);
		if (h->part)
			page_put_shortened_(it, "part", h->part, PATH_SHOWN_MAX, NULL);
		if (h->part && h->part_no > 0)
			tmpl_put_int(it, "part_no", h->part_no);
		tmpl_put(it, "ctitle", ctitle);
		page_put_size_(it, "size", h->size);
		if (h->mime) {
			char words[128];
			kind_describe(page_lang_(s), h->mime, words, sizeof(words));
			tmpl_put(it, "kind_words", words);
		}
		if (h->mtime > 0)
			page_put_date_(it, "date", h->mtime, 1);
		if (h->page > 0 && h->part == NULL)
			tmpl_put_int(it, "pdfpage", h->page);
		if (h->snippet) {
			/* A listing's separator (an archive's entries, a message's
			 * attachments follow the text after \x1e) reads as a space. */
			size_t sl = page_utf8_cut_(h->snippet, strlen(h->snippet), SNIPPET_MAX);
			char *sn = xstrndup(h->snippet, sl);
			for (char *sep = sn; (sep = strchr(sep, '\x1e')) != NULL; sep++)
				*sep = ' ';
			tmpl_putn(it, "snippet", sn, sl);
			free(sn);
		}
	}
	if (qlen)
		page_put_pager_(v, page, per_page, total);
	return page_render_(out, "search.html", v);
}
