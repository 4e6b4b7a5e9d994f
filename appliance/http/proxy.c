/* proxy: see proxy.h. Grammar from haproxy's proxy-protocol.txt section 2.1:
 * "PROXY" SP ("TCP4" | "TCP6") SP src SP dst SP sport SP dport CRLF, or
 * "PROXY UNKNOWN" ... CRLF. We accept exactly that, nothing looser. */
#include "http/proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

/* tor's prefix for exported circuit ids (hs_circuit.c, export_hs_client_circuit_id). */
static const unsigned char tor_prefix[8] = {
	0xfc, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x4d, 0xad
};

static int
parse_port(const char *s)
{
	int64_t v;
	/* No leading zeros or signs: the spec writes ports in plain decimal. */
	if (s[0] == '0' && s[1] != '\0')
		return -1;
	if (parse_int64(s, 0, 65535, &v) < 0)
		return -1;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	return 0;
}

enum proxy_status
proxy_parse(const char *buf, size_t len, size_t *consumed, proxy_info_t *out)
{
	static const char sig[] = "PROXY ";
	char line[PROXY_LINE_MAX + 1];
	char *field[6], *save = NULL;
	const char *crlf, *lf;
	size_t n, i, nf = 0;
	int family;
	unsigned char addr[16], dst[16];

	memset(out, 0, sizeof(*out));
	n = len < sizeof(sig) - 1 ? len : sizeof(sig) - 1;
	if (memcmp(buf, sig, n) != 0)
		return PROXY_INVALID;
	crlf = memchr(buf, '\r', len < PROXY_LINE_MAX ? len : PROXY_LINE_MAX);
	lf = memchr(buf, '\n', len < PROXY_LINE_MAX ? len : PROXY_LINE_MAX);
	if (lf && (crlf == NULL || lf < crlf))
		return PROXY_INVALID;   /* a bare LF: not the line tor writes */
	if (crlf == NULL)
		return len >= PROXY_LINE_MAX ? PROXY_INVALID : PROXY_NEED_MORE;
	n = (size_t)(crlf - buf);
	if (n + 1 >= len)
		return PROXY_NEED_MORE;
	if (crlf[1] != '\n')
		return PROXY_INVALID;
	memcpy(line, buf, n);
	line[n] = '\0';
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x21 && line[i] != ' ')
			return PROXY_INVALID;
	*consumed = n + 2;

	/* Single spaces only: strtok_r would also accept runs of them. */
	if (strstr(line, "  ") || line[n - 1] == ' ')
		return PROXY_INVALID;
	for (char *t = strtok_r(line + 6, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (nf == ARRAY_LEN(field))
			return PROXY_INVALID;
		field[nf++] = t;
	}
	if (nf >= 1 && strcmp(field[0], "UNKNOWN") == 0)
		return PROXY_OK;
	if (nf != 5)
		return PROXY_INVALID;
	if (strcmp(field[0], "TCP4") == 0)
		family = AF_INET;
	else if (strcmp(field[0], "TCP6") == 0)
		family = AF_INET6;
	else
		return PROXY_INVALID;
	if (inet_pton(family, field[2], dst) != 1 || inet_pton(family, field[1], addr) != 1)
		return PROXY_INVALID;
	if (parse_port(field[3]) < 0 || parse_port(field[4]) < 0)
		return PROXY_INVALID;
	snprintf(out->source, sizeof(out->source), "%s", field[1]);
	if (family == AF_INET6 && memcmp(addr, tor_prefix, sizeof(tor_prefix)) == 0) {
		out->has_circuit = 1;
		out->circuit_id = (uint32_t)addr[12] << 24 | (uint32_t)addr[13] << 16 |
		    (uint32_t)addr[14] << 8 | addr[15];
	}
	return PROXY_OK;
}
