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

#include "base/log.h"
#include "base/text.h"
#include "base/util.h"

/* Column weights (title, path, body, coll): the collection marker never scores. */
static const double col_weight[] = { 4.0, 2.0, 1.0, 0.0 };

static int
is_word_byte(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch >= 0x80;
}

/* Append s[0..n) to b, replacing invalid UTF-8 by U+FFFD and control bytes (except
 * keep_markers' \x02 and \x03) by spaces. */
static void
utf8_clean(strbuf_t *b, const char *s, size_t n, int keep_markers)
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
	utf8_clean(&clean, input, len, 0);
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
			prefix = phrase.len >= 3;
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

/* Phrases hold only word bytes and spaces, so quoting them needs no escaping. */
static void
add_phrase(strbuf_t *b, const search_query_t *q, int i)
{
	if (q->expansion[i]) {
		strbuf_adds(b, q->expansion[i]);
		return;
	}
	strbuf_addc(b, '"');
	strbuf_adds(b, q->phrase[i]);
	strbuf_addc(b, '"');
	if (q->prefix[i])
		strbuf_adds(b, " *");
}

char *
search_query_fts(const search_query_t *q)
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
		add_phrase(&b, q, i);
	}
	strbuf_addc(&b, ')');
	return strbuf_detach(&b);
}

/* --- ranking --- */

/* bs_rank(fts, idf_blob): BM25 over weighted columns, with each phrase's IDF
 * supplied by the caller (from bounded counts). Lower is better, like bm25(). */
static void
rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	const double k1 = 1.2, b = 0.75;
	double tf[SEARCH_MAX_PHRASES + 1] = { 0 }, score = 0, avgdl = 1;
	const double *idf = NULL;
	int nphrase = api->xPhraseCount(fts), ninst = 0, dl = 0;
	sqlite3_int64 nrow = 0, ntok = 0;

	if (nphrase > SEARCH_MAX_PHRASES + 1)
		nphrase = SEARCH_MAX_PHRASES + 1;
	if (nval >= 1 && sqlite3_value_bytes(val[0]) >= (int)(nphrase * sizeof(double)))
		idf = sqlite3_value_blob(val[0]);
	if (api->xInstCount(fts, &ninst) != SQLITE_OK) {
		sqlite3_result_error(ctx, "rank failed", -1);
		return;
	}
	for (int i = 0; i < ninst; i++) {
		int ip, ic, io;
		if (api->xInst(fts, i, &ip, &ic, &io) == SQLITE_OK && ip < nphrase && ic >= 0 && ic < 4)
			tf[ip] += col_weight[ic];
	}
	api->xColumnSize(fts, -1, &dl);
	if (api->xRowCount(fts, &nrow) == SQLITE_OK && api->xColumnTotalSize(fts, -1, &ntok) == SQLITE_OK && nrow > 0)
		avgdl = (double)ntok / (double)nrow;
	if (avgdl <= 0)
		avgdl = 1;
	for (int i = 0; i < nphrase; i++) {
		double w;
		if (tf[i] == 0)
			continue;
		if (idf) {
			memcpy(&w, (const char *)idf + i * sizeof(double), sizeof(w));
		} else {
			w = 1.0;
		}
		score += w * tf[i] * (k1 + 1) / (tf[i] + k1 * (1 - b + b * (double)dl / avgdl));
	}
	sqlite3_result_double(ctx, -score);
}

int
search_register(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (api == NULL || api->iVersion < 2)
		return -1;
	return api->xCreateFunction(api, "bs_rank", NULL, rank_fn, NULL) == SQLITE_OK ? 0 : -1;
}

/* --- running a query --- */

/* Count matches of expr among rowids above min_rowid, stopping at cap; -1 on error. */
static int64_t
count_capped(sqlite3 *db, const char *expr, int64_t cap, int64_t min_rowid)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ?1 AND rowid > ?3 LIMIT ?2)",
	    -1, &s, NULL) != SQLITE_OK)
		goto done;
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
	return n;
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

