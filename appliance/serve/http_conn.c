/* http_conn: see http_conn.h. tests/unit/test_http_conn.c includes this file
 * to see a connection's state (tests/unit/unit.h says why). */
#include "serve/http_conn.h"

#include <errno.h>
#include <stddef.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "base/deadline.h"
#include "serve/limit.h"
#include "base/log.h"
#include "http/proxy.h"
#include "serve/route.h"
#include "base/util.h"

enum conn_state {
	S_PROXY,     /* waiting for the PROXY line */
	S_HEAD,      /* reading a request head */
	S_WAIT,      /* a download waits for a slot (limit.c) */
	S_WORK,      /* the answer is being made on another thread (search_pool.h) */
	S_RESPOND,   /* a response is being written */
};

/* While a request is read or answered the connection holds a bufferevent
 * (~1 KiB with its two buffers). Between requests it dozes: a bare read event
 * waits for the next bytes while the bufferevent and the request are kept, so
 * a busy keep-alive connection allocates nothing per request (making and
 * freeing them was a fifth of a small request's instructions). After DOZE_MS
 * without a byte it is parked: the bufferevent and the request are freed and
 * only the read event (~150 bytes) is left. Most connections of a busy server
 * are idle keep-alives, and nginx drops its buffers the same way. The fields
 * are ordered to pack. */
#define DOZE_MS 1000
struct http_conn {
	struct bufferevent *bev;   /* NULL while parked */
	struct event *parked;      /* the bare read event (added while dozing or parked) */
	const http_conn_opts_t *opts;
	http_req_t *req;
	limit_conn_t *lc;
	route_t rt;                /* the current request's route, parsed once */
	struct more *more;         /* a body still being made (http_resp.h), else NULL */
	http_resp_bufs_t *bufs;    /* the responses' buffers, kept while awake; NULL parked */
	deadline_t deadline;       /* on opts->deadlines */
	uint32_t circuit;
	uint16_t refuse_status, refuse_retry;
	uint16_t route_status;     /* 400 or 405 for the current request, else 0 */
	uint8_t state;             /* enum conn_state */
	uint8_t close_after;       /* close once the output is flushed */
	uint8_t peer_eof;          /* the client will send nothing more */
	uint8_t head_timer;        /* the deadline running is the header timeout */
	uint8_t has_circuit;
	uint8_t routed;            /* rt holds this request's route */
	uint8_t dozing;            /* bev kept, its reading handed to parked */
	uint8_t doze_timer;        /* the deadline running ends the doze */
};

static void process(http_conn_t *c);

/* A response body made while it is sent (resp->more), held apart so that an
 * idle connection pays one pointer for it. */
struct more {
	int (*more)(void *arg, struct evbuffer *out);
	void (*more_free)(void *arg);
	void *arg;
};

static void
more_end(http_conn_t *c)
{
	if (c->more) {
		if (c->more->more_free)
			c->more->more_free(c->more->arg);
		free(c->more);
		c->more = NULL;
	}
}

/* The request is answered: its route goes with it. */
static void
forget_route(http_conn_t *c)
{
	if (c->routed)
		route_clear(&c->rt);
	c->routed = 0;
	c->route_status = 0;
}

/* Route the complete head once: the limiter's class and the handler both
 * read this (nothing decodes the target a second time). */
static enum limit_class
route_request(http_conn_t *c)
{
	size_t tlen;
	const char *target = http_req_target(c->req, &tlen);

	forget_route(c);
	c->routed = 1;
	if (http_req_method(c->req) == HTTP_REQ_OTHER)
		c->route_status = 405;
	else if (route_parse(target, tlen, &c->rt) < 0)
		c->route_status = 400;
	return limit_class_of(c->route_status ? NULL : &c->rt);
}
static void park(http_conn_t *c);

static void
arm_deadline(http_conn_t *c, int seconds, int head)
{
	c->head_timer = (uint8_t)head;
	c->doze_timer = 0;
	deadline_arm(c->opts->deadlines, &c->deadline, seconds * 1000);
}

