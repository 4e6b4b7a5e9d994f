/* search: full-text search over the catalogue for readers and publishers.
 *
 * Reader input is never FTS5 syntax: it is parsed here into at most
 * SEARCH_MAX_PHRASES quoted phrases, so operators, column filters, stray quotes and
 * parentheses are just words. Deliberate syntax: every word must match; "two words"
 * is a phrase; word* (3+ characters before the star) is a prefix.
 *
 * A prefix is expanded to at most SEARCH_PREFIX_TERMS indexed words first (FTS5's
 * own prefix queries merge every matching word's document list: seconds on 1M files).
 * Every query is bounded: the number of matches is counted up to SEARCH_RANK_CAP
 * without ranking; up to that many are ranked (a BM25 variant that gets its term
 * statistics from those bounded counts, never from a full scan); beyond it only the
 * SEARCH_RANK_CAP most recently catalogued matches are ranked and the total is
 * reported as an estimate. */
#ifndef BROADSIDE_SEARCH_H
#define BROADSIDE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue/cat.h"

#define SEARCH_MAX_INPUT 1024     /* bytes of the query that are read */
#define SEARCH_MAX_PHRASES 12
#define SEARCH_MAX_WORDS 8        /* per phrase */
#define SEARCH_MAX_WORD 64        /* bytes per word */
/* Ranking reads every ranked match's positions and length (~1 us each on 1M
 * files, the bulk of a search's CPU): 1,000 keeps a broad search near 2 ms. */
#define SEARCH_RANK_CAP 1000
#define SEARCH_RANK_CAP_TEXT "1,000"   /* the same, as readers read it */
/* A word in more files than this is common: its IDF is estimated (counting
 * stops here), and a phrase of only such words is searched in the newest files. */
#define SEARCH_COMMON 2000
#define SEARCH_MAX_LIMIT 100
#define SEARCH_PREFIX_TERMS 16    /* words a prefix expands to (the first, in index order) */
#define SEARCH_PHRASE_WINDOW 100000  /* newest files searched for a phrase of common words */
/* FTS5 phrases an expression can hold: the collection's, and each phrase's
 * expansion (a prefix's words, a word and its stem). */
#define SEARCH_RANK_PHRASES (1 + SEARCH_MAX_PHRASES * SEARCH_PREFIX_TERMS)
/* bs_rank's kinds: the exact form of a word also searched by its stem. */
#define SEARCH_KIND_EXACT 1

typedef struct search_hit {
	char *slug;
	char *path;         /* raw relative path, as catalogued */
	char *part;         /* the attachment of that file the hit is in ("budget.docx"), or NULL */
	int64_t part_no;    /* its number among the file's parts (from 1: cat_part_get), or 0 */
	int64_t size;
	char *title;        /* the document's own title (Subject, <title>, PDF Title), or NULL */
	char *mime;         /* the file's media type, or NULL */
	int64_t mtime;      /* the file's modification time (Unix seconds) */
	int64_t page;       /* a PDF's page (from 1) the snippet's first match is on, or 0 */
	char *snippet;      /* UTF-8 plain text; matches wrapped in '\x02' ... '\x03' */
} search_hit_t;

typedef struct search_result {
	search_hit_t *hits;
	size_t n;
	int64_t total;
	int total_is_estimate;
	char *message;      /* a sentence for the reader, or NULL */
	int filter_windowed; /* only the SEARCH_FILTER_SCAN newest matches were filtered */
} search_result_t;

/* What a reader may narrow a search to, besides its words. A filtered search
 * stays bounded: only the SEARCH_FILTER_SCAN newest matches of the words are
 * filtered (an index walk by rowid, no ranking), then counted and ranked as
 * any search. */
#define SEARCH_FILTER_SCAN 20000
#define SEARCH_FILTER_SCAN_TEXT "20,000"
enum search_kind {
	SEARCH_KIND_ANY = 0, SEARCH_KIND_PDF, SEARCH_KIND_EMAIL, SEARCH_KIND_DOCUMENT,
	SEARCH_KIND_SPREADSHEET, SEARCH_KIND_PRESENTATION, SEARCH_KIND_WEB, SEARCH_KIND_TEXT,
	SEARCH_KIND_IMAGE, SEARCH_KIND_ARCHIVE, SEARCH_KIND_COUNT
};
typedef struct search_filter {
	const char *collection;  /* its slug, or NULL for all */
	const char *folder;      /* "a/b": files at any depth below it, or NULL */
	enum search_kind kind;
	int64_t after, before;   /* modification time in [after, before), 0: no bound */
} search_filter_t;

/* The kind's name in URLs ("pdf", "email" ...), "" for SEARCH_KIND_ANY. */
const char *search_kind_name(enum search_kind k);
/* The kind named s, or SEARCH_KIND_ANY for NULL or a name we do not know. */
enum search_kind search_kind_parse(const char *s);
/* The day "YYYY-MM-DD" as the Unix time of its midnight UTC into *t: 0, or
 * -1 for anything else (the form's and the command line's dates). */
int search_day_parse(const char *s, int64_t *t);
/* Whether f narrows more than to a collection. */
int search_filter_narrows(const search_filter_t *f);

/* Run a reader's query (collection_slug NULL = all collections); hits
 * [offset, offset+limit). Returns 0 (possibly no hits and a message), or -1 on a
 * catalogue failure (message says so). Clear out with search_result_clear. */
int search_run(cat_t *c, const char *query, const char *collection_slug, int64_t offset, int limit,
    search_result_t *out);
/* search_run within f (NULL: everything). */
int search_run_filtered(cat_t *c, const char *query, const search_filter_t *f, int64_t offset, int limit,
    search_result_t *out);
void search_result_clear(search_result_t *r);

/* A parsed query: phrases of words, each optionally a prefix. */
typedef struct search_query {
	char *phrase[SEARCH_MAX_PHRASES];    /* words separated by one space */
	int prefix[SEARCH_MAX_PHRASES];
	int stem[SEARCH_MAX_PHRASES];        /* an unquoted English word: its stem is searched too */
	char *expansion[SEARCH_MAX_PHRASES];  /* for a prefix: "(\"t1\" OR \"t2\" ...)" once expanded */
	int nterms[SEARCH_MAX_PHRASES];      /* the words an expansion holds */
	int n;
	int dropped;      /* words or input ignored past the limits */
	int short_prefix; /* a word* with fewer than 3 letters, searched as a word */
} search_query_t;

/* Parse reader input (any bytes, len of them) into q. */
void search_parse(const char *input, size_t len, search_query_t *q);
void search_query_clear(search_query_t *q);
/* Which FTS5 expression search_query_fts_for makes: for the main index with
 * stems, with the exact forms only, or for the trigram index (substrings:
 * no prefixes, no stems). */
enum search_form { SEARCH_FORM_STEMS, SEARCH_FORM_EXACT, SEARCH_FORM_TRIGRAM };
/* Return the FTS5 expression for q (caller frees); "" if q has no phrases. */
char *search_query_fts_for(const search_query_t *q, enum search_form form);
/* search_query_fts_for(q, SEARCH_FORM_STEMS). */
char *search_query_fts(const search_query_t *q);

/* Register the ranking function bs_rank(fts, idf, kinds) on a connection
 * (search_run does this on a connection's first search; search_rank.c):
 * idf a blob of one double per FTS5 phrase, kinds one byte per phrase. */
int search_register(struct sqlite3 *db);

#endif
