/* docjail: see docjail.h.
 *
 * Extractors run in long-lived jailed workers, one per calling thread at a
 * time, each fed one document descriptor after another over a socket
 * (SCM_RIGHTS) and answering on a pipe. A fork per document was measured first:
 * forking the caller (ingest, tens of MB mapped) costs milliseconds here, which
 * made ingest 2.5x slower. The price of a worker: one that a hostile document
 * took over reads the documents that come after it (documents that are being
 * published anyway) and could falsify their index text, for at most
 * WORKER_DOCS documents; it can reach nothing else. Any misbehaviour (a
 * crash, the deadline, the cap, a garbled answer) ends the worker; the next
 * document gets a fresh one. Workers are forked by a zygote (a copy of the
 * caller made when the jail is built) rather than by the caller, whose
 * every fork cost it a copy-on-write fault for each page it wrote next.
 *
 * A worker's answer: "BDJ1", a status (0 read, 1 not readable), the title's
 * and the text's lengths (uint32, host order), then the title and the text,
 * in one write. Any other shape, or bytes after it, is DOCJAIL_GARBLED.
 *
 * A tool is started per document (vfork, jail, execve by absolute path). */
#include "docs/docjail.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>

/* libseccomp's SCMP_A0()..SCMP_A5() leave datum_b to the compound literal's
 * zero-fill, which clang's -Wmissing-field-initializers flags. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base/log.h"
#include "base/sandbox.h"
#include "docs/docjail_int.h"

#define FRAME_MAGIC "BDJ1"
#define FRAME_HEAD 16
#define CHILD_NOFILE 32      /* the dynamic loader opens libraries one at a time */
#define WORKER_DOCS 256      /* documents a worker reads before a fresh one takes over */


struct tool {
	char *path;
	int ruleset;             /* -1: no Landlock */
	char aa[64];             /* "stack broadside-tool-NAME" (AppArmor), or "" */
};

struct worker {
	struct worker *next;
	pid_t pid;
	int sock;                /* requests: the extractor and the document's fd */
	int out;                 /* answers */
	int docs;
};

struct docjail {
	pthread_mutex_t mu;
	pthread_mutex_t zmu;     /* one worker_start at a time through the zygote */
	pid_t zygote;            /* forks workers for the caller; -1: none (fork here) */
	int zsock;
	struct worker *idle;     /* workers waiting for a document */
	int mode, seconds, abi;
	int64_t mem_max;
	size_t out_max;
	int ruleset_none;        /* -1: no Landlock */
	struct bpf parse_bpf, tool_bpf;   /* len 0: no seccomp */
	struct tool tools[DOCJAIL_TOOLS_MAX];
	int ntools;
	char *env[4];            /* the tools' environment, NULL-terminated */
};

const char *
docjail_result_name(enum docjail_result r)
{
	switch (r) {
	case DOCJAIL_OK: return "read";
	case DOCJAIL_FAILED: return "not readable by its parser";
	case DOCJAIL_CRASHED: return "its parser crashed";
	case DOCJAIL_TIMEOUT: return "its parser timed out";
	case DOCJAIL_OVER_CAP: return "its parser wrote more than allowed";
	case DOCJAIL_GARBLED: return "its parser's output was garbled";
	case DOCJAIL_NO_START: return "its parser could not start";
	}
	return "?";
}


static int worker_stop(struct worker *w, int kill_it);
static void zygote_start(docjail_t *j);

