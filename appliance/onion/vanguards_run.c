/* vanguards_run: see vanguards_run.h. */
#include "onion/vanguards_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <event2/event.h>

#include "base/conf.h"
#include "base/datadir.h"
#include "base/log.h"
#include "base/sandbox.h"
#include "base/util.h"
#include "onion/procsup.h"
#include "onion/ctlfilter.h"
#include "onion/spawner.h"
#include "onion/torrc.h"
#include "onion/torsup.h"

#define TICK_S 2          /* look at tor's state and an imported state this often */
/* vanguards writes its state once it has chosen the layers, seconds after it
 * connects; with too few Fast and Stable relays in the consensus it loops
 * for ever instead (a young private network). */
#define STALL_S 60

struct vanguards_run {
	struct event_base *base;
	char *program, *config_path, *own_state;
	char *front_state;       /* a backend's copy of the front's state, else NULL */
	char *consensus;         /* tor's cached-microdesc-consensus */
	const char *state_path;  /* what this run uses: own_state or front_state */
	ino_t front_ino;         /* of the front's copy this run uses; 0: own state */
	spawner_t *spawner;      /* serve's, not ours: starts vanguards when there is one */
	procsup_t *proc;
	struct torsup *tor;
	struct event *tick;
	time_t started;          /* the current run's start; 0 once it wrote its state */
	int stalled;             /* we stopped it: keep saying why */
	char last_error[256];
};

char *
vanguards_run_control_path(const struct datadir *d, int filtered)
{
	/* Through the spawner, its own socket with the "vanguards" profile of the
	 * control filter (ctlfilter.h); tor's own socket only when serve runs tor
	 * itself (sandbox = no). Both in DIR/tor, out of a sandboxed serve's reach. */
	return filtered ? spawner_socket_path(d->tor, CTLFILTER_VANGUARDS) : torrc_control_socket(d->tor);
}

void
vanguards_run_paths(const vanguards_run_t *v, const char **config, const char **own_state,
    const char **front_state)
{
	*config = v->config_path;
	*own_state = v->own_state;
	*front_state = v->front_state;
}

size_t
vanguards_run_argv(const char *program, const char *config_path, const char *state_path,
    char *argv[], size_t n)
{
	/* --state on the command line too: VANGUARDS_STATE in the environment
	 * would otherwise beat the config file. */
	const char *v[] = { program, "--config", config_path, "--state", state_path };
	size_t i;

	for (i = 0; i < ARRAY_LEN(v) && i + 1 < n; i++)
		argv[i] = (char *)v[i];
	argv[i] = NULL;
	return i;
}

char *
vanguards_run_config(const char *control_path, const char *state_path, int testnet)
{
	strbuf_t b;

	strbuf_init(&b);
	/* Every option is written: vanguards reads ./vanguards.conf first if
	 * one exists where it runs, and ours must leave nothing to it. */
	strbuf_adds(&b, "# Written by broadside serve at each start; edits are lost.\n[Global]\n");
	strbuf_addf(&b, "control_socket = %s\ncontrol_ip = 127.0.0.1\ncontrol_port = 9051\n"
	    "control_pass =\nstate_file = %s\n", control_path, state_path);
	strbuf_adds(&b,
	    "enable_vanguards = True\nenable_bandguards = True\nenable_rendguard = True\n"
	    "enable_cbtverify = False\nclose_circuits = True\n"
	    /* One-shot would write the layers into tor's torrc (SAVECONF) and
	     * exit: our torrc is generated, and the watchers would not run. */
	    "one_shot_vanguards = False\n"
	    "loglevel = NOTICE\nlogfile =\n");
	/* The addon's defaults, except on a private network: its few relays
	 * (authorities are never picked) cannot fill 8 distinct layer-3 slots,
	 * and vanguards would loop for ever. 3 there: the tests run 6 relays, as
	 * guard, layer 2, layer 3 and the reader's rendezvous point must all
	 * differ (README "Vanguards"). */
	strbuf_addf(&b, "[Vanguards]\nlayer1_lifetime_days = 0\n"
	    "min_layer2_lifetime_hours = 24\nmax_layer2_lifetime_hours = 1080\n"
	    "min_layer3_lifetime_hours = 1\nmax_layer3_lifetime_hours = 48\n"
	    "num_layer1_guards = 2\nnum_layer2_guards = %d\nnum_layer3_guards = %d\n",
	    3, testnet ? 3 : 8);
	strbuf_adds(&b, "[Bandguards]\ncirc_max_age_hours = 24\ncirc_max_hsdesc_kilobytes = 30\n"
	    "circ_max_megabytes = 0\ncirc_max_disconnected_secs = 30\n"
	    "conn_max_disconnected_secs = 15\n"
	    "[Rendguard]\nrend_use_max_use_to_bw_ratio = 5.0\n"
	    "rend_use_max_consensus_weight_churn = 1.0\n"
	    "rend_use_close_circuits_on_overuse = True\nrend_use_global_start_count = 1000\n"
	    "rend_use_relay_start_count = 100\nrend_use_scale_at_count = 20000\n");
	return strbuf_detach(&b);
}

