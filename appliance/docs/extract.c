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
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "docs/extract_int.h"

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
	if ((dot && strcasecmp(dot, ".msg") == 0) || strcmp(mime, "application/vnd.ms-outlook") == 0)
		return EXTRACT_MSG;
	if ((dot && strcasecmp(dot, ".rtf") == 0) || strcmp(mime, "application/rtf") == 0 ||
	    strcmp(mime, "text/rtf") == 0)
		return EXTRACT_RTF;
	if (strcmp(mime, "message/rfc822") == 0)
		return EXTRACT_EML;
	/* Office 97-2003: by name first (many type databases call all three
	 * application/x-ole-storage or application/CDFV2). */
	if (dot && (strcasecmp(dot, ".doc") == 0 || strcasecmp(dot, ".dot") == 0))
		return EXTRACT_DOC;
	if (dot && (strcasecmp(dot, ".xls") == 0 || strcasecmp(dot, ".xlt") == 0))
		return EXTRACT_XLS;
	if (dot && (strcasecmp(dot, ".ppt") == 0 || strcasecmp(dot, ".pps") == 0 || strcasecmp(dot, ".pot") == 0))
		return EXTRACT_PPT;
	if (strcmp(mime, "application/msword") == 0)
		return EXTRACT_DOC;
	if (strcmp(mime, "application/vnd.ms-excel") == 0)
		return EXTRACT_XLS;
	if (strcmp(mime, "application/vnd.ms-powerpoint") == 0)
		return EXTRACT_PPT;
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

/* --- reading a document from its descriptor (inside the jail) --- */

/* Read up to max bytes of fd into a buffer sized to the file (most are
 * small, and a large buffer per document is an mmap and munmap each time);
 * *full: the buffer filled up (the file may go on). NULL on a read error. */
