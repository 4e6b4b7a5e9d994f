/* extract_archive: the structure a jailed child's answer carries beyond its
 * text — listings (EXTRACT_LIST_SEP) and a PDF's pages (EXTRACT_PAGE_SEP) —
 * and the list of what a zip, tar (plain or gzip, bzip2, xz compressed) or 7z
 * archive holds, through libarchive, inside the document jail. libarchive reads through callbacks of ours that only pread the
 * descriptor the jail was given (nothing to open), and seek, so a zip is
 * read by its central directory. No entry's data is inflated except what
 * stepping over it in a compressed stream costs (the jail's CPU limit). */
#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "docs/extract.h"

struct source {
	int fd;
	int64_t pos, size;
	char buf[64 * 1024];
};

static la_ssize_t
src_read(struct archive *a, void *arg, const void **buf)
{
	struct source *s = arg;
	ssize_t n = pread(s->fd, s->buf, sizeof(s->buf), (off_t)s->pos);

	(void)a;
	if (n < 0)
		return -1;
	s->pos += n;
	*buf = s->buf;
	return n;
}

static la_int64_t
src_seek(struct archive *a, void *arg, la_int64_t off, int whence)
{
	struct source *s = arg;
	int64_t to = whence == SEEK_SET ? off : whence == SEEK_CUR ? s->pos + off : s->size + off;

	(void)a;
	if (to < 0)
		return ARCHIVE_FATAL;
	s->pos = to;
	return to;
}

static la_int64_t
src_skip(struct archive *a, void *arg, la_int64_t want)
{
	struct source *s = arg;
	int64_t n = want < s->size - s->pos ? want : s->size - s->pos;

	(void)a;
	if (n < 0)
		n = 0;
	s->pos += n;
	return n;
}

/* One listing line: type, size and name, the name without the bytes that
 * separate fields and lines. */
void
extract_list_line(strbuf_t *list, char type, int64_t size, const char *name, size_t len)
{
	strbuf_addf(list, "%c\t%lld\t", type, (long long)(size < 0 ? 0 : size));
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		strbuf_addc(list, c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
	}
	strbuf_addc(list, '\n');
}

int
extract_archive_fd(int fd, strbuf_t *list)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct source *s = xcalloc(1, sizeof(*s));
	struct stat st;
	int64_t shown = 0, more = 0;
	int rc = -1, r;

	s->fd = fd;
	s->size = fstat(fd, &st) == 0 ? (int64_t)st.st_size : 0;
	/* Only formats and filters libarchive reads in-process: the "program"
	 * filters would start a process, which the jail forbids anyway. */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_zip_seekable(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_7zip(a);
	archive_read_set_read_callback(a, src_read);
	archive_read_set_seek_callback(a, src_seek);
	archive_read_set_skip_callback(a, src_skip);
	archive_read_set_callback_data(a, s);
	if (archive_read_open1(a) != ARCHIVE_OK)
		goto done;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname_utf8(e);
		if (name == NULL)
			name = archive_entry_pathname(e);
		if (name == NULL)
			name = "";
		if (shown < EXTRACT_LIST_MAX) {
			extract_list_line(list, archive_entry_filetype(e) == AE_IFDIR ? 'd' : 'f',
			    archive_entry_size_is_set(e) ? archive_entry_size(e) : -1, name, strlen(name));
			shown++;
		} else if (++more >= EXTRACT_ARCHIVE_COUNT_MAX) {
			break;   /* counted enough: "more than" */
		}
		if (archive_read_data_skip(a) != ARCHIVE_OK)
			break;
	}
	if (more > 0)
		strbuf_addf(list, "%c\t%lld\t\n", more >= EXTRACT_ARCHIVE_COUNT_MAX ? '>' : '+',
		    (long long)more);
	rc = shown > 0 || r == ARCHIVE_EOF ? 0 : -1;
done:
	archive_read_free(a);
	free(s);
	return rc;
}

void
extract_join_listing(strbuf_t *out, const char *raw, size_t len)
{
	const char *nul = memchr(raw, '\0', len);
	size_t tlen = nul ? (size_t)(nul - raw) : len, start = out->len;
	strbuf_t list;

	strbuf_init(&list);
	if (nul) {
		size_t ll = len - tlen - 1, cut = 0;
		/* Whole lines only, within the listing's share. */
		for (size_t i = 0; i < ll && i < EXTRACT_LIST_BYTES; i++)
			if (nul[1 + i] == '\n')
				cut = i + 1;
		extract_utf8(&list, nul + 1, cut);
	}
	extract_utf8(out, raw, tlen);
	if (list.len > 0) {
		/* The listing keeps its room at the end: the text gives way. */
		size_t room = EXTRACT_TEXT_MAX - list.len - 1;
		if (out->len > room) {
			size_t k = room > start ? room : start;
			while (k > start && ((unsigned char)out->s[k] & 0xc0) == 0x80)
				k--;
			out->len = k;
			out->s[k] = '\0';
		}
		strbuf_addc(out, EXTRACT_LIST_SEP);
		strbuf_add(out, list.s, list.len);
	}
	strbuf_release(&list);
}

/* pdftotext's pages (a form feed after each) with EXTRACT_PAGE_SEP between. */
void
extract_pdf_pages(strbuf_t *out, const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end && out->len < EXTRACT_TEXT_MAX) {
		const char *ff = memchr(p, '\f', (size_t)(end - p));
		extract_utf8(out, p, (size_t)((ff ? ff : end) - p));
		if (ff == NULL || ff + 1 >= end)
			break;
		if (out->len + 3 <= EXTRACT_TEXT_MAX)
			strbuf_adds(out, EXTRACT_PAGE_SEP);
		p = ff + 1;
	}
}
