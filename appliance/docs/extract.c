/* extract: see extract.h. Everything here reads attacker-chosen bytes: every
 * loop is bounded by the input length and every output by EXTRACT_TEXT_MAX. */
#include "docs/extract.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

enum extract_kind
extract_kind_of(const char *mime, const char *name)
{
	static const char *const plain[] = {
		"text/plain", "text/csv", "text/tab-separated-values", "application/json", "application/xml",
		"text/xml", "text/markdown", "text/x-markdown", "application/x-ndjson",
	};
	static const char *const office[] = {
		"docx", "docm", "dotx", "xlsx", "xlsm", "pptx", "pptm", "odt", "ott", "ods", "odp",
	};
	static const char *const archive[] = {
		"application/zip", "application/x-tar", "application/x-gtar", "application/x-gtar-compressed",
		"application/x-7z-compressed",
	};
	const char *dot = strrchr(name, '.');

	if (dot && (strcasecmp(dot, ".eml") == 0 || strcasecmp(dot, ".mbox") == 0))
		return EXTRACT_EML;
	if (strcmp(mime, "message/rfc822") == 0)
		return EXTRACT_EML;
	if (strcmp(mime, "text/html") == 0 || strcmp(mime, "application/xhtml+xml") == 0)
		return EXTRACT_HTML;
	if (strcmp(mime, "application/pdf") == 0)
		return EXTRACT_PDF;
	if (dot) {
		for (size_t i = 0; i < ARRAY_LEN(office); i++)
			if (strcasecmp(dot + 1, office[i]) == 0)
				return EXTRACT_OFFICE;
	}
	if (strncmp(mime, "application/vnd.openxmlformats-officedocument.", 46) == 0 ||
	    strncmp(mime, "application/vnd.oasis.opendocument.", 35) == 0)
		return EXTRACT_OFFICE;
	for (size_t i = 0; i < ARRAY_LEN(plain); i++)
		if (strcmp(mime, plain[i]) == 0)
			return EXTRACT_PLAIN;
	for (size_t i = 0; i < ARRAY_LEN(archive); i++)
		if (strcmp(mime, archive[i]) == 0)
			return EXTRACT_ARCHIVE;
	if (dot && (strcasecmp(dot, ".tgz") == 0 || strcasecmp(dot, ".tbz2") == 0 ||
	    strcasecmp(dot, ".txz") == 0 || strcasestr(name, ".tar.") != NULL))
		return EXTRACT_ARCHIVE;
	if (strncmp(mime, "text/", 5) == 0)
		return EXTRACT_PLAIN;
	return EXTRACT_NONE;
}

static void
put_cp(strbuf_t *out, unsigned cp)
{
	char b[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (char)cp;
		strbuf_add(out, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(out, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(out, b, 4);
	}
}

/* Length of a valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	/* Overlong and surrogate forms. */
	if (c == 0xe0 && p[1] < 0xa0)
		return 0;
	if (c == 0xed && p[1] >= 0xa0)
		return 0;
	if (c == 0xf0 && p[1] < 0x90)
		return 0;
	if (c == 0xf4 && p[1] >= 0x90)
		return 0;
	return len;
}

void
extract_utf8(strbuf_t *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n && out->len < EXTRACT_TEXT_MAX) {
		size_t run = i, room = EXTRACT_TEXT_MAX - out->len;
		/* Copy runs of printable ASCII in one go: most text is mostly that. */
		while (run < n && run - i < room && ((p[run] >= 0x20 && p[run] < 0x7f) || p[run] == '\n' || p[run] == '\t'))
			run++;
		if (run > i) {
			strbuf_add(out, p + i, run - i);
			i = run;
			continue;
		}
		size_t len = utf8_len(p + i, n - i);
		if (len == 0) {
			put_cp(out, p[i]);   /* Latin-1 reading of a stray byte */
			i++;
		} else if (len == 1) {
			char ch = (char)p[i];
			if ((p[i] < 0x20 && ch != '\n' && ch != '\t') || p[i] == 0x7f)
				ch = ' ';
			strbuf_add(out, &ch, 1);
			i++;
		} else {
			strbuf_add(out, p + i, len);
			i += len;
		}
	}
}

