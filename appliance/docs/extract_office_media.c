/* extract_office_media: the images and the office files an office file
 * holds, for the review. Each is counted; the first EXTRACT_OFFICE_MEDIA_MAX
 * images are read, at most EXTRACT_OFFICE_MEDIA_READ bytes of each and within
 * the document's inflate budget, by the reader the caller gives (docs/meta's,
 * in the jail); the first EXTRACT_OFFICE_INNER_MAX office files likewise
 * (EXTRACT_OFFICE_INNER_READ bytes each, in memory) by the office reader. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "docs/extract_int.h"

/* An image an office file holds (not a thumbnail of the file itself). */
static int
media_part(const char *name)
{
	static const char *const dirs[] = { "word/media/", "xl/media/", "ppt/media/", "Pictures/", NULL };

	/* Directly in one of them: a name after the folder, no folder below it. */
	for (const char *const *d = dirs; *d; d++)
		if (strncmp(name, *d, strlen(*d)) == 0 && name[strlen(*d)] != '\0' && strchr(name + strlen(*d), '/') == NULL)
			return 1;
	return 0;
}

/* Each of lines' lines "kind<TAB>text" to out as "kind<TAB>NAME: text" (a
 * tab or line end in the name a space). */
static void
name_lines(strbuf_t *out, const char *name, const strbuf_t *lines)
{
	for (const char *p = lines->s, *end = lines->s + lines->len; p != NULL && p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p)), *tab;
		size_t at;
		e = e ? e : end;
		tab = memchr(p, '\t', (size_t)(e - p));
		if (tab != NULL) {
			strbuf_add(out, p, (size_t)(tab - p) + 1);
			at = out->len;
			extract_utf8(out, name, strnlen(name, 100));
			for (size_t k = at; k < out->len; k++)
				if (out->s[k] == '\t' || out->s[k] == '\n')
					out->s[k] = ' ';
			strbuf_adds(out, ": ");
			strbuf_add(out, tab + 1, (size_t)(e - tab - 1));
			strbuf_addc(out, '\n');
		}
		p = e + 1;
	}
}

/* The first cap bytes of entry idx to buf (*budget shrinks by them); their
 * count, *whole if that was all. */
static size_t
media_read(zip_t *za, zip_uint64_t idx, unsigned char *buf, size_t cap, zip_uint64_t *budget, int *whole)
{
	zip_file_t *zf = zip_fopen_index(za, idx, 0);
	size_t n = 0;
	zip_int64_t r = -1;

	*whole = 0;
	if (zf == NULL)
		return 0;
	while (n < cap && *budget > 0) {
		size_t want = cap - n;
		if (want > *budget)
			want = (size_t)*budget;
		if ((r = zip_fread(zf, buf + n, want)) <= 0)
			break;
		n += (size_t)r;
		*budget -= (zip_uint64_t)r;
	}
	*whole = r == 0;
	zip_fclose(zf);
	return n;
}

void
extract_office_media(zip_t *za, zip_int64_t n, zip_uint64_t *budget, extract_media_fn media, strbuf_t *out)
{
	unsigned char *buf = NULL;
	int64_t images = 0, read = 0, with = 0;
	strbuf_t lines, first;

	strbuf_init(&lines);
	strbuf_init(&first);
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		size_t len;
		int whole;
		if (name == NULL || !media_part(name))
			continue;
		images++;
		if (media == NULL || read >= EXTRACT_OFFICE_MEDIA_MAX || *budget == 0)
			continue;
		read++;
		if (buf == NULL)
			buf = xmalloc(EXTRACT_OFFICE_MEDIA_READ);
		len = media_read(za, (zip_uint64_t)i, buf, EXTRACT_OFFICE_MEDIA_READ, budget, &whole);
		strbuf_reset(&lines);
		if (len > 0)
			media(buf, len, whole, &lines);
		if (lines.len == 0)
			continue;
		if (with++ == 0)
			extract_utf8(&first, name, strnlen(name, 100));
		name_lines(out, name, &lines);
	}
	if (images > 0) {
		strbuf_addf(out, "embedded\t%lld image%s inside", (long long)images, images == 1 ? "" : "s");
		if (with > 0) {
			strbuf_addf(out, ", %lld with metadata of %s own, the first ", (long long)with,
			    with == 1 ? "its" : "their");
			for (size_t k = 0; k < first.len; k++)
				strbuf_addc(out, first.s[k] == '\t' || first.s[k] == '\n' ? ' ' : first.s[k]);
		}
		if (read < images && media != NULL)
			strbuf_addf(out, " (%lld read)", (long long)read);
		strbuf_addc(out, '\n');
	}
	free(buf);
	strbuf_release(&lines);
	strbuf_release(&first);
}

