/* cmd_serve: `broadside serve` — load the config, open the catalogue, listen,
 * and run the event loop until SIGINT/SIGTERM. */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalogue/cat.h"
#include "cli/cmd.h"
#include "base/conf.h"
#include "base/datadir.h"
#include "base/log.h"
#include "serve/control.h"
#include "onion/admin_onion.h"
#include "onion/balance.h"
#include "onion/balance_run.h"
#include "serve/handler.h"
#include "serve/limit.h"
#include "serve/mirror_sched.h"
#include "onion/onion.h"
#include "site/page.h"
#include "catalogue/search_pool.h"
#include "base/sandbox.h"
#include "serve/server.h"
#include "onion/spawner.h"
#include "docs/render.h"
#include "serve/status.h"
#include "onion/torprobe.h"
#include "onion/torsup.h"
#include "onion/vanguards_run.h"
#include "base/util.h"

/* Searches waiting or running on the pool at once, more get 503: a memory
 * backstop. The policy is the limiter's max_searches (8), which admits fewer. */
#define SEARCH_QUEUE_MAX 256

static const char serve_usage[] =
    "usage: broadside [--data DIR] serve [-n] [--listen HOST:PORT] [--no-tor]\n"
    "                 [--conf FILE] [--tor-config-append FILE]\n\n"
    "Serve the collections on the Unix socket that tor forwards the onion\n"
    "service to (DIR/run/http.sock), and run tor.\n\n"
    "  -n                  check the configuration and exit\n"
    "  --listen HOST:PORT  also serve a local preview over TCP (loopback only,\n"
    "                      unless allow_public_listen = yes)\n"
    "  --no-tor            do not start tor (preview and socket only)\n"
    "  --conf FILE         read FILE's settings first; DIR/broadside.conf then\n"
    "                      overrides them key by key (the Debian package's unit\n"
    "                      passes /etc/broadside/broadside.conf)\n"
    "  --tor-config-append FILE\n"
    "                      expert option: append FILE's lines to the generated torrc\n";

struct serve_state {
	struct event_base *base;
	torsup_t *tor;
	spawner_t *spawner;     /* starts tor outside our sandbox (spawner.h) */
	balance_run_t *balancer;   /* the Onionbalance role (balance_run.h) */
	runner_t *mirror_runner;     /* runs `broadside mirror` outside our sandbox */
	mirror_sched_t *mirrors;
	char *socks_socket;        /* our tor's SocksPort for the mirror runs, NULL = none */
	vanguards_run_t *vanguards;   /* the vanguards addon, NULL when off */
	render_t *render;       /* makes page images in the document jail (render.h) */
	status_src_t status;
};

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct serve_state *st = arg;
	log_info("received %s; shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	event_base_loopexit(st->base, NULL);
}

static void
write_status(strbuf_t *out, int json, void *arg)
{
	struct serve_state *st = arg;
	status_write(out, json, &st->status);
}

/* The admin onion's page: the same status, as HTML. */
static void
admin_page(strbuf_t *html, void *arg)
{
	struct serve_state *st = arg;
	status_write_html(html, &st->status);
}

/* limit.c asks for this when a circuit keeps hammering (close_circuit_after). */
static void
close_circuit(void *arg, uint32_t circuit)
{
	(void)torsup_close_circuit(arg, circuit);
}

/* What tor runs. Serve's files live in run/; tor's own (torrc, control
 * socket, cookie) in its DataDirectory, which the sandbox does not reach. */
static void
tor_opts(torsup_opts_t *o, struct serve_state *st, const datadir_t *d, const conf_t *conf,
    const char *sock, const char *append, const char *admin_dir, const char *admin_sock)
{
	memset(o, 0, sizeof(*o));
	o->tor_path = conf->tor_path;
	o->tor_data_dir = d->tor;
	o->run_dir = d->tor;
	o->onion_dir = balance_run_onion_dir(st->balancer);
	o->ob_instance = balance_run_ob_instance(st->balancer);
	o->watch_address = balance_run_watch_address(st->balancer);
	o->admin_dir = admin_dir;
	o->admin_socket = admin_sock;
	o->admin_ssh_port = (int)conf->admin_ssh_port;
	o->http_socket = sock;
	o->config_append = append;
	o->max_streams = (int)conf->onion_max_streams;
	o->pow = conf->onion_pow;
	o->intro_dos = conf->onion_intro_dos;
	o->socks_socket = st->socks_socket;   /* the mirror runs' way to tor, or NULL */
	/* vanguards sets tor's options at run time (SETCONF), and tor 0.4.9.11
	 * under Sandbox 1 dies on any SETCONF while it runs an onion service
	 * (it re-reads the service's key directory, which its sandbox forbids). */
	o->sandbox = conf->tor_sandbox && st->vanguards == NULL;
	if (conf->tor_sandbox && st->vanguards)
		log_info("tor runs without Sandbox 1: vanguards changes its options while it "
		    "runs, which tor's sandbox does not survive");
}

