/* mirror_sched: see mirror_sched.h. */
#include "serve/mirror_sched.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/text.h"
#include "trust/manifest.h"
#include "trust/mirror_state.h"

#define JOBS_MAX 64
#define RETRY_MAX_S 600         /* a failed run is retried within this */
#define FIRST_RUN_MAX_S 30      /* the first run after start, within this */
#define LINE_KEEP 300
#define RUNNING_MAX 2           /* runs at once; more wait (tor and disk are shared) */
#define BUSY_WAIT_S 30

struct job {
	mirror_sched_t *s;
	char *slug, *origin, *key;
	struct event *timer, *out_ev;
	pid_t pid;
	int out_fd;
	int64_t started_ms, ended_ms, next_ms;   /* unix ms, 0 = not yet */
	int runs, last_status;                   /* as waitpid; -1 = none */
	strbuf_t line;
	char said[LINE_KEEP];                    /* the run's last line of output */
};

struct mirror_sched {
	struct event_base *base;
	runner_t *runner;
	struct event *runner_ev;
	char *data;
	int64_t interval_s, jitter_pct;
	struct job jobs[JOBS_MAX];
	int njobs;
};

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* base seconds, made longer or shorter by up to jitter percent, in ms. */
static int64_t
jittered_ms(int64_t base_s, int64_t jitter_pct)
{
	int64_t base = base_s * 1000, span = base * jitter_pct / 100;

	if (span <= 0)
		return base;
	return base - span + (int64_t)arc4random_uniform((uint32_t)(2 * span + 1));
}

static void
arm(struct job *j, int64_t at_ms)
{
	int64_t d = at_ms - wall_ms();
	struct timeval tv;

	if (d < 0)
		d = 0;
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	j->next_ms = at_ms;
	evtimer_add(j->timer, &tv);
}

static void
out_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	char buf[4096];
	ssize_t r = read(fd, buf, sizeof(buf));

	(void)what;
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		event_free(j->out_ev);
		j->out_ev = NULL;
		close(j->out_fd);
		j->out_fd = -1;
		return;
	}
	for (ssize_t i = 0; i < r; i++) {
		if (buf[i] == '\n' || buf[i] == '\r') {
			if (j->line.len > 0) {
				snprintf(j->said, sizeof(j->said), "%s", j->line.s);
				log_info("mirror %s: %s", j->slug, j->line.s);
			}
			strbuf_reset(&j->line);
		} else if (j->line.len < LINE_KEEP - 1) {
			strbuf_addc(&j->line, buf[i]);
		}
	}
}

static void
run(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	mirror_sched_t *s = j->s;

	(void)fd;
	(void)what;
	if (j->pid > 0)
		return;
	{
		int running = 0;
		for (int i = 0; i < s->njobs; i++)
			running += s->jobs[i].pid > 0;
		if (running >= RUNNING_MAX) {
			arm(j, wall_ms() + jittered_ms(BUSY_WAIT_S, s->jitter_pct));
			return;
		}
	}
	if (j->out_ev) {   /* the last run's pipe, not yet at its end */
		event_free(j->out_ev);
		j->out_ev = NULL;
		close(j->out_fd);
		j->out_fd = -1;
	}
	j->pid = runner_run(s->runner, (int)(j - s->jobs), &j->out_fd);
	if (j->pid < 0) {
		log_warn("mirror %s: cannot start a run: %s; trying again later", j->slug, strerror(errno));
		j->pid = 0;
		arm(j, wall_ms() + jittered_ms(s->interval_s < RETRY_MAX_S ? s->interval_s : RETRY_MAX_S,
		    s->jitter_pct));
		return;
	}
	j->started_ms = wall_ms();
	j->next_ms = 0;
	j->runs++;
	log_info("mirror %s: run %d started (pid %ld)", j->slug, j->runs, (long)j->pid);
	if (j->out_fd >= 0) {
		(void)fcntl(j->out_fd, F_SETFL, fcntl(j->out_fd, F_GETFL) | O_NONBLOCK);
		j->out_ev = event_new(s->base, j->out_fd, EV_READ | EV_PERSIST, out_cb, j);
		event_add(j->out_ev, NULL);
	}
}

