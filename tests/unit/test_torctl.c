/* test_torctl: the control reply parser (whole, byte by byte, limits, errors),
 * key/value reading, and SAFECOOKIE against vectors computed independently with
 * python's hmac module and `openssl dgst -sha256 -hmac` (cookie = bytes 0..31,
 * client nonce = 32..63, server nonce = 64..95). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/text.h"
#include "onion/torctl.h"
#include "unit.h"
#include "base/util.h"

static const char *server_hash_hex =
    "3C8780AB52365C0D080750447E5F64DABC00428C6C434579C2043E18C1F85389";
static const char *client_hash_hex =
    "B47642DF2D5ABB84F69E6D02D41BED6B44AEE33E69562528A82166FC98BC0B1E";

static const char conversation[] =
    "250-PROTOCOLINFO 1\r\n"
    "250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE=\"/d/run/control.authcookie\"\r\n"
    "250-VERSION Tor=\"0.4.9.11\"\r\n"
    "250 OK\r\n"
    "650 STATUS_CLIENT NOTICE BOOTSTRAP PROGRESS=5 TAG=conn SUMMARY=\"Connecting to a relay\"\r\n"
    "250+config-text=\r\n"
    "SocksPort 0\r\n"
    "..leading dot\r\n"
    "\r\n"
    "last\r\n"
    ".\r\n"
    "250 OK\r\n"
    "552 Unrecognized key \"foo\"\r\n";

static void
check_conversation(torctl_parser_t *p)
{
	torctl_reply_t *r;
	char v[256];

	r = torctl_parser_next(p);
	ok(r != NULL, "protocolinfo reply");
	if (r) {
		is_int(r->code, 250, "code");
		is_int(r->async, 0, "not async");
		is_int(r->n, 4, "4 lines");
		is_str(r->lines[0].text, "PROTOCOLINFO 1", "line 0");
		ok(r->lines[0].sep == '-', "mid line");
		ok(r->lines[3].sep == ' ', "final line");
		is_int(torctl_kv_get(r->lines[1].text, "COOKIEFILE", v, sizeof(v)), 0, "cookiefile");
		is_str(v, "/d/run/control.authcookie", "cookiefile value");
		is_int(torctl_kv_get(r->lines[1].text, "METHODS", v, sizeof(v)), 0, "methods");
		is_str(v, "COOKIE,SAFECOOKIE", "methods value");
	}
	torctl_reply_free(r);
	r = torctl_parser_next(p);
	ok(r && r->async && r->code == 650 && r->n == 1, "async event");
	if (r) {
		is_int(torctl_kv_get(r->lines[0].text, "PROGRESS", v, sizeof(v)), 0, "progress");
		is_str(v, "5", "progress value");
		is_int(torctl_kv_get(r->lines[0].text, "SUMMARY", v, sizeof(v)), 0, "summary");
		is_str(v, "Connecting to a relay", "summary value");
		is_int(torctl_word(r->lines[0].text, 0, v, sizeof(v)), 0, "word 0");
		is_str(v, "STATUS_CLIENT", "word 0 value");
		is_int(torctl_word(r->lines[0].text, 2, v, sizeof(v)), 0, "word 2");
		is_str(v, "BOOTSTRAP", "word 2 value");
	}
	torctl_reply_free(r);
	r = torctl_parser_next(p);
	ok(r && r->n == 2 && r->lines[0].sep == '+', "data reply");
	if (r && r->n == 2) {
		is_str(r->lines[0].text, "config-text=", "data line text");
		is_str(r->lines[0].data, "SocksPort 0\n.leading dot\n\nlast", "dot-unstuffed data");
		is_int(r->lines[0].data_len, strlen("SocksPort 0\n.leading dot\n\nlast"), "data len");
		is_str(r->lines[1].text, "OK", "after data");
	}
	torctl_reply_free(r);
	r = torctl_parser_next(p);
	ok(r && r->code == 552 && r->n == 1, "error reply");
	torctl_reply_free(r);
	ok(torctl_parser_next(p) == NULL, "nothing more");
}

static int
feed_str(const char *s)
{
	torctl_parser_t *p = torctl_parser_new();
	int rc = torctl_parser_feed(p, s, strlen(s));
	torctl_parser_free(p);
	return rc;
}

int
main(void)
{
	torctl_parser_t *p;
	torctl_reply_t *r;
	char v[64];

	log_set_level(LOG_ERR);

	/* All at once. */
	p = torctl_parser_new();
	is_int(torctl_parser_feed(p, conversation, strlen(conversation)), 0, "feed all");
	check_conversation(p);
	torctl_parser_free(p);

	/* Byte by byte: replies appear only when complete. */
	p = torctl_parser_new();
	for (size_t i = 0; i < strlen(conversation); i++)
		if (torctl_parser_feed(p, conversation + i, 1) < 0)
			ok(0, "byte %zu", i);
	check_conversation(p);
	torctl_parser_free(p);

	p = torctl_parser_new();
	is_int(torctl_parser_feed(p, "250-a\r\n250 O", 12), 0, "partial");
	ok(torctl_parser_next(p) == NULL, "no reply before the final line ends");
	is_int(torctl_parser_feed(p, "K\n", 2), 0, "bare LF accepted");
	r = torctl_parser_next(p);
	ok(r && r->n == 2 && strcmp(r->lines[1].text, "OK") == 0, "completed");
	torctl_reply_free(r);
	torctl_parser_free(p);

	/* Protocol violations and limits. */
	ok(feed_str("25 OK\r\n") < 0, "short code");
	ok(feed_str("2x0 OK\r\n") < 0, "non-digit code");
	ok(feed_str("250*OK\r\n") < 0, "bad separator");
	ok(feed_str("250\r\n") < 0, "no separator");
	ok(feed_str("250-a\r\n251 b\r\n") < 0, "code changes mid reply");
	{
		char nul[] = "250 a\0b\r\n";
		torctl_parser_t *q = torctl_parser_new();
		ok(torctl_parser_feed(q, nul, sizeof(nul) - 1) < 0, "NUL refused");
		ok(torctl_parser_feed(q, "250 OK\r\n", 8) < 0, "broken parser stays broken");
		torctl_parser_free(q);
	}
	{
		size_t n = TORCTL_MAX_LINE + 10;
		char *big = xmalloc(n);
		memset(big, 'a', n);
		memcpy(big, "250 ", 4);
		p = torctl_parser_new();
		ok(torctl_parser_feed(p, big, n) < 0, "long line without newline refused");
		torctl_parser_free(p);
		free(big);
	}
	{
		/* Many mid lines, each short: the reply-size cap stops them. */
		strbuf_t b;
		strbuf_init(&b);
		for (int i = 0; i < TORCTL_MAX_LINES + 1; i++)
			strbuf_adds(&b, "250-x\r\n");
		p = torctl_parser_new();
		ok(torctl_parser_feed(p, b.s, b.len) < 0, "too many lines refused");
		torctl_parser_free(p);
		strbuf_release(&b);
	}
	{
		/* A data block that never ends grows to the cap, then fails. */
		strbuf_t b;
		int rc = 0;
		strbuf_init(&b);
		for (int i = 0; i < 1024; i++)
			strbuf_adds(&b, "0123456789012345678901234567890123456789012345678901234567890123\r\n");
		p = torctl_parser_new();
		torctl_parser_feed(p, "250+x=\r\n", 8);
		for (int i = 0; i < 40 && rc == 0; i++)
			rc = torctl_parser_feed(p, b.s, b.len);
		ok(rc < 0, "endless data block refused");
		torctl_parser_free(p);
		strbuf_release(&b);
	}

	/* Key/value details. */
	is_int(torctl_kv_get("A=1 B=\"x \\\"y\\\" z\" C=3", "B", v, sizeof(v)), 0, "quoted");
	is_str(v, "x \"y\" z", "escapes");
	ok(torctl_kv_get("A=\"B=2\" AB=3", "B", v, sizeof(v)) < 0, "key inside a quoted value is not a key");
	ok(torctl_kv_get("AB=3", "B", v, sizeof(v)) < 0, "suffix is not a key");
	ok(torctl_kv_get("B=\"unterminated", "B", v, sizeof(v)) < 0, "unterminated quote");
	ok(torctl_kv_get("B=0123456789", "B", v, 5) < 0, "too long");
	ok(torctl_word("a b", 2, v, sizeof(v)) < 0, "word past the end");

	is_str(torctl_bootstrap_problem("NOROUTE", "No route to host"),
	    "no route to the Internet (is this machine offline?)", "known reason");
	is_str(torctl_bootstrap_problem("MISC", "Something odd"), "Something odd", "raw warning");
	is_str(torctl_bootstrap_problem(NULL, ""), "no progress", "nothing known");

	/* SAFECOOKIE vectors. */
	{
		uint8_t cookie[32], cn[32], sn[32], sh[32], ch[32], want[32], n1[32], n2[32];
		char line[256], hex[65];

		for (int i = 0; i < 32; i++) {
			cookie[i] = (uint8_t)i;
			cn[i] = (uint8_t)(32 + i);
			sn[i] = (uint8_t)(64 + i);
		}
		text_hex(hex, sn, 32);
		snprintf(line, sizeof(line), "AUTHCHALLENGE SERVERHASH=%s SERVERNONCE=%s",
		    server_hash_hex, hex);
		is_int(torctl_parse_authchallenge(line, sh, n1), 0, "parse authchallenge");
		ok(memcmp(n1, sn, 32) == 0, "server nonce parsed");
		is_int(torctl_safecookie_respond(cookie, cn, sn, sh, ch), 0, "server hash accepted");
		text_unhex(want, client_hash_hex, 32);
		ok(memcmp(ch, want, 32) == 0, "client hash matches the python/openssl vector");
		text_hex(hex, ch, 32);
		ok(strcasecmp(hex, client_hash_hex) == 0, "hex round trip");

		sh[31] ^= 1;
		ok(torctl_safecookie_respond(cookie, cn, sn, sh, ch) < 0, "bad server hash rejected");
		sh[31] ^= 1;
		cookie[0] ^= 1;
		ok(torctl_safecookie_respond(cookie, cn, sn, sh, ch) < 0, "wrong cookie rejected");
		ok(torctl_parse_authchallenge("AUTHCHALLENGE SERVERHASH=00", sh, n1) < 0,
		    "short challenge rejected");
		ok(torctl_parse_authchallenge("FOO SERVERHASH=00", sh, n1) < 0, "not a challenge");
		is_int(torctl_safecookie_nonce(n1), 0, "nonce");
		is_int(torctl_safecookie_nonce(n2), 0, "nonce 2");
		ok(memcmp(n1, n2, 32) != 0, "nonces differ");
	}
	return unit_done();
}
