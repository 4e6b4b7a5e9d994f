/* procsup: keep one helper program running next to serve (Onionbalance on a
 * front). It starts argv (through the spawner when serve is sandboxed, else
 * with fork/exec here), copies each line the program prints into our log with
 * its name in front, and restarts it when it exits: after 1 s, doubling to 60 s,
 * back to 1 s once it has run for 5 minutes. tor has its own, richer
 * supervisor (torsup.h); this one knows nothing about the program. */
#ifndef BROADSIDE_PROCSUP_H
#define BROADSIDE_PROCSUP_H

struct event_base;
struct spawner;

typedef struct procsup procsup_t;

typedef struct procsup_status {
	const char *state;       /* "running" "waiting" (to restart) "stopped" */
	long pid;                /* 0 when not running */
	int restarts;
	char last_line[256];     /* the last line it printed, "" if none */
} procsup_status_t;

/* name is for the log; argv[0] is the program's path. Both are copied.
 * spawner may be NULL. Nothing runs until _start(). */
procsup_t *procsup_new(struct event_base *base, const char *name, char *const argv[],
    struct spawner *spawner);
/* Start the program now; failures to start are retried like exits. */
void procsup_start(procsup_t *p);
/* Stop it (SIGTERM, SIGKILL after 5 s) and start it again at once, e.g.
 * because its config file changed. */
void procsup_restart(procsup_t *p);
/* Stop it and wait; no restart follows. */
void procsup_shutdown(procsup_t *p);
void procsup_free_(procsup_t *p);
#define procsup_free(x) do { procsup_free_(x); (x) = NULL; } while (0)

void procsup_get_status(const procsup_t *p, procsup_status_t *out);

#endif
