/* spawner: see spawner.h. Messages are fixed-size records on a SOCK_SEQPACKET
 * socketpair, so one read is one message:
 *   server → helper: START {program}, STOP {program, hard}, CONNECT;
 *   helper → server: SPAWNED {pid or -errno} (+ the pipe's read end, SCM_RIGHTS),
 *                    CONNECTED {0 or -errno} (+ the filtered control socket),
 *                    EXITED {pid, status} whenever a child ends. */
#include "onion/spawner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

#include "base/helper.h"
#include "base/log.h"
#include "base/sandbox.h"
#include "base/util.h"
#include "onion/balance.h"
#include "onion/ctlfilter.h"
#include "onion/ctlrelay.h"

/* and HELPER_EXITED (3) */
enum { MSG_START = 1, MSG_SPAWNED = 2, MSG_STOP = 4, MSG_CONNECT = 5, MSG_CONNECTED = 6 };

struct spawner {
	helper_t h;
};

char *
spawner_socket_path(const char *dir, int profile)
{
	return xasprintf("%s/ctl-%s", dir, ctlfilter_profile_name(profile));
}

char *
spawner_ob_yaml_path(const char *dir)
{
	return xasprintf("%s/onionbalance.yaml", dir);
}

/* ---- the helper process ------------------------------------------------ */

#define START_GAP_MS 1000   /* the least backoff, whatever serve asks */

struct prog {
	char *argv[12];
	int stop_signal;
	pid_t pid;
	int64_t started_ms;
};

static struct prog progs[SPAWNER_NPROGS];
static const spawner_opts_t *opts;
static char *torrc_path, *ctl_path, *cookie_path, *ob_yaml_path;
static char *sock_path[CTLFILTER_NPROFILES];
static int listen_fd[CTLFILTER_NPROFILES] = { -1, -1, -1 };
static ctlrelay_t *relay;

