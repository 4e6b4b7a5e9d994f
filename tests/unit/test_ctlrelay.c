/* test_ctlrelay: the relay's hold on a tor started offline, against a stand-in
 * tor (a child process on a Unix socket that answers AUTHENTICATE, GETINFO
 * version, GETCONF and SETCONF and writes down each SETCONF it gets; the real
 * tor would go online for real, and test_spawner covers the real one's
 * filtering). Not held: vanguards' layer-3 SETCONF reaches tor as sent.
 * Held: layer 2 passes as sent and tor stays offline; layer 3 reaches tor in
 * one SETCONF with DisableNetwork=0 and vanguards gets 250; a relay held
 * past its limit lets tor out alone (ctlrelay_tick), once. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "onion/ctlfilter.h"
#include "onion/ctlrelay.h"
#include "onion/torctl.h"
#include "unit.h"

#define L2 "SETCONF HSLayer2Nodes=\"$" FP_A ",$" FP_B ",$" FP_C "\""
#define L3 "SETCONF HSLayer3Nodes=\"$" FP_D ",$" FP_E ",$" FP_F "\""
#define FP_A "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define FP_B "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define FP_C "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
#define FP_D "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD"
#define FP_E "EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE"
#define FP_F "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"

static char *t_dir, *t_ctl, *t_cookie, *t_seen;

/* The stand-in tor: one line in, one reply out, on every connection. */
static void
t_answer(int fd, const char *line)
{
	const char *reply = "250 OK\r\n";
	char buf[256];

	if (strncmp(line, "GETINFO version", 15) == 0)
		reply = "250-version=0.4.9.11\r\n250 OK\r\n";
	else if (strncmp(line, "GETCONF ", 8) == 0) {
		/* Nothing is set yet: every SETCONF is a change. */
		snprintf(buf, sizeof(buf), "250 %.*s=\r\n", (int)strcspn(line + 8, "\r\n"), line + 8);
		reply = buf;
	} else if (strncmp(line, "SETCONF ", 8) == 0) {
		FILE *f = fopen(t_seen, "a");
		if (f) {
			fprintf(f, "%.*s\n", (int)strcspn(line, "\r\n"), line);
			fclose(f);
		}
	}
	(void)!write(fd, reply, strlen(reply));
}

static void __attribute__((noreturn))
t_tor(int lfd)
{
	struct pollfd p[32];
	char in[32][8192];
	size_t len[32] = { 0 };
	int n = 1;

	p[0] = (struct pollfd){ lfd, POLLIN, 0 };
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0)
			_exit(1);
		if ((p[0].revents & POLLIN) && n < 32) {
			int c = accept(lfd, NULL, NULL);
			if (c >= 0) {
				len[n] = 0;
				p[n++] = (struct pollfd){ c, POLLIN, 0 };
			}
		}
		for (int i = 1; i < n; i++) {
			ssize_t got;
			char *nl;
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			got = read(p[i].fd, in[i] + len[i], sizeof(in[i]) - 1 - len[i]);
			if (got <= 0) {
				close(p[i].fd);
				p[i] = p[--n];
				len[i] = len[n];
				memcpy(in[i], in[n], len[i]);
				i--;
				continue;
			}
			len[i] += (size_t)got;
			in[i][len[i]] = '\0';
			while ((nl = strchr(in[i], '\n')) != NULL) {
				size_t one = (size_t)(nl - in[i]) + 1;
				t_answer(p[i].fd, in[i]);
				memmove(in[i], in[i] + one, len[i] - one + 1);
				len[i] -= one;
			}
		}
	}
}

/* What the stand-in tor was sent (SETCONF lines), "" if nothing. */
static char *
t_sent(void)
{
	size_t len;
	char *s = read_file_small(t_seen, 1 << 20, &len);

	return s ? s : xstrdup("");
}

/* As vanguards: send cmd on fd through the relay, pump until a reply line. */
static int
t_vanguards_says(ctlrelay_t *r, int fd, const char *cmd, char *reply, size_t size)
{
	size_t len = 0;

	if (write_all(fd, cmd, strlen(cmd)) < 0 || write_all(fd, "\r\n", 2) < 0)
		return -1;
	for (int spins = 0; spins < 200; spins++) {
		struct pollfd p[8];
		size_t k = ctlrelay_pollfds(r, p, 8);
		ssize_t got;

		(void)poll(p, k, 20);
		ctlrelay_handle(r, p, k);
		got = recv(fd, reply + len, size - 1 - len, MSG_DONTWAIT);
		if (got > 0)
			len += (size_t)got;
		reply[len] = '\0';
		if (len > 0 && reply[len - 1] == '\n')
			return 0;
	}
	return -1;
}

