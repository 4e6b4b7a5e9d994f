/* http_resp: a response being built by a handler: status, header lines and a
 * body (an evbuffer that may hold file segments, so nothing is copied). The
 * connection writes the status line and the headers every response carries. */
#ifndef BROADSIDE_HTTP_RESP_H
#define BROADSIDE_HTTP_RESP_H

#include <stdint.h>
#include <time.h>

#include "base/util.h"

struct evbuffer;

/* The most of a file a body hands the socket at once. libevent gives a
 * sendfile chain to the kernel whole, past the rate limit's allowance, and
 * Linux's sendfile keeps going while the reader drains: one call once pushed
 * 11 MiB at a 2 MiB/s pace and the download's share went to whoever read
 * first. nginx caps it the same way (sendfile_max_chunk). */
#define HTTP_SEND_CHUNK (256 * 1024)

typedef struct http_resp {
	int status;
	strbuf_t headers;        /* extra "Name: value\r\n" lines */
	struct evbuffer *body;
	int64_t length;          /* Content-Length; -1 = the body's length */
	int close;               /* close the connection after this response */
	/* A body made while it is sent (a folder archive): the connection calls
	 * more(more_arg, out) each time its output has drained, to append the
	 * next piece: 1 more follows (at least one byte was added), 0 the body
	 * is complete, -1 abort (the connection is closed). more_free(more_arg)
	 * once, when the response is done or the connection gone. length must
	 * be set. Not called for HEAD or a 304. A call adds at most about
	 * HTTP_SEND_CHUNK bytes of file segments. */
	int (*more)(void *arg, struct evbuffer *out);
	void (*more_free)(void *arg);
	void *more_arg;
	/* Styled error pages (the site's): fills html for status, or -1; NULL
	 * gives the plain page. Set by whoever begins the response. lang: the
	 * language the reader chose for this request ("" : the site's). */
	int (*error_page)(void *arg, strbuf_t *html, int status, const char *detail,
	    int retry_after, const char *lang);
	void *error_arg;
	char lang[8];
} http_resp_t;

void http_resp_init(http_resp_t *r);
void http_resp_clear(http_resp_t *r);

/* The body and header buffers a connection keeps from one response to the
 * next while it is busy, so that a small response allocates neither
 * (allocating and freeing them was ~500 instructions of a 1 KiB request). */
typedef struct http_resp_bufs {
	struct evbuffer *body;   /* empty; NULL: none yet */
	strbuf_t headers;        /* empty, its capacity kept */
} http_resp_bufs_t;
http_resp_bufs_t *http_resp_bufs_new(void);
void http_resp_bufs_free_(http_resp_bufs_t *b);
#define http_resp_bufs_free(p) do { http_resp_bufs_free_(p); (p) = NULL; } while (0)
/* Begin r as http_resp_init does, with b's buffers (taken from b). */
void http_resp_init_from(http_resp_t *r, http_resp_bufs_t *b);
/* Clear r as http_resp_clear does, but empty its buffers and keep them in b
 * (NULL: free them, as http_resp_clear). */
void http_resp_clear_into(http_resp_t *r, http_resp_bufs_t *b);
/* Add one header line. Values come from us, never from a request. */
void http_resp_header(http_resp_t *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Set an HTML body (taking the text) with the page headers. */
void http_resp_html(http_resp_t *r, int status, strbuf_t *html);
/* An HTML error page for status (r->error_page's, else a small plain one);
 * detail is escaped. */
void http_resp_error(http_resp_t *r, int status, const char *detail);
/* The same with a Retry-After header and the wait shown on the page (429, 503). */
void http_resp_error_retry(http_resp_t *r, int status, const char *detail, int retry_after);

/* Write the status line and all headers for r into out (keep_alive decides the
 * Connection field, http10 whether keep-alive must be announced). */
void http_resp_write_head(const http_resp_t *r, struct evbuffer *out, int keep_alive,
    int http10);

const char *http_reason(int status);
/* IMF-fixdate (RFC 9110 5.6.7) into buf[30]. */
void http_date_format(time_t t, char buf[30]);
/* Parse any of the three HTTP-date forms; 0 or -1. */
int http_date_parse(const char *s, time_t *out);

/* The policy every HTML page carries: no scripts, nothing from elsewhere.
 * img-src allows data: only for the empty favicon link, which spares readers
 * a third request (and a 404) per page. media-src lets a file page play its
 * own audio or video from /f/. */
#define HTTP_CSP "default-src 'none'; style-src 'self'; img-src 'self' data:; media-src 'self'; " \
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

#endif
