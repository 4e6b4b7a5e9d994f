/* page: every page with hostile strings in every field must stay well-formed
 * (no injected tags or attributes, valid UTF-8, only same-site links) and
 * small (<= 30 KB with full pages of 255-byte names).
 * `test_page --write DIR` also writes sample pages and static/style.css into
 * DIR for the visual check (serve DIR over loopback HTTP and screenshot it). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "site/asset.h"
#include "site/page.h"
#include "unit.h"

#define PAGE_MAX (30 * 1024)

static const char *const hostile[] = {
	"<script>alert(1)</script>",
	"\"><img src=x onerror=alert(1)>",
	"' onmouseover='alert(1)",
	"&amp;&lt;",
	"report\xe2\x80\xaetxt.exe",	/* U+202E */
	"line1\nline2\r\n\ttab",
	"\xff\xfe bad",
	"\xc0\xbc" "overlong <",
	"\xed\xa0\x80 surrogate",
	"javascript:alert(1)",
	"//evil.example/x",
	"../../etc/passwd",
	"\x02mark\x03 \x02open",
	"\x1b[31mred",
	"a/b/c",
};

/* ---- checks on a rendered page ---- */

static int
valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i], len, cp, min;
		if (c < 0x80) { i++; continue; }
		if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; min = 0x80; }
		else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; min = 0x800; }
		else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; min = 0x10000; }
		else return 0;
		if (i + len > n)
			return 0;
		for (unsigned k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;	/* bidi controls must not survive */
		i += len;
	}
	return 1;
}

static const char *const tags[] = { "html", "head", "meta", "title", "link", "body", "header",
	"div", "a", "form", "label", "input", "button", "main", "footer", "br", "h1", "h2", "h3",
	"p", "section", "ol", "ul", "li", "pre", "code", "nav", "span", "table", "thead",
	"tbody", "tr", "th", "td", "dl", "dt", "dd", "bdi", "select", "option", "details",
	"summary", "mark" };
static const char *const attrs[] = { "lang", "dir", "hreflang", "charset", "name", "content", "rel", "href",
	"class", "role", "action", "method", "for", "id", "type", "placeholder", "value",
	"title", "aria-label", "aria-current", "aria-sort", "scope", "start", "min", "max",
	"maxlength", "selected", "download", "open", "aria-describedby" };

static int
in_list(const char *const *list, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncasecmp(list[i], s, len) == 0)
			return 1;
	return 0;
}

/* Walk every tag: known element, known attributes, quoted values, and URLs
 * that stay on this site. Return NULL or what is wrong. */
static const char *
check_markup(const char *s)
{
	const char *p = s;
	if (strncmp(p, "<!DOCTYPE html>", 15) == 0)
		p += 15;
	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (*p == '/')
			p++;
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
		if (!in_list(tags, ARRAY_LEN(tags), p, n))
			return "unknown element";
		p += n;
		for (;;) {
			p += strspn(p, " \n");
			if (*p == '>')
				break;
			n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
			if (n == 0 || !in_list(attrs, ARRAY_LEN(attrs), p, n))
				return "unknown attribute";
			int is_url = (n == 4 && !strncmp(p, "href", 4)) || (n == 6 && !strncmp(p, "action", 6));
			p += n;
			if (*p != '=')
				continue;	/* boolean attribute */
			if (p[1] != '"')
				return "unquoted attribute";
			const char *v = p + 2, *e = strchr(v, '"');
			if (!e)
				return "unterminated attribute";
			if (memchr(v, '<', (size_t)(e - v)))
				return "'<' in attribute";
			if (is_url) {
				if (e - v == 6 && !strncmp(v, "data:,", 6))
					;	/* the empty favicon */
				else if (e - v == 70 && !strncmp(v, "http://", 7) &&
				    strspn(v + 7, "abcdefghijklmnopqrstuvwxyz234567") == 56 &&
				    !strncmp(v + 63, ".onion/", 7))
					;	/* another address of the collection */
				else if (memchr(v, ':', (size_t)(e - v)))
					return "scheme in a URL";
				else if (e - v >= 2 && v[0] == '/' && v[1] == '/')
					return "protocol-relative URL";
			}
			p = e + 1;
		}
	}
	return NULL;
}

