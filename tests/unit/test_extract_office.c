/* test_extract_office: Office Open XML and OpenDocument files written here with
 * libzip (the same library that reads them, but its writer), read in-process
 * and through the document jail; then hostile archives: a zip bomb, 100,000
 * entries, deep nesting, an entity bomb, a truncated archive, garbage. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "docs/extract.h"
#include "docs/meta.h"
#include "catalogue/mime.h"
#include "base/sandbox.h"
#include "unit.h"
#include "base/util.h"

#define CT "[Content_Types].xml"
#define CTX "<?xml version=\"1.0\"?><Types xmlns=\"x\"/>"
#define W "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""

static char dir[] = "/tmp/test_extract_office.XXXXXX";
static docjail_t *jail;

/* Write a zip of name/content pairs (NULL-terminated); content of length
 * given by the next entry when name starts with '@' is not used: all are strings. */
static char *
write_zip(const char *file, const char *const *parts)
{
	char *path = xasprintf("%s/%s", dir, file);
	int err = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);

	ok(z != NULL, "zip_open %s", path);
	for (size_t i = 0; z && parts[i] && parts[i + 1]; i += 2) {
		zip_source_t *s = zip_source_buffer(z, parts[i + 1], strlen(parts[i + 1]), 0);
		ok(s && zip_file_add(z, parts[i], s, ZIP_FL_ENC_UTF_8) >= 0, "add %s", parts[i]);
	}
	ok(z && zip_close(z) == 0, "zip_close %s", path);
	return path;
}

/* Extract path in-process and in the jail; both must agree. */
static enum docjail_result
read_doc(const char *path, strbuf_t *out, char **title)
{
	strbuf_t why, out2;
	char *t2 = NULL;
	enum extract_kind k = EXTRACT_OFFICE;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc_in;
	enum docjail_result r;

	strbuf_init(&why);
	strbuf_init(&out2);
	ok(fd >= 0, "open %s", path);
	rc_in = extract_fd(fd, &out2, &t2, &k);
	(void)lseek(fd, 0, SEEK_END);   /* the jail must rewind it itself */
	r = extract_jailed(jail, EXTRACT_PDFTOTEXT, EXTRACT_OFFICE, fd, out, title, &why);
	ok((rc_in == 0) == (r == DOCJAIL_OK), "%s: in-process %d, jailed %s (%s)", path, rc_in,
	    docjail_result_name(r), why.s ? why.s : "");
	if (r == DOCJAIL_OK)
		ok(out->len == out2.len, "%s: same text in and out of the jail (%zu, %zu)", path, out->len,
		    out2.len);
	close(fd);
	free(t2);
	strbuf_release(&out2);
	strbuf_release(&why);
	return r;
}

static void
want_text(const char *file, const char *const *parts, const char *const *has, const char *title)
{
	char *path = write_zip(file, parts), *t = NULL;
	strbuf_t out;

	strbuf_init(&out);
	ok(read_doc(path, &out, &t) == DOCJAIL_OK, "%s read", file);
	for (size_t i = 0; has[i]; i++)
		ok(out.s && strstr(out.s, has[i]), "%s has '%s': %s", file, has[i], out.s ? out.s : "");
	ok(out.s == NULL || mime_is_utf8((const unsigned char *)out.s, out.len), "%s: UTF-8", file);
	if (title)
		is_str(t, title, "%s title", file);
	free(t);
	free(path);
	strbuf_release(&out);
}

static void
want_unread(const char *file, const char *path)
{
	strbuf_t out;
	enum docjail_result r;

	strbuf_init(&out);
	r = read_doc(path, &out, NULL);
	ok(r == DOCJAIL_FAILED, "%s: not readable (%s)", file, docjail_result_name(r));
	ok(out.len == 0, "%s: no text", file);
	strbuf_release(&out);
}

