/* meta_scan: see meta_scan.h. */
#include "docs/meta_scan.h"

#include <expat.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docs/extract.h"

/* A finding line: kind, tab, label, ": ", the value as one line of UTF-8
 * (label: ours, or a PNG keyword made printable ASCII). */
static void
scan_line(strbuf_t *out, const char *kind, const char *label, const char *v, size_t n)
{
	strbuf_t t;

	while (n > 0 && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
		v++, n--;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n' || v[n - 1] == '\r' || v[n - 1] == 0))
		n--;
	if (n == 0)
		return;
	strbuf_init(&t);
	extract_utf8(&t, v, n < META_SCAN_VALUE_MAX ? n : META_SCAN_VALUE_MAX);
	for (size_t i = 0; i < t.len; i++)
		if (t.s[i] == '\t' || t.s[i] == '\n' || t.s[i] == '\r')
			t.s[i] = ' ';
	strbuf_addf(out, "%s\t%s: ", kind, label);
	strbuf_add(out, t.s, t.len);
	strbuf_addc(out, '\n');
	strbuf_release(&t);
}

/* ---- XMP ---------------------------------------------------------------- */

#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_XMP "http://ns.adobe.com/xap/1.0/"
#define NS_PDF "http://ns.adobe.com/pdf/1.3/"
#define NS_TIFF "http://ns.adobe.com/tiff/1.0/"
#define NS_EXIF "http://ns.adobe.com/exif/1.0/"
#define NS_AUX "http://ns.adobe.com/exif/1.0/aux/"
#define NS_EXEX "http://cipa.jp/exif/1.0/"
#define NS_PS "http://ns.adobe.com/photoshop/1.0/"
#define NS_IPTC "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
#define NS_MM "http://ns.adobe.com/xap/1.0/mm/"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

enum { XP_PLAIN, XP_SERIAL, XP_LAT, XP_LON, XP_HISTORY };

static const struct { const char *name, *kind, *label; int how; } xmp_props[] = {
	{ NS_DC " creator", "author", "XMP creator", XP_PLAIN },
	{ NS_DC " rights", "author", "XMP rights", XP_PLAIN },
	{ NS_PDF " Author", "author", "XMP author", XP_PLAIN },
	{ NS_PS " AuthorsPosition", "author", "XMP author's position", XP_PLAIN },
	{ NS_AUX " OwnerName", "author", "XMP camera owner", XP_PLAIN },
	{ NS_EXEX " CameraOwnerName", "author", "XMP camera owner", XP_PLAIN },
	{ NS_XMP " CreatorTool", "software", "XMP creator tool", XP_PLAIN },
	{ NS_PDF " Producer", "software", "XMP producer", XP_PLAIN },
	{ NS_TIFF " Make", "camera", "XMP make", XP_PLAIN },
	{ NS_TIFF " Model", "camera", "XMP model", XP_PLAIN },
	{ NS_AUX " SerialNumber", "camera", "XMP body serial number", XP_SERIAL },
	{ NS_EXEX " BodySerialNumber", "camera", "XMP body serial number", XP_SERIAL },
	{ NS_AUX " LensSerialNumber", "camera", "XMP lens serial number", XP_SERIAL },
	{ NS_EXEX " LensSerialNumber", "camera", "XMP lens serial number", XP_SERIAL },
	{ NS_EXIF " GPSLatitude", "gps", "XMP position", XP_LAT },
	{ NS_EXIF " GPSLongitude", "gps", "XMP position", XP_LON },
	{ NS_PS " City", "gps", "XMP city", XP_PLAIN },
	{ NS_PS " State", "gps", "XMP state", XP_PLAIN },
	{ NS_PS " Country", "gps", "XMP country", XP_PLAIN },
	{ NS_IPTC " Location", "gps", "XMP location", XP_PLAIN },
	{ NS_MM " History", "revisions", "XMP history", XP_HISTORY },
};

struct xmp {
	XML_Parser p;
	strbuf_t *out;
	int depth, bad;
	int prop, prop_depth;   /* the open property element, its depth */
	int items;              /* rdf:li inside it */
	int lines;
	strbuf_t val;
	double lat, lon;        /* -1: not seen */
	char lat_ref, lon_ref;
};

/* An XMP GPS coordinate "DDD,MM.mmk" or "DDD,MM,SSk": degrees and the
 * reference letter; -1 if it is not one. */
static double
xmp_coord(const char *s, char *ref)
{
	double d = 0, scale = 1;
	char *end;

	for (int i = 0; i < 3; i++, scale *= 60) {
		double v = strtod(s, &end);
		if (end == s || v < 0 || v != v)
			return -1;
		d += v / scale;
		s = end;
		if (*s != ',')
			break;
		s++;
	}
	if (*s != 'N' && *s != 'S' && *s != 'E' && *s != 'W')
		return -1;
	*ref = *s;
	return d <= 180 ? d : -1;
}

static void
xmp_emit(struct xmp *x, int i, const char *v, size_t n)
{
	if (x->lines >= META_XMP_LINES)
		return;
	if (xmp_props[i].how == XP_LAT || xmp_props[i].how == XP_LON) {
		char buf[64], ref = 0;
		double d;
		snprintf(buf, sizeof(buf), "%.*s", (int)(n < 63 ? n : 63), v);
		d = xmp_coord(buf, &ref);
		if (xmp_props[i].how == XP_LAT && d >= 0 && d <= 90)
			x->lat = d, x->lat_ref = ref;
		else if (xmp_props[i].how == XP_LON && d >= 0)
			x->lon = d, x->lon_ref = ref;
		return;
	}
	if (xmp_props[i].how == XP_SERIAL) {
		char masked[80];
		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\n'))
			n--;
		if (n == 0)
			return;
		/* As for EXIF: that it is there is the finding; two characters identify it. */
		snprintf(masked, sizeof(masked), "ending %.*s", n > 2 ? 2 : 0, v + n - (n > 2 ? 2 : 0));
		scan_line(x->out, xmp_props[i].kind, xmp_props[i].label, masked, strlen(masked));
	} else {
		scan_line(x->out, xmp_props[i].kind, xmp_props[i].label, v, n);
	}
	x->lines++;
}

static void XMLCALL
xmp_start(void *ud, const XML_Char *name, const XML_Char **attr)
{
	struct xmp *x = ud;

	if (++x->depth > 64) {
		x->bad = 1;
		XML_StopParser(x->p, XML_FALSE);
		return;
	}
	if (x->prop >= 0) {
		if (strcmp(name, NS_RDF " li") == 0) {
			if (x->items++ > 0 && x->val.len > 0 && x->val.len < META_SCAN_VALUE_MAX)
				strbuf_adds(&x->val, "; ");
		}
		return;
	}
	/* Simple properties as attributes of rdf:Description. */
	for (size_t a = 0; attr[a] && attr[a + 1]; a += 2)
		for (size_t i = 0; i < ARRAY_LEN(xmp_props); i++)
			if (strcmp(attr[a], xmp_props[i].name) == 0 && xmp_props[i].how != XP_HISTORY)
				xmp_emit(x, (int)i, attr[a + 1], strlen(attr[a + 1]));
	for (size_t i = 0; i < ARRAY_LEN(xmp_props); i++)
		if (strcmp(name, xmp_props[i].name) == 0) {
			x->prop = (int)i;
			x->prop_depth = x->depth;
			x->items = 0;
			strbuf_reset(&x->val);
		}
}

static void XMLCALL
xmp_end(void *ud, const XML_Char *name)
{
	struct xmp *x = ud;

	(void)name;
	if (x->prop >= 0 && x->depth == x->prop_depth) {
		if (xmp_props[x->prop].how == XP_HISTORY) {
			char v[64];
			if (x->items > 0 && x->lines < META_XMP_LINES) {
				snprintf(v, sizeof(v), "%d step%s recorded", x->items, x->items == 1 ? "" : "s");
				scan_line(x->out, "revisions", "XMP history", v, strlen(v));
				x->lines++;
			}
		} else if (x->val.len > 0) {
			xmp_emit(x, x->prop, x->val.s, x->val.len);
		}
		x->prop = -1;
		strbuf_reset(&x->val);
	}
	x->depth--;
}

static void XMLCALL
xmp_chars(void *ud, const XML_Char *s, int len)
{
	struct xmp *x = ud;

	if (x->prop < 0 || len <= 0 || xmp_props[x->prop].how == XP_HISTORY)
		return;
	if (x->val.len < META_SCAN_VALUE_MAX)
		strbuf_add(&x->val, s, (size_t)len < META_SCAN_VALUE_MAX - x->val.len ? (size_t)len :
		    META_SCAN_VALUE_MAX - x->val.len);
}

/* A DTD is where entity expansion lives; XMP has none. */
static void XMLCALL
xmp_doctype(void *ud, const XML_Char *n, const XML_Char *sys, const XML_Char *pub, int internal)
{
	struct xmp *x = ud;

	(void)n, (void)sys, (void)pub, (void)internal;
	x->bad = 1;
	XML_StopParser(x->p, XML_FALSE);
}

int
meta_xmp(const char *p, size_t n, strbuf_t *out)
{
	struct xmp x = { .out = out, .prop = -1, .lat = -1, .lon = -1 };
	int ok;

	if (n > META_XMP_MAX)
		n = META_XMP_MAX;
	/* UTF-8/16 and Latin-1 are built in; any other encoding is an error. */
	if ((x.p = XML_ParserCreateNS(NULL, ' ')) == NULL)
		return -1;
	strbuf_init(&x.val);
	XML_SetUserData(x.p, &x);
	XML_SetElementHandler(x.p, xmp_start, xmp_end);
	XML_SetCharacterDataHandler(x.p, xmp_chars);
	XML_SetStartDoctypeDeclHandler(x.p, xmp_doctype);
	XML_SetParamEntityParsing(x.p, XML_PARAM_ENTITY_PARSING_NEVER);
	ok = XML_Parse(x.p, p, (int)n, 1) == XML_STATUS_OK && !x.bad;
	if (x.lat >= 0 && x.lon >= 0) {
		char pos[96];
		/* Rounded, as for EXIF: that it is there is the finding. */
		snprintf(pos, sizeof(pos), "near %.1f %c, %.1f %c", x.lat, x.lat_ref, x.lon, x.lon_ref);
		scan_line(out, "gps", "XMP position", pos, strlen(pos));
	}
	strbuf_release(&x.val);
	XML_ParserFree(x.p);
	return ok ? 0 : -1;
}

int
meta_xmp_find(const unsigned char *buf, size_t n, strbuf_t *out)
{
	static const char open[] = "<x:xmpmeta", close[] = "</x:xmpmeta>";
	const unsigned char *p = buf, *end = buf + n;
	int packets = 0;

	while (packets < META_XMP_PACKETS && p < end) {
		const unsigned char *s = memmem(p, (size_t)(end - p), open, sizeof(open) - 1), *e;
		size_t len;
		if (s == NULL)
			break;
		len = (size_t)(end - s) < META_XMP_MAX ? (size_t)(end - s) : META_XMP_MAX;
		e = memmem(s, len, close, sizeof(close) - 1);
		len = e ? (size_t)(e - s) + sizeof(close) - 1 : len;
		(void)meta_xmp((const char *)s, len, out);
		packets++;
		p = s + len;
	}
	return packets;
}

/* ---- PNG ---------------------------------------------------------------- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A text chunk's keyword and text: which kind and label it is reported as.
 * ImageMagick's file times (date:create, date:modify) say nothing of who. */
static void
png_text(strbuf_t *out, const char *key, const char *v, size_t n, int *texts)
{
	static const struct { const char *key, *kind, *label; } known[] = {
		{ "Author", "author", "PNG author" }, { "Copyright", "author", "PNG copyright" },
		{ "Software", "software", "PNG software" }, { "Source", "camera", "PNG source" },
	};
	char label[96];

	if (strncmp(key, "date:", 5) == 0 || *texts >= META_PNG_TEXTS)
		return;
	(*texts)++;
	for (size_t i = 0; i < ARRAY_LEN(known); i++)
		if (strcmp(key, known[i].key) == 0) {
			scan_line(out, known[i].kind, known[i].label, v, n);
			return;
		}
	snprintf(label, sizeof(label), "PNG text \"%s\"", key);
	scan_line(out, "comments", label, v, n);
}

/* Inflate a zlib stream into at most META_PNG_INFLATE bytes; its length, or -1. */
static long
png_inflate(const unsigned char *in, size_t n, unsigned char *outbuf)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	size_t got = 0;
	enum libdeflate_result r;

	if (d == NULL)
		return -1;
	r = libdeflate_zlib_decompress(d, in, n, outbuf, META_PNG_INFLATE, &got);
	libdeflate_free_decompressor(d);
	return r == LIBDEFLATE_SUCCESS ? (long)got : -1;
}

