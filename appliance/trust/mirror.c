/* mirror: see mirror.h. */
#include "trust/mirror.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/beneath.h"
#include "base/log.h"
#include "base/text.h"
#include "trust/manifest.h"
#include "trust/mirror_index.h"
#include "base/util.h"

#define MAX_ATTEMPTS 4
#define SIG_MAX 4096

/* ---------- manifests ---------- */

struct to_fd {
	int fd;
	int64_t max, got;
};

static int
body_to_fd(void *arg, const uint8_t *p, size_t n)
{
	struct to_fd *t = arg;
	const uint8_t *c = p;

	t->got += (int64_t)n;
	if (t->max > 0 && t->got > t->max)
		return -1;
	return write_all(t->fd, c, n);
}

static const char *const manifest_files[] = {
	"index.json", "index.json.minisig", "SHA256SUMS", "SHA256SUMS.minisig",
};

void
mirror_manifests_clean(const char *work)
{
	for (size_t i = 0; i < ARRAY_LEN(manifest_files); i++) {
		char *p = xasprintf("%s/%s", work, manifest_files[i]);
		unlink(p);
		free(p);
	}
}

/* Name the options behind fetch's "slower than …" in err. */
static void
slow_hint(char *err, size_t errlen)
{
	size_t n = strlen(err);

	snprintf(err + n, errlen - n, " (--min-rate, --min-rate-time)");
}

/* GET /m/<slug>/name into work/name (replaced), at most max bytes. */
static int
get_to_file(const mirror_opts_t *o, const char *name, int64_t max, char *err, size_t errlen)
{
	char *path = xasprintf("%s/%s", o->work, name), *url = xasprintf("/m/%s/%s", o->slug, name);
	struct to_fd t = { -1, max, 0 };
	fetch_result_t res;
	int rc = -1, r;

	t.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (t.fd < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto done;
	}
	if ((r = fetch_get(o->fetch, url, 0, NULL, max, body_to_fd, &t, &res, err, errlen)) < 0) {
		if (r == FETCH_TOO_BIG || t.got > max)
			snprintf(err, errlen, "%s is larger than %lld bytes (%s)", name, (long long)max,
			    max == SIG_MAX ? "a signature is ~300" : "--max-manifest-size");
		else if (r == FETCH_TOO_SLOW)
			slow_hint(err, errlen);
		goto done;
	}
	if (res.status != 200) {
		snprintf(err, errlen, "%s: HTTP %d%s", url, res.status,
		    res.status == 404 ? " (no such collection on the origin?)" : "");
		goto done;
	}
	rc = 0;
done:
	if (t.fd >= 0)
		close(t.fd);
	free(path);
	free(url);
	return rc;
}

/* A fetched manifest's signature, and what it says. */
struct signed_file {
	const char *name;
	sign_sig_t sig;
	manifest_tc_t tc;
	uint8_t hash[SIGN_HASH_LEN];     /* BLAKE2b-512 of the file, once fetched */
};

/* Read work/<name>.minisig; check its trusted comment against the key (before
 * the file is fetched) and its file: and collection: fields. */
static int
check_sig(const mirror_opts_t *o, struct signed_file *m, char *err, size_t errlen)
{
	char *sigp = xasprintf("%s/%s.minisig", o->work, m->name), e2[256];
	size_t n;
	char *text = read_file_small(sigp, SIG_MAX, &n);
	int rc = -1;

	if (text == NULL) {
		snprintf(err, errlen, "BAD SIGNATURE: cannot read %s.minisig", m->name);
	} else if (sign_sig_parse(text, n, &m->sig) < 0) {
		snprintf(err, errlen, "BAD SIGNATURE: %s.minisig is not a minisign signature", m->name);
	} else if (sign_verify_trusted(o->pub, &m->sig, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "BAD SIGNATURE: %s: %s", m->name, e2);
	} else if (manifest_tc_parse(m->sig.trusted, &m->tc) < 0) {
		snprintf(err, errlen, "%s: the signed trusted comment is malformed", m->name);
	} else if (strcmp(m->tc.file, m->name) != 0) {
		/* A genuine signature over another file (SHA256SUMS's served as index.json's). */
		snprintf(err, errlen, "%s: signed as file:%s, not %s (a genuine signature for another file)", m->name,
		    m->tc.file[0] ? m->tc.file : "(none)", m->name);
	} else if (strcmp(m->tc.collection, o->slug) != 0) {
		/* A genuine manifest of another collection is not this one's. */
		snprintf(err, errlen, "%s is signed for another collection (%s)", m->name, m->tc.collection);
	} else {
		rc = 0;
	}
	free(text);
	free(sigp);
	return rc;
}

