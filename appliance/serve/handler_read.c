/* handler_read: /r/<slug>/<path>, the reading view. serve cannot start the
 * document jail (its seccomp filter forbids fork and exec), so the text
 * comes from where the jail already put it or needs no parser:
 *  - plain text, CSV and TSV: the file itself, one window of bytes a page
 *    (any size), decoded by extract_text as the file page's preview is
 *    (UTF-16 with its mark, Latin-1); a table's cells split by csv_row_read;
 *  - HTML, e-mail, PDF and office files: the text the jail extracted at
 *    ingest (docs.body in the catalogue, at most EXTRACT_TEXT_MAX: a text
 *    cut there says so on every page), paged; an e-mail (.eml or .msg)
 *    with its headers apart;
 *    an .xls's text is xls2csv's CSV, shown as a table;
 *  - ?part=K, attachment K of a message: its text from the catalogue's
 *    parts, as the jail extracted it at ingest (its bytes are /i/...?part=K).
 * Work per request is one window (READ_PAGE + READ_SLACK bytes), or, to
 * find the first hit of q, at most READ_HIT_PAGES windows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/beneath.h"
#include "base/util.h"
#include "docs/csv.h"
#include "docs/extract.h"
#include "serve/handler.h"
#include "site/mark.h"
#include "site/i18n.h"
#include "site/page.h"

#define READ_PAGE (64 * 1024)        /* bytes of text a page */
#define READ_TABLE_PAGE (32 * 1024)  /* bytes of a table a page */
#define READ_SLACK 4096              /* read past a page to end it at a line */
#define READ_HIT_PAGES 16            /* pages looked through for q's first hit */

enum enc { ENC_8 = 0, ENC_16LE, ENC_16BE };

static int
is_nl(const char *b, size_t i, size_t len, enum enc e)
{
	if (e == ENC_8)
		return b[i] == '\n';
	if (i + 1 >= len || (i & 1))
		return 0;
	return e == ENC_16LE ? b[i] == '\n' && b[i + 1] == 0 : b[i] == 0 && b[i + 1] == '\n';
}

/* Where a page boundary near `at` falls in b[0..len): after the first line
 * end in [at, at + READ_SLACK), else at itself (past any UTF-8 continuation
 * bytes). The page before and the page after compute the same place. */
static size_t
cut(const char *b, size_t len, size_t at, enum enc e)
{
	size_t step = e == ENC_8 ? 1 : 2, lim = at + READ_SLACK;

	if (at >= len)
		return len;
	for (size_t i = at; i < len && i < lim; i += step)
		if (is_nl(b, i, len, e))
			return i + step;
	if (e == ENC_8)
		for (int k = 0; k < 3 && at < len && ((unsigned char)b[at] & 0xc0) == 0x80; k++)
			at++;
	return at;
}

/* The bounds of page `page` in b, which holds the document's bytes from
 * offset (page - 1) * per up to at least the page's end plus the slack;
 * rest: the document's bytes from that offset on. */
static void
page_bounds(const char *b, size_t blen, int64_t rest, int64_t page, size_t per, enum enc e,
    size_t *start, size_t *end)
{
	*start = page == 1 ? 0 : cut(b, blen, 0, e);
	*end = (int64_t)per >= rest ? blen : cut(b, blen, per, e);
	if (*end < *start)
		*end = *start;
}

/* Read page `page` of the file at fd: a buffer (caller frees) holding its
 * bytes from b + 2 (two spare bytes before them for a UTF-16 mark), and the
 * page's bounds within them. */
static char *
page_window(int fd, int64_t size, int64_t page, size_t per, enum enc e, size_t *start, size_t *end,
    size_t *got)
{
	int64_t base = (page - 1) * (int64_t)per;
	size_t want = (size_t)(size - base < (int64_t)(per + READ_SLACK) ? size - base :
	    (int64_t)(per + READ_SLACK));
	char *b = xmalloc(want + 2);

	*got = 0;
	while (*got < want) {
		ssize_t r = pread(fd, b + 2 + *got, want - *got, base + (off_t)*got);
		if (r <= 0)
			break;
		*got += (size_t)r;
	}
	page_bounds(b + 2, *got, size - base, page, per, e, start, end);
	return b;
}

