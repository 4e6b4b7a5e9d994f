/* fuzz_ppt: PowerPoint 97-2003 files (the compound file checked by
 * extract_ole_sane, opened by libolecf, then the walk over the records of its
 * "PowerPoint Document" stream). The whole input is the .ppt; its text must
 * be valid UTF-8 without NUL or snippet markers, within the text cap (and a
 * newline per atom). The seeds include a .doc and an .xls: the same check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docs/extract.h"
#include "catalogue/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libolecf leaks on some error paths (see fuzz_msg.c); ours are still caught. */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libolecf.so\n";
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strbuf_t out;

	strbuf_init(&out);
	if (extract_ppt(data, size, &out, NULL) == 0 && out.s) {
		if (!mime_is_utf8((const unsigned char *)out.s, out.len) || memchr(out.s, 0, out.len) ||
		    memchr(out.s, 2, out.len) || memchr(out.s, 3, out.len) ||
		    out.len > (size_t)EXTRACT_TEXT_MAX + 8 * 1024)
			abort();
	}
	strbuf_release(&out);
	return 0;
}
