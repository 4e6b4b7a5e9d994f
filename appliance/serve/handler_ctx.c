/* handler_ctx: see handler.h. The catalogue's read snapshot and the caches
 * in front of it (collections, root descriptors, small files), and what every
 * page shows. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "serve/handler.h"

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

struct handler_cache {
	cat_t *cat;
	struct event *snapshot_end;
	int in_snapshot;
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

int
handler_ctx_error_page(void *arg, strbuf_t *html, int status, const char *detail,
    int retry_after)
{
	handler_ctx_t *h = arg;

	return page_error(html, &h->site, status, detail, retry_after);
}
