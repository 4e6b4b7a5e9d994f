/* test_cat: the catalogue API against a real SQLite file in a temp dir. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue/cat.h"
#include "unit.h"
#include "unit_sql.h"
#include "base/util.h"

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

/* --- deep folder pages: every page of every order, against a model --- */

struct model_entry {
	char name[32];
	int is_dir;
	int64_t size, mtime, id;
	int live;
};

#define MODEL_MAX 400
static struct model_entry model[MODEL_MAX];
static int model_n, model_sort, model_desc;

static int
model_cmp(const void *a, const void *b)
{
	const struct model_entry *x = a, *y = b;
	int r = 0;

	if (x->is_dir != y->is_dir)
		return y->is_dir - x->is_dir;          /* folders first, whatever the order */
	if (model_sort == CAT_SORT_SIZE)
		r = (x->size > y->size) - (x->size < y->size);
	else if (model_sort == CAT_SORT_MTIME)
		r = (x->mtime > y->mtime) - (x->mtime < y->mtime);
	if (r == 0)
		r = strcmp(x->name, y->name);
	return model_desc ? -r : r;
}

struct pages {
	char (*names)[32];
	int n, cap;
};

static int
collect_page(const cat_entry_t *e, void *arg)
{
	struct pages *p = arg;
	if (p->n < p->cap)
		snprintf(p->names[p->n], sizeof(p->names[0]), "%s", e->name);
	p->n++;
	return 0;
}

/* Page through folder "big" in every order with `per` entries a page and check
 * the concatenation is exactly the model's order: no gap, no duplicate. */
static void
check_all_pages(cat_t *c, int64_t cid, int per, const char *when)
{
	static struct model_entry want[MODEL_MAX];
	static char got[MODEL_MAX + 64][32];
	int64_t entries = 0;
	int exists = 0, nwant = 0;

	for (int i = 0; i < model_n; i++)
		if (model[i].live)
			want[nwant++] = model[i];
	ok(cat_dir_stat(c, cid, "big", &entries, &exists) == 0 && exists, "%s: stat", when);
	is_int(entries, nwant, "%s: entry count", when);
	for (int sort = CAT_SORT_NAME; sort <= CAT_SORT_MTIME; sort++) {
		for (int desc = 0; desc < 2; desc++) {
			struct pages p = { got, 0, MODEL_MAX + 64 };
			int bad = 0, short_page = 0;
			model_sort = sort;
			model_desc = desc;
			qsort(want, (size_t)nwant, sizeof(want[0]), model_cmp);
			for (int64_t off = 0; off < nwant + per; off += per) {
				int before = p.n;
				if (cat_dir_list(c, cid, "big", sort, desc, off, per, collect_page, &p) != 0)
					bad = 1;
				if (p.n - before != (nwant - off >= per ? per : nwant - off > 0 ? nwant - off : 0))
					short_page = 1;
			}
			is_int(p.n, nwant, "%s: sort %d desc %d: every entry once", when, sort, desc);
			ok(!bad && !short_page, "%s: sort %d desc %d: full pages", when, sort, desc);
			for (int i = 0; i < nwant && i < p.n; i++) {
				if (strcmp(got[i], want[i].name) != 0) {
					ok(0, "%s: sort %d desc %d: entry %d is %s, expected %s", when, sort, desc, i,
					    got[i], want[i].name);
					break;
				}
			}
		}
	}
}

static int
keep_live(int64_t id, void *arg)
{
	for (int i = 0; i < model_n; i++)
		if (!model[i].is_dir && model[i].id == id)
			return model[i].live;
	return 1;
}

static void
model_put(cat_t *c, int64_t cid, int64_t dir, int i)
{
	char path[64];

	snprintf(path, sizeof(path), "big/%s", model[i].name);
	model[i].id = put(c, cid, dir, path, model[i].name, model[i].size, model[i].mtime, NULL);
}

