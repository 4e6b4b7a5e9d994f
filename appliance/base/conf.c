/* conf: see conf.h. */
#include "base/conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/sandbox.h"
#include "base/util.h"

enum conf_type { T_STR, T_BOOL, T_INT, T_LEVEL, T_SANDBOX, T_DURATION, T_LANG };

/* The reader pages' languages (site/i18n.c has one catalogue for each). */
#define CONF_LANGUAGES "en es fr de pt ru ar fa tr zh"

static int
lang_valid(const char *v)
{
	const char *p = strstr(CONF_LANGUAGES, v);
	size_t n = strlen(v);
	return n == 2 && p && (p[n] == ' ' || p[n] == '\0');
}

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t off;
	const char *def;
	int64_t min, max;
	const char *doc;
};

#define K(n, t, d, lo, hi, doc) { #n, t, offsetof(conf_t, n), d, lo, hi, doc }

static const struct conf_key keys[] = {
	K(publisher_name, T_STR, "Broadside", 0, 200,
	  "Name shown at the top of every page."),
	K(publisher_statement, T_STR, "", 0, 4000,
	  "A short statement shown on the home page (plain text, escaped)."),
	K(site_language, T_LANG, "en", 0, 0,
	  "The language of the reader pages: " CONF_LANGUAGES ".\n"
	  "Readers may pick another with the links at the foot of each page (?lang=)."),
	K(log_level, T_LEVEL, "info", 0, 0,
	  "error, warn, info or debug. Only debug shows readers' requests."),
	K(log_requests, T_BOOL, "no", 0, 0,
	  "Log every request (method, path, status) at info level. Off protects readers."),
	K(listen, T_STR, "", 0, 200,
	  "Loopback address:port for a local preview (serve --listen overrides).\n"
	  "Empty: only the Unix socket that tor forwards to."),
	K(allow_public_listen, T_BOOL, "no", 0, 0,
	  "Allow `listen` on an address that is not loopback. Readers connecting\n"
	  "that way are not protected by tor; leave this off."),
	K(tor_circuit_ids, T_BOOL, "yes", 0, 0,
	  "tor writes a PROXY line with the circuit id on every connection\n"
	  "(HiddenServiceExportCircuitID haproxy); a connection on the tor socket\n"
	  "without a valid one is closed."),
	K(header_timeout, T_INT, "20", 1, 3600,
	  "Seconds a client has to send a complete request head."),
	K(idle_timeout, T_INT, "60", 1, 3600,
	  "Seconds a keep-alive connection may sit idle between requests."),
	K(write_timeout, T_INT, "120", 1, 3600,
	  "Seconds a reader may accept no bytes at all before the connection is closed."),
	K(max_request_line, T_INT, "8192", 256, 65536,
	  "Longest request target in bytes (longer: 414)."),
	K(max_headers, T_INT, "64", 8, 1000,
	  "Most header fields in one request (more: 431)."),
	K(max_header_bytes, T_INT, "16384", 1024, 1048576,
	  "Largest request head in bytes (larger: 431)."),
	K(max_ranges, T_INT, "16", 1, 256,
	  "Most byte ranges honoured in one request; more, or overlapping ones,\n"
	  "get the whole file instead (RFC 9110 14.2 allows ignoring Range)."),
	K(archive_max_files, T_INT, "20000", 0, 10000000,
	  "Most files in one folder archive (/d/, tar or zip). A larger folder's\n"
	  "page says so and points to the collection's metalink instead. 0: none."),
	K(archive_max_bytes, T_INT, "137438953472", 0, INT64_MAX,
	  "Most bytes in one folder archive (default 128 GiB); larger: as above."),
	K(torrent_web_seeds, T_STR, "", 0, 4000,
	  "Clearnet folders that serve the collections too, space-separated, each\n"
	  "ending in '/' (https://mirror.example/leaks/ serving <slug>/<path>):\n"
	  "web seeds (BEP 19) in every torrent, after this onion's /f/."),
	K(torrent_trackers, T_STR, "", 0, 4000,
	  "Trackers named in every torrent, space-separated. Empty (the default):\n"
	  "none; readers find peers through the DHT or the web seeds."),
	K(torrent_max_bytes, T_INT, "6000000", 0, INT64_MAX,
	  "Largest .torrent published, in bytes (info dictionary and piece layers;\n"
	  "about 200 bytes a file). A larger collection gets none: `broadside\n"
	  "torrent` refuses and points to the metalink and the folder archives, since\n"
	  "clients refuse such files (libtorrent: over 10 MB or 2.5-3 million\n"
	  "tokens). 0: no bound."),
	K(torrent_after_ingest, T_BOOL, "no", 0, 0,
	  "Make a collection's torrent again after every add/refresh that changed\n"
	  "it (`broadside torrent`): reads every file a second time."),
	K(max_connections, T_INT, "4096", 16, 1000000,
	  "Most simultaneous connections. When full, the oldest idle keep-alive\n"
	  "connection, or the one that has been sending its request head the\n"
	  "longest, is closed to make room; never one receiving a response. If none\n"
	  "can go, a few more are accepted only to be told 503 with Retry-After."),
	K(search_threads, T_INT, "0", 0, 64,
	  "Threads that run searches, so that a search never holds up pages and\n"
	  "downloads; each keeps its own catalogue page cache (up to 32 MB).\n"
	  "0 = one per CPU, at most 4."),
	K(limits, T_BOOL, "yes", 0, 0,
	  "Enforce the limits below. Each reader is keyed on its tor circuit (the\n"
	  "PROXY line), the peer address on the loopback preview, or one shared key\n"
	  "for Unix connections without a circuit. A reader over a per-circuit\n"
	  "limit gets 429, the whole server over a global one 503, both with\n"
	  "Retry-After; downloads in progress are never cut to admit new requests."),
	K(circuit_connections, T_INT, "16", 1, 100000,
	  "Simultaneous connections one circuit may use; a request on a connection\n"
	  "beyond this gets 429 and the connection is closed. (tor caps streams per\n"
	  "circuit too: onion_max_streams.)"),
	K(circuit_pending_heads, T_INT, "8", 1, 100000,
	  "Connections one circuit may have that are still sending a request head;\n"
	  "further ones are closed at once (slowloris from one circuit)."),
	K(circuit_downloads, T_INT, "4", 1, 100000,
	  "Downloads (/f/ responses in flight) one circuit may run at once; more get\n"
	  "429. Parallel downloads share their circuit's bandwidth anyway."),
	K(circuit_requests_per_second, T_INT, "20", 0, 1000000,
	  "Requests per second one circuit may make on average (token bucket;\n"
	  "0 = no limit). A page with its stylesheet is two requests."),
	K(circuit_request_burst, T_INT, "200", 1, 10000000,
	  "Requests one circuit may make in a burst before the rate applies."),
	K(circuit_searches_per_minute, T_INT, "30", 0, 1000000,
	  "Searches per minute one circuit may make on average (0 = no limit);\n"
	  "a search can cost a second of CPU, a page view almost nothing."),
	K(circuit_search_burst, T_INT, "10", 1, 100000,
	  "Searches one circuit may make in a burst."),
	K(circuit_bandwidth, T_INT, "0", 0, 100000000,
	  "KiB/s one circuit's downloads may use together (0 = no per-circuit cap;\n"
	  "total_bandwidth is still shared fairly)."),
	K(total_bandwidth, T_INT, "0", 0, 100000000,
	  "KiB/s all downloads may use together (0 = no cap). Shared max-min fairly\n"
	  "among the circuits downloading: a circuit with eight downloads gets one\n"
	  "circuit's part; what a slow circuit cannot take goes to the others."),
	K(max_downloads, T_INT, "256", 1, 1000000,
	  "Downloads running at once on the whole server."),
	K(download_wait, T_INT, "10", 0, 600,
	  "Seconds a new download may wait for a free slot when max_downloads run\n"
	  "(the slot goes to the circuit with the fewest downloads); then 503.\n"
	  "0 = refuse at once."),
	K(max_searches, T_INT, "8", 1, 100000,
	  "Search responses in flight at once on the whole server; more get 503."),
	K(circuit_table_size, T_INT, "16384", 16, 10000000,
	  "Most circuits remembered at once (about 200 bytes each). A circuit's\n"
	  "entry is forgotten once it has no connections and its budgets have\n"
	  "refilled; when the table is full the longest-idle one goes."),
	K(close_circuit_after, T_INT, "0", 0, 1000000,
	  "Ask tor to close a circuit that got this many 429s within\n"
	  "close_circuit_window seconds (0 = never). The reader can build a new\n"
	  "circuit, at some cost to them; use against persistent hammering."),
	K(close_circuit_window, T_INT, "60", 1, 86400,
	  "Seconds over which close_circuit_after counts 429s."),
	K(tor, T_BOOL, "yes", 0, 0,
	  "Run and supervise tor for the onion service."),
	K(tor_path, T_STR, "/usr/bin/tor", 1, 4096,
	  "The tor program."),
	K(onion_max_streams, T_INT, "32", 0, 65535,
	  "HiddenServiceMaxStreams: most streams one circuit may open; a circuit\n"
	  "asking for more is closed (HiddenServiceMaxStreamsCloseCircuit). 0 = no cap."),
	K(onion_pow, T_BOOL, "yes", 0, 0,
	  "HiddenServicePoWDefensesEnabled: under load, clients must solve a\n"
	  "proof-of-work puzzle to reach the service."),
	K(onion_intro_dos, T_BOOL, "yes", 0, 0,
	  "HiddenServiceEnableIntroDoSDefense: introduction points rate-limit\n"
	  "introductions (tor's defaults: 25/s, burst 200)."),
	K(tor_sandbox, T_BOOL, "yes", 0, 0,
	  "Run tor with Sandbox 1 (seccomp)."),
	K(tor_group, T_STR, "", 0, 64,
	  "Run tor in this group (the OS image: broadside-tor, the only group its\n"
	  "firewall lets out). Needs CAP_SETGID, which only the spawner keeps.\n"
	  "Empty: tor runs in serve's group."),
	K(admin_ssh_port, T_INT, "0", 0, 65535,
	  "With an admin onion (`broadside admin add-client`): forward its port 22\n"
	  "to 127.0.0.1:N, e.g. 22 for a local sshd, reachable only by clients\n"
	  "holding a key. 0 = the admin onion serves the status page only."),
	K(onionbalance_path, T_STR, "/usr/sbin/onionbalance", 1, 4096,
	  "The onionbalance program, run on an Onionbalance front (see\n"
	  "`broadside balance --help`)."),
	K(pdftotext_path, T_STR, "/usr/bin/pdftotext", 1, 4096,
	  "The pdftotext program (poppler-utils), by its absolute path (PATH is\n"
	  "never searched). It runs in the document jail with the PDF on its stdin."),
	K(unrtf_path, T_STR, "/usr/bin/unrtf", 1, 4096,
	  "The unrtf program, for RTF documents and attachments, by its absolute\n"
	  "path. It runs in the document jail with the RTF on its stdin."),
	K(catdoc_path, T_STR, "/usr/bin/catdoc", 1, 4096,
	  "The catdoc program, for Word 97-2003 documents (.doc), by its absolute\n"
	  "path. It runs in the document jail with the document on its stdin."),
	K(xls2csv_path, T_STR, "/usr/bin/xls2csv", 1, 4096,
	  "The xls2csv program (catdoc's), for Excel 97-2003 workbooks (.xls), by\n"
	  "its absolute path. It runs in the document jail with a copy of the\n"
	  "workbook on its stdin."),
	K(ocr_languages, T_STR, "eng", 1, 256,
	  "Languages OCR reads (`add --ocr`, `refresh --ocr`), as tesseract names\n"
	  "them, separated by spaces or +: \"eng deu\". Each needs its Debian\n"
	  "package (tesseract-ocr-deu ...)."),
	K(tesseract_path, T_STR, "/usr/bin/tesseract", 1, 4096,
	  "The tesseract program (OCR), by its absolute path; it runs in the\n"
	  "document jail, one image at a time on its stdin."),
	K(pdftoppm_path, T_STR, "/usr/bin/pdftoppm", 1, 4096,
	  "The pdftoppm program (poppler-utils) that draws PDF pages as images for\n"
	  "the page view (/p/) and for OCR of PDF pages without text, by absolute\n"
	  "path; it runs in the document jail."),
	K(pdfinfo_path, T_STR, "/usr/bin/pdfinfo", 1, 4096,
	  "The pdfinfo program (poppler-utils) that counts a PDF's pages, by\n"
	  "absolute path; it runs in the document jail."),
	K(render_cache_mb, T_INT, "256", 1, 1000000,
	  "MB of page images and clean image copies kept in DIR/cache; the least\n"
	  "recently used go first. Pages made by `add --render-pages` (DIR/pages)\n"
	  "are not counted and never evicted."),
	K(render_queue, T_INT, "8", 0, 1000,
	  "Pages or images waiting to be made while one is being made; more get\n"
	  "503 with Retry-After. Each circuit may wait for one at a time (429)."),
	K(balance_serve_here, T_BOOL, "yes", 0, 0,
	  "On a front: also serve readers from this appliance, as one of the\n"
	  "backends (under a second key, onion/instance). no: this machine only\n"
	  "publishes the front's descriptors."),
	K(balance_testnet, T_BOOL, "no", 0, 0,
	  "Run onionbalance with --is-testnet (a private Tor network with\n"
	  "TestingTorNetwork 1; tests only)."),
	K(mirror_interval, T_DURATION, "4h", 0, 30LL * 86400,
	  "How often serve re-runs the mirror of each collection mirrored here\n"
	  "(`broadside mirror`), through its own tor, so that mirrors follow their\n"
	  "origin: a number with s, m, h or d (seconds without a unit), counted\n"
	  "from the end of one run to the start of the next. 0 = never (run\n"
	  "`broadside mirror` by hand). Intervals of seconds are for tests."),
	K(mirror_jitter, T_INT, "10", 0, 50,
	  "Percent by which each interval is made randomly longer or shorter, so\n"
	  "that mirrors do not all call on their origin at the same moment."),
	K(mirror_socks, T_STR, "", 0, 200,
	  "The tor SocksPort on this machine the scheduled mirror runs use:\n"
	  "HOST:PORT or unix:/PATH. Empty: serve's own tor opens one for them only,\n"
	  "on the Unix socket DIR/tor/socks.sock (no TCP port, no other user)."),
	K(mirror_max_manifest_size, T_INT, "67108864", 4096, 1LL << 40,
	  "Bytes one fetched manifest may have (mirror --max-manifest-size).\n"
	  "64 MiB holds ~400,000 files with 70-byte paths."),
	K(mirror_quarantine_max, T_INT, "67108864", 0, 1LL << 40,
	  "Bytes of mismatching bodies a mirror keeps in its quarantine in all\n"
	  "(mirror --quarantine-max); the REPORT lines are always kept."),
	K(mirror_deadline, T_DURATION, "24h", 1, 365LL * 86400,
	  "A mirror run stops after this long, keeping what it verified\n"
	  "(mirror --deadline); the next run resumes."),
	K(mirror_min_rate, T_INT, "1024", 0, 1LL << 40,
	  "Bytes per second below which a mirror transfer is dropped, measured over\n"
	  "mirror_min_rate_time (mirror --min-rate). 0 = no minimum."),
	K(mirror_min_rate_time, T_DURATION, "120", 0, 86400,
	  "The window of mirror_min_rate (mirror --min-rate-time)."),
	K(mirror_max_removals, T_INT, "10", 0, 100,
	  "Percent of the installed files a new version may remove before a mirror\n"
	  "refuses it (mirror --max-removals; --accept-removals by hand)."),
	K(vanguards, T_BOOL, "no", 0, 0,
	  "Run the full vanguards defence (Debian's vanguards) next to tor: pinned\n"
	  "layer-2 and layer-3 relays and circuit watchers against guard discovery\n"
	  "(see the README's \"Vanguards\"). The installed package turns it on in\n"
	  "/etc/broadside/broadside.conf; a checkout (make run, the tests) leaves it off."),
	K(vanguards_path, T_STR, "/usr/bin/vanguards", 1, 4096,
	  "The vanguards program."),
	K(vanguards_testnet, T_BOOL, "no", 0, 0,
	  "Pin 3 layer-3 relays instead of 8 (a private Tor network with\n"
	  "TestingTorNetwork 1 and few relays; tests only)."),
	K(sandbox, T_SANDBOX, "yes", 0, 0,
	  "Sandbox serve itself once started (Landlock + seccomp): read-only on the\n"
	  "collection roots known at start, no exec, no inet sockets. yes: apply what\n"
	  "the kernel supports and warn about the rest; required: refuse to start\n"
	  "unless all of it applies; no: off. A collection added while serve runs\n"
	  "is served after a restart of serve. The same setting governs the document\n"
	  "jail of add, refresh and mirror (every document parsed in a child that\n"
	  "can reach nothing but that document); no: documents are parsed in-process."),
};

