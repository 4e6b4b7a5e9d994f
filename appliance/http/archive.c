/* archive: see archive.h. Offsets of every entry (and, for zip, of every
 * central directory record) are summed once in archive_new; a byte offset is
 * then a binary search away from its piece, and a header is generated alone
 * from its entry, so a Range at 90% of an archive costs what one at 0 does. */
#include "http/archive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"

#define TAR_BLOCK 512
#define TAR_OCTAL_MAX 077777777777LL     /* 11 octal digits */
#define ZIP_32_MAX 0xffffffffLL          /* at or above: a Zip64 field */
#define ZIP_LOCAL 30
#define ZIP_CENTRAL 46
#define ZIP_UT 9                          /* extended timestamp field, mtime only */
#define ZIP_EOCD 22
#define ZIP64_EOCD 56
#define ZIP64_LOCATOR 20

struct archive {
	enum archive_format format;
	const archive_entry_t *e;
	size_t n;
	int64_t *off;        /* off[i]: where entry i starts; off[n]: end of entries */
	int64_t *cdoff;      /* zip: cdoff[i] where record i starts; cdoff[n]: end */
	int64_t size;
	int zip64_end;       /* zip: the Zip64 end record and locator are there */
};

/* --- tar --- */

static size_t
pax_record(char *out, size_t cap, const char *key, const char *val, size_t vlen)
{
	/* "LEN key=value\n", where LEN counts its own digits too. */
	size_t base = 3 + strlen(key) + vlen, len = base + 1;
	char num[24];

	for (;;) {
		size_t next = base + (size_t)snprintf(num, sizeof(num), "%zu", len);
		if (next == len)
			break;
		len = next;
	}
	if (out != NULL && len <= cap) {
		int k = snprintf(out, cap, "%zu %s=", len, key);
		memcpy(out + k, val, vlen);
		out[(size_t)k + vlen] = '\n';
	}
	return len;
}

static int
tar_needs_pax(const archive_entry_t *e)
{
	return e->name_len > 100 || e->size > TAR_OCTAL_MAX || e->mtime < 0 || e->mtime > TAR_OCTAL_MAX;
}

/* The pax records of e into out (NULL: only measure); their length. */
static size_t
tar_pax(const archive_entry_t *e, char *out, size_t cap)
{
	char num[24];
	size_t len = 0;

	if (e->name_len > 100)
		len += pax_record(out ? out + len : NULL, cap - len, "path", e->name, e->name_len);
	if (e->size > TAR_OCTAL_MAX) {
		int k = snprintf(num, sizeof(num), "%lld", (long long)e->size);
		len += pax_record(out ? out + len : NULL, cap - len, "size", num, (size_t)k);
	}
	if (e->mtime < 0 || e->mtime > TAR_OCTAL_MAX) {
		int k = snprintf(num, sizeof(num), "%lld", (long long)e->mtime);
		len += pax_record(out ? out + len : NULL, cap - len, "mtime", num, (size_t)k);
	}
	return len;
}