/* Append the text (UTF-8) of the page in b (from page_window) to out. */
static void
window_text(char *b, size_t start, size_t end, int64_t page, enum enc e, int truncated, strbuf_t *out)
{
	if (e != ENC_8 && page > 1) {
		/* The mark is only at the file's start: put it back for the decoder
		 * in the two bytes before the page (b has room before its data). */
		char *m = b + start;
		m[0] = e == ENC_16LE ? (char)0xff : (char)0xfe;
		m[1] = e == ENC_16LE ? (char)0xfe : (char)0xff;
		extract_text(out, m, end - start + 2, truncated);
	} else {
		extract_text(out, b + 2 + start, end - start, truncated);
	}
}

/* Read page `page` of the file at fd and append its text (UTF-8) to out.
 * With terms (ASCII words, a file that is not UTF-16), only a page whose raw
 * bytes hold a hit is decoded: return 1 then, 0 for no hit. */
static int
file_page_text(int fd, int64_t size, int64_t page, size_t per, enum enc e,
    const mark_terms_t *terms, strbuf_t *out)
{
	size_t start, end, got, s, en;
	char *b = page_window(fd, size, page, per, e, &start, &end, &got);
	int64_t base = (page - 1) * (int64_t)per;
	int hit = terms == NULL || mark_next(terms, b + 2 + start, end - start, 0, &s, &en);

	if (hit)
		window_text(b, start, end, page, e, base + (int64_t)end < size, out);
	free(b);
	return hit;
}

/* Whether a raw (UTF-8 or Latin-1) page can be searched for terms before
 * decoding: their words are ASCII, which both encodings keep as they are. */
static int
terms_ascii(const mark_terms_t *t)
{
	for (size_t k = 0; k < t->n; k++)
		for (size_t i = 0; i < t->t[k].len; i++)
			if ((unsigned char)t->t[k].w[i] >= 0x80)
				return 0;
	return 1;
}

static enum enc
file_enc(int fd)
{
	unsigned char m[2];
	if (pread(fd, m, 2, 0) != 2)
		return ENC_8;
	return m[0] == 0xff && m[1] == 0xfe ? ENC_16LE : m[0] == 0xfe && m[1] == 0xff ? ENC_16BE :
	    ENC_8;
}

static int64_t
npages_of(int64_t size, size_t per)
{
	return size <= 0 ? 1 : (size + (int64_t)per - 1) / (int64_t)per;
}

static char
table_sep(const char *mime, const char *path)
{
	const char *dot = strrchr(path, '.');
	if (strcmp(mime, "text/csv") == 0 || (dot && strcasecmp(dot, ".csv") == 0))
		return ',';
	if (strcmp(mime, "text/tab-separated-values") == 0 || (dot && strcasecmp(dot, ".tsv") == 0))
		return '\t';
	return 0;
}

/* Split text into rows; cells point into *cells_buf (kept by the caller). */
static void
table_rows(const char *text, size_t len, char sep, strbuf_t *cells_buf, page_row_t **rows,
    size_t *nrows, page_cell_t **cells)
{
	csv_row_t row;
	size_t at = 0, n = 0, ncells = 0, cap = 0;
	struct span { size_t off, len; } *spans = NULL;
	size_t *counts = NULL, *more = NULL;

	while (at < len) {
		size_t used = csv_row_read(text + at, len - at, sep, cells_buf, &row);
		at += used;
		if (row.n == 1 && row.len[0] == 0 && at >= len)
			break;   /* the line end of the last row */
		if ((n & (n - 1)) == 0) {   /* at 0, 1, 2, 4, ...: doubling */
			counts = xrealloc(counts, (n ? 2 * n : 1) * sizeof(*counts));
			more = xrealloc(more, (n ? 2 * n : 1) * sizeof(*more));
		}
		counts[n] = row.n;
		more[n] = row.more;
		if (ncells + row.n > cap) {
			cap = (ncells + row.n) * 2;
			spans = xrealloc(spans, cap * sizeof(*spans));
		}
		for (size_t k = 0; k < row.n; k++)
			spans[ncells + k] = (struct span){ row.off[k], row.len[k] };
		ncells += row.n;
		n++;
	}
	*cells = xcalloc(ncells ? ncells : 1, sizeof(**cells));
	*rows = xcalloc(n ? n : 1, sizeof(**rows));
	for (size_t i = 0, c = 0; i < n; i++) {
		(*rows)[i].cells = *cells + c;
		(*rows)[i].n = counts[i];
		(*rows)[i].more = more[i];
		for (size_t k = 0; k < counts[i]; k++, c++)
			(*cells)[c] = (page_cell_t){ cells_buf->s + spans[c].off, spans[c].len };
	}
	*nrows = n;
	free(spans);
	free(counts);
	free(more);
}

