/* test_fcache: a kept fd is handed back within its second, not after; a drop
 * or a colliding put closes the fd it held; entries are per collection. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fcache.h"
#include "unit.h"
#include "util.h"

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
	fcache_t *fc = fcache_new();
	struct stat st, got;
	int a = open_null(), b = open_null(), fd;
	char path[32];

	ok(fc != NULL && a >= 0 && b >= 0, "set up");
	ok(fstat(a, &st) == 0, "stat");
	ok(fcache_get(fc, 1, "x/a.txt", 1000, &got) == -1, "empty: nothing");
	fcache_put(fc, 1, "x/a.txt", a, &st, 1000);
	ok(fcache_get(fc, 1, "x/a.txt", 1000, &got) == a && got.st_ino == st.st_ino, "kept: handed back");
	ok(fcache_get(fc, 1, "x/a.txt", 1000 + FCACHE_TTL_MS - 1, &got) == a, "just inside its second");
	ok(fcache_get(fc, 2, "x/a.txt", 1000, &got) == -1, "another collection: not this one");
	ok(fcache_get(fc, 1, "x/b.txt", 1000, &got) == -1, "another path: not this one");
	ok(fcache_get(fc, 1, "x/a.txt", 999, &got) == -1, "a clock going back: not trusted");
	ok(!is_open(a), "and then closed");

	fcache_put(fc, 1, "x/a.txt", b, &st, 5000);
	ok(fcache_get(fc, 1, "x/a.txt", 5000 + FCACHE_TTL_MS, &got) == -1, "expired after its second");
	ok(!is_open(b), "expired: closed");

	fd = open_null();
	fcache_put(fc, 7, "d/e", fd, &st, 100);
	fcache_drop(fc, 7, "d/other");
	ok(is_open(fd), "dropping another path leaves it");
	fcache_drop(fc, 7, "d/e");
	ok(!is_open(fd) && fcache_get(fc, 7, "d/e", 100, &got) == -1, "dropped: closed and gone");

	/* More files than slots: every put either keeps or replaces (closing
	 * the replaced fd); nothing leaks and the last one is there. */
	int fds[FCACHE_SLOTS * 2], before = open_fds(), found = 0;
	for (int i = 0; i < FCACHE_SLOTS * 2; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		fds[i] = open_null();
		fcache_put(fc, 3, path, fds[i], &st, 200);
	}
	for (int i = 0; i < FCACHE_SLOTS * 2; i++) {
		snprintf(path, sizeof(path), "f%d", i);
		found += fcache_get(fc, 3, path, 200, &got) == fds[i];
	}
	ok(found <= FCACHE_SLOTS && open_fds() - before == found, "%d kept, %d more fds open, at most %d slots",
	    found, open_fds() - before, FCACHE_SLOTS);
	ok(fcache_get(fc, 3, path, 200, &got) == fds[FCACHE_SLOTS * 2 - 1], "the last put is kept");
	fcache_free(fc);
	ok(fc == NULL && open_fds() == before, "free closes what it kept");
	return unit_done();
}
