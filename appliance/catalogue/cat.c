/* cat: see cat.h. Schema notes:
 *  - files carry both their full path (unique lookup for /f/<slug>/<path>) and
 *    their position in their folder in each sort order (v3: pos_name, pos_size,
 *    pos_mtime, set at the end of each ingest), so any page of a folder of 100k
 *    entries is one index range, however deep: OFFSET stepped over every entry
 *    before the page (page 1000 of 100k files: 201 pages/s against 3371 for page 1);
 *  - dirs hold aggregated counts and their own positions among their siblings,
 *    rebuilt at the end of each ingest, so folder pages never count at request time;
 *  - the text lives once, in docs; fts is an external-content FTS5 table over the
 *    view fts_src (docs + files.path), so snippets read docs and nothing is stored
 *    twice. Every change to docs is mirrored into fts in the same transaction. */
#include "catalogue/cat.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue/cat_int.h"
#include "catalogue/search_tok.h"
#include "docs/extract.h"
#include "base/log.h"
#include "base/text.h"
#include "base/util.h"


static const char *const stmt_sql[S_COUNT] = {
	[S_FILE_GET] = "SELECT id, size, mtime, sha256, mime FROM files WHERE collection_id = ?1 AND path = ?2",
	[S_DATA_VERSION] = "PRAGMA data_version",
	[S_FILE_GET_CRC] = "SELECT id, size, mtime, sha256, mime, crc32 FROM files"
	    " WHERE collection_id = ?1 AND path = ?2",
	[S_FILE_EACH] = "SELECT path, id, size, mtime, sha256, mime FROM files WHERE collection_id = ?1 ORDER BY path",
	[S_COLL_GET] = "SELECT id, slug, title, description, root, origin, publisher_key, files, bytes, created, updated"
	    " FROM collections WHERE slug = ?1",
	[S_COLL_GET_ID] = "SELECT id, slug, title, description, root, origin, publisher_key, files, bytes, created, updated"
	    " FROM collections WHERE id = ?1",
	[S_COLL_EACH] = "SELECT id, slug, title, description, root, origin, publisher_key, files, bytes, created, updated"
	    " FROM collections ORDER BY slug",
	[S_COLL_INSERT] = "INSERT INTO collections (slug, title, description, root, created, updated)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
	[S_COLL_UPDATE] = "UPDATE collections SET title = ?2, description = ?3 WHERE id = ?1",
	[S_DIR_GET] = "SELECT id FROM dirs WHERE collection_id = ?1 AND path = ?2",
	[S_DIR_INSERT] = "INSERT INTO dirs (collection_id, parent_id, path, name, depth) VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_FILE_INSERT] = "INSERT INTO files (collection_id, dir_id, path, name, size, mtime, sha256, mime, indexed_at,"
	    " crc32) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_FILE_UPDATE] = "UPDATE files SET size = ?2, mtime = ?3, sha256 = ?4, mime = ?5, indexed_at = ?6,"
	    " crc32 = ?7 WHERE id = ?1",
	[S_DOC_UPSERT] = "INSERT OR REPLACE INTO docs (id, title, body, cut, whole) VALUES (?1, ?2, ?3, ?4, ?5)",
	/* External content: FTS5 needs the old values to remove an entry. */
	[S_FTS_DELETE] = "INSERT INTO fts (fts, rowid, title, path, body, coll)"
	    " SELECT 'delete', id, title, path, body, coll FROM fts_src WHERE file_id = ?1",
	[S_FTS_INSERT] = "INSERT INTO fts (rowid, title, path, body, coll)"
	    " SELECT id, title, path, body, coll FROM fts_src WHERE id = ?1",
	/* The trigram index holds only rows its view gives (bs_unspaced). */
	[S_CJK_DELETE] = "INSERT INTO fts_cjk (fts_cjk, rowid, title, path, body, coll)"
	    " SELECT 'delete', id, title, path, body, coll FROM fts_cjk_src WHERE file_id = ?1",
	[S_CJK_INSERT] = "INSERT INTO fts_cjk (rowid, title, path, body, coll)"
	    " SELECT id, title, path, body, coll FROM fts_cjk_src WHERE id = ?1",
	[S_FILE_DELETE] = "DELETE FROM files WHERE id = ?1",
	[S_PART_DELETE] = "DELETE FROM parts WHERE file_id = ?1",
	[S_PART_STATE] = "SELECT (SELECT length(replace(coalesce(body, ''), char(8233), '')) FROM docs WHERE id = ?1),"
	    " EXISTS (SELECT 1 FROM parts WHERE file_id = ?1 AND name = ?2)",
	[S_PART_INSERT] = "INSERT INTO parts (id, file_id, name, title, body)"
	    " VALUES ((SELECT coalesce(min(id), 0) - 1 FROM parts), ?1, ?2, ?3, ?4)",
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_COLL_HELD] = "SELECT held FROM collections WHERE id = ?1",
	/* Mark the folder of file ?1 for renumbering (a no-op once marked). */
	[S_DIR_STALE] = "UPDATE dirs SET pos_stale = 1 WHERE id = (SELECT dir_id FROM files WHERE id = ?1)"
	    " AND pos_stale = 0",
};