/* An e-mail's text as the jail wrote it: "Name: value" lines, a blank line,
 * the body. Split the head into pairs; return where the body starts. */
static size_t
mail_head(const char *t, size_t len, page_cell_t *pairs, size_t max, size_t *n)
{
	size_t at = 0;

	*n = 0;
	while (at < len && t[at] != '\n') {
		const char *nl = memchr(t + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - t) : len;
		const char *colon = memchr(t + at, ':', end - at);
		if (colon && *n < max) {
			size_t k = (size_t)(colon - t);
			pairs[2 * *n] = (page_cell_t){ t + at, k - at };
			k += k + 1 < end && t[k + 1] == ' ' ? 2 : 1;
			pairs[2 * *n + 1] = (page_cell_t){ t + k, end - k };
			(*n)++;
		}
		at = end + 1;
	}
	return at < len ? at + 1 : len;
}

/* The listing the jail wrote after EXTRACT_LIST_SEP: "<t>\t<size>\t<name>\n"
 * lines, and "+\t<n>\t" or ">\t<n>\t" for entries left out. */
static void
listing(const char *p, size_t len, page_read_t *r, page_item_t **items)
{
	size_t at = 0, n = 0;

	*items = NULL;
	while (at < len) {
		const char *nl = memchr(p + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - p) : len;
		const char *line = p + at, *t2;
		int64_t size = 0;
		if (end - at >= 4 && line[1] == '\t' &&
		    (t2 = memchr(line + 2, '\t', end - at - 2)) != NULL) {
			char num[24];
			size_t nl2 = (size_t)(t2 - line - 2);
			if (nl2 > 0 && nl2 < sizeof(num)) {
				memcpy(num, line + 2, nl2);
				num[nl2] = '\0';
				if (parse_int64(num, 0, INT64_MAX, &size) < 0)
					size = -1;
			}
			if (size >= 0 && (line[0] == '+' || line[0] == '>')) {
				r->items_more = size;
				r->items_more_min = line[0] == '>';
			} else if (size >= 0 && strchr("fda", line[0]) && n < EXTRACT_LIST_MAX) {
				*items = xrealloc(*items, (n + 1) * sizeof(**items));
				(*items)[n++] = (page_item_t){ line[0], size, t2 + 1,
				    (size_t)(p + end - t2 - 1), 0 };
			}
		}
		at = end + 1;
	}
	r->items = *items;
	r->nitems = n;
}

static int
unnamed_part(const char *name)
{
	return strncmp(name, "attachment ", 11) == 0 || strncmp(name, "message ", 8) == 0;
}

/* Give the message's listed attachments their part numbers (the parts are
 * in the jail's walk order: each top attachment, then those nested in it,
 * named "outer › inner"), and list the nested ones after their message.
 * A listed attachment that is no part (past a bound) keeps no link; a part
 * the listing lacks is added at the end. */
