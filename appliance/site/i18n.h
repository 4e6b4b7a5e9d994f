/* i18n: the reader pages' languages. Message catalogues are gettext .po files
 * under web/po/, compiled by msgfmt into .mo files at build time and embedded
 * in the binary with the templates (asset.h); nothing is read from disk at run
 * time. A language is chosen per request (not per process, as GNU gettext's
 * locale would be), so lookups take the language explicitly.
 *
 * A message is its English text (the msgid). It may hold placeholders
 * "{name}" (or "{name|filter}", see tmpl.h) and, in templates, inline tags
 * such as <code> or <a href="...">; a translation must carry the same
 * placeholders and exactly the same tags in the same order, else it is
 * refused at load (i18n_init) and the English text is shown. */
#ifndef BROADSIDE_I18N_H
#define BROADSIDE_I18N_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/* The next placeholder ("{...}") or tag ("<a ...>", "</a>") of a message
 * from *i on: 1 with it at [*t0, *t1) and *kind '{' or '<' (*i moves past
 * it), 0 when there is none. What lies between is plain text. */
int i18n_token(const char *s, size_t len, size_t *i, size_t *t0, size_t *t1, char *kind);

/* Marks a string as a message for extraction (xgettext --keyword=N_)
 * without translating it here: it is looked up when shown. */
#define N_(s) (s)

typedef struct i18n_lang i18n_lang_t;

/* Load and check every embedded catalogue (once; later calls return the
 * first result). 0, or -1 with *err ("es.mo: ...", caller frees) when a
 * catalogue is unreadable or holds a translation that does not match its
 * message (placeholders, tags). */
int i18n_init(char **err);

/* The language with this code ("es"), or NULL if there is none. */
const i18n_lang_t *i18n_find(const char *code);
/* English, the language of the messages themselves. */
const i18n_lang_t *i18n_english(void);
/* The i-th language in the order the switcher shows them; NULL past the end. */
const i18n_lang_t *i18n_at(size_t i);
const char *i18n_code(const i18n_lang_t *l);
/* The language's name in itself ("Español"). */
const char *i18n_name(const i18n_lang_t *l);
int i18n_rtl(const i18n_lang_t *l);
/* Translations held (0 for English); i18n_init must have succeeded. */
size_t i18n_count(const i18n_lang_t *l);

/* The translation of msgid, or msgid itself. l may be NULL (English). */
const char *i18n_tr(const i18n_lang_t *l, const char *msgid);
/* The form for n of a message with a plural (msgid, msgid_plural). */
const char *i18n_ntr(const i18n_lang_t *l, const char *msgid, const char *plural, int64_t n);
/* Which plural form (0..) the language uses for n. */
int i18n_plural_index(const i18n_lang_t *l, int64_t n);

/* Append msg (already translated) with each {key} replaced by its value:
 * key, value pairs ending with NULL. Unknown placeholders stay as written. */
void i18n_subst(strbuf_t *out, const char *msg, ...) __attribute__((sentinel));
/* Append s with its ASCII digits in the language's digits (Persian and
 * Arabic-Indic for fa and ar); everything else as it is. */
void i18n_digits(const i18n_lang_t *l, strbuf_t *out, const char *s, size_t len);
/* Append n with the language's digit grouping ("1,234", "1.234", "۱٬۲۳۴"). */
void i18n_number(const i18n_lang_t *l, strbuf_t *out, int64_t n);
/* Append a size in bytes as "1.2 MB" in the language's form. */
void i18n_size(const i18n_lang_t *l, strbuf_t *out, int64_t n);
/* Append a time (UTC) in the language's numeric date form, to the minute,
 * with " UTC" (translated) after it when utc is set; "unknown" for t <= 0. */
void i18n_date(const i18n_lang_t *l, strbuf_t *out, int64_t t, int utc);

/* Rewrite the HTML in out from start so that the reader's language stays
 * on: lang=<code> on every link to another page of this site (not on
 * fragments, other sites, /f/ /d/ /m/ /i/ /static/ or links that name a
 * lang already) and a hidden lang field in every form (a GET form drops
 * the query of its action). */
void i18n_carry(strbuf_t *out, size_t start, const char *code);

#endif
