/* admin_onion: see admin_onion.h. */
#include "onion/admin_onion.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/util.h"

#define AUTH_SUFFIX ".auth"
/* tor takes the file name up to ".auth" as the client's name: keep it plain
 * (name_ok()'s set, nothing more). */
#define NAME_ALSO ""

char *
admin_onion_dir(const char *data_root)
{
	return xasprintf("%s/onion/admin", data_root);
}

static void
upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

int
admin_onion_add_client(const char *data_root, const char *name, char *line, size_t linelen,
    char addr[ONION_ADDRESS_LEN], char *err, size_t errlen)
{
	char *dir = admin_onion_dir(data_root), *clients = NULL, *path = NULL, *text = NULL;
	uint8_t pub[32], priv[32];
	size_t plen = sizeof(pub), klen = sizeof(priv);
	char pub32[64], priv32[64];
	EVP_PKEY *key = NULL;
	int rc = -1;

	if (!name_ok(name, ADMIN_CLIENT_NAME_MAX, NAME_ALSO)) {
		seterr(err, errlen, "client name '%s': use up to %d letters, digits, '-' or '_'",
		    name, ADMIN_CLIENT_NAME_MAX);
		goto done;
	}
	if (onion_key_create(dir) < 0 || onion_check_perms(dir) < 0 ||
	    onion_address(dir, addr) < 0) {
		seterr(err, errlen, "cannot create the admin onion key in %s", dir);
		goto done;
	}
	clients = xasprintf("%s/authorized_clients", dir);
	path = xasprintf("%s/%s" AUTH_SUFFIX, clients, name);
	if (mkdir_p(clients, 0700) < 0) {
		seterr(err, errlen, "cannot create %s: %s", clients, strerror(errno));
		goto done;
	}
	if (access(path, F_OK) == 0) {
		seterr(err, errlen, "client '%s' exists; `broadside admin rm-client %s` first "
		    "to give it a new key", name, name);
		goto done;
	}
	key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	if (key == NULL || EVP_PKEY_get_raw_public_key(key, pub, &plen) != 1 ||
	    EVP_PKEY_get_raw_private_key(key, priv, &klen) != 1 || plen != 32 || klen != 32) {
		seterr(err, errlen, "cannot make an x25519 key (OpenSSL)");
		goto done;
	}
	onion_base32(pub, 32, pub32);
	onion_base32(priv, 32, priv32);
	upper(pub32);
	upper(priv32);
	text = xasprintf("descriptor:x25519:%s\n", pub32);
	if (write_file_atomic(path, text, strlen(text), 0600) < 0) {
		seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto done;
	}
	snprintf(line, linelen, "%.56s:descriptor:x25519:%s", addr, priv32);
	rc = 0;
done:
	OPENSSL_cleanse(priv, sizeof(priv));
	OPENSSL_cleanse(priv32, sizeof(priv32));
	EVP_PKEY_free(key);
	free(text);
	free(path);
	free(clients);
	free(dir);
	return rc;
}

int
admin_onion_rm_client(const char *data_root, const char *name, char *err, size_t errlen)
{
	char *dir = admin_onion_dir(data_root);
	char *path = xasprintf("%s/authorized_clients/%s" AUTH_SUFFIX, dir, name);
	int rc = -1;

	if (!name_ok(name, ADMIN_CLIENT_NAME_MAX, NAME_ALSO) || unlink(path) < 0) {
		seterr(err, errlen, "no admin client '%s' (see `broadside admin clients`)", name);
		goto done;
	}
	rc = 0;
done:
	free(path);
	free(dir);
	return rc;
}

int
admin_onion_clients(const char *data_root, char **names)
{
	char *dir = admin_onion_dir(data_root), *clients = xasprintf("%s/authorized_clients", dir);
	DIR *d = opendir(clients);
	struct dirent *e;
	strbuf_t b;
	int n = 0;

	strbuf_init(&b);
	if (d == NULL) {
		n = errno == ENOENT ? 0 : -1;
		goto done;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name), sl = strlen(AUTH_SUFFIX);
		if (l <= sl || strcmp(e->d_name + l - sl, AUTH_SUFFIX) != 0)
			continue;
		n++;
		strbuf_addf(&b, "%.*s\n", (int)(l - sl), e->d_name);
	}
	closedir(d);
done:
	if (names)
		*names = b.s ? strbuf_detach(&b) : xstrdup("");
	else
		strbuf_release(&b);
	free(clients);
	free(dir);
	return n;
}
