/* review: see review.h. */
#include "catalogue/review.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
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
#define BATCH_BYTES (16 * 1024 * 1024)   /* of text held at once: bounds the memory */
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
	/* The file's text and its parts' (a message's attachments, OCR's text),
	 * each part after a newline and its name. */
	[Q_READ] = "SELECT f.sha256, f.path, f.mime,"
	    " CASE WHEN d.body IS NULL AND NOT EXISTS (SELECT 1 FROM parts WHERE file_id = f.id) THEN NULL"
	    " ELSE coalesce(d.body, '') || coalesce((SELECT group_concat(char(10) || p.name || char(10) ||"
	    " coalesce(p.body, ''), '') FROM parts p WHERE p.file_id = f.id), '') END"
	    " FROM files f LEFT JOIN docs d ON d.id = f.id WHERE f.id = ?1",
	[Q_FORGET] = "DELETE FROM review_findings WHERE file_id = ?1",
	[Q_DONE] = "INSERT OR REPLACE INTO review_files (id, sha256, rules, reviewed) VALUES (?1, ?2, ?3, ?4)",
	[Q_FINDING] = "INSERT INTO review_findings (file_id, kind, count, excerpts) VALUES (?1, ?2, ?3, ?4)",
};

/* The document's metadata, read in the jail, into t. -1 if it could not all
 * be read (what could is in t; *why says what failed, caller frees). */
static int
read_meta(const review_opts_t *o, const char *path, const char *mime, struct tally *t, char **why_out)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	enum meta_format f = meta_format_of(mime, name);
	strbuf_t out, why;
	int fd, rc = -1;

	if (f == META_NONE)
		return 0;
	if ((fd = beneath_open(o->rootfd, path)) < 0) {
		*why_out = xstrdup("gone or not openable");
		return -1;
	}
	strbuf_init(&out);
	strbuf_init(&why);
	if (meta_jailed(o->jail, o->pdfinfo ? o->pdfinfo : META_PDFINFO, o->pdfdetach, o->pdftotext, f, fd, &out, &why) ==
	    DOCJAIL_OK)
		rc = 0;
	else
		*why_out = strbuf_detach(&why);
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
	close(fd);
	strbuf_release(&out);
	strbuf_release(&why);
	return rc;
}

/* One file of a batch: read from the catalogue by the main thread, looked at
 * by a worker, written back by the main thread. */
struct job {
	int64_t id;
	char *path, *mime, *body;
	size_t body_len;
	unsigned char sha[32];
	int present, unread;
	char *why;              /* unread: what failed */
	struct tally t;
};

struct batch {
	struct job *jobs;
	size_t n, next;
	pthread_mutex_t mu;
	const review_opts_t *o;
};

static void
look(const review_opts_t *o, struct job *j)
{
	/* Names are published too: "jane.doe@example.org.eml". */
	scan_text(&j->t, j->path, strlen(j->path));
	if (j->body)
		scan_text(&j->t, j->body, j->body_len);
	if (o->jail && read_meta(o, j->path, j->mime ? j->mime : "", &j->t, &j->why) < 0)
		j->unread = 1;
}

/* Workers take files one at a time: a PDF's pdfinfo (a jailed process
 * each) costs what a thousand text scans do. */
static void *
worker(void *arg)
{
	struct batch *b = arg;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&b->mu);
		i = b->next++;
		pthread_mutex_unlock(&b->mu);
		if (i >= b->n)
			break;
		if (b->jobs[i].present)
			look(b->o, &b->jobs[i]);
	}
	return NULL;
}

static void
job_clear(struct job *j)
{
	free(j->path);
	free(j->mime);
	free(j->body);
	free(j->why);
	for (int k = 0; k < MAX_KINDS; k++)
		strbuf_release(&j->t.text[k]);
	memset(j, 0, sizeof(*j));
}

/* Read the batch's rows; at most BATCH files or BATCH_BYTES of text. */
static int
load(cat_t *c, sqlite3_stmt *r, const int64_t *ids, size_t n, struct job *jobs, size_t *taken)
{
	size_t bytes = 0, i;

	for (i = 0; i < n && i < BATCH && bytes < BATCH_BYTES; i++) {
		struct job *j = &jobs[i];
		int step;

		j->id = ids[i];
		for (int k = 0; k < MAX_KINDS; k++)
			strbuf_init(&j->t.text[k]);
		sqlite3_reset(r);
		sqlite3_bind_int64(r, 1, ids[i]);
		if ((step = sqlite3_step(r)) == SQLITE_DONE)
			continue;       /* removed meanwhile */
		if (step != SQLITE_ROW) {
			*taken = i + 1;
			return fail_db(c, "review");
		}
		if (sqlite3_column_bytes(r, 0) == 32)
			memcpy(j->sha, sqlite3_column_blob(r, 0), 32);
		j->path = xstrdup(sqlite3_column_text(r, 1) ? (const char *)sqlite3_column_text(r, 1) : "");
		j->mime = xstrdup(sqlite3_column_text(r, 2) ? (const char *)sqlite3_column_text(r, 2) : "");
		if (sqlite3_column_type(r, 3) != SQLITE_NULL) {
			j->body_len = (size_t)sqlite3_column_bytes(r, 3);
			j->body = xstrndup((const char *)sqlite3_column_text(r, 3), j->body_len);
			bytes += j->body_len;
		}
		j->present = 1;
	}
	sqlite3_reset(r);
	*taken = i;
	return 0;
}

