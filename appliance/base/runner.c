/* runner: see runner.h. Fixed-size records on a SOCK_SEQPACKET socketpair:
 *   caller → helper: RUN {job};
 *   helper → caller: STARTED {pid or -errno} (+ the pipe's read end, SCM_RIGHTS),
 *                    EXITED {pid, status} whenever a job ends. */
#include "base/runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

enum { MSG_RUN = 1, MSG_STARTED = 2, MSG_EXITED = 3 };
#define EXITS_MAX 16

struct msg {
	int32_t type, pid, value;
};

struct runner {
	int fd;
	pid_t helper;
	struct { pid_t pid; int status; } exits[EXITS_MAX];   /* reported, not yet taken */
	int nexits;
};

/* ---- the helper process ------------------------------------------------ */

static char *const *const *jobs;   /* the fork's copy */
static int njobs;
static pid_t *running;             /* per job, 0 = not running */

static void
send_msg(int fd, int type, int pid, int value, int pass_fd)
{
	struct msg m = { type, pid, value };

	(void)fd_send(fd, &m, sizeof(m), pass_fd);
}

static void __attribute__((noreturn))
child_exec(char *const *argv, int out)
{
	int null = open("/dev/null", O_RDONLY);
	sigset_t none;

	setpgid(0, 0);   /* the terminal's Ctrl-C is for serve, which stops us */
	if (null >= 0)
		dup2(null, 0);
	dup2(out, 1);
	dup2(out, 2);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (close_range(3, ~0U, 0) < 0)
		for (int fd = 3; fd < 4096; fd++)
			close(fd);
	execv(argv[0], argv);
	_exit(127);
}

static void
do_run(int sock, int job)
{
	int pipefd[2];
	pid_t pid;

	if (job < 0 || job >= njobs) {
		send_msg(sock, MSG_STARTED, -EINVAL, 0, -1);
		return;
	}
	if (running[job] > 0) {
		send_msg(sock, MSG_STARTED, -EBUSY, 0, -1);
		return;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		send_msg(sock, MSG_STARTED, -errno, 0, -1);
		return;
	}
	pid = fork();
	if (pid == 0)
		child_exec(jobs[job], pipefd[1]);
	close(pipefd[1]);
	if (pid > 0)
		running[job] = pid;
	send_msg(sock, MSG_STARTED, pid < 0 ? -errno : pid, 0, pid < 0 ? -1 : pipefd[0]);
	close(pipefd[0]);
}

static void
reap_children(int sock)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < njobs; i++)
			if (running[i] == pid)
				running[i] = 0;
		send_msg(sock, MSG_EXITED, pid, status, -1);
	}
}

/* The caller is gone: stop the jobs (their process groups), then go. */
static void __attribute__((noreturn))
helper_exit(void)
{
	int status;

	for (int i = 0; i < njobs; i++)
		if (running[i] > 0)
			kill(-running[i], SIGTERM);
	for (int t = 0; t < 60; t++) {
		while (waitpid(-1, &status, WNOHANG) > 0)
			;
		if (waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD)
			_exit(0);
		usleep(50 * 1000);
	}
	for (int i = 0; i < njobs; i++)
		if (running[i] > 0)
			kill(-running[i], SIGKILL);
	_exit(0);
}

static void __attribute__((noreturn))
helper_main(int sock)
{
	sigset_t chld;
	int sfd;

	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	(void)prctl(PR_SET_NAME, "broadside-run", 0, 0, 0);
	running = xcalloc((size_t)(njobs > 0 ? njobs : 1), sizeof(*running));
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	for (;;) {
		struct pollfd p[2] = { { sock, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		if (poll(p, 2, sfd < 0 ? 500 : -1) < 0 && errno != EINTR)
			helper_exit();
		if (sfd >= 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
		}
		reap_children(sock);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			struct msg m;
			ssize_t r = recv(sock, &m, sizeof(m), 0);
			if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
				helper_exit();
			if (r == (ssize_t)sizeof(m) && m.type == MSG_RUN)
				do_run(sock, m.value);
		}
	}
}

/* ---- the caller's side ------------------------------------------------- */

runner_t *
runner_new(char *const *const *list, int n)
{
	int sv[2];
	pid_t pid;
	runner_t *r;

	for (int i = 0; i < n; i++)
		if (list[i] == NULL || list[i][0] == NULL || list[i][0][0] != '/') {
			log_err("runner: job %d has no absolute program path", i);
			return NULL;
		}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("cannot create the runner's socket: %s", strerror(errno));
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		log_err("cannot fork the runner: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		jobs = list;   /* the fork copied them; the caller may free its own */
		njobs = n;
		if (dup3(sv[1], 3, 0) < 0)
			_exit(1);
		if (close_range(4, ~0U, 0) < 0)
			for (int fd = 4; fd < 4096; fd++)
				close(fd);
		helper_main(3);
	}
	close(sv[1]);
	r = xcalloc(1, sizeof(*r));
	r->fd = sv[0];
	r->helper = pid;
	return r;
}

void
runner_free_(runner_t *r)
{
	int status;

	if (r == NULL)
		return;
	close(r->fd);
	(void)waitpid(r->helper, &status, 0);
	free(r);
}

/* Take one message; queue exits. Its type, 0 if none is waiting, -1 gone. */
static int
take_msg(runner_t *r, int flags, struct msg *m, int *fd_out)
{
	ssize_t n = fd_recv(r->fd, m, sizeof(*m), flags, fd_out);

	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n != (ssize_t)sizeof(*m))
		return -1;
	if (m->type == MSG_EXITED && r->nexits < EXITS_MAX) {
		r->exits[r->nexits].pid = m->pid;
		r->exits[r->nexits].status = m->value;
		r->nexits++;
	}
	return m->type;
}

pid_t
runner_run(runner_t *r, int job, int *out_fd)
{
	struct msg m = { MSG_RUN, 0, job };
	int t;

	if (send(r->fd, &m, sizeof(m), MSG_NOSIGNAL) < 0)
		return -1;
	*out_fd = -1;
	while ((t = take_msg(r, 0, &m, out_fd)) == MSG_EXITED)
		;
	if (t != MSG_STARTED) {
		errno = EPIPE;
		return -1;
	}
	if (m.pid < 0) {
		errno = -m.pid;
		return -1;
	}
	return m.pid;
}

int
runner_reap(runner_t *r, pid_t pid, int *status)
{
	struct msg m;
	int t;

	while ((t = take_msg(r, MSG_DONTWAIT, &m, NULL)) > 0)
		;
	for (int i = 0; i < r->nexits; i++)
		if (r->exits[i].pid == pid) {
			*status = r->exits[i].status;
			memmove(&r->exits[i], &r->exits[i + 1],
			    sizeof(r->exits[0]) * (size_t)(r->nexits - i - 1));
			r->nexits--;
			return 1;
		}
	return t < 0 ? -1 : 0;
}

int
runner_fd(const runner_t *r)
{
	return r->fd;
}
