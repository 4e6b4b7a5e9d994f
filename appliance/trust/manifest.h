/* manifest: what a collection's readers and mirrors verify against, written after
 * every ingest into <data>/manifests/<slug>/ and served at /m/<slug>/<name>:
 *
 *   SHA256SUMS            exactly `sha256sum`'s output for the collection root:
 *                         "<hex>  <path>\n", paths relative to the root, in byte
 *                         order. A path holding '\\', '\n' or '\r' is written as
 *                         coreutils does: the line starts with '\\' and those
 *                         bytes become "\\\\", "\\n", "\\r". `sha256sum -c` checks it.
 *   index.json            {"format":"broadside-index/1","collection":…,"title":…,
 *                         "description":…,"generated":<unix time>,"files":[
 *                         one object per line: {"path":…,"size":N,"sha256":"hex",
 *                         "mtime":N} …],"count":N,"bytes":N}
 *                         Strings are JSON; a name that is not valid UTF-8 gets
 *                         U+FFFD in "path" plus "path_base64" with its exact bytes.
 *   SHA256SUMS.minisig, index.json.minisig
 *                         minisign signatures (sign.h) by the publisher key; the
 *                         trusted comment is tab-separated "key:value" fields:
 *                         timestamp:<unix>  file:<name>  collection:<slug>
 *                         files:<count>  version:<unix>-<counter>
 *                         The version is the same in both and grows with every
 *                         regeneration (the counter tells apart two made in one
 *                         second, or after the clock went back), so a mirror can
 *                         refuse an older, genuinely signed set (mirror.h).
 *   collection.meta4      RFC 5854 metalink: every file whose name is XML text, with
 *                         its size, SHA-256 and http://<addr>/f/<slug>/<path> on
 *                         every address given; urls.txt: one URL a file, on the
 *                         first address. Both signed as above (file:<name>).
 *   collection.torrent    the collection's BitTorrent file (torrent.h), written
 *                         only while the hashes `broadside torrent` kept match
 *                         these rows; signed as above. index.json then holds,
 *                         after the file list, "torrent":{"path","size",
 *                         "sha256","btih","btmh","version"}.
 *   publisher.pub         the public key that signed them.
 *   sums/<key>/SHA256SUMS, sums/<key>/SHA256SUMS.minisig
 *                         the lines of SHA256SUMS for the files directly in one
 *                         folder (so a reader checks one file with a download of
 *                         its folder's size, not the collection's); key is
 *                         manifest_folder_key(folder path). Signed like the others,
 *                         trusted comment file:folder-SHA256SUMS, files:<in this
 *                         list>, the same version, and folder:<key>. Kept flat on
 *                         disk as sums/<key> and sums/<key>.minisig.
 *
 * The files are built in a fresh folder and swapped in with one
 * renameat2(RENAME_EXCHANGE), so a reader never sees a half-written set. Rows
 * stream from cat_file_each: memory stays constant however many files. */
#ifndef BROADSIDE_MANIFEST_H
#define BROADSIDE_MANIFEST_H

#include <stddef.h>

#include "catalogue/cat.h"
#include "trust/sign.h"
#include "base/util.h"

/* Regenerate the manifests of col, signed with the key in <data>/keys: the
 * metalink and urls.txt name addrs[0..naddrs) (mirrors_site_addresses: this
 * onion first, then the publisher's list). 0 or -1 (logged). */
int manifest_update(const char *data_root, cat_t *c, const cat_collection_t *col,
    const char *const *addrs, size_t naddrs);
/* The same with a loaded key. */
int manifest_write(const char *data_root, cat_t *c, const cat_collection_t *col, const sign_key_t *k,
    const char *const *addrs, size_t naddrs);

/* Return <data>/manifests/<slug> (caller frees). */
char *manifest_dir(const char *data_root, const char *slug);
/* 1 if name is one of the top-level files served below /m/<slug>/, else 0. */
int manifest_name_valid(const char *name);
/* The file below <data>/manifests/<slug>/ that /m/<slug>/<name> serves, a
 * top-level name or a folder list; NULL if name is neither (caller frees). */
char *manifest_served_path(const char *name);

#define MANIFEST_FOLDER_KEY_LEN 32
/* The key of folder dir (len bytes, "" for the collection's top): the first
 * 128 bits of its SHA-256, in hex. */
void manifest_folder_key(const char *dir, size_t len, char out[MANIFEST_FOLDER_KEY_LEN + 1]);

/* A manifest's version; {0, 0} is "none" (signed before versions existed),
 * older than every real one. */
typedef struct manifest_version {
	int64_t time, counter;
} manifest_version_t;

/* The fields of a trusted comment that mirrors check. */
typedef struct manifest_tc {
	char file[32];             /* "" if absent */
	char collection[64];
	int64_t files;             /* -1 if absent */
	manifest_version_t version;
} manifest_tc_t;

/* Parse a trusted comment (untrusted text until its signature is checked). 0 or -1. */
int manifest_tc_parse(const char *tc, manifest_tc_t *out);
/* <0, 0, >0 as a is older than, the same as, newer than b. */
int manifest_version_cmp(const manifest_version_t *a, const manifest_version_t *b);
/* "1764765600-3", or "none" (out: at least 48 bytes). */
void manifest_version_format(const manifest_version_t *v, char *out, size_t outlen);
/* The version of the manifests in dir (from index.json.minisig's trusted
 * comment): 1 found, 0 if dir holds none (or an unversioned set: v = none). */
int manifest_dir_version(const char *dir, manifest_version_t *v);
/* The version after prev at time now: {now, 0}, or {prev.time, prev.counter + 1}
 * when now is not later than prev (same second, clock set back). */
manifest_version_t manifest_version_next(const manifest_version_t *prev, int64_t now);

/* Append one SHA256SUMS line for path, escaped as coreutils does. */
void manifest_sums_line(strbuf_t *out, const char *sha256_hex, const char *path);
/* Parse one SHA256SUMS line (without its '\n'): hex into hex[65], unescaped
 * path (caller frees). 0, or -1 if it is not such a line. */
int manifest_sums_parse(const char *line, size_t len, char hex[65], char **path);
/* Append s as a JSON string; invalid UTF-8 becomes U+FFFD. Return 1 if it did. */
int manifest_json_str(strbuf_t *out, const char *s);

#endif
