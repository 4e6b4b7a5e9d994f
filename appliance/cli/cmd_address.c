/* cmd_address: `broadside address` prints the onion address readers use, and
 * `broadside onion-location` the lines a clearnet page adds to point Tor
 * Browser at it. Both read only the public key in DIR/onion/public, so they
 * work while serve runs. */
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

static const char onion_location_usage[] =
    "usage: broadside [--data DIR] onion-location\n\n"
    "Print what a publisher's clearnet (HTTPS) page adds so that Tor Browser offers\n"
    "this onion instead: the Onion-Location response header, the same as an HTML\n"
    "<meta> tag, and the lines for nginx and Apache. Tor Browser honours them only\n"
    "on an HTTPS page; the onion site itself sends nothing of the kind.\n";

/* The address into addr; 0, or -1 with the reason logged. */
static int
read_address(const char *data, char addr[ONION_ADDRESS_LEN])
{
	datadir_t *d = datadir_new(data);
	char *dir = datadir_path(d, "onion/public");
	char *key = xasprintf("%s/hs_ed25519_public_key", dir);
	int rc = -1;

	if (access(key, F_OK) < 0)
		log_err("no onion key; run broadside init (looked in %s)", dir);
	else
		rc = onion_address(dir, addr);
	free(key);
	free(dir);
	datadir_free(d);
	return rc;
}

int
cmd_onion_location(int argc, char **argv, const char *data)
{
	char addr[ONION_ADDRESS_LEN];

	if (cmd_wants_help(argc, argv, onion_location_usage))
		return 0;
	if (argc != 1) {
		fputs(onion_location_usage, stderr);
		return 2;
	}
	if (read_address(data, addr) < 0)
		return 1;
	printf("Onion-Location: http://%s/\n", addr);
	printf("<meta http-equiv=\"onion-location\" content=\"http://%s/\">\n", addr);
	printf("# nginx (in the HTTPS server block): add_header Onion-Location http://%s$request_uri;\n", addr);
	printf("# Apache (mod_headers): Header set Onion-Location \"http://%s%%{REQUEST_URI}s\"\n", addr);
	return 0;
}

int
cmd_address(int argc, char **argv, const char *data)
{
	char addr[ONION_ADDRESS_LEN];

	if (cmd_wants_help(argc, argv, address_usage))
		return 0;
	if (argc != 1) {
		fputs(address_usage, stderr);
		return 2;
	}
	if (read_address(data, addr) < 0)
		return 1;
	printf("%s\n", addr);
	return 0;
}
