/* file: see file.h. */
#include "http/file.h"

#include <errno.h>
#include <event2/buffer.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http/range.h"
#include "base/util.h"
#include "base/text.h"

/* Whole files up to this size are copied into the response, not sendfile'd. */

int
file_errno_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ELOOP:      /* a symlink on the way */
	case EXDEV:      /* an escape from the root */
	case ENAMETOOLONG:
		return 404;
	case EACCES:
	case EPERM:
		return 403;
	default:
		return 500;
	}
}

/* Types a browser shows with its own viewer, which runs no script of the
 * file's: raster images, audio, video and plain text. Not SVG (a document that
 * can carry script), not HTML, XML, PDF or office types: those stay downloads.
 * Exact names, case-insensitive, parameters ignored. */
static const char *const inline_types[] = {
	"image/jpeg", "image/png", "image/gif", "image/webp",
	"audio/mpeg", "audio/ogg", "audio/flac", "audio/x-wav", "audio/wav", "audio/mp4",
	"audio/aac", "audio/webm", "audio/opus",
	"video/mp4", "video/webm", "video/ogg",
	"text/plain",
};

int
file_is_inline(const char *content_type)
{
	size_t n;

	if (content_type == NULL)
		return 0;
	n = strcspn(content_type, "; \t");
	for (size_t i = 0; i < ARRAY_LEN(inline_types); i++)
		if (strlen(inline_types[i]) == n && strncasecmp(content_type, inline_types[i], n) == 0)
			return 1;
	return 0;
}

char *
file_content_disposition(const char *name, int is_inline)
{
	strbuf_t b, u;

	strbuf_init(&b);
	strbuf_adds(&b, is_inline ? "inline; filename=\"" : "attachment; filename=\"");
	/* The quoted fallback is plain ASCII without quotes, backslashes or
	 * controls; the real name travels in filename* (RFC 8187 encoding). */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		strbuf_addc(&b, (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' &&
		    *p != '%') ? (char)*p : '_');
	strbuf_adds(&b, "\"; filename*=UTF-8''");
	/* The browser shows and saves this name: the pages' rule applies
	 * (text_cp_visible), so "evil<U+202E>gpj.exe" cannot pose as a .jpg. */
	strbuf_init(&u);
	for (size_t i = 0, n = strlen(name); i < n;) {
		uint32_t c;
		i += text_utf8_next((const unsigned char *)name + i, n - i, &c);
		text_utf8_put(&u, text_cp_visible(c));
	}
	text_url(&b, u.s, u.len, TEXT_URL_ATTR);   /* RFC 8187 attr-chars stay */
	strbuf_release(&u);
	return strbuf_detach(&b);
}

/* Does the entity-tag list in field match our tag? weak: W/ tags count. */
static int
etag_list_matches(const char *field, const char *etag, int weak)
{
	const char *p = field;
	size_t elen = strlen(etag);

	while (*p) {
		int is_weak = 0;
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (*p == '*')
			return 1;
		if (p[0] == 'W' && p[1] == '/') {
			is_weak = 1;
			p += 2;
		}
		if (*p != '"')
			return 0;   /* malformed: no match */
		const char *end = strchr(p + 1, '"');
		if (end == NULL)
			return 0;
		if ((weak || !is_weak) && (size_t)(end - p - 1) == elen &&
		    memcmp(p + 1, etag, elen) == 0)
			return 1;
		p = end + 1;
	}
	return 0;
}

/* RFC 9110 13.1.5: If-Range holds a strong tag or an exact Last-Modified date. */
int
file_if_range_ok(const char *v, const char *etag, time_t mtime)
{
	time_t t;
	if (v == NULL)
		return 1;
	if (v[0] == '"' || (v[0] == 'W' && v[1] == '/'))
		return v[0] == '"' && etag_list_matches(v, etag, 0);
	return http_date_parse(v, &t) == 0 && t == mtime;
}

/* RFC 9110 13.2.2, steps 1-4; returns 0 to go on, or the status to send. */
int
file_preconditions(const http_req_t *req, const char *etag, time_t mtime)
{
	const char *v;
	time_t t;

	if ((v = http_req_header(req, HDR_IF_MATCH)) != NULL) {
		if (!etag_list_matches(v, etag, 0))
			return 412;
	} else if ((v = http_req_header(req, HDR_IF_UNMODIFIED_SINCE)) != NULL &&
	    http_date_parse(v, &t) == 0 && mtime > t) {
		return 412;
	}
	if ((v = http_req_header(req, HDR_IF_NONE_MATCH)) != NULL) {
		if (etag_list_matches(v, etag, 1))
			return 304;
	} else if ((v = http_req_header(req, HDR_IF_MODIFIED_SINCE)) != NULL &&
	    http_date_parse(v, &t) == 0 && mtime <= t) {
		return 304;
	}
	return 0;
}

