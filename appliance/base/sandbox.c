/* sandbox: see sandbox.h. */
#include "base/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <seccomp.h>

/* libseccomp's SCMP_A0()..SCMP_A5() leave datum_b to the compound literal's
 * zero-fill, which clang's -Wmissing-field-initializers flags; the macros are
 * libseccomp's documented interface, so the warning is silenced here only. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/log.h"
#include "base/util.h"

/* Debian 12's headers (linux 6.1) stop at Landlock ABI 2; the kernel we run on
 * may know more. Values from the kernel's uapi/linux/landlock.h. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE   (1ULL << 14)   /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV  (1ULL << 15)   /* ABI 5 */
#endif
#define LL_NET_BIND_TCP               (1ULL << 0)    /* ABI 4 */
#define LL_NET_CONNECT_TCP            (1ULL << 1)

struct ll_ruleset_attr {        /* struct landlock_ruleset_attr, grown */
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define FS_READ   (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define FS_FILE_RW (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
                    LANDLOCK_ACCESS_FS_TRUNCATE)
#define FS_DIR_RW (FS_FILE_RW | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
                   LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK)

int
sandbox_mode_parse(const char *s)
{
	if (strcmp(s, "no") == 0)
		return SANDBOX_NO;
	if (strcmp(s, "yes") == 0)
		return SANDBOX_YES;
	if (strcmp(s, "required") == 0)
		return SANDBOX_REQUIRED;
	return -1;
}

const char *
sandbox_mode_name(int mode)
{
	return mode == SANDBOX_REQUIRED ? "required" : mode == SANDBOX_YES ? "yes" : "no";
}

int
sandbox_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

/* ---- Landlock ---------------------------------------------------------- */

uint64_t
sandbox_landlock_fs_rights(int abi)
{
	uint64_t r = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM;
	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

int
sandbox_landlock_allow(int ruleset, int abi, const char *path, uint64_t rights)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC), rc = -1;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		log_warn("sandbox: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		rights &= LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_EXECUTE;
	pb.allowed_access = rights & sandbox_landlock_fs_rights(abi);
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		log_warn("sandbox: landlock rule for %s: %s", path, strerror(errno));
	else
		rc = 0;
	close(fd);
	return rc;
}

/* A root reached through a symbolic link (swapped after `add`) is not what
 * was published: leave it outside, so its files answer 403. */
static int
allow_root(int ruleset, int abi, const sandbox_root_t *r)
{
	char real[PATH_MAX];

	if (realpath(r->path, real) == NULL) {
		log_warn("sandbox: collection %s: root %s: %s; its files will not be served",
		    r->name, r->path, strerror(errno));
		return 0;
	}
	if (strcmp(real, r->path) != 0) {
		log_warn("sandbox: collection %s: root %s now leads to %s (a symbolic link); "
		    "not allowed, its files will not be served", r->name, r->path, real);
		return 0;
	}
	return sandbox_landlock_allow(ruleset, abi, r->path, FS_READ);
}

int
sandbox_landlock_ruleset(int abi, uint64_t scoped)
{
	struct ll_ruleset_attr attr;
	size_t attr_size = sizeof(uint64_t);
	int rs;

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = sandbox_landlock_fs_rights(abi);
	if (abi >= 4) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		attr_size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6) {
		attr.scoped = scoped;
		attr_size = 3 * sizeof(uint64_t);
	}
	rs = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (rs < 0)
		log_warn("sandbox: landlock_create_ruleset: %s", strerror(errno));
	return rs;
}

