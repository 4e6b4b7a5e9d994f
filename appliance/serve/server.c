/* server: see server.h. */
#include "serve/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>


#include "base/deadline.h"
#include "serve/handler.h"
#include "serve/limit.h"
#include "base/log.h"
#include "serve/route.h"
#include "base/util.h"

#define MAX_LISTENERS 4

struct listener {
	server_t *server;
	struct evconnlistener *l;
	http_conn_opts_t opts;
	int is_unix;
};

struct server {
	handler_ctx_t *h;                 /* what the handlers share */
	struct event_base *base;
	const conf_t *conf;
	struct listener listeners[MAX_LISTENERS];
	server_page_fn admin_page;      /* server_listen_admin() */
	void *admin_arg;
	int nlisteners;
	server_stats_t stats;
	limit_t *limit;
	struct deadline_set *deadlines;   /* every connection's timeouts */
};

static void count_response(void *arg, int status);

static void
handle(void *arg, http_conn_t *c, http_req_t *req, const route_t *rt, http_resp_t *resp)
{
	server_t *s = arg;

	s->stats.requests++;
	if (rt == NULL)
		goto done;   /* refused by routing (400, 405): resp is filled */
	handler_ctx_begin_request(s->h);
	handler_resp_lang(resp, rt->query);
	if (http_req_header(req, HDR_X_TOR2WEB) != NULL) {
		/* A tor2web proxy fetched this for someone on the clearnet: the
		 * proxy sees what they read and who they are. Tell them (as
		 * SecureDrop does), serve nothing, and keep it out of indexes. */
		http_resp_error(resp, 403, "You reached this site through a Tor2web proxy, "
		    "which sees what you read and where you connect from: you are not "
		    "anonymous. Use Tor Browser (torproject.org) and open this .onion "
		    "address directly.");
		http_resp_header(resp, "X-Robots-Tag", "noindex, nofollow");
		goto done;
	}
	switch (rt->kind) {
	case ROUTE_HOME:
		handler_home(s->h, c, req, rt, resp);
		break;
	case ROUTE_FILE:
		handler_file(s->h, c, req, rt, resp);
		break;
	case ROUTE_BROWSE:
		handler_browse(s->h, c, req, rt, resp);
		break;
	case ROUTE_FILE_PAGE:
		handler_file_page(s->h, c, req, rt, resp);
		break;
	case ROUTE_SEARCH:
		handler_search(s->h, c, req, rt, resp);
		break;
	case ROUTE_READ:
		handler_read(s->h, c, req, rt, resp);
		break;
	case ROUTE_STATIC:
		handler_static(s->h, c, req, rt, resp);
		break;
	case ROUTE_MANIFEST:
		handler_manifest(s->h, c, req, rt, resp);
		break;
	case ROUTE_ARCHIVE:
		handler_archive(s->h, c, req, rt, resp);
		break;
	case ROUTE_PDF_PAGE:
	case ROUTE_DERIVED:
		handler_render(s->h, c, req, rt, resp);
		break;
	default:
		http_resp_error(resp, 404, "There is nothing at this address.");
		break;
	}
done:
	if (resp->status != 0)   /* 0: deferred, counted when it is sent */
		count_response(s, resp->status);
}

static void
count_response(void *arg, int status)
{
	server_t *s = arg;

	switch (status / 100) {
	case 2: s->stats.responses_2xx++; break;
	case 3: s->stats.responses_3xx++; break;
	case 4: s->stats.responses_4xx++; break;
	default: s->stats.responses_5xx++; break;
	}
}

static void
conn_abandoned(void *arg, http_conn_t *c)
{
	server_t *s = arg;

	handler_search_abandoned(s->h, c);
	handler_render_abandoned(s->h, c);
}

void
server_set_pool(server_t *s, search_pool_t *pool)
{
	handler_ctx_set_pool(s->h, pool);
}

static void
conn_closed(void *arg, http_conn_t *c)
{
	server_t *s = arg;
	s->stats.connections_open--;
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
    void *arg)
{
	struct listener *li = arg;
	server_t *s = li->server;
	char peer[64] = "unix";

	int refuse = 0;

	if (s->stats.connections_open >= s->conf->max_connections &&
	    (!s->conf->limits || limit_evict_one(s->limit) < 0)) {
		/* Full and nothing idle or slow to close (limit.c): a few more are
		 * let in to hear 503 + Retry-After rather than a bare close. */
		s->stats.connections_refused++;
		limit_count_refused(s->limit, 0);
		if (!s->conf->limits || s->stats.connections_open >=
		    s->conf->max_connections + s->conf->max_connections / 16 + 8) {
			evutil_closesocket(fd);
			return;
		}
		refuse = 1;
	}
	if (!li->is_unix) {
		int one = 1;
		/* Headers and body leave in separate writes (writev, then sendfile);
		 * with Nagle the second waits for a delayed ACK (40 ms). */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		const void *a = sa->sa_family == AF_INET6 ?
		    (const void *)&((struct sockaddr_in6 *)sa)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)sa)->sin_addr;
		inet_ntop(sa->sa_family, a, peer, sizeof(peer));
	}
	evutil_make_socket_nonblocking(fd);
	http_conn_t *c = http_conn_new(s->base, fd, peer, &li->opts);
	if (c == NULL)
		return;
	s->stats.connections_total++;
	s->stats.connections_open++;
	if (refuse)
		http_conn_refuse(c, 503, 10);
}

static void
on_listener_error(struct evconnlistener *l, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	/* EMFILE and friends pass; accepting resumes on the next event. */
	log_warn("accept: %s", evutil_socket_error_to_string(err));
}