/* An office file inside another: OOXML's embedded packages, or any entry
 * named as one (a package is told by its bytes, later). */
static int
inner_part(const char *name)
{
	static const char *const dirs[] = { "word/embeddings/", "xl/embeddings/", "ppt/embeddings/", NULL };
	static const char *const exts[] = { ".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".pptm", ".odt", ".ods",
		".odp", ".odg", NULL };
	size_t len = strlen(name);

	for (const char *const *d = dirs; *d; d++)
		if (strncmp(name, *d, strlen(*d)) == 0 && name[strlen(*d)] != '\0' && strchr(name + strlen(*d), '/') == NULL)
			return 1;
	for (const char *const *x = exts; *x; x++)
		if (len > strlen(*x) && strcasecmp(name + len - strlen(*x), *x) == 0)
			return 1;
	return 0;
}

/* An ODF object's properties: "DIR/meta.xml" one folder down, beside its
 * own content.xml. Its folder's name in dir. */
static int
odf_object(zip_t *za, const char *name, char *dir, size_t dirsz)
{
	const char *slash = strchr(name, '/');
	char content[256];

	if (slash == NULL || slash == name || strcmp(slash, "/meta.xml") != 0 || (size_t)(slash - name) >= dirsz ||
	    (size_t)(slash - name) + sizeof("/content.xml") > sizeof(content))
		return 0;
	memcpy(dir, name, (size_t)(slash - name));
	dir[slash - name] = '\0';
	snprintf(content, sizeof(content), "%s/content.xml", dir);
	return zip_name_locate(za, content, 0) >= 0;
}

void
extract_office_inner(zip_t *za, zip_int64_t n, zip_uint64_t *budget, extract_media_fn media,
    extract_office_meta_fn rd, strbuf_t *out)
{
	unsigned char *buf = NULL;
	int64_t inner = 0, read_n = 0, with = 0;
	strbuf_t lines, first;
	char dir[200];

	strbuf_init(&lines);
	strbuf_init(&first);
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0), *shown = name;
		int obj;
		if (name == NULL || media_part(name))
			continue;
		obj = odf_object(za, name, dir, sizeof(dir));
		if (!obj && !inner_part(name))
			continue;
		inner++;
		if (read_n >= EXTRACT_OFFICE_INNER_MAX || *budget == 0)
			continue;
		read_n++;
		strbuf_reset(&lines);
		if (obj) {
			shown = dir;
			rd(za, name, budget, media, &lines, 1);
		} else {
			zip_error_t err;
			zip_source_t *zs;
			zip_t *iz;
			size_t len;
			int whole;
			if (buf == NULL)
				buf = xmalloc(EXTRACT_OFFICE_INNER_READ);
			len = media_read(za, (zip_uint64_t)i, buf, EXTRACT_OFFICE_INNER_READ, budget, &whole);
			/* A zip's directory is at its end: a cut one cannot be read. */
			if (!whole || len < 4 || memcmp(buf, "PK\3\4", 4) != 0)
				continue;
			zip_error_init(&err);
			if ((zs = zip_source_buffer_create(buf, len, 0, &err)) != NULL) {
				if ((iz = zip_open_from_source(zs, ZIP_RDONLY, &err)) != NULL) {
					rd(iz, NULL, budget, media, &lines, 1);
					zip_discard(iz);
				} else {
					zip_source_free(zs);
				}
			}
			zip_error_fini(&err);
		}
		if (lines.len == 0)
			continue;
		if (with++ == 0)
			extract_utf8(&first, shown, strnlen(shown, 100));
		name_lines(out, shown, &lines);
	}
	if (inner > 0) {
		strbuf_addf(out, "embedded\t%lld object%s embedded", (long long)inner, inner == 1 ? "" : "s");
		if (with > 0) {
			strbuf_addf(out, ", %lld with metadata of %s own, the first ", (long long)with,
			    with == 1 ? "its" : "their");
			for (size_t k = 0; k < first.len; k++)
				strbuf_addc(out, first.s[k] == '\t' || first.s[k] == '\n' ? ' ' : first.s[k]);
		}
		if (read_n < inner)
			strbuf_addf(out, " (%lld read)", (long long)read_n);
		strbuf_addc(out, '\n');
	}
	free(buf);
	strbuf_release(&lines);
	strbuf_release(&first);
}
