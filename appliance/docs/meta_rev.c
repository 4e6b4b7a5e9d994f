/* meta_rev: see meta_rev.h. */
#include "docs/meta_rev.h"

#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "docs/extract.h"
#include "docs/pii.h"

#define META_REV_LOOKAHEAD 256   /* bytes read past what is shown: a finding across the cut is still masked */

int
meta_rev_ends(const char *hints, size_t n, long long size, long long ends[META_PDF_REV_READ])
{
	const char *p = hints, *end = hints + n;
	size_t hl = strlen(META_PDF_REV_HINT);
	int k = 0;

	while (p < end && k < META_PDF_REV_READ) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
		if (len > hl && memcmp(p, META_PDF_REV_HINT, hl) == 0) {
			long long v = 0;
			size_t i = hl;
			/* A plain decimal, at most 18 digits (no overflow), nothing after it. */
			while (i < len && i - hl < 18 && p[i] >= '0' && p[i] <= '9')
				v = v * 10 + (p[i++] - '0');
			ends[k++] = i == len && v > 0 && v < size && v <= META_PDF_REV_BYTES ? v : 0;
		}
		p += len + 1;
	}
	return k;
}

/* The next line of text[*at..n), blanks trimmed and NUL-terminated in
 * place; NULL at the end. */
static char *
next_line(char *text, size_t n, size_t *at)
{
	while (*at < n) {
		char *l = text + *at, *e = memchr(l, '\n', n - *at), *t;
		if (e == NULL)
			e = text + n;
		*at = (size_t)(e - text) + 1;
		while (l < e && (*l == ' ' || *l == '\f' || *l == '\t' || *l == '\r'))
			l++;
		for (t = e; t > l && (t[-1] == ' ' || t[-1] == '\r' || t[-1] == '\t' || t[-1] == '\f'); t--)
			;
		if (t > l) {
			*t = '\0';   /* at most text[n], which the caller keeps writable */
			return l;
		}
	}
	return NULL;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
meta_rev_last_init(meta_rev_last_t *last, char *text, size_t n)
{
	size_t cap = 0, at = 0;
	char *l;

	last->line = NULL;
	last->n = 0;
	while ((l = next_line(text, n, &at)) != NULL) {
		if (last->n == cap)
			last->line = xrealloc(last->line, (cap = cap ? 2 * cap : 256) * sizeof(*last->line));
		last->line[last->n++] = l;
	}
	if (last->n > 0)
		qsort(last->line, last->n, sizeof(*last->line), line_cmp);
}

void
meta_rev_last_free(meta_rev_last_t *last)
{
	free(last->line);
	last->line = NULL;
	last->n = 0;
}

/* pii_scan's findings in the removed text: masked as a personal-data
 * finding's excerpt masks them (every letter and digit but the last two). */
struct mask {
	const char *t;
	size_t at;
	strbuf_t *out;
};

static int
is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
mask_one(enum pii_kind kind, size_t off, size_t len, void *arg)
{
	struct mask *m = arg;
	size_t keep = off + len;

	if (off < m->at)
		return 0;
	for (int seen = 0; keep > off && seen < 2;)
		if (is_alnum((unsigned char)m->t[--keep]))
			seen++;
	strbuf_add(m->out, m->t + m->at, off - m->at);
	for (size_t i = off; i < off + len; i++)
		if (i < keep && is_alnum((unsigned char)m->t[i]))
			strbuf_adds(m->out, "\xe2\x80\xa2");
		else
			strbuf_addc(m->out, m->t[i]);
	m->at = off + len;
	return 0;
}

size_t
meta_rev_removed(const meta_rev_last_t *last, char *old, size_t n, size_t max, strbuf_t *gone)
{
	size_t at = 0, found = 0;
	strbuf_t all, masked;
	char *l;

	/* Enough of the text for max bytes once masked (a mark is 3 bytes for 1),
	 * and a finding's worth more, so one is not cut before it is seen. */
	strbuf_init(&all);
	strbuf_init(&masked);
	while ((l = next_line(old, n, &at)) != NULL) {
		if (last->n > 0 && bsearch(&l, last->line, last->n, sizeof(*last->line), line_cmp) != NULL)
			continue;
		if (all.len < max + META_REV_LOOKAHEAD) {
			if (found > 0)
				strbuf_adds(&all, " | ");
			extract_utf8(&all, l, strnlen(l, max + META_REV_LOOKAHEAD));
		}
		found++;
	}
	if (all.len > 0) {
		struct mask m = { all.s, 0, &masked };
		pii_scan(all.s, all.len, mask_one, &m);
		strbuf_add(&masked, all.s + m.at, all.len - m.at);
		strbuf_add(gone, masked.s, text_utf8_cut(masked.s, masked.len, max));
	}
	strbuf_release(&all);
	strbuf_release(&masked);
	return found;
}
