/* http_conn over a socketpair on a real event loop, with a fake handler:
 * parking, bytes into a parked connection, deferral and resume, pipelining,
 * abandoned requests, the three deadlines, the PROXY line, and the
 * connection's callbacks. The module's .c is included (unit.h says why), so a
 * case can see whether a connection is parked or how much input it holds;
 * the helpers here are t_* and the cases long phrases, so as not to meet the
 * module's statics. */
#include "serve/http_conn.c"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"

/* One connection under test and what its callbacks saw. */
static struct t_fx {
	struct event_base *base;
	http_conn_opts_t opts;
	http_conn_t *c;            /* NULL once closed() has run */
	int cfd;                   /* the client's end */
	struct event *cread;
	strbuf_t got;              /* every byte the server sent */
	int client_eof;
	/* The handler: requests from number defer_from on (1-based) are deferred
	 * and resumed resume_ms later (-1: by the case itself); big_body: the
	 * first answer has that many bytes. */
	int defer_from, resume_ms;
	size_t big_body;
	http_conn_t *deferred;     /* deferred and not yet resumed or abandoned */
	char deferred_target[64];
	int handled, outstanding, outstanding_max, resume_skipped, closed, abandoned;
	size_t input_max;          /* the most input buffered when a handler ran */
	int circuit_seen;          /* http_conn_circuit in the handler; -1 none */
	char calls[64];            /* h(andle), a(bandoned), c(losed), in order */
} fx;

static void
t_call(char what)
{
	size_t n = strlen(fx.calls);
	if (n + 1 < sizeof(fx.calls))
		fx.calls[n] = what;
}

/* Resting between requests: dozing (bufferevent and request kept, reading
 * handed to the bare event) or parked (only the bare event left). */
static int
t_parked(const http_conn_t *c)
{
	return c && c->parked != NULL && ((c->bev == NULL && c->req == NULL) ||
	    (c->dozing && c->bev != NULL && !(bufferevent_get_enabled(c->bev) & EV_READ)));
}

static int
t_fully_parked(const http_conn_t *c)
{
	return c && c->bev == NULL && c->parked != NULL && c->req == NULL && !c->dozing;
}

static void
t_fill(http_resp_t *resp, const char *target)
{
	resp->status = 200;
	evbuffer_add_printf(resp->body, "[%s]", target);
}

static void
t_resume(evutil_socket_t fd, short what, void *arg)
{
	http_conn_t *c = fx.deferred;
	http_resp_t resp;

	if (c == NULL) {   /* abandoned: the handler forgot it */
		fx.resume_skipped++;
		return;
	}
	fx.deferred = NULL;
	fx.outstanding--;
	http_resp_init(&resp);
	t_fill(&resp, fx.deferred_target);
	http_conn_resume(c, &resp);
	http_resp_clear(&resp);
}

static void
t_handle(void *arg, http_conn_t *c, http_req_t *req, const struct route *rt, http_resp_t *resp)
{
	const char *target = http_req_target(req, NULL);
	size_t in = evbuffer_get_length(bufferevent_get_input(c->bev));
	uint32_t id = 0;

	ok(arg == &fx && c == fx.c, "the handler's arguments");
	t_call('h');
	fx.handled++;
	if (++fx.outstanding > fx.outstanding_max)
		fx.outstanding_max = fx.outstanding;
	if (in > fx.input_max)
		fx.input_max = in;
	fx.circuit_seen = http_conn_circuit(c, &id) ? (int)id : -1;
	if (fx.defer_from > 0 && fx.handled >= fx.defer_from) {
		http_conn_defer(c);
		fx.deferred = c;
		snprintf(fx.deferred_target, sizeof(fx.deferred_target), "%s", target);
		if (fx.resume_ms >= 0) {
			struct timeval tv = { fx.resume_ms / 1000, (fx.resume_ms % 1000) * 1000 };
			event_base_once(fx.base, -1, EV_TIMEOUT, t_resume, NULL, &tv);
		}
		return;
	}
	fx.outstanding--;
	if (fx.big_body && fx.handled == 1) {
		char *b = xcalloc(1, fx.big_body);
		evbuffer_add(resp->body, b, fx.big_body);
		free(b);
		return;
	}
	t_fill(resp, target);
}

