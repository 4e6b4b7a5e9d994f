/* search_tok: see search_tok.h. FTS5 lets a tokenizer give several tokens at
 * one place (FTS5_TOKEN_COLOCATED): a query matches any of them, so a stem or
 * a word without its article costs one more entry in the index where it
 * differs, not a second index. */
#include "catalogue/search_tok.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"

/* unicode61 as the index had it, with marks (Mn) and format characters (Cf:
 * ZWNJ in Persian words, soft hyphens) inside words; fold drops both. */
static const char *const u61_args[] = { "remove_diacritics", "2", "categories", "L* N* Co Mn Cf" };

typedef struct bs_tok {
	fts5_tokenizer u61;
	Fts5Tokenizer *u61_tok;
	fts5_tokenizer porter;
	Fts5Tokenizer *porter_tok;
} bs_tok_t;

/* --- folding --- */

static int
is_arabic(uint32_t c)
{
	return (c >= 0x0600 && c <= 0x06ff) || (c >= 0x0750 && c <= 0x077f) || (c >= 0x08a0 && c <= 0x08ff);
}

static int
is_hebrew(uint32_t c)
{
	return c >= 0x0590 && c <= 0x05ff;
}

/* The folded form of c, or 0 to drop it. */
static uint32_t
fold_char(uint32_t c)
{
	if (c >= 0x0591 && c <= 0x05c7)
		return 0;   /* Hebrew points and cantillation */
	if ((c >= 0x0610 && c <= 0x061a) || (c >= 0x064b && c <= 0x065f) || c == 0x0670 ||
	    (c >= 0x06d6 && c <= 0x06ed && c != 0x06e5 && c != 0x06e6) || c == 0x0640)
		return 0;   /* harakat, Quranic marks, tatweel */
	if (c == 0x00ad || c == 0x200b || c == 0x200c || c == 0x200d || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff)
		return 0;   /* soft hyphen, zero-width joiners, direction marks */
	switch (c) {
	case 0x0622: case 0x0623: case 0x0625: case 0x0671: case 0x0672: case 0x0673:
		return 0x0627;   /* alef with madda, hamza above/below, wasla → alef */
	case 0x0649: case 0x06cc: case 0x0626: case 0x06d0:
		return 0x064a;   /* alef maqsura, Farsi yeh, yeh with hamza → yeh */
	case 0x0624:
		return 0x0648;   /* waw with hamza → waw */
	case 0x0629: case 0x06c0: case 0x06d5:
		return 0x0647;   /* teh marbuta (and its Persian forms) → heh */
	case 0x06a9:
		return 0x0643;   /* keheh (Persian kaf) → kaf */
	default:
		return c;
	}
}

static size_t
put_utf8(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

int
search_tok_fold(const char *w, size_t n, char *out)
{
	const unsigned char *p = (const unsigned char *)w;
	size_t o = 0;

	if (n > SEARCH_TOK_MAX_WORD)
		return -1;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t len = text_utf8_next(p + i, n - i, &c);
		if (len <= 1 && p[i] >= 0x80) {
			out[o++] = (char)p[i++];   /* not UTF-8: kept as it is */
			continue;
		}
		i += len;
		if ((c = fold_char(c)) == 0)
			continue;
		char one[4];
		size_t l = put_utf8(one, c);
		if (o + l > SEARCH_TOK_MAX_WORD)
			return -1;
		memcpy(out + o, one, l);
		o += l;
	}
	return (int)o;
}

/* --- attached articles and prefixes --- */

/* The code point at w[*i], advancing *i; 0 at the end. */
static uint32_t
next_cp(const char *w, size_t n, size_t *i)
{
	uint32_t c;

	if (*i >= n)
		return 0;
	*i += text_utf8_next((const unsigned char *)w + *i, n - *i, &c);
	return c;
}

static size_t
count_cps(const char *w, size_t n)
{
	size_t k = 0, i = 0;

	while (i < n && next_cp(w, n, &i))
		k++;
	return k;
}

