/* asset: the web/ templates and stylesheet, compiled into the binary by
 * scripts/build/embed-assets.sh so that nothing is read from disk at run time. */
#ifndef BROADSIDE_ASSET_H
#define BROADSIDE_ASSET_H

#include <stddef.h>

/* Look up an embedded file by base name ("style.css", "home.html"). On success
 * set data/len (data is also NUL-terminated) and etag (a quoted strong ETag
 * from the content's SHA-256, computed at build time) and return 0; -1 if unknown.
 * etag may be NULL. */
int asset_get(const char *name, const unsigned char **data, size_t *len, const char **etag);

/* Return the name of the i-th embedded file, or NULL past the end. */
const char *asset_name(size_t i);

/* The generated table (build/gen/web_assets.c); use the functions above. */
struct asset_file {
	const char *name;
	const unsigned char *data;
	size_t len;
	const char *etag;   /* "\"<32 hex>\"" */
};
extern const struct asset_file asset_files[];
extern const size_t asset_nfiles;

#endif