void
http_conn_free_(http_conn_t *c)
{
	if (c == NULL)
		return;
	if (c->state == S_WORK && c->opts->abandoned)
		c->opts->abandoned(c->opts->arg, c);
	if (c->opts->closed)
		c->opts->closed(c->opts->arg, c);
	/* Before the bufferevent goes: the limiter may be pacing it. */
	limit_conn_free(c->lc);
	deadline_disarm(c->opts->deadlines, &c->deadline);
	/* The socket is ours to close, now: libevent 2.1 would close it only
	 * when its deferred finalizers run, on a later loop pass, and a client
	 * waiting for the close (408, Connection: close, idle) would wait with it.
	 * bufferevent_free has taken the fd out of epoll already. */
	evutil_socket_t fd = -1;
	if (c->bev) {
		fd = bufferevent_getfd(c->bev);
		bufferevent_free(c->bev);
	}
	if (c->parked) {
		fd = event_get_fd(c->parked);
		event_free(c->parked);
	}
	if (fd >= 0)
		evutil_closesocket(fd);
	more_end(c);
	http_req_free(c->req);
	http_resp_bufs_free(c->bufs);
	forget_route(c);
	free(c);
}

int
http_conn_circuit(const http_conn_t *c, uint32_t *id)
{
	if (c->has_circuit && id)
		*id = c->circuit;
	return c->has_circuit;
}

/* A response on c, with its site's styled error pages. */
static void
begin_resp(http_conn_t *c, http_resp_t *resp)
{
	http_resp_init(resp);
	resp->error_page = c->opts->error_page;
	resp->error_arg = c->opts->error_arg;
}

static void
on_deadline(deadline_t *d, void *arg)
{
	http_conn_t *c = (http_conn_t *)(void *)((char *)d - offsetof(http_conn_t, deadline));

	if (c->doze_timer && c->dozing) {
		/* Idle for DOZE_MS: park, and close when the rest of the idle
		 * timeout has passed. */
		c->dozing = 0;
		http_req_free(c->req);
		http_resp_bufs_free(c->bufs);
		bufferevent_free(c->bev);
		c->bev = NULL;
		c->doze_timer = 0;
		deadline_arm(c->opts->deadlines, &c->deadline, c->opts->idle_timeout * 1000 - DOZE_MS);
		return;
	}
	/* An idle keep-alive connection just goes; a slow head gets a 408 so a
	 * legitimate client on a bad circuit learns what happened. A started
	 * head is never parked, so the bufferevent is there. */
	if (c->head_timer && c->state == S_HEAD && c->req && http_req_started(c->req)) {
		http_resp_t resp;
		struct evbuffer *out = bufferevent_get_output(c->bev);
		begin_resp(c, &resp);
		http_resp_error(&resp, 408, "The request took too long to arrive.");
		http_resp_write_head(&resp, out, 0, 0);
		evbuffer_add_buffer(out, resp.body);
		http_resp_clear(&resp);
		c->state = S_RESPOND;
		c->close_after = 1;
		bufferevent_disable(c->bev, EV_READ);
		bufferevent_enable(c->bev, EV_WRITE);
		return;
	}
	http_conn_free(c);
}

/* Responses up to this size are written at once from the handler's pass;
 * larger bodies go through the bufferevent's write path (and the limiter's
 * pacing). Writing at once spares arming EV_WRITE and one loop pass per
 * response, which is most of the cost of a small request. */
#define INLINE_WRITE_MAX (64 * 1024)

enum sent { SENT_PENDING, SENT_DONE, SENT_GONE };

/* Write what the output holds now. SENT_DONE: all written; SENT_PENDING: the
 * rest waits for EV_WRITE (write_cb); SENT_GONE: the peer is gone and c freed. */
static enum sent
flush_now(http_conn_t *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evutil_socket_t fd = bufferevent_getfd(c->bev);

	if (evbuffer_get_length(out) <= INLINE_WRITE_MAX) {
		int n = 0, err = 0;
		/* A socket bufferevent keeps its output's start frozen and thaws it
		 * only around its own writes (bufferevent_sock.c); do the same. */
		evbuffer_unfreeze(out, 1);
		while (evbuffer_get_length(out) > 0) {
			n = evbuffer_write(out, fd);
			if (n <= 0) {
				err = errno;
				break;
			}
		}
		evbuffer_freeze(out, 1);
		if (evbuffer_get_length(out) == 0)
			return SENT_DONE;
		if (n < 0 && err != EAGAIN && err != EWOULDBLOCK && err != EINTR) {
			log_debug("write: %s", strerror(err));
			http_conn_free(c);
			return SENT_GONE;
		}
	}
	bufferevent_enable(c->bev, EV_WRITE);
	return SENT_PENDING;
}

