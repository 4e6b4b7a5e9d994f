/* fuzz_csv: the reading view's table splitter (CSV and TSV) and its search
 * marker on any text: every row consumes bytes, cells stay within the cells
 * buffer, marks within the text and in order. Input: first byte picks the
 * separator, the next 32 are the query, the rest the text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docs/csv.h"
#include "site/mark.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char q[33];
	const char *text;
	size_t len, at = 0, s, e;
	strbuf_t cells;
	csv_row_t row;
	mark_terms_t terms;

	if (size < 33)
		return 0;
	memcpy(q, data + 1, 32);
	q[32] = '\0';
	text = (const char *)data + 33;
	len = size - 33;
	strbuf_init(&cells);
	while (at < len) {
		size_t used = csv_row_read(text + at, len - at, data[0] & 1 ? '\t' : ',', &cells, &row);
		if (used == 0 || used > len - at || row.n > CSV_CELLS_MAX)
			abort();
		for (size_t k = 0; k < row.n; k++)
			if (row.off[k] + row.len[k] > cells.len)
				abort();
		at += used;
	}
	mark_terms_parse(q, &terms);
	for (at = 0; mark_next(&terms, text, len, at, &s, &e); at = e)
		if (s < at || e <= s || e > len)
			abort();
	strbuf_release(&cells);
	return 0;
}
