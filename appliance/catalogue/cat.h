/* cat: the SQLite catalogue (catalogue.db): collections, folders, files, and the
 * full-text index over their titles, paths and extracted text.
 *
 * One writer at a time (`add`, `refresh`, `rm`); any number of readers (`serve`,
 * `search`) keep read-only connections open and see each commit (WAL). A cat_t
 * belongs to one thread. */
#ifndef BROADSIDE_CAT_H
#define BROADSIDE_CAT_H

#include <stddef.h>
#include <stdint.h>

typedef struct cat cat_t;
struct sqlite3;

enum { CAT_READONLY = 0, CAT_READWRITE = 1, CAT_CREATE = 2 };
enum { CAT_SORT_NAME = 0, CAT_SORT_SIZE = 1, CAT_SORT_MTIME = 2 };

/* Open (CAT_CREATE: create and migrate) the catalogue at path; NULL + log_err on failure. */
cat_t *cat_open(const char *path, int flags);

/* Open a read transaction, so what follows reads one snapshot: 1 begun, 0
 * one is open already (the caller's), -1 error (each statement then reads
 * its own). cat_read_end ends one begun here. */
int cat_read_begin(cat_t *c);
void cat_read_end(cat_t *c);

/* Return 1 the first time bit is asked of this connection, then 0: a module
 * that adds SQL functions to a connection (search's ranking) does it once,
 * itself, so the catalogue needs to know nothing of it. */
#define CAT_ONCE_SEARCH 1u
int cat_first_use(cat_t *c, unsigned bit);
void cat_free_(cat_t *c);
#define cat_free(p) do { cat_free_(p); (p) = NULL; } while (0)
/* Return the underlying connection (search and tests run their own statements). */
struct sqlite3 *cat_db(cat_t *c);
/* The catalogue's schema version (a read-only open may see an older one). */
int cat_version(cat_t *c);

typedef struct cat_collection {
	int64_t id;
	char *slug, *title, *description, *root;
	char *origin, *publisher_key;      /* NULL unless a mirror */
	int64_t files, bytes, created, updated;
} cat_collection_t;

/* Fill out with the collection `slug`: 0 found, 1 not found, -1 error. */
int cat_collection_get(cat_t *c, const char *slug, cat_collection_t *out);
/* Fill out with the collection whose id is `id`: 0 found, 1 not found, -1 error. */
int cat_collection_get_id(cat_t *c, int64_t id, cat_collection_t *out);
/* Free the strings of col and zero it. */
void cat_collection_clear(cat_collection_t *col);
/* Call fn for every collection in slug order; stop early (and return its value) if fn returns non-zero. */
int cat_collection_each(cat_t *c, int (*fn)(const cat_collection_t *col, void *arg), void *arg);
/* Create the collection or update its title/description (root is fixed once created); set *id. */
int cat_collection_upsert(cat_t *c, const char *slug, const char *title, const char *description,
    const char *root, int64_t *id);
/* Delete a collection with its folders, files and index entries (never files on disk). */
int cat_collection_delete(cat_t *c, int64_t id);
/* Return 1 if slug matches [a-z0-9][a-z0-9-]{0,62}, else 0. */
int cat_slug_valid(const char *slug);
/* The same for len bytes of s (a slug inside a URL). */
int cat_slug_valid_n(const char *s, size_t len);

typedef struct cat_file {
	int64_t id, size, mtime;
	char sha256[65];      /* lower-case hex */
	char mime[128];
	int has_crc;          /* crc32 is known (schema v5, read by the last ingest) */
	uint32_t crc32;       /* CRC-32 (ISO-HDLC, as zip uses) of the bytes */
} cat_file_t;

/* Look up a file by its relative path ('/'-separated, no leading slash): 0 found,
 * 1 not found, -1 error. Cached statement, no allocation (the server's hot path). */
int cat_file_get(cat_t *c, int64_t collection_id, const char *relpath, cat_file_t *out);
/* A number that changes whenever another connection commits to the catalogue
 * (SQLite's data_version): cheaper than any lookup, so a cache of answers can
 * ask it instead of the question. -1 on error. */
int64_t cat_data_version(cat_t *c);
/* The files just before and after file_id in its folder in name order (the
 * folder listing's order): their names into prev/next (each of len bytes;
 * "" if none, or on a catalogue without folder positions). One index lookup
 * each. 0 or -1. */
