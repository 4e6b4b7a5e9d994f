/* cat_withhold: see cat_withhold.h. Withholding deletes rows rather than
 * flagging them: every query anyone writes (pages, /f/, search, manifests,
 * archives, views added later) then sees the file as absent without knowing
 * that withholding exists, and the 404 cannot differ from a never-existing
 * file's. */
#include "catalogue/cat_withhold.h"

#include <fnmatch.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue/cat_int.h"
#include "base/log.h"
#include "base/util.h"

int
cat_withhold_normalise(const char *pattern, char **out, const char **why)
{
	size_t len = strlen(pattern), n = 0;
	char *s = xmalloc(len + 1);
	const char *p = pattern;

	*out = NULL;
	if (len > CAT_WITHHOLD_PATTERN_MAX) {
		*why = "the path is too long";
		goto fail;
	}
	/* Split on '/', dropping empty parts and leading "."; refuse ".." and "."
	 * elsewhere (they would make one path look like another). */
	while (*p) {
		const char *e = strchr(p, '/');
		size_t plen = e ? (size_t)(e - p) : strlen(p);

		if (plen == 0 || (plen == 1 && p[0] == '.' && n == 0)) {
			p += plen + (e != NULL);
			continue;
		}
		if ((plen == 1 && p[0] == '.') || (plen == 2 && p[0] == '.' && p[1] == '.')) {
			*why = "the path may not hold \".\" or \"..\"";
			goto fail;
		}
		for (size_t i = 0; i < plen; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) {
				*why = "the path may not hold control characters";
				goto fail;
			}
		if (n > 0)
			s[n++] = '/';
		memcpy(s + n, p, plen);
		n += plen;
		p += plen + (e != NULL);
	}
	s[n] = '\0';
	if (n == 0) {
		*why = "the path names the whole collection (use `broadside rm` for that)";
		goto fail;
	}
	*out = s;
	return 0;
fail:
	free(s);
	return -1;
}

