/* handler_archive: /d/<slug>[/<dir>].tar|.zip — a folder as one archive.
 *
 * The archive is a pure function of the catalogue rows below the folder
 * (paths, sizes, mtimes, CRC-32 for zip), so its length, ETag and any byte
 * range are known before a file is opened (http/archive.h). Only catalogued
 * files are in it, read through catalogue queries like every page. The
 * body is made while it is sent: headers from the layout, file bytes as
 * zero-copy segments as /f/ sends them, a few files at a time so that a
 * folder of 20,000 files never holds 20,000 descriptors. A file that no
 * longer matches its row ends the body early (the ETag would lie); the
 * reader's resume then carries If-Range and gets the new archive whole. */
#include <errno.h>
#include <event2/buffer.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/beneath.h"
#include "base/log.h"
#include "base/text.h"
#include "base/util.h"
#include "http/archive.h"
#include "http/file.h"
#include "http/range.h"
#include "serve/handler.h"

/* One refill of the connection's output: at most this many bytes or files
 * (a member longer than that goes in several refills). */
#define REFILL_BYTES HTTP_SEND_CHUNK
#define REFILL_FILES 16
/* File pieces up to this size are copied (and their descriptor closed at once). */
#define COPY_MAX (16 * 1024)

struct item {
	size_t rel_off, name_off;   /* into names */
	int64_t size, mtime;
};

struct collect {
	const char *dir;
	size_t dir_len;
	const char *top;
	int zip;
	int64_t max_files, max_bytes, bytes, lastmod;
	int too_large, no_crc;
	struct item *items;
	archive_entry_t *e;
	size_t n, cap;
	strbuf_t names;
	EVP_MD_CTX *md;
};

struct stream {
	archive_t *a;
	archive_entry_t *e;
	struct item *items;
	strbuf_t names;
	int rootfd;
	int64_t pos, end;   /* next byte to send; one past the last */
};

static int
collect_one(const char *relpath, const cat_file_t *f, void *arg)
{
	struct collect *k = arg;
	const char *inner = relpath + (k->dir_len ? k->dir_len + 1 : 0);
	struct item *it;

	if ((k->max_files > 0 && (int64_t)k->n >= k->max_files) ||
	    (k->max_bytes > 0 && k->bytes + f->size > k->max_bytes)) {
		k->too_large = 1;
		return 1;
	}
	if (k->zip && !f->has_crc) {
		k->no_crc = 1;
		return 1;
	}
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 256;
		k->items = xrealloc(k->items, k->cap * sizeof(*k->items));
		k->e = xrealloc(k->e, k->cap * sizeof(*k->e));
	}
	it = &k->items[k->n];
	it->rel_off = k->names.len;
	strbuf_add(&k->names, relpath, strlen(relpath) + 1);
	it->name_off = k->names.len;
	strbuf_adds(&k->names, k->top);
	strbuf_addc(&k->names, '/');
	strbuf_adds(&k->names, inner);
	k->e[k->n].name_len = k->names.len - it->name_off;
	strbuf_addc(&k->names, '\0');
	it->size = f->size;
	it->mtime = f->mtime;
	k->e[k->n].size = f->size;
	k->e[k->n].mtime = f->mtime;
	k->e[k->n].crc32 = f->crc32;
	k->n++;
	k->bytes += f->size;
	if (f->mtime > k->lastmod)
		k->lastmod = f->mtime;
	/* The tag covers everything the bytes depend on, and the content hash,
	 * so it changes exactly when the folder's catalogue rows do. */
	{
		char line[128];
		int len = snprintf(line, sizeof(line), "\n%lld %lld %s %08x\n", (long long)f->size,
		    (long long)f->mtime, f->sha256, (unsigned)f->crc32);
		EVP_DigestUpdate(k->md, relpath, strlen(relpath));
		EVP_DigestUpdate(k->md, line, (size_t)len);
	}
	return 0;
}

static void
stream_free(void *arg)
{
	struct stream *st = arg;

	if (st == NULL)
		return;
	archive_free(st->a);
	free(st->e);
	free(st->items);
	strbuf_release(&st->names);
	if (st->rootfd >= 0)
		close(st->rootfd);
	free(st);
}

/* Append the file bytes [off, off + len) of item it; 0, or -1 when the file
 * is gone or no longer the one catalogued. */
