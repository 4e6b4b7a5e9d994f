/* test_spawner: the spawner and its control filter against the real tor
 * (DisableNetwork 1: no network). Start by program name only (a second start
 * is refused), the torrc written by the spawner, a filtered connection for
 * serve (allowed commands answered by tor, others 510 in order), stem as
 * onionbalance and as vanguards on their own sockets (every command they
 * send passes; what they must not send is refused), stop, and the filter's
 * cost: GETINFO round trips per second through it and straight to tor. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/text.h"
#include "base/util.h"
#include "onion/ctlfilter.h"
#include "onion/spawner.h"
#include "unit.h"

#define ROUND_TRIPS 2000

static char *tmp;

/* Send cmd (CRLF added), read until n final reply lines; the text read. */
static char *
ask(int fd, const char *cmd, int n)
{
	static char buf[65536];
	size_t len = 0;
	int finals = 0;
	char line[512];

	snprintf(line, sizeof(line), "%s\r\n", cmd);
	if (write_all(fd, line, strlen(line)) < 0)
		return NULL;
	while (finals < n && len + 1 < sizeof(buf)) {
		ssize_t r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (r <= 0)
			return NULL;
		for (size_t i = len; i < len + (size_t)r; i++)
			if (buf[i] == '\n') {
				size_t s = i;
				while (s > 0 && buf[s - 1] != '\n')
					s--;
				if (i - s >= 4 && buf[s + 3] == ' ' && buf[s] != '6')
					finals++;
			}
		len += (size_t)r;
	}
	buf[len] = '\0';
	return buf;
}

static int
connect_direct(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *cookie_path = xasprintf("%s/control.authcookie", dir), hex[65], cmd[128];
	size_t clen = 0;
	char *cookie = read_file_small(cookie_path, 64, &clen);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	const char *r;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/control", dir);
	if (cookie == NULL || clen != 32 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
		goto done;
	}
	text_hex(hex, (uint8_t *)cookie, 32);
	snprintf(cmd, sizeof(cmd), "AUTHENTICATE %s", hex);
	r = ask(fd, cmd, 1);
	if (r == NULL || strncmp(r, "250 ", 4) != 0) {
		close(fd);
		fd = -1;
	}
done:
	free(cookie);
	free(cookie_path);
	return fd;
}

