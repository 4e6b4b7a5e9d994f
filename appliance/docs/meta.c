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
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/text.h"
#include "docs/extract.h"
#include "docs/meta_rev.h"
#include "docs/meta_scan.h"

const char *const meta_kinds[] = { "gps", "camera", "author", "software", "comments", "revisions", "mailhost",
	"embedded", NULL };

static int
ends_ci(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);
	return n > s && strcasecmp(name + n - s, suffix) == 0;
}

enum meta_format
meta_format_of(const char *mime, const char *name)
{
	if (strcmp(mime, "image/jpeg") == 0)
		return META_JPEG;
	if (strcmp(mime, "image/png") == 0)
		return META_PNG;
	if (strcmp(mime, "image/tiff") == 0 || ends_ci(name, ".tif") || ends_ci(name, ".tiff"))
		return META_TIFF;
	if (ends_ci(name, ".heic") || ends_ci(name, ".heif") || ends_ci(name, ".avif"))
		return META_HEIC;
	switch (extract_kind_of(mime, name)) {
	case EXTRACT_OFFICE:
		return META_OFFICE;
	case EXTRACT_PDF:
		return META_PDF;
	case EXTRACT_EML:
		return META_MAIL;
	default:
		return META_NONE;
	}
}

static void line(strbuf_t *out, const char *kind, const char *label, const char *value);

static void
mailhost_line(strbuf_t *out, const char *v)
{
	line(out, "mailhost", "", v);
}

/* A finding line; the value's tabs and line ends become spaces. */
static void
line(strbuf_t *out, const char *kind, const char *label, const char *value)
{
	strbuf_t v;

	if (value == NULL || value[0] == '\0')
		return;
	strbuf_init(&v);
	/* Cut on a character, so the line's text (label, ": ", value) fits META_VALUE_MAX. */
	extract_utf8(&v, value, strnlen(value, META_VALUE_MAX + 4));
	v.len = text_utf8_cut(v.s ? v.s : "", v.len, META_VALUE_MAX - (label[0] ? strlen(label) + 2 : 0));
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

static int
mail_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A private or link-local IPv4 address at p (not loopback: "from
 * localhost" says nothing): its length, or 0. */
static size_t
private_v4(const char *p, const char *end)
{
	unsigned o[4];
	const char *q = p;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		int nd = 0;
		while (q < end && mail_digit(*q) && nd < 4)
			v = v * 10 + (unsigned)(*q++ - '0'), nd++;
		if (nd == 0 || nd > 3 || v > 255)
			return 0;
		o[i] = v;
		if (i < 3 && (q >= end || *q++ != '.'))
			return 0;
	}
	if (q < end && (mail_digit(*q) || *q == '.'))
		return 0;
	if (o[0] == 10 || (o[0] == 172 && o[1] >= 16 && o[1] <= 31) || (o[0] == 192 && o[1] == 168) ||
	    (o[0] == 169 && o[1] == 254) || (o[0] == 100 && o[1] >= 64 && o[1] <= 127))
		return (size_t)(q - p);
	return 0;
}

static int
host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || mail_digit(c) || c == '-' || c == '.';
}

/* A host name under an internal-looking domain at p: its length, or 0. */
static size_t
internal_name(const char *p, const char *end)
{
	static const char *const suffixes[] = { ".local", ".lan", ".internal", ".corp", ".intranet",
		".localdomain", ".home", ".priv" };
	size_t n = 0;

	while (p + n < end && host_char((unsigned char)p[n]) && n < 253)
		n++;
	while (n > 0 && (p[n - 1] == '.' || p[n - 1] == '-'))
		n--;
	for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
		size_t sl = strlen(suffixes[i]);
		if (n > sl && strncasecmp(p + n - sl, suffixes[i], sl) == 0)
			return n;
	}
	return 0;
}

