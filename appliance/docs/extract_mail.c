/* extract_mail: mail messages (.eml) and the attachments of any message.
 * A message's text is its headers and its text parts; each attachment (a
 * text, HTML, PDF, RTF or office file, or another message) becomes a record
 * after it (extract_int.h), bounded in number, nesting and decoded bytes by
 * EXTRACT_ATTACH_*. Everything here reads attacker-chosen bytes inside the
 * document jail: every loop is bounded by the input's length. */
#include "docs/extract_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static void
decode_base64(const char *p, size_t n, strbuf_t *out)
{
	unsigned acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)p[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			strbuf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
}

static void
decode_qp(const char *p, size_t n, int header, strbuf_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=' && i + 2 < n + 0 && isxdigit((unsigned char)p[i + 1]) && isxdigit((unsigned char)p[i + 2])) {
			char hx[3] = { p[i + 1], p[i + 2], 0 };
			strbuf_addc(out, (char)strtol(hx, NULL, 16));
			i += 2;
		} else if (p[i] == '=' && i + 1 < n && (p[i + 1] == '\n' || p[i + 1] == '\r')) {
			i++;    /* soft line break */
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
		} else if (header && p[i] == '_') {
			strbuf_addc(out, ' ');
		} else {
			strbuf_add(out, p + i, 1);
		}
	}
}

/* Decode RFC 2047 encoded words (=?charset?B|Q?text?=) in a header value. */
static void
header_decode(const char *p, size_t n, strbuf_t *out)
{
	strbuf_t raw;

	strbuf_init(&raw);
	for (size_t i = 0; i < n;) {
		const char *q1, *q2, *end;
		if (i + 1 < n && p[i] == '=' && p[i + 1] == '?' &&
		    (q1 = memchr(p + i + 2, '?', n - i - 2)) != NULL && (size_t)(q1 - p) + 3 < n && q1[2] == '?' &&
		    (end = memmem(q1 + 3, n - (size_t)(q1 + 3 - p), "?=", 2)) != NULL) {
			q2 = q1 + 3;
			if (q1[1] == 'B' || q1[1] == 'b')
				decode_base64(q2, (size_t)(end - q2), &raw);
			else
				decode_qp(q2, (size_t)(end - q2), 1, &raw);
			i = (size_t)(end - p) + 2;
			/* Whitespace between two encoded words is not part of the text. */
			size_t k = i;
			while (k < n && isspace((unsigned char)p[k]))
				k++;
			if (k + 1 < n && p[k] == '=' && p[k + 1] == '?')
				i = k;
			continue;
		}
		strbuf_add(&raw, p + i, 1);
		i++;
	}
	extract_utf8(out, raw.s ? raw.s : "", raw.len);
	strbuf_release(&raw);
}

struct part {
	const char *body;
	size_t body_len;
	char ctype[128], boundary[128], encoding[32];
	char name[256];         /* the attachment's file name, as written (RFC 2047 encoded perhaps) */
	int is_attachment;
};

/* Find a header's unfolded value in a header block; return its length, 0 if absent. */
static size_t
header_get(const char *h, size_t n, const char *name, strbuf_t *val)
{
	size_t len = strlen(name);

	strbuf_reset(val);
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(h + i, '\n', n - i);
		size_t line_end = nl ? (size_t)(nl - h) : n;
		if (line_end - i > len && strncasecmp(h + i, name, len) == 0 && h[i + len] == ':') {
			size_t s = i + len + 1;
			for (;;) {
				size_t e = line_end;
				if (e > s && h[e - 1] == '\r')
					e--;
				while (s < e && isspace((unsigned char)h[s]))
					s++;
				if (val->len)
					strbuf_addc(val, ' ');
				strbuf_add(val, h + s, e - s);
				if (line_end >= n || line_end + 1 >= n || (h[line_end + 1] != ' ' && h[line_end + 1] != '\t'))
					break;
				s = line_end + 1;
				nl = memchr(h + s, '\n', n - s);
				line_end = nl ? (size_t)(nl - h) : n;
			}
			return val->len ? val->len : 1;
		}
		i = line_end + 1;
	}
	return 0;
}

