/* deadline: many timeouts on one libevent timer.
 *
 * A struct event per connection costs ~150 bytes of heap; with thousands of
 * idle keep-alive connections that is most of what they hold. Here each timeout
 * is a list link embedded in its owner, and one timer serves them all. Owners
 * use a handful of fixed durations (header, idle), so each duration gets its own
 * queue, which appending keeps sorted: arming, disarming and firing are O(1).
 * A deadline armed with another duration is inserted in order, so any mix
 * stays correct, only slower. */
#ifndef BROADSIDE_DEADLINE_H
#define BROADSIDE_DEADLINE_H

#include <stdint.h>
#include <sys/queue.h>

struct event_base;
typedef struct deadline_set deadline_set_t;

/* Embedded in its owner; zeroed means not armed. */
typedef struct deadline {
	TAILQ_ENTRY(deadline) link;
	int64_t at;         /* now_ms() when it expires */
	int8_t queue;       /* which list holds it, 0 = none */
} deadline_t;

/* expired(d, arg) runs once for each deadline that passes, after it has been
 * disarmed; it may free d's owner and arm or disarm any deadline. */
deadline_set_t *deadline_set_new(struct event_base *base,
    void (*expired)(deadline_t *d, void *arg), void *arg);
/* Deadlines still armed are dropped without expiring. */
void deadline_set_free_(deadline_set_t *s);
#define deadline_set_free(p) do { deadline_set_free_(p); (p) = NULL; } while (0)

/* Expire d ms from now (0: on the next loop pass), replacing any earlier arming. */
void deadline_arm(deadline_set_t *s, deadline_t *d, int ms);
/* Forget d if armed. */
void deadline_disarm(deadline_set_t *s, deadline_t *d);

#endif
