/* search_pool: a few threads that run slow catalogue work (searches) off the event
 * loop, each on its own read-only catalogue connection.
 *
 * A search costs milliseconds of CPU; on the loop, every other reader (a page,
 * the next chunk of a download) waits behind it, and 16 concurrent searches
 * queue one after another. Here the loop hands the job over and goes on; the
 * job's result comes back to the loop through a pipe, so everything that
 * touches a connection or libevent stays on the loop's thread.
 *
 * Threads are started apart from creation: serve opens the connections before
 * it sandboxes itself and starts the threads after, so they inherit Landlock
 * (which binds only the thread that asks and the threads it creates later). */
#ifndef BROADSIDE_SEARCH_POOL_H
#define BROADSIDE_SEARCH_POOL_H

#include <stdint.h>

#include "catalogue/cat.h"

struct event_base;
typedef struct search_pool search_pool_t;
typedef struct search_pool_job search_pool_job_t;

typedef struct search_pool_stats {
	int threads;
	uint64_t done, refused;   /* refused: the queue was full */
	int queued;               /* waiting or running now */
} search_pool_stats_t;

/* Open nthreads read-only connections to catalogue; at most max_queued jobs
 * wait or run at once. NULL on error (logged). */
search_pool_t *search_pool_new(struct event_base *base, int nthreads, int max_queued, const char *catalogue);
/* Start the threads. 0, or -1 (logged) if none could start. */
int search_pool_start(search_pool_t *p);
/* Stop the threads after their current job; every job not yet done gets its
 * done call with cancelled = 1 (so its owner frees it). */
void search_pool_free_(search_pool_t *p);
#define search_pool_free(x) do { search_pool_free_(x); (x) = NULL; } while (0)

/* Run work(cat, arg) on a thread, then done(arg, cancelled) on the loop.
 * NULL when the queue is full (the caller answers "busy" itself). */
search_pool_job_t *search_pool_submit(search_pool_t *p, void (*work)(cat_t *cat, void *arg),
    void (*done)(void *arg, int cancelled), void *arg);

void search_pool_stats(const search_pool_t *p, search_pool_stats_t *st);

/* Threads to use for a configured value: n > 0 as is, 0 = one per online
 * CPU, at most 4 (each holds a catalogue page cache). */
int search_pool_threads_auto(int n);

#endif
