/* cat_schema: the catalogue's schema and its migrations, one step per version,
 * each in one transaction with its version bump (see README.md "Schema"). */
#include <sqlite3.h>
#include <stdlib.h>

#include "catalogue/cat.h"
#include "catalogue/cat_int.h"
#include "base/log.h"
#include "base/util.h"
#include "docs/extract.h"

static const char schema_v1[] =
    "CREATE TABLE collections ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  root TEXT NOT NULL,"
    "  origin TEXT,"
    "  publisher_key TEXT,"
    "  files INTEGER NOT NULL DEFAULT 0,"
    "  bytes INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"
    "CREATE TABLE dirs ("
    "  id INTEGER PRIMARY KEY,"
    "  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,"
    "  parent_id INTEGER REFERENCES dirs(id) ON DELETE CASCADE,"
    "  path TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  depth INTEGER NOT NULL,"
    "  files INTEGER NOT NULL DEFAULT 0,"      /* files below, recursively */
    "  bytes INTEGER NOT NULL DEFAULT 0,"
    "  mtime INTEGER NOT NULL DEFAULT 0,"
    "  nfiles INTEGER NOT NULL DEFAULT 0,"     /* files directly inside */
    "  ndirs INTEGER NOT NULL DEFAULT 0,"      /* folders directly inside */
    "  UNIQUE (collection_id, path));"
    "CREATE INDEX dirs_parent_name ON dirs(parent_id, name);"
    "CREATE INDEX dirs_parent_bytes ON dirs(parent_id, bytes, name);"
    "CREATE INDEX dirs_parent_mtime ON dirs(parent_id, mtime, name);"
    "CREATE TABLE files ("
    "  id INTEGER PRIMARY KEY,"
    "  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,"
    "  dir_id INTEGER NOT NULL REFERENCES dirs(id) ON DELETE CASCADE,"
    "  path TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  mtime INTEGER NOT NULL,"
    "  sha256 BLOB NOT NULL,"
    "  mime TEXT NOT NULL,"
    "  indexed_at INTEGER NOT NULL,"
    "  UNIQUE (collection_id, path));"
    "CREATE INDEX files_dir_name ON files(dir_id, name);"
    "CREATE INDEX files_dir_size ON files(dir_id, size, name);"
    "CREATE INDEX files_dir_mtime ON files(dir_id, mtime, name);"
    "CREATE TABLE docs ("
    "  id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,"
    "  title TEXT NOT NULL,"
    "  body TEXT);"
    "CREATE VIEW fts_src AS SELECT d.id AS id, d.title AS title, f.path AS path,"
    "  d.body AS body, 'c' || f.collection_id AS coll, f.collection_id AS collection_id"
    "  FROM docs d JOIN files f ON f.id = d.id;"
    "CREATE VIRTUAL TABLE fts USING fts5(title, path, body, coll,"
    "  content='fts_src', content_rowid='id',"
    "  tokenize='unicode61 remove_diacritics 2');";

/* v3: folder positions. The (dir, sort key) indexes only served OFFSET listings;
 * the position indexes replace them (and still lead with dir_id/parent_id for the
 * foreign-key cascades and the counts in cat_collection_finish). */
static const char schema_v3[] =
    "ALTER TABLE files ADD COLUMN pos_name INTEGER;"
    "ALTER TABLE files ADD COLUMN pos_size INTEGER;"
    "ALTER TABLE files ADD COLUMN pos_mtime INTEGER;"
    "ALTER TABLE dirs ADD COLUMN pos_name INTEGER;"
    "ALTER TABLE dirs ADD COLUMN pos_bytes INTEGER;"
    "ALTER TABLE dirs ADD COLUMN pos_mtime INTEGER;"
    /* 1: a file of this folder was added, changed or removed since its files
     * were last numbered (new folders start so). */
    "ALTER TABLE dirs ADD COLUMN pos_stale INTEGER NOT NULL DEFAULT 1;"
    "DROP INDEX files_dir_name;"
    "DROP INDEX files_dir_size;"
    "DROP INDEX files_dir_mtime;"
    "DROP INDEX dirs_parent_name;"
    "DROP INDEX dirs_parent_bytes;"
    "DROP INDEX dirs_parent_mtime;"
    "CREATE INDEX files_dir_pos_name ON files(dir_id, pos_name);"
    "CREATE INDEX files_dir_pos_size ON files(dir_id, pos_size);"
    "CREATE INDEX files_dir_pos_mtime ON files(dir_id, pos_mtime);"
    "CREATE INDEX dirs_parent_pos_name ON dirs(parent_id, pos_name);"
    "CREATE INDEX dirs_parent_pos_bytes ON dirs(parent_id, pos_bytes);"
    "CREATE INDEX dirs_parent_pos_mtime ON dirs(parent_id, pos_mtime);";

