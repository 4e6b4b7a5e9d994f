/* test_cat_withhold: withholding rules (normalising, matching) and their
 * effect on a real catalogue: rows, texts and index entries gone, folder
 * counts recomputed, rules kept across reopen and an upgrade. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "catalogue/cat.h"
#include "catalogue/cat_withhold.h"
#include "unit.h"
#include "unit_sql.h"

static void
t_normalise(void)
{
	static const struct { const char *in, *out; } good[] = {
		{ "a.txt", "a.txt" }, { "./a/b/", "a/b" }, { "/a//b", "a/b" }, { "a/./b", NULL },
		{ "..", NULL }, { "a/../b", NULL }, { "", NULL }, { "/", NULL }, { "./", NULL },
		{ "a\nb", NULL }, { "*.eml", "*.eml" }, { ".hidden", ".hidden" }, { "a/..b", "a/..b" },
	};
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		char *out = NULL;
		const char *why = NULL;
		int rc = cat_withhold_normalise(good[i].in, &out, &why);

		if (good[i].out) {
			ok(rc == 0, "normalise '%s'", good[i].in);
			is_str(out, good[i].out, "normalise '%s'", good[i].in);
		} else {
			ok(rc < 0 && why != NULL && out == NULL, "refuse '%s'", good[i].in);
		}
		free(out);
	}
}

static void
t_match(void)
{
	static const struct { const char *pattern, *path; int hit; } m[] = {
		{ "a.txt", "a.txt", 1 }, { "a.txt", "a.txt2", 0 }, { "a.txt", "x/a.txt", 0 },
		{ "secret", "secret", 1 }, { "secret", "secret/m.txt", 1 }, { "secret", "secrets/m.txt", 0 },
		{ "*.eml", "x.eml", 1 }, { "*.eml", "a/b/x.eml", 1 }, { "*.eml", "x.eml.txt", 0 },
		{ "*.eml", "box.eml/inner.txt", 1 }, { "mail/*.eml", "mail/x.eml", 1 },
		{ "mail/*.eml", "mail/sub/x.eml", 0 }, { "mail/*.eml", "other/mail/x.eml", 0 },
		{ "*/secret", "a/secret/b.txt", 1 }, { "pub/f0[1-3].txt", "pub/f02.txt", 1 },
		{ "pub/f0[1-3].txt", "pub/f04.txt", 0 }, { "report [draft].pdf", "report [draft].pdf", 1 },
		{ "?", "a", 1 }, { "?", "ab", 0 }, { "?", "ab/c", 1 },
	};
	for (size_t i = 0; i < ARRAY_LEN(m); i++)
		is_int(cat_withhold_match(m[i].pattern, m[i].path), m[i].hit, "'%s' on '%s'", m[i].pattern, m[i].path);
}

