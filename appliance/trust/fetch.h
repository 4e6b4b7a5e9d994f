/* fetch: a blocking HTTP/1.1 GET client for the mirror, built on libcurl. It
 * reaches the origin only through a SOCKS5 proxy (tor's SocksPort) as
 * socks5h://, so the host name is sent to the proxy (RFC 1928 ATYP 3) and
 * resolved by tor: nothing leaves this machine outside tor. The one exception
 * is a direct connection, allowed only for a loopback origin (benchmarks and
 * tests without tor).
 *
 * libcurl as a library, not curl as a subprocess: one reused handle keeps one
 * keep-alive connection (one tor stream) for thousands of files, the body is
 * handed to a callback that hashes it as it arrives, Range/If-Range resume is
 * ours to control, no file name reaches a command line; and the bounds a
 * hostile origin needs are libcurl's own (CURLOPT_MAXFILESIZE_LARGE,
 * CURLOPT_LOW_SPEED_LIMIT/TIME, CURLOPT_TIMEOUT_MS). Only http:// is allowed,
 * redirects are not followed, proxy environment variables are ignored. */
#ifndef BROADSIDE_FETCH_H
#define BROADSIDE_FETCH_H

#include <stddef.h>
#include <stdint.h>

typedef struct fetch fetch_t;

/* Where to connect: socks "HOST:PORT" or "unix:/PATH" (a SOCKS5 Unix socket),
 * or NULL for a direct loopback connection. */
fetch_t *fetch_new(const char *host, int port, const char *socks);
void fetch_free_(fetch_t *f);
#define fetch_free(p) do { fetch_free_(p); (p) = NULL; } while (0)

/* Bounds for every later request. Stop when now_ms() passes deadline_ms (0 =
 * none), and when fewer than min_rate * min_rate_time bytes arrive in a window
 * of min_rate_time seconds (0 = no minimum; libcurl's LOW_SPEED_LIMIT/TIME). */
void fetch_set_limits(fetch_t *f, int64_t deadline_ms, int64_t min_rate, int64_t min_rate_time_s);
/* 1 once a request stopped because the deadline passed, else 0. */
int fetch_deadline_passed(const fetch_t *f);

/* fetch_get's failures: a network or protocol error, the deadline, too slow,
 * a body larger than max_body. */
#define FETCH_ERR (-1)
#define FETCH_DEADLINE (-2)
#define FETCH_TOO_SLOW (-3)
#define FETCH_TOO_BIG (-4)

/* Called with each piece of the body; non-zero stops the transfer. */
typedef int (*fetch_body_fn)(void *arg, const uint8_t *p, size_t n);

typedef struct fetch_result {
	int status;                /* HTTP status, 0 if no response */
	int64_t range_start;       /* 206: first byte of Content-Range, else -1 */
	int64_t content_length;    /* -1 if absent */
	int64_t received;          /* body bytes passed to fn */
} fetch_result_t;

/* GET path (already percent-encoded). If from > 0, ask for bytes from..end
 * with If-Range: "etag" (when etag is non-NULL). A body of more than max_body
 * bytes (0: no cap) is refused, by its Content-Length before it starts. Reuses
 * the connection when it can. 0 when a complete response arrived (any
 * status), else one of FETCH_ERR, _DEADLINE, _TOO_SLOW, _TOO_BIG (err says what). */
int fetch_get(fetch_t *f, const char *path, int64_t from, const char *etag, int64_t max_body, fetch_body_fn fn,
    void *arg, fetch_result_t *res, char *err, size_t errlen);

/* Parse "http://host[:port]/path" (host may be an .onion). 0 or -1. */
int fetch_parse_url(const char *url, char **host, int *port, char **path);

/* Percent-encode a relative path for a URL: every byte except unreserved
 * characters and '/' (caller frees). */
char *fetch_path_encode(const char *path);

#endif
