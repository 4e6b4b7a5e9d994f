/* mirrors: see mirrors.h. */
#include "trust/mirrors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "trust/manifest.h"

int
mirrors_addr_valid(const char *s)
{
	if (strlen(s) != 62 || strcmp(s + 56, ".onion") != 0)
		return 0;
	for (int i = 0; i < 56; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '2' && s[i] <= '7')))
			return 0;
	/* The last 5 bits hold the low bits of the version byte, 3. */
	return s[55] == 'd';
}

int
mirrors_note_valid(const char *s)
{
	size_t n = strlen(s);

	if (n > MIRRORS_NOTE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

void
mirrors_clear(mirrors_list_t *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].note);
	free(l->e);
	memset(l, 0, sizeof(*l));
}

int
mirrors_add(mirrors_list_t *l, const char *addr, const char *note)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->e[i].addr, addr) == 0) {
			free(l->e[i].note);
			l->e[i].note = xstrdup(note ? note : "");
			return 0;
		}
	}
	if (l->n >= MIRRORS_MAX)
		return -1;
	l->e = xrealloc(l->e, (l->n + 1) * sizeof(*l->e));
	snprintf(l->e[l->n].addr, sizeof(l->e[l->n].addr), "%s", addr);
	l->e[l->n].note = xstrdup(note ? note : "");
	l->n++;
	return 0;
}

int
mirrors_rm(mirrors_list_t *l, const char *addr)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->e[i].addr, addr) == 0) {
			free(l->e[i].note);
			memmove(&l->e[i], &l->e[i + 1], (l->n - i - 1) * sizeof(*l->e));
			l->n--;
			return 1;
		}
	}
	return 0;
}

void
mirrors_copy(mirrors_list_t *dst, const mirrors_list_t *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->n; i++)
		mirrors_add(dst, src->e[i].addr, src->e[i].note);
}

int
mirrors_parse(const char *text, size_t len, mirrors_list_t *out)
{
	const char *p = text, *end = text + len;

	memset(out, 0, sizeof(*out));
	if (len > MIRRORS_FILE_MAX || memchr(text, '\0', len))
		return -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, n), *sp, *note = "";
		int bad = 0;
		p += n + (nl != NULL);
		if (n == 0 || line[0] == '#') {
			free(line);
			continue;
		}
		if ((sp = strchr(line, ' ')) != NULL) {
			*sp = '\0';
			note = sp + 1;
		}
		bad = !mirrors_addr_valid(line) || !mirrors_note_valid(note) || mirrors_add(out, line, note) < 0;
		free(line);
		if (bad) {
			mirrors_clear(out);
			return -1;
		}
	}
	return 0;
}

int
mirrors_load(const char *path, mirrors_list_t *out)
{
	size_t n;
	char *text = read_file_small(path, MIRRORS_FILE_MAX, &n);
	int rc;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return errno == ENOENT ? 0 : -1;
	rc = mirrors_parse(text, n, out) < 0 ? -1 : 1;
	free(text);
	return rc;
}

void
mirrors_format(const mirrors_list_t *l, strbuf_t *out)
{
	strbuf_adds(out, "# The onion addresses that serve this publisher's collections, signed by the\n"
	    "# publisher key. Check: minisign -V -p publisher.pub -m mirrors.txt\n");
	for (size_t i = 0; i < l->n; i++)
		strbuf_addf(out, "%s%s%s\n", l->e[i].addr, l->e[i].note[0] ? " " : "", l->e[i].note);
}

/* The version in a .minisig's trusted comment; {0,0} if none. */
static manifest_version_t
sig_version(const char *sigpath)
{
	manifest_version_t v = { 0, 0 };
	size_t n;
	char *text = read_file_small(sigpath, 4096, &n);
	sign_sig_t s;
	manifest_tc_t tc;

	if (text && sign_sig_parse(text, n, &s) == 0) {
		if (manifest_tc_parse(s.trusted, &tc) == 0)
			v = tc.version;
		sign_sig_clear(&s);
	}
	free(text);
	return v;
}

char *
mirrors_published_path(const char *data_root, const char *name)
{
	char *p = xasprintf("%s/manifests/" MIRRORS_PUBLISHED_DIR "/%s", data_root, name);

	if (access(p, F_OK) == 0)
		return p;
	free(p);
	/* Written before the pair moved into its own folder. */
	return xasprintf("%s/manifests/%s", data_root, name);
}

