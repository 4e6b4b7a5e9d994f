/* extract_tool: documents that external tools read, each tool run in the
 * document jail by its absolute path with the document (or an anonymous copy
 * of it) as its stdin: pdftotext for PDF, unrtf for RTF (whose HTML goes to
 * a jailed parser again), catdoc for Word 97-2003 and xls2csv for Excel
 * 97-2003 (after a jailed parser found their compound file sane). */
#include "docs/extract_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The bytes p[0..n) in an anonymous file, for a tool's stdin; -1 on failure. */
int
extract_memfd_(const char *p, size_t n)
{
	int fd = memfd_create("broadside-part", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write_all(fd, p, n) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The file at fd (at most EXTRACT_OLE_MAX bytes, read with pread only) in an
 * anonymous file; -1 on failure. */
static int
memfd_copy(int fd)
{
	int mfd = memfd_create("broadside-doc", MFD_CLOEXEC);
	char buf[65536];
	off_t at = 0;
	ssize_t n = 0;

	if (mfd < 0)
		return -1;
	while (at < EXTRACT_OLE_MAX && (n = pread(fd, buf, sizeof(buf), at)) > 0) {
		if (write_all(mfd, buf, (size_t)n) < 0)
			break;
		at += n;
	}
	if (n != 0 || lseek(mfd, 0, SEEK_SET) < 0) {
		close(mfd);
		return -1;
	}
	return mfd;
}

/* A .doc or .xls at fd through catdoc or xls2csv, after a jailed parser
 * found its compound file sane (neither tool checks its sector chains). */
static enum docjail_result
legacy_text(docjail_t *j, const extract_tools_t *t, enum extract_kind kind, int fd, strbuf_t *out,
    int64_t *whole, strbuf_t *why)
{
	enum docjail_result r;
	strbuf_t raw;
	int mfd = -1;

	strbuf_init(&raw);
	r = docjail_parse(j, fd, extract_fd, &kind, sizeof(kind), &raw, NULL, why);
	strbuf_release(&raw);
	if (r != DOCJAIL_OK)
		return r;
	if (kind == EXTRACT_DOC) {
		/* -w: paragraphs unwrapped; UTF-8 whatever the locale (there is none);
		 * 8-bit text as Windows-1252, as /etc/catdocrc (out of the jail's
		 * reach) says (its built-in default is Cyrillic). */
		char *argv[] = { (char *)(t && t->catdoc ? t->catdoc : EXTRACT_CATDOC), "-w", "-s", "cp1252",
			"-d", "utf-8", NULL };
		r = docjail_tool(j, fd, argv, &raw, why);
	} else {
		/* xls2csv reads a compound file only by name (on stdin it expects a
		 * bare workbook stream and crashes on a file): /dev/stdin, an
		 * anonymous copy, the one file the jail lets it reopen. A blank line
		 * between sheets, not a form feed (which would become a space). */
		char *argv[] = { (char *)(t && t->xls2csv ? t->xls2csv : EXTRACT_XLS2CSV), "-s", "cp1252",
			"-d", "utf-8", "-b", "\n", "/dev/stdin", NULL };
		if ((mfd = memfd_copy(fd)) < 0) {
			strbuf_addf(why, "cannot copy it for xls2csv: %s", strerror(errno));
			return DOCJAIL_NO_START;
		}
		r = docjail_tool(j, mfd, argv, &raw, why);
	}
	if (r == DOCJAIL_OK) {
		extract_utf8(out, raw.s ? raw.s : "", raw.len);
		if (whole)
			*whole = (int64_t)raw.len;
	}
	if (mfd >= 0)
		close(mfd);
	strbuf_release(&raw);
	return r;
}

/* A PDF or RTF at fd through its tool; the tool's answer, as untrusted as the
 * document, is checked here (PDF) or read by a jailed parser (unrtf's HTML). */
enum docjail_result
extract_tool_text_(docjail_t *j, const extract_tools_t *t, enum extract_kind kind, int fd, strbuf_t *out,
    char **title, int64_t *whole, strbuf_t *why)
{
	const char *pdftotext = t && t->pdftotext ? t->pdftotext : EXTRACT_PDFTOTEXT;
	const char *unrtf = t && t->unrtf ? t->unrtf : EXTRACT_UNRTF;
	enum docjail_result r;
	strbuf_t raw;

	if (whole)
		*whole = -1;
	if (kind == EXTRACT_DOC || kind == EXTRACT_XLS)
		return legacy_text(j, t, kind, fd, out, whole, why);
	strbuf_init(&raw);
	if (kind == EXTRACT_PDF) {
		/* "-" for both files: the document is the tool's stdin, the text its stdout. */
		char *argv[] = { (char *)pdftotext, "-q", "-enc", "UTF-8", "-", "-", NULL };
		r = docjail_tool(j, fd, argv, &raw, why);
		if (r == DOCJAIL_OK) {
			extract_pdf_pages(out, raw.s ? raw.s : "", raw.len);
			if (whole) {
				int64_t ff = 0;
				for (size_t i = 0; i < raw.len; i++)
					ff += raw.s[i] == '\f';
				*whole = (int64_t)raw.len - ff;
			}
		}
	} else {
		/* HTML keeps every character (its text mode writes Latin-1 and '?'). */
		char *argv[] = { (char *)unrtf, "--nopict", "--html", NULL };
		r = docjail_tool(j, fd, argv, &raw, why);
		if (r == DOCJAIL_OK) {
			int hfd = extract_memfd_(raw.s ? raw.s : "", raw.len);
			enum extract_kind html = EXTRACT_HTML;
			strbuf_t text;
			char *tt = NULL;
			if (hfd < 0) {
				strbuf_addf(why, "cannot hold unrtf's answer: %s", strerror(errno));
				r = DOCJAIL_NO_START;
			} else {
				strbuf_init(&text);
				r = docjail_parse(j, hfd, extract_fd, &html, sizeof(html), &text, &tt, why);
				if (r == DOCJAIL_OK) {
					extract_utf8(out, text.s ? text.s : "", text.len);
					if (tt && title && *tt) {
						strbuf_t tb;
						strbuf_init(&tb);
						extract_utf8(&tb, tt, strnlen(tt, EXTRACT_TITLE_MAX));
						free(*title);
						*title = strbuf_detach(&tb);
					}
				}
				free(tt);
				strbuf_release(&text);
				close(hfd);
			}
		}
	}
	strbuf_release(&raw);
	return r;
}

