/* test_i18n: the embedded catalogues load and keep their messages' shape,
 * messages in templates are checked like template text and escaped, the
 * reader's language rides on every site link and form, numbers, sizes and
 * dates take the language's forms, plural rules match the .po headers, and
 * pages come out as lang/dir say. Includes i18n.c to reach its checks. */
#include "site/i18n.c"

#include "site/page.h"
#include "site/tmpl.h"
#include "unit.h"

static void
t_catalogues(void)
{
	char *err = NULL;
	size_t n = 0;

	ok(i18n_init(&err) == 0, "catalogues load: %s", err ? err : "");
	free(err);
	is_int(i18n_count(i18n_english()), 0, "English is the messages themselves");
	for (size_t i = 1; i18n_at(i); i++) {
		/* Every catalogue holds every message (tests/integration/i18n.sh
		 * checks the set against the sources). */
		if (n == 0)
			n = i18n_count(i18n_at(i));
		is_int(i18n_count(i18n_at(i)), n, "%s holds as many messages as the first", i18n_code(i18n_at(i)));
	}
	ok(n > 200, "catalogues hold the messages (%zu)", n);
	is_str(i18n_tr(i18n_find("es"), "Search"), "Buscar", "es");
	is_str(i18n_tr(i18n_find("es"), "no such message"), "no such message", "unknown: English");
	is_str(i18n_tr(NULL, "Search"), "Search", "NULL: English");
	ok(i18n_find("xx") == NULL && i18n_find("") == NULL && i18n_find(NULL) == NULL, "unknown codes");
	ok(i18n_rtl(i18n_find("ar")) && i18n_rtl(i18n_find("fa")) && !i18n_rtl(i18n_find("ru")), "rtl");
}

static void
t_shape(void)
{
	ok(shape_match("Page {n} of {m}", "{m} 的第 {n} 页", 0), "placeholders in another order");
	ok(!shape_match("Page {n} of {m}", "Página {n}", 0), "a placeholder lost");
	ok(!shape_match("Page {n}", "Página {n} {x}", 0), "a placeholder added");
	ok(!shape_match("Page {n|num}", "Página {n}", 0), "a filter changed");
	ok(shape_match("See <a href=\"/x\">this</a>.", "Mire <a href=\"/x\">esto</a>.", 0), "same tags");
	ok(!shape_match("See <a href=\"/x\">this</a>.", "Mire <a href=\"/y\">esto</a>.", 0), "a tag changed");
	ok(!shape_match("See <code>x</code>.", "Mire <b>x</b>.", 0), "a tag swapped");
	ok(!shape_match("plain", "<script>alert(1)</script>", 0), "a tag added");
	ok(!shape_match("%Y-%m-%d", "%d.%m.%Y %s", 0), "a conversion added");
	ok(shape_match("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", 0), "conversions reordered");
	ok(shape_match("about {n} seconds", "около секунды", 1), "a plural form may drop the number");
	ok(!shape_match("about {n} seconds", "{x} секунд", 1), "but not add another");
}

static char *
render(const char *text, const char *lang, int carry, const char *name, const char *val)
{
	tmpl_set_t *set = tmpl_set_new();
	tmpl_vars_t *v = tmpl_vars_new();
	char *err = NULL;
	strbuf_t b;

	strbuf_init(&b);
	if (tmpl_set_add(set, "t.html", text, strlen(text), &err) < 0) {
		free(err);
		tmpl_set_free(set);
		tmpl_vars_free(v);
		return NULL;
	}
	tmpl_vars_set_lang(v, i18n_find(lang), carry);
	if (name)
		tmpl_put(v, name, val);
	tmpl_put(v, "n", "1234");
	if (tmpl_render(set, "t.html", NULL, v, &b) < 0)
		strbuf_reset(&b);
	tmpl_set_free(set);
	tmpl_vars_free(v);
	return strbuf_detach(&b);
}

static int
refused(const char *text)
{
	tmpl_set_t *set = tmpl_set_new();
	char *err = NULL;
	int rc = tmpl_set_add(set, "t.html", text, strlen(text), &err);
	free(err);
	tmpl_set_free(set);
	return rc < 0;
}

