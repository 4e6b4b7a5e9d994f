/* ctlrelay: see ctlrelay.h. */
#include "onion/ctlrelay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "base/text.h"
#include "base/util.h"
#include "onion/ctlfilter.h"
#include "onion/torctl.h"

#define CLIENTS_MAX   16
#define QUEUE_MAX     256              /* answers owed to a client, in order */
#define IN_MAX        (CTLFILTER_COMMAND_MAX + 16384)
#define LINE_MAX_LEN  65536            /* one line of a reply from tor */
#define WRITE_WAIT_S  5

static const char refused[] = "510 Command refused by the control filter\r\n";
static const char auth_ok[] = "250 OK\r\n";

struct client {
	int cfd, ufd, profile, dead;
	char *in, *up;                 /* client's bytes; tor's partial line */
	size_t inlen, uplen;
	const char *queue[QUEUE_MAX];  /* NULL: tor's reply; else our answer */
	size_t qhead, qlen;
	ctlfilter_rstate_t rs;
};

struct ctlrelay {
	char *ctl_path, *cookie_path;
	int check_fd;                  /* ours, to read tor's options; -1: none */
	int held;                      /* tor started offline (ctlrelay_hold) */
	int64_t held_ms, hold_max_ms;
	char protocolinfo[256];
	struct client *c[CLIENTS_MAX];
	size_t n;
};

ctlrelay_t *
ctlrelay_new(const char *ctl_path, const char *cookie_path)
{
	ctlrelay_t *r = xcalloc(1, sizeof(*r));

	r->ctl_path = xstrdup(ctl_path);
	r->cookie_path = xstrdup(cookie_path);
	r->check_fd = -1;
	return r;
}

static void
client_free(struct client *c)
{
	close(c->cfd);
	if (c->ufd >= 0)
		close(c->ufd);
	free(c->in);
	free(c->up);
	free(c);
}

void
ctlrelay_free_(ctlrelay_t *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		client_free(r->c[i]);
	if (r->check_fd >= 0)
		close(r->check_fd);
	free(r->ctl_path);
	free(r->cookie_path);
	free(r);
}

size_t
ctlrelay_count(const ctlrelay_t *r)
{
	return r->n;
}

