/* datadir: see datadir.h. */
#include "base/datadir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

const char *
datadir_default(const char *from_flag)
{
	const char *env;

	if (from_flag && *from_flag)
		return from_flag;
	env = getenv("BROADSIDE_DATA");
	if (env && *env)
		return env;
	return "/var/lib/broadside";
}

datadir_t *
datadir_new(const char *root)
{
	datadir_t *d = xcalloc(1, sizeof(*d));
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	d->root = xstrndup(root, n);
	d->conf = datadir_path(d, "broadside.conf");
	d->catalogue = datadir_path(d, "catalogue.db");
	d->keys = datadir_path(d, "keys");
	d->onion = datadir_path(d, "onion");
	d->tor = datadir_path(d, "tor");
	d->run = datadir_path(d, "run");
	return d;
}

void
datadir_free_(datadir_t *d)
{
	if (d == NULL)
		return;
	free(d->root);
	free(d->conf);
	free(d->catalogue);
	free(d->keys);
	free(d->onion);
	free(d->tor);
	free(d->run);
	free(d);
}

char *
datadir_path(const datadir_t *d, const char *rel)
{
	return xasprintf("%s/%s", d->root, rel);
}

int
datadir_create(const datadir_t *d)
{
	const char *dirs[] = { d->root, d->keys, d->onion, d->tor, d->run };

	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		if (mkdir_p(dirs[i], 0700) < 0) {
			log_err("cannot create %s: %s", dirs[i], strerror(errno));
			return -1;
		}
		/* mkdir honours the umask; secrets need exactly 0700. */
		if (chmod(dirs[i], 0700) < 0) {
			log_err("cannot chmod %s: %s", dirs[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
check_private_dir(const char *path, int must_exist)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		log_err("%s: %s (run `broadside init` first)", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_err("%s: not a directory", path);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		log_err("%s: owned by uid %u, not by us (uid %u)", path,
		    (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		log_err("%s: permissions %03o are too open; it holds secrets "
		    "(fix: chmod 700 %s)", path, (unsigned)(st.st_mode & 0777), path);
		return -1;
	}
	return 0;
}

int
datadir_check(const datadir_t *d)
{
	if (check_private_dir(d->root, 1) < 0)
		return -1;
	if (check_private_dir(d->keys, 0) < 0 || check_private_dir(d->onion, 0) < 0)
		return -1;
	return 0;
}
