/* docjail_build: the jail's Landlock rulesets and seccomp allow-lists,
 * built once in the caller (docjail_new); see docjail.h for what they allow. */
#include "docs/docjail_int.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <seccomp.h>

/* libseccomp's SCMP_A0()..SCMP_A5() leave datum_b to the compound literal's
 * zero-fill, which clang's -Wmissing-field-initializers flags. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "base/sandbox.h"
#include "base/util.h"

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
int
docjail_tool_ruleset_(int abi, const char *path)
{
	static const char *const libs[] = {
		"/usr/lib", "/lib", "/lib64", "/usr/lib64", "/etc/ld.so.cache",
		"/usr/share/poppler",   /* pdftotext: character maps for CJK fonts */
		"/usr/share/unrtf",     /* unrtf: its output formats and character maps */
		"/usr/share/catdoc",    /* catdoc, xls2csv: character maps */
		"/usr/share/tesseract-ocr",   /* tesseract: its language models */
		/* pdftoppm: fontconfig and the fonts that stand in for a PDF's
		 * unembedded ones (without them the page's text is not drawn) */
		"/etc/fonts", "/usr/share/fontconfig", "/usr/share/fonts", "/var/cache/fontconfig",
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

void
docjail_aa_command_(const char *path, char *out, size_t outlen)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	out[0] = '\0';
	if (name[0] == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(name))
		return;
	(void)snprintf(out, outlen, "stack %s%s", DOCJAIL_AA_TOOL, name);
}

int
docjail_aa_stack_(const char *cmd)
{
	size_t n = strlen(cmd);
	ssize_t w;
	int fd, e;

	if (n == 0)
		return 0;
	/* The AppArmor-only file (Linux 5.8+): /proc/self/attr/current may
	 * belong to another LSM. */
	fd = open("/proc/self/attr/apparmor/current", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EINVAL ? 0 : -1;
	w = write(fd, cmd, n);
	e = errno;
	close(fd);
	if (w == (ssize_t)n)
		return 0;
	return w < 0 && (e == ENOENT || e == EINVAL) ? 0 : -1;
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
	/* a worker: the next document's descriptor, its own CPU time */
	"recvmsg", "getrusage", "setrlimit",
};

#if defined(__SANITIZE_ADDRESS__)
static const char *const jail_calls_sanitizer[] = {
	"mmap", "mprotect", "prctl", "sched_setaffinity", "getdents",
};
#endif

int
docjail_build_bpf_(int with_exec, struct bpf *out)
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
