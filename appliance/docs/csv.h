/* csv: one record of CSV (RFC 4180: quoted fields with "" for a quote and
 * line breaks inside quotes) or TSV (tab-separated, no quoting) from text
 * already decoded to UTF-8 (extract_text). For the reading view's table:
 * no allocation beyond the caller's buffer, work linear in the bytes read. */
#ifndef BROADSIDE_CSV_H
#define BROADSIDE_CSV_H

#include <stddef.h>

#include "base/util.h"

#define CSV_CELLS_MAX 64        /* cells kept per row; the rest are counted */

typedef struct csv_row {
	size_t n;                   /* cells kept (<= CSV_CELLS_MAX) */
	size_t more;                /* cells past the cap */
	size_t off[CSV_CELLS_MAX], len[CSV_CELLS_MAX];   /* into the caller's buffer */
} csv_row_t;

/* Read the record that starts at s[0] (len bytes; sep ',' for CSV, '\t' for
 * TSV). The cells' text (quotes removed, "" made ") is appended to cells;
 * row holds where each is. Return the bytes consumed, its line end included
 * (0 only when len is 0). A quote left open at the end takes the rest. */
size_t csv_row_read(const char *s, size_t len, char sep, strbuf_t *cells, csv_row_t *row);

#endif
