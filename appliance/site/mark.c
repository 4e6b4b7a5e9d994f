/* mark: see mark.h. */
#include "site/mark.h"

#include <ctype.h>
#include <string.h>

static int
word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    c >= 0x80;
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

void
mark_terms_parse(const char *q, mark_terms_t *out)
{
	const unsigned char *p = (const unsigned char *)(q ? q : "");

	memset(out, 0, sizeof(*out));
	while (*p && out->n < MARK_TERMS_MAX) {
		size_t n = 0;
		while (*p && !word_byte(*p))
			p++;
		const unsigned char *w = p;
		while (*p && word_byte(*p))
			p++, n++;
		if (n < 2 || n > MARK_TERM_MAX)
			continue;
		for (size_t i = 0; i < n; i++)
			out->t[out->n].w[i] = (char)lower(w[i]);
		out->t[out->n].len = n;
		out->t[out->n].prefix = *p == '*' && n >= 3;
		out->first[(unsigned char)out->t[out->n].w[0]] = 1;
		out->first[(unsigned char)toupper((unsigned char)out->t[out->n].w[0])] = 1;
		out->n++;
	}
}

static int
match_at(const mark_terms_t *t, const unsigned char *s, size_t len, size_t i, size_t *end)
{
	for (size_t k = 0; k < t->n; k++) {
		size_t n = t->t[k].len, j = 0;
		if (len - i < n)
			continue;
		while (j < n && lower(s[i + j]) == (unsigned char)t->t[k].w[j])
			j++;
		if (j < n)
			continue;
		j = i + n;
		if (t->t[k].prefix) {
			while (j < len && word_byte(s[j]))
				j++;
		} else if (j < len && word_byte(s[j])) {
			continue;   /* "police" is not a hit in "policeman" */
		}
		*end = j;
		return 1;
	}
	return 0;
}

int
mark_next(const mark_terms_t *t, const char *str, size_t len, size_t from, size_t *start,
    size_t *end)
{
	const unsigned char *s = (const unsigned char *)str;

	if (t->n == 0)
		return 0;
	for (size_t i = from; i < len; i++) {
		/* Most bytes start no word of the query: one table look each. */
		if (!t->first[s[i]] || (i > 0 && word_byte(s[i - 1])))
			continue;
		if (match_at(t, s, len, i, end)) {
			*start = i;
			return 1;
		}
	}
	return 0;
}