int
mirrors_publish(const char *data_root, const mirrors_list_t *l, const char *own, const sign_key_t *k)
{
	static const char *const names[] = { "mirrors.txt", "mirrors.txt.minisig" };
	char *top = xasprintf("%s/manifests", data_root), *dir = xasprintf("%s/" MIRRORS_PUBLISHED_DIR, top);
	char *tmp = xasprintf("%s/" MIRRORS_PUBLISHED_DIR ".new.%ld", top, (long)getpid());
	char *path = xasprintf("%s/mirrors.txt", tmp), *sigpath = xasprintf("%s/mirrors.txt.minisig", tmp);
	char *oldsig = mirrors_published_path(data_root, "mirrors.txt.minisig");
	char *trusted = NULL, *sig = NULL, vs[48];
	mirrors_list_t all;
	strbuf_t b;
	uint8_t hash[SIGN_HASH_LEN];
	manifest_version_t prev, ver;
	time_t now = time(NULL);
	sign_hasher_t *h = sign_hasher_new();
	int rc = -1;

	memset(&all, 0, sizeof(all));
	strbuf_init(&b);
	if (own)
		mirrors_add(&all, own, "origin");
	for (size_t i = 0; i < l->n; i++)
		if (own == NULL || strcmp(l->e[i].addr, own) != 0)
			mirrors_add(&all, l->e[i].addr, l->e[i].note);
	mirrors_format(&all, &b);
	if (mkdir_p(top, 0700) < 0 || mkdir_p(tmp, 0755) < 0) {
		log_err("cannot create %s: %s", tmp, strerror(errno));
		goto done;
	}
	prev = sig_version(oldsig);
	ver = manifest_version_next(&prev, (int64_t)now);
	manifest_version_format(&ver, vs, sizeof(vs));
	trusted = xasprintf("timestamp:%lld\tfile:mirrors.txt\tentries:%zu\tversion:%s", (long long)now, all.n, vs);
	sign_hasher_update(h, b.s, b.len);
	sign_hasher_final(h, hash);
	if ((sig = sign_signature(k, hash, trusted)) == NULL)
		goto done;
	/* The list and its signature side by side in a new folder, swapped for
	 * the published one by one rename: the two names always hold one pair. */
	if (write_file_atomic(path, b.s, b.len, 0644) < 0 || write_file_atomic(sigpath, sig, strlen(sig), 0644) < 0 ||
	    (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) < 0 && (errno != ENOENT || rename(tmp, dir) < 0))) {
		log_err("cannot publish %s: %s", dir, strerror(errno));
		goto done;
	}
	/* The pair at the old place, from before the folder, would be stale. */
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		char *o = xasprintf("%s/%s", top, names[i]);
		unlink(o);
		free(o);
	}
	rc = 0;
done:
	/* The replaced pair (after the exchange), or a failed new one. */
	unlink(path);
	unlink(sigpath);
	rmdir(tmp);
	sign_hasher_free(h);
	mirrors_clear(&all);
	strbuf_release(&b);
	free(trusted);
	free(sig);
	free(top);
	free(dir);
	free(tmp);
	free(path);
	free(sigpath);
	free(oldsig);
	return rc;
}

static int
to_buf(void *arg, const uint8_t *p, size_t n)
{
	strbuf_add(arg, p, n);
	return 0;
}

/* GET path into b (at most max bytes): the HTTP status, or -1 with err. */
static int
get_small(fetch_t *f, const char *path, int64_t max, strbuf_t *b, char *err, size_t errlen)
{
	fetch_result_t res;

	strbuf_reset(b);
	if (fetch_get(f, path, 0, NULL, max, to_buf, b, &res, err, errlen) < 0)
		return -1;
	return res.status;
}

