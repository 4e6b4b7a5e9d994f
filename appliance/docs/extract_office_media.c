/* extract_office_media: the images an office file holds, for the review.
 * Each is counted; the first EXTRACT_OFFICE_MEDIA_MAX are read, at most
 * EXTRACT_OFFICE_MEDIA_READ bytes of each and within the document's inflate
 * budget, by the reader the caller gives (docs/meta's, in the jail). */
#include <stdlib.h>
#include <string.h>

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

/* The first EXTRACT_OFFICE_MEDIA_READ bytes of entry idx to buf (*budget
 * shrinks by them); their count, *whole if that was all. */
static size_t
media_read(zip_t *za, zip_uint64_t idx, unsigned char *buf, zip_uint64_t *budget, int *whole)
{
	zip_file_t *zf = zip_fopen_index(za, idx, 0);
	size_t n = 0;
	zip_int64_t r = -1;

	*whole = 0;
	if (zf == NULL)
		return 0;
	while (n < EXTRACT_OFFICE_MEDIA_READ && *budget > 0) {
		size_t want = EXTRACT_OFFICE_MEDIA_READ - n;
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
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0), *p, *end;
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
		len = media_read(za, (zip_uint64_t)i, buf, budget, &whole);
		strbuf_reset(&lines);
		if (len > 0)
			media(buf, len, whole, &lines);
		if (lines.len == 0)
			continue;
		if (with++ == 0)
			extract_utf8(&first, name, strnlen(name, 100));
		/* Each line names its image: a tab or line end in a name is a space. */
		for (p = lines.s, end = lines.s + lines.len; p < end;) {
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
