/* file: serving one regular file below a collection root — opening it without
 * ever leaving the root or following a symlink, and answering with validators,
 * conditionals and ranges (RFC 9110 8.8, 13, 14) with zero-copy bodies. */
#ifndef BROADSIDE_FILE_H
#define BROADSIDE_FILE_H

#include <sys/stat.h>

#include "http/http_req.h"
#include "http/http_resp.h"

/* Open relpath ("a/b.csv") below the directory dirfd for reading. Symlinks
 * anywhere on the way are refused (ELOOP), as is any escape from dirfd (EXDEV).
 * Uses openat2(RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), or a component-by-component
 * walk with O_NOFOLLOW where the kernel lacks openat2. Returns an fd or -1. */
int file_open_beneath(int dirfd, const char *relpath);
/* Force the walk even where openat2 exists (tests cover both paths). */
void file_set_force_walk(int on);

/* The one place errno becomes an HTTP status: ENOENT, ENOTDIR and the refusals
 * above → 404, EACCES/EPERM → 403, everything else → 500. */
int file_errno_status(int err);

/* Whole files up to this size are read into the response (one write with
 * the head) instead of sent from the file. */
#define FILE_INLINE_MAX (16 * 1024)

typedef struct file_info {
	const char *etag;          /* opaque tag without quotes (the SHA-256 hex) */
	const char *content_type;
	const char *download_name; /* for Content-Disposition */
	int max_ranges;
	int is_head;
	int keep_fd;               /* fd stays the caller's (file_cache.h) */
} file_info_t;

/* Answer req from the open regular file fd (taken: closed when the response
 * is gone, unless info->keep_fd). Sets status, headers and body on resp. */
void file_respond(http_resp_t *resp, const http_req_t *req, int fd,
    const struct stat *st, const file_info_t *info);

/* Content-Disposition value for name (RFC 6266: ASCII fallback + filename*). */
char *file_content_disposition(const char *name);

#endif