static void
test_formats(void)
{
	const char *docx[] = {
		CT, CTX,
		"word/document.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document " W "><w:body>"
		"<w:p><w:r><w:t>Zeppelin</w:t></w:r><w:r><w:t xml:space=\"preserve\"> budget</w:t></w:r></w:p>"
		"<w:p><w:r><w:t>caf\xc3\xa9</w:t><w:tab/><w:t>&amp;co</w:t></w:r></w:p></w:body></w:document>",
		"word/footer1.xml", "<w:ftr " W "><w:p><w:r><w:t>Confidential footer</w:t></w:r></w:p></w:ftr>",
		"docProps/core.xml", "<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
		"<dc:title>Annual memo</dc:title><dc:creator>Someone</dc:creator></cp:coreProperties>",
		NULL,
	};
	const char *docx_has[] = { "Zeppelin budget", "caf\xc3\xa9\t&co", "Confidential footer", NULL };
	const char *xlsx[] = {
		CT, CTX,
		"xl/sharedStrings.xml", "<sst><si><t>Hangar</t></si><si><t>Mooring mast</t></si></sst>",
		"xl/worksheets/sheet1.xml", "<worksheet><sheetData><row><c r=\"A1\" t=\"s\"><v>1</v></c>"
		"<c r=\"B1\"><v>4217</v></c><c t=\"inlineStr\"><is><t>inline words</t></is></c>"
		"<c><f>SUM(B1)</f><v>99</v></c></row></sheetData></worksheet>",
		NULL,
	};
	const char *xlsx_has[] = { "Hangar", "Mooring mast", "4217", "inline words", NULL };
	const char *pptx[] = {
		CT, CTX,
		"ppt/slides/slide10.xml", "<p:sld xmlns:a=\"a\" xmlns:p=\"p\"><a:p><a:r><a:t>omega</a:t></a:r></a:p></p:sld>",
		"ppt/slides/slide2.xml", "<p:sld xmlns:a=\"a\" xmlns:p=\"p\"><a:p><a:r><a:t>alpha</a:t></a:r></a:p></p:sld>",
		"ppt/slides/_rels/slide2.xml.rels", "<Relationships><r>not text</r></Relationships>",
		NULL,
	};
	const char *pptx_has[] = { "alpha\nomega", NULL };
	const char *odt[] = {
		"mimetype", "application/vnd.oasis.opendocument.text",
		"content.xml", "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\"><office:body><office:text>"
		"<text:h>Heading words</text:h><text:p>two<text:s/>words<text:line-break/>next</text:p>"
		"</office:text></office:body></office:document-content>",
		"meta.xml", "<office:document-meta xmlns:office=\"o\" xmlns:dc=\"d\"><office:meta>"
		"<dc:title>ODF title</dc:title></office:meta></office:document-meta>",
		NULL,
	};
	const char *odt_has[] = { "Heading words\n", "two words\nnext", NULL };
	const char *ods[] = {
		"mimetype", "application/vnd.oasis.opendocument.spreadsheet",
		"content.xml", "<office:document-content xmlns:office=\"o\" xmlns:table=\"t\" xmlns:text=\"x\">"
		"<table:table><table:table-row><table:table-cell><text:p>Dirigible</text:p></table:table-cell>"
		"<table:table-cell><text:p>1929</text:p></table:table-cell></table:table-row></table:table>"
		"</office:document-content>",
		NULL,
	};
	const char *ods_has[] = { "Dirigible", "1929", NULL };

	want_text("memo.docx", docx, docx_has, "Annual memo");
	want_text("sheet.xlsx", xlsx, xlsx_has, NULL);
	want_text("deck.pptx", pptx, pptx_has, NULL);
	want_text("letter.odt", odt, odt_has, "ODF title");
	want_text("table.ods", ods, ods_has, NULL);
}

