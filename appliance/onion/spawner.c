/* spawner: see spawner.h. Messages are fixed-size records on a SOCK_SEQPACKET
 * socketpair, so one read is one message:
 *   server → helper: SPAWN with the argv as NUL-separated strings after it;
 *   helper → server: SPAWNED {pid or -errno} (+ the pipe's read end, SCM_RIGHTS),
 *                    EXITED {pid, status} whenever a child ends. */
#include "onion/spawner.h"

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

enum { MSG_SPAWN = 1, MSG_SPAWNED = 2, MSG_EXITED = 3 };
#define ARGS_MAX 8192
#define EXITS_MAX 16

struct msg {
	int32_t type, pid, value;
};

struct spawner {
	int fd;
	pid_t helper;
	struct { pid_t pid; int status; } exits[EXITS_MAX];   /* reported, not yet taken */
	int nexits;
};

/* ---- the helper process ------------------------------------------------ */

static pid_t kids[8];   /* children still running */

static void
kid_set(pid_t old, pid_t new)
{
	for (size_t i = 0; i < ARRAY_LEN(kids); i++)
		if (kids[i] == old) {
			kids[i] = new;
			return;
		}
}

static void
send_msg(int fd, int type, int pid, int value, int pass_fd)
{
	struct msg m = { type, pid, value };

	(void)fd_send(fd, &m, sizeof(m), pass_fd);
}

static void __attribute__((noreturn))
child_exec(const char *path, char **argv, int out)
{
	int null = open("/dev/null", O_RDONLY);
	sigset_t none;

	setpgid(0, 0);   /* our terminal's Ctrl-C is for serve; tor stops when told */
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
	execv(path, argv);
	_exit(127);
}

static void
do_spawn(int sock, const char *path, char *buf, size_t len)
{
	char *argv[64];
	size_t n = 0;
	int pipefd[2];
	pid_t pid;

	for (size_t off = 0; off < len && n < ARRAY_LEN(argv) - 1; ) {
		argv[n++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	argv[n] = NULL;
	/* The one program we were made for, nothing else. */
	if (n == 0 || strcmp(argv[0], path) != 0) {
		send_msg(sock, MSG_SPAWNED, -EPERM, 0, -1);
		return;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		send_msg(sock, MSG_SPAWNED, -errno, 0, -1);
		return;
	}
	pid = fork();
	if (pid == 0)
		child_exec(path, argv, pipefd[1]);
	close(pipefd[1]);
	if (pid > 0)
		kid_set(0, pid);
	send_msg(sock, MSG_SPAWNED, pid < 0 ? -errno : pid, 0, pid < 0 ? -1 : pipefd[0]);
	close(pipefd[0]);
}

static void
reap_children(int sock)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		kid_set(pid, 0);
		send_msg(sock, MSG_EXITED, pid, status, -1);
	}
}

