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

/* A hit is named by its document's own title when it has one (an
 * attachment's own), else by its file's name; its folder is shown apart, and
 * the file name too when a title took its place. */
static void
put_where(tmpl_vars_t *it, const page_hit_t *h)
{
	const char *path = page_or_default_(h->path, "?"), *base = page_base_name_(path);
	const char *title = h->title && *h->title && strcmp(h->title, base) != 0 ? h->title : NULL;
	char *dir = base > path ? xstrndup(path, (size_t)(base - path - 1)) : NULL;

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
    int64_t total, int total_is_estimate, const char *message, int64_t page, int64_t per_page)
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
	tmpl_put(v, "message", message ? i18n_tr(page_lang_(s), message) : NULL);
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
			tmpl_put(it, "kind", words);
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