static void
test_hostile(void)
{
	strbuf_t out, b;
	char *path;
	FILE *f;

	/* Garbage with an office name, and an archive with no office part. */
	path = xasprintf("%s/garbage.docx", dir);
	f = fopen(path, "w");
	ok(f != NULL, "garbage");
	fputs("this is not a zip at all\n", f);
	fclose(f);
	want_unread("garbage.docx", path);
	free(path);
	{
		const char *plain[] = { "readme.txt", "hello", NULL };
		path = write_zip("plain.odt", plain);
		want_unread("plain.odt", path);
		free(path);
	}

	/* Truncated: the first half of a real docx (its central directory is gone). */
	{
		const char *docx[] = { CT, CTX, "word/document.xml", "<w:document><w:p><w:t>lost</w:t></w:p></w:document>", NULL };
		path = write_zip("whole.docx", docx);
		char *cmd = xasprintf("head -c 80 '%s' > '%s/half.docx'", path, dir);
		ok(system(cmd) == 0, "truncate");
		free(cmd);
		free(path);
		path = xasprintf("%s/half.docx", dir);
		want_unread("half.docx", path);
		free(path);
	}

	/* Deeply nested XML: over the depth limit, nothing is read. */
	strbuf_init(&b);
	for (int i = 0; i < 100000; i++)
		strbuf_adds(&b, "<w:p>");
	strbuf_adds(&b, "<w:t>buried</w:t>");
	{
		const char *docx[] = { CT, CTX, "word/document.xml", b.s, NULL };
		path = write_zip("deep.docx", docx);
		want_unread("deep.docx", path);
		free(path);
	}
	strbuf_release(&b);

	/* An entity bomb behind a DOCTYPE: refused at the DOCTYPE. */
	{
		const char *docx[] = { CT, CTX, "word/document.xml",
		    "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
		    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
		    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">]>"
		    "<d><w:t>&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;</w:t></d>", NULL };
		path = write_zip("laughs.docx", docx);
		want_unread("laughs.docx", path);
		free(path);
	}

	/* A zip bomb: 200 MiB of text inflated from a small file ends as capped text, quickly. */
	{
		size_t n = 200u * 1024 * 1024;
		char *big = xmalloc(n + 64);
		struct timespec t0, t1;
		strcpy(big, "<w:document><w:p><w:t>");
		memset(big + 22, 'a', n - 22);
		big[n] = '\0';
		const char *docx[] = { CT, CTX, "word/document.xml", big, NULL };
		path = write_zip("bomb.docx", docx);
		free(big);
		strbuf_init(&out);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ok(read_doc(path, &out, NULL) == DOCJAIL_OK, "bomb.docx: capped text");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ok(out.len > 0 && out.len <= EXTRACT_TEXT_MAX, "bomb.docx: text capped (%zu)", out.len);
		ok(t1.tv_sec - t0.tv_sec < 5, "bomb.docx: read within 5 s");
		strbuf_release(&out);
		free(path);
	}

	/* A bomb the parser must hold whole (one 100 MiB comment): the part's
	 * inflate cap ends it, with nothing to index. */
	{
		size_t n = 100u * 1024 * 1024;
		char *big = xmalloc(n + 1);
		strcpy(big, "<w:document><!--");
		memset(big + 16, 'a', n - 16);
		big[n] = '\0';
		const char *docx[] = { CT, CTX, "word/document.xml", big, NULL };
		struct timespec t0, t1;
		path = write_zip("comment.docx", docx);
		free(big);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		want_unread("comment.docx", path);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* Read twice (in-process and jailed): linear, not quadratic, in the token. */
		ok(t1.tv_sec - t0.tv_sec < 5, "comment.docx: read within 5 s (%ld s)", (long)(t1.tv_sec - t0.tv_sec));
		free(path);
	}

	/* 100,000 entries: over the entry cap. */
	{
		char *p2 = xasprintf("%s/many.docx", dir);
		int err = 0;
		zip_t *z = zip_open(p2, ZIP_CREATE | ZIP_TRUNCATE, &err);
		zip_source_t *s = zip_source_buffer(z, CTX, strlen(CTX), 0);
		ok(s && zip_file_add(z, CT, s, 0) >= 0, "many: content types");
		for (int i = 0; z && i < 100000; i++) {
			char name[32];
			snprintf(name, sizeof(name), "word/header%d.xml", i);
			s = zip_source_buffer(z, "<w:t>h</w:t>", 12, 0);
			if (s == NULL || zip_file_add(z, name, s, 0) < 0) {
				ok(0, "many: add %d", i);
				break;
			}
			zip_set_file_compression(z, (zip_uint64_t)i + 1, ZIP_CM_STORE, 0);
		}
		ok(z && zip_close(z) == 0, "many: written");
		want_unread("many.docx", p2);
		free(p2);
	}
}

/* The review's reading of an office file's marks (in-process: the jail
 * runs the same function). */
static char *
office_meta(const char *path)
{
	strbuf_t out;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	strbuf_init(&out);
	ok(fd >= 0 && extract_office_meta_fd(fd, &out, NULL) == 0, "meta of %s", path);
	if (fd >= 0)
		close(fd);
	return out.s ? strbuf_detach(&out) : xstrdup("");
}

