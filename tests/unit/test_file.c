/* Opening beneath a root (openat2 and the fallback walk), errno → status, and
 * Content-Disposition encoding. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "http/file.h"
#include "base/util.h"
#include "base/text.h"

int
main(void)
{
	char tmpl[] = "/tmp/bs-file-XXXXXX";
	char *dir = mkdtemp(tmpl), *p;
	int root;

	p = xasprintf("%s/root/sub", dir); mkdir_p(p, 0700); free(p);
	p = xasprintf("%s/root/sub/a.txt", dir); close(open(p, O_CREAT | O_WRONLY, 0600)); free(p);
	p = xasprintf("%s/outside.txt", dir); close(open(p, O_CREAT | O_WRONLY, 0600)); free(p);
	p = xasprintf("%s/root/link", dir); ok(symlink("../outside.txt", p) == 0, "symlink"); free(p);
	p = xasprintf("%s/root/inlink", dir); ok(symlink("sub/a.txt", p) == 0, "symlink"); free(p);
	p = xasprintf("%s/root/dirlink", dir); ok(symlink("sub", p) == 0, "symlink"); free(p);
	p = xasprintf("%s/root", dir); root = open(p, O_PATH | O_DIRECTORY); free(p);

	for (int walk = 0; walk < 2; walk++) {
		beneath_set_force_walk(walk);
		int fd = beneath_open(root, "sub/a.txt");
		ok(fd >= 0, "regular file opens (walk %d)", walk);
		if (fd >= 0)
			close(fd);
		static const char *refused[] = { "link", "inlink", "dirlink/a.txt", "sub/../../outside.txt",
			"../outside.txt", "nope", "sub/nope", "sub/a.txt/x", "", "/etc/passwd" };
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			errno = 0;
			fd = beneath_open(root, refused[i]);
			ok(fd < 0, "'%s' refused (walk %d)", refused[i], walk);
			if (fd >= 0)
				close(fd);
			else
				is_int(file_errno_status(errno), 404, "'%s' → 404 (walk %d, errno %d)", refused[i], walk, errno);
		}
	}
	is_int(file_errno_status(EACCES), 403, "EACCES");
	is_int(file_errno_status(EIO), 500, "EIO");

	char *cd = file_content_disposition("r\xc3\xa9sum\xc3\xa9 \"x\".pdf", 0);
	is_str(cd, "attachment; filename=\"r__sum__ _x_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.pdf", "RFC 6266");
	free(cd);
	/* filename* follows the pages' rule (text_cp_visible): controls become
	 * control pictures, bidi overrides, C1 and invalid bytes U+FFFD. */
	cd = file_content_disposition("a\r\nb;c%.txt", 0);
	is_str(cd, "attachment; filename=\"a__b;c_.txt\"; filename*=UTF-8''a%E2%90%8D%E2%90%8Ab%3Bc%25.txt", "controls");
	free(cd);
	cd = file_content_disposition("evil\xe2\x80\xaegpj.exe", 0);
	is_str(cd, "attachment; filename=\"evil___gpj.exe\"; filename*=UTF-8''evil%EF%BF%BDgpj.exe",
	    "a bidi override does not reach filename*");
	free(cd);
	cd = file_content_disposition("\x1b[31m\xe2\x81\xa6x\xc2\x9by\xffz\xe2\x80\x8b.txt", 0);
	is_str(cd, "attachment; filename=\"_[31m___x__y_z___.txt\"; filename*=UTF-8''%E2%90%9B%5B31m%EF%BF%BDx%EF%BF%BDy%EF%BF%BDz%E2%80%8B.txt",
	    "ESC, an isolate, C1 and an invalid byte replaced; other characters kept");
	free(cd);

	cd = file_content_disposition("photo.jpg", 1);
	is_str(cd, "inline; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg", "inline keeps the name encoding");
	free(cd);
	{
		static const char *const shown[] = { "image/jpeg", "image/png", "image/gif", "image/webp",
		    "audio/mpeg", "audio/ogg", "video/mp4", "video/webm", "text/plain", "Text/Plain; charset=utf-8" };
		static const char *const kept[] = { "image/svg+xml", "text/html", "application/xhtml+xml",
		    "application/xml", "text/xml", "application/pdf", "application/msword", "text/csv",
		    "application/octet-stream", "image/jpeg2", "text/plainx", "", NULL };
		for (size_t i = 0; i < ARRAY_LEN(shown); i++)
			ok(file_is_inline(shown[i]), "%s inline", shown[i]);
		for (size_t i = 0; i < ARRAY_LEN(kept); i++)
			ok(!file_is_inline(kept[i]), "%s attachment", kept[i] ? kept[i] : "NULL");
	}

	p = xasprintf("rm -rf '%s'", dir);
	(void)!system(p);
	free(p);
	return unit_done();
}
