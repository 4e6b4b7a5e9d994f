/* test_archive: the archive layout (http/archive.h). Every byte offset maps
 * to the same piece whether the archive is walked from 0 or asked at random;
 * the walk covers the archive exactly; tar headers carry valid checksums and
 * pax records of the right length; the zip's end record, central directory
 * and local headers agree; Zip64 fields appear exactly where 4 GiB is passed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/archive.h"
#include "unit.h"

/* The stand-in content of entry i at offset k. */
static unsigned char
t_byte(long i, int64_t k)
{
	return (unsigned char)(i * 31 + k * 7 + 1);
}

/* Walk the whole archive from 0; with buf (size bytes), fill it. 0 if the
 * pieces were contiguous and covered [0, size) exactly. */
static int
t_walk(const archive_t *a, unsigned char *buf)
{
	int64_t off = 0, size = archive_size(a);
	unsigned char tmp[ARCHIVE_SEG_CAP];
	long last_entry = -1;

	while (off < size) {
		archive_seg_t s;
		int64_t take;
		if (archive_seg(a, off, &s, tmp, sizeof(tmp)) < 0 || s.len <= 0 || off + s.len > size)
			return -1;
		if (s.entry >= 0) {
			if (s.entry < last_entry)
				return -1;
			last_entry = s.entry;
			take = s.len;
			if (buf)
				for (int64_t k = 0; k < take; k++)
					buf[off + k] = t_byte(s.entry, s.file_off + k);
		} else {
			take = s.len < (int64_t)sizeof(tmp) ? s.len : (int64_t)sizeof(tmp);
			if (buf)
				memcpy(buf + off, tmp, (size_t)take);
		}
		off += take;
	}
	return off == size ? 0 : -1;
}

/* Ask random offsets; each answer must agree with the walked bytes. */
static int
t_random(const archive_t *a, const unsigned char *full, int tries)
{
	int64_t size = archive_size(a);
	unsigned char tmp[ARCHIVE_SEG_CAP];

	for (int t = 0; t < tries; t++) {
		int64_t off = (int64_t)(((uint64_t)rand() << 31 ^ (uint64_t)rand()) % (uint64_t)size);
		archive_seg_t s;
		if (archive_seg(a, off, &s, tmp, sizeof(tmp)) < 0 || off + s.len > size)
			return -1;
		int64_t n = s.len < 64 ? s.len : 64;
		for (int64_t k = 0; k < n; k++) {
			unsigned char want = s.entry >= 0 ? t_byte(s.entry, s.file_off + k) : tmp[k];
			if (full[off + k] != want)
				return -1;
		}
	}
	return 0;
}

static uint32_t
t_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned
t_le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static char t_long[300];

static archive_entry_t t_small[] = {
	{ "top/a.txt", 9, 5, 1700000000, 0x11111111 },
	{ "top/empty", 9, 0, 1700000001, 0 },
	{ "top/caf\xc3\xa9 \"q\" -x", 16, 513, 1700000002, 0x22222222 },
	{ t_long, 0, 1024, 1700000003, 0x33333333 },
	{ "top/z", 5, 511, 0, 0x44444444 },
};

static void
t_setup(void)
{
	memcpy(t_long, "top/", 4);
	memset(t_long + 4, 'n', 200);
	t_long[204] = '\0';
	t_small[3].name_len = 204;
}