/* Check work/<name> against its signature. */
static int
check_file(const mirror_opts_t *o, struct signed_file *m, char *err, size_t errlen)
{
	char *p = xasprintf("%s/%s", o->work, m->name), e2[256];
	int rc = -1;

	if (sign_hash_file(p, m->hash) < 0)
		snprintf(err, errlen, "cannot read %s: %s", p, strerror(errno));
	else if (sign_verify(o->pub, &m->sig, m->hash, e2, sizeof(e2)) < 0)
		snprintf(err, errlen, "BAD SIGNATURE: %s: %s", m->name, e2);
	else
		rc = 0;
	free(p);
	return rc;
}

static int
same_hash(const char *dir, const char *name, const uint8_t hash[SIGN_HASH_LEN])
{
	char *p = xasprintf("%s/%s", dir, name);
	uint8_t h[SIGN_HASH_LEN];
	int same = sign_hash_file(p, h) == 0 && memcmp(h, hash, SIGN_HASH_LEN) == 0;

	free(p);
	return same;
}

/* Count the installed index's files and those the new one no longer lists
 * (both sorted: one merge). -1 if the installed index cannot be read. */
static int
count_removed(const char *installed, const char *work, int64_t *old_n, int64_t *removed)
{
	mirror_index_reader_t a, b;
	mirror_index_entry_t ea, eb;
	int na, nb, rc = -1;

	*old_n = *removed = 0;
	if (mirror_index_reader_open(&a, installed) < 0)
		return -1;
	if (mirror_index_reader_open(&b, work) < 0) {
		mirror_index_reader_close(&a);
		return -1;
	}
	memset(&eb, 0, sizeof(eb));
	nb = mirror_index_reader_next(&b, &eb);
	while ((na = mirror_index_reader_next(&a, &ea)) == 0) {
		(*old_n)++;
		while (nb == 0 && strcmp(eb.path, ea.path) < 0) {
			mirror_index_entry_clear(&eb);
			nb = mirror_index_reader_next(&b, &eb);
		}
		if (!(nb == 0 && strcmp(eb.path, ea.path) == 0))
			(*removed)++;
		mirror_index_entry_clear(&ea);
	}
	if (na == 1 && nb >= 0)
		rc = 0;
	mirror_index_entry_clear(&eb);
	mirror_index_reader_close(&a);
	mirror_index_reader_close(&b);
	return rc;
}

/* The version against the installed one: known from the signatures alone. */
static int
check_version(const mirror_opts_t *o, const manifest_version_t *v, manifest_version_t *inst, char *err,
    size_t errlen)
{
	char vn[48], vi[48];

	if (o->installed == NULL || manifest_dir_version(o->installed, inst) == 0)
		return 0;       /* a first mirror: nothing to compare with */
	if (manifest_version_cmp(v, inst) >= 0)
		return 0;
	manifest_version_format(v, vn, sizeof(vn));
	manifest_version_format(inst, vi, sizeof(vi));
	snprintf(err, errlen, "rollback: the origin's manifests are version %s, older than the installed "
	    "version %s; whoever holds the publisher key may be replaying an old, genuinely signed set. "
	    "Refused; keeping version %s", vn, vi, vi);
	return -1;
}

