/* test_search_tok: the main index's word folding (Arabic, Persian, Hebrew),
 * attached articles, stems, and which text goes to the trigram index; through
 * the functions and through a real FTS5 table with the `bs` tokenizer. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "unit_sql.h"
#include "catalogue/search_tok.h"

static const struct {
	const char *in, *want;
} fold_cases[] = {
	{ "police", "police" },
	{ "أحمد", "احمد" },                          /* alef with hamza above */
	{ "إسلام", "اسلام" },                        /* alef with hamza below */
	{ "آخر", "اخر" },                            /* alef with madda */
	{ "الشُّرْطَة", "الشرطه" },                   /* harakat, teh marbuta */
	{ "مـــدير", "مدير" },                       /* tatweel */
	{ "مستشفى", "مستشفي" },                      /* alef maqsura */
	{ "مسئول", "مسيول" },                        /* yeh with hamza */
	{ "مؤتمر", "موتمر" },                        /* waw with hamza */
	{ "کتاب", "كتاب" },                          /* Persian kaf */
	{ "پلیس", "پليس" },                          /* Farsi yeh */
	{ "می\u200cخواهم", "ميخواهم" },              /* ZWNJ inside a Persian word */
	{ "שָׁלוֹם", "שלום" },                        /* niqqud */
	{ "infor\u00admation", "information" },      /* soft hyphen */
	{ "警察", "警察" },
	{ "straße", "straße" },
	{ "\xff\xfe", "\xff\xfe" },                  /* not UTF-8: kept */
	{ "\u0640\u064e", "" },                      /* nothing but tatweel and a mark */
};

static void
t_fold(void)
{
	char out[SEARCH_TOK_MAX_WORD], big[SEARCH_TOK_MAX_WORD + 2];

	for (size_t i = 0; i < sizeof(fold_cases) / sizeof(fold_cases[0]); i++) {
		int n = search_tok_fold(fold_cases[i].in, strlen(fold_cases[i].in), out);
		ok(n >= 0 && (size_t)n == strlen(fold_cases[i].want) && memcmp(out, fold_cases[i].want, (size_t)n) == 0,
		    "fold '%s' -> '%.*s', want '%s'", fold_cases[i].in, n > 0 ? n : 0, out, fold_cases[i].want);
	}
	memset(big, 'a', sizeof(big));
	is_int(search_tok_fold(big, sizeof(big), out), -1, "a word too long to fold");
	/* Every Arabic character folded grows by nothing: the buffer always holds it. */
	for (int i = 0; i < SEARCH_TOK_MAX_WORD / 2; i++)
		memcpy(big + 2 * i, "\xd8\xa3", 2);   /* أ */
	is_int(search_tok_fold(big, SEARCH_TOK_MAX_WORD, out), SEARCH_TOK_MAX_WORD, "a full word of alefs");
}

