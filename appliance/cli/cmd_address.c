/* cmd_address: `broadside address` prints the onion address readers use. It
 * reads only the public key in DIR/onion/public, so it works while serve runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "base/datadir.h"
#include "base/log.h"
#include "onion/onion.h"
#include "base/util.h"

static const char address_usage[] =
    "usage: broadside [--data DIR] address\n\n"
    "Print the onion address of this publisher (http://<address>/ in Tor Browser),\n"
    "derived from the key in DIR/onion/public that `broadside init` created.\n";

int
cmd_address(int argc, char **argv, const char *data)
{
	datadir_t *d = NULL;
	char *dir = NULL, *key = NULL, addr[ONION_ADDRESS_LEN];
	int rc = 1;

	if (cmd_wants_help(argc, argv, address_usage))
		return 0;
	if (argc != 1) {
		fputs(address_usage, stderr);
		return 2;
	}
	d = datadir_new(data);
	dir = datadir_path(d, "onion/public");
	key = xasprintf("%s/hs_ed25519_public_key", dir);
	if (access(key, F_OK) < 0) {
		log_err("no onion key; run broadside init (looked in %s)", dir);
		goto done;
	}
	if (onion_address(dir, addr) < 0)
		goto done;
	printf("%s\n", addr);
	rc = 0;
done:
	free(key);
	free(dir);
	datadir_free(d);
	return rc;
}
