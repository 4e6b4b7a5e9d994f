/* page_read: the reading view (see page.h). The text is cut into plain runs
 * and marked hits here; the template escapes every byte of both. */
#include <string.h>

#include "site/i18n.h"
#include "site/kind.h"
#include "site/mark.h"
#include "site/page.h"
#include "site/page_int.h"
#include "site/tmpl.h"

/* The text as runs: {{#segs}} with t, and hit/n on a marked run. */
static void
put_marked(tmpl_vars_t *v, const char *text, size_t len, const mark_terms_t *t, int64_t *nhit)
{
	size_t at = 0, s, e;
	int64_t n = *nhit;

	while (n < PAGE_READ_MARKS_MAX && mark_next(t, text, len, at, &s, &e)) {
		if (s > at)
			tmpl_putn(tmpl_push(v, "segs"), "t", text + at, s - at);
		tmpl_vars_t *h = tmpl_push(v, "segs");
		tmpl_putn(h, "t", text + s, e - s);
		tmpl_put(h, "hit", "1");
		tmpl_put_int(h, "n", ++n);
		at = e;
	}
	if (at < len)
		tmpl_putn(tmpl_push(v, "segs"), "t", text + at, len - at);
	*nhit = n;
}

/* s as "iname" with its first match (if any, and while marks are left)
 * split out as "ihit" (numbered "n") and "ipost". */
static void
put_marked_once(tmpl_vars_t *it, const char *s, size_t len, const mark_terms_t *t, int64_t *nhit)
{
	size_t s0, e0;

	if (*nhit < PAGE_READ_MARKS_MAX && mark_next(t, s, len, 0, &s0, &e0)) {
		tmpl_putn(it, "iname", s, s0);
		tmpl_putn(it, "ihit", s + s0, e0 - s0);
		tmpl_put_int(it, "n", ++*nhit);
		tmpl_putn(it, "ipost", s + e0, len - e0);
	} else {
		tmpl_putn(it, "iname", s, len);
	}
}

static void
put_pages(tmpl_vars_t *v, const page_read_t *r)
{
	tmpl_vars_t *pg;

	tmpl_put(v, "page_word", i18n_tr(tmpl_vars_lang(v), r->page_word ? r->page_word : N_("Page")));
	tmpl_put_int(v, "cur", r->page);
	tmpl_put_int(v, "npages", r->npages);
	if (r->npages <= 1)
		return;
	pg = tmpl_push(v, "pager");
	tmpl_put_int(pg, "cur", r->page);
	tmpl_put_int(pg, "npages", r->npages);
	if (r->page > 1)
		tmpl_put_int(tmpl_push(pg, "prev"), "n", r->page - 1);
	if (r->page < r->npages)
		tmpl_put_int(tmpl_push(pg, "next"), "n", r->page + 1);
}

