/* torrent: see torrent.h. BEP 3 (v1), BEP 52 (v2 and hybrids), BEP 47 (pad
 * files), BEP 19 (web seeds), BEP 12 (announce-list). */
#include "trust/torrent.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/conf.h"
#include "base/datadir.h"
#include "base/log.h"
#include "trust/bencode.h"
#include "trust/torrent_int.h"


struct torrent_digest {
	EVP_MD_CTX *md;
};

torrent_digest_t *
torrent_digest_new(void)
{
	torrent_digest_t *d = xcalloc(1, sizeof(*d));

	d->md = EVP_MD_CTX_new();
	if (d->md == NULL || EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1)
		abort();
	EVP_DigestUpdate(d->md, TORRENT_STATE_MAGIC, sizeof(TORRENT_STATE_MAGIC));
	return d;
}

void
torrent_digest_add(torrent_digest_t *d, const char *relpath, const cat_file_t *f)
{
	char tail[96];
	int n = snprintf(tail, sizeof(tail), "%lld %s", (long long)f->size, f->sha256);

	/* The path with its NUL, so no two row lists give the same bytes. */
	EVP_DigestUpdate(d->md, relpath, strlen(relpath) + 1);
	EVP_DigestUpdate(d->md, tail, (size_t)n + 1);
}

void
torrent_digest_final(torrent_digest_t *d, uint8_t out[TORRENT_DIGEST_LEN])
{
	EVP_DigestFinal_ex(d->md, out, NULL);
	EVP_MD_CTX_free(d->md);
	free(d);
}

static int
digest_row(const char *relpath, const cat_file_t *f, void *arg)
{
	torrent_digest_add(arg, relpath, f);
	return 0;
}

int
torrent_catalogue_digest(cat_t *c, int64_t col_id, uint8_t out[TORRENT_DIGEST_LEN])
{
	torrent_digest_t *d = torrent_digest_new();
	int rc = cat_file_each(c, col_id, digest_row, d);

	torrent_digest_final(d, out);
	return rc == 0 ? 0 : -1;
}

