/* test_kind: plain-words names of media types, what a file page may show,
 * and the download-time wording. */
#include <string.h>

#include "base/util.h"
#include "site/kind.h"
#include "unit.h"

int
main(void)
{
	static const struct { const char *mime, *words; enum kind_show show; } cases[] = {
		{ "message/rfc822", "E-mail message", KIND_SHOW_TEXT },
		{ "application/x-tar", "Tar archive", KIND_SHOW_NONE },
		{ "application/pdf", "PDF document", KIND_SHOW_NONE },
		{ "image/jpeg", "JPEG image", KIND_SHOW_IMAGE },
		{ "IMAGE/PNG", "PNG image", KIND_SHOW_IMAGE },
		{ "text/plain; charset=utf-8", "Plain text", KIND_SHOW_TEXT },
		{ "text/csv", "Spreadsheet (CSV)", KIND_SHOW_TEXT },
		{ "image/svg+xml", "SVG drawing", KIND_SHOW_NONE },   /* a document: never an <img> */
		{ "video/mp4", "MP4 video", KIND_SHOW_VIDEO },
		{ "video/x-matroska", "Matroska video", KIND_SHOW_NONE },   /* /f/ keeps it a download */
		{ "audio/mpeg", "MP3 audio", KIND_SHOW_AUDIO },
		{ "application/x-foo", "File (application/x-foo)", KIND_SHOW_NONE },
		{ "image/x-bar", "Image (image/x-bar)", KIND_SHOW_NONE },
		{ "text/x-log", "Text (text/x-log)", KIND_SHOW_TEXT },
		{ "", "Binary file", KIND_SHOW_NONE },
		{ NULL, "Binary file", KIND_SHOW_NONE },
	};
	static const struct { long long size; const char *want; } durations[] = {
		{ 0, "a second or less" }, { 1000000, "a second or less" }, { 1000001, "about 2 seconds" },
		{ 45000000, "about 45 seconds" }, { 120000000, "about 2 minutes" },
		{ 3600000000LL, "about 60 minutes" }, { 7200000000LL, "about 2 hours" },
	};
	char b[160];

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		kind_describe(NULL, cases[i].mime, b, sizeof(b));
		is_str(b, cases[i].words, "%s", cases[i].mime ? cases[i].mime : "NULL");
		is_int(kind_show(cases[i].mime), cases[i].show, "show %s", cases[i].mime ? cases[i].mime : "NULL");
	}
	for (size_t i = 0; i < ARRAY_LEN(durations); i++) {
		kind_duration(NULL, durations[i].size, 1000000, b, sizeof(b));
		is_str(b, durations[i].want, "%lld bytes at 1 MB/s", durations[i].size);
	}
	/* A hostile type is cut, not overflowed; the page escapes it. */
	memset(b, 0, sizeof(b));
	kind_describe(NULL, "application/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    b, 40);
	is_int((long long)strlen(b), 39, "cut to the buffer");
	return unit_done();
}