static void
t_abandoned(void *arg, http_conn_t *c)
{
	ok(c == fx.deferred, "abandoned: the deferred connection");
	t_call('a');
	fx.abandoned++;
	fx.deferred = NULL;
}

static void
t_closed(void *arg, http_conn_t *c)
{
	ok(c == fx.c, "closed: the connection");
	t_call('c');
	fx.closed++;
	fx.c = NULL;
}

/* The client reads everything into fx.got. */
static void
t_client_read(evutil_socket_t fd, short what, void *arg)
{
	for (;;) {
		char buf[65536];
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			strbuf_add(&fx.got, buf, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		fx.client_eof = 1;
		event_del(fx.cread);
		return;
	}
}

static const http_conn_opts_t t_defaults = {
	.limits = { .max_target = 256, .max_headers = 20, .max_header_bytes = 1024 },
	.header_timeout = 5, .idle_timeout = 5, .write_timeout = 5,
	.handle = t_handle, .abandoned = t_abandoned, .closed = t_closed, .arg = &fx,
};

/* A connection with opts (t_defaults changed by the case); sndbuf > 0 makes
 * the server's socket buffer that small. */
static void
t_setup(const http_conn_opts_t *opts, int sndbuf)
{
	int sv[2];

	memset(&fx, 0, sizeof(fx));
	strbuf_init(&fx.got);
	fx.resume_ms = -1;
	fx.base = event_base_new();
	fx.opts = *opts;
	fx.opts.deadlines = http_conn_deadlines_new(fx.base);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		exit(2);
	}
	if (sndbuf > 0)
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	fx.cfd = sv[1];
	fx.c = http_conn_new(fx.base, sv[0], "peer", &fx.opts);
	ok(fx.c != NULL, "a connection");
	fx.cread = event_new(fx.base, fx.cfd, EV_READ | EV_PERSIST, t_client_read, NULL);
	event_add(fx.cread, NULL);
}

/* Whatever happened, the connection's closed() ran exactly once. */
static void
t_teardown(void)
{
	if (fx.c)
		http_conn_free(fx.c);
	is_int(fx.closed, 1, "closed() exactly once");
	event_free(fx.cread);
	if (fx.cfd >= 0)
		close(fx.cfd);
	deadline_set_free(fx.opts.deadlines);
	event_base_free(fx.base);
	strbuf_release(&fx.got);
}

static void
t_send(const char *s)
{
	size_t n = strlen(s);
	ok(write(fx.cfd, s, n) == (ssize_t)n, "the client sent %zu bytes", n);
}

/* Run the loop until done() or ms have passed; whether done. In slices of
 * 2 ms ended by loopexit, so a loop that spins (active events forever) still
 * comes back here. */
static int
t_run_until(int (*done)(void), int ms)
{
	int64_t end = now_ms() + ms;
	while (!done() && now_ms() < end) {
		struct timeval slice = { 0, 2000 };
		event_base_loopexit(fx.base, &slice);
		event_base_dispatch(fx.base);
	}
	return done();
}

/* CPU time this process has used, in ms. */
static int64_t
t_cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static int t_never(void) { return 0; }
static void t_run(int ms) { t_run_until(t_never, ms); }

/* The server has read every byte the client sent. */
static int
t_drained(void)
{
	int n = 0;
	evutil_socket_t fd;

	if (fx.c == NULL)
		return 1;
	fd = fx.c->bev ? bufferevent_getfd(fx.c->bev) : event_get_fd(fx.c->parked);
	return ioctl(fd, FIONREAD, &n) == 0 && n == 0;
}