/* The response is out: tell the limiter, then close or get ready for the
 * next request. -1 when the connection is gone. */
static int
response_done(http_conn_t *c)
{
	if (c->lc)
		limit_conn_request_done(c->lc);
	if (c->close_after) {
		http_conn_free(c);
		return -1;
	}
	/* Kept for the next request on this connection; freed when it parks. */
	if (c->req)
		http_req_reset(c->req);
	forget_route(c);
	c->state = S_HEAD;
	/* Off if the input filled up meanwhile (read_cb). */
	if (!c->peer_eof && !(bufferevent_get_enabled(c->bev) & EV_READ))
		bufferevent_enable(c->bev, EV_READ);
	if (c->lc)
		limit_conn_idle(c->lc);
	arm_deadline(c, c->opts->idle_timeout, 0);
	return 0;
}

/* Send resp: written at once when small, else by write_cb as the peer reads. */
static enum sent
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
	if (resp->more && !is_head && resp->status != 304) {
		/* The connection owns the body's maker from here (more_end). */
		c->more = xmalloc(sizeof(*c->more));
		c->more->more = resp->more;
		c->more->more_free = resp->more_free;
		c->more->arg = resp->more_arg;
		resp->more = NULL;
		resp->more_free = NULL;
		resp->more_arg = NULL;
	}
	c->close_after = !keep_alive;
	c->state = S_RESPOND;
	deadline_disarm(c->opts->deadlines, &c->deadline);
	/* A pipelined request's bytes stay buffered (bounded by the read
	 * watermark) and are parsed only after this response is out, so a client
	 * cannot make us queue responses. Reading stays enabled: toggling it would
	 * cost two epoll_ctl calls per request. */
	if (c->opts->log_requests || log_get_level() >= LOG_DEBUG) {
		size_t tlen;
		const char *t = http_req_target(c->req, &tlen);
		log_msg(c->opts->log_requests ? LOG_INFO : LOG_DEBUG, __func__,
		    "%s %.*s %d", http_req_method_name(c->req), (int)(tlen > 200 ? 200 : tlen),
		    t, resp->status);
	}
	if (c->more) {
		/* The first piece goes with the head; write_cb asks for the rest. */
		int r = c->more->more(c->more->arg, out);
		if (r <= 0)
			more_end(c);
		if (r < 0)
			c->close_after = 1;   /* short body: the reader resumes */
		bufferevent_enable(c->bev, EV_WRITE);
		return SENT_PENDING;
	}
	return flush_now(c);
}

