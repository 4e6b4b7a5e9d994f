/* handler_render: /p/<slug>/<path>?n=N (a PDF's page: its image and its
 * text) and /i/<slug>/<path>[?n=N|?part=K] (the page's PNG, an image's clean
 * copy, or attachment K of a message, decoded, as a download). What is in the render cache is served at once, like a file; what is
 * not is made by the render process (render.h) while the connection waits
 * (http_conn_defer), one job at a time, with render_queue jobs waiting at
 * most (more: 503) and one job per circuit (more: 429). serve itself never
 * reads a document's bytes: it opens the document beneath its root and
 * hands the descriptor over, with the cache files to write. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/beneath.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/extract.h"
#include "docs/image.h"
#include "docs/render.h"
#include "http/file.h"
#include "http/file_cache.h"
#include "serve/handler.h"
#include "serve/render_cache.h"

#define TEXT_MAX (4 * 1024 * 1024)   /* bytes of a page's text read back */
#define WAITERS_MAX 8                /* readers waiting on one job */
#define RETRY_BUSY 5                 /* seconds, with a 503 */
#define RETRY_CIRCUIT 2              /* seconds, with a 429 */
#define DERIVED_KEY (-1)             /* the file cache's collection for copies (ids are >= 1) */

/* A reader waiting for a job: what to answer once it is done. */
struct waiter {
	struct waiter *next;
	http_conn_t *c;               /* NULL once the reader is gone */
	const http_req_t *req;        /* the connection's, kept while deferred */
	enum route_kind kind;
	char *slug, *path;
	int64_t n, part;
	uint32_t circuit;
};

struct job {
	struct job *next;
	uint32_t id;
	char name[96];                /* "<sha>-p<N>" or "<sha>-i" */
	enum render_job what;
	int page, kind, sent;
	int doc;
	struct waiter *waiters;
	int nwaiters;
};

struct handler_render {
	render_t *proc;
	render_cache_t *cache;
	struct event *ev;
	struct job *jobs;             /* the first is running once sent */
	int njobs, queue_max;
	int dead;                     /* the render process is gone */
	uint32_t next_id;
	int64_t made, failed, refused_busy, refused_circuit;
};

/* The document a request names, from the catalogue. */
struct doc {
	cat_file_t f;
	int64_t n, part;
	char name[96];
};

static void serve_request(handler_ctx_t *h, http_conn_t *c, const http_req_t *req,
    enum route_kind kind, const char *slug, const char *path, int64_t n, int64_t part,
    int after_job, http_resp_t *resp);

static int
is_pdf(const char *mime)
{
	return strcmp(mime, "application/pdf") == 0;
}

static void
job_name(char *out, size_t len, const char *sha, int64_t page, int64_t part, const char *ext)
{
	if (part > 0)
		snprintf(out, len, "%s-a%lld%s", sha, (long long)part, ext);
	else if (page > 0)
		snprintf(out, len, "%s-p%lld%s", sha, (long long)page, ext);
	else
		snprintf(out, len, "%s-i%s", sha, ext);
}

static void
waiter_free(struct waiter *w)
{
	free(w->slug);
	free(w->path);
	free(w);
}

static int
circuit_waiting(const struct handler_render *r, uint32_t circuit)
{
	for (const struct job *j = r->jobs; j; j = j->next)
		for (const struct waiter *w = j->waiters; w; w = w->next)
			if (w->c && w->circuit == circuit)
				return 1;
	return 0;
}

/* Put a job's files in place (keep) or throw them away. */
static void
job_files(struct handler_render *r, const struct job *j, int keep)
{
	char png[112], txt[112];

	if (j->what == RENDER_PAGE) {
		snprintf(png, sizeof(png), "%s.png", j->name);
		snprintf(txt, sizeof(txt), "%s.txt", j->name);
		render_cache_commit(r->cache, png, keep);
		render_cache_commit(r->cache, txt, keep);
	} else {
		render_cache_commit(r->cache, j->name, keep);
	}
}

/* Hand the first job to the render process. 0, or -1 when it could not be
 * (no cache file: the disk; no answer from the socket: the process is gone
 * for good, since a sandboxed serve cannot start another). */
