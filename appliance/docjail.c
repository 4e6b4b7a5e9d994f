/* docjail: see docjail.h.
 *
 * Fork per document rather than one long-lived worker fed descriptors: a
 * worker that one hostile document took over would read (and could falsify)
 * every document after it; a fresh child per document sees only its own. The
 * per-document cost is one fork of the caller plus two system calls (the
 * Landlock ruleset and the seccomp program are built once, in docjail_new);
 * README "The document jail" has the measured price.
 *
 * What the child sends back for an extractor: "BDJ1", the title's length and
 * the text's length (uint32, host order), then the title and the text. Any
 * other shape, or trailing bytes, is DOCJAIL_GARBLED. */
#include "docjail.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <poll.h>
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

#define FRAME_MAGIC "BDJ1"
#define FRAME_HEAD 12
#define CHILD_NOFILE 32      /* the dynamic loader opens libraries one at a time */

struct bpf {
	struct sock_filter *ins;
	unsigned short len;
};

struct tool {
	char *path;
	int ruleset;             /* -1: no Landlock */
};

struct docjail {
	int mode, seconds, abi;
	int64_t mem_max;
	size_t out_max;
	int ruleset_none;        /* -1: no Landlock */
	struct bpf parse_bpf, tool_bpf;   /* len 0: no seccomp */
	struct tool tools[DOCJAIL_TOOLS_MAX];
	int ntools;
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

/* ---- building the jail (parent, once) ---------------------------------- */

/* The ELF interpreter (dynamic loader) named in program path, into out; "" if none. */
static void
elf_interp(const char *path, char *out, size_t outlen)
{
	unsigned char buf[4096];
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf), 0) : -1;

	out[0] = '\0';
	if (n < (ssize_t)sizeof(eh))
		goto done;
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		goto done;
	for (unsigned i = 0; i < eh.e_phnum && i < 64; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) != sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP && ph.p_filesz > 1 && ph.p_filesz < outlen &&
		    pread(fd, out, ph.p_filesz, (off_t)ph.p_offset) == (ssize_t)ph.p_filesz) {
			out[ph.p_filesz - 1] = '\0';
			break;
		}
	}
done:
	if (fd >= 0)
		close(fd);
}

/* The tool's Landlock domain: its binary and loader readable and executable,
 * shared libraries and the tool's data readable, nothing else. */
static int
tool_ruleset(int abi, const char *path)
{
	static const char *const libs[] = {
		"/usr/lib", "/lib", "/lib64", "/usr/lib64", "/etc/ld.so.cache",
		"/usr/share/poppler",   /* pdftotext: character maps for CJK fonts */
	};
	const uint64_t rx = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE;
	char interp[256];
	int rs = sandbox_landlock_ruleset(abi, SANDBOX_SCOPE_ABSTRACT_UNIX | SANDBOX_SCOPE_SIGNAL);
	int failed = 0;

	if (rs < 0)
		return -1;
	failed |= sandbox_landlock_allow(rs, abi, path, rx) < 0;
	elf_interp(path, interp, sizeof(interp));
	if (interp[0])
		failed |= sandbox_landlock_allow(rs, abi, interp, rx) < 0;
	for (size_t i = 0; i < ARRAY_LEN(libs); i++)
		failed |= sandbox_landlock_allow(rs, abi, libs[i],
		    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR) < 0;
	if (failed) {
		close(rs);
		return -1;
	}
	return rs;
}

/* What a parser (and a tool such as pdftotext) calls: reading its input,
 * writing its output, memory, time, signals to itself. No socket, no open
 * beyond what Landlock allows, no new process. */
static const char *const jail_calls[] = {
	"read", "write", "readv", "writev", "pread64", "preadv", "lseek", "close", "dup",
	"dup2", "dup3", "fcntl", "fstat", "newfstatat", "stat", "lstat", "statx", "openat", "open",
	"access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents64", "getcwd",
	"brk", "munmap", "mremap", "madvise", "futex", "set_robust_list", "get_robust_list",
	"rseq", "set_tid_address", "arch_prctl", "prlimit64", "getrlimit", "getrandom",
	"clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
	"getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "uname", "sysinfo",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "tgkill", "restart_syscall",
	"sched_getaffinity", "sched_yield", "poll", "ppoll", "exit", "exit_group",
};

