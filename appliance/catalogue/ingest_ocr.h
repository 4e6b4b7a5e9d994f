/* ingest_ocr: what `add --ocr` / `refresh --ocr` add to ingest. OCR's text of
 * a file is kept as a part of it named EXTRACT_OCR_PART: a hit says the words
 * were read by OCR (and may be wrong), and a file that has the part is not
 * read again until it changes, so an interrupted OCR run resumes. */
#ifndef BROADSIDE_INGEST_OCR_H
#define BROADSIDE_INGEST_OCR_H

#include "catalogue/cat.h"
#include "docs/extract.h"

#define INGEST_OCR_SECONDS 120   /* per page and tool: a dense page takes tesseract 5-30 s */

/* The jail OCR runs in (tesseract and pdftoppm, NULL: the defaults;
 * INGEST_OCR_SECONDS); their paths and the languages into t. NULL (logged)
 * as docjail_new. */
docjail_t *ingest_ocr_jail(int sandbox, const char *tesseract, const char *pdftoppm, const char *languages,
    extract_tools_t *t);

/* Read the image or PDF at fd by OCR in the jail j; add its text to parts
 * as the OCR part (with why it could not be read, if so); count pages. */
void ingest_ocr_file(docjail_t *j, const extract_tools_t *t, int is_pdf, int fd, extract_parts_t *parts,
    int *pages);
/* Whether the unchanged, catalogued file cf is to be read again for OCR:
 * OCR would read it and it has no OCR part yet. */
int ingest_ocr_due(cat_t *c, const cat_file_t *cf);

#endif
