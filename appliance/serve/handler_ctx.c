/* handler_ctx: see handler.h. The catalogue's read snapshot and the caches
 * in front of it (collections, root descriptors, small files), and what every
 * page shows. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "serve/handler.h"
#include "site/i18n.h"
#include "trust/mirrors.h"

#define ROOT_CACHE 64

struct root_fd {
	int64_t collection_id;
	char *root;
	int fd;
};

#define COLL_CACHE 32
#define COLL_CACHE_MS 1000

struct coll_cache {
	char *slug, *root;
	int64_t id;
	int64_t fetched;   /* now_ms() */
	int found, held;
};

/* Requests share one read snapshot of the catalogue for at most this long.
 * Each SQLite read transaction costs lock calls (fcntl on the WAL index) and an
 * fstat; sharing one keeps a small-file request near nginx's syscall count,
 * and a commit by `add` becomes visible within this delay. */
#define SNAPSHOT_MS 100

/* Signed address lists: this site's own (slug "") and, on a mirror, each
 * origin's per collection. Re-read when the file's identity changes. */
#define LIST_CACHE 33
#define LIST_CHECK_MS 1000

struct list_cache {
	char *slug;
	mirrors_list_t l;
	int exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int64_t checked;
};

struct handler_cache {
	struct list_cache lists[LIST_CACHE];
	int nlists, next_list;
	char *sole;                /* handler_sole_mirror's answer, NULL: none */
	int64_t sole_checked;
	cat_t *cat;
	struct event *snapshot_end;
	int in_snapshot;
	int64_t data_version;      /* the snapshot's, -1 not asked yet */
	struct coll_cache colls[COLL_CACHE];
	int ncolls, next_evict;
	struct root_fd roots[ROOT_CACHE];
	int nroots;
};

static void
end_snapshot(evutil_socket_t fd, short what, void *arg)
{
	struct handler_cache *s = arg;

	if (s->in_snapshot)
		cat_read_end(s->cat);
	s->in_snapshot = 0;
	s->data_version = -1;
}

static void
begin_snapshot(struct handler_cache *s)
{
	struct timeval tv = { 0, SNAPSHOT_MS * 1000 };

	if (s->in_snapshot)
		return;
	if (cat_read_begin(s->cat) != 1)
		return;   /* each statement then runs in its own transaction */
	s->in_snapshot = 1;
	s->data_version = -1;
	evtimer_add(s->snapshot_end, &tv);
}

int
handler_collection(handler_ctx_t *h, const char *slug, int64_t *id, const char **root, int *held)
{
	struct handler_cache *s = h->cache;
	struct coll_cache *e = NULL;
	cat_collection_t col;
	int64_t now = now_ms();
	int r;

	for (int i = 0; i < s->ncolls; i++)
		if (strcmp(s->colls[i].slug, slug) == 0)
			e = &s->colls[i];
	if (e && now - e->fetched < COLL_CACHE_MS)
		goto hit;
	memset(&col, 0, sizeof(col));
	r = cat_collection_get(s->cat, slug, &col);
	if (r < 0)
		return -1;
	if (e == NULL) {
		/* Unknown slugs are cached too, so probing cannot bypass the cache;
		 * a full table evicts round-robin. */
		if (s->ncolls < COLL_CACHE)
			e = &s->colls[s->ncolls++];
		else {
			e = &s->colls[s->next_evict];
			s->next_evict = (s->next_evict + 1) % COLL_CACHE;
			free(e->slug);
			free(e->root);
		}
		e->slug = xstrdup(slug);
		e->root = NULL;
	}
	free(e->root);
	e->held = 0;
	if (r == 0) {
		char *why = NULL;
		e->held = cat_collection_held(s->cat, col.id, &why) != 0;   /* errors: hold */
		free(why);
	}
	e->found = r == 0;
	e->id = r == 0 ? col.id : 0;
	e->root = xstrdup(r == 0 ? col.root : "");
	e->fetched = now;
	cat_collection_clear(&col);
hit:
	if (!e->found)
		return 1;
	*id = e->id;
	*root = e->root;
	*held = e->held;
	return 0;
}

