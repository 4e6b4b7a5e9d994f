/* handler: what answers each kind of URL (see route.h), and the context they
 * share (handler_ctx.c). Each handler fills resp. */
#ifndef BROADSIDE_HANDLER_H
#define BROADSIDE_HANDLER_H

#include <stdint.h>

#include "base/conf.h"
#include "base/util.h"
#include "catalogue/cat.h"
#include "catalogue/search_pool.h"
#include "http/file_cache.h"
#include "serve/http_conn.h"
#include "serve/route.h"
#include "site/page.h"

struct event_base;
struct handler_cache;

/* What the handlers share, owned by the server and passed down to every
 * handler (no process globals): the catalogue and the caches in front of it,
 * the search threads and what every page shows. */
typedef struct handler_ctx {
	const conf_t *conf;
	cat_t *cat;
	file_cache_t *files;          /* small files kept open a second */
	search_pool_t *pool;          /* search threads; NULL: searches run inline */
	page_site_t site;             /* publisher, onion address, public key */
	char *data_root;              /* manifests/ and keys/publisher.pub below it */
	char *pubkey_text;
	void *in_flight;              /* searches on the pool (handler_page.c) */
	void (*count)(void *arg, int status);   /* a response sent later */
	void *count_arg;
	struct handler_cache *cache;  /* handler_ctx.c */
	struct handler_render *render;   /* page images (handler_render.c); NULL: none */
} handler_ctx_t;

/* conf and cat stay the caller's and must outlive the context. */
handler_ctx_t *handler_ctx_new(struct event_base *base, const conf_t *conf, cat_t *cat);
void handler_ctx_free_(handler_ctx_t *h);
#define handler_ctx_free(p) do { handler_ctx_free_(p); (p) = NULL; } while (0)
/* Serve manifests from data_root and show onion (or NULL) on every page;
 * return the publisher key file's text (owned by h) or NULL if there is none. */
const char *handler_ctx_set_site(handler_ctx_t *h, const char *data_root, const char *onion);
void handler_ctx_set_pool(handler_ctx_t *h, search_pool_t *pool);

/* What one page shows: h->site plus the other addresses of the collection
 * (the origin publisher's signed list for a mirrored slug, else this site's
 * own), without the address the reader is on (Host) or this site's onion.
 * Owns its strings, so a search thread may render with it. */
#define HANDLER_SITE_PARAMS 8
typedef struct handler_site {
	page_site_t site;
	page_mirror_t *m;
	char *slug;
	char *lang;
	char *params[2 * HANDLER_SITE_PARAMS];
} handler_site_t;
/* Fill out for a page about slug (NULL: no collection); req may be NULL.
 * The page's language is the request's ?lang= when it names one of ours,
 * else the configured site_language. Its query is kept for the language
 * switcher: at most HANDLER_SITE_PARAMS names, values cut at 256 bytes.
 * The signed lists are re-read when their file changes (checked at most
 * once a second). */
void handler_site_get(handler_ctx_t *h, const http_req_t *req, const char *slug, handler_site_t *out);
void handler_site_clear(handler_site_t *s);
/* The slug of the only collection here when it is a mirror, else NULL: its
 * origin's list stands for the site's own on a mirror of one collection
 * (home page, /m/mirrors.txt). Cached for a second. */
const char *handler_sole_mirror(handler_ctx_t *h);
/* Count a response sent after its handler returned (a deferred search). */
void handler_ctx_set_counter(handler_ctx_t *h, void (*count)(void *arg, int status), void *arg);
/* A request begins: it reads the catalogue's current shared snapshot. */
void handler_ctx_begin_request(handler_ctx_t *h);
/* The catalogue's data version (cat_data_version) as this request's snapshot
 * sees it: asked once per read transaction. */
int64_t handler_ctx_data_version(handler_ctx_t *h);
/* The styled error page (an http_error_page_fn with h as arg). */
int handler_ctx_error_page(void *h, strbuf_t *html, int status, const char *detail,
    int retry_after, const char *lang);
/* Remember the reader's ?lang= of query (if it names one of ours) in resp,
 * for its error page. */
void handler_resp_lang(http_resp_t *resp, const char *query);
/* Look up a collection for the file hot path: its id and root, from a cache
 * refreshed at least every second (a removed or re-rooted collection is seen
 * within a second; files themselves are always looked up afresh). 0 found,
 * 1 not found, -1 error. *root stays valid until the next call; *held is set
 * when its bytes are withheld (restored onto files that differ). */
int handler_collection(handler_ctx_t *h, const char *slug, int64_t *id, const char **root,
    int *held);
/* The collection root as an O_PATH directory fd, cached per collection. */
int handler_root_fd(handler_ctx_t *h, int64_t collection_id, const char *root);

/* /f/<slug>/<path>: the bytes of a catalogued file. */
void handler_file(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /d/<slug>[/<dir>].tar|.zip: a folder (or the collection) as one archive
 * made from the catalogue, with Range, If-Range and a strong ETag as for a
 * file; bodies stream from the files (handler_archive.c). */
void handler_archive(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /: the publisher's collections. */
void handler_home(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /c/<slug>/[dir/]: a folder, sorted and paginated. */
/* Answer 404 for path in collection slug with a page that links the
 * nearest folder that exists and a search for the name (handler_page.c). */
void handler_not_found(handler_ctx_t *h, const http_req_t *req, const char *slug, const char *path,
    http_resp_t *resp);
void handler_browse(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /c/<slug>/<path>: a file's facts, how to resume and verify, a preview. */
void handler_file_page(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /search?q=&c=&page=. With the pool the search runs there: the connection
 * is deferred (http_conn_defer), resp->status is set to 0 and the page is
 * sent when the thread is done; a full queue answers 503. */
void handler_search(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /r/<slug>/<path>?page=N&q=: a document's text, one page at a time, with
 * the words of q marked (handler_read.c). */
void handler_read(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* The connection is gone before its search came back. */
void handler_search_abandoned(handler_ctx_t *h, http_conn_t *c);
struct render;
/* Serve /p/ and /i/: cached pages and image copies from cache_dir (made,
 * and bounded by conf->render_cache_mb) and pinned_dir (made at ingest),
 * the rest made by proc (render.h; NULL: only what is cached). 0 or -1. */
int handler_render_setup(handler_ctx_t *h, struct event_base *base, struct render *proc,
    const char *cache_dir, const char *pinned_dir);
void handler_render_free(handler_ctx_t *h);
/* /p/<slug>/<path>?n=N and /i/<slug>/<path>[?n=N]: a page view, a page's
 * image, an image's clean copy. Not cached: the connection is deferred
 * until the render process has made it (or refused: 429, 503). */
void handler_render(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* The connection is gone before its page was made. */
void handler_render_abandoned(handler_ctx_t *h, http_conn_t *c);
/* Append the render counters as a JSON member ("render":{...}, or null). */
void handler_render_status(handler_ctx_t *h, strbuf_t *out);

/* /m/<slug>/<manifest> and /m/publisher.pub: signed manifests, the public key. */
void handler_manifest(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /static/<name>.css: the stylesheet, cacheable. */
void handler_static(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);

#endif