static void
check_page(const char *what, const strbuf_t *b, int rc)
{
	const char *why;
	ok(rc == 0 && b->len > 0, "%s: rendered", what);
	ok(valid_utf8(b->s, b->len), "%s: valid UTF-8", what);
	ok(strlen(b->s) == b->len, "%s: no NUL", what);
	ok(!strcasestr(b->s, "<script"), "%s: no <script", what);
	ok(!strcasestr(b->s, "href=\"javascript:") && !strcasestr(b->s, "action=\"javascript:"),
	    "%s: no javascript: URL", what);
	ok(!strstr(b->s, "\x02") && !strstr(b->s, "\x03"), "%s: no raw markers", what);
	why = check_markup(b->s);
	ok(why == NULL, "%s: markup: %s", what, why ? why : "");
	ok(b->len <= PAGE_MAX, "%s: %zu bytes", what, b->len);
	/* Every <mark> is closed. */
	int depth = 0, bad = 0;
	for (const char *p = b->s; (p = strstr(p, "mark>")) != NULL; p++) {
		if (p > b->s && p[-1] == '<')
			bad |= ++depth > 1;
		else if (p > b->s + 1 && p[-1] == '/' && p[-2] == '<')
			bad |= --depth < 0;
	}
	ok(!bad && depth == 0, "%s: <mark> balanced", what);
}

/* ---- sample data ---- */

static const char pubkey[] = "untrusted comment: minisign public key 3F1B2C4D5E6F7A8B\n"
	"RWSLem9eTVwsG+1pLx9JfC0X3qzqzjJ2Jk4ZxBq1Q8vyq1VYq3nNmsmD\n";
static const page_site_t site = { "The Open Ledger Project",
	"Documents about public spending in the region, 2014-2024, as received. "
	"Verify every download before you rely on it.", pubkey,
	"ledgerx7f3kq2vbhsm3pjyd4wz5ogcknlqzgu6vqevdmr4qjv3wacad.onion", NULL, 0, NULL, NULL, 0, NULL, 0 };
static const page_collection_t cols[] = {
	{ "budgets", "Municipal budgets", "Approved and draft budgets with annexes, scanned and as text.",
	  18342, 48271630211LL, 1764108000, NULL },
	{ "contracts-2023", "Contracts 2023", "Procurement contracts signed in 2023.",
	  5120, 921334120, 1763900000, NULL },
	{ "leak-mirror", "Harbour Authority mail", "Mail archive, as published by the origin.",
	  250112, 519000000000LL, 1763000000, "harbourxq7…onion" },
};

static const page_entry_t entries[] = {
	{ "annexes", 1, 0, 1763000000, 412, NULL },
	{ "scans", 1, 0, 1762000000, 18021, NULL },
	{ "budget-2024-final.pdf", 0, 4820112, 1764000000, -1, NULL },
	{ "budget-2024-draft (v3).pdf", 0, 4710233, 1762500000, -1, NULL },
	{ "README.txt", 0, 2211, 1764100000, -1, NULL },
	{ "tables-2014-2024.csv", 0, 98120334, 1761000000, -1, NULL },
	{ "\xd9\x85\xd9\x8a\xd8\xb2\xd8\xa7\xd9\x86\xd9\x8a\xd8\xa9.pdf", 0, 120331, 1760000000, -1, NULL },
	{ "report\xe2\x80\xae" "fdp.exe", 0, 66000, 1760000000, -1, NULL },
};

static const page_hit_t hits[] = {
	{ "budgets", "2019/transport/annex-4-bus-contracts.pdf", 1203311,
	  "… the \x02transport\x03 budget for 2019 allocated 4.2 million to the new \x02" "bus\x03 contracts, of which …", NULL, 0,
	  "Annex 4: <Bus> contracts", "application/pdf", 1560000000, 7 },
	{ "contracts-2023", "harbour/dredging-agreement.txt", 22041,
	  "… public \x02transport\x03 and harbour works were tendered together; the agreement names …", "annex.docx", 3,
	  "annex.docx", NULL, 0, 0 },
	{ "budgets", "2021/README.txt", 812, "Scanned \x02transport\x03 annexes are in scans/ (OCR quality varies).", NULL, 0,
	  "", "text/plain", 0, 0 },
	{ "leak-mirror", "mail/2022/03/1188.eml", 9120,
	  "Subject: Re: \x02transport\x03 subsidy — please do not forward <this> & keep it \x02quiet", NULL, 0,
	  NULL, "message/rfc822", 1646300000, 0 },
};

