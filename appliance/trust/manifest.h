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
 *                         trusted comment says timestamp, file, collection, count.
 *   publisher.pub         the public key that signed them.
 *
 * The four files are built in a fresh folder and swapped in with one
 * renameat2(RENAME_EXCHANGE), so a reader never sees a half-written set. Rows
 * stream from cat_file_each: memory stays constant however many files. */
#ifndef BROADSIDE_MANIFEST_H
#define BROADSIDE_MANIFEST_H

#include <stddef.h>

#include "catalogue/cat.h"
#include "trust/sign.h"
#include "base/util.h"

/* Regenerate the manifests of col, signed with the key in <data>/keys. 0 or -1 (logged). */
int manifest_update(const char *data_root, cat_t *c, const cat_collection_t *col);
/* The same with a loaded key. */
int manifest_write(const char *data_root, cat_t *c, const cat_collection_t *col, const sign_key_t *k);

/* Return <data>/manifests/<slug> (caller frees). */
char *manifest_dir(const char *data_root, const char *slug);
/* 1 if name is a file served below /m/<slug>/, else 0. */
int manifest_name_valid(const char *name);

/* Append one SHA256SUMS line for path, escaped as coreutils does. */
void manifest_sums_line(strbuf_t *out, const char *sha256_hex, const char *path);
/* Parse one SHA256SUMS line (without its '\n'): hex into hex[65], unescaped
 * path (caller frees). 0, or -1 if it is not such a line. */
int manifest_sums_parse(const char *line, size_t len, char hex[65], char **path);
/* Append s as a JSON string; invalid UTF-8 becomes U+FFFD. Return 1 if it did. */
int manifest_json_str(strbuf_t *out, const char *s);

#endif
