/* sign: see sign.h. */
#include "trust/sign.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

#define SK_RAW_LEN 158
#define PK_RAW_LEN 42
#define SIG_RAW_LEN 74
#define LINE_MAX_B64 256

struct sign_key {
	EVP_PKEY *pkey;
	sign_pub_t pub;
};

struct sign_hasher {
	EVP_MD_CTX *md;
};

static const char sk_comment[] =
    "untrusted comment: broadside publisher secret key (minisign format, unencrypted; keep private)\n";
static const char trusted_prefix[] = "trusted comment: ";

/* Base64 of n bytes into a NUL-terminated string (caller frees). */
static char *
b64_encode(const uint8_t *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

/* Decode exactly want bytes from one base64 line of len characters; 0 or -1. */
static int
b64_decode(const char *s, size_t len, uint8_t *out, size_t want)
{
	unsigned char buf[LINE_MAX_B64];
	size_t pad = 0;
	int n;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > sizeof(buf))
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '+' || c == '/';
		if (c == '=' && i >= len - 2)
			pad++;
		else if (!alpha || pad > 0)
			return -1;
	}
	n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n - pad != want)
		return -1;
	memcpy(out, buf, want);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

void
sign_keyid_hex(const uint8_t keyid[8], char out[17])
{
	static const char hx[] = "0123456789ABCDEF";
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hx[keyid[7 - i] >> 4];
		out[2 * i + 1] = hx[keyid[7 - i] & 15];
	}
	out[16] = '\0';
}

char *
sign_pub_format(const sign_pub_t *p)
{
	uint8_t raw[PK_RAW_LEN];
	char id[17], *b64, *s;

	raw[0] = 'E';
	raw[1] = 'd';
	memcpy(raw + 2, p->keyid, 8);
	memcpy(raw + 10, p->pk, 32);
	sign_keyid_hex(p->keyid, id);
	b64 = b64_encode(raw, sizeof(raw));
	s = xasprintf("untrusted comment: minisign public key %s\n%s\n", id, b64);
	free(b64);
	return s;
}

