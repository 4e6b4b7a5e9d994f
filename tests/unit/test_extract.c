/* test_extract: tables of HTML, mail and text inputs and what the index must get;
 * PDF through the real pdftotext on a PDF written here by hand. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "docs/extract.h"
#include "catalogue/mime.h"
#include "base/sandbox.h"
#include "unit.h"
#include "base/util.h"

struct want {
	const char *in;
	const char *has[3];     /* substrings the text must contain */
	const char *lacks[2];   /* substrings it must not contain */
	const char *title;      /* NULL: no title expected */
};

static const struct want html_cases[] = {
	{ "<html><head><title>Press &amp; Media</title></head><body><p>Hello&nbsp;world</p></body></html>",
	    { "Hello world", "Press & Media" }, { "<p>", "&amp;" }, "Press & Media" },
	{ "<script>var secret = 1;</script><p>visible</p><style>p{color:red}</style>",
	    { "visible" }, { "secret", "color" }, NULL },
	{ "<SCRIPT type=x>alert(1)</SCRIPT >after", { "after" }, { "alert" }, NULL },
	{ "a<!-- hidden comment -->b", { "a" }, { "hidden" }, NULL },
	{ "<td>cell1</td><td>cell2</td>", { "cell1 cell2" }, { "cell1cell2" }, NULL },
	{ "&#233;t&#xE9; &lt;tag&gt; &bogus; &#99999999;", { "\xc3\xa9t\xc3\xa9", "<tag>", "&bogus;" }, { "&#" }, NULL },
	{ "<p unterminated", { "" }, { "unterminated" }, NULL },
	{ "<title>never closed", { "never closed" }, { "<title>" }, "never closed" },
	{ "<script>never closed", { "" }, { "never" }, NULL },
	{ "caf\xe9 latin1", { "caf\xc3\xa9" }, { "\xe9 " }, NULL },
	{ "", { "" }, { "x" }, NULL },
};

static const struct want eml_cases[] = {
	{ "From: Alice <a@x>\nTo: Bob <b@x>\nSubject: Budget\nDate: Mon, 1 Mar 2021\n\nThe body text.\n",
	    { "Subject: Budget", "From: Alice", "The body text." }, { "Message-ID" }, "Budget" },
	{ "Subject: =?utf-8?B?Q2Fmw6kgbWVldGluZw==?=\nContent-Type: text/plain\n"
	  "Content-Transfer-Encoding: quoted-printable\n\nCaf=C3=A9 at ten, soft=\nbreak\n",
	    { "Caf\xc3\xa9 meeting", "Caf\xc3\xa9 at ten", "softbreak" }, { "=C3" }, "Caf\xc3\xa9 meeting" },
	{ "Subject: folded\n  subject line\nContent-Type: multipart/alternative; boundary=\"XX\"\n\npreamble\n"
	  "--XX\nContent-Type: text/plain\n\nplain part\n--XX\nContent-Type: text/html\n"
	  "Content-Transfer-Encoding: base64\n\nPHA+aHRtbCBwYXJ0PC9wPg==\n--XX\n"
	  "Content-Type: application/pdf\nContent-Disposition: attachment\n\nJVBERi0=\n--XX--\n",
	    { "folded subject line", "plain part", "html part" }, { "<p>", "JVBER" }, "folded subject line" },
	{ "Subject: =?iso-8859-1?Q?Caf=E9_latin?=\n\nx\n", { "Caf\xc3\xa9 latin" }, { "=E9" }, NULL },
	{ "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n--b--", { "" }, { "--b" }, NULL },
	{ "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=c\n\n"
	  "--c\n\ndeep text\n--c--\n--b--\n", { "deep text" }, { "--c" }, NULL },
	{ "no headers at all", { "" }, { "zzz" }, NULL },
	{ "Subject: x\r\nContent-Type: text/plain\r\n\r\ncrlf body\r\n", { "crlf body" }, { "\r" }, "x" },
};