/* Closed, and the client has read up to the end. */
static int t_is_closed(void) { return fx.closed > 0 && fx.client_eof; }
/* Closed, for a client that does not read. */
static int t_server_gone(void) { return fx.closed > 0; }

/* The responses received as "status[body];..." (the body only for 200s);
 * their count in *n. */
static const char *
t_answers(int *n)
{
	static strbuf_t out;
	const char *p = fx.got.s, *end = fx.got.s + fx.got.len;

	strbuf_reset(&out);
	strbuf_adds(&out, "");
	*n = 0;
	while (p && p < end) {
		const char *eoh = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		const char *cl = memmem(p, (size_t)(end - p), "Content-Length: ", 16);
		long long len;
		int status;

		if (eoh == NULL || cl == NULL || cl > eoh || sscanf(p, "HTTP/1.1 %d", &status) != 1 ||
		    sscanf(cl + 16, "%lld", &len) != 1 || eoh + 4 + len > end)
			break;
		if (status == 200 && len < 100)
			strbuf_addf(&out, "%d%.*s;", status, (int)len, eoh + 4);
		else
			strbuf_addf(&out, "%d;", status);
		(*n)++;
		p = eoh + 4 + len;
	}
	return out.s;
}

/* All the answers, however many. */
static const char *
t_all(void)
{
	int n;
	return t_answers(&n);
}

static int t_want;
static int
t_have_answers(void)
{
	int n;
	t_answers(&n);
	return n >= t_want;
}

static const char *
t_wait_answers(int n, int ms)
{
	int got;
	t_want = n;
	ok(t_run_until(t_have_answers, ms), "%d answers within %d ms", n, ms);
	return t_answers(&got);
}

#define T_GET(path) "GET " path " HTTP/1.1\r\nHost: x\r\n\r\n"

/* A connection is born parked; after each answer it dozes, then parks (no
 * bufferevent, no request), and the next request is read and answered. */
static void
parked_between_requests(void)
{
	t_setup(&t_defaults, 0);
	ok(t_fully_parked(fx.c), "born parked");
	t_send(T_GET("/a"));
	is_str(t_wait_answers(1, 2000), "200[/a];", "the first answer");
	ok(t_parked(fx.c), "parked after the answer");
	t_send(T_GET("/b"));
	is_str(t_wait_answers(2, 2000), "200[/a];200[/b];", "the next request on the parked connection");
	ok(t_parked(fx.c), "parked again");
	ok(fx.c->dozing && fx.c->bev != NULL, "dozing: the bufferevent is kept for the next request");
	is_int(fx.handled, 2, "two requests handled");
	is_int(fx.closed, 0, "still open");
	t_run(DOZE_MS + 300);
	ok(t_fully_parked(fx.c), "parked for good after DOZE_MS without a byte");
	t_send(T_GET("/c"));
	is_str(t_wait_answers(3, 2000), "200[/a];200[/b];200[/c];", "a parked connection still answers");
	is_int(fx.closed, 0, "still open");
	t_teardown();
}

/* A request trickling in a byte at a time into a parked connection: the first
 * byte wakes it (a started head is never parked), the last completes it. */
static void
parked_wakes_on_first_byte(void)
{
	const char *req = T_GET("/slow");

	t_setup(&t_defaults, 0);
	t_send(T_GET("/a"));
	t_wait_answers(1, 2000);
	ok(t_parked(fx.c), "parked after the first answer");
	for (size_t i = 0; req[i]; i++) {
		char one[2] = { req[i], 0 };
		t_send(one);
		ok(t_run_until(t_drained, 2000), "byte %zu read", i);
		if (i == 0) {
			ok(!t_parked(fx.c) && fx.c->bev != NULL, "the first byte wakes it");
			ok(fx.c->req && http_req_started(fx.c->req), "a head has started");
		}
		if (req[i + 1])
			is_int(fx.handled, 1, "not handled before its last byte (%zu)", i);
	}
	is_str(t_wait_answers(2, 2000), "200[/a];200[/slow];", "answered once complete");
	ok(t_parked(fx.c), "parked again");
	t_teardown();
}