char *
file_fixed_headers(const struct stat *st, const file_info_t *info)
{
	char lm[30], *cd;
	http_resp_t r;   /* borrowed for its header rules (no CR/LF in a value) */

	memset(&r, 0, sizeof(r));
	strbuf_init(&r.headers);
	http_date_format(st->st_mtime, lm);
	http_resp_header(&r, "ETag", "\"%s\"", info->etag);
	http_resp_header(&r, "Last-Modified", "%s", lm);
	http_resp_header(&r, "Accept-Ranges", "bytes");
	/* Downloads are never rendered here: a leaked HTML file must not run. */
	http_resp_header(&r, "Content-Security-Policy", "default-src 'none'; sandbox");
	http_resp_header(&r, "Cache-Control", "no-cache");
	cd = file_content_disposition(info->download_name,
	    !info->download && file_is_inline(info->content_type));
	/* From here on file_respond cuts the rest for a 304 or 416, and the
	 * Content-Type for a multipart 206 (which has its own). */
	http_resp_header(&r, "Content-Disposition", "%s", cd);
	http_resp_header(&r, "Content-Type", "%s", info->content_type);
	free(cd);
	return strbuf_detach(&r.headers);
}

/* A file body as pieces (file ranges and the multipart texts between them),
 * handed to the output HTTP_SEND_CHUNK at a time by the connection (resp->more). */
struct piece {
	int64_t off, len;        /* a file range, or */
	size_t text, tlen;       /* tlen bytes at blob + text */
};
struct feed {
	struct evbuffer_file_segment *seg;
	char *blob;
	int n, i;
	int64_t done;            /* bytes of piece i already out */
	struct piece p[];
};

static int
feed_more(void *arg, struct evbuffer *out)
{
	struct feed *f = arg;
	int64_t added = 0;

	while (f->i < f->n && added < HTTP_SEND_CHUNK) {
		struct piece *p = &f->p[f->i];
		if (p->tlen) {
			if (evbuffer_add(out, f->blob + p->text, p->tlen) < 0)
				return -1;
			added += (int64_t)p->tlen;
			f->i++;
			continue;
		}
		int64_t take = p->len - f->done;
		if (take > HTTP_SEND_CHUNK - added)
			take = HTTP_SEND_CHUNK - added;
		if (evbuffer_add_file_segment(out, f->seg, p->off + f->done, take) < 0)
			return -1;
		added += take;
		f->done += take;
		if (f->done == p->len) {
			f->i++;
			f->done = 0;
		}
	}
	return f->i < f->n;
}

static void
feed_free(void *arg)
{
	struct feed *f = arg;

	evbuffer_file_segment_free(f->seg);
	free(f->blob);
	free(f);
}

static struct feed *
feed_new(struct evbuffer_file_segment *seg, int npieces, size_t bloblen)
{
	struct feed *f = xcalloc(1, sizeof(*f) + (size_t)npieces * sizeof(struct piece));

	f->seg = seg;
	f->blob = bloblen ? xmalloc(bloblen) : NULL;
	return f;
}

static void
feed_file(struct feed *f, int64_t off, int64_t len)
{
	f->p[f->n].off = off;
	f->p[f->n++].len = len;
}

/* Whole bodies up to one chunk go into resp->body now; longer ones are
 * handed out by the connection as the reader takes them. */
static void
feed_start(http_resp_t *resp, struct feed *f)
{
	int64_t total = 0;

	for (int i = 0; i < f->n; i++)
		total += f->p[i].tlen ? (int64_t)f->p[i].tlen : f->p[i].len;
	if (total <= HTTP_SEND_CHUNK) {
		feed_more(f, resp->body);
		feed_free(f);
		return;
	}
	resp->more = feed_more;
	resp->more_free = feed_free;
	resp->more_arg = f;
}

