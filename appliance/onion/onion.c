/* onion: see onion.h. */
#include "onion/onion.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/log.h"
#include "base/util.h"

#define SECRET_FILE "hs_ed25519_secret_key"
#define PUBLIC_FILE "hs_ed25519_public_key"
#define HOSTNAME_FILE "hostname"
#define HEADER_LEN 32

static const char secret_tag[] = "== ed25519v1-secret: type0 ==";
static const char public_tag[] = "== ed25519v1-public: type0 ==";

void
onion_base32(const uint8_t *in, size_t n, char *out)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			*out++ = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		*out++ = alphabet[(acc << (5 - bits)) & 31];
	*out = '\0';
}

void
onion_address_from_pubkey(const uint8_t pubkey[32], char out[ONION_ADDRESS_LEN])
{
	static const char prefix[] = ".onion checksum";
	uint8_t buf[35], digest[32];
	unsigned int dlen = sizeof(digest);
	const uint8_t version = 3;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha3_256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, prefix, sizeof(prefix) - 1) != 1 ||
	    EVP_DigestUpdate(md, pubkey, 32) != 1 ||
	    EVP_DigestUpdate(md, &version, 1) != 1 ||
	    EVP_DigestFinal_ex(md, digest, &dlen) != 1) {
		/* Only out-of-memory makes a fixed hash fail. */
		log_err("SHA3-256 failed");
		abort();
	}
	EVP_MD_CTX_free(md);
	memcpy(buf, pubkey, 32);
	buf[32] = digest[0];
	buf[33] = digest[1];
	buf[34] = version;
	onion_base32(buf, sizeof(buf), out); /* 35 bytes → exactly 56 chars */
	memcpy(out + 56, ".onion", 7);
}

