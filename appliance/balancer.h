/* balancer: what `serve` does for its Onionbalance role (balance.h).
 *
 * Before tor starts, it decides which onion service tor runs and writes the
 * files tor and Onionbalance read:
 *   none     tor runs onion/public as usual (a stale ob_config is removed);
 *   backend  tor runs onion/public with HiddenServiceOnionbalanceInstance 1
 *            and onion/public/ob_config naming the front;
 *   front    tor does not publish onion/public itself: with balance_serve_here
 *            it runs onion/instance as a backend of our own address, else no
 *            service at all. run/onionbalance.yaml lists the backends, and
 *            onionbalance runs under procsup.h against tor's control socket,
 *            started once tor answers there.
 * It re-reads DIR/balance every few seconds: on a front a changed list of
 * backends rewrites the YAML and restarts onionbalance; a changed role, or a
 * backend's changed front, is logged and not applied (it needs a restart of
 * serve, as tor's services and ob_config are read when tor starts). */
#ifndef BROADSIDE_BALANCER_H
#define BROADSIDE_BALANCER_H

#include "onion.h"

struct conf;
struct datadir;
struct event_base;
struct status_src;
struct torsup;

typedef struct balancer balancer_t;

/* Read the role and prepare the files. address is the publisher's address
 * (onion/public). When sandboxed, this also forks onionbalance's spawner, so
 * call it before opening anything a reader could reach. NULL (logged) on error. */
balancer_t *balancer_new(const struct datadir *d, const struct conf *conf,
    const char *address);
void balancer_free_(balancer_t *b);
#define balancer_free(p) do { balancer_free_(p); (p) = NULL; } while (0)

/* For torsup: the HiddenServiceDir tor runs (NULL: none), whether it is an
 * Onionbalance instance, and the address whose descriptor means "published". */
const char *balancer_onion_dir(const balancer_t *b);
int balancer_ob_instance(const balancer_t *b);
const char *balancer_watch_address(const balancer_t *b);

/* Begin supervising (a front: start onionbalance once tor is up; watch
 * DIR/balance). tor may be NULL (no tor: nothing to do). */
void balancer_start(balancer_t *b, struct event_base *base, struct torsup *tor);

/* Point the status document at our role, instance address and onionbalance. */
void balancer_status(balancer_t *b, struct status_src *src);

#endif
