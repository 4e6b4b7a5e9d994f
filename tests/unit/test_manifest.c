/* test_manifest: the version in a manifest's trusted comment, which mirrors
 * compare to refuse a rollback: parsing (hostile text refused), ordering,
 * the next version (same second, clock set back), and reading the version of
 * an installed set; the names served below /m/<slug>/ and the folder keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "trust/manifest.h"
#include "unit.h"

int
main(void)
{
	manifest_tc_t tc;
	manifest_version_t a = { 100, 0 }, b = { 100, 1 }, c = { 99, 7 }, none = { 0, 0 }, v;
	char s[48];

	{
		char key[MANIFEST_FOLDER_KEY_LEN + 1], *p;
		/* SHA-256("") and SHA-256("abc"), cut to 128 bits. */
		manifest_folder_key("", 0, key);
		is_str(key, "e3b0c44298fc1c149afbf4c8996fb924", "the top folder's key");
		manifest_folder_key("abcdef", 3, key);
		is_str(key, "ba7816bf8f01cfea414140de5dae2223", "a folder's key is its path's SHA-256");
		p = manifest_served_path("SHA256SUMS");
		is_str(p, "SHA256SUMS", "a top-level name is itself");
		free(p);
		p = manifest_served_path("sums/ba7816bf8f01cfea414140de5dae2223/SHA256SUMS");
		is_str(p, "sums/ba7816bf8f01cfea414140de5dae2223", "a folder list is kept flat");
		free(p);
		p = manifest_served_path("sums/ba7816bf8f01cfea414140de5dae2223/SHA256SUMS.minisig");
		is_str(p, "sums/ba7816bf8f01cfea414140de5dae2223.minisig", "… and its signature");
		free(p);
		const char *bad[] = {
			"", "sums", "sums/", "sums/ba7816bf8f01cfea414140de5dae2223", "sums/ba7816bf8f01cfea414140de5dae2223/",
			"sums/ba7816bf8f01cfea414140de5dae222/SHA256SUMS", "sums/ba7816bf8f01cfea414140de5dae22233/SHA256SUMS",
			"sums/BA7816BF8F01CFEA414140DE5DAE2223/SHA256SUMS", "sums/../../../keys/publisher.key",
			"sums/ba7816bf8f01cfea414140de5dae2223/../../../keys/publisher.key",
			"sums/ba7816bf8f01cfea414140de5dae2223/SHA256SUMS/x", "sums/ba7816bf8f01cfea414140de5dae2223/index.json",
			"../keys/publisher.key", "keys/publisher.key",
		};
		for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
			p = manifest_served_path(bad[i]);
			ok(p == NULL, "not served: '%s'", bad[i]);
			free(p);
		}
	}
	ok(manifest_tc_parse("timestamp:1\tfile:index.json\tcollection:leak\tfiles:3\tversion:1764765600-2", &tc) == 0,
	    "a trusted comment parses");
	is_str(tc.file, "index.json", "file:");
	is_str(tc.collection, "leak", "collection:");
	is_int(tc.files, 3, "files:");
	is_int(tc.version.time, 1764765600, "version time");
	is_int(tc.version.counter, 2, "version counter");
	ok(manifest_tc_parse("timestamp:1\tfile:SHA256SUMS\tcollection:leak\tfiles:3", &tc) == 0 && tc.version.time == 0,
	    "an unversioned comment (made before versions) is version none");
	{
		const char *bad[] = {
			"file:a\tfile:b", "collection:x\tcollection:y", "version:1-2\tversion:3-4", "version:12",
			"version:-1-2", "version:1-x", "version:0-1", "files:-3", "files:1x",
			"file:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		};
		for (size_t i = 0; i < ARRAY_LEN(bad); i++)
			ok(manifest_tc_parse(bad[i], &tc) < 0, "malformed comment %zu refused", i);
	}
	ok(manifest_version_cmp(&a, &b) < 0 && manifest_version_cmp(&b, &a) > 0, "the counter orders one second");
	ok(manifest_version_cmp(&c, &a) < 0, "the time orders first");
	ok(manifest_version_cmp(&none, &c) < 0, "none is older than every version");
	ok(manifest_version_cmp(&b, &b) == 0, "equal");
	v = manifest_version_next(&b, 100);
	ok(v.time == 100 && v.counter == 2, "same second: counter + 1");
	v = manifest_version_next(&b, 50);
	ok(v.time == 100 && v.counter == 2, "clock set back: still newer");
	v = manifest_version_next(&b, 101);
	ok(v.time == 101 && v.counter == 0, "a later second: counter 0");
	v = manifest_version_next(&none, 5);
	ok(v.time == 5 && v.counter == 0, "the first version");
	manifest_version_format(&b, s, sizeof(s));
	is_str(s, "100-1", "format");
	manifest_version_format(&none, s, sizeof(s));
	is_str(s, "none", "format none");
	{
		char dir[] = "/tmp/test_manifest.XXXXXX";
		ok(mkdtemp(dir) != NULL, "temp dir");
		ok(manifest_dir_version(dir, &v) == 0 && v.time == 0, "no installed set");
		char *p = xasprintf("%s/index.json.minisig", dir);
		const char *sig = "untrusted comment: x\n"
		    "RUT5VWtnpnxANMEQZJoCCem3PsgRknpW/TNbyusBvXImDJY4yXZIEm9HJmDhVGt6gnL4r8FEno6UxgnkOhoPLLzKeK5piqjAVQ8=\n"
		    "trusted comment: timestamp:1\tfile:index.json\tcollection:c\tfiles:0\tversion:77-3\n"
		    "fDZzDQdS+3dqvWskUtuLtp8L3MmYoKlQeAJXWc5bXYM/9oX0hGFr7jceVJ46M6J1uGs0HIOgCTNmHpS6+PEGDw==\n";
		ok(write_file_atomic(p, sig, strlen(sig), 0644) == 0, "write a signature");
		ok(manifest_dir_version(dir, &v) == 1 && v.time == 77 && v.counter == 3, "installed version read");
		unlink(p);
		rmdir(dir);
		free(p);
	}
	return unit_done();
}