#define TCNS "xmlns=\"http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments\""

static void
test_threaded(void)
{
	char *path, *m;
	strbuf_t b;

	/* Persons after the comments in the archive; a reply; a person never
	 * cited; legacy copies by "tc=" authors and one note of its own. */
	{
		const char *xlsx[] = { CT, CTX,
		    "xl/threadedComments/threadedComment1.xml", "<ThreadedComments " TCNS ">"
		    "<threadedComment ref=\"A1\" personId=\"{P1}\" id=\"{T1}\"><text>a</text></threadedComment>"
		    "<threadedComment ref=\"A1\" personId=\"{P2}\" id=\"{T2}\" parentId=\"{T1}\"><text>b</text></threadedComment>"
		    "</ThreadedComments>",
		    "xl/threadedComments/threadedComment2.xml", "<ThreadedComments " TCNS ">"
		    "<threadedComment ref=\"C1\" personId=\"{P1}\" id=\"{T3}\"><text>c</text></threadedComment></ThreadedComments>",
		    "xl/comments1.xml", "<comments><authors><author>tc={T1}</author><author>Old\tNoter</author></authors>"
		    "<commentList><comment ref=\"A1\" authorId=\"0\"/><comment ref=\"D4\" authorId=\"1\"/></commentList></comments>",
		    "xl/persons/person.xml", "<personList " TCNS "><person displayName=\"Nobody Cited\" id=\"{P9}\"/>"
		    "<person displayName=\"Ann\tThreader\" id=\"{P1}\"/><person displayName=\"Bo Reply\" id=\"{P2}\"/></personList>",
		    NULL };
		path = write_zip("threads.xlsx", xlsx);
		m = office_meta(path);
		ok(strstr(m, "comments\t3 threaded comments (Excel), by Ann Threader, Bo Reply\n") != NULL, "threaded: %s", m);
		ok(strstr(m, "comments\t1 comment, the first by Old Noter\n") != NULL, "legacy copy not counted: %s", m);
		ok(strstr(m, "tc=") == NULL && strstr(m, "Nobody") == NULL, "no tc= author, no uncited person");
		free(m);
		free(path);
	}
	/* Without persons: counted, no one named; a personId too long is kept out. */
	{
		strbuf_init(&b);
		strbuf_adds(&b, "<ThreadedComments>");
		for (int i = 0; i < 20000; i++)
			strbuf_addf(&b, "<threadedComment personId=\"{%0*d}\"/>", i % 2 ? 100 : 4, i);
		strbuf_adds(&b, "</ThreadedComments>");
		const char *xlsx[] = { CT, CTX, "xl/threadedComments/threadedComment1.xml", b.s, NULL };
		path = write_zip("many-threads.xlsx", xlsx);
		m = office_meta(path);
		is_str(m, "comments\t20000 threaded comments (Excel)\n", "many, none named");
		free(m);
		free(path);
		strbuf_release(&b);
	}
	/* Persons beyond the cap, names beyond 200 bytes: bounded, valid UTF-8. */
	{
		strbuf_init(&b);
		strbuf_adds(&b, "<personList>");
		for (int i = 0; i < 500; i++) {
			strbuf_addf(&b, "<person id=\"{P%d}\" displayName=\"", i);
			for (int k = 0; k < 150; k++)
				strbuf_adds(&b, "\xc3\xa9");
			strbuf_adds(&b, "\"/>");
		}
		strbuf_adds(&b, "</personList>");
		const char *xlsx[] = { CT, CTX, "xl/threadedComments/threadedComment1.xml",
		    "<ThreadedComments><threadedComment personId=\"{P1}\"/><threadedComment personId=\"{P499}\"/></ThreadedComments>",
		    "xl/persons/person.xml", b.s, NULL };
		path = write_zip("many-persons.xlsx", xlsx);
		m = office_meta(path);
		ok(strncmp(m, "comments\t2 threaded comments (Excel), by \xc3\xa9", 43) == 0 && strlen(m) < 300 &&
		    strstr(m, "\xef\xbf\xbd") == NULL,
		    "person cap and name cap: %.80s", m);
		ok(mime_is_utf8((const unsigned char *)m, strlen(m)), "valid UTF-8");
		free(m);
		free(path);
		strbuf_release(&b);
	}
}

