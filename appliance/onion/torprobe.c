/* torprobe: see torprobe.h. Written as an attacker would: raw bytes, fds
 * found by scanning, paths guessed from the data directory; nothing here
 * uses spawner.h or ctlrelay.h, so the same probe runs against any version
 * of them. */
#include "onion/torprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "base/text.h"
#include "base/util.h"

#define WAIT_MS 20000

static const char bridge_lines[] = "UseBridges 1\nBridge 192.0.2.1:443\nSandbox 0\n";

/* Every SOCK_SEQPACKET socket serve holds: the spawner's, and those of its
 * other helpers (the render process, the mirror runner). An attacker tries
 * them all; up to 8, in fd order. */
static int
find_seqpackets(int *out, int max)
{
	int n = 0;

	for (int fd = 3; fd < 1024 && n < max; fd++) {
		int type = 0;
		socklen_t len = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET)
			out[n++] = fd;
	}
	return n;
}

/* A front's onionbalance YAML listing a backend of ours: its readers would
 * go where we say at onionbalance's next start. */
static void
try_ob_yaml(const char *root)
{
	static const char *const yamls[] = { "run/onionbalance.yaml", "tor/onionbalance.yaml" };

	for (size_t i = 0; i < ARRAY_LEN(yamls); i++) {
		char *p = xasprintf("%s/%s", root, yamls[i]);
		char *y = xasprintf("services:\n- key: %s/onion/public/hs_ed25519_secret_key\n"
		    "  instances:\n  - address: probeattacker\n    name: probe-attacker\n", root);
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		log_info("tor probe: yaml %s: %s", yamls[i], fd >= 0 ? "ALLOWED" : strerror(errno));
		if (fd >= 0) {
			(void)!write(fd, y, strlen(y));
			close(fd);
		}
		free(y);
		free(p);
	}
}

static void
try_files(const char *root)
{
	static const char *const torrcs[] = { "run/torrc", "tor/torrc" };
	static const char *const cookies[] = { "run/control.authcookie", "tor/control.authcookie" };

	for (size_t i = 0; i < ARRAY_LEN(torrcs); i++) {
		char *p = xasprintf("%s/%s", root, torrcs[i]);
		int fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
		log_info("tor probe: write %s: %s", torrcs[i], fd >= 0 ? "ALLOWED" : strerror(errno));
		if (fd >= 0) {
			(void)!write(fd, bridge_lines, strlen(bridge_lines));
			close(fd);
		}
		free(p);
	}
	for (size_t i = 0; i < ARRAY_LEN(cookies); i++) {
		char *p = xasprintf("%s/%s", root, cookies[i]);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		log_info("tor probe: read %s: %s", cookies[i], fd >= 0 ? "ALLOWED" : strerror(errno));
		if (fd >= 0)
			close(fd);
		free(p);
	}
}

/* Read want replies; out gets the first line of each, joined by " | ";
 * "(connection closed)" on EOF or timeout. */
static void
read_replies(int fd, int want, char *out, size_t n)
{
	char buf[8192];
	size_t len = 0, used = 0;
	int got = 0;
	ssize_t r;

	out[0] = '\0';
	while (got < want) {
		char *nl = memchr(buf + used, '\n', len - used);
		if (nl == NULL) {
			if (len + 1 >= sizeof(buf) ||
			    (r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) <= 0) {
				snprintf(out + strlen(out), n - strlen(out), "%s(connection closed)",
				    got ? " | " : "");
				return;
			}
			len += (size_t)r;
			continue;
		}
		/* A line "NNN text": the first of a reply unless one is open; a
		 * final line (space after the code) that is no event ends it. */
		{
			char *l = buf + used;
			size_t ll = (size_t)(nl - l);
			static int open_reply;
			if (!open_reply && ll >= 4 && l[0] != '6')
				snprintf(out + strlen(out), n - strlen(out), "%s%.*s", got ? " | " : "",
				    (int)(ll && l[ll - 1] == '\r' ? ll - 1 : ll), l);
			open_reply = ll >= 4 && l[0] != '6' && l[3] != ' ';
			if (ll >= 4 && l[0] != '6' && l[3] == ' ')
				got++;
			used = (size_t)(nl - buf) + 1;
		}
	}
}