int
meta_png(const unsigned char *buf, size_t n, int whole, strbuf_t *out, const unsigned char **exif,
    size_t *exif_len)
{
	size_t off = 8;
	int texts = 0, xmps = 0;
	unsigned char *inflated = NULL;

	if (n < 8 || memcmp(buf, "\x89PNG\r\n\x1a\n", 8) != 0)
		return -1;
	while (off + 12 <= n) {
		uint32_t len = be32(buf + off);
		const unsigned char *type = buf + off + 4, *d = buf + off + 8;
		char key[80];
		size_t kl;
		if (len > 0x7fffffffu || (size_t)len > n - off - 12)
			break;  /* past what was read: damaged if that was the whole file */
		if (libdeflate_crc32(0, type, (size_t)len + 4) != be32(d + len))
			goto bad;
		if (memcmp(type, "IEND", 4) == 0) {
			free(inflated);
			return 0;
		}
		kl = strnlen((const char *)d, len < 80 ? len : 80);
		if (kl >= 1 && kl <= 79 && kl < len) {
			for (size_t i = 0; i < kl; i++)
				key[i] = d[i] >= 0x20 && d[i] < 0x7f && d[i] != '"' ? (char)d[i] : '?';
			key[kl] = '\0';
		} else {
			kl = 0;
		}
		if (kl && memcmp(type, "tEXt", 4) == 0) {
			png_text(out, key, (const char *)d + kl + 1, len - kl - 1, &texts);
		} else if (kl && memcmp(type, "zTXt", 4) == 0 && len > kl + 2 && d[kl + 1] == 0) {
			long got;
			if (inflated == NULL)
				inflated = xmalloc(META_PNG_INFLATE);
			got = png_inflate(d + kl + 2, len - kl - 2, inflated);
			png_text(out, key, got >= 0 ? (const char *)inflated : "(more than can be shown)",
			    got >= 0 ? (size_t)got : 24, &texts);
		} else if (kl && memcmp(type, "iTXt", 4) == 0 && len >= kl + 3) {
			/* keyword, NUL, flag, method, language, NUL, translated keyword, NUL, text */
			const unsigned char *q = d + kl + 3, *e = d + len, *z;
			int compressed = d[kl + 1];
			for (int skip = 0; skip < 2 && q < e; skip++) {
				if ((z = memchr(q, 0, (size_t)(e - q))) == NULL)
					goto bad;
				q = z + 1;
			}
			if (q > e)
				goto bad;
			const char *t = (const char *)q;
			size_t tl = (size_t)(e - q);
			if (compressed) {
				long got;
				if (inflated == NULL)
					inflated = xmalloc(META_PNG_INFLATE);
				got = png_inflate(q, tl, inflated);
				t = got >= 0 ? (const char *)inflated : "(more than can be shown)";
				tl = got >= 0 ? (size_t)got : 24;
			}
			if (strcmp(key, "XML:com.adobe.xmp") == 0) {
				if (xmps++ < META_XMP_PACKETS)
					(void)meta_xmp(t, tl, out);
			} else {
				png_text(out, key, t, tl, &texts);
			}
		} else if (memcmp(type, "eXIf", 4) == 0 && len >= 8 && exif && *exif == NULL) {
			*exif = d;
			*exif_len = len;
		}
		off += 12 + (size_t)len;
	}
	free(inflated);
	/* Ran out of bytes before IEND: damaged, unless only the start was read. */
	return whole ? -1 : 0;
bad:
	free(inflated);
	return -1;
}

