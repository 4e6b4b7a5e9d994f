/* torctl: see torctl.h. */
#include "onion/torctl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "base/log.h"
#include "base/text.h"
#include "base/util.h"

struct torctl_parser {
	strbuf_t in;             /* bytes not yet forming a whole line */
	size_t in_off;           /* start of unconsumed bytes in `in` */
	torctl_reply_t *cur;     /* reply being assembled, or NULL */
	size_t cur_bytes;        /* size of cur, against TORCTL_MAX_REPLY */
	int in_data;             /* inside a "+" data block */
	strbuf_t data;           /* that block so far */
	torctl_reply_t **done;   /* complete replies, oldest first */
	size_t ndone, capdone, headdone;
	int broken;
};

torctl_parser_t *
torctl_parser_new(void)
{
	torctl_parser_t *p = xcalloc(1, sizeof(*p));
	strbuf_init(&p->in);
	strbuf_init(&p->data);
	return p;
}

void
torctl_reply_free_(torctl_reply_t *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->lines[i].text);
		free(r->lines[i].data);
	}
	free(r->lines);
	free(r);
}

void
torctl_parser_free_(torctl_parser_t *p)
{
	if (p == NULL)
		return;
	strbuf_release(&p->in);
	strbuf_release(&p->data);
	torctl_reply_free(p->cur);
	for (size_t i = p->headdone; i < p->ndone; i++)
		torctl_reply_free_(p->done[i]);
	free(p->done);
	free(p);
}

static int
fail(torctl_parser_t *p, const char *why)
{
	log_debug("control protocol error: %s", why);
	p->broken = 1;
	return -1;
}

static void
queue_done(torctl_parser_t *p, torctl_reply_t *r)
{
	/* Compact the consumed head before growing. */
	if (p->headdone > 0 && p->ndone == p->capdone) {
		memmove(p->done, p->done + p->headdone,
		    (p->ndone - p->headdone) * sizeof(*p->done));
		p->ndone -= p->headdone;
		p->headdone = 0;
	}
	if (p->ndone == p->capdone) {
		p->capdone = p->capdone ? p->capdone * 2 : 8;
		p->done = xrealloc(p->done, p->capdone * sizeof(*p->done));
	}
	p->done[p->ndone++] = r;
}

static int
add_bytes(torctl_parser_t *p, size_t n)
{
	p->cur_bytes += n;
	return p->cur_bytes > TORCTL_MAX_REPLY ? -1 : 0;
}