static void
t_template(void)
{
	char *s;

	s = render("<p>{{_ Search}}</p>", "es", 0, NULL, NULL);
	is_str(s, "<p>Buscar</p>", "translated");
	free(s);
	s = render("<p>{{_ Mirror of <bdi>{origin}</bdi>}}</p>", "en", 0, "origin", "<x>&\"");
	is_str(s, "<p>Mirror of <bdi>&lt;x&gt;&amp;\"</bdi></p>", "placeholder escaped, tags kept");
	free(s);
	s = render("<input placeholder=\"{{_ Mirror of <bdi>{origin}</bdi>}}\">", "en", 0, "origin", "x");
	ok(s == NULL, "a tag in a message inside an attribute is refused");
	free(s);
	s = render("<p title=\"{{_ {bytes} bytes}}\">", "en", 0, "bytes", "\"><script>");
	is_str(s, "<p title=\"&quot;&gt;&lt;script&gt; bytes\">", "attribute escaping");
	free(s);
	s = render("<p>{{_ Page {n|num} of {pages|num}}}</p>", "fa", 0, "pages", "20");
	is_str(s, "<p>صفحهٔ ۱۲۳۴ از ۲۰</p>", "|num in Persian digits");
	free(s);
	ok(refused("<a href=\"{{_ Home}}\">x</a>"), "message in href");
	ok(refused("<p>{{_ see <a href=\"/c/{slug}/\">this</a>}}</p>"), "placeholder in href without |url");
	ok(!refused("<p>{{_ see <a href=\"/c/{slug|iri}/\">this</a>}}</p>"), "with |iri");
	ok(refused("<p onclick=\"{{_ Home}}\">"), "message in an event handler");
	ok(refused("<p>{{_ a {x|nope} b}}</p>"), "unknown filter");
	s = render("<p>{{_ a <b b}}</p>", "en", 0, NULL, NULL);
	is_str(s, "<p>a &lt;b b</p>", "an unclosed tag is text");
	free(s);
	ok(refused("<p>{{_ unclosed</p>"), "unclosed message");
}

static void
t_carry(void)
{
	char *s = render("<a href=\"/\">h</a><a href=\"/c/x/?sort=name&amp;desc=0\">s</a>"
	    "<a href=\"/#verify\">v</a><a href=\"sub/\">r</a><a href=\"#hit1\">f</a>"
	    "<a href=\"/f/x/a.pdf\">d</a><a href=\"/m/publisher.pub\">k</a>"
	    "<a href=\"http://abc.onion/\">o</a><a href=\"?page=2&amp;lang=fr\">l</a>"
	    "<link rel=\"stylesheet\" href=\"/static/style.css?v=1\">"
	    "<form action=\"/search\" method=\"get\"><input name=\"q\"></form>"
	    "<p>{{v}}</p><p title=\"{{v}}\">", "de", 1, "v", "<a href=\"/x\"> href='/y' <form>");

	is_str(s, "<a href=\"/?lang=de\">h</a><a href=\"/c/x/?sort=name&amp;desc=0&amp;lang=de\">s</a>"
	    "<a href=\"/?lang=de#verify\">v</a><a href=\"sub/?lang=de\">r</a><a href=\"#hit1\">f</a>"
	    "<a href=\"/f/x/a.pdf\">d</a><a href=\"/m/publisher.pub\">k</a>"
	    "<a href=\"http://abc.onion/\">o</a><a href=\"?page=2&amp;lang=fr\">l</a>"
	    "<link rel=\"stylesheet\" href=\"/static/style.css?v=1\">"
	    "<form action=\"/search\" method=\"get\"><input type=\"hidden\" name=\"lang\" value=\"de\"><input name=\"q\"></form>"
	    "<p>&lt;a href=\"/x\"&gt; href='/y' &lt;form&gt;</p>"
	    "<p title=\"&lt;a href=&quot;/x&quot;&gt; href=&#39;/y&#39; &lt;form&gt;\">",
	    "links carry lang, data does not become links");
	free(s);
	s = render("<a href=\"/\">h</a>", "de", 0, NULL, NULL);
	is_str(s, "<a href=\"/\">h</a>", "the site language is not carried");
	free(s);
}