static void
send_error(http_conn_t *c, int status, const char *detail)
{
	http_resp_t resp;
	enum sent sent;

	begin_resp(c, &resp);
	http_resp_error(&resp, status, detail);
	resp.close = 1;
	sent = send_response(c, &resp, 0, 0);
	http_resp_clear(&resp);
	if (sent == SENT_DONE)
		(void)response_done(c);   /* close_after is set: frees c */
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

/* Send the handler's response to the current request. */
static enum sent
send_answer(http_conn_t *c, http_resp_t *resp)
{
	int is_head = http_req_method(c->req) == HTTP_REQ_HEAD;
	enum sent sent;

	if (http_req_method(c->req) == HTTP_REQ_OTHER)
		resp->close = 1;   /* its body, if any, was never read */
	sent = send_response(c, resp, is_head, http_req_keep_alive(c->req));
	if (sent != SENT_GONE && c->lc && !is_head && resp->status / 100 == 2)
		limit_conn_download_begin(c->lc, c->bev);
	return sent;
}

/* Run the handler for the complete request and send its response. */
static enum sent
answer(http_conn_t *c)
{
	http_resp_t resp;
	enum sent sent = SENT_PENDING;

	if (c->bufs == NULL)
		c->bufs = http_resp_bufs_new();
	http_resp_init_from(&resp, c->bufs);
	resp.error_page = c->opts->error_page;
	resp.error_arg = c->opts->error_arg;
	if (!c->routed)
		(void)route_request(c);   /* no limiter on this listener */
	if (c->route_status == 405) {
		http_resp_error(&resp, 405, "Only GET and HEAD are served here.");
		http_resp_header(&resp, "Allow", "GET, HEAD");
	} else if (c->route_status) {
		http_resp_error(&resp, 400, "That address is malformed.");
	}
	c->opts->handle(c->opts->arg, c, c->req, c->route_status ? NULL : &c->rt, &resp);
	/* Deferred (http_conn_defer): the answer comes with http_conn_resume.
	 * Reading stays on, as while responding: bytes wait in the input. */
	if (c->state == S_WORK)
		deadline_disarm(c->opts->deadlines, &c->deadline);
	else
		sent = send_answer(c, &resp);
	http_resp_clear_into(&resp, sent != SENT_GONE ? c->bufs : NULL);   /* GONE: c freed */
	return sent;
}

void
http_conn_defer(http_conn_t *c)
{
	c->state = S_WORK;
}

void
http_conn_resume(http_conn_t *c, http_resp_t *resp)
{
	if (c->state != S_WORK)
		return;
	if (send_answer(c, resp) == SENT_DONE && response_done(c) == 0)
		process(c);
}

static enum sent
refuse(http_conn_t *c, int status, int retry_after, int close)
{
	http_resp_t resp;
	enum sent sent;

	begin_resp(c, &resp);
	/* The error page explains 429 and 503 itself and shows the wait. */
	http_resp_error_retry(&resp, status, NULL, retry_after);
	resp.close = close || http_req_method(c->req) == HTTP_REQ_OTHER;
	sent = send_response(c, &resp, http_req_method(c->req) == HTTP_REQ_HEAD,
	    http_req_keep_alive(c->req));
	http_resp_clear(&resp);
	return sent;
}

/* A complete head: ask the limiter before the handler runs. SENT_PENDING also
 * covers a request parked by the limiter (S_WAIT). */
static enum sent
admit(http_conn_t *c)
{
	limit_answer_t a;

	if (c->refuse_status)
		return refuse(c, c->refuse_status, c->refuse_retry, 1);
	if (c->lc == NULL)
		return answer(c);
	limit_conn_admit(c->lc, route_request(c), &a);
	if (a.wait) {
		/* Parked: nothing is read or timed here until on_admitted. */
		c->state = S_WAIT;
		deadline_disarm(c->opts->deadlines, &c->deadline);
		bufferevent_disable(c->bev, EV_READ);
		return SENT_PENDING;
	}
	if (a.status)
		return refuse(c, a.status, a.retry_after, a.close);
	return answer(c);
}

static void
on_admitted(void *owner, int status, int retry_after)
{
	http_conn_t *c = owner;
	enum sent sent;

	if (c->state != S_WAIT)
		return;
	bufferevent_enable(c->bev, EV_READ);
	sent = status ? refuse(c, status, retry_after, 0) : answer(c);
	if (sent == SENT_DONE && response_done(c) == 0)
		process(c);
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
	c->refuse_status = (uint16_t)status;
	c->refuse_retry = (uint16_t)(retry_after > 0xffff ? 0xffff : retry_after);
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
		int was_started;

		if (c->req == NULL)
			c->req = http_req_new(&c->opts->limits);
		was_started = http_req_started(c->req);

		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		enum http_req_status st = http_req_feed(c->req, v.iov_base, v.iov_len, &used);
		evbuffer_drain(in, used);
		if (!was_started && http_req_started(c->req)) {
			arm_deadline(c, c->opts->header_timeout, 1);
			if (c->lc && limit_conn_head_started(c->lc) < 0) {
				http_conn_free(c);
				return;
			}
		}
		if (st == HTTP_REQ_ERROR) {
			send_error(c, http_req_error(c->req), NULL);
			return;
		}
		if (st == HTTP_REQ_DONE) {
			if (admit(c) != SENT_DONE || response_done(c) < 0)
				return;
			continue;   /* the next pipelined request, if any */
		}
		if (used == 0)
			break;
	}
	if (c->state == S_HEAD && c->peer_eof) {
		http_conn_free(c);
		return;
	}
	park(c);
}

