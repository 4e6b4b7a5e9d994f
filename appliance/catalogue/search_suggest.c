/* search_suggest: the index's vocabulary, read in bounded ranges, for what a
 * search with no hit might have meant. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "catalogue/search_suggest.h"
#include "catalogue/search_tok.h"

#define CAND_MAX 32   /* candidates kept while scanning */

typedef struct cand {
	char *w;
	int dist;
	int64_t docs;
} cand_t;

typedef struct scan {
	sqlite3 *db;
	sqlite3_stmt *range, *one;
	search_tok_stemmer_t *stemmer;
	int budget;        /* vocabulary rows left to read */
	cand_t c[CAND_MAX];
	int n;
} scan_t;

static void
words_clear_(search_words_t *ws)
{
	for (size_t i = 0; i < ws->n; i++)
		free(ws->w[i]);
	memset(ws, 0, sizeof(*ws));
}

void
search_words_clear(search_words_t *ws)
{
	if (ws)
		words_clear_(ws);
}

static size_t
utf8_next(const char *s, size_t n, size_t i)
{
	for (i++; i < n && ((unsigned char)s[i] & 0xc0) == 0x80; i++)
		;
	return i;
}

/* Code point starts of s, at most 65 of them; the count, or -1 if longer. */
static int
cps(const char *s, size_t n, size_t at[66])
{
	int k = 0;

	for (size_t i = 0; i < n; i = utf8_next(s, n, i)) {
		if (k == 65)
			return -1;
		at[k++] = i;
	}
	at[k] = n;
	return k;
}

static int
cp_eq(const char *a, const size_t *aa, int i, const char *b, const size_t *ba, int j)
{
	size_t la = aa[i + 1] - aa[i], lb = ba[j + 1] - ba[j];
	return la == lb && memcmp(a + aa[i], b + ba[j], la) == 0;
}

int
search_edit_distance(const char *a, size_t an, const char *b, size_t bn, int max)
{
	size_t aa[66], ba[66];
	int la = cps(a, an, aa), lb = cps(b, bn, ba);
	int d[66][66];

	if (la < 0 || lb < 0 || abs(la - lb) > max)
		return max + 1;
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++) {
		int row_min = d[i][0];
		for (int j = 1; j <= lb; j++) {
			int cost = cp_eq(a, aa, i - 1, b, ba, j - 1) ? 0 : 1, v = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && cp_eq(a, aa, i - 1, b, ba, j - 2) && cp_eq(a, aa, i - 2, b, ba, j - 1) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
			if (v < row_min)
				row_min = v;
		}
		if (row_min > max)
			return max + 1;
	}
	return d[la][lb] > max ? max + 1 : d[la][lb];
}

