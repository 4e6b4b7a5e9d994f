/* deadline: see deadline.h. */
#include "base/deadline.h"

#include <event2/event.h>
#include <stdlib.h>

#include "base/util.h"

/* Distinct durations with their own queue; http_conn uses three (header,
 * idle, now). */
#define NQUEUES 4
#define FIRING (-1)

TAILQ_HEAD(dlist, deadline);

struct deadline_set {
	struct event *timer;
	int64_t timer_at;    /* when the timer fires; 0 = not pending */
	void (*expired)(deadline_t *, void *);
	void *arg;
	struct {
		int ms, used;
		struct dlist list;
	} q[NQUEUES];
	struct dlist firing;   /* expired, callbacks not yet run */
};

static struct dlist *
list_of(deadline_set_t *s, const deadline_t *d)
{
	return d->queue == FIRING ? &s->firing : &s->q[d->queue - 1].list;
}

static void
schedule(deadline_set_t *s, int64_t at, int64_t now)
{
	if (s->timer_at != 0 && s->timer_at <= at)
		return;
	/* libevent measures from its cached loop time, which may lag now_ms()
	 * a little: an early wake-up finds nothing due and sleeps again. */
	int64_t ms = at > now ? at - now : 0;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	s->timer_at = at;
	evtimer_add(s->timer, &tv);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	deadline_set_t *s = arg;
	int64_t now = now_ms(), next = 0;
	deadline_t *d;

	s->timer_at = 0;
	/* Collect first, so a deadline armed by a callback waits for the next
	 * pass even when it is already due. */
	for (int i = 0; i < NQUEUES; i++) {
		while ((d = TAILQ_FIRST(&s->q[i].list)) != NULL && d->at <= now) {
			TAILQ_REMOVE(&s->q[i].list, d, link);
			TAILQ_INSERT_TAIL(&s->firing, d, link);
			d->queue = FIRING;
		}
	}
	while ((d = TAILQ_FIRST(&s->firing)) != NULL) {
		TAILQ_REMOVE(&s->firing, d, link);
		d->queue = 0;
		s->expired(d, s->arg);   /* may free d */
	}
	for (int i = 0; i < NQUEUES; i++) {
		d = TAILQ_FIRST(&s->q[i].list);
		if (d && (next == 0 || d->at < next))
			next = d->at;
	}
	if (next)
		schedule(s, next, now_ms());
}

deadline_set_t *
deadline_set_new(struct event_base *base, void (*expired)(deadline_t *, void *), void *arg)
{
	deadline_set_t *s = xcalloc(1, sizeof(*s));

	s->expired = expired;
	s->arg = arg;
	for (int i = 0; i < NQUEUES; i++)
		TAILQ_INIT(&s->q[i].list);
	TAILQ_INIT(&s->firing);
	s->timer = evtimer_new(base, on_timer, s);
	if (s->timer == NULL)
		abort();   /* only out of memory fails here */
	return s;
}

void
deadline_set_free_(deadline_set_t *s)
{
	if (s == NULL)
		return;
	event_free(s->timer);
	free(s);
}

void
deadline_disarm(deadline_set_t *s, deadline_t *d)
{
	if (d->queue == 0)
		return;
	TAILQ_REMOVE(list_of(s, d), d, link);
	d->queue = 0;
	/* The timer stays: waking for nothing once is cheaper than recomputing. */
}

void
deadline_arm(deadline_set_t *s, deadline_t *d, int ms)
{
	int64_t now = now_ms();
	int i, pick = -1;
	deadline_t *p;

	deadline_disarm(s, d);
	d->at = now + ms;
	for (i = 0; i < NQUEUES && pick < 0; i++)
		if (s->q[i].used && s->q[i].ms == ms)
			pick = i;
	for (i = 0; i < NQUEUES && pick < 0; i++)
		if (!s->q[i].used) {
			s->q[i].used = 1;
			s->q[i].ms = ms;
			pick = i;
		}
	if (pick < 0)
		pick = NQUEUES - 1;   /* shared; the ordered insert keeps it right */
	/* From the tail: with one duration per queue the loop never runs. */
	p = TAILQ_LAST(&s->q[pick].list, dlist);
	while (p && p->at > d->at)
		p = TAILQ_PREV(p, dlist, link);
	if (p)
		TAILQ_INSERT_AFTER(&s->q[pick].list, p, d, link);
	else
		TAILQ_INSERT_HEAD(&s->q[pick].list, d, link);
	d->queue = (int8_t)(pick + 1);
	schedule(s, d->at, now);
}
