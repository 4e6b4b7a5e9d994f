/* range: the Range and If-Range request fields (RFC 9110 14.1.1, 14.2, 13.1.5)
 * and the layout of multipart/byteranges bodies (RFC 9110 14.6). */
#ifndef BROADSIDE_RANGE_H
#define BROADSIDE_RANGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct range {
	int64_t first, last;   /* inclusive byte positions */
} range_t;

enum range_status {
	RANGE_IGNORE,         /* absent, not "bytes", malformed or too many: send 200 */
	RANGE_OK,             /* *n ranges (1..max), sorted and coalesced */
	RANGE_UNSATISFIABLE,  /* 416 with Content-Range: bytes * / size */
};

/* Parse a Range field value against a representation of size bytes into at
 * most max ranges. Overlapping or nearly adjacent ranges are coalesced (RFC
 * 9110 14.2 permits it), which bounds the response to about the file size:
 * "bytes=0-,0-,0-" cannot multiply the bytes we send. */
enum range_status range_parse(const char *value, int64_t size, range_t *out,
    int max, int *n);

/* Length of a multipart/byteranges body for these ranges, with the part headers
 * that range_part_header writes. */
int64_t range_multipart_length(const range_t *r, int n, int64_t size,
    const char *content_type, const char *boundary);
/* Write the delimiter and part header that precede range i ("\r\n--B\r\n...")
 * into buf; return its length (buf must hold RANGE_PART_HEADER_MAX). */
#define RANGE_PART_HEADER_MAX 512
size_t range_part_header(char *buf, const range_t *r, int64_t size,
    const char *content_type, const char *boundary);
/* The closing delimiter "\r\n--B--\r\n". */
size_t range_part_trailer(char *buf, size_t buflen, const char *boundary);

#endif