#if defined(__SANITIZE_ADDRESS__)
static const char *const jail_calls_sanitizer[] = {
	"mmap", "mprotect", "prctl", "sched_setaffinity", "getdents",
};
#endif

static int
build_bpf(int with_exec, struct bpf *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r = 0, mfd = -1, rc = -1;
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (ctx == NULL)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(jail_calls); i++)
		r |= sandbox_seccomp_allow(ctx, jail_calls[i]);
#if defined(__SANITIZE_ADDRESS__)
	for (size_t i = 0; i < ARRAY_LEN(jail_calls_sanitizer); i++)
		r |= sandbox_seccomp_allow(ctx, jail_calls_sanitizer[i]);
#else
	if (with_exec) {
		/* The loader maps the tool's libraries executable. */
		r |= sandbox_seccomp_allow(ctx, "mmap");
		r |= sandbox_seccomp_allow(ctx, "mprotect");
	} else {
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	}
#endif
	/* Only the one exec that starts the tool: Landlock allows no other binary. */
	if (with_exec)
		r |= sandbox_seccomp_allow(ctx, "execve");
	/* Threads, never a process (clone3's flags are out of a filter's sight). */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, TCGETS));
	if (r != 0)
		goto done;
	/* Export once to memory; each child then needs only prctl(). */
	mfd = (int)syscall(SYS_memfd_create, "docjail-bpf", MFD_CLOEXEC);
	if (mfd < 0 || seccomp_export_bpf(ctx, mfd) < 0 || fstat(mfd, &st) < 0 ||
	    st.st_size <= 0 || st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > 65535)
		goto done;
	out->ins = xmalloc((size_t)st.st_size);
	if (pread(mfd, out->ins, (size_t)st.st_size, 0) != st.st_size) {
		free(out->ins);
		out->ins = NULL;
		goto done;
	}
	out->len = (unsigned short)(st.st_size / (off_t)sizeof(struct sock_filter));
	rc = 0;
done:
	if (mfd >= 0)
		close(mfd);
	seccomp_release(ctx);
	return rc;
}

docjail_t *
docjail_new(const docjail_conf_t *conf)
{
	docjail_t *j = xcalloc(1, sizeof(*j));
	int missing = 0;

	j->mode = conf->mode;
	j->seconds = conf->seconds > 0 ? conf->seconds : DOCJAIL_SECONDS;
	j->mem_max = conf->mem_max > 0 ? conf->mem_max : DOCJAIL_MEM_MAX;
	j->out_max = conf->out_max > 0 ? conf->out_max : DOCJAIL_OUT_MAX;
	j->ruleset_none = -1;
	for (int i = 0; conf->tools[i] && i < DOCJAIL_TOOLS_MAX; i++) {
		if (conf->tools[i][0] != '/') {
			log_err("%s: a document tool must be given by its absolute path", conf->tools[i]);
			docjail_free_(j);
			return NULL;
		}
		j->tools[i].path = xstrdup(conf->tools[i]);
		j->tools[i].ruleset = -1;
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
			j->tools[i].ruleset = tool_ruleset(j->abi, j->tools[i].path);
			missing |= j->tools[i].ruleset < 0;
		}
	} else {
		log_warn("document jail: this kernel has no Landlock; parsers are limited by seccomp, "
		    "rlimits and permissions only");
		missing = 1;
	}
	if (build_bpf(0, &j->parse_bpf) < 0 || build_bpf(1, &j->tool_bpf) < 0) {
		log_warn("document jail: cannot build the seccomp filter");
		missing = 1;
	}
	if (missing && j->mode == SANDBOX_REQUIRED) {
		log_err("sandbox = required, and the document jail could not be built fully (see above)");
		docjail_free_(j);
		return NULL;
	}
	return j;
}

