/* route: see route.h. */
#include "serve/route.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "base/text.h"
#include "base/util.h"
#include "catalogue/cat.h"

/* Decode s into d (len + 1 bytes at least); return the decoded length or -1. */
static ssize_t
decode_path(const char *s, size_t len, char *d)
{
	char *w = d;
	size_t seg_start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '/') {
			/* A segment ends: reject empty, "." and ".." (RFC 3986 5.2.4
			 * would resolve them; we refuse rather than guess). */
			size_t seg = (size_t)(w - d) - seg_start;
			const char *p = d + seg_start;
			if (seg == 0 && !(i == len && len == 0))
				goto bad;
			if ((seg == 1 && p[0] == '.') || (seg == 2 && p[0] == '.' && p[1] == '.'))
				goto bad;
			if (i == len)
				break;
			*w++ = '/';
			seg_start = (size_t)(w - d);
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= len)
				goto bad;
			hi = text_hex_digit((unsigned char)s[i + 1]);
			lo = text_hex_digit((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
			/* An encoded slash would smuggle a separator past the segment
			 * checks above; NUL would truncate the path. */
			if (c == '/' || c == '\0')
				goto bad;
		}
		if (c == '\\' || c == '\0')
			goto bad;
		*w++ = (char)c;
	}
	*w = '\0';
	return w - d;
bad:
	return -1;
}

int
route_decode_path(const char *s, size_t len, char **out)
{
	*out = xmalloc(len + 1);
	if (decode_path(s, len, *out) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

void
route_clear(route_t *r)
{
	free(r->mem);
	memset(r, 0, sizeof(*r));
}

/* Split "<slug>/<rest>" of a decoded path below /c/, /f/ or /m/ in place:
 * r->slug and r->path point into p. */
static int
split_slug(route_t *r, char *p, int *trailing)
{
	char *slash = strchr(p, '/');
	size_t n = slash ? (size_t)(slash - p) : strlen(p);
	char *rest = slash ? slash + 1 : p + n;
	size_t rlen = strlen(rest);

	if (!cat_slug_valid_n(p, n))
		return -1;
	*trailing = rlen == 0 || rest[rlen - 1] == '/';
	if (rlen > 0 && rest[rlen - 1] == '/')
		rest[rlen - 1] = '\0';
	if (slash)
		*slash = '\0';
	else
		*trailing = 1;  /* "/c/slug" is the collection root */
	r->slug = p;
	r->path = rest;
	return 0;
}

int
route_parse(const char *target, size_t len, route_t *out)
{
	const char *q = memchr(target, '?', len);
	size_t plen = q ? (size_t)(q - target) : len;
	size_t qlen = q ? len - plen - 1 : 0;
	char *path;
	int trailing = 0, keep_query = 1;

	memset(out, 0, sizeof(*out));
	if (plen == 0 || target[0] != '/')
		return -1;
	if (memchr(target, '#', len))
		return -1;
	/* One allocation holds what the route keeps: the path decoded into it
	 * (never longer than its encoding) is split there in place, the query
	 * follows it. A small file's request made four before. */
	path = out->mem = xmalloc(plen + 1 + (q ? qlen + 1 : 0));
	/* Decode without the leading slash; a trailing slash is meaningful for
	 * folders, so it is cut off before the empty-segment check. */
	{
		size_t n = plen - 1;
		int slash = n > 0 && target[plen - 1] == '/';
		ssize_t d = decode_path(target + 1, n - (size_t)slash, path);
		if (d < 0) {
			route_clear(out);
			return -1;
		}
		if (slash) {
			path[d] = '/';
			path[d + 1] = '\0';
		}
	}
	if (path[0] == '\0') {
		out->kind = ROUTE_HOME;
	} else if (strcmp(path, "search") == 0) {
		out->kind = ROUTE_SEARCH;
	} else if (strncmp(path, "static/", 7) == 0 && path[7] && !strchr(path + 7, '/')) {
		out->kind = ROUTE_STATIC;
		out->path = path + 7;
	} else if (strcmp(path, "m/publisher.pub") == 0 || strcmp(path, "m/mirrors.txt") == 0 ||
	    strcmp(path, "m/mirrors.txt.minisig") == 0) {
		out->kind = ROUTE_MANIFEST;
		path[1] = '\0';
		out->slug = path + 1;   /* "" */
		out->path = path + 2;
	} else if (strncmp(path, "d/", 2) == 0) {
		/* /d/<slug>.tar, /d/<slug>/<dir>.zip: the last segment is the name
		 * `curl -O -C -` and `wget -c` save to and resume into. */
		size_t n = strlen(path);
		int fmt = n > 6 && strcmp(path + n - 4, ".tar") == 0 ? ROUTE_ARCHIVE_TAR :
		    n > 6 && strcmp(path + n - 4, ".zip") == 0 ? ROUTE_ARCHIVE_ZIP : 0;
		int has_dir;
		if (fmt != 0)
			path[n - 4] = '\0';
		has_dir = strchr(path + 2, '/') != NULL;
		if (fmt == 0 || split_slug(out, path + 2, &trailing) < 0 ||
		    (has_dir && (trailing || out->path[0] == '\0'))) {
			out->slug = out->path = NULL;
			out->kind = ROUTE_NOT_FOUND;
			keep_query = 0;
		} else {
			out->kind = ROUTE_ARCHIVE;
			out->archive = fmt;
		}
	} else if (path[0] && path[1] == '/' && strchr("cfmrpi", path[0])) {
		if (split_slug(out, path + 2, &trailing) < 0) {
			out->kind = ROUTE_NOT_FOUND;
			keep_query = 0;
		} else if (path[0] == 'c') {
			out->kind = trailing ? ROUTE_BROWSE : ROUTE_FILE_PAGE;
		} else if (trailing || out->path[0] == '\0') {
			out->kind = ROUTE_NOT_FOUND;
		} else {
			out->kind = path[0] == 'f' ? ROUTE_FILE : path[0] == 'r' ? ROUTE_READ :
			    path[0] == 'p' ? ROUTE_PDF_PAGE : path[0] == 'i' ? ROUTE_DERIVED : ROUTE_MANIFEST;
		}
	} else {
		out->kind = ROUTE_NOT_FOUND;
	}
	if (q && keep_query) {
		out->query = path + plen + 1;
		memcpy(out->query, q + 1, qlen);
		out->query[qlen] = '\0';
	}
	return 0;
}

char *
route_query_param(const char *query, const char *key)
{
	size_t klen = strlen(key);
	const char *p = query;

	if (query == NULL)
		return NULL;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);
		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1, *e = p + n;
			char *d = xmalloc((size_t)(e - v) + 1), *w = d;
			for (; v < e; v++) {
				if (*v == '+') {
					*w++ = ' ';
				} else if (*v == '%' && e - v >= 3 && text_hex_digit(v[1]) >= 0 &&
				    text_hex_digit(v[2]) >= 0) {
					char c = (char)(text_hex_digit(v[1]) << 4 | text_hex_digit(v[2]));
					if (c != '\0')
						*w++ = c;
					v += 2;
				} else {
					*w++ = *v;
				}
			}
			*w = '\0';
			return d;
		}
		if (n == klen && strncmp(p, key, klen) == 0)
			return xstrdup("");
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	return NULL;
}
