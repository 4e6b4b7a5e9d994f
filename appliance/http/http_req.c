/* http_req: see http_req.h. The grammar is libhttp-parser's (RFC 9112); this
 * file adds our limits and field selection on top of its callbacks. */
#include "http/http_req.h"

#include <http_parser.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

struct http_req {
	http_parser parser;
	http_req_limits_t lim;
	strbuf_t target;
	strbuf_t value;            /* the value being read */
	char field[32];            /* the field name being read (longer: not ours) */
	size_t field_len;
	int field_long;
	int in_value;
	size_t nheaders, head_bytes;
	int started, done, error;
	strbuf_t hdr[HDR_COUNT];
	unsigned char hdr_seen[HDR_COUNT];
};

static const char *hdr_name[HDR_COUNT] = {
	"host", "range", "if-range", "if-match", "if-none-match",
	"if-modified-since", "if-unmodified-since", "x-tor2web",
};
/* List-valued fields may be repeated and joined (RFC 9110 5.3). */
static const int hdr_is_list[HDR_COUNT] = { 0, 0, 0, 1, 1, 0, 0, 0 };

static http_parser_settings settings;

static int
count_bytes(http_req_t *r, size_t n)
{
	r->head_bytes += n;
	if (r->head_bytes > r->lim.max_header_bytes) {
		r->error = 431;
		return -1;
	}
	return 0;
}

static int
on_message_begin(http_parser *p)
{
	http_req_t *r = p->data;
	r->started = 1;
	return 0;
}

static int
on_url(http_parser *p, const char *at, size_t n)
{
	http_req_t *r = p->data;
	r->started = 1;
	if (r->target.len + n > r->lim.max_target) {
		r->error = 414;
		return -1;
	}
	strbuf_add(&r->target, at, n);
	return count_bytes(r, n);
}

/* A complete field line has been read: keep it if it is one of ours. */
static int
finish_field(http_req_t *r)
{
	if (!r->in_value)
		return 0;
	r->in_value = 0;
	if (!r->field_long) {
		for (int h = 0; h < HDR_COUNT; h++) {
			if (r->field_len != strlen(hdr_name[h]) ||
			    strncasecmp(r->field, hdr_name[h], r->field_len) != 0)
				continue;
			if (r->hdr_seen[h] && !hdr_is_list[h]) {
				/* A repeated Host is malformed (RFC 9112 3.2); other
				 * repeated singletons are ignored. */
				if (h == HDR_HOST) {
					r->error = 400;
					return -1;
				}
				r->hdr_seen[h] = 2;
			} else {
				if (r->hdr_seen[h])
					strbuf_adds(&r->hdr[h], ", ");
				strbuf_add(&r->hdr[h], r->value.s ? r->value.s : "", r->value.len);
				if (r->hdr_seen[h] == 0)
					r->hdr_seen[h] = 1;
			}
			break;
		}
	}
	r->field_len = 0;
	r->field_long = 0;
	strbuf_reset(&r->value);
	return 0;
}

static int
on_header_field(http_parser *p, const char *at, size_t n)
{
	http_req_t *r = p->data;
	if (r->in_value && finish_field(r) < 0)
		return -1;
	if (r->field_len == 0 && !r->field_long && ++r->nheaders > r->lim.max_headers) {
		r->error = 431;
		return -1;
	}
	if (r->field_len + n > sizeof(r->field))
		r->field_long = 1;
	else {
		memcpy(r->field + r->field_len, at, n);
		r->field_len += n;
	}
	return count_bytes(r, n);
}

static int
on_header_value(http_parser *p, const char *at, size_t n)
{
	http_req_t *r = p->data;
	r->in_value = 1;
	if (!r->field_long)
		strbuf_add(&r->value, at, n);
	return count_bytes(r, n);
}

static int
on_headers_complete(http_parser *p)
{
	http_req_t *r = p->data;
	if (finish_field(r) < 0)
		return -1;
	if (p->http_major != 1) {
		r->error = 505;
		return -1;
	}
	/* RFC 9112 3.2: a 1.1 request without Host is a 400. */
	if (p->http_minor >= 1 && !r->hdr_seen[HDR_HOST]) {
		r->error = 400;
		return -1;
	}
	/* We take no request bodies: GET and HEAD have none, other methods get
	 * 405 and the connection closes before any body is read. */
	if ((p->flags & F_CHUNKED) || (p->content_length > 0 && p->content_length != ULLONG_MAX)) {
		if (p->method == HTTP_GET || p->method == HTTP_HEAD) {
			r->error = 413;
			return -1;
		}
	}
	if (p->method != HTTP_GET && p->method != HTTP_HEAD) {
		r->done = 1;
		http_parser_pause(p, 1);
	}
	return 0;
}

