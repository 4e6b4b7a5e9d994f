/* mark: find a reader's search words in a text to mark them on the reading
 * view. The query is the one that led to the page (any bytes); matching is
 * by word start, ASCII case-insensitive, "word*" a prefix, so a hit the
 * search found by its word is marked where it stands. Phrases are marked
 * word by word. No allocation per match; bounded by the caps below. */
#ifndef BROADSIDE_MARK_H
#define BROADSIDE_MARK_H

#include <stddef.h>

#define MARK_TERMS_MAX 12       /* as the search: at most 12 words count */
#define MARK_TERM_MAX 64        /* bytes of one word */

typedef struct mark_terms {
	size_t n;
	struct {
		char w[MARK_TERM_MAX + 1];  /* lower-case ASCII, other bytes as given */
		size_t len;
		int prefix;
	} t[MARK_TERMS_MAX];
	unsigned char first[256];   /* bytes a word may start with, either case */
} mark_terms_t;

/* Split q (NUL-terminated, any bytes; NULL is no words) into words: runs
 * of ASCII letters and digits and of non-ASCII bytes; a '*' right after a
 * word of at least three bytes makes it a prefix. Words under two bytes
 * are left out (they would mark everything). */
void mark_terms_parse(const char *q, mark_terms_t *out);

/* Find the first match in s[from..len): 1 with [*start, *end), or 0. */
int mark_next(const mark_terms_t *t, const char *s, size_t len, size_t from, size_t *start,
    size_t *end);

#endif