static void
render_all(const char *h, int *count)
{
	page_mirror_t m[3] = { { h, h }, { "ok", "" },
		{ "o2jmhljvic5yapacbm5o4zwnrcdremru5igg44kdycw5op7ughwzpnid.onion", h } };
	page_site_t s = { h, h, h, h, m, 3, h, NULL, 0, NULL, 0 };
	page_collection_t c[2] = { { h, h, h, 1, 2, 3, h }, { "ok", h, NULL, 0, 0, 0, NULL } };
	page_entry_t e[3] = { { h, 0, 1, 1, -1, h }, { h, 1, 0, 0, 5, NULL }, { "x", 0, 5000, -5, -1, NULL } };
	page_hit_t hh[2] = { { h, h, 10, h, h, 1, h, h, -5, 3 }, { "ok", "p", 1, NULL, NULL, 0, NULL, NULL, 0, 0 } };
	const char *dirs[] = { "", h, "a/b" };
	strbuf_t b;
	int rc;

	strbuf_init(&b);
	rc = page_home(&b, &s, c, 2); check_page("home", &b, rc); strbuf_reset(&b);
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
		rc = page_dir(&b, &s, &c[0], dirs[i], e, 3, 4000, h, 1, 7, 50);
		check_page("dir", &b, rc);
		strbuf_reset(&b);
	}
	rc = page_file(&b, &s, &c[0], h, 5, 6, h, h, h, strlen(h), 1, NULL, 1); check_page("file", &b, rc); strbuf_reset(&b);
	const char *hw[] = { h, h };
	page_search_filter_t hf = { h, h, h, h, 1, hw, 2, hw, 1 };
	rc = page_search(&b, &s, h, h, c, 2, hh, 2, 100, 1, h, 3, 20, &hf); check_page("search, filters", &b, rc); strbuf_reset(&b);
	rc = page_search(&b, &s, h, h, c, 2, NULL, 0, 0, 0, h, 1, 20, &hf); check_page("search", &b, rc); strbuf_reset(&b);
	for (int st = 400; st < 505; st++) {
		rc = page_error(&b, &s, st, h, 30);
		check_page("error", &b, rc);
		strbuf_reset(&b);
	}
	strbuf_release(&b);
	(*count)++;
}

static void
test_hostile(void)
{
	int count = 0;
	for (size_t i = 0; i < ARRAY_LEN(hostile); i++)
		render_all(hostile[i], &count);
	is_int(count, ARRAY_LEN(hostile), "all hostile strings rendered");

	/* A reader's 10 KB query of every byte value is cut before it is echoed
	 * in the form and every page link. */
	char *q = xmalloc(10241);
	strbuf_t b;
	for (int i = 0; i < 10240; i++)
		q[i] = (char)(1 + i % 255);
	q[10240] = '\0';
	strbuf_init(&b);
	int rc = page_search(&b, &site, q, q, cols, ARRAY_LEN(cols), hits, ARRAY_LEN(hits), 100000, 1, NULL, 50, 20, NULL);
	check_page("search 10 KB query", &b, rc);
	strbuf_reset(&b);
	rc = page_search(&b, &site, q, NULL, cols, ARRAY_LEN(cols), NULL, 0, 0, 0, q, 1, 20, NULL);
	check_page("search 10 KB query and message", &b, rc);
	strbuf_reset(&b);
	/* The query names the page in tabs and history; on a collection's pages
	 * the header's search box searches that collection. */
	rc = page_search(&b, &site, "budget", NULL, cols, ARRAY_LEN(cols), NULL, 0, 0, 0, NULL, 1, 20, NULL);
	ok(rc == 0 && strstr(b.s, "<title>“budget” — Search results") != NULL, "the results title carries the query: %.80s", strstr(b.s, "<title>") ? strstr(b.s, "<title>") : "");
	strbuf_reset(&b);
	rc = page_dir(&b, &site, &cols[0], "", NULL, 0, 0, "name", 0, 1, PAGE_DIR_PER_PAGE);
	ok(rc == 0 && strstr(b.s, "<input type=\"hidden\" name=\"c\" value=\"") != NULL &&
	    strstr(b.s, "placeholder=\"Search this collection\"") != NULL, "a collection's header search stays in it");
	strbuf_release(&b);
	free(q);
}

