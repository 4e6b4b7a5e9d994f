/* tmpl: syntax, escaping of every filter, HTML-context checks at compile
 * time, limits. */
#include <stdlib.h>
#include <string.h>

#include "site/tmpl.h"
#include "unit.h"

/* is_str() cannot take format arguments; this can. */
#define same(got, want, ...) do { const char *g_ = (got), *w_ = (want); \
	ok(g_ && strcmp(g_, w_) == 0, __VA_ARGS__); \
	if (!g_ || strcmp(g_, w_) != 0) fprintf(stderr, "  got '%s'\n  want '%s'\n", g_ ? g_ : "(null)", w_); } while (0)

/* Compile src as "t" and render it with v; return the output or NULL. */
static char *
run(const char *src, const tmpl_vars_t *v)
{
	tmpl_set_t *set = tmpl_set_new();
	strbuf_t b;
	char *err = NULL, *res = NULL;

	strbuf_init(&b);
	if (tmpl_set_add(set, "t", src, strlen(src), &err) == 0 &&
	    tmpl_render(set, "t", NULL, v, &b) == 0)
		res = strbuf_detach(&b);
	free(err);
	strbuf_release(&b);
	tmpl_set_free(set);
	return res;
}

static void
check(const char *src, const tmpl_vars_t *v, const char *want)
{
	char *got = run(src, v);
	same(got, want, "template %s", src);
	free(got);
}

static int
compiles(const char *src)
{
	tmpl_set_t *set = tmpl_set_new();
	char *err = NULL;
	int rc = tmpl_set_add(set, "t", src, strlen(src), &err);
	ok((rc == 0) == (err == NULL), "error message iff failure for %s", src);
	free(err);
	tmpl_set_free(set);
	return rc == 0;
}

static void
test_escape(void)
{
	static const struct { const char *in, *html, *url, *query; } cases[] = {
		{ "plain", "plain", "plain", "plain" },
		{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;",
		  "%3Cscript%3Ealert%281%29%3C/script%3E", "%3Cscript%3Ealert%281%29%3C%2Fscript%3E" },
		{ "\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
		  "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E", NULL },
		{ "it's", "it&#39;s", "it%27s", "it%27s" },
		{ "&amp;", "&amp;amp;", "%26amp%3B", "%26amp%3B" },
		{ "a\xe2\x80\xaegpj.exe", "a\xef\xbf\xbdgpj.exe", "a%E2%80%AEgpj.exe", NULL },	/* U+202E */
		{ "\xe2\x81\xa6x\xe2\x81\xa9", "\xef\xbf\xbdx\xef\xbf\xbd", NULL, NULL },	/* U+2066 U+2069 */
		{ "l1\nl2\tx\r", "l1\nl2\tx\r", "l1%0Al2%09x%0D", NULL },
		{ "\x01\x1b\x7f", "\xe2\x90\x81\xe2\x90\x9b\xe2\x90\xa1", NULL, NULL },	/* control pictures */
		{ "\xff\xfe", "\xef\xbf\xbd\xef\xbf\xbd", "%FF%FE", "%FF%FE" },
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", NULL, NULL },			/* overlong '/' */
		{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", NULL, NULL },	/* overlong */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", NULL, NULL },	/* lone surrogate */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", NULL, NULL },
		{ "\xc2\x85", "\xef\xbf\xbd", NULL, NULL },				/* C1 NEL */
		{ "caf\xc3\xa9 \xe6\x96\x87\xf0\x9f\x93\x84", "caf\xc3\xa9 \xe6\x96\x87\xf0\x9f\x93\x84",
		  "caf%C3%A9%20%E6%96%87%F0%9F%93%84", NULL },
		{ "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", "\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85", NULL, NULL },	/* Arabic stays */
		{ "a/b/c.txt", "a/b/c.txt", "a/b/c.txt", "a%2Fb%2Fc.txt" },
		{ "//evil.example/x", NULL, "%2F%2Fevil.example/x", NULL },
		{ "a//b", NULL, "a/%2Fb", NULL },
		{ "javascript:alert(1)", NULL, "javascript%3Aalert%281%29", "javascript%3Aalert%281%29" },
		{ "~-._", "~-._", "~-._", "~-._" },
	};
	static const struct { const char *in, *iri; } iris[] = {
		{ "caf\xc3\xa9/\xe6\x96\x87 x.pdf", "caf\xc3\xa9/\xe6\x96\x87%20x.pdf" },
		{ "a\xe2\x80\xae" "b", "a%E2%80%AEb" },		/* bidi control encoded */
		{ "a\xe2\x80\x8b" "b\xc2\xa0", "a%E2%80%8Bb%C2%A0" },	/* zero-width space, NBSP */
		{ "\xff\xed\xa0\x80", "%FF%ED%A0%80" },
		{ "//x:y", "%2F%2Fx%3Ay" },
		{ "\xd9\x85\xd9\x8a\"<", "\xd9\x85\xd9\x8a%22%3C" },
	};
	for (size_t i = 0; i < ARRAY_LEN(iris); i++) {
		strbuf_t b;
		strbuf_init(&b);
		tmpl_escape_iri(&b, iris[i].in, strlen(iris[i].in));
		same(b.s, iris[i].iri, "iri case %zu", i);
		strbuf_release(&b);
	}
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		strbuf_t b;
		size_t len = strlen(cases[i].in);
		strbuf_init(&b);
		if (cases[i].html) {
			tmpl_escape_html(&b, cases[i].in, len);
			same(b.s, cases[i].html, "html case %zu", i);
			strbuf_reset(&b);
		}
		if (cases[i].url) {
			tmpl_escape_url(&b, cases[i].in, len);
			same(b.s, cases[i].url, "url case %zu", i);
			strbuf_reset(&b);
		}
		if (cases[i].query) {
			tmpl_escape_query(&b, cases[i].in, len);
			same(b.s, cases[i].query, "query case %zu", i);
		}
		strbuf_release(&b);
	}
	/* NUL bytes inside a value. */
	strbuf_t b;
	strbuf_init(&b);
	tmpl_escape_html(&b, "a\0b", 3);
	is_str(b.s, "a\xe2\x90\x80" "b", "NUL becomes a control picture");
	strbuf_release(&b);
}