static void
link_parts(char **names, size_t np, page_read_t *r, page_item_t **items)
{
	page_item_t *out = xcalloc(r->nitems + np + 1, sizeof(*out));
	size_t n = 0, ci = 0;

	for (size_t i = 0; i < r->nitems; i++) {
		const page_item_t *it = &r->items[i];
		out[n++] = *it;
		if (ci >= np || it->type != 'a')
			continue;
		if (!(strlen(names[ci]) == it->name_len && memcmp(names[ci], it->name, it->name_len) == 0) &&
		    !(it->name_len == 9 && memcmp(it->name, "(no name)", 9) == 0 && unnamed_part(names[ci])))
			continue;
		out[n - 1].part = (int64_t)++ci;
		const char *outer = names[ci - 1];
		size_t ol = strlen(outer);
		while (ci < np && strlen(names[ci]) > ol + 5 && memcmp(names[ci], outer, ol) == 0 &&
		    memcmp(names[ci] + ol, " \xe2\x80\xba ", 5) == 0) {
			out[n++] = (page_item_t){ 'a', -1, names[ci], strlen(names[ci]), (int64_t)ci + 1 };
			ci++;
		}
	}
	for (; ci < np; ci++)
		out[n++] = (page_item_t){ 'a', -1, names[ci], strlen(names[ci]), (int64_t)ci + 1 };
	free(*items);
	*items = out;
	r->items = out;
	r->nitems = n;
}

/* A PDF's text by its own pages (EXTRACT_PAGE_SEP between them): page
 * `page`, or with find_hit the first page with a hit of terms. */
static void
pdf_page(const char *t, size_t len, const mark_terms_t *terms, int find_hit, int64_t page,
    page_read_t *r)
{
	const char *p = t, *end = t + len, *q;
	size_t s, e;
	int64_t n = 1, hit_page = 0;

	if (find_hit && terms->n > 0 && mark_next(terms, t, len, 0, &s, &e))
		hit_page = 1;
	for (q = t; (q = memmem(q, (size_t)(end - q), EXTRACT_PAGE_SEP, 3)) != NULL; q += 3) {
		if (hit_page && (size_t)(q - t) < s && hit_page == n)
			hit_page = n + 1;
		n++;
	}
	r->npages = n;
	r->page_word = N_("PDF page");
	r->page = hit_page ? hit_page : page > n ? n : page;
	for (int64_t k = 1; k < r->page; k++)
		p = (const char *)memmem(p, (size_t)(end - p), EXTRACT_PAGE_SEP, 3) + 3;
	q = memmem(p, (size_t)(end - p), EXTRACT_PAGE_SEP, 3);
	r->text = p;
	r->text_len = (size_t)((q ? q : end) - p);
}