/* The folder filter, stretch by stretch (5 matches or 40 names a request):
 * together exactly the model's names containing text (ASCII case folded),
 * folders first, in name order, each once. */
static void
check_filter(cat_t *c, int64_t cid, const char *text)
{
	static char got[MODEL_MAX + 64][32];
	static struct model_entry want[MODEL_MAX];
	struct pages p = { got, 0, MODEL_MAX + 64 };
	char *from = NULL, *next = NULL;
	int nwant = 0, bad = 0, calls = 0, over = 0;
	int64_t looked;

	for (int i = 0; i < model_n; i++)
		if (model[i].live && strcasestr(model[i].name, text))
			want[nwant++] = model[i];
	model_sort = CAT_SORT_NAME;
	model_desc = 0;
	qsort(want, (size_t)nwant, sizeof(want[0]), model_cmp);
	do {
		int before = p.n;
		if (cat_dir_filter(c, cid, "big", text, from, 5, 40, collect_page, &p, &next, &looked) != 0)
			bad++;
		if (looked > 40 || p.n - before > 5)
			over++;
		free(from);
		from = next;
	} while (from && ++calls < 1000);
	is_int(p.n, nwant, "filter '%s': every match once", text);
	for (int i = 0; i < nwant && i < p.n; i++)
		bad += strcmp(got[i], want[i].name) != 0;
	is_int(bad, 0, "filter '%s': in the listing's order", text);
	is_int(over, 0, "filter '%s': each request within its bounds", text);
	is_int(cat_dir_filter(c, cid, "nope", text, NULL, 5, 40, collect_page, &p, &next, &looked), 1,
	    "filter: a missing folder");
}

