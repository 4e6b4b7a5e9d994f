/* test_sign: our minisign-format keys and signatures against minisign itself,
 * the independent implementation: `minisign -V` accepts what we sign, refuses
 * a flipped byte in the file or the trusted comment; `minisign -S` can use our
 * secret key file and we verify its (prehashed) signatures; `minisign -R`
 * derives the same public key; hostile signature text is refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "trust/sign.h"
#include "unit.h"
#include "base/util.h"

static char tmp[] = "/tmp/test_sign.XXXXXX";

static char *
path(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

static int
run(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void
put(const char *name, const char *text)
{
	char *p = path(name);
	write_file_atomic(p, text, strlen(text), 0600);
	free(p);
}

static char *
slurp(const char *name, size_t *n)
{
	char *p = path(name), *s = read_file_small(p, 1 << 20, n);
	free(p);
	return s;
}

/* Sign file `name` with k into name.minisig. */
static void
sign_to(sign_key_t *k, const char *name, const char *trusted)
{
	uint8_t h[SIGN_HASH_LEN];
	char *p = path(name), *sig, *sp;

	ok(sign_hash_file(p, h) == 0, "hash %s", name);
	sig = sign_signature(k, h, trusted);
	ok(sig != NULL, "sign %s", name);
	sp = xasprintf("%s.minisig", name);
	put(sp, sig ? sig : "");
	free(sp);
	free(sig);
	free(p);
}

static int
minisign_verify(const char *b64, const char *name)
{
	char *cmd = xasprintf("cd %s && minisign -V -q -P '%s' -m '%s' >/dev/null 2>&1", tmp, b64, name);
	int rc = run(cmd);
	free(cmd);
	return rc;
}

