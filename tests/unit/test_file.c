/* Opening beneath a root (openat2 and the fallback walk), errno → status,
 * Content-Disposition encoding, and bodies handed out a chunk at a time. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <string.h>

#include "unit.h"
#include "http/file.h"
#include "base/util.h"
#include "base/text.h"

/* Answer "GET /x" with range (or none) from the file at path (byte i is
 * i * 7 % 251) and drain the body as the connection does: resp.body, then
 * more() until it says done, each written to a file as to a socket (sendfile
 * chains have no bytes in memory). Returns what was written; *calls counts
 * more() calls, *biggest the largest piece one call added. */
static struct evbuffer *
t_body(const char *path, const char *range, int *calls, size_t *biggest)
{
	static const http_req_limits_t lim = { 8192, 32, 8192 };
	http_req_t *req = http_req_new(&lim);
	char head[256];
	size_t used;
	http_resp_t resp;
	struct stat st;
	int fd = open(path, O_RDONLY);
	file_info_t info = { .etag = "e", .content_type = "application/octet-stream",
	    .download_name = "x.bin", .max_ranges = 8 };
	FILE *sink = tmpfile();
	struct evbuffer *all = evbuffer_new(), *piece = evbuffer_new();

	evbuffer_set_flags(piece, EVBUFFER_FLAG_DRAINS_TO_FD);
	snprintf(head, sizeof(head), "GET /x HTTP/1.1\r\nHost: h\r\n%s%s%s\r\n",
	    range ? "Range: " : "", range ? range : "", range ? "\r\n" : "");
	http_req_feed(req, head, strlen(head), &used);
	fstat(fd, &st);
	http_resp_init(&resp);
	file_respond(&resp, req, fd, &st, &info);
	*calls = 0;
	*biggest = evbuffer_get_length(resp.body);
	evbuffer_add_buffer(piece, resp.body);
	for (;;) {
		while (evbuffer_get_length(piece) > 0)
			if (evbuffer_write(piece, fileno(sink)) <= 0)
				break;
		if (resp.more == NULL || *calls > 10000)
			break;
		int r = resp.more(resp.more_arg, piece);
		(*calls)++;
		if (evbuffer_get_length(piece) > *biggest)
			*biggest = evbuffer_get_length(piece);
		if (r <= 0) {
			while (evbuffer_get_length(piece) > 0)
				if (evbuffer_write(piece, fileno(sink)) <= 0)
					break;
			break;
		}
	}
	rewind(sink);
	char buf[65536];
	size_t got;
	while ((got = fread(buf, 1, sizeof(buf), sink)) > 0)
		evbuffer_add(all, buf, got);
	fclose(sink);
	evbuffer_free(piece);
	http_resp_clear(&resp);
	http_req_free(req);
	return all;
}

/* The Content-Type lines of the answer to "GET /x" with one more header line
 * (or none), the fixed headers built in advance or not: how many there are,
 * or -1 when the first is not want. */
static int
t_content_types(const char *path, const char *extra, int prebuilt, const char *want)
{
	static const http_req_limits_t lim = { 8192, 32, 8192 };
	http_req_t *req = http_req_new(&lim);
	char head[256], *fixed = NULL;
	size_t used;
	http_resp_t resp;
	struct stat st;
	int fd = open(path, O_RDONLY), n = 0;
	file_info_t info = { .etag = "e", .content_type = "application/octet-stream",
	    .download_name = "x.bin", .max_ranges = 8 };

	snprintf(head, sizeof(head), "GET /x HTTP/1.1\r\nHost: h\r\n%s%s\r\n",
	    extra ? extra : "", extra ? "\r\n" : "");
	http_req_feed(req, head, strlen(head), &used);
	fstat(fd, &st);
	if (prebuilt)
		info.headers = fixed = file_fixed_headers(&st, &info);
	http_resp_init(&resp);
	file_respond(&resp, req, fd, &st, &info);
	const char *h = resp.headers.s, *end = h + resp.headers.len, *ct;
	while (h < end && (ct = memmem(h, (size_t)(end - h), "Content-Type: ", 14)) != NULL) {
		if (n++ == 0 && strncmp(ct + 14, want, strlen(want)) != 0)
			n = -100;
		h = ct + 14;
	}
	http_resp_clear(&resp);
	http_req_free(req);
	free(fixed);
	return n < 0 ? -1 : n;
}

