/* fcache: see fcache.h. Direct-mapped: a slot per hash of (collection, path);
 * a colliding file replaces the one there. No lists, no LRU bookkeeping: the
 * cache only has to make a hot small file cheap, not to keep many. */
#include "fcache.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct slot {
	char *path;          /* NULL: empty */
	int64_t collection, opened_ms;
	int fd;
	struct stat st;
};

struct fcache {
	struct slot slots[FCACHE_SLOTS];
};

static struct slot *
slot_for(fcache_t *fc, int64_t collection, const char *relpath)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)collection;   /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)relpath; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return &fc->slots[h % FCACHE_SLOTS];
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

fcache_t *
fcache_new(void)
{
	return xcalloc(1, sizeof(fcache_t));
}

void
fcache_free_(fcache_t *fc)
{
	if (fc == NULL)
		return;
	for (int i = 0; i < FCACHE_SLOTS; i++)
		slot_clear(&fc->slots[i]);
	free(fc);
}

static int
matches(const struct slot *sl, int64_t collection, const char *relpath)
{
	return sl->path && sl->collection == collection && strcmp(sl->path, relpath) == 0;
}

int
fcache_get(fcache_t *fc, int64_t collection, const char *relpath, int64_t now_ms, struct stat *st)
{
	struct slot *sl = slot_for(fc, collection, relpath);

	if (!matches(sl, collection, relpath))
		return -1;
	if (now_ms - sl->opened_ms >= FCACHE_TTL_MS || now_ms < sl->opened_ms) {
		slot_clear(sl);
		return -1;
	}
	*st = sl->st;
	return sl->fd;
}

void
fcache_put(fcache_t *fc, int64_t collection, const char *relpath, int fd, const struct stat *st,
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
fcache_drop(fcache_t *fc, int64_t collection, const char *relpath)
{
	struct slot *sl = slot_for(fc, collection, relpath);

	if (matches(sl, collection, relpath))
		slot_clear(sl);
}