static void
test_deep_pages(const char *tmp)
{
	char *path = xasprintf("%s/pages.db", tmp);
	cat_t *c = cat_open(path, CAT_CREATE), *ro = cat_open(path, CAT_READONLY);
	int64_t cid = 0, root = 0, big = 0, sub, removed = 0;
	unsigned r = 7;

	ok(c && ro, "open pages catalogue");
	ok(cat_collection_upsert(c, "pages", "Pages", NULL, "/srv/pages", &cid) == 0, "collection");
	ok(cat_begin(c) == 0, "begin");
	ok(cat_dir_ensure(c, cid, 0, "", "", 0, &root) == 0, "root");
	ok(cat_dir_ensure(c, cid, root, "big", "big", 1, &big) == 0, "big");
	/* 7 subfolders with one file each, 290 files; sizes and dates repeat (ties
	 * are broken by name), names are inserted out of order. */
	for (int i = 0; i < 7; i++) {
		char dpath[32], fpath[48];
		struct model_entry *m = &model[model_n++];
		snprintf(m->name, sizeof(m->name), "d%d", (i * 3) % 7);
		m->is_dir = 1;
		m->size = 100 * (i % 3);
		m->mtime = 1000 + (i % 2);
		m->live = 1;
		snprintf(dpath, sizeof(dpath), "big/%s", m->name);
		ok(cat_dir_ensure(c, cid, big, dpath, m->name, 2, &sub) == 0, "subfolder");
		snprintf(fpath, sizeof(fpath), "%s/x", dpath);
		put(c, cid, sub, fpath, "x", m->size, m->mtime, NULL);
	}
	for (int i = 0; i < 290; i++) {
		struct model_entry *m = &model[model_n];
		r = r * 1103515245 + 12345;
		snprintf(m->name, sizeof(m->name), "f%03d", (i * 37) % 290);
		m->size = (r >> 16) % 20;
		m->mtime = 5000 + (r >> 8) % 13;
		m->live = 1;
		model_put(c, cid, big, model_n++);
	}
	ok(cat_commit(c) == 0, "commit");
	ok(cat_collection_finish(c, cid, keep_all, keep_all, NULL, &removed) == 0, "finish");
	check_all_pages(ro, cid, 50, "first ingest");
	check_all_pages(ro, cid, 7, "first ingest, pages of 7");
	check_filter(ro, cid, "F1");
	check_filter(ro, cid, "d");
	check_filter(ro, cid, "zz");

	/* A refresh in progress: new files are not listed before the folder counts
	 * them (at the end of the ingest); then everything is in its place. */
	ok(cat_begin(c) == 0, "begin");
	for (int i = 0; i < 20; i++) {
		struct model_entry *m = &model[model_n];
		snprintf(m->name, sizeof(m->name), "%c-new%02d", i % 2 ? 'a' : 'g', i);
		m->size = i % 5;
		m->mtime = 4990 + i;
		m->live = 0;
		model_put(c, cid, big, model_n++);
	}
	ok(cat_commit(c) == 0, "commit");
	check_all_pages(ro, cid, 50, "mid-refresh");
	for (int i = model_n - 20; i < model_n; i++)
		model[i].live = 1;
	/* Changed files move; removed files leave. */
	ok(cat_begin(c) == 0, "begin");
	for (int i = 10; i < 300; i += 29) {
		unsigned char sha[32] = { 0 };
		char fpath[48];
		int64_t id;
		snprintf(fpath, sizeof(fpath), "big/%s", model[i].name);
		model[i].size = 1000 + i;
		model[i].mtime = 1;
		cat_file_put_t p = { .collection_id = cid, .dir_id = big, .existing_id = model[i].id, .relpath = fpath,
		    .name = model[i].name, .size = model[i].size, .mtime = model[i].mtime, .sha256 = sha, .mime = "x/y" };
		ok(cat_file_put(c, &p, &id) == 0 && id == model[i].id, "update %s", model[i].name);
	}
	ok(cat_commit(c) == 0, "commit");
	for (int i = 12; i < 300; i += 31)
		model[i].live = 0;
	ok(cat_collection_finish(c, cid, keep_live, keep_all, NULL, &removed) == 0, "finish refresh");
	is_int(removed, 10, "removed files");
	check_all_pages(ro, cid, 50, "after refresh");
	check_all_pages(c, cid, 13, "after refresh, writer, pages of 13");
	ok(cat_check(c) == 0, "integrity");

	/* A restore finds the same bytes with new dates (cmd_backup.c): the date
	 * order and folder dates follow at once; "updated" stays. */
	cat_collection_t before, after;
	ok(cat_collection_get_id(c, cid, &before) == 0, "collection before redate");
	ok(cat_begin(c) == 0, "begin");
	for (int i = 0; i < model_n; i++) {
		if (model[i].is_dir || !model[i].live || i % 3)
			continue;
		model[i].mtime = 9000 - i;
		ok(cat_file_set_mtime(c, model[i].id, model[i].mtime) == 0, "redate %s", model[i].name);
	}
	ok(cat_collection_redate(c, cid) == 0, "redate");
	ok(cat_commit(c) == 0, "commit");
	check_all_pages(ro, cid, 50, "after a restore's new dates");
	check_all_pages(ro, cid, 9, "after a restore's new dates, pages of 9");
	ok(cat_collection_get_id(c, cid, &after) == 0 && after.updated == before.updated &&
	    after.files == before.files, "updated and counts unchanged by redate");
	cat_collection_clear(&before);
	cat_collection_clear(&after);
	ok(cat_check(c) == 0, "integrity after redate");
	cat_free(ro);
	cat_free(c);
	unlink(path);
	free(path);
}

