/* ingest: bring a collection's catalogue entries in line with its folder on disk.
 * The main thread walks the tree (never following symlinks) and is the only one to
 * write to SQLite; worker threads hash (SHA-256, streaming), type and extract the
 * files that are new or whose size or mtime changed. Writes are batched in
 * transactions that each leave a consistent catalogue, so a killed ingest is
 * simply run again; entries for files gone from disk are removed at the end.
 * Files and folders are opened beneath the root's descriptor with no symlink on
 * the way (beneath_open), and every document is parsed in the document
 * jail (docjail.h); one it cannot read is catalogued by name and listed. */
#ifndef BROADSIDE_INGEST_H
#define BROADSIDE_INGEST_H

#include <stdint.h>

#include "catalogue/cat.h"

typedef struct ingest_opts {
	int threads;      /* hashing workers; 0 = number of CPUs */
	int progress;     /* 1: a live progress line; 0: only the summary line */
	int quiet;        /* no summary line either */
	int sandbox;      /* the document jail (docjail.h): SANDBOX_YES, _REQUIRED or _NO */
	const char *pdftotext_path;   /* absolute; NULL = EXTRACT_PDFTOTEXT */
	const char *unrtf_path;       /* absolute; NULL = EXTRACT_UNRTF */
	const char *catdoc_path;      /* absolute; NULL = EXTRACT_CATDOC */
	const char *xls2csv_path;     /* absolute; NULL = EXTRACT_XLS2CSV */
	int ocr;          /* 1: images and PDFs without text are read by OCR (and those of
	                   * unchanged files that were not yet) */
	const char *ocr_languages, *tesseract_path, *pdftoppm_path;   /* NULL: defaults */
	/* What the operator is told, as text already escaped for a terminal:
	 * progress = 1 for the progress line (each replaces the last; the final
	 * one ends in a newline), 0 for report and summary lines. NULL: nothing
	 * is said (library code never prints; the command decides). */
	void (*say)(void *arg, int progress, const char *text);
	void *say_arg;
} ingest_opts_t;

typedef struct ingest_stats {
	int64_t files;        /* regular files found */
	int64_t added, changed, unchanged, removed;
	int64_t bytes;        /* bytes of all files found */
	int64_t hashed;       /* bytes read and hashed */
	int64_t symlinks;     /* skipped: symlinks */
	int64_t special;      /* skipped: devices, fifos, sockets, names with a backslash */
	int64_t errors;       /* unreadable, vanished or changing files and folders */
	int64_t withheld;     /* skipped: files and folders the publisher withheld (cat_withhold.h) */
	int64_t unread;       /* catalogued, but their text could not be read (docjail.h) */
	int64_t ocr_files, ocr_pages;   /* read by OCR */
	int64_t ms;           /* wall time */
} ingest_stats_t;

/* Ingest the tree at root (an absolute real path) into collection collection_id.
 * Unreadable or vanished files are counted, listed on stderr and skipped; only
 * catalogue failures (full disk, I/O error) return -1. */
int ingest_run(cat_t *c, int64_t collection_id, const char *root, const ingest_opts_t *o,
    ingest_stats_t *st);

/* Hash the file at path (SHA-256 in 1 MiB reads); 0 and 32 bytes in out, or -1 with errno. */
int ingest_sha256_file(const char *path, unsigned char out[32], int64_t *size);

#endif