void
meta_mail(const char *p, size_t n, strbuf_t *out)
{
	static const char *const names[] = { "Received:", "X-Originating-IP:", "X-Sender-IP:", "X-Forwarded-For:",
		"Message-ID:" };
	const char *end = p + n;
	int found = 0;

	/* Header lines until the blank line; a folded line continues its header. */
	for (const char *hdr = p; hdr < end && found < 8;) {
		const char *e = memchr(hdr, '\n', (size_t)(end - hdr)), *hdr_end;
		size_t which = ARRAY_LEN(names);
		if (e == NULL)
			e = end;
		if (e == hdr || (e == hdr + 1 && hdr[0] == '\r'))
			break;
		for (size_t i = 0; i < ARRAY_LEN(names); i++)
			if ((size_t)(e - hdr) > strlen(names[i]) && strncasecmp(hdr, names[i], strlen(names[i])) == 0)
				which = i;
		hdr_end = e;
		while (hdr_end + 1 < end && (hdr_end[1] == ' ' || hdr_end[1] == '\t')) {
			const char *next = memchr(hdr_end + 1, '\n', (size_t)(end - hdr_end - 1));
			hdr_end = next ? next : end;
		}
		for (const char *q = hdr + (which < ARRAY_LEN(names) ? strlen(names[which]) : 0);
		    which < ARRAY_LEN(names) && q < hdr_end && found < 8; q++) {
			size_t len = 0;
			if ((q == hdr || !host_char((unsigned char)q[-1])) &&
			    ((len = private_v4(q, hdr_end)) > 0 || (len = internal_name(q, hdr_end)) > 0)) {
				char v[META_VALUE_MAX + 1];
				snprintf(v, sizeof(v), "%.*s names %.*s", (int)strlen(names[which]) - 1, names[which],
				    (int)(len < 120 ? len : 120), q);
				/* A header names its host twice ("from x (x [ip])"): once is enough. */
				char needle[META_VALUE_MAX + 4];
				snprintf(needle, sizeof(needle), "\t%s\n", v);
				if (out->s == NULL || strstr(out->s, needle) == NULL) {
					mailhost_line(out, v);
					found++;
				}
				q += len - 1;
			}
		}
		hdr = hdr_end < end ? hdr_end + 1 : end;
	}
}

/* Read up to want bytes from the start of fd into a new buffer; *whole: the
 * file was read to its end. */