int
handler_root_fd(handler_ctx_t *h, int64_t collection_id, const char *root)
{
	struct handler_cache *s = h->cache;
	struct root_fd *r = NULL;
	int fd;

	for (int i = 0; i < s->nroots; i++)
		if (s->roots[i].collection_id == collection_id)
			r = &s->roots[i];
	if (r && strcmp(r->root, root) == 0)
		return r->fd;
	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (r == NULL) {
		if (s->nroots == ROOT_CACHE) {
			/* Many collections: drop the oldest entry. */
			close(s->roots[0].fd);
			free(s->roots[0].root);
			memmove(&s->roots[0], &s->roots[1], sizeof(s->roots[0]) * (ROOT_CACHE - 1));
			s->nroots--;
		}
		r = &s->roots[s->nroots++];
	} else {
		close(r->fd);
		free(r->root);
	}
	r->collection_id = collection_id;
	r->root = xstrdup(root);
	r->fd = fd;
	return fd;
}

handler_ctx_t *
handler_ctx_new(struct event_base *base, const conf_t *conf, cat_t *cat)
{
	handler_ctx_t *h = xcalloc(1, sizeof(*h));

	h->conf = conf;
	h->cat = cat;
	h->files = file_cache_new();
	h->cache = xcalloc(1, sizeof(*h->cache));
	h->cache->cat = cat;
	h->cache->snapshot_end = evtimer_new(base, end_snapshot, h->cache);
	h->cache->data_version = -1;
	h->site.publisher_name = conf->publisher_name;
	h->site.publisher_statement = conf->publisher_statement;
	return h;
}

void
handler_ctx_free_(handler_ctx_t *h)
{
	struct handler_cache *c;

	if (h == NULL)
		return;
	c = h->cache;
	handler_render_free(h);

	end_snapshot(-1, 0, c);
	event_free(c->snapshot_end);
	for (int i = 0; i < c->nroots; i++) {
		close(c->roots[i].fd);
		free(c->roots[i].root);
	}
	for (int i = 0; i < c->ncolls; i++) {
		free(c->colls[i].slug);
		free(c->colls[i].root);
	}
	free(c->sole);
	for (int i = 0; i < c->nlists; i++) {
		free(c->lists[i].slug);
		mirrors_clear(&c->lists[i].l);
	}
	free(c);
	file_cache_free(h->files);
	free(h->data_root);
	free(h->pubkey_text);
	free(h);
}

const char *
handler_ctx_set_site(handler_ctx_t *h, const char *data_root, const char *onion)
{
	char *path;
	size_t n;

	free(h->data_root);
	free(h->pubkey_text);
	h->data_root = xstrdup(data_root);
	path = xasprintf("%s/keys/publisher.pub", data_root);
	h->pubkey_text = read_file_small(path, 4096, &n);
	if (h->pubkey_text == NULL)
		log_warn("no publisher key at %s: manifests cannot be verified "
		    "(run `broadside init` to create one)", path);
	free(path);
	h->site.onion = onion;
	h->site.publisher_pubkey = h->pubkey_text;
	return h->pubkey_text;
}

void
handler_ctx_set_pool(handler_ctx_t *h, search_pool_t *pool)
{
	h->pool = pool;
}

void
handler_ctx_set_counter(handler_ctx_t *h, void (*count)(void *arg, int status), void *arg)
{
	h->count = count;
	h->count_arg = arg;
}

void
handler_ctx_begin_request(handler_ctx_t *h)
{
	begin_snapshot(h->cache);
}

int64_t
handler_ctx_data_version(handler_ctx_t *h)
{
	struct handler_cache *s = h->cache;

	/* Another connection's commit becomes visible only to a new read
	 * transaction, so within one snapshot the answer cannot change; asking
	 * SQLite costs ~900 instructions, most of a small file's request. */
	if (!s->in_snapshot)
		return cat_data_version(s->cat);
	if (s->data_version < 0)
		s->data_version = cat_data_version(s->cat);
	return s->data_version;
}

