/* server: the listeners (the Unix socket tor forwards to, an optional loopback
 * TCP preview), connection accounting, and dispatch of requests to handlers. */
#ifndef BROADSIDE_SERVER_H
#define BROADSIDE_SERVER_H

#include <stdint.h>

#include "catalogue/cat.h"
#include "base/conf.h"
#include "serve/http_conn.h"
#include "catalogue/search_pool.h"
#include "serve/handler.h"

struct event_base;
typedef struct server server_t;

typedef struct server_stats {
	uint64_t connections_total, connections_refused;
	int64_t connections_open;
	uint64_t requests, responses_2xx, responses_3xx, responses_4xx, responses_5xx;
	int64_t started;   /* wall-clock seconds */
} server_stats_t;

/* conf and cat stay owned by the caller and must outlive the server. */
server_t *server_new(struct event_base *base, const conf_t *conf, cat_t *cat);
void server_free_(server_t *s);
#define server_free(p) do { server_free_(p); (p) = NULL; } while (0)

/* Listen on a Unix socket (replacing a stale one); when tor_circuit_ids is on,
 * connections there must start with a PROXY line. */
int server_listen_unix(server_t *s, const char *path);
/* Listen on "HOST:PORT" (IPv6 as "[::1]:PORT"). Refuses an address that is not
 * loopback unless allow_public_listen. Sets *port_out to the bound port. */
int server_listen_tcp(server_t *s, const char *hostport, int *port_out);

/* Listen on the admin onion's Unix socket (admin_onion.h): "/" is page()'s
 * HTML (the operator's status), /static/ the stylesheet, anything else 404.
 * No PROXY line, no per-circuit limits. */
typedef void (*server_page_fn)(strbuf_t *html, void *arg);
int server_listen_admin(server_t *s, const char *path, server_page_fn page, void *arg);

const server_stats_t *server_stats(const server_t *s);
/* Searches run on pool's threads; without one they run on the loop. Free
 * the pool before the server: its unfinished jobs close their connections. */
void server_set_pool(server_t *s, search_pool_t *pool);
/* What the handlers share (handler.h): the site's data and caches. */
handler_ctx_t *server_handlers(const server_t *s);
/* The per-circuit limiter (limit.h), for status and tor's circuit closing. */
struct limit *server_limit(const server_t *s);

#endif
