/* ingest: see ingest.h.
 *
 * Memory stays flat at any tree size: the walk holds one folder's names at a time
 * (plus pending sibling folders on its stack), at most MAX_INFLIGHT files are
 * between the walker and the writer, and "seen" is a bitmap over row ids. */
#include "catalogue/ingest.h"
#include "catalogue/ingest_ocr.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "docs/docjail.h"
#include "docs/extract.h"
#include "base/beneath.h"
#include "base/log.h"
#include "catalogue/cat_withhold.h"
#include "catalogue/mime.h"
#include "base/sandbox.h"
#include "base/util.h"
#include "base/text.h"

#define READ_CHUNK (1024 * 1024)
#define MAX_INFLIGHT 64
#define BATCH_FILES 2000
#define BATCH_MS 1000
#define MAX_LISTED_ERRORS 50

struct job {
	struct job *next;
	char *relpath, *name;
	int64_t dir_id, existing_id, size, mtime;
	/* results */
	int err;                 /* errno; 0 = ok */
	const char *why;         /* what failed, for the list of problems */
	strbuf_t unread;         /* why its text could not be read ("" = it could) */
	unsigned char sha[32];
	uint32_t crc;            /* CRC-32 for zip archives, from the same read */
	const char *mime;
	char *title;
	strbuf_t text;
	extract_whole_t whole;   /* whether text was cut, the whole text's length */
	extract_parts_t parts;   /* a message's attachments; OCR's text */
	int ocr_pages;
	int64_t ocr_ms;
};

struct bitset {
	uint64_t *w;
	size_t nw;
};

struct ingest {
	cat_t *c;
	int64_t cid;
	const char *root;
	int rootfd;              /* everything is opened beneath it, never by path */
	docjail_t *jail, *ocr_jail;   /* ocr_jail: --ocr only, a longer deadline */
	extract_tools_t tools;
	cat_withhold_rules_t *rules;   /* what the publisher withheld: never read */
	const ingest_opts_t *o;
	ingest_stats_t *st;
	/* queue */
	pthread_mutex_t mu;
	pthread_cond_t todo_cv, done_cv;
	struct job *todo, *todo_tail, *done;
	int inflight, stopping;
	int64_t hashed;          /* bytes, under mu */
	/* writer */
	int in_txn, failed;
	int64_t batch, batch_start;
	struct bitset seen_files, seen_dirs;
	/* progress */
	int64_t total_files, total_bytes, done_bytes, last_draw, start, ocr_ms;
	strbuf_t problems, unread;
	int nproblems, nunread;
};

static void
bit_set(struct bitset *b, int64_t id)
{
	size_t w = (size_t)id / 64;

	if (w >= b->nw) {
		size_t nw = b->nw ? b->nw : 1024;
		while (nw <= w)
			nw *= 2;
		b->w = xrealloc(b->w, nw * sizeof(*b->w));
		memset(b->w + b->nw, 0, (nw - b->nw) * sizeof(*b->w));
		b->nw = nw;
	}
	b->w[w] |= 1ULL << (id % 64);
}

static int
bit_get(const struct bitset *b, int64_t id)
{
	size_t w = (size_t)id / 64;
	return w < b->nw && (b->w[w] >> (id % 64)) & 1;
}

static int
keep_file(int64_t id, void *arg)
{
	return bit_get(&((struct ingest *)arg)->seen_files, id);
}

static int
keep_dir(int64_t id, void *arg)
{
	return bit_get(&((struct ingest *)arg)->seen_dirs, id);
}

/* One line of the report the publisher sees after add/refresh. */
static void
list_entry(struct ingest *in, const char *relpath, const char *why, int err)
{
	if (in->nproblems++ >= MAX_LISTED_ERRORS)
		return;
	strbuf_adds(&in->problems, "  ");
	/* Names are arbitrary bytes: the report goes to a terminal. */
	text_term_escape(&in->problems, relpath[0] ? relpath : ".", relpath[0] ? strlen(relpath) : 1);
	strbuf_addf(&in->problems, ": %s%s%s\n", why, err ? ": " : "", err ? strerror(err) : "");
}

static void
problem(struct ingest *in, const char *relpath, const char *why, int err)
{
	in->st->errors++;
	list_entry(in, relpath, why, err);
}

