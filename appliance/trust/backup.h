/* backup: the appliance's identity in one encrypted file — onion keys, the
 * publisher signing key, broadside.conf, a consistent snapshot of the catalogue
 * (SQLite online backup) and, for mirrored collections, the origin's signed
 * manifests. Never the collections' data files.
 *
 * File format, version 1 (all integers big-endian):
 *
 *   header (61 bytes, authenticated as AAD of every chunk)
 *     0  magic "BRDSBKUP"        8
 *     8  format version = 1      1
 *     9  kdf = 1 (scrypt)        1
 *    10  log2(N)                 1     (we write 17: 128 MiB, ~1 s on a 2 GHz core)
 *    11  r                       4     (8)
 *    15  p                       4     (1)
 *    19  salt                   16     (random)
 *    35  aead = 1 (AES-256-GCM)  1
 *    36  log2(chunk size)        1     (16: 64 KiB)
 *    37  nonce prefix            8     (random)
 *    45  passphrase check       16     (bytes 32..47 of the scrypt output)
 *   chunks: ciphertext (chunk size bytes of plaintext; the last one 0..chunk
 *           size) ‖ 16-byte GCM tag. Key = scrypt output bytes 0..31; nonce =
 *           prefix ‖ chunk index (4 bytes); AAD = header ‖ chunk index (8
 *           bytes) ‖ last-chunk flag (1 byte). The flag makes truncation at a
 *           chunk boundary detectable; the index stops reordering.
 *
 * Plaintext: a sequence of records (the inner archive):
 *   'F' ‖ name length (2) ‖ name ‖ mode (4) ‖ length (8) ‖ bytes     a file
 *   'Z' ‖ number of files (8)                                         the end
 * Names are relative to the data directory and must be one of: broadside.conf,
 * catalogue.db, meta, keys/publisher.key, keys/publisher.pub,
 * onion/<svc>/<file>, onion/<svc>/authorized_clients/<file>,
 * manifests/<slug>/<manifest name>; components are [A-Za-z0-9._-], no leading
 * dot. Restores read the whole file twice: the first pass authenticates every
 * chunk and checks the archive, and only then is anything written. */
#ifndef BROADSIDE_BACKUP_H
#define BROADSIDE_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#define BACKUP_HEADER_LEN 61
#define BACKUP_LOG2_N 17
#define BACKUP_R 8
#define BACKUP_P 1

typedef struct backup_header {
	uint8_t version, kdf, log2_n, aead, log2_chunk;
	uint32_t r, p;
	uint8_t salt[16];
	uint8_t nonce_prefix[8];
	uint8_t check[16];
} backup_header_t;

/* Parse and sanity-check a header (untrusted: KDF cost is capped so a crafted
 * file cannot demand gigabytes). 0, or -1 with a reason in err. */
int backup_header_parse(const uint8_t *buf, size_t len, backup_header_t *h, char *err, size_t errlen);

/* What the inner-archive parser reports. Any non-zero return stops it. */
typedef struct backup_sink {
	int (*begin)(void *arg, const char *name, uint32_t mode, uint64_t length);
	int (*data)(void *arg, const uint8_t *p, size_t n);
	int (*end)(void *arg);
	void *arg;
} backup_sink_t;

typedef struct backup_parser backup_parser_t;

backup_parser_t *backup_parser_new(const backup_sink_t *sink);
void backup_parser_free_(backup_parser_t *p);
#define backup_parser_free(p) do { backup_parser_free_(p); (p) = NULL; } while (0)
/* Feed plaintext in any pieces. 0, or -1 with a reason (backup_parser_error). */
int backup_parser_feed(backup_parser_t *p, const uint8_t *buf, size_t n);
/* 0 if the archive ended with a correct end record and nothing after it. */
int backup_parser_finish(backup_parser_t *p);
const char *backup_parser_error(const backup_parser_t *p);
/* 1 if name may appear in an archive (see above). */
int backup_name_valid(const char *name);

/* Write the backup of the data directory data_root to out_path (0600, via a
 * temp file and rename). 0 or -1 (logged). */
int backup_write(const char *data_root, const char *out_path, const char *pass, size_t passlen,
    int log2_n);

enum backup_result {
	BACKUP_OK = 0,
	BACKUP_ERR_IO,          /* cannot read the file or write the target */
	BACKUP_ERR_FORMAT,      /* not a backup, or an unknown version */
	BACKUP_ERR_PASSPHRASE,  /* wrong passphrase */
	BACKUP_ERR_DAMAGED,     /* altered or truncated */
};

/* Check the whole file (every chunk, the archive) without writing anything;
 * then, if target_dir is non-NULL, write its files into target_dir (which must
 * exist and be empty). err gets an operator message on failure. */
enum backup_result backup_read(const char *in_path, const char *pass, size_t passlen,
    const char *target_dir, char *err, size_t errlen);

#endif
