/* extract_zip: a zip archive (an office file) read by libzip through a
 * source of our own that only preads the descriptor it was given: no path,
 * no FILE, nothing to open inside the jail. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docs/extract_int.h"

struct fdsrc {
	int fd;
	zip_int64_t size, pos;
	zip_error_t err;
};

static zip_int64_t
fdsrc_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct fdsrc *s = ud;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		s->pos = 0;
		return 0;
	case ZIP_SOURCE_READ: {
		ssize_t r;
		if (len > (zip_uint64_t)(s->size - s->pos))
			len = (zip_uint64_t)(s->size - s->pos);
		if (len > (zip_uint64_t)SSIZE_MAX)
			len = SSIZE_MAX;
		do
			r = pread(s->fd, data, (size_t)len, (off_t)s->pos);
		while (r < 0 && errno == EINTR);
		if (r < 0) {
			zip_error_set(&s->err, ZIP_ER_READ, errno);
			return -1;
		}
		s->pos += r;
		return r;
	}
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_FREE:
		/* libzip's last call: when the archive is discarded, or the open failed. */
		zip_error_fini(&s->err);
		free(s);
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		if (len < sizeof(*st)) {
			zip_error_set(&s->err, ZIP_ER_INVAL, 0);
			return -1;
		}
		zip_stat_init(st);
		st->size = (zip_uint64_t)s->size;
		st->valid |= ZIP_STAT_SIZE;
		return sizeof(*st);
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->err, data, len);
	case ZIP_SOURCE_SEEK: {
		zip_int64_t np = zip_source_seek_compute_offset((zip_uint64_t)s->pos, (zip_uint64_t)s->size,
		    data, len, &s->err);
		if (np < 0)
			return -1;
		s->pos = np;
		return 0;
	}
	case ZIP_SOURCE_TELL:
		return s->pos;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
		    ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
		    ZIP_SOURCE_SUPPORTS, -1);
	default:
		zip_error_set(&s->err, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

zip_t *
extract_zip_open_fd(int fd, zip_error_t *err)
{
	struct stat st;
	struct fdsrc *src;
	zip_source_t *zs;
	zip_t *za;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	src = xcalloc(1, sizeof(*src));
	src->fd = fd;
	src->size = st.st_size;
	zip_error_init(&src->err);
	zip_error_init(err);
	zs = zip_source_function_create(fdsrc_cb, src, err);
	if (zs == NULL) {
		free(src);
		return NULL;
	}
	za = zip_open_from_source(zs, ZIP_RDONLY, err);
	if (za == NULL) {
		zip_source_free(zs);    /* frees src */
		zip_error_fini(err);
	}
	return za;
}