static void
ended(struct job *j, int status)
{
	mirror_sched_t *s = j->s;
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	int64_t wait_s = ok || s->interval_s < RETRY_MAX_S ? s->interval_s : RETRY_MAX_S;

	j->pid = 0;
	j->last_status = status;
	j->ended_ms = wall_ms();
	if (ok)
		log_info("mirror %s: run %d done in %.1f s", j->slug, j->runs,
		    (double)(j->ended_ms - j->started_ms) / 1000.0);
	else
		log_warn("mirror %s: run %d failed (%s %d); the installed version is still served", j->slug, j->runs,
		    WIFEXITED(status) ? "exit status" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) :
		    WTERMSIG(status));
	arm(j, j->ended_ms + jittered_ms(wait_s, s->jitter_pct));
}

static void
runner_cb(evutil_socket_t fd, short what, void *arg)
{
	mirror_sched_t *s = arg;
	int status;

	(void)fd;
	(void)what;
	for (int i = 0; i < s->njobs; i++) {
		struct job *j = &s->jobs[i];
		int r = j->pid > 0 ? runner_reap(s->runner, j->pid, &status) : 0;
		if (r == 1)
			ended(j, status);
		else if (r < 0) {
			log_warn("the mirror runs' runner is gone; mirrors are no longer followed");
			event_del(s->runner_ev);
			return;
		}
	}
}

char **
mirror_sched_argv(const char *exe, const char *data_root, const conf_t *conf, const char *socks,
    const char *origin, const char *key)
{
	const char *v[] = { exe, "--data", data_root, "mirror", origin, "--publisher-key", key, "--socks", socks,
		"--quiet", "--max-manifest-size", NULL, "--quarantine-max", NULL, "--deadline", NULL, "--min-rate",
		NULL, "--min-rate-time", NULL, "--max-removals", NULL };
	int64_t n[] = { conf->mirror_max_manifest_size, conf->mirror_quarantine_max, conf->mirror_deadline,
		conf->mirror_min_rate, conf->mirror_min_rate_time, conf->mirror_max_removals };
	char **argv = xcalloc(ARRAY_LEN(v) + 1, sizeof(*argv));

	for (size_t i = 0, k = 0; i < ARRAY_LEN(v); i++)
		argv[i] = v[i] ? xstrdup(v[i]) : xasprintf("%lld", (long long)n[k++]);
	return argv;
}

mirror_sched_t *
mirror_sched_new(struct event_base *base, runner_t *runner, const char *data_root, const conf_t *conf)
{
	mirror_sched_t *s = xcalloc(1, sizeof(*s));

	s->base = base;
	s->runner = runner;
	s->data = xstrdup(data_root);
	s->interval_s = conf->mirror_interval;
	s->jitter_pct = conf->mirror_jitter;
	s->runner_ev = event_new(base, runner_fd(runner), EV_READ | EV_PERSIST, runner_cb, s);
	event_add(s->runner_ev, NULL);
	return s;
}

void
mirror_sched_add(mirror_sched_t *s, const char *slug, const char *origin, const char *key)
{
	struct job *j;
	mirror_state_t st;
	int64_t now = wall_ms(), first_max, at;

	if (s->njobs >= JOBS_MAX) {
		log_warn("mirror %s: more than %d mirrored collections; not following this one", slug, JOBS_MAX);
		return;
	}
	j = &s->jobs[s->njobs++];
	memset(j, 0, sizeof(*j));
	j->s = s;
	j->slug = xstrdup(slug);
	j->origin = xstrdup(origin);
	j->key = xstrdup(key);
	j->out_fd = -1;
	j->last_status = -1;
	strbuf_init(&j->line);
	j->timer = evtimer_new(s->base, run, j);
	/* A run recorded before (by hand, or before a restart) counts: the next
	 * comes an interval after it, but never all at once right at start. */
	first_max = (s->interval_s < FIRST_RUN_MAX_S ? s->interval_s : FIRST_RUN_MAX_S) * 1000;
	at = now + (int64_t)arc4random_uniform((uint32_t)first_max + 1);
	if (mirror_state_read(s->data, slug, &st) && st.last_attempt > 0) {
		int64_t after = st.last_attempt * 1000 + jittered_ms(st.error[0] && s->interval_s > RETRY_MAX_S ?
		    RETRY_MAX_S : s->interval_s, s->jitter_pct);
		if (after > at)
			at = after;
	}
	arm(j, at);
}

