/* helper: see helper.h. */
#include "base/helper.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

int
helper_fork(helper_t *h, const char *what, void (*child_main)(int sock, void *arg), void *arg)
{
	int sv[2];
	pid_t pid;

	memset(h, 0, sizeof(*h));
	h->fd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("cannot create the %s's socket: %s", what, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_err("cannot fork the %s: %s", what, strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* Keep only our end of the socket (as fd 3) and stdio. */
		if (dup3(sv[1], 3, 0) < 0)
			_exit(1);
		if (close_range(4, ~0U, 0) < 0)
			for (int fd = 4; fd < 4096; fd++)
				close(fd);
		child_main(3, arg);
		_exit(1);
	}
	close(sv[1]);
	h->fd = sv[0];
	h->pid = pid;
	return 0;
}

void
helper_close(helper_t *h)
{
	int status;

	if (h->fd < 0)
		return;
	close(h->fd);
	h->fd = -1;
	(void)waitpid(h->pid, &status, 0);
}

void
helper_send(int sock, int type, int pid, int value, int pass_fd)
{
	struct helper_msg m = { type, pid, value };

	(void)fd_send(sock, &m, sizeof(m), pass_fd);
}

void
helper_report_exits(int sock, void (*forget)(pid_t pid))
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (forget)
			forget(pid);
		helper_send(sock, HELPER_EXITED, pid, status, -1);
	}
}

/* Take one record; queue exits. Its type, 0 if none is waiting, -1 gone. */
static int
take_msg(helper_t *h, int flags, struct helper_msg *m, int *fd_out)
{
	ssize_t n = fd_recv(h->fd, m, sizeof(*m), flags, fd_out);

	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n != (ssize_t)sizeof(*m))
		return -1;
	if (m->type == HELPER_EXITED && h->nexits < HELPER_EXITS_MAX) {
		h->exits[h->nexits].pid = m->pid;
		h->exits[h->nexits].status = m->value;
		h->nexits++;
	}
	return m->type;
}

int
helper_tell(helper_t *h, int type, int pid, int value)
{
	struct helper_msg m = { type, pid, value };

	return send(h->fd, &m, sizeof(m), MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int
helper_ask(helper_t *h, int type, int pid, int value, int answer, int *fd_out)
{
	struct helper_msg m;
	int t;

	*fd_out = -1;
	if (helper_tell(h, type, pid, value) < 0)
		return -1;
	while ((t = take_msg(h, 0, &m, fd_out)) == HELPER_EXITED)
		;
	if (t != answer) {
		if (*fd_out >= 0)
			close(*fd_out);
		*fd_out = -1;
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
helper_reap(helper_t *h, pid_t pid, int *status)
{
	struct helper_msg m;
	int t;

	while ((t = take_msg(h, MSG_DONTWAIT, &m, NULL)) > 0)
		;
	for (int i = 0; i < h->nexits; i++)
		if (h->exits[i].pid == pid) {
			*status = h->exits[i].status;
			memmove(&h->exits[i], &h->exits[i + 1],
			    sizeof(h->exits[0]) * (size_t)(h->nexits - i - 1));
			h->nexits--;
			return 1;
		}
	return t < 0 ? -1 : 0;
}
