/* kind: see kind.h. One table, by exact media type; a few families fall back
 * on their top-level type so "audio/x-foo" still reads as audio. */
#include "site/kind.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

static const struct {
	const char *type, *words;
	enum kind_show show;
} kinds[] = {
	{ "application/pdf", "PDF document", KIND_SHOW_NONE },
	{ "message/rfc822", "E-mail message", KIND_SHOW_TEXT },
	{ "application/vnd.ms-outlook", "Outlook message", KIND_SHOW_NONE },
	{ "application/mbox", "Mailbox", KIND_SHOW_TEXT },
	{ "text/plain", "Plain text", KIND_SHOW_TEXT },
	{ "text/csv", "Spreadsheet (CSV)", KIND_SHOW_TEXT },
	{ "text/tab-separated-values", "Spreadsheet (TSV)", KIND_SHOW_TEXT },
	{ "text/html", "Web page (HTML)", KIND_SHOW_TEXT },
	{ "application/xhtml+xml", "Web page (XHTML)", KIND_SHOW_TEXT },
	{ "text/markdown", "Markdown text", KIND_SHOW_TEXT },
	{ "text/xml", "XML document", KIND_SHOW_TEXT },
	{ "application/xml", "XML document", KIND_SHOW_TEXT },
	{ "application/json", "JSON data", KIND_SHOW_TEXT },
	{ "text/calendar", "Calendar (iCalendar)", KIND_SHOW_TEXT },
	{ "text/vcard", "Contact card (vCard)", KIND_SHOW_TEXT },
	{ "text/x-vcard", "Contact card (vCard)", KIND_SHOW_TEXT },
	{ "application/rtf", "Rich text document (RTF)", KIND_SHOW_NONE },
	{ "application/msword", "Word document", KIND_SHOW_NONE },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document", KIND_SHOW_NONE },
	{ "application/vnd.ms-excel", "Spreadsheet (Excel)", KIND_SHOW_NONE },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Spreadsheet (Excel)", KIND_SHOW_NONE },
	{ "application/vnd.ms-powerpoint", "Presentation (PowerPoint)", KIND_SHOW_NONE },
	{ "application/vnd.openxmlformats-officedocument.presentationml.presentation", "Presentation (PowerPoint)", KIND_SHOW_NONE },
	{ "application/vnd.oasis.opendocument.text", "Text document (OpenDocument)", KIND_SHOW_NONE },
	{ "application/vnd.oasis.opendocument.spreadsheet", "Spreadsheet (OpenDocument)", KIND_SHOW_NONE },
	{ "application/vnd.oasis.opendocument.presentation", "Presentation (OpenDocument)", KIND_SHOW_NONE },
	{ "application/epub+zip", "E-book (EPUB)", KIND_SHOW_NONE },
	{ "application/zip", "Zip archive", KIND_SHOW_NONE },
	{ "application/x-tar", "Tar archive", KIND_SHOW_NONE },
	{ "application/gzip", "Gzip-compressed file", KIND_SHOW_NONE },
	{ "application/x-gzip", "Gzip-compressed file", KIND_SHOW_NONE },
	{ "application/x-bzip2", "Bzip2-compressed file", KIND_SHOW_NONE },
	{ "application/x-xz", "XZ-compressed file", KIND_SHOW_NONE },
	{ "application/x-7z-compressed", "7-Zip archive", KIND_SHOW_NONE },
	{ "application/vnd.rar", "RAR archive", KIND_SHOW_NONE },
	{ "application/x-rar-compressed", "RAR archive", KIND_SHOW_NONE },
	{ "application/vnd.sqlite3", "SQLite database", KIND_SHOW_NONE },
	{ "application/octet-stream", "Binary file", KIND_SHOW_NONE },
	{ "image/jpeg", "JPEG image", KIND_SHOW_IMAGE },
	{ "image/png", "PNG image", KIND_SHOW_IMAGE },
	{ "image/gif", "GIF image", KIND_SHOW_IMAGE },
	{ "image/webp", "WebP image", KIND_SHOW_IMAGE },
	{ "image/svg+xml", "SVG drawing", KIND_SHOW_NONE },
	{ "image/tiff", "TIFF image", KIND_SHOW_NONE },
	{ "image/bmp", "BMP image", KIND_SHOW_NONE },
	{ "image/heic", "HEIC image", KIND_SHOW_NONE },
	{ "audio/mpeg", "MP3 audio", KIND_SHOW_AUDIO },
	{ "audio/ogg", "Ogg audio", KIND_SHOW_AUDIO },
	{ "audio/opus", "Opus audio", KIND_SHOW_AUDIO },
	{ "audio/flac", "FLAC audio", KIND_SHOW_AUDIO },
	{ "audio/x-wav", "WAV audio", KIND_SHOW_AUDIO },
	{ "audio/wav", "WAV audio", KIND_SHOW_AUDIO },
	{ "audio/mp4", "MPEG-4 audio", KIND_SHOW_AUDIO },
	{ "audio/aac", "AAC audio", KIND_SHOW_AUDIO },
	{ "audio/webm", "WebM audio", KIND_SHOW_AUDIO },
	{ "video/mp4", "MP4 video", KIND_SHOW_VIDEO },
	{ "video/webm", "WebM video", KIND_SHOW_VIDEO },
	{ "video/ogg", "Ogg video", KIND_SHOW_VIDEO },
	{ "video/quicktime", "QuickTime video", KIND_SHOW_NONE },
	{ "video/x-matroska", "Matroska video", KIND_SHOW_NONE },
	{ "video/mpeg", "MPEG video", KIND_SHOW_NONE },
};

static int
find(const char *mime, size_t n)
{
	for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
		if (strlen(kinds[i].type) == n && strncasecmp(mime, kinds[i].type, n) == 0)
			return (int)i;
	return -1;
}

void
kind_describe(const char *mime, char *out, size_t outlen)
{
	size_t n;
	int i;

	if (mime == NULL || *mime == '\0')
		mime = "application/octet-stream";
	n = strcspn(mime, "; \t");
	if ((i = find(mime, n)) >= 0) {
		snprintf(out, outlen, "%s", kinds[i].words);
		return;
	}
	/* The escaping of the page applies to the type as to any other text. */
	snprintf(out, outlen, "%s (%.*s)", strncasecmp(mime, "image/", 6) == 0 ? "Image" :
	    strncasecmp(mime, "audio/", 6) == 0 ? "Audio" : strncasecmp(mime, "video/", 6) == 0 ? "Video" :
	    strncasecmp(mime, "text/", 5) == 0 ? "Text" : "File", (int)(n > 100 ? 100 : n), mime);
}

enum kind_show
kind_show(const char *mime)
{
	int i;

	if (mime == NULL)
		return KIND_SHOW_NONE;
	if ((i = find(mime, strcspn(mime, "; \t"))) >= 0)
		return kinds[i].show;
	/* Text of a type we do not know is still shown as text (the preview). */
	return strncasecmp(mime, "text/", 5) == 0 || strstr(mime, "json") || strstr(mime, "csv") ?
	    KIND_SHOW_TEXT : KIND_SHOW_NONE;
}

void
kind_duration(long long size, long long rate, char *out, size_t outlen)
{
	long long s = rate > 0 ? (size + rate - 1) / rate : 0;

	if (s <= 1)
		snprintf(out, outlen, "a second or less");
	else if (s < 90)
		snprintf(out, outlen, "about %lld seconds", s);
	else if (s < 90 * 60)
		snprintf(out, outlen, "about %lld minutes", (s + 30) / 60);
	else
		snprintf(out, outlen, "about %lld hours", (s + 1800) / 3600);
}
