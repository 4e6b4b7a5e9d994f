/* ingest_ocr: see ingest_ocr.h. */
#include "catalogue/ingest_ocr.h"

#include <stdlib.h>
#include <string.h>

docjail_t *
ingest_ocr_jail(int sandbox, const char *tesseract, const char *pdftoppm, const char *languages,
    extract_tools_t *t)
{
	docjail_conf_t jc;

	memset(&jc, 0, sizeof(jc));
	jc.mode = sandbox;
	jc.seconds = INGEST_OCR_SECONDS;
	t->tesseract = jc.tools[0] = tesseract ? tesseract : EXTRACT_TESSERACT;
	t->pdftoppm = jc.tools[1] = pdftoppm ? pdftoppm : EXTRACT_PDFTOPPM;
	t->ocr_languages = languages;
	/* tesseract's OpenMP threads spin while they wait: on a busy machine
	 * that burnt as much system time as the OCR itself. Ingest's own
	 * threads are the parallelism. */
	jc.tool_env[0] = "OMP_THREAD_LIMIT=1";
	return docjail_new(&jc);
}

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
