/* search_int: what search.c shares with search_hit.c and search_filter.c;
 * not for callers outside catalogue/. */
#ifndef BROADSIDE_SEARCH_INT_H
#define BROADSIDE_SEARCH_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "base/util.h"
#include "catalogue/search.h"

/* Append s[0..n) to b, replacing invalid UTF-8 by U+FFFD and control bytes (except
 * keep_markers' \x02 and \x03) by spaces. */
void search_utf8_clean_(strbuf_t *b, const char *s, size_t n, int keep_markers);

/* Fill h from s (the hit query, bound to expr and rowid here): 0, 1 when the
 * row is gone, -1 on error. */
int search_hit_fetch_(sqlite3_stmt *s, const char *expr, int64_t rowid, search_hit_t *h);

/* The SQL that keeps an index's (tab's) matches in f: "" when f does not
 * narrow, else " AND EXISTS (...)" with parameters ?21 to ?24 (above any
 * the caller numbers) that search_filter_bind_ binds (caller frees). */
char *search_filter_sql_(const search_filter_t *f, const char *tab);
/* Bind f's parameters on s. */
void search_filter_bind_(sqlite3_stmt *s, const search_filter_t *f);
/* The matches of a filtered search that are in its filter: their rowids,
 * newest first. */
typedef struct search_pass {
	int64_t *ids;
	size_t n;
} search_pass_t;
/* One walk of expr's matches in tab above min_rowid, newest first, checking
 * each match's file row against f: the SEARCH_FILTER_SCAN newest, or every
 * one when the SEARCH_FILTER_SCAN-th is an attachment. Fills p with those in
 * f, sets *windowed when more matches were left unchecked, and returns the
 * rowid below which the search does not look (min_rowid when it looks at
 * all), or -1 on error. */
int64_t search_filter_pass_(sqlite3 *db, const char *tab, const char *expr, int64_t min_rowid, const search_filter_t *f,
    search_pass_t *p, int *windowed);
/* " AND bs_pass(rowid, ?25)" keeps p's matches in a query; bind p on s.
 * bs_pass is registered by search_register (search_filter_register_). */
#define SEARCH_PASS_SQL " AND bs_pass(rowid, ?25)"
void search_pass_bind_(sqlite3_stmt *s, const search_pass_t *p);
int search_filter_register_(sqlite3 *db);

#endif