static int
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
set_timeouts(int fd)
{
	struct timeval tv = { WRITE_WAIT_S, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* Read one whole reply (blocking, with the socket's timeout) into buf. */
static int
read_reply(int fd, char *buf, size_t size)
{
	ctlfilter_rstate_t rs = { 0 };
	size_t len = 0, line = 0;

	while (len + 1 < size) {
		ssize_t got = recv(fd, buf + len, size - 1 - len, 0);
		if (got <= 0)
			return -1;
		len += (size_t)got;
		for (char *nl; (nl = memchr(buf + line, '\n', len - line)) != NULL; ) {
			size_t end = (size_t)(nl - buf) + 1;
			int k = ctlfilter_reply_line(&rs, buf + line, end - line);
			if (k < 0)
				return -1;
			line = end;
			if (k == CTLFILTER_R_REPLY) {
				buf[end] = '\0';
				return 0;
			}
		}
	}
	return -1;
}

/* Our own connection to tor, authenticated with the cookie. */
static int
upstream(ctlrelay_t *r)
{
	struct sockaddr_un sa;
	char buf[1024], hex[2 * TORCTL_COOKIE_LEN + 1];
	size_t clen = 0;
	char *cookie = NULL, *v;
	int fd, e;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", r->ctl_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	set_timeouts(fd);
	cookie = read_file_small(r->cookie_path, 64, &clen);
	if (cookie == NULL || clen != TORCTL_COOKIE_LEN) {
		errno = cookie ? EPROTO : errno;
		goto fail;
	}
	text_hex(hex, (const uint8_t *)cookie, clen);
	snprintf(buf, sizeof(buf), "AUTHENTICATE %s\r\n", hex);
	explicit_bzero(cookie, clen);
	explicit_bzero(hex, sizeof(hex));
	if (send_all(fd, buf, strlen(buf)) < 0 || read_reply(fd, buf, sizeof(buf)) < 0 ||
	    strncmp(buf, "250 ", 4) != 0) {
		errno = EACCES;
		goto fail;
	}
	if (send_all(fd, "GETINFO version\r\n", 17) < 0 ||
	    read_reply(fd, buf, sizeof(buf)) < 0) {
		errno = EPROTO;
		goto fail;
	}
	v = strstr(buf, "version=");
	snprintf(r->protocolinfo, sizeof(r->protocolinfo),
	    "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250-VERSION Tor=\"%.*s\"\r\n250 OK\r\n",
	    v ? (int)strcspn(v + 8, " \r\n\"") : 0, v ? v + 8 : "");
	free(cookie);
	return fd;
fail:
	e = errno;
	free(cookie);
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

int
ctlrelay_add(ctlrelay_t *r, int client_fd, int profile)
{
	struct client *c;
	int ufd;

	if (r->n == CLIENTS_MAX) {
		close(client_fd);
		errno = EMFILE;
		return -1;
	}
	if ((ufd = upstream(r)) < 0) {
		int e = errno;
		close(client_fd);
		errno = e;
		return -1;
	}
	c = xcalloc(1, sizeof(*c));
	c->cfd = client_fd;
	c->ufd = ufd;
	c->profile = profile;
	c->in = xmalloc(IN_MAX);
	c->up = xmalloc(LINE_MAX_LEN);
	set_timeouts(client_fd);
	r->c[r->n++] = c;
	log_debug("control filter: a %s client connected", ctlfilter_profile_name(profile));
	return 0;
}

size_t
ctlrelay_pollfds(const ctlrelay_t *r, struct pollfd *p, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n && k + 2 <= max; i++) {
		p[k++] = (struct pollfd){ r->c[i]->cfd, POLLIN, 0 };
		p[k++] = (struct pollfd){ r->c[i]->ufd, POLLIN, 0 };
	}
	return k;
}

/* An answer of ours: now if nothing from tor is owed before it, else queued. */
static int
answer(struct client *c, const char *text)
{
	if (c->qlen == 0)
		return send_all(c->cfd, text, strlen(text));
	if (c->qlen == QUEUE_MAX)
		return -1;
	c->queue[(c->qhead + c->qlen++) % QUEUE_MAX] = text;
	return 0;
}

/* One command on our own connection, its whole reply in reply; 0 or -1. */
static int
check_cmd(ctlrelay_t *r, const char *cmd, size_t len, char *reply, size_t size)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (r->check_fd < 0 && (r->check_fd = upstream(r)) < 0)
			return -1;
		if (send_all(r->check_fd, cmd, len) == 0 &&
		    read_reply(r->check_fd, reply, size) == 0)
			return 0;
		close(r->check_fd);   /* tor restarted: once more on a new one */
		r->check_fd = -1;
	}
	return -1;
}

void
ctlrelay_hold(ctlrelay_t *r, int held, int max_ms)
{
	r->held = held;
	r->held_ms = now_ms();
	r->hold_max_ms = max_ms;
}

int
ctlrelay_held(const ctlrelay_t *r)
{
	return r->held;
}

/* tor goes online: with cmd's layer-3 setting in the same SETCONF (tor applies
 * one SETCONF at once, so no circuit is built before the layers), or alone
 * (cmd NULL). 0, or -1 (tor stays as it was). */
static int
release(ctlrelay_t *r, const char *cmd, size_t len)
{
	char buf[8192], reply[512];   /* layer 3: 64 fingerprints at most */
	int n;

	if (cmd)
		n = snprintf(buf, sizeof(buf), "%.*s DisableNetwork=0\r\n", (int)(len - 2), cmd);
	else
		n = snprintf(buf, sizeof(buf), "SETCONF DisableNetwork=0\r\n");
	if (n < 0 || (size_t)n >= sizeof(buf) || check_cmd(r, buf, (size_t)n, reply,
	    sizeof(reply)) < 0 || strncmp(reply, "250 ", 4) != 0)
		return -1;
	r->held = 0;
	return 0;
}

void
ctlrelay_tick(ctlrelay_t *r)
{
	if (!r->held || now_ms() - r->held_ms < r->hold_max_ms)
		return;
	if (release(r, NULL, 0) == 0)
		log_warn("control filter: vanguards pinned no layers within %lld s of tor's "
		    "start; tor goes online with its own", (long long)(r->hold_max_ms / 1000));
	else
		r->held_ms = now_ms();   /* tor not answering yet: try again later */
}

/* A vanguards SETCONF of HSLayer3Nodes, the last of its settings. */
static int
is_layer3(const char *cmd, size_t len)
{
	char getconf[160], expect[4096];

	return ctlfilter_setconf_query(cmd, len, getconf, sizeof(getconf), expect,
	    sizeof(expect)) == 0 && strcasecmp(getconf, "GETCONF HSLayer3Nodes\r\n") == 0;
}

/* vanguards sets its options again at every consensus, changed or not, and
 * tor 0.4.9 answers every SETCONF, even one that changes nothing, by
 * uploading its onion descriptors again (16 circuits each time, which stay
 * open): a SETCONF of the value tor already holds is answered here. tor's
 * value is read each time on a connection of our own, never remembered: a
 * restarted or reloaded tor (SIGHUP goes back to the torrc) gets the SETCONF.
 * 1 if tor holds cmd's value; 0 if not, or if we cannot tell. */
static int
setconf_unchanged(ctlrelay_t *r, const char *cmd, size_t len)
{
	char getconf[160], expect[4096], reply[4096];

	if (ctlfilter_setconf_query(cmd, len, getconf, sizeof(getconf), expect,
	    sizeof(expect)) < 0 || check_cmd(r, getconf, strlen(getconf), reply, sizeof(reply)) < 0)
		return 0;
	return strcasecmp(reply, expect) == 0;
}

static int
from_client(ctlrelay_t *r, struct client *c)
{
	ssize_t got = recv(c->cfd, c->in + c->inlen, IN_MAX - c->inlen, MSG_DONTWAIT);
	ssize_t n;

	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (got <= 0)
		return -1;
	c->inlen += (size_t)got;
	while ((n = ctlfilter_command_len(c->in, c->inlen)) != 0) {
		const char *why;
		char desc[120];
		int rc = 0;

		if (n < 0) {
			ctlfilter_describe(c->in, c->inlen, desc, sizeof(desc));
			log_warn("control filter (%s): malformed command \"%s\"; closing the "
			    "connection", ctlfilter_profile_name(c->profile), desc);
			return -1;
		}
		switch (ctlfilter_check(c->profile, c->in, (size_t)n, &why)) {
		case CTLFILTER_PASS:
			if (c->profile == CTLFILTER_VANGUARDS && c->qlen == 0 && r->held &&
			    is_layer3(c->in, (size_t)n) && release(r, c->in, (size_t)n) == 0) {
				log_info("control filter: vanguards pinned its layers; tor goes online");
				rc = answer(c, auth_ok);
				break;
			}
			if (c->profile == CTLFILTER_VANGUARDS && c->qlen == 0 &&
			    setconf_unchanged(r, c->in, (size_t)n)) {
				log_debug("control filter (vanguards): tor holds that value "
				    "already; SETCONF answered here");
				rc = answer(c, auth_ok);
				break;
			}
			if (c->qlen == QUEUE_MAX)
				return -1;
			rc = send_all(c->ufd, c->in, (size_t)n);
			c->queue[(c->qhead + c->qlen++) % QUEUE_MAX] = NULL;
			break;
		case CTLFILTER_PROTOCOLINFO:
			rc = answer(c, r->protocolinfo);
			break;
		case CTLFILTER_AUTHENTICATE:
			rc = answer(c, auth_ok);
			break;
		case CTLFILTER_REFUSE:
			ctlfilter_describe(c->in, (size_t)n, desc, sizeof(desc));
			log_warn("control filter (%s): refused \"%s\": %s",
			    ctlfilter_profile_name(c->profile), desc, why);
			rc = answer(c, refused);
			break;
		}
		if (rc < 0)
			return -1;
		memmove(c->in, c->in + n, c->inlen - (size_t)n);
		c->inlen -= (size_t)n;
	}
	if (c->inlen == IN_MAX)
		return -1;
	return 0;
}

static int
from_tor(struct client *c)
{
	ssize_t got = recv(c->ufd, c->up + c->uplen, LINE_MAX_LEN - c->uplen, MSG_DONTWAIT);
	size_t line = 0, sent = 0;

	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (got <= 0)
		return -1;
	c->uplen += (size_t)got;
	/* Lines go on in one write per batch (GETINFO ns/all is thousands),
	 * cut only where an answer of ours must follow a reply. */
	for (char *nl; (nl = memchr(c->up + line, '\n', c->uplen - line)) != NULL; ) {
		size_t end = (size_t)(nl - c->up) + 1;
		int k = ctlfilter_reply_line(&c->rs, c->up + line, end - line);
		if (k < 0)
			return -1;
		line = end;
		if (k != CTLFILTER_R_REPLY)
			continue;
		/* The reply to the oldest command we passed; then our answers
		 * that waited behind it. */
		if (c->qlen == 0 || c->queue[c->qhead] != NULL)
			return -1;
		c->qhead = (c->qhead + 1) % QUEUE_MAX;
		c->qlen--;
		if (c->qlen == 0 || c->queue[c->qhead] == NULL)
			continue;
		if (send_all(c->cfd, c->up + sent, line - sent) < 0)
			return -1;
		sent = line;
		while (c->qlen > 0 && c->queue[c->qhead] != NULL) {
			if (send_all(c->cfd, c->queue[c->qhead], strlen(c->queue[c->qhead])) < 0)
				return -1;
			c->qhead = (c->qhead + 1) % QUEUE_MAX;
			c->qlen--;
		}
	}
	if (line > sent && send_all(c->cfd, c->up + sent, line - sent) < 0)
		return -1;
	memmove(c->up, c->up + line, c->uplen - line);
	c->uplen -= line;
	return c->uplen == LINE_MAX_LEN ? -1 : 0;
}

void
ctlrelay_handle(ctlrelay_t *r, const struct pollfd *p, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n && k + 2 <= n; i++, k += 2) {
		struct client *c = r->c[i];
		if (p[k].fd != c->cfd || p[k + 1].fd != c->ufd)
			continue;   /* added since the poll */
		if ((p[k + 1].revents & (POLLIN | POLLHUP | POLLERR)) && from_tor(c) < 0)
			c->dead = 1;
		if (!c->dead && (p[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    from_client(r, c) < 0)
			c->dead = 1;
	}
	for (size_t i = 0; i < r->n; ) {
		if (!r->c[i]->dead) {
			i++;
			continue;
		}
		log_debug("control filter: a %s client is gone",
		    ctlfilter_profile_name(r->c[i]->profile));
		client_free(r->c[i]);
		r->c[i] = r->c[--r->n];
	}
}
