/* search: see search.h. Costs, from notes/measured.md: FTS5's bm25 scores every
 * match and counts every document of every phrase, so a word found in a million
 * documents costs seconds. Here the only unbounded-looking step, counting, stops at
 * SEARCH_RANK_CAP + 1 rows; ranking sees at most SEARCH_RANK_CAP rows; snippets are
 * made for the page of hits only, from text capped at ingest. */
#include "catalogue/search.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue/search_int.h"
#include "catalogue/search_tok.h"
#include "base/log.h"
#include "base/text.h"
#include "base/util.h"


static size_t
count_chars(const char *s)
{
	size_t k = 0;

	for (; *s; s++)
		k += ((unsigned char)*s & 0xc0) != 0x80;
	return k;
}

static int
is_ascii_word(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

static int
is_word_byte(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
}

/* Append s[0..n) to b, replacing invalid UTF-8 by U+FFFD and control bytes (except
 * keep_markers' \x02 and \x03) by spaces. */
void
search_utf8_clean_(strbuf_t *b, const char *s, size_t n, int keep_markers)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		unsigned char ch = p[i];
		size_t len;
		if (ch < 0x80) {
			if (ch < 0x20 || ch == 0x7f)
				strbuf_addc(b, (keep_markers && (ch == 2 || ch == 3)) ? (char)ch : ' ');
			else
				strbuf_addc(b, (char)ch);
			i++;
			continue;
		}
		uint32_t cp;
		len = text_utf8_next(p + i, n - i, &cp);
		int valid = len > 1;   /* one byte at or above 0x80: not UTF-8 */
		if (valid) {
			strbuf_add(b, p + i, len);
			i += len;
		} else {
			strbuf_adds(b, "\xef\xbf\xbd");
			i++;
		}
	}
}

void
search_parse(const char *input, size_t len, search_query_t *q)
{
	strbuf_t clean, phrase;
	const char *s;
	size_t n, i = 0;

	memset(q, 0, sizeof(*q));
	if (len > SEARCH_MAX_INPUT) {
		len = SEARCH_MAX_INPUT;
		q->dropped = 1;
	}
	strbuf_init(&clean);
	strbuf_init(&phrase);
	search_utf8_clean_(&clean, input, len, 0);
	s = clean.s ? clean.s : "";
	n = clean.len;
	while (i < n) {
		int quoted = 0, words = 0, prefix = 0;
		if (s[i] == '"') {
			quoted = 1;
			i++;
		} else if (!is_word_byte((unsigned char)s[i])) {
			i++;
			continue;
		}
		strbuf_reset(&phrase);
		/* One word unquoted; up to the closing quote (or the end) quoted. */
		while (i < n && (quoted ? s[i] != '"' : is_word_byte((unsigned char)s[i]))) {
			size_t start = i, wl;
			if (!is_word_byte((unsigned char)s[i])) {
				i++;
				continue;
			}
			while (i < n && is_word_byte((unsigned char)s[i]))
				i++;
			wl = i - start;
			if (wl > SEARCH_MAX_WORD) {
				wl = SEARCH_MAX_WORD;
				while (wl > 0 && ((unsigned char)s[start + wl] & 0xc0) == 0x80)
					wl--;   /* cut on a character boundary */
				q->dropped = 1;
			}
			if (words == SEARCH_MAX_WORDS) {
				q->dropped = 1;
				continue;
			}
			if (words++)
				strbuf_addc(&phrase, ' ');
			strbuf_add(&phrase, s + start, wl);
		}
		if (quoted && i < n)
			i++;   /* closing quote */
		else if (!quoted && i < n && s[i] == '*') {
			i++;
			/* Short prefixes would merge thousands of terms: a plain word instead. */
			prefix = phrase.len > 0 && count_chars(phrase.s) >= 3;
			if (!prefix && phrase.len > 0)
				q->short_prefix = 1;
		}
		if (words == 0)
			continue;
		int dup = 0;
		for (int k = 0; k < q->n; k++)
			if (q->prefix[k] == prefix && strcmp(q->phrase[k], phrase.s) == 0)
				dup = 1;
		if (dup)
			continue;
		if (q->n == SEARCH_MAX_PHRASES) {
			q->dropped = 1;
			break;
		}
		q->prefix[q->n] = prefix;
		/* Stems for plain English words only: a quoted word is meant as written. */
		q->stem[q->n] = !quoted && !prefix && words == 1 && phrase.len >= 3 && is_ascii_word(phrase.s);
		q->phrase[q->n++] = xstrdup(phrase.s);
	}
	strbuf_release(&clean);
	strbuf_release(&phrase);
}

