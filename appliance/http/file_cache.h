/* file_cache: small files kept open for a second after they were served.
 *
 * A request for a small file costs six system calls, three of them for the
 * file alone (open beneath the root, fstat, close) around the one pread. Many
 * readers fetch the same few small files (an index, a README, the manifest's
 * neighbours), so the fd and its stat are kept for FILE_CACHE_TTL_MS: within that
 * window a change on disk is noticed late, exactly as nginx's
 * open_file_cache_valid does (its default is 60 s). Each entry was opened by
 * beneath_open, so the symlink and root rules held when it was opened;
 * the catalogue is still asked on every request. */
#ifndef BROADSIDE_FILE_CACHE_H
#define BROADSIDE_FILE_CACHE_H

#include <stdint.h>
#include <sys/stat.h>

#define FILE_CACHE_TTL_MS 1000
#define FILE_CACHE_SLOTS 256

typedef struct file_cache file_cache_t;

file_cache_t *file_cache_new(void);
void file_cache_free_(file_cache_t *fc);
#define file_cache_free(p) do { file_cache_free_(p); (p) = NULL; } while (0)

/* The fd kept for collection/relpath if it was opened less than
 * FILE_CACHE_TTL_MS before now_ms, with its stat then; -1 if none. The fd stays
 * the cache's: use it before the next call. */
int file_cache_get(file_cache_t *fc, int64_t collection, const char *relpath, int64_t now_ms, struct stat *st);
/* Keep fd (taken) for collection/relpath, replacing what its slot held. */
void file_cache_put(file_cache_t *fc, int64_t collection, const char *relpath, int fd, const struct stat *st,
    int64_t now_ms);
/* Forget collection/relpath (it no longer matches the catalogue). */
void file_cache_drop(file_cache_t *fc, int64_t collection, const char *relpath);

#endif
