/* search_hit: a hit's row (search_int.h): path, collection, size, the
 * document's title, kind, date, snippet, and a PDF's page. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"
#include "catalogue/search.h"
#include "catalogue/search_int.h"

/* Between a PDF's pages in its stored text (docs/extract.h's EXTRACT_PAGE_SEP). */
#define PDF_PAGE_SEP "\xe2\x80\xa9"

/* The page (from 1) of body that holds the snippet's first match, or 0: its
 * first fragment up to that match is a substring of body (FTS5 copies the
 * text between its markers), found with one memmem over the text, no
 * second tokenizing. */
static int64_t
pdf_page_of(const char *snip, const char *body, size_t len)
{
	strbuf_t n;
	const char *end = strchr(snip, '\x03'), *at;
	size_t mark = 0;
	int64_t page = 0;

	if (strncmp(snip, "…", strlen("…")) == 0)
		snip += strlen("…");
	if (end == NULL || end < snip)
		return 0;
	strbuf_init(&n);
	for (; snip < end; snip++)
		if (*snip == '\x02')
			mark = n.len;
		else
			strbuf_addc(&n, *snip);
	if (n.len >= 3 && (at = memmem(body, len, n.s, n.len)) != NULL) {
		const char *p = body, *stop = at + mark;
		for (page = 1; (p = memmem(p, (size_t)(stop - p), PDF_PAGE_SEP, 3)) != NULL; p += 3)
			page++;
	}
	strbuf_release(&n);
	return page;
}

int
search_hit_fetch_(sqlite3_stmt *s, const char *expr, int64_t rowid, search_hit_t *h)
{
	strbuf_t b;
	const char *snip;
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, rowid);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	h->path = xstrdup((const char *)sqlite3_column_text(s, 0));
	h->size = sqlite3_column_int64(s, 1);
	h->slug = xstrdup((const char *)sqlite3_column_text(s, 2));
	if (sqlite3_column_count(s) > 4 && sqlite3_column_type(s, 4) == SQLITE_TEXT)
		h->part = xstrdup((const char *)sqlite3_column_text(s, 4));
	if (h->part && sqlite3_column_count(s) > 5)
		h->part_no = sqlite3_column_int64(s, 5);
	/* The body's snippet, or the title's when the words are not in the body
	 * (coalesce makes the second only when needed: each costs a re-read). */
	snip = (const char *)sqlite3_column_text(s, 3);
	strbuf_init(&b);
	if (snip)
		search_utf8_clean_(&b, snip, strlen(snip), 1);
	h->snippet = strbuf_detach(&b);
	if (sqlite3_column_count(s) > 9) {
		if (sqlite3_column_type(s, 6) == SQLITE_TEXT)
			h->title = xstrdup((const char *)sqlite3_column_text(s, 6));
		if (sqlite3_column_type(s, 7) == SQLITE_TEXT)
			h->mime = xstrdup((const char *)sqlite3_column_text(s, 7));
		h->mtime = sqlite3_column_int64(s, 8);
		if (sqlite3_column_type(s, 9) == SQLITE_TEXT && snip)
			h->page = pdf_page_of(snip, (const char *)sqlite3_column_text(s, 9),
			    (size_t)sqlite3_column_bytes(s, 9));
	}
	return 0;
}

