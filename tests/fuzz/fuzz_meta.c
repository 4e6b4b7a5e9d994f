/* fuzz_meta: the review's metadata readers on any bytes, as the document jail
 * runs them (here in-process): libexif through meta_exif, pdfinfo's output
 * through meta_pdfinfo_lines, a mail's headers through meta_mail, an office archive
 * (and the images inside it) through meta_read_fd. The first byte picks one. Every line is
 * "kind<TAB>text" with a known kind and valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "catalogue/mime.h"
#include "docs/extract.h"
#include "docs/meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_lines(const strbuf_t *out, int strict)
{
	const char *p = out->s ? out->s : "", *end = p + out->len;

	if (!mime_is_utf8((const unsigned char *)p, out->len))
		abort();
	while (strict && p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p)), *tab = memchr(p, '\t', (size_t)(end - p));
		int ok = 0;
		if (e == NULL || tab == NULL || tab > e)
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

	if (size < 1)
		return 0;
	strbuf_init(&out);
	switch (data[0] % 4) {
	case 3:
		meta_mail((const char *)data + 1, size - 1, &out);
		check_lines(&out, 1);
		break;
	case 0:
		(void)meta_exif(data + 1, size - 1, &out);
		check_lines(&out, 1);
		break;
	case 1:
		meta_pdfinfo_lines((const char *)data + 1, size - 1, &out);
		check_lines(&out, 1);
		break;
	default: {
		int fd = memfd_create("fuzz", MFD_CLOEXEC);
		if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
			abort();
		(void)meta_read_fd(fd, META_OFFICE, &out);   /* its images too */
		close(fd);
		/* Office values are UTF-8 but their lines are made in one place
		 * with extract_utf8: the framing is checked by meta_jailed. */
		check_lines(&out, 0);
		break;
	}
	}
	strbuf_release(&out);
	return 0;
}