static int
t_bytes_ok(struct evbuffer *b, int64_t from, size_t len)
{
	unsigned char *p = evbuffer_pullup(b, -1);
	for (size_t i = 0; i < len; i++)
		if (p[i] != (unsigned char)((from + (int64_t)i) * 7 % 251))
			return 0;
	return 1;
}

int
main(void)
{
	char tmpl[] = "/tmp/bs-file-XXXXXX";
	char *dir = mkdtemp(tmpl), *p;
	int root;

	p = xasprintf("%s/root/sub", dir); mkdir_p(p, 0700); free(p);
	p = xasprintf("%s/root/sub/a.txt", dir); close(open(p, O_CREAT | O_WRONLY, 0600)); free(p);
	p = xasprintf("%s/outside.txt", dir); close(open(p, O_CREAT | O_WRONLY, 0600)); free(p);
	p = xasprintf("%s/root/link", dir); ok(symlink("../outside.txt", p) == 0, "symlink"); free(p);
	p = xasprintf("%s/root/inlink", dir); ok(symlink("sub/a.txt", p) == 0, "symlink"); free(p);
	p = xasprintf("%s/root/dirlink", dir); ok(symlink("sub", p) == 0, "symlink"); free(p);
	p = xasprintf("%s/root", dir); root = open(p, O_PATH | O_DIRECTORY); free(p);

	for (int walk = 0; walk < 2; walk++) {
		beneath_set_force_walk(walk);
		int fd = beneath_open(root, "sub/a.txt");
		ok(fd >= 0, "regular file opens (walk %d)", walk);
		if (fd >= 0)
			close(fd);
		static const char *refused[] = { "link", "inlink", "dirlink/a.txt", "sub/../../outside.txt",
			"../outside.txt", "nope", "sub/nope", "sub/a.txt/x", "", "/etc/passwd" };
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			errno = 0;
			fd = beneath_open(root, refused[i]);
			ok(fd < 0, "'%s' refused (walk %d)", refused[i], walk);
			if (fd >= 0)
				close(fd);
			else
				is_int(file_errno_status(errno), 404, "'%s' → 404 (walk %d, errno %d)", refused[i], walk, errno);
		}
	}
	is_int(file_errno_status(EACCES), 403, "EACCES");
	is_int(file_errno_status(EIO), 500, "EIO");

	char *cd = file_content_disposition("r\xc3\xa9sum\xc3\xa9 \"x\".pdf", 0);
	is_str(cd, "attachment; filename=\"r__sum__ _x_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.pdf", "RFC 6266");
	free(cd);
	/* filename* follows the pages' rule (text_cp_visible): controls become
	 * control pictures, bidi overrides, C1 and invalid bytes U+FFFD. */
	cd = file_content_disposition("a\r\nb;c%.txt", 0);
	is_str(cd, "attachment; filename=\"a__b;c_.txt\"; filename*=UTF-8''a%E2%90%8D%E2%90%8Ab%3Bc%25.txt", "controls");
	free(cd);
	cd = file_content_disposition("evil\xe2\x80\xaegpj.exe", 0);
	is_str(cd, "attachment; filename=\"evil___gpj.exe\"; filename*=UTF-8''evil%EF%BF%BDgpj.exe",
	    "a bidi override does not reach filename*");
	free(cd);
	cd = file_content_disposition("\x1b[31m\xe2\x81\xa6x\xc2\x9by\xffz\xe2\x80\x8b.txt", 0);
	is_str(cd, "attachment; filename=\"_[31m___x__y_z___.txt\"; filename*=UTF-8''%E2%90%9B%5B31m%EF%BF%BDx%EF%BF%BDy%EF%BF%BDz%E2%80%8B.txt",
	    "ESC, an isolate, C1 and an invalid byte replaced; other characters kept");
	free(cd);

	cd = file_content_disposition("photo.jpg", 1);
	is_str(cd, "inline; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg", "inline keeps the name encoding");
	free(cd);
	{
		static const char *const shown[] = { "image/jpeg", "image/png", "image/gif", "image/webp",
		    "audio/mpeg", "audio/ogg", "video/mp4", "video/webm", "text/plain", "Text/Plain; charset=utf-8" };
		static const char *const kept[] = { "image/svg+xml", "text/html", "application/xhtml+xml",
		    "application/xml", "text/xml", "application/pdf", "application/msword", "text/csv",
		    "application/octet-stream", "image/jpeg2", "text/plainx", "", NULL };
		for (size_t i = 0; i < ARRAY_LEN(shown); i++)
			ok(file_is_inline(shown[i]), "%s inline", shown[i]);
		for (size_t i = 0; i < ARRAY_LEN(kept); i++)
			ok(!file_is_inline(kept[i]), "%s attachment", kept[i] ? kept[i] : "NULL");
	}

	{
		/* A body longer than one chunk leaves HTTP_SEND_CHUNK at a time. */
		int64_t size = 3 * HTTP_SEND_CHUNK + 1000;
		unsigned char *data = xmalloc((size_t)size);
		int calls;
		size_t biggest;
		for (int64_t i = 0; i < size; i++)
			data[i] = (unsigned char)(i * 7 % 251);
		p = xasprintf("%s/big.bin", dir);
		int fd = open(p, O_CREAT | O_WRONLY, 0600);
		ok(write(fd, data, (size_t)size) == size, "big file written");
		close(fd);
		free(data);

		struct evbuffer *b = t_body(p, NULL, &calls, &biggest);
		is_int((int)evbuffer_get_length(b), (int)size, "whole file: every byte");
		ok(t_bytes_ok(b, 0, (size_t)size), "whole file: the file's bytes in order");
		is_int(calls, 4, "whole file: four pieces (the first with the head)");
		ok(biggest <= HTTP_SEND_CHUNK, "whole file: no piece above HTTP_SEND_CHUNK (%zu)", biggest);
		evbuffer_free(b);

		b = t_body(p, "bytes=1000-600000", &calls, &biggest);
		is_int((int)evbuffer_get_length(b), 599001, "one range: its bytes");
		ok(t_bytes_ok(b, 1000, 599001), "one range: from the right offset");
		ok(biggest <= HTTP_SEND_CHUNK, "one range: pieces within a chunk (%zu)", biggest);
		evbuffer_free(b);

		b = t_body(p, "bytes=0-9,100000-500000", &calls, &biggest);
		size_t n = evbuffer_get_length(b);
		char *text = xmalloc(n + 1);
		evbuffer_remove(b, text, n);
		text[n] = '\0';
		ok(memmem(text, n, "Content-Range: bytes 0-9/", 24) != NULL &&
		    memmem(text, n, "Content-Range: bytes 100000-500000/", 35) != NULL, "two ranges: both part headers");
		ok(n > 400011 && memcmp(text + n - 4, "--\r\n", 4) == 0, "two ranges: the trailer ends the body");
		ok(calls >= 2 && biggest <= HTTP_SEND_CHUNK + 1024, "two ranges: handed out in pieces (%d, %zu)",
		    calls, biggest);
		free(text);
		evbuffer_free(b);

		b = t_body(p, "bytes=5-104", &calls, &biggest);
		is_int(calls, 0, "a short range goes in the first piece");
		is_int((int)evbuffer_get_length(b), 100, "its length");
		ok(t_bytes_ok(b, 5, 100), "its bytes");
		evbuffer_free(b);

		/* The type is one of the fixed headers: each answer has it once, or
		 * its own (multipart), or none (RFC 9110 15.4.5). */
		for (int pre = 0; pre <= 1; pre++) {
			const char *oct = "application/octet-stream";
			is_int(t_content_types(p, NULL, pre, oct), 1, "200: one Content-Type (%d)", pre);
			is_int(t_content_types(p, "Range: bytes=5-104", pre, oct), 1,
			    "206: one Content-Type (%d)", pre);
			is_int(t_content_types(p, "Range: bytes=0-9,100-200", pre, "multipart/byteranges"), 1,
			    "multipart 206: its own Content-Type only (%d)", pre);
			is_int(t_content_types(p, "If-None-Match: \"e\"", pre, ""), 0,
			    "304: no Content-Type (%d)", pre);
			is_int(t_content_types(p, "Range: bytes=99999999-", pre, ""), 0,
			    "416: no Content-Type (%d)", pre);
		}
		free(p);
	}

	p = xasprintf("rm -rf '%s'", dir);
	(void)!system(p);
	free(p);
	return unit_done();
}