static void
tar_layout(void)
{
	archive_t *a;
	unsigned char *full;
	int64_t size, off = 0;
	size_t i = 0;

	t_setup();
	a = archive_new(ARCHIVE_TAR, t_small, 5);
	ok(a != NULL, "tar archive");
	size = archive_size(a);
	ok(size % 512 == 0, "tar is whole blocks");
	full = malloc((size_t)size);
	ok(t_walk(a, full) == 0, "walk covers the tar");
	ok(t_random(a, full, 2000) == 0, "random offsets agree with the walk");
	/* Parse it back: every header's checksum, pax records, sizes. */
	while (off < size - 1024) {
		const unsigned char *h = full + off;
		unsigned sum = 0, stored = (unsigned)strtoul((const char *)h + 148, NULL, 8);
		for (int k = 0; k < 512; k++)
			sum += (k >= 148 && k < 156) ? ' ' : h[k];
		ok(sum == stored, "header checksum at %lld", (long long)off);
		ok(memcmp(h + 257, "ustar", 6) == 0, "ustar magic");
		if (h[156] == 'x') {
			int64_t plen = strtoll((const char *)h + 124, NULL, 8);
			const char *rec = (const char *)h + 512;
			long rlen = strtol(rec, NULL, 10);
			ok(rlen == plen && rec[rlen - 1] == '\n', "one pax record of the stated length");
			ok(strncmp(strchr(rec, ' ') + 1, "path=", 5) == 0, "a path record");
			ok(memcmp(strchr(rec, '=') + 1, t_small[i].name, t_small[i].name_len) == 0, "pax path whole");
			off += 512 + (plen + 511) / 512 * 512;
			continue;
		}
		int64_t fsz = strtoll((const char *)h + 124, NULL, 8);
		is_int(fsz, t_small[i].size, "size of entry %zu", i);
		is_int(strtoll((const char *)h + 136, NULL, 8), t_small[i].mtime, "mtime of entry %zu", i);
		if (t_small[i].name_len <= 100)
			ok(memcmp(h, t_small[i].name, t_small[i].name_len) == 0, "name of entry %zu", i);
		ok(fsz == 0 || full[off + 512] == t_byte((long)i, 0), "data follows the header");
		off += 512 + (fsz + 511) / 512 * 512;
		i++;
	}
	is_int(i, 5, "every entry parsed");
	ok(size - off == 1024 && full[size - 1] == 0 && full[size - 1024] == 0, "two zero blocks end it");
	free(full);
	archive_free(a);
}

static void
zip_layout(void)
{
	archive_t *a;
	unsigned char *full;
	int64_t size;
	const unsigned char *e;
	uint32_t cd_off, cd_size;

	t_setup();
	a = archive_new(ARCHIVE_ZIP, t_small, 5);
	ok(a != NULL, "zip archive");
	size = archive_size(a);
	full = malloc((size_t)size);
	ok(t_walk(a, full) == 0, "walk covers the zip");
	ok(t_random(a, full, 2000) == 0, "random offsets agree with the walk");
	e = full + size - 22;
	ok(t_le32(e) == 0x06054b50, "end of central directory last");
	is_int(t_le16(e + 10), 5, "entries");
	cd_size = t_le32(e + 12);
	cd_off = t_le32(e + 16);
	is_int(cd_off + cd_size, size - 22, "directory right before the end record");
	{
		const unsigned char *c = full + cd_off;
		for (int i = 0; i < 5; i++) {
			unsigned nlen = t_le16(c + 28), xlen = t_le16(c + 30);
			uint32_t loff = t_le32(c + 42);
			const unsigned char *l = full + loff;
			ok(t_le32(c) == 0x02014b50, "central record %d", i);
			ok(t_le16(c + 8) & 0x0800, "UTF-8 flag");
			is_int(t_le32(c + 16), t_small[i].crc32, "CRC-32 %d", i);
			is_int(t_le32(c + 24), t_small[i].size, "size %d", i);
			ok(nlen == t_small[i].name_len && memcmp(c + 46, t_small[i].name, nlen) == 0, "name %d", i);
			ok(t_le32(l) == 0x04034b50, "local header %d where the directory says", i);
			is_int(t_le32(l + 14), t_small[i].crc32, "local CRC-32 %d", i);
			ok(t_small[i].size == 0 || l[30 + t_le16(l + 26) + t_le16(l + 28)] == t_byte(i, 0),
			    "data after local header %d", i);
			c += 46 + nlen + xlen;
		}
	}
	free(full);
	archive_free(a);
}

