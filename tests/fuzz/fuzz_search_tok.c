/* fuzz_search_tok: any bytes through the main index's tokenizer `bs` (as a
 * document and as a query string, plain and stemmed), the folding
 * functions, the stemmer and the suggestions' edit distance. Folding never
 * grows a word past its buffer, a stripped prefix leaves a suffix of the word,
 * the distance is bounded and symmetric, and the index stays consistent (FTS5's
 * integrity-check re-tokenizes what it holds). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "catalogue/search_suggest.h"
#include "catalogue/search_tok.h"

static sqlite3 *db;
static sqlite3_stmt *ins, *match;
static unsigned long runs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[SEARCH_TOK_MAX_WORD], *q;
	size_t qn = 0;
	int n;

	if (db == NULL) {
		if (sqlite3_open(":memory:", &db) != SQLITE_OK || search_tok_register(db) < 0 ||
		    sqlite3_exec(db, "CREATE TABLE src (id INTEGER PRIMARY KEY, x TEXT);"
		    "CREATE VIRTUAL TABLE t USING fts5(x, content='src', content_rowid='id', tokenize='bs');",
		    NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "INSERT INTO src (id, x) VALUES (1, ?1);"
		    , -1, &ins, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &match, NULL) != SQLITE_OK)
			abort();
	}
	n = search_tok_fold((const char *)data, size, out);
	if (n > SEARCH_TOK_MAX_WORD || (n >= 0 && size > SEARCH_TOK_MAX_WORD))
		abort();
	if (search_tok_proclitic((const char *)data, size, 0) > size ||
	    search_tok_proclitic((const char *)data, size, 1) > size)
		abort();
	if (search_tok_unspaced((const char *)data, size, size + 1) > size)
		abort();
	/* The suggestions' distance between the input's halves: bounded, symmetric. */
	{
		const char *a = (const char *)data, *b = a + size / 2;
		int d1 = search_edit_distance(a, size / 2, b, size - size / 2, 2);
		int d2 = search_edit_distance(b, size - size / 2, a, size / 2, 2);
		if (d1 < 0 || d1 > 3 || d1 != d2)
			abort();
	}
	{
		search_tok_stemmer_t *st = search_tok_stemmer_new(db);
		strbuf_t f, s;
		strbuf_init(&f);
		strbuf_init(&s);
		if (st == NULL || search_tok_stem(st, (const char *)data, size, &f, &s) < 0)
			abort();
		search_tok_stemmer_free(st);
		strbuf_release(&f);
		strbuf_release(&s);
	}

	/* As a document: in, searched, out, and the index still agrees. */
	sqlite3_reset(ins);
	sqlite3_bind_text(ins, 1, (const char *)data, (int)size, SQLITE_STATIC);
	if (sqlite3_step(ins) != SQLITE_DONE ||
	    sqlite3_exec(db, "INSERT INTO t (rowid, x) SELECT id, x FROM src", NULL, NULL, NULL) != SQLITE_OK)
		abort();
	/* As a query string (quotes doubled), plain and stemmed. */
	q = malloc(2 * size + 4);
	for (int stem = 0; stem < 2; stem++) {
		qn = 1;
		if (stem)
			q[qn++] = SEARCH_TOK_STEM[0];
		for (size_t i = 0; i < size; i++) {
			if (data[i] == 0)
				continue;   /* a string ends there */
			if (data[i] == '"')
				q[qn++] = '"';
			q[qn++] = (char)data[i];
		}
		q[qn++] = '"';
		sqlite3_reset(match);
		sqlite3_bind_text(match, 1, q, (int)qn, SQLITE_STATIC);
		int rc = sqlite3_step(match);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE && sqlite3_errcode(db) != SQLITE_ERROR)
			abort();
	}
	free(q);
	sqlite3_reset(match);
	if (sqlite3_exec(db, "INSERT INTO t (t, rowid, x) SELECT 'delete', id, x FROM src;"
	    "DELETE FROM src;", NULL, NULL, NULL) != SQLITE_OK)
		abort();
	if (++runs % 64 == 0 &&
	    sqlite3_exec(db, "INSERT INTO t (t) VALUES ('integrity-check')", NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "index inconsistent: %s\n", sqlite3_errmsg(db));
		abort();
	}
	return 0;
}
