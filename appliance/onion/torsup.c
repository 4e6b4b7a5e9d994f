/* torsup: see torsup.h.
 *
 * One tor at a time, run by procsup (spawn, reap, restart with backoff, its
 * log lines); this file is what is particular to tor: the torrc written before
 * each start, and the control connection: connect (retried until tor has
 * opened it) → PROTOCOLINFO → AUTHCHALLENGE → AUTHENTICATE → TAKEOWNERSHIP →
 * RESETCONF __OwningControllerProcess → SETEVENTS → follow events.
 * Tor replies in order, so commands in flight are a FIFO of expected replies. */
#include "onion/torsup.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/crypto.h>

#include "base/log.h"
#include "onion/onion.h"
#include "onion/procsup.h"
#include "onion/spawner.h"
#include "onion/torctl.h"
#include "onion/torrc.h"
#include "base/text.h"
#include "base/util.h"

#define CONNECT_RETRY_MS    100
#define HANDSHAKE_LIMIT_MS  (60 * 1000)   /* spawn → authenticated (slow disks, sandbox) */
#define STUCK_LIMIT_MS      (60 * 1000)   /* no bootstrap progress → degraded */
#define PUBLISH_LIMIT_MS    (5 * 60 * 1000)
#define POLL_EVERY_MS       5000          /* GETINFO status/bootstrap-phase */
#define SHUTDOWN_WAIT_MS    10000

enum reply_kind {
	R_PROTOCOLINFO, R_AUTHCHALLENGE, R_AUTHENTICATE, R_TAKEOWNERSHIP,
	R_RESETCONF, R_SETEVENTS, R_BOOTSTRAP, R_CLOSECIRCUIT,
};

enum sup_state { S_STARTING, S_BOOTSTRAPPING, S_PUBLISHING, S_PUBLISHED, S_DEGRADED, S_STOPPED };
static const char *state_names[] = {
	"starting", "bootstrapping", "publishing", "published", "degraded", "stopped",
};

struct torsup {
	struct event_base *base;
	char *tor_path, *data_dir, *run_dir, *onion_dir, *http_socket, *append;
	char *admin_dir, *admin_socket, *socks_socket;
	char *torrc_path, *ctl_path, *cookie_path;
	torrc_opts_t rc;

	procsup_t *proc;               /* runs tor */
	struct spawner *spawner;       /* starts tor and filters its control port */
	int via_spawner;
	int starts;
	int64_t spawned_ms;
	char last_tor_warning[200];

	struct event *tick_ev;         /* 1 s: poll, stuck detection */
	struct event *connect_ev;      /* control socket retry */

	struct bufferevent *ctl;
	torctl_parser_t *parser;
	enum reply_kind pending[64];   /* FIFO of replies we wait for */
	size_t npending;
	int authenticated;
	uint8_t client_nonce[TORCTL_NONCE_LEN];
	int64_t last_poll_ms;

	enum sup_state state;
	int bootstrap;
	char bootstrap_summary[128];
	char bootstrap_warning[128];
	char bootstrap_reason[128];
	int64_t progress_ms;           /* last time bootstrap advanced */
	int64_t publishing_ms;         /* reached 100 % */
	int stuck_reported, publish_reported;
	int uploads, restarts;
	int shutting_down;
	int we_killed;                 /* we stopped it and already said why */
	char address[ONION_ADDRESS_LEN];
	char last_problem[256];
};

static void ctl_close(torsup_t *t);
static void ctl_ready(torsup_t *t);

/* Ask tor to exit; procsup escalates to SIGKILL if it hangs (tor 0.4.9 can
 * deadlock in its worker threads on the way out) and restarts it. */
static void
stop_tor(torsup_t *t)
{
	procsup_kill(t->proc);
}

static void
set_state(torsup_t *t, enum sup_state s)
{
	if (t->state == s)
		return;
	log_debug("tor state %s -> %s", state_names[t->state], state_names[s]);
	t->state = s;
}

/* Record a problem and tell the operator once, in words that say what still works. */
static void
degrade(torsup_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
degrade(torsup_t *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->last_problem, sizeof(t->last_problem), fmt, ap);
	va_end(ap);
	log_warn("%s", t->last_problem);
	if (!t->shutting_down)
		set_state(t, S_DEGRADED);
}