/* --- hashing workers --- */

static void
hash_job(struct ingest *in, struct job *j, unsigned char *buf)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct stat st;
	size_t head = 0;
	int64_t total = 0;
	int fd = -1;
	enum extract_kind kind = EXTRACT_NONE;

	/* Beneath the root, no symlink anywhere on the way: a folder swapped for
	 * a symlink since the walk listed it is refused (ELOOP), not followed. */
	fd = beneath_open(in->rootfd, j->relpath);
	if (fd < 0) {
		j->err = errno;
		j->why = errno == ENOENT ? "vanished" : errno == ELOOP || errno == EXDEV ?
		    "a symbolic link on its way (swapped in during the walk?)" : "cannot open";
		goto done;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		j->err = S_ISREG(st.st_mode) ? errno : 0;
		j->why = "no longer a regular file";
		goto done;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		j->err = ENOMEM;
		j->why = "cannot start SHA-256";
		goto done;
	}
	for (int first = 1;; first = 0) {
		size_t have = 0;
		/* Fill the whole buffer on the first pass: it is also what we type and extract. */
		do {
			ssize_t r = read(fd, buf + have, READ_CHUNK - have);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				j->err = errno;
				j->why = "read error";
				goto done;
			}
			if (r == 0)
				break;
			have += (size_t)r;
		} while (first && have < READ_CHUNK);
		if (have == 0)
			break;
		if (first) {
			head = have;
			j->mime = mime_detect(j->name, buf, head);
			kind = extract_kind_of(j->mime, j->name);
		}
		EVP_DigestUpdate(md, buf, have);
		/* The zip archives' CRC-32 from the bytes already in hand: no
		 * second read (libdeflate folds with PCLMUL, ~3x zlib's speed). */
		j->crc = (uint32_t)libdeflate_crc32(j->crc, buf, have);
		total += (int64_t)have;
		pthread_mutex_lock(&in->mu);
		in->hashed += (int64_t)have;
		pthread_mutex_unlock(&in->mu);
	}
	if (head == 0)
		j->mime = mime_detect(j->name, buf, 0);
	EVP_DigestFinal_ex(md, j->sha, NULL);
	{
		struct stat st2;
		/* A file being written while we read it gets no stale checksum. */
		if (fstat(fd, &st2) < 0 || st2.st_size != total || st2.st_mtim.tv_sec != st.st_mtim.tv_sec) {
			j->err = 0;
			j->why = "changed while being read (run again later)";
			goto done;
		}
	}
	j->size = total;
	j->mtime = st.st_mtim.tv_sec;
	if (kind != EXTRACT_NONE && (kind != EXTRACT_PDF || total <= EXTRACT_PDF_MAX_BYTES)) {
		/* The document's bytes are parsed only in the jail (docjail.h). */
		enum docjail_result r = extract_document(in->jail, &in->tools, kind, fd, &j->text,
		    &j->title, &j->parts, &j->whole, &j->unread);
		if (r != DOCJAIL_OK && j->unread.len == 0)
			strbuf_adds(&j->unread, docjail_result_name(r));
	}
	if (in->o->ocr && extract_ocr_wanted(j->mime, extract_ocr_text_len(j->text.s, j->text.len)) &&
	    (kind != EXTRACT_PDF || total <= EXTRACT_PDF_MAX_BYTES)) {
		int64_t t0 = now_ms();
		ingest_ocr_file(in->ocr_jail, &in->tools, kind == EXTRACT_PDF, fd, &j->parts, &j->ocr_pages);
		j->ocr_ms = now_ms() - t0;
	}
	if (j->title == NULL) {
		/* The title is indexed and shown in snippets: valid UTF-8, no control bytes. */
		strbuf_t t;
		strbuf_init(&t);
		extract_utf8(&t, j->name, strlen(j->name));
		j->title = strbuf_detach(&t);
	}
done:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
}

