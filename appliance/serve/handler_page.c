/* handler_page: the reader pages — home, folder, file page, search — and the
 * stylesheet and styled error pages. Queries the catalogue, then hands plain
 * structs to page.c, which owns all HTML and all escaping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "site/asset.h"
#include "http/file.h"
#include "serve/handler.h"
#include "base/log.h"
#include "site/page.h"
#include "catalogue/search_pool.h"
#include "catalogue/search.h"
#include "catalogue/search_suggest.h"
#include "docs/extract.h"
#include "base/text.h"
#include "base/util.h"
#include "trust/manifest.h"

#include <event2/buffer.h>

/* Bytes of a text file shown on its page. */
#define PREVIEW_MAX 4096
/* Names one folder filter request looks through (cat_dir_filter): a few
 * milliseconds of index walk, whatever the folder's size. */
#define FILTER_BUDGET 20000

/* Every collection, for the home page and the search filter. */
struct colls {
	cat_collection_t *c;
	page_collection_t *p;
	size_t n;
};

static int
add_coll(const cat_collection_t *col, void *arg)
{
	struct colls *cs = arg;
	cs->c = xrealloc(cs->c, (cs->n + 1) * sizeof(*cs->c));
	cat_collection_t *d = &cs->c[cs->n++];
	*d = *col;
	d->slug = xstrdup(col->slug);
	d->title = xstrdup(col->title);
	d->description = xstrdup(col->description ? col->description : "");
	d->root = xstrdup(col->root);
	d->origin = col->origin ? xstrdup(col->origin) : NULL;
	d->publisher_key = col->publisher_key ? xstrdup(col->publisher_key) : NULL;
	return 0;
}

static void
to_page_coll(const cat_collection_t *c, page_collection_t *p)
{
	p->slug = c->slug;
	p->title = c->title;
	p->description = c->description;
	p->files = c->files;
	p->bytes = c->bytes;
	p->updated = c->updated;
	p->origin = c->origin;
}

static void
colls_clear(struct colls *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		cat_collection_clear(&cs->c[i]);
	free(cs->c);
	free(cs->p);
}

static int
colls_load(cat_t *cat, struct colls *cs)
{
	memset(cs, 0, sizeof(*cs));
	if (cat_collection_each(cat, add_coll, cs) < 0) {
		/* Partly filled: free it here so every caller may just bail out. */
		colls_clear(cs);
		memset(cs, 0, sizeof(*cs));
		return -1;
	}
	cs->p = xcalloc(cs->n ? cs->n : 1, sizeof(*cs->p));
	for (size_t i = 0; i < cs->n; i++)
		to_page_coll(&cs->c[i], &cs->p[i]);
	return 0;
}

void
handler_home(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	struct colls cs;
	strbuf_t b;
	handler_site_t hs;

	strbuf_init(&b);
	handler_site_get(h, req, NULL, &hs);
	if (colls_load(h->cat, &cs) < 0 || page_home(&b, &hs.site, cs.p, cs.n) < 0)
		http_resp_error(resp, 500, NULL);
	else
		http_resp_html(resp, 200, &b);
	handler_site_clear(&hs);
	strbuf_release(&b);
	colls_clear(&cs);
}

static int64_t
query_int(const char *query, const char *key, int64_t def, int64_t min, int64_t max)
{
	char *v = route_query_param(query, key);
	int64_t n;
	if (v == NULL || parse_int64(v, min, max, &n) < 0)
		n = def;
	free(v);
	return n;
}

static void
redirect(http_resp_t *resp, const char *location)
{
	strbuf_t b;
	strbuf_init(&b);
	resp->status = 301;
	http_resp_header(resp, "Location", "%s", location);
	http_resp_html(resp, 301, &b);
}

/* Percent-encode a path for a Location header (segments keep their '/'). */
static char *
url_path(const char *slug, const char *path, int dir)
{
	strbuf_t b;
	strbuf_init(&b);
	strbuf_addf(&b, "/c/%s/", slug);
	text_url(&b, path, strlen(path), TEXT_URL_SLASH);
	if (dir && path[0])
		strbuf_addc(&b, '/');
	return strbuf_detach(&b);
}

