/* manifest: see manifest.h. */
#include "trust/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/text.h"
#include "trust/torrent.h"

static const char *const served_names[] = {
	"SHA256SUMS", "SHA256SUMS.minisig", "index.json", "index.json.minisig", "publisher.pub",
	"mirrors.txt", "mirrors.txt.minisig",   /* on a mirror: the origin's address list (mirrors.h) */
	"collection.meta4", "collection.meta4.minisig", "urls.txt", "urls.txt.minisig",
	"collection.torrent", "collection.torrent.minisig",
};

int
manifest_name_valid(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(served_names); i++)
		if (strcmp(name, served_names[i]) == 0)
			return 1;
	return 0;
}

void
manifest_folder_key(const char *dir, size_t len, char out[MANIFEST_FOLDER_KEY_LEN + 1])
{
	static const char hexd[] = "0123456789abcdef";
	unsigned char md[32];

	EVP_Digest(dir, len, md, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < MANIFEST_FOLDER_KEY_LEN / 2; i++) {
		out[2 * i] = hexd[md[i] >> 4];
		out[2 * i + 1] = hexd[md[i] & 15];
	}
	out[MANIFEST_FOLDER_KEY_LEN] = '\0';
}

char *
manifest_served_path(const char *name)
{
	size_t k = MANIFEST_FOLDER_KEY_LEN;
	const char *rest;

	if (manifest_name_valid(name))
		return xstrdup(name);
	/* sums/<key>/SHA256SUMS[.minisig] is kept flat on disk: sums/<key>[.minisig]. */
	if (strncmp(name, "sums/", 5) != 0 || strspn(name + 5, "0123456789abcdef") != k || name[5 + k] != '/')
		return NULL;
	rest = name + 5 + k + 1;
	if (strcmp(rest, "SHA256SUMS") == 0)
		return xasprintf("sums/%.*s", (int)k, name + 5);
	if (strcmp(rest, "SHA256SUMS.minisig") == 0)
		return xasprintf("sums/%.*s.minisig", (int)k, name + 5);
	return NULL;
}

char *
manifest_dir(const char *data_root, const char *slug)
{
	return xasprintf("%s/manifests/%s", data_root, slug);
}

void
manifest_sums_line(strbuf_t *out, const char *sha256_hex, const char *path)
{
	/* coreutils (md5sum.c): a name with '\\', '\n' or '\r' is escaped and the
	 * line marked with a leading backslash, so `-c` can undo it. */
	int esc = strpbrk(path, "\\\n\r") != NULL;

	if (esc)
		strbuf_addc(out, '\\');
	strbuf_adds(out, sha256_hex);
	strbuf_add(out, "  ", 2);
	if (!esc) {
		strbuf_adds(out, path);
	} else {
		for (const char *p = path; *p; p++) {
			if (*p == '\\')
				strbuf_add(out, "\\\\", 2);
			else if (*p == '\n')
				strbuf_add(out, "\\n", 2);
			else if (*p == '\r')
				strbuf_add(out, "\\r", 2);
			else
				strbuf_addc(out, *p);
		}
	}
	strbuf_addc(out, '\n');
}

