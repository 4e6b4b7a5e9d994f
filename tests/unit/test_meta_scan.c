/* meta_scan: XMP packets, PNG chunks, a PDF's revisions and pdfdetach's list,
 * on well-formed and hostile bytes. */
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docs/meta_scan.h"
#include "unit.h"

static const char xmp_doc[] =
    "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
    "<rdf:Description xmlns:tiff='http://ns.adobe.com/tiff/1.0/' tiff:Make='Sony'"
    " xmlns:aux='http://ns.adobe.com/exif/1.0/aux/' aux:SerialNumber='AB998877'/>"
    "<rdf:Description xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:exif='http://ns.adobe.com/exif/1.0/'"
    " xmlns:xmpMM='http://ns.adobe.com/xap/1.0/mm/' xmlns:xmp='http://ns.adobe.com/xap/1.0/'>"
    "<dc:creator><rdf:Seq><rdf:li>Ann\tOne</rdf:li><rdf:li>Bob Two</rdf:li></rdf:Seq></dc:creator>"
    "<xmp:CreatorTool>Editor 9</xmp:CreatorTool>"
    "<exif:GPSLatitude>48,51.5N</exif:GPSLatitude><exif:GPSLongitude>2,17,40E</exif:GPSLongitude>"
    "<xmpMM:History><rdf:Seq><rdf:li/><rdf:li/><rdf:li/></rdf:Seq></xmpMM:History>"
    "</rdf:Description></rdf:RDF></x:xmpmeta>";

static void
t_xmp(void)
{
	strbuf_t o;
	char deep[4096];
	size_t n = 0;

	strbuf_init(&o);
	is_int(meta_xmp(xmp_doc, strlen(xmp_doc), &o), 0, "parses");
	ok(o.s && strstr(o.s, "camera\tXMP make: Sony\n"), "attribute: %s", o.s ? o.s : "");
	ok(o.s && strstr(o.s, "camera\tXMP body serial number: ending 77\n") && !strstr(o.s, "AB99"), "serial masked");
	ok(o.s && strstr(o.s, "author\tXMP creator: Ann One; Bob Two\n"), "list, tab made a space");
	ok(o.s && strstr(o.s, "software\tXMP creator tool: Editor 9\n"), "creator tool");
	ok(o.s && strstr(o.s, "gps\tXMP position: near 48.9 N, 2.3 E\n"), "position rounded");
	ok(o.s && strstr(o.s, "revisions\tXMP history: 3 steps recorded\n"), "history");
	strbuf_reset(&o);
	/* A DTD ends it (entity expansion); so does nesting past 64 and broken XML. */
	const char *dtd = "<!DOCTYPE x [<!ENTITY a 'aaaa'>]><x:xmpmeta xmlns:x='adobe:ns:meta/'>&a;</x:xmpmeta>";
	is_int(meta_xmp(dtd, strlen(dtd), &o), -1, "a DTD is refused");
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
	is_int(meta_xmp(deep, n, &o), -1, "200 deep is refused");
	is_int(meta_xmp("<x:xmpmeta", 10, &o), -1, "cut short");
	is_int(o.len, 0, "nothing invented");
	/* In a file: two packets, garbage around and a third cut short. */
	strbuf_adds(&o, "\xff\xd8 junk ");
	strbuf_adds(&o, xmp_doc);
	strbuf_adds(&o, " more ");
	strbuf_adds(&o, xmp_doc);
	strbuf_adds(&o, "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF");
	{
		strbuf_t f;
		strbuf_init(&f);
		is_int(meta_xmp_find((const unsigned char *)o.s, o.len, &f), 3, "three packets");
		ok(f.s && strstr(f.s, "Sony") && strstr(strstr(f.s, "Sony") + 1, "Sony"), "both read");
		strbuf_release(&f);
	}
	strbuf_release(&o);
}