/* Add off to offs if at least 3 letters follow it. */
static void
add_off(const char *w, size_t n, size_t off, size_t *offs, int *k)
{
	if (off > 0 && off < n && *k < 4 && count_cps(w + off, n - off) >= 3)
		offs[(*k)++] = off;
}

/* Arabic, as light stemmers do (Larkey's light10): و or ف (and), then ب ك ل
 * (in, as, for) before the article ال; لل is ل + ال. Each place a form can
 * start is a candidate; articles_only keeps those after an article. */
static int
arabic_offs(const char *w, size_t n, int articles_only, size_t *offs)
{
	size_t i = 0, at, j;
	int k = 0;
	uint32_t c;

	at = i;
	c = next_cp(w, n, &i);
	if (c == 0x0648 || c == 0x0641) {   /* و ف */
		if (!articles_only)
			add_off(w, n, i, offs, &k);
		at = i;
		c = next_cp(w, n, &i);
	}
	if (c == 0x0628 || c == 0x0643 || c == 0x0644) {   /* ب ك ل */
		j = i;
		uint32_t d = next_cp(w, n, &j);
		if (c == 0x0644 && d == 0x0644) {
			add_off(w, n, j, offs, &k);   /* لل */
			return k;
		}
		if (d == 0x0627 && next_cp(w, n, &j) == 0x0644)
			add_off(w, n, j, offs, &k);   /* بال كال لال */
		return k;
	}
	i = at;
	if (next_cp(w, n, &i) == 0x0627 && next_cp(w, n, &i) == 0x0644)
		add_off(w, n, i, offs, &k);   /* ال */
	return k;
}

/* Hebrew: one or two of ו ה ב ל מ ש כ. Which letters are a prefix cannot be
 * told without a dictionary (משטרה starts with מ), so the index gets each
 * candidate; a query drops only the article ה (after ו). */
static int
is_heb_prefix(uint32_t c)
{
	return c == 0x05d5 || c == 0x05d4 || c == 0x05d1 || c == 0x05dc || c == 0x05de || c == 0x05e9 || c == 0x05db;
}

static int
hebrew_offs(const char *w, size_t n, int articles_only, size_t *offs)
{
	size_t i = 0, i1;
	int k = 0;
	uint32_t c = next_cp(w, n, &i);

	if (articles_only) {
		if (c == 0x05d5) {
			i1 = i;
			if (next_cp(w, n, &i1) != 0x05d4)
				return 0;
			i = i1;
		} else if (c != 0x05d4) {
			return 0;
		}
		add_off(w, n, i, offs, &k);
		return k;
	}
	if (!is_heb_prefix(c))
		return 0;
	add_off(w, n, i, offs, &k);
	i1 = i;
	if (is_heb_prefix(next_cp(w, n, &i1)))
		add_off(w, n, i1, offs, &k);
	return k;
}

static int
proclitics(const char *w, size_t n, int articles_only, size_t offs[4])
{
	size_t i = 0;
	uint32_t c = next_cp(w, n, &i);

	if (is_arabic(c))
		return arabic_offs(w, n, articles_only, offs);
	if (is_hebrew(c))
		return hebrew_offs(w, n, articles_only, offs);
	return 0;
}

size_t
search_tok_proclitic(const char *w, size_t n, int articles_only)
{
	size_t offs[4];
	int k = proclitics(w, n, articles_only, offs);

	return k ? offs[k - 1] : 0;
}

/* --- unspaced scripts --- */

