/* mirror_sched: serve's schedule that makes mirrors follow their origin.
 *
 * Each collection mirrored here is re-run every mirror_interval (from the end
 * of one run to the start of the next, made randomly longer or shorter by
 * mirror_jitter percent; a failed run is retried after at most 10 minutes;
 * at most two run at once, a third waits 30 s and tries again).
 * A run is `broadside --data DIR mirror ORIGIN ...` as a job of a runner
 * (base/runner.h) forked before serve sandboxes itself with every run's
 * command fixed, so a compromised serve can start a run but not choose what
 * runs (another origin, another key). The run needs what
 * serve's sandbox forbids (exec, TCP to tor's SocksPort, writing the data
 * directory) and parses documents in its own jail, never in serve. The run
 * stages and verifies the new version before it installs it, and records its
 * outcome in DIR/mirror-state/<slug> (trust/mirror_state.h); this module
 * shows it, with the installed version, in `status`. */
#ifndef BROADSIDE_MIRROR_SCHED_H
#define BROADSIDE_MIRROR_SCHED_H

#include <event2/event.h>

#include "base/conf.h"
#include "base/util.h"
#include "base/runner.h"

typedef struct mirror_sched mirror_sched_t;

/* The command of one run: exe (this broadside) on data_root, with conf's
 * mirror_* bounds and socks ("HOST:PORT" or "unix:PATH"); allocated. The
 * runner gets these, one per followed collection, in mirror_sched_add's order. */
char **mirror_sched_argv(const char *exe, const char *data_root, const conf_t *conf, const char *socks,
    const char *origin, const char *key);
/* A schedule whose runs are runner's jobs (not ours), on data_root. */
mirror_sched_t *mirror_sched_new(struct event_base *base, runner_t *runner, const char *data_root,
    const conf_t *conf);
/* Follow collection slug, mirrored from origin under the pinned key (text):
 * the n-th call's runs are the runner's job n. */
void mirror_sched_add(mirror_sched_t *s, const char *slug, const char *origin, const char *key);
/* Stop the timers (a running child stops with the spawner). NULL is fine. */
void mirror_sched_free_(mirror_sched_t *s);
#define mirror_sched_free(p) do { mirror_sched_free_(p); (p) = NULL; } while (0)

/* Append each mirrored collection's state: JSON ("mirrors":[...], after a
 * comma) or text lines. s may be NULL (nothing is followed). */
void mirror_sched_write_status(const mirror_sched_t *s, strbuf_t *out, int json);

#endif
