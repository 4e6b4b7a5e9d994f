/* procsup: keep one child program running next to serve (tor, and
 * Onionbalance on a front). It starts argv (through the spawner when serve is
 * sandboxed, else with fork/exec here), copies each line the program prints
 * into our log, and restarts it when it exits: after 1 s, doubling to 60 s,
 * back to 1 s once it has run for 5 minutes.
 *
 * It knows nothing about the program. A caller that does (torsup.h) passes
 * hooks: one before each start (write the config the program reads), one after
 * it (connect to it), one for each line it prints, one after each exit (say
 * why, in the caller's words). Everything runs on the caller's event_base;
 * each procsup has its own SIGCHLD event and reaps only its own child. */
#ifndef BROADSIDE_PROCSUP_H
#define BROADSIDE_PROCSUP_H

#include <stdint.h>

struct event_base;
struct spawner;

typedef struct procsup procsup_t;

/* What ended a run, and what follows, for the exit hook. */
typedef struct procsup_exit {
	int start_errno;    /* it could not be started (errno); status is then 0 */
	int status;         /* as waitpid(2) gives it */
	int64_t ran_ms;     /* how long it ran */
	enum procsup_next {
		PROCSUP_BACKOFF,    /* a restart after the backoff */
		PROCSUP_AT_ONCE,    /* procsup_restart(): a restart now */
		PROCSUP_NEVER,      /* procsup_shutdown(): none */
	} next;
} procsup_exit_t;

typedef struct procsup_hooks {
	void *arg;
	/* Before each start. Return -1 to skip this one (the hook says why);
	 * it is tried again after the backoff, as after an exit. */
	int (*before_start)(void *arg);
	/* The program runs as pid. */
	void (*started)(void *arg, long pid);
	/* Each line it printed (without the newline). Default: logged at info
	 * with the name in front. */
	void (*line)(void *arg, const char *line);
	/* It exited, or could not be started; its output is read to the end
	 * first. Default: a warning naming the status. With this hook, procsup
	 * itself only logs (at info) when it restarts it. */
	void (*exited)(void *arg, const procsup_exit_t *e);
} procsup_hooks_t;

typedef struct procsup_opts {
	const char *name;          /* for the log: "tor", "onionbalance" */
	char *const *argv;         /* argv[0] is the program's path (only for
	                            * the log with a spawner, which builds the
	                            * argv itself) */
	struct spawner *spawner;   /* NULL: fork/exec here */
	int prog;                  /* with a spawner: which (enum spawner_prog) */
	int stop_signal;           /* how to ask it to stop; 0: SIGTERM */
	int stop_wait_ms;          /* then SIGKILL after this; 0: 5000 */
	procsup_hooks_t hooks;     /* any may be NULL */
} procsup_opts_t;

typedef struct procsup_status {
	const char *state;       /* "running" "waiting" (to restart) "stopped" */
	long pid;                /* 0 when not running */
	int restarts;
	char last_line[256];     /* the last line it printed, "" if none */
} procsup_status_t;

/* Everything in o is copied. Nothing runs until _start(). */
procsup_t *procsup_new(struct event_base *base, const procsup_opts_t *o);
/* Start the program now; failures to start are retried like exits. Return 0
 * if it runs, -1 if this first start failed (a retry is scheduled). */
int procsup_start(procsup_t *p);
/* Ask it to stop (the stop signal; SIGKILL if it still runs after the wait)
 * without waiting: its exit is then handled as any other, a restart after
 * the backoff. E.g. it stopped answering. */
void procsup_kill(procsup_t *p);
/* Stop it (blocking) and start it again at once, not counted as a failure,
 * e.g. because its config file changed. */
void procsup_restart(procsup_t *p);
/* Stop it and wait (the stop signal, SIGKILL after the wait); no restart
 * follows. */
void procsup_shutdown(procsup_t *p);
void procsup_free_(procsup_t *p);
#define procsup_free(x) do { procsup_free_(x); (x) = NULL; } while (0)

/* The running program's pid, 0 when none runs. */
long procsup_pid(const procsup_t *p);
void procsup_get_status(const procsup_t *p, procsup_status_t *out);

#endif
