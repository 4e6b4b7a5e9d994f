/* cmd_table: the list of subcommands, in the order `broadside help` shows them. */
#include "cli/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/datadir.h"
#include "base/log.h"

const struct cmd cmd_table[] = {
	{ "init", cmd_init, "create the data directory, config, catalogue and keys" },
	{ "add", cmd_add, "catalogue a folder as a collection (hash, type, index its text)" },
	{ "refresh", cmd_refresh, "re-read collections: new, changed and removed files" },
	{ "ls", cmd_ls, "list the collections" },
	{ "rm", cmd_rm, "remove a collection from the catalogue (files stay on disk)" },
	{ "review", cmd_review, "find personal data in a collection before publishing it (never changes a file)" },
	{ "withhold", cmd_withhold, "keep a file or folder out of publication (it stays on disk)" },
	{ "unwithhold", cmd_unwithhold, "publish a withheld file or folder again" },
	{ "withheld", cmd_withheld, "list what is withheld, with the reasons" },
	{ "torrent", cmd_torrent, "make a collection's BitTorrent file (v1+v2) for others to seed" },
	{ "search", cmd_search, "full-text search the catalogue" },
	{ "serve", cmd_serve, "serve the collections (and run tor)" },
	{ "address", cmd_address, "print the onion address" },
	{ "onion-location", cmd_onion_location, "print the Onion-Location header and tag for a clearnet page" },
	{ "status", cmd_status, "show the running server: tor, onion, connections" },
	{ "backup", cmd_backup, "write the identity (keys, config, catalogue) to an encrypted file" },
	{ "restore", cmd_restore, "restore an identity backup into a data directory" },
	{ "admin", cmd_admin, "the operator's onion (status page, SSH) for clients with a key" },
	{ "balance", cmd_balance, "spread the onion address over several appliances (Onionbalance)" },
	{ "mirror", cmd_mirror, "mirror another appliance's collection through tor, verified" },
	{ "mirrors", cmd_mirrors, "keep the signed list of the addresses that serve your collections" },
	{ NULL, NULL, NULL },
};

int
cmd_wants_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 1;
		}
	}
	return 0;
}

void
cmd_say(void *arg, int progress, const char *text)
{
	if (progress)
		fputs("\r\033[K", stderr);
	fputs(text, stderr);
}

int
cmd_lock_data(const char *data)
{
	datadir_t *d = datadir_new(data);
	int fd = open(d->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		fprintf(stderr, "broadside: waiting for another command to finish changing %s\n", d->root);
		if (flock(fd, LOCK_EX) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		log_err("cannot lock %s: %s", d->root, strerror(errno));
	datadir_free(d);
	return fd;
}