/* One line, without its line ending. */
static int
handle_line(torctl_parser_t *p, const char *s, size_t len)
{
	torctl_line_t *ln;
	int code;

	if (memchr(s, '\0', len) != NULL)
		return fail(p, "NUL byte in a line");
	if (p->in_data) {
		if (len == 1 && s[0] == '.') {
			ln = &p->cur->lines[p->cur->n - 1];
			ln->data_len = p->data.len;
			ln->data = strbuf_detach(&p->data);
			p->in_data = 0;
			return 0;
		}
		/* control-spec §2.1: a leading "." of a data line is doubled. */
		if (len > 0 && s[0] == '.') {
			s++;
			len--;
		}
		if (add_bytes(p, len + 1) < 0)
			return fail(p, "reply too large");
		if (p->data.len > 0 || p->data.s != NULL)
			strbuf_addc(&p->data, '\n');
		strbuf_add(&p->data, s, len);
		return 0;
	}
	if (len < 4 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9' || (s[3] != '-' && s[3] != '+' && s[3] != ' '))
		return fail(p, "malformed status line");
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (p->cur == NULL) {
		p->cur = xcalloc(1, sizeof(*p->cur));
		p->cur_bytes = 0;
		p->cur->code = code;
		p->cur->async = s[0] == '6';
	} else if (p->cur->code != code) {
		return fail(p, "status code changed within a reply");
	}
	if (p->cur->n >= TORCTL_MAX_LINES || add_bytes(p, len + sizeof(*ln)) < 0)
		return fail(p, "reply too large");
	p->cur->lines = xrealloc(p->cur->lines, (p->cur->n + 1) * sizeof(*ln));
	ln = &p->cur->lines[p->cur->n++];
	ln->code = code;
	ln->sep = s[3];
	ln->text = xstrndup(s + 4, len - 4);
	ln->data = NULL;
	ln->data_len = 0;
	if (s[3] == '+') {
		p->in_data = 1;
		strbuf_release(&p->data);
	} else if (s[3] == ' ') {
		queue_done(p, p->cur);
		p->cur = NULL;
	}
	return 0;
}

int
torctl_parser_feed(torctl_parser_t *p, const char *buf, size_t n)
{
	const char *start, *nl;
	size_t avail, len;

	if (p->broken)
		return -1;
	strbuf_add(&p->in, buf, n);
	for (;;) {
		start = p->in.s + p->in_off;
		avail = p->in.len - p->in_off;
		nl = memchr(start, '\n', avail);
		if (nl == NULL)
			break;
		len = (size_t)(nl - start);
		p->in_off += len + 1;
		if (len > 0 && start[len - 1] == '\r')
			len--;
		if (len > TORCTL_MAX_LINE)
			return fail(p, "line too long");
		if (handle_line(p, start, len) < 0)
			return -1;
	}
	if (p->in.len - p->in_off > TORCTL_MAX_LINE + 1)
		return fail(p, "line too long");
	/* Keep only the unfinished line. */
	if (p->in_off > 0) {
		size_t rest = p->in.len - p->in_off;
		memmove(p->in.s, p->in.s + p->in_off, rest);
		p->in.len = rest;
		p->in.s[rest] = '\0';
		p->in_off = 0;
	}
	return 0;
}

torctl_reply_t *
torctl_parser_next(torctl_parser_t *p)
{
	if (p->headdone == p->ndone)
		return NULL;
	return p->done[p->headdone++];
}

/* Find KEY= at the start of a word. */
static const char *
find_key(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *s = text;
	int quoted = 0;

	while (*s) {
		if (!quoted && (s == text || s[-1] == ' ') &&
		    strncmp(s, key, klen) == 0 && s[klen] == '=')
			return s + klen + 1;
		/* Skip quoted strings so a value cannot fake a key. */
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '\\' && quoted && s[1])
			s++;
		s++;
	}
	return NULL;
}

int
torctl_kv_get(const char *text, const char *key, char *out, size_t outlen)
{
	const char *v = find_key(text, key);
	size_t n = 0;

	if (v == NULL || outlen == 0)
		return -1;
	if (*v != '"') {
		while (v[n] && v[n] != ' ')
			n++;
		if (n >= outlen)
			return -1;
		memcpy(out, v, n);
		out[n] = '\0';
		return 0;
	}
	/* QuotedString (control-spec §2.1.1): backslash escapes the next char;
	 * \n, \t, \r and octal are C escapes, which values we read never use, so
	 * only the common ones are translated. */
	for (v++; *v && *v != '"'; v++) {
		char c = *v;
		if (c == '\\' && v[1]) {
			v++;
			c = *v == 'n' ? '\n' : *v == 't' ? '\t' : *v == 'r' ? '\r' : *v;
		}
		if (n + 1 >= outlen)
			return -1;
		out[n++] = c;
	}
	if (*v != '"')
		return -1;
	out[n] = '\0';
	return 0;
}

