/* http_conn: see http_conn.h. */
#include "http_conn.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limit.h"
#include "log.h"
#include "proxy.h"
#include "util.h"

enum conn_state {
	S_PROXY,     /* waiting for the PROXY line */
	S_HEAD,      /* reading a request head */
	S_WAIT,      /* a download waits for a slot (limit.c) */
	S_RESPOND,   /* a response is being written */
};

struct http_conn {
	struct bufferevent *bev;
	struct event *deadline;
	const http_conn_opts_t *opts;
	http_req_t *req;
	enum conn_state state;
	int close_after;    /* close once the output is flushed */
	int peer_eof;       /* the client will send nothing more */
	int head_timer;     /* the deadline running is the header timeout */
	int has_circuit;
	uint32_t circuit;
	limit_conn_t *lc;
	int refuse_status, refuse_retry;
	char peer[48];
};

static void process(http_conn_t *c);
static void admit(http_conn_t *c);

static void
arm_deadline(http_conn_t *c, int seconds, int head)
{
	struct timeval tv = { seconds, 0 };
	c->head_timer = head;
	evtimer_add(c->deadline, &tv);
}

void
http_conn_free_(http_conn_t *c)
{
	if (c == NULL)
		return;
	if (c->opts->closed)
		c->opts->closed(c->opts->arg, c);
	/* Before the bufferevent goes: the limiter may be pacing it. */
	limit_conn_free(c->lc);
	bufferevent_free(c->bev);
	event_free(c->deadline);
	http_req_free(c->req);
	free(c);
}

int
http_conn_circuit(const http_conn_t *c, uint32_t *id)
{
	if (c->has_circuit && id)
		*id = c->circuit;
	return c->has_circuit;
}

const char *
http_conn_peer(const http_conn_t *c)
{
	return c->peer;
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	http_conn_t *c = arg;

	/* An idle keep-alive connection just goes; a slow head gets a 408 so a
	 * legitimate client on a bad circuit learns what happened. */
	if (c->head_timer && c->state == S_HEAD && http_req_started(c->req)) {
		http_resp_t resp;
		struct evbuffer *out = bufferevent_get_output(c->bev);
		http_resp_init(&resp);
		http_resp_error(&resp, 408, "The request took too long to arrive.");
		http_resp_write_head(&resp, out, 0, 0);
		evbuffer_add_buffer(out, resp.body);
		http_resp_clear(&resp);
		c->state = S_RESPOND;
		c->close_after = 1;
		bufferevent_disable(c->bev, EV_READ);
		return;
	}
	http_conn_free(c);
}

/* Send resp; the connection goes on in write_cb once it is flushed. */
static void
send_response(http_conn_t *c, http_resp_t *resp, int is_head, int keep_alive)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	int http10 = http_req_minor_version(c->req) == 0;

	if (resp->close || c->peer_eof)
		keep_alive = 0;
	if (resp->length < 0)
		resp->length = (int64_t)evbuffer_get_length(resp->body);
	http_resp_write_head(resp, out, keep_alive, http10);
	if (!is_head && resp->status != 304)
		evbuffer_add_buffer(out, resp->body);
	c->close_after = !keep_alive;
	c->state = S_RESPOND;
	evtimer_del(c->deadline);
	/* A pending request's bytes stay buffered; reading resumes after this
	 * response, so a pipelining client cannot make us queue responses. */
	bufferevent_disable(c->bev, EV_READ);
	if (c->opts->log_requests || log_get_level() >= LOG_DEBUG) {
		size_t tlen;
		const char *t = http_req_target(c->req, &tlen);
		log_msg(c->opts->log_requests ? LOG_INFO : LOG_DEBUG, __func__,
		    "%s %.*s %d", http_req_method_name(c->req), (int)(tlen > 200 ? 200 : tlen),
		    t, resp->status);
	}
}

static void
send_error(http_conn_t *c, int status, const char *detail)
{
	http_resp_t resp;
	http_resp_init(&resp);
	http_resp_error(&resp, status, detail);
	resp.close = 1;
	send_response(c, &resp, 0, 0);
	http_resp_clear(&resp);
}

static int
read_proxy_line(http_conn_t *c, struct evbuffer *in)
{
	size_t avail = evbuffer_get_length(in), n = avail < PROXY_LINE_MAX ? avail : PROXY_LINE_MAX;
	const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)n);
	proxy_info_t info;
	size_t used = 0;

	switch (proxy_parse(p, n, &used, &info)) {
	case PROXY_NEED_MORE:
		return 0;
	case PROXY_INVALID:
		log_debug("no valid PROXY line; closing");
		return -1;
	case PROXY_OK:
		break;
	}
	evbuffer_drain(in, used);
	c->has_circuit = info.has_circuit;
	c->circuit = info.circuit_id;
	c->state = S_HEAD;
	if (c->lc && limit_conn_identify(c->lc, info.has_circuit, info.circuit_id, "unix") < 0)
		return -1;
	return 1;
}

/* Run the handler for the complete request and send its response. */
static void
answer(http_conn_t *c)
{
	http_resp_t resp;
	int is_head = http_req_method(c->req) == HTTP_REQ_HEAD;

	http_resp_init(&resp);
	c->opts->handle(c->opts->arg, c, c->req, &resp);
	if (http_req_method(c->req) == HTTP_REQ_OTHER)
		resp.close = 1;   /* its body, if any, was never read */
	send_response(c, &resp, is_head, http_req_keep_alive(c->req));
	if (c->lc && !is_head && resp.status / 100 == 2)
		limit_conn_download_begin(c->lc, c->bev);
	http_resp_clear(&resp);
}