/* A backend uses the front's layers: vanguards runs on the copy of the
 * front's state that `balance vanguards-state` put in balance/ (so serve,
 * which cannot write there once sandboxed, copies nothing). The command
 * replaces the file (a new inode); vanguards rewrites it in place: a new
 * inode is a new import. Return its inode, 0 if there is none. */
static ino_t
front_state_ino(const vanguards_run_t *v)
{
	struct stat st;

	if (v->front_state == NULL || stat(v->front_state, &st) < 0 || st.st_size == 0)
		return 0;
	return st.st_ino;
}

vanguards_run_t *
vanguards_run_new(const struct datadir *d, const struct conf *conf, int backend, int filtered)
{
	vanguards_run_t *v = xcalloc(1, sizeof(*v));
	char *dir = datadir_path(d, "vanguards");
	char *ctl = vanguards_run_control_path(d, filtered);
	char *text = NULL;

	v->program = xstrdup(conf->vanguards_path);
	/* Not in run/: a sandboxed serve can write there, and this file names the
	 * socket vanguards trusts and where it logs. */
	v->config_path = datadir_path(d, "vanguards/vanguards.conf");
	v->own_state = datadir_path(d, "vanguards/state");
	v->consensus = xasprintf("%s/cached-microdesc-consensus", d->tor);
	v->state_path = v->own_state;
	if (backend)
		v->front_state = datadir_path(d, "balance/vanguards.state");
	if (mkdir_p(dir, 0700) < 0 || mkdir_p(d->run, 0700) < 0) {
		log_err("cannot create %s or %s", dir, d->run);
		goto fail;
	}
	text = vanguards_run_config(ctl, v->own_state, conf->vanguards_testnet);
	if (write_file_atomic(v->config_path, text, strlen(text), 0600) < 0) {
		log_err("cannot write %s", v->config_path);
		goto fail;
	}
	free(dir);
	free(ctl);
	free(text);
	return v;
fail:
	free(dir);
	free(ctl);
	free(text);
	vanguards_run_free(v);
	return NULL;
}

/* vanguards prints "LEVEL[date]: message"; its warnings are the operator's. */
static void
line_cb(void *arg, const char *line)
{
	vanguards_run_t *v = arg;

	if (strncmp(line, "WARNING[", 8) == 0 || strncmp(line, "ERROR[", 6) == 0 ||
	    strncmp(line, "Traceback", 9) == 0 || strstr(line, "Error: ") != NULL) {
		snprintf(v->last_error, sizeof(v->last_error), "%s", line);
		log_warn("vanguards: %s", line);
	} else {
		log_info("vanguards: %s", line);
	}
}

static void
started_cb(void *arg, long pid)
{
	vanguards_run_t *v = arg;

	(void)pid;
	v->started = time(NULL);
}

/* Still no state written by this run after STALL_S: it is stuck; restart it. */
static void
check_stalled(vanguards_run_t *v)
{
	struct stat st;

	if (v->started == 0 || procsup_pid(v->proc) == 0)
		return;
	if (stat(v->state_path, &st) == 0 && st.st_mtime >= v->started) {
		v->started = 0;
		return;
	}
	if (time(NULL) - v->started < STALL_S)
		return;
	snprintf(v->last_error, sizeof(v->last_error), "chose no layers within %d s "
	    "(too few Fast, Stable relays with bandwidth in the consensus?)", STALL_S);
	log_warn("vanguards %s; restarting it", v->last_error);
	v->started = 0;
	v->stalled = 1;
	procsup_kill(v->proc);
}