struct entries {
	page_entry_t *e;
	size_t n;
};

static int
add_entry(const cat_entry_t *ce, void *arg)
{
	struct entries *es = arg;
	es->e = xrealloc(es->e, (es->n + 1) * sizeof(*es->e));
	page_entry_t *e = &es->e[es->n++];
	e->name = xstrdup(ce->name);
	e->is_dir = ce->is_dir;
	e->size = ce->size;
	e->mtime = ce->mtime;
	e->files = ce->is_dir ? ce->files : -1;
	e->sha256 = ce->sha256 ? xstrdup(ce->sha256) : NULL;
	return 0;
}

/* A 404 for a path in collection col that leads on: the nearest folder
 * above it that exists, and a search for its name. */
static void
not_found(handler_ctx_t *h, const http_req_t *req, const cat_collection_t *col, const char *path,
    http_resp_t *resp)
{
	handler_site_t hs;
	page_collection_t pc;
	char *near = xstrdup(path);
	int found = 0;
	strbuf_t b;

	/* One indexed lookup per level; paths are at most a few dozen deep. */
	for (int i = 0; i < 64 && !found; i++) {
		char *sl = strrchr(near, '/');
		int64_t n = 0;
		if (sl)
			*sl = '\0';
		else
			near[0] = '\0';
		if (cat_dir_stat(h->cat, col->id, near, &n, &found) < 0)
			break;
		if (!near[0])
			break;
	}
	strbuf_init(&b);
	to_page_coll(col, &pc);
	handler_site_get(h, req, col->slug, &hs);
	if (page_not_found(&b, &hs.site, &pc, path, found ? near : NULL) < 0)
		http_resp_error(resp, 404, NULL);
	else
		http_resp_html(resp, 404, &b);
	handler_site_clear(&hs);
	strbuf_release(&b);
	free(near);
}

void
handler_not_found(handler_ctx_t *h, const http_req_t *req, const char *slug, const char *path,
    http_resp_t *resp)
{
	cat_collection_t c;

	memset(&c, 0, sizeof(c));
	if (cat_collection_get(h->cat, slug, &c) != 0)
		http_resp_error(resp, 404, "There is no such file in this collection.");
	else
		not_found(h, req, &c, path, resp);
	cat_collection_clear(&c);
}