/* ---- PDF revisions --------------------------------------------------------- */

/* States: 0 looking for "startxref"; 1 blanks before the offset; 2 its
 * digits; 3 blanks before "%%EOF"; 4 matching "%%EOF". */
void
meta_pdf_rev_feed(meta_pdf_rev_t *r, const unsigned char *p, size_t n)
{
	static const char kw[] = "startxref", eof[] = "%%EOF";

	/* A linearization dictionary is the first object, in the first 1 KiB. */
	if (r->seen < 1024) {
		size_t look = n < 1024 - r->seen ? n : 1024 - r->seen;
		if (memmem(p, look, "/Linearized", 11) != NULL)
			r->linearized = 1;
	}
	size_t base = r->seen;

	r->seen += n;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		int blank = c == ' ' || c == '\r' || c == '\n' || c == '\t' || c == '\f' || c == 0;
		switch (r->state) {
		case 0:
			if (c == (unsigned char)kw[r->matched]) {
				if (++r->matched == sizeof(kw) - 1)
					r->state = 1, r->matched = 0;
			} else {
				r->matched = c == 's';
			}
			break;
		case 1:
		case 2:
			if (c >= '0' && c <= '9' && r->matched < 20)
				r->state = 2, r->matched++;
			else if (blank && r->state == 1)
				;
			else if (blank && r->state == 2)
				r->state = 3, r->matched = 0;
			else
				r->state = 0, r->matched = c == 's';
			break;
		case 3:
			if (blank)
				break;
			r->state = 4;
			r->matched = 0;
			/* fall through */
		case 4:
			if (c == (unsigned char)eof[r->matched]) {
				if (++r->matched == sizeof(eof) - 1) {
					if (r->nends < META_PDF_REV_ENDS)
						r->ends[r->nends++] = (long long)(base + i + 1);
					r->revisions++;
					r->state = 0, r->matched = 0;
				}
			} else {
				r->state = 0, r->matched = c == 's';
			}
			break;
		}
	}
}

