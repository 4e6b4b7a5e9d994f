/* handler_manifest: /m/<slug>/<name> — a collection's signed manifests and
 * its folders' lists, /m/<slug>/sums/<key>/SHA256SUMS[.minisig] (see manifest.h) — /m/publisher.pub, the publisher's minisign public key, and
 * /m/mirrors.txt(.minisig), the publisher's signed address list (mirrors.h).
 * Served from the files `add`/`refresh`/`mirror` wrote, with validators and
 * ranges like any file. Only names in manifest.h's list, and only for a
 * collection the catalogue still holds (`rm` leaves the folder behind). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/file.h"
#include "serve/handler.h"
#include "base/log.h"
#include "trust/manifest.h"
#include "trust/mirrors.h"
#include "base/util.h"

void
handler_manifest(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	cat_collection_t col;
	char *path = NULL, *rel = NULL, *torrent_name = NULL, etag[80];
	struct stat st;
	int fd = -1, r;
	file_info_t info;

	memset(&col, 0, sizeof(col));
	if (h->data_root == NULL || (rel = manifest_served_path(rt->path)) == NULL ||
	    (rt->slug[0] == '\0' && strcmp(rel, rt->path) != 0)) {
		http_resp_error(resp, 404, "There is nothing at this address.");
		goto done;
	}
	if (rt->slug[0] == '\0') {
		path = strcmp(rt->path, "publisher.pub") == 0 ? xasprintf("%s/keys/publisher.pub", h->data_root) :
		    mirrors_published_path(h->data_root, rt->path);
	} else {
		r = cat_collection_get(h->cat, rt->slug, &col);
		if (r != 0) {
			http_resp_error(resp, r > 0 ? 404 : 500,
			    r > 0 ? "There is no collection by that name." : NULL);
			goto done;
		}
		path = xasprintf("%s/manifests/%s/%s", h->data_root, rt->slug, rel);
		/* A collection published here has no list of its own: the
		 * publisher's list is the one that names its addresses. */
		if (col.origin == NULL && strncmp(rt->path, "mirrors.txt", 11) == 0) {
			free(path);
			path = mirrors_published_path(h->data_root, rt->path);
		}
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && rt->slug[0] == '\0' && strncmp(rt->path, "mirrors.txt", 11) == 0 &&
	    handler_sole_mirror(h) != NULL) {
		free(path);
		path = xasprintf("%s/manifests/%s/%s", h->data_root, handler_sole_mirror(h), rt->path);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int status = fd < 0 ? file_errno_status(errno) : 404;
		http_resp_error(resp, status, status == 404 ?
		    "This manifest has not been written yet." : NULL);
		goto done;
	}
	/* Manifests are replaced by rename, never rewritten: the inode, size and
	 * mtime name one version. */
	snprintf(etag, sizeof(etag), "m%llx-%llx-%llx.%lx", (unsigned long long)st.st_ino,
	    (unsigned long long)st.st_size, (unsigned long long)st.st_mtim.tv_sec,
	    (long)st.st_mtim.tv_nsec);
	memset(&info, 0, sizeof(info));
	info.etag = etag;
	info.content_type = strcmp(rt->path, "index.json") == 0 ? "application/json" :
	    strcmp(rt->path, "collection.meta4") == 0 ? "application/metalink4+xml" :   /* RFC 5854 7 */
	    strcmp(rt->path, "collection.torrent") == 0 ? "application/x-bittorrent" :
	    "text/plain; charset=utf-8";
	info.download_name = strrchr(rt->path, '/') ? strrchr(rt->path, '/') + 1 : rt->path;
	if (strcmp(rt->path, "collection.torrent") == 0) {
		/* Saved as <slug>.torrent: one reader may fetch several collections'. */
		free(torrent_name);
		torrent_name = xasprintf("%s.torrent", rt->slug);
		info.download_name = torrent_name;
	}
	info.max_ranges = (int)h->conf->max_ranges;
	info.is_head = http_req_method(req) == HTTP_REQ_HEAD;
	file_respond(resp, req, fd, &st, &info);
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	free(path);
	free(rel);
	free(torrent_name);
	cat_collection_clear(&col);
}
