/* fuzz_torctl: the control reply parser over arbitrary bytes. The input is fed in
 * chunks whose sizes come from the first byte, so split lines and split CRLFs are
 * exercised too; every reply taken is walked and read with the kv helpers. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/log.h"
#include "onion/torctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	torctl_parser_t *p;
	torctl_reply_t *r;
	size_t chunk, off = 0;
	char v[128];

	log_set_level(LOG_ERR);
	if (size == 0)
		return 0;
	chunk = (size_t)(data[0] % 17) + 1;
	data++;
	size--;
	p = torctl_parser_new();
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		if (torctl_parser_feed(p, (const char *)data + off, n) < 0)
			break;
		off += n;
		while ((r = torctl_parser_next(p)) != NULL) {
			for (size_t i = 0; i < r->n; i++) {
				(void)torctl_kv_get(r->lines[i].text, "PROGRESS", v, sizeof(v));
				(void)torctl_kv_get(r->lines[i].text, "SUMMARY", v, sizeof(v));
				(void)torctl_word(r->lines[i].text, 1, v, sizeof(v));
				if (r->lines[i].data && strlen(r->lines[i].data) > r->lines[i].data_len)
					__builtin_trap();
			}
			torctl_reply_free(r);
		}
	}
	torctl_parser_free(p);
	return 0;
}
