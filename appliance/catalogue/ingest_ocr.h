/* ingest_ocr: what `add --ocr` / `refresh --ocr` add to ingest. OCR's text of
 * a file is kept as a part of it named EXTRACT_OCR_PART: a hit says the words
 * were read by OCR (and may be wrong), and a file that has the part is not
 * read again until it changes, so an interrupted OCR run resumes. */
#ifndef BROADSIDE_INGEST_OCR_H
#define BROADSIDE_INGEST_OCR_H

#include "catalogue/cat.h"
#include "docs/extract.h"

/* Read the image or PDF at fd by OCR in the jail j; add its text to parts
 * as the OCR part (with why it could not be read, if so); count pages. */
void ingest_ocr_file(docjail_t *j, const extract_tools_t *t, int is_pdf, int fd, extract_parts_t *parts,
    int *pages);
/* Whether the unchanged, catalogued file cf is to be read again for OCR:
 * OCR would read it and it has no OCR part yet. */
int ingest_ocr_due(cat_t *c, const cat_file_t *cf);

#endif