/* What needs the fetched files: the same version with other bytes, removals. */
static int
check_content(const mirror_opts_t *o, const struct signed_file *ix, const struct signed_file *sums,
    const manifest_version_t *inst, char *err, size_t errlen)
{
	char vn[48];
	int64_t old_n, removed;

	if (o->installed == NULL || access(o->installed, F_OK) != 0)
		return 0;
	manifest_version_format(&ix->tc.version, vn, sizeof(vn));
	/* Two unversioned sets (an origin not yet upgraded) cannot be ordered. */
	if (manifest_version_cmp(&ix->tc.version, inst) == 0 && inst->time != 0 &&
	    !(same_hash(o->installed, "index.json", ix->hash) && same_hash(o->installed, "SHA256SUMS", sums->hash))) {
		snprintf(err, errlen, "equivocation: the origin serves version %s, the same version as the installed "
		    "one but other content (signed twice by the key holder). Refused; keeping it", vn);
		return -1;
	}
	if (o->max_removals_pct < 100 && count_removed(o->installed, o->work, &old_n, &removed) == 0 &&
	    removed * 100 > old_n * o->max_removals_pct) {
		snprintf(err, errlen, "removals: version %s removes %lld of the %lld installed files (more than "
		    "%d%%); not mirroring it. If the publisher really removed them, run again with "
		    "--accept-removals (or a higher --max-removals PCT)", vn, (long long)removed, (long long)old_n,
		    o->max_removals_pct);
		return -1;
	}
	return 0;
}

int
mirror_fetch_manifests(const mirror_opts_t *o, char *err, size_t errlen)
{
	struct signed_file m[2];
	manifest_version_t inst = { 0, 0 };
	char e2[512], va[48], vb[48];
	int rc = -1;

	memset(m, 0, sizeof(m));
	m[0].name = "index.json";
	m[1].name = "SHA256SUMS";
	if (mkdir_p(o->work, 0700) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", o->work, strerror(errno));
		return -1;
	}
	/* Signatures first: a refused version costs two small requests, not the manifests. */
	for (size_t i = 0; i < ARRAY_LEN(m); i++) {
		char *sig = xasprintf("%s.minisig", m[i].name);
		int r = get_to_file(o, sig, SIG_MAX, e2, sizeof(e2));
		free(sig);
		if (r < 0) {
			snprintf(err, errlen, "cannot fetch the manifests: %s — not mirroring anything", e2);
			goto done;
		}
		if (check_sig(o, &m[i], e2, sizeof(e2)) < 0) {
			snprintf(err, errlen, "%s — not mirroring anything", e2);
			goto done;
		}
	}
	if (o->seen)
		*o->seen = m[0].tc.version;
	if (manifest_version_cmp(&m[0].tc.version, &m[1].tc.version) != 0) {
		manifest_version_format(&m[0].tc.version, va, sizeof(va));
		manifest_version_format(&m[1].tc.version, vb, sizeof(vb));
		snprintf(err, errlen, "mix-and-match: index.json is version %s but SHA256SUMS is version %s (each "
		    "genuinely signed, from two versions). Refused; keeping the installed version", va, vb);
		goto done;
	}
	if (check_version(o, &m[0].tc.version, &inst, err, errlen) < 0)
		goto done;
	for (size_t i = 0; i < ARRAY_LEN(m); i++) {
		if (get_to_file(o, m[i].name, o->max_manifest, e2, sizeof(e2)) < 0) {
			snprintf(err, errlen, "cannot fetch the manifests: %s — not mirroring anything", e2);
			goto done;
		}
		if (check_file(o, &m[i], e2, sizeof(e2)) < 0) {
			snprintf(err, errlen, "%s — not mirroring anything", e2);
			goto done;
		}
	}
	if (check_content(o, &m[0], &m[1], &inst, err, errlen) < 0)
		goto done;
	rc = 0;
done:
	sign_sig_clear(&m[0].sig);
	sign_sig_clear(&m[1].sig);
	if (rc < 0)
		mirror_manifests_clean(o->work);
	return rc;
}

/* ---------- files ---------- */

/* Tell the operator: prefix, the untrusted path escaped, then suffix (a
 * line that replaces the progress line, when there is one). */
