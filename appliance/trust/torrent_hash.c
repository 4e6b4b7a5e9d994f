/* torrent_hash: reading a collection once for its torrent (torrent.h):
 * SHA-1 of every v1 piece and the SHA-256 merkle trees of BEP 52 from the
 * same bytes, and the info dictionary and piece layers that torrent.c keeps. */
#include "trust/torrent.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/beneath.h"
#include "trust/bencode.h"
#include "trust/torrent_int.h"

#define BLOCK (16 * 1024)             /* BEP 52: the merkle trees' leaves */
#define READ_BUF (1024 * 1024)        /* a multiple of BLOCK: no leaf straddles two reads */

struct tfile {
	char *path;
	int64_t size, mtime;
	uint8_t root[32];
	size_t layer_off;     /* into hasher.layers; piece hashes of a file over one piece */
};

struct hasher {
	EVP_MD_CTX *c1, *c2;
	EVP_MD *sha1, *sha256;
	int64_t plen;
	size_t per_piece;       /* leaves in a piece */
	uint8_t *leaves;        /* per_piece * 32 */
	uint8_t zero[64][32];   /* the root of a tree of 2^i zero leaves */
	strbuf_t pieces;        /* v1: SHA-1 of every piece */
	strbuf_t layers;        /* v2: piece hashes of the files over one piece */
	unsigned char *buf, *zeros;
};

static void
sha256_of(struct hasher *h, const void *p, size_t n, uint8_t out[32])
{
	EVP_DigestInit_ex(h->c2, h->sha256, NULL);
	EVP_DigestUpdate(h->c2, p, n);
	EVP_DigestFinal_ex(h->c2, out, NULL);
}

/* Reduce n (a power of two) nodes in place to their merkle root in v[0..32). */
static void
merkle_reduce(struct hasher *h, uint8_t *v, size_t n)
{
	for (; n > 1; n /= 2)
		for (size_t i = 0; i < n / 2; i++)
			sha256_of(h, v + 64 * i, 64, v + 32 * i);
}

static size_t
pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p *= 2;
	return p;
}

static int
log2_of(size_t n)
{
	int k = 0;

	while (((size_t)1 << k) < n)
		k++;
	return k;
}

/* The end of a piece of f that holds `leaves` leaves and `bytes` bytes: its
 * SHA-1 (padded with zeros unless f is the torrent's last file) and its
 * merkle root, or f's root when f fits in one piece. */
static void
piece_done(struct hasher *h, struct tfile *f, size_t leaves, int64_t bytes, int last)
{
	uint8_t md[20];
	size_t target = f->size > h->plen ? h->per_piece : pow2_at_least(leaves);

	if (!last) {
		/* BEP 47: the pad file after f is zeros up to the next piece. */
		for (int64_t pad = h->plen - bytes; pad > 0;) {
			size_t k = pad > READ_BUF ? READ_BUF : (size_t)pad;
			EVP_DigestUpdate(h->c1, h->zeros, k);
			pad -= (int64_t)k;
		}
	}
	EVP_DigestFinal_ex(h->c1, md, NULL);
	strbuf_add(&h->pieces, md, sizeof(md));
	EVP_DigestInit_ex(h->c1, h->sha1, NULL);
	/* BEP 52: leaves past the end of the file are zero. */
	memset(h->leaves + 32 * leaves, 0, 32 * (target - leaves));
	merkle_reduce(h, h->leaves, target);
	if (f->size > h->plen)
		strbuf_add(&h->layers, h->leaves, 32);
	else
		memcpy(f->root, h->leaves, 32);
}

