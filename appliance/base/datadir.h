/* datadir: the layout of the data directory (--data, $BROADSIDE_DATA,
 * /var/lib/broadside) and the permission rules on it:
 *
 *   broadside.conf   catalogue.db   keys/   onion/public/   tor/   run/
 *
 * Secrets live below it, so it and its key folders must be 0700 and owned by us. */
#ifndef BROADSIDE_DATADIR_H
#define BROADSIDE_DATADIR_H

typedef struct datadir {
	char *root;
	char *conf;        /* broadside.conf */
	char *catalogue;   /* catalogue.db */
	char *keys;        /* keys/ (publisher signing key) */
	char *onion;       /* onion/ (one folder per onion service) */
	char *tor;         /* tor/ (tor's DataDirectory) */
	char *run;         /* run/ (sockets, generated torrc) */
} datadir_t;

/* Resolve the data directory from --data, the environment, or the default. */
const char *datadir_default(const char *from_flag);
/* Return the paths below root (nothing is touched on disk). */
datadir_t *datadir_new(const char *root);
void datadir_free_(datadir_t *d);
#define datadir_free(p) do { datadir_free_(p); (p) = NULL; } while (0)

/* Create the folders with mode 0700; existing ones are fine. */
int datadir_create(const datadir_t *d);
/* Check that root exists and that root, keys/ and onion/ are 0700 and ours.
 * On failure log what is wrong and how to fix it, and return -1. */
int datadir_check(const datadir_t *d);
/* Return "root/rel" (caller frees). */
char *datadir_path(const datadir_t *d, const char *rel);

#endif
