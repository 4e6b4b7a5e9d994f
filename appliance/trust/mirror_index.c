/* mirror_index: see mirror_index.h. A small JSON reader for exactly the
 * lines broadside writes (objects of strings and integers); anything else is
 * malformed, never guessed at. */
#include "trust/mirror_index.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"

#define PATH_MAX_LEN 4096

struct jp {
	const char *p, *end;
};

static void
skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static int
u4(const char *p, const char *end, unsigned *out)
{
	unsigned v = 0;
	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = text_hex_digit(p[i]);
		if (h < 0)
			return -1;
		v = v << 4 | (unsigned)h;
	}
	*out = v;
	return 0;
}

/* A JSON string (RFC 8259 7) into out as UTF-8; \u0000 is refused. */
static int
j_string(struct jp *j, strbuf_t *out)
{
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p++;
		if (c == '"')
			return 0;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			strbuf_addc(out, (char)c);
			continue;
		}
		if (j->p >= j->end)
			return -1;
		c = (unsigned char)*j->p++;
		switch (c) {
		case '"': case '\\': case '/': strbuf_addc(out, (char)c); break;
		case 'b': strbuf_addc(out, '\b'); break;
		case 'f': strbuf_addc(out, '\f'); break;
		case 'n': strbuf_addc(out, '\n'); break;
		case 'r': strbuf_addc(out, '\r'); break;
		case 't': strbuf_addc(out, '\t'); break;
		case 'u': {
			unsigned cp, lo;
			if (u4(j->p, j->end, &cp) < 0)
				return -1;
			j->p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
				    u4(j->p + 2, j->end, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return -1;
				j->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if ((cp >= 0xdc00 && cp <= 0xdfff) || cp == 0) {
				return -1;
			}
			if (cp < 0x80) {
				strbuf_addc(out, (char)cp);
			} else if (cp < 0x800) {
				strbuf_addc(out, (char)(0xc0 | cp >> 6));
				strbuf_addc(out, (char)(0x80 | (cp & 0x3f)));
			} else if (cp < 0x10000) {
				strbuf_addc(out, (char)(0xe0 | cp >> 12));
				strbuf_addc(out, (char)(0x80 | (cp >> 6 & 0x3f)));
				strbuf_addc(out, (char)(0x80 | (cp & 0x3f)));
			} else {
				strbuf_addc(out, (char)(0xf0 | cp >> 18));
				strbuf_addc(out, (char)(0x80 | (cp >> 12 & 0x3f)));
				strbuf_addc(out, (char)(0x80 | (cp >> 6 & 0x3f)));
				strbuf_addc(out, (char)(0x80 | (cp & 0x3f)));
			}
			break;
		}
		default:
			return -1;
		}
	}
	return -1;
}

static int
j_int(struct jp *j, int64_t *out)
{
	int64_t v = 0;
	int neg = 0, digits = 0;

	if (j->p < j->end && *j->p == '-') {
		neg = 1;
		j->p++;
	}
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*j->p++ - '0');
		digits++;
	}
	if (digits == 0)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

/* Call fn for each "key": value of a flat object; stop (return 1) at a value
 * starting with '['. Values: strings and integers. */
typedef int (*kv_fn)(void *arg, const char *key, const strbuf_t *s, int64_t n, int is_str);

static int
j_object(const char *line, size_t len, kv_fn fn, void *arg)
{
	struct jp j = { line, line + len };
	strbuf_t key, val;
	int rc = -1;

	strbuf_init(&key);
	strbuf_init(&val);
	skip_ws(&j);
	if (j.p >= j.end || *j.p++ != '{')
		goto done;
	for (;;) {
		int64_t n = 0;
		int is_str;
		strbuf_reset(&key);
		strbuf_reset(&val);
		skip_ws(&j);
		if (j_string(&j, &key) < 0)
			goto done;
		skip_ws(&j);
		if (j.p >= j.end || *j.p++ != ':')
			goto done;
		skip_ws(&j);
		if (j.p < j.end && *j.p == '[') {
			rc = 1;
			goto done;
		}
		is_str = j.p < j.end && *j.p == '"';
		if (is_str ? j_string(&j, &val) < 0 : j_int(&j, &n) < 0)
			goto done;
		if (fn(arg, key.s ? key.s : "", &val, n, is_str) < 0)
			goto done;
		skip_ws(&j);
		if (j.p < j.end && *j.p == ',') {
			j.p++;
			continue;
		}
		if (j.p < j.end && *j.p == '}') {
			j.p++;
			break;
		}
		goto done;
	}
	skip_ws(&j);
	if (j.p < j.end && *j.p == ',')
		j.p++;
	skip_ws(&j);
	rc = j.p == j.end ? 0 : -1;
done:
	strbuf_release(&key);
	strbuf_release(&val);
	return rc;
}

struct entry_parse {
	mirror_index_entry_t *e;
	char *b64;
	int have;     /* bit 1 path, 2 size, 4 sha256, 8 mtime */
};

