/* util: the one rule for untrusted names on a terminal (text_term_escape) and
 * in what readers see (text_cp_visible). */
#include <stdlib.h>

#include "unit.h"
#include "base/util.h"
#include "base/text.h"

static char *
term(const char *s)
{
	strbuf_t b;
	strbuf_init(&b);
	text_term_escape(&b, s, strlen(s));
	strbuf_adds(&b, "");
	return strbuf_detach(&b);
}

int
main(void)
{
	static const struct { const char *in, *out, *what; } cases[] = {
		{ "plain name.txt", "plain name.txt", "printable ASCII as is" },
		{ "r\xc3\xa9sum\xc3\xa9 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d.pdf", "r\xc3\xa9sum\xc3\xa9 \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d.pdf",
		  "printable UTF-8 (right-to-left too) as is" },
		{ "a\x1b[2Jb", "a\\x1b[2Jb", "ESC" },
		{ "a\rb\nc\td\x7f", "a\\x0db\\x0ac\\x09d\\x7f", "CR, LF, tab, DEL" },
		{ "back\\slash", "back\\x5cslash", "a backslash, so escapes stay unambiguous" },
		{ "evil\xe2\x80\xaegpj.exe", "evil\\xe2\\x80\\xaegpj.exe", "a bidi override, every byte" },
		{ "x\xe2\x81\xa7y", "x\\xe2\\x81\\xa7y", "a bidi isolate" },
		{ "x\xc2\x9b" "31m", "x\\xc2\\x9b31m", "C1 CSI" },
		{ "x\xff\xc3y", "x\\xff\\xc3y", "invalid UTF-8 bytes" },
		{ "x\xef\xbf\xbdy", "x\xef\xbf\xbdy", "a real U+FFFD as is" },
		{ "x\xe2\x80\x8by", "x\xe2\x80\x8by", "zero-width space as is" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = term(cases[i].in);
		is_str(got, cases[i].out, "%s", cases[i].what);
		free(got);
	}
	is_int(text_cp_visible(0x1b), 0x241b, "ESC shows as a control picture");
	is_int(text_cp_visible(0x7f), 0x2421, "DEL too");
	is_int(text_cp_visible(0x202e), 0xfffd, "RLO replaced");
	is_int(text_cp_visible(0x2066), 0xfffd, "LRI replaced");
	is_int(text_cp_visible(0x9b), 0xfffd, "C1 replaced");
	is_int(text_cp_visible(0x1fffe), 0xfffd, "noncharacter replaced");
	is_int(text_cp_visible(0x5d0), 0x5d0, "Hebrew kept");
	return unit_done();
}
