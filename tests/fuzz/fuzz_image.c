/* fuzz_image: the clean-copy decoders (libjpeg, libpng, giflib, libwebp and
 * our glue) on any bytes, read from a descriptor as in the document jail. The
 * first byte picks JPEG, PNG, GIF or WebP. A copy that comes out must be a
 * JPEG (of a JPEG) or a PNG (of the rest). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "docs/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strbuf_t out;
	int kind, fd;

	if (size < 1)
		return 0;
	/* 0 and 1 as before (JPEG, PNG), so the seed corpus keeps its meaning. */
	kind = data[0] % 4 == 0 ? IMAGE_JPEG : data[0] % 4 == 1 ? IMAGE_PNG : data[0] % 4 == 2 ? IMAGE_GIF :
	    IMAGE_WEBP;
	fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1) || lseek(fd, 0, SEEK_SET) < 0)
		abort();
	strbuf_init(&out);
	if (image_clean_fd(fd, &out, NULL, &kind) == 0) {
		if (kind == IMAGE_JPEG && (out.len < 3 || memcmp(out.s, "\xff\xd8\xff", 3) != 0))
			abort();
		if (kind != IMAGE_JPEG && (out.len < 8 || memcmp(out.s, "\x89PNG", 4) != 0))
			abort();
	}
	strbuf_release(&out);
	close(fd);
	return 0;
}