int
search_tok_is_unspaced(uint32_t c)
{
	return (c >= 0x0e00 && c <= 0x0eff) ||     /* Thai, Lao */
	    (c >= 0x1000 && c <= 0x109f) ||        /* Myanmar */
	    (c >= 0x1100 && c <= 0x11ff) ||        /* Hangul Jamo */
	    (c >= 0x1780 && c <= 0x17ff) ||        /* Khmer */
	    (c >= 0x19e0 && c <= 0x19ff) ||        /* Khmer symbols */
	    (c >= 0x2e80 && c <= 0x2fdf) ||        /* CJK radicals */
	    (c >= 0x3040 && c <= 0x30ff) ||        /* Hiragana, Katakana */
	    (c >= 0x3100 && c <= 0x31ff) ||        /* Bopomofo, Hangul compatibility, Katakana ext. */
	    (c >= 0x3400 && c <= 0x4dbf) ||        /* CJK ext. A */
	    (c >= 0x4e00 && c <= 0x9fff) ||        /* CJK */
	    (c >= 0xa960 && c <= 0xa97f) ||        /* Hangul Jamo ext. A */
	    (c >= 0xac00 && c <= 0xd7ff) ||        /* Hangul syllables, Jamo ext. B */
	    (c >= 0xf900 && c <= 0xfaff) ||        /* CJK compatibility */
	    (c >= 0xff66 && c <= 0xffdc) ||        /* half-width Katakana and Hangul */
	    (c >= 0x20000 && c <= 0x3134f);        /* CJK ext. B-G */
}

size_t
search_tok_unspaced(const char *s, size_t n, size_t stop_at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k = 0;

	for (size_t i = 0; i < n && k < stop_at;) {
		uint32_t c;
		if (p[i] < 0xe0) {   /* every such script is 3 bytes or more in UTF-8 */
			i++;
			continue;
		}
		i += text_utf8_next(p + i, n - i, &c);
		k += search_tok_is_unspaced(c);
	}
	return k;
}

static void
unspaced_fn(sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	int any = 0;

	for (int i = 0; i < nval && !any; i++) {
		const char *s = (const char *)sqlite3_value_text(val[i]);
		if (s)
			any = search_tok_unspaced(s, (size_t)sqlite3_value_bytes(val[i]), 1) > 0;
	}
	sqlite3_result_int(ctx, any);
}

/* --- the tokenizer --- */

typedef struct tok_run {
	bs_tok_t *t;
	void *ctx;
	int (*emit)(void *, int, const char *, int, int, int);
	int query;          /* FTS5_TOKENIZE_QUERY without PREFIX: alternatives allowed */
	int stems;          /* a stemmed query string */
	int porter_len;     /* the stem porter gave (stem_cb) */
	char stem[SEARCH_TOK_MAX_WORD + 2];
	char fold[SEARCH_TOK_MAX_WORD];
} tok_run_t;

static int
stem_cb(void *arg, int tflags, const char *tok, int n, int s, int e)
{
	tok_run_t *r = arg;

	(void)tflags;
	(void)s;
	(void)e;
	if (r->porter_len < 0 && n > 0 && n <= SEARCH_TOK_MAX_WORD) {
		memcpy(r->stem + 1, tok, (size_t)n);
		r->porter_len = n;
	}
	return SQLITE_OK;
}

/* The Porter stem of an English-looking word (a-z, 3 to 64 letters) into
 * r->stem + 1; its length, or -1. */
