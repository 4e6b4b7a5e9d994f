/* fuzz_meta_scan: the review's own byte parsers (docs/meta_scan.h) on any
 * bytes: an XMP packet, XMP packets found in a file, a PNG's chunks (whole
 * and cut), a PDF's revision counter fed in pieces, pdfdetach's list, and
 * the jail's reader over a file (meta_read_fd: PDF windows, PNG, TIFF, HEIF,
 * JPEG, a bare XMP packet) through a memfd. The first byte picks one. Every line is "kind<TAB>text": valid UTF-8, one tab
 * before the text, a kind meta_jailed knows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "catalogue/mime.h"
#include "docs/meta.h"
#include "docs/meta_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_lines(const strbuf_t *out)
{
	const char *p = out->s ? out->s : "", *end = p + out->len;

	if (!mime_is_utf8((const unsigned char *)p, out->len))
		abort();
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p)), *tab = memchr(p, '\t', (size_t)(end - p));
		int ok = 0;
		if (e == NULL || tab == NULL || tab > e || memchr(tab + 1, '\t', (size_t)(e - tab - 1)))
			abort();
		for (const char *const *k = meta_kinds; *k; k++)
			ok |= strlen(*k) == (size_t)(tab - p) && memcmp(*k, p, (size_t)(tab - p)) == 0;
		if (!ok)
			abort();
		p = e + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strbuf_t out;
	const uint8_t *d = data + 1;
	size_t n = size - 1;

	if (size < 1)
		return 0;
	strbuf_init(&out);
	switch (data[0] % 6) {
	case 0:
		(void)meta_xmp((const char *)d, n, &out);
		break;
	case 1:
		(void)meta_xmp_find(d, n, &out);
		break;
	case 2: {
		const unsigned char *ex = NULL;
		size_t exn = 0;
		(void)meta_png(d, n, data[0] & 0x80, &out, &ex, &exn);
		if (ex != NULL && (ex < d || ex + exn > d + n))
			abort();
		break;
	}
	case 3: {
		meta_pdf_rev_t a = { 0 }, b = { 0 };
		size_t piece = (size_t)(data[0] >> 3) + 1;
		meta_pdf_rev_feed(&a, d, n);
		for (size_t i = 0; i < n; i += piece)
			meta_pdf_rev_feed(&b, d + i, n - i < piece ? n - i : piece);
		/* Pieces never change the count (the linearization probe aside). */
		if (a.revisions != b.revisions)
			abort();
		break;
	}
	case 4:
		meta_pdfdetach_lines((const char *)d, n, &out);
		break;
	default: {
		static const enum meta_format f[] = { META_PDF, META_PNG, META_TIFF, META_HEIC, META_JPEG, META_XMP };
		int fd = memfd_create("fuzz", MFD_CLOEXEC);
		if (fd < 0 || write(fd, d, n) != (ssize_t)n)
			abort();
		(void)meta_read_fd(fd, f[(data[0] / 6) % 6], &out);
		close(fd);
		/* The hint lines are for meta_jailed, which drops them. */
		for (const char *h; out.s && ((h = strstr(out.s, META_PDF_EMBEDDED_HINT "\n")) ||
		    (h = strstr(out.s, META_PDF_XMP_HINT "\n")) || (h = strstr(out.s, META_PDF_REV_HINT)));) {
			size_t hl = strchr(h, '\n') + 1 - h;
			memmove((char *)h, h + hl, out.len - (size_t)(h - out.s) - hl + 1);
			out.len -= hl;
		}
		break;
	}
	}
	check_lines(&out);
	strbuf_release(&out);
	return 0;
}
