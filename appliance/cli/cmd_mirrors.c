/* cmd_mirrors: `broadside mirrors add ADDR [--note TEXT] | rm ADDR | ls` — the
 * publisher's list of the onion addresses that serve their collections
 * (mirrors.h). Every change rewrites DIR/mirrors.txt and publishes the signed
 * copy at /m/mirrors.txt; this site's own address leads the signed list with
 * the note "origin", so a reader on a mirror learns it too and comes back
 * when it does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/datadir.h"
#include "base/log.h"
#include "base/text.h"
#include "base/util.h"
#include "cli/cmd.h"
#include "onion/onion.h"
#include "catalogue/cat.h"
#include "trust/manifest.h"
#include "trust/mirrors.h"
#include "trust/sign.h"

static const char mirrors_usage[] =
    "usage: broadside [--data DIR] mirrors add ADDRESS [--note TEXT]\n"
    "       broadside [--data DIR] mirrors rm ADDRESS\n"
    "       broadside [--data DIR] mirrors ls\n\n"
    "Keep the list of the onion addresses that serve your collections: a mirror's\n"
    "operator sends you their address (see `broadside mirror`) and you add it. The\n"
    "list is signed with the publisher key and published at /m/mirrors.txt; every\n"
    "page here and on every mirror says \"This collection is also at: ...\", so\n"
    "readers find the other addresses when one is taken down. This site's own\n"
    "address is always in the signed list (first, note \"origin\"). ADDRESS is a v3\n"
    "onion address (56 characters, with or without .onion); TEXT is plain text.\n";

/* This site's address, or "" when there is no onion key yet. */
static void
own_address(const datadir_t *d, char out[ONION_ADDRESS_LEN])
{
	char *dir = datadir_path(d, "onion/public");
	char *key = xasprintf("%s/hs_ed25519_public_key", dir);

	out[0] = '\0';
	if (access(key, F_OK) == 0 && onion_address(dir, out) < 0)
		out[0] = '\0';
	free(key);
	free(dir);
}

static int
remanifest_one(const cat_collection_t *col, void *arg)
{
	void **a = arg;
	char **addrs = NULL;
	size_t naddrs;

	/* A collection mirrored from elsewhere keeps its origin's signed files. */
	if (col->origin != NULL)
		return 0;
	naddrs = mirrors_site_addresses(a[0], &addrs);
	if (manifest_update(a[0], a[1], col, (const char *const *)addrs, naddrs) < 0)
		*(int *)a[2] = -1;
	mirrors_addresses_free(addrs, naddrs);
	return 0;
}

/* The metalinks list every address of the list: sign them anew. */
static int
remanifest(const datadir_t *d)
{
	cat_t *c = cat_open(d->catalogue, CAT_READWRITE);
	int rc = 0;
	void *a[3] = { (void *)d->root, c, &rc };

	if (c == NULL)
		return -1;
	if (cat_collection_each(c, remanifest_one, a) < 0)
		rc = -1;
	cat_free(c);
	return rc;
}

static int
publish(const datadir_t *d, const mirrors_list_t *l, const char *own)
{
	char *keyfile = datadir_path(d, "keys/publisher.key");
	sign_key_t *k = sign_key_load(keyfile);
	int rc = k ? mirrors_publish(d->root, l, own[0] ? own : NULL, k) : -1;

	sign_key_free(k);
	free(keyfile);
	return rc;
}

int
cmd_mirrors(int argc, char **argv, const char *data)
{
	datadir_t *d = NULL;
	mirrors_list_t l;
	char addr[ONION_ADDRESS_LEN], own[ONION_ADDRESS_LEN];
	const char *note = "", *verb;
	char *path = NULL;
	int rc = 1, r, lock_fd = -1;

	memset(&l, 0, sizeof(l));
	if (cmd_wants_help(argc, argv, mirrors_usage))
		return 0;
	if (argc < 2)
		goto usage;
	verb = argv[1];
	if (strcmp(verb, "ls") == 0) {
		if (argc != 2)
			goto usage;
	} else if (strcmp(verb, "rm") == 0) {
		if (argc != 3)
			goto usage;
	} else if (strcmp(verb, "add") == 0) {
		if (argc == 5 && strcmp(argv[3], "--note") == 0)
			note = argv[4];
		else if (argc != 3)
			goto usage;
	} else {
		goto usage;
	}
	if (argc >= 3 && onion_address_parse(argv[2], addr) < 0) {
		log_err("%s is not a v3 onion address (56 characters and .onion)", argv[2]);
		return 2;
	}
	if (!mirrors_note_valid(note)) {
		log_err("--note is plain text of at most %d bytes, on one line", MIRRORS_NOTE_MAX);
		return 2;
	}
	d = datadir_new(data);
	if (datadir_check(d) < 0)
		goto done;
	/* Two changes at once must not lose one: each reads, edits and writes
	 * the list holding a lock on the data directory. */
	if ((lock_fd = open(d->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || flock(lock_fd, LOCK_EX) < 0) {
		log_err("cannot lock %s: %s", d->root, strerror(errno));
		goto done;
	}
	own_address(d, own);
	path = datadir_path(d, "mirrors.txt");
	if (mirrors_load(path, &l) < 0) {
		log_err("%s is not a list of onion addresses; fix or remove it", path);
		goto done;
	}
	if (strcmp(verb, "ls") == 0) {
		if (own[0])
			printf("%s  (this site, listed first as \"origin\")\n", own);
		for (size_t i = 0; i < l.n; i++) {
			printf("%s", l.e[i].addr);
			if (l.e[i].note[0]) {
				fputs("  ", stdout);
				text_term_print(stdout, l.e[i].note);
			}
			putchar('\n');
		}
		rc = 0;
		goto done;
	}
	if (strcmp(verb, "add") == 0) {
		if (own[0] && strcmp(addr, own) == 0) {
			log_err("%s is this site's own address; it is always in the list", addr);
			rc = 2;
			goto done;
		}
		if (mirrors_add(&l, addr, note) < 0) {
			log_err("the list is full (%d addresses)", MIRRORS_MAX);
			goto done;
		}
	} else if ((r = mirrors_rm(&l, addr)) == 0) {
		log_err("%s is not in the list", addr);
		goto done;
	}
	{
		strbuf_t b;
		strbuf_init(&b);
		mirrors_format(&l, &b);
		r = write_file_atomic(path, b.s, b.len, 0644);
		strbuf_release(&b);
		if (r < 0) {
			log_err("cannot write %s: %s", path, strerror(errno));
			goto done;
		}
	}
	if (publish(d, &l, own) < 0)
		goto done;
	if (remanifest(d) < 0)
		log_warn("the collections' metalinks could not all be signed anew; `broadside refresh` does it");
	printf("%s %s; the signed list at /m/mirrors.txt names %zu address%s\n", addr,
	    strcmp(verb, "add") == 0 ? "added" : "removed", l.n + (own[0] != 0),
	    l.n + (own[0] != 0) == 1 ? "" : "es");
	rc = 0;
	goto done;
usage:
	fputs(mirrors_usage, stderr);
	return 2;
done:
	if (lock_fd >= 0)
		close(lock_fd);
	mirrors_clear(&l);
	free(path);
	datadir_free(d);
	return rc;
}