/* UTF-16 (after its byte-order mark) to UTF-8 in out, up to the text cap. */
static void
utf16_decode(strbuf_t *out, const unsigned char *p, size_t n, int be)
{
	strbuf_t u;

	strbuf_init(&u);
	for (size_t i = 0; i + 1 < n && u.len < EXTRACT_TEXT_MAX; i += 2) {
		unsigned c = be ? (unsigned)p[i] << 8 | p[i + 1] : (unsigned)p[i + 1] << 8 | p[i];
		if (c >= 0xd800 && c <= 0xdbff && i + 3 < n) {
			unsigned d = be ? (unsigned)p[i + 2] << 8 | p[i + 3] : (unsigned)p[i + 3] << 8 | p[i + 2];
			if (d >= 0xdc00 && d <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
				i += 2;
			}
		}
		put_cp(&u, c);   /* a lone surrogate (or NUL) becomes U+FFFD */
	}
	/* Again through extract_utf8: control characters blanked, the cap held. */
	extract_utf8(out, u.s ? u.s : "", u.len);
	strbuf_release(&u);
}

void
extract_text(strbuf_t *out, const char *s, size_t n, int truncated)
{
	const unsigned char *p = (const unsigned char *)s;

	if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) {
		int be = p[0] == 0xfe;
		if (truncated && n >= 4) {
			/* Do not end on half a unit or half a surrogate pair. */
			n -= (n - 2) % 2;
			unsigned last = be ? (unsigned)p[n - 2] << 8 | p[n - 1] : (unsigned)p[n - 1] << 8 | p[n - 2];
			if (last >= 0xd800 && last <= 0xdbff)
				n -= 2;
		}
		utf16_decode(out, p + 2, n - 2, be);
		return;
	}
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		p += 3;
		n -= 3;
	}
	if (truncated && n > 0) {
		/* A UTF-8 sequence cut by the end: drop it rather than read its bytes as Latin-1. */
		size_t k = n, back = 0;
		while (k > 0 && back < 3 && (p[k - 1] & 0xc0) == 0x80) {
			k--;
			back++;
		}
		if (k > 0 && p[k - 1] >= 0xc2 && p[k - 1] <= 0xf4 && utf8_len(p + k - 1, n - k + 1) == 0) {
			size_t need = p[k - 1] >= 0xf0 ? 4 : p[k - 1] >= 0xe0 ? 3 : 2;
			if (n - (k - 1) < need)
				n = k - 1;
		}
	}
	extract_utf8(out, (const char *)p, n);
}

/* --- HTML --- */

static const struct { const char *name; unsigned cp; } entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", ' ' }, { "copy", 0xa9 }, { "reg", 0xae }, { "eacute", 0xe9 }, { "egrave", 0xe8 },
	{ "agrave", 0xe0 }, { "ccedil", 0xe7 }, { "uuml", 0xfc }, { "ouml", 0xf6 }, { "auml", 0xe4 },
	{ "szlig", 0xdf }, { "ndash", 0x2013 }, { "mdash", 0x2014 }, { "hellip", 0x2026 },
	{ "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "ldquo", 0x201c }, { "rdquo", 0x201d },
	{ "euro", 0x20ac }, { "pound", 0xa3 }, { "sect", 0xa7 }, { "deg", 0xb0 }, { "middot", 0xb7 },
	{ "bull", 0x2022 }, { "trade", 0x2122 }, { "times", 0xd7 },
};

