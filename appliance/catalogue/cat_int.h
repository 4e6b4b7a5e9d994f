/* cat_int: what cat.c (schema, open, reads) and cat_write.c (the writer side)
 * share. Private to the cat module: nothing else includes it. */
#ifndef BROADSIDE_CAT_INT_H
#define BROADSIDE_CAT_INT_H

#include <sqlite3.h>

#include "catalogue/cat.h"

enum stmt_id {
	S_FILE_GET, S_FILE_EACH, S_COLL_GET, S_COLL_GET_ID, S_COLL_EACH, S_COLL_INSERT,
	S_COLL_UPDATE, S_DIR_GET, S_DIR_INSERT, S_FILE_INSERT, S_FILE_UPDATE,
	S_DOC_UPSERT, S_FTS_DELETE, S_FTS_INSERT, S_FILE_DELETE, S_BEGIN, S_COMMIT,
	S_ROLLBACK, S_COLL_HELD, S_DIR_STALE, S_PART_DELETE, S_PART_INSERT, S_PART_STATE, S_COUNT
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
/* Renumber the folder positions of one collection inside the caller's
 * transaction: files of folders marked pos_stale, and every subfolder (their
 * totals change at each ingest); 0 or -1. */
int cat_positions_update_(cat_t *c, int64_t collection_id);
/* Mark the folder of file_id for renumbering at the end of the ingest; 0 or -1. */
int cat_dir_stale_(cat_t *c, int64_t file_id);

#endif
