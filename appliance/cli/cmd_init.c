/* cmd_init: `broadside init` creates the data directory and everything in it
 * that is made once: the commented config, the catalogue, the keys. Re-running
 * it is safe: what exists is kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalogue/cat.h"
#include "cli/cmd.h"
#include "base/conf.h"
#include "base/datadir.h"
#include "base/log.h"
#include "onion/onion.h"
#include "trust/sign.h"
#include "base/util.h"

static const char init_usage[] =
    "usage: broadside [--data DIR] init\n\n"
    "Create DIR (mode 0700) with a commented broadside.conf, the SQLite catalogue,\n"
    "and the keys. What already exists is kept, so running it twice is harmless.\n";

static int
write_config(const datadir_t *d)
{
	char *text;
	int rc;

	if (access(d->conf, F_OK) == 0)
		return 0;
	text = conf_example();
	rc = write_file_atomic(d->conf, text, strlen(text), 0600);
	if (rc < 0)
		log_err("cannot write %s: %s", d->conf, strerror(errno));
	free(text);
	return rc;
}

/* Create the catalogue (or bring an older one's schema up to date). */
static int
create_catalogue(const datadir_t *d)
{
	cat_t *c = cat_open(d->catalogue, CAT_CREATE);

	if (c == NULL)
		return -1;
	cat_free(c);
	return 0;
}

/* The onion service key (onion/public, 0700; key files 0600); kept if present. */
static int
write_onion_key(const datadir_t *d)
{
	char *dir = datadir_path(d, "onion/public");
	int rc = onion_key_create(dir);

	free(dir);
	return rc;
}

int
cmd_init(int argc, char **argv, const char *data)
{
	datadir_t *d = NULL;
	int rc = 1;

	if (cmd_wants_help(argc, argv, init_usage))
		return 0;
	if (argc != 1) {
		fputs(init_usage, stderr);
		return 2;
	}
	umask(077);
	d = datadir_new(data);
	if (datadir_create(d) < 0 || datadir_check(d) < 0)
		goto done;
	if (write_config(d) < 0)
		goto done;
	if (create_catalogue(d) < 0)
		goto done;
	/* tor side: the onion identity, in tor's HiddenServiceDir format. */
	if (write_onion_key(d) < 0)
		goto done;
	/* publisher side: the minisign-format key that signs the manifests. */
	if (sign_key_create(d->keys) < 0)
		goto done;
	printf("initialised %s\n", d->root);
	rc = 0;
done:
	datadir_free(d);
	return rc;
}
