/* test_docjail: extractors that misbehave in every way we could think of run in
 * the document jail; each outcome is named, none takes the test down, and
 * nothing a jailed extractor tries beyond its document succeeds. Then hostile
 * HTML and mail (deep nesting, huge inputs) through the real extractors. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "docs/docjail.h"
#include "docs/docjail_int.h"
#include "docs/extract.h"
#include "catalogue/mime.h"
#include "base/sandbox.h"
#include "unit.h"
#include "base/util.h"

static char secret_path[256];

static int
fn_ok(int fd, strbuf_t *text, char **title, void *arg)
{
	char buf[64];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n > 0)
		strbuf_add(text, buf, (size_t)n);
	*title = xstrdup("a title");
	return 0;
}

static int
fn_fail(int fd, strbuf_t *text, char **title, void *arg)
{
	return -1;
}

static int
fn_abort(int fd, strbuf_t *text, char **title, void *arg)
{
	abort();
}

static int
fn_segv(int fd, strbuf_t *text, char **title, void *arg)
{
	*(volatile int *)arg = 1;   /* arg is NULL */
	return 0;
}

static int
fn_spin(int fd, strbuf_t *text, char **title, void *arg)
{
	for (volatile unsigned long i = 0;; i++)
		;
	return 0;
}

static int
fn_sleep(int fd, strbuf_t *text, char **title, void *arg)
{
	for (;;) {
		struct timespec ts = { 1, 0 };
		nanosleep(&ts, NULL);
	}
	return 0;
}

static int
fn_hog(int fd, strbuf_t *text, char **title, void *arg)
{
	/* Past RLIMIT_AS: xmalloc aborts when malloc says no. */
	for (int i = 0; i < 64; i++)
		memset(xmalloc(64 << 20), 1, 64 << 20);
	return 0;
}

static int
fn_flood(int fd, strbuf_t *text, char **title, void *arg)
{
	for (int i = 0; i < 100000; i++)
		strbuf_adds(text, "0123456789");
	return 0;
}

static int
fn_garble(int fd, strbuf_t *text, char **title, void *arg)
{
	(void)!write(1, "not a frame at all", 18);
	_exit(0);
}

static int
fn_lie(int fd, strbuf_t *text, char **title, void *arg)
{
	uint32_t tl = 0, xl = 1000;   /* says 1000 bytes, sends 3 */
	(void)!write(1, "BDJ1", 4);
	(void)!write(1, &tl, 4);
	(void)!write(1, &xl, 4);
	(void)!write(1, "abc", 3);
	_exit(0);
}

static void
probe(strbuf_t *t, const char *what, int allowed)
{
	strbuf_addf(t, "%s=%s\n", what, allowed ? "ALLOWED" : "denied");
}

/* Everything a parser taken over by its document would try. */
static int
fn_escape(int fd, strbuf_t *t, char **title, void *arg)
{
	char path[64], buf[16];
	int r;
	pid_t pid;

	r = open(secret_path, O_RDONLY);
	probe(t, "open-secret", r >= 0);
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)getppid());
	r = open(path, O_RDONLY);
	probe(t, "open-parent-environ", r >= 0);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)getppid());
	r = open(path, O_RDONLY);
	probe(t, "open-parent-mem", r >= 0);
	r = open("/etc/passwd", O_RDONLY);
	probe(t, "open-etc-passwd", r >= 0);
	r = open("/tmp/docjail-unit-write", O_WRONLY | O_CREAT, 0600);
	probe(t, "create-file", r >= 0);
	r = socket(AF_INET, SOCK_STREAM, 0);
	probe(t, "socket-inet", r >= 0);
	r = socket(AF_INET6, SOCK_DGRAM, 0);
	probe(t, "socket-inet6", r >= 0);
	r = socket(AF_UNIX, SOCK_STREAM, 0);
	probe(t, "socket-unix", r >= 0);
	{
		int sv[2];
		r = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		probe(t, "socketpair", r >= 0);
	}
	pid = fork();
	if (pid == 0)
		_exit(0);
	probe(t, "fork", pid >= 0);
	r = (int)ptrace(PTRACE_ATTACH, getppid(), NULL, NULL);
	probe(t, "ptrace-parent", r >= 0);
	r = kill(getppid(), 0);
	probe(t, "signal-parent", r >= 0);
	{
		char *argv[] = { "true", NULL };
		execv("/bin/true", argv);
		probe(t, "exec", 0);
	}
	/* Nothing of the caller's open files: only /dev/null, the answer pipe,
	 * the worker's request socket (3) and the document. */
	r = 0;
	for (int i = 4; i < 256; i++)
		if (i != fd && fcntl(i, F_GETFD) >= 0)
			r = 1;
	probe(t, "inherited-fd", r);
	probe(t, "environment", getenv("PATH") != NULL || getenv("HOME") != NULL);
	r = (int)read(fd, buf, sizeof(buf));
	probe(t, "read-document", r > 0 ? 1 : 0);
	return 0;
}