static int
send_head(struct handler_render *r)
{
	struct job *j = r->jobs;
	char png[112], txt[112];
	int out[2] = { -1, -1 };

	if (r->dead)
		return -1;
	if (j->what == RENDER_PAGE) {
		snprintf(png, sizeof(png), "%s.png", j->name);
		snprintf(txt, sizeof(txt), "%s.txt", j->name);
		out[0] = render_cache_create(r->cache, png);
		out[1] = render_cache_create(r->cache, txt);
	} else {
		out[0] = render_cache_create(r->cache, j->name);
	}
	if (out[0] >= 0 && (j->what != RENDER_PAGE || out[1] >= 0)) {
		if (render_send(r->proc, j->id, j->what, j->page, j->kind, j->doc, out) == 0) {
			j->sent = 1;
		} else {
			log_warn("render: the render process is gone; pages are not rendered any more");
			r->dead = 1;
		}
	}
	for (int i = 0; i < 2; i++)
		if (out[i] >= 0)
			close(out[i]);
	close(j->doc);
	j->doc = -1;
	return j->sent ? 0 : -1;
}

static void job_done(handler_ctx_t *h, struct job *j, int ok);

/* After a job: the next one; those that cannot be handed over fail. */
static void
send_next(handler_ctx_t *h)
{
	struct handler_render *r = h->render;

	while (r->jobs && !r->jobs->sent && send_head(r) < 0)
		job_done(h, r->jobs, 0);
}

/* A job is done (ok: it made its files): put them in place, answer every
 * reader waiting on it (the caller sends the next). */
