/* bencode: see bencode.h. */
#include "trust/bencode.h"

#include <string.h>

void
bencode_int(strbuf_t *b, int64_t v)
{
	strbuf_addf(b, "i%llde", (long long)v);
}

void
bencode_bytes(strbuf_t *b, const void *p, size_t n)
{
	strbuf_addf(b, "%zu:", n);
	strbuf_add(b, p, n);
}

void
bencode_str(strbuf_t *b, const char *s)
{
	bencode_bytes(b, s, strlen(s));
}

void
bencode_dict(strbuf_t *b)
{
	strbuf_addc(b, 'd');
}

void
bencode_list(strbuf_t *b)
{
	strbuf_addc(b, 'l');
}

void
bencode_end(strbuf_t *b)
{
	strbuf_addc(b, 'e');
}