/* Decode the entity at p ('&' ...) into out; return bytes consumed (0: not an entity). */
static size_t
html_entity(const char *p, size_t n, strbuf_t *out)
{
	size_t i = 1;
	unsigned long cp = 0;

	if (n < 3)
		return 0;
	if (p[1] == '#') {
		int hex = (n > 2 && (p[2] == 'x' || p[2] == 'X'));
		size_t start;
		i = hex ? 3 : 2;
		start = i;
		while (i < n && i < start + 8 && (hex ? isxdigit((unsigned char)p[i]) : isdigit((unsigned char)p[i]))) {
			cp = cp * (hex ? 16 : 10) + (unsigned long)(isdigit((unsigned char)p[i]) ? p[i] - '0' :
			    (tolower((unsigned char)p[i]) - 'a' + 10));
			i++;
		}
		if (i == start)
			return 0;
		if (i < n && p[i] == ';')
			i++;
		put_cp(out, cp > 0x10ffff ? 0xfffd : (unsigned)cp);
		return i;
	}
	while (i < n && i < 12 && isalnum((unsigned char)p[i]))
		i++;
	if (i >= n || p[i] != ';')
		return 0;
	for (size_t k = 0; k < ARRAY_LEN(entities); k++)
		if (strlen(entities[k].name) == i - 1 && memcmp(p + 1, entities[k].name, i - 1) == 0) {
			put_cp(out, entities[k].cp);
			return i + 1;
		}
	return 0;
}

/* Append text with entities decoded and whitespace runs folded to one space. */
static void
html_text(const char *p, size_t n, strbuf_t *out)
{
	strbuf_t raw;

	strbuf_init(&raw);
	for (size_t i = 0; i < n;) {
		size_t used;
		if (p[i] == '&' && (used = html_entity(p + i, n - i, &raw)) > 0) {
			i += used;
			continue;
		}
		if (isspace((unsigned char)p[i])) {
			if (raw.len > 0 && raw.s[raw.len - 1] != ' ')
				strbuf_addc(&raw, ' ');
			if (raw.len == 0 && out->len > 0 && out->s[out->len - 1] != ' ' && out->s[out->len - 1] != '\n')
				strbuf_addc(&raw, ' ');
			i++;
			continue;
		}
		strbuf_add(&raw, p + i, 1);
		i++;
	}
	if (raw.len)
		extract_utf8(out, raw.s, raw.len);
	strbuf_release(&raw);
}

static int
tag_is(const char *p, size_t n, const char *name)
{
	size_t len = strlen(name);
	return n > len && strncasecmp(p, name, len) == 0 &&
	    (isspace((unsigned char)p[len]) || p[len] == '>' || p[len] == '/');
}

/* Find the end of raw-text element `name` (script, style, title) from p; return its offset. */
static size_t
find_close(const char *p, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i + 2 + len <= n; i++)
		if (p[i] == '<' && p[i + 1] == '/' && strncasecmp(p + i + 2, name, len) == 0)
			return i;
	return n;
}

void
extract_html(const char *p, size_t n, strbuf_t *out, char **title)
{
	size_t i = 0, text_start = 0;

	while (i < n && out->len < EXTRACT_TEXT_MAX) {
		const char *gt;
		size_t end;

		if (p[i] != '<') {
			i++;
			continue;
		}
		html_text(p + text_start, i - text_start, out);
		if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
			const char *e = memmem(p + i + 4, n - i - 4, "-->", 3);
			i = e ? (size_t)(e - p) + 3 : n;
		} else if (tag_is(p + i + 1, n - i - 1, "script") || tag_is(p + i + 1, n - i - 1, "style")) {
			const char *name = tag_is(p + i + 1, n - i - 1, "script") ? "script" : "style";
			end = find_close(p + i, n - i, name);
			i += end;
			gt = memchr(p + i, '>', n - i);
			i = gt ? (size_t)(gt - p) + 1 : n;
		} else if (tag_is(p + i + 1, n - i - 1, "title")) {
			gt = memchr(p + i, '>', n - i);
			size_t s = gt ? (size_t)(gt - p) + 1 : n;
			end = s + find_close(p + s, n - s, "title");
			if (title && *title == NULL) {
				strbuf_t t;
				strbuf_init(&t);
				html_text(p + s, end - s, &t);
				*title = strbuf_detach(&t);
			}
			html_text(p + s, end - s, out);
			strbuf_addc(out, '\n');
			gt = end < n ? memchr(p + end, '>', n - end) : NULL;
			i = gt ? (size_t)(gt - p) + 1 : n;
		} else {
			/* Block-level breaks keep words of adjacent cells apart. */
			gt = memchr(p + i, '>', n - i);
			if (out->len > 0 && out->s[out->len - 1] != ' ' && out->s[out->len - 1] != '\n')
				strbuf_addc(out, ' ');
			i = gt ? (size_t)(gt - p) + 1 : n;
		}
		text_start = i;
	}
	if (text_start < n && i >= n)
		html_text(p + text_start, n - text_start, out);
	if (out->len > EXTRACT_TEXT_MAX) {
		out->len = EXTRACT_TEXT_MAX;
		/* Do not leave half a character at the cut. */
		while (out->len > 0 && ((unsigned char)out->s[out->len] & 0xc0) == 0x80)
			out->len--;
		out->s[out->len] = '\0';
	}
}

