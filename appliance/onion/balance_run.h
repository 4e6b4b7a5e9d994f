/* balance_run: what `serve` does for its Onionbalance role (balance.h).
 *
 * Before tor starts, it decides which onion service tor runs and writes the
 * files tor and Onionbalance read:
 *   none     tor runs onion/public as usual (a stale ob_config is removed);
 *   backend  tor runs onion/public with HiddenServiceOnionbalanceInstance 1
 *            and onion/public/ob_config naming the front;
 *   front    tor does not publish onion/public itself: with balance_serve_here
 *            it runs onion/instance as a backend of our own address, else no
 *            service at all. DIR/tor/onionbalance.yaml lists the backends
 *            (written before each start of onionbalance by the spawner, from
 *            DIR/balance: a sandboxed serve can neither write it nor choose
 *            its contents; by serve only when there is no spawner), and
 *            onionbalance runs under procsup.h, started once tor has
 *            bootstrapped; through the spawner (spawner.h) it talks to tor on
 *            its own filtered socket.
 * It re-reads DIR/balance every few seconds: on a front a changed list of
 * backends restarts onionbalance (which rewrites the YAML); a changed role, or a
 * backend's changed front, is logged and not applied (it needs a restart of
 * serve, as tor's services and ob_config are read when tor starts). */
#ifndef BROADSIDE_BALANCE_RUN_H
#define BROADSIDE_BALANCE_RUN_H

#include "onion/onion.h"

struct conf;
struct datadir;
struct event_base;
struct spawner;
struct torsup;

typedef struct balance_run balance_run_t;

/* Read the role and prepare the files. address is the publisher's address
 * (onion/public). NULL (logged) on error. */
balance_run_t *balance_run_new(const struct datadir *d, const struct conf *conf,
    const char *address);
void balance_run_free_(balance_run_t *b);
#define balance_run_free(p) do { balance_run_free_(p); (p) = NULL; } while (0)

/* For torsup: the HiddenServiceDir tor runs (NULL: none), whether it is an
 * Onionbalance instance, and the address whose descriptor means "published". */
const char *balance_run_onion_dir(const balance_run_t *b);
int balance_run_ob_instance(const balance_run_t *b);
const char *balance_run_watch_address(const balance_run_t *b);

/* A front's key file (for the spawner, which writes onionbalance's YAML
 * before each start), or NULL when this appliance is no front. */
const char *balance_run_front_key(const balance_run_t *b);

/* Begin supervising (a front: start onionbalance once tor is up; watch
 * DIR/balance). tor may be NULL (no tor: nothing to do). spawner: serve's
 * (onionbalance is started through it), or NULL to run it ourselves. */
void balance_run_start(balance_run_t *b, struct event_base *base, struct torsup *tor,
    struct spawner *spawner);

/* For the status document: the role (NULL when there is none), a front's own
 * backend address (or NULL) and its onionbalance (NULL when not running). */
const struct balance *balance_run_role(const balance_run_t *b);
const char *balance_run_instance(const balance_run_t *b);
struct procsup *balance_run_helper(const balance_run_t *b);

#endif