void
docjail_free_(docjail_t *j)
{
	if (j == NULL)
		return;
	if (j->ruleset_none >= 0)
		close(j->ruleset_none);
	for (int i = 0; i < j->ntools; i++) {
		if (j->tools[i].ruleset >= 0)
			close(j->tools[i].ruleset);
		free(j->tools[i].path);
	}
	free(j->parse_bpf.ins);
	free(j->tool_bpf.ins);
	free(j);
}

/* ---- the child ---------------------------------------------------------- */

static void
child_fail(void)
{
	_exit(126);
}

/* Put the document on 0, the pipe on 1, /dev/null on 2, the ruleset on 3;
 * close everything else; limit and jail. Only returns when all applied. */
static void
child_jail(const docjail_t *j, int doc, int out, int ruleset, const struct bpf *bpf)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct rlimit rl;
	sigset_t none;
	int hi_doc, hi_out, hi_rs = -1;

	/* First above every target, so no dup2 below overwrites a source. */
	hi_doc = fcntl(doc, F_DUPFD_CLOEXEC, 10);
	hi_out = fcntl(out, F_DUPFD_CLOEXEC, 10);
	if (ruleset >= 0)
		hi_rs = fcntl(ruleset, F_DUPFD_CLOEXEC, 10);
	if (hi_doc < 0 || hi_out < 0 || null < 0 || (ruleset >= 0 && hi_rs < 0))
		child_fail();
	if (dup2(hi_doc, 0) < 0 || dup2(hi_out, 1) < 0 || dup2(null, 2) < 0 ||
	    (hi_rs >= 0 && dup2(hi_rs, 3) < 0))
		child_fail();
	/* Whatever else the caller had open (the catalogue, other documents). */
	if (close_range(hi_rs >= 0 ? 4 : 3, ~0U, 0) < 0)
		for (int fd = hi_rs >= 0 ? 4 : 3; fd < 65536; fd++)
			close(fd);
	if (lseek(0, 0, SEEK_SET) < 0 && errno != ESPIPE)
		child_fail();
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* An extractor runs in a copy of the caller: drop its environment too. */
	clearenv();
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0 || setrlimit(RLIMIT_CORE, &rl) < 0)
		child_fail();
	rl.rlim_cur = (rlim_t)j->seconds;
	rl.rlim_max = (rlim_t)j->seconds + 1;
	if (setrlimit(RLIMIT_CPU, &rl) < 0)
		child_fail();
	rl.rlim_cur = rl.rlim_max = CHILD_NOFILE;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		child_fail();
#if !defined(__SANITIZE_ADDRESS__)
	/* The sanitizer's shadow memory needs terabytes of address space. */
	rl.rlim_cur = rl.rlim_max = (rlim_t)j->mem_max;
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		child_fail();
#endif
	if (j->mode == SANDBOX_NO)
		return;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail();
	if (hi_rs >= 0) {
		if (syscall(SYS_landlock_restrict_self, 3, 0) < 0)
			child_fail();
		close(3);
	}
	if (bpf->len > 0) {
		struct sock_fprog prog = { bpf->len, bpf->ins };
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			child_fail();
	}
}

static void __attribute__((noreturn))
child_parse(const docjail_t *j, int doc, int out, docjail_fn_t fn, void *arg)
{
	strbuf_t text;
	char *title = NULL;
	unsigned char head[FRAME_HEAD];
	uint32_t tl, xl;

	child_jail(j, doc, out, j->ruleset_none, &j->parse_bpf);
	strbuf_init(&text);
	if (fn(0, &text, &title, arg) < 0)
		_exit(1);
	tl = title ? (uint32_t)strlen(title) : 0;
	xl = (uint32_t)text.len;
	memcpy(head, FRAME_MAGIC, 4);
	memcpy(head + 4, &tl, 4);
	memcpy(head + 8, &xl, 4);
	if (write_all(1, head, sizeof(head)) < 0 || write_all(1, title ? title : "", tl) < 0 ||
	    write_all(1, text.s ? text.s : "", xl) < 0)
		_exit(1);
	_exit(0);
}

static void __attribute__((noreturn))
child_tool(const docjail_t *j, const struct tool *t, int doc, int out, char *const argv[])
{
	char *const envp[] = { NULL };

	child_jail(j, doc, out, t->ruleset, &j->tool_bpf);
	execve(t->path, argv, envp);
	_exit(127);
}

