/* text: see text.h. */
#include "base/text.h"

#include <string.h>

size_t
text_utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t c = p[0];
	size_t len;
	uint32_t min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) { len = 2; c &= 0x1f; min = 0x80; }
	else if (c >= 0xe0 && c <= 0xef) { len = 3; c &= 0x0f; min = 0x800; }
	else if (c >= 0xf0 && c <= 0xf4) { len = 4; c &= 0x07; min = 0x10000; }
	else goto bad;
	if (n < len)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = 0xfffd;
	return 1;
}

size_t
text_utf8_cut(const char *s, size_t len, size_t max)
{
	size_t at = max;

	if (len <= max)
		return len;
	/* A sequence is at most 4 bytes: back up over at most 3 continuation bytes. */
	while (at > 0 && max - at < 3 && ((unsigned char)s[at] & 0xc0) == 0x80)
		at--;
	return ((unsigned char)s[at] & 0xc0) == 0x80 ? max : at;
}

void
text_utf8_put(strbuf_t *out, uint32_t c)
{
	char b[4];

	if (c < 0x80) {
		strbuf_addc(out, (char)c);
	} else if (c < 0x800) {
		b[0] = (char)(0xc0 | (c >> 6)); b[1] = (char)(0x80 | (c & 0x3f));
		strbuf_add(out, b, 2);
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | (c >> 12)); b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		strbuf_add(out, b, 3);
	} else {
		b[0] = (char)(0xf0 | (c >> 18)); b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3f)); b[3] = (char)(0x80 | (c & 0x3f));
		strbuf_add(out, b, 4);
	}
}

