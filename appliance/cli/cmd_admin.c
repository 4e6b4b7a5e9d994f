/* cmd_admin: `broadside admin ...` — the operator's own onion service, for
 * the status page (and SSH with admin_ssh_port), reachable only with a client
 * key (admin_onion.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onion/admin_onion.h"
#include "cli/cmd.h"
#include "base/datadir.h"
#include "base/log.h"
#include "onion/onion.h"
#include "base/util.h"

static const char admin_usage[] =
    "usage: broadside [--data DIR] admin add-client NAME\n"
    "       broadside [--data DIR] admin rm-client NAME\n"
    "       broadside [--data DIR] admin clients\n\n"
    "The admin onion: a second onion service with the status page (and, with\n"
    "admin_ssh_port, SSH), for clients holding a key (tor's v3 client\n"
    "authorization). It runs while at least one client exists; changes apply\n"
    "when serve restarts.\n\n"
    "add-client prints the client's line once; it is not kept here. Give it to\n"
    "Tor Browser (it asks for the key when you open the address: paste the part\n"
    "after 'x25519:'), or save the whole line as NAME.auth_private in the\n"
    "ClientOnionAuthDir of a tor client (for ssh through torsocks).\n";

static int
list(const char *root)
{
	char *names = NULL, *dir = admin_onion_dir(root), addr[ONION_ADDRESS_LEN];
	int n = admin_onion_clients(root, &names);

	if (n < 0) {
		log_err("cannot read %s/authorized_clients", dir);
	} else if (n == 0) {
		printf("no admin clients: the admin onion is off\n");
	} else {
		if (onion_address(dir, addr) == 0)
			printf("admin onion: http://%s/\n", addr);
		printf("%s", names);
	}
	free(names);
	free(dir);
	return n < 0;
}

int
cmd_admin(int argc, char **argv, const char *data)
{
	datadir_t *d = NULL;
	char err[512], line[256], addr[ONION_ADDRESS_LEN];
	const char *sub = argc > 1 ? argv[1] : "";
	int rc = 1;

	if (cmd_wants_help(argc, argv, admin_usage))
		return 0;
	d = datadir_new(data);
	if (datadir_check(d) < 0)
		goto done;
	if (strcmp(sub, "add-client") == 0 && argc == 3) {
		if (admin_onion_add_client(d->root, argv[2], line, sizeof(line), addr, err,
		    sizeof(err)) < 0) {
			log_err("%s", err);
			goto done;
		}
		printf("%s\n", line);
		fprintf(stderr, "broadside: admin onion http://%s/ now admits '%s' (restart serve "
		    "to apply). The line above is shown once; keep it secret.\n", addr, argv[2]);
		rc = 0;
	} else if (strcmp(sub, "rm-client") == 0 && argc == 3) {
		if (admin_onion_rm_client(d->root, argv[2], err, sizeof(err)) < 0) {
			log_err("%s", err);
			goto done;
		}
		fprintf(stderr, "broadside: removed '%s'; restart serve to apply\n", argv[2]);
		rc = 0;
	} else if (strcmp(sub, "clients") == 0 && argc == 2) {
		rc = list(d->root);
	} else {
		fputs(admin_usage, stderr);
		rc = 2;
	}
done:
	datadir_free(d);
	return rc;
}
