/* libFuzzer: the whole request path a peer controls — PROXY line, request head
 * (in two arbitrary pieces, as TCP delivers it), pipelined follow-ups, target
 * routing and percent-decoding, the manifest names below /m/, query
 * parameters, and the Range field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_req.h"
#include "http/proxy.h"
#include "http/range.h"
#include "serve/route.h"
#include "trust/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	http_req_limits_t lim = { 8192, 64, 16384 };
	http_req_t *r = http_req_new(&lim);
	const char *p = (const char *)data;
	size_t len = size, used = 0, split = size ? data[0] % (size + 1) : 0;
	proxy_info_t info;

	if (proxy_parse(p, len, &used, &info) == PROXY_OK) {
		p += used;
		len -= used;
	}
	for (int n = 0; n < 4 && len > 0; n++) {
		size_t a = 0, b = 0, first = split < len ? split : len;
		enum http_req_status st = http_req_feed(r, p, first, &a);
		if (st == HTTP_REQ_MORE && a == first)
			st = http_req_feed(r, p + a, len - a, &b);
		if (st != HTTP_REQ_DONE)
			break;
		size_t tlen;
		const char *t = http_req_target(r, &tlen);
		route_t rt;
		if (route_parse(t, tlen, &rt) == 0) {
			free(route_query_param(rt.query, "q"));
			if (rt.kind == ROUTE_MANIFEST)
				free(manifest_served_path(rt.path));
			route_clear(&rt);
		}
		range_t ranges[16];
		int nr;
		(void)range_parse(http_req_header(r, HDR_RANGE), 1 << 20, ranges, 16, &nr);
		(void)http_req_header(r, HDR_IF_NONE_MATCH);
		p += a + b;
		len -= a + b;
		http_req_reset(r);
	}
	http_req_free(r);
	return 0;
}