/* Fill the hit for rowid: its path, collection, size and a snippet. */
static int
fetch_hit(sqlite3 *db, sqlite3_stmt *s, const char *expr, int64_t rowid, search_hit_t *h)
{
	strbuf_t b;
	const char *snip;
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, rowid);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	h->path = xstrdup((const char *)sqlite3_column_text(s, 0));
	h->size = sqlite3_column_int64(s, 1);
	h->slug = xstrdup((const char *)sqlite3_column_text(s, 2));
	if (sqlite3_column_count(s) > 4 && sqlite3_column_type(s, 4) == SQLITE_TEXT)
		h->part = xstrdup((const char *)sqlite3_column_text(s, 4));
	if (h->part && sqlite3_column_count(s) > 5)
		h->part_no = sqlite3_column_int64(s, 5);
	/* The body's snippet, or the title's when the words are not in the body
	 * (coalesce makes the second only when needed: each costs a re-read). */
	snip = (const char *)sqlite3_column_text(s, 3);
	strbuf_init(&b);
	if (snip)
		utf8_clean(&b, snip, strlen(snip), 1);
	h->snippet = strbuf_detach(&b);
	return 0;
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
		/* The index holds case-folded words; fold ASCII the same way. */
		strbuf_init(&lo);
		for (const char *p = q->phrase[i]; *p; p++)
			strbuf_addc(&lo, (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : *p);
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
phrase_window(sqlite3 *db, const search_query_t *q)
{
	sqlite3_stmt *s = NULL;
	int64_t maxid = 0;

	for (int i = 0; i < q->n; i++) {
		int common = 1;
		const char *w = q->phrase[i];
		if (q->prefix[i] || strchr(w, ' ') == NULL)
			continue;
		while (*w && common) {
			size_t len = strcspn(w, " ");
			char *one = xasprintf("{title path body} : \"%.*s\"", (int)len, w);
			int64_t k = count_capped(db, one, SEARCH_COMMON + 1, 0);
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

int
search_run(cat_t *c, const char *query, const char *collection_slug, int64_t offset, int limit,
    search_result_t *out)
{
	sqlite3 *db = cat_db(c);
	search_query_t q;
	sqlite3_stmt *s = NULL;
	char *expr = NULL, *full = NULL;
	double idf[SEARCH_MAX_PHRASES + 1];
	int64_t count, ndocs, *ids = NULL, min_rowid;
	size_t nids = 0;
	int rc = -1, nidf = 0;

	memset(out, 0, sizeof(*out));
	if (cat_first_use(c, CAT_ONCE_SEARCH) && search_register(db) < 0) {
		log_err("cannot register the search ranking function");
		return -1;
	}
	search_parse(query ? query : "", query ? strlen(query) : 0, &q);
	if (q.n == 0) {
		set_message(out, query && *query ? "Your search has no words to look for; try plain words."
		    : "Type one or more words to search for.");
		rc = 0;
		goto done;
	}
	if (limit < 1)
		limit = 1;
	if (limit > SEARCH_MAX_LIMIT)
		limit = SEARCH_MAX_LIMIT;
	if (offset < 0)
		offset = 0;
	if (expand_prefixes(db, &q) < 0)
		goto fail;
	expr = search_query_fts(&q);
	if (collection_slug && *collection_slug) {
		cat_collection_t col;
		int found = cat_collection_get(c, collection_slug, &col);
		if (found != 0) {
			set_message(out, found == 1 ? "There is no collection by that name." : "Search is unavailable right now.");
			rc = found == 1 ? 0 : -1;
			goto done;
		}
		/* The collection is a column of the index, so the filter is part of the match. */
		full = xasprintf("coll : \"c%lld\" AND %s", (long long)col.id, expr);
		cat_collection_clear(&col);
		idf[nidf++] = 0;
	} else {
		full = xstrdup(expr);
	}
	if ((min_rowid = phrase_window(db, &q)) < 0)
		goto fail;
	if ((count = count_capped(db, full, SEARCH_RANK_CAP + 1, min_rowid)) < 0)
		goto fail;
	out->total = count;
	if (count == 0) {
		set_message(out, "Nothing matched your search.");
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
			add_phrase(&one, &q, i);
			int64_t k = count_capped(db, one.s, SEARCH_COMMON + 1, min_rowid);
			strbuf_release(&one);
			if (k < 0)
				goto fail;
			n = k > SEARCH_COMMON ? (double)(ndocs / 4 > k ? ndocs / 4 : k) : (double)k;
		}
		idf[nidf++] = log(((double)ndocs - n + 0.5) / (n + 0.5) + 1.0);
	}
	if (min_rowid > 0)
		set_message(out, "Your phrase is made of very common words, so only the 100,000 most "
		    "recently catalogued files were searched for it.");
	if (count > SEARCH_RANK_CAP) {
		out->total = SEARCH_RANK_CAP;
		out->total_is_estimate = 1;
		set_message(out, "More than " SEARCH_RANK_CAP_TEXT " documents match; these are the best among the "
		    SEARCH_RANK_CAP_TEXT " most recently catalogued. Add a word to narrow your search.");
	}
	if (offset >= SEARCH_RANK_CAP) {
		rc = 0;
		goto done;
	}
	if (sqlite3_prepare_v2(db, count > SEARCH_RANK_CAP ?
	    "SELECT id FROM (SELECT rowid AS id, bs_rank(fts, ?4) AS score FROM fts WHERE fts MATCH ?1"
	    " AND rowid > ?6 ORDER BY rowid DESC LIMIT ?5) ORDER BY score, id DESC LIMIT ?2 OFFSET ?3" :
	    "SELECT rowid FROM fts WHERE fts MATCH ?1 AND rowid > ?6 ORDER BY bs_rank(fts, ?4), rowid DESC"
	    " LIMIT ?2 OFFSET ?3",
	    -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(s, 1, full, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit);
	sqlite3_bind_int64(s, 3, offset);
	sqlite3_bind_blob(s, 4, idf, (int)(nidf * sizeof(double)), SQLITE_STATIC);
	if (count > SEARCH_RANK_CAP)
		sqlite3_bind_int(s, 5, SEARCH_RANK_CAP);
	sqlite3_bind_int64(s, 6, min_rowid > 0 ? min_rowid : INT64_MIN);
	ids = xcalloc((size_t)limit, sizeof(*ids));
	while (nids < (size_t)limit && (rc = sqlite3_step(s)) == SQLITE_ROW)
		ids[nids++] = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto fail;
	sqlite3_finalize(s);
	s = NULL;
	/* A hit on an attachment (a negative rowid, a row of parts) is shown as
	 * its file, with the attachment's name. A catalogue from before parts
	 * (read-only, not yet upgraded) has only files. */
	if (sqlite3_prepare_v2(db, "SELECT f.path, f.size, c.slug,"
	    " coalesce(nullif(snippet(fts, 2, x'02', x'03', '…', 24), ''), snippet(fts, 0, x'02', x'03', '…', 24)),"
	    " p.name, (SELECT count(*) FROM parts q WHERE q.file_id = p.file_id AND q.id >= p.id)"
	    " FROM fts LEFT JOIN parts p ON p.id = fts.rowid"
	    " JOIN files f ON f.id = coalesce(p.file_id, fts.rowid) JOIN collections c ON c.id = f.collection_id"
	    " WHERE fts MATCH ?1 AND fts.rowid = ?2", -1, &s, NULL) != SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT f.path, f.size, c.slug,"
	    " coalesce(nullif(snippet(fts, 2, x'02', x'03', '…', 24), ''), snippet(fts, 0, x'02', x'03', '…', 24))"
	    " FROM fts JOIN files f ON f.id = fts.rowid JOIN collections c ON c.id = f.collection_id"
	    " WHERE fts MATCH ?1 AND fts.rowid = ?2", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	out->hits = xcalloc(nids ? nids : 1, sizeof(*out->hits));
	for (size_t i = 0; i < nids; i++) {
		int r = fetch_hit(db, s, full, ids[i], &out->hits[out->n]);
		if (r < 0)
			goto fail;
		if (r == 0)
			out->n++;
	}
	if (q.dropped && out->message == NULL)
		set_message(out, "Your search was long; only its first words were used.");
	rc = 0;
	goto done;
fail:
	log_warn("search failed: %s", sqlite3_errmsg(db));
	set_message(out, "Search is unavailable right now; please try again later.");
	rc = -1;
done:
	sqlite3_finalize(s);
	search_query_clear(&q);
	free(ids);
	free(expr);
	free(full);
	return rc;
}

void
search_result_clear(search_result_t *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->hits[i].slug);
		free(r->hits[i].path);
		free(r->hits[i].part);
		free(r->hits[i].snippet);
	}
	free(r->hits);
	free(r->message);
	memset(r, 0, sizeof(*r));
}
