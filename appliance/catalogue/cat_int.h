/* cat_int: what cat.c (schema, open, reads) and cat_write.c (the writer side)
 * share. Private to the cat module: nothing else includes it. */
#ifndef BROADSIDE_CAT_INT_H
#define BROADSIDE_CAT_INT_H

#include <sqlite3.h>

#include "catalogue/cat.h"

enum stmt_id {
	S_FILE_GET, S_DATA_VERSION, S_FILE_GET_CRC, S_FILE_EACH, S_COLL_GET, S_COLL_GET_ID, S_COLL_EACH, S_COLL_INSERT,
	S_COLL_UPDATE, S_DIR_GET, S_DIR_INSERT, S_FILE_INSERT, S_FILE_UPDATE,
	S_DOC_UPSERT, S_FTS_DELETE, S_FTS_INSERT, S_FILE_DELETE, S_BEGIN, S_COMMIT,
	S_ROLLBACK, S_COLL_HELD, S_DIR_STALE, S_PART_DELETE, S_PART_INSERT, S_PART_STATE, S_CJK_DELETE, S_CJK_INSERT, S_COUNT
};

struct cat {
	sqlite3 *db;
	char *path;
	int version;          /* schema version (a read-only open may see an older one) */
	int told_old;         /* the operator was told an older catalogue lists slowly */
	unsigned once;        /* cat_first_use bits */
	sqlite3_stmt *st[S_COUNT];
	/* Folder listings: [sort][desc][is_file]. */
	sqlite3_stmt *list[3][2][2];
};

/* Log the connection's last error (disk full gets its own message); return -1. */
int cat_db_error_(cat_t *c, const char *what);
/* Return the cached statement id, reset and unbound; NULL on error. */
sqlite3_stmt *cat_stmt_(cat_t *c, enum stmt_id id);
/* Step a statement that returns no rows and reset it; 0 or -1. */
int cat_step_done_(cat_t *c, sqlite3_stmt *s, const char *what);
/* Run SQL text without results; 0 or -1. */
int cat_exec_(cat_t *c, const char *sql);
/* The single integer a PRAGMA returns; -1 on error. */
int64_t cat_pragma_int_(cat_t *c, const char *sql);

#define CAT_SCHEMA_VERSION 8
#define CAT_SCHEMA_OLDEST_READ 2   /* read-only opens still list v2 folders (by OFFSET) */
/* Bring the catalogue to CAT_SCHEMA_VERSION (cat_schema.c); sets c->version. */
int cat_migrate_(cat_t *c);
/* Renumber the folder positions of one collection inside the caller's
 * transaction: files of folders marked pos_stale, and every subfolder (their
 * totals change at each ingest); 0 or -1. */
int cat_positions_update_(cat_t *c, int64_t collection_id);
/* cat_collection_finish inside the caller's transaction (withholding uses it
 * too): delete what keep_* refuse, recount folders, positions and totals. */
int cat_collection_prune_(cat_t *c, int64_t collection_id,
    int (*keep_file)(int64_t id, void *arg), int (*keep_dir)(int64_t id, void *arg), void *arg,
    int64_t *removed);
/* Read every catalogued file whose size and mtime still match and store its
 * CRC-32 (the upgrade to v5), inside the caller's transaction; 0 or -1
 * (a file that cannot be read is left NULL, not an error). */
int cat_crc_backfill_(cat_t *c);
/* Mark the folder of file_id for renumbering at the end of the ingest; 0 or -1. */
int cat_dir_stale_(cat_t *c, int64_t file_id);

#endif