static void
say_path(const mirror_opts_t *o, const char *prefix, const char *path, const char *suffix)
{
	strbuf_t t;

	if (o->say == NULL)
		return;
	strbuf_init(&t);
	strbuf_adds(&t, prefix);
	text_term_escape(&t, path, strlen(path));
	strbuf_adds(&t, suffix);
	o->say(o->progress_arg, o->progress != NULL, t.s);
	strbuf_release(&t);
}

struct dl {
	int fd;
	EVP_MD_CTX *md;
	int64_t size, got, from;
	const fetch_result_t *res;
	int checked;
	const mirror_opts_t *o;
	mirror_progress_t *prog;
	int64_t last_ms;
};

static int
body_to_partial(void *arg, const uint8_t *p, size_t n)
{
	struct dl *d = arg;
	struct to_fd t = { d->fd, 0, 0 };

	if (!d->checked) {
		d->checked = 1;
		/* An error page is not file content. */
		if (d->res->status != 200 && d->res->status != 206)
			return -1;
		if (d->res->status == 206 && d->res->range_start != d->from)
			return -1;
		/* 200 to a Range request: If-Range said the partial is stale; start over. */
		if (d->res->status == 200 && d->from > 0) {
			if (ftruncate(d->fd, 0) < 0 || lseek(d->fd, 0, SEEK_SET) < 0)
				return -1;
			EVP_DigestInit_ex(d->md, EVP_sha256(), NULL);
			d->prog->bytes_done -= d->got;
			d->got = 0;
		}
	}
	if (d->got + (int64_t)n > d->size)
		return -1;    /* more than the signed size: not this file */
	if (body_to_fd(&t, p, n) < 0)
		return -1;
	EVP_DigestUpdate(d->md, p, n);
	d->got += (int64_t)n;
	d->prog->bytes_done += (int64_t)n;
	if (d->o->progress && now_ms() - d->last_ms >= 250) {
		d->last_ms = now_ms();
		d->o->progress(d->o->progress_arg, d->prog, 0);
	}
	return 0;
}

/* SHA-256 of what is already in fd (the part fetched before), into md. */
static int
hash_prefix(int fd, EVP_MD_CTX *md, int64_t n)
{
	uint8_t *buf = xmalloc(1 << 20);
	int64_t off = 0;
	int rc = 0;

	while (off < n) {
		ssize_t r = pread(fd, buf, (size_t)(n - off < (1 << 20) ? n - off : (1 << 20)), off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = -1;
			break;
		}
		EVP_DigestUpdate(md, buf, (size_t)r);
		off += r;
	}
	free(buf);
	return rc;
}

static int
hash_path(const char *path, char hex[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct stat st;
	uint8_t h[32];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;

	if (fd >= 0 && md && fstat(fd, &st) == 0 && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    hash_prefix(fd, md, st.st_size) == 0) {
		EVP_DigestFinal_ex(md, h, NULL);
		text_hex(hex, h, 32);
		rc = 0;
	}
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	return rc;
}

/* Bytes of bodies in the quarantine folder (not the REPORT). */
static int64_t
quarantine_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat sb;
	int64_t sum = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, "REPORT") != 0 && fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(sb.st_mode))
			sum += sb.st_size;
	closedir(d);
	return sum;
}

void
mirror_quarantine(const mirror_opts_t *o, const char *partial, const mirror_index_entry_t *e, const char *got)
{
	char *dst = xasprintf("%s/%s", o->quarantine, got), *rep = xasprintf("%s/REPORT", o->quarantine);
	strbuf_t line;
	FILE *f;

	struct stat sb;
	int kept = 0;

	mkdir_p(o->quarantine, 0700);
	/* Bodies are kept up to quarantine_max bytes in all; a hostile origin can
	 * send new garbage on every run, so beyond that only the REPORT line stays. */
	if (lstat(partial, &sb) == 0 && quarantine_bytes(o->quarantine) + sb.st_size <= o->quarantine_max)
		kept = rename(partial, dst) == 0;
	if (!kept)
		unlink(partial);
	strbuf_init(&line);
	/* REPORT: "<got hex>  <path>" as SHA256SUMS escapes it, then what was expected. */
	manifest_sums_line(&line, got, e->path);
	line.s[line.len - 1] = '\0';
	if ((f = fopen(rep, "a")) != NULL) {
		fprintf(f, "%s\texpected %s\t%lld%s\n", line.s, e->sha256, (long long)time(NULL),
		    kept ? "" : "\tbody not kept (quarantine full)");
		fclose(f);
	}
	{
		char *why = xasprintf(" — its bytes do not match the signed manifest (kept in %s)\n",
		    o->quarantine);
		say_path(o, "QUARANTINED: ", e->path, why);
		free(why);
	}
	strbuf_release(&line);
	free(dst);
	free(rep);
}