static int64_t
round_block(int64_t n)
{
	return (n + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
}

static int64_t
tar_header_len(const archive_entry_t *e)
{
	return tar_needs_pax(e) ? TAR_BLOCK + round_block((int64_t)tar_pax(e, NULL, 0)) + TAR_BLOCK :
	    TAR_BLOCK;
}

static void
octal(char *field, size_t width, int64_t v)
{
	/* width - 1 digits and a NUL, as GNU tar and Python write them. */
	snprintf(field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

static void
ustar_block(unsigned char *b, const char *name, size_t nlen, int64_t size, int64_t mtime, char type)
{
	unsigned sum = 0;

	memset(b, 0, TAR_BLOCK);
	memcpy(b, name, nlen > 100 ? 100 : nlen);
	octal((char *)b + 100, 8, 0644);
	octal((char *)b + 108, 8, 0);
	octal((char *)b + 116, 8, 0);
	octal((char *)b + 124, 12, size > TAR_OCTAL_MAX ? 0 : size);
	octal((char *)b + 136, 12, mtime < 0 || mtime > TAR_OCTAL_MAX ? 0 : mtime);
	b[156] = (unsigned char)type;
	memcpy(b + 257, "ustar", 6);
	memcpy(b + 263, "00", 2);
	octal((char *)b + 329, 8, 0);
	octal((char *)b + 337, 8, 0);
	memset(b + 148, ' ', 8);
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += b[i];
	snprintf((char *)b + 148, 8, "%06o", sum);   /* six digits, NUL, then the space kept */
	b[155] = ' ';
}

/* The whole header of e (pax header + records + ustar block) into out. */
static size_t
tar_header(const archive_entry_t *e, unsigned char *out)
{
	size_t len = 0;

	if (tar_needs_pax(e)) {
		size_t plen = tar_pax(e, NULL, 0);
		ustar_block(out, "././@PaxHeader", 14, (int64_t)plen, e->mtime, 'x');
		memset(out + TAR_BLOCK, 0, (size_t)round_block((int64_t)plen));
		tar_pax(e, (char *)out + TAR_BLOCK, plen);
		len = TAR_BLOCK + (size_t)round_block((int64_t)plen);
	}
	ustar_block(out + len, e->name, e->name_len, e->size, e->mtime, '0');
	return len + TAR_BLOCK;
}

/* --- zip --- */

static unsigned char *
le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	return p + 2;
}

static unsigned char *
le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
	return p + 4;
}

static unsigned char *
le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
	return p + 8;
}

static int
zip_big(const archive_entry_t *e)
{
	return e->size >= ZIP_32_MAX;
}

static int64_t
zip_local_len(const archive_entry_t *e)
{
	return ZIP_LOCAL + (int64_t)e->name_len + ZIP_UT + (zip_big(e) ? 20 : 0);
}

static int
zip_central_fields(const archive_entry_t *e, int64_t local_off)
{
	return (zip_big(e) ? 2 : 0) + (local_off >= ZIP_32_MAX ? 1 : 0);
}

static int64_t
zip_central_len(const archive_entry_t *e, int64_t local_off)
{
	int k = zip_central_fields(e, local_off);
	return ZIP_CENTRAL + (int64_t)e->name_len + ZIP_UT + (k ? 4 + 8 * k : 0);
}

/* MS-DOS time and date (APPNOTE 4.4.6), of UTC: the archive must not depend
 * on the server's zone; the extended timestamp carries the exact time. */
static void
dos_time(int64_t t, unsigned *time_out, unsigned *date_out)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 315532800 || gmtime_r(&tt, &tm) == NULL || tm.tm_year > 207) {
		*time_out = 0;
		*date_out = (0 << 9) | (1 << 5) | 1;   /* 1980-01-01 */
		return;
	}
	*time_out = (unsigned)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	*date_out = (unsigned)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
}

