/* test_pii: the review's pattern rules on planted text: every valid item is
 * found with its kind, checkable numbers that fail their check never are,
 * and excerpts hide the digits. */
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "docs/pii.h"
#include "unit.h"

struct found {
	int kind[64];
	char text[64][64];
	int n;
	const char *base;
};

static int
t_collect(enum pii_kind kind, size_t off, size_t len, void *arg)
{
	struct found *f = arg;

	if (f->n < 64) {
		f->kind[f->n] = kind;
		snprintf(f->text[f->n], sizeof(f->text[0]), "%.*s", (int)len, f->base + off);
		f->n++;
	}
	return 0;
}

static struct found
scan(const char *s)
{
	struct found f = { .n = 0, .base = s };
	pii_scan(s, strlen(s), t_collect, &f);
	return f;
}

static void
t_found(void)
{
	static const struct { const char *text; int kind; const char *match; } yes[] = {
		{ "write to jane.doe+leak@example.co.uk today", PII_EMAIL, "jane.doe+leak@example.co.uk" },
		{ "<a.b@c.org>.", PII_EMAIL, "a.b@c.org" },
		{ "Visa 4111 1111 1111 1111 exp", PII_CARD, "4111 1111 1111 1111" },
		{ "card:4012888888881881;", PII_CARD, "4012888888881881" },
		{ "Amex 3782-822463-10005.", PII_CARD, "3782-822463-10005" },
		{ "MC 5555555555554444", PII_CARD, "5555555555554444" },
		{ "SSN 078-05-1120 on file", PII_SSN, "078-05-1120" },
		{ "ssn 219 09 9999", PII_SSN, "219 09 9999" },
		{ "call (555) 123-4567 now", PII_PHONE, "(555) 123-4567" },
		{ "tel 555-123-4567. Then", PII_PHONE, "555-123-4567" },
		{ "tel 555.123.4567", PII_PHONE, "555.123.4567" },
		{ "+44 20 7946 0958", PII_PHONE, "+44 20 7946 0958" },
		{ "+4915112345678", PII_PHONE, "+4915112345678" },
		{ "1-800-555-0199", PII_PHONE, "1-800-555-0199" },
		{ "+1 (555) 123-4567", PII_PHONE, "+1 (555) 123-4567" },
		{ "IBAN DE89 3704 0044 0532 0130 00 AND MORE", PII_IBAN, "DE89 3704 0044 0532 0130 00" },
		{ "GB82WEST12345698765432", PII_IBAN, "GB82WEST12345698765432" },
		{ "FR1420041010050500013M02606.", PII_IBAN, "FR1420041010050500013M02606" },
		{ "lives at 742 Evergreen Terrace, Springfield", PII_STREET, "742 Evergreen Terrace" },
		{ "221B Baker Street", PII_STREET, "221B Baker Street" },
		{ "from 10 Downing St. today", PII_STREET, "10 Downing St." },
		{ "1 Main Street", PII_STREET, "1 Main Street" },
	};
	static const char *const no[] = {
		"Visa 4111 1111 1111 1112 exp",      /* Luhn fails */
		"4111111111111112",
		"3782-822463-10006",                 /* Amex, Luhn fails */
		"1234 5678 9012 3456",               /* no issuer, Luhn fails */
		"9999 9999 9999 9995",               /* Luhn ok, no issuer */
		"000-12-3456 666-12-3456 912-12-3456 123-00-4567 123-45-0000",   /* not SSNs */
		"2020-12-03 and 12.03.2020 and 3.14159",
		"order 5551234567 ref",              /* a plain run: an id */
		"version 1.2.3.4.5",
		"DE89 3704 0044 0532 0130 01",       /* IBAN check fails */
		"ISBN 978-3-16-148410-0",
		"not@an address", "a@b", "x@y.c", "@example.org",
		"ab4111111111111111",                /* glued to letters */
		"the 2020 Annual Report", "5 Court cases", "12 officers on Main Street", "123456 Long Road",
	};
	for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
		struct found f = scan(yes[i].text);
		ok(f.n == 1, "one finding in '%s' (got %d)", yes[i].text, f.n);
		if (f.n >= 1) {
			is_int(f.kind[0], yes[i].kind, "kind in '%s'", yes[i].text);
			is_str(f.text[0], yes[i].match, "match in '%s'", yes[i].text);
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(no); i++) {
		struct found f = scan(no[i]);
		ok(f.n == 0, "nothing in '%s' (got %d: %s)", no[i], f.n, f.n ? f.text[0] : "");
	}
	{
		struct found f = scan("a@b.org, 078-05-1120 and 4111111111111111 then +33 1 23 45 67 89.");
		is_int(f.n, 4, "four in a row");
	}
}

static void
t_excerpt(void)
{
	const char *t = "Payment with card 4111 1111 1111 1111 by 555-123-4567 ok";
	strbuf_t b;
	const char *card = strstr(t, "4111");

	strbuf_init(&b);
	pii_excerpt(&b, t, strlen(t), (size_t)(card - t), 19);
	ok(b.s && strstr(b.s, "4111") == NULL && strstr(b.s, "11 by") != NULL, "card masked but its last two: %s",
	    b.s ? b.s : "");
	ok(b.s && strstr(b.s, "555") == NULL, "digits around masked: %s", b.s ? b.s : "");
	strbuf_reset(&b);
	t = "mail jane.doe@example.org\nnow";
	pii_excerpt(&b, t, strlen(t), 5, 20);
	ok(b.s && strstr(b.s, "j") && strstr(b.s, "jane") == NULL && strstr(b.s, ".org now"), "address: %s",
	    b.s ? b.s : "");
	strbuf_release(&b);
	ok(pii_luhn("79927398713", 11) && !pii_luhn("79927398710", 11), "luhn");
	ok(pii_iban_valid("GB82WEST12345698765432", 22) && !pii_iban_valid("GB82WEST12345698765433", 22), "iban");
	is_int(pii_kind_parse("card"), PII_CARD, "parse card");
	is_int(pii_kind_parse("gps"), -1, "gps is not a text kind");
}

int
main(int argc, char **argv)
{
	static const unit_case_t cases[] = { UNIT_CASE(t_found), UNIT_CASE(t_excerpt), UNIT_CASES_END };
	return unit_main(cases, argc, argv);
}
