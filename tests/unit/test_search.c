/* test_search: the query sanitiser (a table of reader inputs and the FTS5
 * expressions they become) and search_run on a real catalogue with hostile input. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "catalogue/cat.h"
#include "catalogue/search.h"
#include "unit.h"
#include "unit_sql.h"
#include "base/util.h"

static const struct {
	const char *in, *expr;
} parse_cases[] = {
	{ "", "" },
	{ "   ", "" },
	{ "police", "{title path body} : (\"police\")" },
	{ "Police Report", "{title path body} : (\"Police\" AND \"Report\")" },
	{ "\"two words\"", "{title path body} : (\"two words\")" },
	{ "\"unbalanced quote", "{title path body} : (\"unbalanced quote\")" },
	{ "polic*", "{title path body} : (\"polic\" *)" },
	{ "po*", "{title path body} : (\"po\")" },                 /* too short for a prefix */
	{ "*", "" },
	{ "a AND b OR NOT c", "{title path body} : (\"a\" AND \"AND\" AND \"b\" AND \"OR\" AND \"NOT\" AND \"c\")" },
	{ "NEAR(a b, 3)", "{title path body} : (\"NEAR\" AND \"a\" AND \"b\" AND \"3\")" },
	{ "title:secret", "{title path body} : (\"title\" AND \"secret\")" },
	{ "{coll}: c1", "{title path body} : (\"coll\" AND \"c1\")" },
	{ "((((x", "{title path body} : (\"x\")" },
	{ "x)))) OR (", "{title path body} : (\"x\" AND \"OR\")" },
	{ "-minus +plus ^caret", "{title path body} : (\"minus\" AND \"plus\" AND \"caret\")" },
	{ "'; DROP TABLE files; --", "{title path body} : (\"DROP\" AND \"TABLE\" AND \"files\")" },
	{ "dup dup DUP", "{title path body} : (\"dup\" AND \"DUP\")" },
	{ "caf\xc3\xa9", "{title path body} : (\"caf\xc3\xa9\")" },
	{ "bad\xff\xfe" "byte", "{title path body} : (\"bad\xef\xbf\xbd\xef\xbf\xbd" "byte\")" },
	{ "\"a\"\"b\"", "{title path body} : (\"a\" AND \"b\")" },
	{ "x\x01y", "{title path body} : (\"x\" AND \"y\")" },
	{ "\"\"", "" },
};

static void
check_hits_clean(const search_result_t *r, const char *what)
{
	for (size_t i = 0; i < r->n; i++) {
		const char *s = r->hits[i].snippet;
		int depth = 0, balanced = 1;
		for (const char *p = s; *p; p++) {
			if (*p == 2)
				depth++;
			if (*p == 3 && --depth < 0)
				balanced = 0;
		}
		ok(balanced && depth == 0, "%s: markers balanced in '%s'", what, s);
	}
}

static int64_t
put(cat_t *c, int64_t cid, int64_t dir, const char *path, const char *title, const char *body)
{
	unsigned char sha[32] = { 1 };
	cat_file_put_t p = { .collection_id = cid, .dir_id = dir, .relpath = path, .name = path, .size = 1,
	    .mtime = 1, .sha256 = sha, .mime = "text/plain", .title = title, .body = body,
	    .body_len = body ? strlen(body) : 0 };
	int64_t id = 0;

	ok(cat_file_put(c, &p, &id) == 0, "put %s", path);
	return id;
}

static int64_t
segments(cat_t *c)
{
	return unit_sql_int(cat_db(c), "SELECT count(DISTINCT segid) FROM fts_idx");
}

static int
keep(int64_t id, void *arg)
{
	return 1;
}

static int64_t gone[SEARCH_PREFIX_TERMS];

static int
keep_live(int64_t id, void *arg)
{
	for (int i = 0; i < SEARCH_PREFIX_TERMS; i++)
		if (gone[i] == id)
			return 0;
	return 1;
}

