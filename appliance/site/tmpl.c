/* tmpl: templates compiled once into a flat list of ops; rendering walks the
 * ops with a stack of variable scopes. Every value goes through an escaper:
 * there is deliberately no "raw" filter. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "site/tmpl.h"
#include "site/i18n.h"
#include "base/text.h"

#define MAX_DEPTH 32
#define MAX_OUT (8u << 20)
#define MAX_NAME 64

enum filter { F_HTML, F_URL, F_IRI, F_QUERY, F_SNIPPET, F_CELLS, F_NUM };
enum op_kind { OP_TEXT, OP_VAR, OP_SECTION, OP_INVERTED, OP_PARTIAL, OP_BODY, OP_MSG };

struct op {
	enum op_kind kind;
	enum filter filter;
	int in_attr;		/* OP_VAR, OP_PARTIAL: inside an attribute value */
	size_t off, len;	/* OP_TEXT: slice of the template text */
	size_t end;		/* sections: index of the op after the section */
	char *name;
};

struct tmpl {
	char *name, *text;
	struct op *ops;
	size_t nops, cap;
};

struct tmpl_set {
	struct tmpl *t;
	size_t n;
};

struct val {
	char *key;
	int is_list;
	char *s;
	size_t len;
	tmpl_vars_t **items;
	size_t nitems, cap;
};

struct tmpl_vars {
	struct val *v;
	size_t n, cap;
	const tmpl_vars_t *parent;      /* the scope this one was pushed into */
	const i18n_lang_t *lang;        /* root only: the page's language */
	const char *carry;              /* root only: lang=<code> on every site link */
};

/* ---- escapers ---- */

/* Characters an href may carry unencoded beyond ASCII: letters and symbols,
 * but not the invisible or direction-changing ones (U+2000-U+206F holds
 * spaces, zero-width characters and the bidi controls). */
static int
iri_safe(uint32_t c)
{
	return c >= 0xa1 && !(c >= 0x2000 && c <= 0x206f) && c != 0x3000 && c != 0xfeff &&
	    !(c >= 0xfdd0 && c <= 0xfdef) && (c & 0xfffe) != 0xfffe && c != 0xfffd;
}

/* The escapers themselves live in base/text.c; these are the template's
 * filters (and, names kept for callers, its contract). Legitimate
 * right-to-left names still display: templates wrap names in <bdi>. */
void
tmpl_escape_html(strbuf_t *out, const char *s, size_t len)
{
	text_html(out, s, len, TEXT_HTML_ATTR);
}

void
tmpl_escape_text(strbuf_t *out, const char *s, size_t len)
{
	text_html(out, s, len, 0);
}

void
tmpl_escape_snippet(strbuf_t *out, const char *s, size_t len)
{
	text_html(out, s, len, TEXT_HTML_MARKS);
}

/* A '/' at the start or after another '/' is encoded too, so the result can
 * never be a protocol-relative "//host" URL; ':' is always encoded, so it can
 * never carry a scheme such as javascript:. */
void
tmpl_escape_url(strbuf_t *out, const char *s, size_t len)
{
	text_url(out, s, len, TEXT_URL_SLASH | TEXT_URL_NO_START);
}

void
tmpl_escape_query(strbuf_t *out, const char *s, size_t len)
{
	text_url(out, s, len, 0);
}

void
tmpl_escape_iri(strbuf_t *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n = text_utf8_next(p + i, len - i, &c);
		if (n > 1 && iri_safe(c))
			strbuf_add(out, s + i, n);
		else
			text_url(out, s + i, n, TEXT_URL_SLASH | (i == 0 || p[i - 1] == '/' ? TEXT_URL_NO_START : 0));
		i += n;
	}
}

/* ---- variables ---- */

tmpl_vars_t *
tmpl_vars_new(void)
{
	return xcalloc(1, sizeof(tmpl_vars_t));
}

static void
val_clear(struct val *v)
{
	free(v->s);
	v->s = NULL;
	v->len = 0;
	for (size_t i = 0; i < v->nitems; i++)
		tmpl_vars_free_(v->items[i]);
	free(v->items);
	v->items = NULL;
	v->nitems = v->cap = 0;
	v->is_list = 0;
}

void
tmpl_vars_free_(tmpl_vars_t *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		val_clear(&v->v[i]);
		free(v->v[i].key);
	}
	free(v->v);
	free(v);
}

