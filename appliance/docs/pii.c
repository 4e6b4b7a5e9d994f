/* pii: see pii.h. One pass over the text; each candidate is looked at from
 * its first byte only, so the cost is linear in the text's length. */
#include "docs/pii.h"

#include <string.h>

static const char *const kind_names[PII_KINDS] = { "email", "phone", "ssn", "card", "iban", "street" };

const char *
pii_kind_name(enum pii_kind k)
{
	return (unsigned)k < PII_KINDS ? kind_names[k] : "?";
}

int
pii_kind_parse(const char *name)
{
	for (int k = 0; k < PII_KINDS; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_alnum(int c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

static int
is_local(int c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

int
pii_luhn(const char *d, size_t n)
{
	int sum = 0;

	for (size_t i = 0; i < n; i++) {
		int v = d[n - 1 - i] - '0';
		if (i % 2 == 1 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	return n > 0 && sum % 10 == 0;
}

int
pii_iban_valid(const char *s, size_t n)
{
	unsigned rem = 0;

	if (n < 15 || n > 34 || !is_upper(s[0]) || !is_upper(s[1]) || !is_digit(s[2]) || !is_digit(s[3]))
		return 0;
	/* ISO 13616: the first four characters move to the end, letters count
	 * as 10..35, and the number is 1 modulo 97. */
	for (size_t i = 0; i < n; i++) {
		char c = s[(i + 4) % n];
		if (is_digit(c))
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
		else if (is_upper(c))
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
		else
			return 0;
	}
	return rem == 1;
}

/* The first digits as a number (at most 4). */
static int
prefix(const char *d, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (d[i] - '0');
	return v;
}

static int
card_issuer(const char *d, size_t n)
{
	int p2 = prefix(d, 2), p3 = prefix(d, 3), p4 = prefix(d, 4);

	if (d[0] == '4')
		return n == 13 || n == 16 || n == 19;
	if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720))
		return n == 16;
	if (p2 == 34 || p2 == 37)
		return n == 15;
	if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649) || p2 == 62 || (p4 >= 3528 && p4 <= 3589))
		return n >= 16;
	if (p2 == 36 || p2 == 38 || p2 == 39 || (p3 >= 300 && p3 <= 305))
		return n >= 14 && n <= 16;
	return 0;
}

/* A run of digits with separators, starting at text[i]. */
struct numrun {
	char digits[20];
	size_t ndig, end;        /* end: one past the last digit */
	int groups[20], ngroups;
	int plus, parens, other_sep, mixed;
	char sep;                /* the one separator, if all are the same */
};

static void
read_run(const char *t, size_t len, size_t i, struct numrun *r)
{
	size_t j = i;
	int seps = 0, paren = 0;
	char sep = 0, sep2 = 0;     /* separators since the last digit */

	memset(r, 0, sizeof(*r));
	if (t[j] == '+') {
		r->plus = 1;
		j++;
	}
	while (j < len) {
		if (is_digit(t[j])) {
			if (r->ndig == sizeof(r->digits)) {
				r->ndig++;      /* too long to be anything here */
				return;
			}
			if (seps > 0 || r->ngroups == 0) {
				if (r->ngroups == (int)(sizeof(r->groups) / sizeof(r->groups[0])))
					return;
				r->ngroups++;
			}
			/* Separators count only between digits, not after the last. */
			r->parens |= paren;
			for (int k = 0; k < 2; k++) {
				char c = k ? sep2 : sep;
				if (c == 0)
					continue;
				if (r->sep == 0)
					r->sep = c;
				else if (r->sep != c)
					r->mixed = 1;
			}
			r->groups[r->ngroups - 1]++;
			r->digits[r->ndig++] = t[j];
			r->end = j + 1;
			seps = paren = 0;
			sep = sep2 = 0;
		} else if ((t[j] == ' ' || t[j] == '-' || t[j] == '(' || t[j] == ')' ||
		    (t[j] == '.' && j + 1 < len && is_digit(t[j + 1]))) && seps < 2 && r->ndig > 0) {
			/* (A dot before a space ends a sentence, not a group.) */
			if (t[j] == '(' || t[j] == ')')
				paren = 1;
			else if (sep == 0)
				sep = t[j];
			else
				sep2 = t[j];
			seps++;
		} else if (t[j] == '(' && r->ndig == 0 && seps == 0) {
			paren = 1;
			seps++;
		} else {
			break;
		}
		j++;
	}
}

static int
ssn_valid(const struct numrun *r)
{
	int area = prefix(r->digits, 3), group = prefix(r->digits + 3, 2), serial = prefix(r->digits + 5, 4);

	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

/* Classify the run at text[i]: a kind and its end, or -1. */
static int
numeric(const char *t, size_t len, size_t i, size_t *end)
{
	struct numrun r;

	read_run(t, len, i, &r);
	*end = r.end > i ? r.end : i;
	if (r.ndig > sizeof(r.digits) || r.ndig == 0)
		return -1;
	/* Glued to a letter or to more digits: part of an id or a word. */
	if (r.end < len && is_alnum(t[r.end]))
		return -1;
	if (!r.plus && !r.parens && !r.mixed && (r.sep == 0 || r.sep == ' ' || r.sep == '-') &&
	    r.ndig >= 13 && r.ndig <= 19) {
		/* Card-shaped: reported only if it checks out, never as anything else. */
		return card_issuer(r.digits, r.ndig) && pii_luhn(r.digits, r.ndig) ? PII_CARD : -1;
	}
	if (!r.plus && !r.parens && !r.mixed && r.ndig == 9 && r.ngroups == 3 && r.groups[0] == 3 &&
	    r.groups[1] == 2 && r.groups[2] == 4 && (r.sep == '-' || r.sep == ' '))
		return ssn_valid(&r) ? PII_SSN : -1;
	if (r.plus && r.ndig >= 8 && r.ndig <= 15)
		return PII_PHONE;
	if (!r.plus && r.ndig >= 10 && r.ndig <= 11 && r.ngroups >= 2 && r.ngroups <= 5) {
		/* Every group of 2 to 4 digits but a leading country "1". */
		for (int g = 0; g < r.ngroups; g++)
			if (r.groups[g] > 4 || (r.groups[g] < 2 && !(g == 0 && r.digits[0] == '1')))
				return -1;
		return PII_PHONE;
	}
	return -1;
}

/* A street address starting with the house number at text[i]: its end, or 0. */
static size_t
street(const char *t, size_t len, size_t i)
{
	static const char *const words[] = { "Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd",
		"Lane", "Ln", "Drive", "Dr", "Court", "Ct", "Way", "Terrace", "Place", "Pl", "Square", "Sq",
		"Parkway", "Highway", "Hwy", "Close", "Crescent" };
	size_t j = i, nd = 0;

	while (j < len && is_digit(t[j]) && nd < 6)
		j++, nd++;
	if (nd == 0 || nd > 5)
		return 0;
	if (j < len && is_upper(t[j]) && j + 1 < len && t[j + 1] == ' ')
		j++;            /* 221B */
	for (int w = 0; w < 5; w++) {
		size_t s, e;
		if (j + 1 >= len || t[j] != ' ' || !is_upper(t[j + 1]))
			return 0;
		s = ++j;
		while (j < len && ((t[j] >= 'a' && t[j] <= 'z') || (j == s && is_upper(t[j]))))
			j++;
		e = j;
		if (e - s < 2 || (j < len && is_alnum((unsigned char)t[j])))
			return 0;
		/* The street word ends it, but not as the first word ("5 Court"). */
		for (size_t k = 0; w > 0 && k < ARRAY_LEN(words); k++)
			if (strlen(words[k]) == e - s && memcmp(words[k], t + s, e - s) == 0)
				return j < len && t[j] == '.' ? j + 1 : j;
	}
	return 0;
}

/* An e-mail address around the '@' at text[at]: its start and end, or 0. */
static int
email(const char *t, size_t len, size_t at, size_t floor, size_t *start, size_t *end)
{
	size_t s = at, e = at + 1, dot = 0;

	while (s > floor && is_local((unsigned char)t[s - 1]) && at - s < 64)
		s--;
	while (s < at && t[s] == '.')
		s++;
	if (s == at)
		return 0;
	while (e < len && (is_alnum((unsigned char)t[e]) || t[e] == '.' || t[e] == '-') && e - at < 255)
		e++;
	while (e > at + 1 && (t[e - 1] == '.' || t[e - 1] == '-'))
		e--;
	for (size_t k = at + 1; k < e; k++) {
		if (t[k] == '.') {
			if (k == at + 1 || t[k - 1] == '.')
				return 0;
			dot = k;
		}
	}
	if (dot == 0 || e - dot - 1 < 2)
		return 0;
	for (size_t k = dot + 1; k < e; k++)
		if (is_digit(t[k]) || t[k] == '-')
			return 0;
	*start = s;
	*end = e;
	return 1;
}

/* An IBAN starting at text[i] (capital letters, check digits): its end, or 0.
 * Groups may be spaced; the longest prefix ending at a group that checks wins,
 * so a capitalised word after it does not spoil it. */
static size_t
iban(const char *t, size_t len, size_t i)
{
	char compact[35];
	size_t n = 0, ends[35], j = i;

	while (j < len && n < sizeof(compact) - 1) {
		if (is_upper(t[j]) || is_digit(t[j])) {
			compact[n] = t[j];
			ends[n++] = j + 1;
			j++;
		} else if (t[j] == ' ' && j + 1 < len && (is_upper(t[j + 1]) || is_digit(t[j + 1])) && n > 0) {
			j++;
		} else {
			break;
		}
	}
	for (; n >= 15; n--) {
		size_t e = ends[n - 1];
		if (e < len && is_alnum((unsigned char)t[e]))
			continue;
		if (pii_iban_valid(compact, n))
			return e;
	}
	return 0;
}

void
pii_scan(const char *t, size_t len, pii_fn fn, void *arg)
{
	size_t next = 0;   /* text before this was part of a finding or a rejected run */

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i], prev = i > 0 ? (unsigned char)t[i - 1] : ' ';
		size_t s, e;
		int k;

		if (i < next)
			continue;
		if (c == '@' && email(t, len, i, next, &s, &e)) {
			if (fn(PII_EMAIL, s, e - s, arg))
				return;
			next = e;
		} else if (is_upper(c) && !is_alnum(prev) && i + 4 < len && is_upper(t[i + 1]) &&
		    is_digit(t[i + 2]) && is_digit(t[i + 3]) && (e = iban(t, len, i)) > 0) {
			if (fn(PII_IBAN, i, e - i, arg))
				return;
			next = e;
		} else if ((is_digit(c) || ((c == '+' || c == '(') && i + 1 < len && is_digit(t[i + 1]))) &&
		    !is_alnum(prev) && prev != '+') {
			/* A run that is not a finding is skipped whole: the digits
			 * of an invalid card are not a phone number either. */
			k = numeric(t, len, i, &e);
			if (k < 0 && is_digit(c) && (s = street(t, len, i)) > 0) {
				k = PII_STREET;
				e = s;
			}
			if (k >= 0 && fn((enum pii_kind)k, i, e - i, arg))
				return;
			next = e;
		}
	}
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Append text[a, b) with white space folded and every digit masked; a word
 * holding '@' (another address) or cut at either edge (cut_a, cut_b: a part
 * of something that may be personal) is masked whole. */
static void
context(strbuf_t *out, const char *t, size_t a, size_t b, int cut_a, int cut_b)
{
	size_t i = a;

	while (i < b) {
		size_t ws = i, we;
		int mask;

		while (i < b && is_space((unsigned char)t[i]))
			i++;
		if (i > ws)
			strbuf_addc(out, ' ');
		if (i == b)
			break;
		for (we = i; we < b && !is_space((unsigned char)t[we]); we++)
			;
		mask = memchr(t + i, '@', we - i) != NULL || (cut_a && i == a) || (cut_b && we == b);
		for (; i < we; i++) {
			unsigned char c = (unsigned char)t[i];
			if (is_digit(c) || (mask && is_alnum(c)))
				strbuf_adds(out, "\xe2\x80\xa2");
			else
				strbuf_addc(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
		}
	}
}

/* Move p back (or forward, dir 1) to the start of a UTF-8 character. */
static size_t
char_start(const char *t, size_t len, size_t p, int forward)
{
	while (p > 0 && p < len && ((unsigned char)t[p] & 0xc0) == 0x80)
		p += forward ? 1 : (size_t)-1;
	return p;
}

#define PII_CONTEXT 28

void
pii_excerpt(strbuf_t *out, const char *t, size_t len, size_t off, size_t mlen)
{
	size_t a = off > PII_CONTEXT ? off - PII_CONTEXT : 0, b = off + mlen + PII_CONTEXT;
	size_t keep_from = off + mlen, alnum = 0, at = 0, tld = off + mlen, whole = mlen;

	if (off > len || mlen > len - off)
		return;
	if (b > len)
		b = len;
	a = char_start(t, len, a, 1);
	b = char_start(t, len, b, 0);
	/* The top-level domain of the whole address, before a long one is cut. */
	for (size_t i = off; i < off + mlen; i++)
		if (t[i] == '@')
			at = i;
		else if (at && t[i] == '.')
			tld = i;
	if (mlen > 64)
		mlen = 64;
	/* What stays visible of the finding: its last two letters or digits, or
	 * for an address its first letter and its top-level domain. */
	for (size_t i = off + mlen; i > off && alnum < 2; i--)
		if (is_alnum((unsigned char)t[i - 1]) && ++alnum == 2)
			keep_from = i - 1;
	if (a > 0)
		strbuf_adds(out, "\xe2\x80\xa6");
	context(out, t, a, off, a > 0 && !is_space((unsigned char)t[a - 1]), 0);
	for (size_t i = off; i < off + mlen; i++) {
		unsigned char c = (unsigned char)t[i];
		/* (An address's top-level domain is letters; a digit is never shown there.) */
		int show = at ? (i == off || i == at || i >= tld) && !is_digit(c) : (i >= keep_from || !is_alnum(c));
		if (show && c >= 0x20 && c < 0x7f)
			strbuf_addc(out, (char)c);
		else if (show)
			strbuf_addc(out, ' ');
		else
			strbuf_adds(out, "\xe2\x80\xa2");
	}
	if (whole > mlen)
		strbuf_adds(out, "\xe2\x80\xa6");   /* the rest of a long finding: not shown */
	if (b < off + whole)
		b = off + whole;
	context(out, t, off + whole, b, 0, b < len && !is_space((unsigned char)t[b]));
	if (b < len)
		strbuf_adds(out, "\xe2\x80\xa6");
}