/* A deferred answer is sent by http_conn_resume later; a request that came in
 * meanwhile waits in the input, unhandled, and is answered after it. */
static void
defer_then_resume(void)
{
	t_setup(&t_defaults, 0);
	fx.defer_from = 1;
	fx.resume_ms = 150;
	t_send(T_GET("/a"));
	t_run(50);
	is_int(fx.handled, 1, "handled");
	is_int(fx.got.len, 0, "nothing answered while deferred");
	ok(fx.c && fx.c->state == S_WORK && !t_parked(fx.c), "waiting for the answer, not parked");
	t_send(T_GET("/b"));
	t_run(30);
	is_int(fx.handled, 1, "the next request waits in the input");
	is_str(t_wait_answers(2, 2000), "200[/a];200[/b];", "both answered, in order");
	is_int(fx.outstanding_max, 1, "one request at a time");
	t_run_until(t_drained, 500);
	ok(t_parked(fx.c), "parked once both are answered");
	is_int(fx.abandoned, 0, "nothing abandoned");
	t_teardown();
}

/* Several requests in one write: answered in order, one at a time. */
static void
pipelined_in_order(void)
{
	t_setup(&t_defaults, 0);
	t_send(T_GET("/1") T_GET("/2") T_GET("/3") T_GET("/4") T_GET("/5"));
	is_str(t_wait_answers(5, 2000), "200[/1];200[/2];200[/3];200[/4];200[/5];",
	    "five answers in order");
	is_int(fx.outstanding_max, 1, "one at a time");
	ok(t_parked(fx.c), "parked after the last");
	t_teardown();
}

/* A long pipeline of deferred requests: never more than one head plus a
 * little buffered (read_max), never two handled at once, all in order. */
static void
pipelined_bounded(void)
{
	enum { N = 600 };
	strbuf_t reqs, want;
	const char *got;
	int64_t cpu;

	t_setup(&t_defaults, 0);
	fx.defer_from = 1;
	strbuf_init(&reqs);
	strbuf_init(&want);
	for (int i = 0; i < N; i++) {
		strbuf_addf(&reqs, "GET /p/%d HTTP/1.1\r\nHost: x\r\n\r\n", i);
		strbuf_addf(&want, "200[/p/%d];", i);
	}
	ok(reqs.len > 3 * read_max(&fx.opts), "the pipeline (%zu bytes) is over 3x the cap (%zu)",
	    reqs.len, read_max(&fx.opts));
	ok(write(fx.cfd, reqs.s, reqs.len) == (ssize_t)reqs.len, "sent in one write");
	cpu = t_cpu_ms();
	t_run(300);
	cpu = t_cpu_ms() - cpu;
	ok(cpu < 100, "no busy loop while deferred with a full input (%lld ms of CPU in 300)",
	    (long long)cpu);
	is_int(fx.handled, 1, "the first handled, the rest wait");
	ok(fx.c && fx.c->bev &&
	    evbuffer_get_length(bufferevent_get_input(fx.c->bev)) <= read_max(&fx.opts),
	    "input bounded while the first is deferred");
	/* From now on each answer comes on the next loop pass. */
	fx.resume_ms = 0;
	t_resume(-1, 0, NULL);
	got = t_wait_answers(N, 8000);
	ok(strcmp(got, want.s) == 0, "%d answers in order", N);
	is_int(fx.handled, N, "all handled");
	is_int(fx.outstanding_max, 1, "one at a time");
	ok(fx.input_max <= read_max(&fx.opts), "input at most %zu bytes (saw %zu)",
	    read_max(&fx.opts), fx.input_max);
	strbuf_release(&reqs);
	strbuf_release(&want);
	t_teardown();
}

/* The same behind a large answer the client reads slowly: no busy loop
 * while it waits, then every answer in order. */