/* Bound what a client can make us buffer: one head plus a little. */
static size_t
read_max(const http_conn_opts_t *o)
{
	return o->limits.max_header_bytes + o->limits.max_target + 4096;
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	http_conn_t *c = arg;

	if (c->state == S_HEAD || c->state == S_PROXY) {
		process(c);
		return;
	}
	/* A response is pending and pipelined bytes wait. libevent calls this
	 * again on every loop pass while the input is at the read watermark and
	 * reading is on (bufferevent_inbuf_wm_check): a busy loop for as long as
	 * the answer takes. Reading goes off until response_done. */
	if (evbuffer_get_length(bufferevent_get_input(bev)) >= read_max(c->opts))
		bufferevent_disable(bev, EV_READ);
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	http_conn_t *c = arg;

	if (c->state != S_RESPOND)
		return;
	if (c->more) {
		struct evbuffer *out = bufferevent_get_output(bev);
		int r = c->more->more(c->more->arg, out);
		if (r < 0) {
			/* A file changed under the archive: the reader sees a short
			 * body and resumes with If-Range, which then gets the new one. */
			http_conn_free(c);
			return;
		}
		if (r == 0)
			more_end(c);
		if (evbuffer_get_length(out) > 0)
			return;   /* EV_WRITE stays on */
		more_end(c);
	}
	/* Off again, so that adding the next response does not arm it. */
	bufferevent_disable(c->bev, EV_WRITE);
	if (response_done(c) < 0)
		return;
	process(c);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	http_conn_t *c = arg;

	if ((what & BEV_EVENT_EOF) && (what & BEV_EVENT_READING) && !(what & BEV_EVENT_ERROR)) {
		/* Half-close: answer what was sent before it, then go. */
		c->peer_eof = 1;
		if (c->state == S_RESPOND || c->state == S_WAIT || c->state == S_WORK)
			return;
		process(c);
		return;
	}
	/* Errors and the write timeout (a reader who stopped reading). */
	http_conn_free(c);
}

static int
attach(http_conn_t *c, struct event_base *base, evutil_socket_t fd)
{
	struct timeval wt = { c->opts->write_timeout, 0 };

	c->bev = bufferevent_socket_new(base, fd, 0);
	if (c->bev == NULL)
		return -1;
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, read_max(c->opts));
	bufferevent_set_timeouts(c->bev, NULL, &wt);
	/* EV_WRITE is armed only when a response cannot be written at once. */
	bufferevent_disable(c->bev, EV_WRITE);
	bufferevent_enable(c->bev, EV_READ);
	return 0;
}

/* Read up to max bytes from fd into in, in READ_STEP pieces straight into the
 * buffer's space. evbuffer_read would ask the socket first how much it holds
 * (ioctl FIONREAD): one system call per request more than nginx makes. A
 * request head fits one piece; a bigger one takes another readv. Like read(2):
 * bytes read, 0 at end of file, -1 with errno. */
#define READ_STEP 4096
static int
read_into(struct evbuffer *in, evutil_socket_t fd, size_t max)
{
	int total = 0;

	while ((size_t)total < max) {
		struct evbuffer_iovec v[2];
		struct iovec iov[2];
		size_t want = max - (size_t)total < READ_STEP ? max - (size_t)total : READ_STEP;
		int nv = evbuffer_reserve_space(in, (ev_ssize_t)want, v, 2);
		ssize_t n;

		if (nv <= 0)
			return total > 0 ? total : -1;
		/* The space reserved may be larger than asked (a chain's whole
		 * room); reading into all of it would pass max. */
		size_t room = want;
		for (int i = 0; i < nv; i++) {
			iov[i].iov_base = v[i].iov_base;
			iov[i].iov_len = v[i].iov_len < room ? v[i].iov_len : room;
			room -= iov[i].iov_len;
		}
		n = readv(fd, iov, nv);
		if (n <= 0) {
			v[0].iov_len = 0;
			evbuffer_commit_space(in, v, 1);
			return total > 0 ? total : (int)n;
		}
		/* Keep only what was filled. */
		size_t left = (size_t)n;
		int used = 0;
		while (used < nv && left > 0) {
			if (v[used].iov_len > left)
				v[used].iov_len = left;
			left -= v[used].iov_len;
			used++;
		}
		evbuffer_commit_space(in, v, used);
		total += (int)n;
		if ((size_t)n < want)
			break;   /* the socket is drained */
	}
	return total;
}

