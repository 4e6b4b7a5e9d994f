/* fuzz_msg: Outlook .msg files (libolecf through extract_msg) and the walk over
 * a message's attachments. The whole input is the .msg; its text and records
 * must be valid UTF-8 with no snippet markers, the records at most
 * EXTRACT_ATTACH_MAX; then each tool attachment is asked for by number (as the
 * parent does) and must come back within EXTRACT_ATTACH_RAW_MAX. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "docs/extract_int.h"
#include "catalogue/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libolecf leaks tables and directory entries on some error paths (its own
 * allocations, hundreds of bytes a file); in the jail a worker is replaced
 * after 256 documents, so that is bounded there. Leaks of ours are still
 * caught (their stacks have no libolecf frame). */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libolecf.so\n";
}

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
	size_t recs = 0;

	strbuf_init(&out);
	if (extract_msg(data, size, &out, &title) == 0 && out.s) {
		/* The listing of its attachments follows text and records after one NUL. */
		size_t tl = strnlen(out.s, out.len);
		if (!clean(out.s, tl) || (tl < out.len && !clean(out.s + tl + 1, out.len - tl - 1)))
			abort();
		for (size_t i = 0; i < out.len; i++)
			recs += out.s[i] == EXTRACT_REC;
		if (recs > EXTRACT_ATTACH_MAX || out.len > (size_t)EXTRACT_TEXT_MAX * (EXTRACT_ATTACH_MAX + 2))
			abort();
	}
	if (title && !mime_is_utf8((const unsigned char *)title, strlen(title)))
		abort();
	/* Each attachment's bytes, for its tool (any 0) and for a download (1). */
	for (size_t i = 0; i < 2 * recs && i < 8; i++) {
		struct extract_att_req rq = { EXTRACT_MSG, (int)(i / 2), (int)(i & 1) };
		int fd = memfd_create("fuzz", MFD_CLOEXEC);
		strbuf_t raw;
		strbuf_init(&raw);
		if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) < 0)
			abort();
		if (extract_attachment_fd(fd, &raw, NULL, &rq) == 0 &&
		    raw.len > (rq.any ? (size_t)EXTRACT_ATTACH_BYTES : (size_t)EXTRACT_ATTACH_RAW_MAX))
			abort();
		close(fd);
		strbuf_release(&raw);
	}
	free(title);
	strbuf_release(&out);
	return 0;
}
