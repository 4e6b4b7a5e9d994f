/* docjail: every document whose bytes are parsed is parsed in a child process
 * that can reach nothing but that document.
 *
 * The child gets the document as an open descriptor on its stdin (never a
 * path) and its output pipe on stdout; every other descriptor is closed. It
 * runs with an empty environment, PR_SET_NO_NEW_PRIVS, RLIMIT_AS, RLIMIT_CPU,
 * RLIMIT_FSIZE 0, RLIMIT_NOFILE, RLIMIT_CORE 0, a Landlock domain that allows no
 * file-system access at all (an external tool: read and execute of its own
 * binary and the dynamic loader, read of the shared libraries and its data
 * files; no write anywhere), no TCP (Landlock ABI 4+), no abstract unix
 * sockets and no signals out of the domain (ABI 6+), and a seccomp allow-list:
 * no socket() at all, no new process, no ptrace, no exec (an external tool is
 * exec'd by absolute path as the child's last step). The parent kills it at a
 * wall-clock deadline or when it writes more than the output cap.
 *
 * Two kinds of work run inside: an extractor function, in a long-lived jailed
 * worker (a fork of the caller's memory as it was when the jail was built,
 * made by a zygote process; the caller holds no key in memory) fed one document
 * descriptor at a time and replaced after any misbehaviour or 256 documents;
 * and an external tool, in a fresh child per document. A new format is one
 * more extractor function or tool. The jail is built once (Landlock rulesets
 * and seccomp programs are prepared in docjail_new). */
#ifndef BROADSIDE_DOCJAIL_H
#define BROADSIDE_DOCJAIL_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define DOCJAIL_TOOLS_MAX 8
#define DOCJAIL_SECONDS 10                      /* per document, wall clock and CPU */
#define DOCJAIL_MEM_MAX (1024LL * 1024 * 1024)  /* address space per child */
#define DOCJAIL_OUT_MAX (16 * 1024 * 1024)      /* bytes a child may send back */

typedef struct docjail docjail_t;

typedef struct docjail_conf {
	int mode;                 /* SANDBOX_NO (no jail: in-process), _YES, _REQUIRED */
	int seconds;              /* 0 = DOCJAIL_SECONDS */
	int64_t mem_max;          /* 0 = DOCJAIL_MEM_MAX */
	size_t out_max;           /* 0 = DOCJAIL_OUT_MAX */
	const char *tools[DOCJAIL_TOOLS_MAX + 1];   /* absolute paths, NULL-terminated */
	const char *tool_env[4];  /* the tools' environment ("NAME=value", NULL-terminated); empty if none */
} docjail_conf_t;

enum docjail_result {
	DOCJAIL_OK = 0,
	DOCJAIL_FAILED,           /* the parser or tool said it could not read it */
	DOCJAIL_CRASHED,          /* killed by a signal (a fault, its memory or CPU limit) */
	DOCJAIL_TIMEOUT,          /* still running at the deadline */
	DOCJAIL_OVER_CAP,         /* wrote more than out_max */
	DOCJAIL_GARBLED,          /* output not in the expected framing */
	DOCJAIL_NO_START,         /* could not start the child (or the tool) */
};

/* An extractor: read the document from fd, append its text (and set *title,
 * malloc'd, if it has one). Return 0, or -1 if it cannot be read. It runs in
 * the jailed child (or in the caller when the jail is off). */
typedef int (*docjail_fn_t)(int fd, strbuf_t *text, char **title, void *arg);

/* Prepare the jail. NULL (logged) when a tool path is not absolute, or when
 * mode is SANDBOX_REQUIRED and the kernel lacks Landlock or seccomp; in mode
 * SANDBOX_YES what is missing is warned about once and the rest applies. */
docjail_t *docjail_new(const docjail_conf_t *conf);
void docjail_free_(docjail_t *j);
#define docjail_free(p) do { docjail_free_(p); (p) = NULL; } while (0)

/* Run fn on the document open at fd in a jailed worker (arg: arglen bytes, at
 * most 64, copied to it; fn must be a function of this program); append what it
 * found to text and *title. Safe to call from several threads at once. On
 * anything but DOCJAIL_OK, text and title are untouched and why says what
 * happened. */
enum docjail_result docjail_parse(docjail_t *j, int fd, docjail_fn_t fn, void *arg, size_t arglen,
    strbuf_t *text, char **title, strbuf_t *why);

/* Run the tool argv[0] (one of conf->tools) with the document open at fd as its
 * stdin; append its stdout (raw bytes, at most out_max) to out. A tool that
 * exits with a non-zero status gives DOCJAIL_FAILED. */
enum docjail_result docjail_tool(docjail_t *j, int fd, char *const argv[], strbuf_t *out,
    strbuf_t *why);

/* A word for an outcome ("crashed", "timed out", ...). */
const char *docjail_result_name(enum docjail_result r);

#endif
