/* control: see control.h. */
#include "serve/control.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"

struct control {
	struct evconnlistener *l;
	control_status_fn fn;
	void *arg;
	char *path;
};

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	bufferevent_free(bev);
}

static void
client_written(struct bufferevent *bev, void *arg)
{
	bufferevent_free(bev);
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	control_t *a = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line = evbuffer_readln(in, NULL, EVBUFFER_EOL_LF);
	strbuf_t out;

	if (line == NULL) {
		if (evbuffer_get_length(in) > 256)
			bufferevent_free(bev);
		return;
	}
	strbuf_init(&out);
	if (strcmp(line, "status") == 0)
		a->fn(&out, 1, a->arg);
	else if (strcmp(line, "status text") == 0)
		a->fn(&out, 0, a->arg);
	else
		strbuf_adds(&out, "{\"error\":\"unknown command\"}");
	strbuf_addc(&out, '\n');
	free(line);
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, client_written, client_event, a);
	bufferevent_write(bev, out.s, out.len);
	strbuf_release(&out);
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct bufferevent *bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	struct timeval tv = { 5, 0 };

	if (bev == NULL) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, client_read, NULL, client_event, arg);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ);
}

control_t *
control_new(struct event_base *base, const char *path, control_status_fn fn, void *arg)
{
	struct sockaddr_un sun;
	control_t *a;
	int fd;
	mode_t old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_err("admin socket path too long: %s", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	(void)unlink(path);
	/* Created 0600 from the start: no window where others could connect. */
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0) {
		umask(old);
		log_err("cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	umask(old);
	a = xcalloc(1, sizeof(*a));
	a->fn = fn;
	a->arg = arg;
	a->path = xstrdup(path);
	a->l = evconnlistener_new(base, on_accept, a, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
	    -1, fd);
	if (a->l == NULL) {
		close(fd);
		control_free(a);
		return NULL;
	}
	return a;
}

void
control_free_(control_t *a)
{
	if (a == NULL)
		return;
	if (a->l)
		evconnlistener_free(a->l);
	free(a->path);
	free(a);
}

char *
control_request(const char *path, const char *cmd)
{
	struct sockaddr_un sun;
	struct timeval tv = { 5, 0 };
	strbuf_t b;
	char buf[4096];
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		log_err("cannot reach the running server at %s: %s (is `broadside serve` running?)",
		    path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (write(fd, cmd, strlen(cmd)) < 0 || write(fd, "\n", 1) < 0) {
		close(fd);
		return NULL;
	}
	strbuf_init(&b);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		strbuf_add(&b, buf, (size_t)r);
	}
	close(fd);
	return strbuf_detach(&b);
}

