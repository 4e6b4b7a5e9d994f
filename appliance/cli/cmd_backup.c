/* cmd_backup: `backup FILE` and `restore FILE` — the appliance's identity in one
 * encrypted file (backup.h), and bringing it back on a fresh machine: same onion
 * address, same signing key, same catalogue. After a restore every collection is
 * checked against its catalogue (what its signed manifest lists); one whose
 * files are missing or differ is *held*: its pages and manifests are served but
 * /f/ answers 503 until `broadside refresh SLUG` re-reads the files (and
 * re-signs what is now on disk) — never silently serving bytes the publisher did
 * not sign. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "trust/backup.h"
#include "catalogue/cat.h"
#include "cli/cmd.h"
#include "base/datadir.h"
#include "base/beneath.h"
#include "base/log.h"
#include "trust/manifest.h"
#include "trust/mirrors.h"
#include "onion/onion.h"
#include "trust/sign.h"
#include "base/text.h"
#include "base/util.h"

#define PASS_MAX 1024
#define MIN_PASS_CHARS 12
#define MAX_MAPS 16
#define REPORT_MAX 10

static const char backup_usage[] =
    "usage: broadside [--data DIR] backup FILE [--passphrase-file F] [--weak-passphrase]\n\n"
    "Write the identity of this appliance — onion keys, the publisher signing key,\n"
    "broadside.conf and a consistent snapshot of the catalogue — to FILE, encrypted\n"
    "with a passphrase (scrypt N=2^17, AES-256-GCM). The collections' files are not\n"
    "included: copy them separately. The passphrase is asked twice on the terminal,\n"
    "or read from the first line of F, and must be at least 12 characters long\n"
    "unless --weak-passphrase. Keep FILE and the passphrase apart.\n";

static const char restore_usage[] =
    "usage: broadside [--data DIR] restore FILE [--force] [--data-root OLD=NEW]...\n"
    "                 [--passphrase-file F]\n\n"
    "Restore a backup into DIR (normally a new, empty data directory). Nothing is\n"
    "written unless the whole file authenticates with the passphrase. An existing\n"
    "identity in DIR is replaced only with --force. --data-root OLD=NEW re-points\n"
    "collections whose folder was below OLD (the files now live below NEW).\n"
    "Then each collection's files are checked (SHA-256) against the catalogue:\n"
    "a collection with missing or different files is held (its files are not\n"
    "served) until `broadside refresh SLUG` re-reads and re-signs them.\n";

/* Characters, not bytes: a UTF-8 continuation byte starts none. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

/* The passphrase: first line of file, or typed twice (confirm) without echo.
 * A new one (confirm) shorter than MIN_PASS_CHARS needs weak_ok. */