void
search_query_clear(search_query_t *q)
{
	for (int i = 0; i < q->n; i++) {
		free(q->phrase[i]);
		free(q->expansion[i]);
	}
	memset(q, 0, sizeof(*q));
}

/* Phrases hold only word bytes and spaces, so quoting them needs no escaping.
 * A stemmed word is (the word OR its stems), in that order: bs_rank counts
 * the first as the exact form. */
static void
add_phrase(strbuf_t *b, const search_query_t *q, int i, enum search_form form)
{
	if (form != SEARCH_FORM_TRIGRAM && q->expansion[i]) {
		strbuf_adds(b, q->expansion[i]);
		return;
	}
	if (form == SEARCH_FORM_STEMS && q->stem[i]) {
		strbuf_addf(b, "(\"%s\" OR \"" SEARCH_TOK_STEM "%s\")", q->phrase[i], q->phrase[i]);
		return;
	}
	strbuf_addc(b, '"');
	strbuf_adds(b, q->phrase[i]);
	strbuf_addc(b, '"');
	if (form != SEARCH_FORM_TRIGRAM && q->prefix[i])
		strbuf_adds(b, " *");
}

/* How many FTS5 phrases add_phrase writes for phrase i. */
static int
phrase_terms(const search_query_t *q, int i, enum search_form form)
{
	if (form == SEARCH_FORM_TRIGRAM)
		return 1;
	if (q->expansion[i])
		return q->nterms[i] > 0 ? q->nterms[i] : 1;
	return form == SEARCH_FORM_STEMS && q->stem[i] ? 2 : 1;
}

char *
search_query_fts_for(const search_query_t *q, enum search_form form)
{
	strbuf_t b;

	strbuf_init(&b);
	if (q->n == 0)
		return strbuf_detach(&b);
	strbuf_adds(&b, "{title path body} : (");
	/* Explicit AND: FTS5 has no implicit AND next to a parenthesised group. */
	for (int i = 0; i < q->n; i++) {
		if (i)
			strbuf_adds(&b, " AND ");
		add_phrase(&b, q, i, form);
	}
	strbuf_addc(&b, ')');
	return strbuf_detach(&b);
}

char *
search_query_fts(const search_query_t *q)
{
	return search_query_fts_for(q, SEARCH_FORM_STEMS);
}

/* --- running a query --- */

/* Count matches of expr in index tab among rowids above min_rowid and in
 * pass (a filter's matches, NULL: no filter), stopping at cap; -1 on error. */
static int64_t
count_in(sqlite3 *db, const char *tab, const char *expr, int64_t cap, int64_t min_rowid, const search_pass_t *pass)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;
	char *sql = xasprintf("SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s MATCH ?1 AND rowid > ?3%s LIMIT ?2)",
	    tab, tab, pass ? SEARCH_PASS_SQL : "");

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		goto done;
	if (pass)
		search_pass_bind_(s, pass);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cap);
	/* Attachments have negative rowids: 0 (the whole catalogue) must take them in. */
	sqlite3_bind_int64(s, 3, min_rowid > 0 ? min_rowid : INT64_MIN);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
done:
	if (n < 0)
		log_warn("search failed: %s", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	free(sql);
	return n;
}

