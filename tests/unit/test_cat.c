/* test_cat: the catalogue API against a real SQLite file in a temp dir. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cat.h"
#include "unit.h"
#include "util.h"

struct listing {
	char names[16][64];
	int is_dir[16];
	int64_t files[16];
	int n;
};

static int
collect(const cat_entry_t *e, void *arg)
{
	struct listing *l = arg;
	if (l->n < 16) {
		snprintf(l->names[l->n], sizeof(l->names[0]), "%s", e->name);
		l->is_dir[l->n] = e->is_dir;
		l->files[l->n] = e->files;
		l->n++;
	}
	return 0;
}

static int
count_files(const char *relpath, const cat_file_t *f, void *arg)
{
	strbuf_t *b = arg;
	strbuf_adds(b, relpath);
	strbuf_addc(b, ';');
	return 0;
}

static int
keep_even(int64_t id, void *arg)
{
	(void)arg;
	return id % 2 == 0;
}

static int
keep_all(int64_t id, void *arg)
{
	return 1;
}

static int64_t
put(cat_t *c, int64_t cid, int64_t dir, const char *path, const char *name, int64_t size, int64_t mtime,
    const char *body)
{
	unsigned char sha[32];
	cat_file_put_t p = { .collection_id = cid, .dir_id = dir, .relpath = path, .name = name, .size = size,
	    .mtime = mtime, .sha256 = sha, .mime = "text/plain", .body = body, .body_len = body ? strlen(body) : 0 };
	int64_t id = 0;

	memset(sha, (int)size, sizeof(sha));
	ok(cat_file_put(c, &p, &id) == 0, "put %s", path);
	return id;
}

int
main(void)
{
	static const struct { const char *slug; int valid; } slugs[] = {
		{ "a", 1 }, { "springfield-pd", 1 }, { "0day", 1 }, { "", 0 }, { "-x", 0 }, { "A", 0 },
		{ "a_b", 0 }, { "a/b", 0 }, { "a b", 0 }, { "ab-", 1 },
		{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123", 1 },
		{ "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234", 0 },
	};
	char dir[] = "/tmp/test_cat.XXXXXX", *path;
	cat_t *c, *ro;
	cat_collection_t col;
	cat_file_t f;
	struct listing l;
	int64_t cid, root, sub, id1, id2, entries, removed;
	int exists;
	strbuf_t b;

	for (size_t i = 0; i < ARRAY_LEN(slugs); i++)
		ok(cat_slug_valid(slugs[i].slug) == slugs[i].valid, "slug '%s'", slugs[i].slug);

	ok(mkdtemp(dir) != NULL, "mkdtemp");
	path = xasprintf("%s/catalogue.db", dir);
	ok(cat_open(path, CAT_READONLY) == NULL, "read-only open of a missing catalogue fails");
	c = cat_open(path, CAT_CREATE);
	ok(c != NULL, "create");
	cat_free(c);
	c = cat_open(path, CAT_READWRITE);   /* reopen: migration is a no-op */
	ok(c != NULL, "reopen");
	ro = cat_open(path, CAT_READONLY);
	ok(ro != NULL, "read-only open");

	ok(cat_collection_upsert(c, "leak", "The Leak", NULL, "/srv/leak", &cid) == 0, "create collection");
	is_int(cat_collection_get(c, "leak", &col), 0, "get collection");
	is_str(col.title, "The Leak");
	is_str(col.root, "/srv/leak");
	is_str(col.description, "");
	ok(col.origin == NULL && col.publisher_key == NULL, "not a mirror");
	cat_collection_clear(&col);
	is_int(cat_collection_get(c, "nope", &col), 1, "missing collection");

	ok(cat_begin(c) == 0, "begin");
	ok(cat_dir_ensure(c, cid, 0, "", "", 0, &root) == 0, "root dir");
	ok(cat_dir_ensure(c, cid, root, "sub", "sub", 1, &sub) == 0, "sub dir");
	ok(cat_dir_ensure(c, cid, root, "sub", "sub", 1, &id1) == 0 && id1 == sub, "dir ensure is idempotent");
	id1 = put(c, cid, root, "b.txt", "b.txt", 10, 100, "alpha words");
	id2 = put(c, cid, root, "a \"q\".txt", "a \"q\".txt", 30, 50, NULL);
	put(c, cid, sub, "sub/c.txt", "c.txt", 20, 300, "gamma");
	put(c, cid, root, "z\nnl", "z\nnl", 5, 10, NULL);
	ok(cat_commit(c) == 0, "commit");

	/* WAL: the reader that was open all along sees the commit. */
	is_int(cat_file_get(ro, cid, "sub/c.txt", &f), 0, "read-only connection sees new file");
	is_int(f.size, 20);
	is_str(f.sha256, "1414141414141414141414141414141414141414141414141414141414141414");
	is_str(f.mime, "text/plain");
	is_int(cat_file_get(ro, cid, "a \"q\".txt", &f), 0, "quoted name");
	is_int(f.id, id2);
	is_int(cat_file_get(ro, cid, "/sub/c.txt", &f), 1, "leading slash is not found");
	is_int(cat_file_get(ro, cid, "nope", &f), 1, "missing file");
	is_int(cat_file_get(ro, cid + 1, "b.txt", &f), 1, "other collection");

	ok(cat_collection_finish(c, cid, keep_all, keep_all, NULL, &removed) == 0, "finish");
	is_int(removed, 0, "nothing removed");
	is_int(cat_collection_get(ro, "leak", &col), 0, "get");
	is_int(col.files, 4, "collection file count");
	is_int(col.bytes, 65, "collection bytes");
	cat_collection_clear(&col);

	ok(cat_dir_stat(ro, cid, "", &entries, &exists) == 0 && exists && entries == 4, "root has 4 entries");
	ok(cat_dir_stat(ro, cid, "nope", &entries, &exists) == 0 && !exists, "missing folder");
	memset(&l, 0, sizeof(l));
	is_int(cat_dir_list(ro, cid, "", CAT_SORT_NAME, 0, 0, 10, collect, &l), 0, "list root");
	is_int(l.n, 4);
	is_str(l.names[0], "sub", "folders first");
	ok(l.is_dir[0] && l.files[0] == 1, "folder with its file count");
	is_str(l.names[1], "a \"q\".txt");
	is_str(l.names[3], "z\nnl");
	memset(&l, 0, sizeof(l));
	cat_dir_list(ro, cid, "", CAT_SORT_SIZE, 1, 1, 2, collect, &l);
	is_int(l.n, 2, "offset 1 limit 2");
	is_str(l.names[0], "a \"q\".txt", "biggest file first");
	is_str(l.names[1], "b.txt");
	memset(&l, 0, sizeof(l));
	cat_dir_list(ro, cid, "", CAT_SORT_MTIME, 0, 3, 10, collect, &l);
	is_int(l.n, 1, "past the folders");
	is_str(l.names[0], "b.txt", "newest last");
	is_int(cat_dir_list(ro, cid, "missing", 0, 0, 0, 10, collect, &l), 1, "list missing folder");

	strbuf_init(&b);
	ok(cat_file_each(ro, cid, count_files, &b) == 0, "file each");
	is_str(b.s, "a \"q\".txt;b.txt;sub/c.txt;z\nnl;", "path order");
	strbuf_release(&b);

	/* Update an existing file: the index follows. */
	ok(cat_begin(c) == 0, "begin");
	{
		unsigned char sha[32] = { 0 };
		cat_file_put_t p = { .collection_id = cid, .dir_id = root, .existing_id = id1, .relpath = "b.txt",
		    .name = "b.txt", .size = 11, .mtime = 101, .sha256 = sha, .mime = "text/csv", .body = "beta" };
		p.body_len = 4;
		ok(cat_file_put(c, &p, &id2) == 0 && id2 == id1, "update keeps the id");
	}
	ok(cat_commit(c) == 0, "commit");
	ok(cat_check(c) == 0, "integrity and fts integrity after update");

	ok(cat_collection_finish(c, cid, keep_even, keep_all, NULL, &removed) == 0, "finish with removals");
	ok(removed == 2, "odd ids removed (%lld)", (long long)removed);
	ok(cat_check(c) == 0, "integrity after removals");

	ok(cat_collection_delete(c, cid) == 0, "delete collection");
	is_int(cat_collection_get(ro, "leak", &col), 1, "gone");
	ok(cat_check(c) == 0, "integrity after delete");

	cat_free(ro);
	cat_free(c);
	unlink(path);
	free(path);
	path = xasprintf("rm -rf '%s'", dir);
	(void)!system(path);
	free(path);
	return unit_done();
}
