/* meta_rev: a PDF's revisions' ends from the jailed parse's lines, and what
 * an earlier revision's text said that the last one's does not, on
 * well-formed and hostile text; cuts never split a character. */
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "catalogue/mime.h"
#include "docs/meta_rev.h"
#include "unit.h"

#define DOT "\xe2\x80\xa2"   /* U+2022, the mask */

static void
t_ends(void)
{
	long long e[META_PDF_REV_READ];
	const char *h = "author\tA\n" META_PDF_REV_HINT "100\n" META_PDF_REV_HINT "5000\n"
	    "x" META_PDF_REV_HINT "7\n" META_PDF_REV_HINT "12x\n" META_PDF_REV_HINT "999999999999999999999\n"
	    META_PDF_REV_HINT "200\n";

	is_int(meta_rev_ends(h, strlen(h), 1000, e), META_PDF_REV_READ, "the first 4 hint lines only");
	is_int(e[0], 100, "within the file");
	is_int(e[1], 0, "past the file's size: refused, its slot kept");
	is_int(e[2], 0, "not a plain decimal");
	is_int(e[3], 0, "too long a number");
	is_int(meta_rev_ends(META_PDF_REV_HINT "1000", strlen(META_PDF_REV_HINT "1000"), 1000, e), 1, "unterminated line read");
	is_int(e[0], 0, "the file's size itself is no earlier revision");
	h = META_PDF_REV_HINT "0\n" META_PDF_REV_HINT "-5\n";
	is_int(meta_rev_ends(h, strlen(h), 1000, e), 2, "two");
	ok(e[0] == 0 && e[1] == 0, "zero and negative refused");
	is_int(meta_rev_ends("", 0, 1000, e), 0, "none");
}

/* Run the comparison on copies (both are split in place). */
static size_t
removed(const char *last, const char *old, size_t max, strbuf_t *gone)
{
	char *l = strdup(last), *o = strdup(old);
	meta_rev_last_t s;
	size_t n;

	meta_rev_last_init(&s, l, strlen(l));
	n = meta_rev_removed(&s, o, strlen(o), max, gone);
	meta_rev_last_free(&s);
	free(l);
	free(o);
	return n;
}

static void
t_removed(void)
{
	strbuf_t g;
	char big[700];

	strbuf_init(&g);
	is_int(removed("Meeting at the depot\n\fPage 2\n", "  Informant Jon Doe\t\nMeeting at the depot\r\n\n\fPage 2", 200, &g), 1,
	    "one line gone");
	is_str(g.s, "Informant Jon Doe", "blanks trimmed, the shared lines not reported");
	strbuf_reset(&g);
	is_int(removed("a\nb\n", "a\nb", 200, &g), 0, "the same text: nothing");
	is_int(g.len, 0, "nothing appended");
	is_int(removed("", "one\ntwo\n", 200, &g), 2, "an empty last text: every line gone");
	is_str(g.s, "one | two", "joined");
	strbuf_reset(&g);
	is_int(removed("x", "one\ntwo\nthree\n", 8, &g), 3, "counted past the cut");
	is_str(g.s, "one | tw", "cut at max bytes");
	strbuf_reset(&g);
	/* An earlier attempt cut the reported text inside a character: 2-byte
	 * characters, an odd room. */
	for (size_t i = 0; i < 300; i += 2)
		memcpy(big + i, "\xc3\x9c", 2);   /* Ü */
	big[300] = '\0';
	removed("x", big, 153, &g);
	is_int(g.len, 152, "cut before the character that does not fit");
	ok(mime_is_utf8((const unsigned char *)g.s, g.len), "valid UTF-8");
	strbuf_reset(&g);
	/* 4-byte characters after a separator, every room from 0 to 20. */
	for (size_t max = 0; max <= 20; max++) {
		strbuf_reset(&g);
		removed("x", "ab\n\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\n", max, &g);
		ok(g.len <= max && mime_is_utf8((const unsigned char *)(g.s ? g.s : ""), g.len), "room %zu: %zu bytes",
		    max, g.len);
	}
	/* Not UTF-8, controls, a NUL inside a line: valid UTF-8 out, no control. */
	strbuf_reset(&g);
	{
		char o[] = "\xff\xfe bad\x01\x7f\nok\0hidden\n";
		char *oc = malloc(sizeof(o));
		meta_rev_last_t s;
		char l[] = "";
		memcpy(oc, o, sizeof(o));
		meta_rev_last_init(&s, l, 0);
		is_int(meta_rev_removed(&s, oc, sizeof(o) - 1, 200, &g), 2, "two lines");
		ok(g.s && mime_is_utf8((const unsigned char *)g.s, g.len) && !memchr(g.s, '\x01', g.len), "made UTF-8: %s",
		    g.s ? g.s : "");
		meta_rev_last_free(&s);
		free(oc);
	}
	/* Personal data in the removed text: masked as the review's own
	 * findings mask it, the words around it kept. */
	strbuf_reset(&g);
	is_int(removed("Meeting\n", "Pay 4111 1111 1111 1111 to jon.doe@example.org\nSSN 078-05-1120\nMeeting\n", 200, &g), 2,
	    "two lines with personal data");
	ok(g.s && !strstr(g.s, "4111") && !strstr(g.s, "jon.doe") && !strstr(g.s, "078-05") &&
	    strstr(g.s, "Pay " DOT DOT DOT DOT " ") && strstr(g.s, " " DOT DOT "11 to ") &&
	    strstr(g.s, "| SSN " DOT), "masked, the last two kept: %s", g.s ? g.s : "");
	ok(g.s && mime_is_utf8((const unsigned char *)g.s, g.len), "valid UTF-8");
	/* A finding across the cut is masked too. */
	strbuf_reset(&g);
	removed("x", "aaaaaaaaaa 4111 1111 1111 1111\n", 16, &g);
	ok(g.s && !strstr(g.s, "41"), "cut inside a finding: masked (%s)", g.s ? g.s : "");
	/* Many lines, all shared: linear, nothing reported. */
	{
		strbuf_t a;
		strbuf_init(&a);
		for (int i = 0; i < 100000; i++)
			strbuf_addf(&a, "line %d\n", i);
		strbuf_reset(&g);
		is_int(removed(a.s, a.s, 200, &g), 0, "100,000 shared lines");
		strbuf_release(&a);
	}
	strbuf_release(&g);
}

static void
t_cut(void)
{
	is_int(text_utf8_cut("abc", 3, 5), 3, "fits");
	is_int(text_utf8_cut("a\xc3\x9c", 3, 2), 1, "inside a 2-byte character");
	is_int(text_utf8_cut("\xf0\x9f\x98\x80z", 5, 3), 0, "inside a 4-byte one");
	is_int(text_utf8_cut("\xf0\x9f\x98\x80z", 5, 4), 4, "after it");
	is_int(text_utf8_cut("\x80\x80\x80\x80\x80", 5, 4), 4, "stray continuation bytes: at most 3 backed over");
}

int
main(int argc, char **argv)
{
	static const unit_case_t cases[] = { UNIT_CASE(t_ends), UNIT_CASE(t_removed), UNIT_CASE(t_cut),
		UNIT_CASES_END };
	return unit_main(cases, argc, argv);
}