static int64_t
count_capped(sqlite3 *db, const char *tab, const char *expr, int64_t cap, int64_t min_rowid)
{
	return count_in(db, tab, expr, cap, min_rowid, NULL);
}

static int64_t
catalogue_docs(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 1;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(sum(files), 0) FROM collections", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n > 0 ? n : 1;
}

static void
set_message(search_result_t *r, const char *msg)
{
	free(r->message);
	r->message = xstrdup(msg);
}

/* Replace q's prefixes by the first SEARCH_PREFIX_TERMS indexed words that start
 * with them. Each word is one seek in the index's vocabulary: an fts5vocab
 * 'instance' cursor stops at the word's first occurrence, while a 'row' cursor
 * counts every occurrence before it returns the word (officer* took ~100 ms on
 * 1M files for the counts alone). fts5vocab reads `term > x` as `term >= x`,
 * so the next word is sought from x followed by a NUL byte, which sorts right
 * after x and is in no word. 0, or -1 on error. */
static int
expand_prefixes(sqlite3 *db, search_query_t *q)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	for (int i = 0; i < q->n; i++) {
		strbuf_t lo, hi, exp;
		int n = 0, step = SQLITE_DONE;

		if (!q->prefix[i] || q->expansion[i])
			continue;
		if (s == NULL && (sqlite3_exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms"
		    " USING fts5vocab(main, 'fts', 'instance')", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, "SELECT term FROM temp.fts_terms WHERE term >= ?1 AND term < ?2 LIMIT 1",
		    -1, &s, NULL) != SQLITE_OK))
			goto done;
		/* The index holds folded words (case, accents, Arabic forms): its
		 * own tokenizer says how this one reads there (Über* is uber*). */
		strbuf_init(&lo);
		if (search_tok_index_form(db, q->phrase[i], strlen(q->phrase[i]), &lo) < 0 || lo.len == 0) {
			strbuf_reset(&lo);
			for (const char *p = q->phrase[i]; *p; p++)
				strbuf_addc(&lo, (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p);
		}
		strbuf_init(&hi);
		strbuf_adds(&hi, lo.s);
		strbuf_adds(&hi, "\xf4\x8f\xbf\xbf");   /* above every word with this prefix */
		strbuf_init(&exp);
		strbuf_addc(&exp, '(');
		while (n < SEARCH_PREFIX_TERMS) {
			const char *t;
			int tlen;
			sqlite3_reset(s);
			sqlite3_bind_text(s, 1, lo.s, (int)lo.len, SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 2, hi.s, (int)hi.len, SQLITE_STATIC);
			if ((step = sqlite3_step(s)) != SQLITE_ROW)
				break;
			t = (const char *)sqlite3_column_text(s, 0);
			tlen = sqlite3_column_bytes(s, 0);
			if (n++)
				strbuf_adds(&exp, " OR ");
			strbuf_addc(&exp, '"');
			for (int k = 0; k < tlen; k++) {
				if (t[k] == '"')
					strbuf_addc(&exp, '"');   /* FTS5 string quoting */
				strbuf_addc(&exp, t[k]);
			}
			strbuf_addc(&exp, '"');
			/* Next seek: right after this word. */
			strbuf_reset(&lo);
			strbuf_add(&lo, t, (size_t)tlen);
			strbuf_addc(&lo, '\0');
		}
		/* No such word: a word that cannot match keeps the expression valid. */
		if (n == 0)
			strbuf_adds(&exp, "\"\"");
		strbuf_addc(&exp, ')');
		sqlite3_reset(s);
		strbuf_release(&lo);
		strbuf_release(&hi);
		if (step != SQLITE_DONE && step != SQLITE_ROW) {
			strbuf_release(&exp);
			goto done;
		}
		q->expansion[i] = strbuf_detach(&exp);
		q->nterms[i] = n;
	}
	rc = 0;
done:
	sqlite3_finalize(s);
	return rc;
}

