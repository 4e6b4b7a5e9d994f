/* fuzz_extract: the HTML, mail and plain-text extractors on any bytes. The first
 * byte picks the extractor (and whether it reads from a descriptor, as in the
 * document jail). Output must be valid UTF-8, within the cap, and free
 * of the snippet marker bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "docs/extract.h"
#include "catalogue/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8 without NUL, \2 or \3. */
static int
clean(const char *s, size_t n)
{
	return mime_is_utf8((const unsigned char *)s, n) && !memchr(s, 2, n) && !memchr(s, 3, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strbuf_t out;
	char *title = NULL;

	if (size < 1)
		return 0;
	strbuf_init(&out);
	switch (data[0] % 6) {
	case 3:
	case 4:
	case 5: {
		/* The jail's extractor reads its document from a descriptor (run here
		 * in-process: the jail itself has its own tests). */
		static const enum extract_kind kinds[] = { EXTRACT_HTML, EXTRACT_EML, EXTRACT_PLAIN };
		enum extract_kind kind = kinds[data[0] % 6 - 3];
		int fd = memfd_create("fuzz", MFD_CLOEXEC);
		if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1) || lseek(fd, 0, SEEK_SET) < 0 ||
		    extract_fd(fd, &out, &title, &kind) < 0)
			abort();
		if (kind == EXTRACT_EML) {
			/* A reader's download: one attachment's decoded bytes. */
			for (int i = 0; i < 3; i++) {
				struct extract_att_req rq = { EXTRACT_EML, i, 1 };
				strbuf_t raw;
				strbuf_init(&raw);
				if (lseek(fd, 0, SEEK_SET) < 0)
					abort();
				if (extract_attachment_fd(fd, &raw, NULL, &rq) == 0 &&
				    raw.len > (size_t)EXTRACT_ATTACH_BYTES)
					abort();
				strbuf_release(&raw);
			}
		}
		close(fd);
		break;
	}
	case 0:
		extract_html((const char *)data + 1, size - 1, &out, &title);
		break;
	case 1:
		extract_eml((const char *)data + 1, size - 1, &out, &title);
		break;
	default:
		extract_utf8(&out, (const char *)data + 1, size - 1);
		break;
	}
	if (out.len > EXTRACT_TEXT_MAX + 4096)
		abort();
	/* A message's listing of its attachments follows its text after one NUL. */
	if (out.s) {
		size_t tl = strnlen(out.s, out.len);
		if (!clean(out.s, tl) || (tl < out.len && !clean(out.s + tl + 1, out.len - tl - 1)))
			abort();
	}
	if (title && !mime_is_utf8((const unsigned char *)title, strlen(title)))
		abort();
	free(title);
	strbuf_release(&out);
	return 0;
}
