/* kind: what a file is, in plain words, from its media type ("JPEG image",
 * "E-mail message"), and how a reader's browser can show it on its page. */
#ifndef BROADSIDE_KIND_H
#define BROADSIDE_KIND_H

#include <stddef.h>

#include "site/i18n.h"

/* How the file page shows the content itself. */
enum kind_show { KIND_SHOW_NONE = 0, KIND_SHOW_TEXT, KIND_SHOW_IMAGE, KIND_SHOW_AUDIO, KIND_SHOW_VIDEO };

/* Write the plain-words name of mime (parameters ignored, any case) into out,
 * in language l (NULL: English): "PDF document", or "File (type/subtype)" for
 * a type we do not know. */
void kind_describe(const i18n_lang_t *l, const char *mime, char *out, size_t outlen);

/* How the page may show a file of this type (images, audio and video only for
 * types /f/ serves inline, http/file.h). */
enum kind_show kind_show(const char *mime);

/* "about 2 minutes" for size bytes at rate bytes per second, in language l. */
void kind_duration(const i18n_lang_t *l, long long size, long long rate, char *out, size_t outlen);

#endif
