/* backup: see backup.h. */
#include "trust/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "trust/manifest.h"
#include "base/util.h"

#define TAG_LEN 16
/* scrypt's memory at the parameters backup_write uses (128 MiB). */
#define MAX_KDF_MEM (128ULL * BACKUP_R << BACKUP_LOG2_N)
#define NAME_MAX_LEN 512

static const uint8_t magic[8] = { 'B', 'R', 'D', 'S', 'B', 'K', 'U', 'P' };

static void
put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t
get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void
header_encode(const backup_header_t *h, uint8_t out[BACKUP_HEADER_LEN])
{
	memcpy(out, magic, 8);
	out[8] = h->version;
	out[9] = h->kdf;
	out[10] = h->log2_n;
	put_be(out + 11, h->r, 4);
	put_be(out + 15, h->p, 4);
	memcpy(out + 19, h->salt, 16);
	out[35] = h->aead;
	out[36] = h->log2_chunk;
	memcpy(out + 37, h->nonce_prefix, 8);
	memcpy(out + 45, h->check, 16);
}

int
backup_header_parse(const uint8_t *buf, size_t len, backup_header_t *h, char *err, size_t errlen)
{
	memset(h, 0, sizeof(*h));
	if (len < BACKUP_HEADER_LEN || memcmp(buf, magic, 8) != 0) {
		snprintf(err, errlen, "not a broadside backup (no BRDSBKUP header)");
		return -1;
	}
	h->version = buf[8];
	h->kdf = buf[9];
	h->log2_n = buf[10];
	h->r = (uint32_t)get_be(buf + 11, 4);
	h->p = (uint32_t)get_be(buf + 15, 4);
	memcpy(h->salt, buf + 19, 16);
	h->aead = buf[35];
	h->log2_chunk = buf[36];
	memcpy(h->nonce_prefix, buf + 37, 8);
	memcpy(h->check, buf + 45, 16);
	if (h->version != 1) {
		snprintf(err, errlen, "backup format version %u is newer than this broadside knows (1)", h->version);
		return -1;
	}
	/* scrypt needs 128·r·N bytes and p times the work: a crafted file may
	 * ask for no more than backup_write itself uses, so a forged header
	 * costs nothing before "wrong passphrase" (a 1 GB Pi survives it). */
	if (h->kdf != 1 || h->log2_n < 10 || h->log2_n > BACKUP_LOG2_N || h->r != BACKUP_R ||
	    h->p != BACKUP_P) {
		snprintf(err, errlen, "backup header asks for scrypt parameters this broadside never "
		    "writes (kdf %u, N=2^%u, r=%u, p=%u; at most N=2^%d, r=%d, p=%d): refused before "
		    "any work", h->kdf, h->log2_n, (unsigned)h->r, (unsigned)h->p, BACKUP_LOG2_N,
		    BACKUP_R, BACKUP_P);
		return -1;
	}
	if (h->aead != 1 || h->log2_chunk < 10 || h->log2_chunk > 24) {
		snprintf(err, errlen, "backup header has unsupported or unsafe parameters");
		return -1;
	}
	return 0;
}

/* scrypt → 32-byte key ‖ 16-byte passphrase check (bytes 32..47). */
static int
derive(const backup_header_t *h, const char *pass, size_t passlen, uint8_t key[32], uint8_t check[16])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	uint64_t n = 1ULL << h->log2_n, maxmem = MAX_KDF_MEM + (1ULL << 24);
	uint32_t r = h->r, p = h->p;
	uint8_t out[48];
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pass, passlen),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)h->salt, sizeof(h->salt)),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
		OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
		OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
		OSSL_PARAM_construct_end(),
	};
	int ok = ctx && EVP_KDF_derive(ctx, out, sizeof(out), params) == 1;

	if (ok) {
		memcpy(key, out, 32);
		memcpy(check, out + 32, 16);
	} else {
		log_err("scrypt key derivation failed (OpenSSL)");
	}
	OPENSSL_cleanse(out, sizeof(out));
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