/* 0 applied, 1 not available on this kernel, -1 failed. */
static int
apply_landlock(const datadir_t *d, const sandbox_root_t *roots, const char *tor_append)
{
	int abi = sandbox_landlock_abi(), rs, rc = -1, failed = 0;
	char *p;

	if (abi <= 0)
		return 1;
	/* No TCP bind or connect at all (the preview socket is bound already); no
	 * abstract unix sockets; signals stay allowed: we stop tor. */
	rs = sandbox_landlock_ruleset(abi, SANDBOX_SCOPE_ABSTRACT_UNIX);
	if (rs < 0)
		return -1;
	for (; roots != NULL && roots->path != NULL; roots++)
		if (allow_root(rs, abi, roots) < 0)
			failed = 1;
	if (sandbox_landlock_allow(rs, abi, d->catalogue, FS_FILE_RW) < 0)
		failed = 1;
	p = xasprintf("%s-wal", d->catalogue);
	if (sandbox_landlock_allow(rs, abi, p, FS_FILE_RW) < 0)
		failed = 1;
	free(p);
	p = xasprintf("%s-shm", d->catalogue);
	if (sandbox_landlock_allow(rs, abi, p, FS_FILE_RW) < 0)
		failed = 1;
	free(p);
	if (sandbox_landlock_allow(rs, abi, d->run, FS_DIR_RW) < 0)
		failed = 1;
	/* Page images and clean image copies (render_cache.h): written here,
	 * evicted here; those made at ingest (pages/) only read. */
	p = datadir_path(d, "cache");
	if (mkdir_p(p, 0700) < 0 || sandbox_landlock_allow(rs, abi, p, FS_DIR_RW) < 0)
		failed = 1;
	free(p);
	p = datadir_path(d, "pages");
	if (mkdir_p(p, 0700) < 0 || sandbox_landlock_allow(rs, abi, p, FS_READ) < 0)
		failed = 1;
	free(p);
	/* The signed manifests served at /m/ (read-only: ingest writes them). The
	 * folder's sets are swapped in below it, so a rule on it covers them. */
	p = datadir_path(d, "manifests");
	if (mkdir_p(p, 0700) < 0 || sandbox_landlock_allow(rs, abi, p, FS_READ) < 0)
		failed = 1;
	free(p);
	/* What the scheduled mirror runs record, for `status`. */
	p = datadir_path(d, "mirror-state");
	if (mkdir_p(p, 0755) < 0 || sandbox_landlock_allow(rs, abi, p, FS_READ) < 0)
		failed = 1;
	free(p);
	/* /m/publisher.pub: this one public file of keys/, never the secret key. */
	p = datadir_path(d, "keys/publisher.pub");
	if (access(p, F_OK) == 0 && sandbox_landlock_allow(rs, abi, p, LANDLOCK_ACCESS_FS_READ_FILE) < 0)
		failed = 1;
	free(p);
	/* A front re-reads its backends (balance_run.h) so that `balance add` and
	 * `balance rm` apply without a restart. */
	p = datadir_path(d, "balance");
	if (mkdir_p(p, 0700) < 0 || sandbox_landlock_allow(rs, abi, p, FS_READ) < 0)
		failed = 1;
	free(p);
	/* tor_append: read only without the spawner (which writes the torrc). */
	if (tor_append && sandbox_landlock_allow(rs, abi, tor_append, LANDLOCK_ACCESS_FS_READ_FILE) < 0)
		failed = 1;
	/* Nothing else of the data dir: not the config, not keys/, not the onion
	 * keys (the address was read at start), not tor/ (the torrc, tor's
	 * control socket and cookie, the filtered sockets: the spawner's). */
#if defined(__SANITIZE_ADDRESS__)
	/* The sanitizer runtime reads its own maps to report. */
	if (sandbox_landlock_allow(rs, abi, "/proc", FS_READ) < 0)
		failed = 1;
#endif
	if (failed)
		goto done;
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0) {
		log_warn("sandbox: landlock_restrict_self: %s", strerror(errno));
		goto done;
	}
	log_info("sandbox: landlock ABI %d applied (collection roots read-only, run/ and "
	    "the catalogue read-write, no exec%s)", abi, abi >= 4 ? ", no TCP bind/connect" : "");
	rc = 0;
done:
	close(rs);
	return rc;
}

/* ---- seccomp ----------------------------------------------------------- */

/* What serve calls once running: the event loop, readers' sockets, files
 * beneath roots, SQLite (pread, locks, the WAL's shared memory), tor's control
 * connection (a socket the spawner made) and signals to tor. */
static const char *const allowed[] = {
	/* I/O */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
	"preadv2", "pwritev2", "sendfile", "lseek", "close", "close_range", "dup", "dup2", "dup3",
	"fcntl", "fsync", "fdatasync", "ftruncate", "fallocate",
	/* files (Landlock decides which) */
	"openat", "openat2", "open", "fstat", "newfstatat", "stat", "lstat", "statx",
	"fstatfs", "statfs", "access", "faccessat", "faccessat2", "readlink", "readlinkat",
	"getdents64", "unlink", "unlinkat", "rename", "renameat", "renameat2", "fchmod",
	"fchmodat", "getcwd", "umask", "utimensat",
	/* event loop */
	"epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "poll", "ppoll", "select",
	"pselect6", "pipe2", "eventfd2", "timerfd_settime", "timerfd_gettime",
	/* sockets on existing fds; socket() itself is filtered below */
	"accept", "accept4", "connect", "shutdown", "getsockopt", "setsockopt", "getsockname",
	"getpeername", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
	/* memory */
	"brk", "munmap", "mremap", "madvise", "mlock", "munlock",
	/* time, threads, signals */
	"clock_gettime", "clock_getres", "clock_nanosleep", "gettimeofday", "time", "nanosleep",
	"futex", "set_robust_list", "get_robust_list", "rseq", "sched_yield",
	"sched_getaffinity", "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid",
	"getegid", "getrandom", "uname", "sysinfo", "getrlimit", "prlimit64", "getrusage",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "sigaltstack",
	"restart_syscall", "kill", "tgkill", "tkill", "wait4", "waitid",
	"exit", "exit_group",
};

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer stops the world with a ptrace-ing thread at exit. */
static const char *const allowed_sanitizer[] = {
	"clone", "clone3", "ptrace", "prctl", "mprotect", "mmap", "sched_setaffinity", "getdents",
	"open", "openat", "waitpid", "wait4", "arch_prctl",
};
#endif