/* Turn a current catalogue back into schema v2, as an older broadside left it. */
static int
downgrade_to_v2(const char *path)
{
	static const char sql[] =
	    "ALTER TABLE docs DROP COLUMN cut; ALTER TABLE docs DROP COLUMN whole;"
	    "DROP INDEX files_dir_pos_name; DROP INDEX files_dir_pos_size; DROP INDEX files_dir_pos_mtime;"
	    "DROP INDEX dirs_parent_pos_name; DROP INDEX dirs_parent_pos_bytes; DROP INDEX dirs_parent_pos_mtime;"
	    "ALTER TABLE files DROP COLUMN pos_name; ALTER TABLE files DROP COLUMN pos_size;"
	    "ALTER TABLE files DROP COLUMN pos_mtime; ALTER TABLE dirs DROP COLUMN pos_name;"
	    "ALTER TABLE dirs DROP COLUMN pos_bytes; ALTER TABLE dirs DROP COLUMN pos_mtime;"
	    "ALTER TABLE dirs DROP COLUMN pos_stale; ALTER TABLE files DROP COLUMN crc32;"
	    "CREATE INDEX dirs_parent_name ON dirs(parent_id, name);"
	    "CREATE INDEX dirs_parent_bytes ON dirs(parent_id, bytes, name);"
	    "CREATE INDEX dirs_parent_mtime ON dirs(parent_id, mtime, name);"
	    "CREATE INDEX files_dir_name ON files(dir_id, name);"
	    "CREATE INDEX files_dir_size ON files(dir_id, size, name);"
	    "CREATE INDEX files_dir_mtime ON files(dir_id, mtime, name);"
	    /* v6: parts and the view that takes them in. */
	    "DROP VIEW fts_src; DROP TABLE parts;"
	    "CREATE VIEW fts_src AS SELECT d.id AS id, d.title AS title, f.path AS path,"
	    "  d.body AS body, 'c' || f.collection_id AS coll, f.collection_id AS collection_id"
	    "  FROM docs d JOIN files f ON f.id = d.id;"
	    "DROP TABLE withheld; DROP TABLE review_findings; DROP TABLE review_files;"
	    "PRAGMA user_version = 2;";
	cat_t *c = cat_open(path, CAT_READWRITE);
	int rc = c && sqlite3_exec(cat_db(c), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;

	if (rc < 0 && c)
		fprintf(stderr, "downgrade: %s\n", sqlite3_errmsg(cat_db(c)));
	cat_free(c);
	return rc;
}

static int64_t
user_version(cat_t *c)
{
	return unit_sql_int(cat_db(c), "PRAGMA user_version");
}

static void
test_upgrade(const char *tmp)
{
	char *path = xasprintf("%s/pages.db", tmp);
	cat_t *c, *ro;
	int64_t cid = 0, root = 0, big = 0, removed = 0;

	memset(model, 0, sizeof(model));
	model_n = 0;
	c = cat_open(path, CAT_CREATE);
	ok(c != NULL, "create");
	ok(cat_collection_upsert(c, "old", "Old", NULL, "/srv/old", &cid) == 0, "collection");
	ok(cat_begin(c) == 0, "begin");
	ok(cat_dir_ensure(c, cid, 0, "", "", 0, &root) == 0 && cat_dir_ensure(c, cid, root, "big", "big", 1, &big) == 0,
	    "folders");
	for (int i = 0; i < 120; i++) {
		struct model_entry *m = &model[model_n];
		snprintf(m->name, sizeof(m->name), "n%03d", (i * 7) % 120);
		m->size = i % 9;
		m->mtime = 100 + i % 4;
		m->live = 1;
		model_put(c, cid, big, model_n++);
	}
	/* Texts stored before the cut flag: one at the cap's length, one short. */
	char *longtext = xmalloc(256 * 1024 - 1);
	memset(longtext, 'x', 256 * 1024 - 2);
	longtext[256 * 1024 - 2] = '\0';
	int64_t id_long = put(c, cid, root, "long.pdf", "long.pdf", 1, 1, longtext);
	int64_t id_short = put(c, cid, root, "short.pdf", "short.pdf", 2, 1, "short");
	free(longtext);
	ok(cat_commit(c) == 0 && cat_collection_finish(c, cid, keep_all, keep_all, NULL, &removed) == 0, "ingest");
	cat_free(c);
	ok(downgrade_to_v2(path) == 0, "downgrade to v2");

	/* serve (read-only) keeps working on the old catalogue, listing by OFFSET. */
	ro = cat_open(path, CAT_READONLY);
	ok(ro != NULL, "read-only open of a v2 catalogue");
	if (ro) {
		is_int(user_version(ro), 2, "still v2");
		check_all_pages(ro, cid, 50, "v2 read-only");
		cat_doc_whole_t w = { 0, 0 };
		char *b = NULL;
		size_t bl = 0;
		ok(cat_doc_get(ro, id_long, &b, &bl, &w) == 0 && w.cut && w.len == -1,
		    "v2 read as it is: a text at the cap's length inferred cut");
		free(b);
	}
	/* A writer upgrades it in place; the open reader sees the new schema. */
	c = cat_open(path, CAT_READWRITE);
	ok(c != NULL, "read-write open upgrades");
	if (c) {
		is_int(user_version(c), 8, "now v8");
		cat_doc_whole_t w = { 0, 0 };
		char *b = NULL;
		size_t bl = 0;
		ok(cat_doc_get(c, id_long, &b, &bl, &w) == 0 && w.cut == 1 && w.len == -1,
		    "upgraded: the text at the cap's length stored as cut, its whole length unknown");
		free(b);
		ok(cat_doc_get(c, id_short, &b, &bl, &w) == 0 && w.cut == 0 && w.len == -1, "… a short one not");
		free(b);
		/* Stored at ingest from now on. */
		unsigned char sha[32] = { 0 };
		cat_file_put_t p = { .collection_id = cid, .dir_id = root, .existing_id = id_short, .relpath = "short.pdf",
		    .name = "short.pdf", .size = 2, .mtime = 2, .sha256 = sha, .mime = "application/pdf",
		    .body = "short", .body_len = 5, .body_cut = 1, .body_whole = 900000 };
		int64_t id = 0;
		ok(cat_begin(c) == 0 && cat_file_put(c, &p, &id) == 0 && cat_commit(c) == 0 && id == id_short, "put again");
		ok(cat_doc_get(c, id_short, &b, &bl, &w) == 0 && w.cut == 1 && w.len == 900000 && bl == 5,
		    "the flag and the whole length as ingest gave them");
		free(b);
		check_all_pages(c, cid, 50, "upgraded");
		ok(cat_check(c) == 0, "integrity after upgrade");
	}
	/* The reader opened on v2 notices the upgrade (and lists by position). */
	if (ro)
		check_all_pages(ro, cid, 50, "v2 reader after the upgrade");
	cat_free(ro);
	ro = cat_open(path, CAT_READONLY);
	ok(ro != NULL, "read-only open after upgrade");
	if (ro)
		check_all_pages(ro, cid, 17, "v3 read-only");
	cat_free(ro);
	cat_free(c);
	unlink(path);
	free(path);
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

	{
		/* Neighbours by name among the folder's files (folders are not files). */
		char prev[300], next[300];
		ok(cat_file_neighbours(ro, id1, prev, next, sizeof(prev)) == 0, "neighbours");
		is_str(prev, "a \"q\".txt", "previous file by name");
		is_str(next, "z\nnl", "next file by name");
		ok(cat_file_neighbours(ro, id2, prev, next, sizeof(prev)) == 0 && prev[0] == '\0', "first file: no previous");
		is_str(next, "b.txt", "first file: next");
		is_int(cat_file_get(ro, cid, "sub/c.txt", &f), 0, "get the only file of sub");
		ok(cat_file_neighbours(ro, f.id, prev, next, sizeof(prev)) == 0 && !prev[0] && !next[0],
		    "alone in its folder: no neighbours");
		ok(cat_file_neighbours(ro, 999999, prev, next, sizeof(prev)) == 0 && !prev[0] && !next[0],
		    "unknown id: none");
	}

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

	test_deep_pages(dir);
	test_upgrade(dir);

	path = xasprintf("rm -rf '%s'", dir);
	(void)!system(path);
	free(path);
	return unit_done();
}
