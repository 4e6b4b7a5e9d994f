/* extract: plain text (and a title) from documents, for the search index.
 * Inputs are untrusted bytes; outputs are valid UTF-8, capped in size. Plain text,
 * CSV/TSV, JSON and XML are taken as they are; HTML loses its tags, scripts and
 * styles and has its entities decoded; mail (.eml) keeps Subject/From/To/Date and
 * its text parts (quoted-printable and base64 decoded); Office Open XML and
 * OpenDocument files give the text of their XML parts (extract_office.c); PDF
 * goes through pdftotext, RTF through unrtf; Outlook .msg files are read with
 * libolecf (extract_msg.c). The attachments of a message (.eml or .msg) come
 * back as parts of their own, each with its name (extract_mail.c).
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
#define EXTRACT_UNRTF "/usr/bin/unrtf"
#define EXTRACT_CATDOC "/usr/bin/catdoc"     /* Word 97-2003 (.doc) */
#define EXTRACT_XLS2CSV "/usr/bin/xls2csv"   /* Excel 97-2003 (.xls), as CSV */
#define EXTRACT_OLE_MAX (64LL * 1024 * 1024)   /* bytes of a .doc, .xls or .ppt read (more: not readable) */
/* Messages: what one .eml or .msg may make the parser do. */
#define EXTRACT_MSG_MAX (64LL * 1024 * 1024)    /* bytes of a .msg read (more: not readable) */
#define EXTRACT_ATTACH_MAX 32               /* attachments read per message, every level */
#define EXTRACT_ATTACH_DEPTH 3              /* messages attached to messages */
#define EXTRACT_ATTACH_BYTES (64LL * 1024 * 1024)  /* decoded attachment bytes per message */
#define EXTRACT_ATTACH_RAW_MAX (12 * 1024 * 1024)  /* a PDF or RTF attachment handed to its tool */
#define EXTRACT_PART_NAME_MAX 512           /* bytes of an attachment's name kept */
/* Office archives: what one document may make the parser do. */
#define EXTRACT_OFFICE_ENTRIES_MAX 20000    /* entries in the archive, else not readable */
#define EXTRACT_OFFICE_PARTS_MAX 2000       /* XML parts parsed */
#define EXTRACT_OFFICE_PART_MAX (32ULL * 1024 * 1024)   /* bytes inflated per part */
#define EXTRACT_OFFICE_DOC_MAX (128ULL * 1024 * 1024)   /* bytes inflated per document */
#define EXTRACT_OFFICE_DEPTH_MAX 256        /* XML nesting */
#define EXTRACT_OFFICE_MEDIA_MAX 64         /* embedded images read for the review (all are counted) */
#define EXTRACT_OFFICE_MEDIA_READ (4U * 1024 * 1024)    /* bytes inflated of each */
#define EXTRACT_OFFICE_INNER_MAX 16         /* office files inside one read for the review (all are counted) */
#define EXTRACT_OFFICE_INNER_READ (16U * 1024 * 1024)   /* bytes inflated of each */

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
	EXTRACT_OFFICE, EXTRACT_RTF, EXTRACT_MSG, EXTRACT_ARCHIVE, EXTRACT_DOC, EXTRACT_XLS, EXTRACT_PPT };

/* The external tools, by absolute path (NULL: the EXTRACT_ defaults). */
typedef struct extract_tools {
	const char *pdftotext, *unrtf;
	const char *catdoc, *xls2csv;       /* legacy Word and Excel */
	const char *tesseract, *pdftoppm;   /* OCR (extract_ocr.c) */
	const char *ocr_languages;          /* tesseract's -l: "eng+deu"; NULL: eng */
} extract_tools_t;

#define EXTRACT_TESSERACT "/usr/bin/tesseract"
#define EXTRACT_PDFTOPPM "/usr/bin/pdftoppm"
#define EXTRACT_OCR_PART "text read by OCR"   /* the part OCR's text is kept as */
#define EXTRACT_OCR_PAGES_MAX 100           /* pages of one PDF read by OCR */
#define EXTRACT_OCR_PDF_TEXT 16             /* a PDF with less text than this (bytes) has no text layer: OCR */

/* Whether OCR reads a file of media type mime whose text (by its own
 * extractor) is text_len bytes long: an image tesseract reads, or a PDF
 * without a text layer. */
int extract_ocr_wanted(const char *mime, size_t text_len);
/* The bytes of text s[0..n) but its page separators (EXTRACT_PAGE_SEP): a PDF
 * of scanned pages still has one between each two, and no text layer. */
size_t extract_ocr_text_len(const char *s, size_t n);
/* Read the image or PDF (kind EXTRACT_PDF) at fd by OCR, each page in the
 * jail: pdftoppm renders a PDF's pages one at a time, tesseract reads each
 * image. Append the text to out and the pages read to *pages. A page whose
 * tool fails ends the document (a PDF's first page past its end ends it
 * too); why says why if no page was read. */
