/* image: a clean copy of a raster image (image.h). libjpeg, libpng, giflib
 * and libwebp (libwebpdemux for an animation) do the decoding and encoding; this file only moves pixels
 * between them. */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/decode.h>
#include <webp/demux.h>

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
	if (strcmp(mime, "image/gif") == 0)
		return IMAGE_GIF;
	if (strcmp(mime, "image/webp") == 0)
		return IMAGE_WEBP;
	return IMAGE_NONE;
}

const char *
image_kind_mime(enum image_kind k)
{
	return k == IMAGE_JPEG ? "image/jpeg" : k == IMAGE_PNG || k == IMAGE_GIF || k == IMAGE_WEBP ?
	    "image/png" : "application/octet-stream";
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

static unsigned
get16(const unsigned char *p, int le)
{
	return le ? (unsigned)p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | p[1];
}

static uint32_t
get32(const unsigned char *p, int le)
{
	return le ? (uint32_t)get16(p, 1) | (uint32_t)get16(p + 2, 1) << 16 :
	    (uint32_t)get16(p, 0) << 16 | get16(p + 2, 0);
}

/* The EXIF orientation (1-8) from a saved APP1 marker; 1 if there is none.
 * The one value of the metadata the copy honours, by turning its pixels. */
static int
exif_orientation(j_decompress_ptr d)
{
	for (jpeg_saved_marker_ptr m = d->marker_list; m; m = m->next) {
		const unsigned char *t = m->data + 6;
		size_t n = m->data_length;
		uint32_t ifd;
		int le;

		if (m->marker != JPEG_APP0 + 1 || n < 6 + 8 || memcmp(m->data, "Exif\0\0", 6) != 0)
			continue;
		n -= 6;
		if (memcmp(t, "II*\0", 4) != 0 && memcmp(t, "MM\0*", 4) != 0)
			return 1;
		le = t[0] == 'I';
		ifd = get32(t + 4, le);
		if (ifd > n - 2)
			return 1;
		unsigned count = get16(t + ifd, le);
		for (unsigned i = 0; i < count && ifd + 2 + (size_t)(i + 1) * 12 <= n; i++) {
			const unsigned char *e = t + ifd + 2 + (size_t)i * 12;
			if (get16(e, le) == 0x0112 && get16(e + 2, le) == 3) {
				unsigned v = get16(e + 8, le);
				return v >= 1 && v <= 8 ? (int)v : 1;
			}
		}
		return 1;
	}
	return 1;
}

/* Turn the decoded pixels upright: for each output pixel, the source one
 * (EXIF 2-8: mirrored, 180, mirrored vertically, transposed, 90 clockwise,
 * transversed, 90 anticlockwise). Orientations 5-8 swap width and height. */
static void
orient(const unsigned char *src, unsigned char *dst, unsigned w, unsigned h, unsigned c, int o)
{
	unsigned ow = o >= 5 ? h : w, oh = o >= 5 ? w : h;

	for (unsigned y = 0; y < oh; y++)
		for (unsigned x = 0; x < ow; x++) {
			unsigned sx, sy;
			switch (o) {
			case 2: sx = w - 1 - x; sy = y; break;
			case 3: sx = w - 1 - x; sy = h - 1 - y; break;
			case 4: sx = x; sy = h - 1 - y; break;
			case 5: sx = y; sy = x; break;
			case 6: sx = y; sy = h - 1 - x; break;
			case 7: sx = w - 1 - y; sy = h - 1 - x; break;
			case 8: sx = w - 1 - y; sy = x; break;
			default: sx = x; sy = y; break;
			}
			memcpy(dst + ((size_t)y * ow + x) * c, src + ((size_t)sy * w + sx) * c, c);
		}
}

/* A row of CMYK made RGB by the naive formula (no colour profile: the copy
 * is for reading, not printing). Adobe's files (an APP14 marker: Photoshop,
 * PIL) store the inks inverted, 255 for none; others store 0 for none. */
static void
cmyk_rgb(const unsigned char *src, unsigned char *dst, unsigned w, int adobe)
{
	for (unsigned x = 0; x < w; x++, src += 4, dst += 3) {
		unsigned k = adobe ? src[3] : 255u - src[3];
		for (unsigned i = 0; i < 3; i++)
			dst[i] = (unsigned char)((adobe ? src[i] : 255u - src[i]) * k / 255u);
	}
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
	unsigned char *volatile all = NULL, *volatile turned = NULL;
	volatile int rc = -1, e_made = 0, o = 1, cmyk = 0;
	volatile unsigned oc = 3;
	size_t stride;
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
	/* Only APP1 is kept, to read the orientation from; the other APPn (XMP
	 * is APP1 too, ICC APP2) and COM are skipped unread, and nothing saved
	 * is ever written to the copy. */
	jpeg_save_markers(&d, JPEG_APP0 + 1, 0xffff);
	if (jpeg_read_header(&d, TRUE) != JPEG_HEADER_OK)
		goto done;
	o = exif_orientation(&d);
	side = d.image_width > d.image_height ? d.image_width : d.image_height;
	if ((unsigned long long)d.image_width * d.image_height > IMAGE_PIXELS_MAX * 4ULL ||
	    side > IMAGE_SIDE_MAX * 8)
		goto done;
	d.scale_denom = 8;
	d.scale_num = side > IMAGE_SIDE_MAX ? (8 * IMAGE_SIDE_MAX) / side : 8;
	if (d.scale_num < 1)
		d.scale_num = 1;
	/* A print file's CMYK, or YCCK (which libjpeg turns into CMYK), comes
	 * out as CMYK, which no browser shows: made RGB here, row by row. */
	cmyk = d.jpeg_color_space == JCS_CMYK || d.jpeg_color_space == JCS_YCCK;
	d.out_color_space = cmyk ? JCS_CMYK : d.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
	jpeg_start_decompress(&d);
	if (cmyk && d.output_components != 4)
		goto done;
	oc = cmyk ? 3 : (unsigned)d.output_components;
	jpeg_create_compress(&e);
	e_made = 1;
	jpeg_mem_dest(&e, (unsigned char **)&mem, &memlen);
	e.image_width = o >= 5 ? d.output_height : d.output_width;
	e.image_height = o >= 5 ? d.output_width : d.output_height;
	e.input_components = (int)oc;
	e.in_color_space = cmyk ? JCS_RGB : d.out_color_space;
	jpeg_set_defaults(&e);
	jpeg_set_quality(&e, 85, TRUE);
	jpeg_start_compress(&e, TRUE);
	stride = (size_t)d.output_width * oc;
	row = malloc((size_t)d.output_width * (size_t)d.output_components);
	/* Upright: a row at a time; to be turned: the whole image (at most
	 * IMAGE_SIDE_MAX square). */
	all = malloc(o == 1 ? stride : stride * d.output_height);
	turned = o == 1 ? NULL : malloc(stride * d.output_height);
	if (row == NULL || all == NULL || (o != 1 && turned == NULL))
		goto done;
	while (d.output_scanline < d.output_height) {
		JSAMPROW r = row;
		unsigned char *to = o == 1 ? all : all + stride * d.output_scanline;
		if (jpeg_read_scanlines(&d, &r, 1) != 1)
			goto done;
		if (cmyk)
			cmyk_rgb(row, to, d.output_width, d.saw_Adobe_marker);
		else
			memcpy(to, row, stride);
		if (o == 1) {
			JSAMPROW w = all;
			jpeg_write_scanlines(&e, &w, 1);
		}
	}
	if (o != 1) {
		orient(all, turned, d.output_width, d.output_height, oc, o);
		for (size_t y = 0; y < e.image_height; y++) {
			JSAMPROW r = turned + (size_t)y * e.image_width * oc;
			jpeg_write_scanlines(&e, &r, 1);
		}
	}
	jpeg_finish_compress(&e);
	jpeg_finish_decompress(&d);
	strbuf_add(out, mem, memlen);
	rc = 0;
done:
	free(row);
	free(all);
	free(turned);
	if (e_made)
		jpeg_destroy_compress(&e);
	jpeg_destroy_decompress(&d);
	free(mem);
	return rc;
}

/* PNG: libpng's simplified API decodes to 8-bit RGB(A) or gray(+alpha); a
 * larger image is shrunk by an integer box filter; the copy is written
 * with no ancillary chunk (no tEXt/iTXt/zTXt, eXIf, iCCP, tIME). */
static int encode_png(unsigned char *px, unsigned w, unsigned h, png_uint_32 fmt, strbuf_t *out);

static int
clean_png(const strbuf_t *in, strbuf_t *out)
{
	png_image im;
	unsigned char *px = NULL;
	unsigned w, h;
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
	px = malloc(PNG_IMAGE_SIZE(im));
	if (px == NULL || !png_image_finish_read(&im, NULL, px, 0, NULL))
		goto done;
	rc = encode_png(px, w, h, im.format, out);
done:
	png_image_free(&im);
	free(px);
	return rc;
}

/* Pixels px (w x h, 8-bit samples in libpng's format fmt), shrunk by an
 * integer box filter to at most IMAGE_SIDE_MAX, as a PNG with no ancillary
 * chunk (no tEXt/iTXt/zTXt, eXIf, iCCP, tIME) appended to out. */
static int
encode_png(unsigned char *px, unsigned w, unsigned h, png_uint_32 fmt, strbuf_t *out)
{
	png_image im;
	unsigned char *sm = NULL, *own = NULL;
	png_alloc_size_t len = 0;
	unsigned ch = PNG_IMAGE_SAMPLE_CHANNELS(fmt), k, side, ow, oh;
	int rc = -1;

	memset(&im, 0, sizeof(im));
	im.version = PNG_IMAGE_VERSION;
	im.format = fmt;
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
		px = own = sm;
		sm = NULL;
		w = ow;
		h = oh;
	}
	im.width = w;
	im.height = h;
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
	free(own);
	free(sm);
	return rc;
}

