/* onion: the onion service identity, kept in tor's own HiddenServiceDir format so
 * that tor uses our key as is:
 *
 *   hs_ed25519_secret_key   "== ed25519v1-secret: type0 ==" (32 bytes, NUL-padded)
 *                           + 64-byte expanded secret key
 *   hs_ed25519_public_key   "== ed25519v1-public: type0 ==" (32 bytes) + 32 bytes
 *   hostname                "<56 base32 chars>.onion\n"
 *
 * Address (v3, rend-spec-v3 §6): base32(pubkey ‖ checksum[2] ‖ 0x03) with
 * checksum = SHA3-256(".onion checksum" ‖ pubkey ‖ 0x03)[0..2]. */
#ifndef BROADSIDE_ONION_H
#define BROADSIDE_ONION_H

#include <stddef.h>
#include <stdint.h>

/* 56 base32 characters + ".onion" + NUL. */
#define ONION_ADDRESS_LEN 63

/* Create dir (0700) and a new key in it unless hs_ed25519_secret_key exists;
 * an existing key is kept. Files are written 0600. Return 0 or -1 (logged). */
int onion_key_create(const char *dir);

/* Derive "<56 chars>.onion" from dir/hs_ed25519_public_key into out. If tor's
 * hostname file exists and names another address, log it and return -1. */
int onion_address(const char *dir, char out[ONION_ADDRESS_LEN]);

/* Check that dir is 0700 and that dir and the secret key (0600) are ours. On
 * failure log what is wrong and the chmod/chown that fixes it; return -1. */
int onion_check_perms(const char *dir);

/* Write the address for a 32-byte Ed25519 public key into out. */
void onion_address_from_pubkey(const uint8_t pubkey[32], char out[ONION_ADDRESS_LEN]);

/* RFC 4648 base32 of n bytes, lower case, no padding, into out (8n/5 rounded
 * up, + NUL). Tor's address and client-auth key format. */
void onion_base32(const uint8_t *in, size_t n, char *out);

/* Check a v3 address typed by a person ("<56 chars>" with or without
 * ".onion", any case): base32, version 3, checksum. Write the canonical form
 * ("<56 lower-case chars>.onion") into out and return 0, or return -1. */
int onion_address_parse(const char *in, char out[ONION_ADDRESS_LEN]);

#endif