static int
porter_stem(tok_run_t *r, const char *w, int n)
{
	if (n < 3 || n > 64)
		return -1;
	for (int i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return -1;
	r->porter_len = -1;
	if (r->t->porter.xTokenize(r->t->porter_tok, r, FTS5_TOKENIZE_DOCUMENT, w, n, stem_cb) != SQLITE_OK)
		return -1;
	return r->porter_len;
}

static int
word_cb(void *arg, int tflags, const char *tok, int n, int start, int end)
{
	tok_run_t *r = arg;
	const char *w = tok;
	size_t offs[4];
	int rc, k, sl, nonascii = 0;

	(void)tflags;
	for (int i = 0; i < n && !nonascii; i++)
		nonascii = (unsigned char)tok[i] >= 0x80;
	if (nonascii) {
		int f = search_tok_fold(tok, (size_t)n, r->fold);
		if (f == 0)
			return SQLITE_OK;
		if (f > 0) {
			w = r->fold;
			n = f;
		}
	}
	if (r->stems) {
		/* A stemmed query word: its stem as stored, or the stem as a word
		 * ("reports" → report: the word "report" has no stem entry). */
		if ((sl = porter_stem(r, w, n)) < 0)
			return r->emit(r->ctx, 0, w, n, start, end);
		r->stem[0] = SEARCH_TOK_STEM[0];
		if ((rc = r->emit(r->ctx, 0, r->stem, sl + 1, start, end)) != SQLITE_OK)
			return rc;
		return r->emit(r->ctx, FTS5_TOKEN_COLOCATED, r->stem + 1, sl, start, end);
	}
	if ((rc = r->emit(r->ctx, 0, w, n, start, end)) != SQLITE_OK)
		return rc;
	if (r->query < 0)
		return SQLITE_OK;   /* a prefix (as typed) or a snippet */
	if (nonascii) {
		k = proclitics(w, (size_t)n, r->query, offs);
		for (int i = 0; i < k; i++)
			if ((rc = r->emit(r->ctx, FTS5_TOKEN_COLOCATED, w + offs[i], n - (int)offs[i], start, end)) != SQLITE_OK)
				return rc;
		return SQLITE_OK;
	}
	if (r->query || (sl = porter_stem(r, w, n)) < 0 || (sl == n && memcmp(r->stem + 1, w, (size_t)n) == 0))
		return SQLITE_OK;
	r->stem[0] = SEARCH_TOK_STEM[0];
	return r->emit(r->ctx, FTS5_TOKEN_COLOCATED, r->stem, sl + 1, start, end);
}

static int
bs_tokenize(Fts5Tokenizer *tk, void *ctx, int flags, const char *text, int n,
    int (*emit)(void *, int, const char *, int, int, int))
{
	tok_run_t run, *r = &run;

	r->t = (bs_tok_t *)tk;
	r->ctx = ctx;
	r->emit = emit;
	r->stems = 0;
	/* 1: a query word (alternatives allowed), -1: a prefix or a snippet,
	 * 0: a document. Snippets and highlights skip colocated tokens, so they
	 * are not made for them (a stem costs a Porter run per word). */
	r->query = (flags & (FTS5_TOKENIZE_PREFIX | FTS5_TOKENIZE_AUX)) ? -1 : (flags & FTS5_TOKENIZE_QUERY) ? 1 : 0;
	if (r->query == 1 && n > 0 && text[0] == SEARCH_TOK_STEM[0]) {
		r->stems = 1;
		text++;
		n--;
	}
	return r->t->u61.xTokenize(r->t->u61_tok, r, flags, text, n, word_cb);
}

static void
bs_delete(Fts5Tokenizer *tk)
{
	bs_tok_t *t = (bs_tok_t *)tk;

	if (t == NULL)
		return;
	if (t->u61_tok)
		t->u61.xDelete(t->u61_tok);
	if (t->porter_tok)
		t->porter.xDelete(t->porter_tok);
	free(t);
}

static int
bs_create(void *api_arg, const char **argv, int argc, Fts5Tokenizer **out)
{
	fts5_api *api = api_arg;
	bs_tok_t *t = xcalloc(1, sizeof(*t));
	void *ud;

	(void)argv;
	(void)argc;
	if (api->xFindTokenizer(api, "unicode61", &ud, &t->u61) != SQLITE_OK ||
	    t->u61.xCreate(ud, (const char **)u61_args, 4, &t->u61_tok) != SQLITE_OK ||
	    api->xFindTokenizer(api, "porter", &ud, &t->porter) != SQLITE_OK ||
	    t->porter.xCreate(ud, NULL, 0, &t->porter_tok) != SQLITE_OK) {
		bs_delete((Fts5Tokenizer *)t);
		return SQLITE_ERROR;
	}
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static fts5_api *
fts5_api_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	return api && api->iVersion >= 2 ? api : NULL;
}

static int
first_cb(void *arg, int tflags, const char *tok, int n, int start, int end)
{
	strbuf_t *b = arg;

	(void)start;
	(void)end;
	if (b->len == 0 && !(tflags & FTS5_TOKEN_COLOCATED) && n > 0)
		strbuf_add(b, tok, (size_t)n);
	return SQLITE_OK;
}

int
search_tok_index_form(sqlite3 *db, const char *w, size_t n, strbuf_t *out)
{
	fts5_api *api = fts5_api_of(db);
	fts5_tokenizer tk;
	Fts5Tokenizer *t = NULL;
	void *ud;
	int rc;

	if (api == NULL || n > INT32_MAX || api->xFindTokenizer(api, "bs", &ud, &tk) != SQLITE_OK ||
	    tk.xCreate(ud, NULL, 0, &t) != SQLITE_OK)
		return -1;
	rc = tk.xTokenize(t, out, FTS5_TOKENIZE_PREFIX, w, (int)n, first_cb);
	tk.xDelete(t);
	return rc == SQLITE_OK ? 0 : -1;
}

struct search_tok_stemmer {
	fts5_tokenizer tk;
	Fts5Tokenizer *t;
};

search_tok_stemmer_t *
search_tok_stemmer_new(sqlite3 *db)
{
	fts5_api *api = fts5_api_of(db);
	search_tok_stemmer_t *s = xcalloc(1, sizeof(*s));
	void *ud;

	if (api == NULL || api->xFindTokenizer(api, "bs", &ud, &s->tk) != SQLITE_OK ||
	    s->tk.xCreate(ud, NULL, 0, &s->t) != SQLITE_OK) {
		free(s);
		return NULL;
	}
	return s;
}

typedef struct stem_out {
	strbuf_t *form, *stem;
	int words;
} stem_out_t;

static int
form_stem_cb(void *arg, int tflags, const char *tok, int n, int start, int end)
{
	stem_out_t *o = arg;

	(void)start;
	(void)end;
	if (!(tflags & FTS5_TOKEN_COLOCATED)) {
		if (o->words++ == 0 && n > 0)
			strbuf_add(o->form, tok, (size_t)n);
	} else if (o->words == 1 && n > 1 && tok[0] == SEARCH_TOK_STEM[0] && o->stem->len == 0) {
		strbuf_add(o->stem, tok + 1, (size_t)n - 1);
	}
	return SQLITE_OK;
}

int
search_tok_stem(search_tok_stemmer_t *s, const char *w, size_t n, strbuf_t *form, strbuf_t *stem)
{
	stem_out_t o = { form, stem, 0 };

	strbuf_reset(form);
	strbuf_reset(stem);
	if (s == NULL || n > INT32_MAX ||
	    s->tk.xTokenize(s->t, &o, FTS5_TOKENIZE_DOCUMENT, w, (int)n, form_stem_cb) != SQLITE_OK)
		return -1;
	if (stem->len == 0)
		strbuf_add(stem, form->s ? form->s : "", form->len);
	return 0;
}

void
search_tok_stemmer_free(search_tok_stemmer_t *s)
{
	if (s == NULL)
		return;
	s->tk.xDelete(s->t);
	free(s);
}

int
search_tok_register(sqlite3 *db)
{
	static fts5_tokenizer bs = { bs_create, bs_delete, bs_tokenize };
	fts5_api *api = fts5_api_of(db);

	if (api == NULL)
		return -1;
	if (api->xCreateTokenizer(api, "bs", api, &bs, NULL) != SQLITE_OK)
		return -1;
	return sqlite3_create_function(db, "bs_unspaced", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
	    NULL, unspaced_fn, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int
auto_register(sqlite3 *db, char **err, const void *api)
{
	(void)err;
	(void)api;
	return search_tok_register(db) == 0 ? SQLITE_OK : SQLITE_ERROR;
}

static void
register_all(void)
{
	sqlite3_auto_extension((void (*)(void))auto_register);
}

void
search_tok_register_all(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_all);
}