int
conf_parse_duration(const char *s, int64_t min, int64_t max, int64_t *out)
{
	static const struct { char unit; int64_t mult; } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 },
		{ 'd', 86400 } };
	size_t n = strlen(s);
	int64_t mult = 1, v;
	char num[32];

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	for (size_t i = 0; i < ARRAY_LEN(units); i++)
		if (num[n - 1] == units[i].unit) {
			mult = units[i].mult;
			num[--n] = '\0';
			break;
		}
	if (parse_int64(num, 0, INT64_MAX / 86400, &v) < 0 || v * mult < min || v * mult > max)
		return -1;
	*out = v * mult;
	return 0;
}

static void
set_default(conf_t *c, const struct conf_key *k)
{
	char *p = (char *)c + k->off;
	switch (k->type) {
	case T_STR:
	case T_LEVEL:
	case T_LANG:
		free(*(char **)p);
		*(char **)p = xstrdup(k->def);
		break;
	case T_BOOL:
		*(int *)p = strcmp(k->def, "yes") == 0;
		break;
	case T_INT:
		(void)parse_int64(k->def, k->min, k->max, (int64_t *)p);
		break;
	case T_DURATION:
		(void)conf_parse_duration(k->def, k->min, k->max, (int64_t *)p);
		break;
	case T_SANDBOX:
		*(int *)p = sandbox_mode_parse(k->def);
		break;
	}
}

