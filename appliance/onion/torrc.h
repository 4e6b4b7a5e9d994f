/* torrc: the configuration file broadside generates for its tor. The onion
 * service is defined in the torrc (not with ADD_ONION) because only a torrc block
 * can export circuit ids and set the intro-point DoS defences. The file is
 * rewritten at every start; operators add lines with an append file. */
#ifndef BROADSIDE_TORRC_H
#define BROADSIDE_TORRC_H

typedef struct torrc_opts {
	const char *data_dir;       /* DataDirectory */
	const char *run_dir;        /* control socket and cookie live here */
	const char *onion_dir;      /* HiddenServiceDir; NULL = no onion service */
	const char *http_socket;    /* HiddenServicePort 80 target (unix socket) */
	const char *config_append;  /* file copied verbatim at the end, or NULL */
	int max_streams;            /* HiddenServiceMaxStreams; 0 = tor's default (no limit) */
	int pow;                    /* HiddenServicePoWDefensesEnabled */
	int intro_dos;              /* HiddenServiceEnableIntroDoSDefense */
	int sandbox;                /* Sandbox 1 */
	int disable_network;        /* DisableNetwork 1: offline until the spawner's
	                             * control relay lets it out (vanguards' layers
	                             * first: ctlrelay.h) */
	int socks_port;             /* 0 = SocksPort 0, else SocksPort 127.0.0.1:N */
	const char *socks_socket;   /* if set: SocksPort unix:PATH instead */
	const char *admin_dir;      /* the admin onion's HiddenServiceDir (client
	                             * authorization: admin_onion.h), or NULL */
	const char *admin_socket;   /* its port 80 target (unix socket) */
	int admin_ssh_port;         /* its port 22 → 127.0.0.1:N; 0 = none */
	int ob_instance;            /* HiddenServiceOnionbalanceInstance 1 (a backend
	                             * of an Onionbalance front; the front's address
	                             * is in onion_dir/ob_config) */
} torrc_opts_t;

/* Return the torrc text (caller frees), or NULL (logged) if a path cannot be
 * written in a torrc or the append file cannot be read. */
char *torrc_text(const torrc_opts_t *o);

/* Write torrc_text() to path (0600, atomically). Return 0 or -1 (logged). */
int torrc_write(const torrc_opts_t *o, const char *path);

/* Return "<run_dir>/control" and "<run_dir>/control.authcookie" (caller frees). */
char *torrc_control_socket(const char *run_dir);
char *torrc_cookie_file(const char *run_dir);

#endif
