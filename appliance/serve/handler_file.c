/* handler_file: /f/<slug>/<path> — a file's bytes, only if it is in the
 * catalogue, and only while it is still the file that was catalogued (its
 * ETag is its SHA-256, so serving changed bytes under it would be a lie). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/file_cache.h"
#include "http/file.h"
#include "serve/handler.h"
#include "base/log.h"
#include "base/util.h"

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

void
handler_file(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	cat_file_t f;
	int64_t col_id;
	const char *col_root;
	int held;
	struct stat st;
	int rootfd, fd = -1, r;
	int64_t now;
	file_info_t info;
	file_cache_entry_t kept;
	char *fixed = NULL;

	memset(&info, 0, sizeof(info));
	r = handler_collection(h, rt->slug, &col_id, &col_root, &held);
	if (r != 0) {
		http_resp_error(resp, r > 0 ? 404 : 500,
		    r > 0 ? "There is no collection by that name." : NULL);
		goto done;
	}
	if (held) {
		/* Restored onto files that differ from the signed manifest. */
		http_resp_error(resp, 503, "This collection is being checked after a move and "
		    "is not served yet.");
		http_resp_header(resp, "Retry-After", "3600");
		goto done;
	}
	/* A small file served within the last second is still open, and what the
	 * catalogue said of it is kept with it while the catalogue is unchanged
	 * (file_cache.h). */
	now = now_ms();
	file_cache_generation(h->files, cat_data_version(h->cat));
	if (file_cache_get(h->files, col_id, rt->path, now, &kept) == 0) {
		fd = kept.fd;
		st = kept.st;
		info.keep_fd = 1;
		info.etag = kept.etag;
		info.content_type = kept.content_type;
		info.headers = kept.headers;
		goto respond;
	}
	r = cat_file_get(h->cat, col_id, rt->path, &f);
	if (r > 0) {
		/* A dead download link: lead on to the folder and a search. */
		handler_not_found(h, req, rt->slug, rt->path, resp);
		goto done;
	}
	if (r != 0) {
		http_resp_error(resp, 500, NULL);
		goto done;
	}
	info.etag = f.sha256;
	info.content_type = f.mime[0] ? f.mime : "application/octet-stream";
	rootfd = handler_root_fd(h, col_id, col_root);
	if (rootfd < 0) {
		log_warn("collection %s: cannot open its root: %s", rt->slug, strerror(errno));
		http_resp_error(resp, 503, "This collection is not available right now.");
		goto done;
	}
	fd = beneath_open(rootfd, rt->path);
	if (fd < 0) {
		int status = file_errno_status(errno);
		http_resp_error(resp, status, status == 404 ?
		    "There is no such file in this collection." : NULL);
		goto done;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		http_resp_error(resp, 404, "There is no such file in this collection.");
		goto done;
	}
	if (st.st_size != f.size || st.st_mtime != f.mtime) {
		/* The path is the reader's request; only the slug goes to the log. */
		log_warn("collection %s: a file changed on disk since it was catalogued; "
		    "run `broadside refresh %s`", rt->slug, rt->slug);
		http_resp_error(resp, 503, "This file changed since it was catalogued and "
		    "cannot be verified; try again later.");
		http_resp_header(resp, "Retry-After", "3600");
		goto done;
	}
	if (st.st_size <= FILE_INLINE_MAX) {
		file_info_t built = info;
		built.download_name = base_name(rt->path);
		kept.fd = fd;
		kept.st = st;
		kept.etag = info.etag;
		kept.content_type = info.content_type;
		kept.headers = fixed = file_fixed_headers(&st, &built);
		file_cache_put(h->files, col_id, rt->path, &kept, now);
		info.keep_fd = 1;
		info.headers = fixed;
	}
respond:
	info.download_name = base_name(rt->path);
	info.max_ranges = (int)h->conf->max_ranges;
	info.is_head = http_req_method(req) == HTTP_REQ_HEAD;
	file_respond(resp, req, fd, &st, &info);
	fd = -1;
done:
	free(fixed);
	if (fd >= 0 && !info.keep_fd)
		close(fd);
}
