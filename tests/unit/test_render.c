/* test_render: the render cache (bound, least recently used out first, the
 * newest kept, pinned copies first and never counted), the clean image copy
 * (a JPEG whose APP1/APP2/COM markers carry EXIF, XMP, ICC and a comment,
 * made here with libjpeg: none of it in the copy; a PNG with text chunks;
 * CMYK and YCCK JPEGs, Adobe's inverted and not, made RGB in the right colour),
 * and the render process on a real jail (an image job over the socket; a
 * job on garbage fails without killing the process). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>

#include "base/sandbox.h"
#include "base/util.h"
#include "docs/image.h"
#include "docs/render.h"
#include "serve/render_cache.h"
#include "unit.h"

static char t_dir[64];

static void
t_put(const char *dir, const char *name, size_t size, time_t age)
{
	char path[256];
	struct timeval tv[2];
	char *buf = calloc(1, size ? size : 1);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	(void)write_all(fd, buf, size);
	close(fd);
	free(buf);
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= age;
	tv[1] = tv[0];
	utimes(path, tv);
}

static int
t_exists(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

static void
test_cache_evicts_oldest(void)
{
	char cache[96], pinned[96];
	render_cache_t *rc;
	struct stat st;
	int fd;

	snprintf(cache, sizeof(cache), "%s/cache", t_dir);
	snprintf(pinned, sizeof(pinned), "%s/pages", t_dir);
	mkdir(cache, 0700);
	mkdir(pinned, 0700);
	t_put(cache, "old", 400, 3000);
	t_put(cache, "mid", 400, 2000);
	t_put(cache, "leftover.tmp", 999, 10);
	t_put(pinned, "pin", 5000, 5000);
	rc = render_cache_new(cache, pinned, 1000);
	ok(rc != NULL, "cache opens");
	is_int(render_cache_bytes(rc), 800, "counted: two files, the leftover gone, pinned not counted");
	ok(!t_exists(cache, "leftover.tmp"), "an interrupted write is removed");
	/* Reading "old" now makes it the most recently used (touched: older than a minute). */
	fd = render_cache_open(rc, "old", &st);
	ok(fd >= 0 && st.st_size == 400, "a hit");
	close(fd);
	/* 1100 bytes: over the bound, so down to nine tenths (900). */
	fd = render_cache_create(rc, "new");
	for (int i = 0; i < 6; i++)
		(void)write_all(fd, "01234567890123456789012345678901234567890123456789", 50);
	close(fd);
	render_cache_commit(rc, "new", 1);
	ok(!t_exists(cache, "mid"), "over the bound: the least recently used went");
	ok(t_exists(cache, "old"), "the one just read stayed");
	ok(t_exists(cache, "new"), "the one just made stayed");
	ok(render_cache_bytes(rc) <= 1000, "back under the bound (%lld)", (long long)render_cache_bytes(rc));
	is_int(render_cache_evicted(rc), 1, "one evicted");
	fd = render_cache_open(rc, "pin", &st);
	ok(fd >= 0 && st.st_size == 5000, "a pinned copy is served, never evicted");
	close(fd);
	ok(render_cache_open(rc, "nothing", &st) < 0, "a miss");
	fd = render_cache_create(rc, "dropped");
	close(fd);
	render_cache_commit(rc, "dropped", 0);
	ok(!t_exists(cache, "dropped") && !t_exists(cache, "dropped.tmp"), "a job thrown away leaves nothing");
	render_cache_free(rc);
}

/* A 64x48 JPEG carrying EXIF (APP1), XMP (APP1), ICC (APP2) and a comment. */
static void
t_jpeg_with_metadata(strbuf_t *out)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *mem = NULL, row[64 * 3];
	unsigned long len = 0;
	static const char exif[] = "Exif\0\0MM\0*\0\0\0\x08\0\0GPS-SECRET-51N";
	static const char xmp[] = "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>XMP-SECRET</x:xmpmeta>";
	static const char icc[] = "ICC_PROFILE\0\x01\x01ICC-SECRET";

	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mem, &len);
	c.image_width = 64;
	c.image_height = 48;
	c.input_components = 3;
	c.in_color_space = JCS_RGB;
	jpeg_set_defaults(&c);
	jpeg_start_compress(&c, TRUE);
	jpeg_write_marker(&c, JPEG_APP0 + 1, (const JOCTET *)exif, sizeof(exif) - 1);
	jpeg_write_marker(&c, JPEG_APP0 + 1, (const JOCTET *)xmp, sizeof(xmp) - 1);
	jpeg_write_marker(&c, JPEG_APP0 + 2, (const JOCTET *)icc, sizeof(icc) - 1);
	jpeg_write_marker(&c, JPEG_COM, (const JOCTET *)"COMMENT-SECRET", 14);
	for (int x = 0; x < 64 * 3; x++)
		row[x] = (unsigned char)(x * 3);
	while (c.next_scanline < c.image_height) {
		JSAMPROW r = row;
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	strbuf_add(out, mem, len);
	strbuf_add(out, "TRAILING-SECRET", 15);
	free(mem);
}