static const struct val *
vars_find(const tmpl_vars_t *v, const char *key)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i].key, key) == 0)
			return &v->v[i];
	return NULL;
}

/* Find or add key, emptied. */
static struct val *
vars_slot(tmpl_vars_t *v, const char *key)
{
	struct val *x = (struct val *)vars_find(v, key);
	if (x) {
		val_clear(x);
		return x;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xrealloc(v->v, v->cap * sizeof(*v->v));
	}
	x = &v->v[v->n++];
	memset(x, 0, sizeof(*x));
	x->key = xstrdup(key);
	return x;
}

void
tmpl_putn(tmpl_vars_t *v, const char *key, const void *val, size_t len)
{
	struct val *x = vars_slot(v, key);
	x->s = xmalloc(len + 1);
	memcpy(x->s, val, len);
	x->s[len] = '\0';
	x->len = len;
}

void
tmpl_put(tmpl_vars_t *v, const char *key, const char *val)
{
	if (val)
		tmpl_putn(v, key, val, strlen(val));
}

void
tmpl_putf(tmpl_vars_t *v, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();	/* only out of memory; xmalloc's policy */
	tmpl_putn(v, key, s, (size_t)n);
	free(s);
}

void
tmpl_put_int(tmpl_vars_t *v, const char *key, int64_t n)
{
	tmpl_putf(v, key, "%lld", (long long)n);
}

tmpl_vars_t *
tmpl_push(tmpl_vars_t *v, const char *key)
{
	struct val *x = (struct val *)vars_find(v, key);
	if (!x || !x->is_list) {
		x = vars_slot(v, key);
		x->is_list = 1;
	}
	if (x->nitems == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 8;
		x->items = xrealloc(x->items, x->cap * sizeof(*x->items));
	}
	x->items[x->nitems] = tmpl_vars_new();
	x->items[x->nitems]->parent = v;
	return x->items[x->nitems++];
}

void
tmpl_vars_set_lang(tmpl_vars_t *v, const i18n_lang_t *l, int carry)
{
	v->lang = l;
	v->carry = carry && l ? i18n_code(l) : NULL;
}

const i18n_lang_t *
tmpl_vars_lang(const tmpl_vars_t *v)
{
	while (v->parent)
		v = v->parent;
	return v->lang;
}

/* ---- compiling ---- */

enum ctx { CTX_TEXT, CTX_TAG, CTX_DQ, CTX_SQ, CTX_UNQUOTED, CTX_COMMENT };

/* Just enough HTML tokenising to know where a value would land. */
struct html_ctx {
	enum ctx ctx;
	int after_eq;		/* in a tag, just after attr= */
	int lt_pending;		/* text ended with '<': a value there could open a tag */
	char attr[16];
	size_t attr_len;
};

static void
ctx_feed(struct html_ctx *h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		h->lt_pending = 0;
		switch (h->ctx) {
		case CTX_TEXT:
			if (c == '<') {
				if (i + 3 < len && memcmp(s + i, "<!--", 4) == 0) {
					h->ctx = CTX_COMMENT;
					i += 3;
				} else if (i + 1 == len) {
					h->lt_pending = 1;
				} else if (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!') {
					h->ctx = CTX_TAG;
					h->after_eq = 0;
					h->attr_len = 0;
				}
			}
			break;
		case CTX_TAG:
			if (c == '>') {
				h->ctx = CTX_TEXT;
			} else if (c == '"' || c == '\'') {
				h->ctx = c == '"' ? CTX_DQ : CTX_SQ;
				h->after_eq = 0;
			} else if (c == '=') {
				h->after_eq = 1;
			} else if (isspace((unsigned char)c)) {
				if (!h->after_eq)
					h->attr_len = SIZE_MAX;	/* next letter starts a new name */
			} else if (h->after_eq) {
				h->ctx = CTX_UNQUOTED;
				h->after_eq = 0;
			} else {
				if (h->attr_len == SIZE_MAX)
					h->attr_len = 0;
				if (h->attr_len < sizeof(h->attr) - 1)
					h->attr[h->attr_len++] = (char)tolower((unsigned char)c);
				h->attr[h->attr_len] = '\0';
			}
			break;
		case CTX_DQ:
		case CTX_SQ:
			if (c == (h->ctx == CTX_DQ ? '"' : '\'')) {
				h->ctx = CTX_TAG;
				h->attr_len = SIZE_MAX;
			}
			break;
		case CTX_UNQUOTED:
			if (c == '>')
				h->ctx = CTX_TEXT;
			else if (isspace((unsigned char)c)) {
				h->ctx = CTX_TAG;
				h->attr_len = SIZE_MAX;
			}
			break;
		case CTX_COMMENT:
			if (c == '>' && i >= 2 && s[i - 1] == '-' && s[i - 2] == '-')
				h->ctx = CTX_TEXT;
			break;
		}
	}
}