/* Max-length (255-byte) names in every row must fit the 30 KB budget. */
static void
test_sizes(void)
{
	static const char *const units[] = { "a", "\xc3\xa9", "\xe6\x96\x87", "\"" };
	strbuf_t b;
	char name[256];

	strbuf_init(&b);
	for (size_t u = 0; u < ARRAY_LEN(units); u++) {
		size_t ul = strlen(units[u]), len = 0;
		while (len + ul <= 251) {
			memcpy(name + len, units[u], ul);
			len += ul;
		}
		memcpy(name + len, ".pdf", 5);
		page_entry_t e[PAGE_DIR_PER_PAGE];
		for (size_t i = 0; i < ARRAY_LEN(e); i++)
			e[i] = (page_entry_t){ name, (int)(i % 5 == 0), 123456789012LL, 1764000000, 100000, NULL };
		int rc = page_dir(&b, &site, &cols[0], "2024/annexes/scanned", e, ARRAY_LEN(e), 100000, "size", 1, 1000, PAGE_DIR_PER_PAGE);
		ok(rc == 0, "dir renders");
		printf("# dir, %d names of 255 bytes of '%s': %zu bytes\n", PAGE_DIR_PER_PAGE, units[u], b.len);
		/* A name cut for display also rides whole in a title attribute:
		 * half again the budget when every name is 255 bytes. */
		if (u < 2)
			ok(b.len <= PAGE_MAX * 3 / 2, "dir with %zu-byte chars: %zu bytes", ul, b.len);
		else
			ok(b.len <= 5 * PAGE_MAX, "dir, worst case bounded: %zu bytes", b.len);
		ok(strstr(b.s, " title=\"") != NULL, "dir: a cut name has its whole name in a title");
		strbuf_reset(&b);

		/* Search: 20 hits with 255-byte names in a deep path and long snippets. */
		char path[600], snip[700];
		snprintf(path, sizeof(path), "2024/annexes/scanned/%s", name);
		memset(snip, 0, sizeof(snip));
		for (size_t i = 0; i + 1 < sizeof(snip) - 1; i++)
			snip[i] = i % 40 == 0 ? '\x02' : i % 40 == 8 ? '\x03' : units[u][0] == '"' ? '"' : 'w';
		page_hit_t h[PAGE_SEARCH_PER_PAGE];
		for (size_t i = 0; i < ARRAY_LEN(h); i++)
			h[i] = (page_hit_t){ "budgets", path, 123456789, snip, NULL, 0, NULL, NULL, 0, 0 };
		rc = page_search(&b, &site, "transport bus", NULL, cols, ARRAY_LEN(cols), h, ARRAY_LEN(h), 123456, 1, NULL, 40, PAGE_SEARCH_PER_PAGE, NULL);
		ok(rc == 0, "search renders");
		printf("# search, %d hits, names of '%s': %zu bytes\n", PAGE_SEARCH_PER_PAGE, units[u], b.len);
		if (u < 2)
			ok(b.len <= PAGE_MAX, "search: %zu bytes", b.len);
		else
			ok(b.len <= 2 * PAGE_MAX, "search, worst case bounded: %zu bytes", b.len);
		strbuf_reset(&b);
	}
	strbuf_release(&b);
}

static void
has(const strbuf_t *b, const char *what, const char *needle)
{
	ok(strstr(b->s, needle) != NULL, "%s: missing %s", what, needle);
}

