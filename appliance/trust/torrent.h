/* torrent: a collection as one hybrid BitTorrent file, v1 and v2 (BEP 52),
 * for others to seed. Broadside never seeds: that would show peers the
 * appliance's IP address. It publishes the .torrent with the manifests.
 *
 *   info          name = the slug; "files" (v1, BEP 3) with a BEP 47 pad file
 *                 after every file but the last whose size is not a whole
 *                 number of pieces, so each file starts a v1 piece and the
 *                 v1 and v2 pieces cover the same bytes; "file tree" (v2) of
 *                 the catalogue's relative paths split at '/'; meta version 2.
 *                 Files in the order of the file tree (byte order of each
 *                 component). No private flag, no creation date.
 *   piece layers  for every file over one piece.
 *   url-list      (BEP 19) http://<addr>/f/ for every address given, then
 *                 the clearnet bases of torrent_web_seeds: a client adds
 *                 "<slug>/<path>".
 *   announce(-list)  only the trackers of torrent_trackers (none by default).
 *   comment       the signed manifest version the hashes were first
 *                 published with; created by "Broadside" (no version).
 *
 * `broadside torrent` reads every file once (SHA-1 pieces and the SHA-256
 * merkle trees from the same read) into <data>/torrents/<slug>: the info
 * dictionary and the piece layers, for one digest of the catalogue rows.
 * Every regeneration of the manifests builds the .torrent from it while the
 * rows still match, so the same catalogue always gives the same bytes. */
#ifndef BROADSIDE_TORRENT_H
#define BROADSIDE_TORRENT_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue/cat.h"
#include "base/util.h"

#define TORRENT_DIGEST_LEN 32
#define TORRENT_MIN_PIECE (16 * 1024)
#define TORRENT_MAX_PIECE (64 * 1024 * 1024)

/* A digest of a collection's rows (path, size, SHA-256), fed in
 * cat_file_each's order: it changes exactly when the torrent would. */
typedef struct torrent_digest torrent_digest_t;
torrent_digest_t *torrent_digest_new(void);
void torrent_digest_add(torrent_digest_t *d, const char *relpath, const cat_file_t *f);
/* Write the digest and free d. */
void torrent_digest_final(torrent_digest_t *d, uint8_t out[TORRENT_DIGEST_LEN]);

/* The digest of collection col_id's rows now. 0 or -1. */
int torrent_catalogue_digest(cat_t *c, int64_t col_id, uint8_t out[TORRENT_DIGEST_LEN]);

/* 1 if <data>/torrents/<slug> holds the hashes of exactly these rows (and
 * piece_len, unless 0) within torrent_max_bytes, else 0. */
int torrent_state_current(const char *data_root, const char *slug, const uint8_t digest[TORRENT_DIGEST_LEN],
    int64_t piece_len);

typedef struct torrent_stats {
	int64_t files, bytes, piece_len, pieces, ms;
} torrent_stats_t;

/* The config's torrent_max_bytes (0: no bound): a .torrent whose info
 * dictionary and piece layers pass it is never kept nor published, since
 * clients refuse large ones (libtorrent: 10 MB, 2.5-3 million tokens). */
int64_t torrent_max_bytes(const char *data_root);

/* Read every catalogued file of col once (beneath its root; one changed since
 * the last refresh fails) and keep the torrent's hashes in <data>/torrents/.
 * piece_len: a power of two from TORRENT_MIN_PIECE to TORRENT_MAX_PIECE, or 0
 * to choose one from the sizes. 0, or -1 with the reason in err, or -2 when
 * the .torrent would pass torrent_max_bytes (refused before reading when the
 * paths alone do: each file takes at least 40 bytes and its path). */
int torrent_hash(const char *data_root, cat_t *c, const cat_collection_t *col, int64_t piece_len,
    torrent_stats_t *st, char *err, size_t errlen);

typedef struct torrent_ids {
	char btih[41];      /* v1 info-hash, hex */
	char btmh[65];      /* v2 info-hash (SHA-256 of info), hex */
	char version[48];   /* the manifest version in its comment */
} torrent_ids_t;

/* Append the .torrent of slug to out if its kept hashes match digest (and
 * fit torrent_max_bytes); the
 * first time, version (the manifests' being signed) goes into the comment
 * and is kept. Web seeds on addrs[0..naddrs) and the config's. 1 made, 0 no
 * hashes for these rows, -1 error (logged). */
int torrent_build(const char *data_root, const char *slug, const uint8_t digest[TORRENT_DIGEST_LEN],
    const char *version, const char *const *addrs, size_t naddrs, strbuf_t *out, torrent_ids_t *ids);

/* Remove the kept hashes of slug (its collection went). */
void torrent_forget(const char *data_root, const char *slug);

#endif