int
main(void)
{
	sign_key_t *k;
	sign_pub_t pub, pub2;
	char *keyfile, *pubfile, *text, b64[128];
	size_t n;
	struct stat st;
	char err[256];

	if (mkdtemp(tmp) == NULL)
		return 1;
	log_set_level(LOG_ERR);
	if (run("minisign -v >/dev/null 2>&1") != 0) {
		fprintf(stderr, "minisign is not installed (apt install minisign)\n");
		return 1;
	}
	keyfile = path("keys/publisher.key");
	pubfile = path("keys/publisher.pub");
	{
		char *kd = path("keys");
		ok(sign_key_create(kd) == 0, "create key");
		ok(stat(keyfile, &st) == 0 && (st.st_mode & 0777) == 0600, "secret key is 0600");
		ok(stat(kd, &st) == 0 && (st.st_mode & 0777) == 0700, "key dir is 0700");
		text = slurp("keys/publisher.key", &n);
		ok(sign_key_create(kd) == 0, "create again keeps the key");
		{
			char *again = slurp("keys/publisher.key", &n);
			is_str(again, text, "same key after a second create");
			free(again);
		}
		free(text);
		free(kd);
	}
	k = sign_key_load(keyfile);
	ok(k != NULL, "load key");
	if (k == NULL)
		return unit_done();
	ok(sign_pub_load(pubfile, &pub) == 0, "load public key");
	ok(memcmp(&pub, sign_key_pub(k), sizeof(pub)) == 0, "public key file matches the secret key");
	text = slurp("keys/publisher.pub", &n);
	{
		const char *nl = strchr(text, '\n');
		size_t l = strcspn(nl + 1, "\n");
		memcpy(b64, nl + 1, l);
		b64[l] = '\0';
		ok(sign_pub_parse(b64, l, &pub2) == 0 && memcmp(&pub, &pub2, sizeof(pub)) == 0,
		    "bare base64 public key parses");
		char id[17];
		sign_keyid_hex(pub.keyid, id);
		ok(strstr(text, id) != NULL, "comment shows the key id as minisign does");
	}
	free(text);

	/* minisign derives the same public key from our secret key file. */
	{
		char *cmd = xasprintf("cd %s && minisign -R -s keys/publisher.key -p derived.pub >/dev/null 2>&1", tmp);
		ok(run(cmd) == 0, "minisign -R reads our secret key");
		free(cmd);
		text = slurp("derived.pub", &n);
		ok(text && sign_pub_parse(text, n, &pub2) == 0 && memcmp(&pub, &pub2, sizeof(pub)) == 0,
		    "minisign -R gives our public key");
		free(text);
	}

	/* Our signatures, minisign as the verifier. */
	put("SHA256SUMS", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  empty.txt\n");
	sign_to(k, "SHA256SUMS", "timestamp:1700000000\tfile:SHA256SUMS\tcollection:demo");
	is_int(minisign_verify(b64, "SHA256SUMS"), 0, "minisign -V accepts our signature");
	{
		char *cmd = xasprintf("cd %s && minisign -V -H -q -p keys/publisher.pub -m SHA256SUMS >/dev/null 2>&1", tmp);
		is_int(run(cmd), 0, "… also with -H (prehashed required) and -p file");
		free(cmd);
		cmd = xasprintf("cd %s && minisign -V -Q -P '%s' -m SHA256SUMS", tmp, b64);
		FILE *f = popen(cmd, "r");
		char line[256] = "";
		if (f) {
			if (fgets(line, sizeof(line), f) == NULL)
				line[0] = '\0';
			pclose(f);
		}
		is_str(line, "timestamp:1700000000\tfile:SHA256SUMS\tcollection:demo\n", "trusted comment shown");
		free(cmd);
	}
	text = slurp("SHA256SUMS.minisig", &n);
	{
		char *p = path("SHA256SUMS"), *tc = NULL;
		ok(sign_verify_file(&pub, text, n, p, &tc, err, sizeof(err)) == 0, "we verify our own: %s", err);
		is_str(tc, "timestamp:1700000000\tfile:SHA256SUMS\tcollection:demo", "trusted comment parsed");
		free(tc);
		free(p);
	}

	/* One flipped byte in the file. */
	put("SHA256SUMS", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b856  empty.txt\n");
	ok(minisign_verify(b64, "SHA256SUMS") != 0, "minisign -V refuses a flipped byte");
	{
		char *p = path("SHA256SUMS");
		ok(sign_verify_file(&pub, text, n, p, NULL, err, sizeof(err)) < 0, "we refuse it too");
		free(p);
	}
	put("SHA256SUMS", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  empty.txt\n");
	/* An altered trusted comment. */
	{
		char *alt = xstrdup(text), *tcp = strstr(alt, "1700000000");
		tcp[0] = '2';
		put("SHA256SUMS.minisig", alt);
		ok(minisign_verify(b64, "SHA256SUMS") != 0, "minisign -V refuses an altered trusted comment");
		char *p = path("SHA256SUMS");
		ok(sign_verify_file(&pub, alt, strlen(alt), p, NULL, err, sizeof(err)) < 0 &&
		    strstr(err, "trusted comment") != NULL, "we refuse it too (%s)", err);
		free(p);
		free(alt);
	}
	free(text);

	/* A signature by another key. */
	{
		char *kd = path("other"), *kf = path("other/publisher.key");
		sign_key_t *k2;
		sign_key_create(kd);
		k2 = sign_key_load(kf);
		sign_to(k2, "SHA256SUMS", "x");
		text = slurp("SHA256SUMS.minisig", &n);
		char *p = path("SHA256SUMS");
		ok(sign_verify_file(&pub, text, n, p, NULL, err, sizeof(err)) < 0 && strstr(err, "key") != NULL,
		    "another key's signature is refused (%s)", err);
		ok(minisign_verify(b64, "SHA256SUMS") != 0, "minisign agrees");
		free(p);
		free(text);
		sign_key_free(k2);
		free(kd);
		free(kf);
	}

	/* minisign signs with our key file; we verify its prehashed signature. */
	{
		char *cmd = xasprintf("cd %s && minisign -S -s keys/publisher.key -t 'by minisign' -m SHA256SUMS "
		    ">/dev/null 2>&1", tmp);
		ok(run(cmd) == 0, "minisign -S uses our secret key file");
		free(cmd);
		text = slurp("SHA256SUMS.minisig", &n);
		char *p = path("SHA256SUMS"), *tc = NULL;
		ok(sign_verify_file(&pub, text, n, p, &tc, err, sizeof(err)) == 0, "we verify minisign's: %s", err);
		is_str(tc, "by minisign", "its trusted comment");
		free(tc);
		free(p);
		free(text);
		cmd = xasprintf("cd %s && minisign -S -l -s keys/publisher.key -m SHA256SUMS >/dev/null 2>&1", tmp);
		run(cmd);
		free(cmd);
		text = slurp("SHA256SUMS.minisig", &n);
		p = path("SHA256SUMS");
		ok(sign_verify_file(&pub, text, n, p, NULL, err, sizeof(err)) < 0 && strstr(err, "legacy"),
		    "legacy signatures are refused (%s)", err);
		free(p);
		free(text);
	}

	/* Hostile signature text. */
	{
		sign_sig_t s;
		const char *bad[] = {
			"",
			"untrusted comment: x\n",
			"untrusted comment: x\nRUQ=\ntrusted comment: y\nAAAA\n",
			"nope\nRUT5VWtnpnxANMEQZJoCCem3PsgRknpW/TNbyusBvXImDJY4yXZIEm9HJmDhVGt6gnL4r8FEno6UxgnkOhoPLLzKeK5piqjAVQ8=\ntrusted comment: a\nfDZzDQdS+3dqvWskUtuLtp8L3MmYoKlQeAJXWc5bXYM/9oX0hGFr7jceVJ46M6J1uGs0HIOgCTNmHpS6+PEGDw==\n",
			"untrusted comment: x\nRUT5VWtnpnxANMEQZJoCCem3PsgRknpW/TNbyusBvXImDJY4yXZIEm9HJmDhVGt6gnL4r8FEno6UxgnkOhoPLLzKeK5piqjAVQ8=\ntrusted comment: a\nfDZzDQdS+3dqvWskUtuLtp8L3MmYoKlQeAJXWc5bXYM/9oX0hGFr7jceVJ46M6J1uGs0HIOgCTNmHpS6+PEGD===\n",
			"untrusted comment: x\nRUT5VWtnpnxANMEQZJoCCem3PsgRknpW/TNbyusBvXImDJY4yXZIEm9HJmDhVGt6gnL4r8FEno6UxgnkOhoPLLzKeK5piqjAVQ8=\nuntrusted comment: a\nfDZzDQdS+3dqvWskUtuLtp8L3MmYoKlQeAJXWc5bXYM/9oX0hGFr7jceVJ46M6J1uGs0HIOgCTNmHpS6+PEGDw==\n",
		};
		for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
			ok(sign_sig_parse(bad[i], strlen(bad[i]), &s) < 0, "hostile signature %zu refused", i);
			sign_sig_clear(&s);
		}
		ok(sign_pub_parse("RWQ", 3, &pub2) < 0, "short public key refused");
	}

	sign_key_free(k);
	free(keyfile);
	free(pubfile);
	{
		char *cmd = xasprintf("rm -rf %s", tmp);
		run(cmd);
		free(cmd);
	}
	return unit_done();
}