static void
chunk(strbuf_t *b, const char *type, const void *d, size_t n)
{
	unsigned char h[8];
	uint32_t crc;

	h[0] = (unsigned char)(n >> 24), h[1] = (unsigned char)(n >> 16), h[2] = (unsigned char)(n >> 8);
	h[3] = (unsigned char)n;
	memcpy(h + 4, type, 4);
	strbuf_add(b, h, 8);
	strbuf_add(b, d, n);
	crc = libdeflate_crc32(libdeflate_crc32(0, type, 4), d, n);
	h[0] = (unsigned char)(crc >> 24), h[1] = (unsigned char)(crc >> 16), h[2] = (unsigned char)(crc >> 8);
	h[3] = (unsigned char)crc;
	strbuf_add(b, h, 4);
}

static void
t_png(void)
{
	strbuf_t b, o, d;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	unsigned char z[256];
	size_t zn;
	const unsigned char *ex = NULL;
	size_t exn = 0;
	static const char comment[] = "shot at the depot";

	strbuf_init(&b);
	strbuf_init(&o);
	strbuf_init(&d);
	strbuf_add(&b, "\x89PNG\r\n\x1a\n", 8);
	chunk(&b, "IHDR", "0123456789abc", 13);
	chunk(&b, "tEXt", "Author\0Jane \xe9", 13);
	strbuf_add(&d, "Comment\0\0", 9);
	zn = libdeflate_zlib_compress(c, comment, sizeof(comment) - 1, z, sizeof(z));
	strbuf_add(&d, z, zn);
	chunk(&b, "zTXt", d.s, d.len);
	strbuf_reset(&d);
	strbuf_add(&d, "XML:com.adobe.xmp\0\0\0\0\0", 22);
	strbuf_adds(&d, xmp_doc);
	chunk(&b, "iTXt", d.s, d.len);
	chunk(&b, "tEXt", "date:create\0" "2020", 16);
	chunk(&b, "tEXt", "Bad\tkey\n\0v", 10);
	chunk(&b, "eXIf", "MM\0*\0\0\0\x08", 8);
	chunk(&b, "IEND", "", 0);
	is_int(meta_png((unsigned char *)b.s, b.len, 1, &o, &ex, &exn), 0, "a whole PNG");
	ok(o.s && strstr(o.s, "author\tPNG author: Jane \xc3\xa9\n"), "tEXt, Latin-1 made UTF-8: %s", o.s ? o.s : "");
	ok(o.s && strstr(o.s, "comments\tPNG text \"Comment\": shot at the depot\n"), "zTXt inflated");
	ok(o.s && strstr(o.s, "XMP make: Sony"), "iTXt XMP");
	ok(o.s && !strstr(o.s, "date:create"), "ImageMagick's file dates are not reported");
	ok(o.s && strstr(o.s, "PNG text \"Bad?key?\": v\n"), "a hostile keyword made printable");
	ok(ex != NULL && exn == 8 && memcmp(ex, "MM\0*", 4) == 0, "eXIf handed back");
	/* Cut: damaged if that was the whole file, not if only its start was read. */
	strbuf_reset(&o);
	is_int(meta_png((unsigned char *)b.s, 60, 1, &o, NULL, NULL), -1, "truncated");
	ok(o.s && strstr(o.s, "Jane"), "what came before kept");
	is_int(meta_png((unsigned char *)b.s, 60, 0, &o, NULL, NULL), 0, "only the start read");
	b.s[40] ^= 1;
	is_int(meta_png((unsigned char *)b.s, b.len, 1, &o, NULL, NULL), -1, "bad CRC");
	b.s[40] ^= 1;
	memcpy(b.s + 33, "\xff\xff\xff\xf0", 4);
	is_int(meta_png((unsigned char *)b.s, b.len, 1, &o, NULL, NULL), -1, "a length past the end");
	is_int(meta_png((const unsigned char *)"GIF89a", 6, 1, &o, NULL, NULL), -1, "not a PNG");
	libdeflate_free_compressor(c);
	strbuf_release(&b);
	strbuf_release(&o);
	strbuf_release(&d);
}

