/* file_cache: see file_cache.h. Direct-mapped: a slot per hash of (collection, path);
 * a colliding file replaces the one there. No lists, no LRU bookkeeping: the
 * cache only has to make a hot small file cheap, not to keep many. */
#include "http/file_cache.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

struct slot {
	char *path;          /* NULL: empty */
	int64_t collection, opened_ms;
	file_cache_entry_t e;   /* its strings are the slot's */
};

struct file_cache {
	struct slot slots[FILE_CACHE_SLOTS];
	int64_t generation;
};

static struct slot *
slot_for(file_cache_t *fc, int64_t collection, const char *relpath)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)collection;   /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)relpath; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return &fc->slots[h % FILE_CACHE_SLOTS];
}

static void
slot_clear(struct slot *sl)
{
	if (sl->path == NULL)
		return;
	close(sl->e.fd);
	free(sl->path);
	free((char *)sl->e.etag);
	free((char *)sl->e.content_type);
	free((char *)sl->e.headers);
	sl->path = NULL;
}

file_cache_t *
file_cache_new(void)
{
	return xcalloc(1, sizeof(file_cache_t));
}

void
file_cache_free_(file_cache_t *fc)
{
	if (fc == NULL)
		return;
	for (int i = 0; i < FILE_CACHE_SLOTS; i++)
		slot_clear(&fc->slots[i]);
	free(fc);
}

static int
matches(const struct slot *sl, int64_t collection, const char *relpath)
{
	return sl->path && sl->collection == collection && strcmp(sl->path, relpath) == 0;
}

int
file_cache_get(file_cache_t *fc, int64_t collection, const char *relpath, int64_t now_ms,
    file_cache_entry_t *e)
{
	struct slot *sl = slot_for(fc, collection, relpath);

	if (!matches(sl, collection, relpath))
		return -1;
	if (now_ms - sl->opened_ms >= FILE_CACHE_TTL_MS || now_ms < sl->opened_ms) {
		slot_clear(sl);
		return -1;
	}
	*e = sl->e;
	return 0;
}

void
file_cache_put(file_cache_t *fc, int64_t collection, const char *relpath, const file_cache_entry_t *e,
    int64_t now_ms)
{
	struct slot *sl = slot_for(fc, collection, relpath);

	slot_clear(sl);
	sl->path = xstrdup(relpath);
	sl->collection = collection;
	sl->opened_ms = now_ms;
	sl->e.fd = e->fd;
	sl->e.st = e->st;
	sl->e.etag = xstrdup(e->etag ? e->etag : "");
	sl->e.content_type = xstrdup(e->content_type ? e->content_type : "");
	sl->e.headers = xstrdup(e->headers ? e->headers : "");
}

void
file_cache_generation(file_cache_t *fc, int64_t generation)
{
	if (generation == fc->generation)
		return;
	for (int i = 0; i < FILE_CACHE_SLOTS; i++)
		slot_clear(&fc->slots[i]);
	fc->generation = generation;
}

void
file_cache_drop(file_cache_t *fc, int64_t collection, const char *relpath)
{
	struct slot *sl = slot_for(fc, collection, relpath);

	if (matches(sl, collection, relpath))
		slot_clear(sl);
}
