/* http_conn: one client connection's lifetime on a libevent bufferevent:
 *   [PROXY line] → request head → handler → response written → next request
 * Requests are answered strictly one at a time, in order (pipelining keeps the
 * rest buffered, bounded by a read watermark). Deadlines: the head must arrive
 * within header_timeout of its first byte (slowloris), an idle keep-alive
 * connection lives idle_timeout, and a reader who accepts no bytes for
 * write_timeout is dropped. With a limiter, each complete head is admitted,
 * queued (a download waiting for a slot) or refused (429/503 + Retry-After)
 * before the handler runs, and the limiter may evict an idle or slow
 * connection to make room for a new one. Between requests a connection is
 * parked: its bufferevent is freed and a bare read event waits for the next
 * bytes, so an idle keep-alive costs a few hundred bytes; its deadlines are
 * links on one shared timer (deadline.h), not timer events of their own. */
#ifndef BROADSIDE_HTTP_CONN_H
#define BROADSIDE_HTTP_CONN_H

#include <stdint.h>

#include "http/http_req.h"
#include "http/http_resp.h"

struct event_base;
struct deadline_set;
struct limit;
struct route;
typedef struct http_conn http_conn_t;

typedef struct http_conn_opts {
	http_req_limits_t limits;
	int header_timeout, idle_timeout, write_timeout;   /* seconds */
	int expect_proxy;    /* a PROXY v1 line must come first */
	int log_requests;
	/* The one timer every connection's deadlines run on
	 * (http_conn_deadlines_new). */
	struct deadline_set *deadlines;
	/* Budgets per circuit and under overload (limit.h); NULL = none. */
	struct limit *limit;
	/* Fill resp for req, routed as rt. rt is NULL when routing refused the
	 * request (another method than GET or HEAD: 405; a malformed target:
	 * 400) and resp holds that answer already. Must not free the
	 * connection. */
	void (*handle)(void *arg, http_conn_t *c, http_req_t *req, const struct route *rt,
	    http_resp_t *resp);
	/* A connection whose answer was deferred (http_conn_defer) is gone
	 * before http_conn_resume: forget it. Called before closed. */
	void (*abandoned)(void *arg, http_conn_t *c);
	/* Called once when the connection is gone. */
	void (*closed)(void *arg, http_conn_t *c);
	void *arg;
	/* Error pages in the site's style (http_resp.h); NULL: plain ones. */
	int (*error_page)(void *arg, strbuf_t *html, int status, const char *detail,
	    int retry_after, const char *lang);
	void *error_arg;
} http_conn_opts_t;

/* Take over fd (closed with the connection). opts must outlive it. peer is
 * the limiter's key without a PROXY line; it is not kept. */
http_conn_t *http_conn_new(struct event_base *base, int fd, const char *peer,
    const http_conn_opts_t *opts);
/* Close now, whatever is in flight. */
void http_conn_free_(http_conn_t *c);
#define http_conn_free(p) do { http_conn_free_(p); (p) = NULL; } while (0)

/* Answer this connection's first request with status (503: the server is
 * full) and Retry-After, then close; used for connections let in over the cap. */
void http_conn_refuse(http_conn_t *c, int status, int retry_after);

/* From inside handle(): the answer will be made elsewhere (a search on a
 * pool thread) and sent with http_conn_resume(c, resp), on the loop's thread,
 * unless opts.abandoned reports the connection gone first. Until then no
 * deadline runs and later requests wait in the input. resp is left as is. */
void http_conn_defer(http_conn_t *c);
void http_conn_resume(http_conn_t *c, http_resp_t *resp);

/* The tor circuit this connection came on; 0 if none (preview, other proxy). */
int http_conn_circuit(const http_conn_t *c, uint32_t *id);

/* Make the timer for opts.deadlines, shared by all connections of a base;
 * free it (deadline_set_free) after them. */
struct deadline_set *http_conn_deadlines_new(struct event_base *base);

#endif