/* Fetch one file into place. 0 fetched, 1 quarantined, -1 failed (reported),
 * -2 the deadline passed (partial kept). */
static int
fetch_file(const mirror_opts_t *o, const mirror_index_entry_t *e, mirror_progress_t *prog, mirror_stats_t *st)
{
	char *partial = xasprintf("%s/%s", o->work, e->sha256), *enc = fetch_path_encode(e->path);
	char *url = xasprintf("/f/%s/%s", o->slug, enc), got_hex[65], err[512];
	struct dl d;
	struct stat sb;
	uint8_t h[32];
	int rc = -1;

	memset(&d, 0, sizeof(d));
	d.o = o;
	d.prog = prog;
	d.size = e->size;
	d.md = EVP_MD_CTX_new();
	d.fd = open(partial, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (d.fd < 0 || fstat(d.fd, &sb) < 0) {
		log_err("cannot write %s: %s", partial, strerror(errno));
		goto done;
	}
	if (sb.st_size > e->size && ftruncate(d.fd, 0) < 0)
		goto done;
	d.got = sb.st_size > e->size ? 0 : sb.st_size;
	if (d.got > 0 && d.got < e->size)
		st->resumed++;
	EVP_DigestInit_ex(d.md, EVP_sha256(), NULL);
	if (hash_prefix(d.fd, d.md, d.got) < 0)
		goto done;
	prog->bytes_done += d.got;
	st->bytes_fetched -= d.got;     /* fetched by an earlier run */
	for (int attempt = 0; d.got < e->size && attempt < MAX_ATTEMPTS; attempt++) {
		fetch_result_t res;
		int64_t from = d.got;
		lseek(d.fd, from, SEEK_SET);
		d.from = from;
		d.res = &res;
		d.checked = 0;
		int r = fetch_get(o->fetch, url, from, e->sha256, e->size, body_to_partial, &d, &res, err, sizeof(err));
		if (r == FETCH_DEADLINE || r == FETCH_TOO_SLOW) {
			/* Not worth retrying now: an origin this slow is slow again. */
			if (r == FETCH_DEADLINE)
				rc = -2;
			else
				slow_hint(err, sizeof(err));
			break;
		}
		if (res.status != 0 && res.status != 200 && res.status != 206) {
			snprintf(err, sizeof(err), "HTTP %d", res.status);
			break;
		}
		if (r < 0 && d.got > from)
			attempt = 0;      /* progress was made: keep trying */
		if (r < 0)
			continue;
		if (res.status == 206 && res.range_start != from) {
			/* Bytes at the wrong offset may be in the partial: drop it. */
			if (ftruncate(d.fd, 0) == 0)
				d.got = 0;
			snprintf(err, sizeof(err), "bad Content-Range");
			break;
		}
		if (d.got < e->size)
			snprintf(err, sizeof(err), "short response");
	}
	if (d.got < e->size && rc == -2)
		goto done;
	if (d.got < e->size) {
		char *why = xasprintf(": %s (kept %lld bytes; run mirror again to resume)\n", err,
		    (long long)d.got);

		say_path(o, "cannot fetch ", e->path, why);
		free(why);
		goto done;
	}
	EVP_DigestFinal_ex(d.md, h, NULL);
	text_hex(got_hex, h, 32);
	if (strcmp(got_hex, e->sha256) != 0) {
		close(d.fd);
		d.fd = -1;
		mirror_quarantine(o, partial, e, got_hex);
		rc = 1;
		goto done;
	}
	{
		struct timespec ts[2] = { { e->mtime, 0 }, { e->mtime, 0 } };
		futimens(d.fd, ts);
	}
	/* Verified, and staged: it stays in the work folder, under its hash,
	 * until mirror_install puts the whole version in place. */
	rc = 0;
done:
	if (d.fd >= 0)
		close(d.fd);
	EVP_MD_CTX_free(d.md);
	free(partial);
	free(enc);
	free(url);
	return rc;
}

/* 1 if dest already holds e (size, mtime and hash), else 0. */
int
mirror_in_place(const mirror_opts_t *o, const mirror_index_entry_t *e)
{
	char *p = xasprintf("%s/%s", o->dest, e->path), hex[65];
	struct stat sb;
	cat_file_t cf;
	int yes = 0;

	if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == e->size && sb.st_mtime == e->mtime) {
		/* Catalogued with this hash at this size and mtime: no need to read it. */
		if (o->cat && o->collection_id && cat_file_get(o->cat, o->collection_id, e->path, &cf) == 0 &&
		    cf.size == e->size && cf.mtime == e->mtime && strcmp(cf.sha256, e->sha256) == 0)
			yes = 1;
		else
			yes = hash_path(p, hex) == 0 && strcmp(hex, e->sha256) == 0;
	}
	free(p);
	return yes;
}