static enum docjail_result
run(docjail_t *j, docjail_fn_t fn, const char *doc, strbuf_t *text, char **title, strbuf_t *why)
{
	char path[] = "/tmp/docjail-unit-XXXXXX";
	int fd = mkstemp(path);
	enum docjail_result r;

	(void)!write(fd, doc, strlen(doc));
	unlink(path);
	strbuf_reset(text);
	strbuf_reset(why);
	r = docjail_parse(j, fd, fn, NULL, 0, text, title, why);
	close(fd);
	return r;
}

static enum docjail_result
run_kind(docjail_t *j, enum extract_kind kind, const char *doc, size_t n, strbuf_t *text, char **title,
    strbuf_t *why)
{
	char path[] = "/tmp/docjail-unit-XXXXXX";
	int fd = mkstemp(path);
	enum docjail_result r;

	ok(write_all(fd, doc, n) == 0, "write the document");
	unlink(path);
	strbuf_reset(text);
	strbuf_reset(why);
	r = extract_jailed(j, EXTRACT_PDFTOTEXT, kind, fd, text, title, why);
	close(fd);
	return r;
}

int
main(void)
{
	docjail_conf_t jc = { .mode = SANDBOX_YES, .seconds = 2, .mem_max = 512LL << 20,
	    .out_max = 64 * 1024 };
	docjail_t *j;
	strbuf_t text, why;
	char *title = NULL;
	enum docjail_result r;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	strbuf_init(&text);
	strbuf_init(&why);
	snprintf(secret_path, sizeof(secret_path), "/tmp/docjail-secret-%d", (int)getpid());
	fd = open(secret_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	(void)!write(fd, "SECRET", 6);
	close(fd);

	{
		docjail_conf_t bad = { .mode = SANDBOX_YES, .tools = { "pdftotext" } };
		ok(docjail_new(&bad) == NULL, "a tool given without its absolute path is refused");
	}
	j = docjail_new(&jc);
	ok(j != NULL, "jail built");

	r = run(j, fn_ok, "the document", &text, &title, &why);
	is_int(r, DOCJAIL_OK, "a good extractor: %s", why.s ? why.s : "");
	is_str(text.s, "the document", "its text comes back");
	is_str(title, "a title", "and its title");
	free(title);
	title = NULL;

	static const struct {
		const char *name;
		docjail_fn_t fn;
		enum docjail_result want, or_want;
	} bad[] = {
		{ "returns -1", fn_fail, DOCJAIL_FAILED, DOCJAIL_FAILED },
		{ "aborts", fn_abort, DOCJAIL_CRASHED, DOCJAIL_CRASHED },
		/* The sanitizers catch the fault themselves and exit with 1. */
		{ "segfaults", fn_segv, DOCJAIL_CRASHED, DOCJAIL_FAILED },
		{ "spins", fn_spin, DOCJAIL_TIMEOUT, DOCJAIL_CRASHED },
		{ "sleeps", fn_sleep, DOCJAIL_TIMEOUT, DOCJAIL_TIMEOUT },
		{ "floods", fn_flood, DOCJAIL_OVER_CAP, DOCJAIL_OVER_CAP },
		{ "garbles", fn_garble, DOCJAIL_GARBLED, DOCJAIL_GARBLED },
		{ "lies about lengths", fn_lie, DOCJAIL_GARBLED, DOCJAIL_GARBLED },
#if !defined(__SANITIZE_ADDRESS__)
		/* Filling the memory cap takes long enough on a busy machine
		 * that the deadline may come first: bounded either way. */
		{ "eats memory", fn_hog, DOCJAIL_CRASHED, DOCJAIL_TIMEOUT },
#endif
	};
	strbuf_reset(&text);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		int64_t t0 = now_ms();
		strbuf_adds(&text, "kept");
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		r = docjail_parse(j, null, bad[i].fn, NULL, 0, &text, &title, &why);
		close(null);
		ok(r == bad[i].want || r == bad[i].or_want, "an extractor that %s: %s (%s)", bad[i].name,
		    docjail_result_name(r), why.s ? why.s : "");
		ok(why.len > 0, "the reason is given: %s", why.s ? why.s : "");
		is_str(text.s, "kept", "nothing added when it %s", bad[i].name);
		ok(title == NULL, "no title when it %s", bad[i].name);
		ok(now_ms() - t0 < 6000, "it %s and is dealt with within the deadline", bad[i].name);
		strbuf_reset(&text);
		strbuf_reset(&why);
	}
	(void)fn_hog;

	r = run(j, fn_escape, "doc", &text, &title, &why);
	is_int(r, DOCJAIL_OK, "the escape artist runs: %s", why.s ? why.s : "");
	if (sandbox_landlock_abi() > 0) {
		static const char *const denied[] = {
			"open-secret", "open-parent-environ", "open-parent-mem", "open-etc-passwd",
			"create-file", "socket-inet", "socket-inet6", "socket-unix", "socketpair", "fork",
			"ptrace-parent", "exec", "inherited-fd", "environment",
		};
		for (size_t i = 0; i < ARRAY_LEN(denied); i++) {
			char *want = xasprintf("%s=denied\n", denied[i]);
			ok(text.s && strstr(text.s, want) != NULL, "jailed: %s", want);
			free(want);
		}
		ok(text.s && strstr(text.s, "read-document=ALLOWED") != NULL, "its own document is readable");
		{
			int allowed = 0;
			for (const char *p = text.s; p && (p = strstr(p, "=ALLOWED")) != NULL; p++)
				allowed++;
			is_int(allowed, 1, "nothing else allowed:\n%s", text.s ? text.s : "");
		}
		/* signal-parent: only with Landlock ABI 6's signal scope. */
		if (sandbox_landlock_abi() >= 6)
			ok(strstr(text.s, "signal-parent=denied") != NULL, "no signal to the parent");
	}
	ok(access("/tmp/docjail-unit-write", F_OK) < 0, "no file was created");
	unlink("/tmp/docjail-unit-write");
	free(title);
	title = NULL;
	docjail_free(j);

	/* The jail off (sandbox = no): the extractor runs here, same answers. */
	{
		docjail_conf_t off = { .mode = SANDBOX_NO };
		j = docjail_new(&off);
		r = run(j, fn_ok, "in process", &text, &title, &why);
		is_int(r, DOCJAIL_OK, "jail off: extractor runs");
		is_str(text.s, "in process", "jail off: its text");
		free(title);
		title = NULL;
		docjail_free(j);
	}

	/* Hostile documents for the real extractors, in the real jail. */
	jc.seconds = 10;
	jc.out_max = 0;
	jc.mem_max = 0;
	jc.tools[0] = EXTRACT_PDFTOTEXT;
	j = docjail_new(&jc);
	{
		size_t n = 4 * 1024 * 1024;
		char *big = xmalloc(n);
		strbuf_t b;

		/* 200,000 nested elements, then a word. */
		strbuf_init(&b);
		for (int i = 0; i < 200000; i++)
			strbuf_adds(&b, "<div><b>");
		strbuf_adds(&b, "deepword");
		r = run_kind(j, EXTRACT_HTML, b.s, b.len, &text, &title, &why);
		is_int(r, DOCJAIL_OK, "deeply nested HTML: %s", why.s ? why.s : "");
		ok(text.len <= EXTRACT_TEXT_MAX, "nested HTML: text capped (%zu)", text.len);
		free(title);
		title = NULL;

		/* Multipart inside multipart, 5,000 deep, each with its own boundary. */
		strbuf_reset(&b);
		strbuf_adds(&b, "Subject: nest\n");
		for (int i = 0; i < 5000; i++)
			strbuf_addf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i);
		strbuf_adds(&b, "Content-Type: text/plain\n\ninnermost\n");
		r = run_kind(j, EXTRACT_EML, b.s, b.len, &text, &title, &why);
		is_int(r, DOCJAIL_OK, "deeply nested MIME: %s", why.s ? why.s : "");
		ok(text.s && strstr(text.s, "Subject: nest") != NULL, "nested MIME: headers read");
		is_str(title, "nest", "nested MIME: title");
		free(title);
		title = NULL;

		/* 4 MiB of one HTML title: the title is cut, the text capped. */
		memset(big, 'A', n);
		memcpy(big, "<title>", 7);
		r = run_kind(j, EXTRACT_HTML, big, n, &text, &title, &why);
		is_int(r, DOCJAIL_OK, "a 4 MiB title: %s", why.s ? why.s : "");
		ok(title && strlen(title) <= EXTRACT_TITLE_MAX, "title cut to %d", EXTRACT_TITLE_MAX);
		ok(text.len <= EXTRACT_TEXT_MAX, "text capped (%zu)", text.len);
		free(title);
		title = NULL;

		/* Binary noise with a mail's name. */
		for (size_t i = 0; i < n; i++)
			big[i] = (char)(i * 2654435761u >> 13);
		r = run_kind(j, EXTRACT_EML, big, n, &text, &title, &why);
		is_int(r, DOCJAIL_OK, "4 MiB of noise as mail: %s", why.s ? why.s : "");
		ok(mime_is_utf8((const unsigned char *)(text.s ? text.s : ""), text.len), "valid UTF-8 out");
		free(title);
		title = NULL;
		strbuf_release(&b);
		free(big);
	}
	docjail_free(j);

	/* AppArmor child profiles: the names docjail stacks (image/files/
	 * apparmor-broadside has a profile of each), and nothing to stack on
	 * is no failure (no AppArmor here, or no such profile loaded). */
	{
		char aa[64];
		docjail_aa_command_("/usr/bin/pdftotext", aa, sizeof(aa));
		is_str(aa, "stack broadside-tool-pdftotext", "a tool stacks broadside-tool-NAME");
		docjail_aa_command_("/opt/x/xls2csv", aa, sizeof(aa));
		is_str(aa, "stack broadside-tool-xls2csv", "named by its file, wherever it is");
		docjail_aa_command_("/tmp/Odd.Name", aa, sizeof(aa));
		is_str(aa, "", "a name no profile could have: nothing stacked");
		docjail_aa_command_("/usr/bin/", aa, sizeof(aa));
		is_str(aa, "", "no file name: nothing stacked");
		is_int(docjail_aa_stack_(""), 0, "nothing to stack");
		is_int(docjail_aa_stack_("stack broadside-no-such-profile"), 0,
		    "no AppArmor, or the profile not loaded: no failure");
	}

	unlink(secret_path);
	strbuf_release(&text);
	strbuf_release(&why);
	return unit_done();
}