conf_t *
conf_new(void)
{
	conf_t *c = xcalloc(1, sizeof(*c));
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		set_default(c, &keys[i]);
	return c;
}

void
conf_free_(conf_t *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (keys[i].type == T_STR || keys[i].type == T_LEVEL || keys[i].type == T_LANG)
			free(*(char **)((char *)c + keys[i].off));
	free(c);
}

static const struct conf_key *
find_key(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

int
conf_set(conf_t *c, const char *key, const char *value, char *err, size_t errlen)
{
	const struct conf_key *k = find_key(key);
	char *p;

	if (k == NULL) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	p = (char *)c + k->off;
	switch (k->type) {
	case T_STR:
		if ((int64_t)strlen(value) < k->min || (int64_t)strlen(value) > k->max) {
			snprintf(err, errlen, "%s: value must be %lld to %lld bytes long",
			    key, (long long)k->min, (long long)k->max);
			return -1;
		}
		for (const char *s = value; *s; s++)
			if ((unsigned char)*s < 0x20 && *s != '\t') {
				snprintf(err, errlen, "%s: control character in value", key);
				return -1;
			}
		free(*(char **)p);
		*(char **)p = xstrdup(value);
		return 0;
	case T_LEVEL:
		if (log_level_parse(value) < 0) {
			snprintf(err, errlen, "%s: '%s' is not one of error, warn, info, debug",
			    key, value);
			return -1;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(value);
		return 0;
	case T_LANG:
		if (!lang_valid(value)) {
			snprintf(err, errlen, "%s: '%s' is not one of " CONF_LANGUAGES, key, value);
			return -1;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(value);
		return 0;
	case T_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 ||
		    strcmp(value, "on") == 0 || strcmp(value, "1") == 0)
			*(int *)p = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 ||
		    strcmp(value, "off") == 0 || strcmp(value, "0") == 0)
			*(int *)p = 0;
		else {
			snprintf(err, errlen, "%s: '%s' is not yes or no", key, value);
			return -1;
		}
		return 0;
	case T_SANDBOX:
		if (sandbox_mode_parse(value) < 0) {
			snprintf(err, errlen, "%s: '%s' is not one of yes, required, no", key, value);
			return -1;
		}
		*(int *)p = sandbox_mode_parse(value);
		return 0;
	case T_DURATION:
		if (conf_parse_duration(value, k->min, k->max, (int64_t *)p) < 0) {
			snprintf(err, errlen, "%s: '%s' is not a duration from %lld to %lld seconds "
			    "(a number with s, m, h or d)", key, value, (long long)k->min, (long long)k->max);
			return -1;
		}
		return 0;
	case T_INT:
		if (parse_int64(value, k->min, k->max, (int64_t *)p) < 0) {
			snprintf(err, errlen, "%s: '%s' is not a whole number from %lld to %lld",
			    key, value, (long long)k->min, (long long)k->max);
			return -1;
		}
		return 0;
	}
	return -1;
}

static char *
trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* Unquote "..." (with \" and \\) in place, or cut an unquoted value at " #". */
static int
unquote(char *v, const char **why)
{
	if (*v != '"') {
		char *h = strstr(v, " #");
		if (h == NULL)
			h = strstr(v, "\t#");
		if (h) {
			*h = '\0';
			(void)trim(v);
		}
		return 0;
	}
	char *r = v + 1, *w = v;
	for (; *r && *r != '"'; r++) {
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
	if (*r != '"') {
		*why = "unterminated quoted value";
		return -1;
	}
	r = trim(r + 1);
	if (*r != '\0' && *r != '#') {
		*why = "text after the closing quote";
		return -1;
	}
	*w = '\0';
	return 0;
}

int
conf_load(conf_t *c, const char *path, int missing_ok, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = -1;
	int seen[ARRAY_LEN(keys)] = { 0 };
	char why[256];

	if (f == NULL) {
		if (missing_ok && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *s = trim(line), *eq, *key, *val;
		const char *qwhy = NULL;
		const struct conf_key *k;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
			goto done;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (unquote(val, &qwhy) < 0) {
			snprintf(err, errlen, "%s:%d: %s: %s", path, lineno, key, qwhy);
			goto done;
		}
		k = find_key(key);
		if (k && seen[k - keys]) {
			snprintf(err, errlen, "%s:%d: %s: already set on line %d", path,
			    lineno, key, seen[k - keys]);
			goto done;
		}
		if (conf_set(c, key, val, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			goto done;
		}
		seen[k - keys] = lineno;
	}
	rc = 0;
done:
	free(line);
	fclose(f);
	return rc;
}

char *
conf_example(void)
{
	strbuf_t b;

	strbuf_init(&b);
	strbuf_adds(&b,
	    "# broadside.conf: the appliance's settings. `key = value`; a line that\n"
	    "# starts with # is a comment. Every key is listed with its default;\n"
	    "# uncomment a line to change it. Check with: broadside serve -n\n");
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		const char *d = keys[i].doc;
		strbuf_adds(&b, "\n");
		while (*d) {
			const char *nl = strchr(d, '\n');
			size_t n = nl ? (size_t)(nl - d) : strlen(d);
			strbuf_adds(&b, "# ");
			strbuf_add(&b, d, n);
			strbuf_adds(&b, "\n");
			d += n + (nl ? 1 : 0);
		}
		if (keys[i].type == T_STR && (keys[i].def[0] == '\0' || strchr(keys[i].def, '#')))
			strbuf_addf(&b, "#%s = \"%s\"\n", keys[i].name, keys[i].def);
		else
			strbuf_addf(&b, "#%s = %s\n", keys[i].name, keys[i].def);
	}
	return strbuf_detach(&b);
}

/* Text for a roff line: backslashes and minus signs escaped, and a leading
 * dot or quote neutralised, so doc strings can never become requests. */
static void
man_text(strbuf_t *b, const char *s, size_t n)
{
	if (n > 0 && (s[0] == '.' || s[0] == '\''))
		strbuf_adds(b, "\\&");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\')
			strbuf_adds(b, "\\e");
		else if (s[i] == '-')
			strbuf_adds(b, "\\-");
		else
			strbuf_add(b, &s[i], 1);
	}
}

static void
man_texts(strbuf_t *b, const char *s)
{
	man_text(b, s, strlen(s));
}

char *
conf_man(const char *version)
{
	strbuf_t b;

	strbuf_init(&b);
	strbuf_adds(&b, ".\\\" Generated by `broadside conf-manpage` from the parser's key table.\n");
	strbuf_adds(&b, ".TH BROADSIDE.CONF 5 \"\" \"broadside ");
	man_texts(&b, version);
	strbuf_adds(&b, "\" \"File Formats\"\n"
	    ".SH NAME\nbroadside.conf \\- settings of the Broadside onion publisher\n"
	    ".SH SYNOPSIS\n.I DIR/broadside.conf\n.br\n.I /etc/broadside/broadside.conf\n"
	    ".SH DESCRIPTION\n"
	    "One setting per line, \\fIkey\\fR \\fB=\\fR \\fIvalue\\fR; a line that starts with\n"
	    ".B #\nis a comment, and a value may be put in double quotes (then\n"
	    "\\e\" and \\e\\e stand for a quote and a backslash). A key may appear once per file;\n"
	    "an unknown key, a value out of range or a malformed line stops\n"
	    ".B broadside serve\nwith the file and line named.\n"
	    ".PP\n"
	    ".B broadside init\nwrites\n.I DIR/broadside.conf\n"
	    "with every key below commented out at its default.\n"
	    ".B broadside serve \\-\\-conf\n.I FILE\nreads\n.I FILE\nfirst, then\n"
	    ".IR DIR/broadside.conf ,\nwhose keys override; the Debian package's service reads\n"
	    ".I /etc/broadside/broadside.conf\nthat way.\n"
	    ".B broadside serve \\-n\nchecks the files and exits.\n"
	    ".SH KEYS\n");
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		const struct conf_key *k = &keys[i];
		const char *d = k->doc;

		strbuf_adds(&b, ".TP\n.B ");
		man_texts(&b, k->name);
		strbuf_adds(&b, "\n");
		while (*d) {
			const char *nl = strchr(d, '\n');
			size_t n = nl ? (size_t)(nl - d) : strlen(d);

			man_text(&b, d, n);
			strbuf_adds(&b, "\n");
			d += n + (nl ? 1 : 0);
		}
		switch (k->type) {
		case T_STR:
			strbuf_addf(&b, "Text, %lld to %lld bytes.", (long long)k->min,
			    (long long)k->max);
			break;
		case T_BOOL:
			strbuf_adds(&b, "yes or no.");
			break;
		case T_INT:
			strbuf_addf(&b, "An integer from %lld to %lld.", (long long)k->min,
			    (long long)k->max);
			break;
		case T_LEVEL:
			strbuf_adds(&b, "error, warn, info or debug.");
			break;
		case T_LANG:
			strbuf_adds(&b, "A language code: " CONF_LANGUAGES ".");
			break;
		case T_SANDBOX:
			strbuf_adds(&b, "yes, required or no.");
			break;
		case T_DURATION:
			strbuf_addf(&b, "A duration (a number with s, m, h or d) from %lld to %lld seconds.",
			    (long long)k->min, (long long)k->max);
			break;
		}
		if (k->def[0] == '\0') {
			strbuf_adds(&b, " Default: empty.\n");
		} else {
			strbuf_adds(&b, " Default: \\fB");
			man_texts(&b, k->def);
			strbuf_adds(&b, "\\fR.\n");
		}
	}
	strbuf_adds(&b, ".SH SEE ALSO\n.BR broadside (1)\n");
	return strbuf_detach(&b);
}