/* Is `path` the pattern (or beneath it) taken literally? */
static int
literal_match(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);

	return strncmp(path, pattern, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int
cat_withhold_match(const char *pattern, const char *relpath)
{
	size_t len = strlen(relpath);
	char buf[CAT_WITHHOLD_PATTERN_MAX + 1], *tmp;
	int slash = strchr(pattern, '/') != NULL, hit = 0;

	/* A name holding '[' is first of all itself: "report [draft].pdf". */
	if (literal_match(pattern, relpath))
		return 1;
	if (strpbrk(pattern, "*?[") == NULL)
		return 0;
	tmp = len < sizeof(buf) ? buf : xmalloc(len + 1);
	memcpy(tmp, relpath, len + 1);
	for (size_t i = 0, start = 0; i <= len && !hit; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		/* Without '/': each name along the path; with: each leading part. */
		hit = slash ? fnmatch(pattern, tmp, FNM_PATHNAME) == 0 : fnmatch(pattern, tmp + start, 0) == 0;
		tmp[i] = relpath[i];
		start = i + 1;
	}
	if (tmp != buf)
		free(tmp);
	return hit;
}

/* Rules: literal paths sorted for bsearch (a review may withhold thousands of
 * files at once), globs tried one by one. */
struct cat_withhold_rules {
	char **literal, **glob;
	size_t nlit, nglob;
};

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
rules_add(cat_withhold_rules_t *r, const char *pattern)
{
	if (strpbrk(pattern, "*?[") == NULL) {
		r->literal = xrealloc(r->literal, (r->nlit + 1) * sizeof(*r->literal));
		r->literal[r->nlit++] = xstrdup(pattern);
	} else {
		r->glob = xrealloc(r->glob, (r->nglob + 1) * sizeof(*r->glob));
		r->glob[r->nglob++] = xstrdup(pattern);
	}
}

static void
rules_sort(cat_withhold_rules_t *r)
{
	if (r->nlit > 1)
		qsort(r->literal, r->nlit, sizeof(*r->literal), str_cmp);
}

/* A path longer than any pattern: compared with each literal. */
static int
slow_literal(const cat_withhold_rules_t *r, const char *relpath)
{
	for (size_t i = 0; i < r->nlit; i++)
		if (cat_withhold_match(r->literal[i], relpath))
			return 1;
	return 0;
}

/* Ids of a collection's files or folders that the rules match, sorted. */
struct idset {
	int64_t *id;
	size_t n, cap;
};

static int
collect(cat_t *c, const char *sql, int64_t col_id, const cat_withhold_rules_t *r, struct idset *set)
{
	sqlite3_stmt *s = NULL;
	int step;

	if (sqlite3_prepare_v2(cat_db(c), sql, -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "find withheld entries");
	sqlite3_bind_int64(s, 1, col_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(s, 1);

		if (path == NULL || !cat_withhold_rules_match(r, path))
			continue;
		if (set->n == set->cap) {
			set->cap = set->cap ? set->cap * 2 : 64;
			set->id = xrealloc(set->id, set->cap * sizeof(*set->id));
		}
		set->id[set->n++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE)
		return cat_db_error_(c, "find withheld entries");
	return 0;
}

static int
id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int
in_set(const struct idset *set, int64_t id)
{
	return set->n > 0 && bsearch(&id, set->id, set->n, sizeof(*set->id), id_cmp) != NULL;
}

struct both {
	struct idset files, dirs;
};

static int
keep_file(int64_t id, void *arg)
{
	return !in_set(&((struct both *)arg)->files, id);
}

static int
keep_dir(int64_t id, void *arg)
{
	return !in_set(&((struct both *)arg)->dirs, id);
}

int
cat_withhold_add(cat_t *c, const char *slug, int64_t col_id, const char *const *patterns, size_t npatterns,
    const char *reason, int64_t *files, int64_t *dirs)
{
	cat_withhold_rules_t r = { NULL, NULL, 0, 0 };
	sqlite3 *db = cat_db(c);
	sqlite3_stmt *s = NULL;
	struct both b = { { 0 }, { 0 } };
	int64_t removed = 0;
	int rc = -1;

	*files = *dirs = 0;
	/* Freed pages are overwritten, so the withheld text does not linger in the
	 * catalogue file (which goes into identity backups). */
	if (cat_exec_(c, "PRAGMA secure_delete = ON") < 0 || cat_begin(c) < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "INSERT INTO withheld (slug, pattern, reason, created) VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT (slug, pattern) DO UPDATE SET reason = excluded.reason", -1, &s, NULL) != SQLITE_OK) {
		cat_db_error_(c, "record the withholding");
		goto done;
	}
	for (size_t i = 0; i < npatterns; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, patterns[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (int64_t)time(NULL));
		if (cat_step_done_(c, s, "record the withholding") < 0)
			goto done;
		rules_add(&r, patterns[i]);
	}
	rules_sort(&r);
	if (col_id > 0) {
		if (collect(c, "SELECT id, path FROM files WHERE collection_id = ?1", col_id, &r, &b.files) < 0 ||
		    collect(c, "SELECT id, path FROM dirs WHERE collection_id = ?1 AND depth > 0", col_id, &r,
		    &b.dirs) < 0)
			goto done;
		if (b.files.n > 1)
			qsort(b.files.id, b.files.n, sizeof(*b.files.id), id_cmp);
		if (b.dirs.n > 1)
			qsort(b.dirs.id, b.dirs.n, sizeof(*b.dirs.id), id_cmp);
		if ((b.files.n > 0 || b.dirs.n > 0) &&
		    cat_collection_prune_(c, col_id, keep_file, keep_dir, &b, &removed) < 0)
			goto done;
	}
	rc = cat_commit(c);
	*files = (int64_t)b.files.n;
	*dirs = (int64_t)b.dirs.n;
done:
	sqlite3_finalize(s);
	if (rc < 0)
		cat_rollback(c);
	else if (b.files.n > 0 || b.dirs.n > 0) {
		/* FTS5 deletes by adding tombstones; merging drops the withheld
		 * words from the index itself. Then the old pages leave the WAL too
		 * (best effort: a reader can hold the log until it is done). */
		if (cat_fts_tidy(c, 0) < 0)
			rc = -1;
		(void)sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	(void)cat_exec_(c, "PRAGMA secure_delete = OFF");
	free(b.files.id);
	free(b.dirs.id);
	for (size_t i = 0; i < r.nlit; i++)
		free(r.literal[i]);
	for (size_t i = 0; i < r.nglob; i++)
		free(r.glob[i]);
	free(r.literal);
	free(r.glob);
	return rc;
}

int
cat_withhold_remove(cat_t *c, const char *slug, const char *pattern)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(cat_db(c), "DELETE FROM withheld WHERE slug = ?1 AND pattern = ?2", -1, &s,
	    NULL) != SQLITE_OK)
		return cat_db_error_(c, "remove the withholding");
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, pattern, -1, SQLITE_STATIC);
	rc = cat_step_done_(c, s, "remove the withholding");
	sqlite3_finalize(s);
	if (rc < 0)
		return -1;
	return sqlite3_changes(cat_db(c)) > 0 ? 0 : 1;
}

