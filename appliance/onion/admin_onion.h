/* admin_onion: a second onion service for the operator, never for readers.
 * It serves the status page (and, with admin_ssh_port, forwards port 22 to a
 * local sshd) and only to clients holding a key: tor's v3 client
 * authorization. Each client is DIR/onion/admin/authorized_clients/NAME.auth
 * ("descriptor:x25519:<base32 public key>"); the private half is printed once
 * by add-client and never stored here, so a seized disk does not hold it.
 *
 * The service runs only while at least one client exists: an admin onion
 * without client authorization would serve the status page to anyone who
 * learns its address. tor reads the clients when it starts: changes apply at
 * the next start of serve. */
#ifndef BROADSIDE_ADMIN_ONION_H
#define BROADSIDE_ADMIN_ONION_H

#include <stddef.h>

#include "onion/onion.h"

#define ADMIN_CLIENT_NAME_MAX 32

/* DIR/onion/admin (caller frees). */
char *admin_onion_dir(const char *data_root);

/* Create the admin key if needed, then a new client NAME: write its .auth
 * file (0600) and put the line a client needs into line
 * ("<56 chars>:descriptor:x25519:<base32 private key>") and the service's
 * address into addr. 0, or -1 with a reason in err. */
int admin_onion_add_client(const char *data_root, const char *name, char *line,
    size_t linelen, char addr[ONION_ADDRESS_LEN], char *err, size_t errlen);
int admin_onion_rm_client(const char *data_root, const char *name, char *err, size_t errlen);

/* Number of clients (-1 if the folder cannot be read), and their names, one
 * per line, into *names when names is not NULL (caller frees). */
int admin_onion_clients(const char *data_root, char **names);

#endif
