/* bencode: writing BitTorrent's encoding (BEP 3) into a strbuf. A writer
 * only: the caller puts dictionary keys in byte order, as BEP 3 requires. */
#ifndef BROADSIDE_BENCODE_H
#define BROADSIDE_BENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/* Append "i<v>e". */
void bencode_int(strbuf_t *b, int64_t v);
/* Append "<n>:<bytes>". */
void bencode_bytes(strbuf_t *b, const void *p, size_t n);
/* Append the string s ("<len>:<s>"). */
void bencode_str(strbuf_t *b, const char *s);
/* Append "d", "l" or "e" (open a dictionary or list, close one). */
void bencode_dict(strbuf_t *b);
void bencode_list(strbuf_t *b);
void bencode_end(strbuf_t *b);

#endif
