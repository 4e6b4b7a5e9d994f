/* extract: plain text (and a title) from documents, for the search index.
 * Inputs are untrusted bytes; outputs are valid UTF-8, capped in size. Plain text,
 * CSV/TSV, JSON and XML are taken as they are; HTML loses its tags, scripts and
 * styles and has its entities decoded; mail (.eml) keeps Subject/From/To/Date and
 * its text parts (quoted-printable and base64 decoded); PDF goes through pdftotext
 * in a child process with a time and an output cap. */
#ifndef BROADSIDE_EXTRACT_H
#define BROADSIDE_EXTRACT_H

#include <stddef.h>

#include "base/util.h"

#define EXTRACT_TEXT_MAX (256 * 1024)     /* text kept per file */
#define EXTRACT_INPUT_MAX (1024 * 1024)   /* bytes read from a text-like file */
#define EXTRACT_PDF_MAX_BYTES (256LL * 1024 * 1024)
#define EXTRACT_PDF_SECONDS 10

enum extract_kind { EXTRACT_NONE = 0, EXTRACT_PLAIN, EXTRACT_HTML, EXTRACT_EML, EXTRACT_PDF };

/* Decide how to extract a file from its media type and name. */
enum extract_kind extract_kind_of(const char *mime, const char *name);

/* Append p[0..n) to out as UTF-8: invalid bytes are read as Latin-1, control
 * characters other than tab and newline become spaces. Stops at EXTRACT_TEXT_MAX. */
void extract_utf8(strbuf_t *out, const char *p, size_t n);
/* Append the text of an HTML document to out; set *title (caller frees) if it has one. */
void extract_html(const char *p, size_t n, strbuf_t *out, char **title);
/* Append the headers and text parts of a mail message to out; set *title to its Subject. */
void extract_eml(const char *p, size_t n, strbuf_t *out, char **title);
/* Append the text pdftotext finds in the file at path; -1 if it failed or timed out. */
int extract_pdf(const char *path, strbuf_t *out);

/* Extract by kind from the head of a file already read (PDF reads path). */
int extract_run(enum extract_kind kind, const char *path, const char *head, size_t n,
    strbuf_t *out, char **title);

#endif
