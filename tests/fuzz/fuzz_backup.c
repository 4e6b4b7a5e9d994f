/* libFuzzer: the backup container header and the inner archive parser (the
 * plaintext a restore walks), fed in pieces of a size chosen by the input.
 * Checks: every file the parser announces has an allowed name and gets
 * exactly the bytes it declared, and success means a proper end record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/backup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
	int open;
	uint64_t want, got;
};

static int
on_begin(void *arg, const char *name, uint32_t mode, uint64_t length)
{
	struct check *c = arg;
	if (c->open || !backup_name_valid(name) || (mode & ~0777u))
		abort();
	c->open = 1;
	c->want = length;
	c->got = 0;
	return 0;
}

static int
on_data(void *arg, const uint8_t *p, size_t n)
{
	struct check *c = arg;
	if (!c->open || n == 0)
		abort();
	c->got += n;
	if (c->got > c->want)
		abort();
	return 0;
}

static int
on_end(void *arg)
{
	struct check *c = arg;
	if (!c->open || c->got != c->want)
		abort();
	c->open = 0;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	backup_header_t h;
	char err[256];
	struct check c = { 0, 0, 0 };
	backup_sink_t sink = { on_begin, on_data, on_end, &c };
	backup_parser_t *p;
	size_t piece, off = 1;

	(void)backup_header_parse(data, size, &h, err, sizeof(err));
	if (size < 1)
		return 0;
	piece = (size_t)data[0] % 32 + 1;
	p = backup_parser_new(&sink);
	while (off < size) {
		size_t n = size - off < piece ? size - off : piece;
		if (backup_parser_feed(p, data + off, n) < 0)
			break;
		off += n;
	}
	if (off >= size && backup_parser_finish(p) == 0 && c.open)
		abort();
	backup_parser_free(p);
	return 0;
}
