/* review: what could hurt someone in a collection, for the publisher to look
 * at before publishing (`broadside review`). Reads the text the document jail
 * extracted at ingest (docs.body, up to 256 KiB a file) and each file's path,
 * looks for the patterns of docs/pii.h, and keeps per file and kind a count
 * and up to REVIEW_EXCERPTS redacted excerpts in the catalogue's review
 * tables, which nothing serves. A file is read again only when its checksum
 * changed or the rules did (REVIEW_RULES), so a second run reads only what
 * changed; results are committed in batches, so an interrupted run resumes.
 * Never changes a file. */
#ifndef BROADSIDE_REVIEW_H
#define BROADSIDE_REVIEW_H

#include <stdint.h>

#include "catalogue/cat.h"

#define REVIEW_RULES 4        /* raise when a rule changes: every file is read again */
#define REVIEW_EXCERPTS 3

struct docjail;

typedef struct review_opts {
	/* Called every few hundred files and at the end. */
	void (*progress)(void *arg, int64_t done, int64_t total);
	void *arg;
	/* Metadata (docs/meta.h) is read when jail is set: each file opened
	 * beneath rootfd (the collection's root), read in the jail. */
	struct docjail *jail;
	int rootfd;
	const char *pdfinfo;   /* absolute; NULL = META_PDFINFO */
	const char *pdfdetach; /* absolute; NULL: embedded files are not listed */
	const char *pdftotext; /* absolute; NULL: earlier PDF revisions' text is not compared */
	/* Called (by the calling thread) for each file whose metadata could not
	 * all be read: its path and why (both untrusted text). */
	void (*unread)(void *arg, const char *path, const char *why);
	int threads;           /* files looked at in parallel; 0 = number of CPUs */
} review_opts_t;

#define REVIEW_THREADS_MAX 16

typedef struct review_stats {
	int64_t files;        /* in the collection */
	int64_t read;         /* new or changed since the last review */
	int64_t unread;       /* whose metadata could not be read (gone, or refused by the jail) */
	int64_t ms;
} review_stats_t;

/* Review collection col_id: 0 or -1 (logged). */
int review_run(cat_t *c, int64_t col_id, const review_opts_t *o, review_stats_t *st);

typedef struct review_finding {
	const char *path, *kind, *excerpts;   /* excerpts: one a line */
	int64_t count;
} review_finding_t;
/* Call fn for every finding of the collection, by path then kind; non-zero stops. */
int review_each(cat_t *c, int64_t col_id, int (*fn)(const review_finding_t *f, void *arg), void *arg);

typedef struct review_folder {
	const char *folder, *kind;   /* folder "" = the collection's top */
	int64_t count, files;        /* findings, and files with one */
} review_folder_t;
/* Call fn for every (folder, kind) with findings among the folder's own files. */
int review_folders(cat_t *c, int64_t col_id, int (*fn)(const review_folder_t *f, void *arg), void *arg);

#endif