int cat_file_neighbours(cat_t *c, int64_t file_id, char *prev, char *next, size_t len);
/* Whether a text was cut at ingest, and the whole text's length in bytes
 * (-1 where the extractor did not see it whole). */
typedef struct cat_doc_whole {
	int cut;
	int64_t len;
} cat_doc_whole_t;
/* The text extracted (in the document jail, at ingest) for file_id: body
 * (caller frees; "" when the file has none) and its length; *w (if not
 * NULL) whether it was cut (inferred from its length on a catalogue read
 * below schema 8: within 4 bytes of EXTRACT_TEXT_MAX). 0 found, 1 no text
 * row, -1 error. */
int cat_doc_get(cat_t *c, int64_t file_id, char **body, size_t *len, cat_doc_whole_t *w);
/* Part k (from 1, in the order ingest stored them: a message's attachments
 * in the order of the jail's walk) of file_id: its name and text (caller
 * frees both; body "" when it has none) and the text's length. 0 found, 1
 * no such part, -1 error. */
int cat_part_get(cat_t *c, int64_t file_id, int64_t k, char **name, char **body, size_t *len);
/* The names of file_id's parts in that order (at most CAT_PARTS_LISTED; the
 * caller frees each and the array). 0, or -1 (none where a catalogue has no
 * parts table). */
#define CAT_PARTS_LISTED 1000
int cat_part_names(cat_t *c, int64_t file_id, char ***names, size_t *n);
/* Call fn for every file of a collection in path (byte) order, streaming. Non-zero from fn stops. */
int cat_file_each(cat_t *c, int64_t collection_id,
    int (*fn)(const char *relpath, const cat_file_t *f, void *arg), void *arg);
/* The same files grouped by folder (the files directly in one folder are
 * consecutive, in path order; folders in no particular order), streaming. */
int cat_file_each_by_folder(cat_t *c, int64_t collection_id,
    int (*fn)(const char *relpath, const cat_file_t *f, void *arg), void *arg);

/* Call fn for every file below folder dir ("" = the whole collection), at
 * any depth, in path (byte) order, with crc32 filled where known (schema v5).
 * Non-zero from fn stops and is returned; -1 on error. (cat_below.c) */
int cat_file_each_below(cat_t *c, int64_t collection_id, const char *dir,
    int (*fn)(const char *relpath, const cat_file_t *f, void *arg), void *arg);

/* The files and bytes below folder dir, at any depth, as the last ingest
 * counted them: 0, 1 if there is no such folder, -1. (cat_below.c) */
int cat_dir_totals(cat_t *c, int64_t collection_id, const char *dir, int64_t *files, int64_t *bytes);

/* One entry of a folder listing; strings are valid until the callback returns. */
typedef struct cat_entry {
	const char *name;      /* raw bytes of the name, no '/' */
	int is_dir;
	int64_t size;          /* bytes (for folders: of all files below) */
	int64_t mtime;         /* seconds (for folders: newest file below) */
	int64_t files;         /* folders: number of files below; files: 1 */
	const char *sha256;    /* files: hex; folders: NULL */
	const char *mime;      /* files: type; folders: NULL */
} cat_entry_t;

/* List folder `dir` ("" = root, no leading or trailing '/'): subfolders first, then
 * files, each sorted by CAT_SORT_* (desc reverses), entries [offset, offset+limit);
 * as cheap at any offset (positions numbered by the last ingest, see cat.c).
 * Returns 0, 1 if the folder does not exist, -1 on error; non-zero from fn stops. */
int cat_dir_list(cat_t *c, int64_t collection_id, const char *dir, int sort, int desc,
    int64_t offset, int64_t limit, int (*fn)(const cat_entry_t *e, void *arg), void *arg);
/* The entries of folder dir whose names contain text (ASCII case folded;
 * other bytes as they are), folders first, then files, in name order,
 * starting after `from` (NULL: the beginning; else a *next given before).
 * Stops after limit matches or budget names looked at, whichever comes
 * first, and sets *next (caller frees) to where to go on, or NULL at the
 * end, and *looked. Walks the name indexes and reads only the matches'
 * rows. 0, 1 if the folder does not exist, -1; non-zero from fn stops.
 * (cat_filter.c) */