long long
meta_pdf_rev_earlier(const meta_pdf_rev_t *r)
{
	long long n = r->revisions - 1 - (r->linearized ? 1 : 0);
	return n > 0 ? n : 0;
}

void
meta_pdfdetach_lines(const char *txt, size_t n, strbuf_t *out)
{
	const char *p = txt, *end = txt + n;
	long long count = 0;
	strbuf_t names;

	strbuf_init(&names);
	/* "N embedded files" then "i: name" lines. */
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p)), *c;
		size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
		if (len > 15 && count == 0 && memcmp(p + len - 15, " embedded files", 15) == 0)
			count = strtoll(p, NULL, 10);
		else if (len > 15 && count == 0 && memcmp(p + len - 14, " embedded file", 14) == 0)
			count = strtoll(p, NULL, 10);
		else if ((c = memchr(p, ':', len)) != NULL && c > p && c + 2 <= p + len && names.len < META_SCAN_VALUE_MAX) {
			if (names.len > 0)
				strbuf_adds(&names, ", ");
			strbuf_add(&names, c + 2, (size_t)(p + len - c - 2));
		}
		p += len + 1;
	}
	if (count > 0 && count < 1000000) {
		char label[64];
		snprintf(label, sizeof(label), "%lld embedded file%s", count, count == 1 ? "" : "s");
		scan_line(out, "embedded", label, names.len ? names.s : "(unnamed)",
		    names.len ? names.len : 9);
	}
	strbuf_release(&names);
}