/* One line of tor's output (procsup's line hook). */
static void
tor_output_line(void *arg, const char *line)
{
	torsup_t *t = arg;
	/* "Nov 25 22:05:03.552 [warn] text": drop the date, keep the level. */
	const char *lvl = strstr(line, " [");
	const char *msg = lvl ? lvl + 1 : line;

	if (strncmp(msg, "[warn]", 6) == 0 || strncmp(msg, "[err]", 5) == 0) {
		log_info("tor: %s", msg);
		/* Keep the warning that explains, not the summary after it. */
		if (strstr(msg, "see warnings above") == NULL)
			snprintf(t->last_tor_warning, sizeof(t->last_tor_warning),
			    "%s", msg + (msg[1] == 'w' ? 7 : 6));
	} else {
		log_debug("tor: %s", msg);
	}
}

/* ---- control connection ------------------------------------------------ */

/* Queue a command line; -1 if not connected or too many are in flight. */
static int
ctl_send(torsup_t *t, enum reply_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
ctl_send(torsup_t *t, enum reply_kind kind, const char *fmt, ...)
{
	struct evbuffer *out;
	va_list ap;

	if (t->ctl == NULL || t->npending == ARRAY_LEN(t->pending))
		return -1;
	out = bufferevent_get_output(t->ctl);
	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\r\n", 2);
	t->pending[t->npending++] = kind;
	return 0;
}

static void
note_bootstrap(torsup_t *t, const char *text)
{
	char v[128];
	int64_t pct;

	if (torctl_kv_get(text, "PROGRESS", v, sizeof(v)) < 0 ||
	    parse_int64(v, 0, 100, &pct) < 0)
		return;
	if (torctl_kv_get(text, "SUMMARY", v, sizeof(v)) == 0)
		snprintf(t->bootstrap_summary, sizeof(t->bootstrap_summary), "%s", v);
	if (torctl_kv_get(text, "WARNING", v, sizeof(v)) == 0)
		snprintf(t->bootstrap_warning, sizeof(t->bootstrap_warning), "%s", v);
	if (torctl_kv_get(text, "REASON", v, sizeof(v)) == 0)
		snprintf(t->bootstrap_reason, sizeof(t->bootstrap_reason), "%s", v);
	if ((int)pct > t->bootstrap) {
		t->bootstrap = (int)pct;
		t->progress_ms = now_ms();
		if (t->stuck_reported) {
			log_info("tor is making progress again (bootstrap %d%%)", t->bootstrap);
			t->stuck_reported = 0;
		}
	}
	if (t->state == S_PUBLISHED)
		return;
	if (t->bootstrap >= 100) {
		if (t->state != S_PUBLISHING) {
			log_info("tor has joined the Tor network; publishing the onion service");
			t->publishing_ms = now_ms();
		}
		set_state(t, S_PUBLISHING);
	} else if (!t->stuck_reported) {
		set_state(t, S_BOOTSTRAPPING);
	}
}

static void
note_hs_desc(torsup_t *t, const char *text)
{
	char action[32], addr[80];

	if (torctl_word(text, 1, action, sizeof(action)) < 0 ||
	    torctl_word(text, 2, addr, sizeof(addr)) < 0)
		return;
	if (t->address[0] == '\0' || strncmp(addr, t->address, 56) != 0 || addr[56] != '\0')
		return;
	if (strcmp(action, "UPLOADED") == 0) {
		t->uploads++;
		if (t->state != S_PUBLISHED && !t->shutting_down) {
			log_info("onion service published: http://%s/", t->address);
			t->publish_reported = 0;
			set_state(t, S_PUBLISHED);
		}
	} else if (strcmp(action, "FAILED") == 0) {
		char reason[64] = "unknown";
		torctl_kv_get(text, "REASON", reason, sizeof(reason));
		log_debug("descriptor upload failed: %s", reason);
	}
}

static void
on_event(torsup_t *t, const torctl_reply_t *r)
{
	const char *text = r->lines[0].text;

	log_debug("tor event: %s", text);
	if (strncmp(text, "STATUS_CLIENT ", 14) == 0) {
		char what[32];
		if (torctl_word(text, 2, what, sizeof(what)) == 0 &&
		    strcmp(what, "BOOTSTRAP") == 0)
			note_bootstrap(t, text);
	} else if (strncmp(text, "HS_DESC ", 8) == 0) {
		note_hs_desc(t, text);
	}
}

static int
start_authchallenge(torsup_t *t, const torctl_reply_t *r)
{
	char methods[128] = "", hex[2 * TORCTL_NONCE_LEN + 1];

	for (size_t i = 0; i < r->n; i++)
		if (strncmp(r->lines[i].text, "AUTH ", 5) == 0)
			torctl_kv_get(r->lines[i].text, "METHODS", methods, sizeof(methods));
	if (strstr(methods, "SAFECOOKIE") == NULL) {
		degrade(t, "tor does not offer SAFECOOKIE authentication (methods: %s); "
		    "is %s our tor?", methods, t->ctl_path);
		return -1;
	}
	if (torctl_safecookie_nonce(t->client_nonce) < 0)
		return -1;
	text_hex(hex, t->client_nonce, TORCTL_NONCE_LEN);
	ctl_send(t, R_AUTHCHALLENGE, "AUTHCHALLENGE SAFECOOKIE %s", hex);
	return 0;
}

static int
answer_challenge(torsup_t *t, const torctl_reply_t *r)
{
	uint8_t sh[TORCTL_HASH_LEN], sn[TORCTL_NONCE_LEN], ch[TORCTL_HASH_LEN];
	char hex[2 * TORCTL_HASH_LEN + 1];
	size_t len = 0;
	char *cookie = read_file_small(t->cookie_path, 64, &len);
	int rc = -1;

	if (cookie == NULL || len != TORCTL_COOKIE_LEN) {
		degrade(t, "cannot read tor's control cookie %s: %s", t->cookie_path,
		    cookie ? "wrong size" : strerror(errno));
		goto done;
	}
	if (torctl_parse_authchallenge(r->lines[0].text, sh, sn) < 0) {
		degrade(t, "tor sent a malformed AUTHCHALLENGE reply");
		goto done;
	}
	if (torctl_safecookie_respond((uint8_t *)cookie, t->client_nonce, sn, sh, ch) < 0) {
		degrade(t, "tor's control socket failed SAFECOOKIE authentication");
		goto done;
	}
	text_hex(hex, ch, TORCTL_HASH_LEN);
	ctl_send(t, R_AUTHENTICATE, "AUTHENTICATE %s", hex);
	rc = 0;
done:
	if (cookie)
		OPENSSL_cleanse(cookie, len);
	free(cookie);
	return rc;
}

/* Handle one reply to a command of ours; -1 drops the connection. */
static int
on_reply(torsup_t *t, enum reply_kind kind, const torctl_reply_t *r)
{
	const char *text = r->lines[0].text;

	if (kind == R_CLOSECIRCUIT) {
		/* 552: the circuit is already gone, which is what we wanted. */
		log_debug("CLOSECIRCUIT: %d %s", r->code, text);
		return 0;
	}
	if (kind == R_BOOTSTRAP) {
		if (r->code == 250 && strncmp(text, "status/bootstrap-phase=", 23) == 0)
			note_bootstrap(t, text + 23);
		return 0;
	}
	if (r->code != 250) {
		degrade(t, "tor refused a control command (%d %s)", r->code, text);
		return -1;
	}
	switch (kind) {
	case R_PROTOCOLINFO:
		return start_authchallenge(t, r);
	case R_AUTHCHALLENGE:
		return answer_challenge(t, r);
	case R_AUTHENTICATE:
		ctl_ready(t);
		return 0;
	case R_SETEVENTS:
		log_debug("control connection ready (tor pid %ld)", procsup_pid(t->proc));
		if (t->address[0] == '\0' && t->onion_dir)
			onion_address(t->onion_dir, t->address);
		return 0;
	default:
		return 0;
	}
}

/* Authenticated: ask for what we follow. */
static void
ctl_ready(torsup_t *t)
{
	t->authenticated = 1;
	/* Through the spawner, tor's owner is the spawner (its pid on
	 * tor's command line), and the filter refuses ownership games. */
	if (!t->spawner) {
		/* From now on tor exits when this connection closes: no orphan
		 * tor if we crash. The command-line owner pid is then redundant. */
		ctl_send(t, R_TAKEOWNERSHIP, "TAKEOWNERSHIP");
		/* Under Sandbox 1 any RESETCONF makes tor 0.4.9 re-load the onion
		 * keys, which seccomp forbids (opendir on HiddenServiceDir), and tor
		 * dies "in a broken state". Owner pid = our pid is harmless to keep. */
		if (!t->rc.sandbox)
			ctl_send(t, R_RESETCONF, "RESETCONF __OwningControllerProcess");
	}
	ctl_send(t, R_SETEVENTS, "SETEVENTS STATUS_CLIENT HS_DESC");
	ctl_send(t, R_BOOTSTRAP, "GETINFO status/bootstrap-phase");
	t->last_poll_ms = now_ms();
}

static void
ctl_read_cb(struct bufferevent *bev, void *arg)
{
	torsup_t *t = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	char buf[4096];
	int n;
	torctl_reply_t *r;

	while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0) {
		if (torctl_parser_feed(t->parser, buf, (size_t)n) < 0) {
			degrade(t, "tor sent a malformed control reply; reconnecting");
			goto drop;
		}
		while ((r = torctl_parser_next(t->parser)) != NULL) {
			int rc = 0;
			if (r->async) {
				on_event(t, r);
			} else if (t->npending == 0) {
				log_debug("unexpected control reply %d", r->code);
			} else {
				enum reply_kind k = t->pending[0];
				memmove(t->pending, t->pending + 1,
				    --t->npending * sizeof(t->pending[0]));
				rc = on_reply(t, k, r);
			}
			torctl_reply_free(r);
			if (rc < 0)
				goto drop;
		}
	}
	return;
drop:
	/* Without a working control connection tor is unowned: stop it;
	 * procsup restarts it. */
	ctl_close(t);
	t->we_killed = 1;
	stop_tor(t);
}