static double
rate(int fd)
{
	struct timespec a, b;
	int okay = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < ROUND_TRIPS; i++) {
		const char *r = ask(fd, "GETINFO status/bootstrap-phase", 1);
		okay += r && strstr(r, "250 OK") != NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	is_int(okay, ROUND_TRIPS, "every GETINFO answered");
	return ROUND_TRIPS / ((double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
}

/* stem, as the program would use it, on the filtered socket. */
static int
stem(const char *sock, const char *script)
{
	char *path = xasprintf("%s/as_program.py", tmp), *cmd;
	int rc;

	write_file_atomic(path, script, strlen(script), 0600);
	/* Debian's python3, where Debian's stem is. */
	cmd = xasprintf("timeout 30 /usr/bin/python3 '%s' '%s' >'%s/stem.out' 2>&1", path, sock, tmp);
	rc = system(cmd);
	if (rc != 0) {
		char *o = xasprintf("cat '%s/stem.out' >&2", tmp);
		(void)!system(o);
		free(o);
	}
	free(cmd);
	free(path);
	return rc;
}

static const char ob_script[] =
    "import sys, stem.control\n"
    "from stem.control import EventType, Signal\n"
    "c = stem.control.Controller.from_socket_file(sys.argv[1])\n"
    "c.authenticate()\n"
    "assert c.is_authenticated()\n"
    "print(c.get_version())\n"
    "f = lambda e: None\n"
    "for t in (EventType.STATUS_CLIENT, EventType.HS_DESC, EventType.HS_DESC_CONTENT):\n"
    "    c.add_event_listener(f, t)\n"
    "c.signal(Signal.ACTIVE)\n"
    "c.signal(Signal.NEWNYM)\n"
    "try:\n"
    "    c.get_info('dir/status-vote/current/consensus-microdesc')\n"
    "except stem.ControllerError: pass\n"   /* no consensus yet: tor's 551 */
    /* HSFETCH and +HSPOST as onionbalance itself frames them: tor must
     * answer (whatever it says offline), not the filter's 510. */
    "addr = 'pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd'\n"
    "try:\n"
    "    c.get_hidden_service_descriptor(addr, await_result=False)\n"
    "except stem.ControllerError as e:\n"
    "    assert '510' not in str(e), e\n"
    "from onionbalance.common.descriptor import upload_descriptor\n"
    "try:\n"
    "    upload_descriptor(c, 'hs-descriptor 3\\ndescriptor-lifetime 180\\n', "
    "hsdirs=['ABCDEF0123456789ABCDEF0123456789ABCDEF01'], v3_onion_address=addr)\n"
    "except stem.ControllerError as e:\n"
    "    assert '510' not in str(e), e\n"
    "    print('HSPOST answered by tor:', e)\n"
    "try:\n"
    "    c.set_conf('UseBridges', '1'); sys.exit('SETCONF passed')\n"
    "except stem.ControllerError: pass\n"
    "c.close()\n";

static const char vg_script[] =
    "import sys, stem.control\n"
    "from stem.control import EventType\n"
    "c = stem.control.Controller.from_socket_file(sys.argv[1])\n"
    "c.authenticate()\n"
    "c.get_version()\n"
    "c.get_conf('GeoIPExcludeUnknown'); c.get_conf('ExcludeNodes'); c.get_conf('DataDirectory')\n"
    "c.get_info('network-liveness'); c.get_info('orconn-status')\n"
    "c.get_info('ip-to-country/ipv4-available', '0')\n"
    "fp = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01'\n"
    "c.set_conf('NumEntryGuards', '2'); c.set_conf('NumPrimaryGuards', '2')\n"
    "c.set_conf('GuardLifetime', '30 days')\n"
    "c.set_conf('HSLayer2Nodes', ','.join([fp] * 4)); c.set_conf('HSLayer3Nodes', fp)\n"
    "f = lambda e: None\n"
    "for t in (EventType.CIRC, EventType.BW, EventType.ORCONN, EventType.NETWORK_LIVENESS,\n"
    "          EventType.CIRC_BW, EventType.CIRC_MINOR, EventType.BUILDTIMEOUT_SET,\n"
    "          EventType.NEWCONSENSUS, EventType.SIGNAL):\n"
    "    c.add_event_listener(f, t)\n"
    "try:\n"
    "    c.close_circuit('4242')\n"
    "except stem.InvalidRequest: pass\n"   /* 552 unknown circuit: tor answered */
    "try:\n"
    "    c.set_conf('HiddenServicePort', '80 192.0.2.1:80'); sys.exit('SETCONF passed')\n"
    "except stem.ControllerError: pass\n"
    "c.close()\n";

int
main(void)
{
	char tmpl[] = "/tmp/tspawn.XXXXXX";
	char *dir, *append, *http, *sock;
	int out = -1, out2 = -1, fd, direct, status = 0;
	pid_t pid;
	spawner_t *s;
	torrc_opts_t rc;
	const char *r;

	log_set_level(LOG_WARN);
	if (access("/usr/bin/tor", X_OK) < 0) {
		printf("# no tor: skipped\n");
		return unit_done();
	}
	tmp = mkdtemp(tmpl);
	dir = xasprintf("%s/tor", tmp);
	append = xasprintf("%s/append", tmp);
	http = xasprintf("%s/http.sock", tmp);
	write_file_atomic(append, "DisableNetwork 1\n", 17, 0600);
	rc = (torrc_opts_t){ .data_dir = dir, .run_dir = dir, .http_socket = http,
		.config_append = append };
	s = spawner_new(&(spawner_opts_t){ .tor_path = "/usr/bin/tor", .torrc = &rc,
		.ob_path = "/bin/true", .ob_root = tmp,
		.vanguards_path = "/bin/true" });
	ok(s != NULL, "spawner");
	pid = spawner_start(s, SPAWNER_TOR, &out);
	ok(pid > 0, "tor started by name");
	/* out stays open: tor would die of SIGPIPE on its first log line. */
	is_int(spawner_start(s, SPAWNER_TOR, &out2), -1, "a second start is refused");
	is_int(errno, EBUSY, "… as busy");
	is_int(spawner_start(s, 7, &out2), -1, "an unknown program is refused");
	{
		char *torrc = xasprintf("%s/torrc", dir);
		char *text = read_file_small(torrc, 65536, NULL);
		ok(text && strstr(text, "DisableNetwork 1") && strstr(text, "ControlPort unix:"),
		    "the spawner wrote the torrc");
		free(text);
		free(torrc);
	}
	fd = -1;
	for (int i = 0; i < 100 && (fd = spawner_connect(s)) < 0; i++)
		usleep(100 * 1000);
	ok(fd >= 0, "a filtered connection once tor listens");
	r = ask(fd, "GETINFO status/bootstrap-phase", 1);
	ok(r && strncmp(r, "250-status/bootstrap-phase=", 27) == 0, "allowed GETINFO: tor answers");
	r = ask(fd, "SETCONF UseBridges=1", 1);
	ok(r && strncmp(r, "510 ", 4) == 0, "SETCONF refused with 510");
	/* Pipelined: a refusal waits for the reply to the command before it. */
	r = ask(fd, "GETINFO status/bootstrap-phase\r\nADD_ONION NEW:BEST Port=80\r\n"
	    "GETINFO status/bootstrap-phase", 3);
	ok(r && strncmp(r, "250-status/", 11) == 0 && strstr(r, "250 OK\r\n510 ") &&
	    strstr(r, "510 Command refused by the control filter\r\n250-status/"),
	    "answers in the order asked");
	r = ask(fd, "GETINFO status/bootstrap-phase\nSETCONF UseBridges=1", 1);
	ok(r == NULL, "a bare LF drops the connection");
	close(fd);

	sock = spawner_socket_path(dir, CTLFILTER_ONIONBALANCE);
	is_int(stem(sock, ob_script), 0, "stem as onionbalance: all it sends passes");
	{
		char *o = xasprintf("%s/stem.out", tmp);
		char *text = read_file_small(o, 65536, NULL);
		ok(text && strstr(text, "HSPOST answered by tor"), "HSPOST reached tor: %s",
		    text ? text : "");
		free(text);
		free(o);
	}
	free(sock);
	sock = spawner_socket_path(dir, CTLFILTER_VANGUARDS);
	is_int(stem(sock, vg_script), 0, "stem as vanguards: all it sends passes");
	free(sock);

	/* The filter's cost. */
	fd = spawner_connect(s);
	direct = connect_direct(dir);
	ok(fd >= 0 && direct >= 0, "both connections");
	if (fd >= 0 && direct >= 0) {
		double via = rate(fd), straight = rate(direct);
		printf("# measured: GETINFO round trips/s: %.0f through the filter, %.0f straight "
		    "to tor (%.2fx)\n", via, straight, via / straight);
	}
	if (fd >= 0)
		close(fd);
	if (direct >= 0)
		close(direct);

	is_int(spawner_stop(s, SPAWNER_TOR, 0), 0, "stop");
	for (int i = 0; i < 100 && spawner_reap(s, pid, &status) == 0; i++)
		usleep(100 * 1000);
	ok(kill(pid, 0) < 0, "tor stopped");
	spawner_free(s);
	if (out >= 0)
		close(out);
	{
		char *cmd = xasprintf("rm -rf '%s'", tmp);
		(void)!system(cmd);
		free(cmd);
	}
	free(dir);
	free(append);
	free(http);
	return unit_done();
}