docjail_t *
docjail_new(const docjail_conf_t *conf)
{
	docjail_t *j = xcalloc(1, sizeof(*j));
	int missing = 0;

	j->zygote = -1;
	j->zsock = -1;
	pthread_mutex_init(&j->zmu, NULL);

	j->mode = conf->mode;
	j->seconds = conf->seconds > 0 ? conf->seconds : DOCJAIL_SECONDS;
	j->mem_max = conf->mem_max > 0 ? conf->mem_max : DOCJAIL_MEM_MAX;
	j->out_max = conf->out_max > 0 ? conf->out_max : DOCJAIL_OUT_MAX;
	j->ruleset_none = -1;
	pthread_mutex_init(&j->mu, NULL);
	for (int i = 0; i < 3 && conf->tool_env[i]; i++)
		j->env[i] = xstrdup(conf->tool_env[i]);
	for (int i = 0; conf->tools[i] && i < DOCJAIL_TOOLS_MAX; i++) {
		if (conf->tools[i][0] != '/') {
			log_err("%s: a document tool must be given by its absolute path", conf->tools[i]);
			docjail_free_(j);
			return NULL;
		}
		j->tools[i].path = xstrdup(conf->tools[i]);
		j->tools[i].ruleset = -1;
		docjail_aa_command_(j->tools[i].path, j->tools[i].aa, sizeof(j->tools[i].aa));
		j->ntools = i + 1;
	}
	if (j->mode == SANDBOX_NO)
		return j;
	j->abi = sandbox_landlock_abi();
	if (j->abi > 0) {
		j->ruleset_none = sandbox_landlock_ruleset(j->abi,
		    SANDBOX_SCOPE_ABSTRACT_UNIX | SANDBOX_SCOPE_SIGNAL);
		missing |= j->ruleset_none < 0;
		for (int i = 0; i < j->ntools; i++) {
			j->tools[i].ruleset = docjail_tool_ruleset_(j->abi, j->tools[i].path);
			missing |= j->tools[i].ruleset < 0;
		}
	} else {
		log_warn("document jail: this kernel has no Landlock; parsers are limited by seccomp, "
		    "rlimits and permissions only");
		missing = 1;
	}
	if (docjail_build_bpf_(0, &j->parse_bpf) < 0 || docjail_build_bpf_(1, &j->tool_bpf) < 0) {
		log_warn("document jail: cannot build the seccomp filter");
		missing = 1;
	}
	if (missing && j->mode == SANDBOX_REQUIRED) {
		log_err("sandbox = required, and the document jail could not be built fully (see above)");
		docjail_free_(j);
		return NULL;
	}
	zygote_start(j);
	return j;
}

void
docjail_free_(docjail_t *j)
{
	if (j == NULL)
		return;
	while (j->idle) {
		struct worker *w = j->idle;
		j->idle = w->next;
		(void)worker_stop(w, 1);
	}
	pthread_mutex_destroy(&j->mu);
	if (j->zygote > 0) {
		close(j->zsock);   /* it exits at the end of its socket */
		while (waitpid(j->zygote, NULL, 0) < 0 && errno == EINTR)
			;
	}
	pthread_mutex_destroy(&j->zmu);
	if (j->ruleset_none >= 0)
		close(j->ruleset_none);
	for (int i = 0; i < j->ntools; i++) {
		if (j->tools[i].ruleset >= 0)
			close(j->tools[i].ruleset);
		free(j->tools[i].path);
	}
	free(j->parse_bpf.ins);
	free(j->tool_bpf.ins);
	for (int i = 0; j->env[i]; i++)
		free(j->env[i]);
	free(j);
}

/* ---- the jailed side ----------------------------------------------------- */

static void
child_fail(void)
{
	_exit(126);
}

/* Address space in use now (a worker is a copy of its caller). */
static int64_t
vm_size(void)
{
	char buf[64];
	long long pages = 0;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pages = atoll(buf);
	return (int64_t)pages * sysconf(_SC_PAGESIZE);
}

/* Move fds[i] to descriptor i (fds[i] < 0: /dev/null), close everything else,
 * limit and jail the process (ruleset: the Landlock domain; -1 none). Only
 * returns when everything applied. Plain system calls only: a tool's child
 * runs this after vfork, sharing its caller's memory. */
