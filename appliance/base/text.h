/* text: the one home of encoders and escapers (OpenBSD httpd keeps its
 * url_encode and escape_html in one place for the same reason): UTF-8
 * decoding, hex, percent-encoding, HTML escaping. Every other module calls
 * these; none carries its own copy. */
#ifndef BROADSIDE_TEXT_H
#define BROADSIDE_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/util.h"

/* Decode one UTF-8 sequence at p (n bytes left): return its length (>= 1) and
 * set *cp, or return 1 and set *cp to U+FFFD for a byte that does not start a
 * valid, shortest-form, non-surrogate sequence (overlongs and CESU surrogates
 * are rejected). */
size_t text_utf8_next(const unsigned char *p, size_t n, uint32_t *cp);
/* The length of s[0..len) cut to at most max bytes on a character's first
 * byte (len itself when it fits), so a cut never splits a UTF-8 sequence. */
size_t text_utf8_cut(const char *s, size_t len, size_t max);
/* Append code point c as UTF-8. */
void text_utf8_put(strbuf_t *out, uint32_t c);
/* Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069): they
 * can make "gpj.exe" look like "exe.jpg". */
int text_is_bidi_control(uint32_t c);
/* The one rule for untrusted text (names from the catalogue, mirrors, a
 * backup) shown to a reader or an operator: what to show instead of c. C0
 * controls become control pictures (U+2400 + c), DEL U+2421; C1 controls,
 * bidi controls and noncharacters U+FFFD; anything else is c itself. */
uint32_t text_cp_visible(uint32_t c);
/* Append len bytes of s for a terminal: every byte of invalid UTF-8, of a
 * code point text_cp_visible would replace, and of a backslash becomes \xNN;
 * the rest (printable UTF-8) stays as it is. */
void text_term_escape(strbuf_t *out, const char *s, size_t len);
/* Write the NUL-terminated s (NULL: nothing) to f with text_term_escape. */
void text_term_print(FILE *f, const char *s);

/* n bytes as 2n lowercase hex digits and a NUL into out. */
void text_hex(char *out, const uint8_t *in, size_t n);
/* Exactly 2n hex digits (either case) into n bytes; -1 if hex is not that. */
int text_unhex(uint8_t *out, const char *hex, size_t n);
/* A hex digit's value, or -1. */
int text_hex_digit(int c);

/* Percent-encoding (RFC 3986 2.1, upper-case hex): every byte but the
 * unreserved ones (A-Z a-z 0-9 - . _ ~), and:
 *   TEXT_URL_SLASH     keeps '/' (a path)
 *   TEXT_URL_NO_START  with SLASH: still encodes a '/' at the start or after
 *                      another '/', so the result is never a "//host" URL
 *   TEXT_URL_ATTR      keeps RFC 8187's attr-chars too (!#$&+^`|), for filename* */
enum { TEXT_URL_SLASH = 1, TEXT_URL_NO_START = 2, TEXT_URL_ATTR = 4 };
void text_url(strbuf_t *out, const char *s, size_t len, unsigned flags);

/* s as a JSON string, quotes included (RFC 8259 7): " and \ escaped, C0
 * controls and DEL as \u00XX, valid UTF-8 kept. An invalid byte becomes
 * U+FFFD, or with TEXT_JSON_LATIN1 the \u00XX of that byte read as
 * Latin-1 (a name's bytes stay recoverable). TEXT_JSON_VISIBLE also escapes
 * what text_cp_visible would replace (C1, bidi controls): output meant for a
 * terminal. Return 1 if a byte was replaced by U+FFFD, else 0. */
enum { TEXT_JSON_LATIN1 = 1, TEXT_JSON_VISIBLE = 2 };
int text_json(strbuf_t *out, const char *s, unsigned flags);

/* HTML-escape s: & < > always, " and ' with TEXT_HTML_ATTR (attribute
 * values); control characters become visible control pictures (U+2400...),
 * C1 controls, noncharacters and bidi controls U+FFFD (a character reference
 * would not help: the parser turns it back into the control); invalid UTF-8
 * U+FFFD. TEXT_HTML_MARKS turns \x02 ... \x03 (search-hit marks) into
 * balanced <mark> ... </mark>; TEXT_HTML_CELLS turns \x1f into </td><td>
 * (the cells of one table row in one value). */
enum { TEXT_HTML_ATTR = 1, TEXT_HTML_MARKS = 2, TEXT_HTML_CELLS = 4 };
void text_html(strbuf_t *out, const char *s, size_t len, unsigned flags);

#endif
