/* review: see review.h. */
#include "catalogue/review.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "base/beneath.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/meta.h"
#include "docs/pii.h"

#define BATCH 500
#define MAX_KINDS 32

/* One file's findings, by kind name. */
struct tally {
	char kind[MAX_KINDS][16];
	int64_t count[MAX_KINDS];
	int excerpts[MAX_KINDS];
	strbuf_t text[MAX_KINDS];
	int n;
};

static int
add(void *ctx, const char *kind, const char *excerpt)
{
	struct tally *t = ctx;
	int k;

	for (k = 0; k < t->n; k++)
		if (strcmp(t->kind[k], kind) == 0)
			break;
	if (k == t->n) {
		if (t->n == MAX_KINDS)
			return 0;
		snprintf(t->kind[k], sizeof(t->kind[k]), "%s", kind);
		t->count[k] = 0;
		t->excerpts[k] = 0;
		strbuf_reset(&t->text[k]);
		t->n++;
	}
	t->count[k]++;
	if (t->excerpts[k] < REVIEW_EXCERPTS) {
		if (t->excerpts[k]++ > 0)
			strbuf_addc(&t->text[k], '\n');
		strbuf_adds(&t->text[k], excerpt);
	}
	return 0;
}

struct scan {
	struct tally *t;
	const char *text;
	size_t len;
	strbuf_t ex;
};

static int
found(enum pii_kind kind, size_t off, size_t len, void *arg)
{
	struct scan *s = arg;

	strbuf_reset(&s->ex);
	pii_excerpt(&s->ex, s->text, s->len, off, len);
	return add(s->t, pii_kind_name(kind), s->ex.s ? s->ex.s : "");
}

static void
scan_text(struct tally *t, const char *text, size_t len)
{
	struct scan s = { t, text, len, { 0 } };

	strbuf_init(&s.ex);
	pii_scan(text, len, found, &s);
	strbuf_release(&s.ex);
}

static int
fail_db(cat_t *c, const char *what)
{
	log_err("%s: %s", what, sqlite3_errmsg(cat_db(c)));
	return -1;
}

/* Ids of the files to read: new, changed, or read by older rules. */
static int
todo_ids(cat_t *c, int64_t col_id, int64_t **ids, size_t *n, int64_t *total)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int step;

	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(cat_db(c), "SELECT f.id, r.id IS NOT NULL AND r.sha256 = f.sha256 AND r.rules = ?2"
	    " FROM files f LEFT JOIN review_files r ON r.id = f.id WHERE f.collection_id = ?1", -1, &s, NULL) != SQLITE_OK)
		return fail_db(c, "review");
	sqlite3_bind_int64(s, 1, col_id);
	sqlite3_bind_int(s, 2, REVIEW_RULES);
	*total = 0;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		(*total)++;
		if (sqlite3_column_int(s, 1))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*ids = xrealloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return step == SQLITE_DONE ? 0 : fail_db(c, "review");
}

enum { Q_READ, Q_FORGET, Q_DONE, Q_FINDING, Q_N };

static const char *const q_sql[Q_N] = {
	[Q_READ] = "SELECT f.sha256, f.path, f.mime, d.body FROM files f LEFT JOIN docs d ON d.id = f.id WHERE f.id = ?1",
	[Q_FORGET] = "DELETE FROM review_findings WHERE file_id = ?1",
	[Q_DONE] = "INSERT OR REPLACE INTO review_files (id, sha256, rules, reviewed) VALUES (?1, ?2, ?3, ?4)",
	[Q_FINDING] = "INSERT INTO review_findings (file_id, kind, count, excerpts) VALUES (?1, ?2, ?3, ?4)",
};

/* The document's metadata, read in the jail, into t. -1 if it could not be read. */
static int
read_meta(const review_opts_t *o, const char *path, const char *mime, struct tally *t)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	enum meta_format f = meta_format_of(mime, name);
	strbuf_t out, why;
	int fd, rc = -1;

	if (f == META_NONE)
		return 0;
	if ((fd = beneath_open(o->rootfd, path)) < 0)
		return -1;
	strbuf_init(&out);
	strbuf_init(&why);
	if (meta_jailed(o->jail, o->pdfinfo ? o->pdfinfo : META_PDFINFO, f, fd, &out, &why) == DOCJAIL_OK) {
		/* Lines "kind<TAB>text", checked by meta_jailed. */
		for (char *p = out.s, *e; p && *p; p = e + 1) {
			char *tab;
			if ((e = strchr(p, '\n')) == NULL)
				break;
			*e = '\0';
			if ((tab = strchr(p, '\t')) != NULL) {
				*tab = '\0';
				add(t, p, tab + 1);
			}
		}
		rc = 0;
	}
	close(fd);
	strbuf_release(&out);
	strbuf_release(&why);
	return rc;
}