static void
ctl_event_cb(struct bufferevent *bev, short what, void *arg)
{
	torsup_t *t = arg;

	if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
		return;
	ctl_close(t);
	if (t->shutting_down)
		return;
	/* Usually tor is dying and its exit will say so (one warning, with
	 * the reason). If it is not, an unowned tor must not linger. */
	log_info("lost the control connection to tor");
	stop_tor(t);
}

static void
ctl_close(torsup_t *t)
{
	if (t->ctl) {
		/* libevent 2.1 closes the fd of a freed bufferevent only when the
		 * loop runs again; tor must see EOF now (it exits on it). */
		evutil_socket_t fd = bufferevent_getfd(t->ctl);
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
		bufferevent_free(t->ctl);
	}
	t->ctl = NULL;
	torctl_parser_free(t->parser);
	t->npending = 0;
	t->authenticated = 0;
	if (t->connect_ev)
		event_del(t->connect_ev);
}

static void
connect_cb(evutil_socket_t unused, short what, void *arg)
{
	torsup_t *t = arg;
	struct sockaddr_un sa;
	struct timeval tv = { 0, CONNECT_RETRY_MS * 1000 };
	int fd;

	if (procsup_pid(t->proc) <= 0 || t->ctl != NULL)
		return;
	if (t->spawner) {
		/* A connection through the filter, authenticated by the spawner. */
		if ((fd = spawner_connect(t->spawner)) < 0) {
			if (now_ms() - t->spawned_ms < HANDSHAKE_LIMIT_MS)
				event_add(t->connect_ev, &tv);
			return;
		}
		evutil_make_socket_nonblocking(fd);
		t->ctl = bufferevent_socket_new(t->base, fd, BEV_OPT_CLOSE_ON_FREE);
		t->parser = torctl_parser_new();
		bufferevent_setcb(t->ctl, ctl_read_cb, NULL, ctl_event_cb, t);
		bufferevent_enable(t->ctl, EV_READ | EV_WRITE);
		ctl_ready(t);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, t->ctl_path, strlen(t->ctl_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		/* Not there yet (ENOENT) or not listening yet (ECONNREFUSED). */
		if (fd >= 0)
			close(fd);
		if (now_ms() - t->spawned_ms < HANDSHAKE_LIMIT_MS)
			event_add(t->connect_ev, &tv);
		return;
	}
	t->ctl = bufferevent_socket_new(t->base, fd, BEV_OPT_CLOSE_ON_FREE);
	t->parser = torctl_parser_new();
	bufferevent_setcb(t->ctl, ctl_read_cb, NULL, ctl_event_cb, t);
	bufferevent_enable(t->ctl, EV_READ | EV_WRITE);
	ctl_send(t, R_PROTOCOLINFO, "PROTOCOLINFO 1");
}

/* ---- the process (run by procsup; these are its hooks) ----------------- */

/* Before each start: a fresh torrc. */
static int
before_start(void *arg)
{
	torsup_t *t = arg;

	if (t->starts++ > 0)
		t->restarts++;
	if (t->spawner)
		return 0;   /* the spawner writes the torrc */
	/* Stale files from a killed tor would make us talk to nobody or read an
	 * old cookie; tor writes fresh ones. */
	unlink(t->cookie_path);
	unlink(t->ctl_path);
	if (torrc_write(&t->rc, t->torrc_path) < 0) {
		degrade(t, "cannot write %s; tor not started", t->torrc_path);
		return -1;
	}
	return 0;
}

static void
started(void *arg, long pid)
{
	torsup_t *t = arg;

	(void)pid;
	t->spawned_ms = now_ms();
	t->last_tor_warning[0] = '\0';
	t->we_killed = 0;
	t->bootstrap = 0;
	t->bootstrap_summary[0] = t->bootstrap_warning[0] = t->bootstrap_reason[0] = '\0';
	t->progress_ms = t->spawned_ms;
	t->stuck_reported = t->publish_reported = 0;
	if (t->state != S_DEGRADED)
		set_state(t, S_STARTING);
	connect_cb(-1, 0, t);
}

static void
exited(void *arg, const procsup_exit_t *e)
{
	torsup_t *t = arg;
	char how[64];

	ctl_close(t);
	if (t->shutting_down || e->next == PROCSUP_NEVER) {
		set_state(t, S_STOPPED);
		return;
	}
	if (e->start_errno) {
		degrade(t, "cannot start tor%s: %s", t->via_spawner ? " through the spawner" : "",
		    strerror(e->start_errno));
		return;
	}
	if (WIFSIGNALED(e->status))
		snprintf(how, sizeof(how), "was killed by signal %d", WTERMSIG(e->status));
	else
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(e->status));
	if (t->we_killed)
		log_info("tor %s", how);
	else if (WIFEXITED(e->status) && t->last_tor_warning[0])
		/* tor stopped by itself: its last warning usually says why. */
		degrade(t, "tor %s after %lld s (its last warning: %s); the local preview "
		    "keeps working", how, (long long)(e->ran_ms / 1000), t->last_tor_warning);
	else
		degrade(t, "tor %s after %lld s; restarting it; the local preview keeps working", how,
		    (long long)(e->ran_ms / 1000));
}

