/* render_cache: page images, page texts and clean image copies on disk, in
 * DIR/cache/, bounded in bytes with the least recently used going first.
 *
 * A name is "<sha256>-p<N>.png" / ".txt" (a PDF's page) or "<sha256>-i" (an
 * image's clean copy): the document's content names it, so a refreshed file
 * never meets a stale copy. Files are written under a temporary name by the
 * render process (render.h) through descriptors made here, then renamed in.
 * Use is kept in the files' mtime (touched on a hit at most once a minute),
 * so the order survives a restart; eviction scans the folder only when the
 * bound is passed, and then frees a tenth of it. DIR/pages/ (made by `add
 * --render-pages`) is looked at first, never counted and never evicted. */
#ifndef BROADSIDE_RENDER_CACHE_H
#define BROADSIDE_RENDER_CACHE_H

#include <stdint.h>
#include <sys/stat.h>

typedef struct render_cache render_cache_t;

/* Open (creating) dir and, if it exists, pinned; leftovers of an interrupted
 * write are removed and the rest counted. NULL (logged) on failure. */
render_cache_t *render_cache_new(const char *dir, const char *pinned, int64_t max_bytes);
void render_cache_free_(render_cache_t *rc);
#define render_cache_free(p) do { render_cache_free_(p); (p) = NULL; } while (0)

/* Open name for reading and fstat it into *st; -1 when it is not there. */
int render_cache_open(render_cache_t *rc, const char *name, struct stat *st);
/* Make the temporary file for name (writable); -1 on failure (logged). */
int render_cache_create(render_cache_t *rc, const char *name);
/* Put the temporary file for name in place (keep = 0: throw it away), then
 * evict while over the bound. */
void render_cache_commit(render_cache_t *rc, const char *name, int keep);
/* Bytes counted now, and files evicted since the start. */
int64_t render_cache_bytes(const render_cache_t *rc);
int64_t render_cache_evicted(const render_cache_t *rc);

#endif
