/* fuzz_pii: the review's pattern scanner on any bytes. Every finding lies
 * within the text, in order, and is not empty; an excerpt of valid UTF-8
 * is valid UTF-8 and never shows a finding's digits but its last two. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue/mime.h"
#include "docs/pii.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	const char *t;
	size_t len, last;
	int utf8;
};

static int
check(enum pii_kind kind, size_t off, size_t len, void *arg)
{
	struct state *s = arg;
	strbuf_t b;
	size_t digits = 0;

	if ((unsigned)kind >= PII_KINDS || len == 0 || off < s->last || off > s->len || len > s->len - off)
		abort();
	s->last = off + len;
	strbuf_init(&b);
	pii_excerpt(&b, s->t, s->len, off, len);
	if (s->utf8 && b.s && !mime_is_utf8((const unsigned char *)b.s, b.len))
		abort();
	for (size_t i = 0; b.s && i < b.len; i++)
		digits += b.s[i] >= '0' && b.s[i] <= '9';
	if (digits > 2)
		abort();
	strbuf_release(&b);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s = { (const char *)data, size, 0, mime_is_utf8(data, size) };

	pii_scan((const char *)data, size, check, &s);
	return 0;
}