static void
test_snippet(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "a \x02hit\x03 b", "a <mark>hit</mark> b" },
		{ "cut \x02mid", "cut <mark>mid</mark>" },			/* truncated mid-mark */
		{ "stray\x03 end", "stray end" },
		{ "\x02\x02" "double\x03\x03", "<mark>double</mark>" },
		{ "\x02<b>\x03", "<mark>&lt;b&gt;</mark>" },
		{ "\x02\xff\x03", "<mark>\xef\xbf\xbd</mark>" },
		{ "x\x01y", "x\xe2\x90\x81y" },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		strbuf_t b;
		strbuf_init(&b);
		tmpl_escape_snippet(&b, cases[i].in, strlen(cases[i].in));
		same(b.s, cases[i].out, "snippet case %zu", i);
		strbuf_release(&b);
	}
}

static void
test_sections(void)
{
	tmpl_vars_t *v = tmpl_vars_new();
	tmpl_put(v, "name", "<x>");
	tmpl_put(v, "empty", "");
	tmpl_put(v, "slug", "s p");
	for (int i = 0; i < 3; i++) {
		tmpl_vars_t *it = tmpl_push(v, "items");
		tmpl_put_int(it, "n", i);
		if (i == 1)
			tmpl_put(it, "name", "inner");
	}
	tmpl_push(v, "none");	/* becomes an empty list after this */
	check("Hi {{name}}!", v, "Hi &lt;x&gt;!");
	check("{{ name }}|{{missing}}|", v, "&lt;x&gt;||");
	check("{{#items}}[{{n}}:{{name}}]{{/items}}", v, "[0:&lt;x&gt;][1:inner][2:&lt;x&gt;]");
	check("{{#items}}<a href=\"/c/{{slug|url}}/{{n|url}}\">{{/items}}", v,
	    "<a href=\"/c/s%20p/0\"><a href=\"/c/s%20p/1\"><a href=\"/c/s%20p/2\">");
	check("{{#name}}yes{{/name}}{{^name}}no{{/name}}", v, "yes");
	check("{{#empty}}yes{{/empty}}{{^empty}}no{{/empty}}", v, "no");
	check("{{#missing}}yes{{/missing}}{{^missing}}no{{/missing}}", v, "no");
	check("{{^items}}none{{/items}}{{#items}}{{#name}}{{/name}}{{/items}}.", v, ".");
	check("a{{! a comment }}b", v, "ab");
	check("{{#items}}{{#items}}x{{/items}}{{/items}}", v, "xxxxxxxxx");
	tmpl_put(v, "q", "say \"hi\" & 'bye'");
	check("<p>{{q}}</p>", v, "<p>say \"hi\" &amp; 'bye'</p>");
	check("<input value=\"{{q}}\" title='{{q}}'>", v,
	    "<input value=\"say &quot;hi&quot; &amp; &#39;bye&#39;\" title='say &quot;hi&quot; &amp; &#39;bye&#39;'>");
	tmpl_put(v, "name", "replaced");
	check("{{name}}", v, "replaced");
	tmpl_vars_free(v);
	ok(v == NULL, "free macro clears the pointer");
}

