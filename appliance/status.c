/* status: see status.h. */
#include "status.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "limit.h"
#include "torsup.h"

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
		limit_write_status(server_limit(src->server), out, 0);
		return;
	}
	strbuf_adds(out, "{\"onion\":");
	if (src->onion)
		json_string(out, src->onion);
	else
		strbuf_adds(out, "null");
	strbuf_adds(out, ",\"data\":");
	json_string(out, src->data_dir);
	strbuf_addf(out, ",\"uptime\":%lld", (long long)uptime);
	strbuf_adds(out, ",\"tor\":{\"state\":");
	json_string(out, ts.state);
	strbuf_addf(out, ",\"bootstrap\":%d,\"descriptor_uploads\":%d,\"restarts\":%d,\"pid\":%ld,"
	    "\"problem\":", ts.bootstrap, ts.descriptor_uploads, ts.restarts, ts.tor_pid);
	if (ts.last_problem[0])
		json_string(out, ts.last_problem);
	else
		strbuf_adds(out, "null");
	strbuf_addf(out, "},\"http\":{\"connections_open\":%lld,\"connections_total\":%llu,"
	    "\"connections_refused\":%llu,\"requests\":%llu,\"responses\":{\"2xx\":%llu,"
	    "\"3xx\":%llu,\"4xx\":%llu,\"5xx\":%llu}},\"limits\":",
	    (long long)st->connections_open, (unsigned long long)st->connections_total,
	    (unsigned long long)st->connections_refused, (unsigned long long)st->requests,
	    (unsigned long long)st->responses_2xx, (unsigned long long)st->responses_3xx,
	    (unsigned long long)st->responses_4xx, (unsigned long long)st->responses_5xx);
	limit_write_status(server_limit(src->server), out, 1);
	strbuf_adds(out, "}");
}
