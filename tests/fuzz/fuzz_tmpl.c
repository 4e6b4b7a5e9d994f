/* libFuzzer: compile a fuzzed template, render it with fuzzed values (in
 * English, then in Arabic with lang= carried on links and forms, which
 * rewrites the page's tags), and run every escaper on the raw input. Input: template text, a NUL byte, then
 * values separated by NUL (bound in turn to a, b, c, ... and to items of the
 * list "l"). Rendering must never crash, and no escaper may emit '<' from
 * data or invalid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "site/i18n.h"
#include "site/tmpl.h"

static void
check_escaped(void (*esc)(strbuf_t *, const char *, size_t), const char *s, size_t n, int marks_ok)
{
	strbuf_t b;
	strbuf_init(&b);
	esc(&b, s, n);
	for (size_t i = 0; i < b.len; i++) {
		if (b.s[i] == '<' && !(marks_ok && (strncmp(b.s + i, "<mark>", 6) == 0 ||
		    strncmp(b.s + i, "</mark>", 7) == 0)))
			abort();
		if (b.s[i] == '\0')
			abort();
	}
	strbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	const char *nul = memchr(s, '\0', size);
	size_t tlen = nul ? (size_t)(nul - s) : size;
	tmpl_set_t *set = tmpl_set_new();
	tmpl_vars_t *v = tmpl_vars_new();
	strbuf_t out;
	char key[2] = "a";

	check_escaped(tmpl_escape_html, s, size, 0);
	check_escaped(tmpl_escape_text, s, size, 0);
	check_escaped(tmpl_escape_url, s, size, 0);
	check_escaped(tmpl_escape_iri, s, size, 0);
	check_escaped(tmpl_escape_query, s, size, 0);
	check_escaped(tmpl_escape_snippet, s, size, 1);

	for (const char *p = nul ? nul + 1 : end; p < end && key[0] <= 'z'; key[0]++) {
		const char *q = memchr(p, '\0', (size_t)(end - p));
		size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
		tmpl_putn(v, key, p, n);
		tmpl_vars_t *it = tmpl_push(v, "l");
		tmpl_putn(it, "a", p, n);
		if (key[0] & 1)
			tmpl_push(it, "l");
		p += n + 1;
	}
	if (tmpl_set_add(set, "t", s, tlen, NULL) == 0 &&
	    tmpl_set_add(set, "p", "<p title=\"{{a}}\">{{b|snippet}}{{#l}}{{>t}}{{/l}}</p>", 49, NULL) == 0) {
		strbuf_init(&out);
		(void)tmpl_render(set, "t", "p", v, &out);
		strbuf_reset(&out);
		(void)tmpl_render(set, "p", "t", v, &out);
		strbuf_reset(&out);
		tmpl_vars_set_lang(v, i18n_find("ar"), 1);
		(void)tmpl_render(set, "t", "p", v, &out);
		strbuf_release(&out);
	}
	tmpl_vars_free(v);
	tmpl_set_free(set);
	return 0;
}