static struct listener *
add_listener(server_t *s, int fd, int is_unix)
{
	struct listener *li;

	if (s->nlisteners == MAX_LISTENERS) {
		close(fd);
		return NULL;
	}
	li = &s->listeners[s->nlisteners];
	li->server = s;
	li->is_unix = is_unix;
	li->opts.limits.max_target = (size_t)s->conf->max_request_line;
	li->opts.limits.max_headers = (size_t)s->conf->max_headers;
	li->opts.limits.max_header_bytes = (size_t)s->conf->max_header_bytes;
	li->opts.header_timeout = (int)s->conf->header_timeout;
	li->opts.idle_timeout = (int)s->conf->idle_timeout;
	li->opts.write_timeout = (int)s->conf->write_timeout;
	li->opts.expect_proxy = is_unix && s->conf->tor_circuit_ids;
	li->opts.log_requests = s->conf->log_requests;
	/* Off, the limiter decides nothing (no budgets, no pacing, no eviction),
	 * so connections skip its bookkeeping (~300 instructions a request). */
	li->opts.limit = s->conf->limits ? s->limit : NULL;
	li->opts.deadlines = s->deadlines;
	li->opts.handle = handle;
	li->opts.closed = conn_closed;
	li->opts.abandoned = conn_abandoned;
	li->opts.arg = s;
	li->opts.error_page = handler_ctx_error_page;
	li->opts.error_arg = s->h;
	li->l = evconnlistener_new(s->base, on_accept, li,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (li->l == NULL) {
		close(fd);
		return NULL;
	}
	evconnlistener_set_error_cb(li->l, on_listener_error);
	s->nlisteners++;
	return li;
}

/* A listening Unix socket at path (a stale one replaced), 0660; -1 logged. */
static int
unix_listener_fd(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_err("socket path too long (%zu bytes, at most %zu): %s", strlen(path),
		    sizeof(sun.sun_path) - 1, path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 1024) < 0) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* tor may run as another user in the same group (the image does). */
	(void)chmod(path, 0660);
	return fd;
}

int
server_listen_unix(server_t *s, const char *path)
{
	int fd = unix_listener_fd(path);

	return fd >= 0 && add_listener(s, fd, 1) ? 0 : -1;
}

/* The admin onion's requests: the status page and its stylesheet, nothing
 * of the readers' site. */
static void
handle_admin(void *arg, http_conn_t *c, http_req_t *req, const route_t *rt, http_resp_t *resp)
{
	server_t *s = arg;

	if (rt == NULL)
		return;
	if (rt->kind == ROUTE_HOME) {
		strbuf_t html;
		strbuf_init(&html);
		s->admin_page(&html, s->admin_arg);
		http_resp_html(resp, 200, &html);
		http_resp_header(resp, "Cache-Control", "no-store");
	} else if (rt->kind == ROUTE_STATIC) {
		handler_static(s->h, c, req, rt, resp);
	} else {
		http_resp_error(resp, 404, "There is nothing at this address.");
	}
}

int
server_listen_admin(server_t *s, const char *path, server_page_fn page, void *arg)
{
	int fd = unix_listener_fd(path);
	struct listener *li;

	if (fd < 0 || (li = add_listener(s, fd, 1)) == NULL)
		return -1;
	/* Its own onion block: no circuit ids, and no reader limits for the
	 * operator's authenticated clients. */
	li->opts.expect_proxy = 0;
	li->opts.limit = NULL;
	li->opts.handle = handle_admin;
	s->admin_page = page;
	s->admin_arg = arg;
	return 0;
}

static int
is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return 0;
}

int
server_listen_tcp(server_t *s, const char *hostport, int *port_out)
{
	struct sockaddr_storage ss;
	int sslen = sizeof(ss), fd = -1, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(hostport, (struct sockaddr *)&ss, &sslen) < 0 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) {
		log_err("listen address '%s' is not HOST:PORT (e.g. 127.0.0.1:8080)", hostport);
		return -1;
	}
	if (!is_loopback((struct sockaddr *)&ss) && !s->conf->allow_public_listen) {
		log_err("refusing to listen on %s: not a loopback address, and readers "
		    "connecting there are not protected by tor (set allow_public_listen = yes "
		    "to do it anyway)", hostport);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, (socklen_t)sslen) < 0 || listen(fd, 1024) < 0) {
		log_err("cannot listen on %s: %s", hostport, strerror(errno));
		close(fd);
		return -1;
	}
	if (port_out) {
		socklen_t l = sizeof(ss);
		getsockname(fd, (struct sockaddr *)&ss, &l);
		*port_out = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
		    ((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return add_listener(s, fd, 0) ? 0 : -1;
}

server_t *
server_new(struct event_base *base, const conf_t *conf, cat_t *cat)
{
	server_t *s = xcalloc(1, sizeof(*s));
	s->base = base;
	s->conf = conf;
	s->stats.started = (int64_t)time(NULL);
	s->deadlines = http_conn_deadlines_new(base);
	s->h = handler_ctx_new(base, conf, cat);
	handler_ctx_set_counter(s->h, count_response, s);
	limit_conf_t lc;
	limit_conf_from(&lc, conf);
	s->limit = limit_new(base, &lc);
	return s;
}

void
server_free_(server_t *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nlisteners; i++)
		evconnlistener_free(s->listeners[i].l);
	limit_free(s->limit);
	deadline_set_free(s->deadlines);
	handler_ctx_free(s->h);
	free(s);
}

const server_stats_t *
server_stats(const server_t *s)
{
	return &s->stats;
}

limit_t *
server_limit(const server_t *s)
{
	return s->limit;
}

handler_ctx_t *
server_handlers(const server_t *s)
{
	return s->h;
}

