/* torsup: the tor supervisor. It writes the torrc before each start, speaks
 * the control protocol on a unix socket (SAFECOOKIE, TAKEOWNERSHIP so that tor
 * exits when we do), and follows bootstrap and descriptor uploads. The process
 * itself is procsup's (procsup.h): spawn (no shell), tor's log copied into
 * ours, restart with exponential backoff (1 s doubling to 60 s; reset after 5
 * minutes of stable running), stop with SIGINT.
 *
 * States: starting → bootstrapping (n %) → publishing (100 %) → published (a
 * descriptor reached an HSDir). "degraded" when the control connection is lost,
 * tor exited, or bootstrap made no progress for 60 s; "stopped" after shutdown.
 *
 * Everything runs on the caller's event_base; procsup registers a SIGCHLD
 * signal event on it and reaps only tor. */
#ifndef BROADSIDE_TORSUP_H
#define BROADSIDE_TORSUP_H

#include <stdint.h>

#include "onion/onion.h"
#include "onion/torrc.h"

struct event_base;
struct spawner;

typedef struct torsup torsup_t;

typedef struct torsup_opts {
	const char *tor_path;        /* /usr/bin/tor */
	const char *tor_data_dir;    /* <data>/tor  (DataDirectory) */
	const char *run_dir;         /* torrc, control socket, cookie: <data>/tor,
	                              * which serve's sandbox does not reach */
	const char *onion_dir;       /* <data>/onion/public (HiddenServiceDir);
	                              * NULL: no service of our own (an Onionbalance
	                              * front that does not serve) */
	const char *watch_address;   /* "published" means a descriptor of this
	                              * address reached an HSDir; NULL: onion_dir's.
	                              * A front watches the descriptors Onionbalance
	                              * uploads for the front address. */
	int ob_instance;             /* HiddenServiceOnionbalanceInstance 1 */
	const char *admin_dir;       /* the admin onion (admin_onion.h), or NULL */
	const char *admin_socket;    /* its HTTP target */
	int admin_ssh_port;          /* its port 22 → 127.0.0.1:N; 0 = none */
	const char *http_socket;     /* <data>/run/http.sock (HiddenServicePort target) */
	const char *config_append;   /* file or NULL */
	int max_streams, pow, intro_dos, sandbox;
	int socks_port;              /* 0 = SocksPort 0 */
	const char *socks_socket;    /* if set: SocksPort unix:PATH (copied) */
	struct spawner *spawner;     /* start tor through this helper (spawner.h),
	                              * which writes the torrc, and talk to tor
	                              * through its control filter; NULL = fork,
	                              * exec and connect ourselves */
} torsup_opts_t;

typedef struct torsup_status {
	const char *state;   /* "starting" "bootstrapping" "publishing" "published" "degraded" "stopped" */
	int bootstrap;       /* percent */
	int descriptor_uploads;
	int restarts;
	long tor_pid;        /* 0 when no tor runs */
	char address[ONION_ADDRESS_LEN];
	char last_problem[256];   /* operator-readable; "" when none */
} torsup_status_t;

/* The torrc options opts stands for (pointers into opts; for the spawner,
 * which must know them before the supervisor exists). */
void torsup_torrc_opts(const torsup_opts_t *opts, torrc_opts_t *rc);

/* Return a supervisor for base; opts is copied. Nothing runs until _start(). */
torsup_t *torsup_new(struct event_base *base, const torsup_opts_t *opts);

/* Write the torrc, spawn tor and begin connecting to it. Return 0, or -1
 * (logged) if the torrc cannot be written or tor cannot be spawned at all;
 * later failures are retried and show in the status instead. */
int torsup_start(torsup_t *t);

/* Stop tor cleanly (control connection closed, SIGINT, SIGKILL after 10 s)
 * and wait for it; the state becomes "stopped" and no restart follows. */
void torsup_shutdown(torsup_t *t);

/* Stop tor and start it again at once, not counted as a failure (nothing
 * if it does not run). */
void torsup_restart(torsup_t *t);

/* Shut down if needed and free. */
void torsup_free_(torsup_t *t);
#define torsup_free(p) do { torsup_free_(p); (p) = NULL; } while (0)

/* Fill out with the current state (strings are copied; state is static). */
void torsup_get_status(const torsup_t *t, torsup_status_t *out);

/* Ask tor to close a circuit (CLOSECIRCUIT), e.g. one that exceeded a rate
 * limit. Return 0 if the command was sent, -1 if tor is not connected. */
int torsup_close_circuit(torsup_t *t, uint32_t circuit_id);

#endif