static int
hash_file(struct hasher *h, int rootfd, struct tfile *f, int last, char *err, size_t errlen)
{
	int fd = beneath_open(rootfd, f->path);
	struct stat st;
	size_t leaves = 0;
	int64_t done = 0, in_piece = 0;
	int rc = -1;

	if (fd < 0 || fstat(fd, &st) < 0) {
		seterr(err, errlen, "cannot open %s: %s", f->path, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_size != f->size || st.st_mtim.tv_sec != f->mtime) {
		seterr(err, errlen, "%s changed since it was catalogued (run refresh first)", f->path);
		goto done;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	f->layer_off = h->layers.len;
	EVP_DigestInit_ex(h->c1, h->sha1, NULL);
	while (done < f->size) {
		size_t have = 0;
		do {
			ssize_t r = read(fd, h->buf + have, READ_BUF - have);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				seterr(err, errlen, "cannot read %s: %s", f->path, strerror(errno));
				goto done;
			}
			if (r == 0)
				break;
			have += (size_t)r;
		} while (have < READ_BUF);
		if (have == 0 || done + (int64_t)have > f->size) {
			seterr(err, errlen, "%s changed while being read (run refresh first)", f->path);
			goto done;
		}
		for (size_t off = 0; off < have; off += BLOCK) {
			size_t n = have - off < BLOCK ? have - off : BLOCK;
			/* One read, both hashes: SHA-1 for v1's piece, SHA-256 for v2's leaf. */
			EVP_DigestUpdate(h->c1, h->buf + off, n);
			sha256_of(h, h->buf + off, n, h->leaves + 32 * leaves);
			leaves++;
			in_piece += (int64_t)n;
			if (leaves == h->per_piece) {
				piece_done(h, f, leaves, in_piece, last);
				leaves = 0;
				in_piece = 0;
			}
		}
		done += (int64_t)have;
	}
	if (leaves > 0)
		piece_done(h, f, leaves, in_piece, last);
	if (f->size > h->plen) {
		/* The file's root over its piece layer, padded with zero pieces. */
		size_t np = (h->layers.len - f->layer_off) / 32, target = pow2_at_least(np);
		uint8_t *v = xmalloc(32 * target);
		memcpy(v, h->layers.s + f->layer_off, 32 * np);
		for (size_t i = np; i < target; i++)
			memcpy(v + 32 * i, h->zero[log2_of(h->per_piece)], 32);
		merkle_reduce(h, v, target);
		memcpy(f->root, v, 32);
		free(v);
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The order of BEP 52's file tree: paths compared component by component
 * (a '/' sorts below every byte a name can hold). */
static int
tree_cmp(const void *a, const void *b)
{
	const unsigned char *p = (const unsigned char *)((const struct tfile *)a)->path;
	const unsigned char *q = (const unsigned char *)((const struct tfile *)b)->path;

	for (;; p++, q++) {
		unsigned x = *p == '/' ? 1 : *p == 0 ? 0 : *p + 1u, y = *q == '/' ? 1 : *q == 0 ? 0 : *q + 1u;
		if (x != y)
			return x < y ? -1 : 1;
		if (x == 0)
			return 0;
	}
}

struct list {
	struct tfile *f;
	size_t n, cap;
	int64_t bytes;
	int bad;
	torrent_digest_t *d;
};

static int
list_row(const char *relpath, const cat_file_t *cf, void *arg)
{
	struct list *l = arg;
	const char *p = relpath;

	/* Catalogue paths come from a walk; never let one climb out anyway. */
	for (;;) {
		size_t k = strcspn(p, "/");
		if (k == 0 || (k == 1 && p[0] == '.') || (k == 2 && p[0] == '.' && p[1] == '.'))
			return l->bad = 1;
		if (p[k] == '\0')
			break;
		p += k + 1;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->f = xrealloc(l->f, l->cap * sizeof(*l->f));
	}
	memset(&l->f[l->n], 0, sizeof(l->f[0]));
	l->f[l->n].path = xstrdup(relpath);
	l->f[l->n].size = cf->size;
	l->f[l->n].mtime = cf->mtime;
	l->n++;
	l->bytes += cf->size;
	torrent_digest_add(l->d, relpath, cf);
	return 0;
}

/* Bytes of pad files with pieces of p. */
static int64_t
pad_total(const struct list *l, int64_t p)
{
	int64_t pad = 0;

	for (size_t i = 0; i + 1 < l->n; i++)
		if (l->f[i].size % p)
			pad += p - l->f[i].size % p;
	return pad;
}

/* About 2,000 pieces, from 16 KiB to 16 MiB; smaller while the pad files'
 * zeros (hashed too, by SHA-1) would add more than an eighth. */
static int64_t
choose_piece(const struct list *l)
{
	int64_t p = TORRENT_MIN_PIECE;

	while (p < 16 * 1024 * 1024 && l->bytes / p > 2000)
		p *= 2;
	while (p > TORRENT_MIN_PIECE && pad_total(l, p) > l->bytes / 8)
		p /= 2;
	return p;
}

static void
add_path_list(strbuf_t *b, const char *path)
{
	bencode_list(b);
	for (const char *p = path;;) {
		size_t k = strcspn(p, "/");
		bencode_bytes(b, p, k);
		if (p[k] == '\0')
			break;
		p += k + 1;
	}
	bencode_end(b);
}

/* Components of a path as (start, length) pairs; returns how many. */
static size_t
split(const char *path, const char **start, size_t *len, size_t max)
{
	size_t n = 0;

	for (const char *p = path; n < max;) {
		size_t k = strcspn(p, "/");
		start[n] = p;
		len[n++] = k;
		if (p[k] == '\0')
			break;
		p += k + 1;
	}
	return n;
}

#define MAX_DEPTH 4096   /* a catalogued path holds at most 4,095 bytes */

/* BEP 52's "file tree": nested dictionaries, one per folder, in tree order. */
static void
add_file_tree(strbuf_t *b, const struct list *l)
{
	static const char *ps[MAX_DEPTH], *cs[MAX_DEPTH];
	static size_t pl[MAX_DEPTH], cl[MAX_DEPTH];
	size_t pn = 0;

	bencode_dict(b);
	for (size_t i = 0; i < l->n; i++) {
		size_t cn = split(l->f[i].path, cs, cl, MAX_DEPTH), same = 0;
		/* Folders shared with the previous file stay open. */
		while (same + 1 < cn && same + 1 < pn && cl[same] == pl[same] && memcmp(cs[same], ps[same], cl[same]) == 0)
			same++;
		for (size_t k = pn > 0 ? pn - 1 : 0; k > same; k--)
			bencode_end(b);
		for (size_t k = same; k + 1 < cn; k++) {
			bencode_bytes(b, cs[k], cl[k]);
			bencode_dict(b);
		}
		bencode_bytes(b, cs[cn - 1], cl[cn - 1]);
		bencode_dict(b);
		bencode_str(b, "");
		bencode_dict(b);
		bencode_str(b, "length");
		bencode_int(b, l->f[i].size);
		if (l->f[i].size > 0) {
			bencode_str(b, "pieces root");
			bencode_bytes(b, l->f[i].root, 32);
		}
		bencode_end(b);
		bencode_end(b);
		memcpy(ps, cs, sizeof(ps[0]) * cn);
		memcpy(pl, cl, sizeof(pl[0]) * cn);
		pn = cn;
	}
	for (size_t k = pn > 0 ? pn - 1 : 0; k > 0; k--)
		bencode_end(b);
	bencode_end(b);
}

static int
root_cmp(const void *a, const void *b)
{
	return memcmp((*(const struct tfile *const *)a)->root, (*(const struct tfile *const *)b)->root, 32);
}

/* "piece layers": one entry per distinct root of a file over one piece. */
static void
add_piece_layers(strbuf_t *b, const struct list *l, const struct hasher *h)
{
	struct tfile **v = xcalloc(l->n + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->f[i].size > h->plen)
			v[n++] = &l->f[i];
	qsort(v, n, sizeof(*v), root_cmp);
	bencode_dict(b);
	for (size_t i = 0; i < n; i++) {
		size_t np = (size_t)((v[i]->size + h->plen - 1) / h->plen);
		if (i > 0 && memcmp(v[i]->root, v[i - 1]->root, 32) == 0)
			continue;   /* the same content twice: one key */
		bencode_bytes(b, v[i]->root, 32);
		bencode_bytes(b, h->layers.s + v[i]->layer_off, 32 * np);
	}
	bencode_end(b);
	free(v);
}

static void
add_info(strbuf_t *b, const struct list *l, const struct hasher *h, const char *slug, int single)
{
	bencode_dict(b);
	bencode_str(b, "file tree");
	add_file_tree(b, l);
	if (single) {
		/* v2 reads a tree of one file at the top as a single-file torrent
		 * named after it (libtorrent does): v1 says the same. */
		bencode_str(b, "length");
		bencode_int(b, l->f[0].size);
		goto tail;
	}
	bencode_str(b, "files");
	bencode_list(b);
	for (size_t i = 0; i < l->n; i++) {
		bencode_dict(b);
		bencode_str(b, "length");
		bencode_int(b, l->f[i].size);
		bencode_str(b, "path");
		add_path_list(b, l->f[i].path);
		bencode_end(b);
		if (i + 1 < l->n && l->f[i].size % h->plen) {
			int64_t pad = h->plen - l->f[i].size % h->plen;
			char name[24];
			snprintf(name, sizeof(name), "%lld", (long long)pad);
			bencode_dict(b);
			bencode_str(b, "attr");
			bencode_str(b, "p");
			bencode_str(b, "length");
			bencode_int(b, pad);
			bencode_str(b, "path");
			bencode_list(b);
			bencode_str(b, ".pad");
			bencode_str(b, name);
			bencode_end(b);
			bencode_end(b);
		}
	}
	bencode_end(b);
tail:
	bencode_str(b, "meta version");
	bencode_int(b, 2);
	bencode_str(b, "name");
	bencode_str(b, single ? l->f[0].path : slug);
	bencode_str(b, "piece length");
	bencode_int(b, h->plen);
	bencode_str(b, "pieces");
	bencode_bytes(b, h->pieces.s, h->pieces.len);
	bencode_end(b);
}

static void
hasher_init(struct hasher *h, int64_t plen)
{
	memset(h, 0, sizeof(*h));
	h->c1 = EVP_MD_CTX_new();
	h->c2 = EVP_MD_CTX_new();
	h->sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	h->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (h->c1 == NULL || h->c2 == NULL || h->sha1 == NULL || h->sha256 == NULL)
		abort();
	h->plen = plen;
	h->per_piece = (size_t)(plen / BLOCK);
	h->leaves = xmalloc(32 * h->per_piece);
	for (int i = 1; i < 64; i++) {
		uint8_t two[64];
		memcpy(two, h->zero[i - 1], 32);
		memcpy(two + 32, h->zero[i - 1], 32);
		sha256_of(h, two, 64, h->zero[i]);
	}
	strbuf_init(&h->pieces);
	strbuf_init(&h->layers);
	h->buf = xmalloc(READ_BUF);
	h->zeros = xcalloc(1, READ_BUF);
}

static void
hasher_release(struct hasher *h)
{
	EVP_MD_CTX_free(h->c1);
	EVP_MD_CTX_free(h->c2);
	EVP_MD_free(h->sha1);
	EVP_MD_free(h->sha256);
	free(h->leaves);
	free(h->buf);
	free(h->zeros);
	strbuf_release(&h->pieces);
	strbuf_release(&h->layers);
}

static void
too_big(char *err, size_t errlen, const char *slug, int64_t files, int64_t size, const char *least, int64_t max)
{
	seterr(err, errlen, "%s: no torrent: for its %lld files it would be %s%lld bytes, over torrent_max_bytes (%lld), "
	    "and BitTorrent clients refuse large ones (libtorrent: 10 MB). Readers copy the collection with its "
	    "metalink (/m/%s/collection.meta4, aria2c) or its folder archives (/d/%s/...)",
	    slug, (long long)files, least, (long long)size, (long long)max, slug, slug);
}

int
torrent_hash(const char *data_root, cat_t *c, const cat_collection_t *col, int64_t piece_len,
    torrent_stats_t *st, char *err, size_t errlen)
{
	struct list l;
	struct hasher h;
	struct torrent_state old;
	strbuf_t info, layers;
	uint8_t digest[TORRENT_DIGEST_LEN];
	char hex[2 * TORRENT_DIGEST_LEN + 1];
	int64_t t0 = now_ms(), max;
	int rootfd = -1, rc = -1, have_h = 0, single;

	memset(&l, 0, sizeof(l));
	memset(st, 0, sizeof(*st));
	strbuf_init(&info);
	strbuf_init(&layers);
	l.d = torrent_digest_new();
	if (cat_file_each(c, col->id, list_row, &l) != 0 || l.bad) {
		seterr(err, errlen, l.bad ? "a catalogued path has an empty, . or .. part" : "cannot list the files");
		goto done;
	}
	if (l.n == 0) {
		seterr(err, errlen, "%s has no published files", col->slug);
		goto done;
	}
	qsort(l.f, l.n, sizeof(*l.f), tree_cmp);
	if (piece_len == 0)
		piece_len = choose_piece(&l);
	if (piece_len < TORRENT_MIN_PIECE || piece_len > TORRENT_MAX_PIECE || (piece_len & (piece_len - 1))) {
		seterr(err, errlen, "the piece size must be a power of two from 16 KiB to 64 MiB");
		goto done;
	}
	if ((max = torrent_max_bytes(data_root)) < 0) {
		seterr(err, errlen, "cannot read the config");
		goto done;
	}
	if (max > 0) {
		/* A lower bound from the paths, so a collection far too large for
		 * one torrent is refused before its files are read. */
		int64_t least = 20 * (l.bytes / piece_len);
		for (size_t i = 0; i < l.n; i++)
			least += 40 + (int64_t)strlen(l.f[i].path);
		if (least > max) {
			too_big(err, errlen, col->slug, (int64_t)l.n, least, "at least ", max);
			rc = -2;
			goto done;
		}
	}
	rootfd = open(col->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		seterr(err, errlen, "cannot open %s: %s", col->root, strerror(errno));
		goto done;
	}
	hasher_init(&h, piece_len);
	have_h = 1;
	for (size_t i = 0; i < l.n; i++)
		if (l.f[i].size > 0 && hash_file(&h, rootfd, &l.f[i], i + 1 == l.n, err, errlen) < 0)
			goto done;
	single = l.n == 1 && strchr(l.f[0].path, '/') == NULL;
	add_info(&info, &l, &h, col->slug, single);
	add_piece_layers(&layers, &l, &h);
	if (max > 0 && (int64_t)(info.len + layers.len) > max) {
		too_big(err, errlen, col->slug, (int64_t)l.n, (int64_t)(info.len + layers.len), "", max);
		rc = -2;
		goto done;
	}
	torrent_digest_final(l.d, digest);
	l.d = NULL;
	torrent_hex(digest, sizeof(digest), hex);
	{
		/* The same hashes as kept: keep their version too (same bytes). */
		const char *version = "";
		int same = torrent_state_read(data_root, col->slug, &old) == 0 && old.info_len == info.len &&
		    memcmp(old.info, info.s, info.len) == 0;
		if (same)
			version = old.version;
		rc = torrent_state_write(data_root, col->slug, hex, version, piece_len, single, info.s, info.len, layers.s, layers.len);
		if (old.buf)
			free(old.buf);
		if (rc < 0)
			seterr(err, errlen, "cannot keep the hashes in %s/torrents", data_root);
	}
	st->files = (int64_t)l.n;
	st->bytes = l.bytes;
	st->piece_len = piece_len;
	st->pieces = (int64_t)(h.pieces.len / 20);
	st->ms = now_ms() - t0;
done:
	if (l.d) {
		uint8_t x[TORRENT_DIGEST_LEN];
		torrent_digest_final(l.d, x);
	}
	if (have_h)
		hasher_release(&h);
	if (rootfd >= 0)
		close(rootfd);
	for (size_t i = 0; i < l.n; i++)
		free(l.f[i].path);
	free(l.f);
	strbuf_release(&info);
	strbuf_release(&layers);
	return rc;
}
