/* Request-head parsing: statuses for good and bad heads, limits, kept fields,
 * pipelining, and byte-at-a-time delivery. */
#include <stdlib.h>

#include "unit.h"
#include "http/http_req.h"

static const http_req_limits_t lim = { 100, 8, 1000 };

static const struct {
	const char *in;
	enum http_req_status st;
	int err;
	const char *target;
} cases[] = {
	{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_REQ_DONE, 0, "/" },
	{ "HEAD /f/x HTTP/1.0\r\n\r\n", HTTP_REQ_DONE, 0, "/f/x" },
	{ "GET /a?b=c HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\n\r\n", HTTP_REQ_DONE, 0, "/a?b=c" },
	{ "GET / HTTP/1.1\r\nHost: a\r\n", HTTP_REQ_MORE, 0, NULL },
	{ "GET / HTTP/1.1\r\n\r\n", HTTP_REQ_ERROR, 400, NULL },
	{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HTTP_REQ_ERROR, 400, NULL },
	{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", HTTP_REQ_ERROR, 505, NULL },
	{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx", HTTP_REQ_ERROR, 413, NULL },
	{ "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_REQ_ERROR, 413, NULL },
	{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", HTTP_REQ_DONE, 0, "/" },
	{ "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n", HTTP_REQ_ERROR, 414, NULL },
	{ "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\nF: 1\r\nG: 1\r\nH: 1\r\n\r\n", HTTP_REQ_ERROR, 431, NULL },
	{ "GET / HTTP/1.1\r\nHost: a\r\n\x01\x02\r\n\r\n", HTTP_REQ_ERROR, 400, NULL },
	{ "GARBAGE\r\n\r\n", HTTP_REQ_ERROR, 400, NULL },
	{ "GET / HTTP/1.1\nHost: a\n\n", HTTP_REQ_DONE, 0, "/" },
};

static enum http_req_status
feed_all(http_req_t *r, const char *s, size_t len, int bytewise, size_t *used)
{
	enum http_req_status st = HTTP_REQ_MORE;
	*used = 0;
	if (!bytewise)
		return http_req_feed(r, s, len, used);
	for (size_t i = 0; i < len && st == HTTP_REQ_MORE; i++) {
		size_t u;
		st = http_req_feed(r, s + i, 1, &u);
		*used += u;
	}
	return st;
}

int
main(void)
{
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			http_req_t *r = http_req_new(&lim);
			size_t used;
			enum http_req_status st = feed_all(r, cases[i].in, strlen(cases[i].in), bytewise, &used);
			is_int(st, cases[i].st, "status of case %zu (bytewise %d)", i, bytewise);
			if (st == HTTP_REQ_ERROR)
				is_int(http_req_error(r), cases[i].err, "error of case %zu", i);
			if (st == HTTP_REQ_DONE && cases[i].target)
				is_str(http_req_target(r, NULL), cases[i].target, "target of case %zu", i);
			http_req_free(r);
		}
	}

	/* Kept fields, joined lists, repeated singletons. */
	http_req_t *r = http_req_new(&(http_req_limits_t){ 8192, 64, 16384 });
	const char *h = "GET /x HTTP/1.1\r\nhost: a\r\nRANGE: bytes=1-2\r\nIf-None-Match: \"a\"\r\n"
	    "If-None-Match: \"b\"\r\nIf-Range: \"x\"\r\nIf-Range: \"y\"\r\nX-Other: 1\r\n\r\n"
	    "GET /second HTTP/1.1\r\nHost: a\r\n\r\n";
	size_t used;
	is_int(http_req_feed(r, h, strlen(h), &used), HTTP_REQ_DONE, "first of two");
	is_str(http_req_header(r, HDR_RANGE), "bytes=1-2", "Range kept, any case");
	is_str(http_req_header(r, HDR_IF_NONE_MATCH), "\"a\", \"b\"", "list joined");
	ok(http_req_header(r, HDR_IF_RANGE) == NULL, "repeated If-Range ignored");
	ok(http_req_header(r, HDR_IF_MATCH) == NULL, "absent field");
	is_int(http_req_method(r), HTTP_REQ_GET, "GET");
	ok(http_req_keep_alive(r), "1.1 keeps alive");
	/* Pipelining: the second request is left for after the reset. */
	size_t rest = strlen(h) - used;
	ok(rest == strlen("GET /second HTTP/1.1\r\nHost: a\r\n\r\n"), "stopped after the first (%zu left)", rest);
	http_req_reset(r);
	is_int(http_req_feed(r, h + used, rest, &used), HTTP_REQ_DONE, "second");
	is_str(http_req_target(r, NULL), "/second", "second target");
	ok(http_req_header(r, HDR_RANGE) == NULL, "fields do not leak across requests");
	http_req_reset(r);
	const char *h10 = "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
	is_int(http_req_feed(r, h10, strlen(h10), &used), HTTP_REQ_DONE, "1.0");
	is_int(http_req_method(r), HTTP_REQ_HEAD, "HEAD");
	ok(http_req_keep_alive(r), "1.0 with keep-alive");
	is_int(http_req_minor_version(r), 0, "minor 0");
	http_req_free(r);
	return unit_done();
}
