/* csv: see csv.h. */
#include "docs/csv.h"

#include <string.h>

static void
cell_end(csv_row_t *row, strbuf_t *cells, size_t start)
{
	if (row->n < CSV_CELLS_MAX) {
		row->off[row->n] = start;
		row->len[row->n] = cells->len - start;
		row->n++;
	} else {
		row->more++;
		cells->len = start;   /* not kept: take back its bytes */
		if (cells->s)
			cells->s[start] = '\0';
	}
}

/* Length of the run at s[0..len) of plain cell bytes: no separator, line
 * end, NUL, nor (quote != 0) quote. */
static size_t
run_len(const char *s, size_t len, char sep, char quote)
{
	size_t i = 0;
	while (i < len && s[i] != sep && s[i] != '\n' && s[i] != '\r' && s[i] != '\0' &&
	    (quote == 0 || s[i] != quote))
		i++;
	return i;
}

size_t
csv_row_read(const char *s, size_t len, char sep, strbuf_t *cells, csv_row_t *row)
{
	size_t i = 0, start = cells->len, n;
	int quoted = 0, quotes = sep == ',';

	row->n = row->more = 0;
	if (len == 0)
		return 0;
	for (;;) {
		if (i == len) {
			cell_end(row, cells, start);
			return i;
		}
		if (quoted) {
			/* Copied in runs up to the next quote: a cell is one copy. */
			n = 0;
			while (i + n < len && s[i + n] != '"')
				n++;
			strbuf_add(cells, s + i, n);
			i += n;
			if (i + 1 < len && s[i + 1] == '"') {
				strbuf_addc(cells, '"');
				i += 2;
			} else if (i < len) {
				quoted = 0;
				i++;
			}
			continue;
		}
		n = run_len(s + i, len - i, sep, quotes ? '"' : 0);
		if (n > 0) {
			strbuf_add(cells, s + i, n);
			i += n;
			continue;
		}
		char c = s[i];
		if (c == '\n' || c == '\r') {
			cell_end(row, cells, start);
			i++;
			if (c == '\r' && i < len && s[i] == '\n')
				i++;
			return i;
		}
		if (c == sep) {
			cell_end(row, cells, start);
			start = cells->len;
			i++;
		} else if (c == '"' && quotes && cells->len == start) {
			quoted = 1;   /* a quote opens a field only at its start */
			i++;
		} else {
			strbuf_addc(cells, c);   /* a quote inside a field, or a NUL */
			i++;
		}
	}
}
