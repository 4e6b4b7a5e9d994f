/* fuzz_ctlfilter: the control filter's command framing and verdicts, and its
 * reply framing, over arbitrary bytes. The first byte picks the profile; the
 * rest is a client's stream, cut into commands as the relay does, each judged
 * and described for the log (and asked for the GETCONF a SETCONF would need);
 * then the same bytes as tor's reply lines. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "onion/ctlfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf;
	size_t len, off = 0;
	ssize_t n;
	ctlfilter_rstate_t rs = { 0 };
	char desc[64], getconf[160], expect[4096];
	int profile;

	if (size == 0)
		return 0;
	profile = data[0] % (CTLFILTER_NPROFILES + 1);   /* one out of range too */
	buf = (const char *)data + 1;
	len = size - 1;
	while (off < len && (n = ctlfilter_command_len(buf + off, len - off)) > 0) {
		const char *why = NULL;
		enum ctlfilter_verdict v = ctlfilter_check(profile, buf + off, (size_t)n, &why);
		if (v == CTLFILTER_REFUSE && why == NULL)
			__builtin_trap();
		ctlfilter_describe(buf + off, (size_t)n, desc, sizeof(desc));
		if (strlen(desc) >= sizeof(desc))
			__builtin_trap();
		/* The relay asks tor about a passed SETCONF; any command here. */
		if (ctlfilter_setconf_query(buf + off, (size_t)n, getconf, sizeof(getconf),
		    expect, sizeof(expect)) == 0 &&
		    (strncmp(getconf, "GETCONF ", 8) != 0 || strncmp(expect, "250 ", 4) != 0))
			__builtin_trap();
		off += (size_t)n;
	}
	for (off = 0; off < len; ) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - buf) + 1 : len;
		(void)ctlfilter_reply_line(&rs, buf + off, end - off);
		off = end;
	}
	return 0;
}