static void __attribute__((noreturn))
child_exec(const char *path, char **argv, int out, long gid)
{
	int null = open("/dev/null", O_RDONLY);
	sigset_t none;

	/* tor in its own group, the one the firewall lets out; fail closed. */
	if (gid > 0 && (setgroups(0, NULL) < 0 ||
	    setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0)) {
		dprintf(out, "broadside spawner: cannot switch to group %ld: %s\n", gid,
		    strerror(errno));
		_exit(126);
	}
	/* No child keeps the capability to change groups. */
	if (sandbox_drop_setid_caps() < 0) {
		dprintf(out, "broadside spawner: cannot drop CAP_SETGID: %s\n", strerror(errno));
		_exit(126);
	}
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

/* The argv of each program, from the configuration we were forked with. */
static void
build_progs(void)
{
	char owner[32];
	const char *dir = opts->torrc->run_dir;

	snprintf(owner, sizeof(owner), "%ld", (long)getpid());
	torrc_path = xasprintf("%s/torrc", dir);
	ob_yaml_path = spawner_ob_yaml_path(dir);
	ctl_path = torrc_control_socket(dir);
	cookie_path = torrc_cookie_file(dir);
	for (int i = 0; i < CTLFILTER_NPROFILES; i++)
		sock_path[i] = spawner_socket_path(dir, i);
	{
		/* tor exits when we do: no orphan tor if serve and we are killed. */
		char *v[] = { xstrdup(opts->tor_path), "-f", torrc_path, "--defaults-torrc",
			"/dev/null", "__OwningControllerProcess", xstrdup(owner), NULL };
		memcpy(progs[SPAWNER_TOR].argv, v, sizeof(v));
		/* SIGINT: with Sandbox 1, tor 0.4.9's main thread never sees SIGTERM. */
		progs[SPAWNER_TOR].stop_signal = SIGINT;
	}
	if (opts->ob_path) {
		char *v[] = { xstrdup(opts->ob_path), "-s", sock_path[CTLFILTER_ONIONBALANCE],
			"-c", ob_yaml_path, "-v", "warning",
			opts->ob_testnet ? "--is-testnet" : NULL, NULL };
		memcpy(progs[SPAWNER_ONIONBALANCE].argv, v, sizeof(v));
	}
	if (opts->vanguards_path) {
		/* Its config names the filtered socket (onion/vanguards_run.c);
		 * --state is chosen at each start (vanguards_state). */
		char *v[] = { xstrdup(opts->vanguards_path), "--config",
			opts->vanguards_config ? xstrdup(opts->vanguards_config) :
			xasprintf("%s/vanguards.conf", dir), "--state",
			opts->vanguards_state ? xstrdup(opts->vanguards_state) :
			xasprintf("%s/vanguards.state", dir), NULL };
		memcpy(progs[SPAWNER_VANGUARDS].argv, v, sizeof(v));
	}
	progs[SPAWNER_ONIONBALANCE].stop_signal = progs[SPAWNER_VANGUARDS].stop_signal = SIGTERM;
}

/* The filtered sockets of onionbalance and vanguards, in our directory. */
static void
listen_profiles(void)
{
	for (int i = CTLFILTER_ONIONBALANCE; i < CTLFILTER_NPROFILES; i++) {
		struct sockaddr_un sa;
		int fd;

		if (progs[i == CTLFILTER_ONIONBALANCE ? SPAWNER_ONIONBALANCE :
		    SPAWNER_VANGUARDS].argv[0] == NULL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (strlen(sock_path[i]) >= sizeof(sa.sun_path)) {
			log_warn("the control socket path %s is too long", sock_path[i]);
			continue;
		}
		memcpy(sa.sun_path, sock_path[i], strlen(sock_path[i]) + 1);
		unlink(sock_path[i]);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    listen(fd, 4) < 0) {
			log_warn("cannot listen on %s: %s", sock_path[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			continue;
		}
		listen_fd[i] = fd;
	}
}

static int
prog_of(pid_t pid)
{
	for (int i = 0; i < SPAWNER_NPROGS; i++)
		if (progs[i].pid == pid)
			return i;
	return -1;
}

/* A backend runs vanguards on the front's layers once the operator has put
 * a copy of the front's state in place (`balance vanguards-state`), else on
 * its own state. */
static const char *
vanguards_state(void)
{
	static char *own;
	struct stat st;

	if (own == NULL)
		own = progs[SPAWNER_VANGUARDS].argv[4];
	if (opts->vanguards_front_state && stat(opts->vanguards_front_state, &st) == 0 && st.st_size > 0)
		return opts->vanguards_front_state;
	return own;
}

/* Onionbalance's YAML, before each of its starts, from the operator's
 * DIR/balance (serve reads it, cannot write it) and the key and instance we
 * were forked with: whatever serve wrote anywhere, a front lists only the
 * operator's backends. A list that does not parse now, or a role changed
 * since (applied at serve's next start), keeps the last YAML. 0, or -1 when
 * there is none to run with. */
static int
write_ob_yaml(void)
{
	char err[512];
	balance_t *bal = balance_read(opts->ob_root, err, sizeof(err));
	struct stat st;
	char *y;
	int rc;

	if (bal == NULL || balance_role(bal) != BALANCE_FRONT) {
		if (bal != NULL)
			snprintf(err, sizeof(err), "%s/balance is no front's now", opts->ob_root);
		log_warn("%s; onionbalance keeps its last configuration", err);
		balance_free(bal);
		return stat(ob_yaml_path, &st) == 0 ? 0 : -1;
	}
	y = balance_yaml(bal, opts->ob_key, opts->ob_instance);
	rc = write_file_atomic(ob_yaml_path, y, strlen(y), 0600);
	if (rc < 0)
		log_warn("cannot write %s: %s", ob_yaml_path, strerror(errno));
	free(y);
	balance_free(bal);
	return rc;
}

/* With vanguards, tor starts offline when it has a consensus on disk for
 * vanguards to choose from: the control relay lets it out with the layers
 * (ctlrelay.h). Without one (the first start) vanguards can only choose once
 * tor has fetched it, online. Never when the operator's append file sets
 * DisableNetwork itself: the relay would undo their choice. */
static int
hold_offline(void)
{
	const char *append = opts->torrc->config_append;
	struct stat st;
	char *path, *text;
	size_t len;
	int held;

	if (progs[SPAWNER_VANGUARDS].argv[0] == NULL)
		return 0;
	path = xasprintf("%s/cached-microdesc-consensus", opts->torrc->data_dir);
	held = stat(path, &st) == 0 && st.st_size > 0;
	free(path);
	if (held && append && (text = read_file_small(append, 1 << 20, &len)) != NULL) {
		held = strcasestr(text, "DisableNetwork") == NULL;
		free(text);
	}
	return held;
}

static void
do_start(int sock, int which)
{
	struct prog *p;
	int pipefd[2];
	pid_t pid;

	if (which < 0 || which >= SPAWNER_NPROGS || progs[which].argv[0] == NULL) {
		helper_send(sock, MSG_SPAWNED, -EPERM, 0, -1);
		return;
	}
	p = &progs[which];
	if (p->pid > 0) {
		helper_send(sock, MSG_SPAWNED, -EBUSY, 0, -1);
		return;
	}
	if (p->started_ms && now_ms() - p->started_ms < START_GAP_MS) {
		helper_send(sock, MSG_SPAWNED, -EAGAIN, 0, -1);
		return;
	}
	if (which == SPAWNER_TOR) {
		torrc_opts_t rc = *opts->torrc;
		/* Stale files from a killed tor would make us talk to nobody or
		 * read an old cookie; tor writes fresh ones. */
		unlink(cookie_path);
		unlink(ctl_path);
		rc.disable_network = hold_offline();
		if (torrc_write(&rc, torrc_path) < 0) {
			helper_send(sock, MSG_SPAWNED, -EINVAL, 0, -1);
			return;
		}
		ctlrelay_hold(relay, rc.disable_network, CTLRELAY_HOLD_MAX_MS);
	}
	if (which == SPAWNER_ONIONBALANCE && write_ob_yaml() < 0) {
		helper_send(sock, MSG_SPAWNED, -EINVAL, 0, -1);
		return;
	}
	if (which == SPAWNER_VANGUARDS)
		p->argv[4] = (char *)vanguards_state();
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		helper_send(sock, MSG_SPAWNED, -errno, 0, -1);
		return;
	}
	p->started_ms = now_ms();
	pid = fork();
	if (pid == 0)
		child_exec(p->argv[0], p->argv, pipefd[1],
		    which == SPAWNER_TOR ? opts->tor_gid : 0);
	close(pipefd[1]);
	if (pid > 0)
		p->pid = pid;
	helper_send(sock, MSG_SPAWNED, pid < 0 ? -errno : pid, 0, pid < 0 ? -1 : pipefd[0]);
	close(pipefd[0]);
}

static void
do_stop(int which, int hard)
{
	if (which >= 0 && which < SPAWNER_NPROGS && progs[which].pid > 0)
		kill(progs[which].pid, hard ? SIGKILL : progs[which].stop_signal);
}

static void
do_connect(int sock)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		helper_send(sock, MSG_CONNECTED, -errno, 0, -1);
		return;
	}
	/* Serve's connection always gets serve's profile. */
	if (ctlrelay_add(relay, sv[1], CTLFILTER_SERVE) < 0) {
		helper_send(sock, MSG_CONNECTED, -errno, 0, -1);
		close(sv[0]);
		return;
	}
	helper_send(sock, MSG_CONNECTED, 0, 0, sv[0]);
	close(sv[0]);
}