/* One chunk through AES-256-GCM; enc = 1 seals (tag appended), 0 opens. */
static int
chunk_crypt(int enc, const uint8_t key[32], const uint8_t hdr[BACKUP_HEADER_LEN], const uint8_t prefix[8],
    uint64_t idx, int last, const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[TAG_LEN])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12], aad[BACKUP_HEADER_LEN + 9];
	int len, ok;

	memcpy(nonce, prefix, 8);
	put_be(nonce + 8, idx, 4);
	memcpy(aad, hdr, BACKUP_HEADER_LEN);
	put_be(aad + BACKUP_HEADER_LEN, idx, 8);
	aad[BACKUP_HEADER_LEN + 8] = (uint8_t)(last != 0);
	ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce, enc) == 1 &&
	    EVP_CipherUpdate(ctx, NULL, &len, aad, sizeof(aad)) == 1 &&
	    (n == 0 || EVP_CipherUpdate(ctx, out, &len, in, (int)n) == 1);
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) == 1;
	if (ok)
		ok = EVP_CipherFinal_ex(ctx, out + n, &len) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* ---------- the inner archive parser ---------- */

enum pstate { P_TYPE, P_NAMELEN, P_NAME, P_MODE, P_LEN, P_DATA, P_COUNT, P_DONE, P_ERROR };

struct backup_parser {
	backup_sink_t sink;
	enum pstate st;
	uint8_t field[8];
	size_t want, have;
	char name[NAME_MAX_LEN + 1];
	uint32_t mode;
	uint64_t left, files;
	const char *error;
};

