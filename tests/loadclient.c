/* loadclient: many simulated tor circuits against broadside's Unix socket.
 * Every connection starts with the PROXY line tor writes
 * (HiddenServiceExportCircuitID haproxy), so each circuit id is one "reader".
 *
 *   loadclient SOCK dl SECONDS PATH CIRCUIT:CONNS...
 *       parallel downloads; per circuit: bytes/s over [2 s, SECONDS], statuses;
 *       then Jain's fairness index across circuits.
 *   loadclient SOCK burst CIRCUIT N PATH
 *       N requests back to back on keep-alive connections; status counts and
 *       whether every refusal carried Retry-After.
 *   loadclient SOCK conns CIRCUIT N PATH
 *       N connections at once, one request each; status counts.
 *   loadclient SOCK slowloris N SECONDS INTERVAL FIRST_CIRCUIT
 *       N sockets on N circuits sending a request head one byte per INTERVAL
 *       seconds, reconnecting when closed.
 *   loadclient SOCK get CIRCUIT N PATH
 *       N requests, each on a new connection; latency p50/p99/max, statuses.
 * Output is "key value" lines for the test scripts. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *sock_path;

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
connect_unix(int nonblock)
{
	struct sockaddr_un sun;
	/* Non-blocking from the start: a full backlog is a failed attempt. */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock_path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
proxy_line(char *buf, size_t len, uint32_t circuit)
{
	return snprintf(buf, len, "PROXY TCP6 fc00:dead:beef:4dad::%x:%x ::1 %u 80\r\n",
	    circuit >> 16, circuit & 0xffff, circuit & 0xffff);
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read one response on a blocking fd: status, whether Retry-After was there,
 * and the body (discarded). -1 on a closed connection. */
static int
read_response(int fd, int *retry_after, int *closes)
{
	char buf[65536];
	size_t have = 0;
	char *end = NULL;
	long long clen = 0;
	int status;

	while (end == NULL) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
		return -1;
	*retry_after = strcasestr(buf, "\r\nRetry-After: ") != NULL && strcasestr(buf, "\r\nRetry-After: ") < end;
	*closes = strcasestr(buf, "\r\nConnection: close") != NULL;
	char *cl = strcasestr(buf, "\r\nContent-Length: ");
	if (cl)
		clen = atoll(cl + 18);
	long long body = (long long)have - (end + 4 - buf);
	while (body < clen) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			return -1;
		body += r;
	}
	return status;
}

struct counts {
	int n[600];
	int refused_without_retry;
	int closed;
};

static void
count(struct counts *c, int status, int retry)
{
	if (status < 0) {
		c->closed++;
		return;
	}
	if (status < 600)
		c->n[status]++;
	if ((status == 429 || status == 503) && !retry)
		c->refused_without_retry++;
}

static void
print_counts(const struct counts *c)
{
	for (int i = 0; i < 600; i++)
		if (c->n[i])
			printf("status %d %d\n", i, c->n[i]);
	printf("closed %d\nrefused_without_retry_after %d\n", c->closed, c->refused_without_retry);
}

static int
request(int fd, uint32_t circuit, const char *path, int with_proxy)
{
	char req[1024];
	int n = with_proxy ? proxy_line(req, sizeof(req), circuit) : 0;
	n += snprintf(req + n, sizeof(req) - (size_t)n, "GET %s HTTP/1.1\r\nHost: x.onion\r\n\r\n", path);
	return write_all(fd, req, (size_t)n);
}

