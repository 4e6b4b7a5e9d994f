/* render: see render.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "docs/extract.h"
#include "docs/image.h"
#include "docs/render.h"

struct render {
	int sock;
	pid_t pid;
};

/* A job as it crosses the socket; the three descriptors follow it, one
 * message each (a message without a descriptor: -1). */
struct job_msg {
	uint32_t id;
	int32_t job, page, kind;
};

struct answer_msg {
	uint32_t id;
	int32_t ok;
};

void
render_tools_default(render_tools_t *t)
{
	t->pdftoppm = "/usr/bin/pdftoppm";
	t->pdftotext = "/usr/bin/pdftotext";
	t->pdfinfo = "/usr/bin/pdfinfo";
}

static int
put_file(int fd, const strbuf_t *b)
{
	if (fd < 0)
		return 0;
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	return write_all(fd, b->s ? b->s : "", b->len);
}

/* The page count from pdfinfo's "Pages:" line; -1 if there is none. */
static int64_t
pages_of(const strbuf_t *info)
{
	const char *p = info->s;
	int64_t n;

	while (p && (p = strstr(p, "Pages:")) != NULL) {
		if (p == info->s || p[-1] == '\n') {
			p += 6;
			while (*p == ' ')
				p++;
			char num[24];
			size_t k = strspn(p, "0123456789");
			if (k == 0 || k >= sizeof(num))
				return -1;
			memcpy(num, p, k);
			num[k] = '\0';
			return parse_int64(num, 0, RENDER_PAGES_MAX, &n) == 0 ? n : -1;
		}
		p++;
	}
	return -1;
}

static int
run_page(docjail_t *j, const render_tools_t *t, int page, int doc, const int out[2],
    strbuf_t *why)
{
	char pg[16], w[16], hmax[16];
	strbuf_t info, png, text;
	int64_t pages;
	enum docjail_result r;
	int rc = -1;

	snprintf(pg, sizeof(pg), "%d", page);
	snprintf(w, sizeof(w), "%d", RENDER_WIDTH);
	snprintf(hmax, sizeof(hmax), "%d", RENDER_HEIGHT_MAX);
	strbuf_init(&info);
	strbuf_init(&png);
	strbuf_init(&text);
	{
		char *argv[] = { (char *)t->pdfinfo, "-", NULL };
		r = docjail_tool(j, doc, argv, &info, why);
	}
	if (r != DOCJAIL_OK)
		goto done;
	pages = pages_of(&info);
	/* Known from here on, even if the page fails: the view still shows
	 * "page N of M" and its neighbours, and a page past the end is a 404. */
	strbuf_addf(&text, "%lld\n", (long long)pages);
	if (pages < 1 || page < 1 || page > pages) {
		strbuf_addf(why, "there is no page %d", page);
		if (pages >= 1)
			(void)put_file(out[1], &text);
		goto done;
	}
	if (out[1] >= 0) {
		char *argv[] = { (char *)t->pdftotext, "-q", "-enc", "UTF-8", "-nopgbrk", "-f", pg,
		    "-l", pg, "-", "-", NULL };
		/* Text is a nicety beside the image: a page without it still shows. */
		strbuf_t tw;
		strbuf_init(&tw);
		(void)docjail_tool(j, doc, argv, &text, &tw);
		strbuf_release(&tw);
	}
	if (out[0] >= 0) {
		/* -W/-H crop at the width and the height cap: pixels stay bounded
		 * whatever size the page claims. */
		char *argv[] = { (char *)t->pdftoppm, "-q", "-png", "-f", pg, "-l", pg,
		    "-scale-to-x", w, "-scale-to-y", "-1", "-x", "0", "-y", "0", "-W", w, "-H", hmax,
		    "-singlefile", "-", NULL };
		r = docjail_tool(j, doc, argv, &png, why);
		if (r == DOCJAIL_OK && (png.len < 8 || memcmp(png.s, "\x89PNG\r\n\x1a\n", 8) != 0)) {
			strbuf_adds(why, "pdftoppm wrote no PNG");
			r = DOCJAIL_GARBLED;
		}
		if (r != DOCJAIL_OK) {
			(void)put_file(out[1], &text);   /* the text, without the image */
			goto done;
		}
	}
	if (put_file(out[0], &png) < 0 || put_file(out[1], &text) < 0) {
		strbuf_addf(why, "cannot write the cache: %s", strerror(errno));
		goto done;
	}
	rc = 0;
done:
	strbuf_release(&info);
	strbuf_release(&png);
	strbuf_release(&text);
	return rc;
}