int
main(void)
{
	char dir[] = "/tmp/test_search.XXXXXX", *path, *big;
	cat_t *c;
	int64_t cid, cid2, root, root2, removed;
	search_result_t r;
	search_query_t q;

	for (size_t i = 0; i < ARRAY_LEN(parse_cases); i++) {
		char *e;
		search_parse(parse_cases[i].in, strlen(parse_cases[i].in), &q);
		e = search_query_fts_for(&q, SEARCH_FORM_EXACT);
		ok(strcmp(e, parse_cases[i].expr) == 0, "parse '%s' -> '%s', want '%s'", parse_cases[i].in, e,
		    parse_cases[i].expr);
		free(e);
		search_query_clear(&q);
	}
	/* Limits: 10 KB of input, too many words, a giant word. */
	big = xmalloc(10241);
	for (int i = 0; i < 10240; i++)
		big[i] = (i % 7 == 6) ? ' ' : 'a' + i % 5;
	big[10240] = '\0';
	search_parse(big, strlen(big), &q);
	ok(q.n <= SEARCH_MAX_PHRASES && q.dropped, "10 KB query capped (%d phrases)", q.n);
	search_query_clear(&q);
	memset(big, 'x', 10240);
	search_parse(big, 10240, &q);
	ok(q.n == 1 && strlen(q.phrase[0]) == SEARCH_MAX_WORD, "giant word cut to %d bytes", SEARCH_MAX_WORD);
	search_query_clear(&q);

	ok(mkdtemp(dir) != NULL, "mkdtemp");
	path = xasprintf("%s/catalogue.db", dir);
	c = cat_open(path, CAT_CREATE);
	ok(c != NULL, "create catalogue");
	cat_collection_upsert(c, "leak", "Leak", NULL, "/x", &cid);
	cat_collection_upsert(c, "other", "Other", NULL, "/y", &cid2);
	cat_begin(c);
	cat_dir_ensure(c, cid, 0, "", "", 0, &root);
	cat_dir_ensure(c, cid2, 0, "", "", 0, &root2);
	put(c, cid, root, "incidents.csv", "incidents.csv", "1,2021-01-01,burglary,Officer Wiggum,zeppelin sighted");
	put(c, cid, root, "mail.eml", "Subject about marmalade", "From: a\nThe marmalade shipment arrived");
	put(c, cid, root, "notes.txt", "notes.txt", "two words together and words apart two");
	put(c, cid2, root2, "other.txt", "other.txt", "zeppelin in the other collection");
	/* The oldest file, the only one with "reports": not among the newest
	 * matches of the stem report. */
	put(c, cid, root, "old-reports.txt", "old-reports.txt", "the reports were filed");
	for (int i = 0; i < SEARCH_RANK_CAP + 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "common-%05d.txt", i);
		put(c, cid, root, name, name, "police police report common");
	}
	/* Prefix expansion: 20 words starting with pfxa (the first 16 count), a word
	 * that extends another (seekx, seekx0, seekxa: each found by its own seek),
	 * and words only in files removed below (they must not take a place). */
	for (int i = 0; i < 20; i++) {
		char name[32], body[64];
		snprintf(name, sizeof(name), "pfx-%02d.txt", i);
		snprintf(body, sizeof(body), "pfxa%02d marker", 19 - i);
		put(c, cid, root, name, name, body);
	}
	put(c, cid, root, "seek1.txt", "seek1.txt", "seekx");
	put(c, cid, root, "seek2.txt", "seek2.txt", "seekx0 seekxa");
	for (int i = 0; i < SEARCH_PREFIX_TERMS; i++) {
		char name[32], body[64];
		snprintf(name, sizeof(name), "gone-%02d.txt", i);
		snprintf(body, sizeof(body), "gonew%02d", i);
		gone[i] = put(c, cid, root, name, name, body);
	}
	put(c, cid, root, "stays.txt", "stays.txt", "gonewzz");
	ok(cat_commit(c) == 0, "commit");
	cat_collection_finish(c, cid, keep, keep, NULL, &removed);
	cat_collection_finish(c, cid2, keep, keep, NULL, &removed);

	ok(search_run(c, "zeppelin", NULL, 0, 10, &r) == 0, "search");
	is_int(r.n, 2, "zeppelin in both collections");
	is_int(r.total, 2);
	ok(!r.total_is_estimate, "exact total");
	check_hits_clean(&r, "zeppelin");
	search_result_clear(&r);

	ok(search_run(c, "zeppelin", "other", 0, 10, &r) == 0 && r.n == 1, "collection filter");
	ok(r.n == 1 && strcmp(r.hits[0].slug, "other") == 0 && strcmp(r.hits[0].path, "other.txt") == 0, "hit fields");
	ok(r.n == 1 && strstr(r.hits[0].snippet, "\x02zeppelin\x03") != NULL, "snippet marks the term: %s",
	    r.n ? r.hits[0].snippet : "");
	search_result_clear(&r);

	ok(search_run(c, "ZEPPELIN", "nope", 0, 10, &r) == 0 && r.n == 0 && r.message, "unknown collection: message");
	search_result_clear(&r);

	ok(search_run(c, "marmalade", NULL, 0, 10, &r) == 0 && r.n == 1, "title and body");
	search_result_clear(&r);
	ok(search_run(c, "\"two words\"", NULL, 0, 10, &r) == 0 && r.n == 1, "phrase");
	search_result_clear(&r);
	ok(search_run(c, "\"words two\"", NULL, 0, 10, &r) == 0 && r.n == 0, "phrase order matters");
	search_result_clear(&r);
	ok(search_run(c, "marma*", NULL, 0, 10, &r) == 0 && r.n == 1, "prefix");
	search_result_clear(&r);
	ok(search_run(c, "MARMA* shipment", NULL, 0, 10, &r) == 0 && r.n == 1, "prefix (any case) and a word");
	search_result_clear(&r);
	ok(search_run(c, "zep* marma*", NULL, 0, 10, &r) == 0 && r.n == 0, "two prefixes, no file has both");
	search_result_clear(&r);
	ok(search_run(c, "qqqq*", NULL, 0, 10, &r) == 0 && r.n == 0 && r.total == 0, "prefix of no word");
	search_result_clear(&r);
	ok(search_run(c, "incidents", NULL, 0, 10, &r) == 0 && r.n == 1, "path is searchable");
	search_result_clear(&r);
	ok(search_run(c, "pfxa*", NULL, 0, 100, &r) == 0, "prefix of 20 words");
	is_int(r.total, SEARCH_PREFIX_TERMS, "the first 16 words in index order count");
	for (size_t i = 0; i < r.n; i++)
		ok(strcmp(r.hits[i].path, "pfx-03.txt") > 0, "%s has one of the first 16 words", r.hits[i].path);
	search_result_clear(&r);
	ok(search_run(c, "pfxa* marker", NULL, 0, 100, &r) == 0 && r.total == SEARCH_PREFIX_TERMS, "prefix and a word");
	search_result_clear(&r);
	ok(search_run(c, "seekx*", NULL, 0, 10, &r) == 0 && r.total == 2, "a word and its extensions");
	search_result_clear(&r);
	ok(search_run(c, "seekx0*", NULL, 0, 10, &r) == 0 && r.total == 1, "the longer word alone");
	search_result_clear(&r);
	cat_collection_finish(c, cid, keep_live, keep, NULL, &removed);
	is_int(removed, SEARCH_PREFIX_TERMS, "files removed");
	ok(search_run(c, "gonew*", NULL, 0, 10, &r) == 0 && r.n == 1 && strcmp(r.hits[0].path, "stays.txt") == 0,
	    "words of removed files take no place in an expansion");
	search_result_clear(&r);

	/* Too common: bounded, estimated, with a message. */
	ok(search_run(c, "police", NULL, 0, 20, &r) == 0, "common term");
	ok(r.n == 20 && r.total_is_estimate && r.total == SEARCH_RANK_CAP && r.message != NULL,
	    "common term is capped (n=%zu total=%lld)", r.n, (long long)r.total);
	search_result_clear(&r);
	ok(search_run(c, "police", NULL, SEARCH_RANK_CAP + 10, 20, &r) == 0 && r.n == 0, "paging past the cap");
	search_result_clear(&r);
	ok(search_run(c, "police zeppelin", NULL, 0, 20, &r) == 0 && r.n == 0, "AND of common and rare");
	search_result_clear(&r);
	ok(search_run(c, "report common-00007", NULL, 0, 5, &r) == 0 && r.n == 1, "common and specific");
	search_result_clear(&r);
	/* Stems: the exact form first, even when its file is older than the
	 * SEARCH_RANK_CAP newest matches of the stem. */
	ok(search_run(c, "reports", NULL, 0, 20, &r) == 0 && r.n == 20 && r.total_is_estimate, "stems over the cap");
	ok(r.n > 0 && strcmp(r.hits[0].path, "old-reports.txt") == 0, "the exact form first: %s", r.n ? r.hits[0].path : "");
	ok(r.n > 1 && strncmp(r.hits[1].path, "common-", 7) == 0, "then the stem's newest: %s", r.n > 1 ? r.hits[1].path : "");
	search_result_clear(&r);
	ok(search_run(c, "reports", NULL, 1, 5, &r) == 0 && r.n == 5 && strncmp(r.hits[0].path, "common-", 7) == 0,
	    "page 2 goes on with the stems");
	search_result_clear(&r);
	ok(search_run(c, "\"reports\"", NULL, 0, 20, &r) == 0 && r.n == 1 && r.total == 1, "quoted: exact only");
	search_result_clear(&r);
	/* More exact matches than the cap: the stems add nothing to the pages. */
	ok(search_run(c, "report", NULL, 0, 20, &r) == 0 && r.n == 20 && r.total_is_estimate, "a common exact form");
	for (size_t i = 0; i < r.n; i++)
		ok(strstr(r.hits[i].snippet, "\x02report\x03") != NULL, "exact hit: %s", r.hits[i].snippet);
	search_result_clear(&r);
	ok(search_run(c, "po*", NULL, 0, 20, &r) == 0 && r.message && strstr(r.message, "3 letters"),
	    "a 2-letter prefix says why");
	search_result_clear(&r);

	{
		const char *hostile[] = {
			"", "\"", "\"\"\"", "*", "**", "a*b*c", "NEAR(a b)", "title:x", "coll:c1", "{title}: x",
			"AND", "OR OR OR", "NOT x", "(((", ")))", "x\"y", "'", "\\", "%", "^x", "\xff\xfe\xfd",
			"\xe2\x80\xae" "evil", "<script>alert(1)</script>", "x' OR 1=1 --", "c1", "\x02\x03",
			"\xf0\x9f\x92\xa9 emoji", "col\x00umn",
		};
		for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
			int rc = search_run(c, hostile[i], NULL, 0, 10, &r);
			ok(rc == 0, "hostile query %zu answers cleanly", i);
			ok(r.message == NULL || strstr(r.message, "SQL") == NULL, "no SQL in message %zu", i);
			check_hits_clean(&r, "hostile");
			search_result_clear(&r);
		}
		ok(search_run(c, big, NULL, 0, 10, &r) == 0, "10 KB query");
		search_result_clear(&r);
		ok(search_run(c, "c1", NULL, 0, 10, &r) == 0 && r.n == 0, "the collection marker is not searchable");
		search_result_clear(&r);
	}

	/* Merging the index's segments changes no answer. Each put outside a
	 * transaction commits, and each commit adds a segment. */
	{
		int64_t before_total, n;
		char name[32];
		ok(search_run(c, "police", NULL, 0, 20, &r) == 0, "police before merge");
		before_total = r.total;
		search_result_clear(&r);
		for (int i = 0; i < 12; i++) {
			snprintf(name, sizeof(name), "late-%02d.txt", i);
			put(c, cid, root, name, name, "late arrival quetzal");
		}
		n = segments(c);
		ok(n > 1, "12 commits leave several segments (%lld)", (long long)n);
		ok(cat_fts_tidy(c, (int)n) == 0 && segments(c) == n, "at the threshold: nothing merged");
		ok(cat_fts_tidy(c, 1) == 0 && segments(c) == 1, "over it: one segment (%lld)", (long long)segments(c));
		ok(cat_check(c) == 0, "index integrity after the merge");
		ok(search_run(c, "quetzal", NULL, 0, 20, &r) == 0 && r.n == 12 && r.total == 12, "new files found after merge");
		check_hits_clean(&r, "merged");
		ok(r.n > 0 && strstr(r.hits[0].snippet, "\x02quetzal\x03") != NULL, "snippet after merge: %s",
		    r.n ? r.hits[0].snippet : "");
		search_result_clear(&r);
		ok(search_run(c, "police", NULL, 0, 20, &r) == 0 && r.total == before_total, "same count after merge");
		search_result_clear(&r);
		ok(cat_collection_finish(c, cid, keep, keep, NULL, &removed) == 0 && segments(c) <= CAT_FTS_MAX_SEGMENTS,
		    "finish keeps at most %d segments", CAT_FTS_MAX_SEGMENTS);
	}

	/* Filters: a folder (and below it, not a folder whose name extends
	 * it), a kind, a range of dates; each in the ranked hits and the count. */
	{
		int64_t sub, deeper, id;
		unsigned char sha[32] = { 2 };
		struct { const char *path; int64_t dir; const char *mime; int64_t mtime; } fs[] = {
			{ "sub/a.eml", 0, "message/rfc822", 1600000000 },
			{ "sub/deeper/b.pdf", 1, "application/pdf", 1500000000 },
			{ "subway.txt", -1, "text/plain", 1600000000 },
		};
		ok(cat_begin(c) == 0, "begin");
		cat_dir_ensure(c, cid, root, "sub", "sub", 1, &sub);
		cat_dir_ensure(c, cid, sub, "sub/deeper", "deeper", 2, &deeper);
		for (size_t i = 0; i < ARRAY_LEN(fs); i++) {
			cat_file_put_t p = { .collection_id = cid, .dir_id = fs[i].dir == 0 ? sub : fs[i].dir == 1 ? deeper : root,
			    .relpath = fs[i].path, .name = fs[i].path, .size = 1, .mtime = fs[i].mtime, .sha256 = sha,
			    .mime = fs[i].mime, .title = fs[i].path, .body = "wombatfilter here", .body_len = 17 };
			ok(cat_file_put(c, &p, &id) == 0, "put %s", fs[i].path);
		}
		ok(cat_commit(c) == 0, "commit");
		struct { search_filter_t f; int n; const char *first; } cases[] = {
			{ { .collection = "leak" }, 3, NULL },
			{ { .collection = "leak", .folder = "sub" }, 2, NULL },
			{ { .folder = "/sub/deeper/" }, 1, "sub/deeper/b.pdf" },
			{ { .folder = "su" }, 0, NULL },
			{ { .kind = SEARCH_KIND_EMAIL }, 1, "sub/a.eml" },
			{ { .kind = SEARCH_KIND_PDF, .folder = "sub" }, 1, "sub/deeper/b.pdf" },
			{ { .kind = SEARCH_KIND_SPREADSHEET }, 0, NULL },
			{ { .after = 1550000000 }, 2, NULL },
			{ { .before = 1550000000 }, 1, "sub/deeper/b.pdf" },
			{ { .after = 1600000000, .before = 1600000001, .kind = SEARCH_KIND_TEXT }, 1, "subway.txt" },
			{ { .collection = "other", .folder = "sub" }, 0, NULL },
		};
		for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
			ok(search_run_filtered(c, "wombatfilter", &cases[i].f, 0, 10, &r) == 0, "filtered search %zu", i);
			ok((int)r.n == cases[i].n && r.total == cases[i].n && !r.filter_windowed,
			    "filter %zu: %zu hits, total %lld (want %d)", i, r.n, (long long)r.total, cases[i].n);
			if (cases[i].first && r.n > 0)
				is_str(r.hits[0].path, cases[i].first);
			search_result_clear(&r);
		}
		ok(search_kind_parse("pdf") == SEARCH_KIND_PDF && search_kind_parse("<x>") == SEARCH_KIND_ANY &&
		    search_kind_parse(NULL) == SEARCH_KIND_ANY && strcmp(search_kind_name(SEARCH_KIND_EMAIL), "email") == 0,
		    "kind names");
		int64_t t = 0;
		ok(search_day_parse("2020-09-13", &t) == 0 && t == 1599955200, "a day: %lld", (long long)t);
		ok(search_day_parse("2020-13-01", &t) < 0 && search_day_parse("2020-1-01", &t) < 0 &&
		    search_day_parse("2020-01-01x", &t) < 0 && search_day_parse(NULL, &t) < 0 &&
		    search_day_parse("2020-02-30", &t) < 0 && search_day_parse(" 2020-1-1", &t) < 0, "not a day");
	}

	free(big);
	cat_free(c);
	big = xasprintf("rm -rf '%s'", dir);
	(void)!system(big);
	free(big);
	free(path);
	return unit_done();
}