static int
mode_burst(uint32_t circuit, int n, const char *path)
{
	struct counts c;
	int fd = -1;

	memset(&c, 0, sizeof(c));
	for (int i = 0; i < n; i++) {
		int retry = 0, closes = 0, st;
		int fresh = fd < 0;
		if (fd < 0 && (fd = connect_unix(0)) < 0) {
			count(&c, -1, 0);
			continue;
		}
		if (request(fd, circuit, path, fresh) < 0)
			st = -1;
		else
			st = read_response(fd, &retry, &closes);
		count(&c, st, retry);
		if (st < 0 || closes) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	print_counts(&c);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int
mode_get(uint32_t circuit, int n, const char *path)
{
	struct counts c;
	double *lat = calloc((size_t)n, sizeof(double));

	memset(&c, 0, sizeof(c));
	for (int i = 0; i < n; i++) {
		double t0 = now();
		int retry = 0, closes = 0, st = -1, fd = connect_unix(0);
		if (fd >= 0) {
			struct timeval tv = { 10, 0 };
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			if (request(fd, circuit, path, 1) == 0)
				st = read_response(fd, &retry, &closes);
			close(fd);
		}
		lat[i] = now() - t0;
		count(&c, st, retry);
	}
	qsort(lat, (size_t)n, sizeof(double), cmp_double);
	printf("p50_ms %.1f\np99_ms %.1f\nmax_ms %.1f\n", lat[n / 2] * 1000,
	    lat[(int)(n * 0.99) < n ? (int)(n * 0.99) : n - 1] * 1000, lat[n - 1] * 1000);
	print_counts(&c);
	free(lat);
	return 0;
}

/* ---- event-driven modes ---- */

struct conn {
	int fd;
	int circuit_idx;
	uint32_t circuit;
	int head_done, status;
	long long bytes, bytes_mark;
	char head[4096];
	size_t hlen;
	size_t sent;        /* slowloris: bytes of the head sent */
	double next_send;
};

static int
mode_conns(uint32_t circuit, int n, const char *path)
{
	struct counts c;
	int *fds = calloc((size_t)n, sizeof(int));

	memset(&c, 0, sizeof(c));
	for (int i = 0; i < n; i++) {
		fds[i] = connect_unix(0);
		if (fds[i] >= 0) {
			struct timeval tv = { 10, 0 };
			setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
	}
	/* Send every request first so all connections are open at once. */
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0 && request(fds[i], circuit, path, 1) < 0) {
			close(fds[i]);
			fds[i] = -1;
		}
	/* Close none before every answer is in: a closed connection frees a
	 * place under the cap, and a slow server (ASan) could then admit one
	 * it has not looked at yet. */
	for (int i = 0; i < n; i++) {
		int retry = 0, closes = 0, st = -1;
		if (fds[i] >= 0)
			st = read_response(fds[i], &retry, &closes);
		count(&c, st, retry);
	}
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	print_counts(&c);
	free(fds);
	return 0;
}

static int
mode_dl(double secs, const char *path, int nspec, char **spec)
{
	int ncirc = nspec, total = 0, ep = epoll_create1(EPOLL_CLOEXEC);
	uint32_t *ids = calloc((size_t)ncirc, sizeof(uint32_t));
	int *per = calloc((size_t)ncirc, sizeof(int));
	struct conn *cs;
	double t0, mark_at, end;
	int marked = 0;

	for (int i = 0; i < nspec; i++) {
		unsigned id;
		if (sscanf(spec[i], "%x:%d", &id, &per[i]) != 2)
			return 2;
		ids[i] = id;
		total += per[i];
	}
	cs = calloc((size_t)total, sizeof(*cs));
	for (int i = 0, k = 0; i < ncirc; i++)
		for (int j = 0; j < per[i]; j++, k++) {
			struct conn *c = &cs[k];
			struct epoll_event ev = { .events = EPOLLIN };
			c->circuit_idx = i;
			c->circuit = ids[i];
			c->fd = connect_unix(0);
			if (c->fd < 0 || request(c->fd, c->circuit, path, 1) < 0) {
				fprintf(stderr, "cannot connect\n");
				return 1;
			}
			fcntl(c->fd, F_SETFL, O_NONBLOCK);
			ev.data.ptr = c;
			epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
		}
	t0 = now();
	/* Skip the first 2 s: every download must have started (and the
	 * shares settled) before the measurement window opens. */
	mark_at = t0 + 2.0;
	end = t0 + secs;
	static char buf[1 << 18];
	while (now() < end) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, 50);
		if (!marked && now() >= mark_at) {
			for (int k = 0; k < total; k++)
				cs[k].bytes_mark = cs[k].bytes;
			mark_at = now();
			marked = 1;
		}
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			ssize_t r = read(c->fd, buf, sizeof(buf));
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				c->fd = -1;
				continue;
			}
			if (!c->head_done) {
				size_t take = (size_t)r < sizeof(c->head) - 1 - c->hlen ?
				    (size_t)r : sizeof(c->head) - 1 - c->hlen;
				memcpy(c->head + c->hlen, buf, take);
				c->hlen += take;
				c->head[c->hlen] = '\0';
				char *e = strstr(c->head, "\r\n\r\n");
				if (e) {
					c->head_done = 1;
					sscanf(c->head, "HTTP/1.1 %d", &c->status);
					c->bytes += (long long)(c->hlen - (size_t)(e + 4 - c->head));
				}
				continue;
			}
			c->bytes += r;
		}
	}
	double dt = now() - mark_at, sum = 0, sum2 = 0;
	int active = 0;
	for (int i = 0; i < ncirc; i++) {
		long long b = 0;
		int ok = 0, other = 0, closed = 0;
		for (int k = 0; k < total; k++)
			if (cs[k].circuit_idx == i) {
				b += cs[k].bytes - cs[k].bytes_mark;
				closed += cs[k].fd < 0;
				if (cs[k].status / 100 == 2)
					ok++;
				else
					other++;
			}
		double rate = (double)b / dt;
		printf("circuit %x conns %d ok %d refused %d rate %.0f closed %d\n", ids[i], per[i],
		    ok, other, rate, closed);
		if (ok) {
			sum += rate;
			sum2 += rate * rate;
			active++;
		}
	}
	printf("total_rate %.0f\n", sum);
	printf("jain %.4f\n", active && sum2 > 0 ? sum * sum / (active * sum2) : 0.0);
	for (int k = 0; k < total; k++)
		if (cs[k].fd >= 0)
			close(cs[k].fd);
	return 0;
}