/* GIF: giflib reads from memory; the first frame only (a still copy of an
 * animation), its pixels through its colour map, transparent where its
 * graphics control block says so. Records are read one at a time (not
 * DGifSlurp, which would decode every frame of a hostile animation). */
struct gif_src {
	const unsigned char *p;
	size_t n, at;
};

static int
gif_read(GifFileType *g, GifByteType *buf, int len)
{
	struct gif_src *s = g->UserData;
	size_t k = len < 0 ? 0 : (size_t)len;

	if (k > s->n - s->at)
		k = s->n - s->at;
	memcpy(buf, s->p + s->at, k);
	s->at += k;
	return (int)k;
}

static int
clean_gif(const strbuf_t *in, strbuf_t *out)
{
	struct gif_src src = { (const unsigned char *)in->s, in->len, 0 };
	GifFileType *g;
	GifRecordType rt;
	GifByteType *ext;
	unsigned char *idx = NULL, *px = NULL;
	int err = 0, trans = -1, code, rc = -1;

	if ((g = DGifOpen(&src, gif_read, &err)) == NULL)
		return -1;
	for (int records = 0; records < 100000; records++) {
		if (DGifGetRecordType(g, &rt) == GIF_ERROR || rt == TERMINATE_RECORD_TYPE)
			goto done;
		if (rt == EXTENSION_RECORD_TYPE) {
			if (DGifGetExtension(g, &code, &ext) == GIF_ERROR)
				goto done;
			if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4 && (ext[1] & 1))
				trans = ext[4];
			while (ext != NULL)
				if (DGifGetExtensionNext(g, &ext) == GIF_ERROR)
					goto done;
			continue;
		}
		if (rt == IMAGE_DESC_RECORD_TYPE)
			break;
	}
	if (rt != IMAGE_DESC_RECORD_TYPE || DGifGetImageDesc(g) == GIF_ERROR)
		goto done;
	{
		const ColorMapObject *cm = g->Image.ColorMap ? g->Image.ColorMap : g->SColorMap;
		unsigned w = (unsigned)g->Image.Width, h = (unsigned)g->Image.Height, c = trans >= 0 ? 4 : 3;
		static const unsigned start[] = { 0, 4, 2, 1 }, step[] = { 8, 8, 4, 2 };

		if (cm == NULL || g->Image.Width <= 0 || g->Image.Height <= 0 ||
		    (unsigned long long)w * h > IMAGE_PIXELS_MAX)
			goto done;
		idx = malloc((size_t)w * h);
		px = malloc((size_t)w * h * c);
		if (idx == NULL || px == NULL)
			goto done;
		if (g->Image.Interlace) {
			for (int pass = 0; pass < 4; pass++)
				for (unsigned y = start[pass]; y < h; y += step[pass])
					if (DGifGetLine(g, idx + (size_t)y * w, (int)w) == GIF_ERROR)
						goto done;
		} else {
			for (unsigned y = 0; y < h; y++)
				if (DGifGetLine(g, idx + (size_t)y * w, (int)w) == GIF_ERROR)
					goto done;
		}
		for (size_t i = 0; i < (size_t)w * h; i++) {
			unsigned char *o = px + i * c;
			int v = idx[i];
			if (v < cm->ColorCount) {
				o[0] = cm->Colors[v].Red;
				o[1] = cm->Colors[v].Green;
				o[2] = cm->Colors[v].Blue;
			} else {
				o[0] = o[1] = o[2] = 0;
			}
			if (c == 4)
				o[3] = v == trans ? 0 : 255;
		}
		rc = encode_png(px, w, h, c == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB, out);
	}