int
page_read(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const page_read_t *r)
{
	tmpl_vars_t *v = tmpl_vars_new();
	const char *path = r->path ? r->path : "", *name = page_base_name_(path);
	char words[160];
	mark_terms_t terms;
	strbuf_t b;

	strbuf_init(&b);
	if (r->part > 0 && r->part_name) {
		strbuf_t full;
		strbuf_init(&full);
		strbuf_adds(&full, name);
		strbuf_adds(&full, " › ");
		strbuf_adds(&full, r->part_name);
		i18n_subst(&b, i18n_tr(page_lang_(s), N_("{name} — reading")), "name", full.s,
		    (const char *)NULL);
		strbuf_release(&full);
	} else {
		i18n_subst(&b, i18n_tr(page_lang_(s), N_("{name} — reading")), "name", name,
		    (const char *)NULL);
	}
	page_put_common_(v, s, b.s);
	strbuf_release(&b);
	page_put_crumbs_(v, c, path);
	tmpl_put(v, "name", name);
	tmpl_put(v, "path", path);
	kind_describe(page_lang_(s), r->mime, words, sizeof(words));
	tmpl_put(v, "kind", words);
	page_put_size_(v, "size", r->size);
	tmpl_put(v, "note", r->note ? i18n_tr(page_lang_(s), r->note) : NULL);
	if (r->part > 0) {
		tmpl_put_int(v, "part", r->part);
		tmpl_put(v, "part_name", r->part_name ? r->part_name : "");
	}
	if (r->q && r->q[0]) {
		size_t ql = strlen(r->q);
		tmpl_putn(v, "q", r->q, ql > PAGE_QUERY_MAX ? PAGE_QUERY_MAX : ql);
	}
	put_pages(v, r);
	if (r->cut) {
		/* Said at the top of every page and again where the kept text ends. */
		tmpl_put(v, "cut", "1");
		page_put_size_(v, "kept", r->cut_kept);
		if (r->cut_whole > r->cut_kept)
			page_put_size_(v, "whole", r->cut_whole);
		if (r->page >= r->npages)
			tmpl_put(v, "cut_end", "1");
	}
	mark_terms_parse(r->q, &terms);
	/* Hits are numbered in page order: headers, the text, then names. */
	int64_t nhit = 0;
	switch (r->kind) {
	case PAGE_READ_MAIL:
		for (size_t i = 0; i < r->nheaders; i++) {
			tmpl_vars_t *h = tmpl_push(v, "headers");
			tmpl_putn(h, "hname", r->headers[2 * i].s, r->headers[2 * i].len);
			put_marked_once(h, r->headers[2 * i + 1].s, r->headers[2 * i + 1].len, &terms, &nhit);
		}
		tmpl_put(v, "is_mail", "1");
		__attribute__((fallthrough));   /* the body is text */
	case PAGE_READ_TEXT:
	case PAGE_READ_PROSE:
		tmpl_put(v, r->kind == PAGE_READ_TEXT ? "mono" : "prose", "1");
		if (r->text && r->text_len > 0) {
			tmpl_put(v, "has_text", "1");
			put_marked(tmpl_push(v, "body"), r->text, r->text_len, &terms, &nhit);
		}
		break;
	case PAGE_READ_TABLE:
		/* A body row is one value, its cells apart by \x1f (|cells): a
		 * scope per cell made a 32 KiB page cost thousands of allocations. */
		strbuf_init(&b);
		for (size_t i = 0; i < r->nrows; i++) {
			const page_row_t *row = &r->rows[i];
			if (i == 0 && r->page == 1) {
				tmpl_vars_t *h = tmpl_push(v, "thead");
				for (size_t k = 0; k < row->n; k++)
					tmpl_putn(tmpl_push(h, "cells"), "t", row->cells[k].s, row->cells[k].len);
				if (row->more)
					tmpl_put_int(h, "more", (int64_t)row->more);
				continue;
			}
			strbuf_reset(&b);
			for (size_t k = 0; k < row->n; k++) {
				size_t at;
				if (k > 0)
					strbuf_addc(&b, '\x1f');
				at = b.len;
				strbuf_add(&b, row->cells[k].s, row->cells[k].len);
				for (size_t j = at; j < b.len; j++)
					if (b.s[j] == '\x1f')
						b.s[j] = ' ';   /* never a cell boundary from the data */
			}
			if (row->more) {
				strbuf_t nb;
				strbuf_init(&nb);
				i18n_number(page_lang_(s), &nb, (int64_t)row->more);
				strbuf_addc(&b, '\x1f');
				i18n_subst(&b, i18n_tr(page_lang_(s), N_("… {n} more")), "n", nb.s, (const char *)NULL);
				strbuf_release(&nb);
			}
			tmpl_putn(tmpl_push(v, "rows"), "row", b.s ? b.s : "", b.len);
		}
		strbuf_release(&b);
		if (r->nrows > 0)
			tmpl_put(v, "has_table", "1");
		break;
	}
	for (size_t i = 0; i < r->nitems; i++) {
		tmpl_vars_t *it = tmpl_push(v, "items");
		put_marked_once(it, r->items[i].name, r->items[i].name_len, &terms, &nhit);
		if (r->items[i].type == 'd')
			tmpl_put(it, "dir", "1");
		else if (r->items[i].size >= 0)
			page_put_size_(it, "isize", r->items[i].size);
		if (r->items[i].part > 0)
			tmpl_put_int(it, "ipart", r->items[i].part);
	}
	if (r->nitems > 0 || r->items_more > 0) {
		tmpl_put(v, "has_items", "1");
		tmpl_put(v, "items_heading", i18n_tr(page_lang_(s), r->kind == PAGE_READ_MAIL ?
		    N_("Attachments") : N_("Contents")));
		page_put_count_(v, "nitems", (int64_t)r->nitems);
	}
	if (r->items_more > 0) {
		page_put_count_(v, "more", r->items_more);
		if (r->items_more_min)
			tmpl_put(v, "more_min", "1");
	}
	if (nhit > 0)
		tmpl_put_int(v, "hits", nhit);
	return page_render_(out, "read.html", v);
}
