/* cmd_torrent: `torrent` — a collection's hybrid BitTorrent file (trust/torrent.h),
 * published with its manifests for others to seed; broadside never seeds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/datadir.h"
#include "base/log.h"
#include "base/text.h"
#include "base/util.h"
#include "catalogue/cat.h"
#include "cli/cmd.h"
#include "trust/torrent.h"

static const char torrent_usage[] =
    "usage: broadside [--data DIR] torrent SLUG [--piece-size BYTES] [--rehash]\n\n"
    "Make collection SLUG's BitTorrent file, v1 and v2 in one (BEP 52): every\n"
    "published file is read once, then the manifests are signed again and list it;\n"
    "readers get it at /m/SLUG/collection.torrent. Its web seeds are this onion's\n"
    "/f/ (and every address of `broadside mirrors`) and the torrent_web_seeds of the\n"
    "config; trackers only those of torrent_trackers. Broadside never seeds it\n"
    "itself: peers would see this machine's IP address. Give it to people who seed.\n"
    "Every later add/refresh keeps it while the files are the same; when they\n"
    "change it is left out until this command runs again (or set\n"
    "torrent_after_ingest = yes). Without --rehash, hashes that still match the\n"
    "catalogue are not computed again. --piece-size: a power of two from 16384 to\n"
    "67108864 (default: chosen from the sizes). A collection whose .torrent would\n"
    "pass torrent_max_bytes (clients refuse large ones) gets none: readers use\n"
    "its metalink and folder archives.\n";

int
cmd_torrent_make(const char *data, cat_t *c, const cat_collection_t *col, int64_t piece_len, int rehash)
{
	uint8_t digest[TORRENT_DIGEST_LEN];
	torrent_stats_t st;
	char err[768];
	int r;

	if (!rehash && torrent_catalogue_digest(c, col->id, digest) == 0 &&
	    torrent_state_current(data, col->slug, digest, piece_len)) {
		printf("%s: the torrent's hashes still match the catalogue\n", col->slug);
		return 0;
	}
	if ((r = torrent_hash(data, c, col, piece_len, &st, err, sizeof(err))) < 0) {
		fputs("broadside: ", stderr);
		text_term_print(stderr, err);
		fputc('\n', stderr);
		/* Too large for clients: no older torrent of it stays either. */
		if (r == -2)
			torrent_forget(data, col->slug);
		return r;
	}
	printf("%s: %lld files, %lld bytes, %lld pieces of %lld bytes, hashed in %.2f s (%.0f MB/s)\n",
	    col->slug, (long long)st.files, (long long)st.bytes, (long long)st.pieces, (long long)st.piece_len,
	    (double)st.ms / 1000.0, st.ms > 0 ? (double)st.bytes / 1000.0 / (double)st.ms : 0.0);
	return 0;
}

int
cmd_torrent(int argc, char **argv, const char *data)
{
	datadir_t *d = NULL;
	cat_collection_t col = { 0 };
	cat_t *c = NULL;
	const char *slug = NULL;
	int64_t piece_len = 0;
	int rc = 1, lock = -1, rehash = 0, found, held, made;
	char *why = NULL;

	if (cmd_wants_help(argc, argv, torrent_usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--piece-size") == 0 && i + 1 < argc) {
			if (parse_int64(argv[++i], TORRENT_MIN_PIECE, TORRENT_MAX_PIECE, &piece_len) < 0 ||
			    (piece_len & (piece_len - 1))) {
				fputs("broadside: --piece-size: a power of two from 16384 to 67108864\n", stderr);
				return 2;
			}
		} else if (strcmp(argv[i], "--rehash") == 0) {
			rehash = 1;
		} else if (argv[i][0] != '-' && slug == NULL) {
			slug = argv[i];
		} else {
			fputs(torrent_usage, stderr);
			return 2;
		}
	}
	if (slug == NULL) {
		fputs(torrent_usage, stderr);
		return 2;
	}
	d = datadir_new(data);
	if (access(d->catalogue, F_OK) < 0) {
		log_err("no catalogue at %s (run `broadside --data %s init` first)", d->catalogue, d->root);
		goto done;
	}
	/* The files must not change under the read: no ingest or withholding meanwhile. */
	if ((lock = cmd_lock_data(data)) < 0 || (c = cat_open(d->catalogue, CAT_READWRITE)) == NULL)
		goto done;
	if ((found = cat_collection_get(c, slug, &col)) != 0) {
		if (found == 1)
			log_err("no collection '%s' (see `broadside ls`)", slug);
		goto done;
	}
	if (col.origin != NULL) {
		log_err("%s is a mirror: it serves its origin's signed files only", col.slug);
		goto done;
	}
	if ((held = cat_collection_held(c, col.id, &why)) != 0) {
		/* Restored onto files not checked yet: hashing them would vouch for them. */
		if (held > 0)
			log_err("%s is held until `broadside refresh %s` has checked its files", col.slug, col.slug);
		free(why);
		goto done;
	}
	if ((made = cmd_torrent_make(data, c, &col, piece_len, rehash)) == -2) {
		/* Refused: the manifests are signed again without a torrent. */
		(void)cmd_sign_manifests(data, c, &col);
		goto done;
	}
	if (made < 0 || cmd_sign_manifests(data, c, &col) < 0)
		goto done;
	printf("published at /m/%s/collection.torrent (listed in the signed index.json)\n", col.slug);
	rc = 0;
done:
	if (lock >= 0)
		close(lock);
	cat_collection_clear(&col);
	cat_free(c);
	datadir_free(d);
	return rc;
}