static void
exited_cb(void *arg, const procsup_exit_t *e)
{
	vanguards_run_t *v = arg;

	if (e->next == PROCSUP_NEVER)
		return;
	if (v->stalled) {
		v->stalled = 0;
		return;
	}
	if (e->start_errno)
		snprintf(v->last_error, sizeof(v->last_error), "cannot start %s: %s",
		    v->program, strerror(e->start_errno));
	else if (WIFSIGNALED(e->status))
		snprintf(v->last_error, sizeof(v->last_error), "killed by signal %d after %lld s",
		    WTERMSIG(e->status), (long long)(e->ran_ms / 1000));
	else
		snprintf(v->last_error, sizeof(v->last_error), "exited with status %d after %lld s",
		    WEXITSTATUS(e->status), (long long)(e->ran_ms / 1000));
	if (e->next == PROCSUP_BACKOFF)
		log_warn("vanguards %s; restarting it (the layers stay pinned in tor meanwhile)",
		    v->last_error);
}

static int
consensus_cached(const vanguards_run_t *v)
{
	struct stat st;

	return stat(v->consensus, &st) == 0 && st.st_size > 0;
}

static void
start_proc(vanguards_run_t *v)
{
	char *argv[8];

	v->front_ino = front_state_ino(v);
	v->state_path = v->front_ino ? v->front_state : v->own_state;
	if (v->front_ino)
		log_info("vanguards: using the front's layers from %s", v->front_state);
	vanguards_run_argv(v->program, v->config_path, v->state_path, argv, ARRAY_LEN(argv));
	v->proc = procsup_new(v->base, &(procsup_opts_t){
		.name = "vanguards", .argv = argv, .spawner = v->spawner, .prog = SPAWNER_VANGUARDS,
		.hooks = { .arg = v, .started = started_cb, .line = line_cb,
		    .exited = exited_cb } });
	procsup_start(v->proc);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	vanguards_run_t *v = arg;
	torsup_status_t ts;
	ino_t ino;

	(void)fd;
	(void)what;
	if (v->proc) {
		/* A new copy of the front's state: run vanguards on it, on a
		 * new tor. With vanguards alone restarted on other layers, the
		 * backend's tor 0.4.9.11 closed its introduction circuits and
		 * built no new ones (no reader through for minutes, every run on
		 * the private network; an Onionbalance instance's tor does so
		 * whenever its layers change, README "Vanguards"); a fresh tor
		 * gets the layers from vanguards as at serve's start, which
		 * works. */
		ino = front_state_ino(v);
		if (ino != 0 && ino != v->front_ino) {
			log_info("vanguards: a new copy of the front's layers; restarting tor "
			    "and vanguards on them");
			procsup_free(v->proc);   /* stops it; started below once tor is up */
			torsup_restart(v->tor);
		} else {
			check_stalled(v);
		}
		return;
	}
	/* vanguards reads tor's consensus file at start and fails without one:
	 * start it once tor has bootstrapped, or, with a consensus on disk, as
	 * soon as tor answers on its control socket: the spawner then holds tor
	 * offline until vanguards has pinned the layers (ctlrelay.h). */
	torsup_get_status(v->tor, &ts);
	if (strcmp(ts.state, "stopped") == 0)
		return;
	if (ts.bootstrap < 100 && !(strcmp(ts.state, "bootstrapping") == 0 && consensus_cached(v)))
		return;
	start_proc(v);
}

void
vanguards_run_start(vanguards_run_t *v, struct event_base *base, struct torsup *tor,
    struct spawner *spawner)
{
	struct timeval tv = { TICK_S, 0 };

	if (v == NULL || tor == NULL)
		return;
	v->spawner = spawner;
	v->base = base;
	v->tor = tor;
	v->tick = event_new(v->base, -1, EV_PERSIST, tick_cb, v);
	event_add(v->tick, &tv);
}

struct procsup *
vanguards_run_helper(const vanguards_run_t *v)
{
	return v ? v->proc : NULL;
}

int
vanguards_run_front_layers(const vanguards_run_t *v)
{
	return v && v->front_ino != 0;
}

const char *
vanguards_run_last_error(const vanguards_run_t *v)
{
	return v ? v->last_error : "";
}

void
vanguards_run_free_(vanguards_run_t *v)
{
	if (v == NULL)
		return;
	if (v->tick)
		event_free(v->tick);
	procsup_free(v->proc);   /* stops it */
	free(v->program);
	free(v->config_path);
	free(v->own_state);
	free(v->front_state);
	free(v->consensus);
	free(v);
}