int
handler_ctx_error_page(void *arg, strbuf_t *html, int status, const char *detail,
    int retry_after, const char *lang)
{
	handler_ctx_t *h = arg;
	handler_site_t hs;
	int rc;

	handler_site_get(h, NULL, NULL, &hs);
	if (lang && i18n_find(lang)) {
		hs.site.lang = lang;
		hs.site.lang_chosen = 1;
	}
	rc = page_error(html, &hs.site, status, detail, retry_after);
	handler_site_clear(&hs);
	return rc;
}

void
handler_resp_lang(http_resp_t *resp, const char *query)
{
	char *l = route_query_param(query, "lang");

	if (l && i18n_find(l))
		snprintf(resp->lang, sizeof(resp->lang), "%s", l);
	free(l);
}

/* The signed list for slug ("" : this site's own); NULL if there is none. */
static const struct list_cache *
list_get(handler_ctx_t *h, const char *slug)
{
	struct handler_cache *c = h->cache;
	struct list_cache *e = NULL;
	struct stat st;
	char *path;
	int64_t now = now_ms();

	if (h->data_root == NULL)
		return NULL;
	for (int i = 0; i < c->nlists; i++)
		if (strcmp(c->lists[i].slug, slug) == 0)
			e = &c->lists[i];
	if (e && now - e->checked < LIST_CHECK_MS)
		return e->exists ? e : NULL;
	if (e == NULL) {
		if (c->nlists < LIST_CACHE) {
			e = &c->lists[c->nlists++];
		} else {
			/* Slot 0 is this site's own list, read on every page: keep it. */
			e = &c->lists[1 + c->next_list++ % (LIST_CACHE - 1)];
			free(e->slug);
			mirrors_clear(&e->l);
		}
		memset(e, 0, sizeof(*e));
		e->slug = xstrdup(slug);
	}
	e->checked = now;
	path = slug[0] ? xasprintf("%s/manifests/%s/mirrors.txt", h->data_root, slug) :
	    mirrors_published_path(h->data_root, "mirrors.txt");
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		e->exists = 0;
		mirrors_clear(&e->l);
	} else if (!e->exists || st.st_dev != e->dev || st.st_ino != e->ino || st.st_size != e->size ||
	    st.st_mtim.tv_sec != e->mtime.tv_sec || st.st_mtim.tv_nsec != e->mtime.tv_nsec) {
		mirrors_clear(&e->l);
		e->exists = mirrors_load(path, &e->l) == 1;
		if (!e->exists)
			log_warn("%s is not a list of onion addresses; not shown", path);
		e->dev = st.st_dev;
		e->ino = st.st_ino;
		e->size = st.st_size;
		e->mtime = st.st_mtim;
	}
	free(path);
	return e->exists ? e : NULL;
}