static void *
worker(void *arg)
{
	struct ingest *in = arg;
	unsigned char *buf = xmalloc(READ_CHUNK);

	pthread_mutex_lock(&in->mu);
	for (;;) {
		struct job *j;
		while (in->todo == NULL && !in->stopping)
			pthread_cond_wait(&in->todo_cv, &in->mu);
		if (in->todo == NULL)
			break;
		j = in->todo;
		in->todo = j->next;
		if (in->todo == NULL)
			in->todo_tail = NULL;
		pthread_mutex_unlock(&in->mu);
		hash_job(in, j, buf);
		pthread_mutex_lock(&in->mu);
		j->next = in->done;
		in->done = j;
		pthread_cond_signal(&in->done_cv);
	}
	pthread_mutex_unlock(&in->mu);
	free(buf);
	return NULL;
}

static void
job_free(struct job *j)
{
	free(j->relpath);
	free(j->name);
	free(j->title);
	strbuf_release(&j->text);
	strbuf_release(&j->unread);
	extract_parts_clear(&j->parts);
	free(j);
}

/* --- writer (main thread) --- */

static int
txn_ensure(struct ingest *in)
{
	if (in->in_txn)
		return 0;
	if (cat_begin(in->c) < 0)
		return -1;
	in->in_txn = 1;
	in->batch = 0;
	in->batch_start = now_ms();
	return 0;
}

static int
txn_maybe_commit(struct ingest *in, int force)
{
	if (!in->in_txn)
		return 0;
	if (!force && in->batch < BATCH_FILES && now_ms() - in->batch_start < BATCH_MS)
		return 0;
	in->in_txn = 0;
	return cat_commit(in->c);
}

/* Tell the caller's say(), printf-style. */
static void __attribute__((format(printf, 3, 4)))
say(const ingest_opts_t *o, int progress, const char *fmt, ...)
{
	strbuf_t b;
	va_list ap;

	if (o->say == NULL)
		return;
	strbuf_init(&b);
	va_start(ap, fmt);
	strbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	o->say(o->say_arg, progress, b.s ? b.s : "");
	strbuf_release(&b);
}

static void
progress_draw(struct ingest *in, int final)
{
	int64_t now = now_ms(), hashed;
	double secs = (double)(now - in->start) / 1000.0, rate;
	char b1[32], b2[32], b3[32];

	if (!in->o->progress || (!final && now - in->last_draw < 200))
		return;
	in->last_draw = now;
	pthread_mutex_lock(&in->mu);
	hashed = in->hashed;
	pthread_mutex_unlock(&in->mu);
	rate = secs > 0 ? (double)hashed / secs : 0;
	human_bytes(in->done_bytes + 0, b1, sizeof(b1));
	human_bytes(in->total_bytes, b2, sizeof(b2));
	human_bytes((int64_t)rate, b3, sizeof(b3));
	if (in->o->ocr && !final) {
		/* OCR takes seconds a page: its own line, pages and files so far. */
		say(in->o, 1, "%lld/%lld files  OCR: %lld pages of %lld files", (long long)in->st->files,
		    (long long)in->total_files, (long long)in->st->ocr_pages, (long long)in->st->ocr_files);
	} else if (!final && rate > 0 && in->total_bytes > in->done_bytes) {
		int64_t eta = (int64_t)((double)(in->total_bytes - in->done_bytes) / rate);
		say(in->o, 1, "%lld/%lld files  %s/%s  %s/s  ETA %lld:%02lld", (long long)in->st->files,
		    (long long)in->total_files, b1, b2, b3, (long long)(eta / 60), (long long)(eta % 60));
	} else {
		say(in->o, 1, "%lld/%lld files  %s/%s  %s/s%s", (long long)in->st->files,
		    (long long)in->total_files, b1, b2, b3, final ? "\n" : "");
	}
}

