/* helper: the plumbing shared by the processes serve forks before its sandbox
 * to start programs for it (base/runner.h, onion/spawner.h). Each speaks in
 * fixed-size records on a SOCK_SEQPACKET socketpair, so one read is one
 * message; the helper reports every child's end as HELPER_EXITED {pid, status},
 * at any time, and the caller queues those while it waits for an answer. The
 * other message types are each helper's own. */
#ifndef BROADSIDE_HELPER_H
#define BROADSIDE_HELPER_H

#include <stdint.h>
#include <sys/types.h>

#define HELPER_EXITED 3
#define HELPER_EXITS_MAX 16

struct helper_msg {
	int32_t type, pid, value;
};

typedef struct helper {
	int fd;
	pid_t pid;
	struct { pid_t pid; int status; } exits[HELPER_EXITS_MAX];   /* reported, not yet taken */
	int nexits;
} helper_t;

/* Fork the helper. In the child, its end of the socket becomes fd 3, every
 * other fd above stdio is closed, and child_main(3, arg) runs (it must not
 * return). In the caller: 0, with h set; -1 (logged, naming what) on failure. */
int helper_fork(helper_t *h, const char *what, void (*child_main)(int sock, void *arg), void *arg);
/* Close the socket (the helper stops its children and exits) and reap it. */
void helper_close(helper_t *h);

/* The helper's side: send one record, passing pass_fd (SCM_RIGHTS) if >= 0. */
void helper_send(int sock, int type, int pid, int value, int pass_fd);
/* Reap every ended child without blocking; report each (HELPER_EXITED) and
 * call forget(pid) (may be NULL) so the helper can clear its own record. */
void helper_report_exits(int sock, void (*forget)(pid_t pid));

/* Send {type, pid, value} and wait for a record of type answer (exits that
 * come first are queued). Its pid field, or -1 with errno (EPIPE: the helper
 * is gone or answered otherwise; else the helper's -errno). *fd_out gets a
 * passed descriptor, or -1. */
int helper_ask(helper_t *h, int type, int pid, int value, int answer, int *fd_out);
/* Send a record that has no answer. 0, or -1 with errno. */
int helper_tell(helper_t *h, int type, int pid, int value);
/* If pid has exited: *status as waitpid sets it, 1. 0 if it still runs; -1 if
 * the helper is gone. Never blocks. */
int helper_reap(helper_t *h, pid_t pid, int *status);

#endif