static void
t_forms(void)
{
	static const struct { const char *lang; int64_t n; const char *want; } nums[] = {
		{ "en", 1234567, "1,234,567" }, { "de", 1234567, "1.234.567" },
		{ "fr", 1234567, "1\u202f234\u202f567" }, { "ru", 1234, "1\u00a0234" },
		{ "fa", 1234567, "۱٬۲۳۴٬۵۶۷" }, { "ar", 1234, "١٬٢٣٤" }, { "zh", 999, "999" },
		{ "es", -1234, "-1.234" },
	};
	static const struct { const char *lang; const char *want; } dates[] = {
		{ "en", "2023-11-14 22:13 UTC" }, { "de", "14.11.2023 22:13 UTC" },
		{ "fr", "14/11/2023 22:13 UTC" }, { "fa", "۲۰۲۳/۱۱/۱۴ ۲۲:۱۳ UTC" },
		{ "ar", "١٤/١١/٢٠٢٣ ٢٢:١٣ UTC" }, { "zh", "2023-11-14 22:13 UTC" },
	};
	strbuf_t b;

	strbuf_init(&b);
	for (size_t i = 0; i < ARRAY_LEN(nums); i++) {
		strbuf_reset(&b);
		i18n_number(i18n_find(nums[i].lang), &b, nums[i].n);
		is_str(b.s, nums[i].want, "number in %s", nums[i].lang);
	}
	for (size_t i = 0; i < ARRAY_LEN(dates); i++) {
		strbuf_reset(&b);
		i18n_date(i18n_find(dates[i].lang), &b, 1700000000, 1);
		is_str(b.s, dates[i].want, "date in %s", dates[i].lang);
	}
	strbuf_reset(&b);
	i18n_size(i18n_find("fr"), &b, 1234567);
	is_str(b.s, "1,2 Mo", "size in French");
	strbuf_reset(&b);
	i18n_size(i18n_find("fa"), &b, 1234567);
	is_str(b.s, "۱٫۲ MB", "size in Persian");
	strbuf_reset(&b);
	i18n_date(i18n_find("de"), &b, 0, 1);
	is_str(b.s, "unbekannt", "no date");
	strbuf_release(&b);
}

/* The C rules against the Plural-Forms of the .po headers, evaluated by hand
 * for the numbers where the rules differ. */
static void
t_plural(void)
{
	static const struct { const char *lang; const char *idx; } rules[] = {
		/* n = 0 1 2 3 4 5 10 11 12 21 22 25 100 101 102 111 */
		{ "en", "1011111111111111" }, { "fr", "0011111111111111" },
		{ "ru", "2011122220122012" }, { "ar", "0123333444445554" },
		{ "zh", "0000000000000000" }, { "fa", "0011111111111111" },
	};
	static const int64_t ns[] = { 0, 1, 2, 3, 4, 5, 10, 11, 12, 21, 22, 25, 100, 101, 102, 111 };

	for (size_t r = 0; r < ARRAY_LEN(rules); r++)
		for (size_t i = 0; i < ARRAY_LEN(ns); i++)
			is_int(i18n_plural_index(i18n_find(rules[r].lang), ns[i]), rules[r].idx[i] - '0',
			    "%s plural of %lld", rules[r].lang, (long long)ns[i]);
	is_str(i18n_ntr(i18n_find("ru"), "item", "items", 5), "элементов", "ru 5");
	is_str(i18n_ntr(i18n_find("ru"), "item", "items", 2), "элемента", "ru 2");
	is_str(i18n_ntr(NULL, "item", "items", 2), "items", "en 2");
}

