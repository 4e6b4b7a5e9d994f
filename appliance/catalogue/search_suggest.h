/* search_suggest: words from the main index's vocabulary to offer when a
 * search finds nothing: the other forms of a word's English stem the index
 * holds ("officers" → officer, office), and words a typo may have meant
 * ("polise" → police).
 *
 * Both read the vocabulary through SQLite's fts5vocab table (a temp table on
 * the connection, made on first use), bounded: at most SEARCH_SUGGEST_SCAN
 * vocabulary rows per call, so a search with no hit stays cheap on any
 * catalogue. Similar words are those sharing the word's first three letters
 * (then its first two, with what is left of the budget) within an edit
 * distance of 1 (words of up to 5 letters) or 2, nearest first, then the
 * most documents; a typo in the first two letters is not found. */
#ifndef BROADSIDE_SEARCH_SUGGEST_H
#define BROADSIDE_SEARCH_SUGGEST_H

#include <stddef.h>

#include "catalogue/cat.h"

#define SEARCH_SUGGEST_SCAN 3000   /* vocabulary rows read per call */
#define SEARCH_SUGGEST_MAX 3       /* words offered of each sort */

typedef struct search_words {
	char *w[SEARCH_SUGGEST_MAX];   /* index forms (lower case, folded) */
	size_t n;
} search_words_t;

/* The forms of w's stem other than w itself that the index holds, the most
 * documents first (nothing for a word with no English stem). 0 or -1. */
int search_suggest_forms(cat_t *c, const char *w, size_t n, search_words_t *out);
/* Words of the index near w (nothing when the index holds w itself). 0 or -1. */
int search_suggest_similar(cat_t *c, const char *w, size_t n, search_words_t *out);
/* Both for the last word of a reader's query q (words split by spaces, as the
 * search page replaces it; a word with a quote or a star has none). 0 or -1. */
int search_suggest_last(cat_t *c, const char *q, search_words_t *forms, search_words_t *similar);
void search_words_clear(search_words_t *ws);

/* The edit distance between a and b in characters (insertions, deletions,
 * substitutions, swaps of neighbours), or max + 1 when it exceeds max. */
int search_edit_distance(const char *a, size_t an, const char *b, size_t bn, int max);

#endif