static uint32_t
ut_time(int64_t t)
{
	return t < 0 ? 0 : t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static size_t
zip_local(const archive_entry_t *e, unsigned char *out)
{
	unsigned char *p = out;
	unsigned tm, dt;
	int big = zip_big(e);

	dos_time(e->mtime, &tm, &dt);
	p = le32(p, 0x04034b50);
	p = le16(p, big ? 45 : 20);
	p = le16(p, 0x0800);            /* names are UTF-8 */
	p = le16(p, 0);                 /* stored */
	p = le16(p, tm);
	p = le16(p, dt);
	p = le32(p, e->crc32);
	p = le32(p, big ? 0xffffffffu : (uint32_t)e->size);
	p = le32(p, big ? 0xffffffffu : (uint32_t)e->size);
	p = le16(p, (unsigned)e->name_len);
	p = le16(p, ZIP_UT + (big ? 20 : 0));
	memcpy(p, e->name, e->name_len);
	p += e->name_len;
	p = le16(p, 0x5455);
	p = le16(p, 5);
	*p++ = 1;                        /* mtime present */
	p = le32(p, ut_time(e->mtime));
	if (big) {
		p = le16(p, 0x0001);
		p = le16(p, 16);
		p = le64(p, (uint64_t)e->size);
		p = le64(p, (uint64_t)e->size);
	}
	return (size_t)(p - out);
}

static size_t
zip_central(const archive_entry_t *e, int64_t local_off, unsigned char *out)
{
	unsigned char *p = out;
	unsigned tm, dt;
	int big = zip_big(e), far = local_off >= ZIP_32_MAX, k = zip_central_fields(e, local_off);

	dos_time(e->mtime, &tm, &dt);
	p = le32(p, 0x02014b50);
	p = le16(p, 3 << 8 | 45);       /* made by: Unix, 4.5 */
	p = le16(p, big || far ? 45 : 20);
	p = le16(p, 0x0800);
	p = le16(p, 0);
	p = le16(p, tm);
	p = le16(p, dt);
	p = le32(p, e->crc32);
	p = le32(p, big ? 0xffffffffu : (uint32_t)e->size);
	p = le32(p, big ? 0xffffffffu : (uint32_t)e->size);
	p = le16(p, (unsigned)e->name_len);
	p = le16(p, ZIP_UT + (k ? 4 + 8 * k : 0));
	p = le16(p, 0);                 /* comment */
	p = le16(p, 0);                 /* disk */
	p = le16(p, 0);                 /* internal attributes */
	p = le32(p, 0100644u << 16);    /* a regular file, rw-r--r-- */
	p = le32(p, far ? 0xffffffffu : (uint32_t)local_off);
	memcpy(p, e->name, e->name_len);
	p += e->name_len;
	p = le16(p, 0x5455);
	p = le16(p, 5);
	*p++ = 1;
	p = le32(p, ut_time(e->mtime));
	if (k) {
		/* Only the fields that overflowed, in this order (APPNOTE 4.5.3). */
		p = le16(p, 0x0001);
		p = le16(p, (unsigned)(8 * k));
		if (big) {
			p = le64(p, (uint64_t)e->size);
			p = le64(p, (uint64_t)e->size);
		}
		if (far)
			p = le64(p, (uint64_t)local_off);
	}
	return (size_t)(p - out);
}

/* The end records: [Zip64 end, locator,] end of central directory. */
static size_t
zip_end(const archive_t *a, unsigned char *out)
{
	unsigned char *p = out;
	int64_t cd_start = a->off[a->n], cd_size = a->cdoff[a->n] - cd_start;

	if (a->zip64_end) {
		p = le32(p, 0x06064b50);
		p = le64(p, ZIP64_EOCD - 12);
		p = le16(p, 3 << 8 | 45);
		p = le16(p, 45);
		p = le32(p, 0);
		p = le32(p, 0);
		p = le64(p, a->n);
		p = le64(p, a->n);
		p = le64(p, (uint64_t)cd_size);
		p = le64(p, (uint64_t)cd_start);
		p = le32(p, 0x07064b50);
		p = le32(p, 0);
		p = le64(p, (uint64_t)a->cdoff[a->n]);
		p = le32(p, 1);
	}
	p = le32(p, 0x06054b50);
	p = le16(p, 0);
	p = le16(p, 0);
	p = le16(p, a->n >= 0xffff ? 0xffff : (unsigned)a->n);
	p = le16(p, a->n >= 0xffff ? 0xffff : (unsigned)a->n);
	p = le32(p, cd_size >= ZIP_32_MAX ? 0xffffffffu : (uint32_t)cd_size);
	p = le32(p, cd_start >= ZIP_32_MAX ? 0xffffffffu : (uint32_t)cd_start);
	p = le16(p, 0);
	return (size_t)(p - out);
}

/* --- layout --- */

archive_t *
archive_new(enum archive_format format, const archive_entry_t *e, size_t n)
{
	archive_t *a;
	int64_t pos = 0;

	for (size_t i = 0; i < n; i++)
		if (e[i].name_len == 0 || e[i].name_len > ARCHIVE_NAME_MAX || e[i].size < 0 ||
		    memchr(e[i].name, '\0', e[i].name_len) != NULL)
			return NULL;
	a = xcalloc(1, sizeof(*a));
	a->format = format;
	a->e = e;
	a->n = n;
	a->off = xmalloc((n + 1) * sizeof(*a->off));
	for (size_t i = 0; i < n; i++) {
		a->off[i] = pos;
		if (format == ARCHIVE_TAR)
			pos += tar_header_len(&e[i]) + round_block(e[i].size);
		else
			pos += zip_local_len(&e[i]) + e[i].size;
	}
	a->off[n] = pos;
	if (format == ARCHIVE_TAR) {
		a->size = pos + 2 * TAR_BLOCK;
		return a;
	}
	a->cdoff = xmalloc((n + 1) * sizeof(*a->cdoff));
	for (size_t i = 0; i < n; i++) {
		a->cdoff[i] = pos;
		pos += zip_central_len(&e[i], a->off[i]);
	}
	a->cdoff[n] = pos;
	a->zip64_end = n >= 0xffff || a->off[n] >= ZIP_32_MAX || pos - a->off[n] >= ZIP_32_MAX;
	a->size = pos + (a->zip64_end ? ZIP64_EOCD + ZIP64_LOCATOR : 0) + ZIP_EOCD;
	return a;
}

void
archive_free_(archive_t *a)
{
	if (a == NULL)
		return;
	free(a->off);
	free(a->cdoff);
	free(a);
}

int64_t
archive_size(const archive_t *a)
{
	return a->size;
}

/* The last i in [0, n) with v[i] <= x (v ascending, v[0] <= x). */
static size_t
find(const int64_t *v, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* A generated piece of plen bytes (in piece, if not NULL: else zeros),
 * seen from r bytes into it. */
static int
meta(archive_seg_t *seg, const unsigned char *piece, int64_t plen, int64_t r,
    unsigned char *buf, size_t cap)
{
	int64_t take = plen - r < (int64_t)cap ? plen - r : (int64_t)cap;

	seg->entry = -1;
	seg->file_off = 0;
	seg->len = plen - r;
	if (piece)
		memcpy(buf, piece + r, (size_t)take);
	else
		memset(buf, 0, (size_t)take);
	return 0;
}

int
archive_seg(const archive_t *a, int64_t off, archive_seg_t *seg, unsigned char *buf, size_t cap)
{
	unsigned char tmp[ARCHIVE_SEG_CAP];

	if (off < 0 || off >= a->size)
		return -1;
	if (off < a->off[a->n]) {
		size_t i = find(a->off, a->n, off);
		const archive_entry_t *e = &a->e[i];
		int64_t r = off - a->off[i];
		int64_t hlen = a->format == ARCHIVE_TAR ? tar_header_len(e) : zip_local_len(e);

		if (r < hlen) {
			size_t len = a->format == ARCHIVE_TAR ? tar_header(e, tmp) : zip_local(e, tmp);
			return meta(seg, tmp, (int64_t)len, r, buf, cap);
		}
		r -= hlen;
		if (r < e->size) {
			seg->entry = (long)i;
			seg->file_off = r;
			seg->len = e->size - r;
			return 0;
		}
		/* tar: the padding to the next block. */
		return meta(seg, NULL, round_block(e->size) - e->size, r - e->size, buf, cap);
	}
	if (a->format == ARCHIVE_TAR)
		return meta(seg, NULL, 2 * TAR_BLOCK, off - a->off[a->n], buf, cap);
	if (off < a->cdoff[a->n]) {
		size_t i = find(a->cdoff, a->n, off);
		size_t len = zip_central(&a->e[i], a->off[i], tmp);
		return meta(seg, tmp, (int64_t)len, off - a->cdoff[i], buf, cap);
	}
	{
		size_t len = zip_end(a, tmp);
		return meta(seg, tmp, (int64_t)len, off - a->cdoff[a->n], buf, cap);
	}
}
