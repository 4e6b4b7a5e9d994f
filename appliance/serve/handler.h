/* handler: what answers each kind of URL (see route.h). Each fills resp. */
#ifndef BROADSIDE_HANDLER_H
#define BROADSIDE_HANDLER_H

#include "serve/http_conn.h"
#include "serve/route.h"
#include "serve/server.h"

/* /f/<slug>/<path>: the bytes of a catalogued file. */
void handler_file(server_t *s, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* Set what every page shows (publisher, onion address, public key) and
 * install the styled error pages. The strings must outlive the server. */
void handler_page_init(const conf_t *conf, const char *onion, const char *pubkey);
/* /: the publisher's collections. */
void handler_home(server_t *s, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /c/<slug>/[dir/]: a folder, sorted and paginated. */
void handler_browse(server_t *s, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /c/<slug>/<path>: a file's facts, how to resume and verify, a preview. */
void handler_file_page(server_t *s, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /search?q=&c=&page=. With the server's pool the search runs there: the
 * connection is deferred (http_conn_defer), resp->status is set to 0 and
 * the page is sent when the thread is done; a full queue answers 503. */
void handler_search(server_t *s, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* The connection is gone before its search came back. */
void handler_search_abandoned(http_conn_t *c);
/* /m/<slug>/<manifest> and /m/publisher.pub: signed manifests, the public key. */
void handler_manifest(server_t *s, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* Serve manifests from data_root; return the publisher key file's text (for
 * the pages; it lives until the next call) or NULL if there is none. */
const char *handler_manifest_init(const char *data_root);
/* /static/<name>.css: the stylesheet, cacheable. */
void handler_static(server_t *s, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);

#endif
