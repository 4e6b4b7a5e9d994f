/* vanguards_run: the full vanguards defence next to tor (Debian's
 * `vanguards`, the Tor Project's addon), run like onionbalance (balance_run.h).
 *
 * tor 0.4.9 gives onion services vanguards-lite: a second hop chosen from 4
 * relays kept about a week, a third hop picked anew for each circuit. The addon pins layer-2 (days to
 * weeks) and layer-3 (hours) relays through HSLayer2Nodes/HSLayer3Nodes, uses
 * two entry guards evenly, and watches circuits for the side channels that
 * guard discovery uses (bandguards, rendguard), closing the suspicious ones.
 *
 * Before tor starts it writes vanguards/vanguards.conf (the control socket,
 * the state file vanguards/state, logging to stdout; not in run/, which a
 * sandboxed serve may write) and, when serve is sandboxed, forks the
 * program's spawner. Once tor has bootstrapped it runs vanguards under
 * procsup (restart with backoff; a run that chose no layers within a minute
 * is restarted too); vanguards reconnects by itself when tor restarts.
 *
 * Onionbalance: vanguards' documentation asks that every backend use the
 * front's layer-2 and layer-3 relays (more distinct layers, more exposure),
 * by copying the front's state file to the backends at least hourly. On a
 * backend, `broadside balance vanguards-state FILE` puts that copy in
 * balance/vanguards.state; vanguards then runs on it (within 2 s of each new
 * copy, tor and vanguards are restarted: with vanguards alone restarted on
 * other layers, a backend's tor built no new introduction circuits): tor pins the front's
 * layers, and the backend's own circuit watchers keep running. */
#ifndef BROADSIDE_VANGUARDS_RUN_H
#define BROADSIDE_VANGUARDS_RUN_H

#include <stddef.h>

struct conf;
struct datadir;
struct event_base;
struct procsup;
struct torsup;
struct spawner;

typedef struct vanguards_run vanguards_run_t;

/* Write the config and prepare the state directory, before serve sandboxes
 * itself. backend: an Onionbalance backend (it uses an imported front state).
 * filtered: vanguards reaches tor through the spawner's filtered socket
 * (onion/spawner.h), else tor's own control socket. NULL (logged) on error. */
vanguards_run_t *vanguards_run_new(const struct datadir *d, const struct conf *conf,
    int backend, int filtered);
/* What the spawner needs to start it: its config, its own state and a
 * backend's copy of the front's (NULL if not a backend). */
void vanguards_run_paths(const vanguards_run_t *v, const char **config, const char **own_state,
    const char **front_state);
void vanguards_run_free_(vanguards_run_t *v);
#define vanguards_run_free(p) do { vanguards_run_free_(p); (p) = NULL; } while (0)

/* The control socket vanguards talks to: the one place that names it. */
char *vanguards_run_control_path(const struct datadir *d, int filtered);

/* Fill argv (n slots, NULL-terminated) with vanguards' command line: the
 * program, its config file and its state file; everything else is in the
 * config. Return the number of arguments. */
size_t vanguards_run_argv(const char *program, const char *config_path,
    const char *state_path, char *argv[], size_t n);

/* The config file's text (caller frees): control socket, state file, layer
 * sizes (a private test network has too few relays for the defaults). */
char *vanguards_run_config(const char *control_path, const char *state_path,
    int testnet);

/* Start vanguards once tor has bootstrapped, through spawner (which builds its
 * argv) or, if NULL, from this process. v or tor may be NULL (nothing runs). */
void vanguards_run_start(vanguards_run_t *v, struct event_base *base, struct torsup *tor,
    struct spawner *spawner);

/* For the status document: the supervisor (NULL before vanguards first
 * started) and the last warning or error it printed ("" if none). */
struct procsup *vanguards_run_helper(const vanguards_run_t *v);
const char *vanguards_run_last_error(const vanguards_run_t *v);
/* 1 when the layers come from the front's imported state. */
int vanguards_run_front_layers(const vanguards_run_t *v);

#endif
