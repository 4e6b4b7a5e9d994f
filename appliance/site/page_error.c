/* page_error: the error pages (see page.h): a plain one per status, and a
 * 404 under a collection that leads on to the nearest folder and a search. */
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "base/util.h"
#include "site/i18n.h"
#include "site/page.h"
#include "site/page_int.h"
#include "site/tmpl.h"

static const struct {
	int status;
	const char *heading, *explain;
} errors[] = {
	{ 400, N_("Bad request"), N_("This address or form could not be understood.") },
	{ 403, N_("Not served here"), N_("This address cannot be served to you from here.") },
	{ 404, N_("Not found"), N_("There is nothing at this address. It may have been moved or removed, or the link may be mistyped.") },
	{ 405, N_("Not allowed"), N_("This site only serves pages and files for reading.") },
	{ 413, N_("Request too large"), N_("The request sent to this site was larger than it accepts.") },
	{ 414, N_("Address too long"), N_("The address is longer than this site accepts. If you were searching, try fewer words.") },
	{ 416, N_("Range not available"), N_("The part of the file that was asked for does not exist. If you were resuming a download, the file may have changed: start it again from the beginning.") },
	{ 429, N_("Too many requests"), N_("You are sending requests faster than this site can serve everyone fairly.") },
	{ 431, N_("Request headers too large"), N_("Your browser sent more header data than this site accepts.") },
	{ 500, N_("Something went wrong"), N_("The site hit an internal error. This is not your fault.") },
	{ 503, N_("Temporarily unavailable"), N_("The site is busy or starting up.") },
};

static void
error_vars(tmpl_vars_t *v, const page_site_t *s, int status, const char *detail, int retry_after)
{
	const i18n_lang_t *l = page_lang_(s);
	const char *heading = N_("Error"), *explain = N_("The request could not be served.");
	char title[160];

	for (size_t i = 0; i < ARRAY_LEN(errors); i++)
		if (errors[i].status == status) {
			heading = errors[i].heading;
			explain = errors[i].explain;
		}
	heading = i18n_tr(l, heading);
	snprintf(title, sizeof(title), "%d %s", status, heading);
	page_put_common_(v, s, title);
	tmpl_put(v, "heading", heading);
	tmpl_put(v, "explain", i18n_tr(l, explain));
	tmpl_put(v, "detail", detail ? i18n_tr(l, detail) : NULL);
	tmpl_put_int(v, "status", status);
	tmpl_put(v, "noindex", "1");   /* an error says nothing worth finding again */
	if ((status == 429 || status == 503) && retry_after > 0) {
		int64_t n = retry_after < 120 ? retry_after : (retry_after + 59) / 60;
		strbuf_t nb, rb;
		strbuf_init(&nb);
		strbuf_init(&rb);
		i18n_number(l, &nb, n);
		i18n_subst(&rb, retry_after < 120 ? i18n_ntr(l, "{n} second", "{n} seconds", n) :
		    i18n_ntr(l, "about {n} minute", "about {n} minutes", n), "n", nb.s, (const char *)NULL);
		tmpl_putn(v, "retry", rb.s, rb.len);
		strbuf_release(&nb);
		strbuf_release(&rb);
	}
}

int
page_error(strbuf_t *out, const page_site_t *s, int status, const char *detail, int retry_after)
{
	tmpl_vars_t *v = tmpl_vars_new();

	error_vars(v, s, status, detail, retry_after);
	return page_render_(out, "error.html", v);
}

int
page_not_found(strbuf_t *out, const page_site_t *s, const page_collection_t *c, const char *path,
    const char *near)
{
	tmpl_vars_t *v = tmpl_vars_new();
	const char *name = page_base_name_(path ? path : "");
	size_t len = strlen(name);

	error_vars(v, s, 404, NULL, 0);
	tmpl_put(v, "slug", c->slug);
	tmpl_put(v, "ctitle", page_or_default_(c->title, c->slug));
	if (near) {
		tmpl_vars_t *it = tmpl_push(v, "near_link");
		tmpl_put(it, "near", near);
		tmpl_put(it, "near_name", *near ? near : page_or_default_(c->title, c->slug));
	}
	/* The name, its extension left out, as the words of a search. */
	for (size_t i = len; i > 1; i--)
		if (name[i - 1] == '.') {
			len = i - 1;
			break;
		}
	len = page_utf8_cut_(name, len, PAGE_QUERY_MAX);
	if (len > 0)
		tmpl_putn(v, "seek", name, len);
	return page_render_(out, "error.html", v);
}