/* A minimal EXIF JPEG by hand: SOI, then APP1 "Exif" with a little-endian
 * TIFF whose IFD0 holds Make "Canon" and Artist "Ann". */
static size_t
exif_jpeg(unsigned char *b)
{
	static const unsigned char tiff[] = "II*\0\x08\0\0\0"
	    "\x02\0" "\x0f\x01\x02\0\x06\0\0\0\x26\0\0\0" "\x3b\x01\x02\0\x04\0\0\0Ann\0" "\0\0\0\0"
	    "Canon";
	size_t tn = sizeof(tiff), n = 0;

	memcpy(b, "\xff\xd8\xff\xe1", 4);
	b[4] = (unsigned char)((tn + 8) >> 8);
	b[5] = (unsigned char)(tn + 8);
	memcpy(b + 6, "Exif\0\0", 6);
	memcpy(b + 12, tiff, tn);
	n = 12 + tn;
	memcpy(b + n, "\xff\xd9", 2);
	return n + 2;
}

/* A zip of count entries FOLDERimageN.jpeg holding len bytes of data each. */
static char *
write_media(const char *file, const char *folder, int count, const unsigned char *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, file);
	int err = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	zip_source_t *s = z ? zip_source_buffer(z, CTX, strlen(CTX), 0) : NULL;

	ok(s && zip_file_add(z, CT, s, 0) >= 0, "%s: content types", file);
	for (int i = 0; z && i < count; i++) {
		char nm[64];
		snprintf(nm, sizeof(nm), "%simage%d.jpeg", folder, i);
		s = zip_source_buffer(z, data, len, 0);
		if (s == NULL || zip_file_add(z, nm, s, 0) < 0) {
			ok(0, "%s: add %d", file, i);
			break;
		}
	}
	ok(z && zip_close(z) == 0, "%s written", file);
	return path;
}

static void
test_media(void)
{
	unsigned char jpg[256];
	size_t jn = exif_jpeg(jpg);
	char *path;
	strbuf_t out, why;
	int fd;

	ok(jn < sizeof(jpg), "jpeg made");
	strbuf_init(&out);
	strbuf_init(&why);
	/* The image's EXIF, in-process and through the jail; named by the image. */
	path = write_media("photo.docx", "word/media/", 2, jpg, jn);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	is_int(meta_read_fd(fd, META_OFFICE, &out), 0, "read");
	ok(out.s && strstr(out.s, "camera\tword/media/image0.jpeg: Canon\n") &&
	    strstr(out.s, "author\tword/media/image1.jpeg: artist: Ann\n"), "EXIF of each image: %s", out.s ? out.s : "");
	ok(out.s && strstr(out.s, "embedded\t2 images inside, 2 with metadata of their own, the first word/media/image0.jpeg\n"),
	    "counted");
	strbuf_reset(&out);
	is_int(meta_jailed(jail, META_PDFINFO, NULL, NULL, META_OFFICE, fd, &out, &why), DOCJAIL_OK, "jailed");
	ok(out.s && strstr(out.s, "camera\tword/media/image1.jpeg: Canon\n"), "jailed: %s", out.s ? out.s : "");
	close(fd);
	free(path);
	/* Not in a media folder, or a folder below one: not an image of the document. */
	path = write_media("elsewhere.docx", "word/media/x/", 1, jpg, jn);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	strbuf_reset(&out);
	is_int(meta_read_fd(fd, META_OFFICE, &out), 0, "read");
	is_int(out.len, 0, "a folder below media/ is not read");
	close(fd);
	free(path);
	/* 200 images: all counted, 64 read. */
	path = write_media("many.pptx", "ppt/media/", 200, jpg, jn);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	strbuf_reset(&out);
	is_int(meta_read_fd(fd, META_OFFICE, &out), 0, "read");
	ok(out.s && strstr(out.s, "embedded\t200 images inside, 64 with metadata of their own, the first ppt/media/image0.jpeg (64 read)\n"),
	    "capped: %s", out.s ? strstr(out.s, "embedded") : "");
	close(fd);
	free(path);
	/* A bomb: 12 images of 100 MiB each behind an EXIF header, inflated
	 * 4 MiB each, not 1.2 GB; quickly. */
	{
		size_t n = 100u * 1024 * 1024;
		unsigned char *big = xcalloc(1, n);
		struct timespec t0, t1;
		memcpy(big, jpg, jn - 2);
		path = write_media("bomb.xlsx", "xl/media/", 12, big, n);
		free(big);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		strbuf_reset(&out);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		is_int(meta_jailed(jail, META_PDFINFO, NULL, NULL, META_OFFICE, fd, &out, &why), DOCJAIL_OK, "bomb: jailed");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ok(out.s && strstr(out.s, "embedded\t12 images inside, 12 with metadata"), "bomb: %s", out.s ? out.s : "");
		ok(t1.tv_sec - t0.tv_sec < 5, "bomb: within 5 s (%ld s)", (long)(t1.tv_sec - t0.tv_sec));
		close(fd);
		free(path);
	}
	strbuf_release(&out);
	strbuf_release(&why);
}

