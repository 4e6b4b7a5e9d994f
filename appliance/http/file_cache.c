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
	int fd;
	struct stat st;
};

struct file_cache {
	struct slot slots[FILE_CACHE_SLOTS];
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
	close(sl->fd);
	free(sl->path);
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
file_cache_get(file_cache_t *fc, int64_t collection, const char *relpath, int64_t now_ms, struct stat *st)
{
	struct slot *sl = slot_for(fc, collection, relpath);

	if (!matches(sl, collection, relpath))
		return -1;
	if (now_ms - sl->opened_ms >= FILE_CACHE_TTL_MS || now_ms < sl->opened_ms) {
		slot_clear(sl);
		return -1;
	}
	*st = sl->st;
	return sl->fd;
}

void
file_cache_put(file_cache_t *fc, int64_t collection, const char *relpath, int fd, const struct stat *st,
    int64_t now_ms)
{
	struct slot *sl = slot_for(fc, collection, relpath);

	slot_clear(sl);
	sl->path = xstrdup(relpath);
	sl->collection = collection;
	sl->opened_ms = now_ms;
	sl->fd = fd;
	sl->st = *st;
}

void
file_cache_drop(file_cache_t *fc, int64_t collection, const char *relpath)
{
	struct slot *sl = slot_for(fc, collection, relpath);

	if (matches(sl, collection, relpath))
		slot_clear(sl);
}