/* Split text into lines; return the start/length of line idx (0-based), or -1. */
static int
nth_line(const char *text, size_t len, int idx, const char **start, size_t *n)
{
	const char *p = text, *end = text + len;

	for (int i = 0; p <= end; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (i == idx) {
			*start = p;
			*n = (size_t)(e - p);
			if (*n > 0 && p[*n - 1] == '\r')
				(*n)--;
			return 0;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return -1;
}

int
sign_pub_parse(const char *text, size_t len, sign_pub_t *out)
{
	uint8_t raw[PK_RAW_LEN];
	const char *line;
	size_t n;

	/* Either the file (comment line first) or the bare base64 string. */
	if (len >= 18 && memcmp(text, "untrusted comment:", 18) == 0) {
		if (nth_line(text, len, 1, &line, &n) < 0)
			return -1;
	} else {
		line = text;
		n = len;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
	}
	if (b64_decode(line, n, raw, sizeof(raw)) < 0 || raw[0] != 'E' || raw[1] != 'd')
		return -1;
	memcpy(out->keyid, raw + 2, 8);
	memcpy(out->pk, raw + 10, 32);
	return 0;
}

int
sign_pub_load(const char *path, sign_pub_t *out)
{
	size_t n;
	char *text = read_file_small(path, 4096, &n);
	int rc;

	if (text == NULL) {
		log_err("cannot read public key %s: %s", path, strerror(errno));
		return -1;
	}
	rc = sign_pub_parse(text, n, out);
	if (rc < 0)
		log_err("%s is not a minisign public key", path);
	free(text);
	return rc;
}

static sign_key_t *
key_from_seed(const uint8_t seed[32], const uint8_t keyid[8])
{
	sign_key_t *k = xcalloc(1, sizeof(*k));
	size_t n = 32;

	k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (k->pkey == NULL || EVP_PKEY_get_raw_public_key(k->pkey, k->pub.pk, &n) != 1 || n != 32) {
		sign_key_free_(k);
		return NULL;
	}
	memcpy(k->pub.keyid, keyid, 8);
	return k;
}

int
sign_key_create(const char *dir)
{
	char *skpath = xasprintf("%s/publisher.key", dir);
	char *pkpath = xasprintf("%s/publisher.pub", dir);
	uint8_t raw[SK_RAW_LEN], seed[32], keyid[8];
	sign_key_t *k = NULL;
	char *b64 = NULL, *text = NULL, *pub = NULL;
	int rc = -1;

	if (access(skpath, F_OK) == 0) {
		/* Kept; make sure the public half is there too (it is derived). */
		rc = 0;
		if (access(pkpath, F_OK) != 0 && (k = sign_key_load(skpath)) != NULL) {
			pub = sign_pub_format(&k->pub);
			rc = write_file_atomic(pkpath, pub, strlen(pub), 0644);
		}
		goto done;
	}
	if (mkdir_p(dir, 0700) < 0 || chmod(dir, 0700) < 0) {
		log_err("cannot create %s: %s", dir, strerror(errno));
		goto done;
	}
	if (RAND_priv_bytes(seed, sizeof(seed)) != 1 || RAND_bytes(keyid, sizeof(keyid)) != 1 ||
	    (k = key_from_seed(seed, keyid)) == NULL) {
		log_err("cannot create an Ed25519 key (OpenSSL)");
		goto done;
	}
	memset(raw, 0, sizeof(raw));
	memcpy(raw, "Ed\0\0B2", 6);
	memcpy(raw + 54, keyid, 8);
	memcpy(raw + 62, seed, 32);
	memcpy(raw + 94, k->pub.pk, 32);
	b64 = b64_encode(raw, sizeof(raw));
	text = xasprintf("%s%s\n", sk_comment, b64);
	pub = sign_pub_format(&k->pub);
	if (write_file_atomic(skpath, text, strlen(text), 0600) < 0 ||
	    write_file_atomic(pkpath, pub, strlen(pub), 0644) < 0) {
		log_err("cannot write the publisher key in %s: %s", dir, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(seed, sizeof(seed));
	if (b64) {
		OPENSSL_cleanse(b64, strlen(b64));
		free(b64);
	}
	if (text) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	free(pub);
	sign_key_free(k);
	free(skpath);
	free(pkpath);
	return rc;
}

sign_key_t *
sign_key_load(const char *path)
{
	uint8_t raw[SK_RAW_LEN];
	size_t n, ln;
	const char *line;
	char *text = read_file_small(path, 4096, &n);
	sign_key_t *k = NULL;

	if (text == NULL) {
		log_err("cannot read the publisher key %s: %s", path, strerror(errno));
		return NULL;
	}
	if (nth_line(text, n, 1, &line, &ln) < 0 || b64_decode(line, ln, raw, sizeof(raw)) < 0 ||
	    memcmp(raw, "Ed", 2) != 0) {
		log_err("%s is not a minisign secret key", path);
		goto done;
	}
	if (raw[2] != 0 || raw[3] != 0) {
		log_err("%s is encrypted; broadside needs it unencrypted "
		    "(`minisign -C -W -s %s` removes the password)", path, path);
		goto done;
	}
	k = key_from_seed(raw + 62, raw + 54);
	if (k == NULL || memcmp(k->pub.pk, raw + 94, 32) != 0) {
		log_err("%s: the public half does not match the secret key", path);
		sign_key_free(k);
	}
done:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(text, n);
	free(text);
	return k;
}

void
sign_key_free_(sign_key_t *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

const sign_pub_t *
sign_key_pub(const sign_key_t *k)
{
	return &k->pub;
}

sign_hasher_t *
sign_hasher_new(void)
{
	sign_hasher_t *h = xcalloc(1, sizeof(*h));

	h->md = EVP_MD_CTX_new();
	if (h->md == NULL || EVP_DigestInit_ex(h->md, EVP_blake2b512(), NULL) != 1)
		abort();   /* only out-of-memory gets here: BLAKE2b is in the default provider */
	return h;
}

void
sign_hasher_update(sign_hasher_t *h, const void *p, size_t n)
{
	EVP_DigestUpdate(h->md, p, n);
}

void
sign_hasher_final(sign_hasher_t *h, uint8_t out[SIGN_HASH_LEN])
{
	unsigned int n = SIGN_HASH_LEN;

	EVP_DigestFinal_ex(h->md, out, &n);
	EVP_DigestInit_ex(h->md, EVP_blake2b512(), NULL);
}

void
sign_hasher_free_(sign_hasher_t *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

int
sign_hash_file(const char *path, uint8_t out[SIGN_HASH_LEN])
{
	sign_hasher_t *h;
	uint8_t *buf;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;

	if (fd < 0)
		return -1;
	h = sign_hasher_new();
	buf = xmalloc(1 << 16);
	while ((r = read(fd, buf, 1 << 16)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		sign_hasher_update(h, buf, (size_t)r);
	}
	saved = errno;
	if (r == 0)
		sign_hasher_final(h, out);
	free(buf);
	sign_hasher_free(h);
	close(fd);
	errno = saved;
	return r == 0 ? 0 : -1;
}

/* One-shot Ed25519 over msg; 0 or -1. */
static int
ed25519_sign(EVP_PKEY *pkey, const uint8_t *msg, size_t n, uint8_t sig[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 64;
	int ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestSign(md, sig, &siglen, msg, n) == 1 && siglen == 64;

	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

static int
ed25519_verify(const uint8_t pk[32], const uint8_t *msg, size_t n, const uint8_t sig[64])
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = pkey && md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestVerify(md, sig, 64, msg, n) == 1;

	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	return ok ? 0 : -1;
}

char *
sign_signature(const sign_key_t *k, const uint8_t hash[SIGN_HASH_LEN], const char *trusted)
{
	uint8_t raw[SIG_RAW_LEN], global[64];
	size_t tlen = strlen(trusted);
	uint8_t *gmsg = NULL;
	char id[17], *b1 = NULL, *b2 = NULL, *out = NULL;

	if (strchr(trusted, '\n') || strchr(trusted, '\r'))
		return NULL;
	raw[0] = 'E';
	raw[1] = 'D';
	memcpy(raw + 2, k->pub.keyid, 8);
	if (ed25519_sign(k->pkey, hash, SIGN_HASH_LEN, raw + 10) < 0)
		goto done;
	/* The global signature binds the trusted comment to this signature. */
	gmsg = xmalloc(64 + tlen);
	memcpy(gmsg, raw + 10, 64);
	memcpy(gmsg + 64, trusted, tlen);
	if (ed25519_sign(k->pkey, gmsg, 64 + tlen, global) < 0)
		goto done;
	sign_keyid_hex(k->pub.keyid, id);
	b1 = b64_encode(raw, sizeof(raw));
	b2 = b64_encode(global, sizeof(global));
	out = xasprintf("untrusted comment: signature from broadside publisher key %s\n%s\n%s%s\n%s\n",
	    id, b1, trusted_prefix, trusted, b2);
done:
	free(gmsg);
	free(b1);
	free(b2);
	if (out == NULL)
		log_err("cannot sign (OpenSSL Ed25519 failed)");
	return out;
}

int
sign_sig_parse(const char *text, size_t len, sign_sig_t *out)
{
	uint8_t raw[SIG_RAW_LEN];
	const char *l0, *l1, *l2, *l3;
	size_t n0, n1, n2, n3;
	size_t plen = sizeof(trusted_prefix) - 1;

	memset(out, 0, sizeof(*out));
	if (nth_line(text, len, 0, &l0, &n0) < 0 || nth_line(text, len, 1, &l1, &n1) < 0 ||
	    nth_line(text, len, 2, &l2, &n2) < 0 || nth_line(text, len, 3, &l3, &n3) < 0)
		return -1;
	if (n0 < 18 || memcmp(l0, "untrusted comment:", 18) != 0)
		return -1;
	if (b64_decode(l1, n1, raw, sizeof(raw)) < 0 || raw[0] != 'E' || (raw[1] != 'D' && raw[1] != 'd'))
		return -1;
	if (n2 < plen || memcmp(l2, trusted_prefix, plen) != 0 || memchr(l2, '\0', n2) != NULL)
		return -1;
	if (b64_decode(l3, n3, out->global, 64) < 0)
		return -1;
	memcpy(out->alg, raw, 2);
	memcpy(out->keyid, raw + 2, 8);
	memcpy(out->sig, raw + 10, 64);
	out->trusted = xstrndup(l2 + plen, n2 - plen);
	return 0;
}

void
sign_sig_clear(sign_sig_t *s)
{
	free(s->trusted);
	memset(s, 0, sizeof(*s));
}

int
sign_verify_trusted(const sign_pub_t *pub, const sign_sig_t *s, char *err, size_t errlen)
{
	size_t tlen = strlen(s->trusted);
	uint8_t *gmsg;
	int rc;

	if (s->alg[1] != 'D') {
		snprintf(err, errlen, "legacy (non-prehashed) signature; only prehashed ones are accepted");
		return -1;
	}
	if (memcmp(s->keyid, pub->keyid, 8) != 0) {
		char a[17], b[17];
		sign_keyid_hex(s->keyid, a);
		sign_keyid_hex(pub->keyid, b);
		snprintf(err, errlen, "signed by key %s, not by the expected key %s", a, b);
		return -1;
	}
	gmsg = xmalloc(64 + tlen);
	memcpy(gmsg, s->sig, 64);
	memcpy(gmsg + 64, s->trusted, tlen);
	rc = ed25519_verify(pub->pk, gmsg, 64 + tlen, s->global);
	free(gmsg);
	if (rc < 0)
		snprintf(err, errlen, "the trusted comment was altered (global signature fails)");
	return rc;
}

int
sign_verify(const sign_pub_t *pub, const sign_sig_t *s, const uint8_t hash[SIGN_HASH_LEN],
    char *err, size_t errlen)
{
	if (sign_verify_trusted(pub, s, err, errlen) < 0)
		return -1;
	if (ed25519_verify(pub->pk, hash, SIGN_HASH_LEN, s->sig) < 0) {
		snprintf(err, errlen, "signature verification failed: the file is not what the publisher signed");
		return -1;
	}
	return 0;
}

int
sign_verify_file(const sign_pub_t *pub, const char *sig_text, size_t sig_len, const char *path,
    char **trusted_out, char *err, size_t errlen)
{
	sign_sig_t s;
	uint8_t hash[SIGN_HASH_LEN];
	int rc = -1;

	if (sign_sig_parse(sig_text, sig_len, &s) < 0) {
		snprintf(err, errlen, "not a minisign signature");
		return -1;
	}
	if (sign_hash_file(path, hash) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		goto done;
	}
	if (sign_verify(pub, &s, hash, err, errlen) < 0)
		goto done;
	if (trusted_out)
		*trusted_out = xstrdup(s.trusted);
	rc = 0;
done:
	sign_sig_clear(&s);
	return rc;
}