static void
t_proclitic(void)
{
	static const struct {
		const char *w;
		int articles_only;
		const char *rest;   /* "" = nothing stripped */
	} cases[] = {
		{ "الشرطه", 1, "شرطه" },
		{ "والشرطه", 1, "شرطه" },
		{ "بالشرطه", 1, "شرطه" },
		{ "للشرطه", 1, "شرطه" },
		{ "فالشرطه", 0, "شرطه" },
		{ "وشرطه", 1, "" },          /* a query keeps و attached */
		{ "وشرطه", 0, "شرطه" },      /* the index has both */
		{ "بيت", 0, "" },            /* ب + 2 letters: a word, not a prefix */
		{ "الي", 1, "" },            /* too short once stripped */
		{ "شرطه", 0, "" },
		{ "המשטרה", 1, "משטרה" },
		{ "והמשטרה", 1, "משטרה" },
		{ "משטרה", 1, "" },
		{ "police", 0, "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].w), off = search_tok_proclitic(cases[i].w, n, cases[i].articles_only);
		const char *rest = off ? cases[i].w + off : "";
		ok(strcmp(rest, cases[i].rest) == 0, "'%s' (%s) -> '%s', want '%s'", cases[i].w,
		    cases[i].articles_only ? "query" : "index", rest, cases[i].rest);
	}
}

static void
t_unspaced(void)
{
	ok(search_tok_is_unspaced(0x8b66), "CJK");
	ok(search_tok_is_unspaced(0x3042), "Hiragana");
	ok(search_tok_is_unspaced(0x0e01), "Thai");
	ok(search_tok_is_unspaced(0x1780), "Khmer");
	ok(search_tok_is_unspaced(0x1000), "Myanmar");
	ok(search_tok_is_unspaced(0xac00), "Hangul");
	ok(search_tok_is_unspaced(0x20000), "CJK ext. B");
	ok(!search_tok_is_unspaced('a'), "Latin");
	ok(!search_tok_is_unspaced(0x0634), "Arabic");
	ok(!search_tok_is_unspaced(0x3002), "CJK full stop alone");
	is_int(search_tok_unspaced("abc 警察报告", strlen("abc 警察报告"), 100), 4, "four CJK characters");
	is_int(search_tok_unspaced("abc 警察报告", strlen("abc 警察报告"), 1), 1, "counting stops");
	is_int(search_tok_unspaced("police \xe8\xad", 10, 10), 0, "a cut character is none");
}

/* Rowids that match expr, as a string "1 3". */
static char *
t_match(sqlite3 *db, const char *expr)
{
	static char out[256];
	sqlite3_stmt *s = NULL;
	size_t n = 0;

	out[0] = 0;
	if (sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid", -1, &s, NULL) != SQLITE_OK)
		return "error";
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW && n + 24 < sizeof(out))
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%lld", n ? " " : "", (long long)sqlite3_column_int64(s, 0));
	sqlite3_finalize(s);
	return out;
}

static void
t_index(void)
{
	sqlite3 *db = NULL;

	ok(sqlite3_open(":memory:", &db) == SQLITE_OK && search_tok_register(db) == 0, "register");
	ok(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='bs');"
	    "INSERT INTO t (rowid, x) VALUES (1, 'The officers filed their reports.'),"
	    " (2, 'An officer wrote a report.'), (3, 'أصدرت الشُّرْطَة تقريرا'), (4, 'وقال مـدير الأمن'),"
	    " (5, 'המשטרה פרסמה דוח'), (6, 'پلیس می' || char(0x200c) || 'خواهد'), (7, 'Die Straße in München'),"
	    " (8, 'वह शर्त जीत गया'), (9, 'policy')", NULL, NULL, NULL) == SQLITE_OK, "index: %s", sqlite3_errmsg(db));
	is_str(t_match(db, "\"officer\""), "2", "the exact form");
	is_str(t_match(db, "\"officers\""), "1", "the exact plural");
	is_str(t_match(db, "\"" SEARCH_TOK_STEM "officer\""), "1 2", "stems: officer finds officers");
	is_str(t_match(db, "\"" SEARCH_TOK_STEM "reports\""), "1 2", "stems: reports finds report (no stem entry)");
	is_str(t_match(db, "\"" SEARCH_TOK_STEM "police\""), "", "police is not policy");
	is_str(t_match(db, "\"شرطة\""), "3", "the word without its article");
	is_str(t_match(db, "\"الشرطة\""), "3", "with it, unvowelled");
	is_str(t_match(db, "\"والشرطة\""), "3", "a query's article and conjunction");
	is_str(t_match(db, "\"مدير\""), "4", "tatweel");
	is_str(t_match(db, "\"امن\""), "4", "alef with hamza, article");
	is_str(t_match(db, "\"משטרה\""), "5", "Hebrew article");
	is_str(t_match(db, "\"پليس\""), "6", "Persian yeh either way");
	is_str(t_match(db, "\"میخواهد\""), "6", "Persian word with ZWNJ, typed without");
	is_str(t_match(db, "\"munchen\""), "7", "umlaut folded");
	is_str(t_match(db, "\"münchen\""), "7", "umlaut typed");
	is_str(t_match(db, "\"शर्त\""), "8", "a Devanagari word with a vowel mark stays whole");
	is_str(t_match(db, "\"offic\" *"), "1 2", "a prefix is as typed");
	is_str(t_match(db, "\"offic\""), "", "a stem is no word of the text");
	ok(sqlite3_exec(db, "INSERT INTO t (t) VALUES ('integrity-check')", NULL, NULL, NULL) == SQLITE_OK, "integrity");
	static const struct {
		const char *in, *want;
	} forms[] = { { "Über", "uber" }, { "MÜNCH", "munch" }, { "الشُّرْط", "الشرط" }, { "Police", "police" } };
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		strbuf_t b;
		strbuf_init(&b);
		ok(search_tok_index_form(db, forms[i].in, strlen(forms[i].in), &b) == 0 && b.s &&
		    strcmp(b.s, forms[i].want) == 0, "index form of '%s': '%s'", forms[i].in, b.s ? b.s : "");
		strbuf_release(&b);
	}
	is_int(unit_sql_int(db, "SELECT bs_unspaced('abc', NULL, '警察')"), 1, "bs_unspaced");
	is_int(unit_sql_int(db, "SELECT bs_unspaced('abc', 'شرطة')"), 0, "bs_unspaced: none");
	sqlite3_close(db);
}

int
main(int argc, char **argv)
{
	static const unit_case_t cases[] = {
		UNIT_CASE(t_fold),
		UNIT_CASE(t_proclitic),
		UNIT_CASE(t_unspaced),
		UNIT_CASE(t_index),
		UNIT_CASES_END,
	};
	return unit_main(cases, argc, argv);
}
