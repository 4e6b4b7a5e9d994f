/* image: a clean copy of a raster image (image.h). libjpeg and libpng do the
 * decoding and encoding; this file only moves pixels between them. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>

#include "docs/image.h"

enum image_kind
image_kind_of(const char *mime)
{
	if (mime == NULL)
		return IMAGE_NONE;
	if (strcmp(mime, "image/jpeg") == 0)
		return IMAGE_JPEG;
	if (strcmp(mime, "image/png") == 0)
		return IMAGE_PNG;
	return IMAGE_NONE;
}

const char *
image_kind_mime(enum image_kind k)
{
	return k == IMAGE_JPEG ? "image/jpeg" : k == IMAGE_PNG ? "image/png" : "application/octet-stream";
}

/* The whole original, at most IMAGE_IN_MAX bytes (the decoders want memory). */
static int
slurp(int fd, strbuf_t *in)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (in->len + (size_t)n > IMAGE_IN_MAX)
			return -1;
		strbuf_add(in, buf, (size_t)n);
	}
	return n < 0 || in->len == 0 ? -1 : 0;
}

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
};

static void
jerr_exit(j_common_ptr c)
{
	longjmp(((struct jerr *)(void *)c->err)->jb, 1);
}

static void
jerr_quiet(j_common_ptr c, int level)
{
	(void)c;
	(void)level;   /* warnings (a corrupt stretch) are not worth a line */
}

/* JPEG: scaled while decoding (libjpeg scales by n/8 in the DCT), then
 * encoded at quality 85 with no marker but the JFIF header. */
static int
clean_jpeg(const strbuf_t *in, strbuf_t *out)
{
	struct jpeg_decompress_struct d;
	struct jpeg_compress_struct e;
	struct jerr de, ee;
	unsigned char *volatile mem = NULL;
	unsigned long memlen = 0;
	JSAMPROW volatile row = NULL;
	volatile int rc = -1, e_made = 0;
	unsigned side;

	memset(&d, 0, sizeof(d));
	memset(&e, 0, sizeof(e));
	d.err = jpeg_std_error(&de.pub);
	de.pub.error_exit = jerr_exit;
	de.pub.emit_message = jerr_quiet;
	e.err = jpeg_std_error(&ee.pub);
	ee.pub.error_exit = jerr_exit;
	ee.pub.emit_message = jerr_quiet;
	if (setjmp(de.jb) || setjmp(ee.jb))
		goto done;
	jpeg_create_decompress(&d);
	jpeg_mem_src(&d, (const unsigned char *)in->s, (unsigned long)in->len);
	/* No marker is saved: APPn (EXIF, XMP, ICC) and COM are skipped unread. */
	if (jpeg_read_header(&d, TRUE) != JPEG_HEADER_OK)
		goto done;
	side = d.image_width > d.image_height ? d.image_width : d.image_height;
	if ((unsigned long long)d.image_width * d.image_height > IMAGE_PIXELS_MAX * 4ULL ||
	    side > IMAGE_SIDE_MAX * 8)
		goto done;
	d.scale_denom = 8;
	d.scale_num = side > IMAGE_SIDE_MAX ? (8 * IMAGE_SIDE_MAX) / side : 8;
	if (d.scale_num < 1)
		d.scale_num = 1;
	if (d.jpeg_color_space == JCS_CMYK || d.jpeg_color_space == JCS_YCCK)
		goto done;   /* libjpeg converts these to nothing a browser shows */
	d.out_color_space = d.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_start_decompress(&d);
	jpeg_create_compress(&e);
	e_made = 1;
	jpeg_mem_dest(&e, (unsigned char **)&mem, &memlen);
	e.image_width = d.output_width;
	e.image_height = d.output_height;
	e.input_components = d.output_components;
	e.in_color_space = d.out_color_space;
	jpeg_set_defaults(&e);
	jpeg_set_quality(&e, 85, TRUE);
	jpeg_start_compress(&e, TRUE);
	row = malloc((size_t)d.output_width * (size_t)d.output_components);
	if (row == NULL)
		goto done;
	while (d.output_scanline < d.output_height) {
		JSAMPROW r = row;
		if (jpeg_read_scanlines(&d, &r, 1) != 1)
			goto done;
		jpeg_write_scanlines(&e, &r, 1);
	}
	jpeg_finish_compress(&e);
	jpeg_finish_decompress(&d);
	strbuf_add(out, mem, memlen);
	rc = 0;
done:
	free(row);
	if (e_made)
		jpeg_destroy_compress(&e);
	jpeg_destroy_decompress(&d);
	free(mem);
	return rc;
}