/* Past 4 GiB: no bytes are made, only the layout is checked. */
static void
zip64_layout(void)
{
	archive_entry_t e[] = {
		{ "d/huge", 6, 5LL << 30, 1700000000, 0xabcdef01 },
		{ "d/after", 7, 3, 1700000000, 0x01020304 },
		{ "d/exact", 7, 0xffffffffLL, 1700000000, 0x5 },
	};
	archive_t *a = archive_new(ARCHIVE_ZIP, e, 3);
	unsigned char tmp[ARCHIVE_SEG_CAP], tail[200];
	archive_seg_t s;
	int64_t size;

	ok(a != NULL, "zip64 archive");
	size = archive_size(a);
	ok(t_walk(a, NULL) == 0, "walk covers the Zip64 archive");
	/* The last 200 bytes: Zip64 end record, locator, end record. */
	for (int64_t off = size - 200; off < size;) {
		ok(archive_seg(a, off, &s, tmp, sizeof(tmp)) == 0 && s.entry < 0, "tail is generated");
		int64_t take = s.len < size - off ? s.len : size - off;
		memcpy(tail + (off - (size - 200)), tmp, (size_t)take);
		off += take;
	}
	ok(t_le32(tail + 200 - 22) == 0x06054b50, "end record");
	ok(t_le32(tail + 200 - 22 - 20) == 0x07064b50, "Zip64 locator");
	ok(t_le32(tail + 200 - 22 - 20 - 56) == 0x06064b50, "Zip64 end record");
	is_int(t_le32(tail + 200 - 22 + 16), 0xffffffffLL, "directory offset deferred to Zip64");
	ok(archive_seg(a, 0, &s, tmp, sizeof(tmp)) == 0 && s.entry == -1, "first piece: local header");
	ok(t_le32(tmp + 18) == 0xffffffffu && t_le16(tmp + 4) == 45, "huge: sizes in Zip64, version 4.5");
	ok(t_le16(tmp + 30 + 6 + 9) == 0x0001, "huge: the Zip64 extra in the local header");
	ok(archive_seg(a, s.len + (5LL << 30) - 1, &s, tmp, sizeof(tmp)) == 0 && s.entry == 0 &&
	    s.len == 1 && s.file_off == (5LL << 30) - 1, "last byte of the huge file");
	/* "after" starts past 4 GiB: its central record holds the offset in Zip64. */
	{
		int64_t cd = size - 22 - 20 - 56, off = cd - 1;
		/* find the second central record by walking from the directory start */
		int64_t p = 0;
		while (p < size) {
			ok(archive_seg(a, p, &s, tmp, sizeof(tmp)) == 0, "seg");
			if (s.entry < 0 && t_le32(tmp) == 0x02014b50 && t_le16(tmp + 28) == 7 &&
			    memcmp(tmp + 46, "d/after", 7) == 0)
				break;
			p += s.entry < 0 && s.len > (int64_t)sizeof(tmp) ? (int64_t)sizeof(tmp) : s.len;
		}
		ok(p < cd + 1 && t_le32(tmp + 42) == 0xffffffffu, "after: offset deferred to Zip64");
		ok(t_le16(tmp + 46 + 7 + 9) == 0x0001 && t_le16(tmp + 46 + 7 + 9 + 2) == 8, "one Zip64 field");
		(void)off;
	}
	archive_free(a);
}

static void
tar_big_and_edges(void)
{
	archive_entry_t big = { "d/big", 5, 9LL << 30, 1700000000, 0 };
	archive_entry_t nul = { "a\0b", 3, 1, 0, 0 };
	archive_entry_t empty = { "", 0, 1, 0, 0 };
	unsigned char tmp[ARCHIVE_SEG_CAP];
	archive_seg_t s;
	archive_t *a = archive_new(ARCHIVE_TAR, &big, 1);

	ok(a != NULL && t_walk(a, NULL) == 0, "tar of 9 GiB walks");
	ok(archive_seg(a, 0, &s, tmp, sizeof(tmp)) == 0 && tmp[156] == 'x', "9 GiB: a pax header");
	ok(strstr((const char *)tmp + 512, " size=9663676416\n") != NULL, "with a size record");
	archive_free(a);
	ok(archive_new(ARCHIVE_TAR, &nul, 1) == NULL, "a NUL in a name is refused");
	ok(archive_new(ARCHIVE_ZIP, &empty, 1) == NULL, "an empty name is refused");
	a = archive_new(ARCHIVE_TAR, NULL, 0);
	is_int(archive_size(a), 1024, "an empty tar is two zero blocks");
	archive_free(a);
	a = archive_new(ARCHIVE_ZIP, NULL, 0);
	is_int(archive_size(a), 22, "an empty zip is its end record");
	ok(archive_seg(a, 22, &s, tmp, sizeof(tmp)) < 0 && archive_seg(a, -1, &s, tmp, sizeof(tmp)) < 0,
	    "offsets outside are refused");
	archive_free(a);
}

static const unit_case_t cases[] = {
	UNIT_CASE(tar_layout),
	UNIT_CASE(zip_layout),
	UNIT_CASE(zip64_layout),
	UNIT_CASE(tar_big_and_edges),
	UNIT_CASES_END
};

int
main(int argc, char **argv)
{
	return unit_main(cases, argc, argv);
}
