/* sandbox: `serve` restricts itself once start-up is done (config read,
 * catalogue open, listeners bound, tor's spawner forked):
 *
 *  - PR_SET_NO_NEW_PRIVS;
 *  - Landlock (filesystem): read-only beneath each collection root in the
 *    catalogue at start, read-write on the catalogue files and run/; nothing
 *    else (not the onion keys, not keys/), and no exec anywhere. Where the kernel has
 *    Landlock ABI 4+, no TCP bind or connect at all; ABI 6+, no abstract unix
 *    sockets. A collection added while serve runs is outside the allowed set
 *    until serve restarts (its files answer 403 and the log says so).
 *  - seccomp (libseccomp): an allow-list of the calls serve makes; others fail
 *    with EPERM. No socket() at all (tor's control connection is a socket
 *    the spawner hands over); no exec, no fork, no ptrace, no executable
 *    mappings.
 *
 * Modes (config key `sandbox`): "yes" applies what the kernel supports and
 * warns about the rest (Raspberry Pi and old VPS kernels lack Landlock);
 * "required" refuses to start unless all of it applies; "no" skips it. */
#ifndef BROADSIDE_SANDBOX_H
#define BROADSIDE_SANDBOX_H

#include <stdint.h>

#include "base/datadir.h"

enum { SANDBOX_NO = 0, SANDBOX_YES = 1, SANDBOX_REQUIRED = 2 };

/* Parse "no" / "yes" / "required"; -1 otherwise. */
int sandbox_mode_parse(const char *s);
const char *sandbox_mode_name(int mode);

/* A published folder serve may read: its collection's name (for the log) and
 * its absolute real path. */
typedef struct sandbox_root {
	const char *name;
	const char *path;
} sandbox_root_t;

/* Restrict the calling process (and its threads created later) for serving the
 * catalogue of data dir d and the folders in roots (ended by a NULL path); tor_append (or NULL) stays readable because the
 * torrc is regenerated at each restart of tor. Return 0 when applied (wholly, or partly in
 * mode yes, warned), -1 when mode is required and something could not be
 * applied (logged). Irreversible. */
int sandbox_apply_serve(int mode, const datadir_t *d, const sandbox_root_t *roots,
    const char *tor_append);

/* Landlock ABI version of this kernel, 0 if none. */
int sandbox_landlock_abi(void);

/* Pieces shared with the document jail (docjail.h). */
#define SANDBOX_SCOPE_ABSTRACT_UNIX (1ULL << 0)   /* Landlock ABI 6 */
#define SANDBOX_SCOPE_SIGNAL        (1ULL << 1)   /* Landlock ABI 6 */
/* Every file-system right Landlock ABI abi knows. */
uint64_t sandbox_landlock_fs_rights(int abi);
/* A ruleset that handles every file-system right, TCP bind and connect (ABI 4+)
 * and the scopes given (ABI 6+): nothing is allowed until rules are added. Its
 * fd, or -1 (logged). */
int sandbox_landlock_ruleset(int abi, uint64_t scoped);
/* Allow rights beneath path (a file gets only the file rights). A path that
 * does not exist is skipped; 0, or -1 on another failure (logged). */
int sandbox_landlock_allow(int ruleset, int abi, const char *path, uint64_t rights);
/* Allow system call name in the libseccomp filter (a scmp_filter_ctx); a call
 * this architecture lacks is skipped. 0, or -1 (logged). */
int sandbox_seccomp_allow(void *filter, const char *name);

/* Give up CAP_SETGID and CAP_SETUID (effective, permitted, inheritable,
 * ambient), which the OS image's unit grants so that the spawner can run tor
 * in its own group (the firewall lets only that group out): serve drops them
 * right after forking the spawner, and the spawner in each child before
 * exec. 0 (also when there was nothing to drop), -1 on failure. */
int sandbox_drop_setid_caps(void);

/* Test hook: when BROADSIDE_SANDBOX_PROBE is set, try what the sandbox must
 * forbid (open the path in that variable, an AF_INET/AF_INET6 socket, exec of
 * /bin/true) and log each outcome as "sandbox probe: ...". An exec that
 * succeeded would replace the server, which the test notices. */
void sandbox_probe(void);

#endif