void
torsup_restart(torsup_t *t)
{
	if (procsup_pid(t->proc) <= 0 || t->shutting_down)
		return;
	t->we_killed = 1;   /* its exit is no failure */
	procsup_restart(t->proc);
}

static void
tick_cb(evutil_socket_t unused, short what, void *arg)
{
	torsup_t *t = arg;
	int64_t now = now_ms();

	if (procsup_pid(t->proc) <= 0 || t->shutting_down)
		return;
	if (!t->authenticated && now - t->spawned_ms >= HANDSHAKE_LIMIT_MS) {
		if (!t->we_killed)
			degrade(t, "tor did not answer on its control socket %s within "
			    "%d s; restarting it", t->ctl_path, HANDSHAKE_LIMIT_MS / 1000);
		t->we_killed = 1;
		stop_tor(t);
		return;
	}
	if (!t->authenticated)
		return;
	if (t->bootstrap < 100 && now - t->last_poll_ms >= POLL_EVERY_MS) {
		ctl_send(t, R_BOOTSTRAP, "GETINFO status/bootstrap-phase");
		t->last_poll_ms = now;
	}
	if (t->bootstrap < 100 && !t->stuck_reported && now - t->progress_ms >= STUCK_LIMIT_MS) {
		t->stuck_reported = 1;
		degrade(t, "tor cannot reach the Tor network (bootstrap stuck at %d%%: %s; %s); "
		    "the local preview keeps working", t->bootstrap,
		    t->bootstrap_summary[0] ? t->bootstrap_summary : "starting",
		    torctl_bootstrap_problem(t->bootstrap_reason, t->bootstrap_warning));
	}
	if (t->state == S_PUBLISHING && !t->publish_reported &&
	    now - t->publishing_ms >= PUBLISH_LIMIT_MS) {
		t->publish_reported = 1;
		degrade(t, "tor is connected but has not published the onion service "
		    "after %d minutes; readers cannot reach it yet", PUBLISH_LIMIT_MS / 60000);
	}
}