/* Bytes on a parked connection: take a bufferevent again and read them now,
 * not on the next loop pass where the bufferevent's read event would see
 * them. */
static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	http_conn_t *c = arg;
	struct evbuffer *in;
	int n, err;

	if (c->dozing) {
		/* Reading back on before the bare event goes: the fd never leaves
		 * epoll, so dozing costs no epoll_ctl. */
		bufferevent_enable(c->bev, EV_READ);
		c->dozing = 0;
	} else if (attach(c, event_get_base(c->parked), fd) < 0) {
		log_warn("cannot set up a connection");
		http_conn_free(c);
		return;
	}
	event_del(c->parked);
	/* The input's end is frozen but for the bufferevent's own reads
	 * (bufferevent_sock.c); thaw it the same way. */
	in = bufferevent_get_input(c->bev);
	evbuffer_unfreeze(in, 0);
	n = read_into(in, fd, read_max(c->opts));
	err = errno;
	evbuffer_freeze(in, 0);
	if (n == 0) {
		/* As the bufferevent does on EOF; event_cb's half-close case. */
		bufferevent_disable(c->bev, EV_READ);
		c->peer_eof = 1;
	} else if (n < 0 && err != EAGAIN && err != EWOULDBLOCK && err != EINTR) {
		log_debug("read: %s", strerror(err));
		http_conn_free(c);
		return;
	}
	process(c);
}

/* Between requests, with nothing buffered either way: doze, waiting on the
 * bare read event; on_deadline parks after DOZE_MS (see struct http_conn). */
static void
park(http_conn_t *c)
{
	if (c->bev == NULL || c->dozing || c->state != S_HEAD || c->peer_eof ||
	    (c->req && http_req_started(c->req)) ||
	    evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
		return;
	if (c->parked == NULL) {
		c->parked = event_new(bufferevent_get_base(c->bev), bufferevent_getfd(c->bev),
		    EV_READ | EV_PERSIST, on_readable, c);
		if (c->parked == NULL)
			return;   /* stays as it is */
	}
	/* Added while the bufferevent's read event is still in: libevent keeps
	 * the fd in epoll and makes no epoll_ctl call. EV_PERSIST for the same
	 * reason on the way back (on_readable). */
	if (event_add(c->parked, NULL) < 0)
		return;
	bufferevent_disable(c->bev, EV_READ);
	c->dozing = 1;
	/* Shorter idle timeouts than a doze just close. */
	if (c->opts->idle_timeout * 1000 > DOZE_MS) {
		c->head_timer = 0;
		c->doze_timer = 1;
		deadline_arm(c->opts->deadlines, &c->deadline, DOZE_MS);
	}
}

http_conn_t *
http_conn_new(struct event_base *base, int fd, const char *peer, const http_conn_opts_t *opts)
{
	http_conn_t *c = xcalloc(1, sizeof(*c));

	c->opts = opts;
	c->state = opts->expect_proxy ? S_PROXY : S_HEAD;
	/* Born parked: a connection costs a bufferevent only once it sends. */
	c->parked = event_new(base, fd, EV_READ | EV_PERSIST, on_readable, c);
	if (c->parked == NULL || event_add(c->parked, NULL) < 0) {
		log_warn("cannot set up a connection");
		/* Not http_conn_free: closed() must not report a connection the
		 * caller never counted open. */
		if (c->parked)
			event_free(c->parked);
		evutil_closesocket(fd);
		free(c);
		return NULL;
	}
	if (opts->limit)
		c->lc = limit_conn_new(opts->limit, c, &limit_ops);
	/* The first request, like the PROXY line, must come promptly. */
	arm_deadline(c, opts->header_timeout, 0);
	/* Without a PROXY line the key is known now: the peer address. Over its
	 * cap of pending heads, it goes on the next loop turn (the caller counts
	 * it open first, and closed() will count it gone). */
	if (c->lc && !opts->expect_proxy && limit_conn_identify(c->lc, 0, 0, peer ? peer : "") < 0)
		arm_deadline(c, 0, 0);
	return c;
}

struct deadline_set *
http_conn_deadlines_new(struct event_base *base)
{
	return deadline_set_new(base, on_deadline, NULL);
}
