/* asset: lookup in the generated table, with ETags computed once at first use
 * (the table is immutable, so the ETag is stable for the life of the binary). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "site/asset.h"
#include "base/text.h"
#include "base/util.h"

/* 16 bytes of SHA-256 in hex plus quotes: short, and collisions are irrelevant
 * at the scale of one stylesheet's revisions. */
#define ETAG_LEN (2 + 32)

static char (*etags)[ETAG_LEN + 1];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void
etags_compute(void)
{
	etags = xcalloc(asset_nfiles ? asset_nfiles : 1, sizeof(*etags));
	for (size_t i = 0; i < asset_nfiles; i++) {
		unsigned char md[SHA256_DIGEST_LENGTH];
		SHA256(asset_files[i].data, asset_files[i].len, md);
		char *p = etags[i];
		*p++ = '"';
		text_hex(p, md, 16);
		p += 32;
		*p++ = '"';
		*p = '\0';
	}
}

int
asset_get(const char *name, const unsigned char **data, size_t *len, const char **etag)
{
	pthread_once(&etags_once, etags_compute);
	for (size_t i = 0; i < asset_nfiles; i++) {
		if (strcmp(asset_files[i].name, name) != 0)
			continue;
		*data = asset_files[i].data;
		*len = asset_files[i].len;
		if (etag)
			*etag = etags[i];
		return 0;
	}
	return -1;
}

const char *
asset_name(size_t i)
{
	return i < asset_nfiles ? asset_files[i].name : NULL;
}
