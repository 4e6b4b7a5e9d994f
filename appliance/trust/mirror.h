/* mirror: copy another appliance's collection through tor, proving every byte
 * came from its publisher. The origin's index.json (manifest.h) and its
 * .minisig are fetched first and checked against the pinned publisher key;
 * then every listed file is fetched from /f/<slug>/<path> into a partial file
 * named by its SHA-256 (resumed with Range + If-Range on that ETag) and
 * hashed as it arrives; a verified file stays there, staged, until the whole
 * version is (mirror_install), so readers keep the installed version until
 * the new one is complete. A mismatch goes to the quarantine folder with a
 * line in its REPORT. Files already in place with the listed size and mtime
 * (and hash) are not fetched again.
 *
 *   <dest>/                    the mirrored files (the collection root)
 *   <dest>/../.<name>.partial/ partial and staged files, the fetched manifests
 *   <dest>/../<name>.quarantine/  bytes that did not match, REPORT
 *
 * The mirror reads index.json as broadside writes it: one file object per
 * line, in strictly increasing byte order of path (checked).
 *
 * Rollback: the installed version of a collection is the version in the
 * trusted comment of its installed, origin-signed manifests
 * (<data>/manifests/<slug>/, manifest.h), so it is as durable as they are
 * (swapped in atomically, in the identity backup, served to readers). A
 * fetched set is refused, and deleted, if either signature is bad, if a
 * trusted comment names another file or collection, if index.json and
 * SHA256SUMS carry different versions, if its version is older than the
 * installed one (these from the signatures alone, before the manifests are
 * fetched), or the same with other bytes, or if it removes more than
 * max_removals_pct of the installed files. */
#ifndef BROADSIDE_MIRROR_H
#define BROADSIDE_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue/cat.h"
#include "trust/fetch.h"
#include "trust/manifest.h"
#include "trust/mirror_index.h"
#include "trust/sign.h"

typedef struct mirror_progress {
	int64_t files_done, files_total;
	int64_t bytes_done, bytes_total;   /* bytes to fetch in this run */
	int64_t started_ms;
} mirror_progress_t;

typedef struct mirror_opts {
	fetch_t *fetch;
	const char *slug;          /* the origin's collection */
	const char *dest;          /* collection root to fill */
	const char *work;          /* partial folder */
	const char *quarantine;
	const sign_pub_t *pub;
	cat_t *cat;                /* to skip files already catalogued, or NULL */
	const char *installed;     /* the installed manifests' folder (may not exist) */
	int64_t max_manifest;      /* bytes per fetched manifest */
	int max_removals_pct;      /* refuse a set that removes more; >= 100: any */
	int64_t quarantine_max;    /* bytes of mismatching bodies kept */
	int64_t collection_id;     /* 0 if not yet registered */
	manifest_version_t *seen;  /* if set: the origin's version, once its signature verified */
	void (*progress)(void *arg, const mirror_progress_t *p, int final);
	void *progress_arg;
	/* A line for the operator (a file quarantined, not fetched, skipped),
	 * already escaped for a terminal; NULL: nothing is said. */
	void (*say)(void *arg, int progress, const char *text);
} mirror_opts_t;

typedef struct mirror_stats {
	int64_t files, unchanged, fetched, resumed, quarantined, failed, skipped;
	int64_t bytes_fetched;
	int64_t ms;
	int deadline;              /* stopped: the fetch deadline passed */
} mirror_stats_t;

/* Fetch index.json, SHA256SUMS and their signatures into o->work, verify them
 * against o->pub and check them against the installed set (above). 0, or -1
 * with err naming what was refused (the fetched files are deleted). */
int mirror_fetch_manifests(const mirror_opts_t *o, char *err, size_t errlen);
/* Delete fetched manifests left in the work folder. */
void mirror_manifests_clean(const char *work);
/* Fetch and verify every file of the verified index in o->work that o->dest
 * lacks, staging it in o->work. 0, or -1 on a local error or the deadline
 * (per-file failures are counted in st and reported). */
int mirror_sync(const mirror_opts_t *o, mirror_stats_t *st);
/* 1 if o->dest already holds e (size, mtime and hash), else 0. */
int mirror_in_place(const mirror_opts_t *o, const mirror_index_entry_t *e);
/* Move the body at partial (bytes that hash to got, not e's hash) to the
 * quarantine, within its byte bound, with a REPORT line; tell the operator. */
void mirror_quarantine(const mirror_opts_t *o, const char *partial, const mirror_index_entry_t *e, const char *got);

#endif
