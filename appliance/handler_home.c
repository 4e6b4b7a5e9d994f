/* handler_home: / — the publisher's name and collections. */
#include "handler.h"
#include "http_resp.h"

static int
add_row(const cat_collection_t *col, void *arg)
{
	strbuf_t *b = arg;
	char size[32];

	human_bytes(col->bytes, size, sizeof(size));
	strbuf_adds(b, "<li><a href=\"/c/");
	html_escape(b, col->slug);
	strbuf_adds(b, "/\">");
	html_escape(b, col->title);
	strbuf_addf(b, "</a> — %lld files, %s</li>\n", (long long)col->files, size);
	return 0;
}

void
handler_home(server_t *s, http_conn_t *c, const http_req_t *req, const route_t *rt,
    http_resp_t *resp)
{
	strbuf_t b;
	const conf_t *conf = server_conf(s);

	strbuf_init(&b);
	strbuf_adds(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
	html_escape(&b, conf->publisher_name);
	strbuf_adds(&b, "</title></head><body><h1>");
	html_escape(&b, conf->publisher_name);
	strbuf_adds(&b, "</h1><ul>\n");
	if (cat_collection_each(server_cat(s), add_row, &b) < 0) {
		strbuf_release(&b);
		http_resp_error(resp, 500, NULL);
		return;
	}
	strbuf_adds(&b, "</ul></body></html>\n");
	http_resp_html(resp, 200, &b);
}
