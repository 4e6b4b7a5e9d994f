/* page_int: what page.c shares with the other page modules (page_read.c, page_search.c,
 * page_error.c);
 * not for callers outside site/. */
#ifndef BROADSIDE_PAGE_INT_H
#define BROADSIDE_PAGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "site/page.h"
#include "site/tmpl.h"

/* The page's language (English when s names none or an unknown one). */
const i18n_lang_t *page_lang_(const page_site_t *s);
/* Render body in the shared layout with v (freed here); 0 or -1. */
int page_render_(strbuf_t *out, const char *body, tmpl_vars_t *v);
/* Publisher, stylesheet version, title and the signed address list. */
void page_put_common_(tmpl_vars_t *v, const page_site_t *s, const char *title);
/* Breadcrumbs of path in collection c. */
void page_put_crumbs_(tmpl_vars_t *v, const page_collection_t *c, const char *path);
/* "1.2 MB" and "1,234" */
void page_put_size_(tmpl_vars_t *v, const char *key, int64_t n);
void page_put_count_(tmpl_vars_t *v, const char *key, int64_t n);
/* s unless NULL or empty, else def. */
const char *page_or_default_(const char *s, const char *def);
/* Length of s cut to at most max bytes without splitting a UTF-8 sequence. */
size_t page_utf8_cut_(const char *s, size_t len, size_t max);
/* The last part of a slash-separated path. */
const char *page_base_name_(const char *path);

/* Longest path shown in a listing or a hit; the link keeps the full path. */
#define PATH_SHOWN_MAX 120
/* Put t, to the minute in UTC (utc_suffix: say so after it). */
void page_put_date_(tmpl_vars_t *v, const char *key, int64_t t, int utc_suffix);
/* Put s shortened in the middle to about max bytes; the whole under full if cut. */
void page_put_shortened_(tmpl_vars_t *v, const char *key, const char *s, size_t max, const char *full);
/* The pager: first, a window around page, last (never past the last). */
void page_put_pager_(tmpl_vars_t *v, int64_t page, int64_t per_page, int64_t total);

#endif
