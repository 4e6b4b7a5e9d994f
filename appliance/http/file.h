/* file: serving one regular file below a collection root (opened with
 * base/beneath.h): answering with validators,
 * conditionals and ranges (RFC 9110 8.8, 13, 14) with zero-copy bodies. */
#ifndef BROADSIDE_FILE_H
#define BROADSIDE_FILE_H

#include <sys/stat.h>

#include "base/beneath.h"
#include "http/http_req.h"
#include "http/http_resp.h"

/* The one place errno becomes an HTTP status: ENOENT, ENOTDIR and the refusals
 * of beneath_open (base/beneath.h) → 404, EACCES/EPERM → 403, everything else → 500. */
int file_errno_status(int err);

/* Whole files up to this size are read into the response (one write with
 * the head) instead of sent from the file. */
#define FILE_INLINE_MAX (16 * 1024)

typedef struct file_info {
	const char *etag;          /* opaque tag without quotes (the SHA-256 hex) */
	const char *content_type;
	const char *download_name; /* for Content-Disposition */
	int download;              /* always "attachment", whatever the type */
	int max_ranges;
	int is_head;
	int keep_fd;               /* fd stays the caller's (file_cache.h) */
	const char *headers;       /* file_fixed_headers() kept from an earlier answer, or NULL */
} file_info_t;

/* The headers every answer for this file carries (validators, the download
 * CSP, Content-Disposition, Content-Type), built once so that a kept file
 * (file_cache.h) costs no formatting. Freed by the caller. */
char *file_fixed_headers(const struct stat *st, const file_info_t *info);

/* Answer req from the open regular file fd (taken: closed when the response
 * is gone, unless info->keep_fd). Sets status, headers and body on resp. */
void file_respond(http_resp_t *resp, const http_req_t *req, int fd,
    const struct stat *st, const file_info_t *info);

/* RFC 9110 13.2.2 steps 1-4 for a representation with this strong tag and
 * date: 0 to go on, else the status to answer (412 or 304). */
int file_preconditions(const http_req_t *req, const char *etag, time_t mtime);
/* RFC 9110 13.1.5: may Range apply (If-Range v absent, or it names this
 * strong tag or exactly this date)? 1 or 0. */
int file_if_range_ok(const char *v, const char *etag, time_t mtime);

/* 1 if a browser may show content_type itself (Content-Disposition: inline):
 * raster images, audio, video, text/plain. Everything else is a download. */
int file_is_inline(const char *content_type);

/* Content-Disposition value for name (RFC 6266: ASCII fallback + filename*),
 * "inline" or "attachment". */
char *file_content_disposition(const char *name, int is_inline);

#endif