static int
get_passphrase(const char *file, int confirm, int weak_ok, char *out, size_t outlen)
{
	char again[PASS_MAX];
	struct termios old, noecho;
	FILE *tty = NULL;
	int rc = -1;

	if (file) {
		FILE *f = fopen(file, "r");
		if (f == NULL || fgets(out, (int)outlen, f) == NULL) {
			log_err("cannot read the passphrase from %s: %s", file, f ? "it is empty" : strerror(errno));
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
		out[strcspn(out, "\r\n")] = '\0';
		goto check;
	}
	tty = fopen("/dev/tty", "r+");
	if (tty == NULL || tcgetattr(fileno(tty), &old) < 0) {
		log_err("no terminal to ask for the passphrase; use --passphrase-file F");
		goto done;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	for (int round = 0; round < 1 + confirm; round++) {
		char *dst = round ? again : out;
		fputs(round ? "Passphrase again: " : "Passphrase: ", tty);
		fflush(tty);
		tcsetattr(fileno(tty), TCSAFLUSH, &noecho);
		char *got = fgets(dst, round ? (int)sizeof(again) : (int)outlen, tty);
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
		if (got == NULL)
			goto done;
		dst[strcspn(dst, "\r\n")] = '\0';
	}
	if (confirm && strcmp(out, again) != 0) {
		log_err("the passphrases differ");
		goto done;
	}
check:
	if (out[0] == '\0') {
		log_err("the passphrase is empty");
		goto done;
	}
	if (confirm && utf8_chars(out) < MIN_PASS_CHARS) {
		if (!weak_ok) {
			log_err("a passphrase of %zu characters is too weak for a backup that may be "
			    "seized: use at least %d characters (five or more random words are better), or "
			    "--weak-passphrase", utf8_chars(out), MIN_PASS_CHARS);
			goto done;
		}
		log_warn("a passphrase of %zu characters is weak for a backup that may be seized; "
		    "prefer five or more random words", utf8_chars(out));
	}
	rc = 0;
done:
	OPENSSL_cleanse(again, sizeof(again));
	if (tty)
		fclose(tty);
	return rc;
}

int
cmd_backup(int argc, char **argv, const char *data)
{
	const char *out = NULL, *passfile = NULL;
	char pass[PASS_MAX];
	datadir_t *d = NULL;
	int rc = 1, weak_ok = 0;

	if (cmd_wants_help(argc, argv, backup_usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc)
			passfile = argv[++i];
		else if (strcmp(argv[i], "--weak-passphrase") == 0)
			weak_ok = 1;
		else if (argv[i][0] != '-' && out == NULL)
			out = argv[i];
		else {
			fputs(backup_usage, stderr);
			return 2;
		}
	}
	if (out == NULL) {
		fputs(backup_usage, stderr);
		return 2;
	}
	umask(077);
	d = datadir_new(data);
	if (datadir_check(d) < 0)
		goto done;
	if (get_passphrase(passfile, 1, weak_ok, pass, sizeof(pass)) < 0)
		goto done;
	if (backup_write(d->root, out, pass, strlen(pass), BACKUP_LOG2_N) < 0)
		goto done;
	printf("backed up %s to %s (keys, onion identity, config, catalogue; not the collections' files)\n",
	    d->root, out);
	rc = 0;
done:
	OPENSSL_cleanse(pass, sizeof(pass));
	datadir_free(d);
	return rc;
}

/* ---------- restore ---------- */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static void
rm_tree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *move_from, *move_to;

/* nftw: rename each staged file to the same place below the target. */
static int
move_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char *dst, *slash;
	int rc = 0;

	if (flag != FTW_F)
		return 0;
	dst = xasprintf("%s%s", move_to, path + strlen(move_from));
	slash = strrchr(dst, '/');
	*slash = '\0';
	if (mkdir_p(dst, 0700) < 0)
		rc = -1;
	*slash = '/';
	if (rc == 0 && rename(path, dst) < 0)
		rc = -1;
	if (rc < 0)
		log_err("cannot move %s into place: %s", dst, strerror(errno));
	free(dst);
	return rc;
}

static int
has_identity(const datadir_t *d)
{
	char *a = datadir_path(d, "keys/publisher.key"), *b = datadir_path(d, "onion/public/hs_ed25519_secret_key");
	int r = access(a, F_OK) == 0 || access(b, F_OK) == 0;
	free(a);
	free(b);
	return r;
}

struct map {
	const char *from, *to;
};

/* Return root re-pointed by the first matching map (caller frees), or NULL. */
static char *
remap(const char *root, const struct map *m, int n)
{
	for (int i = 0; i < n; i++) {
		size_t l = strlen(m[i].from);
		while (l > 1 && m[i].from[l - 1] == '/')
			l--;
		if (strncmp(root, m[i].from, l) == 0 && (root[l] == '\0' || root[l] == '/'))
			return xasprintf("%s%s", m[i].to, root + l);
	}
	return NULL;
}

struct verify {
	cat_t *cat;
	int rootfd;
	int64_t ok, missing, differ;
	int reported;
	const char *slug;
};

static int
hash_fd(int fd, char hex[65], int64_t *size)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *buf = xmalloc(1 << 20), h[32];
	int64_t total = 0;
	ssize_t r;
	int rc = -1;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto done;
	while ((r = read(fd, buf, 1 << 20)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto done;
		EVP_DigestUpdate(md, buf, (size_t)r);
		total += r;
	}
	EVP_DigestFinal_ex(md, h, NULL);
	text_hex(hex, h, 32);
	*size = total;
	rc = 0;
done:
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

static void
report(struct verify *v, const char *what, const char *relpath)
{
	if (v->reported++ >= REPORT_MAX)
		return;
	fprintf(stderr, "  %s: %s: ", v->slug, what);
	text_term_print(stderr, relpath);
	fputc('\n', stderr);
}

static int
verify_file(const char *relpath, const cat_file_t *f, void *arg)
{
	struct verify *v = arg;
	struct stat st;
	char hex[65];
	int64_t size;
	int fd = v->rootfd >= 0 ? beneath_open(v->rootfd, relpath) : -1;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		v->missing++;
		report(v, "missing", relpath);
	} else if (st.st_size != f->size || hash_fd(fd, hex, &size) < 0 || size != f->size ||
	    strcmp(hex, f->sha256) != 0) {
		v->differ++;
		report(v, "differs from the manifest", relpath);
	} else {
		v->ok++;
		/* Same bytes; the copy may have new mtimes, which /f/ compares. */
		if (st.st_mtime != f->mtime && cat_file_set_mtime(v->cat, f->id, st.st_mtime) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	/* -1: the next refresh reads this file again whatever its mtime. */
	return cat_file_set_mtime(v->cat, f->id, -1) < 0 ? -1 : 0;
}

struct post {
	const char *data_root;
	cat_t *cat;
	const struct map *maps;
	int nmaps;
	sign_key_t *key;
	int held, failed;
};

static int
collect_ids(const cat_collection_t *col, void *arg)
{
	int64_t **ids = arg;
	size_t n = 0;
	while ((*ids)[n] != 0)
		n++;
	*ids = xrealloc(*ids, (n + 2) * sizeof(**ids));
	(*ids)[n] = col->id;
	(*ids)[n + 1] = 0;
	return 0;
}

/* Re-point, verify, hold or release, re-sign one collection. */
static int
check_collection(struct post *p, int64_t id)
{
	cat_collection_t col;
	struct verify v;
	char *root;
	int rc = -1;

	memset(&v, 0, sizeof(v));
	if (cat_collection_get_id(p->cat, id, &col) != 0)
		return -1;
	root = remap(col.root, p->maps, p->nmaps);
	if (root) {
		free(col.root);
		col.root = root;
		if (cat_collection_set_root(p->cat, id, root) < 0)
			goto done;
	}
	v.cat = p->cat;
	v.slug = col.slug;
	v.rootfd = open(col.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cat_begin(p->cat) < 0)
		goto done;
	if (cat_file_each(p->cat, id, verify_file, &v) != 0 || cat_collection_redate(p->cat, id) < 0) {
		cat_rollback(p->cat);
		goto done;
	}
	if (v.missing || v.differ) {
		char *why = xasprintf("restored: %lld files missing, %lld differ from the manifest",
		    (long long)v.missing, (long long)v.differ);
		rc = cat_collection_hold(p->cat, id, why);
		free(why);
		p->held++;
	} else {
		rc = cat_collection_hold(p->cat, id, NULL);
	}
	if (rc < 0 || cat_commit(p->cat) < 0) {
		cat_rollback(p->cat);
		rc = -1;
		goto done;
	}
	if (v.reported > REPORT_MAX)
		fprintf(stderr, "  %s: … and %d more\n", col.slug, v.reported - REPORT_MAX);
	printf("%s: %lld files verified, %lld missing, %lld differ — %s\n", col.slug, (long long)v.ok,
	    (long long)v.missing, (long long)v.differ, v.missing || v.differ ?
	    "HELD: not served until `broadside refresh` (see above)" : "served");
	/* Local collections are re-signed with the restored key; mirrors keep the
	 * origin's signed manifests, restored from the backup. */
	rc = 0;
	if (col.origin == NULL) {
		char **addrs = NULL;
		size_t naddrs = mirrors_site_addresses(p->data_root, &addrs);
		rc = manifest_write(p->data_root, p->cat, &col, p->key, (const char *const *)addrs, naddrs);
		mirrors_addresses_free(addrs, naddrs);
	}
done:
	if (v.rootfd >= 0)
		close(v.rootfd);
	cat_collection_clear(&col);
	return rc;
}

/* After the files are in place: collections re-pointed, checked, re-signed. */
static int
post_restore(const datadir_t *d, const char *old_root, struct map *maps, int nmaps)
{
	struct post p;
	int64_t *ids = xcalloc(1, sizeof(*ids));
	char *keyfile = datadir_path(d, "keys/publisher.key");
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.data_root = d->root;
	/* Mirrors lived below the old data directory: follow it. */
	if (old_root && nmaps < MAX_MAPS) {
		maps[nmaps].from = old_root;
		maps[nmaps++].to = d->root;
	}
	p.maps = maps;
	p.nmaps = nmaps;
	if ((p.key = sign_key_load(keyfile)) == NULL)
		goto done;
	if ((p.cat = cat_open(d->catalogue, CAT_READWRITE)) == NULL)
		goto done;
	if (cat_collection_each(p.cat, collect_ids, &ids) < 0)
		goto done;
	for (size_t i = 0; ids[i] != 0; i++)
		if (check_collection(&p, ids[i]) < 0)
			goto done;
	if (p.held)
		fprintf(stderr, "%d collection(s) held: put the right files in place (see --data-root), "
		    "then run `broadside refresh SLUG`\n", p.held);
	rc = 0;
done:
	cat_free(p.cat);
	sign_key_free(p.key);
	free(keyfile);
	free(ids);
	return rc;
}

/* The old data root, from the archive's meta file (then removed). */
static char *
read_meta(const char *dir)
{
	char *path = xasprintf("%s/meta", dir), *text, *root = NULL, *p;
	size_t n;

	text = read_file_small(path, 65536, &n);
	if (text && (p = strstr(text, "\ndata_root=")) != NULL) {
		p += 11;
		root = xstrndup(p, strcspn(p, "\n"));
	}
	unlink(path);
	free(text);
	free(path);
	return root;
}

int
cmd_restore(int argc, char **argv, const char *data)
{
	const char *in = NULL, *passfile = NULL;
	struct map maps[MAX_MAPS + 1];
	int nmaps = 0, force = 0, rc = 1, exists;
	char pass[PASS_MAX], err[512], addr[ONION_ADDRESS_LEN];
	char *staging = NULL, *old_root = NULL, *onion_dir = NULL, *parent = NULL;
	datadir_t *d = NULL;
	struct stat st;
	enum backup_result res;

	pass[0] = '\0';
	if (cmd_wants_help(argc, argv, restore_usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		char *eq;
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc)
			passfile = argv[++i];
		else if (strcmp(argv[i], "--data-root") == 0 && i + 1 < argc && nmaps < MAX_MAPS &&
		    (eq = strchr(argv[i + 1], '=')) != NULL && argv[i + 1][0] == '/' && eq[1] == '/') {
			*eq = '\0';
			maps[nmaps].from = argv[++i];
			maps[nmaps++].to = eq + 1;
		} else if (argv[i][0] != '-' && in == NULL)
			in = argv[i];
		else {
			fputs(restore_usage, stderr);
			return 2;
		}
	}
	if (in == NULL) {
		fputs(restore_usage, stderr);
		return 2;
	}
	umask(077);
	d = datadir_new(data);
	exists = stat(d->root, &st) == 0;
	if (exists && has_identity(d) && !force) {
		log_err("%s already holds an identity (publisher or onion key); restore into a new "
		    "--data directory, or add --force to replace it", d->root);
		goto done;
	}
	if (access(in, R_OK) < 0) {
		log_err("cannot read %s: %s", in, strerror(errno));
		goto done;
	}
	if (get_passphrase(passfile, 0, 0, pass, sizeof(pass)) < 0)
		goto done;
	/* Stage next to the target (same file system, so renames are atomic). */
	if (exists) {
		staging = xasprintf("%s/.restore.%ld", d->root, (long)getpid());
	} else {
		parent = xstrdup(d->root);
		char *slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = '\0';
			if (mkdir_p(parent, 0700) < 0) {
				log_err("cannot create %s: %s", parent, strerror(errno));
				goto done;
			}
		}
		staging = xasprintf("%s.restore.%ld", d->root, (long)getpid());
	}
	rm_tree(staging);
	res = backup_read(in, pass, strlen(pass), staging, err, sizeof(err));
	OPENSSL_cleanse(pass, sizeof(pass));
	if (res != BACKUP_OK) {
		rm_tree(staging);
		log_err("%s: %s; nothing was restored", in, err);
		goto done;
	}
	old_root = read_meta(staging);
	if (!exists) {
		if (rename(staging, d->root) < 0) {
			log_err("cannot rename %s to %s: %s", staging, d->root, strerror(errno));
			rm_tree(staging);
			goto done;
		}
	} else {
		/* A stale WAL beside a replaced database would corrupt it. */
		char *wal = datadir_path(d, "catalogue.db-wal"), *shm = datadir_path(d, "catalogue.db-shm");
		unlink(wal);
		unlink(shm);
		free(wal);
		free(shm);
		move_from = staging;
		move_to = d->root;
		int mv = nftw(staging, move_one, 16, FTW_PHYS);
		rm_tree(staging);
		if (mv != 0)
			goto done;
	}
	if (datadir_create(d) < 0 || datadir_check(d) < 0)
		goto done;
	onion_dir = datadir_path(d, "onion/public");
	if (onion_address(onion_dir, addr) == 0)
		printf("restored the identity of %s into %s\n", addr, d->root);
	else
		printf("restored into %s (no onion key in the backup)\n", d->root);
	fflush(stdout);
	if (post_restore(d, old_root, maps, nmaps) < 0)
		goto done;
	rc = 0;
done:
	OPENSSL_cleanse(pass, sizeof(pass));
	free(staging);
	free(parent);
	free(old_root);
	free(onion_dir);
	datadir_free(d);
	return rc;
}
