/* fuzz_search_query: any reader input → search_parse → FTS5 expression, in
 * each form (stems, exact, trigram). The expression must always be accepted by
 * a real FTS5 table of its index (no syntax error, ever), stay within the
 * phrase limits, and be valid UTF-8. The same input as a filter's kind
 * and day (search_kind_parse, search_day_parse). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>

#include "catalogue/mime.h"
#include "catalogue/search.h"
#include "catalogue/search_tok.h"

static sqlite3 *db;
static sqlite3_stmt *st, *st_tri;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
run(sqlite3_stmt *s, const char *expr)
{
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "FTS5 rejected '%s': %s\n", expr, sqlite3_errmsg(db));
		abort();
	}
	sqlite3_reset(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	search_query_t q;

	/* The catalogue's two indexes: the main one's tokenizer, and trigrams. */
	if (db == NULL) {
		if (sqlite3_open(":memory:", &db) != SQLITE_OK || search_tok_register(db) < 0 ||
		    sqlite3_exec(db, "CREATE VIRTUAL TABLE fts USING fts5(title, path, body, coll, tokenize='bs');"
		    "CREATE VIRTUAL TABLE fts_cjk USING fts5(title, path, body, coll, tokenize='trigram case_sensitive 0');"
		    "INSERT INTO fts VALUES ('a title', 'a/path.txt', 'some body text الشرطة officers', 'c1');"
		    "INSERT INTO fts_cjk VALUES ('警察报告', 'a/path.txt', 'some body text', '{c1}');", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?1", -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "SELECT rowid FROM fts_cjk WHERE fts_cjk MATCH ?1", -1, &st_tri, NULL) != SQLITE_OK)
			abort();
	}
	search_parse((const char *)data, size, &q);
	if (q.n > SEARCH_MAX_PHRASES)
		abort();
	for (int form = SEARCH_FORM_STEMS; form <= SEARCH_FORM_TRIGRAM; form++) {
		char *expr = search_query_fts_for(&q, (enum search_form)form);
		if (!mime_is_utf8((const unsigned char *)expr, strlen(expr)))
			abort();
		if (q.n > 0)
			run(form == SEARCH_FORM_TRIGRAM ? st_tri : st, expr);
		free(expr);
	}
	search_query_clear(&q);
	/* The form's other fields: a day that parses reads back the same, a
	 * kind that parses is one we name. */
	{
		char *in = strndup((const char *)data, size), back[16];
		int64_t t;
		time_t tt;
		struct tm tm;
		enum search_kind k = search_kind_parse(in);
		if (k != SEARCH_KIND_ANY && strcmp(search_kind_name(k), in) != 0)
			abort();
		if (search_day_parse(in, &t) == 0) {
			tt = (time_t)t;
			if (gmtime_r(&tt, &tm) == NULL || strftime(back, sizeof(back), "%Y-%m-%d", &tm) != 10 ||
			    strcmp(back, in) != 0) {
				fprintf(stderr, "day '%s' read back as '%s'\n", in, back);
				abort();
			}
		}
		free(in);
	}
	return 0;
}