int
torctl_word(const char *text, int n, char *out, size_t outlen)
{
	const char *s = text;
	size_t len;

	for (;;) {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			return -1;
		len = strcspn(s, " ");
		if (n-- == 0)
			break;
		s += len;
	}
	if (len >= outlen)
		return -1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

const char *
torctl_bootstrap_problem(const char *reason, const char *warning)
{
	static const struct { const char *reason, *text; } known[] = {
		{ "DONE", "relays closed the connection during the handshake "
		    "(a firewall or censorship may be interfering)" },
		{ "CONNECTRESET", "connections were reset (a firewall or censorship "
		    "may be interfering)" },
		{ "CONNECTREFUSED", "connections were refused" },
		{ "NOROUTE", "no route to the Internet (is this machine offline?)" },
		{ "TIMEOUT", "connections time out" },
		{ "IDENTITY", "a relay had the wrong identity (wrong clock, or "
		    "interception)" },
		{ "RESOURCELIMIT", "out of sockets or memory" },
		{ "PT_MISSING", "a pluggable transport is missing" },
	};

	for (size_t i = 0; reason && i < ARRAY_LEN(known); i++)
		if (strcmp(reason, known[i].reason) == 0)
			return known[i].text;
	return warning && *warning ? warning : "no progress";
}

int
torctl_safecookie_nonce(uint8_t nonce[TORCTL_NONCE_LEN])
{
	return RAND_bytes(nonce, TORCTL_NONCE_LEN) == 1 ? 0 : -1;
}

static int
safecookie_hmac(const char *key, const uint8_t *msg, size_t msglen, uint8_t out[32])
{
	unsigned int n = 32;
	return HMAC(EVP_sha256(), key, (int)strlen(key), msg, msglen, out, &n) != NULL &&
	    n == 32 ? 0 : -1;
}

int
torctl_safecookie_respond(const uint8_t cookie[TORCTL_COOKIE_LEN],
    const uint8_t client_nonce[TORCTL_NONCE_LEN],
    const uint8_t server_nonce[TORCTL_NONCE_LEN],
    const uint8_t server_hash[TORCTL_HASH_LEN],
    uint8_t client_hash[TORCTL_HASH_LEN])
{
	static const char server_key[] =
	    "Tor safe cookie authentication server-to-controller hash";
	static const char client_key[] =
	    "Tor safe cookie authentication controller-to-server hash";
	uint8_t msg[TORCTL_COOKIE_LEN + 2 * TORCTL_NONCE_LEN], want[32];
	int rc = -1;

	memcpy(msg, cookie, TORCTL_COOKIE_LEN);
	memcpy(msg + TORCTL_COOKIE_LEN, client_nonce, TORCTL_NONCE_LEN);
	memcpy(msg + TORCTL_COOKIE_LEN + TORCTL_NONCE_LEN, server_nonce, TORCTL_NONCE_LEN);
	if (safecookie_hmac(server_key, msg, sizeof(msg), want) < 0)
		goto done;
	/* A wrong server hash means the peer does not know the cookie: it is not
	 * our tor (or the cookie file is stale). Never answer it. */
	if (!ct_equal(want, server_hash, 32)) {
		log_warn("tor's SAFECOOKIE server hash is wrong: the control socket "
		    "is not our tor, or the cookie file is stale");
		goto done;
	}
	if (safecookie_hmac(client_key, msg, sizeof(msg), client_hash) < 0)
		goto done;
	rc = 0;
done:
	memset(msg, 0, sizeof(msg));
	return rc;
}

int
torctl_parse_authchallenge(const char *text, uint8_t server_hash[TORCTL_HASH_LEN],
    uint8_t server_nonce[TORCTL_NONCE_LEN])
{
	char hash[2 * TORCTL_HASH_LEN + 1], nonce[2 * TORCTL_NONCE_LEN + 1];

	if (strncmp(text, "AUTHCHALLENGE ", 14) != 0 ||
	    torctl_kv_get(text, "SERVERHASH", hash, sizeof(hash)) < 0 ||
	    torctl_kv_get(text, "SERVERNONCE", nonce, sizeof(nonce)) < 0 ||
	    text_unhex(server_hash, hash, TORCTL_HASH_LEN) < 0 ||
	    text_unhex(server_nonce, nonce, TORCTL_NONCE_LEN) < 0)
		return -1;
	return 0;
}