static void
test_content(void)
{
	strbuf_t b;
	strbuf_init(&b);

	ok(page_init() == 0, "templates compile");
	ok(page_home(&b, &site, cols, ARRAY_LEN(cols)) == 0, "home");
	has(&b, "home", "<html lang=\"en\">");
	has(&b, "home", "minisign -V -P RWSLem9eTVwsG+1pLx9JfC0X3qzqzjJ2Jk4ZxBq1Q8vyq1VYq3nNmsmD -m SHA256SUMS");
	has(&b, "home", "find . -type f ! -name '*SHA256SUMS*' ! -name publisher.pub -exec sh -c \"$check\" sh {} +");
	has(&b, "home", "href=\"/m/publisher.pub\"");
	has(&b, "home", "href=\"/m/budgets/SHA256SUMS.minisig\"");
	has(&b, "home", "href=\"/c/contracts-2023/\"");
	has(&b, "home", "18,342 files");
	has(&b, "home", "title=\"48,271,630,211 bytes\">48.3 GB");
	has(&b, "home", "Mirror of");
	has(&b, "home", "action=\"/search\"");
	has(&b, "home", "<label for=\"q\">");
	strbuf_reset(&b);

	ok(page_dir(&b, &site, &cols[0], "2024/annexes", entries, ARRAY_LEN(entries), 4000, "size", 1, 7, 50) == 0, "dir");
	has(&b, "dir", "<a href=\"/c/budgets/2024/\"><bdi>2024</bdi></a>");
	has(&b, "dir", "<span aria-current=\"page\"><bdi>annexes</bdi></span>");
	has(&b, "dir", "href=\"?sort=size&amp;desc=0\">Size ↓");
	has(&b, "dir", "href=\"?sort=name&amp;desc=0\"");
	has(&b, "dir", "href=\"?sort=date&amp;desc=1\"");
	has(&b, "dir", "aria-sort=\"descending\"");
	has(&b, "dir", "href=\"annexes/\"");
	has(&b, "dir", "href=\"budget-2024-draft%20%28v3%29.pdf\"");
	has(&b, "dir", "title=\"4,820,112 bytes\">4.8 MB");
	has(&b, "dir", "18,021 items");
	has(&b, "dir", "2025-11-24 16:00");
	has(&b, "dir", "report\xef\xbf\xbd" "fdp.exe");
	has(&b, "dir", "href=\"?sort=size&amp;desc=1&amp;page=6\">← Previous");
	has(&b, "dir", "<span aria-current=\"page\">7</span>");
	has(&b, "dir", ">1</a></li><li><span class=\"gap\">");
	has(&b, "dir", ">80</a>");
	has(&b, "dir", "name=\"page\" type=\"number\" min=\"1\" max=\"80\" value=\"7\"");
	has(&b, "dir", "4,000 items · page 7 of 80");
	has(&b, "dir", "<title>annexes — 2024 — Municipal budgets · ");
	has(&b, "dir", "<nav class=\"pager top\"");
	has(&b, "dir", "<p class=\"sortby\">");
	has(&b, "dir", "<form class=\"filter\" method=\"get\" action=\"./\"><label for=\"fn\">");
	ok(strstr(b.s, "class=\"pager top\"") < strstr(b.s, "<table"), "a pager above the listing");
	strbuf_reset(&b);
	/* Past the end: the last page, never "page 999 of 80". */
	ok(page_dir(&b, &site, &cols[0], "2024/annexes", entries, ARRAY_LEN(entries), 4000, "name", 0, 999, 50) == 0, "dir past the end");
	has(&b, "dir past the end", "4,000 items · page 80 of 80");
	ok(!strstr(b.s, "999"), "no page 999");
	strbuf_reset(&b);
	ok(page_dir_filtered(&b, &site, &cols[0], "2024/annexes", entries, 2, 4000,
	    &(page_filter_t){ "a<b", "f20050", "f50", 20000 }, NULL) == 0, "filtered dir");
	has(&b, "filtered", "value=\"a&lt;b\"");
	has(&b, "filtered", "2 found among 20,000 looked through");
	has(&b, "filtered", "href=\"?name=a%3Cb&amp;from=f20050\"");
	has(&b, "filtered", "href=\"?name=a%3Cb\">");
	ok(!strstr(b.s, "class=\"sortby\"") && !strstr(b.s, "aria-label=\"Pages"), "no page numbers or sort links when filtered");
	strbuf_reset(&b);
	ok(page_dir_filtered(&b, &site, &cols[0], "2024/annexes", NULL, 0, 4000,
	    &(page_filter_t){ "zz", NULL, NULL, 4000 }, NULL) == 0, "filter finds nothing");
	ok(!strstr(b.s, "This folder is empty") && !strstr(b.s, "Look further"), "nothing found is not an empty folder");
	strbuf_reset(&b);
	ok(page_dir(&b, &site, &cols[2], "", entries, 2, 2, "name", 0, 1, 50) == 0, "mirror root");
	has(&b, "mirror", "This collection is a mirror of <bdi>harbourxq7…onion</bdi>");
	ok(!strstr(b.s, "class=\"pager\""), "no pager for one page");
	strbuf_reset(&b);
	ok(page_dir(&b, &site, &cols[0], "empty", NULL, 0, 0, "name", 0, 1, 50) == 0, "empty dir");
	has(&b, "empty dir", "This folder is empty");
	strbuf_reset(&b);

	const char *text = "Budget 2024\n<b>not bold</b>\n\xe6\x96\x87\xe6";	/* cut mid-character */
	ok(page_file(&b, &site, &cols[0], "2024/it's here.txt", 5123, 1764000000, "text/plain",
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", text, strlen(text), 1, &(page_nav_t){ "a<b.txt", NULL, "00112233445566778899aabbccddeeff" }, 1) == 0, "file");
	has(&b, "file", "<title>it's here.txt — 2024 — Municipal budgets · ");
	has(&b, "file", "Plain text</span> · 5.1 kB · a second or less to download at 1 MB/s over Tor");
	has(&b, "file", "<a rel=\"prev\" href=\"/c/budgets/2024/a%3Cb.txt\">← <bdi>a&lt;b.txt</bdi></a>");
	ok(strstr(b.s, "rel=\"next\"") == NULL, "no next link without a next file");
	has(&b, "file", "<details class=\"help\"><summary>");
	ok(strstr(b.s, "<pre class=\"preview\">") < strstr(b.s, "<details"), "the preview comes before the help");
	has(&b, "file", "href=\"/f/budgets/2024/it%27s%20here.txt\"");
	has(&b, "file", "-C - -o 'it'\\''s here.txt' 'http://ledgerx7f3kq2vbhsm3pjyd4wz5ogcknlqzgu6vqevdmr4qjv3wacad.onion/f/budgets/2024/it%27s%20here.txt'");
	has(&b, "file", "torsocks wget -c -O");
	has(&b, "file", "printf '%s\\n' '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  it'\\''s here.txt' | sha256sum -c");
	has(&b, "file", "href=\"/m/budgets/sums/00112233445566778899aabbccddeeff/SHA256SUMS\"");
	has(&b, "file", "-o folder.SHA256SUMS 'http://ledgerx7f3kq2vbhsm3pjyd4wz5ogcknlqzgu6vqevdmr4qjv3wacad.onion/m/budgets/sums/00112233445566778899aabbccddeeff/SHA256SUMS' -o folder.SHA256SUMS.minisig 'http://ledgerx7f3kq2vbhsm3pjyd4wz5ogcknlqzgu6vqevdmr4qjv3wacad.onion/m/budgets/sums/00112233445566778899aabbccddeeff/SHA256SUMS.minisig'");
	has(&b, "file", "[ \"$(sha256sum &lt; 'it'\\''s here.txt')\" = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  -' ]");
	has(&b, "file", "5,123 bytes");
	has(&b, "file", "&lt;b&gt;not bold&lt;/b&gt;\n\xe6\x96\x87</pre>");
	has(&b, "file", "<span aria-current=\"page\"><bdi>it's here.txt</bdi></span>");
	strbuf_reset(&b);
	ok(page_file(&b, &site, &cols[0], "a\\b\nc", 1, 0, NULL, "ab", NULL, 0, 0, NULL, 0) == 0, "odd name");
	/* A name a pasted line cannot carry: the hash-only command, with FILE. */
	ok(strstr(b.s, "check-named") == NULL, "no named line for a name with a newline");
	has(&b, "file", "[ \"$(sha256sum &lt; FILE)\" = 'ab  -' ]");
	has(&b, "file", "application/octet-stream");
	ok(!strstr(b.s, "Preview"), "no preview section without preview");
	strbuf_reset(&b);

	ok(page_search(&b, &site, "transport \"bus contract\" sub*", "budgets", cols, ARRAY_LEN(cols),
	    hits, ARRAY_LEN(hits), 1234, 1, "Showing results for the words we could use.", 2, 20, NULL) == 0, "search");
	has(&b, "search", "About 1,234 results · page 2 of 62");
	has(&b, "search", "value=\"transport &quot;bus contract&quot; sub*\"");
	has(&b, "search", "<option value=\"budgets\" selected>");
	has(&b, "search", "the <mark>transport</mark> budget");
	has(&b, "search", "keep it <mark>quiet</mark></p>");
	has(&b, "search", "please do not forward &lt;this&gt; &amp;");
	has(&b, "search", "dredging-agreement.txt</bdi></a> › attachment <bdi>annex.docx</bdi>");
	has(&b, "search", "href=\"/r/contracts-2023/harbour/dredging-agreement.txt?part=3&amp;q=");
	has(&b, "search", "<ol class=\"hits\" start=\"21\">");
	has(&b, "search", "href=\"/search?q=transport%20%22bus%20contract%22%20sub%2A&amp;c=budgets&amp;page=3\"");
	has(&b, "search", "Showing results for the words we could use.");
	has(&b, "search", "Search tips");
	has(&b, "search", "<bdi>Harbour Authority mail</bdi>");
	/* A hit is titled by its document, with its folder, kind, date and page. */
	has(&b, "search", "#hit1\"><bdi>Annex 4: &lt;Bus&gt; contracts</bdi></a>");
	has(&b, "search", "<a href=\"/c/budgets/2019/transport/\"><bdi>");
	has(&b, "search", "› <bdi>2019/transport</bdi></a> › <bdi>annex-4-bus-contracts.pdf</bdi></p>");
	has(&b, "search", "PDF document · 2019-06-08 13:20 UTC · ");
	has(&b, "search", "<a href=\"/p/budgets/2019/transport/annex-4-bus-contracts.pdf?n=7\">on page 7</a>");
	has(&b, "search", "#hit1\"><bdi>1188.eml</bdi></a>\n<p class=\"where\">");
	has(&b, "search", "E-mail message · 2022-03-03 ");
	strbuf_reset(&b);
	/* Filters: on the form, on the pagers; with no hit, what to try. */
	const char *forms[] = { "buses", "bused" }, *near[] = { "bug" };
	page_search_filter_t pf = { "mail/2022", "pdf", "2020-01-01", "2020-12-31", 0, forms, 2, near, 1 };
	ok(page_search(&b, &site, "transport bus", "budgets", cols, ARRAY_LEN(cols),
	    hits, ARRAY_LEN(hits), 1234, 0, NULL, 2, 20, &pf) == 0, "search with filters");
	has(&b, "search", "<details class=\"filters\" open>");
	has(&b, "search", "<label for=\"folder\">In folder</label> <input id=\"folder\" name=\"folder\" value=\"mail/2022\"");
	has(&b, "search", "<option value=\"pdf\" selected>PDF documents</option>");
	has(&b, "search", "<input id=\"from\" name=\"from\" type=\"date\" value=\"2020-01-01\"");
	has(&b, "search", "<label for=\"to\">to</label> <input id=\"to\" name=\"to\" type=\"date\" value=\"2020-12-31\"");
	has(&b, "search", "c=budgets&amp;folder=mail%2F2022&amp;kind=pdf&amp;from=2020-01-01&amp;to=2020-12-31&amp;page=3\"");
	has(&b, "search", "<input type=\"hidden\" name=\"kind\" value=\"pdf\">");
	ok(strstr(b.s, "Try instead") == NULL, "no suggestions with hits");
	strbuf_reset(&b);
	ok(page_search(&b, &site, "transport  bus", "budgets", cols, ARRAY_LEN(cols), NULL, 0, 0, 0, NULL, 1, 20, &pf) == 0,
	    "no hit, filters");
	has(&b, "search", "<a href=\"/search?q=transport%20%20bus&amp;c=budgets\">the same words without the filters</a>");
	has(&b, "search", "<a href=\"/search?q=transport%20%20bus\">the same words in all collections</a>");
	has(&b, "search", "fewer words: <a href=\"/search?q=transport&amp;c=budgets&amp;folder=mail%2F2022&amp;kind=pdf&amp;from=2020-01-01&amp;to=2020-12-31\"><bdi>transport</bdi></a>");
	/* The last word replaced by the index's words, filters kept. */
	has(&b, "search", "other forms of the word: <a href=\"/search?q=transport%20%20buses&amp;c=budgets&amp;folder=mail%2F2022&amp;kind=pdf&amp;from=2020-01-01&amp;to=2020-12-31\"><bdi>buses</bdi></a>, <a href=\"/search?q=transport%20%20bused&amp;");
	has(&b, "search", "similar words: <a href=\"/search?q=transport%20%20bug&amp;c=budgets&amp;folder=mail%2F2022&amp;kind=pdf&amp;from=2020-01-01&amp;to=2020-12-31\"><bdi>bug</bdi></a></li>");
	strbuf_reset(&b);
	ok(page_search(&b, &site, "caf\xc3\xa9s\xc3\xa9", NULL, cols, ARRAY_LEN(cols), NULL, 0, 0, 0, NULL, 1, 20, NULL) == 0,
	    "no hit, one word");
	has(&b, "search", "words that start the same: <a href=\"/search?q=caf%C3%A9%2A&amp;c=\"><bdi>caf\xc3\xa9*</bdi></a>");
	ok(strstr(b.s, "without the filters") == NULL && strstr(b.s, "in all collections") == NULL, "nothing to drop");
	strbuf_reset(&b);
	ok(page_search(&b, &site, "abc", NULL, cols, ARRAY_LEN(cols), NULL, 0, 0, 0, NULL, 1, 20, NULL) == 0 &&
	    strstr(b.s, "start the same") == NULL, "no prefix of a short word");
	strbuf_reset(&b);
	pf.windowed = 1;
	ok(page_search(&b, &site, "x", NULL, cols, 1, NULL, 0, 0, 0, "Nothing matched your search.", 1, 20, &pf) == 0,
	    "windowed");
	has(&b, "search", "only the 20,000 most recently catalogued were filtered");
	strbuf_reset(&b);
	ok(page_search(&b, &site, "x", NULL, cols, 1, NULL, 0, 1, 0, NULL, 1, 20, NULL) == 0, "exact count");
	has(&b, "search", "1 result<");
	strbuf_reset(&b);
	ok(page_search(&b, &site, NULL, NULL, NULL, 0, NULL, 0, 0, 0, NULL, 1, 20, NULL) == 0, "empty search");
	ok(!strstr(b.s, "No results"), "empty form shows no count");
	strbuf_reset(&b);

	ok(page_error(&b, &site, 429, NULL, 30) == 0, "429");
	has(&b, "429", "Please try again in 30 seconds.");
	has(&b, "429", "<title>429 Too many requests");
	strbuf_reset(&b);
	ok(page_error(&b, &site, 503, "Starting up.", 600) == 0, "503");
	has(&b, "503", "about 10 minutes");
	strbuf_reset(&b);
	ok(page_error(&b, &site, 404, NULL, 30) == 0, "404");
	ok(!strstr(b.s, "try again in"), "no retry text on 404");
	strbuf_reset(&b);
	ok(page_not_found(&b, &site, &cols[0], "2024/gone/old report.pdf", "2024") == 0, "404 of a path");
	has(&b, "404 path", "<a href=\"/c/budgets/2024/\"><bdi>2024</bdi></a>");
	has(&b, "404 path", "href=\"/search?q=old%20report&amp;c=budgets\"");
	strbuf_reset(&b);
	ok(page_not_found(&b, &site, &cols[0], "x", "") == 0, "404 at the top");
	has(&b, "404 top", "<a href=\"/c/budgets/\"><bdi>Municipal budgets</bdi></a>");
	strbuf_release(&b);
}

static void
test_asset(void)
{
	const unsigned char *d, *d2;
	size_t len, len2;
	const char *etag, *etag2;

	ok(asset_get("style.css", &d, &len, &etag) == 0 && len > 1000, "stylesheet embedded");
	ok(etag && etag[0] == '"' && strlen(etag) == 34, "etag is quoted hex");
	ok(asset_get("style.css", &d2, &len2, &etag2) == 0 && etag2 == etag, "etag computed once");
	ok(d[len] == '\0', "NUL-terminated");
	ok(asset_get("layout.html", &d, &len, NULL) == 0, "template embedded");
	ok(asset_get("nope.css", &d, &len, &etag) < 0, "unknown asset");
	ok(asset_get("../web/style.css", &d, &len, &etag) < 0, "no path lookups");
	ok(asset_name(0) != NULL && asset_name(1000) == NULL, "enumerate");
}

/* ---- sample pages for the visual check ---- */

static void
save(const char *dir, const char *name, strbuf_t *b)
{
	char *path = xasprintf("%s/%s", dir, name);
	ok(write_file_atomic(path, b->s, b->len, 0644) == 0, "write %s", path);
	free(path);
	strbuf_reset(b);
}

static void
write_samples(const char *dir)
{
	strbuf_t b;
	const unsigned char *css;
	size_t len;
	page_entry_t many[PAGE_DIR_PER_PAGE];
	char names[PAGE_DIR_PER_PAGE][48];

	strbuf_init(&b);
	char *st = xasprintf("%s/static", dir);
	mkdir_p(st, 0755);
	free(st);
	ok(asset_get("style.css", &css, &len, NULL) == 0, "css");
	strbuf_add(&b, css, len);
	save(dir, "static/style.css", &b);
	page_home(&b, &site, cols, ARRAY_LEN(cols)); save(dir, "home.html", &b);
	page_dir(&b, &site, &cols[0], "2024", entries, ARRAY_LEN(entries), ARRAY_LEN(entries), "name", 0, 1, 50);
	save(dir, "dir.html", &b);
	for (size_t i = 0; i < ARRAY_LEN(many); i++) {
		snprintf(names[i], sizeof(names[i]), "1188%04zu-%s.eml", 350 + i, i % 3 ? "re-transport-subsidy" : "fwd");
		many[i] = (page_entry_t){ names[i], 0, 2000 + (int64_t)i * 977, 1700000000 + (int64_t)i * 3600, -1, NULL };
	}
	page_dir(&b, &site, &cols[2], "mail/2022/03", many, ARRAY_LEN(many), 120340, "date", 1, 7, 50);
	save(dir, "dir-big.html", &b);
	const char *text = "MUNICIPAL BUDGET 2024 — SUMMARY\n\nTotal expenditure: 412.3 million\n"
		"  Transport ........ 48.1\n  Housing .......... 61.0\n  Health ........... 97.4\n\n"
		"See annex 4 for the bus contracts <signed 2023-11-02>.\n";
	page_file(&b, &site, &cols[0], "2024/annexes/budget summary 2024.txt", 48213, 1764000000, "text/plain; charset=utf-8",
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", text, strlen(text), 1,
	    &(page_nav_t){ "budget 2023.txt", "contracts.pdf", NULL }, 1);
	save(dir, "file.html", &b);
	page_search(&b, &site, "transport bus", NULL, cols, ARRAY_LEN(cols), hits, ARRAY_LEN(hits), 1234, 1,
	    NULL, 1, 20, NULL);
	save(dir, "search.html", &b);
	page_search(&b, &site, "\"harbour dredging", NULL, cols, ARRAY_LEN(cols), NULL, 0, 0, 0,
	    "The closing quote was missing, so we searched for the words separately. Nothing matched.", 1, 20, NULL);
	save(dir, "search-none.html", &b);
	page_error(&b, &site, 429, NULL, 30); save(dir, "error-429.html", &b);
	page_error(&b, &site, 404, NULL, 0); save(dir, "error-404.html", &b);
	strbuf_release(&b);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write") == 0) {
		write_samples(argv[2]);
		return unit_done();
	}
	test_asset();
	test_content();
	test_hostile();
	test_sizes();
	return unit_done();
}