void
handler_browse(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	char *filter = route_query_param(rt->query, "name");
	char *from = route_query_param(rt->query, "from");
	char *fnext = NULL;
	int64_t looked = 0;
	cat_collection_t col;
	handler_site_t hs;
	page_collection_t pc;
	struct entries es = { NULL, 0 };
	page_archive_t ar;
	int64_t total = 0, page, offset;
	int exists = 0, desc, sort, rc;
	char *sortname = route_query_param(rt->query, "sort");
	const char *sortv;
	size_t tlen;
	const char *target = http_req_target(req, &tlen);
	const char *q = memchr(target, '?', tlen);
	strbuf_t b, shown;

	strbuf_init(&b);
	strbuf_init(&shown);
	memset(&col, 0, sizeof(col));
	if (cat_collection_get(h->cat, rt->slug, &col) != 0) {
		http_resp_error(resp, 404, "There is no collection by that name.");
		goto done;
	}
	/* Entry links are relative: the folder's URL must end in '/'. */
	if ((q ? q : target + tlen)[-1] != '/') {
		char *loc = url_path(col.slug, rt->path, 1);
		redirect(resp, loc);
		free(loc);
		goto done;
	}
	if (cat_dir_stat(h->cat, col.id, rt->path, &total, &exists) < 0) {
		http_resp_error(resp, 500, NULL);
		goto done;
	}
	if (!exists) {
		not_found(h, req, &col, rt->path, resp);
		goto done;
	}
	sortv = sortname && strcmp(sortname, "size") == 0 ? "size" :
	    sortname && strcmp(sortname, "date") == 0 ? "date" : "name";
	sort = sortv[0] == 's' ? CAT_SORT_SIZE : sortv[0] == 'd' ? CAT_SORT_MTIME : CAT_SORT_NAME;
	desc = (int)query_int(rt->query, "desc", 0, 0, 1);
	page = query_int(rt->query, "page", 1, 1, 1000000000);
	/* Past the end is the last page (a link from before the folder shrank
	 * still leads somewhere); page.c numbers it so. */
	if (page > 1 && (page - 1) * PAGE_DIR_PER_PAGE >= total)
		page = total > 0 ? (total - 1) / PAGE_DIR_PER_PAGE + 1 : 1;
	offset = (page - 1) * PAGE_DIR_PER_PAGE;
	if (filter && strlen(filter) > PAGE_QUERY_MAX) {
		/* Echoed in the page and its links: no longer than a name. */
		size_t cut = PAGE_QUERY_MAX;
		while (cut > 0 && ((unsigned char)filter[cut] & 0xc0) == 0x80)
			cut--;
		filter[cut] = '\0';
	}
	if (filter && filter[0]) {
		if (cat_dir_filter(h->cat, col.id, rt->path, filter, from && from[0] ? from : NULL,
		    PAGE_DIR_PER_PAGE, FILTER_BUDGET, add_entry, &es, &fnext, &looked) < 0) {
			http_resp_error(resp, 500, NULL);
			goto done;
		}
	} else if (cat_dir_list(h->cat, col.id, rt->path, sort, desc, offset, PAGE_DIR_PER_PAGE,
	    add_entry, &es) < 0) {
		http_resp_error(resp, 500, NULL);
		goto done;
	}
	{
		/* The archive offer from the folder's totals: no listing of its files. */
		int64_t nf = 0, nb = 0;
		if (cat_dir_totals(h->cat, col.id, rt->path, &nf, &nb) < 0)
			nf = 0;
		ar.files = nf;
		ar.bytes = nb;
		ar.too_large = (h->conf->archive_max_files > 0 && nf > h->conf->archive_max_files) ||
		    (h->conf->archive_max_bytes > 0 && nb > h->conf->archive_max_bytes);
	}
	if (h->data_root) {
		/* Offered only once `broadside torrent` made one that still matches. */
		char *tp = xasprintf("%s/manifests/%s/collection.torrent", h->data_root, col.slug);
		ar.torrent = access(tp, F_OK) == 0;
		free(tp);
	}
	to_page_coll(&col, &pc);
	handler_site_get(h, req, col.slug, &hs);
	if (filter && filter[0]) {
		page_filter_t pf = { filter, fnext, from && from[0] ? from : NULL, looked };
		rc = page_dir_filtered(&b, &hs.site, &pc, rt->path, es.e, es.n, total, &pf, &ar);
	} else {
		rc = page_dir_archive(&b, &hs.site, &pc, rt->path, es.e, es.n, total, sortv, desc, page,
		    PAGE_DIR_PER_PAGE, &ar);
	}
	if (rc < 0)
		http_resp_error(resp, 500, NULL);
	else
		http_resp_html(resp, 200, &b);
	handler_site_clear(&hs);
done:
	for (size_t i = 0; i < es.n; i++) {
		free((char *)es.e[i].name);
		free((char *)es.e[i].sha256);
	}
	free(es.e);
	free(sortname);
	free(filter);
	free(from);
	free(fnext);
	strbuf_release(&b);
	cat_collection_clear(&col);
}

static const char *
base_name(const char *path)
{
	const char *sl = strrchr(path, '/');
	return sl ? sl + 1 : path;
}

static int
text_like(const char *mime)
{
	size_t n = strlen(mime);

	/* "+xml" and "/xml", not every type with xml in its name: an Office
	 * Open XML file ("...openxmlformats...") is a zip archive. */
	return strncmp(mime, "text/", 5) == 0 || strstr(mime, "json") ||
	    (n >= 4 && (strcmp(mime + n - 4, "/xml") == 0 || strcmp(mime + n - 4, "+xml") == 0)) ||
	    strstr(mime, "csv");
}