int
mirrors_fetch(fetch_t *f, const sign_pub_t *pub, const char *work, const char *installed_dir,
    char *err, size_t errlen)
{
	strbuf_t sigb, txt;
	sign_sig_t s;
	manifest_tc_t tc;
	manifest_version_t have;
	mirrors_list_t l;
	char *ipath = xasprintf("%s/mirrors.txt", installed_dir), *isig = xasprintf("%s.minisig", ipath);
	char *wpath = xasprintf("%s/mirrors.txt", work), *wsig = xasprintf("%s.minisig", wpath);
	char *old = NULL, e2[256];
	size_t oldn = 0;
	int st, parsed = 0, rc = -1;

	memset(&s, 0, sizeof(s));
	strbuf_init(&sigb);
	strbuf_init(&txt);
	if ((st = get_small(f, "/m/mirrors.txt.minisig", MIRRORS_FILE_MAX, &sigb, e2, sizeof(e2))) < 0) {
		snprintf(err, errlen, "mirrors.txt.minisig: %s", e2);
		goto done;
	}
	if (st == 404) {
		rc = 0;
		goto done;
	}
	if (st != 200 || sigb.len > 4096 || sign_sig_parse(sigb.s, sigb.len, &s) < 0) {
		snprintf(err, errlen, "mirrors.txt.minisig: not a signature (HTTP %d)", st);
		goto done;
	}
	parsed = 1;
	if (sign_verify_trusted(pub, &s, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "mirrors.txt.minisig: BAD SIGNATURE (%s)", e2);
		goto done;
	}
	if (manifest_tc_parse(s.trusted, &tc) < 0 || strcmp(tc.file, "mirrors.txt") != 0) {
		snprintf(err, errlen, "mirrors.txt.minisig: its signed comment names another file");
		goto done;
	}
	have = sig_version(isig);
	if (manifest_version_cmp(&tc.version, &have) < 0) {
		char a[48], b[48];
		manifest_version_format(&tc.version, a, sizeof(a));
		manifest_version_format(&have, b, sizeof(b));
		snprintf(err, errlen, "mirrors.txt: version %s is older than the installed %s: refused (rollback)", a, b);
		goto done;
	}
	if ((st = get_small(f, "/m/mirrors.txt", MIRRORS_FILE_MAX, &txt, e2, sizeof(e2))) != 200) {
		snprintf(err, errlen, "mirrors.txt: %s", st < 0 ? e2 : "not served");
		goto done;
	}
	if (write_file_atomic(wpath, txt.s, txt.len, 0644) < 0 ||
	    write_file_atomic(wsig, sigb.s, sigb.len, 0644) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", wpath, strerror(errno));
		goto done;
	}
	if (sign_verify_file(pub, sigb.s, sigb.len, wpath, NULL, e2, sizeof(e2)) < 0) {
		snprintf(err, errlen, "mirrors.txt: BAD SIGNATURE (%s)", e2);
		goto done;
	}
	old = read_file_small(ipath, MIRRORS_FILE_MAX, &oldn);
	if (manifest_version_cmp(&tc.version, &have) == 0 && have.time != 0 && old &&
	    (oldn != txt.len || memcmp(old, txt.s, oldn) != 0)) {
		snprintf(err, errlen, "mirrors.txt: the installed version with other content: refused");
		goto done;
	}
	if (mirrors_parse(txt.s, txt.len, &l) < 0) {
		snprintf(err, errlen, "mirrors.txt: signed, but not a list broadside can read");
		goto done;
	}
	mirrors_clear(&l);
	rc = 1;
done:
	if (rc < 0) {
		unlink(wpath);
		unlink(wsig);
	}
	if (parsed)
		sign_sig_clear(&s);
	strbuf_release(&sigb);
	strbuf_release(&txt);
	free(old);
	free(ipath);
	free(isig);
	free(wpath);
	free(wsig);
	return rc;
}

static void
push_addr(char ***a, size_t *n, const char *addr)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*a)[i], addr) == 0)
			return;
	*a = xrealloc(*a, (*n + 1) * sizeof(**a));
	(*a)[(*n)++] = xstrdup(addr);
}

size_t
mirrors_site_addresses(const char *data_root, char ***out)
{
	char *p = xasprintf("%s/onion/public/hostname", data_root), buf[128];
	FILE *fp = fopen(p, "re");
	mirrors_list_t l;
	size_t n = 0;

	*out = NULL;
	if (fp != NULL) {
		if (fgets(buf, sizeof(buf), fp) != NULL) {
			buf[strcspn(buf, "\r\n")] = '\0';
			if (mirrors_addr_valid(buf))
				push_addr(out, &n, buf);
		}
		fclose(fp);
	}
	free(p);
	p = xasprintf("%s/mirrors.txt", data_root);
	memset(&l, 0, sizeof(l));
	if (mirrors_load(p, &l) > 0)
		for (size_t i = 0; i < l.n; i++)
			push_addr(out, &n, l.e[i].addr);
	mirrors_clear(&l);
	free(p);
	return n;
}

void
mirrors_addresses_free(char **a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i]);
	free(a);
}
