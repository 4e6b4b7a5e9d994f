/* asset: lookup in the generated table. The ETags are in the table too,
 * computed at build time (the table is immutable, so an ETag is stable for the
 * life of the binary). */
#include <string.h>

#include "site/asset.h"

int
asset_get(const char *name, const unsigned char **data, size_t *len, const char **etag)
{
	for (size_t i = 0; i < asset_nfiles; i++) {
		if (strcmp(asset_files[i].name, name) != 0)
			continue;
		*data = asset_files[i].data;
		*len = asset_files[i].len;
		if (etag)
			*etag = asset_files[i].etag;
		return 0;
	}
	return -1;
}

const char *
asset_name(size_t i)
{
	return i < asset_nfiles ? asset_files[i].name : NULL;
}