/* --- mail --- */

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static void
decode_base64(const char *p, size_t n, strbuf_t *out)
{
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)p[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			strbuf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static void
decode_qp(const char *p, size_t n, int header, strbuf_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=' && i + 2 < n + 0 && isxdigit((unsigned char)p[i + 1]) && isxdigit((unsigned char)p[i + 2])) {
			char hx[3] = { p[i + 1], p[i + 2], 0 };
			strbuf_addc(out, (char)strtol(hx, NULL, 16));
			i += 2;
		} else if (p[i] == '=' && i + 1 < n && (p[i + 1] == '\n' || p[i + 1] == '\r')) {
			i++;    /* soft line break */
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
		} else if (header && p[i] == '_') {
			strbuf_addc(out, ' ');
		} else {
			strbuf_add(out, p + i, 1);
		}
	}
}

/* Decode RFC 2047 encoded words (=?charset?B|Q?text?=) in a header value. */
static void
header_decode(const char *p, size_t n, strbuf_t *out)
{
	strbuf_t raw;

	strbuf_init(&raw);
	for (size_t i = 0; i < n;) {
		const char *q1, *q2, *end;
		if (i + 1 < n && p[i] == '=' && p[i + 1] == '?' &&
		    (q1 = memchr(p + i + 2, '?', n - i - 2)) != NULL && (size_t)(q1 - p) + 3 < n && q1[2] == '?' &&
		    (end = memmem(q1 + 3, n - (size_t)(q1 + 3 - p), "?=", 2)) != NULL) {
			q2 = q1 + 3;
			if (q1[1] == 'B' || q1[1] == 'b')
				decode_base64(q2, (size_t)(end - q2), &raw);
			else
				decode_qp(q2, (size_t)(end - q2), 1, &raw);
			i = (size_t)(end - p) + 2;
			/* Whitespace between two encoded words is not part of the text. */
			size_t k = i;
			while (k < n && isspace((unsigned char)p[k]))
				k++;
			if (k + 1 < n && p[k] == '=' && p[k + 1] == '?')
				i = k;
			continue;
		}
		strbuf_add(&raw, p + i, 1);
		i++;
	}
	extract_utf8(out, raw.s ? raw.s : "", raw.len);
	strbuf_release(&raw);
}

struct part {
	const char *body;
	size_t body_len;
	char ctype[128], boundary[128], encoding[32], filename[256];
	int is_attachment;
};

/* Find a header's unfolded value in a header block; return its length, 0 if absent. */
static size_t
header_get(const char *h, size_t n, const char *name, strbuf_t *val)
{
	size_t len = strlen(name);

	strbuf_reset(val);
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(h + i, '\n', n - i);
		size_t line_end = nl ? (size_t)(nl - h) : n;
		if (line_end - i > len && strncasecmp(h + i, name, len) == 0 && h[i + len] == ':') {
			size_t s = i + len + 1;
			for (;;) {
				size_t e = line_end;
				if (e > s && h[e - 1] == '\r')
					e--;
				while (s < e && isspace((unsigned char)h[s]))
					s++;
				if (val->len)
					strbuf_addc(val, ' ');
				strbuf_add(val, h + s, e - s);
				if (line_end >= n || line_end + 1 >= n || (h[line_end + 1] != ' ' && h[line_end + 1] != '\t'))
					break;
				s = line_end + 1;
				nl = memchr(h + s, '\n', n - s);
				line_end = nl ? (size_t)(nl - h) : n;
			}
			return val->len ? val->len : 1;
		}
		i = line_end + 1;
	}
	return 0;
}

