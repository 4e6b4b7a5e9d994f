/* mirror_install: see mirror_install.h. */
#include "trust/mirror_install.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "trust/mirror_index.h"

/* ---------- install: the staged version into place ---------- */

/* Put work/<sha256> at dest/<path>: a hard link under a temporary name, then
 * rename(2) over the path, so the path always names a whole file (the old or
 * the new) and a staged body shared by several paths serves them all. */
static int
install_one(const mirror_opts_t *o, const mirror_index_entry_t *e)
{
	char *staged = xasprintf("%s/%s", o->work, e->sha256), *dst = xasprintf("%s/%s", o->dest, e->path);
	char *tmp = NULL, *slash = strrchr(dst, '/');
	int rc = -1;

	*slash = '\0';
	tmp = xasprintf("%s/.%s.mirror-new", dst, e->sha256);
	if (mkdir_p(dst, 0755) < 0)
		goto done;
	*slash = '/';
	unlink(tmp);
	if (link(staged, tmp) < 0 || rename(tmp, dst) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0) {
		log_err("cannot put a fetched file in place under %s: %s", o->dest, strerror(errno));
		unlink(tmp);
	}
	free(staged);
	free(dst);
	free(tmp);
	return rc;
}

int
mirror_install(const mirror_opts_t *o, int64_t *installed)
{
	mirror_index_reader_t r;
	mirror_index_entry_t e;
	struct stat sb;
	int rc = 0, n;

	*installed = 0;
	if (mirror_index_reader_open(&r, o->work) < 0)
		return -1;
	while ((n = mirror_index_reader_next(&r, &e)) == 0) {
		char *staged = xasprintf("%s/%s", o->work, e.sha256);
		if (mirror_index_path_safe(e.path) && lstat(staged, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    sb.st_size == e.size && !mirror_in_place(o, &e)) {
			if (install_one(o, &e) < 0)
				rc = -1;
			else
				(*installed)++;
		}
		free(staged);
		mirror_index_entry_clear(&e);
	}
	mirror_index_reader_close(&r);
	if (n < 0)
		rc = -1;
	/* The staged bodies now live at their paths. */
	if (mirror_index_reader_open(&r, o->work) == 0) {
		while (mirror_index_reader_next(&r, &e) == 0) {
			char *staged = xasprintf("%s/%s", o->work, e.sha256);
			if (lstat(staged, &sb) == 0 && sb.st_size == e.size)
				unlink(staged);
			free(staged);
			mirror_index_entry_clear(&e);
		}
		mirror_index_reader_close(&r);
	}
	/* No fsync per file: one syncfs() before anything is catalogued; a file
	 * torn by a crash before that has no catalogue row, so the next run
	 * hashes it (in_place) and fetches it again. */
	{
		int dfd = open(o->dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || syncfs(dfd) < 0) {
			log_err("cannot sync %s: %s", o->dest, strerror(errno));
			rc = -1;
		}
		if (dfd >= 0)
			close(dfd);
	}
	return rc;
}

/* ---------- after ingest: catalogue == signed index ---------- */

struct recon {
	const mirror_opts_t *o;
	mirror_index_reader_t r;
	mirror_index_entry_t e;
	int have, status;     /* status: 0 ok, -1 reader error */
	int64_t missing;
	int changed;
};

static void
recon_advance(struct recon *x)
{
	mirror_index_entry_clear(&x->e);
	int n = mirror_index_reader_next(&x->r, &x->e);
	x->have = n == 0;
	if (n < 0)
		x->status = -1;
}

static int
recon_file(const char *relpath, const cat_file_t *f, void *arg)
{
	struct recon *x = arg;

	while (x->have && strcmp(x->e.path, relpath) < 0) {
		x->missing++;
		recon_advance(x);
	}
	if (x->have && strcmp(x->e.path, relpath) == 0 && strcmp(x->e.sha256, f->sha256) == 0) {
		recon_advance(x);
		return x->status;
	}
	/* Not in the signed index (gone upstream, or a stray), or other bytes. */
	char *p = xasprintf("%s/%s", x->o->dest, relpath);
	if (x->have && strcmp(x->e.path, relpath) == 0) {
		mirror_quarantine(x->o, p, &x->e, f->sha256);
		recon_advance(x);
	} else {
		unlink(p);
	}
	free(p);
	x->changed = 1;
	return x->status;
}

int
mirror_reconcile(const mirror_opts_t *o, int64_t *missing, int *changed)
{
	struct recon x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.o = o;
	if (mirror_index_reader_open(&x.r, o->work) < 0)
		return -1;
	recon_advance(&x);
	rc = cat_file_each(o->cat, o->collection_id, recon_file, &x);
	while (rc == 0 && x.have) {
		x.missing++;
		recon_advance(&x);
	}
	mirror_index_entry_clear(&x.e);
	mirror_index_reader_close(&x.r);
	*missing = x.missing;
	*changed = x.changed;
	return rc == 0 && x.status == 0 ? 0 : -1;
}