/* Copy parameter `name` (e.g. boundary) of a header value into out. */
static void
header_param(const char *v, const char *name, char *out, size_t outlen)
{
	size_t len = strlen(name);

	out[0] = '\0';
	for (const char *p = v; (p = strcasestr(p, name)) != NULL; p += len) {
		const char *s = p + len;
		size_t k = 0;
		if (p > v && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
			continue;
		while (*s == ' ')
			s++;
		if (*s != '=')
			continue;
		s++;
		while (*s == ' ')
			s++;
		if (*s == '"') {
			s++;
			while (*s && *s != '"' && k + 1 < outlen)
				out[k++] = *s++;
		} else {
			while (*s && *s != ';' && !isspace((unsigned char)*s) && k + 1 < outlen)
				out[k++] = *s++;
		}
		out[k] = '\0';
		return;
	}
}

/* An RFC 2231 parameter (filename*=utf-8''budget%20plan.pdf) into out, its
 * charset and language dropped and %XX decoded. */
static void
param_2231(const char *v, const char *name, char *out, size_t outlen)
{
	char raw[256];
	const char *s;
	size_t k = 0;

	header_param(v, name, raw, sizeof(raw));
	s = strchr(raw, '\'');
	s = s ? strchr(s + 1, '\'') : NULL;
	s = s ? s + 1 : raw;
	for (; *s && k + 1 < outlen; s++) {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
			char hx[3] = { s[1], s[2], 0 };
			out[k++] = (char)strtol(hx, NULL, 16);
			s += 2;
		} else {
			out[k++] = *s;
		}
	}
	out[k] = '\0';
}

/* Split a message or part into headers and body and read what we need from them. */
static void
part_parse(const char *p, size_t n, struct part *pt, strbuf_t *tmp)
{
	const char *sep = memmem(p, n, "\n\n", 2), *sep2 = memmem(p, n, "\r\n\r\n", 4);
	size_t hlen;

	memset(pt, 0, sizeof(*pt));
	if (n > 0 && p[0] == '\n') {            /* no headers: the body starts at once */
		hlen = 0;
		pt->body = p + 1;
	} else if (n > 1 && p[0] == '\r' && p[1] == '\n') {
		hlen = 0;
		pt->body = p + 2;
	} else if (sep2 && (!sep || sep2 < sep)) {
		hlen = (size_t)(sep2 - p);
		pt->body = sep2 + 4;
	} else if (sep) {
		hlen = (size_t)(sep - p);
		pt->body = sep + 2;
	} else {
		hlen = n;
		pt->body = p + n;
	}
	pt->body_len = n - (size_t)(pt->body - p);
	snprintf(pt->ctype, sizeof(pt->ctype), "text/plain");
	if (header_get(p, hlen, "Content-Type", tmp)) {
		size_t k = 0;
		while (k < tmp->len && k + 1 < sizeof(pt->ctype) && tmp->s[k] != ';' && !isspace((unsigned char)tmp->s[k])) {
			pt->ctype[k] = (char)tolower((unsigned char)tmp->s[k]);
			k++;
		}
		pt->ctype[k] = '\0';
		header_param(tmp->s, "boundary", pt->boundary, sizeof(pt->boundary));
	}
	if (header_get(p, hlen, "Content-Transfer-Encoding", tmp))
		snprintf(pt->encoding, sizeof(pt->encoding), "%s", tmp->s);
	if (header_get(p, hlen, "Content-Disposition", tmp)) {
		if (strncasecmp(tmp->s, "attachment", 10) == 0)
			pt->is_attachment = 1;
		header_param(tmp->s, "filename", pt->name, sizeof(pt->name));
		if (pt->name[0] == '\0')
			param_2231(tmp->s, "filename*", pt->name, sizeof(pt->name));
	}
	if (pt->name[0] == '\0' && header_get(p, hlen, "Content-Type", tmp))
		header_param(tmp->s, "name", pt->name, sizeof(pt->name));
}

/* The body of pt, its transfer encoding undone (into dec if need be). */
static void
part_body(const struct part *pt, strbuf_t *dec, const char **body, size_t *len)
{
	*body = pt->body;
	*len = pt->body_len;
	if (strcasecmp(pt->encoding, "base64") == 0) {
		decode_base64(pt->body, pt->body_len, dec);
		*body = dec->s ? dec->s : "";
		*len = dec->len;
	} else if (strcasecmp(pt->encoding, "quoted-printable") == 0) {
		decode_qp(pt->body, pt->body_len, 0, dec);
		*body = dec->s ? dec->s : "";
		*len = dec->len;
	}
}