static void
test_partials(void)
{
	tmpl_set_t *set = tmpl_set_new();
	tmpl_vars_t *v = tmpl_vars_new();
	strbuf_t b;
	char *err = NULL;

	tmpl_put(v, "t", "T&");
	ok(tmpl_set_add(set, "layout", "<h1>{{t}}</h1>{{>@body}}{{>foot}}", 33, &err) == 0, "layout");
	ok(tmpl_set_add(set, "foot", "<p>end</p>", 10, &err) == 0, "foot");
	ok(tmpl_set_add(set, "page", "<p>{{t}}</p>", 12, &err) == 0, "page");
	ok(tmpl_set_add(set, "loop", "{{>loop}}", 9, &err) == 0, "self include compiles");
	ok(tmpl_set_add(set, "page", "x", 1, &err) < 0 && err, "duplicate name refused");
	free(err);
	/* A partial is compiled as text, but included in an attribute its
	 * values must escape quotes. */
	tmpl_put(v, "q", "\"><x");
	ok(tmpl_set_add(set, "qp", "{{q}}", 5, &err) == 0, "quote partial");
	ok(tmpl_set_add(set, "useqp", "<a title=\"{{>qp}}\">{{>qp}}</a>", 30, &err) == 0, "partial in attribute");
	strbuf_init(&b);
	ok(tmpl_render(set, "useqp", NULL, v, &b) == 0, "render partial in attribute");
	is_str(b.s, "<a title=\"&quot;&gt;&lt;x\">\"&gt;&lt;x</a>", "partial escaping follows the include site");
	strbuf_reset(&b);
	ok(tmpl_render(set, "layout", "page", v, &b) == 0, "render layout");
	is_str(b.s, "<h1>T&amp;</h1><p>T&amp;</p><p>end</p>", "layout with body");
	strbuf_reset(&b);
	ok(tmpl_render(set, "loop", NULL, v, &b) < 0, "recursion is bounded");
	ok(tmpl_render(set, "nope", NULL, v, &b) < 0, "missing template");
	ok(tmpl_render(set, "layout", NULL, v, &b) < 0, "missing body");
	strbuf_release(&b);
	tmpl_vars_free(v);
	tmpl_set_free(set);
}

static void
test_compile_errors(void)
{
	static const char *const bad[] = {
		"{{name", "{{#a}}x", "{{#a}}{{/b}}", "{{/a}}", "{{na me}}", "{{}}", "{{a|raw}}",
		"{{a|unescaped}}", "{{#a|url}}{{/a}}",
		"<a href={{x}}>", "<a href=\"{{x}}\">", "<img src='{{x}}'>",
		"<a {{x}}>", "<div onclick=\"{{x}}\">", "<p style=\"{{x}}\">",
		"<{{x}}>", "<!-- {{x}} -->", "<script>{{x}}</script>", "<STYLE></STYLE>",
		"<a title=\"{{x|snippet}}\">", "<td title=\"{{x|cells}}\">", "<iframe srcdoc=\"{{x}}\">", "<p srcdoc=\"{{x}}\">",
		"<meta http-equiv=\"refresh\" content=\"0;url={{x}}\">", "<noscript></noscript>", "<XMP>",
		"<a href=\"{{x|html}}\">", "<a HREF=\"{{x}}\">", "<a href = \"{{x}}\">", "</{{x}}>",
	};
	static const char *const good[] = {
		"<a href=\"/c/{{x|url}}\" title=\"{{x}}\">{{x}}</a>",
		"<a href='?q={{x|query}}&amp;p={{n|query}}'>", "<input value=\"{{x}}\">",
		"<p>{{x|snippet}}</p>", "<td>{{x|cells}}</td>", "a < b {{x}}", "<a href=\"x\"> {{x}} </a>",
		"<option value=\"{{x}}\"{{#s}} selected{{/s}}>",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		ok(!compiles(bad[i]), "must not compile: %s", bad[i]);
	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		ok(compiles(good[i]), "must compile: %s", good[i]);
}

static void
test_limits(void)
{
	tmpl_set_t *set = tmpl_set_new();
	tmpl_vars_t *v = tmpl_vars_new();
	strbuf_t b;
	char *big = xmalloc(1 << 20);

	memset(big, 'x', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	tmpl_put(v, "big", big);
	free(big);
	/* 2^10 copies of 1 MB: stopped by the 8 MB output cap. */
	ok(tmpl_set_add(set, "a", "{{big}}{{big}}", 14, NULL) == 0, "a");
	ok(tmpl_set_add(set, "b", "{{>a}}{{>a}}", 12, NULL) == 0, "b");
	ok(tmpl_set_add(set, "c", "{{>b}}{{>b}}{{>b}}{{>b}}{{>b}}{{>b}}", 36, NULL) == 0, "c");
	strbuf_init(&b);
	ok(tmpl_render(set, "c", NULL, v, &b) < 0, "output cap");
	ok(b.len < (9u << 20), "stopped near the cap (%zu)", b.len);
	strbuf_release(&b);
	tmpl_vars_free(v);
	tmpl_set_free(set);
}

int
main(void)
{
	test_escape();
	test_snippet();
	test_sections();
	test_partials();
	test_compile_errors();
	test_limits();
	return unit_done();
}