static int
slow_open(struct conn *c, int ep, const char *first)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	c->fd = connect_unix(1);
	if (c->fd < 0)
		return -1;
	c->hlen = (size_t)proxy_line(c->head, sizeof(c->head), c->circuit);
	c->hlen += (size_t)snprintf(c->head + c->hlen, sizeof(c->head) - c->hlen, "%s", first);
	c->sent = 0;
	/* The PROXY line and the first bytes go at once, as tor would send them. */
	size_t first_part = c->hlen - strlen(first) + 4;
	if (write(c->fd, c->head, first_part) > 0)
		c->sent = first_part;
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

static int
mode_slowloris(int n, double secs, double interval, uint32_t first)
{
	struct conn *cs = calloc((size_t)n, sizeof(*cs));
	int ep = epoll_create1(EPOLL_CLOEXEC), opened = 0, reopened = 0;
	const char *head = "GET / HTTP/1.1\r\nHost: x.onion\r\nX-a: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\n\r\n";
	double end = now() + secs;

	for (int i = 0; i < n; i++) {
		cs[i].circuit = first + (uint32_t)i;
		cs[i].next_send = now() + interval * (double)(i % 100) / 100.0;
		if (slow_open(&cs[i], ep, head) == 0)
			opened++;
	}
	printf("opened %d\n", opened);
	fflush(stdout);
	while (now() < end) {
		struct epoll_event evs[64];
		int k = epoll_wait(ep, evs, 64, 20);
		for (int i = 0; i < k; i++) {
			struct conn *c = evs[i].data.ptr;
			char buf[4096];
			ssize_t r = read(c->fd, buf, sizeof(buf));
			if (r > 0 || (r < 0 && errno == EAGAIN))
				continue;
			/* Closed by the server: come back, as an attacker would. */
			epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
			close(c->fd);
			c->fd = -1;
			c->next_send = now() + interval;
		}
		double t = now();
		for (int i = 0; i < n; i++) {
			struct conn *c = &cs[i];
			if (c->fd < 0) {
				/* Come back one interval later, not in a tight loop. */
				if (t >= c->next_send && slow_open(c, ep, head) == 0)
					reopened++;
				if (t >= c->next_send)
					c->next_send = t + interval;
				continue;
			}
			if (t < c->next_send || c->sent >= c->hlen - 4)
				continue;
			if (write(c->fd, c->head + c->sent, 1) == 1)
				c->sent++;
			c->next_send = t + interval;
		}
	}
	printf("reopened %d\n", reopened);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rlimit rl;

	signal(SIGPIPE, SIG_IGN);   /* a server closing on us is a result, not a crash */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment at the top of loadclient.c\n");
		return 2;
	}
	sock_path = argv[1];
	const char *m = argv[2];
	if (strcmp(m, "dl") == 0 && argc >= 6)
		return mode_dl(atof(argv[3]), argv[4], argc - 5, argv + 5);
	if (strcmp(m, "burst") == 0 && argc == 6)
		return mode_burst((uint32_t)strtoul(argv[3], NULL, 16), atoi(argv[4]), argv[5]);
	if (strcmp(m, "conns") == 0 && argc == 6)
		return mode_conns((uint32_t)strtoul(argv[3], NULL, 16), atoi(argv[4]), argv[5]);
	if (strcmp(m, "get") == 0 && argc == 6)
		return mode_get((uint32_t)strtoul(argv[3], NULL, 16), atoi(argv[4]), argv[5]);
	if (strcmp(m, "slowloris") == 0 && argc == 7)
		return mode_slowloris(atoi(argv[3]), atof(argv[4]), atof(argv[5]),
		    (uint32_t)strtoul(argv[6], NULL, 16));
	fprintf(stderr, "loadclient: bad arguments\n");
	return 2;
}