static void
timeouts(int fd, int sec)
{
	struct timeval tv = { sec, 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Straight to tor's control socket, with its cookie. */
static int
direct(const char *root)
{
	static const char *const socks[] = { "tor/control", "run/control" };

	for (size_t i = 0; i < ARRAY_LEN(socks); i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		char *p = xasprintf("%s/%s", root, socks[i]);
		char *c = xasprintf("%s.authcookie", p);
		char line[256], hex[65], cmd[128];
		size_t clen = 0;
		char *cookie;
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			log_info("tor probe: connect %s: %s", socks[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			free(p);
			free(c);
			continue;
		}
		timeouts(fd, 5);
		cookie = read_file_small(c, 64, &clen);
		if (cookie && clen == 32) {
			text_hex(hex, (uint8_t *)cookie, 32);
			snprintf(cmd, sizeof(cmd), "AUTHENTICATE %s\r\n", hex);
			(void)!write(fd, cmd, strlen(cmd));
			read_replies(fd, 1, line, sizeof(line));
			log_info("tor probe: connect %s: ALLOWED, authenticate: %s", socks[i], line);
		}
		free(cookie);
		free(p);
		free(c);
		return fd;
	}
	return -1;
}

/* Ask the spawner for a control connection (type 5, as serve does). */
static int
via_spawner(int sp)
{
	int32_t m[3] = { 5, 0, 0 };
	int64_t until = now_ms() + WAIT_MS;

	while (now_ms() < until) {
		int32_t a[3];
		int fd = -1;
		ssize_t r;
		if (send(sp, m, sizeof(m), MSG_NOSIGNAL) < 0)
			return -1;
		/* Answers to serve's own requests may be in the way: skip them. */
		while ((r = fd_recv(sp, a, sizeof(a), 0, &fd)) == (ssize_t)sizeof(a) && a[0] != 6) {
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
		if (r != (ssize_t)sizeof(a))
			return -1;   /* no answer: a spawner without such requests */
		if (a[1] == 0 && fd >= 0)
			return fd;
		usleep(200 * 1000);
	}
	return -1;
}

/* A second tor with arguments of our choosing: SPAWN (type 1) with an argv.
 * Its own DataDirectory (the first tor holds the lock), DisableNetwork 1 so
 * that the test never dials anything. */
static void
spawn_attack(int sp, const char *root, const char *tor_path)
{
	char buf[1024];
	char *dd = xasprintf("%s/run/probe-tor", root);
	int32_t m[3] = { 1, 0, 0 }, a[3];
	const char *args[] = { tor_path, "-f", "/dev/null", "--DataDirectory", dd,
		"--SocksPort", "0", "--DisableNetwork", "1", "--Sandbox", "0",
		"--UseBridges", "1", "--Bridge", "192.0.2.1:443", NULL };
	size_t len = sizeof(m);
	int fd = -1;
	ssize_t r;

	memcpy(buf, m, sizeof(m));
	for (int i = 0; args[i]; i++) {
		memcpy(buf + len, args[i], strlen(args[i]) + 1);
		len += strlen(args[i]) + 1;
	}
	free(dd);
	if (send(sp, buf, len, MSG_NOSIGNAL) < 0) {
		log_info("tor probe: spawn with extra arguments: %s", strerror(errno));
		return;
	}
	while ((r = fd_recv(sp, a, sizeof(a), 0, &fd)) == (ssize_t)sizeof(a) && a[0] != 2)
		if (fd >= 0)
			close(fd);
	if (fd >= 0)
		close(fd);
	if (r != (ssize_t)sizeof(a))
		log_info("tor probe: spawn with extra arguments: no answer");
	else if (a[1] > 0)
		log_info("tor probe: spawn with extra arguments: STARTED pid %d", a[1]);
	else
		log_info("tor probe: spawn with extra arguments: %s", strerror(-a[1]));
}

/* START of program 1 (onionbalance), as serve asks for it: it should now
 * read the YAML written above, if the spawner lets serve choose it. */
static void
start_ob(int sp)
{
	int32_t m[3] = { 1, 1, 0 }, a[3];
	int fd = -1;
	ssize_t r;

	if (send(sp, m, sizeof(m), MSG_NOSIGNAL) < 0) {
		log_info("tor probe: start onionbalance: %s", strerror(errno));
		return;
	}
	while ((r = fd_recv(sp, a, sizeof(a), 0, &fd)) == (ssize_t)sizeof(a) && a[0] != 2)
		if (fd >= 0)
			close(fd);
	if (fd >= 0)
		close(fd);
	if (r != (ssize_t)sizeof(a))
		log_info("tor probe: start onionbalance: no answer");
	else if (a[1] > 0)
		log_info("tor probe: start onionbalance: STARTED pid %d", a[1]);
	else
		log_info("tor probe: start onionbalance: %s", strerror(-a[1]));
}

static const char *const hostile[] = {
	"SETCONF HiddenServicePort=\"80 192.0.2.1:80\"",
	"SETCONF UseBridges=1 Bridge=\"192.0.2.1:443\"",
	"RESETCONF HiddenServiceDir",
	"ADD_ONION NEW:ED25519-V3 Port=80,192.0.2.1:80",
	"SETEVENTS STATUS_CLIENT HS_DESC CIRC STREAM ADDRMAP",
	"GETINFO address",
	"GETCONF HiddenServiceDir",
	"TAKEOWNERSHIP",
	"DROPOWNERSHIP",
	"AUTHCHALLENGE SAFECOOKIE 0000000000000000000000000000000000000000000000000000000000000000",
	"SAVECONF",
	"SIGNAL HALT",
	"+LOADCONF\r\nUseBridges 1\r\nBridge 192.0.2.1:443\r\n.",
	"GETINFO status/bootstrap-phase\r\nSETCONF UseBridges=1",
	NULL,
};

void
torprobe_run(const char *root, const char *tor_path)
{
	int socks[8], nsocks = find_seqpackets(socks, 8), sp = -1, ctl;
	char line[256];

	log_info("tor probe: helper sockets: %d", nsocks);
	try_files(root);
	try_ob_yaml(root);
	ctl = direct(root);
	/* The spawner is the one that hands out a control connection. */
	for (int i = 0; ctl < 0 && i < nsocks; i++) {
		timeouts(socks[i], 3);
		if ((ctl = via_spawner(socks[i])) >= 0)
			sp = socks[i];
	}
	if (sp < 0 && nsocks > 0)
		sp = socks[nsocks - 1];
	log_info("tor probe: spawner socket: %s", sp >= 0 ? "found" : "none");
	log_info("tor probe: control connection: %s", ctl >= 0 ? "yes" : "none");
	if (ctl >= 0)
		timeouts(ctl, 5);
	for (int i = 0; ctl >= 0 && hostile[i]; i++) {
		char *cmd = xasprintf("%s\r\n", hostile[i]);
		/* Pipelined: the second command's answer follows the first's. */
		int two = strstr(hostile[i], "\r\nSETCONF") != NULL;
		(void)!write(ctl, cmd, strlen(cmd));
		read_replies(ctl, two ? 2 : 1, line, sizeof(line));
		if (two) {
			log_info("tor probe: command %d (pipelined GETINFO + SETCONF): %s", i, line);
		} else {
			log_info("tor probe: command %d (%.*s): %s", i,
			    (int)strcspn(hostile[i], " \r"), hostile[i], line);
		}
		free(cmd);
	}
	if (ctl >= 0)
		close(ctl);
	if (sp >= 0) {
		spawn_attack(sp, root, tor_path);
		start_ob(sp);
	}
	log_info("tor probe: done");
}
