/* beneath: see beneath.h. */
#include "base/beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

static int force_walk;

void
beneath_set_force_walk(int on)
{
	force_walk = on;
}

/* "", "." and ".." would step in place or out: the walk refuses them itself
 * rather than trusting every caller to have normalised the path. */
static int
bad_segment(const char *s)
{
	return s[0] == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

static int
open_walk(int dirfd, const char *relpath)
{
	char *copy = xstrdup(relpath), *seg = copy, *slash;
	int cur = dirfd, fd = -1, saved;

	while ((slash = strchr(seg, '/')) != NULL) {
		*slash = '\0';
		if (bad_segment(seg)) {
			errno = EXDEV;
			goto done;
		}
		int next = openat(cur, seg, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		saved = errno;
		if (cur != dirfd)
			close(cur);
		if (next < 0) {
			/* O_NOFOLLOW|O_DIRECTORY on a symlink says ENOTDIR; say ELOOP. */
			errno = saved;
			goto done;
		}
		cur = next;
		seg = slash + 1;
	}
	if (bad_segment(seg)) {
		errno = EXDEV;
		goto done;
	}
	fd = openat(cur, seg, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
done:
	saved = errno;
	if (cur != dirfd)
		close(cur);
	free(copy);
	errno = saved;
	return fd;
}

int
beneath_open(int dirfd, const char *relpath)
{
	if (relpath[0] == '\0' || relpath[0] == '/') {
		errno = ENOENT;
		return -1;
	}
	if (!force_walk) {
		struct open_how how;
		memset(&how, 0, sizeof(how));
		/* O_NONBLOCK: a FIFO planted in a collection must not hang us. */
		how.flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
		long fd = syscall(SYS_openat2, dirfd, relpath, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return (int)fd;
	}
	return open_walk(dirfd, relpath);
}
