/* status: see status.h. */
#include "serve/status.h"

#include "base/text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "serve/control.h"
#include "onion/balance.h"
#include "onion/balance_run.h"
#include "http/http_resp.h"
#include "serve/limit.h"
#include "serve/mirror_sched.h"
#include "serve/handler.h"
#include "onion/procsup.h"
#include "onion/torsup.h"
#include "onion/vanguards_run.h"

static void
json_or_null(strbuf_t *out, const char *s)
{
	if (s && *s)
		text_json(out, s, 0);
	else
		strbuf_adds(out, "null");
}

/* The Onionbalance role: which front we serve, or which backends we front. */
static void
balance_write(strbuf_t *out, int json, const status_src_t *src)
{
	const balance_t *b = balance_run_role(src->balance);
	const char *instance = balance_run_instance(src->balance);
	procsup_t *ob = balance_run_helper(src->balance);
	enum balance_role role = b ? balance_role(b) : BALANCE_NONE;
	procsup_status_t ps;

	memset(&ps, 0, sizeof(ps));
	if (ob)
		procsup_get_status(ob, &ps);
	if (!json) {
		if (role == BALANCE_BACKEND)
			strbuf_addf(out, "onionbalance       backend of %s\n", balance_front(b));
		if (role != BALANCE_FRONT)
			return;
		strbuf_addf(out, "onionbalance       front for %zu backends%s%s; onionbalance %s, "
		    "%d restarts\n", balance_count(b), instance ? " + this appliance " : "",
		    instance ? instance : "", ps.state ? ps.state : "waiting for tor",
		    ps.restarts);
		for (size_t i = 0; i < balance_count(b); i++)
			strbuf_addf(out, "  backend          %s %s\n", balance_address(b, i),
			    balance_name(b, i));
		if (ps.last_line[0])
			strbuf_addf(out, "onionbalance said  %s\n", ps.last_line);
		return;
	}
	strbuf_adds(out, ",\"balance\":{\"role\":");
	text_json(out, balance_role_name(role), 0);
	strbuf_adds(out, ",\"front\":");
	json_or_null(out, role == BALANCE_BACKEND ? balance_front(b) :
	    role == BALANCE_FRONT ? src->onion : NULL);
	strbuf_adds(out, ",\"instance\":");
	json_or_null(out, instance);
	strbuf_adds(out, ",\"backends\":[");
	for (size_t i = 0; role == BALANCE_FRONT && i < balance_count(b); i++) {
		strbuf_adds(out, i ? ",{\"address\":" : "{\"address\":");
		text_json(out, balance_address(b, i), 0);
		strbuf_adds(out, ",\"name\":");
		json_or_null(out, balance_name(b, i));
		strbuf_adds(out, "}");
	}
	strbuf_adds(out, "],\"onionbalance\":");
	if (role == BALANCE_FRONT && ob == NULL) {
		strbuf_adds(out, "{\"state\":\"waiting for tor\",\"pid\":0,\"restarts\":0,"
		    "\"last_line\":null}}");
		return;
	}
	if (ob == NULL) {
		strbuf_adds(out, "null}");
		return;
	}
	strbuf_adds(out, "{\"state\":");
	text_json(out, ps.state, 0);
	strbuf_addf(out, ",\"pid\":%ld,\"restarts\":%d,\"last_line\":", ps.pid, ps.restarts);
	json_or_null(out, ps.last_line);
	strbuf_adds(out, "}}");
}

/* The vanguards addon: off, waiting for tor, or its supervisor's state. */
static void
vanguards_write(strbuf_t *out, int json, const status_src_t *src)
{
	procsup_t *p = vanguards_run_helper(src->vanguards);
	const char *err = vanguards_run_last_error(src->vanguards);
	procsup_status_t ps;

	memset(&ps, 0, sizeof(ps));
	ps.state = src->vanguards == NULL ? "off" : "waiting for tor";
	if (p)
		procsup_get_status(p, &ps);
	if (!json) {
		strbuf_addf(out, "vanguards          %s", ps.state);
		if (ps.pid)
			strbuf_addf(out, " (pid %ld)", ps.pid);
		if (src->vanguards)
			strbuf_addf(out, ", %d restarts, %s layers", ps.restarts,
			    vanguards_run_front_layers(src->vanguards) ? "the front's" : "its own");
		strbuf_adds(out, "\n");
		if (err[0])
			strbuf_addf(out, "vanguards problem  %s\n", err);
		return;
	}
	strbuf_adds(out, ",\"vanguards\":{\"state\":");
	text_json(out, ps.state, 0);
	strbuf_addf(out, ",\"pid\":%ld,\"restarts\":%d,\"layers\":\"%s\",\"last_error\":",
	    ps.pid, ps.restarts, vanguards_run_front_layers(src->vanguards) ? "front" : "own");
	json_or_null(out, err);
	strbuf_adds(out, ",\"last_line\":");
	json_or_null(out, ps.last_line);
	strbuf_adds(out, "}");
}