static long long
revs(const char *pdf, size_t piece)
{
	meta_pdf_rev_t r = { 0 };
	size_t n = strlen(pdf);

	for (size_t i = 0; i < n; i += piece)
		meta_pdf_rev_feed(&r, (const unsigned char *)pdf + i, n - i < piece ? n - i : piece);
	return meta_pdf_rev_earlier(&r);
}

static void
t_pdf(void)
{
	static const char one[] = "%PDF-1.4\n1 0 obj<<>>endobj\nxref\n0 1\ntrailer<<>>\nstartxref\n27\n%%EOF\n";
	static const char upd[] = "%PDF-1.4\nstartxref\n9\n%%EOF\n2 0 obj<<>>endobj\nstartxref\r\n120\r\n%%EOF"
	    "\n3 0 obj<<>>endobj trailer<</Prev 120>>\nstartxref 200 %%EOF\r";
	static const char lin[] = "%PDF-1.5\n1 0 obj<</Linearized 1>>endobj\nstartxref\n0\n%%EOF\nxx\nstartxref\n50\n%%EOF\n";
	static const char fake[] = "%PDF-1.4\n(startxref) startxref x %%EOF startxref 12 %%EO startxrefstartxref\n1\n%%EOF";

	is_int(revs(one, 4096), 0, "one revision: none earlier");
	is_int(revs(upd, 4096), 2, "two updates");
	for (size_t p = 1; p < 12; p++)
		is_int(revs(upd, p), 2, "the same fed %zu bytes at a time", p);
	is_int(revs(lin, 4096), 0, "a linearized file's first-page trailer is no update");
	is_int(revs(fake, 4096), 0, "broken trailers are not counted; one whole one is");
	is_int(revs("", 1), 0, "empty");
	/* Where each revision ends (just after its %%EOF), in any pieces. */
	for (size_t p = 1; p < 12; p += 5) {
		meta_pdf_rev_t r = { 0 };
		size_t n = strlen(upd);
		for (size_t i = 0; i < n; i += p)
			meta_pdf_rev_feed(&r, (const unsigned char *)upd + i, n - i < p ? n - i : p);
		is_int(r.nends, 3, "three ends, fed %zu at a time", p);
		is_int(r.ends[0], strstr(upd, "%%EOF") + 5 - upd, "the first revision's end");
		is_int(r.ends[2], n - 1, "the last one's");
	}
	{
		meta_pdf_rev_t r = { 0 };
		for (int i = 0; i < 20; i++)
			meta_pdf_rev_feed(&r, (const unsigned char *)"startxref 1 %%EOF ", 18);
		is_int(r.nends, META_PDF_REV_ENDS, "ends kept: bounded");
		is_int(r.revisions, 20, "all counted");
	}
}

static void
t_pdfdetach(void)
{
	strbuf_t o;
	static const char two[] = "2 embedded files\n1: a.txt\n2: plan\twith tab.xlsx\n";

	strbuf_init(&o);
	meta_pdfdetach_lines(two, strlen(two), &o);
	is_str(o.s, "embedded\t2 embedded files: a.txt, plan with tab.xlsx\n", "two, named");
	strbuf_reset(&o);
	meta_pdfdetach_lines("0 embedded files\n", 17, &o);
	is_int(o.len, 0, "none");
	meta_pdfdetach_lines("1 embedded files\n1: \xff\xfe\n", 22, &o);
	ok(o.s && strstr(o.s, "1 embedded file: \xc3\xbf\xc3\xbe\n"), "bytes made UTF-8: %s", o.s ? o.s : "");
	strbuf_release(&o);
}

int
main(int argc, char **argv)
{
	static const unit_case_t cases[] = { UNIT_CASE(t_xmp), UNIT_CASE(t_png), UNIT_CASE(t_pdf),
		UNIT_CASE(t_pdfdetach), UNIT_CASES_END };
	return unit_main(cases, argc, argv);
}