/* Start tor for the onion service; the preview keeps working if tor cannot. */
static int
start_tor(struct serve_state *st, const torsup_opts_t *opts, const conf_t *conf)
{
	torsup_opts_t o = *opts;

	o.spawner = st->spawner;
	o.socks_socket = st->socks_socket;
	st->tor = torsup_new(st->base, &o);
	if (st->tor == NULL || torsup_start(st->tor) < 0) {
		log_err("cannot start tor (%s)", conf->tor_path);
		return -1;
	}
	return 0;
}

/* The collections this appliance mirrors: serve re-runs each on a schedule. */
struct followed {
	char **slug, **origin, **key;
	size_t n;
};

static int
add_followed(const cat_collection_t *col, void *arg)
{
	struct followed *f = arg;

	if (col->origin == NULL || col->publisher_key == NULL)
		return 0;
	f->slug = xrealloc(f->slug, (f->n + 1) * sizeof(char *));
	f->origin = xrealloc(f->origin, (f->n + 1) * sizeof(char *));
	f->key = xrealloc(f->key, (f->n + 1) * sizeof(char *));
	f->slug[f->n] = xstrdup(col->slug);
	f->origin[f->n] = xstrdup(col->origin);
	f->key[f->n] = xstrdup(col->publisher_key);
	f->n++;
	return 0;
}

static void
followed_clear(struct followed *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->slug[i]);
		free(f->origin[i]);
		free(f->key[i]);
	}
	free(f->slug);
	free(f->origin);
	free(f->key);
	memset(f, 0, sizeof(*f));
}

/* Decide how mirrors are followed, before anything is opened: the runs need a
 * spawner forked now (they exec, and reach tor over TCP) and a SOCKS port.
 * *socks is the proxy the runs use (caller frees), NULL when not following. */