int
text_is_bidi_control(uint32_t c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

uint32_t
text_cp_visible(uint32_t c)
{
	if (c < 0x20)
		return 0x2400 + c;	/* a visible control picture: ␀ ␛ */
	if (c == 0x7f)
		return 0x2421;
	if ((c >= 0x80 && c <= 0x9f) || text_is_bidi_control(c) ||
	    (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
		return 0xfffd;
	return c;
}

void
text_term_escape(strbuf_t *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n = text_utf8_next(p + i, len - i, &c);
		int invalid = c == 0xfffd && n == 1 && p[i] >= 0x80;

		if (invalid || c == '\\' || text_cp_visible(c) != c) {
			for (size_t k = 0; k < n; k++)
				strbuf_addf(out, "\\x%02x", p[i + k]);
		} else {
			strbuf_add(out, p + i, n);
		}
		i += n;
	}
}

void
text_term_print(FILE *f, const char *s)
{
	strbuf_t b;

	strbuf_init(&b);
	text_term_escape(&b, s ? s : "", s ? strlen(s) : 0);
	if (b.len > 0)   /* an empty strbuf has no storage, and fwrite wants some */
		fwrite(b.s, 1, b.len, f);
	strbuf_release(&b);
}

static const char lower_hex[] = "0123456789abcdef", upper_hex[] = "0123456789ABCDEF";

void
text_hex(char *out, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = lower_hex[in[i] >> 4];
		out[2 * i + 1] = lower_hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
text_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
text_unhex(uint8_t *out, const char *hex, size_t n)
{
	if (strlen(hex) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = text_hex_digit(hex[2 * i]), lo = text_hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int
unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.' || c == '_' || c == '~';
}

void
text_url(strbuf_t *out, const char *s, size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		int keep = unreserved(c);

		if (c == '/' && (flags & TEXT_URL_SLASH))
			keep = !(flags & TEXT_URL_NO_START) || (i > 0 && p[i - 1] != '/');
		else if ((flags & TEXT_URL_ATTR) && c && strchr("!#$&+^`|", c))
			keep = 1;
		if (keep) {
			strbuf_addc(out, (char)c);
		} else {
			char b[3] = { '%', upper_hex[c >> 4], upper_hex[c & 15] };
			strbuf_add(out, b, 3);
		}
	}
}

/* Bytes copied as they are: 2 anywhere, 1 in text but not in attribute
 * values (quotes), 0 never (markup, controls, non-ASCII). */
static const unsigned char html_plain[256] = {
	[' '] = 2, ['!'] = 2, ['"'] = 1, ['#'] = 2, ['$'] = 2, ['%'] = 2, ['\''] = 1,
	['('] = 2, [')'] = 2, ['*'] = 2, ['+'] = 2, [','] = 2, ['-'] = 2, ['.'] = 2, ['/'] = 2,
	['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2,
	['8'] = 2, ['9'] = 2, [':'] = 2, [';'] = 2, ['='] = 2, ['?'] = 2, ['@'] = 2,
	['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2, ['E'] = 2, ['F'] = 2, ['G'] = 2, ['H'] = 2,
	['I'] = 2, ['J'] = 2, ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2, ['O'] = 2, ['P'] = 2,
	['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2, ['U'] = 2, ['V'] = 2, ['W'] = 2, ['X'] = 2,
	['Y'] = 2, ['Z'] = 2, ['['] = 2, ['\\'] = 2, [']'] = 2, ['^'] = 2, ['_'] = 2, ['`'] = 2,
	['a'] = 2, ['b'] = 2, ['c'] = 2, ['d'] = 2, ['e'] = 2, ['f'] = 2, ['g'] = 2, ['h'] = 2,
	['i'] = 2, ['j'] = 2, ['k'] = 2, ['l'] = 2, ['m'] = 2, ['n'] = 2, ['o'] = 2, ['p'] = 2,
	['q'] = 2, ['r'] = 2, ['s'] = 2, ['t'] = 2, ['u'] = 2, ['v'] = 2, ['w'] = 2, ['x'] = 2,
	['y'] = 2, ['z'] = 2, ['{'] = 2, ['|'] = 2, ['}'] = 2, ['~'] = 2, ['\n'] = 2,
};

/* Escape one code point. */
static void
html_cp(strbuf_t *out, uint32_t c, int attr)
{
	switch (c) {
	case '&': strbuf_add(out, "&amp;", 5); return;
	case '<': strbuf_add(out, "&lt;", 4); return;
	case '>': strbuf_add(out, "&gt;", 4); return;
	case '"':
		/* Quotes only matter inside attribute values; raw in text keeps
		 * quote-heavy snippets (CSV) small. */
		if (attr)
			strbuf_add(out, "&quot;", 6);
		else
			strbuf_addc(out, '"');
		return;
	case '\'':
		if (attr)
			strbuf_add(out, "&#39;", 5);
		else
			strbuf_addc(out, '\'');
		return;
	case '\t': case '\n': case '\r':
		strbuf_addc(out, (char)c);
		return;
	}
	text_utf8_put(out, text_cp_visible(c));
}

void
text_html(strbuf_t *out, const char *s, size_t len, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s;
	int marks = (flags & TEXT_HTML_MARKS) != 0, attr = (flags & TEXT_HTML_ATTR) != 0;
	int cells = (flags & TEXT_HTML_CELLS) != 0;
	int open = 0;

	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t run = i;

		/* Runs of printable ASCII that need no escape go in one copy: a
		 * reading view's page is 64 KiB of mostly such text. */
		while (run < len && html_plain[p[run]] > attr)
			run++;
		if (run > i) {
			strbuf_add(out, s + i, run - i);
			i = run;
			continue;
		}
		i += text_utf8_next(p + i, len - i, &c);
		if (marks && c == 0x02) {
			if (!open)
				strbuf_add(out, "<mark>", 6);
			open = 1;
		} else if (marks && c == 0x03) {
			if (open)
				strbuf_add(out, "</mark>", 7);
			open = 0;
		} else if (cells && c == 0x1f) {
			strbuf_add(out, "</td><td>", 9);
		} else {
			html_cp(out, c, attr);
		}
	}
	if (open)
		strbuf_add(out, "</mark>", 7);
}

int
text_json(strbuf_t *out, const char *s, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p);
	int lossy = 0;

	strbuf_addc(out, '"');
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t n = text_utf8_next(p + i, len - i, &c);

		if (n == 1 && p[i] >= 0x80) {   /* not UTF-8 */
			if (flags & TEXT_JSON_LATIN1) {
				strbuf_addf(out, "\\u%04x", p[i]);
			} else {
				strbuf_adds(out, "\xef\xbf\xbd");
				lossy = 1;
			}
		} else if (c == '"' || c == '\\') {
			strbuf_addc(out, '\\');
			strbuf_addc(out, (char)c);
		} else if (c < 0x20 || c == 0x7f ||
		    ((flags & TEXT_JSON_VISIBLE) && text_cp_visible(c) != c && c <= 0xffff)) {
			strbuf_addf(out, "\\u%04x", (unsigned)c);
		} else {
			strbuf_add(out, p + i, n);
		}
		i += n;
	}
	strbuf_addc(out, '"');
	return lossy;
}