void
handler_file_page(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	cat_collection_t col;
	handler_site_t hs;
	page_collection_t pc;
	cat_file_t f;
	char preview[PREVIEW_MAX];
	char prev[1024], next[1024];   /* names: at most 255 bytes on Linux */
	page_nav_t nav = { NULL, NULL, NULL };
	char folder_key[MANIFEST_FOLDER_KEY_LEN + 1];
	ssize_t plen = -1;
	int r, exists = 0;
	int64_t entries;
	strbuf_t b, shown;

	strbuf_init(&b);
	strbuf_init(&shown);
	memset(&col, 0, sizeof(col));
	if (cat_collection_get(h->cat, rt->slug, &col) != 0) {
		http_resp_error(resp, 404, "There is no collection by that name.");
		goto done;
	}
	r = cat_file_get(h->cat, col.id, rt->path, &f);
	if (r == 1 && cat_dir_stat(h->cat, col.id, rt->path, &entries, &exists) == 0 &&
	    exists) {
		char *loc = url_path(col.slug, rt->path, 1);
		redirect(resp, loc);
		free(loc);
		goto done;
	}
	if (r > 0) {
		not_found(h, req, &col, rt->path, resp);
		goto done;
	}
	if (r != 0) {
		http_resp_error(resp, 500, NULL);
		goto done;
	}
	if (text_like(f.mime) && f.size > 0) {
		int rootfd = handler_root_fd(h, col.id, col.root), fd;
		if (rootfd >= 0 && (fd = beneath_open(rootfd, rt->path)) >= 0) {
			struct stat st;
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
				plen = pread(fd, preview, sizeof(preview), 0);
			close(fd);
		}
	}
	/* Decoded as the index decodes it (UTF-16, Latin-1): the preview shows
	 * the same text the search found. */
	if (plen > 0)
		extract_text(&shown, preview, (size_t)plen, f.size > plen);
	/* Neighbours are a nicety: a failed lookup leaves them out. */
	if (cat_file_neighbours(h->cat, f.id, prev, next, sizeof(prev)) == 0) {
		nav.prev = prev[0] ? prev : NULL;
		nav.next = next[0] ? next : NULL;
	}
	/* Link the folder's signed list when there is one: a mirror serves only
	 * the origin's files, and manifests written before folder lists existed
	 * have none until the next add or refresh. */
	if (col.origin == NULL && h->data_root) {
		const char *sl = strrchr(rt->path, '/');
		char *lp;
		manifest_folder_key(rt->path, sl ? (size_t)(sl - rt->path) : 0, folder_key);
		lp = xasprintf("%s/manifests/%s/sums/%s", h->data_root, col.slug, folder_key);
		if (access(lp, F_OK) == 0)
			nav.folder_key = folder_key;
		free(lp);
	}
	to_page_coll(&col, &pc);
	handler_site_get(h, req, col.slug, &hs);
	if (page_file(&b, &hs.site, &pc, rt->path, f.size, f.mtime, f.mime, f.sha256,
	    shown.len > 0 ? shown.s : NULL, shown.len, f.size > PREVIEW_MAX, &nav,
	    extract_kind_of(f.mime, base_name(rt->path)) != EXTRACT_NONE) < 0)
		http_resp_error(resp, 500, NULL);
	else
		http_resp_html(resp, 200, &b);
	handler_site_clear(&hs);
done:
	strbuf_release(&shown);
	strbuf_release(&b);
	cat_collection_clear(&col);
}

/* A search and its page, made on the pool's thread (or inline without one). */
struct search_job {
	struct search_job *next;       /* in flight (the loop's list) */
	handler_ctx_t *h;
	http_conn_t *c;                /* NULL once the reader is gone */
	char *q, *coll;
	char *folder, *kind, *from, *to; /* the filters, as checked (NULL: none) */
	search_filter_t f;
	int64_t page;
	int status;                    /* 200, or 500 with no html */
	handler_site_t site;           /* copied on the loop's thread */
	strbuf_t html;
};

