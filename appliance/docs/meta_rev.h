/* meta_rev: what an earlier revision of a PDF said that its last one does
 * not, for the publisher's review. Runs in the main process, so it never
 * sees a document byte: its inputs are the jailed parse's lines (where each
 * earlier revision ends) and pdftotext's text of each revision, both the
 * answers of jailed children and so any bytes at all. Every loop is bounded
 * by its input's length; nothing is followed, nothing parsed but lines.
 *
 * Contract:
 *  - meta_rev_ends: the first META_PDF_REV_READ lines that start with
 *    META_PDF_REV_HINT (a line elsewhere is ignored); each end kept only
 *    when it is a plain decimal with 0 < end < size and end <=
 *    META_PDF_REV_BYTES, else 0 (its slot still counts, so revision numbers
 *    stay those of the file).
 *  - meta_rev_removed: the lines of an earlier text (blanks trimmed, empty
 *    ones skipped) that are no line of the last text, in order, joined by
 *    " | ", as valid UTF-8 (bytes that are not UTF-8 read as Latin-1,
 *    controls as spaces) of at most max bytes, cut on a character, never in
 *    one; what docs/pii finds in it (addresses, phone, card, SSN-like and
 *    IBAN numbers, streets) masked as in a personal-data excerpt, every
 *    letter and digit but the last two a U+2022, so the review's report
 *    never holds in clear what its own personal-data findings mask. Linear
 *    in the texts after one sort of the last text's lines. */
#ifndef BROADSIDE_META_REV_H
#define BROADSIDE_META_REV_H

#include <stddef.h>

#include "base/util.h"

/* The jailed parse's line: an earlier revision ends at this offset (its
 * decimal follows). */
#define META_PDF_REV_HINT "pdf\trevision ends "
#define META_PDF_REV_READ 4           /* earlier revisions whose text is compared */
#define META_PDF_REV_BYTES (64 * 1024 * 1024)   /* of each, copied for pdftotext */

/* The ends of the earlier revisions named in hints[0..n) (see above) into
 * ends[0..META_PDF_REV_READ); how many slots were filled. */
int meta_rev_ends(const char *hints, size_t n, long long size, long long ends[META_PDF_REV_READ]);

/* The last revision's lines, sorted; they point into its text. */
typedef struct {
	char **line;
	size_t n;
} meta_rev_last_t;

/* Split text[0..n) into lines in place and sort them; text must stay alive
 * and text[n] be writable (a strbuf's terminating NUL): a last line without
 * its line end is ended there. */
void meta_rev_last_init(meta_rev_last_t *last, char *text, size_t n);
void meta_rev_last_free(meta_rev_last_t *last);
/* Append to gone what old[0..n) (split in place, old[n] writable) says that last does not,
 * at most max bytes; the number of lines found missing (reported or not). */
size_t meta_rev_removed(const meta_rev_last_t *last, char *old, size_t n, size_t max, strbuf_t *gone);

#endif
