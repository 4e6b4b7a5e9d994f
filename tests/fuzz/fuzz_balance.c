/* libFuzzer: the Onionbalance role files (balance/front, balance/backends —
 * operator-edited text) and onion addresses as people type them. Input: the
 * front file, a form feed, the backends file. Checks: every parsed address is
 * canonical (it parses to itself); names are non-empty and hold no space,
 * quote or newline; the YAML has one line per field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onion/balance.h"
#include "onion/onion.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size), *ff = strchr(s, '\f');
	char err[512], addr[ONION_ADDRESS_LEN], again[ONION_ADDRESS_LEN];
	balance_t *b;

	if (onion_address_parse(s, addr) == 0 &&
	    (onion_address_parse(addr, again) < 0 || strcmp(addr, again) != 0))
		abort();
	if (ff)
		*ff++ = '\0';
	b = balance_parse(s, ff ? ff : "", err, sizeof(err));
	if (b) {
		char *y = balance_yaml(b, "/k", "");
		size_t lines = 0;
		for (const char *c = y; *c; c++)
			lines += *c == '\n';
		for (size_t i = 0; i < balance_count(b); i++) {
			const char *n = balance_name(b, i);
			if (onion_address_parse(balance_address(b, i), again) < 0 ||
			    strcmp(again, balance_address(b, i)) != 0)
				abort();
			if (strpbrk(n, " \t\r\n'\":#") != NULL)
				abort();
		}
		if (lines < 4 + balance_count(b))
			abort();
		free(y);
		balance_free(b);
	}
	free(s);
	return 0;
}
