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
/* The rowid below which a filtered search of expr in tab does not look: that
 * of its SEARCH_FILTER_SCAN-th newest match above min_rowid (as rowids above
 * min_rowid - 1), or min_rowid when there are fewer. -1 on error. */
int64_t search_filter_window_(sqlite3 *db, const char *tab, const char *expr, int64_t min_rowid, int *windowed);

#endif