static int
write_result(struct ingest *in, struct job *j)
{
	cat_file_put_t p;
	cat_part_put_t *parts = NULL;
	int64_t id;

	in->done_bytes += j->size;
	if (j->why != NULL) {
		problem(in, j->relpath, j->why, j->err);
		return 0;
	}
	if (txn_ensure(in) < 0)
		return -1;
	memset(&p, 0, sizeof(p));
	p.collection_id = in->cid;
	p.dir_id = j->dir_id;
	p.existing_id = j->existing_id;
	p.relpath = j->relpath;
	p.name = j->name;
	p.size = j->size;
	p.mtime = j->mtime;
	p.sha256 = j->sha;
	p.crc32 = j->crc;
	p.mime = j->mime;
	p.title = j->title;
	p.body = j->text.s;
	p.body_len = j->text.len;
	p.body_cut = j->whole.cut;
	p.body_whole = j->whole.len;
	p.parts = parts = j->parts.n ? xcalloc(j->parts.n, sizeof(*parts)) : NULL;
	for (p.nparts = 0; p.nparts < j->parts.n; p.nparts++)
		parts[p.nparts] = (cat_part_put_t){ j->parts.v[p.nparts].name, j->parts.v[p.nparts].title,
			j->parts.v[p.nparts].text.s, j->parts.v[p.nparts].text.len };
	int put = cat_file_put(in->c, &p, &id);
	free(parts);
	if (put < 0)
		return -1;
	bit_set(&in->seen_files, id);
	for (size_t i = 0; i <= j->parts.n; i++) {
		/* Catalogued and findable by name; its text is not in the index. */
		const extract_part_t *pt = i < j->parts.n ? &j->parts.v[i] : NULL;
		const char *why = pt ? pt->unread : j->unread.len ? j->unread.s : NULL;
		if (why == NULL)
			continue;
		in->st->unread++;
		if (in->nunread++ >= MAX_LISTED_ERRORS)
			continue;
		strbuf_adds(&in->unread, "  ");
		text_term_escape(&in->unread, j->relpath, strlen(j->relpath));
		if (pt)   /* an attachment: "report.eml › scan.pdf" */
			strbuf_adds(&in->unread, " \xe2\x80\xba ");
		if (pt)
			text_term_escape(&in->unread, pt->name, strlen(pt->name));
		strbuf_adds(&in->unread, ": could not read: ");
		text_term_escape(&in->unread, why, strlen(why));
		strbuf_addc(&in->unread, '\n');
	}
	in->st->ocr_files += j->ocr_pages > 0;
	in->st->ocr_pages += j->ocr_pages;
	in->ocr_ms += j->ocr_ms;
	if (j->existing_id)
		in->st->changed++;
	else
		in->st->added++;
	in->batch++;
	return 0;
}

/* Write finished jobs; first wait for one while `below` or more are in flight. */
static int
drain(struct ingest *in, int below)
{
	struct job *list;

	pthread_mutex_lock(&in->mu);
	while (in->inflight >= below && in->done == NULL) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&in->done_cv, &in->mu, &ts);
		if (in->done == NULL) {
			pthread_mutex_unlock(&in->mu);
			progress_draw(in, 0);
			pthread_mutex_lock(&in->mu);
		}
	}
	list = in->done;
	in->done = NULL;
	pthread_mutex_unlock(&in->mu);
	while (list) {
		struct job *j = list;
		list = j->next;
		if (!in->failed && write_result(in, j) < 0)
			in->failed = 1;
		job_free(j);
		pthread_mutex_lock(&in->mu);
		in->inflight--;
		pthread_mutex_unlock(&in->mu);
	}
	progress_draw(in, 0);
	if (in->failed)
		return -1;
	return txn_maybe_commit(in, 0);
}

static int
submit(struct ingest *in, const char *relpath, const char *name, int64_t dir_id,
    int64_t existing_id, const struct stat *st)
{
	struct job *j = xcalloc(1, sizeof(*j));

	if (drain(in, MAX_INFLIGHT) < 0) {
		free(j);
		return -1;
	}
	j->relpath = xstrdup(relpath);
	j->name = xstrdup(name);
	j->dir_id = dir_id;
	j->existing_id = existing_id;
	j->size = st->st_size;
	j->mtime = st->st_mtim.tv_sec;
	strbuf_init(&j->text);
	strbuf_init(&j->unread);
	pthread_mutex_lock(&in->mu);
	in->inflight++;
	if (in->todo_tail)
		in->todo_tail->next = j;
	else
		in->todo = j;
	in->todo_tail = j;
	pthread_cond_signal(&in->todo_cv);
	pthread_mutex_unlock(&in->mu);
	return 0;
}

/* --- walk --- */

struct frame {
	char *rel;          /* "" for the root */
	int64_t parent_id;
	int depth;
};

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the entry names of the folder open at dirfd, sorted (so catalogue order
 * and progress are stable). dirfd stays the caller's. */