static int
t_memfd(const strbuf_t *b)
{
	int fd = memfd_create("t", MFD_CLOEXEC);
	(void)write_all(fd, b->s, b->len);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int
t_has(const strbuf_t *b, const char *needle)
{
	return memmem(b->s, b->len, needle, strlen(needle)) != NULL;
}

static void
test_jpeg_copy_has_no_metadata(void)
{
	strbuf_t in, out;
	int kind = IMAGE_JPEG, fd;

	strbuf_init(&in);
	strbuf_init(&out);
	t_jpeg_with_metadata(&in);
	ok(t_has(&in, "GPS-SECRET") && t_has(&in, "XMP-SECRET") && t_has(&in, "ICC-SECRET") &&
	    t_has(&in, "COMMENT-SECRET"), "the original carries all four");
	fd = t_memfd(&in);
	ok(image_clean_fd(fd, &out, NULL, &kind) == 0, "a copy is made");
	close(fd);
	ok(out.len > 100 && memcmp(out.s, "\xff\xd8\xff\xe0", 4) == 0, "a JPEG starting with JFIF");
	ok(!t_has(&out, "SECRET") && !t_has(&out, "Exif") && !t_has(&out, "ICC_PROFILE") &&
	    !t_has(&out, "http://ns.adobe.com"), "no EXIF, XMP, ICC, comment or trailing bytes in it");
	strbuf_release(&in);
	strbuf_release(&out);
}

static uint32_t
t_crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static void
test_png_copy_has_no_text(void)
{
	png_image im;
	unsigned char px[8 * 6 * 4];
	png_alloc_size_t len = 0;
	strbuf_t in, out;
	int kind = IMAGE_PNG, fd;
	static const char text[] = "\0\0\0\x13tEXtAuthor\0TEXT-SECRET!";

	memset(&im, 0, sizeof(im));
	im.version = PNG_IMAGE_VERSION;
	im.width = 8;
	im.height = 6;
	im.format = PNG_FORMAT_RGBA;
	memset(px, 0x80, sizeof(px));
	strbuf_init(&in);
	strbuf_init(&out);
	png_image_write_get_memory_size(im, len, 0, px, 0, NULL);
	char *buf = malloc(len);
	png_image_write_to_memory(&im, buf, &len, 0, px, 0, NULL);
	/* A tEXt chunk after IHDR. */
	strbuf_add(&in, buf, 33);
	strbuf_add(&in, text, sizeof(text) - 1);
	uint32_t crc = t_crc32((const unsigned char *)text + 4, sizeof(text) - 1 - 4);
	unsigned char be[4] = { (unsigned char)(crc >> 24), (unsigned char)(crc >> 16),
	    (unsigned char)(crc >> 8), (unsigned char)crc };
	strbuf_add(&in, be, 4);
	strbuf_add(&in, buf + 33, len - 33);
	free(buf);
	fd = t_memfd(&in);
	ok(image_clean_fd(fd, &out, NULL, &kind) == 0, "a PNG copy is made");
	close(fd);
	ok(out.len > 8 && memcmp(out.s, "\x89PNG", 4) == 0 && !t_has(&out, "SECRET") && !t_has(&out, "tEXt"),
	    "a PNG without the text chunk");
	strbuf_release(&in);
	strbuf_release(&out);
}

static void
test_garbage_is_refused(void)
{
	strbuf_t in, out;
	int kind = IMAGE_JPEG, fd;

	strbuf_init(&in);
	strbuf_init(&out);
	strbuf_adds(&in, "\xff\xd8\xff\xe0 this is not a JPEG at all");
	fd = t_memfd(&in);
	ok(image_clean_fd(fd, &out, NULL, &kind) < 0 && out.len == 0, "garbage: no copy");
	close(fd);
	kind = IMAGE_PNG;
	fd = t_memfd(&in);
	ok(image_clean_fd(fd, &out, NULL, &kind) < 0, "garbage as PNG: no copy");
	close(fd);
	strbuf_release(&in);
	strbuf_release(&out);
}

/* A 32x32 print JPEG in color space cs (JCS_CMYK or JCS_YCCK, which libjpeg
 * makes from CMYK samples), every pixel the four inks ink, with an Adobe
 * APP14 marker or without (libjpeg writes one for both unless told not). */
static void
t_cmyk_jpeg(strbuf_t *out, J_COLOR_SPACE cs, int adobe, const unsigned char ink[4])
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr err;
	unsigned char *mem = NULL, row[32 * 4];
	unsigned long len = 0;

	c.err = jpeg_std_error(&err);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mem, &len);
	c.image_width = 32;
	c.image_height = 32;
	c.input_components = 4;
	c.in_color_space = JCS_CMYK;
	jpeg_set_defaults(&c);
	jpeg_set_colorspace(&c, cs);
	c.write_Adobe_marker = adobe ? TRUE : FALSE;
	jpeg_start_compress(&c, TRUE);
	for (int x = 0; x < 32; x++)
		memcpy(row + x * 4, ink, 4);
	while (c.next_scanline < c.image_height) {
		JSAMPROW r = row;
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	strbuf_add(out, mem, len);
	free(mem);
}

