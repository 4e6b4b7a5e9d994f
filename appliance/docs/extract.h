/* extract: plain text (and a title) from documents, for the search index.
 * Inputs are untrusted bytes; outputs are valid UTF-8, capped in size. Plain text,
 * CSV/TSV, JSON and XML are taken as they are; HTML loses its tags, scripts and
 * styles and has its entities decoded; mail (.eml) keeps Subject/From/To/Date and
 * its text parts (quoted-printable and base64 decoded); Office Open XML and
 * OpenDocument files give the text of their XML parts (extract_office.c); PDF
 * goes through pdftotext.
 * Every document is read inside the document jail (docjail.h). */
#ifndef BROADSIDE_EXTRACT_H
#define BROADSIDE_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "docs/docjail.h"
#include "base/util.h"

#define EXTRACT_TEXT_MAX (256 * 1024)     /* text kept per file */
#define EXTRACT_INPUT_MAX (1024 * 1024)   /* bytes read from a text-like file */
#define EXTRACT_PDF_MAX_BYTES (256LL * 1024 * 1024)
#define EXTRACT_TITLE_MAX 1024              /* bytes of a title kept */
#define EXTRACT_PDFTOTEXT "/usr/bin/pdftotext"
/* Office archives: what one document may make the parser do. */
#define EXTRACT_OFFICE_ENTRIES_MAX 20000    /* entries in the archive, else not readable */
#define EXTRACT_OFFICE_PARTS_MAX 2000       /* XML parts parsed */
#define EXTRACT_OFFICE_PART_MAX (32ULL * 1024 * 1024)   /* bytes inflated per part */
#define EXTRACT_OFFICE_DOC_MAX (128ULL * 1024 * 1024)   /* bytes inflated per document */
#define EXTRACT_OFFICE_DEPTH_MAX 256        /* XML nesting */

/* A listing (an archive's entries, a message's attachments) follows the text
 * in the extracted text after this byte, which text never holds (control
 * bytes become spaces): lines "<type>\t<size>\t<name>\n", type 'f' file,
 * 'd' folder, 'a' attachment; a last line "+\t<n>\t" (or '>': more than n)
 * counts entries not listed. The listing's names are indexed too. */
#define EXTRACT_LIST_SEP '\x1e'
/* Between the pages of a PDF's text (pdftotext's form feeds): U+2029
 * PARAGRAPH SEPARATOR, which the index reads as a space and the reading view
 * as "PDF page N". */
#define EXTRACT_PAGE_SEP "\xe2\x80\xa9"
#define EXTRACT_LIST_MAX 1000              /* entries listed */
#define EXTRACT_LIST_BYTES (96 * 1024)     /* bytes of listing kept */
#define EXTRACT_ARCHIVE_COUNT_MAX 100000   /* entries counted past the listing */

enum extract_kind { EXTRACT_NONE = 0, EXTRACT_PLAIN, EXTRACT_HTML, EXTRACT_EML, EXTRACT_PDF,
	EXTRACT_OFFICE, EXTRACT_ARCHIVE };

/* Decide how to extract a file from its media type and name. */
enum extract_kind extract_kind_of(const char *mime, const char *name);

/* Append p[0..n) to out as UTF-8: invalid bytes are read as Latin-1, control
 * characters other than tab and newline become spaces. Stops at EXTRACT_TEXT_MAX. */
void extract_utf8(strbuf_t *out, const char *p, size_t n);
/* Append the text file p[0..n) to out as UTF-8, whichever way a leak's text
 * files come: a UTF-16 byte-order mark (LE or BE) means UTF-16 (an unpaired
 * surrogate becomes U+FFFD), a UTF-8 mark is dropped, and otherwise it is
 * extract_utf8 (bytes that are not UTF-8 read as Latin-1). truncated: p is
 * only the start of the file, and a character cut at its end is dropped.
 * The one decoding for the index and for every place text is shown (the
 * file page's preview), so both read a file alike. */
void extract_text(strbuf_t *out, const char *p, size_t n, int truncated);
/* Append the text of an HTML document to out; set *title (caller frees) if it has one. */
void extract_html(const char *p, size_t n, strbuf_t *out, char **title);
/* Append the headers and text parts of a mail message to out; set *title to its Subject. */
void extract_eml(const char *p, size_t n, strbuf_t *out, char **title);
/* Append the text of the Office Open XML or OpenDocument archive open at fd
 * (read with pread only) to out; set *title from its core properties. The
 * format is told by the archive's parts, not its name. 0, or -1 if it is not
 * such an archive or nothing of it could be parsed. */
int extract_office_fd(int fd, strbuf_t *out, char **title);
/* For the review: what an office document's properties say about who made it
 * and with what, and whether it holds comments or tracked changes, as lines
 * "kind<TAB>text" (kinds author, software, comments, revisions). The same
 * bounds as extract_office_fd. 0, or -1 if it is not such an archive. */
int extract_office_meta_fd(int fd, strbuf_t *out);
/* Append the listing of the zip, tar or 7z archive open at fd (pread and
 * seek only) to list; 0, or -1 if it is no archive libarchive reads. */
int extract_archive_fd(int fd, strbuf_t *list);
/* Append one listing line (see EXTRACT_LIST_SEP) for a name of len bytes. */
void extract_list_line(strbuf_t *list, char type, int64_t size, const char *name, size_t len);
/* Append a jailed child's answer raw[0..len) to out: its text, then its
 * listing (after a NUL in raw) behind EXTRACT_LIST_SEP, both made valid
 * UTF-8 without control bytes, whole listing lines only, within the cap. */
void extract_join_listing(strbuf_t *out, const char *raw, size_t len);
/* Append pdftotext's output p[0..n) (a form feed after each page) to out
 * as UTF-8 with EXTRACT_PAGE_SEP between the pages, within the cap. */
void extract_pdf_pages(strbuf_t *out, const char *p, size_t n);
/* An extractor for the document jail (docjail_fn_t): read up to
 * EXTRACT_INPUT_MAX bytes from fd and extract them as *(enum extract_kind *)arg
 * (every kind but PDF). */
int extract_fd(int fd, strbuf_t *out, char **title, void *arg);

/* Extract the document open at fd by kind inside the jail j: PDF through the
 * tool pdftotext (an absolute path, one of j's tools), the rest through
 * extract_fd. The child's output is checked again here (UTF-8, caps). On
 * anything but DOCJAIL_OK, out and title are untouched and why says why. */
enum docjail_result extract_jailed(docjail_t *j, const char *pdftotext, enum extract_kind kind,
    int fd, strbuf_t *out, char **title, strbuf_t *why);

#endif
