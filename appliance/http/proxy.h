/* proxy: the PROXY protocol v1 line that tor writes before any client byte when
 * the service has `HiddenServiceExportCircuitID haproxy`:
 *   PROXY TCP6 fc00:dead:beef:4dad::<hi16>:<lo16> ::1 <port> <virtport>\r\n
 * The last 32 bits of the source address are the circuit id, which is what the
 * rate limiter keys on (behind tor every reader shares one socket peer). */
#ifndef BROADSIDE_PROXY_H
#define BROADSIDE_PROXY_H

#include <stddef.h>
#include <stdint.h>

/* The longest legal v1 line, CRLF included (haproxy's proxy-protocol.txt). */
#define PROXY_LINE_MAX 107

enum proxy_status {
	PROXY_OK,        /* a complete, valid line; *consumed bytes belong to it */
	PROXY_NEED_MORE, /* a valid prefix; wait for more bytes */
	PROXY_INVALID,   /* not a PROXY v1 line: close the connection */
};

typedef struct proxy_info {
	int has_circuit;       /* source was in tor's fc00:dead:beef:4dad::/64 */
	uint32_t circuit_id;
	char source[48];       /* the source address as written, for other proxies */
} proxy_info_t;

/* Parse the PROXY line at the start of buf (len bytes available). */
enum proxy_status proxy_parse(const char *buf, size_t len, size_t *consumed,
    proxy_info_t *out);

#endif
