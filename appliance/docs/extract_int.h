/* extract_int: what the extractors of docs/ share and callers do not see:
 * how a message's attachments travel from the jail to extract_document.
 *
 * After a message's own text, each attachment is one record:
 *   EXTRACT_REC name EXTRACT_REC_SEP kind index EXTRACT_REC_SEP text
 * kind 'T' (its text follows), 'P' (a PDF) or 'R' (an RTF) whose bytes the
 * parent asks for by index (extract_attachment_fd) and hands to the tool.
 * Text and names come out of extract_utf8, which turns every control byte
 * into a space, so neither can hold a separator (nor a NUL).
 *
 * After the records, a NUL and the listing of the message's own attachments
 * (extract_list_line: name and decoded size, for the reading view), which
 * extract_join_listing puts behind EXTRACT_LIST_SEP. */
#ifndef BROADSIDE_EXTRACT_INT_H
#define BROADSIDE_EXTRACT_INT_H

#include <stdint.h>
#include <zip.h>

#include "docs/extract.h"

#define EXTRACT_REC '\x1e'
#define EXTRACT_REC_SEP '\x1f'

/* One message's walk over its attachments (and theirs). */
struct extract_att {
	strbuf_t recs;        /* the records, appended after the message's text */
	int want;             /* >= 0: put the bytes of attachment number want in raw */
	int want_any;         /* ... whatever its kind (else only a PDF's or RTF's) */
	int found;            /* ... and they were put there */
	strbuf_t *raw;
	int count;            /* attachments met so far, every level */
	int64_t bytes;        /* their decoded bytes */
	int depth;            /* messages within messages */
	strbuf_t list;        /* listing lines of the top message's attachments */
	int list_only;        /* only the listing: no records, no raw bytes */
};

/* Add a listing line for an attachment named name of size bytes, if it is
 * one of the top message's own (a->depth 0) and the listing has room. */
void extract_att_list_(struct extract_att *a, const char *name, int64_t size);

/* Record the attachment p[0..n) named name (prefix: the names of the
 * messages it is nested in, "" at the top), of media type ctype ("" if
 * unknown): its text, or a tool's kind. Bounded by EXTRACT_ATTACH_*. */
void extract_att_add_(struct extract_att *a, const char *prefix, const char *name, const char *ctype,
    const unsigned char *p, size_t n);
/* The mail message p[0..n): its text to out, its attachments to a. */
void extract_eml_att_(const char *p, size_t n, strbuf_t *out, char **title, struct extract_att *a,
    const char *prefix);
/* The Outlook message p[0..n) likewise; -1 if it is not one. */
int extract_msg_att_(const void *p, size_t n, strbuf_t *out, char **title, struct extract_att *a,
    const char *prefix);

/* The bytes p[0..n) in an anonymous file, for a tool's stdin; -1 on failure. */
int extract_memfd_(const char *p, size_t n);
/* A PDF, RTF, .doc or .xls at fd through its tool (extract_tool.c); the
 * tool's answer, as untrusted as the document, is checked again. *whole (if
 * not NULL): the tool's text's length in bytes (a PDF's page breaks not
 * counted), -1 for RTF (its text is read from unrtf's HTML). */
enum docjail_result extract_tool_text_(docjail_t *j, const extract_tools_t *t, enum extract_kind kind,
    int fd, strbuf_t *out, char **title, int64_t *whole, strbuf_t *why);

/* Open the zip archive at fd read-only (libzip reading through pread only;
 * err is initialised here, and the caller finishes it after zip_discard).
 * NULL if it is not a regular file or not a zip. */
zip_t *extract_zip_open_fd(int fd, zip_error_t *err);

/* The images of the office archive za (n entries) for the review: each of
 * the first EXTRACT_OFFICE_MEDIA_MAX read by media (NULL: only counted),
 * within *budget, its lines "kind<TAB>NAME: text" to out; then one
 * "embedded" line counting them all. */
void extract_office_media(zip_t *za, zip_int64_t n, zip_uint64_t *budget, extract_media_fn media, strbuf_t *out);
/* The review's reader of one office archive (the outer one's only part, or a
 * whole inner one when only is NULL), its lines to out; inner: one level. */
typedef void (*extract_office_meta_fn)(zip_t *za, const char *only, zip_uint64_t *budget, extract_media_fn media,
    strbuf_t *out, int inner);
/* The office files inside the office archive za (n entries): OOXML's
 * embeddings (word/, xl/, ppt/embeddings/) and any entry named as an office
 * file, when a zip; an ODF object's own meta.xml ("Object 1/meta.xml"). The
 * first EXTRACT_OFFICE_INNER_MAX are read by rd (at most
 * EXTRACT_OFFICE_INNER_READ inflated bytes of each, all within *budget), each
 * line of theirs "kind<TAB>NAME: text"; then one "embedded" line counting
 * them all. */
void extract_office_inner(zip_t *za, zip_int64_t n, zip_uint64_t *budget, extract_media_fn media,
    extract_office_meta_fn rd, strbuf_t *out);

#endif
