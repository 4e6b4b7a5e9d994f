/* sign: the publisher's Ed25519 key and minisign-format signatures, made and
 * checked with OpenSSL only (so `minisign -V` is an independent verifier).
 *
 * Public key file (keys/publisher.pub), minisign's format:
 *   untrusted comment: minisign public key <KEYID as 16 upper-case hex>
 *   base64("Ed" ‖ keyid[8] ‖ pk[32])
 * Secret key file (keys/publisher.key, 0600), minisign's *unencrypted* format
 * (what `minisign -G -W` writes, so `minisign -S -s keys/publisher.key` works):
 *   untrusted comment: ...
 *   base64("Ed" ‖ "\0\0" (no KDF) ‖ "B2" ‖ salt[32] ‖ ops[8] ‖ mem[8] ‖ keyid[8] ‖
 *          seed[32] ‖ pk[32] ‖ checksum[32])     (zeros where unused, as minisign)
 * Signature (<file>.minisig), minisign's prehashed form:
 *   untrusted comment: <text>
 *   base64("ED" ‖ keyid[8] ‖ Ed25519(BLAKE2b-512(file)))
 *   trusted comment: <one line>
 *   base64(Ed25519(signature[64] ‖ trusted comment))
 * Prehashing lets us sign and verify manifests of any size while streaming. The
 * key id is shown as minisign shows it: the 8 bytes as a little-endian number. */
#ifndef BROADSIDE_SIGN_H
#define BROADSIDE_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define SIGN_HASH_LEN 64

typedef struct sign_pub {
	uint8_t keyid[8];
	uint8_t pk[32];
} sign_pub_t;

typedef struct sign_key sign_key_t;
typedef struct sign_hasher sign_hasher_t;

/* A parsed .minisig; trusted points into the parsed text's copy (freed by clear). */
typedef struct sign_sig {
	uint8_t alg[2];          /* "ED" (prehashed) or "Ed" (legacy) */
	uint8_t keyid[8];
	uint8_t sig[64];
	char *trusted;           /* the trusted comment, without prefix or newline */
	uint8_t global[64];
} sign_sig_t;

/* Create dir/publisher.key (0600) and dir/publisher.pub unless the key exists;
 * an existing key is kept. 0 or -1 (logged). */
int sign_key_create(const char *dir);
/* Load a secret key file; NULL (logged) if missing, malformed or encrypted. */
sign_key_t *sign_key_load(const char *path);
void sign_key_free_(sign_key_t *k);
#define sign_key_free(p) do { sign_key_free_(p); (p) = NULL; } while (0)
/* The public half of k. */
const sign_pub_t *sign_key_pub(const sign_key_t *k);

/* Return the public key file text (two lines; caller frees). */
char *sign_pub_format(const sign_pub_t *p);
/* Parse a public key: the file's text or just its base64 line. 0 or -1. */
int sign_pub_parse(const char *text, size_t len, sign_pub_t *out);
/* Read and parse a public key file. 0 or -1 (logged). */
int sign_pub_load(const char *path, sign_pub_t *out);
/* Write the key id as minisign prints it ("34407CA6676B55F9") into out[17]. */
void sign_keyid_hex(const uint8_t keyid[8], char out[17]);

/* BLAKE2b-512, streaming: the prehash of minisign's "ED" signatures. */
sign_hasher_t *sign_hasher_new(void);
void sign_hasher_update(sign_hasher_t *h, const void *p, size_t n);
/* Write the hash into out and reset the hasher for reuse. */
void sign_hasher_final(sign_hasher_t *h, uint8_t out[SIGN_HASH_LEN]);
void sign_hasher_free_(sign_hasher_t *h);
#define sign_hasher_free(p) do { sign_hasher_free_(p); (p) = NULL; } while (0)
/* Hash a whole file; 0 or -1 with errno. */
int sign_hash_file(const char *path, uint8_t out[SIGN_HASH_LEN]);

/* Return the .minisig text for a file whose BLAKE2b-512 is hash. trusted is one
 * line (no '\n'); NULL on failure. Caller frees. */
char *sign_signature(const sign_key_t *k, const uint8_t hash[SIGN_HASH_LEN], const char *trusted);

/* Parse .minisig text (untrusted input: lengths and alphabet are checked). 0 or -1. */
int sign_sig_parse(const char *text, size_t len, sign_sig_t *out);
void sign_sig_clear(sign_sig_t *s);
/* Check a prehashed ("ED") signature against pub and the file's hash: key id,
 * signature and the global signature over the trusted comment. 0 if valid; -1
 * with a reason in err otherwise. Legacy "Ed" signatures are refused. */
int sign_verify(const sign_pub_t *pub, const sign_sig_t *s, const uint8_t hash[SIGN_HASH_LEN],
    char *err, size_t errlen);
/* Check only what needs no file: algorithm, key id and the global signature,
 * so the trusted comment is known to be the key holder's before the file is
 * fetched (sign_verify checks the file too). 0, or -1 with err. */
int sign_verify_trusted(const sign_pub_t *pub, const sign_sig_t *s, char *err, size_t errlen);
/* Verify the file at path against .minisig text; on success, if trusted_out is
 * non-NULL, set it to a copy of the trusted comment. 0 or -1 with err. */
int sign_verify_file(const sign_pub_t *pub, const char *sig_text, size_t sig_len,
    const char *path, char **trusted_out, char *err, size_t errlen);

#endif
