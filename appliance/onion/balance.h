/* balance: several appliances behind one onion address, with Onionbalance.
 *
 * An appliance has one of three roles, kept in DIR/balance/ (0700) so that
 * `backup` carries it and `broadside balance ...` changes it with one command:
 *
 *   none      no files: the appliance publishes its own address (the usual case).
 *   backend   balance/front holds the front's address. tor runs our service
 *             with HiddenServiceOnionbalanceInstance 1 and an ob_config naming
 *             the front (MasterOnionAddress); our own address keeps working.
 *   front     balance/backends lists up to 8 backend addresses ("ADDRESS [NAME]"
 *             per line). The publisher's onion key (onion/public) becomes the
 *             front key: tor no longer publishes it itself; Onionbalance
 *             publishes descriptors that merge the backends' introduction
 *             points. With balance_serve_here = yes this appliance also serves,
 *             as a backend of itself, under a second key in onion/instance.
 *
 * Everything here is plain files and text; balance_yaml() writes the config
 * Onionbalance reads, and procsup.h runs Onionbalance itself. */
#ifndef BROADSIDE_BALANCE_H
#define BROADSIDE_BALANCE_H

#include <stddef.h>

#include "onion/onion.h"

/* Onionbalance 0.2.2 puts every backend's introduction points into one
 * descriptor; more than 8 do not fit (and it refuses them). */
#define BALANCE_MAX_BACKENDS 8
#define BALANCE_NAME_MAX 32

enum balance_role { BALANCE_NONE, BALANCE_BACKEND, BALANCE_FRONT };

typedef struct balance balance_t;

/* Read DIR/balance/. Missing files mean no role. NULL (logged, with file:line
 * for a bad line) if a file is unreadable, malformed, or both roles are set. */
balance_t *balance_load(const char *data_root);
/* balance_load() without the log line: NULL with the reason in err. */
balance_t *balance_read(const char *data_root, char *err, size_t errlen);
/* The same from the files' texts (either may be ""); errors say
 * "front: ..." or "backends:LINE: ...". NULL with err set on error. */
balance_t *balance_parse(const char *front, const char *backends, char *err, size_t errlen);
void balance_free_(balance_t *b);
#define balance_free(p) do { balance_free_(p); (p) = NULL; } while (0)

enum balance_role balance_role(const balance_t *b);
const char *balance_role_name(enum balance_role r);
/* backend role: the front's address; otherwise "". */
const char *balance_front(const balance_t *b);
size_t balance_count(const balance_t *b);
const char *balance_address(const balance_t *b, size_t i);
const char *balance_name(const balance_t *b, size_t i);   /* "" when unnamed */

/* The commands. Each validates, rewrites the file atomically (0600) and
 * returns 0, or returns -1 with a reason for the operator in err. */
int balance_join(const char *data_root, const char *front, char *err, size_t errlen);
int balance_leave(const char *data_root, char *err, size_t errlen);
int balance_add(const char *data_root, const char *address, const char *name,
    const char *own_address, char *err, size_t errlen);
int balance_rm(const char *data_root, const char *address, char *err, size_t errlen);

/* Onionbalance's config.yaml for the front: the service key file and the
 * backends, plus self_instance ("" = none) when this appliance serves too.
 * Caller frees. */
char *balance_yaml(const balance_t *b, const char *key_file, const char *self_instance);

/* Write dir/ob_config naming master as the front (tor reads it when it
 * starts), or remove it when master is NULL. 0 or -1 (logged). */
int balance_write_ob_config(const char *onion_dir, const char *master);

#endif
