/* fuzz_meta_rev: the PDF revisions' comparison the main process runs on its
 * jailed children's answers. Input: the parse's lines, then (after a NUL)
 * the last revision's text, then (after a NUL) an earlier one's; the file's
 * size is the input's. Every end kept lies inside the file and the caps;
 * what is reported is valid UTF-8 within its room, and a text compared with
 * itself reports nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue/mime.h"
#include "docs/meta_rev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A writable copy of p[0..n) with the byte after it. */
static char *
copy(const uint8_t *p, size_t n)
{
	char *c = malloc(n + 1);
	memcpy(c, p, n);
	c[n] = '\0';
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a = memchr(data, 0, size), *b;
	long long ends[META_PDF_REV_READ];
	size_t hl, ll, ol, room;
	meta_rev_last_t last, same;
	char *l, *o, *l2, *o2;
	strbuf_t gone;
	int k;

	hl = a ? (size_t)(a - data) : size;
	k = meta_rev_ends((const char *)data, hl, (long long)size, ends);
	if (k < 0 || k > META_PDF_REV_READ)
		abort();
	for (int i = 0; i < k; i++)
		if (ends[i] < 0 || ends[i] >= (long long)size || ends[i] > META_PDF_REV_BYTES)
			abort();
	if (a == NULL)
		return 0;
	a++;
	b = memchr(a, 0, size - (size_t)(a - data));
	ll = b ? (size_t)(b - a) : size - (size_t)(a - data);
	ol = b ? size - (size_t)(b + 1 - data) : 0;
	room = size % 257;
	l = copy(a, ll);
	o = copy(b ? b + 1 : a, ol);
	strbuf_init(&gone);
	meta_rev_last_init(&last, l, ll);
	meta_rev_removed(&last, o, ol, room, &gone);
	if (gone.len > room || !mime_is_utf8((const unsigned char *)(gone.s ? gone.s : ""), gone.len) ||
	    (gone.s && memchr(gone.s, '\n', gone.len)))
		abort();
	/* The last text against itself: nothing gone. */
	l2 = copy(a, ll);
	o2 = copy(a, ll);
	meta_rev_last_init(&same, l2, ll);
	strbuf_reset(&gone);
	if (meta_rev_removed(&same, o2, ll, 200, &gone) != 0 || gone.len != 0)
		abort();
	meta_rev_last_free(&same);
	meta_rev_last_free(&last);
	strbuf_release(&gone);
	free(l);
	free(o);
	free(l2);
	free(o2);
	return 0;
}