static int
component_ok(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int
backup_name_valid(const char *name)
{
	const char *parts[5];
	size_t lens[5];
	int n = 0;
	const char *p = name;

	if (strcmp(name, "broadside.conf") == 0 || strcmp(name, "catalogue.db") == 0 ||
	    strcmp(name, "meta") == 0 || strcmp(name, "keys/publisher.key") == 0 ||
	    strcmp(name, "keys/publisher.pub") == 0 || strcmp(name, "balance/front") == 0 ||
	    strcmp(name, "balance/backends") == 0 || strcmp(name, "mirrors.txt") == 0 ||
	    strcmp(name, "manifests/mirrors.txt") == 0 || strcmp(name, "manifests/mirrors.txt.minisig") == 0)
		return 1;
	for (;;) {
		const char *sl = strchr(p, '/');
		size_t l = sl ? (size_t)(sl - p) : strlen(p);
		if (n == 5 || !component_ok(p, l))
			return 0;
		parts[n] = p;
		lens[n++] = l;
		if (sl == NULL)
			break;
		p = sl + 1;
	}
	if (lens[0] == 5 && memcmp(parts[0], "onion", 5) == 0)
		return n == 3 || (n == 4 && lens[2] == 18 && memcmp(parts[2], "authorized_clients", 18) == 0);
	if (lens[0] == 9 && memcmp(parts[0], "manifests", 9) == 0 && n == 3)
		return manifest_name_valid(parts[2]) && lens[1] <= 63;
	return 0;
}

backup_parser_t *
backup_parser_new(const backup_sink_t *sink)
{
	backup_parser_t *p = xcalloc(1, sizeof(*p));

	if (sink)
		p->sink = *sink;
	p->st = P_TYPE;
	p->want = 1;
	return p;
}

void
backup_parser_free_(backup_parser_t *p)
{
	free(p);
}

const char *
backup_parser_error(const backup_parser_t *p)
{
	return p->error ? p->error : "no error";
}

static int
fail(backup_parser_t *p, const char *why)
{
	p->st = P_ERROR;
	p->error = why;
	return -1;
}

static void
expect(backup_parser_t *p, enum pstate st, size_t want)
{
	p->st = st;
	p->want = want;
	p->have = 0;
}

/* A fixed-size field is complete in p->field (or p->name). */
static int
field_done(backup_parser_t *p)
{
	switch (p->st) {
	case P_TYPE:
		if (p->field[0] == 'F')
			expect(p, P_NAMELEN, 2);
		else if (p->field[0] == 'Z')
			expect(p, P_COUNT, 8);
		else
			return fail(p, "unknown record type");
		return 0;
	case P_NAMELEN: {
		size_t n = (size_t)get_be(p->field, 2);
		if (n == 0 || n > NAME_MAX_LEN)
			return fail(p, "bad name length");
		expect(p, P_NAME, n);
		return 0;
	}
	case P_NAME:
		p->name[p->want] = '\0';
		if (memchr(p->name, '\0', p->want) != NULL || !backup_name_valid(p->name))
			return fail(p, "a file name that does not belong in a backup");
		expect(p, P_MODE, 4);
		return 0;
	case P_MODE:
		p->mode = (uint32_t)get_be(p->field, 4);
		if (p->mode & ~0777u)
			return fail(p, "bad file mode");
		expect(p, P_LEN, 8);
		return 0;
	case P_LEN:
		p->left = get_be(p->field, 8);
		if (p->left > (1ULL << 50))
			return fail(p, "bad file length");
		if (p->sink.begin && p->sink.begin(p->sink.arg, p->name, p->mode, p->left) != 0)
			return fail(p, "cannot write a restored file");
		p->files++;
		if (p->left == 0) {
			if (p->sink.end && p->sink.end(p->sink.arg) != 0)
				return fail(p, "cannot write a restored file");
			expect(p, P_TYPE, 1);
		} else {
			expect(p, P_DATA, 0);
		}
		return 0;
	case P_COUNT:
		if (get_be(p->field, 8) != p->files)
			return fail(p, "end record does not match the number of files");
		expect(p, P_DONE, 0);
		return 0;
	default:
		return fail(p, "parser state");
	}
}

int
backup_parser_feed(backup_parser_t *p, const uint8_t *buf, size_t n)
{
	while (n > 0) {
		if (p->st == P_ERROR)
			return -1;
		if (p->st == P_DONE)
			return fail(p, "data after the end record");
		if (p->st == P_DATA) {
			size_t take = n < p->left ? n : (size_t)p->left;
			if (p->sink.data && p->sink.data(p->sink.arg, buf, take) != 0)
				return fail(p, "cannot write a restored file");
			buf += take;
			n -= take;
			p->left -= take;
			if (p->left == 0) {
				if (p->sink.end && p->sink.end(p->sink.arg) != 0)
					return fail(p, "cannot write a restored file");
				expect(p, P_TYPE, 1);
			}
			continue;
		}
		uint8_t *dst = p->st == P_NAME ? (uint8_t *)p->name : p->field;
		size_t take = p->want - p->have < n ? p->want - p->have : n;
		memcpy(dst + p->have, buf, take);
		p->have += take;
		buf += take;
		n -= take;
		if (p->have == p->want && field_done(p) < 0)
			return -1;
	}
	return p->st == P_ERROR ? -1 : 0;
}

int
backup_parser_finish(backup_parser_t *p)
{
	if (p->st == P_ERROR)
		return -1;
	if (p->st != P_DONE)
		return fail(p, "the archive ends early");
	return 0;
}

/* ---------- writing ---------- */

struct enc {
	int fd;
	uint8_t key[32], hdr[BACKUP_HEADER_LEN], prefix[8];
	uint8_t *buf, *out;
	size_t chunk, fill;
	uint64_t idx, files;
	int failed;
};

static void
enc_seal(struct enc *e, int last)
{
	uint8_t tag[TAG_LEN];

	if (e->failed)
		return;
	if (chunk_crypt(1, e->key, e->hdr, e->prefix, e->idx, last, e->buf, e->fill, e->out, tag) < 0 ||
	    write_all(e->fd, e->out, e->fill) < 0 || write_all(e->fd, tag, TAG_LEN) < 0)
		e->failed = 1;
	e->idx++;
	e->fill = 0;
}

static void
enc_write(struct enc *e, const void *p, size_t n)
{
	const uint8_t *c = p;

	while (n > 0 && !e->failed) {
		/* A full chunk is sealed only when more follows: the last chunk must
		 * carry the last flag even when it is full. */
		if (e->fill == e->chunk)
			enc_seal(e, 0);
		size_t take = e->chunk - e->fill < n ? e->chunk - e->fill : n;
		memcpy(e->buf + e->fill, c, take);
		e->fill += take;
		c += take;
		n -= take;
	}
}

static void
enc_record(struct enc *e, const char *name, uint32_t mode, uint64_t len)
{
	uint8_t h[15];
	size_t n = strlen(name);

	h[0] = 'F';
	put_be(h + 1, n, 2);
	enc_write(e, h, 3);
	enc_write(e, name, n);
	put_be(h, mode & 0777, 4);
	put_be(h + 4, len, 8);
	enc_write(e, h, 12);
	e->files++;
}

/* Add the file at path under name; a missing file is skipped if optional. */
static int
enc_file(struct enc *e, const char *name, const char *path, int optional)
{
	struct stat st;
	uint8_t buf[1 << 16];
	uint64_t left;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && optional)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_err("cannot back up %s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	enc_record(e, name, st.st_mode, (uint64_t)st.st_size);
	left = (uint64_t)st.st_size;
	while (left > 0) {
		ssize_t r = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			log_err("cannot read %s: %s", path, r < 0 ? strerror(errno) : "it shrank");
			close(fd);
			return -1;
		}
		enc_write(e, buf, (size_t)r);
		left -= (uint64_t)r;
	}
	close(fd);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* Every regular file in dir (and dir/authorized_clients), as prefix/<name>. */
static int
enc_dir(struct enc *e, const char *dir, const char *prefix, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *path, *name;
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		name = xasprintf("%s/%s", prefix, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && backup_name_valid(name))
			rc = enc_file(e, name, path, 0);
		else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0 &&
		    (depth == 2 || strcmp(de->d_name, "authorized_clients") == 0))
			rc = enc_dir(e, path, name, depth - 1);
		free(path);
		free(name);
	}
	closedir(d);
	return rc;
}