/* A phrase whose every word is common costs a position check in each document
 * that has them all, however few match: "body camera footage" took 160-240 ms on
 * 1M files. Return the rowid above which such a query searches (the
 * SEARCH_PHRASE_WINDOW most recent files), 0 for the whole catalogue, -1 on error. */
static int64_t
phrase_window(sqlite3 *db, const char *tab, const search_query_t *q)
{
	sqlite3_stmt *s = NULL;
	int64_t maxid = 0;

	/* In the trigram index a phrase of 4+ characters is a phrase of trigrams,
	 * with the same cost: how many files hold up to 8 of its trigrams (all,
	 * or spread from first to last) bounds it from above. */
	for (int i = 0; strcmp(tab, "fts_cjk") == 0 && i < q->n; i++) {
		size_t off[SEARCH_MAX_WORDS * (SEARCH_MAX_WORD + 1) + 1], nch = 0, len = strlen(q->phrase[i]), ntri;
		const char *p = q->phrase[i];
		strbuf_t e;
		int64_t k;
		for (size_t b = 0; b < len && nch + 1 < ARRAY_LEN(off); b++)
			if (((unsigned char)p[b] & 0xc0) != 0x80)
				off[nch++] = b;
		off[nch] = len;
		if (nch < 4)
			continue;
		ntri = nch - 2;
		strbuf_init(&e);
		strbuf_adds(&e, "{title path body} : (");
		for (size_t j = 0; j < (ntri < 8 ? ntri : 8); j++) {
			size_t at = ntri <= 8 ? j : j * (ntri - 1) / 7;
			strbuf_addf(&e, "%s\"%.*s\"", j ? " AND " : "", (int)(off[at + 3] - off[at]), p + off[at]);
		}
		strbuf_addc(&e, ')');
		k = count_capped(db, tab, e.s, SEARCH_COMMON + 1, 0);
		strbuf_release(&e);
		if (k < 0)
			return -1;
		if (k > SEARCH_COMMON)
			goto expensive;
	}
	for (int i = 0; i < q->n; i++) {
		int common = 1;
		const char *w = q->phrase[i];
		if (q->prefix[i] || strchr(w, ' ') == NULL)
			continue;
		while (*w && common) {
			size_t len = strcspn(w, " ");
			char *one = xasprintf("{title path body} : \"%.*s\"", (int)len, w);
			int64_t k = count_capped(db, tab, one, SEARCH_COMMON + 1, 0);
			free(one);
			if (k < 0)
				return -1;
			common = k > SEARCH_COMMON;
			w += len;
			while (*w == ' ')
				w++;
		}
		if (common)
			goto expensive;
	}
	return 0;
expensive:
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM files", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		maxid = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return maxid > SEARCH_PHRASE_WINDOW ? maxid - SEARCH_PHRASE_WINDOW : 0;
}

/* sql with each '@' replaced by the index's name (caller frees). */
static char *
tab_sql(const char *sql, const char *tab)
{
	strbuf_t b;

	strbuf_init(&b);
	for (; *sql; sql++)
		if (*sql == '@')
			strbuf_adds(&b, tab);
		else
			strbuf_addc(&b, *sql);
	return strbuf_detach(&b);
}

/* The ranked rowids of expr in tab and in pass (NULL: no filter), [offset,
 * offset + want): among every match, or over_cap among the SEARCH_RANK_CAP
 * newest; appended to ids. */
