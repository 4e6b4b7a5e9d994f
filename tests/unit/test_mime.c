/* test_mime: types by name from the real /etc/mime.types, and content sniffing. */
#include <string.h>

#include "catalogue/mime.h"
#include "unit.h"
#include "base/util.h"

int
main(void)
{
	static const struct { const char *name; const char *head; size_t n; const char *type; } cases[] = {
		{ "a.csv", "x,y", 3, "text/csv" },
		{ "A.CSV", "x,y", 3, "text/csv" },
		{ "page.html", "", 0, "text/html" },
		{ "doc.pdf", "", 0, "application/pdf" },
		{ "pic.png", "", 0, "image/png" },
		{ "notes.txt", "", 0, "text/plain" },
		{ "data.json", "{}", 2, "application/json" },
		{ "mail.eml", "", 0, "message/rfc822" },
		{ "noext", "%PDF-1.4\n", 9, "application/pdf" },
		{ "noext", "\x89PNG\r\n\x1a\n", 8, "image/png" },
		{ "noext", "  <!DOCTYPE html><html>", 23, "text/html" },
		{ "noext", "Received: from x\n", 17, "message/rfc822" },
		{ "noext", "plain words\n", 12, "text/plain" },
		{ "noext", "\x00\x01\x02\x03", 4, "application/octet-stream" },
		{ "README", "caf\xc3\xa9", 5, "text/plain" },
		{ ".hidden", "", 0, "application/octet-stream" },
		{ "trailingdot.", "", 0, "application/octet-stream" },
		{ "x.unknownext", "\xff\xfe\x00", 3, "application/octet-stream" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		const char *t = mime_detect(cases[i].name, (const unsigned char *)cases[i].head, cases[i].n);
		ok(strcmp(t, cases[i].type) == 0, "%s: got %s, want %s", cases[i].name, t, cases[i].type);
	}
	ok(mime_is_utf8((const unsigned char *)"caf\xc3", 4), "truncated last character counts as UTF-8");
	ok(!mime_is_utf8((const unsigned char *)"\xff", 1), "0xff is not UTF-8");
	ok(mime_from_name("x.tar.gz") != NULL, "last extension wins");
	ok(mime_from_name("Note.MSG") && strcmp(mime_from_name("Note.MSG"), "application/vnd.ms-outlook") == 0,
	    "Outlook .msg though the table lacks it");
	return unit_done();
}
