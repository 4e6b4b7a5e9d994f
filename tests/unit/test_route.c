/* Request targets → routes; path decoding refuses everything that could leave a
 * collection root or confuse a path below it. */
#include <stdlib.h>

#include "unit.h"
#include "serve/route.h"

static const struct {
	const char *target;
	int rc;
	enum route_kind kind;
	const char *slug, *path, *query;
} cases[] = {
	{ "/", 0, ROUTE_HOME, NULL, NULL, NULL },
	{ "/?x=1", 0, ROUTE_HOME, NULL, NULL, "x=1" },
	{ "/search?q=police+report", 0, ROUTE_SEARCH, NULL, NULL, "q=police+report" },
	{ "/f/leak/a/b.csv", 0, ROUTE_FILE, "leak", "a/b.csv", NULL },
	{ "/f/leak/a%20b/c%3Cd%3E.txt", 0, ROUTE_FILE, "leak", "a b/c<d>.txt", NULL },
	{ "/f/leak/%E2%80%AEgpj.exe", 0, ROUTE_FILE, "leak", "\xe2\x80\xaegpj.exe", NULL },
	{ "/f/leak/new%0Aline", 0, ROUTE_FILE, "leak", "new\nline", NULL },
	{ "/f/leak/", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/f/leak", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/c/leak/", 0, ROUTE_BROWSE, "leak", "", NULL },
	{ "/c/leak", 0, ROUTE_BROWSE, "leak", "", NULL },
	{ "/c/leak/dir/sub/", 0, ROUTE_BROWSE, "leak", "dir/sub", NULL },
	{ "/c/leak/dir/sub/?sort=size&page=2", 0, ROUTE_BROWSE, "leak", "dir/sub", "sort=size&page=2" },
	{ "/c/leak/dir/file.pdf", 0, ROUTE_FILE_PAGE, "leak", "dir/file.pdf", NULL },
	{ "/m/leak/SHA256SUMS", 0, ROUTE_MANIFEST, "leak", "SHA256SUMS", NULL },
	{ "/m/publisher.pub", 0, ROUTE_MANIFEST, "", "publisher.pub", NULL },
	{ "/m/mirrors.txt", 0, ROUTE_MANIFEST, "", "mirrors.txt", NULL },
	{ "/m/mirrors.txt.minisig", 0, ROUTE_MANIFEST, "", "mirrors.txt.minisig", NULL },
	{ "/m/leak/mirrors.txt", 0, ROUTE_MANIFEST, "leak", "mirrors.txt", NULL },
	{ "/d/leak.tar", 0, ROUTE_ARCHIVE, "leak", "", NULL },
	{ "/d/leak.zip", 0, ROUTE_ARCHIVE, "leak", "", NULL },
	{ "/d/leak/a%20b/c.tar", 0, ROUTE_ARCHIVE, "leak", "a b/c", NULL },
	{ "/d/leak/x.tar.zip", 0, ROUTE_ARCHIVE, "leak", "x.tar", NULL },
	{ "/d/leak/.tar", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/d/leak/a/.zip", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/d/leak/a.rar", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/d/leak/a.tar/", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/d/.tar", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/d/", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/d/Leak.tar", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/d/leak/..%2F.tar", -1, 0, NULL, NULL, NULL },
	{ "/static/style.css", 0, ROUTE_STATIC, NULL, "style.css", NULL },
	{ "/static/a/b.css", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/f/Leak/a", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/f/-leak/a", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/x/leak/a", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	{ "/favicon.ico", 0, ROUTE_NOT_FOUND, NULL, NULL, NULL },
	/* refused outright: 400 */
	{ "/f/leak/../../etc/passwd", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a/./b", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/%2e%2e/x", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/..", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a%2Fb", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a%2fb", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a%00b", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a%5Cb", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a\\b", -1, 0, NULL, NULL, NULL },
	{ "/f/leak//b", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a%", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a%4", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a%zz", -1, 0, NULL, NULL, NULL },
	{ "/f/leak/a#frag", -1, 0, NULL, NULL, NULL },
	{ "http://x/f/leak/a", -1, 0, NULL, NULL, NULL },
	{ "*", -1, 0, NULL, NULL, NULL },
	{ "", -1, 0, NULL, NULL, NULL },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		route_t r;
		int rc = route_parse(cases[i].target, strlen(cases[i].target), &r);
		is_int(rc, cases[i].rc, "rc for %s", cases[i].target);
		if (rc == 0 && cases[i].rc == 0) {
			is_int(r.kind, cases[i].kind, "kind for %s", cases[i].target);
			if (cases[i].slug)
				is_str(r.slug, cases[i].slug, "slug for %s", cases[i].target);
			if (cases[i].path)
				is_str(r.path, cases[i].path, "path for %s", cases[i].target);
			if (cases[i].query)
				is_str(r.query, cases[i].query, "query for %s", cases[i].target);
		}
		route_clear(&r);
	}
	/* Query parameters. */
	static const struct { const char *q, *key, *want; } qp[] = {
		{ "q=police+report&c=leak", "q", "police report" },
		{ "q=police+report&c=leak", "c", "leak" },
		{ "q=%22two+words%22", "q", "\"two words\"" },
		{ "q=a%00b", "q", "ab" },
		{ "q=100%", "q", "100%" },
		{ "qq=1&q=2", "q", "2" },
		{ "q", "q", "" },
		{ "x=1", "q", NULL },
	};
	for (size_t i = 0; i < sizeof(qp) / sizeof(qp[0]); i++) {
		char *v = route_query_param(qp[i].q, qp[i].key);
		if (qp[i].want == NULL)
			ok(v == NULL, "no %s in %s", qp[i].key, qp[i].q);
		else
			is_str(v, qp[i].want, "%s in %s", qp[i].key, qp[i].q);
		free(v);
	}
	return unit_done();
}