/* The copy of a print JPEG: 0 with the RGB of its centre in rgb. */
static int
t_cmyk_copy(const strbuf_t *in, unsigned char rgb[3])
{
	struct jpeg_decompress_struct d;
	struct jpeg_error_mgr err;
	strbuf_t out;
	unsigned char row[32 * 3];
	int kind = IMAGE_JPEG, fd = t_memfd(in), rc;

	strbuf_init(&out);
	rc = image_clean_fd(fd, &out, NULL, &kind);
	close(fd);
	if (rc == 0) {
		d.err = jpeg_std_error(&err);
		jpeg_create_decompress(&d);
		jpeg_mem_src(&d, (const unsigned char *)out.s, out.len);
		jpeg_read_header(&d, TRUE);
		rc = d.jpeg_color_space == JCS_YCbCr && d.num_components == 3 && d.image_width == 32 ? 0 : -1;
		d.out_color_space = JCS_RGB;
		jpeg_start_decompress(&d);
		for (int y = 0; y <= 16; y++) {
			JSAMPROW r = row;
			jpeg_read_scanlines(&d, &r, 1);
		}
		memcpy(rgb, row + 16 * 3, 3);
		jpeg_abort_decompress(&d);
		jpeg_destroy_decompress(&d);
	}
	strbuf_release(&out);
	return rc;
}

#define T_NEAR(v, want) ((v) + 12 >= (want) && (v) <= (want) + 12)

