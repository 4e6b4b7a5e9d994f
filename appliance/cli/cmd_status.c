/* cmd_status: `broadside status [--json]` asks the running serve over its
 * admin socket (DIR/run/admin.sock), never through tor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/control.h"
#include "cli/cmd.h"
#include "base/datadir.h"
#include "base/util.h"
#include "base/text.h"

static const char status_usage[] =
    "usage: broadside [--data DIR] status [--json]\n\n"
    "Show the running server's state: onion address, tor's progress (bootstrap,\n"
    "descriptor uploads, restarts), connections and requests. Talks to\n"
    "DIR/run/admin.sock, so it works only on the same machine.\n";

int
cmd_status(int argc, char **argv, const char *data)
{
	int json = 0, rc = 1;
	datadir_t *d;
	char *sock, *answer;

	if (cmd_wants_help(argc, argv, status_usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else {
			fputs(status_usage, stderr);
			return 2;
		}
	}
	d = datadir_new(data);
	sock = datadir_path(d, "run/admin.sock");
	answer = control_request(sock, json ? "status" : "status text");
	if (answer && answer[0]) {
		if (json) {
			fputs(answer, stdout);
		} else {
			/* The text names what tor, onionbalance and the operator said:
			 * line by line, nothing in it may act on the terminal. */
			for (char *line = answer, *nl; *line; line = nl ? nl + 1 : line + strlen(line)) {
				nl = strchr(line, '\n');
				if (nl)
					*nl = '\0';
				text_term_print(stdout, line);
				if (nl)
					putchar('\n');
			}
		}
		rc = 0;
	}
	free(answer);
	free(sock);
	datadir_free(d);
	return rc;
}