/* ---- public API -------------------------------------------------------- */

void
torsup_torrc_opts(const torsup_opts_t *o, torrc_opts_t *rc)
{
	*rc = (torrc_opts_t){
		.data_dir = o->tor_data_dir, .run_dir = o->run_dir, .onion_dir = o->onion_dir,
		.http_socket = o->http_socket, .config_append = o->config_append,
		.max_streams = o->max_streams, .pow = o->pow, .intro_dos = o->intro_dos,
		.sandbox = o->sandbox, .socks_port = o->socks_port, .socks_socket = o->socks_socket,
		.ob_instance = o->ob_instance, .admin_dir = o->admin_dir,
		.admin_socket = o->admin_socket, .admin_ssh_port = o->admin_ssh_port,
	};
}

torsup_t *
torsup_new(struct event_base *base, const torsup_opts_t *o)
{
	torsup_t *t = xcalloc(1, sizeof(*t));
	char owner[32];

	t->base = base;
	t->tor_path = xstrdup(o->tor_path ? o->tor_path : "/usr/bin/tor");
	t->data_dir = xstrdup(o->tor_data_dir);
	t->run_dir = xstrdup(o->run_dir);
	t->onion_dir = o->onion_dir ? xstrdup(o->onion_dir) : NULL;
	if (o->watch_address)
		snprintf(t->address, sizeof(t->address), "%s", o->watch_address);
	t->http_socket = xstrdup(o->http_socket);
	t->admin_dir = o->admin_dir ? xstrdup(o->admin_dir) : NULL;
	t->admin_socket = o->admin_socket ? xstrdup(o->admin_socket) : NULL;
	t->append = o->config_append ? xstrdup(o->config_append) : NULL;
	t->socks_socket = o->socks_socket ? xstrdup(o->socks_socket) : NULL;
	t->torrc_path = xasprintf("%s/torrc", t->run_dir);
	t->ctl_path = torrc_control_socket(t->run_dir);
	t->cookie_path = torrc_cookie_file(t->run_dir);
	torsup_torrc_opts(o, &t->rc);
	t->rc.data_dir = t->data_dir;
	t->rc.run_dir = t->run_dir;
	t->rc.onion_dir = t->onion_dir;
	t->rc.http_socket = t->http_socket;
	t->rc.config_append = t->append;
	t->rc.admin_dir = t->admin_dir;
	t->rc.admin_socket = t->admin_socket;
	t->rc.socks_socket = t->socks_socket;
	t->state = S_STOPPED;
	t->tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, t);
	t->connect_ev = evtimer_new(base, connect_cb, t);
	t->via_spawner = o->spawner != NULL;
	t->spawner = o->spawner;
	/* Until TAKEOWNERSHIP, tor exits when our pid does. */
	snprintf(owner, sizeof(owner), "%ld", (long)getpid());
	{
		char *argv[] = {
			t->tor_path, "-f", t->torrc_path, "--defaults-torrc", "/dev/null",
			"__OwningControllerProcess", owner, NULL,
		};
		t->proc = procsup_new(base, &(procsup_opts_t){
			.name = "tor", .argv = argv, .spawner = o->spawner, .prog = SPAWNER_TOR,
			/* SIGINT, not SIGTERM: with Sandbox 1, tor 0.4.9.11's main
			 * thread runs with SIGTERM blocked, so SIGTERM is never seen;
			 * for a tor that is not a relay SIGINT means the same thing
			 * (exit at once). */
			.stop_signal = SIGINT, .stop_wait_ms = SHUTDOWN_WAIT_MS,
			.hooks = { .arg = t, .before_start = before_start, .started = started,
			    .line = tor_output_line, .exited = exited },
		});
	}
	return t;
}

