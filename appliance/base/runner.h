/* runner: a helper process, forked before the sandbox, that runs only the
 * commands it was given when it was forked.
 *
 * A sandboxed process cannot exec (seccomp, Landlock), and must not be able to
 * choose what runs outside its sandbox either: code running in it could then
 * start anything unconfined. So the commands (argv lists) are fixed at fork
 * time, copied into the helper by the fork itself; afterwards the sandboxed
 * side can only say "run job N" and learn when a job ended. serve uses it for
 * the scheduled mirror runs (serve/mirror_sched.h); tor, onionbalance and
 * vanguards have their own helper with a control filter (onion/spawner.h). */
#ifndef BROADSIDE_RUNNER_H
#define BROADSIDE_RUNNER_H

#include <sys/types.h>

typedef struct runner runner_t;

/* Fork the helper with njobs commands; jobs[i] is a NULL-terminated argv whose
 * argv[0] is an absolute path. NULL (logged) on failure. */
runner_t *runner_new(char *const *const *jobs, int njobs);
/* Close the socket (the helper stops its jobs and exits) and reap it. */
void runner_free_(runner_t *r);
#define runner_free(p) do { runner_free_(p); (p) = NULL; } while (0)

/* Start job in a new process group, stdin /dev/null, stdout and stderr to a
 * pipe whose read end goes to *out_fd. The pid, or -1 with errno (EINVAL: no
 * such job; EBUSY: it runs). Blocks until the helper answers. */
pid_t runner_run(runner_t *r, int job, int *out_fd);
/* If pid has exited: *status as waitpid sets it, 1. 0 if it still runs; -1 if
 * the helper is gone. Never blocks. */
int runner_reap(runner_t *r, pid_t pid, int *status);
/* Readable when the helper has news (a job ended). */
int runner_fd(const runner_t *r);

#endif