static char *
read_upto(int fd, size_t max, size_t *len, int *full)
{
	struct stat st;
	size_t want = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < max ?
	    (size_t)st.st_size + 1 : max;
	char *buf = xmalloc(want);
	size_t n = 0;

	while (n < want) {
		ssize_t r = read(fd, buf + n, want - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	*full = n == want;
	return buf;
}

/* A message (EML or MSG) in buf: its text, then its attachments' records
 * (want < 0), or only the bytes of attachment number want (into out). */
static int
message(enum extract_kind kind, const char *buf, size_t n, strbuf_t *out, char **title, int want,
    int any, int *found)
{
	struct extract_att a;
	strbuf_t text;
	int rc = 0;

	memset(&a, 0, sizeof(a));
	strbuf_init(&a.recs);
	strbuf_init(&a.list);
	strbuf_init(&text);
	a.want = want;
	a.want_any = any;
	a.raw = out;
	if (kind == EXTRACT_EML)
		extract_eml_att_(buf, n, want < 0 ? out : &text, title, &a, "");
	else
		rc = extract_msg_att_(buf, n, want < 0 ? out : &text, title, &a, "");
	if (want < 0 && a.recs.len)
		strbuf_add(out, a.recs.s, a.recs.len);
	if (want < 0 && a.list.len) {
		/* The listing last, after a NUL, which neither text nor records hold. */
		strbuf_addc(out, '\0');
		strbuf_add(out, a.list.s, a.list.len);
	}
	strbuf_release(&a.recs);
	strbuf_release(&a.list);
	strbuf_release(&text);
	if (found)
		*found = a.found;
	return rc;
}

int
extract_fd(int fd, strbuf_t *out, char **title, void *arg)
{
	enum extract_kind kind = *(const enum extract_kind *)arg;
	int message_kind = kind == EXTRACT_EML || kind == EXTRACT_MSG, full, rc = 0;
	size_t n;
	char *buf;

	if (kind == EXTRACT_OFFICE)
		return extract_office_fd(fd, out, title);
	if (kind == EXTRACT_ARCHIVE) {
		strbuf_addc(out, '\0');   /* no text, only the listing */
		return extract_archive_fd(fd, out);
	}
	/* A message is read whole (up to a bound): its attachments are in it;
	 * so is a compound file (its directory may be anywhere). */
	if (kind == EXTRACT_DOC || kind == EXTRACT_XLS || kind == EXTRACT_PPT) {
		buf = read_upto(fd, (size_t)EXTRACT_OLE_MAX, &n, &full);
		if (buf == NULL)
			return -1;
		if (full || !extract_ole_sane(buf, n))
			rc = -1;
		else if (kind == EXTRACT_PPT)
			rc = extract_ppt(buf, n, out, title);
		/* .doc and .xls: only checked here, before their tool reads them */
		free(buf);
		return rc;
	}
	buf = read_upto(fd, message_kind ? (size_t)EXTRACT_MSG_MAX : EXTRACT_INPUT_MAX, &n, &full);
	if (buf == NULL)
		return -1;
	if (kind == EXTRACT_MSG && full) {
		free(buf);
		return -1;      /* larger than EXTRACT_MSG_MAX: its directory may be anywhere */
	}
	if (n >= 2 && (kind == EXTRACT_HTML || kind == EXTRACT_EML) &&
	    (((unsigned char)buf[0] == 0xff && (unsigned char)buf[1] == 0xfe) ||
	    ((unsigned char)buf[0] == 0xfe && (unsigned char)buf[1] == 0xff))) {
		/* A UTF-16 page or message: its parser reads the UTF-8 of it. */
		strbuf_t u;
		strbuf_init(&u);
		extract_text(&u, buf, n, full);
		free(buf);
		n = u.len;
		buf = u.s ? strbuf_detach(&u) : xstrdup("");
	}
	switch (kind) {
	case EXTRACT_PLAIN:
		extract_text(out, buf, n, full);
		break;
	case EXTRACT_HTML:
		extract_html(buf, n, out, title);
		break;
	case EXTRACT_EML:
	case EXTRACT_MSG:
		rc = message(kind, buf, n, out, title, -1, 0, NULL);
		break;
	default:
		break;
	}
	free(buf);
	return rc;
}

int
extract_msg(const void *p, size_t n, strbuf_t *out, char **title)
{
	return message(EXTRACT_MSG, p, n, out, title, -1, 0, NULL);
}

int
extract_attachment_fd(int fd, strbuf_t *out, char **title, void *arg)
{
	const struct extract_att_req *rq = arg;
	size_t n;
	int full, rc, found = 0;
	char *buf;

	(void)title;
	if ((rq->kind != EXTRACT_EML && rq->kind != EXTRACT_MSG) || rq->index < 0)
		return -1;
	if ((buf = read_upto(fd, (size_t)EXTRACT_MSG_MAX, &n, &full)) == NULL)
		return -1;
	rc = rq->kind == EXTRACT_MSG && full ? -1 :
	    message(rq->kind, buf, n, out, NULL, rq->index, rq->any, &found);
	free(buf);
	if (rc == 0 && rq->any)
		rc = found && out->len <= (size_t)EXTRACT_ATTACH_BYTES ? 0 : -1;
	else if (rc == 0 && (out->len == 0 || out->len > EXTRACT_ATTACH_RAW_MAX))
		rc = -1;        /* not a tool's attachment, or too large to hand over */
	return rc;
}

/* --- the caller's side --- */

void
extract_parts_clear(extract_parts_t *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].title);
		free(p->v[i].unread);
		strbuf_release(&p->v[i].text);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* Split a message's answer: its text before the first record, then one part
 * per record (at most EXTRACT_ATTACH_MAX, whatever the worker sent). */
static void
split_parts(docjail_t *j, const extract_tools_t *t, enum extract_kind kind, int fd, const char *s,
    size_t n, extract_parts_t *parts)
{
	const char *end = s + n, *rec = memchr(s, EXTRACT_REC, n);

	while (rec && parts && parts->n < EXTRACT_ATTACH_MAX) {
		const char *name = rec + 1, *sep = memchr(name, EXTRACT_REC_SEP, (size_t)(end - name)), *body;
		const char *next;
		extract_part_t *p;
		char k;
		long idx;
		char *num_end;

		if (sep == NULL || end - sep < 3)
			break;
		k = sep[1];
		idx = strtol(sep + 2, &num_end, 10);
		if (num_end >= end || *num_end != EXTRACT_REC_SEP || idx < 0 || idx >= EXTRACT_ATTACH_MAX)
			break;
		body = num_end + 1;
		next = memchr(body, EXTRACT_REC, (size_t)(end - body));
		parts->v = xrealloc(parts->v, (parts->n + 1) * sizeof(*parts->v));
		p = &parts->v[parts->n++];
		memset(p, 0, sizeof(*p));
		strbuf_init(&p->text);
		{
			strbuf_t nb;
			size_t nl = (size_t)(sep - name);
			strbuf_init(&nb);
			extract_utf8(&nb, name, nl < EXTRACT_PART_NAME_MAX * 2 ? nl : EXTRACT_PART_NAME_MAX * 2);
			p->name = nb.s ? strbuf_detach(&nb) : xstrdup("attachment");
		}
		if (k == 'T') {
			extract_utf8(&p->text, body, (size_t)((next ? next : end) - body));
		} else if (k == 'P' || k == 'R') {
			/* Its bytes, fetched by a jailed parser, then to its tool. */
			struct extract_att_req rq = { kind, (int)idx, 0 };
			enum docjail_result r;
			strbuf_t bytes, why;
			strbuf_init(&bytes);
			strbuf_init(&why);
			r = docjail_parse(j, fd, extract_attachment_fd, &rq, sizeof(rq), &bytes, NULL, &why);
			if (r == DOCJAIL_OK) {
				int afd = extract_memfd_(bytes.s ? bytes.s : "", bytes.len);
				strbuf_reset(&why);
				r = afd < 0 ? DOCJAIL_NO_START : extract_tool_text_(j, t, k == 'P' ? EXTRACT_PDF : EXTRACT_RTF,
				    afd, &p->text, &p->title, NULL, &why);
				if (afd >= 0)
					close(afd);
			}
			if (r != DOCJAIL_OK)
				p->unread = xstrdup(why.len ? why.s : docjail_result_name(r));
			strbuf_release(&bytes);
			strbuf_release(&why);
		}
		rec = next;
	}
}

/* Whether the text kept (kept[0..n), page separators in it) was cut: the
 * extractors stop at the cap, so reaching it is being cut, unless the whole
 * text's length (len, -1 unknown) shows it all kept. */
static void
whole_of(const char *kept, size_t n, int64_t len, extract_whole_t *w)
{
	size_t seps = 0;

	for (const char *p = kept; n > 0 && (p = memmem(p, n - (size_t)(p - kept), EXTRACT_PAGE_SEP, 3)) != NULL; p += 3)
		seps++;
	w->len = len;
	w->cut = n + 4 >= EXTRACT_TEXT_MAX && (len < 0 || (int64_t)(n - 3 * seps) < len);
}

enum docjail_result
extract_document(docjail_t *j, const extract_tools_t *t, enum extract_kind kind, int fd, strbuf_t *out,
    char **title, extract_parts_t *parts, extract_whole_t *whole, strbuf_t *why)
{
	strbuf_t raw;
	char *tt = NULL;
	enum docjail_result r;
	size_t start = out->len;
	int64_t len = -1;

	if (whole)
		*whole = (extract_whole_t){ 0, -1 };
	if (kind == EXTRACT_NONE)
		return DOCJAIL_OK;
	if (kind == EXTRACT_PDF || kind == EXTRACT_RTF || kind == EXTRACT_DOC || kind == EXTRACT_XLS) {
		r = extract_tool_text_(j, t, kind, fd, out, title, &len, why);
		if (r == DOCJAIL_OK && whole)
			whole_of(out->s + start, out->len - start, len, whole);
		return r;
	}
	strbuf_init(&raw);
	r = docjail_parse(j, fd, extract_fd, &kind, sizeof(kind), &raw, &tt, why);
	if (r == DOCJAIL_OK) {
		/* What comes back is as untrusted as what went in: valid UTF-8, no
		 * control bytes, within the cap, whatever the child sent.
		 * A message's answer is its text, its records, then a NUL and its
		 * listing; an archive's a NUL and its listing. */
		const char *s = raw.s ? raw.s : "", *nul = memchr(s, '\0', raw.len);
		size_t body_len = nul ? (size_t)(nul - s) : raw.len;
		int message_kind = kind == EXTRACT_EML || kind == EXTRACT_MSG;
		const char *rec = message_kind ? memchr(s, EXTRACT_REC, body_len) : NULL;
		size_t text_len = rec ? (size_t)(rec - s) : body_len;
		if (message_kind || kind == EXTRACT_ARCHIVE) {
			strbuf_t joined;
			strbuf_init(&joined);
			strbuf_add(&joined, s, text_len);
			if (nul)
				strbuf_add(&joined, nul, raw.len - body_len);
			extract_join_listing(out, joined.s ? joined.s : "", joined.len);
			strbuf_release(&joined);
		} else {
			extract_utf8(out, s, raw.len);
		}
		if (whole)
			whole_of(out->s + start, out->len - start, -1, whole);
		if (rec)
			split_parts(j, t, kind, fd, rec, body_len - text_len, parts);
		if (tt && title) {
			strbuf_t tb;
			strbuf_init(&tb);
			extract_utf8(&tb, tt, strlen(tt) < EXTRACT_TITLE_MAX ? strlen(tt) : EXTRACT_TITLE_MAX);
			free(*title);
			*title = strbuf_detach(&tb);
		}
	}
	free(tt);
	strbuf_release(&raw);
	return r;
}

enum docjail_result
extract_jailed(docjail_t *j, const char *pdftotext, enum extract_kind kind, int fd, strbuf_t *out,
    char **title, strbuf_t *why)
{
	extract_tools_t t = { .pdftotext = pdftotext };

	return extract_document(j, &t, kind, fd, out, title, NULL, NULL, why);
}
