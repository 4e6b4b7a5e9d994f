/* handler: what answers each kind of URL (see route.h). Each fills resp. */
#ifndef BROADSIDE_HANDLER_H
#define BROADSIDE_HANDLER_H

#include "http_conn.h"
#include "route.h"
#include "server.h"

/* /f/<slug>/<path>: the bytes of a catalogued file. */
void handler_file(server_t *s, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);
/* /: the publisher's collections. */
void handler_home(server_t *s, http_conn_t *c, const http_req_t *req,
    const route_t *rt, http_resp_t *resp);

#endif
