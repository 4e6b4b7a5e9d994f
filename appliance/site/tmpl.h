/* tmpl: a small template engine whose only way to emit data is through an
 * escaper. Syntax (see web/README.md):
 *   {{name}}            value, HTML-escaped (& < >, and " ' inside attribute
 *                       values; invalid UTF-8, bidi and C0/C1 controls made
 *                       harmless)
 *   {{name|url}}        path, percent-encoded except unreserved and '/'
 *   {{name|iri}}        as |url, but printable non-ASCII characters stay raw
 *                       UTF-8 (a third of the size; the browser encodes them)
 *   {{name|query}}      query value, percent-encoded except unreserved
 *   {{name|snippet}}    escaped, then \x02..\x03 become balanced <mark>..</mark>
 *   {{name|cells}}      escaped, then each \x1f becomes </td><td> (a table
 *                       row in one value: <tr><td>{{row|cells}}</td></tr>)
 *   {{name|num}}        escaped, its ASCII digits in the page's language's
 *                       digits (Persian, Arabic-Indic)
 *   {{_ English text}}  a message, in the page's language (i18n.h): its text
 *                       escaped, {name} / {name|filter} placeholders filled
 *                       in as {{name}} would be, inline tags kept
 *   {{#name}}..{{/name}} loop over a list, or render once if a non-empty string
 *   {{^name}}..{{/name}} render if missing, empty string or empty list
 *   {{>file.html}}      include another template of the set
 *   {{>@body}}          include the body template passed to tmpl_render()
 *   {{! comment }}
 * Compilation checks the HTML context: a value may appear only in text or in a
 * quoted attribute value, and in href/src/action only through |url, |iri or
 * |query. */
#ifndef BROADSIDE_TMPL_H
#define BROADSIDE_TMPL_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "site/i18n.h"

typedef struct tmpl_set tmpl_set_t;
typedef struct tmpl_vars tmpl_vars_t;

/* Return an empty set of compiled templates. */
tmpl_set_t *tmpl_set_new(void);
void tmpl_set_free_(tmpl_set_t *set);
#define tmpl_set_free(p) do { tmpl_set_free_(p); (p) = NULL; } while (0)

/* Compile text (len bytes) as template name into the set. On a syntax error
 * return -1 and set *err to "name:line: reason" (caller frees). */
int tmpl_set_add(tmpl_set_t *set, const char *name, const char *text, size_t len, char **err);

/* Append template name rendered with vars to out; body names the template that
 * {{>@body}} includes (or NULL). Return -1 (out keeps a partial page) on a
 * missing template, nesting deeper than 32 or output over 8 MB. */
int tmpl_render(const tmpl_set_t *set, const char *name, const char *body,
    const tmpl_vars_t *vars, strbuf_t *out);

/* Return an empty variable scope (a map of strings and lists of scopes). */
tmpl_vars_t *tmpl_vars_new(void);
void tmpl_vars_free_(tmpl_vars_t *v);
#define tmpl_vars_free(p) do { tmpl_vars_free_(p); (p) = NULL; } while (0)

/* Set key to a copy of the NUL-terminated val; NULL removes nothing and sets
 * nothing (the key stays missing, i.e. false). */
void tmpl_put(tmpl_vars_t *v, const char *key, const char *val);
/* Set key to a copy of len arbitrary bytes (NULs and invalid UTF-8 allowed). */
void tmpl_putn(tmpl_vars_t *v, const char *key, const void *val, size_t len);
void tmpl_putf(tmpl_vars_t *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tmpl_put_int(tmpl_vars_t *v, const char *key, int64_t n);
/* Append a new empty scope to list key and return it (owned by v). */
tmpl_vars_t *tmpl_push(tmpl_vars_t *v, const char *key);
/* Render v (a root scope) in language l (NULL: English, the messages as
 * written); carry: add lang=<code> to every link to another page of this
 * site and a hidden lang field to every form, so the reader's choice stays. */
void tmpl_vars_set_lang(tmpl_vars_t *v, const i18n_lang_t *l, int carry);
/* The language of v's root scope (NULL: English). */
const i18n_lang_t *tmpl_vars_lang(const tmpl_vars_t *v);

/* The escapers, for callers outside templates (e.g. error pages built
 * without the template set). */
/* Escape for an attribute value (or anywhere): & < > " ' and bad characters. */
void tmpl_escape_html(strbuf_t *out, const char *s, size_t len);
/* Escape for text content only: as above but quotes stay raw. */
void tmpl_escape_text(strbuf_t *out, const char *s, size_t len);
/* Percent-encode all but unreserved and '/' (never a leading "/" or "//"). */
void tmpl_escape_url(strbuf_t *out, const char *s, size_t len);
/* As tmpl_escape_url, but keep printable non-ASCII UTF-8 raw. */
void tmpl_escape_iri(strbuf_t *out, const char *s, size_t len);
/* Percent-encode all but unreserved (for query values). */
void tmpl_escape_query(strbuf_t *out, const char *s, size_t len);
/* Text escaping, then \x02..\x03 markers as balanced <mark>..</mark>. */
void tmpl_escape_snippet(strbuf_t *out, const char *s, size_t len);

#endif
