/* pii: personal data a rule can find in a document's extracted text, for the
 * publisher's review (never to change a file): e-mail addresses, phone
 * numbers, US Social Security-like numbers, payment card numbers (Luhn and
 * issuer prefix checked) and IBANs (ISO 13616 mod-97 checked).
 *
 * Rules, chosen so that what is reported is worth a look and checkable
 * numbers that fail their check are never reported:
 *   email  local@domain.tld: local [A-Za-z0-9._%+-], a dotted domain, a
 *          top-level label of 2+ letters.
 *   card   13-19 digits, alone or grouped by single spaces or hyphens, an
 *          issuer prefix (Visa, Mastercard, Amex, Discover, JCB, Diners,
 *          UnionPay) and a valid Luhn digit.
 *   ssn    ddd-dd-dddd or ddd dd dddd, area not 000, 666 or 9xx, group not
 *          00, serial not 0000.
 *   phone  '+' and 8-15 digits, or 10-11 digits in groups separated by
 *          spaces, hyphens, dots or parentheses (a plain run of digits is an
 *          id more often than a phone number); never what is card- or
 *          SSN-shaped.
 *   iban   two capital letters, two check digits, 11-30 letters or digits
 *          (groups of four may be spaced), mod 97 = 1.
 *   street a house number (1-5 digits, a letter may follow), one to four
 *          capitalised words and a street word (Street, St, Avenue, Ave,
 *          Road, Rd, Boulevard, Blvd, Lane, Ln, Drive, Dr, Court, Ct, Way,
 *          Terrace, Place, Pl, Square, Sq, Parkway, Highway, Hwy, Close,
 *          Crescent): "742 Evergreen Terrace", "221B Baker Street".
 * Nothing finds names, other forms of address, faces or handwriting. */
#ifndef BROADSIDE_PII_H
#define BROADSIDE_PII_H

#include <stddef.h>

#include "base/util.h"

enum pii_kind { PII_EMAIL, PII_PHONE, PII_SSN, PII_CARD, PII_IBAN, PII_STREET, PII_KINDS };

/* "email", "phone", "ssn", "card", "iban", "street". */
const char *pii_kind_name(enum pii_kind k);
/* The kind named name, or -1. */
int pii_kind_parse(const char *name);

/* Called for every finding, in text order; non-zero stops the scan. */
typedef int (*pii_fn)(enum pii_kind kind, size_t off, size_t len, void *arg);
/* Scan len bytes of text (any bytes; UTF-8 expected). */
void pii_scan(const char *text, size_t len, pii_fn fn, void *arg);

/* Append a redacted excerpt of the finding at [off, off+mlen): a few words
 * around it with every digit masked, the finding masked but for its last two
 * letters or digits (an address keeps its first letter and its top-level
 * domain), white space folded; at most ~120 bytes, valid UTF-8 if text is. */
void pii_excerpt(strbuf_t *out, const char *text, size_t len, size_t off, size_t mlen);

/* 1 if the n digits pass the Luhn check. */
int pii_luhn(const char *digits, size_t n);
/* 1 if the n letters and digits (no spaces) are an IBAN with a valid check. */
int pii_iban_valid(const char *s, size_t n);

#endif
