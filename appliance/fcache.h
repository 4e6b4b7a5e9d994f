/* fcache: small files kept open for a second after they were served.
 *
 * A request for a small file costs six system calls, three of them for the
 * file alone (open beneath the root, fstat, close) around the one pread. Many
 * readers fetch the same few small files (an index, a README, the manifest's
 * neighbours), so the fd and its stat are kept for FCACHE_TTL_MS: within that
 * window a change on disk is noticed late, exactly as nginx's
 * open_file_cache_valid does (its default is 60 s). Each entry was opened by
 * file_open_beneath, so the symlink and root rules held when it was opened;
 * the catalogue is still asked on every request. */
#ifndef BROADSIDE_FCACHE_H
#define BROADSIDE_FCACHE_H

#include <stdint.h>
#include <sys/stat.h>

#define FCACHE_TTL_MS 1000
#define FCACHE_SLOTS 256

typedef struct fcache fcache_t;

fcache_t *fcache_new(void);
void fcache_free_(fcache_t *fc);
#define fcache_free(p) do { fcache_free_(p); (p) = NULL; } while (0)

/* The fd kept for collection/relpath if it was opened less than
 * FCACHE_TTL_MS before now_ms, with its stat then; -1 if none. The fd stays
 * the cache's: use it before the next call. */
int fcache_get(fcache_t *fc, int64_t collection, const char *relpath, int64_t now_ms, struct stat *st);
/* Keep fd (taken) for collection/relpath, replacing what its slot held. */
void fcache_put(fcache_t *fc, int64_t collection, const char *relpath, int fd, const struct stat *st,
    int64_t now_ms);
/* Forget collection/relpath (it no longer matches the catalogue). */
void fcache_drop(fcache_t *fc, int64_t collection, const char *relpath);

#endif