/* Copy parameter `name` (e.g. boundary) of a header value into out. */
static void
header_param(const char *v, const char *name, char *out, size_t outlen)
{
	size_t len = strlen(name);

	out[0] = '\0';
	for (const char *p = v; (p = strcasestr(p, name)) != NULL; p += len) {
		const char *s = p + len;
		size_t k = 0;
		if (p > v && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
			continue;
		while (*s == ' ')
			s++;
		if (*s != '=')
			continue;
		s++;
		while (*s == ' ')
			s++;
		if (*s == '"') {
			s++;
			while (*s && *s != '"' && k + 1 < outlen)
				out[k++] = *s++;
		} else {
			while (*s && *s != ';' && !isspace((unsigned char)*s) && k + 1 < outlen)
				out[k++] = *s++;
		}
		out[k] = '\0';
		return;
	}
}

/* Split a message or part into headers and body and read what we need from them. */
static void
part_parse(const char *p, size_t n, struct part *pt, strbuf_t *tmp)
{
	const char *sep = memmem(p, n, "\n\n", 2), *sep2 = memmem(p, n, "\r\n\r\n", 4);
	size_t hlen;

	memset(pt, 0, sizeof(*pt));
	if (n > 0 && p[0] == '\n') {            /* no headers: the body starts at once */
		hlen = 0;
		pt->body = p + 1;
	} else if (n > 1 && p[0] == '\r' && p[1] == '\n') {
		hlen = 0;
		pt->body = p + 2;
	} else if (sep2 && (!sep || sep2 < sep)) {
		hlen = (size_t)(sep2 - p);
		pt->body = sep2 + 4;
	} else if (sep) {
		hlen = (size_t)(sep - p);
		pt->body = sep + 2;
	} else {
		hlen = n;
		pt->body = p + n;
	}
	pt->body_len = n - (size_t)(pt->body - p);
	snprintf(pt->ctype, sizeof(pt->ctype), "text/plain");
	if (header_get(p, hlen, "Content-Type", tmp)) {
		size_t k = 0;
		while (k < tmp->len && k + 1 < sizeof(pt->ctype) && tmp->s[k] != ';' && !isspace((unsigned char)tmp->s[k])) {
			pt->ctype[k] = (char)tolower((unsigned char)tmp->s[k]);
			k++;
		}
		pt->ctype[k] = '\0';
		header_param(tmp->s, "boundary", pt->boundary, sizeof(pt->boundary));
		header_param(tmp->s, "name", pt->filename, sizeof(pt->filename));
	}
	if (header_get(p, hlen, "Content-Transfer-Encoding", tmp))
		snprintf(pt->encoding, sizeof(pt->encoding), "%s", tmp->s);
	if (header_get(p, hlen, "Content-Disposition", tmp)) {
		char fn[sizeof(pt->filename)];
		if (strncasecmp(tmp->s, "attachment", 10) == 0)
			pt->is_attachment = 1;
		header_param(tmp->s, "filename", fn, sizeof(fn));
		if (fn[0])
			memcpy(pt->filename, fn, sizeof(fn));
	}
}

/* Size of a part's body once decoded (base64 is 3 bytes in 4). */
static int64_t
decoded_size(const struct part *pt)
{
	if (strcasecmp(pt->encoding, "base64") == 0) {
		int64_t k = 0;
		for (size_t i = 0; i < pt->body_len; i++)
			k += b64val((unsigned char)pt->body[i]) >= 0;
		return k * 3 / 4;
	}
	return (int64_t)pt->body_len;
}

static void
part_text(const char *p, size_t n, strbuf_t *out, strbuf_t *list, int depth)
{
	struct part pt;
	strbuf_t tmp, dec;

	if (depth > 8 || out->len >= EXTRACT_TEXT_MAX)
		return;
	strbuf_init(&tmp);
	strbuf_init(&dec);
	part_parse(p, n, &pt, &tmp);
	if (strncmp(pt.ctype, "multipart/", 10) == 0 && pt.boundary[0]) {
		char delim[136];
		size_t dl = (size_t)snprintf(delim, sizeof(delim), "--%s", pt.boundary);
		const char *b = pt.body, *end = pt.body + pt.body_len;
		const char *cur = memmem(b, (size_t)(end - b), delim, dl);
		while (cur != NULL) {
			const char *start = cur + dl, *next;
			if (end - start >= 2 && start[0] == '-' && start[1] == '-')
				break;
			while (start < end && *start != '\n')
				start++;
			if (start < end)
				start++;
			next = memmem(start, (size_t)(end - start), delim, dl);
			part_text(start, (size_t)((next ? next : end) - start), out, list, depth + 1);
			cur = next;
		}
	} else if (!pt.is_attachment && (strcmp(pt.ctype, "text/plain") == 0 || strcmp(pt.ctype, "text/html") == 0 ||
	    strcmp(pt.ctype, "message/rfc822") == 0)) {
		const char *body = pt.body;
		size_t len = pt.body_len;
		if (strcasecmp(pt.encoding, "base64") == 0) {
			decode_base64(pt.body, pt.body_len, &dec);
			body = dec.s ? dec.s : "";
			len = dec.len;
		} else if (strcasecmp(pt.encoding, "quoted-printable") == 0) {
			decode_qp(pt.body, pt.body_len, 0, &dec);
			body = dec.s ? dec.s : "";
			len = dec.len;
		}
		if (out->len && out->s[out->len - 1] != '\n')
			strbuf_addc(out, '\n');
		if (strcmp(pt.ctype, "text/html") == 0)
			extract_html(body, len, out, NULL);
		else if (strcmp(pt.ctype, "message/rfc822") == 0)
			part_text(body, len, out, list, depth + 1);
		else
			extract_utf8(out, body, len);
	} else if (list && depth > 0 && strncmp(pt.ctype, "multipart/", 10) != 0 &&
	    list->len < EXTRACT_LIST_BYTES) {
		/* An attachment, or a part no reader shows inline: listed by name. */
		const char *name = pt.filename[0] ? pt.filename : "(no name)";
		strbuf_t dn;
		strbuf_init(&dn);
		header_decode(name, strlen(name), &dn);
		extract_list_line(list, 'a', decoded_size(&pt), dn.s ? dn.s : "", dn.len);
		strbuf_release(&dn);
	}
	strbuf_release(&tmp);
	strbuf_release(&dec);
}

void
extract_eml(const char *p, size_t n, strbuf_t *out, char **title)
{
	static const char *const shown[] = { "Subject", "From", "To", "Cc", "Date" };
	const char *sep = memmem(p, n, "\n\n", 2), *sep2 = memmem(p, n, "\r\n\r\n", 4);
	size_t hlen = sep2 && (!sep || sep2 < sep) ? (size_t)(sep2 - p) : sep ? (size_t)(sep - p) : n;
	strbuf_t val;

	strbuf_init(&val);
	for (size_t i = 0; i < ARRAY_LEN(shown); i++) {
		if (!header_get(p, hlen, shown[i], &val))
			continue;
		strbuf_adds(out, shown[i]);
		strbuf_adds(out, ": ");
		size_t start = out->len;
		header_decode(val.s, val.len, out);
		if (i == 0 && title && *title == NULL)
			*title = xstrndup(out->s + start, out->len - start);
		strbuf_addc(out, '\n');
	}
	strbuf_release(&val);
	strbuf_addc(out, '\n');
	strbuf_init(&val);
	part_text(p, n, out, &val, 0);
	if (val.len) {
		/* The listing after a NUL (extract_jailed moves it behind
		 * EXTRACT_LIST_SEP); text never holds one. */
		strbuf_addc(out, '\0');
		strbuf_add(out, val.s, val.len);
	}
	strbuf_release(&val);
}

/* --- reading a document from its descriptor (inside the jail) --- */

int
extract_fd(int fd, strbuf_t *out, char **title, void *arg)
{
	enum extract_kind kind = *(const enum extract_kind *)arg;
	struct stat st;

	if (kind == EXTRACT_OFFICE)
		return extract_office_fd(fd, out, title);
	if (kind == EXTRACT_ARCHIVE) {
		strbuf_addc(out, '\0');   /* no text, only the listing */
		return extract_archive_fd(fd, out);
	}

	/* Sized to the file: most are small, and a 1 MiB buffer per document is
	 * an mmap and munmap each time. */
	size_t want = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < EXTRACT_INPUT_MAX ?
	    (size_t)st.st_size + 1 : EXTRACT_INPUT_MAX;
	char *buf = xmalloc(want);
	size_t n = 0;

	while (n < want) {
		ssize_t r = read(fd, buf + n, want - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n >= 2 && (kind == EXTRACT_HTML || kind == EXTRACT_EML) &&
	    (((unsigned char)buf[0] == 0xff && (unsigned char)buf[1] == 0xfe) ||
	    ((unsigned char)buf[0] == 0xfe && (unsigned char)buf[1] == 0xff))) {
		/* A UTF-16 page or message: its parser reads the UTF-8 of it. */
		strbuf_t u;
		strbuf_init(&u);
		extract_text(&u, buf, n, n == want);
		free(buf);
		n = u.len;
		buf = u.s ? strbuf_detach(&u) : xstrdup("");
	}
	switch (kind) {
	case EXTRACT_PLAIN:
		extract_text(out, buf, n, n == want);
		break;
	case EXTRACT_HTML:
		extract_html(buf, n, out, title);
		break;
	case EXTRACT_EML:
		extract_eml(buf, n, out, title);
		break;
	case EXTRACT_PDF:
	case EXTRACT_OFFICE:
	case EXTRACT_ARCHIVE:
	case EXTRACT_NONE:
		break;
	}
	free(buf);
	return 0;
}

enum docjail_result
extract_jailed(docjail_t *j, const char *pdftotext, enum extract_kind kind, int fd, strbuf_t *out,
    char **title, strbuf_t *why)
{
	strbuf_t raw;
	char *t = NULL;
	enum docjail_result r;

	if (kind == EXTRACT_NONE)
		return DOCJAIL_OK;
	strbuf_init(&raw);
	if (kind == EXTRACT_PDF) {
		/* "-" for both files: the document is the tool's stdin, the text its stdout. */
		char *argv[] = { (char *)pdftotext, "-q", "-enc", "UTF-8", "-", "-", NULL };
		r = docjail_tool(j, fd, argv, &raw, why);
	} else {
		r = docjail_parse(j, fd, extract_fd, &kind, sizeof(kind), &raw, &t, why);
	}
	if (r == DOCJAIL_OK) {
		/* What comes back is as untrusted as what went in: valid UTF-8, no
		 * control bytes, within the cap, whatever the child sent. */
		if (kind == EXTRACT_EML || kind == EXTRACT_ARCHIVE)
			extract_join_listing(out, raw.s ? raw.s : "", raw.len);
		else if (kind == EXTRACT_PDF)
			extract_pdf_pages(out, raw.s ? raw.s : "", raw.len);
		else
			extract_utf8(out, raw.s ? raw.s : "", raw.len);
		if (t && title) {
			strbuf_t tb;
			strbuf_init(&tb);
			extract_utf8(&tb, t, strlen(t) < EXTRACT_TITLE_MAX ? strlen(t) : EXTRACT_TITLE_MAX);
			free(*title);
			*title = strbuf_detach(&tb);
		}
	}
	free(t);
	strbuf_release(&raw);
	return r;
}
