/* balance_run: see balance_run.h. */
#include "onion/balance_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "onion/balance.h"
#include "base/conf.h"
#include "base/datadir.h"
#include "base/log.h"
#include "onion/procsup.h"
#include "base/sandbox.h"
#include "onion/spawner.h"
#include "onion/torsup.h"
#include "base/util.h"

#define TICK_S 2          /* look at tor's state and DIR/balance this often */

struct balance_run {
	struct event_base *base;
	char *root, *public_dir, *instance_dir, *yaml_path, *key_path, *ctl_path;
	char address[ONION_ADDRESS_LEN];     /* the publisher's (a front's) address */
	char instance[ONION_ADDRESS_LEN];    /* a front's own backend, "" if none */
	balance_t *bal;
	enum balance_role role;
	const char *onion_dir;               /* what tor runs; NULL = nothing */
	int ob_instance, testnet;
	int restart_warned;                  /* said that DIR/balance needs a restart */
	char *yaml;                          /* what onionbalance runs with (the
	                                      * spawner writes its own copy) */
	spawner_t *spawner;                  /* serve's, or NULL: run it ourselves */
	procsup_t *ob;
	struct torsup *tor;
	struct event *tick;
	char *ob_path;
	char *last_err;                      /* the last error reported by reload() */
};

/* Without a spawner (serve not sandboxed) the YAML is ours to write. */
static int
write_yaml(balance_run_t *b, const balance_t *bal)
{
	char *y = balance_yaml(bal, b->key_path, b->instance);

	if (b->spawner == NULL && write_file_atomic(b->yaml_path, y, strlen(y), 0600) < 0) {
		log_err("cannot write %s", b->yaml_path);
		free(y);
		return -1;
	}
	free(b->yaml);
	b->yaml = y;
	return 0;
}

balance_run_t *
balance_run_new(const struct datadir *d, const struct conf *conf, const char *address)
{
	balance_run_t *b = xcalloc(1, sizeof(*b));

	b->root = xstrdup(d->root);
	b->public_dir = datadir_path(d, "onion/public");
	b->instance_dir = datadir_path(d, "onion/instance");
	b->yaml_path = spawner_ob_yaml_path(d->tor);
	b->key_path = datadir_path(d, "onion/public/hs_ed25519_secret_key");
	b->ctl_path = datadir_path(d, "tor/control");
	b->ob_path = xstrdup(conf->onionbalance_path);
	b->testnet = conf->balance_testnet;
	snprintf(b->address, sizeof(b->address), "%s", address);
	if ((b->bal = balance_load(d->root)) == NULL)
		goto fail;
	b->role = balance_role(b->bal);
	b->onion_dir = b->public_dir;
	switch (b->role) {
	case BALANCE_NONE:
		if (balance_write_ob_config(b->public_dir, NULL) < 0)
			goto fail;
		break;
	case BALANCE_BACKEND:
		if (balance_write_ob_config(b->public_dir, balance_front(b->bal)) < 0)
			goto fail;
		b->ob_instance = 1;
		log_info("onionbalance: this appliance is a backend of %s", balance_front(b->bal));
		break;
	case BALANCE_FRONT:
		if (balance_write_ob_config(b->public_dir, NULL) < 0)
			goto fail;
		b->onion_dir = NULL;
		if (conf->balance_serve_here) {
			if (onion_key_create(b->instance_dir) < 0 ||
			    onion_check_perms(b->instance_dir) < 0 ||
			    onion_address(b->instance_dir, b->instance) < 0 ||
			    balance_write_ob_config(b->instance_dir, b->address) < 0)
				goto fail;
			b->onion_dir = b->instance_dir;
			b->ob_instance = 1;
		}
		/* Written before each start of onionbalance (by the spawner when
		 * there is one), not in run/, which a sandboxed serve can write. */
		b->yaml = balance_yaml(b->bal, b->key_path, b->instance);
		{
			char *old = datadir_path(d, "run/onionbalance.yaml");
			(void)unlink(old);
			free(old);
		}
		log_info("onionbalance: this appliance is the front of %s for %zu backends%s%s",
		    b->address, balance_count(b->bal), b->instance[0] ? " and itself as " : "",
		    b->instance);
		break;
	}
	return b;
fail:
	balance_run_free(b);
	return NULL;
}

const char *
balance_run_onion_dir(const balance_run_t *b)
{
	return b->onion_dir;
}

int
balance_run_ob_instance(const balance_run_t *b)
{
	return b->ob_instance;
}