static void
part_text(const char *p, size_t n, strbuf_t *out, int depth, struct extract_att *a, const char *prefix)
{
	struct part pt;
	strbuf_t tmp, dec;
	const char *body;
	size_t len;
	int inline_text;

	if (depth > 8)
		return;
	strbuf_init(&tmp);
	strbuf_init(&dec);
	part_parse(p, n, &pt, &tmp);
	inline_text = !pt.is_attachment && (strcmp(pt.ctype, "text/plain") == 0 ||
	    strcmp(pt.ctype, "text/html") == 0 || strcmp(pt.ctype, "message/rfc822") == 0);
	if (strncmp(pt.ctype, "multipart/", 10) == 0 && pt.boundary[0]) {
		char delim[136];
		size_t dl = (size_t)snprintf(delim, sizeof(delim), "--%s", pt.boundary);
		const char *b = pt.body, *end = pt.body + pt.body_len;
		const char *cur = memmem(b, (size_t)(end - b), delim, dl);
		while (cur != NULL) {
			const char *start = cur + dl, *next;
			if (end - start >= 2 && start[0] == '-' && start[1] == '-')
				break;
			while (start < end && *start != '\n')
				start++;
			if (start < end)
				start++;
			next = memmem(start, (size_t)(end - start), delim, dl);
			part_text(start, (size_t)((next ? next : end) - start), out, depth + 1, a, prefix);
			cur = next;
		}
	} else if (inline_text && out->len < EXTRACT_TEXT_MAX) {
		part_body(&pt, &dec, &body, &len);
		if (out->len && out->s[out->len - 1] != '\n')
			strbuf_addc(out, '\n');
		if (strcmp(pt.ctype, "text/html") == 0)
			extract_html(body, len, out, NULL);
		else if (strcmp(pt.ctype, "message/rfc822") == 0)
			part_text(body, len, out, depth + 1, a, prefix);
		else
			extract_utf8(out, body, len);
	} else if (!inline_text && a != NULL && (pt.is_attachment || pt.name[0])) {
		strbuf_t name;
		strbuf_init(&name);
		header_decode(pt.name, strlen(pt.name), &name);
		part_body(&pt, &dec, &body, &len);
		extract_att_add_(a, prefix, name.s ? name.s : "", pt.ctype, (const unsigned char *)body, len);
		strbuf_release(&name);
	}
	strbuf_release(&tmp);
	strbuf_release(&dec);
}

void
extract_eml_att_(const char *p, size_t n, strbuf_t *out, char **title, struct extract_att *a,
    const char *prefix)
{
	static const char *const shown[] = { "Subject", "From", "To", "Cc", "Date" };
	const char *sep = memmem(p, n, "\n\n", 2), *sep2 = memmem(p, n, "\r\n\r\n", 4);
	size_t hlen = sep2 && (!sep || sep2 < sep) ? (size_t)(sep2 - p) : sep ? (size_t)(sep - p) : n;
	strbuf_t val;

	strbuf_init(&val);
	for (size_t i = 0; i < ARRAY_LEN(shown); i++) {
		if (!header_get(p, hlen, shown[i], &val))
			continue;
		strbuf_adds(out, shown[i]);
		strbuf_adds(out, ": ");
		size_t start = out->len;
		header_decode(val.s, val.len, out);
		if (i == 0 && title && *title == NULL)
			*title = xstrndup(out->s + start, out->len - start);
		strbuf_addc(out, '\n');
	}
	strbuf_release(&val);
	strbuf_addc(out, '\n');
	part_text(p, n, out, 0, a, prefix);
}

void
extract_eml(const char *p, size_t n, strbuf_t *out, char **title)
{
	struct extract_att a;

	memset(&a, 0, sizeof(a));
	a.want = -1;
	a.list_only = 1;
	strbuf_init(&a.recs);
	strbuf_init(&a.list);
	extract_eml_att_(p, n, out, title, &a, "");
	if (a.list.len) {
		/* The listing after a NUL, as the jail's answer carries it. */
		strbuf_addc(out, '\0');
		strbuf_add(out, a.list.s, a.list.len);
	}
	strbuf_release(&a.recs);
	strbuf_release(&a.list);
}

void
extract_att_list_(struct extract_att *a, const char *name, int64_t size)
{
	if (a->depth > 0 || a->list.len >= EXTRACT_LIST_BYTES)
		return;
	if (name[0] == '\0')
		name = "(no name)";
	extract_list_line(&a->list, 'a', size, name, strnlen(name, EXTRACT_PART_NAME_MAX));
}


/* --- attachments --- */

