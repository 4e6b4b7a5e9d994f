/* meta: see meta.h. */
#include "docs/meta.h"

#include <errno.h>
#include <libexif/exif-data.h>
#include <libexif/exif-tag.h>
#include <libexif/exif-utils.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "docs/extract.h"

const char *const meta_kinds[] = { "gps", "camera", "author", "software", "comments", "revisions", NULL };

enum meta_format
meta_format_of(const char *mime, const char *name)
{
	if (strcmp(mime, "image/jpeg") == 0)
		return META_JPEG;
	switch (extract_kind_of(mime, name)) {
	case EXTRACT_OFFICE:
		return META_OFFICE;
	case EXTRACT_PDF:
		return META_PDF;
	default:
		return META_NONE;
	}
}

/* A finding line; the value's tabs and line ends become spaces. */
static void
line(strbuf_t *out, const char *kind, const char *label, const char *value)
{
	strbuf_t v;

	if (value == NULL || value[0] == '\0')
		return;
	strbuf_init(&v);
	extract_utf8(&v, value, strnlen(value, META_VALUE_MAX));
	for (size_t i = 0; i < v.len; i++)
		if (v.s[i] == '\t' || v.s[i] == '\n')
			v.s[i] = ' ';
	while (v.len > 0 && v.s[v.len - 1] == ' ')
		v.len--;
	if (v.len > 0) {
		strbuf_addf(out, "%s\t%s%s", kind, label, label[0] ? ": " : "");
		strbuf_add(out, v.s, v.len);
		strbuf_addc(out, '\n');
	}
	strbuf_release(&v);
}

static ExifEntry *
entry(ExifData *ed, ExifIfd ifd, unsigned tag)
{
	return exif_content_get_entry(ed->ifd[ifd], (ExifTag)tag);
}

static void
text_tag(ExifData *ed, ExifIfd ifd, unsigned tag, strbuf_t *out, const char *kind, const char *label)
{
	ExifEntry *e = entry(ed, ifd, tag);
	char buf[META_VALUE_MAX + 1];

	if (e && exif_entry_get_value(e, buf, sizeof(buf)))
		line(out, kind, label, buf);
}

/* Degrees from the three rationals of a GPS coordinate; -1 if malformed. */
static double
degrees(ExifEntry *e, ExifByteOrder o)
{
	double d = 0, scale = 1;

	if (e == NULL || e->format != EXIF_FORMAT_RATIONAL || e->components < 3 || e->size < 24)
		return -1;
	for (int i = 0; i < 3; i++, scale *= 60) {
		ExifRational r = exif_get_rational(e->data + 8 * i, o);
		if (r.denominator == 0)
			return -1;
		d += (double)r.numerator / r.denominator / scale;
	}
	return d;
}

static char
ref(ExifData *ed, unsigned tag, char dflt)
{
	ExifEntry *e = entry(ed, EXIF_IFD_GPS, tag);
	return e && e->size > 0 && e->data && (e->data[0] == 'N' || e->data[0] == 'S' || e->data[0] == 'E' ||
	    e->data[0] == 'W') ? (char)e->data[0] : dflt;
}

int
meta_exif(const unsigned char *buf, size_t n, strbuf_t *out)
{
	ExifData *ed = exif_data_new_from_data(buf, (unsigned)n);
	ExifByteOrder o;
	double lat, lon;

	if (ed == NULL)
		return -1;
	o = exif_data_get_byte_order(ed);
	lat = degrees(entry(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE), o);
	lon = degrees(entry(ed, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE), o);
	if (lat >= 0 && lon >= 0 && lat <= 90 && lon <= 180) {
		char pos[96];
		/* Rounded for the report (about 10 km): that it is there is the finding. */
		snprintf(pos, sizeof(pos), "position near %.1f %c, %.1f %c", lat, ref(ed, EXIF_TAG_GPS_LATITUDE_REF, 'N'),
		    lon, ref(ed, EXIF_TAG_GPS_LONGITUDE_REF, 'E'));
		line(out, "gps", "", pos);
	} else if (ed->ifd[EXIF_IFD_GPS] && ed->ifd[EXIF_IFD_GPS]->count > 0) {
		line(out, "gps", "", "GPS fields present");
	}
	{
		char make[META_VALUE_MAX + 1] = "", model[META_VALUE_MAX + 1] = "", both[2 * META_VALUE_MAX + 2];
		ExifEntry *e;
		if ((e = entry(ed, EXIF_IFD_0, EXIF_TAG_MAKE)))
			exif_entry_get_value(e, make, sizeof(make));
		if ((e = entry(ed, EXIF_IFD_0, EXIF_TAG_MODEL)))
			exif_entry_get_value(e, model, sizeof(model));
		snprintf(both, sizeof(both), "%s%s%s", make, make[0] && model[0] ? " " : "", model);
		line(out, "camera", "", both);
	}
	/* Body (0xa431) and lens (0xa435) serial numbers: shown by their last two characters. */
	for (unsigned tag = 0xa431; tag <= 0xa435; tag += 4) {
		ExifEntry *e = entry(ed, EXIF_IFD_EXIF, tag);
		char v[META_VALUE_MAX + 1], masked[64];
		size_t len;
		if (e == NULL || !exif_entry_get_value(e, v, sizeof(v)) || (len = strlen(v)) == 0)
			continue;
		snprintf(masked, sizeof(masked), "%s serial number ending %s", tag == 0xa431 ? "body" : "lens",
		    len > 2 ? v + len - 2 : "");
		line(out, "camera", "", masked);
	}
	text_tag(ed, EXIF_IFD_0, EXIF_TAG_ARTIST, out, "author", "artist");
	text_tag(ed, EXIF_IFD_0, EXIF_TAG_COPYRIGHT, out, "author", "copyright");
	text_tag(ed, EXIF_IFD_EXIF, 0xa430, out, "author", "camera owner");
	text_tag(ed, EXIF_IFD_0, EXIF_TAG_SOFTWARE, out, "software", "");
	exif_data_unref(ed);
	return 0;
}

