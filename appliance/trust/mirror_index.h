/* mirror_index: reading an origin's index.json, one line at a time, as
 * broadside writes it (manifest.h): a head line with the title and
 * description, then one file object per line in strictly increasing byte
 * order of path. Untrusted input: the fuzz target reaches these directly. */
#ifndef BROADSIDE_MIRROR_INDEX_H
#define BROADSIDE_MIRROR_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct mirror_index_entry {
	char *path;            /* exact bytes (path_base64 when present) */
	int64_t size, mtime;
	char sha256[65];
} mirror_index_entry_t;

void mirror_index_entry_clear(mirror_index_entry_t *e);

/* Parse one line of index.json's file list ("{...}" with an optional trailing
 * ','). 0, 1 if the line is the end of the list, -1 if malformed. */
int mirror_index_line(const char *line, size_t len, mirror_index_entry_t *e);
/* Parse the first line: title and description (caller frees). 0 or -1. */
int mirror_index_head(const char *line, size_t len, char **title, char **description);
/* 1 if path is safe below a root (relative, no ".", "..", empty segments or '\\'). */
int mirror_index_path_safe(const char *path);

/* Reading <dir>/index.json's file list in order (the head line skipped). */
typedef struct mirror_index_reader {
	FILE *f;
	char *line;
	size_t cap;
	char *prev;
	int ended;
} mirror_index_reader_t;

/* Open dir/index.json and read its head line. 0 or -1. */
int mirror_index_reader_open(mirror_index_reader_t *r, const char *dir);
/* 0 with an entry, 1 at the end of the list, -1 if malformed or out of order
 * (strictly increasing paths: no duplicates, and merge-joins work). */
int mirror_index_reader_next(mirror_index_reader_t *r, mirror_index_entry_t *e);
void mirror_index_reader_close(mirror_index_reader_t *r);

#endif
