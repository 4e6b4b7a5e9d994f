/* fuzz_office: the Office Open XML / OpenDocument extractor on any bytes, read
 * from a descriptor as in the document jail (run here in-process). Output must
 * be valid UTF-8, within the cap, and free of the snippet marker bytes; the
 * title too. Seeds: a small docx, xlsx, pptx and odt (tests/fuzz/corpus/office). */
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
	strbuf_t out;
	char *title = NULL;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	strbuf_init(&out);
	(void)extract_office_fd(fd, &out, &title);
	close(fd);
	if (out.len > EXTRACT_TEXT_MAX + 4096)
		abort();
	if (out.s && (!mime_is_utf8((const unsigned char *)out.s, out.len) || memchr(out.s, 2, out.len) ||
	    memchr(out.s, 3, out.len)))
		abort();
	if (title && !mime_is_utf8((const unsigned char *)title, strlen(title)))
		abort();
	free(title);
	strbuf_release(&out);
	return 0;
}