/* The host name of a Host header value, lower-cased, without port. */
static void
host_name(const char *host, char out[MIRRORS_ADDR_LEN])
{
	size_t n = host ? strcspn(host, ":") : 0, i;

	out[0] = '\0';
	if (n == 0 || n >= MIRRORS_ADDR_LEN)
		return;
	for (i = 0; i < n; i++)
		out[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
	out[n] = '\0';
}

struct sole {
	int n;
	char *slug;
};

static int
count_coll(const cat_collection_t *col, void *arg)
{
	struct sole *so = arg;

	if (so->n++ == 0 && col->origin)
		so->slug = xstrdup(col->slug);
	return 0;
}

const char *
handler_sole_mirror(handler_ctx_t *h)
{
	struct handler_cache *c = h->cache;
	struct sole so = { 0, NULL };
	int64_t now = now_ms();

	if (c->sole_checked && now - c->sole_checked < LIST_CHECK_MS)
		return c->sole;
	c->sole_checked = now;
	free(c->sole);
	c->sole = NULL;
	begin_snapshot(c);
	if (cat_collection_each(h->cat, count_coll, &so) == 0 && so.n == 1)
		c->sole = so.slug;
	else
		free(so.slug);
	return c->sole;
}

/* The reader's ?lang= (no cookie, and not Accept-Language: Tor Browser
 * always sends en-US), and the rest of the query for the switcher. */
static void
site_lang(handler_ctx_t *h, const http_req_t *req, handler_site_t *out)
{
	size_t tlen, n = 0;
	const char *t, *q;
	char *query, *l;

	out->site.lang = h->conf ? h->conf->site_language : NULL;
	if (req == NULL || (t = http_req_target(req, &tlen)) == NULL ||
	    (q = memchr(t, '?', tlen)) == NULL)
		return;
	query = xstrndup(q + 1, tlen - (size_t)(q + 1 - t));
	if ((l = route_query_param(query, "lang")) != NULL && i18n_find(l) != NULL) {
		out->lang = l;
		out->site.lang = l;
		out->site.lang_chosen = 1;
	} else {
		free(l);
	}
	for (const char *p = query; *p && n < HANDLER_SITE_PARAMS; ) {
		size_t kl = strcspn(p, "=&"), k;
		char key[17];
		int dup = 0;
		if (kl > 0 && kl < sizeof(key) && strspn(p, "abcdefghijklmnopqrstuvwxyz_") >= kl) {
			memcpy(key, p, kl);
			key[kl] = '\0';
			for (k = 0; k < n; k++)
				dup |= strcmp(out->params[2 * k], key) == 0;
			char *v = !dup && strcmp(key, "lang") != 0 ? route_query_param(query, key) : NULL;
			if (v) {
				size_t vl = strlen(v);
				if (vl > 256) {
					vl = 256;
					while (vl > 0 && ((unsigned char)v[vl] & 0xc0) == 0x80)
						vl--;
					v[vl] = '\0';
				}
				out->params[2 * n] = xstrdup(key);
				out->params[2 * n + 1] = v;
				n++;
			}
		}
		p += strcspn(p, "&");
		if (*p == '&')
			p++;
	}
	out->site.params = (const char *const *)out->params;
	out->site.nparams = n;
	free(query);
}

void
handler_site_get(handler_ctx_t *h, const http_req_t *req, const char *slug, handler_site_t *out)
{
	const struct list_cache *e = NULL;
	char viewed[MIRRORS_ADDR_LEN];
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->site = h->site;
	out->site.mirrors = NULL;
	out->site.nmirrors = 0;
	out->site.mirrors_slug = NULL;
	site_lang(h, req, out);
	if (slug && slug[0] && (e = list_get(h, slug)) != NULL)
		out->slug = xstrdup(slug);
	else if ((e = list_get(h, "")) == NULL && (slug = handler_sole_mirror(h)) != NULL &&
	    (e = list_get(h, slug)) != NULL)
		out->slug = xstrdup(slug);
	if (e == NULL || e->l.n == 0)
		return;
	host_name(req ? http_req_header(req, HDR_HOST) : NULL, viewed);
	out->m = xcalloc(e->l.n, sizeof(*out->m));
	for (size_t i = 0; i < e->l.n; i++) {
		const mirrors_entry_t *m = &e->l.e[i];
		if (strcmp(m->addr, viewed) == 0 || (h->site.onion && strcmp(m->addr, h->site.onion) == 0))
			continue;
		out->m[n].addr = xstrdup(m->addr);
		out->m[n].note = xstrdup(m->note);
		n++;
	}
	out->site.mirrors = out->m;
	out->site.nmirrors = n;
	out->site.mirrors_slug = out->slug;
}

void
handler_site_clear(handler_site_t *s)
{
	for (size_t i = 0; i < s->site.nmirrors; i++) {
		free((char *)s->m[i].addr);
		free((char *)s->m[i].note);
	}
	free(s->m);
	free(s->slug);
	free(s->lang);
	for (size_t i = 0; i < 2 * HANDLER_SITE_PARAMS; i++)
		free(s->params[i]);
	memset(s, 0, sizeof(*s));
}
