/* torctl: the pieces of a tor control-protocol client (control-spec.txt) that do
 * not touch the network, so tests and the fuzzer reach them directly:
 *
 *  - an incremental reply parser: feed bytes as they arrive, take whole replies;
 *    "NNN-" mid lines, "NNN+" data blocks ending in "." (dot-unstuffed),
 *    "NNN " final lines, asynchronous 6xx events; CRLF (a bare LF is accepted);
 *  - SAFECOOKIE authentication (control-spec §3.24): nonce, server hash check,
 *    client hash;
 *  - reading KEY=value and positional words out of reply lines.
 *
 * The connection itself lives in torsup, which owns the event loop. */
#ifndef BROADSIDE_TORCTL_H
#define BROADSIDE_TORCTL_H

#include <stddef.h>
#include <stdint.h>

/* Limits against a confused or hostile peer on the control socket. */
#define TORCTL_MAX_LINE   (64 * 1024)    /* one line, without CRLF */
#define TORCTL_MAX_REPLY  (1024 * 1024)  /* all text and data of one reply */
#define TORCTL_MAX_LINES  4096           /* lines in one reply */

typedef struct torctl_line {
	int code;        /* 3-digit status */
	char sep;        /* '-', '+' or ' ' */
	char *text;      /* after the separator, NUL-terminated */
	char *data;      /* for '+': the data block, lines joined with "\n", or NULL */
	size_t data_len;
} torctl_line_t;

typedef struct torctl_reply {
	int code;                /* status of the final line */
	int async;               /* 1 for 6xx events (650 ...) */
	size_t n;                /* number of lines, >= 1 */
	torctl_line_t *lines;
} torctl_reply_t;

typedef struct torctl_parser torctl_parser_t;

torctl_parser_t *torctl_parser_new(void);
void torctl_parser_free_(torctl_parser_t *p);
#define torctl_parser_free(p) do { torctl_parser_free_(p); (p) = NULL; } while (0)

/* Consume n bytes of input. Return 0, or -1 on a protocol violation or a limit
 * being exceeded (logged at debug); after -1 the parser refuses all input and
 * the connection should be dropped. Complete replies queue up for _next(). */
int torctl_parser_feed(torctl_parser_t *p, const char *buf, size_t n);

/* Take the oldest complete reply (the caller frees it), or NULL if none. */
torctl_reply_t *torctl_parser_next(torctl_parser_t *p);

void torctl_reply_free_(torctl_reply_t *r);
#define torctl_reply_free(p) do { torctl_reply_free_(p); (p) = NULL; } while (0)

/* Copy the value of KEY=value (a bare word or a "quoted string" with C-style
 * escapes) from text into out. Return 0, or -1 if absent or too long. */
int torctl_kv_get(const char *text, const char *key, char *out, size_t outlen);

/* Copy the n-th (from 0) space-separated word of text into out; 0 or -1. */
int torctl_word(const char *text, int n, char *out, size_t outlen);

/* Return words for the operator for a STATUS_CLIENT BOOTSTRAP warning's REASON
 * (an OR-connection end reason, control-spec §4.1.10), falling back to the raw
 * WARNING text; never NULL. */
const char *torctl_bootstrap_problem(const char *reason, const char *warning);


/* SAFECOOKIE. Cookie, nonces and hashes are all 32 bytes. */
#define TORCTL_COOKIE_LEN 32
#define TORCTL_NONCE_LEN 32
#define TORCTL_HASH_LEN 32

/* Fill nonce with cryptographically random bytes; 0 or -1. */
int torctl_safecookie_nonce(uint8_t nonce[TORCTL_NONCE_LEN]);

/* Check the server's hash over cookie ‖ client nonce ‖ server nonce (in
 * constant time) and, if it is right, write the hash the controller must send.
 * Return 0, or -1 if the server hash is wrong (tor does not know the cookie). */
int torctl_safecookie_respond(const uint8_t cookie[TORCTL_COOKIE_LEN],
    const uint8_t client_nonce[TORCTL_NONCE_LEN],
    const uint8_t server_nonce[TORCTL_NONCE_LEN],
    const uint8_t server_hash[TORCTL_HASH_LEN],
    uint8_t client_hash[TORCTL_HASH_LEN]);

/* Read SERVERHASH and SERVERNONCE from an AUTHCHALLENGE reply line; 0 or -1. */
int torctl_parse_authchallenge(const char *text, uint8_t server_hash[TORCTL_HASH_LEN],
    uint8_t server_nonce[TORCTL_NONCE_LEN]);

#endif
