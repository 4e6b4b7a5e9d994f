/* test_procsup: the process supervisor with small /bin/sh programs: its hooks
 * (before each start, after it, each line, each exit), restart with backoff,
 * a skipped start, procsup_kill with the chosen stop signal and SIGKILL after
 * the wait, procsup_restart, and shutdown. tor's use of it is in
 * test_torsup. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "base/util.h"
#include "onion/procsup.h"
#include "unit.h"

static struct event_base *base;

/* What the hooks saw. */
static struct seen {
	int before, skip_before, started, exits, lines;
	long pid;
	char first_line[64], last_line[64];
	procsup_exit_t last_exit;
} seen;

static int
before_start(void *arg)
{
	(void)arg;
	seen.before++;
	if (seen.skip_before > 0) {
		seen.skip_before--;
		return -1;
	}
	return 0;
}

static void
started(void *arg, long pid)
{
	(void)arg;
	seen.started++;
	seen.pid = pid;
}

static void
line(void *arg, const char *text)
{
	(void)arg;
	if (seen.lines++ == 0)
		snprintf(seen.first_line, sizeof(seen.first_line), "%s", text);
	snprintf(seen.last_line, sizeof(seen.last_line), "%s", text);
}

static void
exited(void *arg, const procsup_exit_t *e)
{
	(void)arg;
	seen.exits++;
	seen.last_exit = *e;
}

static void
stop_loop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

/* Run the loop until cond() holds or seconds pass; 0 if it held. */
static int
run_until(int (*cond)(void), int seconds)
{
	struct timeval tenth = { 0, 100 * 1000 };
	struct event *ev = evtimer_new(base, stop_loop, NULL);
	int64_t end = now_ms() + seconds * 1000;
	int rc = -1;

	while (now_ms() < end) {
		if (cond()) {
			rc = 0;
			break;
		}
		evtimer_add(ev, &tenth);
		event_base_dispatch(base);
	}
	event_free(ev);
	return rc;
}

static int two_exits(void) { return seen.exits >= 2; }
static int one_exit(void) { return seen.exits >= 1; }
static int one_start(void) { return seen.started >= 1; }
static int two_starts(void) { return seen.started >= 2; }
static int has_line(void) { return seen.lines >= 1; }

static procsup_t *
make(const char *script, int stop_signal, int stop_wait_ms)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };

	memset(&seen, 0, sizeof(seen));
	return procsup_new(base, &(procsup_opts_t){
		.name = "test", .argv = argv, .stop_signal = stop_signal,
		.stop_wait_ms = stop_wait_ms,
		.hooks = { .before_start = before_start, .started = started, .line = line,
		    .exited = exited },
	});
}

int
main(void)
{
	procsup_t *p;
	procsup_status_t st;
	int64_t t0;

	log_set_level(getenv("TEST_DEBUG") ? LOG_DEBUG : LOG_ERR);
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();

	/* Exits by itself: every hook, then a restart after 1 s. */
	p = make("echo hello; echo; printf last; exit 3", 0, 0);
	procsup_get_status(p, &st);
	is_str(st.state, "waiting", "state before start");
	is_int(procsup_start(p), 0, "start");
	ok(procsup_pid(p) > 0 && procsup_pid(p) == seen.pid, "started hook has the pid");
	t0 = now_ms();
	ok(run_until(two_exits, 10) == 0, "exited twice (exits %d)", seen.exits);
	ok(now_ms() - t0 >= 900, "restarted after the 1 s backoff (%lld ms)",
	    (long long)(now_ms() - t0));
	is_int(seen.before, 2, "before_start before each start");
	is_int(seen.started, 2, "started after each start");
	is_str(seen.first_line, "hello", "line hook: first line");
	is_str(seen.last_line, "last", "line hook: the unterminated last line");
	is_int(seen.lines, 4, "empty lines are not passed on");
	ok(WIFEXITED(seen.last_exit.status) && WEXITSTATUS(seen.last_exit.status) == 3,
	    "exit status 3 in the exit hook");
	is_int(seen.last_exit.next, PROCSUP_BACKOFF, "a restart follows, after the backoff");
	is_int(seen.last_exit.start_errno, 0, "it did start");
	procsup_get_status(p, &st);
	is_int(st.restarts, 1, "one restart counted");
	is_str(st.last_line, "last", "status keeps the last line");
	procsup_free(p);

	/* A start the hook skips is retried after the backoff. */
	p = make("sleep 30", 0, 0);
	seen.skip_before = 1;
	is_int(procsup_start(p), -1, "the first start is skipped");
	procsup_get_status(p, &st);
	is_str(st.state, "waiting", "waiting to try again");
	ok(run_until(one_start, 10) == 0, "started on the second try");
	is_int(seen.before, 2, "before_start asked twice");

	/* procsup_restart: at once, not a failure. */
	procsup_restart(p);
	ok(run_until(two_starts, 5) == 0, "started again at once");
	is_int(seen.last_exit.next, PROCSUP_AT_ONCE, "the exit hook knows a restart follows now");

	/* Shutdown: the exit hook says none follows. */
	t0 = now_ms();
	procsup_shutdown(p);
	ok(now_ms() - t0 < 2000, "sleep stops on SIGTERM at once");
	is_int(seen.last_exit.next, PROCSUP_NEVER, "no restart after shutdown");
	ok(WIFSIGNALED(seen.last_exit.status) && WTERMSIG(seen.last_exit.status) == SIGTERM,
	    "stopped with SIGTERM by default");
	procsup_get_status(p, &st);
	is_str(st.state, "stopped", "stopped");
	is_int(st.pid, 0, "no pid");
	procsup_free(p);

	/* procsup_kill with the chosen signal (SIGINT; SIGTERM is ignored, as in
	 * a sandboxed tor): it exits, and is restarted. */
	p = make("trap '' TERM; trap 'exit 7' INT; echo ready; while :; do sleep 0.1; done",
	    SIGINT, 0);
	procsup_start(p);
	ok(run_until(has_line, 5) == 0, "running, its traps set");
	procsup_kill(p);
	ok(run_until(one_exit, 5) == 0, "stopped by the stop signal");
	ok(WIFEXITED(seen.last_exit.status) && WEXITSTATUS(seen.last_exit.status) == 7,
	    "it was SIGINT (its trap exits 7)");
	is_int(seen.last_exit.next, PROCSUP_BACKOFF, "and is restarted");
	procsup_free(p);

	/* A program that ignores the stop signal is killed after the wait. */
	p = make("trap '' TERM INT; echo ready; while :; do sleep 0.1; done", SIGINT, 1000);
	procsup_start(p);
	ok(run_until(has_line, 5) == 0, "running, its traps set");
	t0 = now_ms();
	procsup_kill(p);
	ok(run_until(one_exit, 5) == 0, "killed after the wait");
	ok(WIFSIGNALED(seen.last_exit.status) && WTERMSIG(seen.last_exit.status) == SIGKILL,
	    "with SIGKILL");
	ok(now_ms() - t0 >= 900, "not before the wait (%lld ms)", (long long)(now_ms() - t0));
	t0 = now_ms();
	procsup_free(p);  /* it may be running again: shutdown escalates too */
	ok(now_ms() - t0 < 5000, "free stops it in bounded time");

	event_base_free(base);
	return unit_done();
}