static void
pipelined_behind_slow_download(void)
{
	strbuf_t reqs;
	int64_t cpu;
	int n = 0;

	t_setup(&t_defaults, 4096);
	event_del(fx.cread);
	fx.big_body = 1 << 20;
	strbuf_init(&reqs);
	t_send(T_GET("/p/0"));
	t_run(50);
	ok(fx.c && fx.c->state == S_RESPOND, "writing the first answer");
	/* The rest arrives while it is written: read by the bufferevent up to
	 * its watermark. */
	for (int i = 1; i < 400; i++)
		strbuf_addf(&reqs, "GET /p/%d HTTP/1.1\r\nHost: x\r\n\r\n", i);
	ok(write(fx.cfd, reqs.s, reqs.len) == (ssize_t)reqs.len, "the rest sent in one write");
	cpu = t_cpu_ms();
	t_run(300);
	cpu = t_cpu_ms() - cpu;
	ok(cpu < 100, "no busy loop while the answer waits for the reader (%lld ms of CPU in 300)",
	    (long long)cpu);
	ok(fx.c && fx.c->state == S_RESPOND, "still writing the first answer");
	event_add(fx.cread, NULL);
	t_wait_answers(400, 8000);
	t_answers(&n);
	is_int(n, 400, "all answered");
	is_int(fx.handled, 400, "all handled");
	is_int(fx.outstanding_max, 1, "one at a time");
	strbuf_release(&reqs);
	t_teardown();
}

/* The peer resets the connection (it closes with our first answer unread)
 * while the second is deferred: abandoned() runs, then closed(), and the
 * handler, having forgotten the connection, does not resume it. */
static void
abandoned_on_reset(void)
{
	t_setup(&t_defaults, 0);
	event_del(fx.cread);   /* answers stay unread in the client's socket */
	fx.defer_from = 2;
	fx.resume_ms = 200;
	t_send(T_GET("/a") T_GET("/b"));
	t_run(50);
	is_int(fx.handled, 2, "both handled, the second deferred");
	ok(fx.deferred != NULL, "deferred");
	close(fx.cfd);
	fx.cfd = -1;
	ok(t_run_until(t_server_gone, 2000), "closed on the reset");
	is_str(fx.calls, "hhac", "abandoned before closed");
	t_run(300);
	is_int(fx.resume_skipped, 1, "the late answer found nothing to resume");
	t_teardown();
}

/* Freed by the server (shutting down) while deferred: the same order. */
static void
abandoned_on_free(void)
{
	t_setup(&t_defaults, 0);
	fx.defer_from = 1;
	t_send(T_GET("/a"));
	t_run(50);
	ok(fx.deferred != NULL, "deferred");
	http_conn_free(fx.c);
	is_str(fx.calls, "hac", "abandoned before closed");
	t_teardown();
}

/* A client that half-closes after its request still gets the deferred
 * answer, then the connection closes; nothing is abandoned. */
static void
half_close_while_deferred(void)
{
	t_setup(&t_defaults, 0);
	fx.defer_from = 1;
	fx.resume_ms = 100;
	t_send(T_GET("/a"));
	t_run(30);
	shutdown(fx.cfd, SHUT_WR);
	ok(t_run_until(t_is_closed, 2000), "closed after the answer");
	is_str(t_all(), "200[/a];", "the answer arrived");
	ok(strstr(fx.got.s, "Connection: close\r\n") != NULL, "announced as the last");
	is_str(fx.calls, "hc", "not abandoned");
	t_teardown();
}

/* A head that has started but does not finish within header_timeout: 408,
 * then closed. */
static void
header_timeout_408(void)
{
	http_conn_opts_t o = t_defaults;
	int64_t t0;

	o.header_timeout = 1;
	t_setup(&o, 0);
	t_send("GET /slow HTTP/1.1\r\nHost:");
	t0 = now_ms();
	ok(t_run_until(t_is_closed, 3000), "closed");
	ok(now_ms() - t0 >= 900, "not before the timeout (%lld ms)", (long long)(now_ms() - t0));
	is_str(t_all(), "408;", "a 408");
	is_int(fx.handled, 0, "never handled");
	t_teardown();
}

