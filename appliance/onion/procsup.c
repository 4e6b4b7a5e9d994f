/* procsup: see procsup.h. */
#include "onion/procsup.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "onion/spawner.h"
#include "base/util.h"

#define BACKOFF_MIN_S   1
#define BACKOFF_MAX_S   60
#define STABLE_MS       (5 * 60 * 1000)
#define STOP_WAIT_MS    5000
#define LINE_MAX_LEN    2048
#define ARGV_MAX        32

struct procsup {
	struct event_base *base;
	char *name;
	char *argv[ARGV_MAX + 1];
	struct spawner *spawner;      /* not ours */
	int prog;                     /* the spawner's name for it */
	int stop_signal, stop_wait_ms;
	procsup_hooks_t hooks;
	struct event *sigchld_ev, *spawner_ev, *restart_ev, *out_ev;
	struct event *tick_ev;        /* 1 s: reap, SIGKILL after procsup_kill's wait */
	pid_t pid;
	int out_fd;
	strbuf_t line;
	int64_t spawned_ms;
	int64_t kill_sent_ms;         /* procsup_kill() asked it to stop, or 0 */
	int killed_hard;              /* and SIGKILL followed */
	int backoff_s, restarts, stopping, again;
	char last_line[256];
};

static void spawn(procsup_t *p);

/* Through the spawner when it started it: the same user could signal it, but
 * where tor runs as its own user only the spawner can. */
static void
signal_child(procsup_t *p, int sig)
{
	if (p->spawner)
		(void)spawner_stop(p->spawner, p->prog, sig == SIGKILL);
	else
		kill(p->pid, sig);
}

static void
output_line(procsup_t *p, const char *line)
{
	if (*line == '\0')
		return;
	snprintf(p->last_line, sizeof(p->last_line), "%s", line);
	if (p->hooks.line)
		p->hooks.line(p->hooks.arg, line);
	else
		log_info("%s: %s", p->name, line);
}

static void
output_cb(evutil_socket_t fd, short what, void *arg)
{
	procsup_t *p = arg;
	char buf[4096];
	ssize_t r = read(fd, buf, sizeof(buf));

	(void)what;
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {   /* it closed its end: exiting; the reaper does the rest */
		event_free(p->out_ev);
		p->out_ev = NULL;
		close(p->out_fd);
		p->out_fd = -1;
		return;
	}
	for (ssize_t i = 0; i < r; i++) {
		if (buf[i] == '\n') {
			output_line(p, p->line.s ? p->line.s : "");
			strbuf_reset(&p->line);
		} else if (p->line.len < LINE_MAX_LEN) {
			strbuf_addc(&p->line, buf[i]);
		}
	}
}

static void
close_output(procsup_t *p)
{
	/* What it wrote before it died usually says why. */
	for (int i = 0; p->out_ev && i < 64; i++)
		output_cb(p->out_fd, EV_READ, p);
	if (p->line.len > 0)
		output_line(p, p->line.s);
	strbuf_reset(&p->line);
	if (p->out_ev)
		event_free(p->out_ev);
	p->out_ev = NULL;
	if (p->out_fd >= 0)
		close(p->out_fd);
	p->out_fd = -1;
}

static void
schedule(procsup_t *p, int seconds)
{
	struct timeval tv = { seconds, 0 };

	event_add(p->restart_ev, &tv);
}

/* Start again after the backoff, which doubles; say so unless the caller's
 * message already did. */
static void
retry_later(procsup_t *p, int say)
{
	if (say)
		log_info("restarting %s in %d s", p->name, p->backoff_s);
	schedule(p, p->backoff_s);
	p->backoff_s = p->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : p->backoff_s * 2;
}