int
mirror_sync(const mirror_opts_t *o, mirror_stats_t *st)
{
	mirror_index_reader_t r;
	mirror_index_entry_t e;
	mirror_progress_t prog;
	int64_t t0 = now_ms();
	int rc = -1, n;

	memset(st, 0, sizeof(*st));
	memset(&prog, 0, sizeof(prog));
	prog.started_ms = t0;
	/* Pass 1: what is there to fetch (for the progress bar and ETA). */
	if (mirror_index_reader_open(&r, o->work) < 0)
		return -1;
	while ((n = mirror_index_reader_next(&r, &e)) == 0) {
		prog.files_total++;
		char *p = xasprintf("%s/%s", o->dest, e.path);
		struct stat sb;
		if (!(lstat(p, &sb) == 0 && sb.st_size == e.size && sb.st_mtime == e.mtime))
			prog.bytes_total += e.size;
		free(p);
		mirror_index_entry_clear(&e);
	}
	mirror_index_reader_close(&r);
	if (n < 0) {
		log_err("the index is malformed or out of order");
		return -1;
	}
	if (mkdir_p(o->dest, 0755) < 0) {
		log_err("cannot create %s: %s", o->dest, strerror(errno));
		return -1;
	}
	/* Pass 2: fetch. */
	if (mirror_index_reader_open(&r, o->work) < 0)
		return -1;
	while ((n = mirror_index_reader_next(&r, &e)) == 0) {
		st->files++;
		if (!mirror_index_path_safe(e.path)) {
			st->skipped++;
			say_path(o, "skipped a file whose name cannot be mirrored safely", "", "\n");
		} else if (mirror_in_place(o, &e)) {
			st->unchanged++;
		} else {
			int64_t before = prog.bytes_done;
			int fr = fetch_file(o, &e, &prog, st);
			if (fr == -2) {
				st->bytes_fetched += prog.bytes_done - before;
				st->deadline = 1;
				mirror_index_entry_clear(&e);
				break;
			}
			if (fr == 0)
				st->fetched++;
			else if (fr == 1)
				st->quarantined++;
			else
				st->failed++;
			st->bytes_fetched += prog.bytes_done - before;
		}
		prog.files_done++;
		mirror_index_entry_clear(&e);
		if (o->progress)
			o->progress(o->progress_arg, &prog, 0);
	}
	if (n < 0)
		log_err("the index is malformed or out of order");
	else if (!st->deadline)
		rc = 0;
	mirror_index_reader_close(&r);
	if (o->progress)
		o->progress(o->progress_arg, &prog, 1);
	st->ms = now_ms() - t0;
	return rc;
}