static void
t_pages(void)
{
	static const char *const params[] = { "sort", "date", "q", "a&b \"c\"" };
	page_site_t s = { "Pub", "", NULL, NULL, NULL, 0, NULL, "ar", 0, params, 2 };
	page_collection_t c = { "docs", "Docs", "", 3, 4096, 1700000000, NULL };
	strbuf_t b;

	strbuf_init(&b);
	ok(page_home(&b, &s, &c, 1) == 0, "home in Arabic");
	ok(strstr(b.s, "<html lang=\"ar\" dir=\"rtl\">") != NULL, "ar is rtl");
	ok(strstr(b.s, "<a href=\"/\">") != NULL, "the site language is not carried");
	ok(strstr(b.s, "href=\"?sort=date&amp;q=a%26b%20%22c%22&amp;lang=fr\"") != NULL,
	    "the switcher keeps the page's query");
	strbuf_reset(&b);
	s.lang = "es";
	s.lang_chosen = 1;
	ok(page_home(&b, &s, &c, 1) == 0, "home in Spanish, chosen");
	ok(strstr(b.s, "<html lang=\"es\">") != NULL, "es");
	ok(strstr(b.s, "<a href=\"/c/docs/?lang=es\">") != NULL, "links carry lang=es");
	ok(strstr(b.s, "<span aria-current=\"true\">Español</span>") != NULL, "the switcher marks es");
	strbuf_reset(&b);
	s.lang = "zz";
	ok(page_error(&b, &s, 404, "There is no such file in this collection.", 0) == 0, "error page");
	ok(strstr(b.s, "<html lang=\"en\">") != NULL, "an unknown language is English");
	strbuf_reset(&b);
	s.lang = "de";
	ok(page_error(&b, &s, 404, "There is no such file in this collection.", 0) == 0, "error page in German");
	ok(strstr(b.s, "Nicht gefunden") && strstr(b.s, "In dieser Sammlung gibt es keine solche Datei."),
	    "heading and detail translated");
	strbuf_release(&b);
}

/* The size budget of web/README.md (30 KB with 50 names of 255 bytes; 32 KB
 * in Arabic and Persian) holds in every language, with lang= carried on
 * every link. */
static void
t_sizes(void)
{
	page_site_t s = { "Pub", "", NULL, NULL, NULL, 0, NULL, NULL, 1, NULL, 0 };
	page_collection_t c = { "docs", "Docs", "", 3, 4096, 1700000000, NULL };
	char name[256];
	size_t len = 0;
	strbuf_t b;

	while (len + 2 <= 251) {
		memcpy(name + len, "\xc3\xa9", 2);
		len += 2;
	}
	memcpy(name + len, ".pdf", 5);
	page_entry_t e[PAGE_DIR_PER_PAGE];
	for (size_t i = 0; i < ARRAY_LEN(e); i++)
		e[i] = (page_entry_t){ name, (int)(i % 5 == 0), 123456789012LL, 1764000000, 100000, NULL };
	strbuf_init(&b);
	for (size_t i = 0; i18n_at(i); i++) {
		s.lang = i18n_code(i18n_at(i));
		strbuf_reset(&b);
		ok(page_dir(&b, &s, &c, "2024/annexes/scanned", e, ARRAY_LEN(e), 100000, "size", 1, 1000,
		    PAGE_DIR_PER_PAGE) == 0, "dir in %s", s.lang);
		printf("# dir in %s, 50 names of 255 bytes: %zu bytes\n", s.lang, b.len);
		/* A cut name rides whole in a title; Persian and Arabic digits
		 * are two bytes each (web/README.md). */
		ok(b.len <= (i18n_rtl(i18n_at(i)) ? 47 : 45) * 1024, "dir in %s: %zu bytes", s.lang, b.len);
	}
	strbuf_release(&b);
}

static const unit_case_t cases[] = {
	UNIT_CASE(t_sizes),
	UNIT_CASE(t_catalogues),
	UNIT_CASE(t_shape),
	UNIT_CASE(t_template),
	UNIT_CASE(t_carry),
	UNIT_CASE(t_forms),
	UNIT_CASE(t_plural),
	UNIT_CASE(t_pages),
	UNIT_CASES_END
};

int
main(int argc, char **argv)
{
	return unit_main(cases, argc, argv);
}