/* 5 bits per character; -1 for anything outside the lower-case alphabet. */
static int
base32_value(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
onion_address_parse(const char *in, char out[ONION_ADDRESS_LEN])
{
	char low[57], check[ONION_ADDRESS_LEN];
	uint8_t raw[35];
	size_t n = strlen(in);
	uint32_t acc = 0;
	int bits = 0;
	size_t k = 0;

	if (n == 62 && strcasecmp(in + 56, ".onion") == 0)
		n = 56;
	if (n != 56)
		return -1;
	for (size_t i = 0; i < 56; i++) {
		int v;
		low[i] = (char)tolower((unsigned char)in[i]);
		if ((v = base32_value(low[i])) < 0)
			return -1;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			raw[k++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	low[56] = '\0';
	/* Version 3 and a checksum that matches: re-derive and compare. */
	if (k != sizeof(raw) || raw[34] != 3)
		return -1;
	onion_address_from_pubkey(raw, check);
	if (strncmp(check, low, 56) != 0)
		return -1;
	memcpy(out, check, ONION_ADDRESS_LEN);
	return 0;
}

static void
tagged(uint8_t *file, const char *tag, const uint8_t *body, size_t n)
{
	memset(file, 0, HEADER_LEN);
	memcpy(file, tag, strlen(tag));
	memcpy(file + HEADER_LEN, body, n);
}

/* Tor stores the expanded form (ref10's "secret key"): SHA-512 of the seed with
 * the scalar half clamped as RFC 8032 §5.1.5 says; the second half is the nonce
 * prefix. OpenSSL keeps only the seed, so we expand it ourselves. */
static int
expand_seed(const uint8_t seed[32], uint8_t out[64])
{
	unsigned int n = 64;

	if (EVP_Digest(seed, 32, out, &n, EVP_sha512(), NULL) != 1)
		return -1;
	out[0] &= 248;
	out[31] &= 127;
	out[31] |= 64;
	return 0;
}

static int
write_in(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = write_file_atomic(path, data, len, 0600);

	if (rc < 0)
		log_warn("cannot write %s: %s", path, strerror(errno));
	free(path);
	return rc;
}

int
onion_key_create(const char *dir)
{
	EVP_PKEY *pkey = NULL;
	uint8_t seed[32], pub[32], expanded[64], file[HEADER_LEN + 64];
	size_t seedlen = sizeof(seed), publen = sizeof(pub);
	char addr[ONION_ADDRESS_LEN], *secret_path, *hostname = NULL;
	int rc = -1;

	secret_path = xasprintf("%s/%s", dir, SECRET_FILE);
	if (access(secret_path, F_OK) == 0) {
		rc = 0;
		goto done;
	}
	if (mkdir_p(dir, 0700) < 0 || chmod(dir, 0700) < 0) {
		log_warn("cannot create %s: %s", dir, strerror(errno));
		goto done;
	}
	pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (pkey == NULL ||
	    EVP_PKEY_get_raw_private_key(pkey, seed, &seedlen) != 1 || seedlen != 32 ||
	    EVP_PKEY_get_raw_public_key(pkey, pub, &publen) != 1 || publen != 32 ||
	    expand_seed(seed, expanded) < 0) {
		log_warn("cannot generate an Ed25519 key with OpenSSL");
		goto done;
	}
	onion_address_from_pubkey(pub, addr);
	hostname = xasprintf("%s\n", addr);
	/* Public key and hostname first: the secret key is what marks the
	 * directory as complete, so a crash in between leaves it re-creatable. */
	tagged(file, public_tag, pub, 32);
	if (write_in(dir, PUBLIC_FILE, file, HEADER_LEN + 32) < 0 ||
	    write_in(dir, HOSTNAME_FILE, hostname, strlen(hostname)) < 0)
		goto done;
	tagged(file, secret_tag, expanded, 64);
	if (write_in(dir, SECRET_FILE, file, HEADER_LEN + 64) < 0)
		goto done;
	log_info("created onion key for %s", addr);
	rc = 0;
done:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(expanded, sizeof(expanded));
	OPENSSL_cleanse(file, sizeof(file));
	EVP_PKEY_free(pkey);
	free(secret_path);
	free(hostname);
	return rc;
}

int
onion_address(const char *dir, char out[ONION_ADDRESS_LEN])
{
	char *path = xasprintf("%s/%s", dir, PUBLIC_FILE);
	char *hpath = xasprintf("%s/%s", dir, HOSTNAME_FILE);
	char *data = NULL, *host = NULL;
	size_t len = 0;
	int rc = -1;

	data = read_file_small(path, 4096, &len);
	if (data == NULL) {
		log_warn("cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	if (len != HEADER_LEN + 32 || memcmp(data, public_tag, strlen(public_tag)) != 0) {
		log_warn("%s is not a tor v3 onion public key", path);
		goto done;
	}
	onion_address_from_pubkey((const uint8_t *)data + HEADER_LEN, out);
	host = read_file_small(hpath, 4096, &len);
	if (host != NULL) {
		while (len > 0 && (host[len - 1] == '\n' || host[len - 1] == '\r'))
			host[--len] = '\0';
		if (strcmp(host, out) != 0) {
			log_warn("%s names %.70s but the key in %s is for %s; "
			    "remove the stale hostname file or restore the matching key",
			    hpath, host, dir, out);
			goto done;
		}
	}
	rc = 0;
done:
	if (rc < 0)
		out[0] = '\0';
	free(path);
	free(hpath);
	free(data);
	free(host);
	return rc;
}

static int
check_one(const char *path, int is_dir)
{
	struct stat st;
	unsigned mode;

	if (lstat(path, &st) < 0) {
		log_warn("%s: %s (run `broadside init` to create the onion key)",
		    path, strerror(errno));
		return -1;
	}
	if (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		log_warn("%s: not a %s", path, is_dir ? "directory" : "regular file");
		return -1;
	}
	if (st.st_uid != geteuid()) {
		log_warn("%s is owned by uid %u, but broadside and tor run as uid %u "
		    "(fix: chown %u %s)", path, (unsigned)st.st_uid,
		    (unsigned)geteuid(), (unsigned)geteuid(), path);
		return -1;
	}
	mode = st.st_mode & 0777;
	/* tor itself refuses a group- or world-accessible HiddenServiceDir. */
	if (mode & 077) {
		log_warn("%s has permissions %03o; it holds the onion service's "
		    "secret key, so only its owner may read it (fix: chmod %s %s)",
		    path, mode, is_dir ? "700" : "600", path);
		return -1;
	}
	return 0;
}

int
onion_check_perms(const char *dir)
{
	char *key = xasprintf("%s/%s", dir, SECRET_FILE);
	int rc = -1;

	if (check_one(dir, 1) < 0 || check_one(key, 0) < 0)
		goto done;
	rc = 0;
done:
	free(key);
	return rc;
}
