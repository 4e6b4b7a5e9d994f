/* limit: fairness per tor circuit and protection under overload.
 *
 * Behind tor every reader arrives on the same local socket, so the limiter keys
 * on what tor tells us instead: the circuit id from the PROXY line (the peer
 * address on the loopback preview; one shared key for Unix connections without
 * a circuit). Per key: concurrent connections, connections still sending a
 * head, concurrent downloads, a request token bucket, a stricter search bucket,
 * and a bandwidth cap. Globally: a bandwidth cap shared max-min fairly among the
 * circuits that are downloading (not among connections: eight parallel
 * downloads on one circuit share one circuit's part), a cap on downloads with a
 * bounded, fair wait for a slot, a cap on searches, and eviction of idle or
 * slow-head connections when the server is full. A download in progress is
 * never cut to admit another request.
 *
 * The connection (http_conn) tells the limiter where it is in its life; the
 * limiter answers admit/wait/refuse, paces download bufferevents, and calls
 * back to resume a waiting request or to evict an idle one. */
#ifndef BROADSIDE_LIMIT_H
#define BROADSIDE_LIMIT_H

#include <stdint.h>

#include "base/conf.h"
#include "base/util.h"

struct event_base;
struct bufferevent;
typedef struct limit limit_t;
typedef struct limit_conn limit_conn_t;

typedef struct limit_conf {
	int enabled;
	int64_t max_connections;
	int64_t circuit_connections, circuit_pending_heads, circuit_downloads;
	double request_rate, request_burst;       /* per key, requests/s */
	double search_rate, search_burst;         /* per key, searches/s */
	int64_t circuit_bandwidth, total_bandwidth;   /* bytes/s, 0 = no cap */
	int64_t max_downloads, download_wait, max_searches;
	int64_t table_size;
	int64_t close_after, close_window;        /* 0 = never close circuits */
} limit_conf_t;

/* Fill lc from the operator's configuration. */
void limit_conf_from(limit_conf_t *lc, const conf_t *c);

/* What a request is, as far as budgets go. */
enum limit_class { LIMIT_PAGE, LIMIT_DOWNLOAD, LIMIT_SEARCH };

struct route;
/* The class of a routed request (/f/ bytes, /search, the rest); NULL (a
 * request routing refused) is a page. */
enum limit_class limit_class_of(const struct route *rt);

/* The limiter's answer to a request. */
typedef struct limit_answer {
	int status;          /* 0 = go on, 429 or 503 = refuse */
	int retry_after;     /* seconds, with a refusal */
	int close;           /* close the connection after the refusal */
	int wait;            /* queued: ops->admitted will say go or refuse */
} limit_answer_t;

/* How the limiter calls back into a connection (owner). */
typedef struct limit_conn_ops {
	/* A queued request may go on (status 0) or is refused (503). */
	void (*admitted)(void *owner, int status, int retry_after);
	/* Close this idle or slow connection to make room for a new one. */
	void (*evict)(void *owner);
} limit_conn_ops_t;

/* conf is copied. */
limit_t *limit_new(struct event_base *base, const limit_conf_t *conf);
void limit_free_(limit_t *l);
#define limit_free(p) do { limit_free_(p); (p) = NULL; } while (0)

/* Call fn(arg, circuit) for a circuit that keeps being refused (close_after
 * 429s within close_window seconds): the caller asks tor to close it. */
void limit_set_close_circuit(limit_t *l, void (*fn)(void *arg, uint32_t circuit),
    void *arg);


/* Track a new connection; owner is handed back through ops. */
limit_conn_t *limit_conn_new(limit_t *l, void *owner, const limit_conn_ops_t *ops);
/* Forget a connection, releasing whatever it holds. */
void limit_conn_free_(limit_conn_t *lc);
#define limit_conn_free(p) do { limit_conn_free_(p); (p) = NULL; } while (0)

/* Say whose connection this is. Return 0, or -1 when its circuit already has
 * too many connections still sending a head (close it without a word). */
int limit_conn_identify(limit_conn_t *lc, int has_circuit, uint32_t circuit,
    const char *peer);
/* The connection began a request head. Return 0, or -1 when its circuit
 * already has its cap of heads pending (close it without a word). */
int limit_conn_head_started(limit_conn_t *lc);
/* The connection became an idle keep-alive. */
void limit_conn_idle(limit_conn_t *lc);
/* A complete head of class cls (the route's kind, parsed once by the
 * connection) arrived: decide. A queued request hears back through
 * ops->admitted. */
void limit_conn_admit(limit_conn_t *lc, enum limit_class cls, limit_answer_t *ans);
/* The admitted download's body goes out on bev: pace it. */
void limit_conn_download_begin(limit_conn_t *lc, struct bufferevent *bev);
/* The response is written (or abandoned): release its slots. */
void limit_conn_request_done(limit_conn_t *lc);

/* Make room for one connection by evicting the oldest idle keep-alive, or the
 * oldest connection still sending its head. 0 if one was closed, else -1. */
int limit_evict_one(limit_t *l);
/* Note a connection refused before it was tracked (server full). */
void limit_count_refused(limit_t *l, int answered);

/* Append counters (hits per limit, current use) as a JSON object or text. */
void limit_write_status(const limit_t *l, strbuf_t *out, int json);

#ifdef LIMIT_PRIVATE
#include "serve/limit_bucket.h"
/* Replace the clock (seconds) so tests can move time by hand. */
void limit_set_clock(limit_t *l, double (*now)(void *), void *arg);
/* Run the periodic work (expiry, reallocation, wait deadlines) now. */
void limit_tick(limit_t *l);
/* Keys currently tracked. */
int limit_entries(const limit_t *l);
#endif

#endif