static int
scan_open(cat_t *c, scan_t *s)
{
	memset(s, 0, sizeof(*s));
	s->db = cat_db(c);
	s->budget = SEARCH_SUGGEST_SCAN;
	/* The temp schema is the connection's own: made on a read-only one too. */
	if (sqlite3_exec(s->db, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bs_vocab USING fts5vocab(main, fts, row)",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT term, doc FROM temp.bs_vocab WHERE term >= ?1 AND term < ?2",
	    -1, &s->range, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT doc FROM temp.bs_vocab WHERE term = ?1", -1, &s->one, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

static void
scan_close(scan_t *s)
{
	sqlite3_finalize(s->range);
	sqlite3_finalize(s->one);
	search_tok_stemmer_free(s->stemmer);
	for (int i = 0; i < s->n; i++)
		free(s->c[i].w);
}

/* Nearer, then more documents, then the word's order. */
static int
cand_cmp(const void *x, const void *y)
{
	const cand_t *a = x, *b = y;

	if (a->dist != b->dist)
		return a->dist - b->dist;
	if (a->docs != b->docs)
		return a->docs < b->docs ? 1 : -1;
	return strcmp(a->w, b->w);
}

static void
cand_add(scan_t *s, const char *w, size_t n, int dist, int64_t docs)
{
	cand_t k = { NULL, dist, docs };

	for (int i = 0; i < s->n; i++)
		if (strlen(s->c[i].w) == n && memcmp(s->c[i].w, w, n) == 0)
			return;
	if (s->n == CAND_MAX) {
		/* Full: replace the worst, when this one is better. */
		qsort(s->c, (size_t)s->n, sizeof(s->c[0]), cand_cmp);
		if (dist > s->c[s->n - 1].dist || (dist == s->c[s->n - 1].dist && docs <= s->c[s->n - 1].docs))
			return;
		free(s->c[--s->n].w);
	}
	k.w = xstrndup(w, n);
	s->c[s->n++] = k;
}

static void
cand_take(scan_t *s, search_words_t *out)
{
	qsort(s->c, (size_t)s->n, sizeof(s->c[0]), cand_cmp);
	for (int i = 0; i < s->n && out->n < SEARCH_SUGGEST_MAX; i++) {
		out->w[out->n++] = s->c[i].w;
		s->c[i].w = NULL;
	}
}

/* The end of the range of words that start with p[0..n): p with its last byte
 * raised, as a string to bind. 0, or -1 when there is none. */
static int
range_end(const char *p, size_t n, strbuf_t *end)
{
	strbuf_reset(end);
	while (n > 0 && (unsigned char)p[n - 1] == 0xff)
		n--;
	if (n == 0)
		return -1;
	strbuf_add(end, p, n);
	end->s[n - 1] = (char)((unsigned char)end->s[n - 1] + 1);
	return 0;
}

/* Each word starting with p[0..n) (at most max of them, and the budget),
 * given to fn; 0 or -1. */
static int
scan_range(scan_t *s, const char *p, size_t n, int max, void (*fn)(scan_t *, const char *, size_t, int64_t, void *),
    void *arg)
{
	strbuf_t end;
	int rc = 0, read = 0;

	strbuf_init(&end);
	if (range_end(p, n, &end) < 0)
		goto out;
	sqlite3_reset(s->range);
	sqlite3_bind_text(s->range, 1, p, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(s->range, 2, end.s, (int)end.len, SQLITE_STATIC);
	while (s->budget > 0 && read < max && (rc = sqlite3_step(s->range)) == SQLITE_ROW) {
		s->budget--;
		read++;
		fn(s, (const char *)sqlite3_column_text(s->range, 0), (size_t)sqlite3_column_bytes(s->range, 0),
		    sqlite3_column_int64(s->range, 1), arg);
	}
	rc = rc == SQLITE_ERROR || rc == SQLITE_CORRUPT || rc == SQLITE_NOMEM ? -1 : 0;
	sqlite3_reset(s->range);
out:
	strbuf_release(&end);
	return rc;
}

/* How many documents hold the word w (0: not in the index), or -1. */
static int64_t
scan_one(scan_t *s, const char *w, size_t n)
{
	int64_t docs = 0;
	int rc;

	s->budget--;
	sqlite3_reset(s->one);
	sqlite3_bind_text(s->one, 1, w, (int)n, SQLITE_STATIC);
	if ((rc = sqlite3_step(s->one)) == SQLITE_ROW)
		docs = sqlite3_column_int64(s->one, 0);
	sqlite3_reset(s->one);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? docs : -1;
}

typedef struct forms_arg {
	const char *form, *stem;
	size_t form_n, stem_n;
	strbuf_t f, st;
} forms_arg_t;

static void
form_cb(scan_t *s, const char *w, size_t n, int64_t docs, void *arg)
{
	forms_arg_t *a = arg;

	if (docs <= 0 || (n == a->form_n && memcmp(w, a->form, n) == 0))
		return;
	if (search_tok_stem(s->stemmer, w, n, &a->f, &a->st) < 0 || a->f.len != n ||
	    a->st.len != a->stem_n || memcmp(a->st.s, a->stem, a->stem_n) != 0)
		return;
	cand_add(s, w, n, 0, docs);
}

int
search_suggest_forms(cat_t *c, const char *w, size_t n, search_words_t *out)
{
	scan_t s;
	strbuf_t form, stem, y;
	forms_arg_t a;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	strbuf_init(&form);
	strbuf_init(&stem);
	strbuf_init(&y);
	memset(&a, 0, sizeof(a));
	strbuf_init(&a.f);
	strbuf_init(&a.st);
	if (scan_open(c, &s) < 0 || (s.stemmer = search_tok_stemmer_new(s.db)) == NULL ||
	    search_tok_stem(s.stemmer, w, n, &form, &stem) < 0)
		goto out;
	rc = 0;
	if (form.len == 0 || stem.len < 3)
		goto out;
	a.form = form.s;
	a.form_n = form.len;
	a.stem = stem.s;
	a.stem_n = stem.len;
	/* A stem is its forms' first letters, but for a final y made i
	 * ("happy" → happi): that one word is looked up too. */
	if (stem.s[stem.len - 1] == 'i') {
		strbuf_add(&y, stem.s, stem.len - 1);
		strbuf_addc(&y, 'y');
		int64_t docs = scan_one(&s, y.s, y.len);
		if (docs < 0)
			rc = -1;
		else if (docs > 0)
			form_cb(&s, y.s, y.len, docs, &a);
	}
	if (rc == 0)
		rc = scan_range(&s, stem.s, stem.len, SEARCH_SUGGEST_SCAN, form_cb, &a);
	if (rc == 0)
		cand_take(&s, out);
out:
	scan_close(&s);
	strbuf_release(&form);
	strbuf_release(&stem);
	strbuf_release(&y);
	strbuf_release(&a.f);
	strbuf_release(&a.st);
	return rc;
}

typedef struct near_arg {
	const char *w;
	size_t n;
	int max;
} near_arg_t;

static void
near_cb(scan_t *s, const char *w, size_t n, int64_t docs, void *arg)
{
	near_arg_t *a = arg;
	int d;

	if (docs <= 0 || (n == a->n && memcmp(w, a->w, n) == 0))
		return;
	if ((d = search_edit_distance(a->w, a->n, w, n, a->max)) <= a->max)
		cand_add(s, w, n, d, docs);
}

int
search_suggest_similar(cat_t *c, const char *w, size_t n, search_words_t *out)
{
	scan_t s;
	strbuf_t form;
	size_t at[66];
	near_arg_t a;
	int rc = -1, k;
	int64_t docs;

	memset(out, 0, sizeof(*out));
	strbuf_init(&form);
	if (scan_open(c, &s) < 0)
		goto out;
	if (search_tok_index_form(s.db, w, n, &form) < 0)
		goto out;
	rc = 0;
	/* Four letters at least: shorter words have too many neighbours. */
	if ((k = cps(form.s ? form.s : "", form.len, at)) < 4)
		goto out;
	if ((docs = scan_one(&s, form.s, form.len)) != 0) {
		rc = docs < 0 ? -1 : 0;
		goto out;
	}
	a.w = form.s;
	a.n = form.len;
	a.max = k <= 5 ? 1 : 2;
	rc = scan_range(&s, form.s, at[3], SEARCH_SUGGEST_SCAN * 2 / 3, near_cb, &a);
	if (rc == 0)
		rc = scan_range(&s, form.s, at[2], SEARCH_SUGGEST_SCAN, near_cb, &a);
	if (rc == 0)
		cand_take(&s, out);
out:
	scan_close(&s);
	strbuf_release(&form);
	return rc;
}

int
search_suggest_last(cat_t *c, const char *q, search_words_t *forms, search_words_t *similar)
{
	size_t end = strlen(q), start;

	memset(forms, 0, sizeof(*forms));
	memset(similar, 0, sizeof(*similar));
	while (end > 0 && q[end - 1] == ' ')
		end--;
	for (start = end; start > 0 && q[start - 1] != ' '; start--)
		;
	if (end == start || memchr(q + start, '"', end - start) || memchr(q + start, '*', end - start) ||
	    end - start > SEARCH_TOK_MAX_WORD)
		return 0;
	if (search_suggest_forms(c, q + start, end - start, forms) < 0 ||
	    search_suggest_similar(c, q + start, end - start, similar) < 0) {
		search_words_clear(forms);
		return -1;
	}
	/* A form of the stem is offered once, as a form. */
	for (size_t i = 0, k; i < similar->n; i++) {
		for (k = 0; k < forms->n && strcmp(forms->w[k], similar->w[i]) != 0; k++)
			;
		if (k < forms->n) {
			free(similar->w[i]);
			memmove(similar->w + i, similar->w + i + 1, (similar->n - i - 1) * sizeof(similar->w[0]));
			similar->n--;
			i--;
		}
	}
	return 0;
}
