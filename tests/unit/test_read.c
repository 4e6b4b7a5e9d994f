/* test_read: what the reading view is made of — the search words it marks
 * (site/mark), the table splitter (docs/csv), the page itself (site/page_read:
 * every byte escaped, hits numbered, pages linked) and the listing an e-mail's
 * attachments leave behind its text (docs/extract). */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/csv.h"
#include "docs/extract.h"
#include "site/mark.h"
#include "site/page.h"
#include "unit.h"

static void
marks(void)
{
	mark_terms_t t;
	size_t s, e;
	const char *text = "Policeman POLICE polices; the police* office offic";

	mark_terms_parse("police offic* a \"x\"", &t);
	is_int(t.n, 2, "one-letter words are left out");
	ok(t.t[1].prefix, "offic* is a prefix");
	ok(mark_next(&t, text, strlen(text), 0, &s, &e), "a hit");
	is_int(s, 10, "not inside 'Policeman': at POLICE, any case");
	is_int(e, 16, "the whole word");
	ok(mark_next(&t, text, strlen(text), e, &s, &e) && s == 30, "'police' before '*': the next");
	ok(mark_next(&t, text, strlen(text), e, &s, &e) && s == 38 && e == 44, "prefix: the whole word office");
	ok(mark_next(&t, text, strlen(text), e, &s, &e) && s == 45, "prefix: offic itself");
	mark_terms_parse(NULL, &t);
	ok(!mark_next(&t, text, strlen(text), 0, &s, &e), "no query, no hit");
	mark_terms_parse("caf\xc3\xa9", &t);
	ok(mark_next(&t, "un caf\xc3\xa9 noir", 13, 0, &s, &e) && s == 3 && e == 8, "non-ASCII word");
}

static void
csv(void)
{
	strbuf_t cells;
	csv_row_t row;
	const char *s = "a,\"b,\"\"c\"\"\nd\",e\r\nx\ty\n";
	size_t n;

	strbuf_init(&cells);
	n = csv_row_read(s, strlen(s), ',', &cells, &row);
	is_int(n, 17, "one record, a quoted line break inside, CRLF consumed");
	is_int(row.n, 3, "three cells");
	ok(row.len[1] == 7 && memcmp(cells.s + row.off[1], "b,\"c\"\nd", 7) == 0, "quotes undone");
	strbuf_reset(&cells);
	n = csv_row_read(s + 17, strlen(s) - 17, '\t', &cells, &row);
	ok(n == 4 && row.n == 2, "TSV: tab-separated");
	strbuf_reset(&cells);
	char wide[300];
	for (size_t i = 0; i < 100; i++)
		wide[2 * i] = 'x', wide[2 * i + 1] = ',';
	csv_row_read(wide, 200, ',', &cells, &row);
	ok(row.n == CSV_CELLS_MAX && row.more == 100 - CSV_CELLS_MAX + 1, "cells past the cap counted: %zu", row.more);
	strbuf_reset(&cells);
	n = csv_row_read("\"open", 5, ',', &cells, &row);
	ok(n == 5 && row.n == 1, "an open quote takes the rest");
	strbuf_release(&cells);
}

