/* file_cache: small files kept open for a second after they were served.
 *
 * A request for a small file costs six system calls, three of them for the
 * file alone (open beneath the root, fstat, close) around the one pread. Many
 * readers fetch the same few small files (an index, a README, the manifest's
 * neighbours), so the fd and its stat are kept for FILE_CACHE_TTL_MS: within that
 * window a change on disk is noticed late, exactly as nginx's
 * open_file_cache_valid does (its default is 60 s). Each entry was opened by
 * beneath_open, so the symlink and root rules held when it was opened.
 * An entry also keeps what the catalogue said of the file when it was opened
 * (its tag and type) and the headers built from them, so a hit asks neither the
 * disk nor the catalogue the question again: the caller only checks that the
 * catalogue has not changed since (file_cache_generation). On a 1 KiB file
 * the lookup was ~8% of serve's CPU (scripts/bench/README.md). */
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

/* What an entry holds. Everything stays the cache's: use it before the next call. */
typedef struct file_cache_entry {
	int fd;
	struct stat st;                 /* when it was opened */
	const char *etag, *content_type;
	const char *headers;            /* file_fixed_headers() for it */
} file_cache_entry_t;

/* The entry for collection/relpath if it was opened less than
 * FILE_CACHE_TTL_MS before now_ms: 0 and *e filled; -1 if none. */
int file_cache_get(file_cache_t *fc, int64_t collection, const char *relpath, int64_t now_ms,
    file_cache_entry_t *e);
/* Keep e->fd (taken) and copies of e's strings for collection/relpath,
 * replacing what its slot held. */
void file_cache_put(file_cache_t *fc, int64_t collection, const char *relpath, const file_cache_entry_t *e,
    int64_t now_ms);
/* The caller's number for the state of what entries were checked against (the
 * catalogue's data version): when it differs from the last one given, every
 * entry is dropped. */
void file_cache_generation(file_cache_t *fc, int64_t generation);
/* Forget collection/relpath (it no longer matches the catalogue). */
void file_cache_drop(file_cache_t *fc, int64_t collection, const char *relpath);

#endif