/* PNG: libpng's simplified API decodes to 8-bit RGB(A) or gray(+alpha); a
 * larger image is shrunk by an integer box filter; the copy is written
 * with no ancillary chunk (no tEXt/iTXt/zTXt, eXIf, iCCP, tIME). */
static int
clean_png(const strbuf_t *in, strbuf_t *out)
{
	png_image im;
	unsigned char *px = NULL, *sm = NULL;
	png_alloc_size_t len = 0;
	unsigned w, h, ch, k, side, ow, oh;
	int rc = -1;

	memset(&im, 0, sizeof(im));
	im.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&im, in->s, in->len))
		return -1;
	if ((unsigned long long)im.width * im.height > IMAGE_PIXELS_MAX)
		goto done;
	im.format = (im.format & PNG_FORMAT_FLAG_ALPHA) ?
	    ((im.format & PNG_FORMAT_FLAG_COLOR) ? PNG_FORMAT_RGBA : PNG_FORMAT_GA) :
	    ((im.format & PNG_FORMAT_FLAG_COLOR) ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY);
	w = im.width;
	h = im.height;
	ch = PNG_IMAGE_SAMPLE_CHANNELS(im.format);
	px = malloc(PNG_IMAGE_SIZE(im));
	if (px == NULL || !png_image_finish_read(&im, NULL, px, 0, NULL))
		goto done;
	side = w > h ? w : h;
	k = (side + IMAGE_SIDE_MAX - 1) / IMAGE_SIDE_MAX;
	if (k > 1) {
		ow = w / k ? w / k : 1;
		oh = h / k ? h / k : 1;
		sm = malloc((size_t)ow * oh * ch);
		if (sm == NULL)
			goto done;
		for (unsigned y = 0; y < oh; y++)
			for (unsigned x = 0; x < ow; x++)
				for (unsigned c = 0; c < ch; c++) {
					unsigned long sum = 0, n = 0;
					for (unsigned dy = 0; dy < k && y * k + dy < h; dy++)
						for (unsigned dx = 0; dx < k && x * k + dx < w; dx++, n++)
							sum += px[((size_t)(y * k + dy) * w + x * k + dx) * ch + c];
					sm[((size_t)y * ow + x) * ch + c] = (unsigned char)(sum / n);
				}
		free(px);
		px = sm;
		sm = NULL;
		im.width = w = ow;
		im.height = h = oh;
	}
	im.flags = 0;
	if (!png_image_write_get_memory_size(im, len, 0, px, 0, NULL))
		goto done;
	sm = malloc(len);
	if (sm == NULL || !png_image_write_to_memory(&im, sm, &len, 0, px, 0, NULL))
		goto done;
	strbuf_add(out, sm, len);
	rc = 0;
done:
	png_image_free(&im);
	free(px);
	free(sm);
	return rc;
}

int
image_clean_fd(int fd, strbuf_t *out, char **title, void *arg)
{
	enum image_kind k = arg ? (enum image_kind)*(const int *)arg : IMAGE_NONE;
	strbuf_t in;
	int rc = -1;

	(void)title;
	strbuf_init(&in);
	if (slurp(fd, &in) < 0)
		goto done;
	if (k == IMAGE_JPEG)
		rc = clean_jpeg(&in, out);
	else if (k == IMAGE_PNG)
		rc = clean_png(&in, out);
done:
	strbuf_release(&in);
	return rc;
}
