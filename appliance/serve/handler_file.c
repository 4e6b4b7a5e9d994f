/* handler_file: /f/<slug>/<path> — a file's bytes, only if it is in the
 * catalogue, and only while it is still the file that was catalogued (its
 * ETag is its SHA-256, so serving changed bytes under it would be a lie). */
#include <errno.h>
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/file_cache.h"
#include "http/file.h"
#include "http/range.h"
#include "serve/handler.h"
#include "base/log.h"
#include "base/util.h"
#include "trust/torrent.h"

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

/* The size of a BEP 47 pad file ".pad/<N>", or 0 if path is not one. */
static int64_t
pad_size(const char *path)
{
	int64_t n;

	if (strncmp(path, ".pad/", 5) != 0 || path[5] < '1' || path[5] > '9' ||
	    parse_int64(path + 5, 1, TORRENT_MAX_PIECE - 1, &n) < 0)
		return 0;
	return n;
}

/* A torrent's v1 file list (trust/torrent.h) names zero-filled pad files
 * ".pad/<N>" that are not on disk. Web-seed clients that do not know BEP 47
 * (aria2c 1.36) fetch them from /f/ like any file: give them N zeros, with
 * one range at most (more get the whole, RFC 9110 14.2). */
static void
pad_respond(http_resp_t *resp, const http_req_t *req, int64_t size)
{
	static const char zeros[64 * 1024];
	char etag[32];
	range_t rg;
	int n = 0;
	enum range_status rs = RANGE_IGNORE;
	int64_t first = 0, len = size;

	snprintf(etag, sizeof(etag), "pad-%lld", (long long)size);
	if (file_if_range_ok(http_req_header(req, HDR_IF_RANGE), etag, 0))
		rs = range_parse(http_req_header(req, HDR_RANGE), size, &rg, 1, &n);
	http_resp_header(resp, "ETag", "\"%s\"", etag);
	http_resp_header(resp, "Accept-Ranges", "bytes");
	if (rs == RANGE_UNSATISFIABLE) {
		resp->status = 416;
		http_resp_header(resp, "Content-Range", "bytes */%lld", (long long)size);
		resp->length = 0;
		return;
	}
	http_resp_header(resp, "Content-Type", "application/octet-stream");
	resp->status = 200;
	if (rs == RANGE_OK && n == 1) {
		resp->status = 206;
		first = rg.first;
		len = rg.last - rg.first + 1;
		http_resp_header(resp, "Content-Range", "bytes %lld-%lld/%lld", (long long)first,
		    (long long)rg.last, (long long)size);
	}
	resp->length = len;
	if (http_req_method(req) == HTTP_REQ_HEAD)
		return;
	for (int64_t left = len; left > 0;) {
		size_t k = left > (int64_t)sizeof(zeros) ? sizeof(zeros) : (size_t)left;
		evbuffer_add_reference(resp->body, zeros, k, NULL, NULL);
		left -= (int64_t)k;
	}
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
	file_cache_generation(h->files, handler_ctx_data_version(h));
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
	if (r > 0 && pad_size(rt->path) > 0) {
		pad_respond(resp, req, pad_size(rt->path));
		goto done;
	}
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
