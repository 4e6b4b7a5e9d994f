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

#include "base/helper.h"
#include "base/log.h"
#include "base/util.h"

enum { MSG_RUN = 1, MSG_STARTED = 2 };   /* and HELPER_EXITED */

struct runner {
	helper_t h;
};

/* ---- the helper process ------------------------------------------------ */

static char *const *const *jobs;   /* the fork's copy */
static int njobs;
static pid_t *running;             /* per job, 0 = not running */

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
		helper_send(sock, MSG_STARTED, -EINVAL, 0, -1);
		return;
	}
	if (running[job] > 0) {
		helper_send(sock, MSG_STARTED, -EBUSY, 0, -1);
		return;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		helper_send(sock, MSG_STARTED, -errno, 0, -1);
		return;
	}
	pid = fork();
	if (pid == 0)
		child_exec(jobs[job], pipefd[1]);
	close(pipefd[1]);
	if (pid > 0)
		running[job] = pid;
	helper_send(sock, MSG_STARTED, pid < 0 ? -errno : pid, 0, pid < 0 ? -1 : pipefd[0]);
	close(pipefd[0]);
}

static void
forget(pid_t pid)
{
	for (int i = 0; i < njobs; i++)
		if (running[i] == pid)
			running[i] = 0;
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
		helper_report_exits(sock, forget);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			struct helper_msg m;
			ssize_t r = recv(sock, &m, sizeof(m), 0);
			if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
				helper_exit();
			if (r == (ssize_t)sizeof(m) && m.type == MSG_RUN)
				do_run(sock, m.value);
		}
	}
}

/* ---- the caller's side ------------------------------------------------- */

struct child_args {
	char *const *const *list;
	int n;
};

static void
child_main(int sock, void *arg)
{
	const struct child_args *a = arg;

	jobs = a->list;   /* the fork copied them; the caller may free its own */
	njobs = a->n;
	helper_main(sock);
}

runner_t *
runner_new(char *const *const *list, int n)
{
	struct child_args a = { list, n };
	runner_t *r;

	for (int i = 0; i < n; i++)
		if (list[i] == NULL || list[i][0] == NULL || list[i][0][0] != '/') {
			log_err("runner: job %d has no absolute program path", i);
			return NULL;
		}
	r = xcalloc(1, sizeof(*r));
	if (helper_fork(&r->h, "runner", child_main, &a) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

void
runner_free_(runner_t *r)
{
	if (r == NULL)
		return;
	helper_close(&r->h);
	free(r);
}

pid_t
runner_run(runner_t *r, int job, int *out_fd)
{
	return helper_ask(&r->h, MSG_RUN, 0, job, MSG_STARTED, out_fd);
}

int
runner_reap(runner_t *r, pid_t pid, int *status)
{
	return helper_reap(&r->h, pid, status);
}

int
runner_fd(const runner_t *r)
{
	return r->h.fd;
}