/* Copy the catalogue with SQLite's online backup: a consistent snapshot even
 * while `serve` reads and `add` writes. */
static int
snapshot_catalogue(const char *src, const char *dst)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b;
	int rc = -1;

	unlink(dst);
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		log_err("cannot open the catalogue for backup: %s", sqlite3_errmsg(from ? from : to));
		goto done;
	}
	sqlite3_busy_timeout(from, 10000);
	b = sqlite3_backup_init(to, "main", from, "main");
	if (b == NULL) {
		log_err("cannot back up the catalogue: %s", sqlite3_errmsg(to));
		goto done;
	}
	while ((rc = sqlite3_backup_step(b, 4096)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		if (rc != SQLITE_OK)
			sqlite3_sleep(50);
	rc = sqlite3_backup_finish(b) == SQLITE_OK && rc == SQLITE_DONE ? 0 : -1;
	if (rc < 0)
		log_err("catalogue snapshot failed: %s", sqlite3_errmsg(to));
	/* One self-contained file: no WAL beside it. */
	if (rc == 0 && sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		rc = -1;
done:
	sqlite3_close(from);
	sqlite3_close(to);
	return rc;
}

static const char *const pub_lists[] = { "mirrors.txt", "manifests/_mirrors/mirrors.txt",
	"manifests/_mirrors/mirrors.txt.minisig", "manifests/mirrors.txt", "manifests/mirrors.txt.minisig" };

static int
add_mirror_manifests(struct enc *e, const char *data_root, const char *db)
{
	sqlite3 *c = NULL;
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_open_v2(db, &c, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c, "SELECT slug FROM collections WHERE origin IS NOT NULL", -1, &s, NULL) != SQLITE_OK)
		goto done;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *slug = (const char *)sqlite3_column_text(s, 0);
		char *dir = manifest_dir(data_root, slug), *prefix = xasprintf("manifests/%s", slug);
		int r = enc_dir(e, dir, prefix, 0);
		free(dir);
		free(prefix);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(s);
	sqlite3_close(c);
	return rc;
}

int
backup_write(const char *data_root, const char *out_path, const char *pass, size_t passlen, int log2_n)
{
	struct enc e;
	backup_header_t h;
	char *tmp = xasprintf("%s.tmp.%ld", out_path, (long)getpid());
	char *snap = xasprintf("%s/run/.backup-catalogue.%ld.db", data_root, (long)getpid());
	char *p = NULL, *meta = NULL;
	uint8_t end[9];
	int rc = -1;

	memset(&e, 0, sizeof(e));
	e.fd = -1;
	memset(&h, 0, sizeof(h));
	h.version = 1;
	h.kdf = 1;
	h.log2_n = (uint8_t)log2_n;
	h.r = BACKUP_R;
	h.p = BACKUP_P;
	h.aead = 1;
	h.log2_chunk = 16;
	if (RAND_bytes(h.salt, sizeof(h.salt)) != 1 || RAND_bytes(h.nonce_prefix, 8) != 1)
		goto done;
	if (derive(&h, pass, passlen, e.key, h.check) < 0)
		goto done;
	header_encode(&h, e.hdr);
	memcpy(e.prefix, h.nonce_prefix, 8);
	e.chunk = (size_t)1 << h.log2_chunk;
	e.buf = xmalloc(e.chunk);
	e.out = xmalloc(e.chunk + TAG_LEN);
	p = xasprintf("%s/catalogue.db", data_root);
	meta = xasprintf("%s/run", data_root);
	(void)mkdir_p(meta, 0700);
	free(meta);
	meta = NULL;
	if (snapshot_catalogue(p, snap) < 0)
		goto done;
	e.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (e.fd < 0 || write_all(e.fd, e.hdr, BACKUP_HEADER_LEN) < 0) {
		log_err("cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	meta = xasprintf("broadside backup 1\ndata_root=%s\ncreated=%lld\n", data_root, (long long)time(NULL));
	enc_record(&e, "meta", 0600, strlen(meta));
	enc_write(&e, meta, strlen(meta));
	free(p);
	p = xasprintf("%s/broadside.conf", data_root);
	if (enc_file(&e, "broadside.conf", p, 1) < 0)
		goto done;
	free(p);
	p = xasprintf("%s/keys/publisher.key", data_root);
	if (enc_file(&e, "keys/publisher.key", p, 0) < 0)
		goto done;
	free(p);
	p = xasprintf("%s/keys/publisher.pub", data_root);
	if (enc_file(&e, "keys/publisher.pub", p, 1) < 0)
		goto done;
	free(p);
	p = xasprintf("%s/onion", data_root);
	if (enc_dir(&e, p, "onion", 2) < 0)
		goto done;
	/* The Onionbalance role: a front restored elsewhere fronts the same backends. */
	free(p);
	p = xasprintf("%s/balance/front", data_root);
	if (enc_file(&e, "balance/front", p, 1) < 0)
		goto done;
	free(p);
	p = xasprintf("%s/balance/backends", data_root);
	if (enc_file(&e, "balance/backends", p, 1) < 0)
		goto done;
	/* The publisher's address list and its signed copy (mirrors.h). */
	for (size_t i = 0; i < ARRAY_LEN(pub_lists); i++) {
		free(p);
		p = xasprintf("%s/%s", data_root, pub_lists[i]);
		if (enc_file(&e, pub_lists[i], p, 1) < 0)
			goto done;
	}
	if (add_mirror_manifests(&e, data_root, snap) < 0 || enc_file(&e, "catalogue.db", snap, 0) < 0)
		goto done;
	end[0] = 'Z';
	put_be(end + 1, e.files, 8);
	enc_write(&e, end, 9);
	enc_seal(&e, 1);
	if (e.failed || fsync(e.fd) < 0 || close(e.fd) < 0) {
		e.fd = -1;
		log_err("cannot write %s: %s", tmp, strerror(errno));
		goto done;
	}
	e.fd = -1;
	if (rename(tmp, out_path) < 0) {
		log_err("cannot rename %s to %s: %s", tmp, out_path, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (e.fd >= 0)
		close(e.fd);
	if (rc < 0)
		unlink(tmp);
	unlink(snap);
	OPENSSL_cleanse(e.key, sizeof(e.key));
	if (e.buf)
		OPENSSL_cleanse(e.buf, e.chunk);
	free(e.buf);
	free(e.out);
	free(tmp);
	free(snap);
	free(p);
	free(meta);
	return rc;
}

/* ---------- reading ---------- */

/* Pass 2's sink: files into the (empty) staging folder, parents 0700. */
struct restore_sink {
	const char *dir;
	int fd;
	char *path;
	int failed_errno;
};

static int
rs_begin(void *arg, const char *name, uint32_t mode, uint64_t length)
{
	struct restore_sink *r = arg;
	char *slash;

	free(r->path);
	r->path = xasprintf("%s/%s", r->dir, name);
	slash = strrchr(r->path, '/');
	*slash = '\0';
	if (mkdir_p(r->path, 0700) < 0) {
		r->failed_errno = errno;
		return -1;
	}
	*slash = '/';
	/* Never wider than the original, and never group/other-writable. */
	r->fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (r->fd < 0 || fchmod(r->fd, mode & 0755) < 0) {
		r->failed_errno = errno;
		return -1;
	}
	return 0;
}

static int
rs_data(void *arg, const uint8_t *p, size_t n)
{
	struct restore_sink *r = arg;

	if (write_all(r->fd, p, n) < 0) {
		r->failed_errno = errno;
		return -1;
	}
	return 0;
}

static int
rs_end(void *arg)
{
	struct restore_sink *r = arg;
	int rc = fsync(r->fd) == 0 ? 0 : -1;

	if (close(r->fd) < 0)
		rc = -1;
	r->fd = -1;
	if (rc < 0)
		r->failed_errno = errno;
	return rc;
}

static int
read_full(int fd, uint8_t *p, size_t n, size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t r = read(fd, p + *got, n - *got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

/* Decrypt the chunks of fd (positioned after the header) into parser. */
static enum backup_result
decrypt_all(int fd, const backup_header_t *h, const uint8_t hdr[BACKUP_HEADER_LEN], const uint8_t key[32],
    backup_parser_t *parser, char *err, size_t errlen)
{
	size_t chunk = (size_t)1 << h->log2_chunk, got;
	uint8_t *in = xmalloc(chunk + TAG_LEN + 1), *out = xmalloc(chunk + TAG_LEN);
	size_t carry = 0;     /* 1 if in[0] holds a byte read ahead */
	enum backup_result res = BACKUP_ERR_DAMAGED;

	for (uint64_t idx = 0;; idx++) {
		size_t n;
		int last;
		if (read_full(fd, in + carry, chunk + TAG_LEN + 1 - carry, &got) < 0) {
			snprintf(err, errlen, "cannot read the backup: %s", strerror(errno));
			res = BACKUP_ERR_IO;
			goto done;
		}
		n = carry + got;
		last = n <= chunk + TAG_LEN;
		if (!last)
			n = chunk + TAG_LEN;
		if (n < TAG_LEN || idx > 0xffffffffULL) {
			snprintf(err, errlen, "the backup is truncated");
			goto done;
		}
		if (chunk_crypt(0, key, hdr, h->nonce_prefix, idx, last, in, n - TAG_LEN, out, in + n - TAG_LEN) < 0) {
			snprintf(err, errlen, idx == 0 ? "the backup is damaged or altered (its first block "
			    "does not authenticate)" : "the backup is damaged, altered or truncated "
			    "(block %llu does not authenticate)", (unsigned long long)idx);
			goto done;
		}
		if (backup_parser_feed(parser, out, n - TAG_LEN) < 0) {
			snprintf(err, errlen, "cannot restore: %s", backup_parser_error(parser));
			res = BACKUP_ERR_IO;
			goto done;
		}
		if (last)
			break;
		in[0] = in[chunk + TAG_LEN];
		carry = 1;
	}
	if (backup_parser_finish(parser) < 0) {
		snprintf(err, errlen, "the backup's archive is malformed: %s", backup_parser_error(parser));
		goto done;
	}
	res = BACKUP_OK;
done:
	OPENSSL_cleanse(out, chunk + TAG_LEN);
	free(in);
	free(out);
	return res;
}

enum backup_result
backup_read(const char *in_path, const char *pass, size_t passlen, const char *target_dir,
    char *err, size_t errlen)
{
	uint8_t hdr[BACKUP_HEADER_LEN], key[32], check[16];
	backup_header_t h;
	backup_parser_t *parser = NULL;
	struct restore_sink rs = { target_dir, -1, NULL, 0 };
	backup_sink_t sink = { rs_begin, rs_data, rs_end, &rs };
	enum backup_result res = BACKUP_ERR_IO;
	size_t got;
	int fd = open(in_path, O_RDONLY | O_CLOEXEC);

	memset(key, 0, sizeof(key));
	if (fd < 0 || read_full(fd, hdr, sizeof(hdr), &got) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", in_path, strerror(errno));
		goto done;
	}
	if (backup_header_parse(hdr, got, &h, err, errlen) < 0) {
		res = BACKUP_ERR_FORMAT;
		goto done;
	}
	if (derive(&h, pass, passlen, key, check) < 0) {
		snprintf(err, errlen, "cannot derive the key (scrypt failed)");
		goto done;
	}
	if (CRYPTO_memcmp(check, h.check, sizeof(check)) != 0) {
		snprintf(err, errlen, "wrong passphrase (or the backup's header is damaged)");
		res = BACKUP_ERR_PASSPHRASE;
		goto done;
	}
	/* Pass 1: authenticate everything, write nothing. */
	parser = backup_parser_new(NULL);
	if ((res = decrypt_all(fd, &h, hdr, key, parser, err, errlen)) != BACKUP_OK || target_dir == NULL)
		goto done;
	/* Pass 2: the same bytes again (each chunk re-authenticated), into target_dir. */
	backup_parser_free(parser);
	parser = backup_parser_new(&sink);
	if (lseek(fd, BACKUP_HEADER_LEN, SEEK_SET) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", in_path, strerror(errno));
		res = BACKUP_ERR_IO;
		goto done;
	}
	res = decrypt_all(fd, &h, hdr, key, parser, err, errlen);
	if (res != BACKUP_OK && rs.failed_errno)
		snprintf(err, errlen, "cannot write %s: %s", rs.path ? rs.path : target_dir, strerror(rs.failed_errno));
done:
	if (rs.fd >= 0)
		close(rs.fd);
	free(rs.path);
	OPENSSL_cleanse(key, sizeof(key));
	backup_parser_free(parser);
	if (fd >= 0)
		close(fd);
	return res;
}
