/* server: the listeners (the Unix socket tor forwards to, an optional loopback
 * TCP preview), connection accounting, and dispatch of requests to handlers. */
#ifndef BROADSIDE_SERVER_H
#define BROADSIDE_SERVER_H

#include <stdint.h>

#include "catalogue/cat.h"
#include "base/conf.h"
#include "serve/http_conn.h"
#include "catalogue/search_pool.h"

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
/* Count a response sent later than its handler returned (a deferred search). */
void server_count_response(server_t *s, int status);
/* Searches run on pool's threads; without one they run on the loop. Free
 * the pool before the server: its unfinished jobs close their connections. */
void server_set_pool(server_t *s, search_pool_t *pool);
search_pool_t *server_pool(const server_t *s);
/* Small files kept open for a second (file_cache.h). */
struct file_cache *server_file_cache(const server_t *s);
cat_t *server_cat(const server_t *s);
/* The per-circuit limiter (limit.h), for status and tor's circuit closing. */
struct limit *server_limit(const server_t *s);
const conf_t *server_conf(const server_t *s);
/* Look up a collection for the file hot path: its id and root, from a cache
 * refreshed at least every second (a removed or re-rooted collection is seen
 * within a second; files themselves are always looked up afresh). 0 found,
 * 1 not found, -1 error. *root stays valid until the next call; *held is set
 * when its bytes are withheld (restored onto files that differ, issue 7). */
int server_collection(server_t *s, const char *slug, int64_t *id, const char **root, int *held);
/* The collection root as an O_PATH directory fd, cached per collection. */
int server_root_fd(server_t *s, int64_t collection_id, const char *root);

#endif