void
torrent_hex(const uint8_t *p, size_t n, char *out)
{
	static const char hexd[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[p[i] >> 4];
		out[2 * i + 1] = hexd[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* --- the kept hashes: <data>/torrents/<slug> ---
 * "broadside-torrent-state/1 <digest hex> <version or -> <piece len> <single> <info len> <layers len>\n"
 * then the bencoded info dictionary and the bencoded piece layers. */

static char *
state_path(const char *data_root, const char *slug)
{
	return xasprintf("%s/torrents/%s", data_root, slug);
}

int
torrent_state_read(const char *data_root, const char *slug, struct torrent_state *s)
{
	char *path = state_path(data_root, slug), *nl;
	size_t n = 0, il, ll;
	char magic[32];
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->buf = read_file_small(path, (size_t)1 << 34, &n);
	if (s->buf == NULL)
		goto done;
	nl = memchr(s->buf, '\n', n < 512 ? n : 512);
	if (nl == NULL)
		goto done;
	*nl = '\0';
	if (sscanf(s->buf, "%31s %64s %47s %lld %d %zu %zu", magic, s->digest, s->version, &s->piece_len, &s->single,
	    &il, &ll) != 7 ||
	    strcmp(magic, TORRENT_STATE_MAGIC) != 0 || strlen(s->digest) != 2 * TORRENT_DIGEST_LEN)
		goto done;
	s->info = nl + 1;
	if (il > n - (size_t)(s->info - s->buf) || ll != n - (size_t)(s->info - s->buf) - il)
		goto done;
	s->info_len = il;
	s->layers = s->info + il;
	s->layers_len = ll;
	if (strcmp(s->version, "-") == 0)
		s->version[0] = '\0';
	rc = 0;
done:
	if (rc < 0) {
		free(s->buf);
		s->buf = NULL;
	}
	free(path);
	return rc;
}

int
torrent_state_write(const char *data_root, const char *slug, const char *digest_hex, const char *version,
    int64_t piece_len, int single, const char *info, size_t il, const char *layers, size_t ll)
{
	char *dir = xasprintf("%s/torrents", data_root), *path = state_path(data_root, slug);
	strbuf_t b;
	int rc = -1;

	strbuf_init(&b);
	strbuf_addf(&b, "%s %s %s %lld %d %zu %zu\n", TORRENT_STATE_MAGIC, digest_hex, version[0] ? version : "-",
	    (long long)piece_len, single != 0, il, ll);
	strbuf_add(&b, info, il);
	strbuf_add(&b, layers, ll);
	if (mkdir_p(dir, 0700) < 0 || write_file_atomic(path, b.s, b.len, 0600) < 0)
		log_err("cannot write %s: %s", path, strerror(errno));
	else
		rc = 0;
	strbuf_release(&b);
	free(dir);
	free(path);
	return rc;
}

int
torrent_state_current(const char *data_root, const char *slug, const uint8_t digest[TORRENT_DIGEST_LEN],
    int64_t piece_len)
{
	struct torrent_state s;
	char hex[2 * TORRENT_DIGEST_LEN + 1];
	int ok;

	if (torrent_state_read(data_root, slug, &s) < 0)
		return 0;
	torrent_hex(digest, TORRENT_DIGEST_LEN, hex);
	ok = strcmp(hex, s.digest) == 0 && (piece_len == 0 || piece_len == s.piece_len);
	if (ok) {
		/* Kept under a larger bound: made again, and refused. */
		int64_t max = torrent_max_bytes(data_root);
		ok = max <= 0 || (int64_t)(s.info_len + s.layers_len) <= max;
	}
	free(s.buf);
	return ok;
}

void
torrent_forget(const char *data_root, const char *slug)
{
	char *path = state_path(data_root, slug);

	unlink(path);
	free(path);
}

/* --- the .torrent --- */

int64_t
torrent_max_bytes(const char *data_root)
{
	datadir_t *d = datadir_new(data_root);
	conf_t *conf = conf_new();
	char err[256];
	int64_t max = -1;

	if (conf_load(conf, d->conf, 1, err, sizeof(err)) < 0)
		log_err("%s", err);
	else
		max = conf->torrent_max_bytes;
	conf_free(conf);
	datadir_free(d);
	return max;
}

/* Space-separated URLs of a config key with one of the schemes given;
 * a web seed must end in '/' (BEP 19: the client adds name and path). */
static size_t
conf_urls(const char *value, const char *const *schemes, int slash, const char **start, size_t *len, size_t max)
{
	size_t n = 0;

	for (const char *p = value; *p && n < max;) {
		size_t k;
		int ok = 0;
		p += strspn(p, " \t");
		k = strcspn(p, " \t");
		if (k == 0)
			break;
		for (size_t i = 0; schemes[i]; i++)
			ok |= strncmp(p, schemes[i], strlen(schemes[i])) == 0;
		for (size_t i = 0; i < k; i++)
			ok &= (unsigned char)p[i] > 0x20 && p[i] != 0x7f;
		if (slash)
			ok &= p[k - 1] == '/';
		if (ok) {
			start[n] = p;
			len[n++] = k;
		} else {
			log_warn("ignoring %.*s: not a%s URL", (int)k, p, slash ? "n http(s) folder" : " tracker");
		}
		p += k;
	}
	return n;
}

int
torrent_build(const char *data_root, const char *slug, const uint8_t digest[TORRENT_DIGEST_LEN],
    const char *version, const char *const *addrs, size_t naddrs, strbuf_t *out, torrent_ids_t *ids)
{
	static const char *const web[] = { "http://", "https://", NULL };
	static const char *const trk[] = { "http://", "https://", "udp://", NULL };
	struct torrent_state s;
	char hex[2 * TORRENT_DIGEST_LEN + 1], err[256];
	uint8_t md[32];
	datadir_t *d = datadir_new(data_root);
	conf_t *conf = conf_new();
	const char *ws[32], *ts[32];
	size_t wl[32], tl[32], nw, nt;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	if (conf_load(conf, d->conf, 1, err, sizeof(err)) < 0) {
		log_err("%s", err);
		rc = -1;
		goto done;
	}
	if (torrent_state_read(data_root, slug, &s) < 0)
		goto done;
	torrent_hex(digest, TORRENT_DIGEST_LEN, hex);
	if (strcmp(hex, s.digest) != 0) {
		log_info("%s: its torrent no longer matches the catalogue and is left out "
		    "(`broadside torrent %s` makes a new one)", slug, slug);
		goto done;
	}
	if (conf->torrent_max_bytes > 0 && (int64_t)(s.info_len + s.layers_len) > conf->torrent_max_bytes) {
		log_info("%s: its torrent (%zu bytes) is over torrent_max_bytes (%lld) and is left out", slug,
		    s.info_len + s.layers_len, (long long)conf->torrent_max_bytes);
		goto done;
	}
	if (s.version[0] == '\0') {
		/* First published now: the comment names these manifests for good. */
		snprintf(s.version, sizeof(s.version), "%s", version);
		if (torrent_state_write(data_root, slug, s.digest, s.version, s.piece_len, s.single, s.info, s.info_len, s.layers,
		    s.layers_len) < 0) {
			rc = -1;
			goto done;
		}
	}
	nw = conf_urls(conf->torrent_web_seeds, web, 1, ws, wl, 32);
	nt = conf_urls(conf->torrent_trackers, trk, 0, ts, tl, 32);
	bencode_dict(out);
	if (nt > 0) {
		bencode_str(out, "announce");
		bencode_bytes(out, ts[0], tl[0]);
		bencode_str(out, "announce-list");
		bencode_list(out);
		for (size_t i = 0; i < nt; i++) {
			bencode_list(out);
			bencode_bytes(out, ts[i], tl[i]);
			bencode_end(out);
		}
		bencode_end(out);
	}
	{
		char *comment = xasprintf("Broadside collection %s, signed manifest version %s", slug, s.version);
		bencode_str(out, "comment");
		bencode_str(out, comment);
		free(comment);
	}
	bencode_str(out, "created by");
	bencode_str(out, "Broadside");
	bencode_str(out, "info");
	strbuf_add(out, s.info, s.info_len);
	bencode_str(out, "piece layers");
	strbuf_add(out, s.layers, s.layers_len);
	if (naddrs + nw > 0) {
		bencode_str(out, "url-list");
		bencode_list(out);
		/* BEP 19: a client adds the name; a single-file torrent is named
		 * after its file, so its bases reach into the collection. */
		const char *sub = s.single ? slug : "", *sl = s.single ? "/" : "";
		for (size_t i = 0; i < naddrs; i++) {
			char *u = xasprintf("http://%s/f/%s%s", addrs[i], sub, sl);
			bencode_str(out, u);
			free(u);
		}
		for (size_t i = 0; i < nw; i++) {
			char *u = xasprintf("%.*s%s%s", (int)wl[i], ws[i], sub, sl);
			bencode_str(out, u);
			free(u);
		}
		bencode_end(out);
	}
	bencode_end(out);
	EVP_Digest(s.info, s.info_len, md, NULL, EVP_sha1(), NULL);
	torrent_hex(md, 20, ids->btih);
	EVP_Digest(s.info, s.info_len, md, NULL, EVP_sha256(), NULL);
	torrent_hex(md, 32, ids->btmh);
	snprintf(ids->version, sizeof(ids->version), "%s", s.version);
	rc = 1;
done:
	free(s.buf);
	conf_free(conf);
	datadir_free(d);
	return rc;
}