void
status_write(strbuf_t *out, int json, const status_src_t *src)
{
	const server_stats_t *st = server_stats(src->server);
	torsup_status_t ts;
	int64_t uptime = (int64_t)time(NULL) - st->started;

	memset(&ts, 0, sizeof(ts));
	ts.state = "off";
	if (src->tor)
		torsup_get_status(src->tor, &ts);
	if (!json) {
		strbuf_addf(out, "onion address      %s\n", src->onion ? src->onion : "(none)");
		strbuf_addf(out, "tor                %s", ts.state);
		if (src->tor)
			strbuf_addf(out, ", bootstrap %d%%, %d descriptor uploads, %d restarts",
			    ts.bootstrap, ts.descriptor_uploads, ts.restarts);
		strbuf_adds(out, "\n");
		if (src->admin_onion)
			strbuf_addf(out, "admin onion        %s (%d client%s)\n", src->admin_onion,
			    src->admin_clients, src->admin_clients == 1 ? "" : "s");
		if (ts.last_problem[0])
			strbuf_addf(out, "tor problem        %s\n", ts.last_problem);
		strbuf_addf(out, "uptime             %lld s\n", (long long)uptime);
		strbuf_addf(out, "connections        %lld open, %llu total, %llu refused\n",
		    (long long)st->connections_open, (unsigned long long)st->connections_total,
		    (unsigned long long)st->connections_refused);
		strbuf_addf(out, "requests           %llu (2xx %llu, 3xx %llu, 4xx %llu, 5xx %llu)\n",
		    (unsigned long long)st->requests, (unsigned long long)st->responses_2xx,
		    (unsigned long long)st->responses_3xx, (unsigned long long)st->responses_4xx,
		    (unsigned long long)st->responses_5xx);
		balance_write(out, 0, src);
		mirror_sched_write_status(src->mirrors, out, 0);
		vanguards_write(out, 0, src);
		limit_write_status(server_limit(src->server), out, 0);
		return;
	}
	strbuf_adds(out, "{\"onion\":");
	if (src->onion)
		text_json(out, src->onion, 0);
	else
		strbuf_adds(out, "null");
	strbuf_adds(out, ",\"data\":");
	text_json(out, src->data_dir, 0);
	strbuf_addf(out, ",\"uptime\":%lld", (long long)uptime);
	strbuf_adds(out, ",\"tor\":{\"state\":");
	text_json(out, ts.state, 0);
	strbuf_addf(out, ",\"bootstrap\":%d,\"descriptor_uploads\":%d,\"restarts\":%d,\"pid\":%ld,"
	    "\"problem\":", ts.bootstrap, ts.descriptor_uploads, ts.restarts, ts.tor_pid);
	if (ts.last_problem[0])
		text_json(out, ts.last_problem, 0);
	else
		strbuf_adds(out, "null");
	strbuf_adds(out, "}");
	balance_write(out, 1, src);
	mirror_sched_write_status(src->mirrors, out, 1);
	vanguards_write(out, 1, src);
	strbuf_adds(out, ",\"admin_onion\":");
	json_or_null(out, src->admin_onion);
	strbuf_addf(out, ",\"admin_clients\":%d", src->admin_clients);
	strbuf_addf(out, ",\"http\":{\"connections_open\":%lld,\"connections_total\":%llu,"
	    "\"connections_refused\":%llu,\"requests\":%llu,\"responses\":{\"2xx\":%llu,"
	    "\"3xx\":%llu,\"4xx\":%llu,\"5xx\":%llu}},\"limits\":",
	    (long long)st->connections_open, (unsigned long long)st->connections_total,
	    (unsigned long long)st->connections_refused, (unsigned long long)st->requests,
	    (unsigned long long)st->responses_2xx, (unsigned long long)st->responses_3xx,
	    (unsigned long long)st->responses_4xx, (unsigned long long)st->responses_5xx);
	limit_write_status(server_limit(src->server), out, 1);
	strbuf_adds(out, ",");
	handler_render_status(server_handlers(src->server), out);
	strbuf_adds(out, "}");
}

void
status_write_html(strbuf_t *out, const status_src_t *src)
{
	strbuf_t text;

	strbuf_init(&text);
	status_write(&text, 0, src);
	strbuf_adds(out, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<title>Broadside status</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
	    "</head><body><main><h1>Broadside status</h1>\n<p>The operator's page, reached "
	    "through the admin onion with a client key. Reload for fresh figures.</p>\n<pre>");
	text_html(out, text.s ? text.s : "", text.len, 0);
	strbuf_adds(out, "</pre></main></body></html>\n");
	strbuf_release(&text);
}