enum docjail_result extract_ocr(docjail_t *j, const extract_tools_t *t, int is_pdf, int fd, strbuf_t *out,
    int *pages, strbuf_t *why);

/* An attachment of a message, findable on its own: its name ("budget.docx";
 * a nested one "inner.eml › budget.docx"), title and text, all valid UTF-8. */
typedef struct extract_part {
	char *name, *title;
	strbuf_t text;
	char *unread;       /* why its tool could not read it, or NULL */
} extract_part_t;

typedef struct extract_parts {
	extract_part_t *v;
	size_t n;
} extract_parts_t;

void extract_parts_clear(extract_parts_t *p);

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
/* Append the text of the Office archive p[0..n) (an attachment) to out. */
int extract_office_mem(const void *p, size_t n, strbuf_t *out, char **title);
/* The review's reader of one image's first n bytes (whole: all of them)
 * inside an office file: finding lines "kind<TAB>text" to out. */
typedef void (*extract_media_fn)(const unsigned char *buf, size_t n, int whole, strbuf_t *out);
/* For the review: what an office document's properties say about who made it
 * and with what, and whether it holds comments or tracked changes, as lines
 * "kind<TAB>text" (kinds author, software, comments, revisions); its images
 * (word/, xl/, ppt/media, ODF Pictures) counted as "embedded", and, if media
 * is not NULL, each read by it (its lines naming the image); the office
 * files inside it (a docx's embedded xlsx, an ODF object) read the same way
 * one level deep, counted as "embedded" and their lines naming them. The
 * same bounds as extract_office_fd, inner files within the document's
 * inflate budget. 0, or -1 if it is not such an archive. */
int extract_office_meta_fd(int fd, strbuf_t *out, extract_media_fn media);
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
 * (every kind but PDF and RTF). A message's attachments follow its text as
 * records (extract_mail.c), which extract_document splits off. */
int extract_fd(int fd, strbuf_t *out, char **title, void *arg);
/* What extract_attachment_fd is asked for: attachment number index (in the
 * order of the records, which is the order of the file's parts in the
 * catalogue) of the message of kind EXTRACT_EML or EXTRACT_MSG; any: the
 * bytes of an attachment of any kind (a reader's download), else only of a
 * PDF or RTF (for its tool). */
struct extract_att_req {
	enum extract_kind kind;
	int index;
	int any;
};
/* An extractor for the jail: the decoded bytes of one attachment (with any,
 * at most EXTRACT_ATTACH_BYTES; else a PDF or RTF of at most
 * EXTRACT_ATTACH_RAW_MAX), arg a struct extract_att_req. -1 when there is no
 * such attachment, or it has no bytes of its own (an Outlook message
 * embedded in another). */
int extract_attachment_fd(int fd, strbuf_t *out, char **title, void *arg);
/* Append the text of the Outlook message p[0..n) (headers, body, and its
 * attachments as records) to out; set *title to its subject. -1: not one. */
int extract_msg(const void *p, size_t n, strbuf_t *out, char **title);

/* Whether the OLE compound file p[0..n) (.doc, .xls, .ppt, .msg) can be
 * handed to a reader: its header's counts fit the file and neither sector
 * table loops (libolecf and catdoc follow chains without such checks). */
int extract_ole_sane(const void *p, size_t n);
/* The text of the PowerPoint 97-2003 file p[0..n): every text atom of its
 * "PowerPoint Document" stream (slides, notes, text boxes), masters' text
 * left out. -1 if it is no such file. */
int extract_ppt(const void *p, size_t n, strbuf_t *out, char **title);

/* Extract the document open at fd by kind inside the jail j: PDF through the
 * tool pdftotext (an absolute path, one of j's tools), the rest through
 * extract_fd. The child's output is checked again here (UTF-8, caps). On
 * anything but DOCJAIL_OK, out and title are untouched and why says why. */
enum docjail_result extract_jailed(docjail_t *j, const char *pdftotext, enum extract_kind kind,
    int fd, strbuf_t *out, char **title, strbuf_t *why);
/* What extract_document knows of the whole text: whether it was cut at
 * EXTRACT_TEXT_MAX, and its length in bytes where the extractor saw it whole
 * (a tool's output: pdftotext's text, page breaks not counted, catdoc's,
 * xls2csv's), else -1. The parsers in the jail stop at the cap, so for
 * them cut means the cap was reached. */
typedef struct extract_whole {
	int cut;
	int64_t len;
} extract_whole_t;
/* The same for every kind, with the tools of t (each one of j's tools), and a
 * message's attachments into parts (NULL: dropped); a PDF or RTF attachment is
 * handed to its tool in a jail of its own. An attachment that cannot be read
 * is still a part (findable by its name). */
enum docjail_result extract_document(docjail_t *j, const extract_tools_t *t, enum extract_kind kind,
    int fd, strbuf_t *out, char **title, extract_parts_t *parts, extract_whole_t *whole, strbuf_t *why);

#endif
