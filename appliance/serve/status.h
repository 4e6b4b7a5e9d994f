/* status: the running server's status document, for `broadside status` and
 * (later) the admin onion's page. Gathers the HTTP counters and the tor
 * supervisor's state; says nothing about any reader. */
#ifndef BROADSIDE_STATUS_H
#define BROADSIDE_STATUS_H

#include "serve/server.h"
#include "base/util.h"

typedef struct status_src {
	server_t *server;
	struct torsup *tor;      /* NULL when tor is off */
	const char *onion;       /* the address, or NULL */
	const char *data_dir;
	const struct balance_run *balance;   /* Onionbalance role (balance_run.h); NULL = none */
	const struct vanguards_run *vanguards;   /* vanguards_run.h; NULL = off */
	const char *admin_onion;         /* the admin onion's address, or NULL */
	int admin_clients;
	const struct mirror_sched *mirrors;   /* mirrors followed (mirror_sched.h); NULL = none */
} status_src_t;

/* Append the status as JSON (json) or as aligned text lines. */
void status_write(strbuf_t *out, int json, const status_src_t *src);

/* The same as a small HTML page (the admin onion's; every byte escaped). */
void status_write_html(strbuf_t *out, const status_src_t *src);

#endif
