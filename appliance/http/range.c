/* range: see range.h. */
#include "http/range.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Ranges closer than this are merged: a part header costs about this much. */
#define COALESCE_GAP 80

static const char *
skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Parse 1*DIGIT; -1 on overflow or no digits. */
static int64_t
parse_pos(const char **pp)
{
	const char *p = *pp;
	int64_t v = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	*pp = p;
	return v;
}

static int
cmp_first(const void *a, const void *b)
{
	const range_t *x = a, *y = b;
	return x->first < y->first ? -1 : x->first > y->first;
}

enum range_status
range_parse(const char *value, int64_t size, range_t *out, int max, int *n)
{
	const char *p;
	int count = 0, specs = 0;

	*n = 0;
	if (value == NULL)
		return RANGE_IGNORE;
	p = skip_ows(value);
	if (strncasecmp(p, "bytes", 5) != 0)
		return RANGE_IGNORE;
	p = skip_ows(p + 5);
	if (*p++ != '=')
		return RANGE_IGNORE;

	/* range-set = 1#range-spec; empty list elements are allowed (RFC 9110 5.6.1). */
	for (;;) {
		int64_t first, last;
		p = skip_ows(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		if (*p == '-') {
			/* suffix-range: the last N bytes */
			p++;
			int64_t suffix = parse_pos(&p);
			if (suffix < 0)
				return RANGE_IGNORE;
			if (suffix == 0 || size == 0) {
				first = 1;
				last = 0;   /* unsatisfiable, but well-formed */
			} else {
				first = suffix >= size ? 0 : size - suffix;
				last = size - 1;
			}
		} else {
			first = parse_pos(&p);
			if (first < 0 || *p++ != '-')
				return RANGE_IGNORE;
			if (*p >= '0' && *p <= '9') {
				last = parse_pos(&p);
				if (last < 0 || last < first)
					return RANGE_IGNORE;
			} else {
				last = INT64_MAX;
			}
			if (last > size - 1)
				last = size - 1;
		}
		p = skip_ows(p);
		if (*p != ',' && *p != '\0')
			return RANGE_IGNORE;
		if (++specs > max)
			return RANGE_IGNORE;
		/* Satisfiable when first-pos < size (RFC 9110 14.1.1). */
		if (first < size && first <= last)
			out[count++] = (range_t){ first, last };
	}
	if (specs == 0)
		return RANGE_IGNORE;
	if (count == 0)
		return RANGE_UNSATISFIABLE;
	qsort(out, (size_t)count, sizeof(out[0]), cmp_first);
	int w = 0;
	for (int i = 1; i < count; i++) {
		/* Subtract: last + GAP could overflow near INT64_MAX. */
		if (out[i].first - out[w].last <= COALESCE_GAP) {
			if (out[i].last > out[w].last)
				out[w].last = out[i].last;
		} else {
			out[++w] = out[i];
		}
	}
	*n = w + 1;
	return RANGE_OK;
}

size_t
range_part_header(char *buf, const range_t *r, int64_t size,
    const char *content_type, const char *boundary)
{
	int len = snprintf(buf, RANGE_PART_HEADER_MAX,
	    "\r\n--%s\r\nContent-Type: %s\r\nContent-Range: bytes %lld-%lld/%lld\r\n\r\n",
	    boundary, content_type, (long long)r->first, (long long)r->last,
	    (long long)size);
	if (len < 0)
		return 0;
	return (size_t)len < RANGE_PART_HEADER_MAX ? (size_t)len : RANGE_PART_HEADER_MAX - 1;
}

size_t
range_part_trailer(char *buf, size_t buflen, const char *boundary)
{
	int len = snprintf(buf, buflen, "\r\n--%s--\r\n", boundary);
	return len < 0 ? 0 : (size_t)len;
}

int64_t
range_multipart_length(const range_t *r, int n, int64_t size,
    const char *content_type, const char *boundary)
{
	char buf[RANGE_PART_HEADER_MAX];
	int64_t total = 0;

	for (int i = 0; i < n; i++) {
		total += (int64_t)range_part_header(buf, &r[i], size, content_type, boundary);
		total += r[i].last - r[i].first + 1;
	}
	total += (int64_t)range_part_trailer(buf, sizeof(buf), boundary);
	return total;
}