/* Return NULL if a value with this filter may appear here, else why not. */
static const char *
ctx_check(const struct html_ctx *h, enum filter f)
{
	static const char *const url_attrs[] = { "href", "src", "action", "formaction",
	    "cite", "poster", "data", "srcset", "background", "ping", "manifest", "content" };

	if (h->lt_pending)
		return "value right after '<'";
	switch (h->ctx) {
	case CTX_TEXT:
		return NULL;
	case CTX_DQ:
	case CTX_SQ:
		break;
	default:
		return "value outside text and quoted attribute values";
	}
	if (h->attr_len == SIZE_MAX || h->attr_len == 0)
		return "value in an attribute without a name";
	if (strncmp(h->attr, "on", 2) == 0 || strcmp(h->attr, "style") == 0 ||
	    strcmp(h->attr, "srcdoc") == 0)
		return "value in an event handler, style or srcdoc attribute";
	if (f == F_SNIPPET || f == F_CELLS)
		return "|snippet or |cells inside an attribute";
	for (size_t i = 0; i < ARRAY_LEN(url_attrs); i++)
		if (strcmp(h->attr, url_attrs[i]) == 0 && f != F_URL && f != F_IRI && f != F_QUERY)
			return "URL attribute needs |url, |iri or |query";
	return NULL;
}

static int
parse_filter(const char *f, size_t fl, enum filter *out)
{
	static const struct { const char *name; enum filter f; } fs[] = {
		{ "url", F_URL }, { "query", F_QUERY }, { "iri", F_IRI }, { "snippet", F_SNIPPET },
		{ "cells", F_CELLS }, { "html", F_HTML }, { "num", F_NUM },
	};
	for (size_t i = 0; i < ARRAY_LEN(fs); i++)
		if (strlen(fs[i].name) == fl && memcmp(f, fs[i].name, fl) == 0) {
			*out = fs[i].f;
			return 0;
		}
	return -1;
}

static int valid_name(const char *s, size_t n);

/* A placeholder "{name}" or "{name|filter}" of a message (without braces). */
static const char *
placeholder_parse(const char *p, size_t n, size_t *name_len, enum filter *f)
{
	const char *bar = memchr(p, '|', n);
	*name_len = bar ? (size_t)(bar - p) : n;
	*f = F_HTML;
	if (bar && parse_filter(bar + 1, n - *name_len - 1, f) < 0)
		return "unknown filter in a message placeholder";
	if (!valid_name(p, *name_len))
		return "bad placeholder name in a message";
	return NULL;
}

/* Check a message {{_ ...}} where the template's context is h, and move h
 * past it. Its text is escaped when rendered; its tags are copied (a
 * translation must repeat them exactly), so they are fed to h, and each
 * placeholder is checked where it lands, as {{name}} would be. */
static const char *
msg_check(struct html_ctx *h, const char *m, size_t len)
{
	size_t i = 0, t0, t1, nl;
	char kind;
	enum filter f;
	const char *why;

	if (len == 0)
		return "empty message";
	if ((why = ctx_check(h, F_HTML)) != NULL)
		return why;
	while (i18n_token(m, len, &i, &t0, &t1, &kind)) {
		if (h->ctx != CTX_TEXT && kind == '<')
			return "tag in a message inside an attribute";
		if (kind == '{') {
			if ((why = placeholder_parse(m + t0 + 1, t1 - t0 - 2, &nl, &f)) != NULL ||
			    (why = ctx_check(h, f)) != NULL)
				return why;
			continue;
		}
		for (size_t k = t0; k < t1;) {
			const char *e, *o = memchr(m + k, '{', t1 - k);
			size_t run = o ? (size_t)(o - m) - k : t1 - k;
			ctx_feed(h, m + k, run);   /* whole runs: ctx_feed looks ahead */
			k += run;
			if (k == t1)
				break;
			if ((e = memchr(m + k, '}', t1 - k)) == NULL)
				return "unclosed { in a message's tag";
			if ((why = placeholder_parse(m + k + 1, (size_t)(e - m) - k - 1, &nl, &f)) != NULL ||
			    (why = ctx_check(h, f)) != NULL)
				return why;
			k = (size_t)(e - m) + 1;
		}
		if (h->ctx == CTX_TEXT && t1 - t0 >= 7 && strncasecmp(m + t0, "<script", 7) == 0)
			return "raw-text element in a message";
	}
	if (h->ctx != CTX_TEXT && h->ctx != CTX_DQ && h->ctx != CTX_SQ)
		return "message ends inside a tag";
	if (memchr(m, '}', len) && !memchr(m, '{', len))
		return "stray } in a message";
	return NULL;
}

