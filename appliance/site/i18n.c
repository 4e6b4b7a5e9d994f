/* i18n: see i18n.h. The .mo files (GNU gettext's binary catalogue, made by
 * msgfmt --check at build time) are read in place from the embedded assets:
 * each becomes a sorted array of (msgid, msgstr) pointers for bsearch.
 * Plural rules are the Plural-Forms of the .po headers, written here as C
 * (a test checks both agree). */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "site/asset.h"
#include "site/i18n.h"

struct entry {
	const char *id;         /* msgid; for a plural "id\0plural" */
	const char *str;        /* msgstr; for a plural "form0\0form1\0..." */
	size_t str_len;         /* all forms with their NULs between */
};

struct i18n_lang {
	const char *code, *name;
	int rtl;
	const char *zero;       /* UTF-8 of the digit zero (0-9 follow it), or NULL: ASCII */
	const char *group, *decimal;
	int (*plural)(int64_t n);
	int nplurals;
	struct entry *e;
	size_t n;
};

static int pl_one(int64_t n) { return n != 1; }
static int pl_fr(int64_t n) { return n > 1; }
static int pl_none(int64_t n) { (void)n; return 0; }
static int
pl_ru(int64_t n)
{
	return n % 10 == 1 && n % 100 != 11 ? 0 :
	    n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20) ? 1 : 2;
}
static int
pl_ar(int64_t n)
{
	return n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : n % 100 >= 3 && n % 100 <= 10 ? 3 :
	    n % 100 >= 11 ? 4 : 5;
}

/* Persian and Arabic digits, Arabic thousands and decimal separators (U+066C,
 * U+066B), as those readers write numbers; French and Russian group with a
 * (narrow) no-break space. */
static struct i18n_lang langs[] = {
	{ "en", "English", 0, NULL, ",", ".", pl_one, 2, NULL, 0 },
	{ "es", "Español", 0, NULL, ".", ",", pl_one, 2, NULL, 0 },
	{ "fr", "Français", 0, NULL, "\u202f", ",", pl_fr, 2, NULL, 0 },
	{ "de", "Deutsch", 0, NULL, ".", ",", pl_one, 2, NULL, 0 },
	{ "pt", "Português", 0, NULL, ".", ",", pl_one, 2, NULL, 0 },
	{ "ru", "Русский", 0, NULL, "\u00a0", ",", pl_ru, 3, NULL, 0 },
	{ "ar", "العربية", 1, "\u0660", "\u066c", "\u066b", pl_ar, 6, NULL, 0 },
	{ "fa", "فارسی", 1, "\u06f0", "\u066c", "\u066b", pl_fr, 2, NULL, 0 },
	{ "tr", "Türkçe", 0, NULL, ".", ",", pl_one, 2, NULL, 0 },
	{ "zh", "中文", 0, NULL, ",", ".", pl_none, 1, NULL, 0 },
};

static int init_rc = -1;
static char *init_err;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static uint32_t
rd32(const unsigned char *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->id, ((const struct entry *)b)->id);
}

int
i18n_token(const char *s, size_t len, size_t *i, size_t *t0, size_t *t1, char *kind)
{
	for (size_t k = *i; k < len; k++) {
		if (s[k] == '{') {
			const char *e = memchr(s + k, '}', len - k);
			if (!e)
				return 0;
			*t0 = k;
			*t1 = (size_t)(e - s) + 1;
			*kind = '{';
			*i = *t1;
			return 1;
		}
		if (s[k] == '<' && k + 1 < len && (s[k + 1] == '/' || (s[k + 1] | 0x20) >= 'a') &&
		    ((s[k + 1] | 0x20) <= 'z' || s[k + 1] == '/')) {
			const char *e = memchr(s + k, '>', len - k);
			if (!e)
				return 0;
			*t0 = k;
			*t1 = (size_t)(e - s) + 1;
			*kind = '<';
			*i = *t1;
			return 1;
		}
	}
	return 0;
}

struct shape {
	char tags[2048];        /* the tags, in order, NUL-separated */
	size_t tags_len;
	char ph[1024];          /* placeholders and %-conversions, sorted later */
	size_t nph;
	const char *phv[64];
};