static void
exited(procsup_t *p, int status)
{
	procsup_exit_t e = { .status = status, .ran_ms = now_ms() - p->spawned_ms };
	int again = p->again;

	p->pid = 0;
	p->kill_sent_ms = 0;
	p->killed_hard = 0;
	close_output(p);
	if (again)               /* procsup_restart(): at once, not a failure */
		p->again = p->stopping = 0;
	e.next = again ? PROCSUP_AT_ONCE : p->stopping ? PROCSUP_NEVER : PROCSUP_BACKOFF;
	if (e.next == PROCSUP_BACKOFF) {
		if (e.ran_ms >= STABLE_MS)
			p->backoff_s = BACKOFF_MIN_S;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && e.ran_ms < 1000 &&
		    !p->last_line[0])
			snprintf(p->last_line, sizeof(p->last_line), "cannot run %s (exit status "
			    "127: missing, or not executable?)", p->argv[0]);
	}
	if (p->hooks.exited)
		p->hooks.exited(p->hooks.arg, &e);
	if (e.next == PROCSUP_NEVER)
		return;
	if (e.next == PROCSUP_AT_ONCE) {
		schedule(p, 0);
		return;
	}
	if (p->hooks.exited == NULL && WIFSIGNALED(status))
		log_warn("%s was killed by signal %d after %lld s; restarting it in %d s",
		    p->name, WTERMSIG(status), (long long)(e.ran_ms / 1000), p->backoff_s);
	else if (p->hooks.exited == NULL)
		log_warn("%s exited with status %d after %lld s; restarting it in %d s",
		    p->name, WEXITSTATUS(status), (long long)(e.ran_ms / 1000), p->backoff_s);
	retry_later(p, p->hooks.exited != NULL);
}

/* 1 and *status if the child has exited (ours, or the spawner's). Never blocks. */
static int
child_done(procsup_t *p, int *status)
{
	int r;

	*status = 0;
	if (p->spawner) {
		r = spawner_reap(p->spawner, p->pid, status);
		if (r < 0)
			*status = SIGKILL;   /* the helper is gone and took the child along */
		return r != 0;
	}
	return waitpid(p->pid, status, WNOHANG) == p->pid;
}

static void
reap(procsup_t *p)
{
	int status;

	if (p->pid > 0 && child_done(p, &status))
		exited(p, status);
}

static void
reap_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	reap(arg);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	procsup_t *p = arg;

	(void)fd;
	(void)what;
	reap(p); /* in case a SIGCHLD was merged with another */
	if (p->pid <= 0 || p->kill_sent_ms == 0 || p->killed_hard ||
	    now_ms() - p->kill_sent_ms < p->stop_wait_ms)
		return;
	/* tor 0.4.9 can deadlock in its worker threads on the way out. */
	log_info("%s (pid %ld) did not stop within %d s; killing it", p->name, (long)p->pid,
	    p->stop_wait_ms / 1000);
	signal_child(p, SIGKILL);
	p->killed_hard = 1;
}

static void
restart_cb(evutil_socket_t fd, short what, void *arg)
{
	procsup_t *p = arg;

	(void)fd;
	(void)what;
	if (p->stopping || p->pid > 0)
		return;
	spawn(p);
}

static void
spawn(procsup_t *p)
{
	int out_fd = -1;
	pid_t pid;

	if (p->hooks.before_start && p->hooks.before_start(p->hooks.arg) < 0) {
		retry_later(p, 1);
		return;
	}
	pid = p->spawner ? spawner_start(p->spawner, p->prog, &out_fd) :
	    spawner_spawn_here(p->argv[0], p->argv, &out_fd);
	if (pid < 0) {
		procsup_exit_t e = { .start_errno = errno, .next = PROCSUP_BACKOFF };

		snprintf(p->last_line, sizeof(p->last_line), "cannot start: %s",
		    strerror(e.start_errno));
		if (p->hooks.exited)
			p->hooks.exited(p->hooks.arg, &e);
		else
			log_warn("cannot start %s (%s): %s; trying again in %d s", p->name,
			    p->argv[0], strerror(e.start_errno), p->backoff_s);
		retry_later(p, p->hooks.exited != NULL);
		return;
	}
	if (p->spawned_ms)
		p->restarts++;
	p->pid = pid;
	p->spawned_ms = now_ms();
	p->kill_sent_ms = 0;
	p->killed_hard = 0;
	p->out_fd = out_fd;
	evutil_make_socket_nonblocking(out_fd);
	p->out_ev = event_new(p->base, out_fd, EV_READ | EV_PERSIST, output_cb, p);
	event_add(p->out_ev, NULL);
	log_info("started %s (pid %ld)", p->name, (long)pid);
	if (p->hooks.started)
		p->hooks.started(p->hooks.arg, (long)pid);
}

