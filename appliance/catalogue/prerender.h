/* prerender: `add --render-pages` and `refresh --render-pages` — every page
 * of every PDF of a collection as an image and its text, and every JPEG and
 * PNG's clean copy, made now in the document jail (render.h) into DIR/pages,
 * so that serve answers /p/ and /i/ from there and never renders at all.
 * Named by content (render_cache.h), so what is there already is skipped and
 * a changed file gets new ones; DIR/pages is never evicted. */
#ifndef BROADSIDE_PRERENDER_H
#define BROADSIDE_PRERENDER_H

#include <stdint.h>

#include "catalogue/cat.h"
#include "docs/render.h"

typedef struct prerender_stats {
	int64_t pages, images, failed, skipped;
} prerender_stats_t;

/* Render collection_id (files below root) into dir (created). sandbox: the
 * jail's mode (SANDBOX_*). 0, or -1 (logged) when it could not run at all;
 * a document that fails is counted in st->failed (and remembered as failed,
 * so serve does not try it again). */
int prerender_collection(cat_t *c, int64_t collection_id, const char *root, const char *dir,
    int sandbox, const render_tools_t *tools, prerender_stats_t *st);

#endif