void
meta_pdfinfo_lines(const char *txt, size_t n, strbuf_t *out)
{
	static const struct { const char *key, *kind, *label; } keys[] = {
		{ "Author:", "author", "author" }, { "Creator:", "software", "creator" },
		{ "Producer:", "software", "producer" },
	};
	const char *p = txt, *end = txt + n;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
		for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
			size_t kl = strlen(keys[i].key);
			if (len > kl && strncmp(p, keys[i].key, kl) == 0) {
				const char *v = p + kl;
				char val[META_VALUE_MAX + 1];
				size_t vl;
				while (v < p + len && *v == ' ')
					v++;
				vl = (size_t)(p + len - v) < META_VALUE_MAX ? (size_t)(p + len - v) : META_VALUE_MAX;
				memcpy(val, v, vl);
				val[vl] = '\0';
				line(out, keys[i].kind, keys[i].label, val);
			}
		}
		p += len + 1;
	}
}

/* What runs in the jailed worker: *(enum meta_format *)arg says which reader. */
static int
meta_fd(int fd, strbuf_t *out, char **title, void *arg)
{
	enum meta_format f = *(enum meta_format *)arg;
	unsigned char *buf;
	ssize_t r;
	size_t n = 0;
	int rc;

	if (f == META_OFFICE)
		return extract_office_meta_fd(fd, out);
	if (f != META_JPEG)
		return -1;
	buf = xmalloc(META_EXIF_READ);
	while (n < META_EXIF_READ && (r = pread(fd, buf + n, META_EXIF_READ - n, (off_t)n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	rc = n > 0 ? meta_exif(buf, n, out) : -1;
	free(buf);
	return rc;
}

static int
known(const char *kind, size_t len)
{
	for (const char *const *k = meta_kinds; *k; k++)
		if (strlen(*k) == len && memcmp(*k, kind, len) == 0)
			return 1;
	return 0;
}

enum docjail_result
meta_jailed(docjail_t *j, const char *pdfinfo, enum meta_format f, int fd, strbuf_t *out, strbuf_t *why)
{
	strbuf_t raw, lines;
	enum docjail_result r;
	char *t = NULL;

	if (f == META_NONE)
		return DOCJAIL_OK;
	strbuf_init(&raw);
	strbuf_init(&lines);
	if (f == META_PDF) {
		char *argv[] = { (char *)pdfinfo, "-enc", "UTF-8", "-", NULL };
		if ((r = docjail_tool(j, fd, argv, &raw, why)) == DOCJAIL_OK)
			meta_pdfinfo_lines(raw.s ? raw.s : "", raw.len, &lines);
	} else {
		r = docjail_parse(j, fd, meta_fd, &f, sizeof(f), &lines, &t, why);
	}
	free(t);
	if (r == DOCJAIL_OK) {
		/* The child's answer is untrusted: known kinds, bounded UTF-8 text. */
		const char *p = lines.s ? lines.s : "", *end = p + lines.len;
		while (p < end) {
			const char *e = memchr(p, '\n', (size_t)(end - p)), *tab;
			size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
			tab = memchr(p, '\t', len);
			if (tab && known(p, (size_t)(tab - p))) {
				size_t vl = len - (size_t)(tab - p) - 1;
				strbuf_add(out, p, (size_t)(tab - p) + 1);
				extract_utf8(out, tab + 1, vl < META_VALUE_MAX ? vl : META_VALUE_MAX);
				strbuf_addc(out, '\n');
			}
			p += len + 1;
		}
	}
	strbuf_release(&raw);
	strbuf_release(&lines);
	return r;
}