static struct op *
op_add(struct tmpl *t, enum op_kind kind)
{
	if (t->nops == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->ops = xrealloc(t->ops, t->cap * sizeof(*t->ops));
	}
	struct op *o = &t->ops[t->nops++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	return o;
}

static void
tmpl_clear(struct tmpl *t)
{
	for (size_t i = 0; i < t->nops; i++)
		free(t->ops[i].name);
	free(t->ops);
	free(t->text);
	free(t->name);
}

static int
valid_name(const char *s, size_t n)
{
	if (n == 0 || n > MAX_NAME)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-@", s[i]))
			return 0;
	return 1;
}

static int
line_of(const char *text, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

static int
compile(struct tmpl *t, char **err)
{
	const char *s = t->text;
	size_t len = strlen(s), pos = 0, stack[MAX_DEPTH], depth = 0;
	struct html_ctx h = { .ctx = CTX_TEXT };
	const char *why = NULL;

	/* Raw-text elements would need other escaping; we never need them. */
	static const char *const raw[] = { "<script", "<style", "<xmp", "<iframe", "<noembed",
	    "<noframes", "<noscript", "<plaintext", "<template" };
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; s[i] == '<' && k < ARRAY_LEN(raw); k++)
			if (strncasecmp(s + i, raw[k], strlen(raw[k])) == 0) {
				pos = i;
				why = "raw-text elements (<script>, <style>...) are not allowed";
				goto fail;
			}
	while (pos < len) {
		const char *open = strstr(s + pos, "{{");
		size_t tlen = open ? (size_t)(open - (s + pos)) : len - pos;
		if (tlen) {
			struct op *o = op_add(t, OP_TEXT);
			o->off = pos;
			o->len = tlen;
			ctx_feed(&h, s + pos, tlen);
		}
		if (!open)
			break;
		pos = (size_t)(open - s);
		if (open[2] == '_' && open[3] == ' ') {
			/* {{_ English text with {placeholders}}}: skip over them. */
			const char *m = open + 4, *p = m;
			while (*p && !(p[0] == '}' && p[1] == '}')) {
				if (*p == '{' && (p = strchr(p, '}')) == NULL)
					break;
				p++;
			}
			if (p == NULL || *p == '\0') {
				why = "unclosed {{_";
				goto fail;
			}
			while (p > m && p[-1] == ' ')
				p--;
			enum ctx before = h.ctx;
			if ((why = msg_check(&h, m, (size_t)(p - m))) != NULL)
				goto fail;
			struct op *mo = op_add(t, OP_MSG);
			mo->name = xstrndup(m, (size_t)(p - m));
			mo->in_attr = before != CTX_TEXT;
			pos = (size_t)(strstr(p, "}}") + 2 - s);
			continue;
		}
		const char *close = strstr(open + 2, "}}");
		if (!close) {
			why = "unclosed {{";
			goto fail;
		}
		const char *a = open + 2, *b = close;
		size_t next = (size_t)(close + 2 - s);
		if (*a == '!') {
			pos = next;
			continue;
		}
		char sigil = 0;
		if (*a && strchr("#^/>", *a))
			sigil = *a++;
		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		const char *bar = memchr(a, '|', (size_t)(b - a));
		const char *nend = bar ? bar : b;
		enum filter f = F_HTML;
		if (bar) {
			size_t fl = (size_t)(b - bar - 1);
			if (sigil) { why = "filter on a section or partial"; goto fail; }
			if (parse_filter(bar + 1, fl, &f) < 0) { why = "unknown filter"; goto fail; }
		}
		if (!valid_name(a, (size_t)(nend - a))) {
			why = "bad name";
			goto fail;
		}
		char *name = xstrndup(a, (size_t)(nend - a));
		struct op *o;
		switch (sigil) {
		case '#':
		case '^':
			if (depth == MAX_DEPTH) {
				free(name);
				why = "sections nested too deeply";
				goto fail;
			}
			stack[depth++] = t->nops;
			o = op_add(t, sigil == '#' ? OP_SECTION : OP_INVERTED);
			o->name = name;
			break;
		case '/':
			if (depth == 0 || strcmp(t->ops[stack[depth - 1]].name, name) != 0) {
				free(name);
				why = "closing a section that is not open";
				goto fail;
			}
			free(name);
			t->ops[stack[--depth]].end = t->nops;
			break;
		case '>':
			o = op_add(t, strcmp(name, "@body") == 0 ? OP_BODY : OP_PARTIAL);
			o->name = name;
			o->in_attr = h.ctx != CTX_TEXT;
			break;
		default:
			if ((why = ctx_check(&h, f)) != NULL) {
				free(name);
				goto fail;
			}
			o = op_add(t, OP_VAR);
			o->name = name;
			o->filter = f;
			o->in_attr = h.ctx != CTX_TEXT;
			break;
		}
		pos = next;
	}
	if (depth) {
		pos = t->ops[stack[depth - 1]].off;
		why = "section not closed";
		goto fail;
	}
	return 0;
fail:
	if (err)
		*err = xasprintf("%s:%d: %s", t->name, line_of(s, pos), why);
	return -1;
}

tmpl_set_t *
tmpl_set_new(void)
{
	return xcalloc(1, sizeof(tmpl_set_t));
}

void
tmpl_set_free_(tmpl_set_t *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		tmpl_clear(&set->t[i]);
	free(set->t);
	free(set);
}

static const struct tmpl *
set_find(const tmpl_set_t *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->t[i].name, name) == 0)
			return &set->t[i];
	return NULL;
}