static void
test_cmyk_copies_are_rgb(void)
{
	/* Red: no cyan or black, full magenta and yellow; Adobe's files store
	 * the inks inverted (255 for none). */
	static const unsigned char red_adobe[4] = { 255, 0, 0, 255 }, red[4] = { 0, 255, 255, 0 };
	static const unsigned char grey_adobe[4] = { 255, 255, 255, 128 };
	unsigned char rgb[3] = { 0, 0, 0 };
	strbuf_t in;

	strbuf_init(&in);
	t_cmyk_jpeg(&in, JCS_CMYK, 1, red_adobe);
	ok(t_cmyk_copy(&in, rgb) == 0 && T_NEAR(rgb[0], 255) && T_NEAR(rgb[1], 0) && T_NEAR(rgb[2], 0),
	    "Adobe CMYK red: an RGB JPEG, red (%u,%u,%u)", rgb[0], rgb[1], rgb[2]);
	strbuf_reset(&in);
	t_cmyk_jpeg(&in, JCS_YCCK, 1, red_adobe);
	ok(t_cmyk_copy(&in, rgb) == 0 && T_NEAR(rgb[0], 255) && T_NEAR(rgb[1], 0) && T_NEAR(rgb[2], 0),
	    "Adobe YCCK red: an RGB JPEG, red (%u,%u,%u)", rgb[0], rgb[1], rgb[2]);
	strbuf_reset(&in);
	t_cmyk_jpeg(&in, JCS_YCCK, 1, grey_adobe);
	ok(t_cmyk_copy(&in, rgb) == 0 && T_NEAR(rgb[0], 128) && T_NEAR(rgb[1], 128) && T_NEAR(rgb[2], 128),
	    "Adobe YCCK half black: grey (%u,%u,%u)", rgb[0], rgb[1], rgb[2]);
	strbuf_reset(&in);
	t_cmyk_jpeg(&in, JCS_CMYK, 0, red);
	ok(t_cmyk_copy(&in, rgb) == 0 && T_NEAR(rgb[0], 255) && T_NEAR(rgb[1], 0) && T_NEAR(rgb[2], 0),
	    "CMYK without Adobe's marker (inks not inverted): red (%u,%u,%u)", rgb[0], rgb[1], rgb[2]);
	/* Cut in its scan: read as far as it goes, or refused; never a crash. */
	in.len = in.len / 2;
	strbuf_t out;
	int kind = IMAGE_JPEG, fd = t_memfd(&in);
	strbuf_init(&out);
	ok(image_clean_fd(fd, &out, NULL, &kind) <= 0, "a truncated CMYK JPEG: no crash");
	close(fd);
	strbuf_release(&out);
	strbuf_release(&in);
}

static void
test_render_process(void)
{
	render_tools_t t;
	render_t *r;
	strbuf_t in;
	int out[2] = { -1, -1 }, ok_, got = -1;
	uint32_t id = 0;
	struct stat st;
	char path[96];

	render_tools_default(&t);
	r = render_start(SANDBOX_YES, &t);
	ok(r != NULL, "the render process starts");
	strbuf_init(&in);
	t_jpeg_with_metadata(&in);
	int doc = t_memfd(&in);
	snprintf(path, sizeof(path), "%s/out.jpg", t_dir);
	out[0] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ok(render_send(r, 7, RENDER_IMAGE, 0, IMAGE_JPEG, doc, out) == 0, "a job is handed over");
	close(doc);
	close(out[0]);
	for (int i = 0; i < 500 && (got = render_recv(r, &id, &ok_)) == 1; i++)
		usleep(10000);
	ok(got == 0 && id == 7 && ok_ == 1, "job 7 made (got %d, id %u)", got, id);
	ok(stat(path, &st) == 0 && st.st_size > 100, "its copy written through the descriptor");
	/* Garbage fails in the jail; the process goes on. */
	strbuf_reset(&in);
	strbuf_adds(&in, "%PDF-1.4 broken");
	doc = t_memfd(&in);
	out[0] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ok(render_send(r, 8, RENDER_IMAGE, 0, IMAGE_JPEG, doc, out) == 0, "a hostile job is handed over");
	close(doc);
	close(out[0]);
	for (int i = 0; i < 500 && (got = render_recv(r, &id, &ok_)) == 1; i++)
		usleep(10000);
	ok(got == 0 && id == 8 && ok_ == 0, "job 8 failed");
	out[0] = -1;
	ok(render_send(r, 9, RENDER_IMAGE, 0, 99, -1, out) == 0, "a job without a document");
	for (int i = 0; i < 500 && (got = render_recv(r, &id, &ok_)) == 1; i++)
		usleep(10000);
	ok(got == 0 && id == 9 && ok_ == 0, "job 9 failed, the process still answers");
	render_free(r);
	strbuf_release(&in);
}

static const unit_case_t cases[] = {
	UNIT_CASE(test_cache_evicts_oldest),
	UNIT_CASE(test_jpeg_copy_has_no_metadata),
	UNIT_CASE(test_png_copy_has_no_text),
	UNIT_CASE(test_garbage_is_refused),
	UNIT_CASE(test_cmyk_copies_are_rgb),
	UNIT_CASE(test_render_process),
	UNIT_CASES_END,
};

int
main(int argc, char **argv)
{
	int rc;
	char cmd[128];

	snprintf(t_dir, sizeof(t_dir), "/tmp/test_render.XXXXXX");
	if (mkdtemp(t_dir) == NULL)
		return 1;
	rc = unit_main(cases, argc, argv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