static void
page(void)
{
	page_collection_t c = { "demo", "Demo", "", 1, 1, 0, NULL };
	page_cell_t hdr[] = { { "Subject", 7 }, { "<b>zeppelin</b>", 15 } };
	page_item_t items[] = { { 'a', 2048, "zeppelin <img src=x>.pdf", 24, 2 },
		{ 'a', -1, "x.eml \xe2\x80\xba y.txt", 15, 3 } };
	const char *text = "line one <script>alert(1)</script>\nthe Zeppelin flies\n";
	page_read_t r = { .kind = PAGE_READ_MAIL, .path = "mail/m<1>.eml", .mime = "message/rfc822",
		.size = 100, .q = "zeppelin", .page = 2, .npages = 3, .text = text,
		.text_len = strlen(text), .headers = hdr, .nheaders = 1, .items = items, .nitems = 2,
		.items_more = 5 };
	strbuf_t b;

	strbuf_init(&b);
	ok(page_read(&b, NULL, &c, &r) == 0, "renders");
	ok(!strstr(b.s, "<script>") && strstr(b.s, "&lt;script&gt;alert(1)&lt;/script&gt;"), "text escaped");
	ok(!strstr(b.s, "<img") && !strstr(b.s, "<b>zeppelin"), "header and names escaped");
	ok(strstr(b.s, "&lt;b&gt;<mark id=\"hit1\">zeppelin</mark>&lt;/b&gt;") != NULL, "hit 1 in the header");
	ok(strstr(b.s, "the <mark id=\"hit2\">Zeppelin</mark> flies") != NULL, "hit 2 in the text");
	ok(strstr(b.s, "<mark id=\"hit3\">zeppelin</mark> &lt;img") != NULL, "hit 3 in a name");
	ok(strstr(b.s, "href=\"?page=1&amp;q=zeppelin\"") && strstr(b.s, "href=\"?page=3&amp;q=zeppelin\""),
	    "previous and next pages keep the query");
	ok(strstr(b.s, "Page 2 of 3") != NULL, "page N of M");
	ok(strstr(b.s, "and 5 more") != NULL, "entries not listed are counted");
	ok(strstr(b.s, "href=\"/f/demo/mail/m%3C1%3E.eml\"") != NULL, "download link");
	ok(strstr(b.s, "<a href=\"?part=2&amp;q=zeppelin\"><bdi>") != NULL &&
	    strstr(b.s, "<a href=\"/i/demo/mail/m%3C1%3E.eml?part=2\" download>Download</a>") != NULL,
	    "an attachment links its view (with the query) and its download");
	ok(strstr(b.s, "?part=3&amp;q=zeppelin\"><bdi>x.eml › y.txt</bdi></a>") != NULL,
	    "a nested attachment too, without a size");
	strbuf_release(&b);
	/* The view of an attachment: its name, the message, its download, pages keep it. */
	r.kind = PAGE_READ_PROSE;
	r.part = 2;
	r.part_name = "inner.eml \xe2\x80\xba <b>.pdf";
	r.nitems = 0;
	r.items_more = 0;
	strbuf_init(&b);
	ok(page_read(&b, NULL, &c, &r) == 0, "renders an attachment's view");
	ok(strstr(b.s, "<h1 class=\"file\"><bdi>inner.eml › &lt;b&gt;.pdf</bdi></h1>") != NULL, "its name, escaped");
	ok(strstr(b.s, "href=\"/r/demo/mail/m%3C1%3E.eml\"") != NULL &&
	    strstr(b.s, "href=\"/i/demo/mail/m%3C1%3E.eml?part=2\" download") != NULL,
	    "links the whole message and its download");
	ok(strstr(b.s, "href=\"?page=3&amp;part=2&amp;q=zeppelin\"") != NULL &&
	    strstr(b.s, "name=\"part\" value=\"2\"") != NULL, "pages keep the part");
	strbuf_release(&b);
}

static void
table(void)
{
	page_collection_t c = { "demo", "Demo", "", 1, 1, 0, NULL };
	page_cell_t h[] = { { "id", 2 }, { "<th>", 4 } };
	page_cell_t r1[] = { { "1", 1 }, { "</td></tr><script>x</script>", 28 }, { "a\x1f" "b", 3 } };
	page_row_t rows[] = { { h, 2, 0 }, { r1, 3, 7 } };
	page_read_t r = { .kind = PAGE_READ_TABLE, .path = "t.csv", .mime = "text/csv", .size = 10,
		.page = 1, .npages = 1, .rows = rows, .nrows = 2 };
	strbuf_t b;

	strbuf_init(&b);
	ok(page_read(&b, NULL, &c, &r) == 0, "renders");
	ok(strstr(b.s, "<th scope=\"col\">id</th><th scope=\"col\">&lt;th&gt;</th>") != NULL, "header row, escaped");
	ok(strstr(b.s, "<tr><td>1</td><td>&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;x&lt;/script&gt;</td><td>a b</td>"
	    "<td>… 7 more</td></tr>") != NULL, "body row: cells escaped, a \\x1f in data is no boundary");
	ok(!strstr(b.s, "<script>"), "no markup from cells");
	strbuf_release(&b);
}

