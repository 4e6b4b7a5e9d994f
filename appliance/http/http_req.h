/* http_req: one HTTP/1.x request head, parsed incrementally with libhttp-parser.
 * Only the fields the server acts on are kept (a request costs little memory
 * however many headers it sends); limits on the target, the header count and
 * the head's size are enforced while parsing, before anything is buffered. */
#ifndef BROADSIDE_HTTP_REQ_H
#define BROADSIDE_HTTP_REQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct http_req http_req_t;

typedef struct http_req_limits {
	size_t max_target;        /* longer: 414 */
	size_t max_headers;       /* more: 431 */
	size_t max_header_bytes;  /* larger: 431 */
} http_req_limits_t;

enum http_req_method { HTTP_REQ_GET, HTTP_REQ_HEAD, HTTP_REQ_OTHER };

/* The header fields we keep. */
enum http_hdr {
	HDR_HOST, HDR_RANGE, HDR_IF_RANGE, HDR_IF_MATCH, HDR_IF_NONE_MATCH,
	HDR_IF_MODIFIED_SINCE, HDR_IF_UNMODIFIED_SINCE,
	HDR_X_TOR2WEB,        /* sent by tor2web proxies: the reader is not anonymous */
	HDR_COUNT
};

enum http_req_status {
	HTTP_REQ_MORE,   /* need more bytes */
	HTTP_REQ_DONE,   /* a complete request head; see the accessors */
	HTTP_REQ_ERROR,  /* answer http_req_error() and close */
};

http_req_t *http_req_new(const http_req_limits_t *lim);
void http_req_free_(http_req_t *r);
#define http_req_free(p) do { http_req_free_(p); (p) = NULL; } while (0)

/* Forget the last request and get ready for the next one on the connection. */
void http_req_reset(http_req_t *r);
/* Parse up to len bytes; *consumed tells how many belong to this request (the
 * rest is the next pipelined request). */
enum http_req_status http_req_feed(http_req_t *r, const char *data, size_t len,
    size_t *consumed);
/* Whether any byte of a request has been seen since the last reset. */
int http_req_started(const http_req_t *r);

/* After HTTP_REQ_ERROR: the status to answer (400, 413, 414, 431, 505). */
int http_req_error(const http_req_t *r);
enum http_req_method http_req_method(const http_req_t *r);
const char *http_req_method_name(const http_req_t *r);
/* The request target as sent (NUL-terminated; length in *len if not NULL). */
const char *http_req_target(const http_req_t *r, size_t *len);
/* A kept header's value, or NULL when absent. Repeated list fields are joined
 * with ", "; a repeated singleton field (Range, If-Range, dates) reads as absent. */
const char *http_req_header(const http_req_t *r, enum http_hdr h);
int http_req_keep_alive(const http_req_t *r);
int http_req_minor_version(const http_req_t *r);

#endif