/* Office files inside office files, written by python3's zipfile: a docx
 * embedding an xlsx, a docx (whose own xlsx is one level too deep) and an
 * OLE object; an ODF object's meta.xml; 20 embedded (16 read); one past
 * 16 MiB (not read); 16 embedded bombs, bounded by the document's budget. */
static const char inner_py[] =
    "import io, sys, zipfile\n"
    "d = sys.argv[1]\n"
    "CT = ('[Content_Types].xml', '<?xml version=\"1.0\"?><Types xmlns=\"x\"/>')\n"
    "def core(who):\n"
    "    return ('docProps/core.xml', '<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\"><dc:creator>%s</dc:creator></cp:coreProperties>' % who)\n"
    "def pkg(parts, how=zipfile.ZIP_DEFLATED):\n"
    "    b = io.BytesIO()\n"
    "    with zipfile.ZipFile(b, 'w', how) as z:\n"
    "        for n, c in parts:\n"
    "            z.writestr(n, c)\n"
    "    return b.getvalue()\n"
    "def put(name, parts):\n"
    "    open(d + '/' + name, 'wb').write(pkg(parts))\n"
    "xlsx = pkg([CT, core('Inner Author'), ('docProps/app.xml', '<Properties><Company>Inner Co</Company></Properties>')])\n"
    "docx = pkg([CT, core('Second Author'), ('word/embeddings/deeper.xlsx', pkg([CT, core('Too Deep')]))])\n"
    "put('outer.docx', [CT, core('Outer Author'), ('word/document.xml', '<w:document xmlns:w=\"w\"/>'),\n"
    "    ('word/embeddings/Microsoft_Excel_Worksheet.xlsx', xlsx), ('word/embeddings/inner.docx', docx),\n"
    "    ('word/embeddings/oleObject1.bin', b'\\xd0\\xcf\\x11\\xe0' + bytes(100)),\n"
    "    ('word/embeddings/huge.xlsx', pkg([CT, core('Huge'), ('pad', bytes(17 << 20))], zipfile.ZIP_STORED))])\n"
    "meta = ('<office:document-meta xmlns:office=\"o\" xmlns:meta=\"m\"><office:meta><meta:initial-creator>Chart Maker'\n"
    "    '</meta:initial-creator></office:meta></office:document-meta>')\n"
    "put('object.odt', [('mimetype', 'application/vnd.oasis.opendocument.text'), ('content.xml', '<x/>'),\n"
    "    ('Object 1/content.xml', '<x/>'), ('Object 1/meta.xml', meta), ('Object 2/meta.xml', meta)])\n"
    "put('twenty.xlsx', [CT] + [('xl/embeddings/w%02d.xlsx' % i, xlsx) for i in range(20)])\n"
    "big = pkg([CT, core('Bomb'), ('docProps/app.xml', '<Properties>' + ' ' * (100 << 20) + '</Properties>')])\n"
    "put('bomb.docx', [CT] + [('word/embeddings/b%02d.docx' % i, big) for i in range(16)])\n";

