/* search_pool: see search_pool.h. Jobs go through two lists under one mutex: todo (FIFO, the
 * threads take from it) and done (the loop takes all of it when the pipe says
 * so). A byte in the pipe only means "look at done"; a full pipe already says it. */
#include "catalogue/search_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "base/log.h"
#include "base/util.h"

struct search_pool_job {
	struct search_pool_job *next;
	void (*work)(cat_t *cat, void *arg);
	void (*done)(void *arg, int cancelled);
	void *arg;
};

struct worker {
	search_pool_t *pool;
	cat_t *cat;
	pthread_t thread;
	int started;
};

struct search_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	search_pool_job_t *todo, **todo_tail, *done, **done_tail;
	int stopping, queued, max_queued, nworkers;
	struct worker *workers;
	int pipe_rd, pipe_wr;
	struct event *wake;
	uint64_t ndone, nrefused;
};

int
search_pool_threads_auto(int n)
{
	long cpus;

	if (n > 0)
		return n;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		cpus = 1;
	return cpus > 4 ? 4 : (int)cpus;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	search_pool_t *p = w->pool;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		search_pool_job_t *j;
		while (p->todo == NULL && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stopping)
			break;
		j = p->todo;
		if ((p->todo = j->next) == NULL)
			p->todo_tail = &p->todo;
		pthread_mutex_unlock(&p->mu);

		j->work(w->cat, j->arg);

		pthread_mutex_lock(&p->mu);
		j->next = NULL;
		*p->done_tail = j;
		p->done_tail = &j->next;
		/* EAGAIN: the pipe is full of wake-ups already. */
		(void)!write(p->pipe_wr, "", 1);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* On the loop: hand every finished job back to its owner. */
static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
	search_pool_t *p = arg;
	char buf[256];
	search_pool_job_t *list;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&p->mu);
	list = p->done;
	p->done = NULL;
	p->done_tail = &p->done;
	pthread_mutex_unlock(&p->mu);
	while (list) {
		search_pool_job_t *j = list;
		list = j->next;
		p->queued--;
		p->ndone++;
		j->done(j->arg, 0);
		free(j);
	}
}

search_pool_t *
search_pool_new(struct event_base *base, int nthreads, int max_queued, const char *catalogue)
{
	search_pool_t *p = xcalloc(1, sizeof(*p));
	int fds[2];

	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->todo_tail = &p->todo;
	p->done_tail = &p->done;
	p->pipe_rd = p->pipe_wr = -1;
	p->max_queued = max_queued > 0 ? max_queued : 1;
	p->nworkers = nthreads > 0 ? nthreads : 1;
	p->workers = xcalloc((size_t)p->nworkers, sizeof(*p->workers));
	for (int i = 0; i < p->nworkers; i++) {
		p->workers[i].pool = p;
		if ((p->workers[i].cat = cat_open(catalogue, CAT_READONLY)) == NULL)
			goto fail;
		/* Sorts stay in memory: the sandbox allows no temporary files. */
		(void)sqlite3_exec(cat_db(p->workers[i].cat), "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	}
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
		log_err("search threads: pipe: %s", strerror(errno));
		goto fail;
	}
	p->pipe_rd = fds[0];
	p->pipe_wr = fds[1];
	if ((p->wake = event_new(base, p->pipe_rd, EV_READ | EV_PERSIST, on_wake, p)) == NULL ||
	    event_add(p->wake, NULL) < 0) {
		log_err("search threads: cannot watch the pipe");
		goto fail;
	}
	return p;
fail:
	search_pool_free(p);
	return NULL;
}

int
search_pool_start(search_pool_t *p)
{
	int started = 0, err = 0;

	for (int i = 0; i < p->nworkers; i++) {
		if ((err = pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i])) != 0)
			break;
		p->workers[i].started = 1;
		started++;
	}
	if (started < p->nworkers)
		log_warn("search threads: started %d of %d: %s", started, p->nworkers, strerror(err));
	return started > 0 ? 0 : -1;
}

search_pool_job_t *
search_pool_submit(search_pool_t *p, void (*work)(cat_t *cat, void *arg), void (*done)(void *arg, int cancelled), void *arg)
{
	search_pool_job_t *j;

	if (p->queued >= p->max_queued) {
		p->nrefused++;
		return NULL;
	}
	j = xcalloc(1, sizeof(*j));
	j->work = work;
	j->done = done;
	j->arg = arg;
	p->queued++;
	pthread_mutex_lock(&p->mu);
	*p->todo_tail = j;
	p->todo_tail = &j->next;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return j;
}

void
search_pool_stats(const search_pool_t *p, search_pool_stats_t *st)
{
	memset(st, 0, sizeof(*st));
	if (p == NULL)
		return;
	for (int i = 0; i < p->nworkers; i++)
		st->threads += p->workers[i].started;
	st->done = p->ndone;
	st->refused = p->nrefused;
	st->queued = p->queued;
}

static void
cancel_all(search_pool_job_t *list)
{
	while (list) {
		search_pool_job_t *j = list;
		list = j->next;
		j->done(j->arg, 1);
		free(j);
	}
}

void
search_pool_free_(search_pool_t *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nworkers; i++) {
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
		cat_free(p->workers[i].cat);
	}
	/* Finished but not yet handed back, and never started: same answer. */
	cancel_all(p->done);
	cancel_all(p->todo);
	if (p->wake)
		event_free(p->wake);
	if (p->pipe_rd >= 0)
		close(p->pipe_rd);
	if (p->pipe_wr >= 0)
		close(p->pipe_wr);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->workers);
	free(p);
}