static int
count_rule(const cat_withholding_t *w, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void
put(cat_t *c, int64_t cid, int64_t dir, const char *path, const char *body)
{
	static unsigned char sha[32];
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	cat_file_put_t p = { .collection_id = cid, .dir_id = dir, .relpath = path, .name = name, .size = 5,
	    .mtime = 100, .sha256 = sha, .mime = "text/plain", .body = body, .body_len = strlen(body) };
	int64_t id;

	ok(cat_file_put(c, &p, &id) == 0, "put %s", path);
}

static int
keep_all(int64_t id, void *arg)
{
	return 1;
}

static void
t_catalogue(void)
{
	char dir[] = "/tmp/test_cat_withhold.XXXXXX";
	char *path;
	cat_t *c;
	cat_file_t f;
	int64_t cid = 0, root = 0, sec = 0, removed = 0, files = 0, dirs = 0, entries = 0;
	int n = 0, exists = 0;
	cat_withhold_rules_t *r;

	ok(mkdtemp(dir) != NULL, "mkdtemp");
	path = xasprintf("%s/catalogue.db", dir);
	c = cat_open(path, CAT_CREATE);
	ok(c != NULL, "create");
	ok(cat_collection_upsert(c, "leak", "Leak", NULL, "/srv/leak", &cid) == 0, "collection");
	ok(cat_begin(c) == 0, "begin");
	ok(cat_dir_ensure(c, cid, 0, "", "", 0, &root) == 0 && cat_dir_ensure(c, cid, root, "sec", "sec", 1, &sec) == 0,
	    "folders");
	put(c, cid, root, "a.txt", "alpha wombatword");
	put(c, cid, sec, "sec/b.txt", "beta");
	put(c, cid, sec, "sec/c.txt", "gamma");
	ok(cat_commit(c) == 0 && cat_collection_finish(c, cid, keep_all, keep_all, NULL, &removed) == 0, "finish");
	is_int(unit_sql_int(cat_db(c), "SELECT count(*) FROM fts WHERE fts MATCH 'wombatword'"), 1, "indexed");

	ok(cat_withhold_add(c, "leak", cid, (const char *[]){ "a.txt" }, 1, "source", &files, &dirs) == 0, "withhold a file");
	is_int(files, 1, "one file");
	is_int(dirs, 0, "no folder");
	is_int(cat_file_get(c, cid, "a.txt", &f), 1, "the file is absent");
	is_int(unit_sql_int(cat_db(c), "SELECT count(*) FROM fts WHERE fts MATCH 'wombatword'"), 0, "not in the index");
	is_int(unit_sql_int(cat_db(c), "SELECT count(*) FROM docs"), 2, "its text is gone");
	ok(cat_withhold_add(c, "leak", cid, (const char *[]){ "sec" }, 1, "memo", &files, &dirs) == 0, "withhold a folder");
	is_int(files, 2, "two files");
	is_int(dirs, 1, "one folder");
	ok(cat_dir_stat(c, cid, "sec", &entries, &exists) == 0 && !exists, "the folder is absent");
	is_int(unit_sql_int(cat_db(c), "SELECT files FROM collections WHERE id = 1"), 0, "collection counts 0 files");
	ok(cat_check(c) == 0, "integrity");
	ok(cat_withhold_add(c, "leak", cid, (const char *[]){ "sec" }, 1, "memo, again", &files, &dirs) == 0,
	    "withhold again: new reason");
	is_int(files, 0, "nothing more left");
	ok(cat_withhold_each(c, "leak", count_rule, &n) == 0, "each");
	is_int(n, 2, "two rules");

	r = cat_withhold_rules_load(c, cid);
	ok(r != NULL && cat_withhold_rules_count(r) == 2, "rules load");
	ok(r && cat_withhold_rules_match(r, "sec/new.txt") && !cat_withhold_rules_match(r, "b.txt"), "rules match");
	cat_withhold_rules_free(r);
	ok(r == NULL, "free sets NULL");

	/* Kept across rm (by slug) and a reopen. */
	ok(cat_collection_delete(c, cid) == 0, "rm the collection");
	cat_free(c);
	c = cat_open(path, CAT_READWRITE);
	n = 0;
	ok(c && cat_withhold_each(c, NULL, count_rule, &n) == 0 && n == 2, "rules outlive rm and a reopen");
	is_int(cat_withhold_remove(c, "leak", "a.txt"), 0, "unwithhold");
	is_int(cat_withhold_remove(c, "leak", "a.txt"), 1, "unwithhold twice: none");

	/* An older catalogue gains the table on its first writer open. */
	ok(sqlite3_exec(cat_db(c), "ALTER TABLE docs DROP COLUMN cut; ALTER TABLE docs DROP COLUMN whole;"
	    " DROP TABLE withheld; DROP TABLE review_findings; DROP TABLE review_files;"
	    " ALTER TABLE files DROP COLUMN crc32; DROP VIEW fts_src; DROP TABLE parts;"
	    " CREATE VIEW fts_src AS SELECT d.id AS id, d.title AS title, f.path AS path,"
	    "  d.body AS body, 'c' || f.collection_id AS coll, f.collection_id AS collection_id"
	    "  FROM docs d JOIN files f ON f.id = d.id;"
	    " PRAGMA user_version = 3", NULL, NULL, NULL) == SQLITE_OK,
	    "downgrade to v3");
	cat_free(c);
	c = cat_open(path, CAT_READWRITE);
	n = 0;
	ok(c && cat_withhold_each(c, NULL, count_rule, &n) == 0 && n == 0, "upgraded: an empty table");
	is_int(unit_sql_int(cat_db(c), "PRAGMA user_version"), 8, "the current version");
	cat_free(c);
	unlink(path);
	free(path);
	{
		char *wal = xasprintf("%s/catalogue.db-wal", dir), *shm = xasprintf("%s/catalogue.db-shm", dir);
		unlink(wal);
		unlink(shm);
		free(wal);
		free(shm);
	}
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	static const unit_case_t cases[] = {
		UNIT_CASE(t_normalise), UNIT_CASE(t_match), UNIT_CASE(t_catalogue), UNIT_CASES_END,
	};
	return unit_main(cases, argc, argv);
}