done:
	free(idx);
	free(px);
	DGifCloseFile(g, &err);
	return rc;
}

/* An animated WebP: its first frame, as libwebpdemux's animation decoder
 * composes it on the canvas (RGBA), a still copy as for a GIF. One frame is
 * decoded, whatever the animation holds; its EXIF, XMP and ICCP chunks are
 * never read. */
static int
clean_webp_anim(const strbuf_t *in, strbuf_t *out)
{
	WebPData data = { (const uint8_t *)in->s, in->len };
	WebPAnimDecoderOptions opt;
	WebPAnimDecoder *dec;
	WebPAnimInfo info;
	uint8_t *px = NULL;
	int ts = 0, rc = -1;

	if (!WebPAnimDecoderOptionsInit(&opt))
		return -1;
	opt.color_mode = MODE_RGBA;
	opt.use_threads = 0;
	if ((dec = WebPAnimDecoderNew(&data, &opt)) == NULL)
		return -1;
	if (WebPAnimDecoderGetInfo(dec, &info) && info.canvas_width > 0 && info.canvas_height > 0 &&
	    (unsigned long long)info.canvas_width * info.canvas_height <= IMAGE_PIXELS_MAX &&
	    info.frame_count > 0 && WebPAnimDecoderGetNext(dec, &px, &ts) && px != NULL)
		rc = encode_png(px, info.canvas_width, info.canvas_height, PNG_FORMAT_RGBA, out);
	WebPAnimDecoderDelete(dec);
	return rc;
}