int
tmpl_set_add(tmpl_set_t *set, const char *name, const char *text, size_t len, char **err)
{
	struct tmpl t = { 0 };

	if (err)
		*err = NULL;
	t.name = xstrdup(name);
	t.text = xstrndup(text, len);	/* stops at a NUL: templates are text */
	if (compile(&t, err) < 0 || set_find(set, name)) {
		if (err && !*err)
			*err = xasprintf("%s: defined twice", name);
		tmpl_clear(&t);
		return -1;
	}
	set->t = xrealloc(set->t, (set->n + 1) * sizeof(*set->t));
	set->t[set->n++] = t;
	return 0;
}

/* ---- rendering ---- */

struct render {
	const tmpl_set_t *set;
	const char *body;
	const tmpl_vars_t *scope[MAX_DEPTH + 1];
	size_t nscope;
	int depth;
	int in_attr;	/* rendering a partial included inside an attribute */
	const i18n_lang_t *lang;
	strbuf_t *out;
};

static const struct val *
lookup(const struct render *r, const char *name)
{
	for (size_t i = r->nscope; i-- > 0;) {
		const struct val *v = vars_find(r->scope[i], name);
		if (v)
			return v;
	}
	return NULL;
}

static int render_tmpl(struct render *r, const char *name);

static void
put_value(struct render *r, const struct val *v, enum filter f, int in_attr)
{
	strbuf_t d;

	switch (f) {
	case F_HTML:
		text_html(r->out, v->s, v->len, in_attr ? TEXT_HTML_ATTR : 0);
		break;
	case F_URL: tmpl_escape_url(r->out, v->s, v->len); break;
	case F_IRI: tmpl_escape_iri(r->out, v->s, v->len); break;
	case F_QUERY: tmpl_escape_query(r->out, v->s, v->len); break;
	case F_SNIPPET: tmpl_escape_snippet(r->out, v->s, v->len); break;
	case F_CELLS: text_html(r->out, v->s, v->len, TEXT_HTML_CELLS); break;
	case F_NUM:
		strbuf_init(&d);
		i18n_digits(r->lang, &d, v->s, v->len);
		text_html(r->out, d.s ? d.s : "", d.len, in_attr ? TEXT_HTML_ATTR : 0);
		strbuf_release(&d);
		break;
	}
}

