/* test_onion: key files, address derivation and permission checks, verified
 * against the real tor: tor must accept a key we made (and name the same address
 * in its hostname file), and our derivation must match the hostname of a key tor
 * made itself. Set TOR=/path/to/tor to choose the binary (default /usr/bin/tor). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "onion/onion.h"
#include "unit.h"
#include "base/util.h"

static char *
slurp_line(const char *path)
{
	size_t n;
	char *s = read_file_small(path, 4096, &n);
	while (s && n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	return s;
}

static int
file_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Start tor with two onion services (ours, and an empty dir for tor to fill),
 * wait until both hostname files exist, then stop it. */
static int
run_tor(const char *tmp, const char *ours, const char *theirs)
{
	const char *tor = getenv("TOR") ? getenv("TOR") : "/usr/bin/tor";
	char *datadir = xasprintf("%s/tordata", tmp);
	char *sock = xasprintf("unix:%s/http.sock", tmp);
	char *h1 = xasprintf("%s/hostname", ours);
	char *h2 = xasprintf("%s/hostname", theirs);
	char *logf = xasprintf("%s/tor.log", tmp);
	int rc = -1, status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		FILE *f = freopen(logf, "w", stdout);
		(void)f;
		dup2(1, 2);
		execl(tor, tor, "--ignore-missing-torrc", "-f", "/dev/null",
		    "--DisableNetwork", "1", "--SocksPort", "0", "--Log", "notice stdout",
		    "--DataDirectory", datadir,
		    "--HiddenServiceDir", ours, "--HiddenServicePort", xasprintf("80 %s", sock),
		    "--HiddenServiceDir", theirs, "--HiddenServicePort", xasprintf("80 %s", sock),
		    (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) { /* 30 s */
		if (file_exists(h1) && file_exists(h2)) {
			rc = 0;
			break;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		usleep(100 * 1000);
	}
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
	}
	if (rc < 0) {
		char *log = read_file_small(logf, 1 << 20, NULL);
		fprintf(stderr, "tor did not write hostnames; its log:\n%s\n", log ? log : "");
		free(log);
	}
	free(datadir);
	free(sock);
	free(h1);
	free(h2);
	free(logf);
	return rc;
}

int
main(void)
{
	char tmpl[] = "/tmp/test_onion.XXXXXX";
	char *tmp = mkdtemp(tmpl);
	char addr[ONION_ADDRESS_LEN], addr2[ONION_ADDRESS_LEN];
	char *ours, *theirs, *path, *h, *before;
	struct stat st;

	log_set_level(LOG_ERR);
	ok(tmp != NULL, "mkdtemp");
	ours = xasprintf("%s/onion/public", tmp);
	theirs = xasprintf("%s/tor-made", tmp);

	/* A fixed vector: the all-zero public key (computed independently with
	 * python: hashlib.sha3_256 + base64.b32encode). */
	{
		uint8_t zero[32] = { 0 };
		onion_address_from_pubkey(zero, addr);
		is_str(addr, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaam2dqd.onion",
		    "zero key");
	}

	/* Parsing what people type. */
	{
		const char *z = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaam2dqd";
		char in[80];
		is_int(onion_address_parse(z, addr), 0, "parse without .onion");
		is_str(addr, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaam2dqd.onion", "canonical");
		snprintf(in, sizeof(in), "%s.ONION", z);
		for (char *c = in; *c && *c != '.'; c++)
			*c = (char)(*c - 'a' + 'A' >= 'A' && *c >= 'a' ? *c - 'a' + 'A' : *c);
		is_int(onion_address_parse(in, addr), 0, "parse upper case");
		snprintf(in, sizeof(in), "%.55sb", z);
		ok(onion_address_parse(in, addr) < 0, "bad checksum refused");
		ok(onion_address_parse("abc.onion", addr) < 0, "short refused");
		snprintf(in, sizeof(in), "%.55s1", z);
		ok(onion_address_parse(in, addr) < 0, "non-base32 refused");
		snprintf(in, sizeof(in), "%s.onion/", z);
		ok(onion_address_parse(in, addr) < 0, "trailing junk refused");
		ok(onion_address_parse("", addr) < 0, "empty refused");
	}

	/* Create, derive, keep. */
	ok(onion_check_perms(ours) < 0, "missing dir fails the permission check");
	ok(onion_address(ours, addr) < 0, "no address without a key");
	is_int(onion_key_create(ours), 0, "create");
	ok(stat(ours, &st) == 0 && (st.st_mode & 0777) == 0700, "dir 0700");
	path = xasprintf("%s/hs_ed25519_secret_key", ours);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 96,
	    "secret key 0600, 96 bytes");
	is_int(onion_check_perms(ours), 0, "perms ok");
	is_int(onion_address(ours, addr), 0, "address");
	is_int(strlen(addr), 62, "address length");
	h = xasprintf("%s/hostname", ours);
	before = slurp_line(h);
	is_str(before, addr, "our hostname file");
	is_int(onion_key_create(ours), 0, "create again keeps the key");
	is_int(onion_address(ours, addr2), 0, "address again");
	is_str(addr2, addr, "same address after re-create");

	/* Permission failures. */
	chmod(ours, 0755);
	ok(onion_check_perms(ours) < 0, "dir 0755 refused");
	chmod(ours, 0700);
	chmod(path, 0644);
	ok(onion_check_perms(ours) < 0, "key 0644 refused");
	chmod(path, 0600);
	is_int(onion_check_perms(ours), 0, "perms ok again");

	/* A hostname that disagrees with the key is an error. */
	write_file_atomic(h, "x.onion\n", 8, 0600);
	ok(onion_address(ours, addr2) < 0, "stale hostname detected");

	/* The real tor: it must start with our key and write our address; our
	 * derivation must agree with a key tor generated. */
	unlink(h);
	if (run_tor(tmp, ours, theirs) == 0) {
		char *tor_host = slurp_line(h);
		char *th = xasprintf("%s/hostname", theirs);
		char *their_host = slurp_line(th);

		is_str(tor_host, addr, "tor wrote our address for our key");
		ok(onion_address(theirs, addr2) == 0, "derive from tor's key");
		is_str(addr2, their_host, "our derivation matches tor's hostname");
		is_int(onion_check_perms(theirs), 0, "tor's own dir passes the check");
		free(tor_host);
		free(their_host);
		free(th);
	} else {
		ok(0, "tor ran with our key");
	}

	free(path);
	free(h);
	free(before);
	free(ours);
	free(theirs);
	if (tmp) {
		char *cmd = xasprintf("rm -rf '%s'", tmp);
		(void)!system(cmd);
		free(cmd);
	}
	return unit_done();
}
