/* spawner: the small unsandboxed process that runs tor (and onionbalance,
 * vanguards) for a sandboxed `serve`, and the only way serve talks to tor.
 *
 * A seccomp filter and a Landlock domain are inherited across fork and exec,
 * so a tor started by the sandboxed server would run under the server's rules
 * (no inet sockets, no exec): it could not reach the Tor network. `serve`
 * therefore forks this helper before it opens anything (no catalogue, no
 * listeners, no readers' sockets) and before it sandboxes itself.
 *
 * The helper takes orders, not programs. At fork time it keeps the validated
 * configuration (spawner_opts_t); from then on serve can only ask, over a
 * SOCK_SEQPACKET socket:
 *   - start PROGRAM (tor, onionbalance or vanguards: an enum, never an argv):
 *     the helper builds the argv and, for tor, writes the torrc itself, in
 *     its private directory (the torrc's run_dir: DIR/tor, outside serve's
 *     Landlock rules); a start less than a second after the last one of the
 *     same program, or of one that runs, is refused;
 *   - stop PROGRAM (its stop signal, or SIGKILL);
 *   - a control connection to tor: a socket whose other end is relayed to
 *     tor through the "serve" profile of the control filter (ctlrelay.h,
 *     ctlfilter.h). Serve never holds tor's own control socket or cookie.
 * Onionbalance and vanguards reach tor through sockets of their own in the
 * same directory (spawner_socket_path), each with its own profile. Before
 * each start of onionbalance the helper writes its YAML there too
 * (spawner_ob_yaml_path), from the operator's DIR/balance, which serve can
 * only read: serve cannot choose which backends a front lists.
 * The helper reports each child's exit, and exits when serve goes away,
 * stopping its children first; tor also exits then (its owning process is
 * the helper). */
#ifndef BROADSIDE_SPAWNER_H
#define BROADSIDE_SPAWNER_H

#include <sys/types.h>

#include "onion/torrc.h"

typedef struct spawner spawner_t;

enum spawner_prog { SPAWNER_TOR, SPAWNER_ONIONBALANCE, SPAWNER_VANGUARDS, SPAWNER_NPROGS };

typedef struct spawner_opts {
	const char *tor_path;
	const torrc_opts_t *torrc;   /* tor's configuration; its run_dir is the
	                              * helper's private directory */
	const char *ob_path;         /* onionbalance (a front's), or NULL: never started */
	const char *ob_root;         /* the data directory: its backends are read
	                              * from DIR/balance at each start */
	const char *ob_key;          /* the front's key file, named in the YAML */
	const char *ob_instance;     /* a front's own backend address, or NULL */
	int ob_testnet;              /* --is-testnet */
	const char *vanguards_path;  /* vanguards, or NULL: never started */
	const char *vanguards_config;   /* its config (NULL: <run_dir>/vanguards.conf) */
	const char *vanguards_state;    /* its own state (NULL: <run_dir>/vanguards.state) */
	const char *vanguards_front_state;   /* a backend's copy of the front's, used
	                                      * when present; NULL: none */
	long tor_gid;                /* run tor in this group (needs CAP_SETGID,
	                              * which the helper keeps and every child
	                              * loses); 0: our own group (never root's) */
} spawner_opts_t;

/* Fork the helper. Everything o points to is copied by the fork. NULL
 * (logged) on failure. */
spawner_t *spawner_new(const spawner_opts_t *o);
/* Close the socket (the helper stops its children and exits) and reap it. */
void spawner_free_(spawner_t *s);
#define spawner_free(p) do { spawner_free_(p); (p) = NULL; } while (0)

/* Start prog in a new process group, stdin /dev/null, stdout and stderr to a
 * pipe whose read end goes to *out_fd. Return the pid, or -1 with errno set
 * (EAGAIN: started less than a second ago; EBUSY: running). Blocks until the
 * helper answers. */
pid_t spawner_start(spawner_t *s, int prog, int *out_fd);

/* Send prog its stop signal (SIGINT for tor, SIGTERM for the others) or,
 * hard, SIGKILL. 0, or -1 if the helper is gone. */
int spawner_stop(spawner_t *s, int prog, int hard);

/* A new control connection to tor through the "serve" filter profile:
 * its fd, already authenticated; -1 with errno (tor not listening yet). */
int spawner_connect(spawner_t *s);

/* The filtered control socket of profile (enum ctlfilter_profile) in dir:
 * "<dir>/ctl-<profile name>" (caller frees). */
char *spawner_socket_path(const char *dir, int profile);

/* Onionbalance's YAML in dir (the torrc's run_dir): "<dir>/onionbalance.yaml"
 * (caller frees). */
char *spawner_ob_yaml_path(const char *dir);

/* The same start, from this process, of argv (fork and exec here; for a
 * server that is not sandboxed). The caller reaps the child with waitpid. */
pid_t spawner_spawn_here(const char *path, char *const argv[], int *out_fd);

/* If child pid has exited, set *status (as waitpid does) and return 1; 0 if it
 * still runs; -1 if the helper is gone. Never blocks. */
int spawner_reap(spawner_t *s, pid_t pid, int *status);

/* The socket: readable when the helper has news (a child exited). */
int spawner_fd(const spawner_t *s);

#endif
