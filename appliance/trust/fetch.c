/* fetch: see fetch.h. */
#include "trust/fetch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <http_parser.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/util.h"

#define IO_TIMEOUT_S 120       /* a first onion connection can take a minute */
#define READ_BUF (256 * 1024)

struct fetch {
	char *host;
	int port;
	char *socks_host;
	int socks_port;            /* 0: direct */
	int fd;
	uint8_t *buf;
	int64_t deadline_ms, min_rate, min_rate_time_s;
	int deadline_passed;
};

/* Per-response parser state. */
struct resp {
	fetch_body_fn fn;
	void *arg;
	fetch_result_t *res;
	char field[64], value[128];
	size_t flen, vlen;
	int in_value, complete, stopped, keep_alive;
};

/* Seconds a blocking call may wait: IO_TIMEOUT_S, or less before the deadline. */
static int64_t
io_timeout_s(const fetch_t *f)
{
	int64_t left;

	if (f->deadline_ms == 0)
		return IO_TIMEOUT_S;
	left = (f->deadline_ms - now_ms() + 999) / 1000;
	return left < 1 ? 1 : left < IO_TIMEOUT_S ? left : IO_TIMEOUT_S;
}

static int
connect_tcp(const fetch_t *f, const char *host, int port, char *err, size_t errlen)
{
	struct addrinfo hints, *ai = NULL;
	char portstr[16];
	struct timeval tv = { (time_t)io_timeout_s(f), 0 };
	int fd = -1, one = 1, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	/* Only numeric addresses: no DNS lookups outside tor. */
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((r = getaddrinfo(host, portstr, &hints, &ai)) != 0) {
		snprintf(err, errlen, "%s is not a numeric address: %s", host, gai_strerror(r));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		snprintf(err, errlen, "cannot connect to %s:%d: %s", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	} else {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	freeaddrinfo(ai);
	return fd;
}

static int
send_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
recv_all(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(fd, p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static const char *
socks_reply_text(int code)
{
	/* RFC 1928 6; tor maps onion failures onto these. */
	switch (code) {
	case 1: return "general failure (for an onion: its descriptor could not be fetched)";
	case 2: return "not allowed by the proxy's rules";
	case 3: return "network unreachable";
	case 4: return "host unreachable (the onion service may be down)";
	case 5: return "connection refused";
	case 6: return "TTL expired (the onion service did not answer in time)";
	case 7: return "command not supported";
	case 8: return "address type not supported";
	default: return "unknown SOCKS error";
	}
}

/* RFC 1928 CONNECT with the host name (ATYP 3): tor resolves it. */
static int
socks5_connect(fetch_t *f, char *err, size_t errlen)
{
	uint8_t req[300], rep[4];
	size_t hl = strlen(f->host), n = 0;
	int fd = connect_tcp(f, f->socks_host, f->socks_port, err, errlen);

	if (fd < 0)
		return -1;
	if (hl > 255) {
		snprintf(err, errlen, "host name too long");
		goto fail;
	}
	if (send_all(fd, "\x05\x01\x00", 3) < 0 || recv_all(fd, rep, 2) < 0 || rep[0] != 5 || rep[1] != 0) {
		snprintf(err, errlen, "the SOCKS proxy at %s:%d refused us (is it tor's SocksPort?)",
		    f->socks_host, f->socks_port);
		goto fail;
	}
	req[n++] = 5;
	req[n++] = 1;
	req[n++] = 0;
	req[n++] = 3;
	req[n++] = (uint8_t)hl;
	memcpy(req + n, f->host, hl);
	n += hl;
	req[n++] = (uint8_t)(f->port >> 8);
	req[n++] = (uint8_t)f->port;
	if (send_all(fd, req, n) < 0 || recv_all(fd, rep, 4) < 0 || rep[0] != 5) {
		snprintf(err, errlen, "the SOCKS proxy closed the connection");
		goto fail;
	}
	if (rep[1] != 0) {
		snprintf(err, errlen, "SOCKS: %s", socks_reply_text(rep[1]));
		goto fail;
	}
	/* Skip the bound address. */
	n = rep[3] == 1 ? 6 : rep[3] == 4 ? 18 : 0;
	if (rep[3] == 3) {
		if (recv_all(fd, rep, 1) < 0)
			goto fail;
		n = (size_t)rep[0] + 2;
	}
	if (n == 0 || recv_all(fd, req, n) < 0) {
		snprintf(err, errlen, "bad SOCKS reply");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

fetch_t *
fetch_new(const char *host, int port, const char *socks)
{
	fetch_t *f = xcalloc(1, sizeof(*f));

	f->host = xstrdup(host);
	f->port = port;
	f->fd = -1;
	f->buf = xmalloc(READ_BUF);
	if (socks) {
		const char *colon = strrchr(socks, ':');
		int64_t p;
		if (colon == NULL || parse_int64(colon + 1, 1, 65535, &p) < 0) {
			fetch_free_(f);
			return NULL;
		}
		f->socks_host = xstrndup(socks, (size_t)(colon - socks));
		if (f->socks_host[0] == '[') {   /* [::1]:9050 */
			size_t l = strlen(f->socks_host);
			memmove(f->socks_host, f->socks_host + 1, l);
			if (l >= 2 && f->socks_host[l - 2] == ']')
				f->socks_host[l - 2] = '\0';
		}
		f->socks_port = (int)p;
	}
	return f;
}

void
fetch_free_(fetch_t *f)
{
	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->host);
	free(f->socks_host);
	free(f->buf);
	free(f);
}

static void
header_done(struct resp *r)
{
	r->field[r->flen] = '\0';
	r->value[r->vlen] = '\0';
	if (strcasecmp(r->field, "Content-Range") == 0 && strncmp(r->value, "bytes ", 6) == 0) {
		char *end;
		long long v = strtoll(r->value + 6, &end, 10);
		if (end != r->value + 6 && *end == '-' && v >= 0)
			r->res->range_start = v;
	}
	r->flen = r->vlen = 0;
	r->in_value = 0;
}

static int
on_field(http_parser *p, const char *at, size_t n)
{
	struct resp *r = p->data;
	if (r->in_value)
		header_done(r);
	size_t take = n < sizeof(r->field) - 1 - r->flen ? n : sizeof(r->field) - 1 - r->flen;
	memcpy(r->field + r->flen, at, take);
	r->flen += take;
	return 0;
}

static int
on_value(http_parser *p, const char *at, size_t n)
{
	struct resp *r = p->data;
	size_t take = n < sizeof(r->value) - 1 - r->vlen ? n : sizeof(r->value) - 1 - r->vlen;
	memcpy(r->value + r->vlen, at, take);
	r->vlen += take;
	r->in_value = 1;
	return 0;
}

static int
on_headers(http_parser *p)
{
	struct resp *r = p->data;
	if (r->in_value)
		header_done(r);
	r->res->status = p->status_code;
	if (p->content_length != ULLONG_MAX)
		r->res->content_length = (int64_t)p->content_length;
	r->keep_alive = http_should_keep_alive(p);
	return 0;
}

static int
on_body(http_parser *p, const char *at, size_t n)
{
	struct resp *r = p->data;
	r->res->received += (int64_t)n;
	if (r->fn && r->fn(r->arg, (const uint8_t *)at, n) != 0) {
		r->stopped = 1;
		return -1;
	}
	return 0;
}

static int
on_complete(http_parser *p)
{
	struct resp *r = p->data;
	r->complete = 1;
	http_parser_pause(p, 1);
	return 0;
}

#define EXCHANGE_RETRY 1

/* One request/response on the open connection. 0 complete, FETCH_* on
 * failure, EXCHANGE_RETRY if the kept-alive connection was closed before any
 * response byte. */
static int
exchange(fetch_t *f, const char *path, int64_t from, const char *etag, fetch_body_fn fn, void *arg,
    fetch_result_t *res, char *err, size_t errlen)
{
	static http_parser_settings settings;
	http_parser parser;
	struct resp r;
	strbuf_t req;
	int64_t got_any = 0, win_start, win_bytes = 0, last_byte;
	int rc = -1;

	http_parser_settings_init(&settings);
	settings.on_header_field = on_field;
	settings.on_header_value = on_value;
	settings.on_headers_complete = on_headers;
	settings.on_body = on_body;
	settings.on_message_complete = on_complete;
	memset(&r, 0, sizeof(r));
	r.fn = fn;
	r.arg = arg;
	r.res = res;
	http_parser_init(&parser, HTTP_RESPONSE);
	parser.data = &r;
	strbuf_init(&req);
	strbuf_addf(&req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: broadside-mirror\r\n", path, f->host);
	if (from > 0) {
		strbuf_addf(&req, "Range: bytes=%lld-\r\n", (long long)from);
		if (etag)
			strbuf_addf(&req, "If-Range: \"%s\"\r\n", etag);
	}
	strbuf_adds(&req, "\r\n");
	if (send_all(f->fd, req.s, req.len) < 0) {
		rc = EXCHANGE_RETRY;
		goto done;
	}
	win_start = last_byte = now_ms();
	while (!r.complete) {
		int64_t now = now_ms(), wait = IO_TIMEOUT_S * 1000 - (now - last_byte);
		struct pollfd pfd = { f->fd, POLLIN, 0 };
		if (f->deadline_ms && now >= f->deadline_ms) {
			f->deadline_passed = 1;
			snprintf(err, errlen, "the deadline passed");
			rc = FETCH_DEADLINE;
			goto done;
		}
		if (f->min_rate && now - win_start >= f->min_rate_time_s * 1000) {
			if (win_bytes < f->min_rate * f->min_rate_time_s) {
				snprintf(err, errlen, "slower than %lld bytes/s for %lld s", (long long)f->min_rate,
				    (long long)f->min_rate_time_s);
				rc = FETCH_TOO_SLOW;
				goto done;
			}
			win_start = now;
			win_bytes = 0;
		}
		if (wait <= 0) {
			snprintf(err, errlen, "receive: nothing for %d s", IO_TIMEOUT_S);
			goto done;
		}
		/* Wake at least once a second to check the bounds above. */
		if ((f->deadline_ms || f->min_rate) && wait > 1000)
			wait = 1000;
		int pr = poll(&pfd, 1, (int)wait);
		if (pr < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			goto done;
		}
		if (pr <= 0)
			continue;
		ssize_t n = recv(f->fd, f->buf, READ_BUF, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			snprintf(err, errlen, "receive: %s", strerror(errno));
			goto done;
		}
		if (n > 0) {
			last_byte = now_ms();
			win_bytes += n;
		}
		if (n == 0) {
			/* EOF ends a body without length (and nothing else). */
			http_parser_execute(&parser, &settings, NULL, 0);
			if (r.complete)
				break;
			if (got_any == 0)
				rc = EXCHANGE_RETRY;
			snprintf(err, errlen, "the connection closed mid-response");
			goto done;
		}
		got_any += n;
		size_t used = http_parser_execute(&parser, &settings, (const char *)f->buf, (size_t)n);
		if (r.stopped) {
			snprintf(err, errlen, "stopped by the receiver");
			goto done;
		}
		if (HTTP_PARSER_ERRNO(&parser) != HPE_OK && HTTP_PARSER_ERRNO(&parser) != HPE_PAUSED) {
			snprintf(err, errlen, "bad HTTP response: %s", http_errno_description(HTTP_PARSER_ERRNO(&parser)));
			goto done;
		}
		if (r.complete && used != (size_t)n) {
			/* We never pipeline: bytes after the response are a protocol error. */
			r.keep_alive = 0;
		}
	}
	rc = 0;
done:
	if (rc != 0 || !r.keep_alive) {
		close(f->fd);
		f->fd = -1;
	}
	strbuf_release(&req);
	return rc;
}

int
fetch_get(fetch_t *f, const char *path, int64_t from, const char *etag, fetch_body_fn fn, void *arg,
    fetch_result_t *res, char *err, size_t errlen)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int reused = f->fd >= 0, rc;
		memset(res, 0, sizeof(*res));
		res->range_start = -1;
		res->content_length = -1;
		if (f->deadline_ms && now_ms() >= f->deadline_ms) {
			f->deadline_passed = 1;
			snprintf(err, errlen, "the deadline passed");
			return FETCH_DEADLINE;
		}
		if (f->fd < 0) {
			f->fd = f->socks_port ? socks5_connect(f, err, errlen) :
			    connect_tcp(f, f->host, f->port, err, errlen);
			if (f->fd < 0)
				return -1;
		}
		rc = exchange(f, path, from, etag, fn, arg, res, err, errlen);
		if (rc == 0 || rc == FETCH_DEADLINE || rc == FETCH_TOO_SLOW)
			return rc;
		if (rc == EXCHANGE_RETRY && reused)
			continue;     /* the server closed an idle kept-alive connection */
		if (rc == EXCHANGE_RETRY)
			snprintf(err, errlen, "the server closed the connection without answering");
		return -1;
	}
	return -1;
}

void
fetch_set_limits(fetch_t *f, int64_t deadline_ms, int64_t min_rate, int64_t min_rate_time_s)
{
	f->deadline_ms = deadline_ms;
	f->min_rate = min_rate_time_s > 0 ? min_rate : 0;
	f->min_rate_time_s = min_rate_time_s;
}

int
fetch_deadline_passed(const fetch_t *f)
{
	return f->deadline_passed;
}

int
fetch_parse_url(const char *url, char **host, int *port, char **path)
{
	const char *h, *end, *colon;
	int64_t p = 80;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	h = url + 7;
	end = h + strcspn(h, "/?#");
	colon = memchr(h, ':', (size_t)(end - h));
	if (colon) {
		char *ps = xstrndup(colon + 1, (size_t)(end - colon - 1));
		int bad = parse_int64(ps, 1, 65535, &p) < 0;
		free(ps);
		if (bad)
			return -1;
	} else {
		colon = end;
	}
	if (colon == h)
		return -1;
	for (const char *c = h; c < colon; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    *c == '.' || *c == '-'))
			return -1;
	*host = xstrndup(h, (size_t)(colon - h));
	*port = (int)p;
	*path = xstrdup(*end == '/' ? end : "/");
	return 0;
}

char *
fetch_path_encode(const char *path)
{
	static const char hx[] = "0123456789ABCDEF";
	strbuf_t b;

	strbuf_init(&b);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/') {
			strbuf_addc(&b, (char)*p);
		} else {
			strbuf_addc(&b, '%');
			strbuf_addc(&b, hx[*p >> 4]);
			strbuf_addc(&b, hx[*p & 15]);
		}
	}
	return strbuf_detach(&b);
}