int
cat_withhold_each(cat_t *c, const char *slug,
    int (*fn)(const cat_withholding_t *w, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	int step, rc = 0;

	if (sqlite3_prepare_v2(cat_db(c), "SELECT slug, pattern, reason, created FROM withheld"
	    " WHERE ?1 IS NULL OR slug = ?1 ORDER BY slug, pattern", -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "read withholdings");
	if (slug)
		sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		cat_withholding_t w = {
			(const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2), sqlite3_column_int64(s, 3),
		};
		rc = fn(&w, arg);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = cat_db_error_(c, "read withholdings");
	sqlite3_finalize(s);
	return rc;
}


cat_withhold_rules_t *
cat_withhold_rules_load(cat_t *c, int64_t col_id)
{
	cat_withhold_rules_t *r = xcalloc(1, sizeof(*r));
	sqlite3_stmt *s = NULL;
	int step;

	if (sqlite3_prepare_v2(cat_db(c), "SELECT pattern FROM withheld WHERE slug ="
	    " (SELECT slug FROM collections WHERE id = ?1)", -1, &s, NULL) != SQLITE_OK) {
		cat_db_error_(c, "read withholdings");
		free(r);
		return NULL;
	}
	sqlite3_bind_int64(s, 1, col_id);
	while ((step = sqlite3_step(s)) == SQLITE_ROW)
		rules_add(r, (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		cat_db_error_(c, "read withholdings");
		cat_withhold_rules_free(r);
	} else {
		rules_sort(r);
	}
	return r;
}

int
cat_withhold_rules_match(const cat_withhold_rules_t *r, const char *relpath)
{
	char buf[CAT_WITHHOLD_PATTERN_MAX + 1];
	size_t len = strlen(relpath);

	for (size_t i = 0; i < r->nglob; i++)
		if (cat_withhold_match(r->glob[i], relpath))
			return 1;
	if (r->nlit == 0 || len > CAT_WITHHOLD_PATTERN_MAX)
		return r->nlit > 0 && len > CAT_WITHHOLD_PATTERN_MAX && slow_literal(r, relpath);
	/* The path itself and each of its folders, one lookup each. */
	memcpy(buf, relpath, len + 1);
	for (size_t i = len + 1; i-- > 0;) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		{
			const char *key = buf;
			if (bsearch(&key, r->literal, r->nlit, sizeof(*r->literal), str_cmp))
				return 1;
		}
	}
	return 0;
}

size_t
cat_withhold_rules_count(const cat_withhold_rules_t *r)
{
	return r->nlit + r->nglob;
}

void
cat_withhold_rules_free_(cat_withhold_rules_t *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nlit; i++)
		free(r->literal[i]);
	for (size_t i = 0; i < r->nglob; i++)
		free(r->glob[i]);
	free(r->literal);
	free(r->glob);
	free(r);
}
