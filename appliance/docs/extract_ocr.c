/* extract_ocr: text of images and of PDFs without a text layer, by OCR.
 * Both tools run in the document jail, one jailed process per page and tool:
 * pdftoppm renders one page of the PDF (on its stdin) as a grey PPM image on
 * its stdout; the image goes to an anonymous memory file and from there to
 * tesseract's stdin; its text comes back on its stdout. Nothing here parses
 * the document or an image: the parent only moves bytes between the tools and
 * cleans tesseract's answer (extract_utf8). */
#include "docs/extract.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

size_t
extract_ocr_text_len(const char *s, size_t n)
{
	size_t seps = 0, k = sizeof(EXTRACT_PAGE_SEP) - 1;

	if (s == NULL)
		return 0;
	for (const char *p = s, *end = s + n; p && (size_t)(end - p) >= k; p++) {
		if ((p = memmem(p, (size_t)(end - p), EXTRACT_PAGE_SEP, k)) == NULL)
			break;
		seps++;
	}
	return n - seps * k;
}

int
extract_ocr_wanted(const char *mime, size_t text_len)
{
	/* What tesseract's image library (leptonica) reads. */
	static const char *const images[] = {
		"image/png", "image/jpeg", "image/tiff", "image/bmp", "image/gif", "image/webp",
		"image/x-portable-pixmap", "image/x-portable-graymap", "image/x-portable-bitmap",
	};

	if (strcmp(mime, "application/pdf") == 0)
		return text_len < EXTRACT_OCR_PDF_TEXT;
	for (size_t i = 0; i < ARRAY_LEN(images); i++)
		if (strcmp(mime, images[i]) == 0)
			return 1;
	return 0;
}

/* tesseract on the image at fd; its text appended to out. */
static enum docjail_result
ocr_image(docjail_t *j, const extract_tools_t *t, int fd, strbuf_t *out, strbuf_t *why)
{
	char langs[256], *argv[] = { (char *)(t->tesseract ? t->tesseract : EXTRACT_TESSERACT), "stdin",
		"stdout", "-l", langs, NULL };
	enum docjail_result r;
	size_t k = 0;
	strbuf_t raw;

	/* "eng deu" as tesseract writes it: "eng+deu". */
	for (const char *l = t->ocr_languages ? t->ocr_languages : ""; *l && k + 1 < sizeof(langs); l++)
		if (*l != ' ' || (k > 0 && langs[k - 1] != '+'))
			langs[k++] = *l == ' ' ? '+' : *l;
	while (k > 0 && langs[k - 1] == '+')
		k--;
	langs[k] = '\0';
	if (k == 0)
		snprintf(langs, sizeof(langs), "eng");
	strbuf_init(&raw);
	r = docjail_tool(j, fd, argv, &raw, why);
	if (r == DOCJAIL_OK) {
		if (out->len && out->s[out->len - 1] != '\n')
			strbuf_addc(out, '\n');
		extract_utf8(out, raw.s ? raw.s : "", raw.len);
	}
	strbuf_release(&raw);
	return r;
}

enum docjail_result
extract_ocr(docjail_t *j, const extract_tools_t *t, int is_pdf, int fd, strbuf_t *out, int *pages,
    strbuf_t *why)
{
	const char *pdftoppm = t->pdftoppm ? t->pdftoppm : EXTRACT_PDFTOPPM;
	enum docjail_result r = DOCJAIL_OK;

	if (!is_pdf) {
		r = ocr_image(j, t, fd, out, why);
		*pages += r == DOCJAIL_OK;
		return r;
	}
	for (int p = 1; p <= EXTRACT_OCR_PAGES_MAX && out->len < EXTRACT_TEXT_MAX; p++) {
		char num[16], *argv[] = { (char *)pdftoppm, "-r", "150", "-gray", "-f", num, "-l", num,
			"-singlefile", "-", NULL };
		strbuf_t img, w;
		int mfd;

		snprintf(num, sizeof(num), "%d", p);
		strbuf_init(&img);
		strbuf_init(&w);
		r = docjail_tool(j, fd, argv, &img, &w);
		if (r == DOCJAIL_OK && img.len > 0 && (mfd = memfd_create("broadside-page", MFD_CLOEXEC)) >= 0) {
			if (write_all(mfd, img.s, img.len) == 0 && lseek(mfd, 0, SEEK_SET) == 0)
				r = ocr_image(j, t, mfd, out, &w);
			else
				r = DOCJAIL_NO_START;
			close(mfd);
		} else if (r == DOCJAIL_OK) {
			r = DOCJAIL_FAILED;
		}
		if (r == DOCJAIL_OK)
			(*pages)++;
		else if (*pages == 0 && p == 1)
			strbuf_add(why, w.s ? w.s : "", w.len);
		strbuf_release(&img);
		strbuf_release(&w);
		if (r != DOCJAIL_OK)
			break;      /* past the last page (pdftoppm fails), or a page that cannot be read */
	}
	return *pages > 0 ? DOCJAIL_OK : r;
}
