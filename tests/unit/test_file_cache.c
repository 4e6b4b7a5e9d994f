/* test_fcache: a kept fd is handed back within its second, not after; a drop
 * or a colliding put closes the fd it held; entries are per collection. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

int
main(void)
{
	file_cache_t *fc = file_cache_new();
	struct stat st, got;
	int a = open_null(), b = open_null(), fd;
	char path[32];

	ok(fc != NULL && a >= 0 && b >= 0, "set up");
	ok(fstat(a, &st) == 0, "stat");
	ok(file_cache_get(fc, 1, "x/a.txt", 1000, &got) == -1, "empty: nothing");
	file_cache_put(fc, 1, "x/a.txt", a, &st, 1000);
	ok(file_cache_get(fc, 1, "x/a.txt", 1000, &got) == a && got.st_ino == st.st_ino, "kept: handed back");
	ok(file_cache_get(fc, 1, "x/a.txt", 1000 + FILE_CACHE_TTL_MS - 1, &got) == a, "just inside its second");
	ok(file_cache_get(fc, 2, "x/a.txt", 1000, &got) == -1, "another collection: not this one");
	ok(file_cache_get(fc, 1, "x/b.txt", 1000, &got) == -1, "another path: not this one");
	ok(file_cache_get(fc, 1, "x/a.txt", 999, &got) == -1, "a clock going back: not trusted");
	ok(!is_open(a), "and then closed");

	file_cache_put(fc, 1, "x/a.txt", b, &st, 5000);
	ok(file_cache_get(fc, 1, "x/a.txt", 5000 + FILE_CACHE_TTL_MS, &got) == -1, "expired after its second");
	ok(!is_open(b), "expired: closed");

	fd = open_null();
	file_cache_put(fc, 7, "d/e", fd, &st, 100);
	file_cache_drop(fc, 7, "d/other");
	ok(is_open(fd), "dropping another path leaves it");
	file_cache_drop(fc, 7, "d/e");
	ok(!is_open(fd) && file_cache_get(fc, 7, "d/e", 100, &got) == -1, "dropped: closed and gone");

	/* More files than slots: every put either keeps or replaces (closing
	 * the replaced fd); nothing leaks and the last one is there. */
	int fds[FILE_CACHE_SLOTS * 2], before = open_fds(), found = 0;
	for (int i = 0; i < FILE_CACHE_SLOTS * 2; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		fds[i] = open_null();
		file_cache_put(fc, 3, path, fds[i], &st, 200);
	}
	for (int i = 0; i < FILE_CACHE_SLOTS * 2; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		found += file_cache_get(fc, 3, path, 200, &got) == fds[i];
	}
	ok(found <= FILE_CACHE_SLOTS && open_fds() - before == found, "%d kept, %d more fds open, at most %d slots",
	    found, open_fds() - before, FILE_CACHE_SLOTS);
	ok(file_cache_get(fc, 3, path, 200, &got) == fds[FILE_CACHE_SLOTS * 2 - 1], "the last put is kept");
	file_cache_free(fc);
	ok(fc == NULL && open_fds() == before, "free closes what it kept");
	return unit_done();
}