int cat_dir_filter(cat_t *c, int64_t collection_id, const char *dir, const char *text, const char *from,
    int64_t limit, int64_t budget, int (*fn)(const cat_entry_t *e, void *arg), void *arg,
    char **next, int64_t *looked);
/* Set *exists and *entries (subfolders + files directly inside dir). */
int cat_dir_stat(cat_t *c, int64_t collection_id, const char *dir, int64_t *entries, int *exists);

/* --- writer side, used by ingest --- */

/* Transactions (BEGIN IMMEDIATE so a second writer waits instead of failing mid-way). */
int cat_begin(cat_t *c);
int cat_commit(cat_t *c);
void cat_rollback(cat_t *c);

/* Find or create the folder `path` (parent_id 0 and path "" for the root); set *id. */
int cat_dir_ensure(cat_t *c, int64_t collection_id, int64_t parent_id, const char *path,
    const char *name, int depth, int64_t *id);

/* A part of a file with a search entry of its own: an attachment of a
 * message, shown in a hit as "report.eml › budget.docx". */
typedef struct cat_part_put {
	const char *name, *title, *body;   /* title may be NULL (the name) */
	size_t body_len;
} cat_part_put_t;

/* What ingest knows about one file. sha256 is 32 raw bytes; title/body may be NULL. */
typedef struct cat_file_put {
	int64_t collection_id, dir_id, existing_id;   /* existing_id 0: new file */
	const char *relpath, *name;
	int64_t size, mtime;
	const unsigned char *sha256;
	uint32_t crc32;
	const char *mime, *title, *body;
	size_t body_len;
	int body_cut;                  /* the text was cut at ingest */
	int64_t body_whole;            /* the whole text's length; 0 or -1 unknown */
	const cat_part_put_t *parts;   /* its attachments, nparts of them */
	size_t nparts;
} cat_file_put_t;

/* Of file id: the length of its text, page separators not counted
 * (*body_len), and whether it has a part
 * named name (*has). 0 or -1. */
int cat_file_part_state(cat_t *c, int64_t id, const char *name, int64_t *body_len, int *has);
/* Insert or replace a file row, its text, its parts and their index entries; set *id. */
int cat_file_put(cat_t *c, const cat_file_put_t *p, int64_t *id);
/* Remove a file, its text and its index entry. */
int cat_file_delete(cat_t *c, int64_t id);
/* Delete every file (and then folder) of the collection for which keep(id) is 0,
 * recompute folder and collection totals; count deleted files in *removed. */
int cat_collection_finish(cat_t *c, int64_t collection_id,
    int (*keep_file)(int64_t id, void *arg), int (*keep_dir)(int64_t id, void *arg), void *arg,
    int64_t *removed);
/* Merge the search index into one segment when it has more than max_segments
 * (cat_collection_finish does this with CAT_FTS_MAX_SEGMENTS). */
#define CAT_FTS_MAX_SEGMENTS 8
int cat_fts_tidy(cat_t *c, int max_segments);

/* --- identity restore and mirrors --- */

/* Point a collection at another folder (restore onto a new disk). */
int cat_collection_set_root(cat_t *c, int64_t id, const char *root);
/* Mark a collection as a mirror of origin, verified with publisher_key (key file text). */
int cat_collection_set_origin(cat_t *c, int64_t id, const char *origin, const char *publisher_key);
/* Withhold a collection's bytes (/f/ answers 503) with a reason; NULL serves it again. */
int cat_collection_hold(cat_t *c, int64_t id, const char *reason);
/* 1 and *reason (caller frees) if held, 0 if served, -1 on error. */
int cat_collection_held(cat_t *c, int64_t id, char **reason);
/* Set a file's recorded mtime (after restore verified its bytes, or -1 to force
 * the next refresh to read it again). */
int cat_file_set_mtime(cat_t *c, int64_t file_id, int64_t mtime);
/* After cat_file_set_mtime calls: folder dates and every date-sorted position
 * follow them, in the caller's transaction (the collection's "updated" stays). */
int cat_collection_redate(cat_t *c, int64_t collection_id);

/* Run SQLite's and FTS5's integrity checks; 0 if both are ok. */
int cat_check(cat_t *c);

#endif