void
handler_read(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	cat_collection_t col;
	cat_file_t f;
	handler_site_t hs;
	page_collection_t pc;
	page_read_t r;
	page_cell_t pairs[10];
	page_row_t *rows = NULL;
	page_item_t *items = NULL;
	page_cell_t *cells = NULL;
	mark_terms_t terms;
	strbuf_t b, text, cellbuf;
	char *body = NULL, *pagearg = route_query_param(rt->query, "page");
	char *partarg = route_query_param(rt->query, "part"), *part_name = NULL, **pnames = NULL;
	size_t blen = 0, npnames = 0;
	int fd = -1, rc;
	int64_t page = 1, part = 0;
	enum extract_kind kind;
	const char *name;

	(void)c;
	strbuf_init(&b);
	strbuf_init(&text);
	strbuf_init(&cellbuf);
	memset(&col, 0, sizeof(col));
	memset(&r, 0, sizeof(r));
	r.q = route_query_param(rt->query, "q");
	mark_terms_parse(r.q, &terms);
	if (pagearg && parse_int64(pagearg, 1, 1000000000, &page) < 0)
		page = 1;
	if (partarg && parse_int64(partarg, 1, EXTRACT_ATTACH_MAX, &part) < 0) {
		http_resp_error(resp, 404, "There is no such attachment in this message.");
		goto done;
	}
	if (cat_collection_get(h->cat, rt->slug, &col) != 0) {
		http_resp_error(resp, 404, "There is no collection by that name.");
		goto done;
	}
	{
		int64_t id;
		const char *root;
		int held = 0;
		if (handler_collection(h, rt->slug, &id, &root, &held) == 0 && held) {
			/* Restored onto files that differ from the signed manifest. */
			http_resp_error_retry(resp, 503, "This collection is being checked after a move "
			    "and is not served yet.", 3600);
			goto done;
		}
	}
	rc = cat_file_get(h->cat, col.id, rt->path, &f);
	if (rc > 0) {
		handler_not_found(h, req, col.slug, rt->path, resp);
		goto done;
	}
	if (rc != 0) {
		http_resp_error(resp, 500, NULL);
		goto done;
	}
	name = strrchr(rt->path, '/') ? strrchr(rt->path, '/') + 1 : rt->path;
	kind = extract_kind_of(f.mime, name);
	r.path = rt->path;
	r.mime = f.mime;
	r.size = f.size;
	r.page = r.npages = 1;
	r.kind = PAGE_READ_PROSE;
	if (part > 0 && kind != EXTRACT_EML && kind != EXTRACT_MSG) {
		http_resp_error(resp, 404, "There is no such attachment in this file.");
		goto done;
	}
	if (kind == EXTRACT_PLAIN) {
		char sep = table_sep(f.mime, name);
		size_t per = sep ? READ_TABLE_PAGE : READ_PAGE;
		int rootfd = handler_root_fd(h, col.id, col.root);
		struct stat st;
		enum enc e;
		if (rootfd < 0 || (fd = beneath_open(rootfd, rt->path)) < 0 || fstat(fd, &st) < 0 ||
		    !S_ISREG(st.st_mode)) {
			http_resp_error(resp, 403, "This file cannot be read here.");
			goto done;
		}
		if (st.st_size != f.size || st.st_mtime != f.mtime) {
			/* Not the bytes that were published (a refresh is due). */
			http_resp_error_retry(resp, 503, "This file has changed since it was published.", 60);
			goto done;
		}
		e = file_enc(fd);
		r.npages = npages_of(f.size, per);
		if (page > r.npages)
			page = r.npages;
		int have = 0;   /* text holds page `page` already */
		if (terms.n > 0 && pagearg == NULL) {
			/* Open at the first page with a hit, looking a bounded way. */
			int raw = e == ENC_8 && terms_ascii(&terms);
			for (int64_t p = 1; p <= r.npages && p <= READ_HIT_PAGES; p++) {
				size_t s, en;
				strbuf_reset(&text);
				if (raw ? file_page_text(fd, f.size, p, per, e, &terms, &text) :
				    (file_page_text(fd, f.size, p, per, e, NULL, &text),
				    text.len && mark_next(&terms, text.s, text.len, 0, &s, &en))) {
					page = p;
					have = 1;
					break;
				}
			}
		}
		if (!have) {
			strbuf_reset(&text);
			if (f.size > 0)
				file_page_text(fd, f.size, page, per, e, NULL, &text);
		}
		r.page = page;
		if (sep) {
			r.kind = PAGE_READ_TABLE;
			table_rows(text.s ? text.s : "", text.len, sep, &cellbuf, &rows, &r.nrows, &cells);
			r.rows = rows;
		} else {
			r.kind = PAGE_READ_TEXT;
			r.text = text.s;
			r.text_len = text.len;
		}
	} else if (kind != EXTRACT_NONE) {
		size_t off = 0, start, end;
		cat_doc_whole_t whole = { 0, -1 };
		const char *sep;
		if (part > 0) {
			/* An attachment's text: no listing, no headers of its own. */
			rc = cat_part_get(h->cat, f.id, part, &part_name, &body, &blen);
			if (rc != 0) {
				http_resp_error(resp, rc > 0 ? 404 : 500, "There is no such attachment in this message.");
				goto done;
			}
			r.part = part;
			r.part_name = part_name;
			kind = EXTRACT_NONE;
		} else {
			rc = cat_doc_get(h->cat, f.id, &body, &blen, &whole);
		}
		if (rc < 0) {
			http_resp_error(resp, 500, NULL);
			goto done;
		}
		/* A file's text says whether it was cut (stored at ingest) and how
		 * long it was whole where known. An attachment's is inferred: the
		 * jail keeps at most EXTRACT_TEXT_MAX bytes, cut back to a character
		 * (3 bytes at most) or before a page separator. */
		r.cut = part > 0 ? blen + 4 >= EXTRACT_TEXT_MAX : whole.cut;
		r.cut_whole = part > 0 ? -1 : whole.len;
		if (!part && blen > 0 && (sep = memchr(body, EXTRACT_LIST_SEP, blen)) != NULL) {
			size_t k = (size_t)(sep - body);
			listing(sep + 1, blen - k - 1, &r, &items);
			blen = k;
		}
		if ((kind == EXTRACT_EML || kind == EXTRACT_MSG) &&
		    cat_part_names(h->cat, f.id, &pnames, &npnames) == 0 && npnames > 0)
			link_parts(pnames, npnames, &r, &items);
		r.cut_kept = (int64_t)blen;
		if ((kind == EXTRACT_EML || kind == EXTRACT_MSG) && blen > 0) {
			r.kind = PAGE_READ_MAIL;
			off = mail_head(body, blen, pairs, ARRAY_LEN(pairs) / 2, &r.nheaders);
			r.headers = pairs;
		}
		if ((kind == EXTRACT_PDF || part > 0) && memmem(body, blen, EXTRACT_PAGE_SEP, 3) != NULL) {
			pdf_page(body, blen, &terms, pagearg == NULL, page, &r);
			goto render;
		}
		r.npages = npages_of((int64_t)(blen - off), READ_PAGE);
		if (page > r.npages)
			page = r.npages;
		if (terms.n > 0 && pagearg == NULL) {
			size_t s, en;
			if (mark_next(&terms, body + off, blen - off, 0, &s, &en)) {
				page = (int64_t)(s / READ_PAGE) + 1;
				/* A hit just past a nominal boundary ends the page before. */
				if (page > 1 && s < (size_t)(page - 1) * READ_PAGE +
				    cut(body + off + (size_t)(page - 1) * READ_PAGE,
				    blen - off - (size_t)(page - 1) * READ_PAGE, 0, ENC_8))
					page--;
			}
		}
		r.page = page;
		if (blen > off) {
			size_t base = (size_t)(page - 1) * READ_PAGE;
			page_bounds(body + off + base, blen - off - base, (int64_t)(blen - off - base), page,
			    READ_PAGE, ENC_8, &start, &end);
			r.text = body + off + base + start;
			r.text_len = end - start;
			if (kind == EXTRACT_XLS) {
				/* xls2csv's CSV (a blank line between sheets): a table, as a .csv is. */
				r.kind = PAGE_READ_TABLE;
				table_rows(r.text, r.text_len, ',', &cellbuf, &rows, &r.nrows, &cells);
				r.rows = rows;
			}
		}
		if (kind == EXTRACT_ARCHIVE && r.nitems == 0 && r.items_more == 0)
			r.note = N_("The contents of this archive were not listed when it was added "
			    "(it could not be read, or an older version added it: a refresh after "
			    "it changes lists it).");
		else if (kind == EXTRACT_ARCHIVE)
			;
		else if (part > 0 && blen == 0)
			r.note = N_("No text could be read from this attachment when it was published "
			    "(an image, an archive, or a document the reader could not parse); "
			    "download it to open it.");
		else if (blen == 0 || rc == 1)
			r.note = N_("No text could be read from this file when it was published "
			    "(a scan without text, or a document the reader could not parse).");
	} else {
		r.note = N_("There is no text to read in this kind of file; download it, or see "
		    "its page.");
	}
render:
	pc = (page_collection_t){ col.slug, col.title, col.description, col.files, col.bytes,
	    col.updated, col.origin };
	handler_site_get(h, req, col.slug, &hs);
	if (page_read(&b, &hs.site, &pc, &r) < 0)
		http_resp_error(resp, 500, NULL);
	else
		http_resp_html(resp, 200, &b);
	handler_site_clear(&hs);
done:
	if (fd >= 0)
		close(fd);
	free(rows);
	free(items);
	free(cells);
	free(body);
	free(pagearg);
	free(partarg);
	free(part_name);
	for (size_t i = 0; i < npnames; i++)
		free(pnames[i]);
	free(pnames);
	free((char *)r.q);
	strbuf_release(&cellbuf);
	strbuf_release(&text);
	strbuf_release(&b);
	cat_collection_clear(&col);
}
