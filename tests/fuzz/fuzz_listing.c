/* fuzz_listing: the archive lister (libarchive: zip, tar and its compressed
 * forms, 7z) on any bytes, read from a descriptor as in the document jail
 * (run here in-process), then the listing joined behind the text as
 * extract_jailed does, and as pdftotext's answer split into pages
 * (extract_pdf_pages). The listing must be lines of "<t>\t<size>\t<name>",
 * the joined text valid UTF-8 within the cap. Seeds: a zip, a tar, a tar.gz
 * and a 7z (tests/fuzz/corpus/listing). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "docs/extract.h"
#include "catalogue/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strbuf_t list, out;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	strbuf_init(&list);
	strbuf_init(&out);
	strbuf_addc(&list, '\0');
	(void)extract_archive_fd(fd, &list);
	close(fd);
	/* Every line: a type byte, a tab, digits, a tab, a name without newline. */
	for (size_t at = 1; at < list.len;) {
		const char *nl = memchr(list.s + at, '\n', list.len - at);
		size_t k = at + 2;
		if (nl == NULL || list.s[at + 1] != '\t' || !strchr("fd+>", list.s[at]))
			abort();
		while (list.s[k] >= '0' && list.s[k] <= '9')
			k++;
		if (k == at + 2 || list.s[k] != '\t')
			abort();
		at = (size_t)(nl - list.s) + 1;
	}
	extract_join_listing(&out, list.s, list.len);
	if (out.len > EXTRACT_TEXT_MAX || (out.s && !mime_is_utf8((const unsigned char *)out.s, out.len)))
		abort();
	/* The same bytes as pdftotext's answer: pages apart, valid UTF-8, capped. */
	strbuf_reset(&out);
	extract_pdf_pages(&out, (const char *)data, size);
	if (out.len > EXTRACT_TEXT_MAX || (out.s && !mime_is_utf8((const unsigned char *)out.s, out.len)))
		abort();
	strbuf_release(&list);
	strbuf_release(&out);
	return 0;
}
