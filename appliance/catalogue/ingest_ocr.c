/* ingest_ocr: see ingest_ocr.h. */
#include "catalogue/ingest_ocr.h"

#include <stdlib.h>
#include <string.h>

void
ingest_ocr_file(docjail_t *j, const extract_tools_t *t, int is_pdf, int fd, extract_parts_t *parts,
    int *pages)
{
	extract_part_t *pt;
	strbuf_t why;

	parts->v = xrealloc(parts->v, (parts->n + 1) * sizeof(*parts->v));
	pt = memset(&parts->v[parts->n++], 0, sizeof(*pt));
	pt->name = xstrdup(EXTRACT_OCR_PART);
	strbuf_init(&pt->text);
	strbuf_init(&why);
	if (extract_ocr(j, t, is_pdf, fd, &pt->text, pages, &why) != DOCJAIL_OK)
		pt->unread = xstrdup(why.len ? why.s : "OCR could not read it");
	strbuf_release(&why);
}

int
ingest_ocr_due(cat_t *c, const cat_file_t *cf)
{
	int64_t len = 0;
	int has = 1;

	/* A PDF is due only if its text is short: it has no text layer. */
	return extract_ocr_wanted(cf->mime, 0) && cat_file_part_state(c, cf->id, EXTRACT_OCR_PART, &len,
	    &has) == 0 && !has && extract_ocr_wanted(cf->mime, (size_t)len);
}
