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
	/* text_json: one JSON string encoder for manifests, status and the CLI. */
	{
		static const struct { const char *in; unsigned flags; const char *out; int lossy; } js[] = {
			{ "plain", 0, "\"plain\"", 0 },
			{ "q\"b\\", 0, "\"q\\\"b\\\\\"", 0 },
			{ "tab\tesc\x1b del\x7f", 0, "\"tab\\u0009esc\\u001b del\\u007f\"", 0 },
			{ "caf\xc3\xa9", 0, "\"caf\xc3\xa9\"", 0 },
			{ "bad\xff", 0, "\"bad\xef\xbf\xbd\"", 1 },
			{ "bad\xff", TEXT_JSON_LATIN1, "\"bad\\u00ff\"", 0 },
			{ "evil\xe2\x80\xaegpj", 0, "\"evil\xe2\x80\xaegpj\"", 0 },
			{ "evil\xe2\x80\xaegpj", TEXT_JSON_VISIBLE, "\"evil\\u202egpj\"", 0 },
			{ "c1\xc2\x9b", TEXT_JSON_VISIBLE, "\"c1\\u009b\"", 0 },
		};
		for (size_t i = 0; i < sizeof(js) / sizeof(js[0]); i++) {
			strbuf_t b;
			strbuf_init(&b);
			int lossy = text_json(&b, js[i].in, js[i].flags);
			is_str(b.s, js[i].out, "text_json case %zu", i);
			is_int(lossy, js[i].lossy, "text_json case %zu: lossy", i);
			strbuf_release(&b);
		}
	}
	return unit_done();
}
