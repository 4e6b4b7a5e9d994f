/* torrent_int: what torrent.c and torrent_hash.c share; not for callers. */
#ifndef BROADSIDE_TORRENT_INT_H
#define BROADSIDE_TORRENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "trust/torrent.h"

#define TORRENT_STATE_MAGIC "broadside-torrent-state/1"

/* The hashes kept in <data>/torrents/<slug>: info and layers point into buf. */
struct torrent_state {
	char digest[2 * TORRENT_DIGEST_LEN + 1];
	char version[48];          /* "" until first published */
	long long piece_len;
	int single;                /* one file at the top: a single-file torrent named after it */
	char *info, *layers;
	size_t info_len, layers_len;
	char *buf;
};

/* Read the kept hashes of slug (free s->buf after). 0, or -1 if none or malformed. */
int torrent_state_read(const char *data_root, const char *slug, struct torrent_state *s);
/* Keep them (atomically, 0600). 0 or -1 (logged). */
int torrent_state_write(const char *data_root, const char *slug, const char *digest_hex, const char *version,
    int64_t piece_len, int single, const char *info, size_t il, const char *layers, size_t ll);
/* n bytes as lower-case hex into out[2n + 1]. */
void torrent_hex(const uint8_t *p, size_t n, char *out);

#endif
