/* spawner: a tiny helper process that starts tor for a sandboxed `serve`.
 *
 * A seccomp filter and a Landlock domain are inherited across fork and exec,
 * so a tor started by the sandboxed server would run under the server's rules
 * (no inet sockets, no exec): it could not reach the Tor network. `serve`
 * therefore forks this helper before it opens anything (no catalogue, no
 * listeners, no readers' sockets) and before it sandboxes itself. The helper
 * keeps only a SOCK_SEQPACKET socket to the server and does two things: it
 * starts the one program it was created for (tor_path; anything else is
 * refused) with the argv the server sends, handing back the pid and the read
 * end of tor's stdout/stderr pipe; and it reports each child's exit. It exits
 * when the server goes away, stopping tor first.
 *
 * The server still signals tor directly (kill(2) on the pid): same user. */
#ifndef BROADSIDE_SPAWNER_H
#define BROADSIDE_SPAWNER_H

#include <sys/types.h>

typedef struct spawner spawner_t;

/* Fork the helper for program `path`. NULL (logged) on failure. */
spawner_t *spawner_new(const char *path);
/* Close the socket (the helper stops its children and exits) and reap it. */
void spawner_free_(spawner_t *s);
#define spawner_free(p) do { spawner_free_(p); (p) = NULL; } while (0)

/* Start path with argv (argv[0] must be path) in a new process group, stdin
 * /dev/null, stdout and stderr to a pipe whose read end goes to *out_fd.
 * Return the pid, or -1 with errno set. Blocks until the helper answers. */
pid_t spawner_spawn(spawner_t *s, char *const argv[], int *out_fd);

/* The same start, from this process (fork and exec here; for a server that
 * is not sandboxed). The caller reaps the child with waitpid. */
pid_t spawner_spawn_here(const char *path, char *const argv[], int *out_fd);

/* If child pid has exited, set *status (as waitpid does) and return 1; 0 if it
 * still runs; -1 if the helper is gone. Never blocks. */
int spawner_reap(spawner_t *s, pid_t pid, int *status);

/* The socket: readable when the helper has news (a child exited). */
int spawner_fd(const spawner_t *s);

#endif