/* A text cut at ingest: said above it on every page and again where it
 * ends, linking the whole file (an attachment: its own download). */
static void
cut(void)
{
	page_collection_t c = { "demo", "Demo", "", 1, 1, 0, NULL };
	page_read_t r = { .kind = PAGE_READ_PROSE, .path = "d/r<1>.pdf", .mime = "application/pdf",
		.size = 826100, .page = 2, .npages = 3, .text = "words", .text_len = 5, .cut = 1,
		.cut_kept = 262100 };
	const char *says = "This text is cut: only its first 262.1 kB are shown here (the whole file is "
	    "826.1 kB). <a href=\"/f/demo/d/r%3C1%3E.pdf\" download>Download the whole file</a> for the rest.";
	strbuf_t b;

	strbuf_init(&b);
	ok(page_read(&b, NULL, &c, &r) == 0, "renders");
	ok(strstr(b.s, says) != NULL, "says how much of what is shown, links the whole file: %s", b.s);
	ok(strstr(strstr(b.s, says) + 1, says) == NULL, "once on a page before the last");
	strbuf_release(&b);
	r.page = 3;
	strbuf_init(&b);
	ok(page_read(&b, NULL, &c, &r) == 0 && strstr(b.s, says) && strstr(strstr(b.s, says) + 1, says),
	    "again where the kept text ends");
	strbuf_release(&b);
	r.part = 2;
	r.part_name = "a.txt";
	strbuf_init(&b);
	ok(page_read(&b, NULL, &c, &r) == 0 && strstr(b.s, "only its first 262.1 kB are shown here. <a "
	    "href=\"/i/demo/d/r%3C1%3E.pdf?part=2\" download>Download the attachment</a>"),
	    "an attachment's: its own download");
	strbuf_release(&b);
	/* The whole text's length known (stored at ingest): said instead of
	 * the file's size. */
	r.part = 0;
	r.part_name = NULL;
	r.cut_whole = 650400;
	strbuf_init(&b);
	ok(page_read(&b, NULL, &c, &r) == 0 && strstr(b.s, "This text is cut: only its first 262.1 kB of 650.4 kB are "
	    "shown here. <a href=\"/f/demo/d/r%3C1%3E.pdf\" download>Download the whole file</a> for the rest.") &&
	    !strstr(b.s, "the whole file is"), "of the whole text's length, not the file's size: %s", b.s);
	strbuf_release(&b);
	r.cut = 0;
	strbuf_init(&b);
	ok(page_read(&b, NULL, &c, &r) == 0 && !strstr(b.s, "This text is cut"), "a whole text: nothing said");
	strbuf_release(&b);
}

static void
mail_listing(void)
{
	const char *m = "Subject: s\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\n"
	    "body\n--B\nContent-Type: application/pdf; name=\"r\tx.pdf\"\nContent-Transfer-Encoding: base64\n"
	    "Content-Disposition: attachment; filename=\"=?UTF-8?Q?r=C3=A9port?=.pdf\"\n\nQUJDRA==\n--B--\n";
	strbuf_t raw, out;
	char *title = NULL;

	strbuf_init(&raw);
	strbuf_init(&out);
	extract_eml(m, strlen(m), &raw, &title);
	extract_join_listing(&out, raw.s, raw.len);
	const char *sep = memchr(out.s, EXTRACT_LIST_SEP, out.len);
	ok(sep != NULL, "a listing follows the text");
	ok(sep && strcmp(sep + 1, "a\t4\tr\xc3\xa9port.pdf\n") == 0, "attachment: decoded name, decoded size: %s",
	    sep ? sep + 1 : "");
	ok(strstr(out.s, "body") && strstr(out.s, "body") < sep, "text first");
	free(title);
	strbuf_release(&raw);
	strbuf_release(&out);
}

int
main(int argc, char **argv)
{
	static const unit_case_t cases[] = {
		UNIT_CASE(marks), UNIT_CASE(csv), UNIT_CASE(page), UNIT_CASE(table), UNIT_CASE(cut), UNIT_CASE(mail_listing), UNIT_CASES_END
	};
	return unit_main(cases, argc, argv);
}