void
mirror_sched_free_(mirror_sched_t *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->njobs; i++) {
		struct job *j = &s->jobs[i];
		if (j->out_ev)
			event_free(j->out_ev);
		if (j->out_fd >= 0)
			close(j->out_fd);
		event_free(j->timer);
		strbuf_release(&j->line);
		free(j->slug);
		free(j->origin);
		free(j->key);
	}
	event_free(s->runner_ev);
	free(s->data);
	free(s);
}

static void
json_str(strbuf_t *out, const char *s)
{
	if (s && *s)
		text_json(out, s, 0);
	else
		strbuf_adds(out, "null");
}

static void
write_one(const mirror_sched_t *s, const struct job *j, strbuf_t *out, int json)
{
	char *dir = manifest_dir(s->data, j->slug), vi[48], vs[48];
	manifest_version_t inst = { 0, 0 };
	mirror_state_t st;
	int have = manifest_dir_version(dir, &inst) == 1, behind;
	int64_t lag = 0, now = wall_ms();

	free(dir);
	(void)mirror_state_read(s->data, j->slug, &st);
	manifest_version_format(&inst, vi, sizeof(vi));
	manifest_version_format(&st.seen, vs, sizeof(vs));
	behind = st.seen.time != 0 && (!have || manifest_version_cmp(&st.seen, &inst) > 0);
	if (behind)
		lag = st.seen.time - inst.time;
	if (json) {
		strbuf_adds(out, "{\"slug\":");
		text_json(out, j->slug, 0);
		strbuf_adds(out, ",\"origin\":");
		text_json(out, j->origin, 0);
		strbuf_addf(out, ",\"state\":\"%s\",\"runs\":%d,\"last_attempt\":%lld,\"last_success\":%lld,"
		    "\"installed\":", j->pid > 0 ? "running" : "waiting", j->runs, (long long)st.last_attempt,
		    (long long)st.last_success);
		json_str(out, have ? vi : NULL);
		strbuf_adds(out, ",\"origin_newest\":");
		json_str(out, st.seen.time ? vs : NULL);
		strbuf_addf(out, ",\"behind\":%s,\"lag_s\":%lld,\"last_error\":", behind ? "true" : "false",
		    (long long)lag);
		json_str(out, st.error);
		strbuf_addf(out, ",\"run_started_ms\":%lld,\"run_ended_ms\":%lld,\"next_run_ms\":%lld,\"said\":",
		    (long long)j->started_ms, (long long)j->ended_ms, (long long)j->next_ms);
		json_str(out, j->said);
		strbuf_adds(out, "}");
		return;
	}
	strbuf_addf(out, "mirror             %s from %s\n", j->slug, j->origin);
	strbuf_addf(out, "  installed        %s; origin's newest seen %s%s", have ? vi : "(nothing yet)",
	    st.seen.time ? vs : "(none yet)", behind ? ", behind" : ", up to date");
	if (behind && have)
		strbuf_addf(out, " by %lld s", (long long)lag);
	strbuf_adds(out, "\n");
	if (st.last_success)
		strbuf_addf(out, "  last success     %lld s ago\n", (long long)(now / 1000 - st.last_success));
	else
		strbuf_adds(out, "  last success     never\n");
	if (j->pid > 0)
		strbuf_addf(out, "  running          for %lld s\n", (long long)((now - j->started_ms) / 1000));
	else if (j->next_ms)
		strbuf_addf(out, "  next run         in %lld s\n", (long long)((j->next_ms - now + 999) / 1000));
	if (st.error[0])
		strbuf_addf(out, "  last error       %s\n", st.error);
}

void
mirror_sched_write_status(const mirror_sched_t *s, strbuf_t *out, int json)
{
	if (json)
		strbuf_adds(out, ",\"mirrors\":[");
	for (int i = 0; s && i < s->njobs; i++) {
		if (json && i)
			strbuf_adds(out, ",");
		write_one(s, &s->jobs[i], out, json);
	}
	if (json)
		strbuf_adds(out, "]");
}