static void
put_placeholder(struct render *r, const char *p, size_t n, int in_attr)
{
	size_t nl;
	enum filter f;
	char name[MAX_NAME + 1];
	const struct val *v;

	if (placeholder_parse(p, n, &nl, &f) != NULL)
		return;   /* checked when compiled and when the catalogue loaded */
	memcpy(name, p, nl);
	name[nl] = '\0';
	if ((v = lookup(r, name)) != NULL && !v->is_list)
		put_value(r, v, f, in_attr);
}

/* A message in the page's language: its text escaped, its tags (the same
 * as the English ones, i18n_init checked) copied with their placeholders
 * filled in. */
static void
render_msg(struct render *r, const char *msgid, int in_attr)
{
	const char *m = i18n_tr(r->lang, msgid);
	size_t len = strlen(m), i = 0, at = 0, t0, t1;
	unsigned flags = in_attr ? TEXT_HTML_ATTR : 0;
	char kind;

	while (i18n_token(m, len, &i, &t0, &t1, &kind)) {
		text_html(r->out, m + at, t0 - at, flags);
		if (kind == '{') {
			put_placeholder(r, m + t0 + 1, t1 - t0 - 2, in_attr);
		} else {
			for (size_t k = t0; k < t1; k++) {
				const char *e;
				if (m[k] != '{' || (e = memchr(m + k, '}', t1 - k)) == NULL) {
					strbuf_addc(r->out, m[k]);
					continue;
				}
				put_placeholder(r, m + k + 1, (size_t)(e - m) - k - 1, 1);
				k = (size_t)(e - m);
			}
		}
		at = t1;
	}
	text_html(r->out, m + at, len - at, flags);
}

static int
render_ops(struct render *r, const struct tmpl *t, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct op *o = &t->ops[i];
		const struct val *v;

		if (r->out->len > MAX_OUT)
			return -1;
		switch (o->kind) {
		case OP_TEXT:
			strbuf_add(r->out, t->text + o->off, o->len);
			break;
		case OP_VAR:
			v = lookup(r, o->name);
			if (!v || v->is_list)
				break;
			put_value(r, v, o->filter, o->in_attr || r->in_attr);
			break;
		case OP_MSG:
			render_msg(r, o->name, o->in_attr || r->in_attr);
			break;
		case OP_SECTION:
		case OP_INVERTED: {
			v = lookup(r, o->name);
			int truthy = v && (v->is_list ? v->nitems > 0 : v->len > 0);
			if (o->kind == OP_INVERTED || !v || !v->is_list) {
				if (truthy == (o->kind == OP_SECTION) &&
				    render_ops(r, t, i + 1, o->end) < 0)
					return -1;
			} else {
				if (r->nscope > MAX_DEPTH)
					return -1;
				for (size_t k = 0; k < v->nitems; k++) {
					r->scope[r->nscope++] = v->items[k];
					int rc = render_ops(r, t, i + 1, o->end);
					r->nscope--;
					if (rc < 0)
						return -1;
				}
			}
			i = o->end - 1;
			break;
		}
		case OP_PARTIAL: {
			/* A partial is compiled as text; included in an attribute,
			 * its values must still escape quotes. */
			int saved = r->in_attr;
			r->in_attr |= o->in_attr;
			int rc = render_tmpl(r, o->name);
			r->in_attr = saved;
			if (rc < 0)
				return -1;
			break;
		}
		case OP_BODY:
			if (!r->body || render_tmpl(r, r->body) < 0)
				return -1;
			break;
		}
	}
	return r->out->len > MAX_OUT ? -1 : 0;
}

static int
render_tmpl(struct render *r, const char *name)
{
	const struct tmpl *t = set_find(r->set, name);
	int rc;

	if (!t || r->depth >= MAX_DEPTH)
		return -1;
	r->depth++;
	rc = render_ops(r, t, 0, t->nops);
	r->depth--;
	return rc;
}

int
tmpl_render(const tmpl_set_t *set, const char *name, const char *body,
    const tmpl_vars_t *vars, strbuf_t *out)
{
	struct render r = { .set = set, .body = body, .out = out };
	size_t start = out->len;
	int rc;

	r.scope[r.nscope++] = vars;
	r.lang = tmpl_vars_lang(vars);
	rc = render_tmpl(&r, name);
	if (rc == 0 && vars->carry)
		i18n_carry(out, start, vars->carry);
	return rc;
}
