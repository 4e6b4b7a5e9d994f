/* mime: see mime.h. The table is loaded once, sorted, and searched with bsearch;
 * hashing workers call in from several threads, hence pthread_once. */
#include "catalogue/mime.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/util.h"

struct ext {
	char *ext, *type;
};

static struct ext *table;
static size_t ntable;
static const char *table_path = "/etc/mime.types";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int
ext_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct ext *)a)->ext, ((const struct ext *)b)->ext);
}

static void
load(void)
{
	FILE *f = fopen(table_path, "re");
	size_t cap = 0;
	char line[1024];

	if (f == NULL) {
		log_warn("cannot read %s: types will come from content only (install media-types)", table_path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *type, *e;
		if (line[0] == '#')
			continue;
		if ((type = strtok_r(line, " \t\r\n", &save)) == NULL)
			continue;
		while ((e = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
			if (ntable == cap) {
				cap = cap ? cap * 2 : 1024;
				table = xrealloc(table, cap * sizeof(*table));
			}
			table[ntable].ext = xstrdup(e);
			table[ntable].type = xstrdup(type);
			ntable++;
		}
	}
	fclose(f);
	qsort(table, ntable, sizeof(*table), ext_cmp);
}

int
mime_load(const char *path)
{
	table_path = path;
	pthread_once(&once, load);
	return ntable > 0 ? 0 : -1;
}

const char *
mime_from_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	struct ext key, *hit;

	pthread_once(&once, load);
	if (dot == NULL || dot == name || dot[1] == '\0' || strchr(dot, '/'))
		return NULL;
	key.ext = (char *)(dot + 1);
	hit = bsearch(&key, table, ntable, sizeof(*table), ext_cmp);
	if (hit)
		return hit->type;
	/* Debian 12's media-types lacks Outlook's .msg: "Outlook message" on
	 * the pages, not "Binary file". */
	if (strcasecmp(dot, ".msg") == 0)
		return "application/vnd.ms-outlook";
	return NULL;
}

int
mime_is_utf8(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char ch = p[i];
		size_t len;
		if (ch < 0x80) {
			if (ch == 0)
				return 0;
			i++;
			continue;
		}
		if (ch >= 0xc2 && ch <= 0xdf)
			len = 2;
		else if (ch >= 0xe0 && ch <= 0xef)
			len = 3;
		else if (ch >= 0xf0 && ch <= 0xf4)
			len = 4;
		else
			return 0;
		for (size_t k = 1; k < len; k++) {
			if (i + k >= n)
				return 1;
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
		}
		i += len;
	}
	return 1;
}

static int
starts(const unsigned char *p, size_t n, const char *sig, size_t len)
{
	return n >= len && memcmp(p, sig, len) == 0;
}

static int
starts_ci_skipws(const unsigned char *p, size_t n, const char *word)
{
	size_t i = 0, len = strlen(word);

	if (starts(p, n, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < n && isspace(p[i]))
		i++;
	return n - i >= len && strncasecmp((const char *)p + i, word, len) == 0;
}

const char *
mime_sniff(const unsigned char *p, size_t n)
{
	static const struct { const char *sig; size_t len; const char *type; } magic[] = {
		{ "%PDF-", 5, "application/pdf" },
		{ "\x89PNG\r\n\x1a\n", 8, "image/png" },
		{ "\xff\xd8\xff", 3, "image/jpeg" },
		{ "GIF87a", 6, "image/gif" },
		{ "GIF89a", 6, "image/gif" },
		{ "PK\x03\x04", 4, "application/zip" },
		{ "\x1f\x8b", 2, "application/gzip" },
		{ "7z\xbc\xaf\x27\x1c", 6, "application/x-7z-compressed" },
		{ "BZh", 3, "application/x-bzip2" },
		{ "\xfd" "7zXZ", 6, "application/x-xz" },
		{ "OggS", 4, "audio/ogg" },
		{ "ID3", 3, "audio/mpeg" },
		{ "\x1a\x45\xdf\xa3", 4, "video/webm" },
		{ "SQLite format 3", 16, "application/vnd.sqlite3" },
	};
	size_t probe = n < 4096 ? n : 4096;

	if (n == 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_LEN(magic); i++)
		if (starts(p, n, magic[i].sig, magic[i].len))
			return magic[i].type;
	if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0)
		return "video/mp4";
	/* Debian 12's media-types has no .webp. */
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (starts_ci_skipws(p, probe, "<!doctype html") || starts_ci_skipws(p, probe, "<html"))
		return "text/html";
	if (starts_ci_skipws(p, probe, "<?xml"))
		return "application/xml";
	if (mime_is_utf8(p, probe)) {
		/* Mail headers at the very start: a saved message without .eml. */
		if (starts(p, probe, "From ", 5) || starts(p, probe, "Return-Path:", 12) ||
		    starts(p, probe, "Received:", 9) || starts(p, probe, "MIME-Version:", 13))
			return "message/rfc822";
		return "text/plain";
	}
	return NULL;
}

const char *
mime_detect(const char *name, const unsigned char *head, size_t n)
{
	const char *t = mime_from_name(name);
	const char *s;

	if (t != NULL && strcmp(t, "application/octet-stream") != 0)
		return t;
	s = mime_sniff(head, n);
	return s ? s : "application/octet-stream";
}
