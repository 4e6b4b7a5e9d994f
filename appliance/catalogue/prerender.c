/* prerender: see prerender.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/beneath.h"
#include "base/log.h"
#include "base/util.h"
#include "catalogue/prerender.h"
#include "docs/image.h"

struct item {
	char *path;
	char sha[65];
	int pdf, kind;
};

struct list {
	struct item *v;
	size_t n;
};

static int
collect(const char *relpath, const cat_file_t *f, void *arg)
{
	struct list *l = arg;
	int pdf = strcmp(f->mime, "application/pdf") == 0;
	enum image_kind k = image_kind_of(f->mime);

	if ((!pdf && k == IMAGE_NONE) || f->sha256[0] == '\0')
		return 0;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n].path = xstrdup(relpath);
	memcpy(l->v[l->n].sha, f->sha256, sizeof(l->v[l->n].sha));
	l->v[l->n].pdf = pdf;
	l->v[l->n].kind = (int)k;
	l->n++;
	return 0;
}

static int
exists(int dir, const char *name)
{
	struct stat st;
	return fstatat(dir, name, &st, 0) == 0;
}

static int
tmp_open(int dir, const char *name)
{
	char t[160];
	snprintf(t, sizeof(t), "%s.tmp", name);
	return openat(dir, t, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
}

static void
tmp_commit(int dir, const char *name)
{
	char t[160];
	snprintf(t, sizeof(t), "%s.tmp", name);
	if (renameat(dir, t, dir, name) < 0)
		(void)unlinkat(dir, t, 0);
}

/* One job into dir; its page count (from the text file) into *pages. */
static int
one(docjail_t *j, const render_tools_t *t, int dir, int doc, const struct item *it, int64_t n,
    int64_t *pages)
{
	char base[96], png[112], txt[112];
	int out[2] = { -1, -1 }, rc;
	strbuf_t why;

	if (n > 0)
		snprintf(base, sizeof(base), "%s-p%lld", it->sha, (long long)n);
	else
		snprintf(base, sizeof(base), "%s-i", it->sha);
	snprintf(png, sizeof(png), "%s%s", base, n > 0 ? ".png" : "");
	snprintf(txt, sizeof(txt), "%s.txt", base);
	out[0] = tmp_open(dir, png);
	if (n > 0)
		out[1] = tmp_open(dir, txt);
	if (out[0] < 0 || (n > 0 && out[1] < 0)) {
		log_err("render pages: cannot write below the pages folder: %s", strerror(errno));
		rc = -2;
		goto done;
	}
	strbuf_init(&why);
	rc = render_run(j, t, n > 0 ? RENDER_PAGE : RENDER_IMAGE, (int)n, it->kind, doc, out, &why);
	strbuf_release(&why);
	if (n > 0 && pages) {
		char head[24] = "";
		ssize_t got = pread(out[1], head, sizeof(head) - 1, 0);
		char *nl = got > 0 ? memchr(head, '\n', (size_t)got) : NULL;
		*pages = 0;
		if (nl) {
			*nl = '\0';
			if (parse_int64(head, 1, RENDER_PAGES_MAX, pages) < 0)
				*pages = 0;
		}
	}
	tmp_commit(dir, png);
	if (n > 0)
		tmp_commit(dir, txt);
done:
	for (int i = 0; i < 2; i++)
		if (out[i] >= 0)
			close(out[i]);
	return rc;
}

int
prerender_collection(cat_t *c, int64_t collection_id, const char *root, const char *dir,
    int sandbox, const render_tools_t *tools, prerender_stats_t *st)
{
	struct list l = { NULL, 0 };
	docjail_conf_t jc;
	docjail_t *j = NULL;
	int dfd = -1, rootfd = -1, rc = -1;

	memset(st, 0, sizeof(*st));
	if (cat_file_each(c, collection_id, collect, &l) < 0)
		goto done;
	if (mkdir_p(dir, 0700) < 0 || (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_err("render pages: %s: %s", dir, strerror(errno));
		goto done;
	}
	if ((rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_err("render pages: %s: %s", root, strerror(errno));
		goto done;
	}
	memset(&jc, 0, sizeof(jc));
	jc.mode = sandbox;
	jc.tools[0] = tools->pdftoppm;
	jc.tools[1] = tools->pdftotext;
	jc.tools[2] = tools->pdfinfo;
	if ((j = docjail_new(&jc)) == NULL)
		goto done;
	for (size_t i = 0; i < l.n; i++) {
		const struct item *it = &l.v[i];
		char name[112];
		int64_t pages = 1;
		int doc = beneath_open(rootfd, it->path);

		if (doc < 0) {
			st->failed++;
			continue;
		}
		for (int64_t n = it->pdf ? 1 : 0; n <= (it->pdf ? pages : 0); n++) {
			if (it->pdf)
				snprintf(name, sizeof(name), "%s-p%lld.txt", it->sha, (long long)n);
			else
				snprintf(name, sizeof(name), "%s-i", it->sha);
			if (exists(dfd, name)) {
				st->skipped++;
				if (n == 1) {
					/* The count, from the first page's text file. */
					char head[24] = "";
					int f = openat(dfd, name, O_RDONLY | O_CLOEXEC);
					ssize_t got = f >= 0 ? read(f, head, sizeof(head) - 1) : -1;
					char *nl = got > 0 ? memchr(head, '\n', (size_t)got) : NULL;
					if (f >= 0)
						close(f);
					if (nl) {
						*nl = '\0';
						(void)parse_int64(head, 1, RENDER_PAGES_MAX, &pages);
					}
				}
				continue;
			}
			int r = one(j, tools, dfd, doc, it, n, n == 1 ? &pages : NULL);
			if (r == -2) {
				close(doc);
				goto done;
			}
			if (r < 0)
				st->failed++;
			else if (n > 0)
				st->pages++;
			else
				st->images++;
		}
		close(doc);
	}
	rc = 0;
done:
	docjail_free(j);
	if (dfd >= 0)
		close(dfd);
	if (rootfd >= 0)
		close(rootfd);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].path);
	free(l.v);
	return rc;
}