static void
child_jail(const docjail_t *j, const int *fds, int nfds, int ruleset, const struct bpf *bpf,
    int64_t as_max, const char *aa)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int hi[8], hi_rs = -1, rs_at = nfds;
	struct rlimit rl;
	sigset_t none;

	if (null < 0 || nfds > 7)
		child_fail();
	/* First above every target, so no dup2 below overwrites a source. */
	for (int i = 0; i < nfds; i++)
		if ((hi[i] = fcntl(fds[i] >= 0 ? fds[i] : null, F_DUPFD_CLOEXEC, 16)) < 0)
			child_fail();
	if (ruleset >= 0 && (hi_rs = fcntl(ruleset, F_DUPFD_CLOEXEC, 16)) < 0)
		child_fail();
	for (int i = 0; i < nfds; i++)
		if (dup2(hi[i], i) < 0)
			child_fail();
	if (hi_rs >= 0 && dup2(hi_rs, rs_at) < 0)
		child_fail();
	/* Whatever else the caller had open (the catalogue, other documents). */
	if (close_range((unsigned)(hi_rs >= 0 ? rs_at + 1 : rs_at), ~0U, 0) < 0)
		for (int fd = hi_rs >= 0 ? rs_at + 1 : rs_at; fd < 65536; fd++)
			close(fd);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0 || setrlimit(RLIMIT_CORE, &rl) < 0)
		child_fail();
	rl.rlim_cur = (rlim_t)j->seconds;
	rl.rlim_max = (rlim_t)j->seconds * (WORKER_DOCS + 1);
	if (setrlimit(RLIMIT_CPU, &rl) < 0)
		child_fail();
	rl.rlim_cur = rl.rlim_max = CHILD_NOFILE;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		child_fail();
#if !defined(__SANITIZE_ADDRESS__)
	/* The sanitizer's shadow memory needs terabytes of address space. */
	rl.rlim_cur = rl.rlim_max = (rlim_t)as_max;
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		child_fail();
#endif
	if (j->mode == SANDBOX_NO)
		return;
	/* The AppArmor child profile (docjail_int.h), stacked: allowed under
	 * no_new_privs, and it only takes permissions away. */
	if (docjail_aa_stack_(aa) < 0)
		child_fail();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail();
	if (hi_rs >= 0) {
		if (syscall(SYS_landlock_restrict_self, rs_at, 0) < 0)
			child_fail();
		close(rs_at);
	}
	if (bpf->len > 0) {
		struct sock_fprog prog = { bpf->len, bpf->ins };
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			child_fail();
	}
}

/* A request to a worker: the extractor and a copy of its argument; the
 * document's descriptor comes with it (SCM_RIGHTS). */
struct request {
	docjail_fn_t fn;
	size_t arglen;
	unsigned char arg[64];
};

static int
recv_request(int sock, struct request *rq, int *fd)
{
	ssize_t r = fd_recv(sock, rq, sizeof(*rq), 0, fd);

	return r == (ssize_t)sizeof(*rq) && *fd >= 0 ? 0 : -1;
}