static int
on_message_complete(http_parser *p)
{
	http_req_t *r = p->data;
	r->done = 1;
	/* Stop here: the next pipelined request waits until this one is answered. */
	http_parser_pause(p, 1);
	return 0;
}

http_req_t *
http_req_new(const http_req_limits_t *lim)
{
	http_req_t *r = xcalloc(1, sizeof(*r));

	if (settings.on_url == NULL) {
		settings.on_message_begin = on_message_begin;
		settings.on_url = on_url;
		settings.on_header_field = on_header_field;
		settings.on_header_value = on_header_value;
		settings.on_headers_complete = on_headers_complete;
		settings.on_message_complete = on_message_complete;
	}
	r->lim = *lim;
	strbuf_init(&r->target);
	strbuf_init(&r->value);
	for (int h = 0; h < HDR_COUNT; h++)
		strbuf_init(&r->hdr[h]);
	http_req_reset(r);
	return r;
}

void
http_req_free_(http_req_t *r)
{
	if (r == NULL)
		return;
	strbuf_release(&r->target);
	strbuf_release(&r->value);
	for (int h = 0; h < HDR_COUNT; h++)
		strbuf_release(&r->hdr[h]);
	free(r);
}

void
http_req_reset(http_req_t *r)
{
	http_parser_init(&r->parser, HTTP_REQUEST);
	r->parser.data = r;
	/* Buffers are kept for the connection's next request (an idle one
	 * frees the whole request: http_conn.c). */
	strbuf_reset(&r->target);
	strbuf_reset(&r->value);
	for (int h = 0; h < HDR_COUNT; h++)
		strbuf_reset(&r->hdr[h]);
	memset(r->hdr_seen, 0, sizeof(r->hdr_seen));
	r->field_len = 0;
	r->field_long = r->in_value = 0;
	r->nheaders = r->head_bytes = 0;
	r->started = r->done = r->error = 0;
}

enum http_req_status
http_req_feed(http_req_t *r, const char *data, size_t len, size_t *consumed)
{
	size_t n;

	*consumed = 0;
	if (r->error)
		return HTTP_REQ_ERROR;
	if (r->done)
		return HTTP_REQ_DONE;
	n = http_parser_execute(&r->parser, &settings, data, len);
	*consumed = n;
	if (r->done)
		return HTTP_REQ_DONE;
	if (HTTP_PARSER_ERRNO(&r->parser) != HPE_OK) {
		if (r->error == 0)
			r->error = 400;
		return HTTP_REQ_ERROR;
	}
	if (len > 0)
		r->started = 1;
	return HTTP_REQ_MORE;
}

int
http_req_started(const http_req_t *r)
{
	return r->started;
}

int
http_req_error(const http_req_t *r)
{
	return r->error ? r->error : 400;
}

enum http_req_method
http_req_method(const http_req_t *r)
{
	if (r->parser.method == HTTP_GET)
		return HTTP_REQ_GET;
	if (r->parser.method == HTTP_HEAD)
		return HTTP_REQ_HEAD;
	return HTTP_REQ_OTHER;
}

const char *
http_req_method_name(const http_req_t *r)
{
	return http_method_str((enum http_method)r->parser.method);
}

const char *
http_req_target(const http_req_t *r, size_t *len)
{
	if (len)
		*len = r->target.len;
	return r->target.s ? r->target.s : "";
}

const char *
http_req_header(const http_req_t *r, enum http_hdr h)
{
	if (r->hdr_seen[h] != 1)
		return NULL;
	return r->hdr[h].s ? r->hdr[h].s : "";
}

int
http_req_keep_alive(const http_req_t *r)
{
	return http_should_keep_alive(&r->parser);
}

int
http_req_minor_version(const http_req_t *r)
{
	return r->parser.http_minor;
}