static int
review_one(cat_t *c, sqlite3_stmt **q, int64_t id, const review_opts_t *o, struct tally *t, review_stats_t *st)
{
	sqlite3_stmt *r = q[Q_READ];
	int rc = -1;

	t->n = 0;
	sqlite3_reset(r);
	sqlite3_bind_int64(r, 1, id);
	if ((rc = sqlite3_step(r)) != SQLITE_ROW) {
		sqlite3_reset(r);
		return rc == SQLITE_DONE ? 0 : fail_db(c, "review");   /* DONE: removed meanwhile */
	}
	rc = -1;
	{
		const char *path = (const char *)sqlite3_column_text(r, 1);
		const char *mime = (const char *)sqlite3_column_text(r, 2);
		const char *body = (const char *)sqlite3_column_text(r, 3);

		/* Names are published too: "jane.doe@example.org.eml". */
		if (path)
			scan_text(t, path, strlen(path));
		if (body)
			scan_text(t, body, (size_t)sqlite3_column_bytes(r, 3));
		if (o->jail && path && read_meta(o, path, mime ? mime : "", t) < 0)
			st->unread++;
	}
	sqlite3_reset(q[Q_FORGET]);
	sqlite3_bind_int64(q[Q_FORGET], 1, id);
	if (sqlite3_step(q[Q_FORGET]) != SQLITE_DONE)
		goto fail;
	sqlite3_reset(q[Q_DONE]);
	sqlite3_bind_int64(q[Q_DONE], 1, id);
	sqlite3_bind_value(q[Q_DONE], 2, sqlite3_column_value(r, 0));
	sqlite3_bind_int(q[Q_DONE], 3, REVIEW_RULES);
	sqlite3_bind_int64(q[Q_DONE], 4, (int64_t)time(NULL));
	if (sqlite3_step(q[Q_DONE]) != SQLITE_DONE)
		goto fail;
	for (int k = 0; k < t->n; k++) {
		sqlite3_stmt *f = q[Q_FINDING];
		sqlite3_reset(f);
		sqlite3_bind_int64(f, 1, id);
		sqlite3_bind_text(f, 2, t->kind[k], -1, SQLITE_STATIC);
		sqlite3_bind_int64(f, 3, t->count[k]);
		sqlite3_bind_text(f, 4, t->text[k].s ? t->text[k].s : "", -1, SQLITE_STATIC);
		if (sqlite3_step(f) != SQLITE_DONE)
			goto fail;
	}
	rc = 0;
	goto done;
fail:
	fail_db(c, "store the review");
done:
	sqlite3_reset(r);
	return rc;
}

int
review_run(cat_t *c, int64_t col_id, const review_opts_t *o, review_stats_t *st)
{
	sqlite3_stmt *q[Q_N] = { NULL };
	struct tally *t = xcalloc(1, sizeof(*t));
	int64_t *ids = NULL;
	struct timespec t0, t1;
	size_t n = 0;
	int rc = -1, in_txn = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(st, 0, sizeof(*st));
	for (int k = 0; k < MAX_KINDS; k++)
		strbuf_init(&t->text[k]);
	if (todo_ids(c, col_id, &ids, &n, &st->files) < 0)
		goto done;
	for (int i = 0; i < Q_N; i++)
		if (sqlite3_prepare_v2(cat_db(c), q_sql[i], -1, &q[i], NULL) != SQLITE_OK) {
			fail_db(c, "review");
			goto done;
		}
	for (size_t i = 0; i < n; i++) {
		if (!in_txn) {
			if (cat_begin(c) < 0)
				goto done;
			in_txn = 1;
		}
		if (review_one(c, q, ids[i], o, t, st) < 0)
			goto done;
		st->read++;
		if ((i + 1) % BATCH == 0 || i + 1 == n) {
			if (cat_commit(c) < 0)
				goto done;
			in_txn = 0;
			if (o->progress)
				o->progress(o->arg, st->files - (int64_t)n + (int64_t)i + 1, st->files);
		}
	}
	rc = 0;
done:
	if (in_txn)
		cat_rollback(c);
	for (int i = 0; i < Q_N; i++)
		sqlite3_finalize(q[i]);
	for (int k = 0; k < MAX_KINDS; k++)
		strbuf_release(&t->text[k]);
	free(t);
	free(ids);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	st->ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	return rc;
}

int
review_each(cat_t *c, int64_t col_id, int (*fn)(const review_finding_t *f, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	int step, rc = 0;

	if (sqlite3_prepare_v2(cat_db(c), "SELECT f.path, rf.kind, rf.count, rf.excerpts FROM files f"
	    " JOIN review_findings rf ON rf.file_id = f.id WHERE f.collection_id = ?1 ORDER BY f.path, rf.kind",
	    -1, &s, NULL) != SQLITE_OK)
		return fail_db(c, "read the review");
	sqlite3_bind_int64(s, 1, col_id);
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		review_finding_t f = {
			(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 3), sqlite3_column_int64(s, 2),
		};
		rc = fn(&f, arg);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = fail_db(c, "read the review");
	sqlite3_finalize(s);
	return rc;
}

int
review_folders(cat_t *c, int64_t col_id, int (*fn)(const review_folder_t *f, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	int step, rc = 0;

	if (sqlite3_prepare_v2(cat_db(c), "SELECT d.path, rf.kind, sum(rf.count), count(*) FROM files f"
	    " JOIN review_findings rf ON rf.file_id = f.id JOIN dirs d ON d.id = f.dir_id"
	    " WHERE f.collection_id = ?1 GROUP BY d.path, rf.kind ORDER BY d.path, rf.kind", -1, &s, NULL) != SQLITE_OK)
		return fail_db(c, "read the review");
	sqlite3_bind_int64(s, 1, col_id);
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		review_folder_t f = {
			(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
		};
		rc = fn(&f, arg);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = fail_db(c, "read the review");
	sqlite3_finalize(s);
	return rc;
}