static int
shape_of(const char *s, size_t len, struct shape *sh)
{
	size_t i = 0, t0, t1, phlen = 0;
	char kind;

	sh->tags_len = 0;
	sh->nph = 0;
	while (i18n_token(s, len, &i, &t0, &t1, &kind)) {
		if (kind == '<') {
			if (sh->tags_len + (t1 - t0) + 1 > sizeof(sh->tags))
				return -1;
			memcpy(sh->tags + sh->tags_len, s + t0, t1 - t0);
			sh->tags_len += t1 - t0;
			sh->tags[sh->tags_len++] = '\0';
		} else {
			if (sh->nph == 64 || phlen + (t1 - t0) + 1 > sizeof(sh->ph))
				return -1;
			memcpy(sh->ph + phlen, s + t0, t1 - t0);
			sh->ph[phlen + (t1 - t0)] = '\0';
			sh->phv[sh->nph++] = sh->ph + phlen;
			phlen += t1 - t0 + 1;
		}
	}
	/* strftime and printf conversions: the same ones, in any order. */
	for (size_t k = 0; k + 1 < len; k++)
		if (s[k] == '%') {
			if (sh->nph == 64 || phlen + 3 > sizeof(sh->ph))
				return -1;
			sh->ph[phlen] = '%';
			sh->ph[phlen + 1] = s[k + 1];
			sh->ph[phlen + 2] = '\0';
			sh->phv[sh->nph++] = sh->ph + phlen;
			phlen += 3;
			k++;
		}
	return 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether tr may stand for id: the same tags in the same order and the same
 * placeholders; a plural form may leave placeholders out ("one file"). */
static int
shape_match(const char *id, const char *tr, int plural_form)
{
	static __thread struct shape a, b;
	size_t k = 0;

	if (shape_of(id, strlen(id), &a) < 0 || shape_of(tr, strlen(tr), &b) < 0)
		return 0;
	if (a.tags_len != b.tags_len || memcmp(a.tags, b.tags, a.tags_len) != 0)
		return 0;
	qsort(a.phv, a.nph, sizeof(*a.phv), str_cmp);
	qsort(b.phv, b.nph, sizeof(*b.phv), str_cmp);
	if (!plural_form) {
		if (a.nph != b.nph)
			return 0;
		for (size_t i = 0; i < a.nph; i++)
			if (strcmp(a.phv[i], b.phv[i]) != 0)
				return 0;
		return 1;
	}
	for (size_t i = 0; i < b.nph; i++) {
		while (k < a.nph && strcmp(a.phv[k], b.phv[i]) < 0)
			k++;
		if (k == a.nph || strcmp(a.phv[k], b.phv[i]) != 0)
			return 0;
	}
	return 1;
}

static int
load_lang(struct i18n_lang *l, strbuf_t *why)
{
	char name[16];
	const unsigned char *d;
	size_t len;
	uint32_t n, oo, to;
	int swap;

	snprintf(name, sizeof(name), "%s.mo", l->code);
	if (asset_get(name, &d, &len, NULL) < 0) {
		strbuf_addf(why, "%s: not embedded", name);
		return -1;
	}
	if (len < 28 || (rd32(d, 0) != 0x950412de && rd32(d, 1) != 0x950412de))
		goto bad;
	swap = rd32(d, 0) != 0x950412de;
	n = rd32(d + 8, swap);
	oo = rd32(d + 12, swap);
	to = rd32(d + 16, swap);
	if (oo > len || to > len || n > (len - oo) / 8 || n > (len - to) / 8)
		goto bad;
	l->e = xcalloc(n ? n : 1, sizeof(*l->e));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t il = rd32(d + oo + 8 * i, swap), io = rd32(d + oo + 8 * i + 4, swap);
		uint32_t sl = rd32(d + to + 8 * i, swap), so = rd32(d + to + 8 * i + 4, swap);
		if (io > len || il >= len - io || so > len || sl >= len - so ||
		    d[io + il] != '\0' || d[so + sl] != '\0')
			goto bad;
		if (il == 0)
			continue;       /* the header */
		struct entry *e = &l->e[l->n];
		e->id = (const char *)d + io;
		e->str = (const char *)d + so;
		e->str_len = sl;
		int plural = strlen(e->id) < il;
		int forms = 0;
		for (const char *f = e->str; f < e->str + sl + 1; f += strlen(f) + 1, forms++)
			if (!shape_match(e->id, f, plural)) {
				strbuf_addf(why, "%s: the translation of \"%s\" does not keep its "
				    "placeholders and tags", name, e->id);
				return -1;
			}
		if (plural && forms != l->nplurals) {
			strbuf_addf(why, "%s: \"%s\" has %d plural forms, not %d", name, e->id,
			    forms, l->nplurals);
			return -1;
		}
		l->n++;
	}
	qsort(l->e, l->n, sizeof(*l->e), entry_cmp);
	return 0;
bad:
	strbuf_addf(why, "%s: not a valid .mo file", name);
	return -1;
}

static void
load_all(void)
{
	strbuf_t why;

	strbuf_init(&why);
	init_rc = 0;
	for (size_t i = 1; i < ARRAY_LEN(langs); i++)
		if (load_lang(&langs[i], &why) < 0) {
			init_rc = -1;
			break;
		}
	if (init_rc < 0)
		init_err = strbuf_detach(&why);
	strbuf_release(&why);
}

