/* meta_rev: see meta_rev.h. */
#include "docs/meta_rev.h"

#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "docs/extract.h"

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

size_t
meta_rev_removed(const meta_rev_last_t *last, char *old, size_t n, size_t max, strbuf_t *gone)
{
	size_t at = 0, found = 0, start = gone->len;
	strbuf_t u;
	char *l;

	strbuf_init(&u);
	while ((l = next_line(old, n, &at)) != NULL) {
		if (last->n > 0 && bsearch(&l, last->line, last->n, sizeof(*last->line), line_cmp) != NULL)
			continue;
		if (gone->len - start < max) {
			size_t room = max - (gone->len - start), sep = found ? 3 : 0, k;
			strbuf_reset(&u);
			extract_utf8(&u, l, strlen(l));
			k = sep < room ? text_utf8_cut(u.s ? u.s : "", u.len, room - sep) : 0;
			if (k > 0) {
				strbuf_add(gone, " | ", sep);
				strbuf_add(gone, u.s, k);
			}
		}
		found++;
	}
	strbuf_release(&u);
	return found;
}
