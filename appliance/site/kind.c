/* kind: see kind.h. One table, by exact media type; a few families fall back
 * on their top-level type so "audio/x-foo" still reads as audio. */
#include "site/kind.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"
#include "site/i18n.h"

static const struct {
	const char *type, *words;
	enum kind_show show;
} kinds[] = {
	{ "application/pdf", N_("PDF document"), KIND_SHOW_NONE },
	{ "message/rfc822", N_("E-mail message"), KIND_SHOW_TEXT },
	{ "application/vnd.ms-outlook", N_("Outlook message"), KIND_SHOW_NONE },
	{ "application/mbox", N_("Mailbox"), KIND_SHOW_TEXT },
	{ "text/plain", N_("Plain text"), KIND_SHOW_TEXT },
	{ "text/csv", N_("Spreadsheet (CSV)"), KIND_SHOW_TEXT },
	{ "text/tab-separated-values", N_("Spreadsheet (TSV)"), KIND_SHOW_TEXT },
	{ "text/html", N_("Web page (HTML)"), KIND_SHOW_TEXT },
	{ "application/xhtml+xml", N_("Web page (XHTML)"), KIND_SHOW_TEXT },
	{ "text/markdown", N_("Markdown text"), KIND_SHOW_TEXT },
	{ "text/xml", N_("XML document"), KIND_SHOW_TEXT },
	{ "application/xml", N_("XML document"), KIND_SHOW_TEXT },
	{ "application/json", N_("JSON data"), KIND_SHOW_TEXT },
	{ "text/calendar", N_("Calendar (iCalendar)"), KIND_SHOW_TEXT },
	{ "text/vcard", N_("Contact card (vCard)"), KIND_SHOW_TEXT },
	{ "text/x-vcard", N_("Contact card (vCard)"), KIND_SHOW_TEXT },
	{ "application/rtf", N_("Rich text document (RTF)"), KIND_SHOW_NONE },
	{ "application/msword", N_("Word document"), KIND_SHOW_NONE },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", N_("Word document"), KIND_SHOW_NONE },
	{ "application/vnd.ms-excel", N_("Spreadsheet (Excel)"), KIND_SHOW_NONE },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", N_("Spreadsheet (Excel)"), KIND_SHOW_NONE },
	{ "application/vnd.ms-powerpoint", N_("Presentation (PowerPoint)"), KIND_SHOW_NONE },
	{ "application/vnd.openxmlformats-officedocument.presentationml.presentation", N_("Presentation (PowerPoint)"), KIND_SHOW_NONE },
	{ "application/vnd.oasis.opendocument.text", N_("Text document (OpenDocument)"), KIND_SHOW_NONE },
	{ "application/vnd.oasis.opendocument.spreadsheet", N_("Spreadsheet (OpenDocument)"), KIND_SHOW_NONE },
	{ "application/vnd.oasis.opendocument.presentation", N_("Presentation (OpenDocument)"), KIND_SHOW_NONE },
	{ "application/epub+zip", N_("E-book (EPUB)"), KIND_SHOW_NONE },
	{ "application/zip", N_("Zip archive"), KIND_SHOW_NONE },
	{ "application/x-tar", N_("Tar archive"), KIND_SHOW_NONE },
	{ "application/gzip", N_("Gzip-compressed file"), KIND_SHOW_NONE },
	{ "application/x-gzip", N_("Gzip-compressed file"), KIND_SHOW_NONE },
	{ "application/x-bzip2", N_("Bzip2-compressed file"), KIND_SHOW_NONE },
	{ "application/x-xz", N_("XZ-compressed file"), KIND_SHOW_NONE },
	{ "application/x-7z-compressed", N_("7-Zip archive"), KIND_SHOW_NONE },
	{ "application/vnd.rar", N_("RAR archive"), KIND_SHOW_NONE },
	{ "application/x-rar-compressed", N_("RAR archive"), KIND_SHOW_NONE },
	{ "application/vnd.sqlite3", N_("SQLite database"), KIND_SHOW_NONE },
	{ "application/octet-stream", N_("Binary file"), KIND_SHOW_NONE },
	{ "image/jpeg", N_("JPEG image"), KIND_SHOW_IMAGE },
	{ "image/png", N_("PNG image"), KIND_SHOW_IMAGE },
	{ "image/gif", N_("GIF image"), KIND_SHOW_IMAGE },
	{ "image/webp", N_("WebP image"), KIND_SHOW_IMAGE },
	{ "image/svg+xml", N_("SVG drawing"), KIND_SHOW_NONE },
	{ "image/tiff", N_("TIFF image"), KIND_SHOW_NONE },
	{ "image/bmp", N_("BMP image"), KIND_SHOW_NONE },
	{ "image/heic", N_("HEIC image"), KIND_SHOW_NONE },
	{ "audio/mpeg", N_("MP3 audio"), KIND_SHOW_AUDIO },
	{ "audio/ogg", N_("Ogg audio"), KIND_SHOW_AUDIO },
	{ "audio/opus", N_("Opus audio"), KIND_SHOW_AUDIO },
	{ "audio/flac", N_("FLAC audio"), KIND_SHOW_AUDIO },
	{ "audio/x-wav", N_("WAV audio"), KIND_SHOW_AUDIO },
	{ "audio/wav", N_("WAV audio"), KIND_SHOW_AUDIO },
	{ "audio/mp4", N_("MPEG-4 audio"), KIND_SHOW_AUDIO },
	{ "audio/aac", N_("AAC audio"), KIND_SHOW_AUDIO },
	{ "audio/webm", N_("WebM audio"), KIND_SHOW_AUDIO },
	{ "video/mp4", N_("MP4 video"), KIND_SHOW_VIDEO },
	{ "video/webm", N_("WebM video"), KIND_SHOW_VIDEO },
	{ "video/ogg", N_("Ogg video"), KIND_SHOW_VIDEO },
	{ "video/quicktime", N_("QuickTime video"), KIND_SHOW_NONE },
	{ "video/x-matroska", N_("Matroska video"), KIND_SHOW_NONE },
	{ "video/mpeg", N_("MPEG video"), KIND_SHOW_NONE },
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
kind_describe(const i18n_lang_t *l, const char *mime, char *out, size_t outlen)
{
	size_t n;
	int i;
	strbuf_t b;

	if (mime == NULL || *mime == '\0')
		mime = "application/octet-stream";
	n = strcspn(mime, "; \t");
	if ((i = find(mime, n)) >= 0) {
		snprintf(out, outlen, "%s", i18n_tr(l, kinds[i].words));
		return;
	}
	/* The escaping of the page applies to the type as to any other text. */
	char type[104];
	snprintf(type, sizeof(type), "%.*s", (int)(n > 100 ? 100 : n), mime);
	strbuf_init(&b);
	i18n_subst(&b, i18n_tr(l, strncasecmp(mime, "image/", 6) == 0 ? N_("Image ({type})") :
	    strncasecmp(mime, "audio/", 6) == 0 ? N_("Audio ({type})") :
	    strncasecmp(mime, "video/", 6) == 0 ? N_("Video ({type})") :
	    strncasecmp(mime, "text/", 5) == 0 ? N_("Text ({type})") : N_("File ({type})")),
	    "type", type, (const char *)NULL);
	snprintf(out, outlen, "%s", b.s);
	strbuf_release(&b);
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
kind_duration(const i18n_lang_t *l, long long size, long long rate, char *out, size_t outlen)
{
	long long s = rate > 0 ? (size + rate - 1) / rate : 0, n;
	const char *msg;
	strbuf_t b, num;

	if (s <= 1) {
		snprintf(out, outlen, "%s", i18n_tr(l, N_("a second or less")));
		return;
	}
	if (s < 90) {
		n = s;
		msg = i18n_ntr(l, "about {n} second", "about {n} seconds", n);
	} else if (s < 90 * 60) {
		n = (s + 30) / 60;
		msg = i18n_ntr(l, "about {n} minute", "about {n} minutes", n);
	} else {
		n = (s + 1800) / 3600;
		msg = i18n_ntr(l, "about {n} hour", "about {n} hours", n);
	}
	strbuf_init(&b);
	strbuf_init(&num);
	i18n_number(l, &num, n);
	i18n_subst(&b, msg, "n", num.s, (const char *)NULL);
	snprintf(out, outlen, "%s", b.s);
	strbuf_release(&num);
	strbuf_release(&b);
}