procsup_t *
procsup_new(struct event_base *base, const procsup_opts_t *o)
{
	procsup_t *p = xcalloc(1, sizeof(*p));
	int n = 0;

	p->base = base;
	p->name = xstrdup(o->name);
	for (; o->argv[n] && n < ARGV_MAX; n++)
		p->argv[n] = xstrdup(o->argv[n]);
	p->argv[n] = NULL;
	p->spawner = o->spawner;
	p->prog = o->prog;
	p->stop_signal = o->stop_signal ? o->stop_signal : SIGTERM;
	p->stop_wait_ms = o->stop_wait_ms > 0 ? o->stop_wait_ms : STOP_WAIT_MS;
	p->hooks = o->hooks;
	p->out_fd = -1;
	p->backoff_s = BACKOFF_MIN_S;
	strbuf_init(&p->line);
	/* Several SIGCHLD events may share the base (tor's and onionbalance's);
	 * each reaps only its own pid. */
	p->sigchld_ev = evsignal_new(base, SIGCHLD, reap_cb, p);
	if (p->spawner)
		p->spawner_ev = event_new(base, spawner_fd(p->spawner), EV_READ | EV_PERSIST,
		    reap_cb, p);
	p->restart_ev = evtimer_new(base, restart_cb, p);
	p->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, p);
	return p;
}

int
procsup_start(procsup_t *p)
{
	struct timeval sec = { 1, 0 };

	event_add(p->sigchld_ev, NULL);
	if (p->spawner_ev)
		event_add(p->spawner_ev, NULL);
	event_add(p->tick_ev, &sec);
	p->stopping = 0;
	spawn(p);
	return p->pid > 0 ? 0 : -1;
}

void
procsup_kill(procsup_t *p)
{
	if (p->pid <= 0)
		return;
	signal_child(p, p->stop_signal);
	if (p->kill_sent_ms == 0)
		p->kill_sent_ms = now_ms();
}

/* Poll for the child's exit for up to ms; 1 and *status if it exited. */
static int
wait_exit(procsup_t *p, int ms, int *status)
{
	int64_t until = now_ms() + ms;

	while (!child_done(p, status)) {
		if (now_ms() >= until)
			return 0;
		usleep(20 * 1000);
	}
	return 1;
}

/* The stop signal, then wait up to stop_wait_ms for it (blocking: only at
 * shutdown or a restart, and the programs we run stop in milliseconds), then
 * SIGKILL and as long again. */
static void
stop_and_wait(procsup_t *p)
{
	int status = 0;

	if (p->pid <= 0)
		return;
	signal_child(p, p->stop_signal);
	if (!wait_exit(p, p->stop_wait_ms, &status)) {
		log_warn("%s (pid %ld) did not exit in %d s; killing it", p->name, (long)p->pid,
		    p->stop_wait_ms / 1000);
		signal_child(p, SIGKILL);
		if (!wait_exit(p, p->stop_wait_ms, &status)) {
			log_warn("%s (pid %ld) is still there after SIGKILL; leaving it",
			    p->name, (long)p->pid);
			status = SIGKILL;
		}
	}
	exited(p, status);
}

void
procsup_restart(procsup_t *p)
{
	if (p->pid <= 0) {
		event_del(p->restart_ev);
		p->backoff_s = BACKOFF_MIN_S;
		spawn(p);
		return;
	}
	log_info("restarting %s: its configuration changed", p->name);
	p->stopping = p->again = 1;
	p->backoff_s = BACKOFF_MIN_S;
	stop_and_wait(p);
}

void
procsup_shutdown(procsup_t *p)
{
	p->stopping = 1;
	p->again = 0;
	event_del(p->restart_ev);
	event_del(p->tick_ev);
	stop_and_wait(p);
	event_del(p->sigchld_ev);
	if (p->spawner_ev)
		event_del(p->spawner_ev);
}

void
procsup_free_(procsup_t *p)
{
	if (p == NULL)
		return;
	procsup_shutdown(p);
	close_output(p);
	event_free(p->sigchld_ev);
	if (p->spawner_ev)
		event_free(p->spawner_ev);
	event_free(p->restart_ev);
	event_free(p->tick_ev);
	for (int i = 0; p->argv[i]; i++)
		free(p->argv[i]);
	strbuf_release(&p->line);
	free(p->name);
	free(p);
}

long
procsup_pid(const procsup_t *p)
{
	return p->pid > 0 ? (long)p->pid : 0;
}

void
procsup_get_status(const procsup_t *p, procsup_status_t *out)
{
	memset(out, 0, sizeof(*out));
	out->state = p->pid > 0 ? "running" : p->stopping ? "stopped" : "waiting";
	out->pid = p->pid;
	out->restarts = p->restarts;
	snprintf(out->last_line, sizeof(out->last_line), "%s", p->last_line);
}
