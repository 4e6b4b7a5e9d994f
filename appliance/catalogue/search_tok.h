/* search_tok: the words the main index holds, and which text needs the
 * substring index.
 *
 * The main index's tokenizer `bs` is unicode61 (remove_diacritics 2, with
 * combining marks kept inside words so that vowelled Arabic, pointed Hebrew
 * and Indic words stay whole) plus:
 *  - Arabic and Persian folded to one spelling (alef, yeh, kaf and teh marbuta
 *    forms, hamza seats, tatweel and harakat dropped), Hebrew without niqqud;
 *  - an Arabic word with an attached article or particle (الشرطة, والشرطة)
 *    also indexed without it at the same place, so شرطة finds it; a Hebrew
 *    word likewise without its one- or two-letter prefix;
 *  - an English word also indexed as its Porter stem (SEARCH_TOK_STEM and the
 *    stem) at the same place, when the stem differs.
 * A query string that starts with SEARCH_TOK_STEM asks for stems: each of its
 * words becomes (stem-marked stem OR the stem as a word).
 *
 * Text in scripts written without spaces between words (CJK, kana, Hangul,
 * Thai, Lao, Khmer, Myanmar) goes to a second, trigram index as well
 * (search_tok_unspaced, the SQL function bs_unspaced). */
#ifndef BROADSIDE_SEARCH_TOK_H
#define BROADSIDE_SEARCH_TOK_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

struct sqlite3;

/* Marks a stem in the index and a stemmed query string; never in reader input
 * (control bytes become spaces there). */
#define SEARCH_TOK_STEM "\x01"
#define SEARCH_TOK_MAX_WORD 256   /* bytes of a folded word; longer words are kept as they are */

/* Register the tokenizer `bs` and the function bs_unspaced(text) on db; 0 or -1. */
int search_tok_register(struct sqlite3 *db);
/* Have every connection opened from now on in this process registered. */
void search_tok_register_all(void);

/* Fold one word (UTF-8, as unicode61 gives it: lower case) into out (room for
 * SEARCH_TOK_MAX_WORD bytes): Arabic, Persian and Hebrew forms as above, every
 * other character as it is. Return its length (0 if it folds to nothing), or
 * -1 when the word is too long to fold (use it unchanged). */
int search_tok_fold(const char *w, size_t n, char *out);
/* The word without an attached Arabic article or particle, or Hebrew prefix
 * (folded input): its offset into w, 0 when none; articles_only keeps
 * single-letter particles (و ب ل ك ف) attached. At least 3 letters remain. */
size_t search_tok_proclitic(const char *w, size_t n, int articles_only);

/* Append to out the index's form of word w[0..n) (its first token from `bs`
 * as a prefix: case folded, accents removed, Arabic folded); 0 or -1. */
int search_tok_index_form(struct sqlite3 *db, const char *w, size_t n, strbuf_t *out);

/* Words' stems as the index holds them, for many words on one connection. */
typedef struct search_tok_stemmer search_tok_stemmer_t;
search_tok_stemmer_t *search_tok_stemmer_new(struct sqlite3 *db);   /* NULL on error */
/* Replace out by the index form of word w[0..n) and *stem by its Porter stem
 * (without SEARCH_TOK_STEM; its index form when it has no other stem); 0 or -1. */
int search_tok_stem(search_tok_stemmer_t *s, const char *w, size_t n, strbuf_t *form, strbuf_t *stem);
void search_tok_stemmer_free(search_tok_stemmer_t *s);

/* Whether c is a character of a script written without spaces between words. */
int search_tok_is_unspaced(uint32_t c);
/* How many such characters s[0..n) holds (counting stops at stop_at). */
size_t search_tok_unspaced(const char *s, size_t n, size_t stop_at);

#endif