void
file_respond(http_resp_t *resp, const http_req_t *req, int fd, const struct stat *st,
    const file_info_t *info)
{
	char boundary[40], *built = NULL, *fixed, *cd;
	size_t hlen;
	range_t ranges[256];
	int nranges = 0, max = info->max_ranges;
	int64_t size = st->st_size;
	struct evbuffer_file_segment *seg = NULL;
	enum range_status rs = RANGE_IGNORE;
	int pre;

	if (max > (int)ARRAY_LEN(ranges))
		max = (int)ARRAY_LEN(ranges);
	pre = file_preconditions(req, info->etag, st->st_mtime);
	if (!pre && file_if_range_ok(http_req_header(req, HDR_IF_RANGE), info->etag, st->st_mtime))
		rs = range_parse(http_req_header(req, HDR_RANGE), size, ranges, max, &nranges);
	fixed = info->headers ? (char *)info->headers : (built = file_fixed_headers(st, info));
	hlen = strlen(fixed);
	/* A 304 or 416 carries the validators, not Content-Disposition or
	 * Content-Type (RFC 9110 15.4.5), which file_fixed_headers puts last. */
	if ((pre || rs == RANGE_UNSATISFIABLE) && (cd = strstr(fixed, "Content-Disposition: ")) != NULL)
		hlen = (size_t)(cd - fixed);
	else if (rs == RANGE_OK && nranges > 1 && (cd = strstr(fixed, "\r\nContent-Type: ")) != NULL)
		hlen = (size_t)(cd - fixed) + 2;
	strbuf_add(&resp->headers, fixed, hlen);
	free(built);
	if (pre) {
		resp->status = pre;
		resp->length = 0;
		goto done;
	}
	if (rs == RANGE_UNSATISFIABLE) {
		resp->status = 416;
		http_resp_header(resp, "Content-Range", "bytes */%lld", (long long)size);
		resp->length = 0;
		goto done;
	}
	if (!info->is_head && size > 0 && size <= FILE_INLINE_MAX && rs == RANGE_IGNORE) {
		/* Small whole files go inline: one write for head and body instead
		 * of a writev plus a sendfile. */
		struct evbuffer_iovec v;
		if (evbuffer_reserve_space(resp->body, size, &v, 1) == 1) {
			ssize_t got = pread(fd, v.iov_base, (size_t)size, 0);
			if (got == size) {
				v.iov_len = (size_t)size;
				evbuffer_commit_space(resp->body, &v, 1);
				resp->status = 200;
				resp->length = size;
				goto done;
			}
		}
	}
	if (!info->is_head && size > 0) {
		/* The body may outlive a kept fd (file_cache.h): it gets its own. */
		int own = info->keep_fd ? dup(fd) : fd;
		seg = own < 0 ? NULL : evbuffer_file_segment_new(own, 0, size, EVBUF_FS_CLOSE_ON_FREE);
		if (seg == NULL) {
			if (own >= 0 && own != fd)
				close(own);
			resp->status = 500;
			resp->length = 0;
			goto done;
		}
		if (own == fd)
			fd = -1;
	}
	if (rs == RANGE_IGNORE) {
		resp->status = 200;
		resp->length = size;
		if (seg) {
			struct feed *f = feed_new(seg, 1, 0);
			feed_file(f, 0, size);
			feed_start(resp, f);
			seg = NULL;
		}
	} else if (nranges == 1) {
		resp->status = 206;
		http_resp_header(resp, "Content-Range", "bytes %lld-%lld/%lld",
		    (long long)ranges[0].first, (long long)ranges[0].last, (long long)size);
		resp->length = ranges[0].last - ranges[0].first + 1;
		if (seg) {
			struct feed *f = feed_new(seg, 1, 0);
			feed_file(f, ranges[0].first, resp->length);
			feed_start(resp, f);
			seg = NULL;
		}
	} else {
		/* The boundary only has to be absent from the parts' bytes; the
		 * tag is random enough that a collision needs the file to contain
		 * its own hash. */
		snprintf(boundary, sizeof(boundary), "bs%.24s", info->etag);
		resp->status = 206;
		http_resp_header(resp, "Content-Type", "multipart/byteranges; boundary=%s", boundary);
		resp->length = range_multipart_length(ranges, nranges, size, info->content_type, boundary);
		if (seg) {
			struct feed *f = feed_new(seg, 2 * nranges + 1,
			    (size_t)(nranges + 1) * RANGE_PART_HEADER_MAX);
			size_t at = 0;
			for (int i = 0; i <= nranges; i++) {
				size_t n = i < nranges ?
				    range_part_header(f->blob + at, &ranges[i], size, info->content_type,
					boundary) :
				    range_part_trailer(f->blob + at, RANGE_PART_HEADER_MAX, boundary);
				f->p[f->n].text = at;
				f->p[f->n++].tlen = n;
				at += n;
				if (i < nranges)
					feed_file(f, ranges[i].first, ranges[i].last - ranges[i].first + 1);
			}
			feed_start(resp, f);
			seg = NULL;
		}
	}
done:
	if (seg)
		evbuffer_file_segment_free(seg);
	if (fd >= 0 && !info->keep_fd)
		close(fd);
}