static int
t_client(ctlrelay_t *r)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 ||
	    ctlrelay_add(r, sv[1], CTLFILTER_VANGUARDS) < 0)
		return -1;
	return sv[0];
}

int
main(void)
{
	char tmpl[] = "/tmp/test_ctlrelay.XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char reply[512], *sent, cookie[TORCTL_COOKIE_LEN];
	ctlrelay_t *r;
	pid_t tor;
	int lfd, v;

	log_set_level(LOG_ERR);
	t_dir = mkdtemp(tmpl);
	t_ctl = xasprintf("%s/control", t_dir);
	t_cookie = xasprintf("%s/control.authcookie", t_dir);
	t_seen = xasprintf("%s/setconf", t_dir);
	memset(cookie, 7, sizeof(cookie));
	write_file_atomic(t_cookie, cookie, sizeof(cookie), 0600);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t_ctl);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0) {
		perror("stand-in tor");
		return 1;
	}
	if ((tor = fork()) == 0)
		t_tor(lfd);
	close(lfd);

	/* Not held: the layers reach tor as vanguards sent them. */
	r = ctlrelay_new(t_ctl, t_cookie);
	ctlrelay_hold(r, 0, 1000);
	v = t_client(r);
	ok(v >= 0, "vanguards connects through the relay");
	is_int(t_vanguards_says(r, v, L3, reply, sizeof(reply)), 0, "layer 3 answered");
	is_str(reply, "250 OK\r\n", "… 250");
	sent = t_sent();
	is_str(sent, L3 "\n", "not held: tor got layer 3 as sent");
	free(sent);
	ctlrelay_tick(r);
	sent = t_sent();
	ok(strstr(sent, "DisableNetwork") == NULL, "not held: the tick does nothing");
	free(sent);
	close(v);
	ctlrelay_free(r);
	unlink(t_seen);

	/* Held: layer 2 passes alone, tor stays offline; layer 3 lets it out. */
	r = ctlrelay_new(t_ctl, t_cookie);
	ctlrelay_hold(r, 1, 60000);
	ok(ctlrelay_held(r), "held");
	v = t_client(r);
	is_int(t_vanguards_says(r, v, L2, reply, sizeof(reply)), 0, "layer 2 answered");
	is_str(reply, "250 OK\r\n", "… 250");
	sent = t_sent();
	is_str(sent, L2 "\n", "held: layer 2 reaches tor as sent, tor still offline");
	free(sent);
	ok(ctlrelay_held(r), "still held after layer 2");
	is_int(t_vanguards_says(r, v, L3, reply, sizeof(reply)), 0, "layer 3 answered");
	is_str(reply, "250 OK\r\n", "… 250, from the relay");
	sent = t_sent();
	is_str(sent, L2 "\n" L3 " DisableNetwork=0\n",
	    "held: layer 3 and DisableNetwork=0 in one SETCONF");
	free(sent);
	ok(!ctlrelay_held(r), "let out");
	is_int(t_vanguards_says(r, v, L3, reply, sizeof(reply)), 0, "layer 3 again");
	sent = t_sent();
	ok(strstr(sent, L3 "\n") != NULL && strstr(sent, "=0\n" L3 " DisableNetwork") == NULL,
	    "once out, layer 3 goes as sent");
	free(sent);
	close(v);
	ctlrelay_free(r);
	unlink(t_seen);

	/* Held past the limit with nothing from vanguards: out alone, once. */
	r = ctlrelay_new(t_ctl, t_cookie);
	ctlrelay_hold(r, 1, 50);
	ctlrelay_tick(r);
	sent = t_sent();
	is_str(sent, "", "within the limit the tick waits");
	free(sent);
	usleep(80 * 1000);
	ctlrelay_tick(r);
	ctlrelay_tick(r);
	sent = t_sent();
	is_str(sent, "SETCONF DisableNetwork=0\n", "past the limit: tor goes online, once");
	free(sent);
	ok(!ctlrelay_held(r), "no longer held");
	ctlrelay_free(r);

	kill(tor, SIGKILL);
	waitpid(tor, NULL, 0);
	{
		char *cmd = xasprintf("rm -rf '%s'", t_dir);
		(void)!system(cmd);
		free(cmd);
	}
	free(t_ctl);
	free(t_cookie);
	free(t_seen);
	return unit_done();
}