static void
search_work(cat_t *cat, void *arg)
{
	struct search_job *j = arg;
	search_result_t res;
	struct colls cs;
	page_hit_t *hits = NULL;
	page_search_filter_t pf = { j->folder, j->kind, j->from, j->to, 0, NULL, 0, NULL, 0 };
	search_words_t forms = { { NULL }, 0 }, similar = { { NULL }, 0 };
	int own_txn;

	memset(&res, 0, sizeof(res));
	j->status = 500;
	/* One read transaction: the collections and the hits from one snapshot. */
	own_txn = cat_read_begin(cat) == 1;
	if (colls_load(cat, &cs) < 0)
		goto done;
	if (j->q && j->q[0] && search_run_filtered(cat, j->q, &j->f, (j->page - 1) * PAGE_SEARCH_PER_PAGE,
	    PAGE_SEARCH_PER_PAGE, &res) < 0 && res.message == NULL)
		goto clear;
	/* Past the last page: show the last page, never "page 999 of 100". */
	if (res.n == 0 && res.total > 0 && j->page > 1 &&
	    (j->page - 1) * PAGE_SEARCH_PER_PAGE >= res.total) {
		j->page = (res.total - 1) / PAGE_SEARCH_PER_PAGE + 1;
		search_result_clear(&res);
		memset(&res, 0, sizeof(res));
		if (search_run_filtered(cat, j->q, &j->f, (j->page - 1) * PAGE_SEARCH_PER_PAGE,
		    PAGE_SEARCH_PER_PAGE, &res) < 0 && res.message == NULL)
			goto clear;
	}
	hits = xcalloc(res.n ? res.n : 1, sizeof(*hits));
	for (size_t i = 0; i < res.n; i++) {
		hits[i].slug = res.hits[i].slug;
		hits[i].path = res.hits[i].path;
		hits[i].part = res.hits[i].part;
		hits[i].part_no = res.hits[i].part_no;
		hits[i].size = res.hits[i].size;
		hits[i].snippet = res.hits[i].snippet;
		hits[i].title = res.hits[i].title;
		hits[i].mime = res.hits[i].mime;
		hits[i].mtime = res.hits[i].mtime;
		hits[i].page = res.hits[i].page;
	}
	pf.windowed = res.filter_windowed;
	/* No hit: what the index holds near the last word (bounded reads). */
	if (j->q && j->q[0] && res.total <= 0 &&
	    search_suggest_last(cat, j->q, &forms, &similar) == 0) {
		pf.forms = (const char *const *)forms.w;
		pf.nforms = forms.n;
		pf.similar = (const char *const *)similar.w;
		pf.nsimilar = similar.n;
	}
	if (page_search(&j->html, &j->site.site, j->q, j->coll, cs.p, cs.n, hits, res.n, res.total,
	    res.total_is_estimate, res.message, j->page, PAGE_SEARCH_PER_PAGE, &pf) == 0)
		j->status = 200;
clear:
	colls_clear(&cs);
done:
	if (own_txn)
		cat_read_end(cat);
	free(hits);
	search_result_clear(&res);
	search_words_clear(&forms);
	search_words_clear(&similar);
}

static void
search_job_free(struct search_job *j)
{
	strbuf_release(&j->html);
	handler_site_clear(&j->site);
	free(j->q);
	free(j->coll);
	free(j->folder);
	free(j->kind);
	free(j->from);
	free(j->to);
	free(j);
}

static void
search_fill(struct search_job *j, http_resp_t *resp)
{
	if (j->status == 200)
		http_resp_html(resp, 200, &j->html);
	else
		http_resp_error(resp, 500, NULL);
}

