/* cat_below: every file below a folder, in path order (folder archives), and
 * every file grouped by folder (the folders' signed lists). Part of the cat
 * module (cat.h); it reads only. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue/cat.h"
#include "catalogue/cat_int.h"
#include "base/text.h"
#include "base/util.h"

/* A reader opened on a catalogue older than v5 sees the CRC-32 column as
 * soon as a writer has upgraded it (folder listings switch at v3 themselves). */
static void
see_upgrade(cat_t *c)
{
	sqlite3_stmt *s = NULL;

	if (c->version < 3 || c->version >= 5)
		return;
	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int64(s, 0) >= 5)
		c->version = 5;
	sqlite3_finalize(s);
}

/* Call fn for each row of s (path, id, size, mtime, sha256, mime, crc32). */
static int
each_row(cat_t *c, sqlite3_stmt *s, int (*fn)(const char *relpath, const cat_file_t *f, void *arg), void *arg,
    const char *what)
{
	int rc, ret = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cat_file_t f;
		const unsigned char *sha = sqlite3_column_blob(s, 4);
		const unsigned char *m = sqlite3_column_text(s, 5);

		memset(&f, 0, sizeof(f));
		f.id = sqlite3_column_int64(s, 1);
		f.size = sqlite3_column_int64(s, 2);
		f.mtime = sqlite3_column_int64(s, 3);
		if (sha != NULL && sqlite3_column_bytes(s, 4) == 32)
			text_hex(f.sha256, sha, 32);
		snprintf(f.mime, sizeof(f.mime), "%s", m ? (const char *)m : "application/octet-stream");
		f.has_crc = sqlite3_column_type(s, 6) != SQLITE_NULL;
		f.crc32 = f.has_crc ? (uint32_t)sqlite3_column_int64(s, 6) : 0;
		ret = fn((const char *)sqlite3_column_text(s, 0), &f, arg);
		if (ret != 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = cat_db_error_(c, what);
	return ret;
}

int
cat_file_each_below(cat_t *c, int64_t collection_id, const char *dir,
    int (*fn)(const char *relpath, const cat_file_t *f, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	int with_crc, ret = 0;
	char *lo = NULL, *hi = NULL;
	const char *sql;

	see_upgrade(c);
	with_crc = c->version >= 5;
	/* "d/" <= path < "d0" is every path below d ('0' follows '/'), one range
	 * of the (collection_id, path) index, in byte order. */
	sql = with_crc ?
	    "SELECT path, id, size, mtime, sha256, mime, crc32 FROM files WHERE collection_id = ?1"
	    " AND path >= ?2 AND path < ?3 ORDER BY path" :
	    "SELECT path, id, size, mtime, sha256, mime, NULL FROM files WHERE collection_id = ?1"
	    " AND path >= ?2 AND path < ?3 ORDER BY path";

	if (dir[0] != '\0') {
		lo = xasprintf("%s/", dir);
		hi = xasprintf("%s0", dir);
	}
	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK) {
		ret = cat_db_error_(c, "list files below a folder");
		goto done;
	}
	sqlite3_bind_int64(s, 1, collection_id);
	sqlite3_bind_text(s, 2, lo ? lo : "", -1, SQLITE_STATIC);
	if (hi)
		sqlite3_bind_text(s, 3, hi, -1, SQLITE_STATIC);
	else
		sqlite3_bind_blob(s, 3, "\xff", 1, SQLITE_STATIC);   /* text sorts below any blob */
	ret = each_row(c, s, fn, arg, "list files below a folder");
done:
	sqlite3_finalize(s);
	free(lo);
	free(hi);
	return ret;
}

int
cat_file_each_by_folder(cat_t *c, int64_t collection_id,
    int (*fn)(const char *relpath, const cat_file_t *f, void *arg), void *arg)
{
	sqlite3_stmt *s = NULL;
	int ret;

	see_upgrade(c);
	/* By dir_id: the rows of one folder come together (a sort of the
	 * collection's rows, which SQLite spills to temporary files). */
	if (sqlite3_prepare_v2(c->db, c->version >= 5 ?
	    "SELECT path, id, size, mtime, sha256, mime, crc32 FROM files WHERE collection_id = ?1"
	    " ORDER BY dir_id, path" :
	    "SELECT path, id, size, mtime, sha256, mime, NULL FROM files WHERE collection_id = ?1"
	    " ORDER BY dir_id, path",
	    -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "list files by folder");
	sqlite3_bind_int64(s, 1, collection_id);
	ret = each_row(c, s, fn, arg, "list files by folder");
	sqlite3_finalize(s);
	return ret;
}

int
cat_dir_totals(cat_t *c, int64_t collection_id, const char *dir, int64_t *files, int64_t *bytes)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*files = *bytes = 0;
	if (sqlite3_prepare_v2(c->db, "SELECT files, bytes FROM dirs WHERE collection_id = ?1 AND path = ?2",
	    -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "read folder totals");
	sqlite3_bind_int64(s, 1, collection_id);
	sqlite3_bind_text(s, 2, dir, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*files = sqlite3_column_int64(s, 0);
		*bytes = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return cat_db_error_(c, "read folder totals");
}
