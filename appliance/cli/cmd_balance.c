/* cmd_balance: `broadside balance ...` — make this appliance a backend of an
 * Onionbalance front, or the front of several backends (balance.h). The
 * commands only change DIR/balance/; a running front picks up a new list of
 * backends by itself, a new role needs a restart of serve. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "onion/balance.h"
#include "cli/cmd.h"
#include "base/datadir.h"
#include "base/log.h"
#include "onion/onion.h"
#include "base/util.h"
#include "base/text.h"

static const char balance_usage[] =
    "usage: broadside [--data DIR] balance ls\n"
    "       broadside [--data DIR] balance add ADDRESS.onion [NAME]\n"
    "       broadside [--data DIR] balance rm ADDRESS.onion|NAME\n"
    "       broadside [--data DIR] balance join FRONT.onion\n"
    "       broadside [--data DIR] balance leave\n"
    "       broadside [--data DIR] balance vanguards-state FILE\n\n"
    "Spread one onion address over several appliances with Onionbalance.\n\n"
    "On the front (the appliance whose address readers use, restored from its\n"
    "backup anywhere): `balance add` each backend's address (`broadside address`\n"
    "on the backend), at most 8 including this appliance when\n"
    "balance_serve_here = yes. serve then runs onionbalance, which publishes the\n"
    "front address with the backends' introduction points. Adding or removing a\n"
    "backend applies within seconds; making an appliance a front takes a restart\n"
    "of serve.\n\n"
    "On each backend: `balance join FRONT.onion`, then restart serve. Backends\n"
    "hold the same collections (`broadside mirror`, or shared storage); the\n"
    "signed manifests let anyone check that they do. `balance leave` undoes join.\n\n"
    "With vanguards = yes, every backend should pin the front's layer-2 and\n"
    "layer-3 relays: copy the front's DIR/vanguards/state to each backend at\n"
    "least hourly, over a channel you trust (it names those relays, and it is a\n"
    "Python pickle that vanguards loads), and there run `balance\n"
    "vanguards-state FILE`; a running serve applies it within seconds.\n";

static int
own_address(const datadir_t *d, char out[ONION_ADDRESS_LEN])
{
	char *dir = datadir_path(d, "onion/public");
	int rc = onion_address(dir, out);

	free(dir);
	return rc;
}

static int
list(const datadir_t *d)
{
	balance_t *b = balance_load(d->root);
	char addr[ONION_ADDRESS_LEN] = "";

	if (b == NULL)
		return 1;
	(void)own_address(d, addr);
	switch (balance_role(b)) {
	case BALANCE_NONE:
		printf("role: none (this appliance publishes %s itself)\n",
		    addr[0] ? addr : "its own address");
		break;
	case BALANCE_BACKEND:
		printf("role: backend of %s\nthis backend: %s\n", balance_front(b), addr);
		break;
	case BALANCE_FRONT:
		printf("role: front for %s\n", addr);
		for (size_t i = 0; i < balance_count(b); i++) {
			printf("backend: %s ", balance_address(b, i));
			text_term_print(stdout, balance_name(b, i));
			putchar('\n');
		}
		break;
	}
	balance_free(b);
	return 0;
}

/* A backend takes the front's vanguards state (vanguards_run.h). Only a
 * backend: elsewhere the layers are this appliance's own. */
static int
import_vanguards_state(const datadir_t *d, const char *file, char *err, size_t errlen)
{
	balance_t *b = balance_load(d->root);
	char *text = NULL, *dst = NULL;
	size_t len = 0;
	int rc = -1;

	if (b == NULL) {
		snprintf(err, errlen, "cannot read %s/balance", d->root);
		return -1;
	}
	if (balance_role(b) != BALANCE_BACKEND) {
		snprintf(err, errlen, "only a backend takes the front's vanguards state "
		    "(`balance join FRONT.onion` first)");
		goto done;
	}
	/* vanguards writes a pickle (protocol 2 or later: 0x80 first). */
	if ((text = read_file_small(file, 1 << 20, &len)) == NULL || len < 2 ||
	    (unsigned char)text[0] != 0x80) {
		snprintf(err, errlen, "%s: not a vanguards state file (the front's "
		    "DIR/vanguards/state, at most 1 MiB)", file);
		goto done;
	}
	dst = datadir_path(d, "balance/vanguards.state");
	if (write_file_atomic(dst, text, len, 0600) < 0) {
		snprintf(err, errlen, "cannot write %s", dst);
		goto done;
	}
	rc = 0;
done:
	free(text);
	free(dst);
	balance_free(b);
	return rc;
}

int
cmd_balance(int argc, char **argv, const char *data)
{
	datadir_t *d = NULL;
	char err[512], addr[ONION_ADDRESS_LEN] = "", front[ONION_ADDRESS_LEN];
	const char *sub = argc > 1 ? argv[1] : "";
	int rc = 1, r = -1;

	if (cmd_wants_help(argc, argv, balance_usage))
		return 0;
	d = datadir_new(data);
	if (datadir_check(d) < 0)
		goto done;
	if (strcmp(sub, "ls") == 0 && argc == 2) {
		rc = list(d);
		goto done;
	} else if (strcmp(sub, "add") == 0 && (argc == 3 || argc == 4)) {
		(void)own_address(d, addr);
		r = balance_add(d->root, argv[2], argc == 4 ? argv[3] : NULL, addr, err, sizeof(err));
	} else if (strcmp(sub, "rm") == 0 && argc == 3) {
		r = balance_rm(d->root, argv[2], err, sizeof(err));
	} else if (strcmp(sub, "join") == 0 && argc == 3) {
		if (own_address(d, addr) == 0 && onion_address_parse(argv[2], front) == 0 &&
		    strcmp(front, addr) == 0) {
			log_err("%s is this appliance's own address; join the front's address",
			    addr);
			goto done;
		}
		r = balance_join(d->root, argv[2], err, sizeof(err));
		if (r == 0)
			fprintf(stderr, "broadside: this appliance is now a backend of that front; "
			    "restart serve to apply\n");
	} else if (strcmp(sub, "vanguards-state") == 0 && argc == 3) {
		r = import_vanguards_state(d, argv[2], err, sizeof(err));
	} else if (strcmp(sub, "leave") == 0 && argc == 2) {
		r = balance_leave(d->root, err, sizeof(err));
		if (r == 0)
			fprintf(stderr, "broadside: restart serve to apply\n");
	} else {
		fputs(balance_usage, stderr);
		rc = 2;
		goto done;
	}
	if (r < 0) {
		log_err("%s", err);
		goto done;
	}
	rc = list(d);
done:
	datadir_free(d);
	return rc;
}
