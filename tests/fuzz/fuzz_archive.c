/* libFuzzer: the archive layout (http/archive.h) over entries built from the
 * input (a leaked tree's names and sizes are not ours to choose). Checks that
 * archive_new refuses or lays out, that a walk from 0 covers the archive
 * exactly with contiguous pieces, and that pieces asked at offsets taken from
 * the input agree with the walk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/archive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXE 64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	archive_entry_t e[MAXE];
	size_t n = 0, p = 1;
	unsigned char buf[ARCHIVE_SEG_CAP];
	archive_t *a;

	if (size < 1)
		return 0;
	/* entry: name length (1 byte), name, size (5 bytes), mtime (4 bytes, signed) */
	while (n < MAXE && p < size) {
		size_t nl = data[p++];
		uint64_t sz = 0;
		int32_t mt = 0;
		if (p + nl + 9 > size)
			break;
		e[n].name = (const char *)data + p;
		e[n].name_len = nl;
		p += nl;
		for (int i = 0; i < 5; i++)
			sz = sz << 8 | data[p++];
		memcpy(&mt, data + p, 4);
		p += 4;
		e[n].size = (int64_t)(sz & 0xffffffffffULL);
		e[n].mtime = mt;
		e[n].crc32 = (uint32_t)sz;
		n++;
	}
	a = archive_new(data[0] & 1 ? ARCHIVE_ZIP : ARCHIVE_TAR, e, n);
	if (a == NULL)
		return 0;
	{
		int64_t off = 0, total = archive_size(a);
		long last = -1;
		while (off < total) {
			archive_seg_t s;
			if (archive_seg(a, off, &s, buf, sizeof(buf)) < 0 || s.len <= 0 || off + s.len > total)
				abort();
			if (s.entry >= 0) {
				if (s.entry < last || (size_t)s.entry >= n || s.file_off + s.len > e[s.entry].size)
					abort();
				last = s.entry;
				off += s.len;
			} else {
				off += s.len < (int64_t)sizeof(buf) ? s.len : (int64_t)sizeof(buf);
			}
		}
		if (off != total)
			abort();
		/* The same offset asked twice gives the same piece. */
		for (size_t i = 0; i + 8 <= size && i < 64; i += 8) {
			uint64_t o;
			archive_seg_t s1, s2;
			unsigned char b2[ARCHIVE_SEG_CAP];
			memcpy(&o, data + i, 8);
			o %= (uint64_t)total;
			if (archive_seg(a, (int64_t)o, &s1, buf, sizeof(buf)) < 0 ||
			    archive_seg(a, (int64_t)o, &s2, b2, sizeof(b2)) < 0 ||
			    s1.len != s2.len || s1.entry != s2.entry || s1.file_off != s2.file_off ||
			    (s1.entry < 0 && memcmp(buf, b2, (size_t)(s1.len < (int64_t)sizeof(buf) ? s1.len :
			    (int64_t)sizeof(buf))) != 0))
				abort();
		}
	}
	archive_free(a);
	return 0;
}