static int
plan_mirrors(struct serve_state *st, const datadir_t *d, const conf_t *conf, int own_tor, struct followed *f,
    char **socks)
{
	char exe[4096];
	ssize_t n;
	cat_t *c;

	*socks = NULL;
	if (conf->mirror_interval == 0)
		return 0;
	if ((c = cat_open(d->catalogue, CAT_READONLY)) == NULL)
		return -1;
	if (cat_collection_each(c, add_followed, f) < 0) {
		cat_free(c);
		return -1;
	}
	cat_free(c);
	if (f->n == 0)
		return 0;
	if (conf->mirror_socks[0]) {
		*socks = xstrdup(conf->mirror_socks);
	} else if (own_tor) {
		st->socks_socket = datadir_path(d, "tor/socks.sock");   /* beside tor's other sockets, out of our reach */
		*socks = xasprintf("unix:%s", st->socks_socket);
	} else {
		log_warn("mirrors are not followed: tor is off here and mirror_socks is empty");
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0) {
		log_err("cannot find this program (/proc/self/exe) to run the mirrors: %s", strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	/* Every run's command is fixed now: the sandboxed serve can only ask
	 * for run N (base/runner.h). */
	{
		char ***jobs = xcalloc(f->n, sizeof(*jobs));
		for (size_t i = 0; i < f->n; i++)
			jobs[i] = mirror_sched_argv(exe, d->root, conf, *socks, f->origin[i], f->key[i]);
		st->mirror_runner = runner_new((char *const *const *)jobs, (int)f->n);
		for (size_t i = 0; i < f->n; i++) {
			for (char **a = jobs[i]; *a; a++)
				free(*a);
			free(jobs[i]);
		}
		free(jobs);
	}
	return st->mirror_runner ? 0 : -1;
}

struct roots {
	sandbox_root_t *v;
	size_t n;
};

static int
add_root(const cat_collection_t *col, void *arg)
{
	struct roots *r = arg;

	r->v = xrealloc(r->v, (r->n + 2) * sizeof(*r->v));
	r->v[r->n].name = xstrdup(col->slug);
	r->v[r->n].path = xstrdup(col->root);
	r->n++;
	r->v[r->n].name = r->v[r->n].path = NULL;
	return 0;
}

/* The sandbox reads only the collections in the catalogue now. */
static int
apply_sandbox(int mode, const datadir_t *d, cat_t *cat, const char *tor_append)
{
	struct roots r = { NULL, 0 };
	int rc;

	if (cat_collection_each(cat, add_root, &r) < 0) {
		log_err("cannot list the collections for the sandbox");
		rc = -1;
		goto done;
	}
	rc = sandbox_apply_serve(mode, d, r.v, tor_append);
done:
	for (size_t i = 0; i < r.n; i++) {
		free((char *)r.v[i].name);
		free((char *)r.v[i].path);
	}
	free(r.v);
	return rc;
}

int
cmd_serve(int argc, char **argv, const char *data)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "no-tor", no_argument, NULL, 'T' },
		{ "conf", required_argument, NULL, 'c' },
		{ "tor-config-append", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_arg = NULL, *tor_append = NULL, *conf_arg = NULL;
	int check_only = 0, no_tor = 0, opt, rc = 1, port = 0;
	datadir_t *d = NULL;
	conf_t *conf = NULL;
	cat_t *cat = NULL;
	server_t *srv = NULL;
	search_pool_t *pool = NULL;
	struct serve_state st;
	control_t *admin = NULL;
	char onion[ONION_ADDRESS_LEN] = "";
	char *onion_dir = NULL, *admin_sock = NULL, *admin_dir = NULL, *admin_http = NULL;
	char admin_addr[ONION_ADDRESS_LEN] = "";
	int admin_clients = 0;
	struct event *sigint = NULL, *sigterm = NULL;
	char err[512];
	char *sock = NULL, *mirror_socks = NULL;
	struct followed followed = { NULL, NULL, NULL, 0 };
	torsup_opts_t topts;
	int filtered;

	if (cmd_wants_help(argc, argv, serve_usage))
		return 0;
	memset(&st, 0, sizeof(st));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "n", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': check_only = 1; break;
		case 'l': listen_arg = optarg; break;
		case 'T': no_tor = 1; break;
		case 'c': conf_arg = optarg; break;
		case 'A': tor_append = optarg; break;
		default:
			fputs(serve_usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(serve_usage, stderr);
		return 2;
	}
	umask(077);
	d = datadir_new(data);
	if (datadir_check(d) < 0)
		goto done;
	conf = conf_new();
	if (conf_arg && conf_load(conf, conf_arg, 0, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto done;
	}
	if (conf_load(conf, d->conf, 0, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto done;
	}
	if (listen_arg && conf_set(conf, "listen", listen_arg, err, sizeof(err)) < 0) {
		log_err("--listen: %s", err);
		goto done;
	}
	if (tor_append && access(tor_append, R_OK) < 0) {
		log_err("--tor-config-append %s: %s", tor_append, strerror(errno));
		goto done;
	}
	onion_dir = datadir_path(d, "onion/public");
	if (conf->tor && !no_tor) {
		if (onion_key_create(onion_dir) < 0 || onion_check_perms(onion_dir) < 0)
			goto done;
		if (onion_address(onion_dir, onion) < 0)
			goto done;
		/* The admin onion runs only with client keys (admin_onion.h). */
		admin_clients = admin_onion_clients(d->root, NULL);
		if (admin_clients < 0) {
			log_err("cannot read the admin onion's clients below %s/onion/admin", d->root);
			goto done;
		}
		if (admin_clients > 0) {
			admin_dir = admin_onion_dir(d->root);
			if (onion_check_perms(admin_dir) < 0 || onion_address(admin_dir, admin_addr) < 0)
				goto done;
		}
	}
	if (check_only) {
		balance_t *bal = balance_load(d->root);   /* the role files are config too */
		if (bal == NULL)
			goto done;
		balance_free(bal);
		printf("configuration OK: %s\n", d->conf);
		rc = 0;
		goto done;
	}
	log_set_level((enum log_level)log_level_parse(conf->log_level));
	log_set_timestamps(1);
	signal(SIGPIPE, SIG_IGN);
	/* Every reader is a descriptor; take all the kernel allows us. */
	{
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
	}

	if (plan_mirrors(&st, d, conf, conf->tor && !no_tor, &followed, &mirror_socks) < 0)
		goto done;
	sock = datadir_path(d, "run/http.sock");
	if (admin_dir)
		admin_http = datadir_path(d, "run/admin-http.sock");
	/* The Onionbalance role decides which service tor runs. */
	if (conf->tor && !no_tor && (st.balancer = balance_run_new(d, conf, onion)) == NULL)
		goto done;
	/* vanguards: its config written now, before anything is open; the
	 * spawner starts it and gives it its own filtered control socket. */
	filtered = (conf->sandbox != SANDBOX_NO || conf->tor_group[0]) && conf->tor && !no_tor;
	if (conf->tor && !no_tor && conf->vanguards &&
	    (st.vanguards = vanguards_run_new(d, conf, balance_role(
	    balance_run_role(st.balancer)) == BALANCE_BACKEND, filtered)) == NULL)
		goto done;
	if (conf->tor && !no_tor)
		tor_opts(&topts, &st, d, conf, sock, tor_append, admin_dir, admin_http);
	/* Sandboxed, we could not start tor (it would inherit the sandbox), and
	 * tor must not take orders from a sandboxed server that may be someone
	 * else's code: fork the spawner now, before any catalogue, listener or
	 * reader fd, with tor's configuration; it writes the torrc and filters
	 * the control port (spawner.h). tor_group needs it too, sandbox or not:
	 * the image's firewall lets only that group out. */
	if (filtered) {
		torrc_opts_t trc;
		const char *vg_conf = NULL, *vg_state = NULL, *vg_front = NULL;
		long gid = 0;
		if (conf->tor_group[0]) {
			struct group *g = getgrnam(conf->tor_group);
			if (g == NULL || g->gr_gid == 0) {
				log_err("tor_group: no group named '%s' (or it is root's)", conf->tor_group);
				goto done;
			}
			gid = (long)g->gr_gid;
		}
		torsup_torrc_opts(&topts, &trc);
		if (st.vanguards)
			vanguards_run_paths(st.vanguards, &vg_conf, &vg_state, &vg_front);
		st.spawner = spawner_new(&(spawner_opts_t){
			.tor_path = conf->tor_path, .torrc = &trc,
			.ob_path = balance_run_front_key(st.balancer) ? conf->onionbalance_path : NULL,
			.ob_root = d->root, .ob_key = balance_run_front_key(st.balancer),
			.ob_instance = balance_run_instance(st.balancer),
			.ob_testnet = conf->balance_testnet,
			.tor_gid = gid,
			.vanguards_path = st.vanguards ? conf->vanguards_path : NULL,
			.vanguards_config = vg_conf, .vanguards_state = vg_state,
			.vanguards_front_state = vg_front,
		});
		if (st.spawner == NULL)
			goto done;
	}
	/* The render process: sandboxed, serve could not start the jailed
	 * tools that draw PDF pages and re-encode images. */
	{
		render_tools_t rtools = { conf->pdftoppm_path, conf->pdftotext_path, conf->pdfinfo_path };
		st.render = render_start(conf->sandbox, &rtools);
		if (st.render == NULL)
			log_warn("page images are off: the render process did not start");
	}
	/* Only the spawner may change groups (to run tor in tor_group). */
	if (sandbox_drop_setid_caps() < 0) {
		log_err("cannot drop CAP_SETGID: %s", strerror(errno));
		goto done;
	}
	cat = cat_open(d->catalogue, CAT_READONLY);
	if (cat == NULL)
		goto done;
	st.base = event_base_new();
	if (st.base == NULL) {
		log_err("cannot create the event loop");
		goto done;
	}
	if (page_init() < 0) {
		log_err("the embedded page templates do not compile");
		goto done;
	}
	srv = server_new(st.base, conf, cat);
	handler_ctx_set_site(server_handlers(srv), d->root, onion[0] ? onion : NULL);
	/* Its catalogue connections now, its threads after the sandbox (search_pool.h). */
	pool = search_pool_new(st.base, search_pool_threads_auto((int)conf->search_threads), SEARCH_QUEUE_MAX, d->catalogue);
	if (pool == NULL)
		goto done;
	server_set_pool(srv, pool);
	{
		char *cache = datadir_path(d, "cache"), *pinned = datadir_path(d, "pages");
		int r = handler_render_setup(server_handlers(srv), st.base, st.render, cache, pinned);
		free(cache);
		free(pinned);
		if (r < 0)
			goto done;
	}
	if (mkdir_p(d->run, 0700) < 0) {
		log_err("cannot create %s: %s", d->run, strerror(errno));
		goto done;
	}
	if (server_listen_unix(srv, sock) < 0)
		goto done;
	if (conf->listen[0] && server_listen_tcp(srv, conf->listen, &port) < 0)
		goto done;
	if (admin_dir) {
		if (server_listen_admin(srv, admin_http, admin_page, &st) < 0)
			goto done;
		st.status.admin_onion = admin_addr;
		st.status.admin_clients = admin_clients;
	}
	if (st.mirror_runner) {
		st.mirrors = mirror_sched_new(st.base, st.mirror_runner, d->root, conf);
		for (size_t i = 0; i < followed.n; i++)
			mirror_sched_add(st.mirrors, followed.slug[i], followed.origin[i], followed.key[i]);
		log_info("following %zu mirrored collection%s every %lld s (±%lld%%) through %s", followed.n,
		    followed.n == 1 ? "" : "s", (long long)conf->mirror_interval, (long long)conf->mirror_jitter,
		    mirror_socks);
		st.status.mirrors = st.mirrors;
	}
	st.status.server = srv;
	st.status.onion = onion[0] ? onion : NULL;
	st.status.data_dir = d->root;
	admin_sock = datadir_path(d, "run/admin.sock");
	admin = control_new(st.base, admin_sock, write_status, &st);
	if (admin == NULL)
		goto done;
	if (conf->tor && !no_tor) {
		if (start_tor(&st, &topts, conf) < 0)
			goto done;
		st.status.tor = st.tor;
		balance_run_start(st.balancer, st.base, st.tor, st.spawner);
		st.status.balance = st.balancer;
		vanguards_run_start(st.vanguards, st.base, st.tor, st.spawner);
		st.status.vanguards = st.vanguards;
		limit_set_close_circuit(server_limit(srv), close_circuit, st.tor);
		log_info("onion address: http://%s/", onion);
		if (admin_dir)
			log_info("admin onion (client keys only): http://%s/, %d client%s",
			    admin_addr, admin_clients, admin_clients == 1 ? "" : "s");
	}
	/* The spawner reads the append file; serve needs it only without one. */
	if (apply_sandbox(conf->sandbox, d, cat, st.spawner ? NULL : tor_append) < 0)
		goto done;
	if (search_pool_start(pool) < 0) {
		log_warn("searches run on the event loop: no search thread could start");
		server_set_pool(srv, NULL);
	}
	sandbox_probe();
	/* Test hook: only where it proves something (serve behind the spawner). */
	if (getenv("BROADSIDE_TOR_PROBE") && st.tor && st.spawner)
		torprobe_run(d->root, conf->tor_path);
	sigint = evsignal_new(st.base, SIGINT, on_signal, &st);
	sigterm = evsignal_new(st.base, SIGTERM, on_signal, &st);
	evsignal_add(sigint, NULL);
	evsignal_add(sigterm, NULL);

	log_info("serving %s on %s", d->root, sock);
	if (port) {
		const char *colon = strrchr(conf->listen, ':');
		log_info("local preview: http://%.*s:%d/", (int)(colon - conf->listen),
		    conf->listen, port);
	}
	event_base_dispatch(st.base);
	rc = 0;
done:
	vanguards_run_free(st.vanguards);   /* before tor: it would warn that tor went away */
	if (st.tor)
		torsup_shutdown(st.tor);
	balance_run_free(st.balancer);   /* stops onionbalance before tor */
	torsup_free(st.tor);
	spawner_free(st.spawner);
	mirror_sched_free(st.mirrors);
	runner_free(st.mirror_runner);   /* a run still going is stopped */
	followed_clear(&followed);
	free(mirror_socks);
	free(st.socks_socket);
	control_free(admin);
	if (admin_sock)
		unlink(admin_sock);
	free(admin_sock);
	free(onion_dir);
	free(admin_dir);
	free(admin_http);
	if (sigint)
		event_free(sigint);
	if (sigterm)
		event_free(sigterm);
	search_pool_free(pool);   /* closes the connections whose search it held */
	server_free(srv);
	render_free(st.render);
	if (st.base)
		event_base_free(st.base);
	cat_free(cat);
	conf_free(conf);
	free(sock);
	datadir_free(d);
	return rc;
}
