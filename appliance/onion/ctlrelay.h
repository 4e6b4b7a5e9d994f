/* ctlrelay: the control filter's sockets, run inside the spawner (spawner.h).
 *
 * Each client (serve's connection, handed over as a socketpair end; or one
 * accepted on the onionbalance or vanguards socket) gets its own connection
 * to tor's real control socket, which the relay opens and authenticates with
 * tor's cookie: the client never sees the cookie or the socket. Commands are
 * framed and judged by ctlfilter.h; passed ones go to tor as they are,
 * refused ones get "510 Command refused by the control filter" and a warning
 * in the log; tor's replies come back line by line, and a refusal's answer is
 * held until the replies to the commands before it have gone (the protocol
 * answers in order). PROTOCOLINFO and AUTHENTICATE are answered here: the
 * socket itself is the credential. A vanguards SETCONF of the value tor
 * already holds (read with GETCONF on the relay's own connection) is
 * answered 250 here too: tor re-uploads its descriptors on every SETCONF.
 *
 * A tor that the spawner started offline (DisableNetwork 1, ctlrelay_hold)
 * goes online in the same SETCONF as vanguards' layer 3, its last setting:
 * a tor that builds the service's introduction circuits before the layers are
 * pinned abandons them when they are, and an Onionbalance instance's tor
 * 0.4.9 then built none for minutes. If vanguards pins nothing within
 * CTLRELAY_HOLD_MAX_MS, tor goes online without (ctlrelay_tick, logged).
 *
 * Writes to a client that stops reading time out (5 s) and drop it; nothing
 * a client does can block the spawner for longer. */
#ifndef BROADSIDE_CTLRELAY_H
#define BROADSIDE_CTLRELAY_H

#include <poll.h>
#include <stddef.h>

typedef struct ctlrelay ctlrelay_t;

/* Relay to tor's control socket ctl_path, authenticating with cookie_path. */
ctlrelay_t *ctlrelay_new(const char *ctl_path, const char *cookie_path);
void ctlrelay_free_(ctlrelay_t *r);
#define ctlrelay_free(p) do { ctlrelay_free_(p); (p) = NULL; } while (0)

/* Take client_fd (ownership passes) with profile (enum ctlfilter_profile):
 * connect to tor and authenticate. 0, or -1 with errno (tor not there yet:
 * ENOENT or ECONNREFUSED) and client_fd closed. */
int ctlrelay_add(ctlrelay_t *r, int client_fd, int profile);

/* The fds to poll: at most max entries written from p; their count. */
size_t ctlrelay_pollfds(const ctlrelay_t *r, struct pollfd *p, size_t max);
/* Handle what poll() reported on those entries. */
void ctlrelay_handle(ctlrelay_t *r, const struct pollfd *p, size_t n);

/* tor was started offline (held 1) or online (0): see above; at most
 * max_ms offline. The spawner's limit is under a minute, so that serve does
 * not call tor's bootstrap stuck first. */
#define CTLRELAY_HOLD_MAX_MS (45 * 1000)
void ctlrelay_hold(ctlrelay_t *r, int held, int max_ms);
int ctlrelay_held(const ctlrelay_t *r);
/* Call about once a second while held: lets tor out after the limit. */
void ctlrelay_tick(ctlrelay_t *r);

/* Clients now connected. */
size_t ctlrelay_count(const ctlrelay_t *r);

#endif
