/* image: a clean copy of a raster image, made from its pixels alone.
 *
 * The image is decoded (libjpeg-turbo, libpng, giflib, libwebp) and encoded afresh, at most
 * IMAGE_SIDE_MAX pixels on its longer side: nothing of the original file but
 * its pixels reaches the copy (no EXIF and so no GPS, no XMP, no ICC profile,
 * no comments or text chunks, no trailing bytes), and the reader's browser
 * decodes a file we wrote, not one a hostile author crafted. A JPEG's EXIF
 * orientation is applied to the pixels (a sideways photo comes out upright)
 * and then dropped with the rest. Run it in the
 * document jail (docjail_parse); it reads only the descriptor it is given. */
#ifndef BROADSIDE_IMAGE_H
#define BROADSIDE_IMAGE_H

#include <stddef.h>

#include "base/util.h"

#define IMAGE_SIDE_MAX 1600            /* pixels, the copy's longer side */
#define IMAGE_IN_MAX (64 * 1024 * 1024)   /* bytes of an original we read */
#define IMAGE_PIXELS_MAX (50 * 1000 * 1000)   /* an original's pixels (PNG is decoded whole) */

enum image_kind { IMAGE_NONE = 0, IMAGE_JPEG, IMAGE_PNG, IMAGE_GIF, IMAGE_WEBP };

/* Which kind a media type is (IMAGE_NONE: no clean copy is made). */
enum image_kind image_kind_of(const char *mime);
/* The media type of a clean copy of kind k. */
const char *image_kind_mime(enum image_kind k);

/* Decode the image at fd (*(const int *)arg: an enum image_kind) and append
 * its clean copy to out: a JPEG as a JPEG, a PNG, a GIF (its first frame) or
 * a still WebP as a PNG. 0, or -1 when it cannot be
 * read or is too large. A docjail_fn_t: title is left alone. */
int image_clean_fd(int fd, strbuf_t *out, char **title, void *arg);

#endif