int
sandbox_seccomp_allow(void *filter, const char *name)
{
	scmp_filter_ctx ctx = filter;
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0;   /* not on this architecture (e.g. open on arm64) */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0) {
		log_warn("sandbox: seccomp: cannot allow %s", name);
		return -1;
	}
	return 0;
}

static int
apply_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int rc = -1, r = 0;

	if (ctx == NULL) {
		log_warn("sandbox: seccomp_init failed");
		return -1;
	}
	for (size_t i = 0; i < ARRAY_LEN(allowed); i++)
		r |= sandbox_seccomp_allow(ctx, allowed[i]);
#if defined(__SANITIZE_ADDRESS__)
	for (size_t i = 0; i < ARRAY_LEN(allowed_sanitizer); i++)
		r |= sandbox_seccomp_allow(ctx, allowed_sanitizer[i]);
#else
	/* Memory may be mapped, never executable: no new code in this process. */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
	    SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* glibc falls back to clone (clone3's flags sit in memory a filter
	 * cannot read), and clone is allowed only with CLONE_THREAD: the search
	 * threads (search_pool.h), never a process. */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
#endif
	/* No new socket at all: the listeners are bound, tor's control
	 * connection comes from the spawner (spawner.h). Landlock does not
	 * cover connect() to a unix socket's path, so this is what keeps serve
	 * off tor's own control socket and the filtered sockets of onionbalance
	 * and vanguards. socketpair() stays for libevent's notifications. */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketpair), 1,
	    SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	/* libevent asks how much is readable; isatty() asks TCGETS. */
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, FIONREAD));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, FIONBIO));
	r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, TCGETS));
	if (r != 0) {
		log_warn("sandbox: seccomp: cannot build the filter");
		goto done;
	}
	if (seccomp_load(ctx) < 0) {
		log_warn("sandbox: seccomp: cannot load the filter (kernel without seccomp?)");
		goto done;
	}
	log_info("sandbox: seccomp filter loaded (allow-list; no new sockets; no exec, "
	    "no fork)");
	rc = 0;
done:
	seccomp_release(ctx);
	return rc;
}

int
sandbox_apply_serve(int mode, const datadir_t *d, const sandbox_root_t *roots, const char *tor_append)
{
	int missing = 0, ll;

	if (mode == SANDBOX_NO) {
		log_warn("sandbox = no: serve runs without Landlock and seccomp");
		return 0;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_warn("sandbox: PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		missing = 1;
	}
	ll = apply_landlock(d, roots, tor_append);
	if (ll == 1 && errno == EPERM)
		log_warn("sandbox: the Landlock system calls are blocked by a filter around "
		    "us (systemd: add them to SystemCallFilter=); files are limited only by "
		    "permissions and the service's own settings");
	else if (ll == 1)
		log_warn("sandbox: this kernel has no Landlock (or it is disabled: add "
		    "lsm=landlock,... to the kernel command line); files are limited only "
		    "by permissions and the service's own settings");
	if (ll != 0)
		missing = 1;
	if (apply_seccomp() < 0)
		missing = 1;
	if (missing && mode == SANDBOX_REQUIRED) {
		log_err("sandbox = required, and the sandbox could not be applied fully "
		    "(see above); refusing to serve");
		return -1;
	}
	if (missing)
		log_warn("sandbox: applied only in part (see above); set sandbox = required to "
		    "refuse to start in that case");
	return 0;
}

/* ---- capabilities ---------------------------------------------------------- */

int
sandbox_drop_setid_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint32_t drop = (1U << CAP_SETGID) | (1U << CAP_SETUID);

	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SETGID, 0, 0);
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_SETUID, 0, 0);
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	if (!((d[0].effective | d[0].permitted | d[0].inheritable) & drop))
		return 0;
	d[0].effective &= ~drop;
	d[0].permitted &= ~drop;
	d[0].inheritable &= ~drop;
	return syscall(SYS_capset, &h, d) < 0 ? -1 : 0;
}

/* ---- test hook --------------------------------------------------------- */

void
sandbox_probe(void)
{
	const char *path = getenv("BROADSIDE_SANDBOX_PROBE");
	char *argv[] = { "true", NULL };
	int fd;

	if (path == NULL || path[0] == '\0')
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	log_info("sandbox probe: open %s: %s", path, fd >= 0 ? "ALLOWED" : strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	log_info("sandbox probe: socket(AF_INET): %s", fd >= 0 ? "ALLOWED" : strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	log_info("sandbox probe: socket(AF_INET6): %s", fd >= 0 ? "ALLOWED" : strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	log_info("sandbox probe: socket(AF_UNIX): %s", fd >= 0 ? "ALLOWED" : strerror(errno));
	if (fd >= 0)
		close(fd);
	/* Threads may be made (clone with CLONE_THREAD), processes not. */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	log_info("sandbox probe: fork: %s", pid >= 0 ? "ALLOWED" : strerror(errno));
	log_info("sandbox probe: exec /bin/true: trying");
	execv("/bin/true", argv);
	log_info("sandbox probe: exec /bin/true: %s", strerror(errno));
}