/* ---- the parent --------------------------------------------------------- */

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

/* Read the child's output into raw, up to cap; 1 when it wrote more, 2 at the deadline. */
static int
collect(int fd, strbuf_t *raw, size_t cap, int64_t deadline)
{
	char buf[65536];

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int64_t left = deadline - now_ms();
		ssize_t r;
		if (left <= 0)
			return 2;
		if (poll(&p, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (p.revents == 0)
			continue;
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return 0;
		if (raw->len + (size_t)r > cap)
			return 1;
		strbuf_add(raw, buf, (size_t)r);
	}
}

/* Fork a child running parse (fn) or the tool t; collect and judge its output. */
static enum docjail_result
run_child(docjail_t *j, int doc, docjail_fn_t fn, void *arg, const struct tool *t,
    char *const argv[], strbuf_t *raw, strbuf_t *why)
{
	int64_t deadline = now_ms() + (int64_t)j->seconds * 1000;
	int pfd[2], status, timed_out = 0, over;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		strbuf_addf(why, "cannot make a pipe: %s", strerror(errno));
		return DOCJAIL_NO_START;
	}
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (t)
			child_tool(j, t, doc, pfd[1], argv);
		child_parse(j, doc, pfd[1], fn, arg);
	}
	close(pfd[1]);
	if (pid < 0) {
		strbuf_addf(why, "cannot fork: %s", strerror(errno));
		close(pfd[0]);
		return DOCJAIL_NO_START;
	}
	over = collect(pfd[0], raw, j->out_max, deadline);
	close(pfd[0]);
	if (over)
		kill(pid, SIGKILL);
	status = reap(pid, over ? now_ms() + 5000 : deadline, &timed_out);
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
	if (t && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		strbuf_addf(why, "cannot run %s", t->path);
		return DOCJAIL_NO_START;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		strbuf_addf(why, "exited with status %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return DOCJAIL_FAILED;
	}
	return DOCJAIL_OK;
}

enum docjail_result
docjail_parse(docjail_t *j, int fd, docjail_fn_t fn, void *arg, strbuf_t *text, char **title,
    strbuf_t *why)
{
	strbuf_t raw;
	uint32_t tl, xl;
	enum docjail_result r;

	if (j->mode == SANDBOX_NO) {
		/* The operator turned the jail off: parse here, as before. */
		if (lseek(fd, 0, SEEK_SET) < 0 || fn(fd, text, title, arg) < 0) {
			strbuf_adds(why, "its parser failed");
			return DOCJAIL_FAILED;
		}
		return DOCJAIL_OK;
	}
	strbuf_init(&raw);
	r = run_child(j, fd, fn, arg, NULL, NULL, &raw, why);
	if (r != DOCJAIL_OK)
		goto done;
	r = DOCJAIL_GARBLED;
	if (raw.len < FRAME_HEAD || memcmp(raw.s, FRAME_MAGIC, 4) != 0) {
		strbuf_adds(why, "its output was not in the expected framing");
		goto done;
	}
	memcpy(&tl, raw.s + 4, 4);
	memcpy(&xl, raw.s + 8, 4);
	if ((uint64_t)FRAME_HEAD + tl + xl != raw.len) {
		strbuf_adds(why, "its output's lengths did not add up");
		goto done;
	}
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
	const struct tool *t = NULL;
	strbuf_t raw;
	enum docjail_result r;

	for (int i = 0; i < j->ntools; i++)
		if (strcmp(j->tools[i].path, argv[0]) == 0)
			t = &j->tools[i];
	if (t == NULL) {
		strbuf_addf(why, "%s is not one of the jail's tools", argv[0]);
		return DOCJAIL_NO_START;
	}
	strbuf_init(&raw);
	r = run_child(j, fd, NULL, NULL, t, argv, &raw, why);
	if (r == DOCJAIL_OK)
		strbuf_add(out, raw.s ? raw.s : "", raw.len);
	strbuf_release(&raw);
	return r;
}