static int
entry_kv(void *arg, const char *key, const strbuf_t *s, int64_t n, int is_str)
{
	struct entry_parse *ep = arg;

	if (strcmp(key, "path") == 0 && is_str && !(ep->have & 1)) {
		if (strlen(s->s ? s->s : "") != s->len)
			return -1;
		ep->e->path = xstrdup(s->s ? s->s : "");
		ep->have |= 1;
	} else if (strcmp(key, "path_base64") == 0 && is_str && ep->b64 == NULL) {
		ep->b64 = xstrdup(s->s ? s->s : "");
	} else if (strcmp(key, "size") == 0 && !is_str && n >= 0) {
		ep->e->size = n;
		ep->have |= 2;
	} else if (strcmp(key, "mtime") == 0 && !is_str) {
		ep->e->mtime = n;
		ep->have |= 8;
	} else if (strcmp(key, "sha256") == 0 && is_str && s->len == 64) {
		for (int i = 0; i < 64; i++)
			if (text_hex_digit(s->s[i]) < 0 || (s->s[i] >= 'A' && s->s[i] <= 'F'))
				return -1;
		memcpy(ep->e->sha256, s->s, 65);
		ep->have |= 4;
	}
	return 0;
}

void
mirror_index_entry_clear(mirror_index_entry_t *e)
{
	free(e->path);
	memset(e, 0, sizeof(*e));
}

int
mirror_index_line(const char *line, size_t len, mirror_index_entry_t *e)
{
	struct entry_parse ep = { e, NULL, 0 };
	int rc;

	memset(e, 0, sizeof(*e));
	if (len >= 1 && line[0] == ']')
		return 1;
	rc = j_object(line, len, entry_kv, &ep);
	if (rc == 0 && ep.b64) {
		/* The exact bytes of a name that is not UTF-8. */
		size_t bl = strlen(ep.b64), pad = 0;
		unsigned char *raw = xmalloc(bl / 4 * 3 + 4);
		int n = bl % 4 == 0 && bl > 0 ? EVP_DecodeBlock(raw, (const unsigned char *)ep.b64, (int)bl) : -1;
		if (bl >= 1 && ep.b64[bl - 1] == '=')
			pad++;
		if (bl >= 2 && ep.b64[bl - 2] == '=')
			pad++;
		if (n < 0 || (size_t)n < pad || memchr(raw, '\0', (size_t)n - pad) != NULL) {
			rc = -1;
		} else {
			free(e->path);
			e->path = xstrndup((const char *)raw, (size_t)n - pad);
		}
		free(raw);
	}
	free(ep.b64);
	if (rc != 0 || ep.have != 15) {
		mirror_index_entry_clear(e);
		return -1;
	}
	return 0;
}

struct head_parse {
	char **title, **description;
	int format_ok;
};

static int
head_kv(void *arg, const char *key, const strbuf_t *s, int64_t n, int is_str)
{
	struct head_parse *hp = arg;

	if (!is_str)
		return 0;
	if (strcmp(key, "format") == 0)
		hp->format_ok = s->s && strcmp(s->s, "broadside-index/1") == 0;
	else if (strcmp(key, "title") == 0 && *hp->title == NULL)
		*hp->title = xstrdup(s->s ? s->s : "");
	else if (strcmp(key, "description") == 0 && *hp->description == NULL)
		*hp->description = xstrdup(s->s ? s->s : "");
	return 0;
}

int
mirror_index_head(const char *line, size_t len, char **title, char **description)
{
	struct head_parse hp = { title, description, 0 };

	*title = *description = NULL;
	if (j_object(line, len, head_kv, &hp) != 1 || !hp.format_ok || *title == NULL) {
		free(*title);
		free(*description);
		*title = *description = NULL;
		return -1;
	}
	if (*description == NULL)
		*description = xstrdup("");
	return 0;
}

int
mirror_index_path_safe(const char *path)
{
	const char *p = path;
	size_t n = strlen(path);

	if (n == 0 || n > PATH_MAX_LEN || path[0] == '/' || path[n - 1] == '/' || strchr(path, '\\'))
		return 0;
	for (;;) {
		size_t l = strcspn(p, "/");
		if (l == 0 || l > 255 || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (p[l] == '\0')
			return 1;
		p += l + 1;
	}
}

/* Reads the verified index from the work folder. */

/* ---------- the file list, in order ---------- */

int
mirror_index_reader_open(mirror_index_reader_t *r, const char *work)
{
	char *p = xasprintf("%s/index.json", work);
	ssize_t n;

	memset(r, 0, sizeof(*r));
	r->f = fopen(p, "r");
	free(p);
	if (r->f == NULL)
		return -1;
	n = getline(&r->line, &r->cap, r->f);    /* the head line */
	return n > 0 ? 0 : -1;
}

int
mirror_index_reader_next(mirror_index_reader_t *r, mirror_index_entry_t *e)
{
	ssize_t n;
	int rc;

	if (r->ended)
		return 1;
	n = getline(&r->line, &r->cap, r->f);
	if (n <= 0)
		return -1;
	if (r->line[n - 1] == '\n')
		n--;
	rc = mirror_index_line(r->line, (size_t)n, e);
	if (rc == 1)
		r->ended = 1;
	if (rc == 0) {
		/* Strictly increasing: no duplicates, and merge-joins with the catalogue work. */
		if (r->prev && strcmp(r->prev, e->path) >= 0) {
			mirror_index_entry_clear(e);
			return -1;
		}
		free(r->prev);
		r->prev = xstrdup(e->path);
	}
	return rc;
}

void
mirror_index_reader_close(mirror_index_reader_t *r)
{
	if (r->f)
		fclose(r->f);
	free(r->line);
	free(r->prev);
	memset(r, 0, sizeof(*r));
}