static void
search_done(void *arg, int cancelled)
{
	struct search_job *j = arg, **pp;
	http_resp_t resp;

	/* Jobs handed to the pool, so a connection that goes can be forgotten.
	 * Only the loop's thread touches the list. */
	for (pp = (struct search_job **)&j->h->in_flight; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	if (j->c && !cancelled) {
		http_resp_init(&resp);
		resp.error_page = handler_ctx_error_page;
		resp.error_arg = j->h;
		if (j->site.site.lang_chosen)
			snprintf(resp.lang, sizeof(resp.lang), "%s", j->site.site.lang);
		search_fill(j, &resp);
		if (j->h->count)
			j->h->count(j->h->count_arg, resp.status);
		http_conn_resume(j->c, &resp);
		http_resp_clear(&resp);
	} else if (j->c) {
		http_conn_free(j->c);   /* serve is stopping (search_pool_free) */
	}
	search_job_free(j);
}

void
handler_search_abandoned(handler_ctx_t *h, http_conn_t *c)
{
	for (struct search_job *j = h->in_flight; j; j = j->next)
		if (j->c == c)
			j->c = NULL;
}

/* The reader's filters: a folder cut like a query, a kind we know, days
 * that parse; anything else is dropped, so it is neither searched nor
 * carried on. */
static void
search_filters(struct search_job *j, const char *query)
{
	char *kind = route_query_param(query, "kind");
	int64_t t;

	j->folder = route_query_param(query, "folder");
	if (j->folder && strlen(j->folder) > PAGE_QUERY_MAX)
		j->folder[PAGE_QUERY_MAX] = '\0';   /* search and page cut alike */
	if (j->folder && j->folder[strspn(j->folder, "/")] == '\0') {
		free(j->folder);
		j->folder = NULL;
	}
	if (search_kind_parse(kind) != SEARCH_KIND_ANY)
		j->kind = xstrdup(kind);
	free(kind);
	j->from = route_query_param(query, "from");
	j->to = route_query_param(query, "to");
	j->f.collection = j->coll;
	j->f.folder = j->folder;
	j->f.kind = search_kind_parse(j->kind);
	if (search_day_parse(j->from, &t) == 0) {
		j->f.after = t;
	} else {
		free(j->from);
		j->from = NULL;
	}
	if (search_day_parse(j->to, &t) == 0) {
		j->f.before = t + 86400;   /* the whole day */
	} else {
		free(j->to);
		j->to = NULL;
	}
}

void
handler_search(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	struct search_job *j = xcalloc(1, sizeof(*j));
	search_pool_t *pool = h->pool;

	j->h = h;
	j->c = c;
	j->q = route_query_param(rt->query, "q");
	j->coll = route_query_param(rt->query, "c");
	j->page = query_int(rt->query, "page", 1, 1, 1000);
	strbuf_init(&j->html);
	if (j->coll && j->coll[0] == '\0') {
		free(j->coll);
		j->coll = NULL;
	}
	search_filters(j, rt->query);
	handler_site_get(h, req, j->coll && cat_slug_valid(j->coll) ? j->coll : NULL, &j->site);
	if (pool) {
		if (search_pool_submit(pool, search_work, search_done, j) == NULL) {
			/* Every search thread is busy and the queue is full. */
			http_resp_error_retry(resp, 503, "Search is busy right now.", 5);
			search_job_free(j);
			return;
		}
		j->next = h->in_flight;
		h->in_flight = j;
		http_conn_defer(c);
		resp->status = 0;   /* nothing to count or send yet (server.c) */
		return;
	}
	search_work(h->cat, j);
	search_fill(j, resp);
	search_job_free(j);
}

void
handler_static(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	const unsigned char *data;
	const char *etag, *inm;
	size_t len, n = strlen(rt->path);

	/* Only the stylesheet: templates are embedded too but are not for readers. */
	if (n < 5 || strcmp(rt->path + n - 4, ".css") != 0 ||
	    asset_get(rt->path, &data, &len, &etag) < 0) {
		http_resp_error(resp, 404, "There is nothing at this address.");
		return;
	}
	http_resp_header(resp, "ETag", "%s", etag);
	/* Pages link it as style.css?v=<hash>: a new stylesheet is a new URL. */
	http_resp_header(resp, "Cache-Control", "max-age=31536000, immutable");
	inm = http_req_header(req, HDR_IF_NONE_MATCH);
	if (inm && strstr(inm, etag)) {
		resp->status = 304;
		resp->length = 0;
		return;
	}
	http_resp_header(resp, "Content-Type", "text/css; charset=utf-8");
	resp->status = 200;
	evbuffer_add_reference(resp->body, data, len, NULL, NULL);
}