int
torsup_start(torsup_t *t)
{
	struct timeval sec = { 1, 0 };
	struct sockaddr_un sa;

	if (strlen(t->ctl_path) >= sizeof(sa.sun_path)) {
		log_warn("the control socket path %s is too long for a unix socket; "
		    "use a shorter data directory", t->ctl_path);
		return -1;
	}
	if (mkdir_p(t->run_dir, 0700) < 0 || chmod(t->run_dir, 0700) < 0 ||
	    mkdir_p(t->data_dir, 0700) < 0 || chmod(t->data_dir, 0700) < 0) {
		log_warn("cannot create %s or %s: %s", t->run_dir, t->data_dir, strerror(errno));
		return -1;
	}
	if (t->onion_dir && access(t->onion_dir, F_OK) == 0 &&
	    onion_check_perms(t->onion_dir) < 0)
		return -1;
	if (t->address[0] == '\0' && t->onion_dir && onion_address(t->onion_dir, t->address) < 0)
		t->address[0] = '\0'; /* tor will make a key; read it once tor runs */
	if (access(t->tor_path, X_OK) < 0) {
		log_warn("cannot run tor at %s: %s (install tor or set tor_path)",
		    t->tor_path, strerror(errno));
		return -1;
	}
	if (t->spawner) {
		/* The spawner writes it at each start; say now if it cannot. */
		char *text = torrc_text(&t->rc);
		if (text == NULL)
			return -1;
		free(text);
	} else if (torrc_write(&t->rc, t->torrc_path) < 0) {
		return -1;
	}
	t->shutting_down = 0;
	t->last_problem[0] = '\0';
	event_add(t->tick_ev, &sec);
	t->state = S_STARTING;
	return procsup_start(t->proc);
}