/* Without the jail (the folder could not be opened) a file is stored as read
 * by rules 0, so the next run reads its metadata. One whose metadata the jail
 * could not read is not retried: the same bytes fail the same way. */
static int
store(cat_t *c, sqlite3_stmt **q, const struct job *j, int with_meta)
{
	sqlite3_reset(q[Q_FORGET]);
	sqlite3_bind_int64(q[Q_FORGET], 1, j->id);
	if (sqlite3_step(q[Q_FORGET]) != SQLITE_DONE)
		return fail_db(c, "store the review");
	sqlite3_reset(q[Q_DONE]);
	sqlite3_bind_int64(q[Q_DONE], 1, j->id);
	sqlite3_bind_blob(q[Q_DONE], 2, j->sha, 32, SQLITE_STATIC);
	sqlite3_bind_int(q[Q_DONE], 3, with_meta ? REVIEW_RULES : 0);
	sqlite3_bind_int64(q[Q_DONE], 4, (int64_t)time(NULL));
	if (sqlite3_step(q[Q_DONE]) != SQLITE_DONE)
		return fail_db(c, "store the review");
	for (int k = 0; k < j->t.n; k++) {
		sqlite3_stmt *f = q[Q_FINDING];
		sqlite3_reset(f);
		sqlite3_bind_int64(f, 1, j->id);
		sqlite3_bind_text(f, 2, j->t.kind[k], -1, SQLITE_STATIC);
		sqlite3_bind_int64(f, 3, j->t.count[k]);
		sqlite3_bind_text(f, 4, j->t.text[k].s ? j->t.text[k].s : "", -1, SQLITE_STATIC);
		if (sqlite3_step(f) != SQLITE_DONE)
			return fail_db(c, "store the review");
	}
	return 0;
}

int
review_run(cat_t *c, int64_t col_id, const review_opts_t *o, review_stats_t *st)
{
	sqlite3_stmt *q[Q_N] = { NULL };
	struct job *jobs = xcalloc(BATCH, sizeof(*jobs));
	pthread_t threads[REVIEW_THREADS_MAX];
	int64_t *ids = NULL;
	struct timespec t0, t1;
	size_t n = 0, done_n = 0, taken = 0;
	int rc = -1, nthreads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(st, 0, sizeof(*st));
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > REVIEW_THREADS_MAX)
		nthreads = REVIEW_THREADS_MAX;
	if (todo_ids(c, col_id, &ids, &n, &st->files) < 0)
		goto done;
	for (int i = 0; i < Q_N; i++)
		if (sqlite3_prepare_v2(cat_db(c), q_sql[i], -1, &q[i], NULL) != SQLITE_OK) {
			fail_db(c, "review");
			goto done;
		}
	while (done_n < n) {
		struct batch b = { .jobs = jobs, .o = o };
		int started = 0, ok;

		ok = load(c, q[Q_READ], ids + done_n, n - done_n, jobs, &taken) == 0;
		b.n = taken;
		pthread_mutex_init(&b.mu, NULL);
		for (; ok && started < nthreads && (size_t)started < taken; started++)
			if (pthread_create(&threads[started], NULL, worker, &b) != 0)
				break;
		if (ok && started == 0)
			worker(&b);
		for (int i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
		pthread_mutex_destroy(&b.mu);
		/* One transaction a batch: an interrupted run keeps what it committed. */
		if (ok && (ok = cat_begin(c) == 0)) {
			for (size_t i = 0; ok && i < taken; i++)
				if (jobs[i].present) {
					ok = store(c, q, &jobs[i], o->jail != NULL) == 0;
					st->read++;
					st->unread += jobs[i].unread;
					if (jobs[i].unread && o->unread)
						o->unread(o->arg, jobs[i].path, jobs[i].why ? jobs[i].why : "");
				}
			if (!ok || cat_commit(c) < 0) {
				cat_rollback(c);
				ok = 0;
			}
		}
		for (size_t i = 0; i < taken; i++)
			job_clear(&jobs[i]);
		if (!ok)
			goto done;
		done_n += taken;
		if (o->progress)
			o->progress(o->arg, st->files - (int64_t)n + (int64_t)done_n, st->files);
	}
	rc = 0;
done:
	for (int i = 0; i < Q_N; i++)
		sqlite3_finalize(q[i]);
	free(jobs);
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
