/* meta: what a document's own metadata says about where, by whom and with
 * what it was made, for the publisher's review (never to change a file):
 * EXIF in JPEG images (GPS position, camera make, model and serial number,
 * artist, owner, copyright, software; through libexif), the Info of a PDF
 * (Author, Creator, Producer; through poppler's pdfinfo), and the properties,
 * comments and tracked changes of Office and OpenDocument files
 * (extract_office_meta_fd, with the EXIF, XMP and PNG text of the images
 * inside), and the headers of an e-mail that name internal
 * hosts (Received, X-Originating-IP, X-Sender-IP, X-Forwarded-For,
 * Message-ID: private IPv4 addresses, names under .local, .lan, .internal,
 * .corp, .intranet, .localdomain, .home, .priv). Every document is read in the
 * document jail.
 *
 * Also (docs/meta_scan.h): XMP packets in JPEG, PNG, TIFF, HEIF and PDF
 * files; PNG text chunks and eXIf; TIFF tags (libexif); the Exif item of a
 * HEIF found by its mark; a PDF's earlier revisions (incremental updates)
 * and its embedded files (poppler's pdfdetach), its XMP when the stream is
 * compressed (poppler's pdfinfo -meta).
 *
 * Findings come back as lines "kind<TAB>text"; kinds: gps, camera, author,
 * software, comments, revisions, mailhost, embedded. */
#ifndef BROADSIDE_META_H
#define BROADSIDE_META_H

#include <stddef.h>

#include "base/util.h"
#include "docs/docjail.h"
#include "docs/meta_rev.h"

/* META_XMP: a bare XMP packet (what `pdfinfo -meta` prints), read in the jail from a memfd. */
enum meta_format { META_NONE = 0, META_JPEG, META_OFFICE, META_PDF, META_MAIL, META_PNG, META_TIFF, META_HEIC,
	META_XMP };

#define META_PDFINFO "/usr/bin/pdfinfo"
#define META_PDFDETACH "/usr/bin/pdfdetach"
/* The jailed parse to meta_jailed (lines of no known kind, dropped): run
 * pdfdetach; an XMP packet was found in the bytes. */
#define META_PDF_EMBEDDED_HINT "pdf\tmay embed files"
#define META_PDF_XMP_HINT "pdf\txmp read"
/* ... an earlier revision ends at this offset: META_PDF_REV_HINT (docs/meta_rev.h). */
#define META_IMAGE_READ (16 * 1024 * 1024) /* of a PNG, TIFF or HEIF: text chunks after it are not read */
#define META_EXIF_READ (256 * 1024)   /* a JPEG's EXIF is in its first 64 KiB segment */
#define META_VALUE_MAX 200
#define META_MAIL_READ (64 * 1024)    /* the header block of a mail */

/* The kinds of finding, NULL-terminated. */
extern const char *const meta_kinds[];

/* Which reader a file needs, from its media type and name. */
enum meta_format meta_format_of(const char *mime, const char *name);

/* The EXIF of the JPEG in buf[0..n) as finding lines appended to out. 0, or
 * -1 if there is none. (The parser: runs in the jail.) */
int meta_exif(const unsigned char *buf, size_t n, strbuf_t *out);
/* The internal hosts an e-mail's header block p[0..n) names, as finding lines. */
void meta_mail(const char *p, size_t n, strbuf_t *out);
/* pdfinfo's output txt[0..n) as finding lines. */
void meta_pdfinfo_lines(const char *txt, size_t n, strbuf_t *out);

/* The reader the jail runs, on the document open at fd (read with pread
 * only), as finding lines (and META_PDF_*_HINT lines) in out; 0 or -1. In
 * the jail only (fuzz_meta_scan calls it in-process); office files are
 * extract_office_meta_fd's. */
int meta_read_fd(int fd, enum meta_format f, strbuf_t *out);

/* Read the metadata of the document open at fd in the jail j (pdfinfo and
 * pdfdetach, pdftotext: absolute paths, j's tools; pdfdetach NULL: embedded
 * files are not listed; pdftotext NULL: a PDF's earlier revisions' text is
 * not compared with the last one's) and append checked finding lines to out (each "kind<TAB>text",
 * a known kind, valid UTF-8, at most META_VALUE_MAX bytes of text). Lines
 * are appended even when the answer is not DOCJAIL_OK (a PDF pdfinfo cannot
 * read may still show revisions): why says what failed. */
enum docjail_result meta_jailed(docjail_t *j, const char *pdfinfo, const char *pdfdetach, const char *pdftotext,
    enum meta_format f, int fd, strbuf_t *out, strbuf_t *why);

#endif