void
torsup_shutdown(torsup_t *t)
{
	t->shutting_down = 1;
	event_del(t->tick_ev);
	ctl_close(t); /* tor owns-by-connection: this alone makes it exit */
	procsup_shutdown(t->proc); /* SIGINT, SIGKILL after 10 s */
	set_state(t, S_STOPPED);
}

void
torsup_free_(torsup_t *t)
{
	if (t == NULL)
		return;
	torsup_shutdown(t);
	procsup_free(t->proc);
	event_free(t->tick_ev);
	event_free(t->connect_ev);
	free(t->tor_path);
	free(t->data_dir);
	free(t->run_dir);
	free(t->onion_dir);
	free(t->admin_dir);
	free(t->admin_socket);
	free(t->http_socket);
	free(t->append);
	free(t->socks_socket);
	free(t->torrc_path);
	free(t->ctl_path);
	free(t->cookie_path);
	free(t);
}

void
torsup_get_status(const torsup_t *t, torsup_status_t *out)
{
	memset(out, 0, sizeof(*out));
	out->state = state_names[t->state];
	out->bootstrap = t->bootstrap;
	out->descriptor_uploads = t->uploads;
	out->restarts = t->restarts;
	out->tor_pid = procsup_pid(t->proc);
	memcpy(out->address, t->address, sizeof(out->address));
	snprintf(out->last_problem, sizeof(out->last_problem), "%s", t->last_problem);
}

int
torsup_close_circuit(torsup_t *t, uint32_t circuit_id)
{
	if (t->ctl == NULL || !t->authenticated)
		return -1;
	return ctl_send(t, R_CLOSECIRCUIT, "CLOSECIRCUIT %lu", (unsigned long)circuit_id);
}
