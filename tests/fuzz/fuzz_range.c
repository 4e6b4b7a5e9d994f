/* libFuzzer: Range field values against sizes; checks the invariants callers
 * rely on (ranges inside the file, sorted, disjoint, at most max). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t fsize = 0;
	range_t r[8];
	int n = 0;

	if (size < 8)
		return 0;
	memcpy(&fsize, data, 8);
	if (fsize < 0)
		fsize = -(fsize + 1);
	char *v = malloc(size - 8 + 1);
	memcpy(v, data + 8, size - 8);
	v[size - 8] = '\0';
	if (range_parse(v, fsize, r, 8, &n) == RANGE_OK) {
		if (n < 1 || n > 8)
			abort();
		for (int i = 0; i < n; i++) {
			if (r[i].first < 0 || r[i].first > r[i].last || r[i].last >= fsize)
				abort();
			if (i > 0 && r[i].first <= r[i - 1].last)
				abort();
		}
	}
	free(v);
	return 0;
}
