/* fuzz_search_query: any reader input → search_parse → FTS5 expression. The
 * expression must always be accepted by a real FTS5 table (no syntax error, ever),
 * stay within the phrase limits, and be valid UTF-8. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "catalogue/mime.h"
#include "catalogue/search.h"

static sqlite3 *db;
static sqlite3_stmt *st;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	search_query_t q;
	char *expr;
	int rc;

	if (db == NULL) {
		if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
		    sqlite3_exec(db, "CREATE VIRTUAL TABLE fts USING fts5(title, path, body, coll,"
		    " tokenize='unicode61 remove_diacritics 2');"
		    "INSERT INTO fts VALUES ('a title', 'a/path.txt', 'some body text', 'c1');", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "SELECT rowid FROM fts WHERE fts MATCH ?1", -1, &st, NULL) != SQLITE_OK)
			abort();
	}
	search_parse((const char *)data, size, &q);
	if (q.n > SEARCH_MAX_PHRASES)
		abort();
	expr = search_query_fts(&q);
	if (!mime_is_utf8((const unsigned char *)expr, strlen(expr)))
		abort();
	if (q.n > 0) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "FTS5 rejected '%s': %s\n", expr, sqlite3_errmsg(db));
			abort();
		}
		sqlite3_reset(st);
	}
	free(expr);
	search_query_clear(&q);
	return 0;
}
