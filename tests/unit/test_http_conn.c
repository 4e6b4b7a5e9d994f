/* http_conn: its open/closed accounting. closed() fires exactly once for a
 * connection that http_conn_new returned, and never for one it could not set
 * up (the server counts connections_open from these two). */
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "base/deadline.h"
#include "serve/http_conn.h"
#include "base/util.h"

static int open_count;

static void
on_closed(void *arg, http_conn_t *c)
{
	open_count--;
}

static void
handle(void *arg, http_conn_t *c, http_req_t *req, const struct route *rt, http_resp_t *resp)
{
}

int
main(void)
{
	struct event_base *base = event_base_new();
	http_conn_opts_t o;
	char path[] = "/tmp/bs-http-conn-XXXXXX";
	int sv[2], fd;
	http_conn_t *c;

	memset(&o, 0, sizeof(o));
	o.limits.max_header_bytes = 8192;
	o.limits.max_target = 2048;
	o.header_timeout = o.idle_timeout = o.write_timeout = 10;
	o.deadlines = http_conn_deadlines_new(base);
	o.handle = handle;
	o.closed = on_closed;

	/* A connection that is set up: counted open by the caller, closed once. */
	ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	c = http_conn_new(base, sv[0], "unix", &o);
	ok(c != NULL, "a socket becomes a connection");
	if (c)
		open_count++;
	http_conn_free(c);
	is_int(open_count, 0, "closed() once for a connection that was opened");
	close(sv[1]);

	/* A descriptor epoll refuses (a regular file: EPERM): http_conn_new
	 * fails, and the connection never counted open is not counted closed. */
	fd = mkstemp(path);
	ok(fd >= 0, "temp file");
	unlink(path);
	c = http_conn_new(base, fd, "unix", &o);
	ok(c == NULL, "a descriptor that cannot be watched fails http_conn_new");
	if (c)
		open_count++;
	http_conn_free(c);
	is_int(open_count, 0, "no closed() for a connection that never opened");
	ok(fcntl(fd, F_GETFD) < 0, "its descriptor is closed all the same");

	deadline_set_free(o.deadlines);
	event_base_free(base);
	return unit_done();
}