static char **
read_names(int dirfd, size_t *n, int *err)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL) {
		*err = errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 1)
		qsort(names, *n, sizeof(*names), name_cmp);
	*err = 0;
	return names;
}

/* Walk the tree. With count_only, just total up files and bytes for the progress bar. */
static int
walk(struct ingest *in, int count_only)
{
	struct frame *stack = xmalloc(sizeof(*stack));
	size_t depth_n = 1, cap = 1;
	strbuf_t rel;
	int rc = 0;

	stack[0] = (struct frame){ xstrdup(""), 0, 0 };
	strbuf_init(&rel);
	while (depth_n > 0 && rc == 0) {
		struct frame f = stack[--depth_n];
		int64_t dir_id = 0;
		size_t n = 0, nsub = 0;
		int err = 0;
		char **names;
		const char *slash = strrchr(f.rel, '/');
		/* The folder is opened beneath the root with no symlink on the way, and
		 * its entries are looked at relative to it: one swapped for a symlink
		 * after it was listed is refused, never followed. */
		int dirfd = f.rel[0] ? beneath_open(in->rootfd, f.rel) :
		    fcntl(in->rootfd, F_DUPFD_CLOEXEC, 0);

		names = dirfd >= 0 ? read_names(dirfd, &n, &err) : NULL;
		if (dirfd < 0)
			err = errno;
		if (names == NULL && err != 0) {
			if (dirfd >= 0)
				close(dirfd);
			if (!count_only)
				problem(in, f.rel, "cannot read folder", err);
			free(f.rel);
			continue;
		}
		if (!count_only) {
			if (txn_ensure(in) < 0 || cat_dir_ensure(in->c, in->cid, f.parent_id, f.rel,
			    slash ? slash + 1 : f.rel, f.depth, &dir_id) < 0) {
				rc = -1;
				goto next;
			}
			bit_set(&in->seen_dirs, dir_id);
		}
		for (size_t i = 0; i < n && rc == 0; i++) {
			struct stat st;

			strbuf_reset(&rel);
			if (f.rel[0]) {
				strbuf_adds(&rel, f.rel);
				strbuf_addc(&rel, '/');
			}
			strbuf_adds(&rel, names[i]);
			if (cat_withhold_rules_match(in->rules, rel.s)) {
				if (!count_only)
					in->st->withheld++;
			} else if (strchr(names[i], '\\') != NULL) {
				/* Addresses may not carry a backslash (route.h), so no reader
				 * could fetch it: say so instead of listing a dead link. */
				if (!count_only) {
					in->st->special++;
					list_entry(in, rel.s, "not published: its name holds a backslash, "
					    "which web addresses may not carry; rename it", 0);
				}
			} else if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (!count_only)
					problem(in, rel.s, "vanished", errno);
			} else if (S_ISLNK(st.st_mode)) {
				if (!count_only)
					in->st->symlinks++;
			} else if (S_ISDIR(st.st_mode)) {
				/* Children are pushed after the loop, reversed, to pop in name order. */
				free(names[nsub]);
				names[nsub++] = xstrdup(rel.s);
			} else if (!S_ISREG(st.st_mode)) {
				if (!count_only)
					in->st->special++;
			} else if (count_only) {
				in->total_files++;
				in->total_bytes += st.st_size;
			} else {
				cat_file_t cf;
				int found = cat_file_get(in->c, in->cid, rel.s, &cf);

				in->st->files++;
				in->st->bytes += st.st_size;
				if (found < 0) {
					rc = -1;
				} else if (found == 0 && cf.size == st.st_size && cf.mtime == st.st_mtim.tv_sec &&
				    cf.has_crc && !(in->o->ocr && ingest_ocr_due(in->c, &cf))) {
					in->st->unchanged++;
					in->done_bytes += st.st_size;
					bit_set(&in->seen_files, cf.id);
				} else if (submit(in, rel.s, names[i], dir_id, found == 0 ? cf.id : 0, &st) < 0) {
					rc = -1;
				}
			}
		}
		/* names[0..nsub) now hold subfolder relpaths; the rest are still names. */
		for (size_t i = nsub; i < n; i++)
			free(names[i]);
		if (depth_n + nsub > cap) {
			cap = (depth_n + nsub) * 2;
			stack = xrealloc(stack, cap * sizeof(*stack));
		}
		for (size_t i = nsub; i > 0; i--)
			stack[depth_n++] = (struct frame){ names[i - 1], dir_id, f.depth + 1 };
		n = 0;
next:
		close(dirfd);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		free(f.rel);
		if (!count_only && rc == 0 && drain(in, MAX_INFLIGHT + 1) < 0)
			rc = -1;
	}
	while (depth_n > 0)
		free(stack[--depth_n].rel);
	free(stack);
	strbuf_release(&rel);
	return rc;
}