static int
add_file(struct stream *st, const struct item *it, int64_t off, int64_t len, struct evbuffer *out)
{
	const char *rel = st->names.s + it->rel_off;
	int fd = beneath_open(st->rootfd, rel);
	struct stat sb;

	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size != it->size ||
	    sb.st_mtime != it->mtime) {
		log_warn("a file changed on disk since it was catalogued; the archive that holds it "
		    "stops short until a refresh");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (len <= COPY_MAX) {
		struct evbuffer_iovec v;
		ssize_t got = -1;
		if (evbuffer_reserve_space(out, len, &v, 1) == 1) {
			got = pread(fd, v.iov_base, (size_t)len, off);
			if (got == len) {
				v.iov_len = (size_t)len;
				evbuffer_commit_space(out, &v, 1);
			}
		}
		close(fd);
		return got == len ? 0 : -1;
	}
	{
		struct evbuffer_file_segment *seg = evbuffer_file_segment_new(fd, off, len,
		    EVBUF_FS_CLOSE_ON_FREE);
		int rc;
		if (seg == NULL) {
			close(fd);
			return -1;
		}
		rc = evbuffer_add_file_segment(out, seg, 0, len);
		evbuffer_file_segment_free(seg);   /* the buffer holds its own reference */
		return rc;
	}
}

static int
stream_more(void *arg, struct evbuffer *out)
{
	struct stream *st = arg;
	unsigned char buf[ARCHIVE_SEG_CAP];
	int64_t added = 0;
	int files = 0;

	while (st->pos < st->end && added < REFILL_BYTES && files < REFILL_FILES) {
		archive_seg_t seg;
		int64_t len;

		if (archive_seg(st->a, st->pos, &seg, buf, sizeof(buf)) < 0)
			return -1;
		len = seg.len < st->end - st->pos ? seg.len : st->end - st->pos;
		if (seg.entry < 0) {
			if (len > (int64_t)sizeof(buf))
				len = (int64_t)sizeof(buf);
			if (evbuffer_add(out, buf, (size_t)len) < 0)
				return -1;
		} else {
			if (len > REFILL_BYTES - added)
				len = REFILL_BYTES - added;
			if (add_file(st, &st->items[seg.entry], seg.file_off, len, out) < 0)
				return -1;
			files++;
		}
		st->pos += len;
		added += len;
	}
	return st->pos < st->end ? 1 : 0;
}