/* The server is gone: stop what we started (tor's own owner check would too). */
static void __attribute__((noreturn))
helper_exit(void)
{
	int status;

	for (size_t i = 0; i < ARRAY_LEN(kids); i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	for (int i = 0; i < 60; i++) {
		while (waitpid(-1, &status, WNOHANG) > 0)
			;
		if (waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD)
			_exit(0);
		usleep(50 * 1000);
	}
	for (size_t i = 0; i < ARRAY_LEN(kids); i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
	_exit(0);
}

static void __attribute__((noreturn))
helper_main(int sock, const char *path)
{
	sigset_t chld;
	int sfd;
	static char buf[sizeof(struct msg) + ARGS_MAX];

	/* Keep the helper out of the terminal's process group signals: serve
	 * decides when tor stops. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	(void)prctl(PR_SET_NAME, "broadside-spawn", 0, 0, 0);
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
			ssize_t r = recv(sock, buf, sizeof(buf) - 1, 0);
			struct msg m;
			if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
				helper_exit();
			if (r < (ssize_t)sizeof(m))
				continue;
			memcpy(&m, buf, sizeof(m));
			buf[r] = '\0';
			if (m.type == MSG_SPAWN)
				do_spawn(sock, path, buf + sizeof(m), (size_t)r - sizeof(m));
		}
	}
}

/* ---- the server's side ------------------------------------------------- */

spawner_t *
spawner_new(const char *path)
{
	int sv[2];
	pid_t pid;
	spawner_t *s;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("cannot create the tor spawner's socket: %s", strerror(errno));
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		log_err("cannot fork the tor spawner: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		char *p = xstrdup(path);
		/* Keep only our end of the socket (as fd 3) and stdio. */
		if (dup3(sv[1], 3, 0) < 0)
			_exit(1);
		if (close_range(4, ~0U, 0) < 0)
			for (int fd = 4; fd < 4096; fd++)
				close(fd);
		helper_main(3, p);
	}
	close(sv[1]);
	s = xcalloc(1, sizeof(*s));
	s->fd = sv[0];
	s->helper = pid;
	return s;
}

void
spawner_free_(spawner_t *s)
{
	int status;

	if (s == NULL)
		return;
	close(s->fd);
	(void)waitpid(s->helper, &status, 0);
	free(s);
}

/* Take one message; queue exits. Return the type, 0 if none waiting, -1 gone. */
static int
take_msg(spawner_t *s, int flags, struct msg *m, int *fd_out)
{
	ssize_t r = fd_recv(s->fd, m, sizeof(*m), flags, fd_out);

	if (r < 0 && errno == EAGAIN)
		return 0;
	if (r != (ssize_t)sizeof(*m))
		return -1;
	if (m->type == MSG_EXITED && s->nexits < EXITS_MAX) {
		s->exits[s->nexits].pid = m->pid;
		s->exits[s->nexits].status = m->value;
		s->nexits++;
	}
	return m->type;
}

pid_t
spawner_spawn(spawner_t *s, char *const argv[], int *out_fd)
{
	static char buf[sizeof(struct msg) + ARGS_MAX];
	struct msg m = { MSG_SPAWN, 0, 0 };
	size_t len = sizeof(m);
	int t;

	memcpy(buf, &m, sizeof(m));
	for (int i = 0; argv[i]; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (len + n > sizeof(buf)) {
			errno = E2BIG;
			return -1;
		}
		memcpy(buf + len, argv[i], n);
		len += n;
	}
	if (send(s->fd, buf, len, MSG_NOSIGNAL) < 0)
		return -1;
	*out_fd = -1;
	while ((t = take_msg(s, 0, &m, out_fd)) == MSG_EXITED)
		;
	if (t != MSG_SPAWNED) {
		errno = EPIPE;
		return -1;
	}
	if (m.pid < 0) {
		errno = -m.pid;
		return -1;
	}
	return m.pid;
}

pid_t
spawner_spawn_here(const char *path, char *const argv[], int *out_fd)
{
	int pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		child_exec(path, (char **)argv, pipefd[1]);
	close(pipefd[1]);
	if (pid < 0) {
		int e = errno;
		close(pipefd[0]);
		errno = e;
		return -1;
	}
	*out_fd = pipefd[0];
	return pid;
}

int
spawner_reap(spawner_t *s, pid_t pid, int *status)
{
	struct msg m;
	int t;

	while ((t = take_msg(s, MSG_DONTWAIT, &m, NULL)) > 0)
		;
	for (int i = 0; i < s->nexits; i++)
		if (s->exits[i].pid == pid) {
			*status = s->exits[i].status;
			memmove(&s->exits[i], &s->exits[i + 1],
			    sizeof(s->exits[0]) * (size_t)(s->nexits - i - 1));
			s->nexits--;
			return 1;
		}
	return t < 0 ? -1 : 0;
}

int
spawner_fd(const spawner_t *s)
{
	return s->fd;
}
