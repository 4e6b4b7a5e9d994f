/* test_torsup: the supervisor against the real tor, without a network
 * (DisableNetwork 1 through the append file): spawn, SAFECOOKIE, ownership,
 * bootstrap polling, CLOSECIRCUIT, restart after kill -9, clean shutdown; and a
 * tor that refuses its config (degraded, tor's reason in last_problem, backoff).
 * The private-network behaviour is in tests/e2e/tor_supervisor.sh.
 * Set TOR=/path/to/tor to choose the binary. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "base/log.h"
#include "onion/onion.h"
#include "onion/torsup.h"
#include "unit.h"
#include "base/util.h"

static struct event_base *base;

static void
stop_loop(evutil_socket_t fd, short what, void *arg)
{
	event_base_loopbreak(base);
}

/* Run the loop until cond(t) holds or seconds pass; 0 if it held. */
static int
run_until(torsup_t *t, int (*cond)(torsup_t *), int seconds)
{
	struct timeval tenth = { 0, 100 * 1000 };
	struct event *ev = evtimer_new(base, stop_loop, NULL);
	int64_t end = now_ms() + seconds * 1000;
	int rc = -1;

	while (now_ms() < end) {
		if (cond(t)) {
			rc = 0;
			break;
		}
		evtimer_add(ev, &tenth);
		event_base_dispatch(base);
	}
	event_free(ev);
	return rc;
}

static torsup_status_t st;
static long old_pid;

static int
is_bootstrapping(torsup_t *t)
{
	torsup_get_status(t, &st);
	return strcmp(st.state, "bootstrapping") == 0 && st.tor_pid > 0;
}

static int
is_restarted(torsup_t *t)
{
	torsup_get_status(t, &st);
	return st.restarts >= 1 && st.tor_pid > 0 && st.tor_pid != old_pid &&
	    strcmp(st.state, "bootstrapping") == 0;
}

static int
is_degraded_twice(torsup_t *t)
{
	torsup_get_status(t, &st);
	return strcmp(st.state, "degraded") == 0 && st.restarts >= 1 && st.tor_pid == 0;
}

static int
pid_gone(long pid)
{
	char path[64], buf[256];
	FILE *f;
	char *p;

	if (kill((pid_t)pid, 0) < 0)
		return 1;
	/* A zombie is gone too (its parent, us, has just not reaped it). */
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[2] == 'Z';
}

static torsup_t *
make(const char *tmp, const char *name, const char *append_text, int sandbox)
{
	char *d = xasprintf("%s/%s", tmp, name);
	char *tor = xasprintf("%s/tor", d), *run = xasprintf("%s/run", d);
	char *onion = xasprintf("%s/onion", d), *sock = xasprintf("%s/run/http.sock", d);
	char *append = xasprintf("%s/append", d);
	torsup_t *t;

	mkdir_p(d, 0700);
	onion_key_create(onion);
	write_file_atomic(append, append_text, strlen(append_text), 0600);
	t = torsup_new(base, &(torsup_opts_t){
		.tor_path = getenv("TOR") ? getenv("TOR") : "/usr/bin/tor",
		.tor_data_dir = tor, .run_dir = run, .onion_dir = onion, .http_socket = sock,
		.config_append = append, .max_streams = 8, .pow = 1, .intro_dos = 1,
		.sandbox = sandbox, .socks_port = 0,
	});
	free(d);
	free(tor);
	free(run);
	free(onion);
	free(sock);
	free(append);
	return t;
}

int
main(void)
{
	char tmpl[] = "/tmp/tsup.XXXXXX";
	char *tmp = mkdtemp(tmpl), addr[ONION_ADDRESS_LEN], *onion;
	torsup_t *t;
	long pid;

	log_set_level(getenv("TEST_DEBUG") ? LOG_DEBUG : LOG_ERR);
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();

	/* A working tor that stays off the network, seccomp-sandboxed as in
	 * production (Sandbox 1 changes what tor accepts on the control port and
	 * how it takes signals). */
	t = make(tmp, "ok", "DisableNetwork 1\n", 1);
	torsup_get_status(t, &st);
	is_str(st.state, "stopped", "state before start");
	ok(torsup_close_circuit(t, 1) < 0, "no CLOSECIRCUIT before start");
	is_int(torsup_start(t), 0, "start");
	ok(run_until(t, is_bootstrapping, 30) == 0, "authenticated and polling bootstrap (state %s)",
	    st.state);
	onion = xasprintf("%s/ok/onion", tmp);
	onion_address(onion, addr);
	is_str(st.address, addr, "status address");
	is_int(st.bootstrap, 0, "no bootstrap progress without network");
	is_int(torsup_close_circuit(t, 12345), 0, "CLOSECIRCUIT sent (tor answers 552)");

	old_pid = st.tor_pid;
	kill((pid_t)old_pid, SIGKILL);
	ok(run_until(t, is_restarted, 30) == 0, "restarted after kill -9 (restarts %d, pid %ld)",
	    st.restarts, st.tor_pid);
	ok(strstr(st.last_problem, "killed by signal 9") != NULL, "problem: %s", st.last_problem);
	ok(pid_gone(old_pid), "old tor reaped");

	pid = st.tor_pid;
	{
		int64_t t0 = now_ms();
		torsup_shutdown(t);
		ok(now_ms() - t0 < 5000, "sandboxed tor stops at once (%lld ms)",
		    (long long)(now_ms() - t0));
	}
	torsup_get_status(t, &st);
	is_str(st.state, "stopped", "stopped");
	is_int(st.tor_pid, 0, "no pid after shutdown");
	ok(pid_gone(pid), "tor exited on shutdown");
	torsup_free(t);

	/* A tor that refuses its config: degraded, with tor's own reason. */
	t = make(tmp, "bad", "NoSuchOption 1\n", 0);
	is_int(torsup_start(t), 0, "start (the spawn itself works)");
	ok(run_until(t, is_degraded_twice, 30) == 0, "degraded, restarted with backoff");
	ok(strstr(st.last_problem, "NoSuchOption") != NULL, "problem names the option: %s",
	    st.last_problem);
	torsup_free(t);

	free(onion);
	event_base_free(base);
	{
		char *cmd = xasprintf("rm -rf '%s'", tmp);
		(void)!system(cmd);
		free(cmd);
	}
	return unit_done();
}