static const char schema_v4[] =
    "CREATE TABLE withheld ("
    "  slug TEXT NOT NULL,"
    "  pattern TEXT NOT NULL,"     /* a path or a glob, relative to the collection's root */
    "  reason TEXT NOT NULL,"      /* for the publisher only: never served */
    "  created INTEGER NOT NULL,"
    "  PRIMARY KEY (slug, pattern));"
    /* The publisher's review (review.h): never served. A file is read again
     * when its checksum or the rules changed. */
    "CREATE TABLE review_files ("
    "  id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,"
    "  sha256 BLOB NOT NULL,"
    "  rules INTEGER NOT NULL,"
    "  reviewed INTEGER NOT NULL);"
    "CREATE TABLE review_findings ("
    "  file_id INTEGER NOT NULL REFERENCES review_files(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  excerpts TEXT NOT NULL,"   /* up to three redacted excerpts, one a line */
    "  PRIMARY KEY (file_id, kind)) WITHOUT ROWID;";

/* v6: parts, the attachments of a message, each with an index entry of its
 * own. Their ids are negative (the smallest minus one), so index rowids of
 * files (positive, = files.id) and of parts never meet; fts_src gives both,
 * with file_id to find a file's entries in one lookup. */
static const char schema_v6[] =
    "CREATE TABLE parts ("
    "  id INTEGER PRIMARY KEY,"
    "  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  body TEXT);"
    "CREATE INDEX parts_file ON parts(file_id);"
    "DROP VIEW fts_src;"
    "CREATE VIEW fts_src AS SELECT d.id AS id, d.title AS title, f.path AS path,"
    "  d.body AS body, 'c' || f.collection_id AS coll, f.collection_id AS collection_id, d.id AS file_id"
    "  FROM docs d JOIN files f ON f.id = d.id"
    " UNION ALL SELECT p.id, p.title, f.path || ' \xe2\x80\xba ' || p.name, p.body, 'c' || f.collection_id,"
    "  f.collection_id, p.file_id FROM parts p JOIN files f ON f.id = p.file_id;";

/* v7: the main index's tokenizer becomes `bs` (search_tok.h: Arabic, Persian
 * and Hebrew folded, attached articles, English stems, marks kept inside
 * words), and text in a script written without spaces (CJK, Thai...) gets a
 * second, trigram index too: any 3 characters of it are found. Only such text:
 * on a Latin-script catalogue fts_cjk stays empty. Its collection marker is
 * bracketed, since a trigram search finds substrings ("{c1}" is not in
 * "{c12}"). */
static const char schema_v7[] =
    "DROP TABLE fts;"
    "CREATE VIRTUAL TABLE fts USING fts5(title, path, body, coll,"
    "  content='fts_src', content_rowid='id', tokenize='bs');"
    "INSERT INTO fts (fts) VALUES ('rebuild');"
    "DROP VIEW IF EXISTS fts_cjk_src;"
    "DROP TABLE IF EXISTS fts_cjk;"
    "CREATE VIEW fts_cjk_src AS SELECT id, title, path, body, '{c' || collection_id || '}' AS coll,"
    "  collection_id, file_id FROM fts_src WHERE bs_unspaced(title, path, body);"
    "CREATE VIRTUAL TABLE fts_cjk USING fts5(title, path, body, coll,"
    "  content='fts_cjk_src', content_rowid='id', tokenize='trigram case_sensitive 0');"
    "INSERT INTO fts_cjk (fts_cjk) VALUES ('rebuild');";

/* v8: whether a text was cut at ingest (docs.cut), and the whole text's
 * length where the extractor saw it (docs.whole, NULL where unknown). Texts
 * stored before get the inference the reading view made: a body within 4
 * bytes of the cap (a character cut back to its start) was cut. */
_Static_assert(EXTRACT_TEXT_MAX == 262144, "schema_v8 spells the cap out");
static const char schema_v8[] =
    "ALTER TABLE docs ADD COLUMN cut INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE docs ADD COLUMN whole INTEGER;"
    "UPDATE docs SET cut = 1 WHERE length(CAST(body AS BLOB)) + 4 >= 262144;";

/* Set the folder positions of every collection (migration to v3). */
static int
positions_all(cat_t *c)
{
	sqlite3_stmt *s = NULL;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = -1, step;

	/* Ids first: the updates must not run under an open read of collections. */
	if (sqlite3_prepare_v2(c->db, "SELECT id FROM collections", -1, &s, NULL) != SQLITE_OK)
		goto fail_db;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof(*ids));
		ids[n++] = sqlite3_column_int64(s, 0);
	}
	if (step != SQLITE_DONE)
		goto fail_db;
	for (size_t i = 0; i < n; i++)
		if (cat_positions_update_(c, ids[i]) < 0)
			goto done;
	rc = 0;
	goto done;