static int
rank_ids(sqlite3 *db, const char *tab, const char *expr, int over_cap, const double *idf, const unsigned char *kinds,
    int nidf, int64_t min_rowid, int64_t offset, int64_t want, int64_t *ids, size_t *nids, const search_pass_t *pass)
{
	sqlite3_stmt *s = NULL;
	const char *fs = pass ? SEARCH_PASS_SQL : "";
	char *form = xasprintf(over_cap ?
	    "SELECT id FROM (SELECT rowid AS id, bs_rank(@, ?4, ?7) AS score FROM @ WHERE @ MATCH ?1"
	    " AND rowid > ?6%s ORDER BY rowid DESC LIMIT ?5) ORDER BY score, id DESC LIMIT ?2 OFFSET ?3" :
	    "SELECT rowid FROM @ WHERE @ MATCH ?1 AND rowid > ?6%s ORDER BY bs_rank(@, ?4, ?7), rowid DESC"
	    " LIMIT ?2 OFFSET ?3", fs);
	char *sql = tab_sql(form, tab);
	int rc = -1, step = SQLITE_DONE;

	free(form);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		goto done;
	if (pass)
		search_pass_bind_(s, pass);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, want);
	sqlite3_bind_int64(s, 3, offset);
	sqlite3_bind_blob(s, 4, idf, (int)(nidf * sizeof(double)), SQLITE_STATIC);
	if (over_cap)
		sqlite3_bind_int(s, 5, SEARCH_RANK_CAP);
	sqlite3_bind_int64(s, 6, min_rowid > 0 ? min_rowid : INT64_MIN);
	sqlite3_bind_blob(s, 7, kinds, nidf, SQLITE_STATIC);
	while (want-- > 0 && (step = sqlite3_step(s)) == SQLITE_ROW)
		ids[(*nids)++] = sqlite3_column_int64(s, 0);
	rc = step == SQLITE_DONE || step == SQLITE_ROW ? 0 : -1;
done:
	sqlite3_finalize(s);
	free(sql);
	return rc;
}

/* The IDF and kind of each FTS5 phrase of q's expression in form, after the
 * collection's (coll: 1 if there is one); their number. */
static int
phrase_weights(const search_query_t *q, enum search_form form, const double *pidf, int coll, double *idf,
    unsigned char *kinds)
{
	int n = 0;

	if (coll) {
		idf[n] = 0;
		kinds[n++] = 0;
	}
	for (int i = 0; i < q->n; i++) {
		int k = phrase_terms(q, i, form);
		for (int j = 0; j < k && n < SEARCH_RANK_PHRASES; j++) {
			idf[n] = pidf[i];
			kinds[n++] = form == SEARCH_FORM_STEMS && q->stem[i] && j == 0 ? SEARCH_KIND_EXACT : 0;
		}
	}
	return n;
}

/* Query in form, with the collection filter if coll_id > 0 (caller frees). */
static char *
query_expr(const search_query_t *q, enum search_form form, int64_t coll_id)
{
	char *expr = search_query_fts_for(q, form), *full;

	if (coll_id <= 0)
		return expr;
	/* The collection is a column of the index, so the filter is part of the match;
	 * bracketed in the trigram index, where "c1" would be found in "c12". */
	full = xasprintf(form == SEARCH_FORM_TRIGRAM ? "coll : \"{c%lld}\" AND %s" : "coll : \"c%lld\" AND %s",
	    (long long)coll_id, expr);
	free(expr);
	return full;
}

/* The sentences a search tells the reader. The site translates a result's
 * message by its English text (i18n_tr), so each is marked for po-extract.sh,
 * which reads catalogue/ too, and is in every catalogue of web/po/: the
 * catalogue needs nothing of site/. xgettext reads literals only, so the
 * numbers are written out, and checked here. */
#define N_(s) (s)
_Static_assert(SEARCH_RANK_CAP == 1000 && SEARCH_FILTER_SCAN == 20000 && SEARCH_PHRASE_WINDOW == 100000,
    "the messages below give these numbers");
#define MSG_UNSPACED N_("Text written without spaces between words (Chinese, Japanese, Korean, Thai and others) " \
	"is searched by 3 characters or more; shorter words are found only where they stand apart.")
#define MSG_SHORT_PREFIX N_("A prefix needs 3 letters before the *; a shorter one is searched as a whole word.")
#define MSG_FILTER_WINDOW N_("More than 20,000 documents hold your words; only the 20,000 most recently " \
	"catalogued were filtered. Add a word to reach the others.")