int
i18n_init(char **err)
{
	pthread_once(&init_once, load_all);
	if (init_rc < 0 && err)
		*err = xstrdup(init_err ? init_err : "catalogues not loaded");
	return init_rc;
}

const i18n_lang_t *
i18n_find(const char *code)
{
	for (size_t i = 0; code && i < ARRAY_LEN(langs); i++)
		if (strcmp(langs[i].code, code) == 0)
			return &langs[i];
	return NULL;
}

const i18n_lang_t *
i18n_english(void)
{
	return &langs[0];
}

const i18n_lang_t *
i18n_at(size_t i)
{
	return i < ARRAY_LEN(langs) ? &langs[i] : NULL;
}

const char *i18n_code(const i18n_lang_t *l) { return l ? l->code : "en"; }
const char *i18n_name(const i18n_lang_t *l) { return l ? l->name : "English"; }
int i18n_rtl(const i18n_lang_t *l) { return l ? l->rtl : 0; }
size_t i18n_count(const i18n_lang_t *l) { return l ? l->n : 0; }

static const struct entry *
lookup(const i18n_lang_t *l, const char *msgid)
{
	struct entry key = { msgid, NULL, 0 };

	if (l == NULL || l->n == 0 || msgid == NULL)
		return NULL;
	(void)i18n_init(NULL);
	return bsearch(&key, l->e, l->n, sizeof(*l->e), entry_cmp);
}

const char *
i18n_tr(const i18n_lang_t *l, const char *msgid)
{
	const struct entry *e = lookup(l, msgid);
	return e && e->str[0] ? e->str : msgid;
}

int
i18n_plural_index(const i18n_lang_t *l, int64_t n)
{
	if (n < 0)
		n = -n;
	return (l ? l : &langs[0])->plural(n);
}

const char *
i18n_ntr(const i18n_lang_t *l, const char *msgid, const char *plural, int64_t n)
{
	const struct entry *e = lookup(l, msgid);
	int k = i18n_plural_index(l, n);
	const char *f;

	if (e == NULL || e->str[0] == '\0')
		return k == 0 ? msgid : plural;
	f = e->str;
	for (int i = 0; i < k && f + strlen(f) < e->str + e->str_len; i++)
		f += strlen(f) + 1;
	return f;
}

void
i18n_subst(strbuf_t *out, const char *msg, ...)
{
	for (const char *p = msg; *p;) {
		const char *e;
		if (*p != '{' || (e = strchr(p, '}')) == NULL) {
			strbuf_addc(out, *p++);
			continue;
		}
		const char *val = NULL;
		va_list ap;
		va_start(ap, msg);
		for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
			const char *v = va_arg(ap, const char *);
			if (strlen(k) == (size_t)(e - p - 1) && memcmp(k, p + 1, (size_t)(e - p - 1)) == 0)
				val = v;
		}
		va_end(ap);
		if (val)
			strbuf_adds(out, val);
		else
			strbuf_add(out, p, (size_t)(e - p + 1));
		p = e + 1;
	}
}

void
i18n_digits(const i18n_lang_t *l, strbuf_t *out, const char *s, size_t len)
{
	if (l == NULL)
		l = &langs[0];
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9' && l->zero) {
			/* Both digit ranges are two-byte sequences with 0-9 consecutive. */
			char d[2] = { l->zero[0], (char)(l->zero[1] + (c - '0')) };
			strbuf_add(out, d, 2);
		} else {
			strbuf_addc(out, c);
		}
	}
}

void
i18n_number(const i18n_lang_t *l, strbuf_t *out, int64_t n)
{
	char tmp[32], g[48];
	size_t len, j = 0;

	snprintf(tmp, sizeof(tmp), "%llu", n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n);
	len = strlen(tmp);
	if (n < 0)
		g[j++] = '-';
	for (size_t i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0) {
			i18n_digits(l, out, g, j);
			strbuf_adds(out, (l ? l : &langs[0])->group);
			j = 0;
		}
		g[j++] = tmp[i];
	}
	i18n_digits(l, out, g, j);
}

void
i18n_size(const i18n_lang_t *l, strbuf_t *out, int64_t n)
{
	static const char *const unit[] = { N_("{n} B"), N_("{n} kB"), N_("{n} MB"),
	    N_("{n} GB"), N_("{n} TB"), N_("{n} PB") };
	double v = (double)(n < 0 ? 0 : n);
	size_t u = 0;
	char num[32];
	strbuf_t b;

	while (v >= 1000.0 && u + 1 < ARRAY_LEN(unit)) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(num, sizeof(num), "%lld", (long long)(n < 0 ? 0 : n));
	else
		snprintf(num, sizeof(num), "%.1f", v);
	strbuf_init(&b);
	for (char *c = num; *c; c++) {
		if (*c == '.')
			strbuf_adds(&b, (l ? l : &langs[0])->decimal);
		else
			i18n_digits(l, &b, c, 1);
	}
	i18n_subst(out, i18n_tr(l, unit[u]), "n", b.s, (const char *)NULL);
	strbuf_release(&b);
}

