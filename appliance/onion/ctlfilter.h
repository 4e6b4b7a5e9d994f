/* ctlfilter: the allow-list between a controller and tor's control port.
 *
 * tor obeys whoever holds its control connection: SETCONF can point the onion
 * service at another address, ADD_ONION adds services, a restart with
 * UseBridges can take the first hop anywhere. The programs that talk to tor
 * therefore never get tor's own socket; the spawner (spawner.h) relays their
 * commands through this filter, and each program gets a profile that passes
 * exactly the commands it sends. Everything else gets a 5xx reply from the
 * filter and never reaches tor.
 *
 * This module is the part that needs no sockets: framing of commands (a
 * single line, or a "+" command whose data ends with a line holding only "."),
 * framing of tor's replies, and the verdict on one command. Framing is
 * strict so that filter and tor cannot disagree about where a command ends:
 * every line ends in CRLF, no NUL, no bare CR. */
#ifndef BROADSIDE_CTLFILTER_H
#define BROADSIDE_CTLFILTER_H

#include <stddef.h>
#include <sys/types.h>

/* Who is on the other end; each has its own filtered socket. */
enum ctlfilter_profile {
	CTLFILTER_SERVE,          /* bootstrap state, descriptor uploads, CLOSECIRCUIT */
	CTLFILTER_ONIONBALANCE,   /* onionbalance 0.2.2: consensus, HSFETCH, HSPOST */
	CTLFILTER_VANGUARDS,      /* vanguards 0.3.1: guard layers, circuit events */
	CTLFILTER_NPROFILES,
};

enum ctlfilter_verdict {
	CTLFILTER_PASS,           /* forward to tor unchanged */
	CTLFILTER_REFUSE,         /* answer 5xx ourselves; tor never sees it */
	CTLFILTER_PROTOCOLINFO,   /* answer ourselves: the socket needs no auth */
	CTLFILTER_AUTHENTICATE,   /* answer 250 ourselves: the socket is the credential */
};

/* The largest command we accept (an Onionbalance descriptor is < 50 kB). */
#define CTLFILTER_COMMAND_MAX (128 * 1024)

/* "serve", "onionbalance", "vanguards". */
const char *ctlfilter_profile_name(int profile);

/* The length of the first complete command in buf[0, len) including its
 * final CRLF (for a "+" command, through the ".\r\n" line); 0 if more bytes
 * are needed; -1 if the bytes can never be a command we pass on (a bare LF
 * or CR, a NUL, longer than CTLFILTER_COMMAND_MAX): drop the connection. */
ssize_t ctlfilter_command_len(const char *buf, size_t len);

/* The verdict on one complete command (as framed above) for profile. On
 * CTLFILTER_REFUSE *why says why (a static string, for the log). */
enum ctlfilter_verdict ctlfilter_check(int profile, const char *cmd, size_t len,
    const char **why);

/* For a single "SETCONF key=value" (or key="value"): the command that asks
 * tor for the option's value, "GETCONF key\r\n", into getconf, and the reply
 * tor gives when it already holds that value, "250 key=value\r\n", into
 * expect. 0, or -1 for any other command (or a buffer too small). */
int ctlfilter_setconf_query(const char *cmd, size_t len, char *getconf, size_t gn,
    char *expect, size_t en);

/* tor's replies, one line at a time (the relay forwards each line as it
 * comes: GETINFO ns/all is megabytes). Start from a zeroed state. */
typedef struct ctlfilter_rstate {
	int in_data;              /* inside a "+" data block */
} ctlfilter_rstate_t;
enum { CTLFILTER_R_MORE = 0, CTLFILTER_R_REPLY = 1, CTLFILTER_R_EVENT = 2 };
/* line[0, len) is one line including its LF. Return CTLFILTER_R_MORE, or
 * _R_REPLY / _R_EVENT when it ends a reply to a command / an event, or -1
 * when it is no reply line at all. */
int ctlfilter_reply_line(ctlfilter_rstate_t *st, const char *line, size_t len);

/* Copy cmd's first line into out (size n) for the log: printable ASCII only,
 * other bytes as '?', cut at n - 1. */
void ctlfilter_describe(const char *cmd, size_t len, char *out, size_t n);

#endif