static unsigned char *
read_start(int fd, size_t want, size_t *n, int *whole)
{
	unsigned char *buf = xmalloc(want + 1);
	ssize_t r;

	*n = 0;
	*whole = 0;
	while (*n < want && (r = pread(fd, buf + *n, want - *n, (off_t)*n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return buf;
		*n += (size_t)r;
	}
	/* One byte more tells a file of exactly want bytes from a longer one. */
	*whole = *n < want || pread(fd, buf + *n, 1, (off_t)*n) == 0;
	return buf;
}

/* A PDF's bytes, window by window: its revisions and its XMP packets (a
 * packet is read whole from where its start tag is, across windows). */
static int
meta_pdf_bytes(int fd, strbuf_t *out)
{
	enum { WIN = 1024 * 1024, OVERLAP = 16 };
	static const char open[] = "<x:xmpmeta";
	unsigned char *buf = xmalloc(WIN + OVERLAP), *pk = NULL;
	meta_pdf_rev_t rev = { 0 };
	long long off = 0;
	size_t keep = 0;
	int packets = 0, hint = 0;

	while (off < EXTRACT_PDF_MAX_BYTES) {
		ssize_t r = pread(fd, buf + keep, WIN, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		meta_pdf_rev_feed(&rev, buf + keep, (size_t)r);
		/* An embedded file is a stream, never inside an object stream, so its
		 * dictionary is in the bytes; a file with object streams may hide
		 * the names: both send the PDF to pdfdetach (a process costs what
		 * pdfinfo does, so only then). */
		if (!hint && (memmem(buf, keep + (size_t)r, "EmbeddedFile", 12) || memmem(buf, keep + (size_t)r,
		    "/ObjStm", 7)))
			hint = 1;
		/* The kept tail of the last window lets a tag cut between two be found. */
		for (unsigned char *p = buf, *e = buf + keep + (size_t)r, *s;
		    packets < META_XMP_PACKETS && (s = memmem(p, (size_t)(e - p), open, sizeof(open) - 1)) != NULL;
		    p = s + 1) {
			long long at = off - (long long)keep + (s - buf);
			size_t got = 0;
			ssize_t k;
			if ((size_t)(s - buf) + sizeof(open) - 1 <= keep)
				continue;       /* found in the last window already */
			if (pk == NULL)
				pk = xmalloc(META_XMP_MAX);
			while (got < META_XMP_MAX && (k = pread(fd, pk + got, META_XMP_MAX - got, (off_t)(at + (long long)got))) > 0)
				got += (size_t)k;
			const unsigned char *end = memmem(pk, got, "</x:xmpmeta>", 12);
			(void)meta_xmp((const char *)pk, end ? (size_t)(end - pk) + 12 : got, out);
			packets++;
		}
		{
			size_t have = keep + (size_t)r;
			off += r;
			keep = have >= OVERLAP ? OVERLAP : have;
			memmove(buf, buf + have - keep, keep);
		}
	}
	free(buf);
	free(pk);
	if (meta_pdf_rev_earlier(&rev) > 0) {
		long long n = meta_pdf_rev_earlier(&rev);
		strbuf_addf(out, "revisions\tPDF: %lld earlier revision%s kept in the file (incremental update%s): "
		    "what a later one removed may still be readable\n", n, n == 1 ? "" : "s", n == 1 ? "" : "s");
	}
	/* Where each earlier revision ends (a linearized file's first-page
	 * trailer is none), for meta_jailed to compare their text. */
	for (long long i = rev.linearized ? 1 : 0, k = 0; i < rev.nends && k < meta_pdf_rev_earlier(&rev) &&
	    k < META_PDF_REV_READ; i++, k++)
		strbuf_addf(out, META_PDF_REV_HINT "%lld\n", rev.ends[i]);
	if (hint)
		strbuf_adds(out, META_PDF_EMBEDDED_HINT "\n");
	if (packets > 0)
		strbuf_adds(out, META_PDF_XMP_HINT "\n");
	return 0;
}

/* Behind a HEIF's Exif item is the same TIFF header a JPEG's APP1 holds:
 * found by its mark rather than by walking the boxes (libheif, which would,
 * brings the HEVC and AV1 decoders into the jail). */
static void
meta_heic(const unsigned char *buf, size_t n, strbuf_t *out)
{
	for (const unsigned char *p = buf, *s; (s = memmem(p, (size_t)(buf + n - p), "Exif\0\0", 6)) != NULL;
	    p = s + 1) {
		if ((size_t)(buf + n - s) >= 10 && (memcmp(s + 6, "MM\0*", 4) == 0 || memcmp(s + 6, "II*\0", 4) == 0)) {
			(void)meta_exif(s, (size_t)(buf + n - s), out);
			break;
		}
	}
}

/* EXIF that is a bare TIFF structure (a TIFF file, a PNG's eXIf): libexif
 * reads it behind the "Exif" mark a JPEG's APP1 has. */
static void
exif_tiff(const unsigned char *tiff, size_t n, strbuf_t *out)
{
	unsigned char *e = xmalloc(n + 6);

	memcpy(e, "Exif\0\0", 6);
	memcpy(e + 6, tiff, n);
	(void)meta_exif(e, n + 6, out);
	free(e);
}

/* An image's first n bytes (whole: all of it) by its reader. */
static int
meta_image(enum meta_format f, const unsigned char *buf, size_t n, int whole, strbuf_t *out)
{
	int rc = 0;

	switch (f) {
	case META_JPEG:
		/* XMP is an APP1 segment of its own; a JPEG without EXIF is no fault. */
		(void)meta_exif(buf, n, out);
		(void)meta_xmp_find(buf, n, out);
		return n > 0 ? 0 : -1;
	case META_PNG: {
		const unsigned char *ex = NULL;
		size_t exn = 0;
		rc = meta_png(buf, n, whole, out, &ex, &exn);
		if (ex != NULL)
			exif_tiff(ex, exn, out);
		return rc;
	}
	case META_TIFF:
		if (n < 8 || (memcmp(buf, "MM\0*", 4) != 0 && memcmp(buf, "II*\0", 4) != 0))
			return -1;
		exif_tiff(buf, n, out);
		(void)meta_xmp_find(buf, n, out);
		return 0;
	case META_HEIC:
		meta_heic(buf, n, out);
		(void)meta_xmp_find(buf, n, out);
		return 0;
	default:
		return -1;
	}
}

/* An image inside an office file, its reader chosen by its first bytes
 * (a name inside an archive says nothing). */
static void
office_image(const unsigned char *buf, size_t n, int whole, strbuf_t *out)
{
	enum meta_format f = META_NONE;

	if (n >= 3 && memcmp(buf, "\xff\xd8\xff", 3) == 0)
		f = META_JPEG;
	else if (n >= 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0)
		f = META_PNG;
	else if (n >= 4 && (memcmp(buf, "MM\0*", 4) == 0 || memcmp(buf, "II*\0", 4) == 0))
		f = META_TIFF;
	else if (n >= 12 && memcmp(buf + 4, "ftyp", 4) == 0)
		f = META_HEIC;
	(void)meta_image(f, buf, n, whole, out);
}

int
meta_read_fd(int fd, enum meta_format f, strbuf_t *out)
{
	unsigned char *buf;
	size_t n = 0;
	int rc = 0, whole;

	switch (f) {
	case META_OFFICE:
		return extract_office_meta_fd(fd, out, office_image);
	case META_PDF:
		return meta_pdf_bytes(fd, out);
	case META_MAIL:
		buf = read_start(fd, META_MAIL_READ, &n, &whole);
		meta_mail((const char *)buf, n, out);
		break;
	case META_JPEG:
		buf = read_start(fd, META_EXIF_READ, &n, &whole);
		rc = meta_image(f, buf, n, whole, out);
		break;
	case META_PNG:
	case META_TIFF:
	case META_HEIC:
		buf = read_start(fd, META_IMAGE_READ, &n, &whole);
		rc = meta_image(f, buf, n, whole, out);
		break;
	case META_XMP:
		buf = read_start(fd, META_XMP_MAX, &n, &whole);
		(void)meta_xmp_find(buf, n, out);
		break;
	default:
		return -1;
	}
	free(buf);
	return rc;
}

/* What runs in the jailed worker: *(enum meta_format *)arg says which reader. */
static int
meta_fd(int fd, strbuf_t *out, char **title, void *arg)
{
	(void)title;
	return meta_read_fd(fd, *(enum meta_format *)arg, out);
}

static int
known(const char *kind, size_t len)
{
	for (const char *const *k = meta_kinds; *k; k++)
		if (strlen(*k) == len && memcmp(*k, kind, len) == 0)
			return 1;
	return 0;
}

/* `pdfinfo -meta`'s packet, parsed in the jail. */
static enum docjail_result
pdf_xmp(docjail_t *j, const char *pdfinfo, int fd, strbuf_t *lines, strbuf_t *why)
{
	char *argv[] = { (char *)pdfinfo, "-meta", "-", NULL };
	enum meta_format x = META_XMP;
	enum docjail_result r;
	strbuf_t raw, w;
	char *t = NULL;
	int mfd;

	strbuf_init(&raw);
	strbuf_init(&w);
	if ((r = docjail_tool(j, fd, argv, &raw, &w)) != DOCJAIL_OK) {
		strbuf_addf(why, "pdfinfo -meta: %s", w.s ? w.s : "");
	} else if (raw.len > 0) {
		size_t n = raw.len < META_XMP_MAX ? raw.len : META_XMP_MAX;
		if ((mfd = memfd_create("xmp", MFD_CLOEXEC)) < 0 || write(mfd, raw.s, n) != (ssize_t)n) {
			strbuf_addf(why, "cannot hand XMP over: %s", strerror(errno));
			r = DOCJAIL_NO_START;
		} else {
			r = docjail_parse(j, mfd, meta_fd, &x, sizeof(x), lines, &t, why);
		}
		if (mfd >= 0)
			close(mfd);
	}
	free(t);
	strbuf_release(&raw);
	strbuf_release(&w);
	return r;
}

/* pdftotext's text of the first n bytes of fd (a revision), or of all of it (n < 0). */
static enum docjail_result
pdf_text(docjail_t *j, const char *pdftotext, int fd, long long n, strbuf_t *text)
{
	char *argv[] = { (char *)pdftotext, "-q", "-enc", "UTF-8", "-", "-", NULL };
	enum docjail_result r;
	strbuf_t w;
	int mfd = -1;

	strbuf_init(&w);
	if (n >= 0) {
		char buf[65536];
		long long at = 0;
		/* The parent copies bytes, never parses them: the jail reads the copy. */
		if ((mfd = memfd_create("revision", MFD_CLOEXEC)) < 0)
			return DOCJAIL_NO_START;
		while (at < n) {
			ssize_t k = pread(fd, buf, (size_t)(n - at) < sizeof(buf) ? (size_t)(n - at) : sizeof(buf), (off_t)at);
			if (k <= 0 || write(mfd, buf, (size_t)k) != k)
				break;
			at += k;
		}
	}
	r = docjail_tool(j, mfd >= 0 ? mfd : fd, argv, text, &w);
	if (mfd >= 0)
		close(mfd);
	strbuf_release(&w);
	return r;
}

/* What an earlier revision's text held that the last one's does not
 * (docs/meta_rev.h), as one finding a revision: at most META_PDF_REV_READ
 * revisions, their ends checked against the file's size. */
static void
pdf_removed(docjail_t *j, const char *pdftotext, int fd, const strbuf_t *hints, strbuf_t *lines)
{
	long long ends[META_PDF_REV_READ];
	meta_rev_last_t sorted = { 0 };
	strbuf_t last, old;
	struct stat st;
	int total;

	if (fstat(fd, &st) < 0 || hints->s == NULL)
		return;
	total = meta_rev_ends(hints->s, hints->len, (long long)st.st_size, ends);
	strbuf_init(&last);
	strbuf_init(&old);
	if (total == 0 || pdf_text(j, pdftotext, fd, -1, &last) != DOCJAIL_OK)
		goto done;
	strbuf_addc(&last, '\0');   /* the byte meta_rev may end the last line in */
	meta_rev_last_init(&sorted, last.s, last.len - 1);
	for (int i = 0; i < total; i++) {
		char label[96];
		strbuf_t gone;
		if (ends[i] == 0)
			continue;
		strbuf_reset(&old);
		if (pdf_text(j, pdftotext, fd, ends[i], &old) != DOCJAIL_OK || old.s == NULL)
			continue;
		strbuf_addc(&old, '\0');
		snprintf(label, sizeof(label), "PDF: earlier revision %d said, not in the last", i + 1);
		strbuf_init(&gone);
		/* The whole line's text (label, ": ", what was removed) fits META_VALUE_MAX. */
		if (meta_rev_removed(&sorted, old.s, old.len - 1, META_VALUE_MAX - strlen(label) - 2, &gone) > 0 && gone.len > 0)
			line(lines, "revisions", label, gone.s);
		strbuf_release(&gone);
	}
done:
	meta_rev_last_free(&sorted);
	strbuf_release(&last);
	strbuf_release(&old);
}

enum docjail_result
meta_jailed(docjail_t *j, const char *pdfinfo, const char *pdfdetach, const char *pdftotext, enum meta_format f,
    int fd, strbuf_t *out, strbuf_t *why)
{
	strbuf_t raw, lines;
	enum docjail_result r;
	char *t = NULL;

	if (f == META_NONE)
		return DOCJAIL_OK;
	strbuf_init(&raw);
	strbuf_init(&lines);
	if (f == META_PDF) {
		/* pdfinfo's Info, our own count of revisions and XMP, then (if the
		 * bytes may hold one) pdfdetach's list of embedded files: each
		 * apart, so a PDF one of them cannot read still gets the others'
		 * findings (and the first failure, named, is the answer). */
		char *argv[] = { (char *)pdfinfo, "-enc", "UTF-8", "-", NULL };
		/* pdfdetach takes no "-"; poppler's fd://0 is its standard input. */
		char *dargv[] = { (char *)pdfdetach, "-list", "-enc", "UTF-8", "fd://0", NULL };
		enum docjail_result r2;
		strbuf_t w2;
		strbuf_init(&w2);
		int stream = 0;
		if ((r = docjail_tool(j, fd, argv, &raw, &w2)) == DOCJAIL_OK) {
			meta_pdfinfo_lines(raw.s ? raw.s : "", raw.len, &lines);
			stream = raw.s != NULL && strstr(raw.s, "\nMetadata Stream: yes") != NULL;
		} else {
			strbuf_addf(why, "pdfinfo: %s", w2.s ? w2.s : "");
		}
		strbuf_reset(&w2);
		r2 = docjail_parse(j, fd, meta_fd, &f, sizeof(f), &lines, &t, r == DOCJAIL_OK ? why : &w2);
		if (r == DOCJAIL_OK)
			r = r2;
		/* The parse says when the bytes may hold an embedded file (a line
		 * no reader writes otherwise; a lying child only costs a run). */
		if (pdfdetach != NULL && lines.s != NULL && strstr(lines.s, META_PDF_EMBEDDED_HINT "\n")) {
			strbuf_reset(&raw);
			strbuf_reset(&w2);
			if ((r2 = docjail_tool(j, fd, dargv, &raw, &w2)) == DOCJAIL_OK) {
				meta_pdfdetach_lines(raw.s ? raw.s : "", raw.len, &lines);
			} else if (r == DOCJAIL_OK) {
				r = r2;
				strbuf_addf(why, "pdfdetach: %s", w2.s ? w2.s : "");
			}
		}
		/* A metadata stream whose packet is not in the bytes is compressed:
		 * pdfinfo -meta inflates it, and the packet goes back into the jail
		 * to be parsed (through a memfd), as every document byte does. */
		if (r == DOCJAIL_OK && stream && (lines.s == NULL || !strstr(lines.s, META_PDF_XMP_HINT "\n")))
			r = pdf_xmp(j, pdfinfo, fd, &lines, why);
		if (pdftotext != NULL && lines.s != NULL && strstr(lines.s, META_PDF_REV_HINT)) {
			strbuf_t gone;
			strbuf_init(&gone);
			pdf_removed(j, pdftotext, fd, &lines, &gone);
			if (gone.len > 0)
				strbuf_add(&lines, gone.s, gone.len);
			strbuf_release(&gone);
		}
		strbuf_release(&w2);
	} else {
		r = docjail_parse(j, fd, meta_fd, &f, sizeof(f), &lines, &t, why);
	}
	free(t);
	{
		/* The child's answer is untrusted: known kinds, bounded UTF-8 text. */
		const char *p = lines.s ? lines.s : "", *end = p + lines.len;
		while (p < end) {
			const char *e = memchr(p, '\n', (size_t)(end - p)), *tab;
			size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
			tab = memchr(p, '\t', len);
			if (tab && known(p, (size_t)(tab - p))) {
				size_t vl = len - (size_t)(tab - p) - 1;
				strbuf_add(out, p, (size_t)(tab - p) + 1);
				extract_utf8(out, tab + 1, text_utf8_cut(tab + 1, vl, META_VALUE_MAX));
				strbuf_addc(out, '\n');
			}
			p += len + 1;
		}
	}
	strbuf_release(&raw);
	strbuf_release(&lines);
	return r;
}