/* A connection that never sends a byte goes after header_timeout, unanswered. */
static void
header_timeout_silent(void)
{
	http_conn_opts_t o = t_defaults;

	o.header_timeout = 1;
	t_setup(&o, 0);
	ok(t_run_until(t_is_closed, 3000), "closed");
	is_int(fx.got.len, 0, "nothing sent");
	t_teardown();
}

/* A parked keep-alive connection is closed after idle_timeout. */
static void
idle_timeout_closes(void)
{
	http_conn_opts_t o = t_defaults;
	int64_t t0;

	o.idle_timeout = 1;
	t_setup(&o, 0);
	t_send(T_GET("/a"));
	t_wait_answers(1, 2000);
	t0 = now_ms();
	ok(t_parked(fx.c), "parked");
	ok(t_run_until(t_is_closed, 3000), "closed when idle");
	ok(now_ms() - t0 >= 900, "not before the timeout (%lld ms)", (long long)(now_ms() - t0));
	is_str(t_all(), "200[/a];", "only the one answer");
	t_teardown();
}

/* A reader who never reads a large answer is dropped after write_timeout. */
static void
write_timeout_drops(void)
{
	http_conn_opts_t o = t_defaults;
	int64_t t0;

	o.write_timeout = 1;
	t_setup(&o, 4096);
	event_del(fx.cread);
	fx.big_body = 1 << 20;
	t_send(T_GET("/big"));
	t0 = now_ms();
	ok(t_run_until(t_server_gone, 4000), "closed");
	ok(now_ms() - t0 >= 900, "not before the timeout (%lld ms)", (long long)(now_ms() - t0));
	is_str(fx.calls, "hc", "handled, then closed");
	t_teardown();
}

/* With expect_proxy, tor's PROXY line (here in two writes) comes first and
 * gives the circuit; then requests as usual. */
static void
proxy_line_then_request(void)
{
	http_conn_opts_t o = t_defaults;

	o.expect_proxy = 1;
	t_setup(&o, 0);
	t_send("PROXY TCP6 fc00:dead:beef:4dad::0:31 ");
	ok(t_run_until(t_drained, 2000), "half a line read");
	ok(fx.c && fx.c->state == S_PROXY, "still waiting for the line");
	t_send("::1 49 80\r\n" T_GET("/a"));
	is_str(t_wait_answers(1, 2000), "200[/a];", "answered");
	is_int(fx.circuit_seen, 0x31, "the circuit, seen by the handler");
	t_send(T_GET("/b"));
	is_str(t_wait_answers(2, 2000), "200[/a];200[/b];", "the next request needs no line");
	t_teardown();
}

/* Anything else first: closed unanswered. */
static void
proxy_invalid_closes(void)
{
	http_conn_opts_t o = t_defaults;

	o.expect_proxy = 1;
	t_setup(&o, 0);
	t_send(T_GET("/a"));
	ok(t_run_until(t_is_closed, 2000), "closed");
	is_int(fx.got.len, 0, "unanswered");
	is_int(fx.handled, 0, "never handled");
	t_teardown();
}

/* A peer gone in the middle of the line: closed unanswered. */
static void
proxy_eof_in_line(void)
{
	http_conn_opts_t o = t_defaults;

	o.expect_proxy = 1;
	t_setup(&o, 0);
	t_send("PROXY TCP6 fc00:dead");
	shutdown(fx.cfd, SHUT_WR);
	ok(t_run_until(t_is_closed, 2000), "closed");
	is_int(fx.got.len, 0, "unanswered");
	t_teardown();
}

/* Connection: close ends the connection after its answer; a request
 * pipelined behind it is never handled. */
static void
connection_close_once(void)
{
	t_setup(&t_defaults, 0);
	t_send("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" T_GET("/b"));
	ok(t_run_until(t_is_closed, 2000), "closed");
	is_str(t_all(), "200[/a];", "one answer");
	is_str(fx.calls, "hc", "the second request never handled");
	t_teardown();
}