const char *
balance_run_watch_address(const balance_run_t *b)
{
	/* A front is published when Onionbalance's descriptor for the front
	 * address reached an HSDir (tor reports HSPOST uploads too). */
	return b->role == BALANCE_FRONT ? b->address : NULL;
}

const balance_t *
balance_run_role(const balance_run_t *b)
{
	return b ? b->bal : NULL;
}

const char *
balance_run_instance(const balance_run_t *b)
{
	return b && b->instance[0] ? b->instance : NULL;
}

struct procsup *
balance_run_helper(const balance_run_t *b)
{
	return b ? b->ob : NULL;
}

/* DIR/balance changed? A new list of backends applies now; a new role or
 * a backend's new front at the next start. */
static void
reload(balance_run_t *b)
{
	char err[512];
	balance_t *now = balance_read(b->root, err, sizeof(err));
	char *y;

	if (now == NULL) {
		/* Keep what runs; say it once, not every tick. */
		if (b->last_err == NULL || strcmp(b->last_err, err) != 0) {
			log_err("%s; onionbalance keeps its last configuration", err);
			free(b->last_err);
			b->last_err = xstrdup(err);
		}
		return;
	}
	free(b->last_err);
	b->last_err = NULL;
	/* A new role or a backend's new front changes the service tor runs or
	 * its ob_config, both read when tor starts: keep reporting what runs. */
	if (balance_role(now) != b->role ||
	    (b->role == BALANCE_BACKEND &&
	    strcmp(balance_front(now), balance_front(b->bal)) != 0)) {
		if (!b->restart_warned && balance_role(now) != b->role)
			log_warn("onionbalance: the role in %s/balance is now '%s' (was '%s'); "
			    "restart serve to apply it", b->root,
			    balance_role_name(balance_role(now)), balance_role_name(b->role));
		else if (!b->restart_warned)
			log_warn("onionbalance: the front in %s/balance is now %s (was %s); "
			    "restart serve to apply it", b->root, balance_front(now),
			    balance_front(b->bal));
		b->restart_warned = 1;
		balance_free(now);
		return;
	}
	b->restart_warned = 0;
	if (b->role != BALANCE_FRONT) {
		balance_free(b->bal);
		b->bal = now;
		return;
	}
	y = balance_yaml(now, b->key_path, b->instance);
	if (strcmp(y, b->yaml) != 0 && write_yaml(b, now) == 0) {
		log_info("onionbalance: now %zu backends", balance_count(now));
		balance_free(b->bal);
		b->bal = now;
		now = NULL;
		if (b->ob)
			procsup_restart(b->ob);
	}
	free(y);
	balance_free(now);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	balance_run_t *b = arg;
	torsup_status_t ts;

	(void)fd;
	(void)what;
	reload(b);
	if (b->role != BALANCE_FRONT || b->ob || b->tor == NULL)
		return;
	/* onionbalance reads tor's consensus once at start and exits if there is
	 * none yet: start it when tor has bootstrapped. */
	torsup_get_status(b->tor, &ts);
	if (ts.bootstrap < 100 || strcmp(ts.state, "stopped") == 0)
		return;
	if (b->spawner == NULL && write_yaml(b, b->bal) < 0)
		return;
	{
		char *argv[] = { b->ob_path, "-s", b->ctl_path, "-c", b->yaml_path,
			"-v", "warning", b->testnet ? "--is-testnet" : NULL, NULL };
		b->ob = procsup_new(b->base, &(procsup_opts_t){
			.name = "onionbalance", .argv = argv, .spawner = b->spawner,
			.prog = SPAWNER_ONIONBALANCE });
	}
	procsup_start(b->ob);
}

const char *
balance_run_front_key(const balance_run_t *b)
{
	return b && b->role == BALANCE_FRONT ? b->key_path : NULL;
}

void
balance_run_start(balance_run_t *b, struct event_base *base, struct torsup *tor,
    struct spawner *spawner)
{
	struct timeval tv = { TICK_S, 0 };

	b->base = base;
	b->spawner = spawner;
	b->tor = tor;
	if (tor == NULL)
		return;
	b->tick = event_new(b->base, -1, EV_PERSIST, tick_cb, b);
	event_add(b->tick, &tv);
}

void
balance_run_free_(balance_run_t *b)
{
	if (b == NULL)
		return;
	if (b->tick)
		event_free(b->tick);
	procsup_free(b->ob);
	balance_free(b->bal);
	free(b->root);
	free(b->public_dir);
	free(b->instance_dir);
	free(b->yaml_path);
	free(b->key_path);
	free(b->ctl_path);
	free(b->ob_path);
	free(b->yaml);
	free(b->last_err);
	free(b);
}
