/* render_cache: see render_cache.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "serve/render_cache.h"

#define TOUCH_EVERY 60   /* seconds between mtime updates of a hot file */

struct render_cache {
	int dir, pinned;
	int64_t max, bytes, evicted;
};

static int
is_tmp(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".tmp") == 0;
}

struct entry {
	int64_t mtime, size;
	char *name;
};

static int
by_age(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

/* List the folder: its total, and (when want) its entries. Leftover
 * temporary files are removed when clean is set. */
static int64_t
scan(int dir, int clean, struct entry **out, size_t *n)
{
	int fd = dup(dir);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t cap = 0;
	int64_t total = 0;

	if (n)
		*n = 0;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		if (is_tmp(de->d_name)) {
			if (clean)
				(void)unlinkat(dir, de->d_name, 0);
			continue;
		}
		if (fstatat(dir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		total += st.st_size;
		if (out) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 256;
				*out = xrealloc(*out, cap * sizeof(**out));
			}
			(*out)[*n].mtime = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
			(*out)[*n].size = st.st_size;
			(*out)[*n].name = xstrdup(de->d_name);
			(*n)++;
		}
	}
	closedir(d);
	return total;
}

render_cache_t *
render_cache_new(const char *dir, const char *pinned, int64_t max_bytes)
{
	render_cache_t *rc;
	int fd;

	if (mkdir_p(dir, 0700) < 0 || (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_err("cannot open the render cache %s: %s", dir, strerror(errno));
		return NULL;
	}
	rc = xcalloc(1, sizeof(*rc));
	rc->dir = fd;
	/* Made now if missing: `add --render-pages` may fill it while we run. */
	rc->pinned = pinned && mkdir_p(pinned, 0700) == 0 ?
	    open(pinned, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	rc->max = max_bytes;
	rc->bytes = scan(fd, 1, NULL, NULL);
	return rc;
}

void
render_cache_free_(render_cache_t *rc)
{
	if (rc == NULL)
		return;
	close(rc->dir);
	if (rc->pinned >= 0)
		close(rc->pinned);
	free(rc);
}

int
render_cache_open(render_cache_t *rc, const char *name, struct stat *st)
{
	int fd = -1, touch = 1;

	if (rc->pinned >= 0)
		fd = openat(rc->pinned, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		touch = 0;
	else if ((fd = openat(rc->dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	if (touch && st->st_mtime < time(NULL) - TOUCH_EVERY)
		(void)futimens(fd, NULL);   /* used now: last in line for eviction */
	return fd;
}

static char *
tmp_name(const char *name)
{
	return xasprintf("%s.tmp", name);
}

int
render_cache_create(render_cache_t *rc, const char *name)
{
	char *t = tmp_name(name);
	int fd = openat(rc->dir, t, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		log_warn("render cache: cannot create a file: %s", strerror(errno));
	free(t);
	return fd;
}

/* Oldest first, down to nine tenths of the bound; never keep, the file just
 * made (a reader is waiting for it). */
static void
evict(render_cache_t *rc, const char *keep)
{
	struct entry *e = NULL;
	size_t n = 0;
	int64_t goal = rc->max - rc->max / 10;

	rc->bytes = scan(rc->dir, 0, &e, &n);
	qsort(e, n, sizeof(*e), by_age);
	for (size_t i = 0; i < n; i++) {
		if (rc->bytes > goal && strcmp(e[i].name, keep) != 0 &&
		    unlinkat(rc->dir, e[i].name, 0) == 0) {
			rc->bytes -= e[i].size;
			rc->evicted++;
		}
		free(e[i].name);
	}
	free(e);
}

void
render_cache_commit(render_cache_t *rc, const char *name, int keep)
{
	char *t = tmp_name(name);
	struct stat st;

	if (!keep || fstatat(rc->dir, t, &st, 0) < 0 || renameat(rc->dir, t, rc->dir, name) < 0) {
		(void)unlinkat(rc->dir, t, 0);
	} else {
		rc->bytes += st.st_size;
		if (rc->bytes > rc->max)
			evict(rc, name);
	}
	free(t);
}

int64_t
render_cache_bytes(const render_cache_t *rc)
{
	return rc->bytes;
}

int64_t
render_cache_evicted(const render_cache_t *rc)
{
	return rc->evicted;
}
