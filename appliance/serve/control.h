/* control: the local control socket of a running `serve` (DIR/run/admin.sock,
 * mode 0600, never reachable through tor). One request line, one answer, close:
 *   "status\n" → the status document as JSON, "status text\n" → for people
 * `broadside status` is its client. */
#ifndef BROADSIDE_CONTROL_H
#define BROADSIDE_CONTROL_H

#include "base/util.h"

struct event_base;
typedef struct control control_t;

/* Write the status JSON into out. */
typedef void (*control_status_fn)(strbuf_t *out, int json, void *arg);

control_t *control_new(struct event_base *base, const char *path, control_status_fn fn, void *arg);
void control_free_(control_t *a);
#define control_free(p) do { control_free_(p); (p) = NULL; } while (0)

/* Client side: send cmd to the socket at path, return the answer (caller
 * frees) or NULL with a message logged. */
char *control_request(const char *path, const char *cmd);


#endif