static void
forget(pid_t pid)
{
	int i = prog_of(pid);

	if (i >= 0)
		progs[i].pid = 0;
}

/* The server is gone: stop what we started (tor's own owner check would too). */
static void __attribute__((noreturn))
helper_exit(void)
{
	int status;

	for (int i = 0; i < CTLFILTER_NPROFILES; i++)
		if (listen_fd[i] >= 0)
			unlink(sock_path[i]);
	ctlrelay_free(relay);
	for (int i = SPAWNER_NPROGS - 1; i >= 0; i--)
		do_stop(i, 0);
	for (int i = 0; i < 60; i++) {
		while (waitpid(-1, &status, WNOHANG) > 0)
			;
		if (waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD)
			_exit(0);
		usleep(50 * 1000);
	}
	for (int i = 0; i < SPAWNER_NPROGS; i++)
		do_stop(i, 1);
	_exit(0);
}

static void
on_request(int sock)
{
	struct helper_msg m;
	ssize_t r = recv(sock, &m, sizeof(m), 0);

	if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
		helper_exit();
	if (r != (ssize_t)sizeof(m))
		return;
	switch (m.type) {
	case MSG_START:
		do_start(sock, m.pid);
		break;
	case MSG_STOP:
		do_stop(m.pid, m.value);
		break;
	case MSG_CONNECT:
		do_connect(sock);
		break;
	default:
		break;
	}
}

