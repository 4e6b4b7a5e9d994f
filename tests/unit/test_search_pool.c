/* test_pool: jobs run on the pool's threads, each on its own catalogue
 * connection, and come back on the loop's thread in full; a full queue
 * refuses; freeing the pool hands back every unfinished job as cancelled. */
#include <event2/event.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue/cat.h"
#include "catalogue/search_pool.h"
#include "unit.h"
#include "base/util.h"

#define NJOBS 40

struct job {
	pthread_t worker, loop;
	cat_t *cat;
	int64_t files;        /* what the worker read */
	int done, cancelled;
	useconds_t sleep_us;
};

static pthread_t loop_thread;
static struct event_base *base;
static int ndone;

static int
count_coll(const cat_collection_t *col, void *arg)
{
	*(int64_t *)arg += 1;
	return 0;
}

static void
work(cat_t *cat, void *arg)
{
	struct job *j = arg;
	j->worker = pthread_self();
	j->cat = cat;
	if (j->sleep_us)
		usleep(j->sleep_us);
	(void)cat_collection_each(cat, count_coll, &j->files);
}

static void
done(void *arg, int cancelled)
{
	struct job *j = arg;
	j->loop = pthread_self();
	j->done++;
	j->cancelled = cancelled;
	if (++ndone == NJOBS)
		event_base_loopbreak(base);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(base);
}

int
main(void)
{
	char dir[] = "/tmp/test_pool.XXXXXX";
	struct job jobs[NJOBS], slow[3];
	struct timeval five = { 5, 0 };
	search_pool_stats_t st;
	char *path, *cmd;
	cat_t *c;
	int64_t cid;
	search_pool_t *p;
	int on_worker = 1, on_loop = 1, right = 1, distinct = 0;

	ok(mkdtemp(dir) != NULL, "temp dir");
	path = xasprintf("%s/catalogue.db", dir);
	c = cat_open(path, CAT_CREATE);
	ok(c != NULL, "catalogue");
	ok(cat_collection_upsert(c, "a", "A", NULL, "/x", &cid) == 0, "collection a");
	ok(cat_collection_upsert(c, "b", "B", NULL, "/y", &cid) == 0, "collection b");

	is_int(search_pool_threads_auto(3), 3, "configured threads as given");
	ok(search_pool_threads_auto(0) >= 1 && search_pool_threads_auto(0) <= 4, "auto: 1 to 4 threads");

	loop_thread = pthread_self();
	base = event_base_new();
	p = search_pool_new(base, 2, NJOBS, path);
	ok(p != NULL, "pool");
	ok(search_pool_start(p) == 0, "threads started");
	memset(jobs, 0, sizeof(jobs));
	/* Each job takes a moment, so that on a busy machine one thread cannot
	 * drain the queue before the other is scheduled. */
	for (int i = 0; i < NJOBS; i++)
		jobs[i].sleep_us = 2000;
	for (int i = 0; i < NJOBS; i++)
		ok(search_pool_submit(p, work, done, &jobs[i]) != NULL, "submit %d", i);
	search_pool_stats(p, &st);
	is_int(st.threads, 2, "two threads");
	ok(search_pool_submit(p, work, done, &slow[0]) == NULL, "a full queue refuses");
	struct event *t = evtimer_new(base, on_timeout, NULL);
	evtimer_add(t, &five);
	event_base_dispatch(base);
	event_free(t);
	is_int(ndone, NJOBS, "every job came back");
	for (int i = 0; i < NJOBS; i++) {
		if (jobs[i].done != 1 || jobs[i].cancelled)
			right = 0;
		if (pthread_equal(jobs[i].worker, loop_thread))
			on_worker = 0;
		if (!pthread_equal(jobs[i].loop, loop_thread))
			on_loop = 0;
		if (jobs[i].files != 2)
			right = 0;
		if (jobs[i].cat != jobs[0].cat)
			distinct = 1;
	}
	ok(right, "each job done once, not cancelled, read both collections");
	ok(on_worker, "work ran off the loop's thread");
	ok(on_loop, "done ran on the loop's thread");
	ok(distinct, "two threads, two catalogue connections (both used)");
	search_pool_stats(p, &st);
	is_int(st.done, NJOBS, "stats: done");
	is_int(st.refused, 1, "stats: refused");
	is_int(st.queued, 0, "stats: nothing queued");

	/* Free with work in flight: the running ones finish, the rest are
	 * cancelled; every one is handed back exactly once. */
	ndone = 0;
	memset(slow, 0, sizeof(slow));
	for (int i = 0; i < 3; i++) {
		slow[i].sleep_us = 200000;
		ok(search_pool_submit(p, work, done, &slow[i]) != NULL, "slow %d", i);
	}
	usleep(50000);
	search_pool_free(p);
	int cancelled = 0, once = 1;
	for (int i = 0; i < 3; i++) {
		cancelled += slow[i].cancelled;
		once &= slow[i].done == 1;
	}
	ok(once, "free: each slow job handed back once");
	ok(cancelled == 3, "free: handed back as cancelled (%d)", cancelled);

	/* A pool whose threads never start still frees cleanly. */
	p = search_pool_new(base, 1, 4, path);
	ok(p != NULL && search_pool_submit(p, work, done, &slow[0]) != NULL, "unstarted pool takes a job");
	slow[0].done = 0;
	search_pool_free(p);
	ok(slow[0].done == 1 && slow[0].cancelled, "and cancels it on free");
	ok(search_pool_new(base, 1, 4, "/nonexistent/catalogue.db") == NULL, "a missing catalogue: no pool");

	event_base_free(base);
	cat_free(c);
	cmd = xasprintf("rm -rf '%s'", dir);
	(void)!system(cmd);
	free(cmd);
	free(path);
	return unit_done();
}
