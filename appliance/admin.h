/* admin: the local control socket of a running `serve` (DIR/run/admin.sock,
 * mode 0600, never reachable through tor). One request line, one answer, close:
 *   "status\n" → the status document as JSON, "status text\n" → for people
 * `broadside status` is its client. */
#ifndef BROADSIDE_ADMIN_H
#define BROADSIDE_ADMIN_H

#include "util.h"

struct event_base;
typedef struct admin admin_t;

/* Write the status JSON into out. */
typedef void (*admin_status_fn)(strbuf_t *out, int json, void *arg);

admin_t *admin_new(struct event_base *base, const char *path, admin_status_fn fn, void *arg);
void admin_free_(admin_t *a);
#define admin_free(p) do { admin_free_(p); (p) = NULL; } while (0)

/* Client side: send cmd to the socket at path, return the answer (caller
 * frees) or NULL with a message logged. */
char *admin_request(const char *path, const char *cmd);

/* Append s as a JSON string (quoted, escaped; invalid UTF-8 bytes as \ufffd). */
void json_string(strbuf_t *b, const char *s);

#endif