#define MSG_NO_WORDS N_("Your search has no words to look for; try plain words.")
#define MSG_EMPTY N_("Type one or more words to search for.")
#define MSG_NO_COLLECTION N_("There is no collection by that name.")
#define MSG_UNAVAILABLE N_("Search is unavailable right now.")
#define MSG_NOTHING N_("Nothing matched your search.")
#define MSG_COMMON_PHRASE N_("Your phrase is made of very common words, so only the 100,000 most " \
	"recently catalogued files were searched for it.")
#define MSG_RANK_CAP N_("More than 1,000 documents match; these are the best among the 1,000 most " \
	"recently catalogued. Add a word to narrow your search.")
#define MSG_DROPPED N_("Your search was long; only its first words were used.")
#define MSG_FAILED N_("Search is unavailable right now; please try again later.")

int
search_run(cat_t *c, const char *query, const char *collection_slug, int64_t offset, int limit,
    search_result_t *out)
{
	search_filter_t f = { .collection = collection_slug };

	return search_run_filtered(c, query, &f, offset, limit, out);
}

int
search_run_filtered(cat_t *c, const char *query, const search_filter_t *f, int64_t offset, int limit,
    search_result_t *out)
{
	const char *collection_slug = f ? f->collection : NULL;
	sqlite3 *db = cat_db(c);
	search_query_t q;
	sqlite3_stmt *s = NULL;
	char *full = NULL, *exact = NULL, *sql = NULL;
	double pidf[SEARCH_MAX_PHRASES], idf[SEARCH_RANK_PHRASES], eidf[SEARCH_RANK_PHRASES];
	unsigned char kinds[SEARCH_RANK_PHRASES], ekinds[SEARCH_RANK_PHRASES];
	int64_t count, ndocs, *ids = NULL, min_rowid, coll_id = 0, ne = 0;
	size_t nids = 0;
	int rc = -1, nidf, unspaced = 0, short_unspaced = 0, has_stems = 0, common_phrase, windowed = 0;
	search_pass_t passed = { NULL, 0 }, *pass = NULL;
	enum search_form form = SEARCH_FORM_STEMS;
	const char *tab = "fts";

	memset(out, 0, sizeof(*out));
	if (cat_first_use(c, CAT_ONCE_SEARCH) && search_register(db) < 0) {
		log_err("cannot register the search ranking function");
		return -1;
	}
	search_parse(query ? query : "", query ? strlen(query) : 0, &q);
	if (q.n == 0) {
		set_message(out, q.short_prefix ? MSG_SHORT_PREFIX : query && *query ? MSG_NO_WORDS : MSG_EMPTY);
		rc = 0;
		goto done;
	}
	if (limit < 1)
		limit = 1;
	if (limit > SEARCH_MAX_LIMIT)
		limit = SEARCH_MAX_LIMIT;
	if (offset < 0)
		offset = 0;
	/* Text without spaces between words is one long word to the main index:
	 * its words are found as substrings of 3+ characters in the trigram index
	 * (which holds every document with such text, its Latin words too). */
	for (int i = 0; i < q.n; i++)
		unspaced |= search_tok_unspaced(q.phrase[i], strlen(q.phrase[i]), 1) > 0;
	for (int i = 0; unspaced && i < q.n; i++)
		short_unspaced |= count_chars(q.phrase[i]) < 3;
	if (unspaced && !short_unspaced && cat_version(c) >= 7) {
		form = SEARCH_FORM_TRIGRAM;
		tab = "fts_cjk";
	}
	for (int i = 0; form == SEARCH_FORM_STEMS && i < q.n; i++)
		has_stems |= q.stem[i];
	if (form != SEARCH_FORM_TRIGRAM && expand_prefixes(db, &q) < 0)
		goto fail;
	if (collection_slug && *collection_slug) {
		cat_collection_t col;
		int found = cat_collection_get(c, collection_slug, &col);
		if (found != 0) {
			set_message(out, found == 1 ? MSG_NO_COLLECTION : MSG_UNAVAILABLE);
			rc = found == 1 ? 0 : -1;
			goto done;
		}
		coll_id = col.id;
		cat_collection_clear(&col);
	}
	if ((min_rowid = phrase_window(db, tab, &q)) < 0)
		goto fail;
	common_phrase = min_rowid > 0;
	/* A filter checks each match's file: only the newest matches are
	 * checked, as many as a search may walk. */
	if (search_filter_narrows(f)) {
		char *all = query_expr(&q, form, coll_id);
		min_rowid = search_filter_pass_(db, tab, all, min_rowid, f, &passed, &windowed);
		free(all);
		if (min_rowid < 0)
			goto fail;
		pass = &passed;
		out->filter_windowed = windowed;
	}
	/* Stems only when they add to what is shown: with more than the
	 * ranking cap of exact matches, the first pages would hold nothing else,
	 * and the search costs what it did without stems. */
	if (has_stems) {
		exact = query_expr(&q, SEARCH_FORM_EXACT, coll_id);
		if ((ne = count_in(db, tab, exact, SEARCH_RANK_CAP + 1, min_rowid, pass)) < 0)
			goto fail;
		if (ne > SEARCH_RANK_CAP) {
			form = SEARCH_FORM_EXACT;
			has_stems = 0;
		}
	}
	full = query_expr(&q, form, coll_id);
	if (form == SEARCH_FORM_EXACT)
		count = ne;
	else if ((count = count_in(db, tab, full, SEARCH_RANK_CAP + 1, min_rowid, pass)) < 0)
		goto fail;
	out->total = count;
	if (short_unspaced)
		set_message(out, MSG_UNSPACED);
	else if (q.short_prefix)
		set_message(out, MSG_SHORT_PREFIX);
	if (count == 0) {
		if (out->message == NULL)
			set_message(out, windowed ? MSG_FILTER_WINDOW : MSG_NOTHING);
		rc = 0;
		goto done;
	}
	/* IDF from bounded per-phrase counts; a capped count means "common". */
	ndocs = catalogue_docs(db);
	for (int i = 0; i < q.n; i++) {
		double n = 1;
		if (q.n > 1) {
			strbuf_t one;
			strbuf_init(&one);
			strbuf_adds(&one, "{title path body} : ");
			add_phrase(&one, &q, i, form);
			int64_t k = count_capped(db, tab, one.s, SEARCH_COMMON + 1, min_rowid);
			strbuf_release(&one);
			if (k < 0)
				goto fail;
			n = k > SEARCH_COMMON ? (double)(ndocs / 4 > k ? ndocs / 4 : k) : (double)k;
		}
		pidf[i] = log(((double)ndocs - n + 0.5) / (n + 0.5) + 1.0);
	}
	nidf = phrase_weights(&q, form, pidf, coll_id > 0, idf, kinds);
	if (windowed)
		set_message(out, MSG_FILTER_WINDOW);
	if (common_phrase)
		set_message(out, MSG_COMMON_PHRASE);
	if (count > SEARCH_RANK_CAP) {
		out->total = SEARCH_RANK_CAP;
		out->total_is_estimate = 1;
		set_message(out, MSG_RANK_CAP);
	}
	if (offset >= SEARCH_RANK_CAP) {
		rc = 0;
		goto done;
	}
	ids = xcalloc((size_t)(offset + limit + 2 * SEARCH_RANK_CAP + 1), sizeof(*ids));
	if (count <= SEARCH_RANK_CAP || !has_stems) {
		if (rank_ids(db, tab, full, count > SEARCH_RANK_CAP, idf, kinds, nidf, min_rowid, offset, limit,
		    ids, &nids, pass) < 0)
			goto fail;
	} else {
		/* Too many to rank all, with stems (and at most SEARCH_RANK_CAP
		 * exact matches): the exact forms' matches are not to be lost among
		 * the newest of the stems'. They are all ranked first. */
		int ne_idf = phrase_weights(&q, SEARCH_FORM_EXACT, pidf, coll_id > 0, eidf, ekinds);
		if (ne == 0) {
			if (rank_ids(db, tab, full, 1, idf, kinds, nidf, min_rowid, offset, limit, ids, &nids, pass) < 0)
				goto fail;
		} else {
			size_t na = 0, nb, k = 0;
			if (rank_ids(db, tab, exact, 0, eidf, ekinds, ne_idf, min_rowid, 0, ne, ids, &na, pass) < 0)
				goto fail;
			nb = na;
			if (rank_ids(db, tab, full, 1, idf, kinds, nidf, min_rowid, 0, offset + limit + (int64_t)na, ids, &nb, pass) < 0)
				goto fail;
			/* The exact ones, then the others; keep [offset, offset + limit). */
			for (size_t i = 0; i < nb; i++) {
				int seen = 0;
				for (size_t j = 0; i >= na && j < na && !seen; j++)
					seen = ids[j] == ids[i];
				if (!seen)
					ids[k++] = ids[i];
			}
			nids = 0;
			for (size_t i = (size_t)offset; i < k && nids < (size_t)limit; i++)
				ids[nids++] = ids[i];
		}
	}
	/* A hit on an attachment (a negative rowid, a row of parts) is shown as
	 * its file, with the attachment's name. A catalogue from before parts
	 * (read-only, not yet upgraded) has only files. */
	sql = tab_sql("SELECT f.path, f.size, c.slug,"
	    " coalesce(nullif(snippet(@, 2, x'02', x'03', '…', 24), ''), snippet(@, 0, x'02', x'03', '…', 24)),"
	    " p.name, (SELECT count(*) FROM parts q WHERE q.file_id = p.file_id AND q.id >= p.id),"
	    " nullif(coalesce(p.title, d.title), ''), f.mime, f.mtime,"
	    " CASE WHEN p.id IS NULL AND f.mime = 'application/pdf' THEN d.body END"
	    " FROM @ LEFT JOIN parts p ON p.id = @.rowid"
	    " JOIN files f ON f.id = coalesce(p.file_id, @.rowid) JOIN collections c ON c.id = f.collection_id"
	    " LEFT JOIN docs d ON d.id = f.id"
	    " WHERE @ MATCH ?1 AND @.rowid = ?2", tab);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT f.path, f.size, c.slug,"
	    " coalesce(nullif(snippet(fts, 2, x'02', x'03', '…', 24), ''), snippet(fts, 0, x'02', x'03', '…', 24))"
	    " FROM fts JOIN files f ON f.id = fts.rowid JOIN collections c ON c.id = f.collection_id"
	    " WHERE fts MATCH ?1 AND fts.rowid = ?2", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	out->hits = xcalloc(nids ? nids : 1, sizeof(*out->hits));
	for (size_t i = 0; i < nids; i++) {
		int r = search_hit_fetch_(s, full, ids[i], &out->hits[out->n]);
		if (r < 0)
			goto fail;
		if (r == 0)
			out->n++;
	}
	if (q.dropped && out->message == NULL)
		set_message(out, MSG_DROPPED);
	rc = 0;
	goto done;
fail:
	log_warn("search failed: %s", sqlite3_errmsg(db));
	set_message(out, MSG_FAILED);
	rc = -1;
done:
	sqlite3_finalize(s);
	search_query_clear(&q);
	free(passed.ids);
	free(ids);
	free(full);
	free(exact);
	free(sql);
	return rc;
}

void
search_result_clear(search_result_t *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->hits[i].slug);
		free(r->hits[i].path);
		free(r->hits[i].part);
		free(r->hits[i].title);
		free(r->hits[i].mime);
		free(r->hits[i].snippet);
	}
	free(r->hits);
	free(r->message);
	memset(r, 0, sizeof(*r));
}