void
handler_archive(handler_ctx_t *h, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	struct collect k;
	struct stream *st = NULL;
	int64_t col_id;
	const char *col_root, *slash;
	int held, r, rootfd, nranges = 0, pre;
	unsigned char digest[32];
	char etag[65], lm[30], *cd = NULL, *fname = NULL;
	range_t range;
	enum range_status rs = RANGE_IGNORE;
	int64_t size;
	int zip = rt->archive == ROUTE_ARCHIVE_ZIP;

	memset(&k, 0, sizeof(k));
	strbuf_init(&k.names);
	r = handler_collection(h, rt->slug, &col_id, &col_root, &held);
	if (r != 0) {
		http_resp_error(resp, r > 0 ? 404 : 500, r > 0 ? "There is no collection by that name." : NULL);
		goto done;
	}
	if (held) {
		http_resp_error(resp, 503, "This collection is being checked after a move and "
		    "is not served yet.");
		http_resp_header(resp, "Retry-After", "3600");
		goto done;
	}
	slash = strrchr(rt->path, '/');
	k.dir = rt->path;
	k.dir_len = strlen(rt->path);
	k.top = k.dir_len == 0 ? rt->slug : slash ? slash + 1 : rt->path;
	k.zip = zip;
	k.max_files = h->conf->archive_max_files;
	k.max_bytes = h->conf->archive_max_bytes;
	k.md = EVP_MD_CTX_new();
	if (k.md == NULL || EVP_DigestInit_ex(k.md, EVP_sha256(), NULL) != 1) {
		http_resp_error(resp, 500, NULL);
		goto done;
	}
	EVP_DigestUpdate(k.md, zip ? "zip\n" : "tar\n", 4);
	EVP_DigestUpdate(k.md, k.top, strlen(k.top));
	r = cat_file_each_below(h->cat, col_id, rt->path, collect_one, &k);
	if (r < 0) {
		http_resp_error(resp, 500, NULL);
		goto done;
	}
	if (k.too_large) {
		char *msg = xasprintf("This folder is larger than one archive may be here (more than "
		    "%lld files or %lld bytes). To copy it, use the collection's metalink, "
		    "/m/%s/collection.meta4, with aria2c, or its list of addresses, /m/%s/urls.txt, "
		    "with wget -i.", (long long)k.max_files, (long long)k.max_bytes, rt->slug, rt->slug);
		http_resp_error(resp, 403, msg);
		free(msg);
		goto done;
	}
	if (k.no_crc) {
		http_resp_error(resp, 503, "The zip archive of this folder is not ready yet; the tar "
		    "archive is.");
		http_resp_header(resp, "Retry-After", "3600");
		goto done;
	}
	if (k.n == 0) {
		http_resp_error(resp, 404, "There are no files in that folder.");
		goto done;
	}
	st = xcalloc(1, sizeof(*st));
	st->rootfd = -1;
	st->items = k.items;
	st->e = k.e;
	st->names = k.names;
	k.items = NULL;
	k.e = NULL;
	strbuf_init(&k.names);
	for (size_t i = 0; i < k.n; i++)
		st->e[i].name = st->names.s + st->items[i].name_off;
	st->a = archive_new(zip ? ARCHIVE_ZIP : ARCHIVE_TAR, st->e, k.n);
	if (st->a == NULL) {
		http_resp_error(resp, 500, "A name in this folder is too long for an archive.");
		goto done;
	}
	rootfd = handler_root_fd(h, col_id, col_root);
	st->rootfd = rootfd < 0 ? -1 : fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (st->rootfd < 0) {
		log_warn("collection %s: cannot open its root: %s", rt->slug, strerror(errno));
		http_resp_error(resp, 503, "This collection is not available right now.");
		goto done;
	}
	size = archive_size(st->a);
	EVP_DigestFinal_ex(k.md, digest, NULL);
	text_hex(etag, digest, 32);
	http_date_format((time_t)k.lastmod, lm);
	http_resp_header(resp, "ETag", "\"%s\"", etag);
	http_resp_header(resp, "Last-Modified", "%s", lm);
	http_resp_header(resp, "Accept-Ranges", "bytes");
	http_resp_header(resp, "Content-Security-Policy", "default-src 'none'; sandbox");
	http_resp_header(resp, "Cache-Control", "no-cache");
	pre = file_preconditions(req, etag, (time_t)k.lastmod);
	if (pre) {
		resp->status = pre;
		resp->length = 0;
		goto done;
	}
	/* One range at most: a multipart body of an archive made on the fly is
	 * not worth its code; more ranges get the whole archive (RFC 9110 14.2). */
	if (file_if_range_ok(http_req_header(req, HDR_IF_RANGE), etag, (time_t)k.lastmod))
		rs = range_parse(http_req_header(req, HDR_RANGE), size, &range, 1, &nranges);
	if (rs == RANGE_UNSATISFIABLE) {
		resp->status = 416;
		http_resp_header(resp, "Content-Range", "bytes */%lld", (long long)size);
		resp->length = 0;
		goto done;
	}
	fname = xasprintf("%s.%s", k.top, zip ? "zip" : "tar");
	cd = file_content_disposition(fname, 0);
	http_resp_header(resp, "Content-Disposition", "%s", cd);
	http_resp_header(resp, "Content-Type", "%s", zip ? "application/zip" : "application/x-tar");
	if (rs == RANGE_OK) {
		resp->status = 206;
		http_resp_header(resp, "Content-Range", "bytes %lld-%lld/%lld", (long long)range.first,
		    (long long)range.last, (long long)size);
		st->pos = range.first;
		st->end = range.last + 1;
	} else {
		resp->status = 200;
		st->pos = 0;
		st->end = size;
	}
	resp->length = st->end - st->pos;
	if (http_req_method(req) == HTTP_REQ_HEAD)
		goto done;
	resp->more = stream_more;
	resp->more_free = stream_free;
	resp->more_arg = st;
	st = NULL;
done:
	stream_free(st);
	free(k.items);
	free(k.e);
	strbuf_release(&k.names);
	EVP_MD_CTX_free(k.md);
	free(cd);
	free(fname);
	(void)c;
}
