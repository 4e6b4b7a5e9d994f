/* test_torrent: the bencode writer, and the torrent of a small catalogue
 * (one file of exactly one piece, an empty one, one in a folder over several
 * pieces) against info-hashes computed by an independent Python model of BEP
 * 52 + BEP 47 (hashlib, libtorrent's bencode), with 16 KiB and 32 KiB pieces
 * (the latter pads a piece layer with a zero piece; tests/unit/torrent_model.py
 * computes them); the same rows give the
 * same bytes; a file changed since it was catalogued is refused. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "catalogue/cat.h"
#include "trust/bencode.h"
#include "trust/torrent.h"
#include "unit.h"

static void
t_bencode(void)
{
	strbuf_t b;

	strbuf_init(&b);
	bencode_dict(&b);
	bencode_str(&b, "a");
	bencode_int(&b, -5);
	bencode_str(&b, "b");
	bencode_list(&b);
	bencode_bytes(&b, "x\0y", 3);
	bencode_str(&b, "");
	bencode_end(&b);
	bencode_end(&b);
	ok(b.len == 21 && memcmp(b.s, "d1:ai-5e1:bl3:x\0y0:ee", 21) == 0, "bencode: dict, int, list, bytes with NUL");
	strbuf_release(&b);
}

static void
write_content(const char *path, size_t n, unsigned k)
{
	FILE *f = fopen(path, "wb");

	for (size_t i = 0; i < n; i++)
		fputc((int)((i * k + 7) % 251), f);
	fclose(f);
}

static void
put(cat_t *c, int64_t cid, int64_t dir, const char *root, const char *rel)
{
	static const unsigned char sha[32];
	char *p = xasprintf("%s/%s", root, rel);
	struct stat st;
	const char *name = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	int64_t id;

	stat(p, &st);
	cat_file_put_t fp = { .collection_id = cid, .dir_id = dir, .relpath = rel, .name = name, .size = st.st_size,
	    .mtime = st.st_mtime, .sha256 = sha, .mime = "application/octet-stream", .body = "", .body_len = 0 };
	ok(cat_file_put(c, &fp, &id) == 0, "put %s", rel);
	free(p);
}

/* Make the torrent of collection demo with pieces of plen, x/a of alen bytes. */
static void
one_case(int64_t plen, size_t alen, const char *btih, const char *btmh)
{
	char dir[] = "/tmp/test_torrent.XXXXXX";
	char *db, *root, *p;
	cat_t *c;
	cat_collection_t col;
	int64_t cid = 0, top = 0, x = 0;
	torrent_stats_t st;
	torrent_ids_t ids;
	uint8_t digest[TORRENT_DIGEST_LEN];
	strbuf_t t1, t2;
	char err[256];

	ok(mkdtemp(dir) != NULL, "mkdtemp");
	root = xasprintf("%s/files", dir);
	p = xasprintf("%s/x", root);
	mkdir_p(p, 0700);
	free(p);
	p = xasprintf("%s/b", root);
	write_content(p, 16384, 3);
	free(p);
	p = xasprintf("%s/c", root);
	write_content(p, 0, 1);
	free(p);
	p = xasprintf("%s/x/a", root);
	write_content(p, alen, 5);
	db = xasprintf("%s/catalogue.db", dir);
	c = cat_open(db, CAT_CREATE);
	ok(c != NULL, "catalogue");
	ok(cat_collection_upsert(c, "demo", "Demo", NULL, root, &cid) == 0, "collection");
	ok(cat_begin(c) == 0, "begin");
	ok(cat_dir_ensure(c, cid, 0, "", "", 0, &top) == 0 && cat_dir_ensure(c, cid, top, "x", "x", 1, &x) == 0, "folders");
	put(c, cid, top, root, "b");
	put(c, cid, top, root, "c");
	put(c, cid, x, root, "x/a");
	ok(cat_commit(c) == 0, "commit");
	ok(cat_collection_get(c, "demo", &col) == 0, "get");
	ok(torrent_hash(dir, c, &col, plen, &st, err, sizeof(err)) == 0, "hashed (%s)", err);
	is_int(st.files, 3, "three files");
	ok(torrent_catalogue_digest(c, cid, digest) == 0, "digest");
	ok(torrent_state_current(dir, "demo", digest, plen) == 1, "the kept hashes match the rows");
	strbuf_init(&t1);
	strbuf_init(&t2);
	ok(torrent_build(dir, "demo", digest, "1-0", NULL, 0, &t1, &ids) == 1, "built");
	is_str(ids.btih, btih, "v1 info-hash as the model's (%lld-byte pieces)", (long long)plen);
	is_str(ids.btmh, btmh, "v2 info-hash as the model's (%lld-byte pieces)", (long long)plen);
	ok(strstr(t1.s, "7:comment") && strstr(t1.s, "version 1-0") && !strstr(t1.s, "creation date") &&
	    !strstr(t1.s, "announce") && !strstr(t1.s, "url-list"), "comment, no date, tracker or web seed");
	ok(torrent_hash(dir, c, &col, plen, &st, err, sizeof(err)) == 0, "hashed again");
	ok(torrent_build(dir, "demo", digest, "2-0", NULL, 0, &t2, &ids) == 1 && t1.len == t2.len &&
	    memcmp(t1.s, t2.s, t1.len) == 0, "the same rows: the same bytes (and the first version kept)");
	digest[0] ^= 1;
	strbuf_reset(&t2);
	ok(torrent_build(dir, "demo", digest, "3-0", NULL, 0, &t2, &ids) == 0 && t2.len == 0,
	    "other rows: no torrent");
	{
		/* Changed without a refresh: the read refuses it. */
		struct timespec ts[2] = { { 0, UTIME_OMIT }, { 12345, 0 } };
		utimensat(AT_FDCWD, p, ts, 0);
		ok(torrent_hash(dir, c, &col, plen, &st, err, sizeof(err)) < 0 && strstr(err, "changed"),
		    "a changed file is refused: %s", err);
	}
	strbuf_release(&t1);
	strbuf_release(&t2);
	cat_collection_clear(&col);
	cat_free(c);
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			ok(0, "cleanup");
		free(cmd);
	}
	free(p);
	free(db);
	free(root);
}

static void
t_piece_16k(void)
{
	one_case(16384, 40000, "f37d78b6966c20b99edda3bc3306e87b20586e57",
	    "d083b687e1d1b3c6bb44ef2bd9624cad4bb8578783f828e2d7e432720e3ace55");
}

static void
t_piece_32k(void)
{
	one_case(32768, 70000, "e9e04ab4c20edb28a007b7ccff7190e6fd3dc68d",
	    "76185fa2435c29585bcff1cb1ee6786c200720fe843bb78242984387538d944c");
}

static const unit_case_t cases[] = {
	UNIT_CASE(t_bencode),
	UNIT_CASE(t_piece_16k),
	UNIT_CASE(t_piece_32k),
	UNIT_CASES_END,
};

int
main(int argc, char **argv)
{
	return unit_main(cases, argc, argv);
}