int
render_run(docjail_t *j, const render_tools_t *t, enum render_job job, int page, int kind,
    int doc, const int out[2], strbuf_t *why)
{
	if (job == RENDER_PAGE)
		return run_page(j, t, page, doc, out, why);
	if (job == RENDER_IMAGE && image_kind_mime((enum image_kind)kind) != NULL &&
	    kind != IMAGE_NONE) {
		strbuf_t copy;
		enum docjail_result r;
		int rc = -1;

		strbuf_init(&copy);
		r = docjail_parse(j, doc, image_clean_fd, &kind, sizeof(kind), &copy, NULL, why);
		if (r == DOCJAIL_OK && copy.len > 0) {
			if (put_file(out[0], &copy) == 0)
				rc = 0;
			else
				strbuf_addf(why, "cannot write the cache: %s", strerror(errno));
		}
		strbuf_release(&copy);
		return rc;
	}
	if (job == RENDER_ATTACH && page >= 1 && (kind == EXTRACT_EML || kind == EXTRACT_MSG)) {
		struct extract_att_req rq = { (enum extract_kind)kind, page - 1, 1 };
		strbuf_t bytes;
		enum docjail_result r;
		int rc = -1;

		strbuf_init(&bytes);
		r = docjail_parse(j, doc, extract_attachment_fd, &rq, sizeof(rq), &bytes, NULL, why);
		/* An empty attachment is written as nothing, as a failure is: the
		 * reader is told it could not be read (or is empty). */
		if (r == DOCJAIL_OK && bytes.len > 0) {
			if (put_file(out[0], &bytes) == 0)
				rc = 0;
			else
				strbuf_addf(why, "cannot write the cache: %s", strerror(errno));
		}
		strbuf_release(&bytes);
		return rc;
	}
	strbuf_adds(why, "no such job");
	return -1;
}

/* ---- the render process --------------------------------------------------- */

static int
recv_fd(int sock, void *buf, size_t len, int *fd)
{
	ssize_t n = fd_recv(sock, buf, len, 0, fd);

	return n == (ssize_t)len ? 0 : -1;
}

static void __attribute__((noreturn))
render_main(int sock, int mode, const render_tools_t *t)
{
	docjail_conf_t jc;
	docjail_t *j;

	memset(&jc, 0, sizeof(jc));
	jc.mode = mode;
	jc.tools[0] = t->pdftoppm;
	jc.tools[1] = t->pdftotext;
	jc.tools[2] = t->pdfinfo;
	/* An attachment's bytes come back whole (a page image is far smaller). */
	jc.out_max = (size_t)EXTRACT_ATTACH_BYTES + 4096;
	j = docjail_new(&jc);
	for (;;) {
		struct job_msg m;
		struct answer_msg a;
		int doc = -1, out[2] = { -1, -1 };
		char one;
		strbuf_t why;

		if (recv_fd(sock, &m, sizeof(m), &doc) < 0 || recv_fd(sock, &one, 1, &out[0]) < 0 ||
		    recv_fd(sock, &one, 1, &out[1]) < 0)
			break;
		strbuf_init(&why);
		a.id = m.id;
		a.ok = j && doc >= 0 &&
		    render_run(j, t, (enum render_job)m.job, m.page, m.kind, doc, out, &why) == 0;
		if (!a.ok)
			log_debug("render: job %u: %s", m.id, why.s ? why.s : "no jail");
		strbuf_release(&why);
		for (int i = -1; i < 2; i++) {
			int fd = i < 0 ? doc : out[i];
			if (fd >= 0)
				close(fd);
		}
		if (fd_send(sock, &a, sizeof(a), -1) < 0)
			break;
	}
	docjail_free(j);
	_exit(0);
}

render_t *
render_start(int mode, const render_tools_t *t)
{
	int sv[2];
	render_t *r;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("render: socketpair: %s", strerror(errno));
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		log_err("render: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return NULL;
	}
	if (pid == 0) {
		/* It ends with serve, and keeps nothing of serve's but stderr. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		if (close_range(4, ~0U, 0) < 0)
			for (int fd = 4; fd < 4096; fd++)
				close(fd);
		render_main(3, mode, t);
	}
	close(sv[1]);
	r = xcalloc(1, sizeof(*r));
	r->sock = sv[0];
	r->pid = pid;
	return r;
}

void
render_free_(render_t *r)
{
	if (r == NULL)
		return;
	close(r->sock);
	kill(r->pid, SIGKILL);
	while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
		;
	free(r);
}

int
render_fd(const render_t *r)
{
	return r->sock;
}

int
render_send(render_t *r, uint32_t id, enum render_job job, int page, int kind, int doc,
    const int out[2])
{
	struct job_msg m = { id, (int32_t)job, page, kind };

	if (fd_send(r->sock, &m, sizeof(m), doc) < 0 || fd_send(r->sock, "o", 1, out[0]) < 0 ||
	    fd_send(r->sock, "o", 1, out[1]) < 0)
		return -1;
	return 0;
}

int
render_recv(render_t *r, uint32_t *id, int *ok)
{
	struct answer_msg a;
	ssize_t n = fd_recv(r->sock, &a, sizeof(a), MSG_DONTWAIT, NULL);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 1;
	if (n != (ssize_t)sizeof(a))
		return -1;
	*id = a.id;
	*ok = a.ok != 0;
	return 0;
}