/* A connection let in over the cap: its first request gets the refusal,
 * with Retry-After, and it closes. */
static void
refused_over_cap(void)
{
	t_setup(&t_defaults, 0);
	http_conn_refuse(fx.c, 503, 10);
	t_send(T_GET("/a"));
	ok(t_run_until(t_is_closed, 2000), "closed");
	is_str(t_all(), "503;", "a 503");
	ok(strstr(fx.got.s ? fx.got.s : "", "Retry-After: 10\r\n") != NULL, "with Retry-After");
	is_int(fx.handled, 0, "never handled");
	t_teardown();
}

/* A malformed head: 400, closed, the handler never called. */
static void
malformed_head_400(void)
{
	t_setup(&t_defaults, 0);
	t_send("GET /a HTTP/1.1\r\nBad Header\r\n\r\n");
	ok(t_run_until(t_is_closed, 2000), "closed");
	is_str(t_all(), "400;", "a 400");
	is_int(fx.handled, 0, "never handled");
	t_teardown();
}

/* The server counts connections_open from http_conn_new's result and
 * closed(): closed() fires exactly once for a connection that was set up,
 * and never for one http_conn_new could not set up. */
static int t_open_count;

static void
t_count_closed(void *arg, http_conn_t *c)
{
	t_open_count--;
}

static void
new_fails_uncounted(void)
{
	http_conn_opts_t o = t_defaults;
	char path[] = "/tmp/bs-http-conn-XXXXXX";
	int sv[2], fd;
	http_conn_t *c;
	struct event_base *base = event_base_new();

	o.closed = t_count_closed;
	o.deadlines = http_conn_deadlines_new(base);
	t_open_count = 0;
	ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	c = http_conn_new(base, sv[0], "unix", &o);
	ok(c != NULL, "a socket becomes a connection");
	if (c)
		t_open_count++;
	http_conn_free(c);
	is_int(t_open_count, 0, "closed() once for a connection that was opened");
	close(sv[1]);
	/* A descriptor epoll refuses (a regular file: EPERM). */
	fd = mkstemp(path);
	ok(fd >= 0, "temp file");
	unlink(path);
	c = http_conn_new(base, fd, "unix", &o);
	ok(c == NULL, "a descriptor that cannot be watched fails http_conn_new");
	if (c)
		t_open_count++;
	http_conn_free(c);
	is_int(t_open_count, 0, "no closed() for a connection that never opened");
	ok(fcntl(fd, F_GETFD) < 0, "its descriptor is closed all the same");
	deadline_set_free(o.deadlines);
	event_base_free(base);
}

static const unit_case_t t_cases[] = {
	UNIT_CASE(parked_between_requests),
	UNIT_CASE(parked_wakes_on_first_byte),
	UNIT_CASE(defer_then_resume),
	UNIT_CASE(pipelined_in_order),
	UNIT_CASE(pipelined_bounded),
	UNIT_CASE(pipelined_behind_slow_download),
	UNIT_CASE(abandoned_on_reset),
	UNIT_CASE(abandoned_on_free),
	UNIT_CASE(half_close_while_deferred),
	UNIT_CASE(header_timeout_408),
	UNIT_CASE(header_timeout_silent),
	UNIT_CASE(idle_timeout_closes),
	UNIT_CASE(write_timeout_drops),
	UNIT_CASE(proxy_line_then_request),
	UNIT_CASE(proxy_invalid_closes),
	UNIT_CASE(proxy_eof_in_line),
	UNIT_CASE(connection_close_once),
	UNIT_CASE(refused_over_cap),
	UNIT_CASE(malformed_head_400),
	UNIT_CASE(new_fails_uncounted),
	UNIT_CASES_END
};

int
main(int argc, char **argv)
{
	/* As serve does: a write to a closed peer is EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	return unit_main(t_cases, argc, argv);
}
