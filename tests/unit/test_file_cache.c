/* test_fcache: a kept fd is handed back within its second, not after; a drop
 * or a colliding put closes the fd it held; entries are per collection. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/file_cache.h"
#include "unit.h"
#include "base/util.h"

static int
is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int
open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 4096; fd++)
		n += is_open(fd);
	return n;
}

static int
open_null(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* The fd half of the API, as the old tests used it; the strings ride along. */
static void
put_fd(file_cache_t *fc, int64_t coll, const char *path, int fd, const struct stat *st, int64_t now)
{
	file_cache_entry_t e = { .fd = fd, .st = *st, .etag = "abc", .content_type = "text/plain",
	    .headers = "ETag: \"abc\"\r\n" };
	file_cache_put(fc, coll, path, &e, now);
}

static int
get_fd(file_cache_t *fc, int64_t coll, const char *path, int64_t now, struct stat *st)
{
	file_cache_entry_t e;

	if (file_cache_get(fc, coll, path, now, &e) < 0)
		return -1;
	*st = e.st;
	return e.fd;
}

int
main(void)
{
	file_cache_t *fc = file_cache_new();
	struct stat st, got;
	int a = open_null(), b = open_null(), fd;
	char path[32];

	ok(fc != NULL && a >= 0 && b >= 0, "set up");
	ok(fstat(a, &st) == 0, "stat");
	ok(get_fd(fc, 1, "x/a.txt", 1000, &got) == -1, "empty: nothing");
	put_fd(fc, 1, "x/a.txt", a, &st, 1000);
	ok(get_fd(fc, 1, "x/a.txt", 1000, &got) == a && got.st_ino == st.st_ino, "kept: handed back");
	ok(get_fd(fc, 1, "x/a.txt", 1000 + FILE_CACHE_TTL_MS - 1, &got) == a, "just inside its second");
	ok(get_fd(fc, 2, "x/a.txt", 1000, &got) == -1, "another collection: not this one");
	ok(get_fd(fc, 1, "x/b.txt", 1000, &got) == -1, "another path: not this one");
	ok(get_fd(fc, 1, "x/a.txt", 999, &got) == -1, "a clock going back: not trusted");
	ok(!is_open(a), "and then closed");

	{
		char etag[8] = "tag1", type[16] = "image/png", head[32] = "ETag: \"tag1\"\r\n";
		file_cache_entry_t e = { .fd = open_null(), .st = st, .etag = etag, .content_type = type,
		    .headers = head }, g;
		file_cache_put(fc, 9, "s", &e, 10);
		etag[0] = type[0] = head[0] = 'X';   /* the caller's buffers change or go */
		ok(file_cache_get(fc, 9, "s", 10, &g) == 0 && strcmp(g.etag, "tag1") == 0 &&
		    strcmp(g.content_type, "image/png") == 0 && strncmp(g.headers, "ETag", 4) == 0,
		    "the catalogue's answer is kept as a copy");
		file_cache_generation(fc, 0);
		ok(file_cache_get(fc, 9, "s", 10, &g) == 0, "the same generation keeps it");
		file_cache_generation(fc, 1);
		ok(file_cache_get(fc, 9, "s", 10, &g) == -1 && !is_open(e.fd), "a new generation: dropped and closed");
	}

	put_fd(fc, 1, "x/a.txt", b, &st, 5000);
	ok(get_fd(fc, 1, "x/a.txt", 5000 + FILE_CACHE_TTL_MS, &got) == -1, "expired after its second");
	ok(!is_open(b), "expired: closed");

	fd = open_null();
	put_fd(fc, 7, "d/e", fd, &st, 100);
	file_cache_drop(fc, 7, "d/other");
	ok(is_open(fd), "dropping another path leaves it");
	file_cache_drop(fc, 7, "d/e");
	ok(!is_open(fd) && get_fd(fc, 7, "d/e", 100, &got) == -1, "dropped: closed and gone");

	/* More files than slots: every put either keeps or replaces (closing
	 * the replaced fd); nothing leaks and the last one is there. */
	int fds[FILE_CACHE_SLOTS * 2], before = open_fds(), found = 0;
	for (int i = 0; i < FILE_CACHE_SLOTS * 2; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		fds[i] = open_null();
		put_fd(fc, 3, path, fds[i], &st, 200);
	}
	for (int i = 0; i < FILE_CACHE_SLOTS * 2; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		found += get_fd(fc, 3, path, 200, &got) == fds[i];
	}
	ok(found <= FILE_CACHE_SLOTS && open_fds() - before == found, "%d kept, %d more fds open, at most %d slots",
	    found, open_fds() - before, FILE_CACHE_SLOTS);
	ok(get_fd(fc, 3, path, 200, &got) == fds[FILE_CACHE_SLOTS * 2 - 1], "the last put is kept");
	file_cache_free(fc);
	ok(fc == NULL && open_fds() == before, "free closes what it kept");
	return unit_done();
}