/* The review's reading of dir/file, in-process and jailed (both must agree). */
static char *
inner_meta(const char *file, double *secs)
{
	char *path = xasprintf("%s/%s", dir, file);
	strbuf_t in, out, why;
	struct timespec t0, t1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	strbuf_init(&in);
	strbuf_init(&out);
	strbuf_init(&why);
	is_int(meta_read_fd(fd, META_OFFICE, &in), 0, "%s: read", file);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(meta_jailed(jail, META_PDFINFO, NULL, NULL, META_OFFICE, fd, &out, &why), DOCJAIL_OK, "%s: jailed (%s)",
	    file, why.s ? why.s : "");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	is_int(in.len, out.len, "%s: the same in and out of the jail", file);
	close(fd);
	free(path);
	strbuf_release(&in);
	strbuf_release(&why);
	return strbuf_detach(&out);
}

static void
test_inner(void)
{
	char *py = xasprintf("%s/inner.py", dir), *cmd = xasprintf("python3 '%s' '%s'", py, dir), *o;
	FILE *f = fopen(py, "w");
	double secs;

	ok(f && fputs(inner_py, f) >= 0 && fclose(f) == 0, "script written");
	is_int(system(cmd), 0, "python3 zipfile wrote the files");
	o = inner_meta("outer.docx", &secs);
	ok(o && strstr(o, "author\tauthor: Outer Author\n"), "the outer file's own: %s", o ? o : "");
	ok(o && strstr(o, "author\tword/embeddings/Microsoft_Excel_Worksheet.xlsx: author: Inner Author\n") &&
	    strstr(o, "author\tword/embeddings/Microsoft_Excel_Worksheet.xlsx: company: Inner Co\n"), "the xlsx inside, named");
	ok(o && strstr(o, "author\tword/embeddings/inner.docx: author: Second Author\n"), "the docx inside");
	ok(o && !strstr(o, "Too Deep"), "one level only");
	ok(o && !strstr(o, "Huge"), "past 16 MiB: not read");
	ok(o && strstr(o, "embedded\t4 objects embedded, 2 with metadata of their own, the first "
	    "word/embeddings/Microsoft_Excel_Worksheet.xlsx\n"), "all counted: %s", o ? strstr(o, "embedded") : "");
	free(o);
	o = inner_meta("object.odt", &secs);
	ok(o && strstr(o, "author\tObject 1: created by: Chart Maker\n"), "an ODF object's meta.xml: %s", o ? o : "");
	ok(o && !strstr(o, "Object 2:"), "not an object without its content.xml");
	free(o);
	o = inner_meta("twenty.xlsx", &secs);
	ok(o && strstr(o, "embedded\t20 objects embedded, 16 with metadata of their own, the first xl/embeddings/w00.xlsx (16 read)\n"),
	    "20 counted, 16 read: %s", o ? strstr(o, "embedded") : "");
	ok(o && strstr(o, "xl/embeddings/w15.xlsx: author") && !strstr(o, "xl/embeddings/w16.xlsx"), "the first 16");
	free(o);
	o = inner_meta("bomb.docx", &secs);
	ok(o && strstr(o, "author\tword/embeddings/b00.docx: author: Bomb\n"), "bombs: the first read: %s", o ? o : "");
	ok(secs < 5, "16 bombs of 100 MiB: within the document's budget, under 5 s (%.1f s)", secs);
	free(o);
	free(cmd);
	free(py);
}

int
main(void)
{
	docjail_conf_t jc = { .mode = SANDBOX_YES };
	static const struct { const char *mime, *name; } kinds[] = {
		{ "application/zip", "a.docx" }, { "application/octet-stream", "b.XLSX" },
		{ "application/zip", "c.pptx" }, { "application/vnd.oasis.opendocument.text", "d" },
		{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "e" },
		{ "application/zip", "f.ods" }, { "application/zip", "g.odp" },
	};
	char *cmd;

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		ok(extract_kind_of(kinds[i].mime, kinds[i].name) == EXTRACT_OFFICE, "office kind of %s", kinds[i].name);
	ok(extract_kind_of("application/zip", "h.zip") == EXTRACT_ARCHIVE, "a zip is not an office file: an archive");
	ok(mkdtemp(dir) != NULL, "mkdtemp");
	jail = docjail_new(&jc);
	ok(jail != NULL, "jail");
	test_formats();
	test_hostile();
	test_threaded();
	test_media();
	test_inner();
	docjail_free(jail);
	cmd = xasprintf("rm -rf '%s'", dir);
	(void)!system(cmd);
	free(cmd);
	return unit_done();
}