int
ingest_run(cat_t *c, int64_t collection_id, const char *root, const ingest_opts_t *o,
    ingest_stats_t *st)
{
	struct ingest in;
	pthread_t *threads;
	int nthreads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	int rc = -1, started = 0;
	char b1[32], b2[32];

	int rootfd;
	docjail_t *jail, *ocr_jail;
	docjail_conf_t jc;
	extract_tools_t tools = { 0 };

	/* An unreadable root (an unmounted disk, a permissions change) must not
	 * look like a folder whose files were all deleted. */
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0) {
		log_err("cannot read %s: %s; the catalogue was not changed", root, strerror(errno));
		memset(st, 0, sizeof(*st));
		return -1;
	}
	memset(&jc, 0, sizeof(jc));
	jc.mode = o->sandbox;
	jc.tools[0] = o->pdftotext_path ? o->pdftotext_path : EXTRACT_PDFTOTEXT;
	jc.tools[1] = o->unrtf_path ? o->unrtf_path : EXTRACT_UNRTF;
	jc.tools[2] = o->catdoc_path ? o->catdoc_path : EXTRACT_CATDOC;
	jc.tools[3] = o->xls2csv_path ? o->xls2csv_path : EXTRACT_XLS2CSV;
	jail = docjail_new(&jc);
	ocr_jail = jail && o->ocr ? ingest_ocr_jail(o->sandbox, o->tesseract_path, o->pdftoppm_path,
	    o->ocr_languages, &tools) : NULL;
	if (jail == NULL || (o->ocr && ocr_jail == NULL)) {
		docjail_free(jail);
		close(rootfd);
		memset(st, 0, sizeof(*st));
		return -1;
	}
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	memset(st, 0, sizeof(*st));
	memset(&in, 0, sizeof(in));
	in.ocr_jail = ocr_jail;
	in.tools = tools;
	in.c = c;
	in.cid = collection_id;
	in.root = root;
	in.rootfd = rootfd;
	in.jail = jail;
	if ((in.rules = cat_withhold_rules_load(c, collection_id)) == NULL) {
		docjail_free(jail);
		docjail_free(ocr_jail);
		close(rootfd);
		return -1;
	}
	in.tools.pdftotext = jc.tools[0];
	in.tools.unrtf = jc.tools[1];
	in.tools.catdoc = jc.tools[2];
	in.tools.xls2csv = jc.tools[3];
	in.o = o;
	in.st = st;
	in.start = now_ms();
	strbuf_init(&in.problems);
	strbuf_init(&in.unread);
	pthread_mutex_init(&in.mu, NULL);
	pthread_cond_init(&in.todo_cv, NULL);
	pthread_cond_init(&in.done_cv, NULL);
	threads = xcalloc((size_t)nthreads, sizeof(*threads));
	/* A quick stat-only pass gives the progress bar its totals (and an ETA). */
	if (o->progress)
		walk(&in, 1);
	for (; started < nthreads; started++)
		if (pthread_create(&threads[started], NULL, worker, &in) != 0) {
			log_err("cannot start hashing threads: %s", strerror(errno));
			goto stop;
		}
	if (walk(&in, 0) < 0)
		goto stop;
	for (;;) {
		int left;
		if (drain(&in, 1) < 0)
			goto stop;
		pthread_mutex_lock(&in.mu);
		left = in.inflight;
		pthread_mutex_unlock(&in.mu);
		if (left == 0)
			break;
	}
	rc = 0;