static void __attribute__((noreturn))
helper_main(int sock)
{
	sigset_t chld;
	int sfd;

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
	if (mkdir_p(opts->torrc->run_dir, 0700) < 0 || chmod(opts->torrc->run_dir, 0700) < 0)
		log_warn("cannot create %s: %s", opts->torrc->run_dir, strerror(errno));
	build_progs();
	if (progs[SPAWNER_ONIONBALANCE].argv[0])
		(void)write_ob_yaml();   /* there for the operator to read from the start */
	listen_profiles();
	relay = ctlrelay_new(ctl_path, cookie_path);
	for (;;) {
		struct pollfd p[4 + CTLFILTER_NPROFILES + 2 * 16];
		size_t n = 0, nrelay;
		p[n++] = (struct pollfd){ sock, POLLIN, 0 };
		p[n++] = (struct pollfd){ sfd, POLLIN, 0 };
		for (int i = 0; i < CTLFILTER_NPROFILES; i++)
			p[n++] = (struct pollfd){ listen_fd[i], POLLIN, 0 };
		nrelay = ctlrelay_pollfds(relay, p + n, ARRAY_LEN(p) - n);
		if (poll(p, n + nrelay, sfd < 0 ? 500 : ctlrelay_held(relay) ? 1000 : -1) < 0) {
			if (errno != EINTR)
				helper_exit();
			continue;
		}
		if (sfd >= 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
		}
		helper_report_exits(sock, forget);
		ctlrelay_handle(relay, p + n, nrelay);
		ctlrelay_tick(relay);
		for (int i = 0; i < CTLFILTER_NPROFILES; i++) {
			int c;
			if (listen_fd[i] < 0 || !(p[2 + i].revents & POLLIN))
				continue;
			c = accept4(listen_fd[i], NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0 && ctlrelay_add(relay, c, i) < 0)
				log_info("control filter: %s connected before tor listens (%s)",
				    ctlfilter_profile_name(i), strerror(errno));
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			on_request(sock);
	}
}

/* ---- the server's side ------------------------------------------------- */

static void
child_main(int sock, void *arg)
{
	opts = arg;   /* our copy of serve's memory, as it was at the fork */
	helper_main(sock);
}

spawner_t *
spawner_new(const spawner_opts_t *o)
{
	spawner_t *s = xcalloc(1, sizeof(*s));

	if (helper_fork(&s->h, "tor spawner", child_main, (void *)o) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

void
spawner_free_(spawner_t *s)
{
	if (s == NULL)
		return;
	helper_close(&s->h);
	free(s);
}

pid_t
spawner_start(spawner_t *s, int prog, int *out_fd)
{
	return helper_ask(&s->h, MSG_START, prog, 0, MSG_SPAWNED, out_fd);
}

int
spawner_stop(spawner_t *s, int prog, int hard)
{
	return helper_tell(&s->h, MSG_STOP, prog, hard);
}

int
spawner_connect(spawner_t *s)
{
	int fd = -1;

	if (helper_ask(&s->h, MSG_CONNECT, CTLFILTER_SERVE, 0, MSG_CONNECTED, &fd) < 0)
		return -1;
	return fd;
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
		child_exec(path, (char **)argv, pipefd[1], 0);
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
	return helper_reap(&s->h, pid, status);
}

int
spawner_fd(const spawner_t *s)
{
	return s->h.fd;
}