/* head, title and text to fd 1 (writev, then the rest if the pipe took part). */
static int
frame_write(const unsigned char *head, const char *title, uint32_t tl, const char *text, uint32_t xl)
{
	struct iovec iov[3] = { { (void *)head, FRAME_HEAD }, { (void *)title, tl }, { (void *)text, xl } };
	size_t done;
	ssize_t r;

	while ((r = writev(1, iov, 3)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -1;
	done = (size_t)r;
	for (int i = 0; i < 3; i++) {
		if (done >= iov[i].iov_len) {
			done -= iov[i].iov_len;
			continue;
		}
		if (write_all(1, (const char *)iov[i].iov_base + done, iov[i].iov_len - done) < 0)
			return -1;
		done = 0;
	}
	return 0;
}

/* The worker: one document at a time from the socket on fd 3, each answered
 * on the pipe at fd 1 as FRAME_MAGIC, status, title and text lengths, title,
 * text. It exits when the socket closes or after WORKER_DOCS documents. */
static void __attribute__((noreturn))
worker_main(const docjail_t *j, int sock, int out)
{
	const int fds[4] = { -1, out, -1, sock };
	strbuf_t text;

	/* Its caller's environment and memory came with the fork; the
	 * environment at least can go. */
	clearenv();
	int64_t vm = vm_size();

	/* Unknown (no /proc): room for a copy of a large caller. */
	child_jail(j, fds, 4, j->ruleset_none, &j->parse_bpf, (vm > 0 ? vm : 4 * j->mem_max) + j->mem_max,
	    "stack " DOCJAIL_AA_WORKER);
	strbuf_init(&text);
	struct rlimit rl;
	if (getrlimit(RLIMIT_CPU, &rl) < 0)
		_exit(1);
	for (int n = 0; n < WORKER_DOCS; n++) {
		struct request rq;
		struct rusage ru;
		unsigned char head[FRAME_HEAD];
		char *title = NULL;
		uint32_t st, tl, xl;
		int fd;

		if (recv_request(3, &rq, &fd) < 0)
			_exit(0);
		/* This document's CPU time, on top of what the worker used so far. */
		if (getrusage(RUSAGE_SELF, &ru) == 0) {
			rlim_t used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec);
			rl.rlim_cur = used + (rlim_t)j->seconds;
			if (rl.rlim_cur > rl.rlim_max)
				rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_CPU, &rl);
		}
		strbuf_reset(&text);
		st = lseek(fd, 0, SEEK_SET) < 0 || rq.fn(fd, &text, &title, rq.arglen ? rq.arg : NULL) < 0;
		close(fd);
		tl = title && !st ? (uint32_t)strlen(title) : 0;
		xl = st ? 0 : (uint32_t)text.len;
		memcpy(head, FRAME_MAGIC, 4);
		memcpy(head + 4, &st, 4);
		memcpy(head + 8, &tl, 4);
		memcpy(head + 12, &xl, 4);
		/* One write for the frame: the caller wakes once per document. */
		if (frame_write(head, title ? title : "", tl, text.s ? text.s : "", xl) < 0)
			_exit(1);
		free(title);
	}
	_exit(0);
}

static void __attribute__((noreturn))
child_tool(const docjail_t *j, const struct tool *t, int doc, int out, char *const argv[])
{
	const int fds[3] = { doc, out, -1 };

	child_jail(j, fds, 3, t->ruleset, &j->tool_bpf, j->mem_max, t->aa);
	if (lseek(0, 0, SEEK_SET) < 0 && errno != ESPIPE)
		_exit(126);
	execve(t->path, argv, (char *const *)j->env);
	_exit(127);
}

/* ---- the caller's side --------------------------------------------------- */

/* Wait for pid until deadline (ms); SIGKILL it then. Return its status. */
static int
reap(pid_t pid, int64_t deadline, int *timed_out)
{
	int status = 0, pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			*timed_out = 1;
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (pfd >= 0) {
			struct pollfd p = { pfd, POLLIN, 0 };
			(void)poll(&p, 1, (int)left);
		} else {
			usleep(2000);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return status;
}

/* Read from fd into raw until EOF (want = 0) or until raw holds at least want
 * bytes (whatever the pipe holds is taken: a worker's whole frame in one read).
 * 0 done, 1 more than cap, 2 deadline, 3 EOF before want. */
static int
collect(int fd, strbuf_t *raw, size_t want, size_t cap, int64_t deadline)
{
	char buf[65536];

	while (want == 0 || raw->len < want) {
		struct pollfd p = { fd, POLLIN, 0 };
		int64_t left = deadline - now_ms();
		ssize_t r;
		if (left <= 0)
			return 2;
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return 3;
		}
		if (p.revents == 0)
			continue;
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return want ? 3 : 0;
		if (raw->len + (size_t)r > cap)
			return 1;
		strbuf_add(raw, buf, (size_t)r);
	}
	return 0;
}

