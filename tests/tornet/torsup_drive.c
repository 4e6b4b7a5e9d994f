/* torsup_drive: a test driver for the tor supervisor before `serve` exists.
 * It runs torsup on an event_base with a minimal HTTP responder on the
 * HiddenServicePort socket (reads tor's PROXY line, answers 200 with a fixed
 * body), and writes the supervisor's status to a file twice a second.
 *
 *   torsup_drive --data DIR [--append FILE] [--tor PATH] [--sandbox 0|1]
 *                [--status FILE]
 *
 * DIR gets tor/, run/, onion/public/ like a broadside data dir. A request for
 * /close makes the driver close that request's circuit with CLOSECIRCUIT.
 * SIGTERM/SIGINT shut tor down cleanly. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "base/log.h"
#include "onion/onion.h"
#include "onion/torsup.h"
#include "base/util.h"

#define BODY "hello from torsup_drive\n"

static torsup_t *sup;
static const char *status_path;
static struct event_base *base;

struct conn {
	struct bufferevent *bev;
	uint32_t circuit;
	int have_proxy, answered, close_circuit;
};

static void
conn_free(struct conn *c)
{
	bufferevent_free(c->bev);
	free(c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (!c->answered)
		return;
	if (c->close_circuit)
		log_info("closing circuit %u: %s", (unsigned)c->circuit,
		    torsup_close_circuit(sup, c->circuit) == 0 ? "sent" : "not connected");
	conn_free(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	conn_free(arg);
}

/* "PROXY TCP6 fc00:dead:beef:4dad::<hi>:<lo> ::1 <lo> 80": circuit = hi:lo. */
static int
parse_proxy(const char *line, uint32_t *circuit)
{
	const char *p = strstr(line, "fc00:dead:beef:4dad::");
	unsigned hi, lo;

	if (strncmp(line, "PROXY TCP6 ", 11) != 0 || p == NULL ||
	    sscanf(p + 21, "%x:%x", &hi, &lo) != 2 || hi > 0xffff || lo > 0xffff)
		return -1;
	*circuit = (uint32_t)(hi << 16 | lo);
	return 0;
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;

	if (!c->have_proxy) {
		line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (line == NULL)
			return;
		if (parse_proxy(line, &c->circuit) < 0) {
			log_warn("no PROXY line: %.60s", line);
			free(line);
			conn_free(c);
			return;
		}
		free(line);
		c->have_proxy = 1;
	}
	while (!c->answered && (line = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF)) != NULL) {
		if (strncmp(line, "GET /close ", 11) == 0)
			c->close_circuit = 1;
		if (n == 0) {
			evbuffer_add_printf(bufferevent_get_output(bev),
			    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
			    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			    strlen(BODY), BODY);
			c->answered = 1;
		}
		free(line);
	}
}

static void
accept_cb(evutil_socket_t fd, short what, void *arg)
{
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct conn *c;

	if (cfd < 0)
		return;
	c = xcalloc(1, sizeof(*c));
	c->bev = bufferevent_socket_new(base, cfd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void
write_status(void)
{
	torsup_status_t st;
	char *text;

	if (status_path == NULL)
		return;
	torsup_get_status(sup, &st);
	text = xasprintf("state=%s\nbootstrap=%d\nuploads=%d\nrestarts=%d\npid=%ld\n"
	    "address=%s\nproblem=%s\n", st.state, st.bootstrap, st.descriptor_uploads,
	    st.restarts, st.tor_pid, st.address, st.last_problem);
	write_file_atomic(status_path, text, strlen(text), 0644);
	free(text);
}

static void
status_cb(evutil_socket_t fd, short what, void *arg)
{
	write_status();
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: shutting down", (int)sig);
	torsup_shutdown(sup);
	write_status();
	event_base_loopexit(base, NULL);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "append", required_argument, NULL, 'a' },
		{ "tor", required_argument, NULL, 't' },
		{ "sandbox", required_argument, NULL, 's' },
		{ "status", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data = NULL, *append = NULL, *tor = "/usr/bin/tor";
	int sandbox = 0, opt, lfd;
	char *tordir, *run, *onion, *sock;
	struct sockaddr_un sa;
	struct event *lev, *sev, *iev, *status_ev;
	struct timeval half = { 0, 500 * 1000 };

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': data = optarg; break;
		case 'a': append = optarg; break;
		case 't': tor = optarg; break;
		case 's': sandbox = atoi(optarg); break;
		case 'S': status_path = optarg; break;
		default: return 2;
		}
	}
	if (data == NULL) {
		fputs("usage: torsup_drive --data DIR [--append FILE] [--tor PATH] "
		    "[--sandbox 0|1] [--status FILE]\n", stderr);
		return 2;
	}
	if (getenv("DRIVE_DEBUG"))
		log_set_level(LOG_DEBUG);
	log_set_timestamps(1);
	signal(SIGPIPE, SIG_IGN);
	umask(077);
	tordir = xasprintf("%s/tor", data);
	run = xasprintf("%s/run", data);
	onion = xasprintf("%s/onion/public", data);
	sock = xasprintf("%s/run/http.sock", data);
	if (mkdir_p(run, 0700) < 0 || onion_key_create(onion) < 0)
		return 1;

	base = event_base_new();
	unlink(sock);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 64) < 0) {
		log_err("cannot listen on %s: %s", sock, strerror(errno));
		return 1;
	}
	lev = event_new(base, lfd, EV_READ | EV_PERSIST, accept_cb, NULL);
	event_add(lev, NULL);

	sup = torsup_new(base, &(torsup_opts_t){
		.tor_path = tor, .tor_data_dir = tordir, .run_dir = run, .onion_dir = onion,
		.http_socket = sock, .config_append = append, .max_streams = 32, .pow = 1,
		.intro_dos = 1, .sandbox = sandbox, .socks_port = 0,
	});
	if (torsup_start(sup) < 0)
		return 1;
	status_ev = event_new(base, -1, EV_PERSIST, status_cb, NULL);
	event_add(status_ev, &half);
	sev = evsignal_new(base, SIGTERM, stop_cb, NULL);
	iev = evsignal_new(base, SIGINT, stop_cb, NULL);
	event_add(sev, NULL);
	event_add(iev, NULL);
	write_status();
	event_base_dispatch(base);

	torsup_free(sup);
	event_free(lev);
	event_free(sev);
	event_free(iev);
	event_free(status_ev);
	close(lfd);
	unlink(sock);
	event_base_free(base);
	free(tordir);
	free(run);
	free(onion);
	free(sock);
	return 0;
}
