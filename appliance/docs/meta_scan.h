/* meta_scan: metadata that sits in a file's own bytes rather than in a
 * structure a library reads, for the review (docs/meta.h), each a bounded
 * parser of untrusted bytes run in the document jail:
 *  - XMP packets (<x:xmpmeta>, through expat with namespaces, no DTD, depth
 *    capped): creator, rights, creator tool and producer, camera make, model,
 *    serial numbers and owner, GPS position, place names, and the length of
 *    an edit history (xmpMM:History);
 *  - PNG chunks: tEXt, zTXt (inflated through libdeflate, bounded), iTXt
 *    (XMP or text), and where its eXIf chunk is (for libexif, docs/meta.h);
 *  - a PDF's revisions: each incremental update appends a trailer ending in
 *    "startxref <offset> %%EOF", and what an update removed stays in the
 *    earlier revision's bytes. Counted, never followed, so a looping
 *    startxref chain costs nothing.
 * Findings are lines "kind<TAB>text" (kinds of meta_kinds, docs/meta.h). */
#ifndef BROADSIDE_META_SCAN_H
#define BROADSIDE_META_SCAN_H

#include <stddef.h>

#include "base/util.h"

#define META_SCAN_VALUE_MAX 200        /* bytes of one value reported */
#define META_XMP_MAX (256 * 1024)      /* bytes of one XMP packet read */
#define META_XMP_PACKETS 4             /* packets read in one file */
#define META_XMP_LINES 24              /* finding lines from one packet */
#define META_PNG_TEXTS 16              /* text chunks reported from one PNG */
#define META_PNG_INFLATE (64 * 1024)   /* bytes a zTXt/iTXt may inflate to */

/* The XMP packet p[0..n) (from "<x:xmpmeta" on) as finding lines. 0, or -1
 * if it is not well-formed XML (lines found before the fault are kept). */
int meta_xmp(const char *p, size_t n, strbuf_t *out);

/* Every XMP packet in buf[0..n) (at most META_XMP_PACKETS) as finding lines;
 * the number of packets read. */
int meta_xmp_find(const unsigned char *buf, size_t n, strbuf_t *out);

/* The PNG buf[0..n) (n: what was read of it; whole: n is the whole file)
 * as finding lines; *exif, *exif_len (if exif is not NULL): its first
 * eXIf chunk's data, inside buf (*exif stays NULL if there is none). 0; -1
 * if it is not a PNG, or is damaged (a chunk past the end of a whole file,
 * a bad CRC, no IEND): lines found before the damage are kept in out. */
int meta_png(const unsigned char *buf, size_t n, int whole, strbuf_t *out, const unsigned char **exif,
    size_t *exif_len);

/* Revisions of a PDF: a counter fed the file in pieces (pieces may cut a
 * keyword: the counter keeps what it needs across them). */
typedef struct meta_pdf_rev {
	int state;          /* where in "startxref <digits> %%EOF" the scan is */
	size_t matched;     /* bytes of the current keyword matched */
	long long revisions;
	int linearized;     /* a linearized file has a first-page trailer too */
	size_t seen;        /* bytes fed so far */
	/* Where the first META_PDF_REV_ENDS revisions end (just after "%%EOF"):
	 * a revision is the file's bytes up to there. */
	long long ends[8];
	int nends;
} meta_pdf_rev_t;
#define META_PDF_REV_ENDS 8

void meta_pdf_rev_feed(meta_pdf_rev_t *r, const unsigned char *p, size_t n);
/* The earlier revisions a fed file keeps (0: none, or not a PDF). */
long long meta_pdf_rev_earlier(const meta_pdf_rev_t *r);

/* pdfdetach -list's output txt[0..n) as finding lines. */
void meta_pdfdetach_lines(const char *txt, size_t n, strbuf_t *out);

#endif