int
manifest_sums_parse(const char *line, size_t len, char hex[65], char **path)
{
	int esc = len > 0 && line[0] == '\\';
	strbuf_t b;

	if (esc) {
		line++;
		len--;
	}
	if (len < 67 || line[64] != ' ' || line[65] != ' ')
		return -1;
	for (int i = 0; i < 64; i++) {
		char c = line[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -1;
		hex[i] = c;
	}
	hex[64] = '\0';
	strbuf_init(&b);
	for (size_t i = 66; i < len; i++) {
		char c = line[i];
		if (c == '\0' || c == '\n') {
			strbuf_release(&b);
			return -1;
		}
		if (esc && c == '\\') {
			char n = i + 1 < len ? line[++i] : '\0';
			if (n == '\\')
				c = '\\';
			else if (n == 'n')
				c = '\n';
			else if (n == 'r')
				c = '\r';
			else {
				strbuf_release(&b);
				return -1;
			}
		}
		strbuf_addc(&b, c);
	}
	*path = strbuf_detach(&b);
	return 0;
}

int
manifest_tc_parse(const char *tc, manifest_tc_t *out)
{
	const char *p = tc;

	memset(out, 0, sizeof(*out));
	out->files = -1;
	while (*p) {
		size_t n = strcspn(p, "\t"), k;
		const char *colon = memchr(p, ':', n);
		if (colon) {
			k = (size_t)(colon - p);
			const char *v = colon + 1;
			size_t vl = n - k - 1;
			char *val = xstrndup(v, vl);
			int bad = 0;
			if (k == 4 && memcmp(p, "file", 4) == 0) {
				bad = vl >= sizeof(out->file) || out->file[0];
				if (!bad)
					memcpy(out->file, val, vl + 1);
			} else if (k == 10 && memcmp(p, "collection", 10) == 0) {
				bad = vl >= sizeof(out->collection) || out->collection[0];
				if (!bad)
					memcpy(out->collection, val, vl + 1);
			} else if (k == 5 && memcmp(p, "files", 5) == 0) {
				bad = parse_int64(val, 0, INT64_MAX, &out->files) < 0;
			} else if (k == 7 && memcmp(p, "version", 7) == 0) {
				char *dash = strchr(val, '-');
				bad = dash == NULL || out->version.time != 0;
				if (!bad) {
					*dash = '\0';
					bad = parse_int64(val, 1, INT64_MAX, &out->version.time) < 0 ||
					    parse_int64(dash + 1, 0, INT64_MAX, &out->version.counter) < 0;
				}
			}
			free(val);
			if (bad)
				return -1;
		}
		p += n;
		if (*p == '\t')
			p++;
	}
	return 0;
}

int
manifest_version_cmp(const manifest_version_t *a, const manifest_version_t *b)
{
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if (a->counter != b->counter)
		return a->counter < b->counter ? -1 : 1;
	return 0;
}

void
manifest_version_format(const manifest_version_t *v, char *out, size_t outlen)
{
	if (v->time == 0)
		snprintf(out, outlen, "none");
	else
		snprintf(out, outlen, "%lld-%lld", (long long)v->time, (long long)v->counter);
}

int
manifest_dir_version(const char *dir, manifest_version_t *v)
{
	char *p = xasprintf("%s/index.json.minisig", dir);
	size_t n;
	char *text = read_file_small(p, 4096, &n);
	sign_sig_t s;
	manifest_tc_t tc;
	int rc = 0;

	memset(v, 0, sizeof(*v));
	if (text && sign_sig_parse(text, n, &s) == 0) {
		if (manifest_tc_parse(s.trusted, &tc) == 0)
			*v = tc.version;
		rc = 1;
		sign_sig_clear(&s);
	}
	free(text);
	free(p);
	return rc;
}

manifest_version_t
manifest_version_next(const manifest_version_t *prev, int64_t now)
{
	manifest_version_t v = { now, 0 };

	if (now <= prev->time) {
		v.time = prev->time;
		v.counter = prev->counter + 1;
	}
	return v;
}

int
manifest_json_str(strbuf_t *out, const char *s)
{
	return text_json(out, s, 0);
}

/* An output file that is hashed (BLAKE2b-512) as it is written. */
struct out {
	FILE *f;
	sign_hasher_t *h;
	char *path;
	int failed;
	int nosync;   /* a folder list: the whole set is synced once (syncfs) instead */
};

static int
out_open(struct out *o, const char *dir, const char *name)
{
	int fd;

	o->path = xasprintf("%s/%s", dir, name);
	o->h = sign_hasher_new();
	fd = open(o->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	o->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (o->f == NULL) {
		log_err("cannot create %s: %s", o->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setvbuf(o->f, NULL, _IOFBF, 1 << 16);
	return 0;
}

static void
out_put(struct out *o, strbuf_t *b)
{
	if (b->len == 0)
		return;
	if (fwrite(b->s, 1, b->len, o->f) != b->len)
		o->failed = 1;
	sign_hasher_update(o->h, b->s, b->len);
	strbuf_reset(b);
}

/* Write a new file in one go, not synced (the caller syncs the folder's file system). */
static int
write_file_plain(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	size_t len = strlen(text);
	int rc;

	if (fd < 0)
		return -1;
	rc = write_all(fd, text, len) == 0 ? 0 : -1;
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* Flush, fsync and close; then write <name>.minisig next to it. */
static int
out_finish(struct out *o, const sign_key_t *k, const char *trusted)
{
	uint8_t hash[SIGN_HASH_LEN];
	char *sig = NULL, *sigpath = NULL;
	int rc = -1;

	if (fflush(o->f) != 0 || (!o->nosync && fsync(fileno(o->f)) != 0))
		o->failed = 1;
	if (fclose(o->f) != 0)
		o->failed = 1;
	o->f = NULL;
	if (o->failed) {
		log_err("cannot write %s: %s", o->path, strerror(errno));
		goto done;
	}
	sign_hasher_final(o->h, hash);
	if ((sig = sign_signature(k, hash, trusted)) == NULL)
		goto done;
	sigpath = xasprintf("%s.minisig", o->path);
	if (o->nosync ? write_file_plain(sigpath, sig) < 0 : write_file_atomic(sigpath, sig, strlen(sig), 0644) < 0) {
		log_err("cannot write %s: %s", sigpath, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	free(sig);
	free(sigpath);
	return rc;
}

static void
out_close(struct out *o)
{
	if (o->f)
		fclose(o->f);
	sign_hasher_free(o->h);
	free(o->path);
	memset(o, 0, sizeof(*o));
}

struct gen {
	struct out sums, index, meta4, urls, torrent;
	torrent_digest_t *rows;   /* does the kept torrent still match? */
	strbuf_t a, b, m, u;
	int64_t files, bytes, skipped;
	const char *slug;
	const char *const *addrs;   /* every address that serves it, this one first */
	size_t naddrs;
};

/* A name as XML 1.0 text: 1 if it can be written exactly (valid UTF-8, no
 * control character), else 0 and nothing is written. */
static int
xml_text(strbuf_t *out, const char *s)
{
	size_t n = strlen(s), start = out->len;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = text_utf8_next((const unsigned char *)s + i, n - i, &cp);
		if ((cp == 0xfffd && !(k == 3 && (unsigned char)s[i] == 0xef)) || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0) || cp == 0xfffe || cp == 0xffff) {
			out->len = start;
			out->s[start] = '\0';
			return 0;
		}
		switch (cp) {
		case '&': strbuf_adds(out, "&amp;"); break;
		case '<': strbuf_adds(out, "&lt;"); break;
		case '>': strbuf_adds(out, "&gt;"); break;
		case '"': strbuf_adds(out, "&quot;"); break;
		case '\'': strbuf_adds(out, "&apos;"); break;
		default: strbuf_add(out, s + i, k); break;
		}
		i += k;
	}
	return 1;
}

/* One <file> of the metalink (RFC 5854 4.1.2) and its lines of urls.txt. */
static void
metalink_file(struct gen *g, const char *relpath, const cat_file_t *f)
{
	size_t start = g->m.len;
	strbuf_t path;

	strbuf_adds(&g->m, "  <file name=\"");
	if (!xml_text(&g->m, relpath)) {
		/* Not expressible in XML: the reader fetches it from /f/ alone. */
		g->m.len = start;
		g->m.s[start] = '\0';
		g->skipped++;
		return;
	}
	strbuf_init(&path);
	text_url(&path, relpath, strlen(relpath), TEXT_URL_SLASH | TEXT_URL_NO_START);
	strbuf_addf(&g->m, "\">\n    <size>%lld</size>\n    <hash type=\"sha-256\">%s</hash>\n",
	    (long long)f->size, f->sha256);
	for (size_t i = 0; i < g->naddrs; i++)
		strbuf_addf(&g->m, "    <url>http://%s/f/%s/%s</url>\n", g->addrs[i], g->slug, path.s);
	strbuf_adds(&g->m, "  </file>\n");
	if (g->naddrs > 0)
		strbuf_addf(&g->u, "http://%s/f/%s/%s\n", g->addrs[0], g->slug, path.s);
	strbuf_release(&path);
}

static int
add_file(const char *relpath, const cat_file_t *f, void *arg)
{
	struct gen *g = arg;

	manifest_sums_line(&g->a, f->sha256, relpath);
	strbuf_adds(&g->b, g->files ? ",\n{\"path\":" : "\n{\"path\":");
	if (manifest_json_str(&g->b, relpath)) {
		size_t n = strlen(relpath);
		char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
		EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)relpath, (int)n);
		strbuf_addf(&g->b, ",\"path_base64\":\"%s\"", b64);
		free(b64);
	}
	strbuf_addf(&g->b, ",\"size\":%lld,\"sha256\":\"%s\",\"mtime\":%lld}", (long long)f->size, f->sha256,
	    (long long)f->mtime);
	metalink_file(g, relpath, f);
	torrent_digest_add(g->rows, relpath, f);
	g->files++;
	g->bytes += f->size;
	if (g->a.len >= 1 << 16)
		out_put(&g->sums, &g->a);
	if (g->b.len >= 1 << 16)
		out_put(&g->index, &g->b);
	if (g->m.len >= 1 << 16)
		out_put(&g->meta4, &g->m);
	if (g->u.len >= 1 << 16)
		out_put(&g->urls, &g->u);
	return g->sums.failed || g->index.failed || g->meta4.failed || g->urls.failed;
}

/* The collection's .torrent, built from the hashes `broadside torrent` kept
 * while they match these rows, and its entry in index.json (after the file
 * list): its SHA-256 and both info-hashes. 1 written, 0 none, -1 error. */
static int
add_torrent(struct gen *g, const char *data_root, const char *tmp, const char *vs)
{
	uint8_t digest[TORRENT_DIGEST_LEN], md[32];
	char hex[65];
	torrent_ids_t ids;
	strbuf_t t;
	int r;

	torrent_digest_final(g->rows, digest);
	g->rows = NULL;
	strbuf_init(&t);
	r = torrent_build(data_root, g->slug, digest, vs, g->addrs, g->naddrs, &t, &ids);
	if (r == 1) {
		EVP_Digest(t.s, t.len, md, NULL, EVP_sha256(), NULL);
		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		strbuf_addf(&g->b, ",\"torrent\":{\"path\":\"collection.torrent\",\"size\":%zu,\"sha256\":\"%s\","
		    "\"btih\":\"%s\",\"btmh\":\"1220%s\",\"version\":\"%s\"}", t.len, hex, ids.btih, ids.btmh,
		    ids.version);
		if (out_open(&g->torrent, tmp, "collection.torrent") < 0)
			r = -1;
		else
			out_put(&g->torrent, &t);
	}
	strbuf_release(&t);
	return r;
}

/* The per-folder lists: one SHA256SUMS per folder holding files, signed. */
struct folders {
	struct out o;
	strbuf_t buf, dir;
	const char *sumsdir, *slug, *vs;
	const sign_key_t *k;
	int64_t now, files;
	int open, failed;
};

static int
folder_finish(struct folders *f)
{
	char key[MANIFEST_FOLDER_KEY_LEN + 1], *trusted;
	int rc;

	if (!f->open)
		return 0;
	out_put(&f->o, &f->buf);
	manifest_folder_key(f->dir.s, f->dir.len, key);
	trusted = xasprintf("timestamp:%lld\tfile:folder-SHA256SUMS\tcollection:%s\tfiles:%lld\tversion:%s\tfolder:%s",
	    (long long)f->now, f->slug, (long long)f->files, f->vs, key);
	rc = out_finish(&f->o, f->k, trusted);
	free(trusted);
	out_close(&f->o);
	f->open = 0;
	return rc;
}

static int
add_folder_file(const char *relpath, const cat_file_t *file, void *arg)
{
	struct folders *f = arg;
	const char *sl = strrchr(relpath, '/');
	size_t dl = sl ? (size_t)(sl - relpath) : 0;

	if (!f->open || f->dir.len != dl || memcmp(f->dir.s, relpath, dl) != 0) {
		char key[MANIFEST_FOLDER_KEY_LEN + 1];
		if (folder_finish(f) < 0)
			return f->failed = 1;
		strbuf_reset(&f->dir);
		strbuf_add(&f->dir, relpath, dl);
		manifest_folder_key(relpath, dl, key);
		f->o.nosync = 1;
		/* O_EXCL: a folder seen twice (rows not grouped) fails loudly. */
		if (out_open(&f->o, f->sumsdir, key) < 0)
			return f->failed = 1;
		f->open = 1;
		f->files = 0;
	}
	manifest_sums_line(&f->buf, file->sha256, relpath);
	f->files++;
	if (f->buf.len >= 1 << 16)
		out_put(&f->o, &f->buf);
	return f->o.failed;
}

/* Write <tmp>/sums/<key> and <key>.minisig for every folder, then sync them all at once. */
static int
write_folders(const char *tmp, cat_t *c, const cat_collection_t *col, const sign_key_t *k, int64_t now,
    const char *vs)
{
	struct folders f;
	char *sums = xasprintf("%s/sums", tmp);
	int rc = -1, fd;

	memset(&f, 0, sizeof(f));
	strbuf_init(&f.buf);
	strbuf_init(&f.dir);
	f.sumsdir = sums;
	f.slug = col->slug;
	f.vs = vs;
	f.k = k;
	f.now = now;
	if (mkdir(sums, 0755) < 0) {
		log_err("cannot create %s: %s", sums, strerror(errno));
		goto done;
	}
	if (cat_file_each_by_folder(c, col->id, add_folder_file, &f) != 0 || f.failed || folder_finish(&f) < 0) {
		log_err("cannot write the folder lists of %s", col->slug);
		goto done;
	}
	fd = open(sums, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) < 0 || fsync(fd) < 0) {
		log_err("cannot sync %s: %s", sums, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto done;
	}
	close(fd);
	rc = 0;
done:
	out_close(&f.o);
	strbuf_release(&f.buf);
	strbuf_release(&f.dir);
	free(sums);
	return rc;
}

/* Remove dir and the plain files in it (our own manifest folders only). */
static void
remove_dir(const char *dir)
{
	char *sums = xasprintf("%s/sums", dir);
	DIR *d = opendir(sums);

	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(sums);
	free(sums);
	for (size_t i = 0; i < ARRAY_LEN(served_names); i++) {
		char *p = xasprintf("%s/%s", dir, served_names[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
}

int
manifest_write(const char *data_root, cat_t *c, const cat_collection_t *col, const sign_key_t *k,
    const char *const *addrs, size_t naddrs)
{
	struct gen g;
	char *top = xasprintf("%s/manifests", data_root);
	char *dir = manifest_dir(data_root, col->slug);
	char *tmp = xasprintf("%s/.%s.new.%ld", top, col->slug, (long)getpid());
	char *trusted = NULL, *pub = NULL, *pubpath = NULL;
	time_t now = time(NULL);
	manifest_version_t prev, ver;
	char vs[48];
	int rc = -1, has_torrent = 0;

	memset(&g, 0, sizeof(g));
	strbuf_init(&g.a);
	strbuf_init(&g.b);
	strbuf_init(&g.m);
	strbuf_init(&g.u);
	g.slug = col->slug;
	g.rows = torrent_digest_new();
	g.addrs = addrs;
	g.naddrs = naddrs;
	if (mkdir_p(top, 0700) < 0) {
		log_err("cannot create %s: %s", top, strerror(errno));
		goto done;
	}
	remove_dir(tmp);
	if (mkdir(tmp, 0755) < 0) {
		log_err("cannot create %s: %s", tmp, strerror(errno));
		goto done;
	}
	if (out_open(&g.sums, tmp, "SHA256SUMS") < 0 || out_open(&g.index, tmp, "index.json") < 0 ||
	    out_open(&g.meta4, tmp, "collection.meta4") < 0 || out_open(&g.urls, tmp, "urls.txt") < 0)
		goto done;
	{
		/* RFC 5854: every file with its size, SHA-256 and an address on
		 * each appliance that serves it (aria2c fetches from all at once). */
		char when[32];
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		strbuf_addf(&g.m, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<metalink xmlns=\"urn:ietf:params:xml:ns:metalink\">\n"
		    "  <generator>Broadside</generator>\n  <published>%s</published>\n", when);
	}
	strbuf_adds(&g.b, "{\"format\":\"broadside-index/1\",\"collection\":");
	manifest_json_str(&g.b, col->slug);
	strbuf_adds(&g.b, ",\"title\":");
	manifest_json_str(&g.b, col->title);
	strbuf_adds(&g.b, ",\"description\":");
	manifest_json_str(&g.b, col->description);
	strbuf_addf(&g.b, ",\"generated\":%lld,\"files\":[", (long long)now);
	if (cat_file_each(c, col->id, add_file, &g) != 0) {
		log_err("cannot list the files of %s", col->slug);
		goto done;
	}
	/* The version grows from the one being replaced (kept in its signature). */
	manifest_dir_version(dir, &prev);
	ver = manifest_version_next(&prev, (int64_t)now);
	manifest_version_format(&ver, vs, sizeof(vs));
	strbuf_adds(&g.b, "\n]");
	if ((has_torrent = add_torrent(&g, data_root, tmp, vs)) < 0)
		goto done;
	strbuf_addf(&g.b, ",\"count\":%lld,\"bytes\":%lld}\n", (long long)g.files, (long long)g.bytes);
	strbuf_adds(&g.m, "</metalink>\n");
	out_put(&g.sums, &g.a);
	out_put(&g.index, &g.b);
	out_put(&g.meta4, &g.m);
	out_put(&g.urls, &g.u);
	if (g.skipped > 0)
		log_warn("%s: %lld names are not valid UTF-8 text and are left out of its metalink",
		    col->slug, (long long)g.skipped);
	if (write_folders(tmp, c, col, k, (int64_t)now, vs) < 0)
		goto done;
	trusted = xasprintf("timestamp:%lld\tfile:SHA256SUMS\tcollection:%s\tfiles:%lld\tversion:%s", (long long)now,
	    col->slug, (long long)g.files, vs);
	if (out_finish(&g.sums, k, trusted) < 0)
		goto done;
	free(trusted);
	trusted = xasprintf("timestamp:%lld\tfile:index.json\tcollection:%s\tfiles:%lld\tversion:%s", (long long)now,
	    col->slug, (long long)g.files, vs);
	if (out_finish(&g.index, k, trusted) < 0)
		goto done;
	free(trusted);
	trusted = xasprintf("timestamp:%lld\tfile:collection.meta4\tcollection:%s\tfiles:%lld\tversion:%s",
	    (long long)now, col->slug, (long long)(g.files - g.skipped), vs);
	if (out_finish(&g.meta4, k, trusted) < 0)
		goto done;
	free(trusted);
	trusted = xasprintf("timestamp:%lld\tfile:urls.txt\tcollection:%s\tfiles:%lld\tversion:%s",
	    (long long)now, col->slug, (long long)g.files, vs);
	if (out_finish(&g.urls, k, trusted) < 0)
		goto done;
	if (has_torrent) {
		free(trusted);
		trusted = xasprintf("timestamp:%lld\tfile:collection.torrent\tcollection:%s\tfiles:%lld\tversion:%s",
		    (long long)now, col->slug, (long long)g.files, vs);
		if (out_finish(&g.torrent, k, trusted) < 0)
			goto done;
	}
	pub = sign_pub_format(sign_key_pub(k));
	pubpath = xasprintf("%s/publisher.pub", tmp);
	if (write_file_atomic(pubpath, pub, strlen(pub), 0644) < 0)
		goto done;
	/* Swap the new folder in whole; the old one (now at tmp) goes. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
		remove_dir(tmp);
	} else if (errno == ENOENT) {
		if (rename(tmp, dir) < 0)
			goto fail_rename;
	} else {
		goto fail_rename;
	}
	rc = 0;
	goto done;
fail_rename:
	log_err("cannot put the manifests in place at %s: %s", dir, strerror(errno));
done:
	out_close(&g.sums);
	out_close(&g.index);
	out_close(&g.meta4);
	out_close(&g.urls);
	out_close(&g.torrent);
	if (g.rows) {
		uint8_t unused[TORRENT_DIGEST_LEN];
		torrent_digest_final(g.rows, unused);
	}
	if (rc < 0)
		remove_dir(tmp);
	strbuf_release(&g.a);
	strbuf_release(&g.b);
	strbuf_release(&g.m);
	strbuf_release(&g.u);

	free(trusted);
	free(pub);
	free(pubpath);
	free(top);
	free(dir);
	free(tmp);
	return rc;
}

int
manifest_update(const char *data_root, cat_t *c, const cat_collection_t *col,
    const char *const *addrs, size_t naddrs)
{
	char *keyfile = xasprintf("%s/keys/publisher.key", data_root);
	sign_key_t *k;
	int rc = -1;

	if (access(keyfile, F_OK) < 0 && errno == ENOENT) {
		/* Data dirs made before signing existed: make the key now. */
		char *dir = xasprintf("%s/keys", data_root);
		rc = sign_key_create(dir);
		free(dir);
		if (rc < 0)
			goto done;
		rc = -1;
	}
	if ((k = sign_key_load(keyfile)) == NULL)
		goto done;
	rc = manifest_write(data_root, c, col, k, addrs, naddrs);
	sign_key_free(k);
done:
	free(keyfile);
	return rc;
}