void
i18n_date(const i18n_lang_t *l, strbuf_t *out, int64_t t, int utc)
{
	char b[64];
	struct tm tm;
	time_t tt = (time_t)t;
	strbuf_t d;

	/* xgettext:no-c-format */
	const char *fmt = i18n_tr(l, N_("%Y-%m-%d %H:%M"));
	/* The format is a catalogue's, checked at load to hold the English
	 * one's conversions (numeric ones only, so no locale is involved). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	size_t bl = t > 0 && gmtime_r(&tt, &tm) ? strftime(b, sizeof(b), fmt, &tm) : 0;
#pragma GCC diagnostic pop
	if (bl == 0) {
		strbuf_adds(out, i18n_tr(l, N_("unknown")));
		return;
	}
	strbuf_init(&d);
	i18n_digits(l, &d, b, strlen(b));
	if (utc)
		i18n_subst(out, i18n_tr(l, N_("{date} UTC")), "date", d.s, (const char *)NULL);
	else
		strbuf_add(out, d.s, d.len);
	strbuf_release(&d);
}

/* An href value with lang=<code> added when it leads to another page of
 * this site: a path, a relative name or a query, not a fragment alone, not
 * another site (a scheme), not file bytes, manifests or the stylesheet, and
 * not a link that names its language itself (the switcher). */
static void
carry_href(strbuf_t *b, const char *u, size_t n, const char *code)
{
	static const char *const skip[] = { "/f/", "/d/", "/m/", "/i/", "/static/", "//" };
	size_t end = 0, lim;

	while (end < n && u[end] != '#')
		end++;
	for (lim = 0; lim < n && !strchr("/?#", u[lim]); lim++)
		if (u[lim] == ':')
			goto copy;      /* a scheme: another site */
	if (n == 0 || u[0] == '#')
		goto copy;
	for (size_t i = 0; i < ARRAY_LEN(skip); i++)
		if (n >= strlen(skip[i]) && strncmp(u, skip[i], strlen(skip[i])) == 0)
			goto copy;
	const char *q = memchr(u, '?', end);
	if (q && (((size_t)(u + end - q) >= 6 && strncmp(q, "?lang=", 6) == 0) ||
	    memmem(q, (size_t)(u + end - q), "&amp;lang=", 10) ||
	    memmem(q, (size_t)(u + end - q), "&lang=", 6)))
		goto copy;
	strbuf_add(b, u, end);
	strbuf_adds(b, q ? "&amp;lang=" : "?lang=");
	strbuf_adds(b, code);
	strbuf_add(b, u + end, n - end);
	return;
copy:
	strbuf_add(b, u, n);
}

/* Only tags are read: data reaches the page escaped, so every '<' here
 * starts one of ours and a quoted attribute value cannot hold its quote. */
void
i18n_carry(strbuf_t *out, size_t start, const char *code)
{
	const char *s = out->s + start;
	size_t n = out->len - start, i = 0;
	strbuf_t b;

	strbuf_init(&b);
	while (i < n) {
		if (s[i] != '<' || i + 1 >= n || !isalpha((unsigned char)s[i + 1])) {
			strbuf_addc(&b, s[i++]);
			continue;
		}
		size_t j = i + 1;
		while (j < n && isalnum((unsigned char)s[j]))
			j++;
		int form = j - i - 1 == 4 && strncasecmp(s + i + 1, "form", 4) == 0;
		strbuf_add(&b, s + i, j - i);
		i = j;
		while (i < n && s[i] != '>') {
			size_t a0 = i;
			while (i < n && !isspace((unsigned char)s[i]) && s[i] != '=' && s[i] != '>')
				i++;
			int href = i - a0 == 4 && strncasecmp(s + a0, "href", 4) == 0;
			strbuf_add(&b, s + a0, i - a0);
			if (i < n && s[i] == '=' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\'')) {
				char qc = s[i + 1];
				const char *e = memchr(s + i + 2, qc, n - i - 2);
				size_t v0 = i + 2, v1 = e ? (size_t)(e - s) : n;
				strbuf_add(&b, s + i, 2);
				if (href)
					carry_href(&b, s + v0, v1 - v0, code);
				else
					strbuf_add(&b, s + v0, v1 - v0);
				i = v1;
			}
			if (i < n && s[i] != '>')
				strbuf_addc(&b, s[i++]);
		}
		if (i < n) {
			strbuf_addc(&b, '>');
			i++;
			if (form)
				strbuf_addf(&b, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", code);
		}
	}
	out->len = start;
	strbuf_add(out, b.s ? b.s : "", b.len);
	strbuf_release(&b);
}