int
cat_db_error_(cat_t *c, const char *what)
{
	int code = sqlite3_extended_errcode(c->db), sys = sqlite3_system_errno(c->db);

	/* ENOSPC usually arrives as SQLITE_FULL; quotas and size limits as I/O errors. */
	if ((code & 0xff) == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT || sys == EFBIG)
		log_err("%s: no space left to write the catalogue %s (disk full or quota); it is unchanged "
		    "since its last commit: free some space and run the command again", what, c->path);
	else if (code == SQLITE_IOERR_WRITE)
		log_err("%s: cannot write the catalogue %s (disk full, file size limit or I/O error); it is "
		    "unchanged since its last commit: free some space and run the command again", what, c->path);
	else if (sys != 0 && (code & 0xff) == SQLITE_IOERR)
		log_err("%s: %s: %s (%s)", what, c->path, sqlite3_errmsg(c->db), strerror(sys));
	else
		log_err("%s: %s: %s", what, c->path, sqlite3_errmsg(c->db));
	return -1;
}

sqlite3_stmt *
cat_stmt_(cat_t *c, enum stmt_id id)
{
	sqlite3_stmt *s = c->st[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->st[id], NULL) != SQLITE_OK) {
			cat_db_error_(c, "prepare");
			return NULL;
		}
		s = c->st[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Run a statement that returns no rows; reset it either way. */
int
cat_step_done_(cat_t *c, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return cat_db_error_(c, what);
	return 0;
}

int
cat_exec_(cat_t *c, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_err("%s: %s", c->path, err ? err : sqlite3_errmsg(c->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

int64_t
cat_pragma_int_(cat_t *c, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}


static void
list_stmts_free(cat_t *c)
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			for (int k = 0; k < 2; k++) {
				sqlite3_finalize(c->list[i][j][k]);
				c->list[i][j][k] = NULL;
			}
}

/* SQLite counts every allocation in global statistics under one mutex; with
 * search threads (search_pool.h) that mutex was most of a search's cost (perf:
 * pthread_mutex_lock 10 %, futex waits; 2.8x the CPU per search of one
 * thread). Nothing here reads the statistics. Must precede any other call. */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void
config_sqlite(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* The index's tokenizer must be known to every connection that reads it. */
	search_tok_register_all();
}

int
cat_read_begin(cat_t *c)
{
	if (!sqlite3_get_autocommit(c->db))
		return 0;
	return sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 1 : -1;
}

void
cat_read_end(cat_t *c)
{
	(void)sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
}

int
cat_first_use(cat_t *c, unsigned bit)
{
	int first = (c->once & bit) == 0;

	c->once |= bit;
	return first;
}

cat_t *
cat_open(const char *path, int flags)
{
	cat_t *c = xcalloc(1, sizeof(*c));
	int oflags = SQLITE_OPEN_NOMUTEX;

	pthread_once(&config_once, config_sqlite);

	c->path = xstrdup(path);
	if (flags == CAT_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE | (flags == CAT_CREATE ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &c->db, oflags, NULL) != SQLITE_OK) {
		log_err("cannot open catalogue %s: %s%s", path, c->db ? sqlite3_errmsg(c->db) : "out of memory",
		    flags == CAT_CREATE ? "" : " (run `broadside init` first)");
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 10000);
	if (cat_exec_(c, "PRAGMA foreign_keys = ON") < 0)
		goto fail;
	if (flags != CAT_READONLY) {
		/* WAL: readers (serve) keep going while add writes. synchronous=NORMAL
		 * keeps the database consistent across crashes; only the last commits may
		 * be lost on power failure, and a rerun of add redoes them. */
		if (cat_exec_(c, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		    " PRAGMA cache_size = -16000") < 0)
			goto fail;
		if (cat_migrate_(c) < 0)
			goto fail;
	} else {
		/* Readers (serve, search) get a 32 MB page cache: with SQLite's default
		 * 2 MB, each search read the index's pages again from the OS (pread and
		 * a copy each; offic* rev* on 1M files: p50 41 ms, with 32 MB 14 ms). */
		if (cat_exec_(c, "PRAGMA cache_size = -32000") < 0)
			goto fail;
		/* Sorts never spill to /var/tmp: serve's sandbox allows no such file. */
		if (cat_exec_(c, "PRAGMA temp_store = MEMORY") < 0)
			goto fail;
		/* An older catalogue is read as it is (serve keeps working after an
		 * upgrade of broadside); the next add, refresh or init upgrades it. */
		int64_t v = cat_pragma_int_(c, "PRAGMA user_version");
		if (v < CAT_SCHEMA_OLDEST_READ || v > CAT_SCHEMA_VERSION) {
			log_err("catalogue %s has schema version %lld, expected %d (run `broadside init`)",
			    path, (long long)v, CAT_SCHEMA_VERSION);
			goto fail;
		}
		c->version = (int)v;
	}
	return c;
fail:
	cat_free_(c);
	return NULL;
}

void
cat_free_(cat_t *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(c->st[i]);
	list_stmts_free(c);
	sqlite3_close(c->db);
	free(c->path);
	free(c);
}

sqlite3 *
cat_db(cat_t *c)
{
	return c->db;
}

int
cat_version(cat_t *c)
{
	return c->version;
}

int
cat_slug_valid_n(const char *slug, size_t n)
{
	if (n == 0 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = slug[i];
		int okc = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (ch == '-' && i > 0);
		if (!okc)
			return 0;
	}
	return 1;
}

int
cat_slug_valid(const char *slug)
{
	return cat_slug_valid_n(slug, strlen(slug));
}

static char *
col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	if (t == NULL)
		return NULL;
	return xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

static void
collection_from_row(sqlite3_stmt *s, cat_collection_t *out)
{
	out->id = sqlite3_column_int64(s, 0);
	out->slug = col_dup(s, 1);
	out->title = col_dup(s, 2);
	out->description = col_dup(s, 3);
	out->root = col_dup(s, 4);
	out->origin = col_dup(s, 5);
	out->publisher_key = col_dup(s, 6);
	out->files = sqlite3_column_int64(s, 7);
	out->bytes = sqlite3_column_int64(s, 8);
	out->created = sqlite3_column_int64(s, 9);
	out->updated = sqlite3_column_int64(s, 10);
}

static int
collection_get(cat_t *c, sqlite3_stmt *s, cat_collection_t *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		collection_from_row(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return cat_db_error_(c, "read collection");
}

int
cat_collection_get(cat_t *c, const char *slug, cat_collection_t *out)
{
	sqlite3_stmt *s = cat_stmt_(c, S_COLL_GET);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, slug, -1, SQLITE_STATIC);
	return collection_get(c, s, out);
}

int
cat_collection_get_id(cat_t *c, int64_t id, cat_collection_t *out)
{
	sqlite3_stmt *s = cat_stmt_(c, S_COLL_GET_ID);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return collection_get(c, s, out);
}

void
cat_collection_clear(cat_collection_t *col)
{
	if (col == NULL)
		return;
	free(col->slug);
	free(col->title);
	free(col->description);
	free(col->root);
	free(col->origin);
	free(col->publisher_key);
	memset(col, 0, sizeof(*col));
}

int
cat_collection_each(cat_t *c, int (*fn)(const cat_collection_t *col, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = 0;

	/* Not the cached statement: fn may call back into the catalogue. */
	if (sqlite3_prepare_v2(c->db, stmt_sql[S_COLL_EACH], -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "list collections");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cat_collection_t col;
		collection_from_row(s, &col);
		ret = fn(&col, arg);
		cat_collection_clear(&col);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = cat_db_error_(c, "list collections");
	sqlite3_finalize(s);
	return ret;
}

static void
hex32(const unsigned char *raw, int n, char *out)
{
	if (raw == NULL || n != 32)
		out[0] = '\0';
	else
		text_hex(out, raw, 32);
}

static void
file_from_row(sqlite3_stmt *s, int base, cat_file_t *out)
{
	const unsigned char *m;

	out->id = sqlite3_column_int64(s, base);
	out->has_crc = 0;
	out->crc32 = 0;
	out->size = sqlite3_column_int64(s, base + 1);
	out->mtime = sqlite3_column_int64(s, base + 2);
	hex32(sqlite3_column_blob(s, base + 3), sqlite3_column_bytes(s, base + 3), out->sha256);
	m = sqlite3_column_text(s, base + 4);
	snprintf(out->mime, sizeof(out->mime), "%s", m ? (const char *)m : "application/octet-stream");
}

int
cat_file_get(cat_t *c, int64_t collection_id, const char *relpath, cat_file_t *out)
{
	int with_crc = c->version >= 5;
	sqlite3_stmt *s = cat_stmt_(c, with_crc ? S_FILE_GET_CRC : S_FILE_GET);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, collection_id);
	sqlite3_bind_text(s, 2, relpath, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		file_from_row(s, 0, out);
		out->has_crc = with_crc && sqlite3_column_type(s, 5) != SQLITE_NULL;
		out->crc32 = out->has_crc ? (uint32_t)sqlite3_column_int64(s, 5) : 0;
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return cat_db_error_(c, "look up file");
}

int64_t
cat_data_version(cat_t *c)
{
	sqlite3_stmt *s = cat_stmt_(c, S_DATA_VERSION);
	int64_t v = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return v;
}

/* Column col of the current row as a NUL-terminated copy (NULL reads as ""). */
static char *
column_text_copy(sqlite3_stmt *s, int col, size_t *len)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	char *out;

	*len = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
	out = xmalloc(*len + 1);
	if (*len)
		memcpy(out, t, *len);
	out[*len] = '\0';
	return out;
}

int
cat_doc_get(cat_t *c, int64_t file_id, char **body, size_t *len, cat_doc_whole_t *w)
{
	sqlite3_stmt *s = NULL;
	int rc, with_cut = c->version >= 8;

	*body = NULL;
	*len = 0;
	if (w)
		*w = (cat_doc_whole_t){ 0, -1 };
	if (sqlite3_prepare_v2(c->db, with_cut ? "SELECT body, cut, whole FROM docs WHERE id = ?1" :
	    "SELECT body FROM docs WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "read text");
	sqlite3_bind_int64(s, 1, file_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*body = column_text_copy(s, 0, len);
		if (w && with_cut) {
			w->cut = sqlite3_column_int(s, 1) != 0;
			if (sqlite3_column_type(s, 2) == SQLITE_INTEGER)
				w->len = sqlite3_column_int64(s, 2);
		} else if (w) {
			/* A catalogue read as it is (older than v8): the inference. */
			w->cut = *len + 4 >= EXTRACT_TEXT_MAX;
		}
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return cat_db_error_(c, "read text");
}

int
cat_part_get(cat_t *c, int64_t file_id, int64_t k, char **name, char **body, size_t *len)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*name = *body = NULL;
	*len = 0;
	if (k < 1)
		return 1;
	/* Ids fall as parts are stored (each the smallest minus one). */
	if (sqlite3_prepare_v2(c->db, "SELECT name, body FROM parts WHERE file_id = ?1"
	    " ORDER BY id DESC LIMIT 1 OFFSET ?2", -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "read an attachment's text");
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, k - 1);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*name = xstrdup((const char *)sqlite3_column_text(s, 0));
		*body = column_text_copy(s, 1, len);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return cat_db_error_(c, "read an attachment's text");
}

int
cat_part_names(cat_t *c, int64_t file_id, char ***names, size_t *n)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*names = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(c->db, "SELECT name FROM parts WHERE file_id = ?1 ORDER BY id DESC LIMIT ?2",
	    -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, CAT_PARTS_LISTED);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = xstrdup((const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : cat_db_error_(c, "list a file's attachments");
}

int
cat_file_each(cat_t *c, int64_t collection_id,
    int (*fn)(const char *relpath, const cat_file_t *f, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(c->db, stmt_sql[S_FILE_EACH], -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "list files");
	sqlite3_bind_int64(s, 1, collection_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cat_file_t f;
		file_from_row(s, 1, &f);
		ret = fn((const char *)sqlite3_column_text(s, 0), &f, arg);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = cat_db_error_(c, "list files");
	sqlite3_finalize(s);
	return ret;
}

int
cat_file_neighbours(cat_t *c, int64_t file_id, char *prev, char *next, size_t len)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = 0;

	prev[0] = next[0] = '\0';
	if (c->version < 3)
		return 0;
	/* Two probes of files_dir_pos_name; a folder being renumbered may show a
	 * stale neighbour until its ingest ends, never a file of another folder. */
	if (sqlite3_prepare_v2(c->db, "SELECT n.pos_name - f.pos_name, n.name FROM files f"
	    " JOIN files n ON n.dir_id = f.dir_id AND n.pos_name IN (f.pos_name - 1, f.pos_name + 1)"
	    " WHERE f.id = ?1 AND f.pos_name IS NOT NULL", -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "look up neighbours");
	sqlite3_bind_int64(s, 1, file_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 1);
		snprintf(sqlite3_column_int64(s, 0) < 0 ? prev : next, len, "%s", name ? name : "");
	}
	if (rc != SQLITE_DONE)
		ret = cat_db_error_(c, "look up neighbours");
	sqlite3_finalize(s);
	return ret;
}

/* Return the folder's id (0 if missing) with its direct counts; -1 on error. */
static int64_t
dir_lookup(cat_t *c, int64_t collection_id, const char *dir, int64_t *ndirs, int64_t *nfiles)
{
	sqlite3_stmt *s = NULL;
	int64_t id = 0;
	int rc;

	if (sqlite3_prepare_v2(c->db, "SELECT id, ndirs, nfiles FROM dirs WHERE collection_id = ?1 AND path = ?2",
	    -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "look up folder");
	sqlite3_bind_int64(s, 1, collection_id);
	sqlite3_bind_text(s, 2, dir, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		*ndirs = sqlite3_column_int64(s, 1);
		*nfiles = sqlite3_column_int64(s, 2);
	} else if (rc != SQLITE_DONE) {
		id = cat_db_error_(c, "look up folder");
	}
	sqlite3_finalize(s);
	return id;
}

int
cat_dir_stat(cat_t *c, int64_t collection_id, const char *dir, int64_t *entries, int *exists)
{
	int64_t nd = 0, nf = 0, id = dir_lookup(c, collection_id, dir, &nd, &nf);

	if (id < 0)
		return -1;
	*exists = id > 0;
	*entries = nd + nf;
	return 0;
}

static sqlite3_stmt *
list_stmt(cat_t *c, int sort, int desc, int is_file)
{
	static const char *const dir_col[] = { "name", "bytes", "mtime" };
	static const char *const file_col[] = { "name", "size", "mtime" };
	sqlite3_stmt **sp = &c->list[sort][desc][is_file];
	const char *dirn = desc ? "DESC" : "ASC";
	const char *cols = is_file ? "name, size, mtime, 1, sha256, mime FROM files WHERE dir_id = ?1"
	    : "name, bytes, mtime, files FROM dirs WHERE parent_id = ?1";
	const char *col = is_file ? file_col[sort] : dir_col[sort];
	char *sql;

	if (*sp == NULL) {
		/* ?3 is the first position of the page: counted from the end when
		 * descending (cat_dir_list). */
		if (c->version >= 3)
			sql = xasprintf("SELECT %s AND pos_%s %s ?3 ORDER BY pos_%s %s LIMIT ?2", cols, col,
			    desc ? "<=" : ">=", col, dirn);
		else
			sql = xasprintf("SELECT %s ORDER BY %s %s%s%s LIMIT ?2 OFFSET ?3", cols, col, dirn,
			    sort ? ", name " : "", sort ? dirn : "");
		if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, sp, NULL) != SQLITE_OK) {
			cat_db_error_(c, "prepare listing");
			free(sql);
			return NULL;
		}
		free(sql);
	}
	sqlite3_reset(*sp);
	return *sp;
}

int
cat_dir_list(cat_t *c, int64_t collection_id, const char *dir, int sort, int desc,
    int64_t offset, int64_t limit, int (*fn)(const cat_entry_t *e, void *arg), void *arg)
{
	int64_t nd = 0, nf = 0, id = dir_lookup(c, collection_id, dir, &nd, &nf);

	if (id < 0)
		return -1;
	if (id == 0)
		return 1;
	/* A reader opened on an older catalogue switches to positions once a writer
	 * has upgraded it (the header read is cheap: page 1 is cached). */
	if (c->version < CAT_SCHEMA_VERSION && cat_pragma_int_(c, "PRAGMA user_version") == CAT_SCHEMA_VERSION) {
		list_stmts_free(c);
		c->version = CAT_SCHEMA_VERSION;
	} else if (c->version < CAT_SCHEMA_VERSION && !c->told_old) {
		log_warn("catalogue %s has schema version %d: deep folder pages are slow until "
		    "`broadside refresh` (or init) upgrades it to %d", c->path, c->version, CAT_SCHEMA_VERSION);
		c->told_old = 1;
	}
	if (sort < CAT_SORT_NAME || sort > CAT_SORT_MTIME)
		sort = CAT_SORT_NAME;
	desc = desc ? 1 : 0;
	if (offset < 0)
		offset = 0;
	/* Folders occupy positions [0, nd), files [nd, nd + nf). */
	for (int is_file = 0; is_file < 2 && limit > 0; is_file++) {
		int64_t n = is_file ? nf : nd, off = offset;
		sqlite3_stmt *s;
		int rc, ret = 0;

		if (off >= n) {
			offset -= n;
			continue;
		}
		if ((s = list_stmt(c, sort, desc, is_file)) == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, limit);
		/* Positions run 0..n-1 ascending; descending, entry `off` is at n-1-off. */
		sqlite3_bind_int64(s, 3, c->version >= 3 && desc ? n - 1 - off : off);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			char hex[65];
			cat_entry_t e = {
				.name = (const char *)sqlite3_column_text(s, 0),
				.is_dir = !is_file,
				.size = sqlite3_column_int64(s, 1),
				.mtime = sqlite3_column_int64(s, 2),
				.files = sqlite3_column_int64(s, 3),
			};
			if (is_file) {
				hex32(sqlite3_column_blob(s, 4), sqlite3_column_bytes(s, 4), hex);
				e.sha256 = hex;
				e.mime = (const char *)sqlite3_column_text(s, 5);
			}
			limit--;
			if ((ret = fn(&e, arg)) != 0)
				break;
		}
		sqlite3_reset(s);
		if (ret != 0)
			return ret;
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return cat_db_error_(c, "list folder");
		offset = 0;
	}
	return 0;
}