fail_db:
	cat_db_error_(c, "upgrade catalogue");
done:
	sqlite3_finalize(s);
	free(ids);
	return rc;
}

int
cat_migrate_(cat_t *c)
{
	int64_t v = cat_pragma_int_(c, "PRAGMA user_version");

	if (v < 0)
		return cat_db_error_(c, "read schema version");
	if (v > CAT_SCHEMA_VERSION) {
		log_err("%s has schema version %lld; this broadside knows up to %d (upgrade broadside)",
		    c->path, (long long)v, CAT_SCHEMA_VERSION);
		return -1;
	}
	c->version = (int)v;
	if (v == CAT_SCHEMA_VERSION)
		return 0;
	/* Each step runs in one transaction with its version bump, so a crash leaves
	 * either the old or the new schema. */
	if (cat_exec_(c, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (v < 1 && (cat_exec_(c, schema_v1) < 0 || cat_exec_(c, "PRAGMA user_version = 1") < 0)) {
		cat_exec_(c, "ROLLBACK");
		return -1;
	}
	/* v2: collections.held — why a collection's bytes are withheld
	 * (restored onto files that differ from its manifest), NULL when served. */
	if (v < 2 && (cat_exec_(c, "ALTER TABLE collections ADD COLUMN held TEXT") < 0 ||
	    cat_exec_(c, "PRAGMA user_version = 2") < 0)) {
		cat_exec_(c, "ROLLBACK");
		return -1;
	}
	/* v3: folder positions, computed here for what is already catalogued (about
	 * 30 s per million files on a busy 2-core machine), so deep pages are fast
	 * from the first request after the upgrade. */
	if (v < 3) {
		if (v >= 1)
			log_info("upgrading catalogue %s to schema version 3 (folder positions; "
			    "about 30 s per million files, once)", c->path);
		if (cat_exec_(c, schema_v3) < 0 || positions_all(c) < 0 ||
		    cat_exec_(c, "PRAGMA user_version = 3") < 0) {
			cat_exec_(c, "ROLLBACK");
			return -1;
		}
	}
	/* v4: withholdings (cat_withhold.h), keyed by slug so that `rm` and a new
	 * `add` of the same slug cannot publish again what the publisher withheld. */
	if (v < 4 && (cat_exec_(c, schema_v4) < 0 || cat_exec_(c, "PRAGMA user_version = 4") < 0)) {
		cat_exec_(c, "ROLLBACK");
		return -1;
	}
	/* v5: files.crc32, the zip archives' CRC-32 (ingest computes it in the
	 * same read as the SHA-256); read once here for what is catalogued. A
	 * file that cannot be read as catalogued keeps NULL, and the next
	 * refresh reads it again. */
	if (v < 5) {
		if (v >= 1)
			log_info("upgrading catalogue %s to schema version 5 (CRC-32 of every file "
			    "for zip archives: every catalogued file is read once)", c->path);
		if (cat_exec_(c, "ALTER TABLE files ADD COLUMN crc32 INTEGER") < 0 ||
		    (v >= 1 && cat_crc_backfill_(c) < 0) ||
		    cat_exec_(c, "PRAGMA user_version = 5") < 0) {
			cat_exec_(c, "ROLLBACK");
			return -1;
		}
	}
	/* v6: parts (attachments of messages) and their index entries. */
	if (v < 6 && (cat_exec_(c, schema_v6) < 0 || cat_exec_(c, "PRAGMA user_version = 6") < 0)) {
		cat_exec_(c, "ROLLBACK");
		return -1;
	}
	/* v7: the index built again with its new tokenizer, and the trigram index. */
	if (v < 7) {
		if (v >= 1)
			log_info("upgrading catalogue %s to schema version 7 (the search index is built "
			    "again: about 3 min per million files)", c->path);
		if (cat_exec_(c, schema_v7) < 0 || cat_exec_(c, "PRAGMA user_version = 7") < 0) {
			cat_exec_(c, "ROLLBACK");
			return -1;
		}
	}
	/* v8: the cut flag and the whole text's length (each body's length read
	 * once, for the flag). */
	if (v < 8 && (cat_exec_(c, schema_v8) < 0 || cat_exec_(c, "PRAGMA user_version = 8") < 0)) {
		cat_exec_(c, "ROLLBACK");
		return -1;
	}
	if (cat_exec_(c, "COMMIT") < 0)
		return -1;
	c->version = CAT_SCHEMA_VERSION;
	return 0;
}