/* How an attachment is read: by its media type and name, then by its first bytes. */
static enum extract_kind
att_kind(const char *name, const char *ctype, const unsigned char *p, size_t n)
{
	enum extract_kind k = extract_kind_of(ctype, name);
	const char *dot = strrchr(name, '.');

	if (k == EXTRACT_NONE && dot) {
		static const struct { const char *ext, *mime; } by_ext[] = {
			{ "pdf", "application/pdf" }, { "txt", "text/plain" }, { "csv", "text/csv" },
			{ "htm", "text/html" }, { "html", "text/html" }, { "md", "text/markdown" },
		};
		for (size_t i = 0; i < ARRAY_LEN(by_ext); i++)
			if (strcasecmp(dot + 1, by_ext[i].ext) == 0)
				k = extract_kind_of(by_ext[i].mime, name);
	}
	if (k == EXTRACT_NONE || strcmp(ctype, "application/octet-stream") == 0) {
		if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
			k = EXTRACT_PDF;
		else if (n >= 5 && memcmp(p, "{\\rtf", 5) == 0)
			k = EXTRACT_RTF;
	}
	return k;
}

static void
rec_begin(struct extract_att *a, const char *prefix, const char *name, char kind, int idx)
{
	strbuf_addc(&a->recs, EXTRACT_REC);
	/* Names were read as UTF-8 with every control byte a space. */
	extract_utf8(&a->recs, prefix, strlen(prefix));
	extract_utf8(&a->recs, name, strnlen(name, EXTRACT_PART_NAME_MAX));
	strbuf_addf(&a->recs, "%c%c%d%c", EXTRACT_REC_SEP, kind, idx, EXTRACT_REC_SEP);
}

void
extract_att_add_(struct extract_att *a, const char *prefix, const char *name, const char *ctype,
    const unsigned char *p, size_t n)
{
	enum extract_kind kind;
	strbuf_t text, nested, sub;
	char *title = NULL, unnamed[32];
	int idx;

	extract_att_list_(a, name, (int64_t)n);
	if (a->list_only || a->count >= EXTRACT_ATTACH_MAX || a->bytes + (int64_t)n > EXTRACT_ATTACH_BYTES)
		return;
	idx = a->count++;
	a->bytes += (int64_t)n;
	if (name[0] == '\0') {
		snprintf(unnamed, sizeof(unnamed), "attachment %d", idx + 1);
		name = unnamed;
	}
	kind = att_kind(name, ctype, p, n);
	if (idx == a->want && (a->want_any || kind == EXTRACT_PDF || kind == EXTRACT_RTF)) {
		strbuf_add(a->raw, p, n);
		a->found = 1;
		return;
	}
	if (a->want >= 0 && kind != EXTRACT_EML && kind != EXTRACT_MSG)
		return;         /* only the numbering matters: no text is kept */
	if (kind == EXTRACT_PDF || kind == EXTRACT_RTF) {
		rec_begin(a, prefix, name, kind == EXTRACT_PDF ? 'P' : 'R', idx);
		return;
	}
	strbuf_init(&text);
	strbuf_init(&nested);
	strbuf_init(&sub);
	switch (kind) {
	case EXTRACT_EML:
	case EXTRACT_MSG:
		/* Its attachments are named after it: "inner.eml › budget.pdf". */
		if (a->depth >= EXTRACT_ATTACH_DEPTH)
			break;
		strbuf_adds(&sub, prefix);
		strbuf_adds(&sub, name);
		strbuf_adds(&sub, " \xe2\x80\xba ");
		a->depth++;
		/* Records of the inner message go after this one's. */
		{
			strbuf_t outer = a->recs;
			strbuf_init(&a->recs);
			if (kind == EXTRACT_EML)
				extract_eml_att_((const char *)p, n, &text, &title, a, sub.s);
			else
				(void)extract_msg_att_(p, n, &text, &title, a, sub.s);
			nested = a->recs;
			a->recs = outer;
		}
		a->depth--;
		break;
	case EXTRACT_OFFICE:
		(void)extract_office_mem(p, n, &text, &title);
		break;
	case EXTRACT_HTML:
		extract_html((const char *)p, n, &text, &title);
		break;
	case EXTRACT_PLAIN:
		extract_text(&text, (const char *)p, n, 0);
		break;
	default:
		break;          /* an image, an archive: findable by its name */
	}
	rec_begin(a, prefix, name, 'T', idx);
	strbuf_add(&a->recs, text.s ? text.s : "", text.len);
	if (nested.len)
		strbuf_add(&a->recs, nested.s, nested.len);
	free(title);
	strbuf_release(&text);
	strbuf_release(&nested);
	strbuf_release(&sub);
}