static void
check_case(const struct want *w, int html, size_t idx)
{
	strbuf_t out;
	char *title = NULL;

	strbuf_init(&out);
	if (html)
		extract_html(w->in, strlen(w->in), &out, &title);
	else
		extract_eml(w->in, strlen(w->in), &out, &title);
	const char *s = out.s ? out.s : "";
	for (int i = 0; i < 3; i++)
		if (w->has[i])
			ok(strstr(s, w->has[i]) != NULL, "%s case %zu: '%s' lacks '%s'", html ? "html" : "eml", idx, s,
			    w->has[i]);
	for (int i = 0; i < 2; i++)
		if (w->lacks[i])
			ok(strstr(s, w->lacks[i]) == NULL, "%s case %zu: '%s' has '%s'", html ? "html" : "eml", idx, s,
			    w->lacks[i]);
	ok(mime_is_utf8((const unsigned char *)s, strlen(s)), "case %zu: output is UTF-8", idx);
	if (w->title)
		ok(title && strcmp(title, w->title) == 0, "case %zu: title '%s'", idx, title ? title : "(null)");
	free(title);
	strbuf_release(&out);
}

/* The same hand-written one-page PDF as scripts/demo/make-sample makes. */
static int
write_pdf(const char *path, const char *text)
{
	strbuf_t b;
	size_t off[6];
	char *stream = xasprintf("BT /F1 12 Tf 50 700 Td (%s) Tj ET", text);
	FILE *f;

	strbuf_init(&b);
	strbuf_adds(&b, "%PDF-1.4\n");
	off[1] = b.len;
	strbuf_adds(&b, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	off[2] = b.len;
	strbuf_adds(&b, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
	off[3] = b.len;
	strbuf_adds(&b, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
	    "/Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n");
	off[4] = b.len;
	strbuf_addf(&b, "4 0 obj\n<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n", strlen(stream), stream);
	off[5] = b.len;
	strbuf_adds(&b, "5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n");
	size_t xref = b.len;
	strbuf_adds(&b, "xref\n0 6\n0000000000 65535 f \n");
	for (int i = 1; i <= 5; i++)
		strbuf_addf(&b, "%010zu 00000 n \n", off[i]);
	strbuf_addf(&b, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
	f = fopen(path, "wb");
	if (f) {
		fwrite(b.s, 1, b.len, f);
		fclose(f);
	}
	strbuf_release(&b);
	free(stream);
	return f ? 0 : -1;
}

int
main(void)
{
	static const struct { const char *mime, *name; enum extract_kind kind; } kinds[] = {
		{ "text/plain", "a.txt", EXTRACT_PLAIN }, { "text/csv", "a.csv", EXTRACT_PLAIN },
		{ "text/tab-separated-values", "a.tsv", EXTRACT_PLAIN }, { "application/json", "a.json", EXTRACT_PLAIN },
		{ "application/xml", "a.xml", EXTRACT_PLAIN }, { "text/html", "a.html", EXTRACT_HTML },
		{ "message/rfc822", "a.eml", EXTRACT_EML }, { "application/octet-stream", "b.EML", EXTRACT_EML },
		{ "application/pdf", "a.pdf", EXTRACT_PDF }, { "image/png", "a.png", EXTRACT_NONE },
		{ "application/zip", "a.zip", EXTRACT_ARCHIVE }, { "video/mp4", "a.mp4", EXTRACT_NONE },
		{ "application/x-ole-storage", "a.DOC", EXTRACT_DOC }, { "application/msword", "x", EXTRACT_DOC },
		{ "application/CDFV2", "a.xls", EXTRACT_XLS }, { "application/vnd.ms-excel", "x", EXTRACT_XLS },
		{ "application/octet-stream", "a.pps", EXTRACT_PPT }, { "application/vnd.ms-powerpoint", "x", EXTRACT_PPT },
		{ "application/vnd.ms-outlook", "a.msg", EXTRACT_MSG },
	};
	char dir[] = "/tmp/test_extract.XXXXXX", *pdf, *cmd;
	strbuf_t out;

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		ok(extract_kind_of(kinds[i].mime, kinds[i].name) == kinds[i].kind, "kind of %s", kinds[i].name);
	for (size_t i = 0; i < ARRAY_LEN(html_cases); i++)
		check_case(&html_cases[i], 1, i);
	for (size_t i = 0; i < ARRAY_LEN(eml_cases); i++)
		check_case(&eml_cases[i], 0, i);

	/* Plain text: invalid bytes repaired, control characters blanked, size capped. */
	strbuf_init(&out);
	extract_utf8(&out, "ok\x01\x02\x03 \xff\xc3\xa9\xed\xa0\x80", 12);
	ok(mime_is_utf8((const unsigned char *)out.s, out.len), "repaired text is UTF-8: %s", out.s);
	ok(memchr(out.s, 2, out.len) == NULL && memchr(out.s, 3, out.len) == NULL, "no marker bytes survive");
	strbuf_release(&out);
	{
		size_t n = EXTRACT_TEXT_MAX * 2;
		char *big = xmalloc(n);
		memset(big, 'a', n);
		strbuf_init(&out);
		extract_utf8(&out, big, n);
		ok(out.len == EXTRACT_TEXT_MAX, "text capped at %d (%zu)", EXTRACT_TEXT_MAX, out.len);
		strbuf_release(&out);
		strbuf_init(&out);
		extract_html(big, n, &out, NULL);
		ok(out.len <= EXTRACT_TEXT_MAX, "html capped (%zu)", out.len);
		strbuf_release(&out);
		free(big);
	}

	/* One decoding for every text: UTF-16 with its mark, UTF-8's mark dropped, Latin-1. */
	{
		static const struct { const char *in; size_t n; int trunc; const char *want; } enc[] = {
			{ "\xff\xfeH\0i\0", 6, 0, "Hi" },
			{ "\xfe\xff\0H\0i", 6, 0, "Hi" },
			{ "\xff\xfe\xe9\0t\0\xe9\0", 8, 0, "\xc3\xa9t\xc3\xa9" },
			{ "\xff\xfe\x3d\xd8\x00\xde", 6, 0, "\xf0\x9f\x98\x80" },
			{ "\xfe\xff\xd8\x3d\xde\x00", 6, 0, "\xf0\x9f\x98\x80" },
			{ "\xff\xfe\x00\xd8" "A\0", 6, 0, "\xef\xbf\xbd" "A" },
			{ "\xff\xfe\x01\0\r\0\n\0", 8, 0, "  \n" },
			{ "\xff\xfe" "A\0B", 5, 1, "A" },
			{ "\xff\xfe" "A\0\x3d\xd8", 6, 1, "A" },
			{ "\xef\xbb\xbf" "abc", 6, 0, "abc" },
			{ "caf\xe9 ok", 7, 0, "caf\xc3\xa9 ok" },
			{ "ab\xc3", 3, 1, "ab" },
			{ "ab\xc3", 3, 0, "ab\xc3\x83" },
			{ "ab\xe2\x82", 4, 1, "ab" },
			{ "ab\xe2\x82\xac", 5, 1, "ab\xe2\x82\xac" },
		};
		for (size_t i = 0; i < ARRAY_LEN(enc); i++) {
			strbuf_init(&out);
			extract_text(&out, enc[i].in, enc[i].n, enc[i].trunc);
			is_str(out.s ? out.s : "", enc[i].want, "extract_text case %zu", i);
			strbuf_release(&out);
		}
		/* A UTF-16 page through the jail's reader: its markup goes, its text stays. */
		static const char page16[] = "\xff\xfe<\0p\0>\0\xe9\0t\0\xe9\0<\0/\0p\0>\0";
		enum extract_kind k = EXTRACT_HTML;
		int fd = memfd_create("t", MFD_CLOEXEC);
		ok(fd >= 0 && write(fd, page16, sizeof(page16) - 1) == (ssize_t)sizeof(page16) - 1 &&
		    lseek(fd, 0, SEEK_SET) == 0, "memfd");
		strbuf_init(&out);
		ok(extract_fd(fd, &out, NULL, &k) == 0, "utf-16 html read");
		ok(out.s && strstr(out.s, "\xc3\xa9t\xc3\xa9") && !strstr(out.s, "<p>"), "utf-16 html text: %s",
		    out.s ? out.s : "");
		strbuf_release(&out);
		close(fd);
		/* A reader's download: each attachment's decoded bytes by its number
		 * (base64, quoted-printable, a forwarded message whole, then its own). */
		static const char att[] = "Subject: a\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nbody\n"
		    "--b\nContent-Disposition: attachment; filename=x.bin\nContent-Transfer-Encoding: base64\n\n"
		    "AAEC/w==\n--b\nContent-Disposition: attachment; filename=q.txt\n"
		    "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 =\nend\n"
		    "--b\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=in.eml\n\n"
		    "Subject: in\nContent-Type: multipart/mixed; boundary=c\n\n--c\n\ninner\n--c\n"
		    "Content-Disposition: attachment; filename=deep.txt\n\ndeep\n--c--\n--b--\n";
		static const struct { const char *bytes; size_t n; } want_att[] = {
			{ "\x00\x01\x02\xff", 4 }, { "caf\xe9 end\n", 9 }, { "Subject: in", 11 }, { "deep\n", 5 },
		};
		fd = memfd_create("a", MFD_CLOEXEC);
		ok(fd >= 0 && write(fd, att, sizeof(att) - 1) == (ssize_t)sizeof(att) - 1, "memfd");
		for (int i = 0; i <= 4; i++) {
			struct extract_att_req rq = { EXTRACT_EML, i, 1 };
			int rc;
			strbuf_init(&out);
			rc = (lseek(fd, 0, SEEK_SET) == 0) ? extract_attachment_fd(fd, &out, NULL, &rq) : -2;
			if (i < 4)
				ok(rc == 0 && out.len >= want_att[i].n && memcmp(out.s, want_att[i].bytes, want_att[i].n) == 0 &&
				    (i == 2 || out.len == want_att[i].n), "attachment %d's bytes (%zu)", i, out.len);
			else
				ok(rc == -1, "no attachment %d", i);
			strbuf_release(&out);
		}
		{
			struct extract_att_req rq = { EXTRACT_EML, 0, 0 };
			strbuf_init(&out);
			ok(lseek(fd, 0, SEEK_SET) == 0 && extract_attachment_fd(fd, &out, NULL, &rq) == -1,
			    "for a tool, only a PDF or RTF");
			strbuf_release(&out);
		}
		close(fd);
	}

	ok(mkdtemp(dir) != NULL, "mkdtemp");
	pdf = xasprintf("%s/r (1) 'q'.pdf", dir);
	ok(write_pdf(pdf, "Quarterly report on zeppelin patrols") == 0, "write pdf");
	{
		/* pdftotext in the document jail, the PDF on its stdin. */
		docjail_conf_t jc = { .mode = SANDBOX_YES, .tools = { EXTRACT_PDFTOTEXT } };
		docjail_t *jail = docjail_new(&jc);
		strbuf_t why;
		int fd = open(pdf, O_RDONLY | O_CLOEXEC);

		ok(jail != NULL && fd >= 0, "jail and pdf");
		strbuf_init(&out);
		strbuf_init(&why);
		ok(extract_jailed(jail, EXTRACT_PDFTOTEXT, EXTRACT_PDF, fd, &out, NULL, &why) == DOCJAIL_OK,
		    "pdftotext ran: %s", why.s ? why.s : "");
		ok(out.s && strstr(out.s, "zeppelin patrols") != NULL, "pdf text: %s", out.s ? out.s : "");
		close(fd);
		strbuf_reset(&out);
		strbuf_reset(&why);
		fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
		ok(extract_jailed(jail, EXTRACT_PDFTOTEXT, EXTRACT_PDF, fd, &out, NULL, &why) == DOCJAIL_FAILED,
		    "not a pdf: fails cleanly (%s)", why.s ? why.s : "");
		ok(out.len == 0, "and adds no text");
		close(fd);
		strbuf_release(&out);
		strbuf_release(&why);
		docjail_free(jail);
	}
	{
		/* A message's attachments as parts, each through its reader in the jail:
		 * text, HTML, a PDF (pdftotext) and an RTF (unrtf), a name with an
		 * escape sequence and RFC 2047 encoding. */
		docjail_conf_t jc = { .mode = SANDBOX_YES, .tools = { EXTRACT_PDFTOTEXT, EXTRACT_UNRTF } };
		extract_tools_t tools = { .pdftotext = EXTRACT_PDFTOTEXT, .unrtf = EXTRACT_UNRTF };
		docjail_t *jail = docjail_new(&jc);
		extract_parts_t parts = { 0 };
		strbuf_t mail, why, pdfb;
		char *title = NULL, *pdfbytes = NULL;
		size_t pdflen = 0;
		enum extract_kind k = EXTRACT_EML;
		int fd = memfd_create("m", MFD_CLOEXEC);
		FILE *pf = fopen(pdf, "rb");

		strbuf_init(&mail);
		strbuf_init(&why);
		strbuf_init(&pdfb);
		if (pf) {
			char chunk[4096];
			size_t r;
			while ((r = fread(chunk, 1, sizeof(chunk), pf)) > 0)
				strbuf_add(&pdfb, chunk, r);
			fclose(pf);
		}
		pdfbytes = pdfb.s;
		pdflen = pdfb.len;
		strbuf_adds(&mail, "Subject: parts\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
		    "Content-Type: text/plain\n\nthe body\n--B\n"
		    "Content-Type: text/plain\nContent-Disposition: attachment; filename=\"a\x1b[31m.txt\"\n\n"
		    "koalatext\n--B\n"
		    "Content-Type: text/html; name=\"=?utf-8?q?p=C3=A4ge.html?=\"\nContent-Disposition: attachment\n\n"
		    "<p>emuhtml</p>\n--B\n"
		    "Content-Type: application/rtf\nContent-Disposition: attachment; filename=memo.rtf\n\n"
		    "{\\rtf1 the kiwirtf memo}\n--B\n"
		    "Content-Type: application/pdf\nContent-Disposition: attachment; filename=scan.pdf\n"
		    "Content-Transfer-Encoding: binary\n\n");
		strbuf_add(&mail, pdfbytes ? pdfbytes : "", pdflen);
		strbuf_adds(&mail, "\n--B--\n");
		ok(jail && fd >= 0 && write(fd, mail.s, mail.len) == (ssize_t)mail.len, "message written");
		strbuf_init(&out);
		ok(extract_document(jail, &tools, k, fd, &out, &title, &parts, NULL, &why) == DOCJAIL_OK, "message read: %s",
		    why.s ? why.s : "");
		ok(out.s && strstr(out.s, "the body") && !strstr(out.s, "koalatext"), "the body, not the attachments");
		is_int((int)parts.n, 4, "four parts");
		if (parts.n == 4) {
			is_str(parts.v[0].name, "a [31m.txt", "escape blanked in a name");
			ok(strstr(parts.v[0].text.s ? parts.v[0].text.s : "", "koalatext") != NULL, "text part");
			is_str(parts.v[1].name, "p\xc3\xa4ge.html", "RFC 2047 name");
			ok(strstr(parts.v[1].text.s ? parts.v[1].text.s : "", "emuhtml") != NULL, "html part");
			is_str(parts.v[2].name, "memo.rtf", "rtf part named");
			ok(strstr(parts.v[2].text.s ? parts.v[2].text.s : "", "kiwirtf") != NULL, "rtf through unrtf: %s",
			    parts.v[2].unread ? parts.v[2].unread : "");
			ok(strstr(parts.v[3].text.s ? parts.v[3].text.s : "", "zeppelin patrols") != NULL,
			    "pdf through pdftotext: %s", parts.v[3].unread ? parts.v[3].unread : "");
		}
		extract_parts_clear(&parts);
		ok(extract_kind_of("application/rtf", "x") == EXTRACT_RTF && extract_kind_of("text/plain", "m.RTF") ==
		    EXTRACT_RTF && extract_kind_of("application/octet-stream", "a.msg") == EXTRACT_MSG, "kinds");
		ok(extract_ocr_wanted("image/png", 0) && extract_ocr_wanted("application/pdf", 3) &&
		    !extract_ocr_wanted("application/pdf", 500) && !extract_ocr_wanted("text/plain", 0), "ocr wanted");
		free(title);
		close(fd);
		strbuf_release(&out);
		strbuf_release(&mail);
		strbuf_release(&why);
		strbuf_release(&pdfb);
		docjail_free(jail);
	}
	free(pdf);
	cmd = xasprintf("rm -rf '%s'", dir);
	(void)!system(cmd);
	free(cmd);
	return unit_done();
}
