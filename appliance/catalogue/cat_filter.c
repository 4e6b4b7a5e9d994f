/* cat_filter: a folder's entries whose names contain a text, for the folder
 * page's "filter this folder by name". Part of the cat module (cat.h); it
 * reads only.
 *
 * A substring cannot use an index, so each request walks the folder's
 * entries in name order by their positions (files_dir_pos_name,
 * dirs_parent_pos_name, numbered by the last ingest) from where the last one
 * stopped, for at most `budget` names. A 100,000-entry folder costs a few
 * requests of bounded time, never one long scan; "where to go on" is a
 * position, so it stays cheap however far into the folder it is. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue/cat.h"
#include "catalogue/cat_int.h"
#include "base/text.h"
#include "base/util.h"

static void
fold_ascii(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/* Fill e from the row of entry id (a folder or a file); e->mime is the
 * caller's to free. 0, 1 gone, -1. */
static int
entry_row(cat_t *c, int is_file, int64_t id, cat_entry_t *e, char *hex)
{
	sqlite3_stmt *s = NULL;
	const char *sql = is_file ? "SELECT size, mtime, 1, sha256, mime FROM files WHERE id = ?1"
	    : "SELECT bytes, mtime, files FROM dirs WHERE id = ?1";
	int rc;

	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK)
		return cat_db_error_(c, "filter folder");
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		e->size = sqlite3_column_int64(s, 0);
		e->mtime = sqlite3_column_int64(s, 1);
		e->files = sqlite3_column_int64(s, 2);
		if (is_file) {
			const unsigned char *raw = sqlite3_column_blob(s, 3);
			hex[0] = '\0';
			if (raw && sqlite3_column_bytes(s, 3) == 32)
				text_hex(hex, raw, 32);
			e->sha256 = hex;
			e->mime = xstrdup((const char *)sqlite3_column_text(s, 4));
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : cat_db_error_(c, "filter folder");
}

int
cat_dir_filter(cat_t *c, int64_t collection_id, const char *dir, const char *text, const char *from,
    int64_t limit, int64_t budget, int (*fn)(const cat_entry_t *e, void *arg), void *arg,
    char **next, int64_t *looked)
{
	sqlite3_stmt *s = NULL;
	char *want = xstrdup(text ? text : "");
	size_t wlen = strlen(want);
	int64_t id = 0, found = 0;
	int64_t start = 0;
	int ret = 0, rc, start_files = from && from[0] == 'f';

	if (from && (from[0] == 'f' || from[0] == 'd') && parse_int64(from + 1, 0, INT64_MAX, &start) < 0)
		start = 0;

	*next = NULL;
	*looked = 0;
	fold_ascii(want, wlen);
	if (sqlite3_prepare_v2(c->db, "SELECT id FROM dirs WHERE collection_id = ?1 AND path = ?2",
	    -1, &s, NULL) != SQLITE_OK) {
		ret = cat_db_error_(c, "filter folder");
		goto done;
	}
	sqlite3_bind_int64(s, 1, collection_id);
	sqlite3_bind_text(s, 2, dir, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_ROW) {
		ret = rc == SQLITE_DONE ? 1 : cat_db_error_(c, "filter folder");
		goto done;
	}
	/* Folders first, then files, each in name order: the listing's order. */
	for (int is_file = start_files; is_file < 2 && ret == 0; is_file++) {
		/* Before positions (schema 3) a catalogue lists by OFFSET, slowly;
		 * the server says so once (cat_dir_list). */
		const char *sql = c->version >= 3
		    ? (is_file ? "SELECT name, id, pos_name FROM files WHERE dir_id = ?1 AND pos_name >= ?2 ORDER BY pos_name"
		    : "SELECT name, id, pos_name FROM dirs WHERE parent_id = ?1 AND pos_name >= ?2 ORDER BY pos_name")
		    : (is_file ? "SELECT name, id, 0 FROM files WHERE dir_id = ?1 ORDER BY name LIMIT -1 OFFSET ?2"
		    : "SELECT name, id, 0 FROM dirs WHERE parent_id = ?1 ORDER BY name LIMIT -1 OFFSET ?2");
		int64_t pos = is_file == start_files ? start : 0;
		if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK) {
			ret = cat_db_error_(c, "filter folder");
			break;
		}
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, pos);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(s, 0);
			size_t nlen = (size_t)sqlite3_column_bytes(s, 0);
			char folded[1024];

			if (*looked >= budget || found >= limit) {
				/* Go on after the last name taken or looked at. */
				break;
			}
			++*looked;
			if (nlen >= sizeof(folded))
				nlen = sizeof(folded) - 1;
			memcpy(folded, name, nlen);
			fold_ascii(folded, nlen);
			if (memmem(folded, nlen, want, wlen) != NULL) {
				cat_entry_t e = { .name = name, .is_dir = !is_file };
				char hex[65];
				int r = entry_row(c, is_file, sqlite3_column_int64(s, 1), &e, hex);
				if (r < 0) {
					ret = -1;
					break;
				}
				if (r == 0) {
					found++;
					r = fn(&e, arg);
					free((char *)e.mime);
					if (r != 0) {
						ret = r;
						break;
					}
				}
			}
			pos = c->version >= 3 ? sqlite3_column_int64(s, 2) + 1 : pos + 1;
		}
		if (rc == SQLITE_ROW)
			*next = xasprintf("%c%lld", is_file ? 'f' : 'd', (long long)pos);
		if (ret == 0 && rc == SQLITE_ROW) {
			/* Stopped early: there is more to look through. */
			sqlite3_finalize(s);
			s = NULL;
			goto done;
		}
		if (ret == 0 && rc != SQLITE_DONE)
			ret = cat_db_error_(c, "filter folder");
		sqlite3_finalize(s);
		s = NULL;
	}
done:
	if (ret != 0) {
		free(*next);
		*next = NULL;
	}
	free(want);
	return ret;
}