static void
refuse(http_conn_t *c, int status, int retry_after, int close)
{
	http_resp_t resp;

	http_resp_init(&resp);
	/* The error page explains 429 and 503 itself and shows the wait. */
	http_resp_error_retry(&resp, status, NULL, retry_after);
	resp.close = close || http_req_method(c->req) == HTTP_REQ_OTHER;
	send_response(c, &resp, http_req_method(c->req) == HTTP_REQ_HEAD,
	    http_req_keep_alive(c->req));
	http_resp_clear(&resp);
}

/* A complete head: ask the limiter before the handler runs. */
static void
admit(http_conn_t *c)
{
	limit_answer_t a;
	size_t tlen;
	const char *target;

	if (c->refuse_status) {
		refuse(c, c->refuse_status, c->refuse_retry, 1);
		return;
	}
	if (c->lc == NULL) {
		answer(c);
		return;
	}
	target = http_req_target(c->req, &tlen);
	limit_conn_admit(c->lc, target, tlen, &a);
	if (a.wait) {
		/* Parked: nothing is read or timed here until on_admitted. */
		c->state = S_WAIT;
		evtimer_del(c->deadline);
		bufferevent_disable(c->bev, EV_READ);
		return;
	}
	if (a.status)
		refuse(c, a.status, a.retry_after, a.close);
	else
		answer(c);
}

static void
on_admitted(void *owner, int status, int retry_after)
{
	http_conn_t *c = owner;

	if (c->state != S_WAIT)
		return;
	if (status)
		refuse(c, status, retry_after, 0);
	else
		answer(c);
}

static void
on_evict(void *owner)
{
	http_conn_t *c = owner;
	http_conn_free(c);
}

static const limit_conn_ops_t limit_ops = { on_admitted, on_evict };

void
http_conn_refuse(http_conn_t *c, int status, int retry_after)
{
	c->refuse_status = status;
	c->refuse_retry = retry_after;
}

static void
process(http_conn_t *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	if (c->state == S_PROXY) {
		int r = read_proxy_line(c, in);
		if (r < 0) {
			http_conn_free(c);
			return;
		}
		if (r == 0) {
			if (c->peer_eof)
				http_conn_free(c);
			return;
		}
	}
	while (c->state == S_HEAD && evbuffer_get_length(in) > 0) {
		struct evbuffer_iovec v;
		size_t used = 0;
		int was_started = http_req_started(c->req);

		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		enum http_req_status st = http_req_feed(c->req, v.iov_base, v.iov_len, &used);
		evbuffer_drain(in, used);
		if (!was_started && http_req_started(c->req)) {
			arm_deadline(c, c->opts->header_timeout, 1);
			if (c->lc)
				limit_conn_head_started(c->lc);
		}
		if (st == HTTP_REQ_ERROR) {
			send_error(c, http_req_error(c->req), NULL);
			return;
		}
		if (st == HTTP_REQ_DONE) {
			admit(c);
			return;
		}
		if (used == 0)
			break;
	}
	if (c->state == S_HEAD && c->peer_eof)
		http_conn_free(c);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	process(arg);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	http_conn_t *c = arg;

	if (c->state != S_RESPOND)
		return;
	if (c->lc)
		limit_conn_request_done(c->lc);
	if (c->close_after) {
		http_conn_free(c);
		return;
	}
	http_req_reset(c->req);
	c->state = S_HEAD;
	if (c->lc)
		limit_conn_idle(c->lc);
	arm_deadline(c, c->opts->idle_timeout, 0);
	bufferevent_enable(c->bev, EV_READ);
	process(c);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	http_conn_t *c = arg;

	if ((what & BEV_EVENT_EOF) && (what & BEV_EVENT_READING) && !(what & BEV_EVENT_ERROR)) {
		/* Half-close: answer what was sent before it, then go. */
		c->peer_eof = 1;
		if (c->state == S_RESPOND || c->state == S_WAIT)
			return;
		process(c);
		return;
	}
	/* Errors and the write timeout (a reader who stopped reading). */
	http_conn_free(c);
}

http_conn_t *
http_conn_new(struct event_base *base, int fd, const char *peer, const http_conn_opts_t *opts)
{
	http_conn_t *c = xcalloc(1, sizeof(*c));
	struct timeval wt = { opts->write_timeout, 0 };

	c->opts = opts;
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->deadline = evtimer_new(base, on_deadline, c);
	c->req = http_req_new(&opts->limits);
	c->state = opts->expect_proxy ? S_PROXY : S_HEAD;
	snprintf(c->peer, sizeof(c->peer), "%s", peer ? peer : "");
	if (opts->limit)
		c->lc = limit_conn_new(opts->limit, c, &limit_ops);
	if (c->bev == NULL || c->deadline == NULL) {
		log_warn("cannot set up a connection");
		if (c->bev == NULL)
			evutil_closesocket(fd);
		http_conn_free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	/* Bound what a client can make us buffer: one head plus a little. */
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    opts->limits.max_header_bytes + opts->limits.max_target + 4096);
	bufferevent_set_timeouts(c->bev, NULL, &wt);
	bufferevent_enable(c->bev, EV_READ);
	/* The first request, like the PROXY line, must come promptly. */
	arm_deadline(c, opts->header_timeout, 0);
	/* Without a PROXY line the key is known now: the peer address. Over its
	 * cap of pending heads, it goes on the next loop turn (the caller counts
	 * it open first, and closed() will count it gone). */
	if (c->lc && !opts->expect_proxy && limit_conn_identify(c->lc, 0, 0, c->peer) < 0)
		arm_deadline(c, 0, 0);
	return c;
}
