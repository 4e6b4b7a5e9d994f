/* deadline: one timer for many timeouts, on a real event loop with short
 * durations (milliseconds). */
#include <event2/event.h>
#include <stdlib.h>

#include "base/deadline.h"
#include "unit.h"
#include "base/util.h"

#define N 6

static deadline_t d[N];
static int order[32], norder;
static deadline_set_t *set;
static struct event_base *base;

/* What the expiry of d[i] does besides being recorded. */
static int rearm_of = -1, disarm_on = -1, disarm_what = -1;

static void
expired(deadline_t *x, void *arg)
{
	int i = (int)(x - d);

	ok(arg == &set, "the argument comes back");
	ok(x->queue == 0, "disarmed before its callback");
	order[norder++] = i;
	if (i == disarm_on)
		deadline_disarm(set, &d[disarm_what]);
	if (i == rearm_of) {
		rearm_of = -1;
		deadline_arm(set, &d[i], 0);   /* due at once: runs on the next pass */
	}
}

static void
run(int ms)
{
	struct timeval tv = { 0, ms * 1000 };
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

int
main(void)
{
	base = event_base_new();
	set = deadline_set_new(base, expired, &set);

	/* Three durations interleaved: each fires in its own time, in order. */
	deadline_arm(set, &d[0], 60);
	deadline_arm(set, &d[1], 20);
	deadline_arm(set, &d[2], 40);
	deadline_arm(set, &d[3], 20);
	deadline_arm(set, &d[4], 60);
	deadline_arm(set, &d[5], 40);
	/* Re-arming moves it: d[1] now goes last among the 60s. */
	deadline_arm(set, &d[1], 60);
	int64_t t0 = now_ms();
	run(30);
	is_int(norder, 1, "only d[3] before 30 ms");
	is_int(order[0], 3, "d[3] first");
	run(200);
	ok(now_ms() - t0 >= 60, "the last no earlier than 60 ms (%lld)", (long long)(now_ms() - t0));
	is_int(norder, 6, "all six fired once");
	int want[] = { 3, 2, 5, 0, 4, 1 };
	for (int i = 0; i < N; i++)
		is_int(order[i], want[i], "order %d", i);

	/* A callback may disarm another due deadline and re-arm itself at 0. */
	norder = 0;
	for (int i = 0; i < N; i++)
		deadline_arm(set, &d[i], 10);
	deadline_disarm(set, &d[5]);
	disarm_on = 0;
	disarm_what = 1;
	rearm_of = 2;
	run(200);
	int want2[] = { 0, 2, 3, 4, 2 };
	is_int(norder, 5, "d[1] disarmed while due, d[5] before; d[2] twice");
	for (int i = 0; i < 5 && i < norder; i++)
		is_int(order[i], want2[i], "order after disarm %d", i);

	/* More durations than queues (the four are taken by 60, 20, 40, 10):
	 * the ordered insert keeps them right. */
	norder = 0;
	disarm_on = rearm_of = -1;
	for (int i = 0; i < N; i++)
		deadline_arm(set, &d[i], 50 - i * 5);
	run(300);
	is_int(norder, N, "six durations: all fired");
	for (int i = 0; i < N && i < norder; i++)
		is_int(order[i], N - 1 - i, "shortest first %d", i);

	/* Freed with deadlines armed: nothing fires, nothing leaks. */
	deadline_arm(set, &d[0], 10);
	deadline_set_free(set);
	event_base_free(base);
	return unit_done();
}
