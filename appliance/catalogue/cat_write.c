/* cat_write: the writer side of the catalogue (see cat.h): collections, folders
 * and files as ingest and rm change them. Every change to docs is mirrored into
 * the external-content FTS table in the same transaction, so a crash at any point
 * leaves files, docs and fts in agreement. */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalogue/cat.h"
#include "catalogue/cat_int.h"
#include "base/beneath.h"
#include "base/log.h"
#include "base/util.h"

int
cat_collection_upsert(cat_t *c, const char *slug, const char *title, const char *description,
    const char *root, int64_t *id)
{
	cat_collection_t col;
	sqlite3_stmt *s;
	int rc = cat_collection_get(c, slug, &col);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		*id = col.id;
		cat_collection_clear(&col);
		if ((s = cat_stmt_(c, S_COLL_UPDATE)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, *id);
		sqlite3_bind_text(s, 2, title, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, description ? description : "", -1, SQLITE_STATIC);
		return cat_step_done_(c, s, "update collection");
	}
	if ((s = cat_stmt_(c, S_COLL_INSERT)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, description ? description : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, root, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (int64_t)time(NULL));
	if (cat_step_done_(c, s, "create collection") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(c->db);
	return 0;
}

int
cat_collection_delete(cat_t *c, int64_t id)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (cat_begin(c) < 0)
		return -1;
	/* Index entries first, while fts_src can still produce the old values. */
	if (sqlite3_prepare_v2(c->db, "INSERT INTO fts (fts, rowid, title, path, body, coll)"
	    " SELECT 'delete', id, title, path, body, coll FROM fts_src WHERE collection_id = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(s, 1, id);
	if (cat_step_done_(c, s, "remove index entries") < 0)
		goto done;
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(c->db, "INSERT INTO fts_cjk (fts_cjk, rowid, title, path, body, coll)"
	    " SELECT 'delete', id, title, path, body, coll FROM fts_cjk_src WHERE collection_id = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(s, 1, id);
	if (cat_step_done_(c, s, "remove index entries") < 0)
		goto done;
	sqlite3_finalize(s);
	/* Files before folders: files reference folders; docs follow files by cascade. */
	if (sqlite3_prepare_v2(c->db, "DELETE FROM files WHERE collection_id = ?1", -1, &s, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(s, 1, id);
	if (cat_step_done_(c, s, "remove files") < 0)
		goto done;
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(c->db, "DELETE FROM collections WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		goto done;
	sqlite3_bind_int64(s, 1, id);
	if (cat_step_done_(c, s, "remove collection") < 0)
		goto done;
	rc = cat_commit(c);
done:
	if (rc < 0 && sqlite3_errcode(c->db) != SQLITE_OK && s == NULL)
		cat_db_error_(c, "remove collection");
	sqlite3_finalize(s);
	if (rc < 0)
		cat_rollback(c);
	return rc;
}

int
cat_begin(cat_t *c)
{
	sqlite3_stmt *s = cat_stmt_(c, S_BEGIN);
	return s ? cat_step_done_(c, s, "begin") : -1;
}

int
cat_commit(cat_t *c)
{
	sqlite3_stmt *s = cat_stmt_(c, S_COMMIT);
	return s ? cat_step_done_(c, s, "commit") : -1;
}

void
cat_rollback(cat_t *c)
{
	sqlite3_stmt *s;

	if (sqlite3_get_autocommit(c->db))
		return;
	if ((s = cat_stmt_(c, S_ROLLBACK)) != NULL) {
		sqlite3_step(s);
		sqlite3_reset(s);
	}
}

int
cat_dir_ensure(cat_t *c, int64_t collection_id, int64_t parent_id, const char *path,
    const char *name, int depth, int64_t *id)
{
	sqlite3_stmt *s = cat_stmt_(c, S_DIR_GET);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, collection_id);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return cat_db_error_(c, "look up folder");
	if ((s = cat_stmt_(c, S_DIR_INSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, collection_id);
	if (parent_id > 0)
		sqlite3_bind_int64(s, 2, parent_id);
	sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, depth);
	if (cat_step_done_(c, s, "add folder") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(c->db);
	return 0;
}

static int
fts_entry(cat_t *c, enum stmt_id which, int64_t id)
{
	sqlite3_stmt *s = cat_stmt_(c, which);
	enum stmt_id cjk = which == S_FTS_DELETE ? S_CJK_DELETE : which == S_FTS_INSERT ? S_CJK_INSERT : S_COUNT;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (cat_step_done_(c, s, "update search index") < 0)
		return -1;
	/* The trigram index: removed before the main one's content changes, added after. */
	if (cjk == S_COUNT || (s = cat_stmt_(c, cjk)) == NULL)
		return cjk == S_COUNT ? 0 : -1;
	sqlite3_bind_int64(s, 1, id);
	return cat_step_done_(c, s, "update search index");
}

int
cat_file_put(cat_t *c, const cat_file_put_t *p, int64_t *id)
{
	sqlite3_stmt *s;
	int64_t now = (int64_t)time(NULL);

	if (p->existing_id > 0) {
		if (cat_dir_stale_(c, p->existing_id) < 0 || fts_entry(c, S_FTS_DELETE, p->existing_id) < 0 ||
		    (s = cat_stmt_(c, S_FILE_UPDATE)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, p->existing_id);
		sqlite3_bind_int64(s, 2, p->size);
		sqlite3_bind_int64(s, 3, p->mtime);
		sqlite3_bind_blob(s, 4, p->sha256, 32, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, p->mime, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, now);
		sqlite3_bind_int64(s, 7, p->crc32);
		if (cat_step_done_(c, s, "update file") < 0)
			return -1;
		*id = p->existing_id;
	} else {
		if ((s = cat_stmt_(c, S_FILE_INSERT)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, p->collection_id);
		sqlite3_bind_int64(s, 2, p->dir_id);
		sqlite3_bind_text(s, 3, p->relpath, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, p->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, p->size);
		sqlite3_bind_int64(s, 6, p->mtime);
		sqlite3_bind_blob(s, 7, p->sha256, 32, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, p->mime, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 9, now);
		sqlite3_bind_int64(s, 10, p->crc32);
		if (cat_step_done_(c, s, "add file") < 0)
			return -1;
		*id = sqlite3_last_insert_rowid(c->db);
		if (cat_dir_stale_(c, *id) < 0)
			return -1;
	}
	if ((s = cat_stmt_(c, S_DOC_UPSERT)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, *id);
	sqlite3_bind_text(s, 2, p->title ? p->title : p->name, -1, SQLITE_STATIC);
	if (p->body && p->body_len > 0)
		sqlite3_bind_text(s, 3, p->body, (int)p->body_len, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, p->body_cut != 0);
	if (p->body_whole > 0)
		sqlite3_bind_int64(s, 5, p->body_whole);
	if (cat_step_done_(c, s, "store text") < 0)
		return -1;
	if (fts_entry(c, S_FTS_INSERT, *id) < 0)
		return -1;
	if (p->existing_id > 0 && fts_entry(c, S_PART_DELETE, *id) < 0)
		return -1;
	for (size_t i = 0; i < p->nparts; i++) {
		const cat_part_put_t *pt = &p->parts[i];
		if ((s = cat_stmt_(c, S_PART_INSERT)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, *id);
		sqlite3_bind_text(s, 2, pt->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, pt->title && *pt->title ? pt->title : pt->name, -1, SQLITE_STATIC);
		if (pt->body && pt->body_len > 0)
			sqlite3_bind_text(s, 4, pt->body, (int)pt->body_len, SQLITE_STATIC);
		if (cat_step_done_(c, s, "store an attachment's text") < 0 ||
		    fts_entry(c, S_FTS_INSERT, sqlite3_last_insert_rowid(c->db)) < 0)
			return -1;
	}
	return 0;
}

int
cat_file_part_state(cat_t *c, int64_t id, const char *name, int64_t *body_len, int *has)
{
	sqlite3_stmt *s = cat_stmt_(c, S_PART_STATE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW)
		return cat_db_error_(c, "read a file's parts");
	*body_len = sqlite3_column_int64(s, 0);
	*has = sqlite3_column_int(s, 1);
	sqlite3_reset(s);
	return 0;
}

int
cat_file_delete(cat_t *c, int64_t id)
{
	sqlite3_stmt *s;

	if (cat_dir_stale_(c, id) < 0 || fts_entry(c, S_FTS_DELETE, id) < 0 ||
	    (s = cat_stmt_(c, S_FILE_DELETE)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return cat_step_done_(c, s, "remove file");
}

/* Collect ids of a query for which keep() is 0, in chunks, then delete them: we
 * must not write to a table while a statement is reading it. */
static int
delete_unkept(cat_t *c, const char *sql, int64_t collection_id, int (*keep)(int64_t, void *), void *arg,
    int is_file, int64_t *removed)
{
	sqlite3_stmt *s = NULL;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "find removed entries");
	sqlite3_bind_int64(s, 1, collection_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (keep(id, arg))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			ids = xrealloc(ids, cap * sizeof(*ids));
		}
		ids[n++] = id;
	}
	if (rc != SQLITE_DONE) {
		cat_db_error_(c, "find removed entries");
		goto done;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (!is_file && n > 0 &&
	    sqlite3_prepare_v2(c->db, "DELETE FROM dirs WHERE id = ?1", -1, &s, NULL) != SQLITE_OK) {
		cat_db_error_(c, "remove folders");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (is_file) {
			if (cat_file_delete(c, ids[i]) < 0)
				goto done;
		} else {
			sqlite3_bind_int64(s, 1, ids[i]);
			if (cat_step_done_(c, s, "remove folder") < 0)
				goto done;
		}
	}
	if (removed)
		*removed += (int64_t)n;
	ret = 0;
done:
	sqlite3_finalize(s);
	free(ids);
	return ret;
}

/* Folder counts, sizes and dates from their files, rolled up from the deepest
 * level; then every entry's position in its folder. In the caller's
 * transaction. */
static int
recount(cat_t *c, int64_t collection_id)
{
	static const char *const agg[] = {
		/* Direct counts first, then roll totals up from the deepest level. */
		"UPDATE dirs SET nfiles = 0, ndirs = 0, files = 0, bytes = 0, mtime = 0 WHERE collection_id = ?1",
		("UPDATE dirs SET (nfiles, files, bytes, mtime) = (SELECT count(*), count(*), coalesce(sum(size), 0),"
		"  coalesce(max(mtime), 0) FROM files WHERE files.dir_id = dirs.id) WHERE collection_id = ?1"),
		"UPDATE dirs SET ndirs = (SELECT count(*) FROM dirs d WHERE d.parent_id = dirs.id) WHERE collection_id = ?1",
	};
	sqlite3_stmt *s = NULL;
	int64_t maxdepth = 0;
	int rc = -1;

	for (size_t i = 0; i < ARRAY_LEN(agg); i++) {
		if (sqlite3_prepare_v2(c->db, agg[i], -1, &s, NULL) != SQLITE_OK)
			goto fail_db;
		sqlite3_bind_int64(s, 1, collection_id);
		if (cat_step_done_(c, s, "count folders") < 0)
			goto done;
		sqlite3_finalize(s);
		s = NULL;
	}
	if (sqlite3_prepare_v2(c->db, "SELECT coalesce(max(depth), 0) FROM dirs WHERE collection_id = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail_db;
	sqlite3_bind_int64(s, 1, collection_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		maxdepth = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(c->db, "UPDATE dirs SET (files, bytes, mtime) = (SELECT dirs.files + coalesce(sum(d.files), 0),"
	    " dirs.bytes + coalesce(sum(d.bytes), 0), max(dirs.mtime, coalesce(max(d.mtime), 0))"
	    " FROM dirs d WHERE d.parent_id = dirs.id) WHERE collection_id = ?1 AND depth = ?2",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail_db;
	for (int64_t depth = maxdepth - 1; depth >= 0; depth--) {
		sqlite3_bind_int64(s, 1, collection_id);
		sqlite3_bind_int64(s, 2, depth);
		if (cat_step_done_(c, s, "count folders") < 0)
			goto done;
	}
	sqlite3_finalize(s);
	s = NULL;
	/* After the totals: a folder's position by size or date depends on them. */
	rc = cat_positions_update_(c, collection_id);
	goto done;
fail_db:
	cat_db_error_(c, "update totals");
done:
	sqlite3_finalize(s);
	return rc;
}

int
cat_collection_prune_(cat_t *c, int64_t collection_id,
    int (*keep_file)(int64_t id, void *arg), int (*keep_dir)(int64_t id, void *arg), void *arg,
    int64_t *removed)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	*removed = 0;
	if (delete_unkept(c, "SELECT id FROM files WHERE collection_id = ?1", collection_id, keep_file, arg, 1,
	    removed) < 0)
		return -1;
	/* Deepest folders first so no folder is removed under a kept child. */
	if (delete_unkept(c, "SELECT id FROM dirs WHERE collection_id = ?1 ORDER BY depth DESC", collection_id,
	    keep_dir, arg, 0, NULL) < 0)
		return -1;
	if (recount(c, collection_id) < 0)
		return -1;
	if (sqlite3_prepare_v2(c->db, "UPDATE collections SET (files, bytes) = (SELECT files, bytes FROM dirs"
	    " WHERE collection_id = ?1 AND depth = 0), updated = ?2 WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "update totals");
	sqlite3_bind_int64(s, 1, collection_id);
	sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
	rc = cat_step_done_(c, s, "update collection");
	sqlite3_finalize(s);
	return rc;
}

int
cat_collection_finish(cat_t *c, int64_t collection_id,
    int (*keep_file)(int64_t id, void *arg), int (*keep_dir)(int64_t id, void *arg), void *arg,
    int64_t *removed)
{
	int rc = -1;

	*removed = 0;
	if (cat_begin(c) < 0)
		return -1;
	if (cat_collection_prune_(c, collection_id, keep_file, keep_dir, arg, removed) == 0 &&
	    (rc = cat_commit(c)) == 0)
		cat_fts_tidy(c, CAT_FTS_MAX_SEGMENTS);
	if (rc < 0)
		cat_rollback(c);
	return rc;
}

int
cat_collection_redate(cat_t *c, int64_t collection_id)
{
	return recount(c, collection_id);
}

int
cat_dir_stale_(cat_t *c, int64_t file_id)
{
	sqlite3_stmt *s = cat_stmt_(c, S_DIR_STALE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, file_id);
	return cat_step_done_(c, s, "mark folder");
}

int
cat_positions_update_(cat_t *c, int64_t collection_id)
{
	/* Each entry's 0-based place among its siblings, ascending, ties broken by
	 * name as the listing does (names are unique in a folder, so every order is
	 * total and descending is its mirror image). Only changed rows are written.
	 * Files are renumbered only in folders marked stale (a refresh that changed
	 * nothing costs nothing here; a changed folder of 100,000 files ~0.5-1.5 s). */
	static const char *const sql[] = {
		"UPDATE files SET pos_name = r.a, pos_size = r.b, pos_mtime = r.c FROM (SELECT id,"
		"  row_number() OVER (PARTITION BY dir_id ORDER BY name) - 1 AS a,"
		"  row_number() OVER (PARTITION BY dir_id ORDER BY size, name) - 1 AS b,"
		"  row_number() OVER (PARTITION BY dir_id ORDER BY mtime, name) - 1 AS c"
		"  FROM files WHERE dir_id IN (SELECT id FROM dirs WHERE collection_id = ?1 AND pos_stale)) AS r"
		" WHERE files.id = r.id AND (files.pos_name IS NOT r.a OR files.pos_size IS NOT r.b"
		"  OR files.pos_mtime IS NOT r.c)",
		"UPDATE dirs SET pos_stale = 0 WHERE collection_id = ?1 AND pos_stale",
		"UPDATE dirs SET pos_name = r.a, pos_bytes = r.b, pos_mtime = r.c FROM (SELECT id,"
		"  row_number() OVER (PARTITION BY parent_id ORDER BY name) - 1 AS a,"
		"  row_number() OVER (PARTITION BY parent_id ORDER BY bytes, name) - 1 AS b,"
		"  row_number() OVER (PARTITION BY parent_id ORDER BY mtime, name) - 1 AS c"
		"  FROM dirs WHERE collection_id = ?1) AS r"
		" WHERE dirs.id = r.id AND (dirs.pos_name IS NOT r.a OR dirs.pos_bytes IS NOT r.b"
		"  OR dirs.pos_mtime IS NOT r.c)",
	};
	sqlite3_stmt *s = NULL;

	for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
		if (sqlite3_prepare_v2(c->db, sql[i], -1, &s, NULL) != SQLITE_OK)
			return cat_db_error_(c, "number folder entries");
		sqlite3_bind_int64(s, 1, collection_id);
		int rc = cat_step_done_(c, s, "number folder entries");
		sqlite3_finalize(s);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
cat_check(cat_t *c)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(c->db, "PRAGMA integrity_check", -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "integrity check");
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		if (r && strcmp(r, "ok") == 0)
			rc = 0;
		else
			log_err("catalogue %s: integrity check: %s", c->path, r ? r : "?");
	}
	sqlite3_finalize(s);
	if (rc == 0 && cat_exec_(c, "INSERT INTO fts (fts) VALUES ('integrity-check');"
	    " INSERT INTO fts_cjk (fts_cjk) VALUES ('integrity-check')") < 0)
		rc = -1;
	return rc;
}

/* --- identity restore and mirrors: roots, holds, origins --- */

/* Run one UPDATE with an int64 id in ?1 and up to two text values in ?2, ?3. */
static int
update_collection(cat_t *c, const char *sql, int64_t id, const char *a, const char *b, const char *what)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, what);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, b, -1, SQLITE_STATIC);
	rc = cat_step_done_(c, s, what);
	sqlite3_finalize(s);
	return rc;
}

int
cat_collection_set_root(cat_t *c, int64_t id, const char *root)
{
	return update_collection(c, "UPDATE collections SET root = ?2 WHERE id = ?1", id, root, NULL,
	    "re-point collection");
}

int
cat_collection_set_origin(cat_t *c, int64_t id, const char *origin, const char *publisher_key)
{
	return update_collection(c, "UPDATE collections SET origin = ?2, publisher_key = ?3 WHERE id = ?1",
	    id, origin, publisher_key, "record mirror origin");
}

int
cat_collection_hold(cat_t *c, int64_t id, const char *reason)
{
	return update_collection(c, "UPDATE collections SET held = ?2 WHERE id = ?1", id, reason, NULL,
	    "hold collection");
}

int
cat_collection_held(cat_t *c, int64_t id, char **reason)
{
	sqlite3_stmt *s = cat_stmt_(c, S_COLL_HELD);
	int rc;

	*reason = NULL;
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		*reason = xstrdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return cat_db_error_(c, "read collection");
	return *reason != NULL;
}

int
cat_file_set_mtime(cat_t *c, int64_t file_id, int64_t mtime)
{
	sqlite3_stmt *s = NULL;
	int rc;

	/* The date order follows at cat_collection_redate (or the next add). */
	if (cat_dir_stale_(c, file_id) < 0)
		return -1;
	if (sqlite3_prepare_v2(c->db, "UPDATE files SET mtime = ?2 WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "update file");
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, mtime);
	rc = cat_step_done_(c, s, "update file");
	sqlite3_finalize(s);
	return rc;
}

/* Every ingest commit adds a segment to the full-text index and FTS5's
 * automerge keeps only levels in check, so a big ingest leaves dozens; each
 * search and each snippet then seeks every term in every segment. Measured on
 * 1M files (notes/measured.md): 'offic* rep*' 13 → 7 ms, its 20 snippets
 * 7.7 → 2.0 ms after merging; the merge took 14 s and wrote the index once
 * (570 MB) through the WAL. Small refreshes stay under the threshold. */
int
cat_fts_tidy(cat_t *c, int max_segments)
{
	sqlite3_stmt *s = NULL;
	int64_t segs = 0;

	/* Both indexes (the trigram one on its own is seldom big). */
	if (sqlite3_prepare_v2(c->db, "SELECT max((SELECT count(DISTINCT segid) FROM fts_idx),"
	    " (SELECT count(DISTINCT segid) FROM fts_cjk_idx))", -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "count index segments");
	if (sqlite3_step(s) == SQLITE_ROW)
		segs = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (segs <= max_segments)
		return 0;
	if (cat_begin(c) < 0)
		return -1;
	if (sqlite3_exec(c->db, "INSERT INTO fts(fts) VALUES('optimize');"
	    " INSERT INTO fts_cjk(fts_cjk) VALUES('optimize')", NULL, NULL, NULL) != SQLITE_OK) {
		cat_db_error_(c, "merge the search index");
		cat_rollback(c);
		return -1;
	}
	return cat_commit(c);
}

/* The CRC-32 of the file at relpath beneath rootfd if it is still the one
 * catalogued (size, mtime); 0 or -1. */
static int
crc_of(int rootfd, const char *relpath, int64_t size, int64_t mtime, unsigned char *buf,
    size_t buflen, uint32_t *crc)
{
	int fd = beneath_open(rootfd, relpath);
	struct stat st;
	int64_t total = 0;
	uint32_t c = 0;
	int rc = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != size || st.st_mtime != mtime)
		goto done;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (;;) {
		ssize_t r = read(fd, buf, buflen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto done;
		if (r == 0)
			break;
		c = (uint32_t)libdeflate_crc32(c, buf, (size_t)r);
		total += r;
	}
	if (total == size) {
		*crc = c;
		rc = 0;
	}
done:
	close(fd);
	return rc;
}

int
cat_crc_backfill_(cat_t *c)
{
	sqlite3_stmt *cols = NULL, *files = NULL, *upd = NULL;
	size_t buflen = 1024 * 1024;
	unsigned char *buf = xmalloc(buflen);
	int64_t done_files = 0, skipped = 0;
	int rc = -1, step;

	if (sqlite3_prepare_v2(c->db, "SELECT id, root FROM collections ORDER BY id", -1, &cols, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "SELECT id, path, size, mtime FROM files WHERE collection_id = ?1"
	    " AND id > ?2 ORDER BY id LIMIT 512", -1, &files, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->db, "UPDATE files SET crc32 = ?2 WHERE id = ?1", -1, &upd, NULL) != SQLITE_OK)
		goto fail_db;
	while ((step = sqlite3_step(cols)) == SQLITE_ROW) {
		int64_t cid = sqlite3_column_int64(cols, 0), last = 0;
		const char *root = (const char *)sqlite3_column_text(cols, 1);
		int rootfd = root ? open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
		int64_t got;

		if (rootfd < 0) {
			log_warn("cannot read %s for the CRC-32 upgrade; `broadside refresh` reads its files later",
			    root ? root : "(no root)");
			continue;
		}
		do {
			got = 0;
			sqlite3_reset(files);
			sqlite3_bind_int64(files, 1, cid);
			sqlite3_bind_int64(files, 2, last);
			while ((step = sqlite3_step(files)) == SQLITE_ROW) {
				uint32_t crc;
				last = sqlite3_column_int64(files, 0);
				got++;
				if (crc_of(rootfd, (const char *)sqlite3_column_text(files, 1),
				    sqlite3_column_int64(files, 2), sqlite3_column_int64(files, 3), buf, buflen,
				    &crc) < 0) {
					skipped++;
					continue;
				}
				sqlite3_reset(upd);
				sqlite3_bind_int64(upd, 1, last);
				sqlite3_bind_int64(upd, 2, crc);
				if (sqlite3_step(upd) != SQLITE_DONE) {
					close(rootfd);
					goto fail_db;
				}
				done_files++;
			}
			if (step != SQLITE_DONE) {
				close(rootfd);
				goto fail_db;
			}
		} while (got > 0);
		close(rootfd);
	}
	if (step != SQLITE_DONE)
		goto fail_db;
	if (done_files + skipped > 0)
		log_info("CRC-32 read for %lld files%s", (long long)done_files, skipped ?
		    "; some could not be read as catalogued (`broadside refresh` reads them)" : "");
	rc = 0;
	goto done;
fail_db:
	cat_db_error_(c, "upgrade catalogue (CRC-32)");
done:
	sqlite3_finalize(cols);
	sqlite3_finalize(files);
	sqlite3_finalize(upd);
	free(buf);
	return rc;
}
