/* libFuzzer: what the mirror and the verifier read from the network — minisign
 * signature and public key text, SHA256SUMS lines, index.json lines, paths.
 * Checks: SHA256SUMS lines round-trip through our writer; parsed index paths
 * hold no NUL; a path called safe has no "..", no leading '/', no backslash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trust/manifest.h"
#include "trust/mirror.h"
#include "trust/sign.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	sign_sig_t sig;
	sign_pub_t pub;
	char hex[65], err[256], *path = NULL, *t = NULL, *d = NULL;
	mirror_index_entry_t e;
	uint8_t hash[SIGN_HASH_LEN];

	memset(hash, 0, sizeof(hash));
	memset(&pub, 0, sizeof(pub));
	if (sign_sig_parse(s, size, &sig) == 0) {
		if (sig.trusted == NULL || strchr(sig.trusted, '\n'))
			abort();
		(void)sign_verify(&pub, &sig, hash, err, sizeof(err));
		sign_sig_clear(&sig);
	}
	(void)sign_pub_parse(s, size, &pub);
	if (manifest_sums_parse(s, size, hex, &path) == 0) {
		strbuf_t b;
		strbuf_init(&b);
		manifest_sums_line(&b, hex, path);
		char *hex2 = NULL;
		char h2[65];
		if (manifest_sums_parse(b.s, b.len - 1, h2, &hex2) != 0 || strcmp(hex2, path) != 0 ||
		    strcmp(h2, hex) != 0)
			abort();
		free(hex2);
		strbuf_release(&b);
		free(path);
	}
	if (mirror_index_line(s, size, &e) == 0) {
		if (e.path == NULL || e.size < 0)
			abort();
		if (mirror_index_path_safe(e.path) && (e.path[0] == '/' || strstr(e.path, "\\") ||
		    strcmp(e.path, "..") == 0 || strncmp(e.path, "../", 3) == 0 || strstr(e.path, "/../")))
			abort();
		mirror_index_entry_clear(&e);
	}
	if (mirror_index_head(s, size, &t, &d) == 0) {
		free(t);
		free(d);
	}
	return 0;
}