/* Why a child that ended (status) or was stopped (over) failed; the result. */
static enum docjail_result
judge(const docjail_t *j, int over, int timed_out, int status, const char *tool, strbuf_t *why)
{
	if (over == 1) {
		strbuf_addf(why, "wrote more than %zu bytes", j->out_max);
		return DOCJAIL_OVER_CAP;
	}
	if (over == 2 || timed_out) {
		strbuf_addf(why, "still running after %d s", j->seconds);
		return DOCJAIL_TIMEOUT;
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		if (sig == SIGXCPU)
			strbuf_addf(why, "used more than %d s of CPU", j->seconds);
		else
			strbuf_addf(why, "crashed (signal %d, %s)%s", sig, strsignal(sig),
			    sig == SIGABRT || sig == SIGSEGV ? "; perhaps out of its memory limit" : "");
		return DOCJAIL_CRASHED;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126) {
		strbuf_adds(why, "the jail could not be applied");
		return DOCJAIL_NO_START;
	}
	if (tool && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		strbuf_addf(why, "cannot run %s", tool);
		return DOCJAIL_NO_START;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		strbuf_addf(why, "exited with status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return DOCJAIL_FAILED;
	}
	return DOCJAIL_OK;
}

/* The zygote: a fork of the caller made once, when the jail is built, that
 * forks each worker for it (clone with CLONE_PARENT: the worker is still the
 * caller's child, reaped and judged as before). A worker forked from the
 * caller itself shared all of the caller's memory copy-on-write, and each
 * such fork made the caller pay a page fault for every page it wrote next
 * (a third of the jail's CPU on a tree of small files); the zygote writes
 * nothing, so the caller pays that once. It holds the caller's memory as it
 * was then (no key: see docjail.h) and nothing but its socket and the
 * parsers' Landlock ruleset; it takes two descriptors (the worker's socket
 * and pipe) and answers with the worker's pid, until its socket closes. */
static void __attribute__((noreturn))
zygote_main(const docjail_t *j, int zs)
{
	int keep[2] = { zs, j->ruleset_none }, lo = keep[0] < keep[1] ? keep[0] : keep[1];
	int hi = keep[0] < keep[1] ? keep[1] : keep[0];

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	signal(SIGPIPE, SIG_DFL);
	/* Everything else the caller had open (the catalogue, documents). */
	for (int fd = 0; fd < lo; fd++)
		close(fd);
	if (lo >= 0 && lo + 1 < hi)
		(void)close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	(void)close_range((unsigned)hi + 1, ~0U, 0);
	for (;;) {
		int sock = -1, out = -1;
		char c;
		pid_t pid;
		if (fd_recv(zs, &c, 1, 0, &sock) != 1 || sock < 0 || fd_recv(zs, &c, 1, 0, &out) != 1 || out < 0)
			_exit(0);
		pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
		if (pid == 0) {
			close(zs);
			worker_main(j, sock, out);
		}
		close(sock);
		close(out);
		if (write(zs, &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
			_exit(0);
	}
}

static void
zygote_start(docjail_t *j)
{
	int sv[2];
	pid_t pid;

	if (j->mode == SANDBOX_NO || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		zygote_main(j, sv[1]);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return;
	}
	j->zygote = pid;
	j->zsock = sv[0];
}

/* A worker on sock and out, forked by the zygote: its pid, -1 if the
 * zygote could not fork it, -2 if there is no zygote (either: fork here). */
static pid_t
zygote_fork(docjail_t *j, int sock, int out)
{
	pid_t pid = -2;

	pthread_mutex_lock(&j->zmu);
	if (j->zygote > 0) {
		if (fd_send(j->zsock, "w", 1, sock) != 1 || fd_send(j->zsock, "w", 1, out) != 1 ||
		    read(j->zsock, &pid, sizeof(pid)) != (ssize_t)sizeof(pid)) {
			/* Gone (killed, or its creating thread ended): fork here from now on. */
			close(j->zsock);
			(void)waitpid(j->zygote, NULL, WNOHANG);
			j->zygote = -1;
			j->zsock = -1;
			pid = -2;
		}
	}
	pthread_mutex_unlock(&j->zmu);
	return pid;
}

static struct worker *
worker_start(docjail_t *j, strbuf_t *why)
{
	int sv[2], pfd[2];
	struct worker *w;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		strbuf_addf(why, "cannot make a socket: %s", strerror(errno));
		return NULL;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		strbuf_addf(why, "cannot make a pipe: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	pid = zygote_fork(j, sv[1], pfd[1]);
	if (pid < 0) {   /* no zygote, or it could not: fork here */
		pid = fork();
		if (pid == 0)
			worker_main(j, sv[1], pfd[1]);
	}
	close(sv[1]);
	close(pfd[1]);
	if (pid < 0) {
		strbuf_addf(why, "cannot fork: %s", strerror(errno));
		close(sv[0]);
		close(pfd[0]);
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->pid = pid;
	w->sock = sv[0];
	w->out = pfd[0];
	return w;
}

/* Stop a worker (killed unless it is done) and reap it; its status. */
static int
worker_stop(struct worker *w, int kill_it)
{
	int status, timed_out = 0;

	close(w->sock);
	close(w->out);
	if (kill_it)
		kill(w->pid, SIGKILL);
	status = reap(w->pid, now_ms() + 5000, &timed_out);
	free(w);
	return status;
}

static struct worker *
worker_take(docjail_t *j, strbuf_t *why)
{
	struct worker *w;

	pthread_mutex_lock(&j->mu);
	w = j->idle;
	if (w)
		j->idle = w->next;
	pthread_mutex_unlock(&j->mu);
	return w ? w : worker_start(j, why);
}

static void
worker_put(docjail_t *j, struct worker *w)
{
	if (w->docs >= WORKER_DOCS) {
		/* It exits by itself after that many: a fresh one next time. */
		(void)worker_stop(w, 0);
		return;
	}
	pthread_mutex_lock(&j->mu);
	w->next = j->idle;
	j->idle = w;
	pthread_mutex_unlock(&j->mu);
}

static int
send_request(struct worker *w, const struct request *rq, int fd)
{
	return fd_send(w->sock, rq, sizeof(*rq), fd) == (ssize_t)sizeof(*rq) ? 0 : -1;
}

enum docjail_result
docjail_parse(docjail_t *j, int fd, docjail_fn_t fn, void *arg, size_t arglen, strbuf_t *text,
    char **title, strbuf_t *why)
{
	int64_t deadline = now_ms() + (int64_t)j->seconds * 1000;
	struct request rq;
	struct worker *w;
	strbuf_t raw;
	uint32_t st, tl, xl;
	enum docjail_result r;
	int over;

	if (arglen > sizeof(rq.arg)) {
		strbuf_adds(why, "extractor argument too large");
		return DOCJAIL_NO_START;
	}
	if (j->mode == SANDBOX_NO) {
		/* The operator turned the jail off: parse here, as before. */
		if (lseek(fd, 0, SEEK_SET) < 0 || fn(fd, text, title, arg) < 0) {
			strbuf_adds(why, "its parser failed");
			return DOCJAIL_FAILED;
		}
		return DOCJAIL_OK;
	}
	memset(&rq, 0, sizeof(rq));
	rq.fn = fn;
	rq.arglen = arglen;
	if (arglen)
		memcpy(rq.arg, arg, arglen);
	w = worker_take(j, why);
	if (w == NULL)
		return DOCJAIL_NO_START;
	if (send_request(w, &rq, fd) < 0) {
		/* A worker that died between documents (it had had its share of
		 * them, or was killed): once more with a fresh one. */
		(void)worker_stop(w, 1);
		if ((w = worker_start(j, why)) == NULL)
			return DOCJAIL_NO_START;
		if (send_request(w, &rq, fd) < 0) {
			strbuf_addf(why, "cannot hand the document over: %s", strerror(errno));
			(void)worker_stop(w, 1);
			return DOCJAIL_NO_START;
		}
	}
	w->docs++;
	strbuf_init(&raw);
	over = collect(w->out, &raw, FRAME_HEAD, j->out_max + FRAME_HEAD, deadline);
	if (over == 0) {
		if (memcmp(raw.s, FRAME_MAGIC, 4) != 0) {
			over = 4;
		} else {
			memcpy(&st, raw.s + 4, 4);
			memcpy(&tl, raw.s + 8, 4);
			memcpy(&xl, raw.s + 12, 4);
			if ((uint64_t)tl + xl > j->out_max)
				over = 1;
			else
				over = collect(w->out, &raw, FRAME_HEAD + (size_t)tl + xl, j->out_max + FRAME_HEAD,
				    deadline);
		}
	}
	if (over == 0) {
		/* Nothing may follow the frame: the worker answers once per document
		 * (the end of the pipe, after its last document, is fine). */
		int pending = 0;
		if (raw.len != FRAME_HEAD + (size_t)tl + xl ||
		    (ioctl(w->out, FIONREAD, &pending) == 0 && pending > 0))
			over = 4;
	}
	if (over != 0) {
		int status = worker_stop(w, over != 3);
		if (over == 4) {
			strbuf_adds(why, "its output was not in the expected framing");
			r = DOCJAIL_GARBLED;
		} else {
			r = judge(j, over == 3 ? 0 : over, 0, status, NULL, why);
			if (r == DOCJAIL_OK) {
				strbuf_adds(why, "it stopped without an answer");
				r = DOCJAIL_GARBLED;
			}
		}
		goto done;
	}
	worker_put(j, w);
	if (st != 0) {
		strbuf_adds(why, "its parser could not read it");
		r = DOCJAIL_FAILED;
		goto done;
	}
	r = DOCJAIL_GARBLED;
	if (tl > 0 && memchr(raw.s + FRAME_HEAD, '\0', tl) != NULL) {
		strbuf_adds(why, "its title held a NUL byte");
		goto done;
	}
	if (title && tl > 0) {
		free(*title);
		*title = xstrndup(raw.s + FRAME_HEAD, tl);
	}
	strbuf_add(text, raw.s + FRAME_HEAD + tl, xl);
	r = DOCJAIL_OK;
done:
	strbuf_release(&raw);
	return r;
}

enum docjail_result
docjail_tool(docjail_t *j, int fd, char *const argv[], strbuf_t *out, strbuf_t *why)
{
	int64_t deadline = now_ms() + (int64_t)j->seconds * 1000;
	const struct tool *t = NULL;
	int pfd[2], status, timed_out = 0, over;
	enum docjail_result r;
	strbuf_t raw;
	pid_t pid;

	for (int i = 0; i < j->ntools; i++)
		if (strcmp(j->tools[i].path, argv[0]) == 0)
			t = &j->tools[i];
	if (t == NULL) {
		strbuf_addf(why, "%s is not one of the jail's tools", argv[0]);
		return DOCJAIL_NO_START;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		strbuf_addf(why, "cannot make a pipe: %s", strerror(errno));
		return DOCJAIL_NO_START;
	}
	/* vfork: the tool is exec'd at once, and a fork of a large caller costs
	 * milliseconds of page-table copying. The child only makes system calls. */
	pid = vfork();
	if (pid == 0)
		child_tool(j, t, fd, pfd[1], argv);
	close(pfd[1]);
	if (pid < 0) {
		strbuf_addf(why, "cannot start %s: %s", t->path, strerror(errno));
		close(pfd[0]);
		return DOCJAIL_NO_START;
	}
	strbuf_init(&raw);
	over = collect(pfd[0], &raw, 0, j->out_max, deadline);
	close(pfd[0]);
	if (over)
		kill(pid, SIGKILL);
	status = reap(pid, over ? now_ms() + 5000 : deadline, &timed_out);
	r = judge(j, over, timed_out, status, t->path, why);
	if (r == DOCJAIL_OK)
		strbuf_add(out, raw.s ? raw.s : "", raw.len);
	strbuf_release(&raw);
	return r;
}