/* WebP: libwebp decodes a still image to RGB or RGBA (an animation goes to
 * clean_webp_anim); its EXIF, XMP and ICC chunks are never read. */
static int
clean_webp(const strbuf_t *in, strbuf_t *out)
{
	WebPBitstreamFeatures f;
	const uint8_t *p = (const uint8_t *)in->s;
	uint8_t *px;
	int w = 0, h = 0, rc;

	if (WebPGetFeatures(p, in->len, &f) != VP8_STATUS_OK)
		return -1;
	if (f.has_animation)
		return clean_webp_anim(in, out);
	if (f.width <= 0 || f.height <= 0 ||
	    (unsigned long long)f.width * (unsigned long long)f.height > IMAGE_PIXELS_MAX)
		return -1;
	px = f.has_alpha ? WebPDecodeRGBA(p, in->len, &w, &h) : WebPDecodeRGB(p, in->len, &w, &h);
	if (px == NULL)
		return -1;
	rc = w == f.width && h == f.height ? encode_png(px, (unsigned)w, (unsigned)h,
	    f.has_alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB, out) : -1;
	WebPFree(px);
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
	else if (k == IMAGE_GIF)
		rc = clean_gif(&in, out);
	else if (k == IMAGE_WEBP)
		rc = clean_webp(&in, out);
done:
	strbuf_release(&in);
	return rc;
}