stop:
	pthread_mutex_lock(&in.mu);
	in.stopping = 1;
	pthread_cond_broadcast(&in.todo_cv);
	pthread_mutex_unlock(&in.mu);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	/* Jobs that never got written (after a failure): drop them. */
	while (in.todo) {
		struct job *j = in.todo;
		in.todo = j->next;
		job_free(j);
	}
	while (in.done) {
		struct job *j = in.done;
		in.done = j->next;
		job_free(j);
	}
	if (rc == 0 && txn_maybe_commit(&in, 1) < 0)
		rc = -1;
	if (rc < 0 && in.in_txn)
		cat_rollback(c);
	if (rc == 0 && st->files == 0 && st->errors == 0) {
		cat_collection_t col;
		if (cat_collection_get_id(c, collection_id, &col) == 0 && col.files > 0) {
			log_err("%s holds no files now, but the catalogue lists %lld (an unmounted disk?); nothing "
			    "was removed. If the collection is really empty, `broadside rm %s`.", root,
			    (long long)col.files, col.slug);
			rc = -1;
		}
		cat_collection_clear(&col);
	}
	/* Removals only after a complete walk: a partial walk must not drop files. */
	if (rc == 0 && cat_collection_finish(c, collection_id, keep_file, keep_dir, &in, &st->removed) < 0)
		rc = -1;
	st->hashed = in.hashed;
	st->ms = now_ms() - in.start;
	progress_draw(&in, 1);
	if (in.nproblems > 0) {
		say(o, 0, "broadside: %lld file%s or folder%s could not be read and %s skipped:\n%s",
		    (long long)st->errors, st->errors == 1 ? "" : "s", st->errors == 1 ? "" : "s",
		    st->errors == 1 ? "was" : "were", in.problems.s);
		if (in.nproblems > MAX_LISTED_ERRORS)
			say(o, 0, "  ... and %d more\n", in.nproblems - MAX_LISTED_ERRORS);
	}
	if (in.nunread > 0) {
		say(o, 0, "broadside: %lld file%s could not be read for the search index "
		    "(catalogued, findable by name only):\n%s", (long long)st->unread,
		    st->unread == 1 ? "" : "s", in.unread.s);
		if (in.nunread > MAX_LISTED_ERRORS)
			say(o, 0, "  ... and %d more\n", in.nunread - MAX_LISTED_ERRORS);
	}
	if (o->ocr && !o->quiet)
		say(o, 0, "broadside: OCR read %lld pages of %lld files in %.1f s of work (%.1f pages a minute "
		    "per thread)\n", (long long)st->ocr_pages, (long long)st->ocr_files, (double)in.ocr_ms / 1000.0,
		    in.ocr_ms > 0 ? (double)st->ocr_pages * 60000.0 / (double)in.ocr_ms : 0.0);
	if (!o->quiet) {
		human_bytes(st->hashed, b1, sizeof(b1));
		human_bytes(st->ms > 0 ? st->hashed * 1000 / st->ms : st->hashed, b2, sizeof(b2));
		strbuf_t r;

		strbuf_init(&r);
		text_term_escape(&r, root, strlen(root));
		say(o, 0, "broadside: %s: %lld files, %s hashed in %.1f s (%s/s)%s\n", r.s ? r.s : "",
		    (long long)st->files, b1, (double)st->ms / 1000.0, b2, rc == 0 ? "" : ", stopped by an error");
		strbuf_release(&r);
	}
	pthread_mutex_destroy(&in.mu);
	pthread_cond_destroy(&in.todo_cv);
	pthread_cond_destroy(&in.done_cv);
	free(threads);
	free(in.seen_files.w);
	free(in.seen_dirs.w);
	strbuf_release(&in.problems);
	strbuf_release(&in.unread);
	docjail_free(jail);
	docjail_free(ocr_jail);
	cat_withhold_rules_free(in.rules);
	close(rootfd);
	return rc;
}

int
ingest_sha256_file(const char *path, unsigned char out[32], int64_t *size)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *buf = xmalloc(READ_CHUNK);
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	int64_t total = 0;

	if (fd < 0 || md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto done;
	for (;;) {
		ssize_t r = read(fd, buf, READ_CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto done;
		if (r == 0)
			break;
		EVP_DigestUpdate(md, buf, (size_t)r);
		total += r;
	}
	EVP_DigestFinal_ex(md, out, NULL);
	if (size)
		*size = total;
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}
