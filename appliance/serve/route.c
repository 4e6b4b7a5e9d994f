/* route: see route.h. */
#include "serve/route.h"

#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"
#include "catalogue/cat.h"

int
route_decode_path(const char *s, size_t len, char **out)
{
	char *d = xmalloc(len + 1), *w = d;
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
	*out = d;
	return 0;
bad:
	free(d);
	*out = NULL;
	return -1;
}

void
route_clear(route_t *r)
{
	free(r->mem);
	memset(r, 0, sizeof(*r));
}

/* Split "<slug>/<rest>" from a decoded path below /c/, /f/ or /m/. */
static int
split_slug(const char *p, const char **slug, size_t *slen, const char **rest, size_t *rlen,
    int *trailing)
{
	const char *slash = strchr(p, '/');
	size_t n = slash ? (size_t)(slash - p) : strlen(p);

	if (!cat_slug_valid_n(p, n))
		return -1;
	*slug = p;
	*slen = n;
	*rest = slash ? slash + 1 : "";
	*rlen = strlen(*rest);
	*trailing = *rlen == 0 || (*rest)[*rlen - 1] == '/';
	if (*rlen > 0 && (*rest)[*rlen - 1] == '/')
		(*rlen)--;
	if (slash == NULL)
		*trailing = 1;  /* "/c/slug" is the collection root */
	return 0;
}

/* Copy s (n bytes, or NULL: none) to *w and step past its NUL. */
static char *
put(char **w, const char *s, size_t n)
{
	char *at = *w;

	if (s == NULL)
		return NULL;
	memcpy(at, s, n);
	at[n] = '\0';
	*w += n + 1;
	return at;
}

int
route_parse(const char *target, size_t len, route_t *out)
{
	const char *q = memchr(target, '?', len);
	size_t plen = q ? (size_t)(q - target) : len;
	char *path = NULL;
	/* What the route keeps (each NULL: none), copied at the end into one
	 * allocation: a small file's request made three before. */
	const char *slug = NULL, *rest = NULL, *query = q ? q + 1 : NULL;
	size_t slen = 0, rlen = 0, qlen = q ? len - plen - 1 : 0;
	int trailing = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	if (plen == 0 || target[0] != '/')
		goto done;
	if (memchr(target, '#', len))
		goto done;
	/* Decode without the leading slash; a trailing slash is meaningful for
	 * folders, so it is cut off before the empty-segment check. */
	{
		size_t n = plen - 1;
		int slash = n > 0 && target[plen - 1] == '/';
		if (route_decode_path(target + 1, n - (size_t)slash, &path) < 0)
			goto done;
		if (slash) {
			char *t = xasprintf("%s/", path);
			free(path);
			path = t;
		}
	}
	rc = 0;
	if (path[0] == '\0') {
		out->kind = ROUTE_HOME;
	} else if (strcmp(path, "search") == 0) {
		out->kind = ROUTE_SEARCH;
	} else if (strncmp(path, "static/", 7) == 0 && path[7] && !strchr(path + 7, '/')) {
		out->kind = ROUTE_STATIC;
		rest = path + 7;
		rlen = strlen(rest);
	} else if (strcmp(path, "m/publisher.pub") == 0 || strcmp(path, "m/mirrors.txt") == 0 ||
	    strcmp(path, "m/mirrors.txt.minisig") == 0) {
		out->kind = ROUTE_MANIFEST;
		slug = "";
		rest = path + 2;
		rlen = strlen(rest);
	} else if (strncmp(path, "d/", 2) == 0) {
		/* /d/<slug>.tar, /d/<slug>/<dir>.zip: the last segment is the name
		 * `curl -O -C -` and `wget -c` save to and resume into. */
		size_t n = strlen(path);
		int fmt = n > 6 && strcmp(path + n - 4, ".tar") == 0 ? ROUTE_ARCHIVE_TAR :
		    n > 6 && strcmp(path + n - 4, ".zip") == 0 ? ROUTE_ARCHIVE_ZIP : 0;
		if (fmt != 0)
			path[n - 4] = '\0';
		if (fmt == 0 || split_slug(path + 2, &slug, &slen, &rest, &rlen, &trailing) < 0 ||
		    (strchr(path + 2, '/') != NULL && (trailing || rlen == 0))) {
			slug = rest = query = NULL;
			out->kind = ROUTE_NOT_FOUND;
			goto done;
		}
		out->kind = ROUTE_ARCHIVE;
		out->archive = fmt;
	} else if (path[0] && path[1] == '/' && strchr("cfmrpi", path[0])) {
		if (split_slug(path + 2, &slug, &slen, &rest, &rlen, &trailing) < 0) {
			slug = rest = query = NULL;
			out->kind = ROUTE_NOT_FOUND;
			goto done;
		}
		if (path[0] == 'c')
			out->kind = trailing ? ROUTE_BROWSE : ROUTE_FILE_PAGE;
		else if (trailing || rlen == 0)
			out->kind = ROUTE_NOT_FOUND;
		else
			out->kind = path[0] == 'f' ? ROUTE_FILE : path[0] == 'r' ? ROUTE_READ :
			    path[0] == 'p' ? ROUTE_PDF_PAGE : path[0] == 'i' ? ROUTE_DERIVED : ROUTE_MANIFEST;
	} else {
		out->kind = ROUTE_NOT_FOUND;
	}
done:
	if (rc == 0 && (slug || rest || query)) {
		char *w = out->mem = xmalloc((slug ? slen + 1 : 0) + (rest ? rlen + 1 : 0) +
		    (query ? qlen + 1 : 0));
		out->slug = put(&w, slug, slen);
		out->path = put(&w, rest, rlen);
		out->query = put(&w, query, qlen);
	}
	free(path);
	return rc;
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