static void
job_done(handler_ctx_t *h, struct job *j, int ok)
{
	struct handler_render *r = h->render;
	struct waiter *w, *next;

	/* A failure is kept too (empty files): a hostile PDF is tried once. One
	 * never handed over is not a failure of the document. */
	job_files(r, j, j->sent);
	if (ok)
		r->made++;
	else
		r->failed++;
	for (struct job **pp = &r->jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	r->njobs--;
	w = j->waiters;
	if (j->doc >= 0)
		close(j->doc);
	free(j);
	for (; w; w = next) {
		next = w->next;
		if (w->c) {
			http_resp_t resp;
			http_resp_init(&resp);
			resp.error_page = handler_ctx_error_page;
			resp.error_arg = h;
			serve_request(h, w->c, w->req, w->kind, w->slug, w->path, w->n, w->part, 1, &resp);
			if (h->count)
				h->count(h->count_arg, resp.status);
			http_conn_resume(w->c, &resp);
			http_resp_clear(&resp);
		}
		waiter_free(w);
	}
}

static void
on_answer(evutil_socket_t fd, short what, void *arg)
{
	handler_ctx_t *h = arg;
	struct handler_render *r = h->render;
	uint32_t id;
	int ok, got;

	(void)fd;
	(void)what;
	while ((got = render_recv(r->proc, &id, &ok)) == 0) {
		if (r->jobs && r->jobs->sent && r->jobs->id == id)
			job_done(h, r->jobs, ok);
		send_next(h);
	}
	if (got < 0) {
		if (!r->dead)
			log_warn("render: the render process is gone; pages are not rendered any more");
		r->dead = 1;
		event_del(r->ev);
		while (r->jobs)
			job_done(h, r->jobs, 0);
	}
}

int
handler_render_setup(handler_ctx_t *h, struct event_base *base, render_t *proc,
    const char *cache_dir, const char *pinned_dir)
{
	struct handler_render *r = xcalloc(1, sizeof(*r));

	r->cache = render_cache_new(cache_dir, pinned_dir, h->conf->render_cache_mb * 1024 * 1024);
	if (r->cache == NULL) {
		free(r);
		return -1;
	}
	r->proc = proc;
	r->queue_max = (int)h->conf->render_queue;
	if (proc) {
		r->ev = event_new(base, render_fd(proc), EV_READ | EV_PERSIST, on_answer, h);
		event_add(r->ev, NULL);
	}
	h->render = r;
	return 0;
}

void
handler_render_free(handler_ctx_t *h)
{
	struct handler_render *r = h->render;

	if (r == NULL)
		return;
	while (r->jobs) {
		struct job *j = r->jobs;
		r->jobs = j->next;
		for (struct waiter *w = j->waiters, *n; w; w = n) {
			n = w->next;
			waiter_free(w);
		}
		if (j->doc >= 0)
			close(j->doc);
		free(j);
	}
	if (r->ev)
		event_free(r->ev);
	render_cache_free(r->cache);
	free(r);
	h->render = NULL;
}

void
handler_render_abandoned(handler_ctx_t *h, http_conn_t *c)
{
	struct handler_render *r = h->render;

	if (r == NULL)
		return;
	for (struct job *j = r->jobs; j; j = j->next)
		for (struct waiter *w = j->waiters; w; w = w->next)
			if (w->c == c)
				w->c = NULL;
}

void
handler_render_status(handler_ctx_t *h, strbuf_t *out)
{
	struct handler_render *r = h->render;

	if (r == NULL) {
		strbuf_adds(out, "\"render\":null");
		return;
	}
	strbuf_addf(out, "\"render\":{\"made\":%lld,\"failed\":%lld,\"busy\":%lld,"
	    "\"circuit\":%lld,\"queued\":%d,\"cache_bytes\":%lld,\"evicted\":%lld}",
	    (long long)r->made, (long long)r->failed, (long long)r->refused_busy,
	    (long long)r->refused_circuit, r->njobs,
	    (long long)render_cache_bytes(r->cache), (long long)render_cache_evicted(r->cache));
}

/* Look the document up and check it is still the catalogued one; its
 * descriptor into *fd when fd is not NULL. 0, or -1 with resp filled. */
static int
find_doc(handler_ctx_t *h, const char *slug, const char *path, struct doc *d, int *fd,
    http_resp_t *resp)
{
	int64_t col_id;
	const char *root;
	int held, r, rootfd, f = -1;
	struct stat st;

	r = handler_collection(h, slug, &col_id, &root, &held);
	if (r != 0) {
		http_resp_error(resp, r > 0 ? 404 : 500, "There is no collection by that name.");
		return -1;
	}
	if (held) {
		http_resp_error_retry(resp, 503, "This collection is being checked and is not "
		    "served yet.", 3600);
		return -1;
	}
	r = cat_file_get(h->cat, col_id, path, &d->f);
	if (r != 0) {
		http_resp_error(resp, r > 0 ? 404 : 500, "There is no such file in this collection.");
		return -1;
	}
	if (fd == NULL)
		return 0;
	if ((rootfd = handler_root_fd(h, col_id, root)) < 0 || (f = beneath_open(rootfd, path)) < 0 ||
	    fstat(f, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != d->f.size ||
	    st.st_mtime != d->f.mtime) {
		if (f >= 0)
			close(f);
		http_resp_error_retry(resp, 503, "This file cannot be read right now.", 3600);
		return -1;
	}
	*fd = f;
	return 0;
}

/* Queue a job for d (opening the document) and defer the connection; or
 * refuse with resp filled. */
static void
start_job(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, enum route_kind kind,
    const char *slug, const char *path, struct doc *d, enum render_job what, int imgkind,
    http_resp_t *resp)
{
	struct handler_render *r = h->render;
	struct job *j, **tail;
	struct waiter *w;
	uint32_t circuit = 0;
	int fd = -1;

	if (r->proc == NULL || r->dead) {
		http_resp_error_retry(resp, 503, "Pages are not rendered on this server right now.",
		    3600);
		return;
	}
	(void)http_conn_circuit(c, &circuit);
	for (j = r->jobs; j; j = j->next)
		if (strcmp(j->name, d->name) == 0)
			break;
	if (circuit_waiting(r, circuit)) {
		r->refused_circuit++;
		http_resp_error_retry(resp, 429, "A page you asked for is still being made; "
		    "one at a time, please.", RETRY_CIRCUIT);
		return;
	}
	if ((j == NULL && r->njobs > r->queue_max) || (j && j->nwaiters >= WAITERS_MAX)) {
		r->refused_busy++;
		http_resp_error_retry(resp, 503, "Many pages are being made right now.", RETRY_BUSY);
		return;
	}
	if (j == NULL) {
		if (find_doc(h, slug, path, d, &fd, resp) < 0)
			return;
		j = xcalloc(1, sizeof(*j));
		j->id = ++r->next_id;
		snprintf(j->name, sizeof(j->name), "%s", d->name);
		j->what = what;
		j->page = (int)(what == RENDER_ATTACH ? d->part : d->n);
		j->kind = imgkind;
		j->doc = fd;
		for (tail = &r->jobs; *tail; tail = &(*tail)->next)
			;
		*tail = j;
		r->njobs++;
	}
	w = xcalloc(1, sizeof(*w));
	w->c = c;
	w->req = req;
	w->kind = kind;
	w->slug = xstrdup(slug);
	w->path = xstrdup(path);
	w->n = d->n;
	w->part = d->part;
	w->circuit = circuit;
	w->next = j->waiters;
	j->waiters = w;
	j->nwaiters++;
	if (r->jobs == j && !j->sent && send_head(r) < 0) {
		/* Before the connection is deferred: answer it now. */
		r->jobs = j->next;
		r->njobs--;
		job_files(r, j, 0);
		waiter_free(j->waiters);
		free(j);
		http_resp_error_retry(resp, 503, "Pages cannot be made right now.", RETRY_BUSY);
		return;
	}
	http_conn_defer(c);
	resp->status = 0;
}

/* The page view from the cached text and image. 1 when it is not cached. */
static int
page_view(handler_ctx_t *h, const http_req_t *req, const char *slug, const char *path,
    struct doc *d, http_resp_t *resp)
{
	struct handler_render *r = h->render;
	char name[112];
	struct stat st;
	int fd, image = 1;
	int64_t pages = d->n;
	strbuf_t text, html;
	char *nl;
	cat_collection_t col;
	page_collection_t pc;
	handler_site_t hs;

	snprintf(name, sizeof(name), "%s.txt", d->name);
	if ((fd = render_cache_open(r->cache, name, &st)) < 0)
		return 1;
	strbuf_init(&text);
	if (st.st_size > 0 && st.st_size <= TEXT_MAX) {
		char *buf = xmalloc((size_t)st.st_size);
		ssize_t got = pread(fd, buf, (size_t)st.st_size, 0);
		if (got > 0)
			strbuf_add(&text, buf, (size_t)got);
		free(buf);
	}
	close(fd);
	snprintf(name, sizeof(name), "%s.png", d->name);
	if ((fd = render_cache_open(r->cache, name, &st)) >= 0) {
		image = st.st_size > 0;
		close(fd);
	}
	/* "PAGES\n" then the text; nothing at all: the PDF could not be read. */
	nl = text.s ? memchr(text.s, '\n', text.len) : NULL;
	if (nl) {
		*nl = '\0';
		if (parse_int64(text.s, 1, RENDER_PAGES_MAX, &pages) < 0)
			pages = d->n;
	} else {
		image = 0;
	}
	memset(&col, 0, sizeof(col));
	strbuf_init(&html);
	if (nl && d->n > pages) {
		http_resp_error(resp, 404, "There is no such page in this document.");
	} else if (cat_collection_get(h->cat, slug, &col) != 0) {
		http_resp_error(resp, 404, "There is no collection by that name.");
	} else {
		memset(&pc, 0, sizeof(pc));
		pc.slug = col.slug;
		pc.title = col.title;
		pc.origin = col.origin;
		handler_site_get(h, req, col.slug, &hs);
		if (page_pdf_page(&html, &hs.site, &pc, path, d->n, pages < d->n ? d->n : pages, image,
		    NULL, nl ? nl + 1 : NULL, nl ? text.len - (size_t)(nl + 1 - text.s) : 0) < 0)
			http_resp_error(resp, 500, NULL);
		else
			http_resp_html(resp, 200, &html);
		handler_site_clear(&hs);
	}
	cat_collection_clear(&col);
	strbuf_release(&html);
	strbuf_release(&text);
	return 0;
}

/* The image from the cache. 1 when it is not cached. */
static int
image_file(handler_ctx_t *h, const http_req_t *req, struct doc *d, const char *ctype,
    http_resp_t *resp)
{
	char name[112], etag[128], *fixed = NULL;
	struct stat st;
	file_info_t info;
	file_cache_entry_t kept;
	int64_t now;
	int fd;

	memset(&info, 0, sizeof(info));
	snprintf(name, sizeof(name), "%s%s", d->name, d->n > 0 ? ".png" : "");
	snprintf(etag, sizeof(etag), "%s", d->name);
	info.etag = etag;
	info.content_type = ctype;
	info.download_name = d->n > 0 ? "page.png" : ctype[6] == 'p' ? "image.png" : "image.jpg";
	info.max_ranges = (int)h->conf->max_ranges;
	info.is_head = http_req_method(req) == HTTP_REQ_HEAD;
	/* Small copies stay open a second, as small files do for /f/ (the name
	 * is the content's, so a kept descriptor can never be stale). */
	now = now_ms();
	if (file_cache_get(h->files, DERIVED_KEY, name, now, &kept) == 0) {
		fd = kept.fd;
		st = kept.st;
		info.keep_fd = 1;
		info.headers = kept.headers;
	} else {
		if ((fd = render_cache_open(h->render->cache, name, &st)) < 0)
			return 1;
		if (st.st_size > 0 && st.st_size <= FILE_INLINE_MAX) {
			kept = (file_cache_entry_t){ .fd = fd, .st = st, .etag = etag, .content_type = ctype };
			kept.headers = fixed = file_fixed_headers(&st, &info);
			file_cache_put(h->files, DERIVED_KEY, name, &kept, now);
			info.keep_fd = 1;
			info.headers = fixed;
		}
	}
	if (st.st_size == 0) {   /* never kept: only copies with bytes are */
		close(fd);
		http_resp_error(resp, 404, d->n > 0 ? "We could not render this page." :
		    "We could not make a clean copy of this image.");
		return 0;
	}
	file_respond(resp, req, fd, &st, &info);
	free(fixed);
	return 0;
}

/* A media type for an attachment's download, from its name: a few plain
 * ones, application/octet-stream for the rest (never HTML, SVG or XML,
 * though the answer is a download under a sandbox CSP and nosniff anyway). */
static const char *
attach_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ "pdf", "application/pdf" }, { "txt", "text/plain; charset=utf-8" },
		{ "csv", "text/csv" }, { "rtf", "application/rtf" }, { "eml", "message/rfc822" },
		{ "zip", "application/zip" }, { "png", "image/png" }, { "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" }, { "gif", "image/gif" },
		{ "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
		{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
		{ "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
		{ "odt", "application/vnd.oasis.opendocument.text" },
		{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < ARRAY_LEN(types); i++)
		if (strcasecmp(dot + 1, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* The attachment from the cache, as a download named after it. 1 when it
 * is not cached. */
static int
attach_file(handler_ctx_t *h, const http_req_t *req, struct doc *d, const char *part_name,
    http_resp_t *resp)
{
	const char *base = part_name;
	file_info_t info;
	struct stat st;
	int fd;

	/* "inner.eml › budget.pdf" is saved as budget.pdf. */
	for (const char *p = part_name; (p = strstr(p, " \xe2\x80\xba ")) != NULL; p += 5)
		base = p + 5;
	if ((fd = render_cache_open(h->render->cache, d->name, &st)) < 0)
		return 1;
	if (st.st_size == 0) {
		close(fd);
		http_resp_error(resp, 404, "We could not read this attachment from the message "
		    "(or it is empty).");
		return 0;
	}
	memset(&info, 0, sizeof(info));
	info.etag = d->name;
	info.content_type = attach_type(base);
	info.download_name = *base ? base : "attachment";
	info.download = 1;
	info.max_ranges = (int)h->conf->max_ranges;
	info.is_head = http_req_method(req) == HTTP_REQ_HEAD;
	file_respond(resp, req, fd, &st, &info);
	return 0;
}

/* /i/<slug>/<path>?part=K: part K of a message. */
static void
serve_attach(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, enum route_kind kind,
    const char *slug, const char *path, struct doc *d, int after_job, http_resp_t *resp)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	enum extract_kind ek = extract_kind_of(d->f.mime, base);
	char *pname = NULL, *pbody = NULL;
	size_t plen;
	int rc;

	if (ek != EXTRACT_EML && ek != EXTRACT_MSG) {
		http_resp_error(resp, 404, "There is no such attachment in this file.");
		return;
	}
	rc = cat_part_get(h->cat, d->f.id, d->part, &pname, &pbody, &plen);
	free(pbody);
	if (rc != 0) {
		http_resp_error(resp, rc > 0 ? 404 : 500, "There is no such attachment in this message.");
		goto done;
	}
	job_name(d->name, sizeof(d->name), d->f.sha256, 0, d->part, "");
	if (attach_file(h, req, d, pname, resp) == 0)
		goto done;
	if (after_job)
		http_resp_error_retry(resp, 503, "This attachment could not be kept; try again.", RETRY_BUSY);
	else
		start_job(h, c, req, kind, slug, path, d, RENDER_ATTACH, (int)ek, resp);
done:
	free(pname);
}

static void
serve_request(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, enum route_kind kind,
    const char *slug, const char *path, int64_t n, int64_t part, int after_job, http_resp_t *resp)
{
	struct doc d;
	enum image_kind ik = IMAGE_NONE;
	int miss;

	memset(&d, 0, sizeof(d));
	d.n = n;
	d.part = part;
	if (find_doc(h, slug, path, &d, NULL, resp) < 0)
		return;
	if (d.f.sha256[0] == '\0') {
		/* Named by content: no checksum yet, no copy yet. */
		http_resp_error_retry(resp, 503, "This file is still being catalogued.", 60);
		return;
	}
	if (part > 0) {
		serve_attach(h, c, req, kind, slug, path, &d, after_job, resp);
		return;
	}
	if (is_pdf(d.f.mime)) {
		if (d.n < 1)
			d.n = 1;
	} else {
		ik = image_kind_of(d.f.mime);
		if (kind == ROUTE_PDF_PAGE || ik == IMAGE_NONE || d.n > 0) {
			http_resp_error(resp, 404, "There is no page view or image copy of this file.");
			return;
		}
	}
	job_name(d.name, sizeof(d.name), d.f.sha256, d.n, 0, "");
	if (kind == ROUTE_PDF_PAGE)
		miss = page_view(h, req, slug, path, &d, resp);
	else
		miss = image_file(h, req, &d, d.n > 0 ? "image/png" : image_kind_mime(ik), resp);
	if (!miss)
		return;
	if (after_job) {
		/* Made and gone at once (evicted), or the cache cannot be written. */
		http_resp_error_retry(resp, 503, "This page could not be kept; try again.", RETRY_BUSY);
		return;
	}
	start_job(h, c, req, kind, slug, path, &d, d.n > 0 ? RENDER_PAGE : RENDER_IMAGE, (int)ik,
	    resp);
}

void
handler_render(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	char *v = route_query_param(rt->query, "n"), *pv = route_query_param(rt->query, "part");
	int64_t n = 0, part = 0;

	if (h->render == NULL) {
		http_resp_error(resp, 404, "There is nothing at this address.");
		goto done;
	}
	if (v && parse_int64(v, 1, RENDER_PAGES_MAX, &n) < 0) {
		http_resp_error(resp, 404, "There is no such page.");
		goto done;
	}
	if (pv && (rt->kind != ROUTE_DERIVED || n > 0 || parse_int64(pv, 1, EXTRACT_ATTACH_MAX, &part) < 0)) {
		http_resp_error(resp, 404, "There is no such attachment in this message.");
		goto done;
	}
	if (rt->kind == ROUTE_PDF_PAGE && n == 0)
		n = 1;
	serve_request(h, c, req, rt->kind, rt->slug, rt->path, n, part, 0, resp);
done:
	free(v);
	free(pv);
}
