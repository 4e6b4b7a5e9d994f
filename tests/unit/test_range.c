/* Range parsing, h2o-style: a table of field values against a size. */
#include "unit.h"
#include "http/range.h"

static const struct {
	const char *value;
	long long size;
	enum range_status st;
	int n;
	long long r[4][2];
} cases[] = {
	{ "bytes=0-499", 10000, RANGE_OK, 1, { { 0, 499 } } },
	{ "bytes=500-999", 10000, RANGE_OK, 1, { { 500, 999 } } },
	{ "bytes=-500", 10000, RANGE_OK, 1, { { 9500, 9999 } } },
	{ "bytes=9500-", 10000, RANGE_OK, 1, { { 9500, 9999 } } },
	{ "bytes=0-0,-1", 10000, RANGE_OK, 2, { { 0, 0 }, { 9999, 9999 } } },
	{ "bytes=0-", 10000, RANGE_OK, 1, { { 0, 9999 } } },
	{ "bytes=0-99999", 10000, RANGE_OK, 1, { { 0, 9999 } } },
	{ "bytes=-20000", 10000, RANGE_OK, 1, { { 0, 9999 } } },
	{ "BYTES = 1-2", 10000, RANGE_OK, 1, { { 1, 2 } } },
	{ "bytes=1-2 , 5000-5001", 10000, RANGE_OK, 2, { { 1, 2 }, { 5000, 5001 } } },
	{ "bytes=5000-5001,1-2", 10000, RANGE_OK, 2, { { 1, 2 }, { 5000, 5001 } } },
	{ "bytes=,1-2,", 10000, RANGE_OK, 1, { { 1, 2 } } },
	/* coalescing: overlapping and near ranges merge, so bytes are not multiplied */
	{ "bytes=0-,0-,0-", 10000, RANGE_OK, 1, { { 0, 9999 } } },
	{ "bytes=0-100,50-150", 10000, RANGE_OK, 1, { { 0, 150 } } },
	{ "bytes=0-100,110-150", 10000, RANGE_OK, 1, { { 0, 150 } } },
	{ "bytes=0-100,1000-1100", 10000, RANGE_OK, 2, { { 0, 100 }, { 1000, 1100 } } },
	/* beyond 4 GiB */
	{ "bytes=5000000000-", 5368709120LL, RANGE_OK, 1, { { 5000000000LL, 5368709119LL } } },
	/* unsatisfiable: 416 */
	{ "bytes=10000-", 10000, RANGE_UNSATISFIABLE, 0, { { 0 } } },
	{ "bytes=20000-30000", 10000, RANGE_UNSATISFIABLE, 0, { { 0 } } },
	{ "bytes=-0", 10000, RANGE_UNSATISFIABLE, 0, { { 0 } } },
	{ "bytes=0-", 0, RANGE_UNSATISFIABLE, 0, { { 0 } } },
	{ "bytes=-1", 0, RANGE_UNSATISFIABLE, 0, { { 0 } } },
	{ "bytes=10000-,20000-", 10000, RANGE_UNSATISFIABLE, 0, { { 0 } } },
	{ "bytes=10000-,5-6", 10000, RANGE_OK, 1, { { 5, 6 } } },
	/* malformed or foreign: ignore and send 200 */
	{ "bytes=5-1", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "bytes=", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "bytes=-", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "bytes=a-b", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "bytes=1-2;3-4", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "bytes 1-2", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "items=1-2", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "bytes=1-2x", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "bytes=99999999999999999999-", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "bytes=1-99999999999999999999", 10000, RANGE_IGNORE, 0, { { 0 } } },
	{ "bytes=1-1,3-3,5-5,7-7,9-9", 10000, RANGE_IGNORE, 0, { { 0 } } }, /* > max 4 */
};

int
main(void)
{
	range_t r[4];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = -1;
		enum range_status st = range_parse(cases[i].value, cases[i].size, r, 4, &n);
		is_int(st, cases[i].st, "status for '%s' size %lld", cases[i].value, cases[i].size);
		if (st != RANGE_OK || cases[i].st != RANGE_OK)
			continue;
		is_int(n, cases[i].n, "count for '%s'", cases[i].value);
		for (int j = 0; j < n && j < cases[i].n; j++) {
			is_int(r[j].first, cases[i].r[j][0], "first[%d] for '%s'", j, cases[i].value);
			is_int(r[j].last, cases[i].r[j][1], "last[%d] for '%s'", j, cases[i].value);
		}
	}
	ok(range_parse(NULL, 10, r, 4, &(int){ 0 }) == RANGE_IGNORE, "absent Range");

	/* Multipart length equals the bytes the part writers produce. */
	range_t two[2] = { { 0, 9 }, { 100, 199 } };
	char buf[RANGE_PART_HEADER_MAX];
	long long want = 0;
	for (int i = 0; i < 2; i++)
		want += (long long)range_part_header(buf, &two[i], 1000, "text/csv", "B0") +
		    two[i].last - two[i].first + 1;
	want += (long long)range_part_trailer(buf, sizeof(buf), "B0");
	is_int(range_multipart_length(two, 2, 1000, "text/csv", "B0"), want, "multipart length");
	range_part_header(buf, &two[1], 1000, "text/csv", "B0");
	is_str(buf, "\r\n--B0\r\nContent-Type: text/csv\r\nContent-Range: bytes 100-199/1000\r\n\r\n", "part header");
	return unit_done();
}
