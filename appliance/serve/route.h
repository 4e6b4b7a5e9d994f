/* route: request target → which handler, with the path percent-decoded and
 * checked. The URL space is stable (readers bookmark it, mirrors fetch it):
 *   /                      home            /static/<name>   stylesheet
 *   /c/<slug>/[dir/]       browse          /c/<slug>/<path> file page
 *   /f/<slug>/<path>       file bytes      /search?q=&c=&page=
 *   /m/<slug>/<manifest>   manifests       /m/publisher.pub
 *   /d/<slug>.tar|.zip     the collection as one archive
 *   /d/<slug>/<dir>.tar|.zip   a folder as one archive
 *   /r/<slug>/<path>       reading view (?page=N&q=)
 *   /p/<slug>/<path>?n=N   a PDF's page N  /i/<slug>/<path>[?n=N] derived image
 * A decoded path never holds NUL, a backslash, an encoded slash, an empty
 * segment, "." or "..", so it can be used as a path below a collection root. */
#ifndef BROADSIDE_ROUTE_H
#define BROADSIDE_ROUTE_H

#include <stddef.h>

enum route_kind {
	ROUTE_NOT_FOUND = 0,
	ROUTE_HOME,
	ROUTE_BROWSE,      /* /c/<slug>/ or /c/<slug>/<dir>/ */
	ROUTE_FILE_PAGE,   /* /c/<slug>/<path> */
	ROUTE_FILE,        /* /f/<slug>/<path> */
	ROUTE_SEARCH,
	ROUTE_MANIFEST,    /* /m/<slug>/<name> ; slug "" for /m/publisher.pub */
	ROUTE_STATIC,      /* /static/<name> */
	ROUTE_ARCHIVE,     /* /d/<slug>[/<dir>].tar|.zip */
	ROUTE_READ,        /* /r/<slug>/<path> */
	ROUTE_PDF_PAGE,    /* /p/<slug>/<path>?n=N: page N of a PDF, its image and text */
	ROUTE_DERIVED,     /* /i/<slug>/<path>: an image's clean copy; ?n=N a PDF page's PNG */
};

enum { ROUTE_ARCHIVE_TAR = 1, ROUTE_ARCHIVE_ZIP = 2 };

typedef struct route {
	enum route_kind kind;
	char *slug;    /* collection slug, or NULL */
	char *path;    /* decoded relative path without leading/trailing slash, "" = root */
	char *query;   /* raw query string after '?', or NULL */
	int archive;   /* ROUTE_ARCHIVE: ROUTE_ARCHIVE_TAR or _ZIP (path: the folder) */
	char *mem;     /* slug, path and query live in this one allocation */
} route_t;

/* Route a request target (origin-form, exactly as received). Return 0, or -1
 * when the target is malformed or unsafe (answer 400). */
int route_parse(const char *target, size_t len, route_t *out);
void route_clear(route_t *r);

/* Percent-decode a path (not '+'), enforcing the rules above; 0 or -1. */
int route_decode_path(const char *s, size_t len, char **out);

/* Find key in an application/x-www-form-urlencoded query and return its decoded
 * value (caller frees), or NULL when absent. Decoding never fails: bad escapes
 * are kept literally, and the value may hold any bytes except NUL. */
char *route_query_param(const char *query, const char *key);


#endif
