/* http_resp: see http_resp.h. */
#include "http/http_resp.h"

#include <event2/buffer.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

void
http_resp_init(http_resp_t *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->headers);
	r->body = evbuffer_new();
	/* Lets file segments stay sendfile chains when moved to the socket. */
	evbuffer_set_flags(r->body, EVBUFFER_FLAG_DRAINS_TO_FD);
	r->length = -1;
	r->status = 200;
}

void
http_resp_clear(http_resp_t *r)
{
	strbuf_release(&r->headers);
	if (r->more_free)
		r->more_free(r->more_arg);
	r->more = NULL;
	r->more_free = NULL;
	r->more_arg = NULL;
	if (r->body)
		evbuffer_free(r->body);
	r->body = NULL;
}

static void
release_bufs(http_resp_bufs_t *b)
{
	strbuf_release(&b->headers);
	if (b->body)
		evbuffer_free(b->body);
	b->body = NULL;
}

void
http_resp_init_from(http_resp_t *r, http_resp_bufs_t *b)
{
	if (b->body == NULL) {
		http_resp_init(r);
		return;
	}
	memset(r, 0, sizeof(*r));
	r->headers = b->headers;
	r->body = b->body;   /* its flags were set by http_resp_init */
	strbuf_init(&b->headers);
	b->body = NULL;
	r->length = -1;
	r->status = 200;
}

void
http_resp_clear_into(http_resp_t *r, http_resp_bufs_t *b)
{
	if (b == NULL) {
		http_resp_clear(r);
		return;
	}
	release_bufs(b);
	b->headers = r->headers;
	strbuf_reset(&b->headers);
	strbuf_init(&r->headers);
	b->body = r->body;
	r->body = NULL;
	/* Sent bodies were moved to the output already; HEAD and 304 left theirs. */
	if (b->body)
		evbuffer_drain(b->body, evbuffer_get_length(b->body));
	http_resp_clear(r);
}

http_resp_bufs_t *
http_resp_bufs_new(void)
{
	return xcalloc(1, sizeof(http_resp_bufs_t));
}

void
http_resp_bufs_free_(http_resp_bufs_t *b)
{
	if (b == NULL)
		return;
	release_bufs(b);
	free(b);
}

void
http_resp_header(http_resp_t *r, const char *name, const char *fmt, ...)
{
	va_list ap;
	size_t start;

	strbuf_adds(&r->headers, name);
	strbuf_add(&r->headers, ": ", 2);
	start = r->headers.len;
	va_start(ap, fmt);
	strbuf_vaddf(&r->headers, fmt, ap);
	va_end(ap);
	/* A header value never spans lines, whatever it was built from. */
	for (size_t i = start; i < r->headers.len; i++)
		if (r->headers.s[i] == '\r' || r->headers.s[i] == '\n')
			r->headers.s[i] = ' ';
	strbuf_add(&r->headers, "\r\n", 2);
}

void
http_resp_html(http_resp_t *r, int status, strbuf_t *html)
{
	r->status = status;
	http_resp_header(r, "Content-Type", "text/html; charset=utf-8");
	http_resp_header(r, "Content-Security-Policy", "%s", HTTP_CSP);
	http_resp_header(r, "Cache-Control", "no-cache");
	evbuffer_drain(r->body, evbuffer_get_length(r->body));
	if (html->len)
		evbuffer_add(r->body, html->s, html->len);
	strbuf_release(html);
	r->length = -1;
}

void
http_resp_error(http_resp_t *r, int status, const char *detail)
{
	http_resp_error_retry(r, status, detail, 0);
}

void
http_resp_error_retry(http_resp_t *r, int status, const char *detail, int retry_after)
{
	strbuf_t b;

	strbuf_init(&b);
	if (retry_after > 0)
		http_resp_header(r, "Retry-After", "%d", retry_after);   /* RFC 9110 10.2.3 */
	if (r->error_page == NULL || r->error_page(r->error_arg, &b, status, detail, retry_after, r->lang) < 0) {
		strbuf_reset(&b);
		strbuf_addf(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<title>%d %s</title></head><body><h1>%d %s</h1>", status,
		    http_reason(status), status, http_reason(status));
		if (detail && *detail) {
			strbuf_adds(&b, "<p>");
			text_html(&b, detail, strlen(detail), 0);
			strbuf_adds(&b, "</p>");
		}
		strbuf_adds(&b, "</body></html>\n");
	}
	http_resp_html(r, status, &b);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

/* Append the decimal digits of v (v >= 0) at p; returns the new end. */
static char *
put_dec(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *
put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}
#define PUT_LIT(p, lit) put_str((p), (lit), sizeof(lit) - 1)

/* The status line and the fixed headers after r->headers never exceed these. */
#define HEAD_LINE_MAX 64
#define HEAD_TAIL_MAX 160

void
http_resp_write_head(const http_resp_t *r, struct evbuffer *out, int keep_alive, int http10)
{
	int64_t len = r->length >= 0 ? r->length : (int64_t)evbuffer_get_length(r->body);
	const char *reason = http_reason(r->status);
	struct evbuffer_iovec v;
	char *p;

	/* No Server and no Date: a version string helps attackers pick exploits
	 * and a clock reading helps them fingerprint the machine behind an onion
	 * (clock-skew attacks). Caches here revalidate by ETag instead.
	 * Built by hand, not with printf: formatting was a tenth of the cost of
	 * a small request (scripts/bench/README.md). Written straight into one
	 * reserved piece of out: three adds cost ~170 instructions more. */
	if (evbuffer_reserve_space(out, (ev_ssize_t)(HEAD_LINE_MAX + r->headers.len + HEAD_TAIL_MAX),
	    &v, 1) < 1)
		return;
	p = PUT_LIT((char *)v.iov_base, "HTTP/1.1 ");
	p = put_dec(p, (uint64_t)(r->status > 0 && r->status < 1000 ? r->status : 500));
	*p++ = ' ';
	p = put_str(p, reason, strlen(reason));   /* at most 31 bytes */
	p = PUT_LIT(p, "\r\n");
	if (r->headers.len)
		p = put_str(p, r->headers.s, r->headers.len);
	if (r->status != 304) {
		p = PUT_LIT(p, "Content-Length: ");
		p = put_dec(p, (uint64_t)(len > 0 ? len : 0));
		p = PUT_LIT(p, "\r\n");
	}
	p = PUT_LIT(p, "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n");
	if (!keep_alive)
		p = PUT_LIT(p, "Connection: close\r\n");
	else if (http10)
		p = PUT_LIT(p, "Connection: keep-alive\r\n");
	p = PUT_LIT(p, "\r\n");
	v.iov_len = (size_t)(p - (char *)v.iov_base);
	evbuffer_commit_space(out, &v, 1);
}

void
http_date_format(time_t t, char buf[30])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 30, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

int
http_date_parse(const char *s, time_t *out)
{
	/* RFC 9110 5.6.7: IMF-fixdate, obsolete RFC 850 and asctime forms. */
	static const char *fmts[] = {
		"%a, %d %b %Y %H:%M:%S GMT",
		"%A, %d-%b-%y %H:%M:%S GMT",
		"%a %b %e %H:%M:%S %Y",
	};
	for (size_t i = 0; i < ARRAY_LEN(fmts); i++) {
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		const char *end = strptime(s, fmts[i], &tm);
		if (end && *end == '\0') {
			*out = timegm(&tm);
			return 0;
		}
	}
	return -1;
}

