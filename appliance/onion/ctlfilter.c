/* ctlfilter: see ctlfilter.h.
 *
 * The allow-lists come from reading what each program sends: torsup.c for
 * serve; onionbalance 0.2.2 (hs_v3/stem_controller.py, common/instance.py,
 * common/descriptor.py) and stem 1.8's Controller (authenticate, get_version,
 * get_microdescriptors, get_hidden_service_descriptor, _post_authentication)
 * for onionbalance; vanguards 0.3.1 (vanguards.py, bandguards.py, main.py)
 * for vanguards. Arguments are checked as strictly as the programs need:
 * single-line commands are printable ASCII only, and no quoting anywhere
 * except SETCONF's, so that no argument can mean more to tor than to us. */
#include "onion/ctlfilter.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

#define TOKENS_MAX 32
/* vanguards' HSLayer3Nodes: 8 fingerprints by default (64 allowed), quoted. */
#define TOKEN_MAX  (64 * 42 + 64)

struct profile {
	const char *name;
	const char *const *getinfo;        /* exact keys; "x/" ending: a prefix */
	const char *const *getconf;
	const char *const *events;
	const char *const *signals;
	int closecircuit, setconf_guards, hsfetch_hspost;
};

static const char *const none[] = { NULL };

static const char *const serve_getinfo[] = { "status/bootstrap-phase", NULL };
static const char *const serve_events[] = { "STATUS_CLIENT", "HS_DESC", NULL };

static const char *const ob_getinfo[] = {
	"version", "dir/status-vote/current/consensus-microdesc", "md/all", NULL,
};
/* stem reads it after authenticating to decide on TAKEOWNERSHIP (it is the
 * spawner's pid, so stem never asks). */
static const char *const ob_getconf[] = { "__OwningControllerProcess", NULL };
/* stem's Controller subscribes to SIGNAL, CONF_CHANGED and STATUS_SERVER
 * for its own caches at every connect (and logs when it cannot). Both
 * programs run outside serve's sandbox as the same user and could read
 * these anyway; serve cannot reach their sockets. */
static const char *const ob_events[] = {
	"STATUS_CLIENT", "HS_DESC", "HS_DESC_CONTENT", "SIGNAL", "CONF_CHANGED", "STATUS_SERVER",
	NULL,
};
static const char *const ob_signals[] = { "ACTIVE", "NEWNYM", NULL };

static const char *const vg_getinfo[] = {
	"version", "network-liveness", "orconn-status", "ns/all", "ip-to-country/", NULL,
};
static const char *const vg_getconf[] = {
	"GeoIPExcludeUnknown", "ExcludeNodes", "DataDirectory", "__OwningControllerProcess", NULL,
};
static const char *const vg_events[] = {
	"CIRC", "BW", "ORCONN", "NETWORK_LIVENESS", "CIRC_BW", "CIRC_MINOR",
	"BUILDTIMEOUT_SET", "NEWCONSENSUS", "SIGNAL", "CONF_CHANGED", "STATUS_SERVER", NULL,
};

static const struct profile profiles[CTLFILTER_NPROFILES] = {
	[CTLFILTER_SERVE] = { "serve", serve_getinfo, none, serve_events, none, 1, 0, 0 },
	[CTLFILTER_ONIONBALANCE] = { "onionbalance", ob_getinfo, ob_getconf, ob_events,
		ob_signals, 0, 0, 1 },
	[CTLFILTER_VANGUARDS] = { "vanguards", vg_getinfo, vg_getconf, vg_events, none, 1, 1, 0 },
};

const char *
ctlfilter_profile_name(int profile)
{
	return profile >= 0 && profile < CTLFILTER_NPROFILES ? profiles[profile].name : "?";
}

/* ---- framing ----------------------------------------------------------- */

/* End of the line starting at off (index after its LF), 0 if none yet, -1 if
 * the line has a NUL, a bare CR or an LF without CR. */
static ssize_t
line_end(const char *buf, size_t len, size_t off)
{
	for (size_t i = off; i < len; i++) {
		if (buf[i] == '\0')
			return -1;
		if (buf[i] == '\r') {
			if (i + 1 == len)
				return 0;
			if (buf[i + 1] != '\n')
				return -1;
			return (ssize_t)(i + 2);
		}
		if (buf[i] == '\n')
			return -1;
	}
	return 0;
}

ssize_t
ctlfilter_command_len(const char *buf, size_t len)
{
	ssize_t end = line_end(buf, len, 0);
	size_t off;

	if (end < 0 || (end == 0 && len > CTLFILTER_COMMAND_MAX))
		return -1;
	if (end == 0)
		return 0;
	if (buf[0] != '+')
		return end;
	/* A "+" command: data lines up to one that holds only ".". */
	for (off = (size_t)end;;) {
		end = line_end(buf, len, off);
		if (end < 0 || (end == 0 && len > CTLFILTER_COMMAND_MAX))
			return -1;
		if (end == 0)
			return 0;
		if ((size_t)end - off == 3 && buf[off] == '.')
			return (size_t)end > CTLFILTER_COMMAND_MAX ? -1 : end;
		off = (size_t)end;
	}
}

int
ctlfilter_reply_line(ctlfilter_rstate_t *st, const char *line, size_t len)
{
	if (len == 0 || line[len - 1] != '\n')
		return -1;
	if (st->in_data) {
		if ((len == 3 && memcmp(line, ".\r\n", 3) == 0) || (len == 2 && line[0] == '.'))
			st->in_data = 0;
		return CTLFILTER_R_MORE;
	}
	if (len < 5 || line[0] < '2' || line[0] > '6' || line[1] < '0' || line[1] > '9' ||
	    line[2] < '0' || line[2] > '9')
		return -1;
	switch (line[3]) {
	case '-':
		return CTLFILTER_R_MORE;
	case '+':
		st->in_data = 1;
		return CTLFILTER_R_MORE;
	case ' ':
	case '\r':
	case '\n':
		return line[0] == '6' ? CTLFILTER_R_EVENT : CTLFILTER_R_REPLY;
	default:
		return -1;
	}
}

void
ctlfilter_describe(const char *cmd, size_t len, char *out, size_t n)
{
	size_t j = 0;

	if (n == 0)
		return;
	for (size_t i = 0; i < len && cmd[i] != '\r' && cmd[i] != '\n' && j + 1 < n; i++)
		out[j++] = cmd[i] >= 0x20 && cmd[i] < 0x7f ? cmd[i] : '?';
	out[j] = '\0';
}

/* ---- arguments ----------------------------------------------------------- */

struct tokens {
	char v[TOKENS_MAX][TOKEN_MAX];
	int n;
};

/* Split args on spaces. Quotes and backslashes are refused unless quotes_ok
 * (SETCONF's key="value": the quoted part may hold spaces, never a quote or
 * a backslash, so tor's unescaping cannot change it). */
static int
split(const char *s, size_t len, int quotes_ok, struct tokens *t)
{
	size_t i = 0;

	t->n = 0;
	while (i < len) {
		size_t k = 0;
		int quoted = 0;
		if (s[i] == ' ') {
			i++;
			continue;
		}
		if (t->n == TOKENS_MAX)
			return -1;
		for (; i < len && (quoted || s[i] != ' '); i++) {
			if (s[i] == '\\' || (s[i] == '"' && !quotes_ok))
				return -1;
			if (s[i] == '"') {
				/* Only as key="...", and the closing quote ends the token. */
				if (!quoted && (k == 0 || t->v[t->n][k - 1] != '='))
					return -1;
				if (quoted && i + 1 < len && s[i + 1] != ' ')
					return -1;
				quoted = !quoted;
			}
			if (k + 1 >= TOKEN_MAX)
				return -1;
			t->v[t->n][k++] = s[i];
		}
		if (quoted)
			return -1;
		t->v[t->n++][k] = '\0';
	}
	return 0;
}

static int
in_list(const char *const *list, const char *s, int prefixes)
{
	for (; *list; list++) {
		size_t n = strlen(*list);
		if (prefixes && n > 0 && (*list)[n - 1] == '/') {
			if (strncmp(s, *list, n) == 0 && s[n] != '\0')
				return 1;
		} else if (strcasecmp(s, *list) == 0) {
			return 1;
		}
	}
	return 0;
}

static int
all_of(const char *s, const char *set, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, set) == n;
}

#define B32  "abcdefghijklmnopqrstuvwxyz234567"
#define HEX  "0123456789ABCDEFabcdef"
#define DIG  "0123456789"

/* "$FINGERPRINT,..." as vanguards writes HSLayer2Nodes and HSLayer3Nodes. */
static int
fingerprints_ok(const char *v)
{
	int n = 0;

	while (*v) {
		size_t k;
		if (*v == '$')
			v++;
		k = strspn(v, HEX);
		if (k != 40 || (v[k] != ',' && v[k] != '\0') || ++n > 64)
			return 0;
		v += k + (v[k] == ',');
	}
	return n > 0;
}

/* One of vanguards' SETCONF pairs, with the value it can have. */
static int
guard_setting_ok(const char *tok)
{
	const char *eq = strchr(tok, '=');
	char val[TOKEN_MAX];
	size_t vl;

	if (eq == NULL)
		return 0;
	vl = strlen(eq + 1);
	if (vl >= 2 && eq[1] == '"' && eq[vl] == '"')
		snprintf(val, sizeof(val), "%.*s", (int)(vl - 2), eq + 2);
	else
		snprintf(val, sizeof(val), "%s", eq + 1);
#define KEY(k) ((size_t)(eq - tok) == strlen(k) && strncasecmp(tok, k, strlen(k)) == 0)
	if (KEY("NumEntryGuards") || KEY("NumPrimaryGuards"))
		return all_of(val, DIG, 1, 2);
	if (KEY("GuardLifetime")) {
		const char *sp = strchr(val, ' ');
		return sp && strcmp(sp, " days") == 0 && (size_t)(sp - val) <= 4 &&
		    (size_t)(sp - val) >= 1 && strspn(val, DIG) == (size_t)(sp - val);
	}
	if (KEY("HSLayer2Nodes") || KEY("HSLayer3Nodes"))
		return fingerprints_ok(val);
#undef KEY
	return 0;
}

static int
server_arg_ok(const char *tok)
{
	return strncasecmp(tok, "SERVER=", 7) == 0 &&
	    all_of(tok + 7, HEX "$~=ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ", 1, 64);
}

/* ---- the verdict --------------------------------------------------------- */

static enum ctlfilter_verdict
refuse(const char **why, const char *reason)
{
	*why = reason;
	return CTLFILTER_REFUSE;
}

enum ctlfilter_verdict
ctlfilter_check(int profile, const char *cmd, size_t len, const char **why)
{
	const struct profile *p;
	const char *line_end_p, *args;
	char kw[32];
	size_t kwlen, first;
	struct tokens t;

	*why = "";
	if (profile < 0 || profile >= CTLFILTER_NPROFILES)
		return refuse(why, "no such profile");
	p = &profiles[profile];
	if (len < 2 || ctlfilter_command_len(cmd, len) != (ssize_t)len)
		return refuse(why, "not one complete command");
	line_end_p = memchr(cmd, '\r', len);
	first = (size_t)(line_end_p - cmd);
	for (size_t i = 0; i < first; i++)
		if (cmd[i] < 0x20 || cmd[i] > 0x7e)
			return refuse(why, "a control or non-ASCII byte in the command line");
	for (kwlen = 0; kwlen < first && cmd[kwlen] != ' '; kwlen++)
		;
	if (kwlen == 0 || kwlen >= sizeof(kw))
		return refuse(why, "no command keyword");
	memcpy(kw, cmd, kwlen);
	kw[kwlen] = '\0';
	args = cmd + kwlen;
	if (*args == ' ')
		args++;
	if (args > cmd + first)
		args = cmd + first;

	/* Multi-line: only Onionbalance's descriptor uploads. */
	if (kw[0] == '+') {
		if (!p->hsfetch_hspost || strcasecmp(kw, "+HSPOST") != 0)
			return refuse(why, "multi-line command not allowed");
		if (split(args, (size_t)(cmd + first - args), 0, &t) < 0)
			return refuse(why, "malformed HSPOST arguments");
		for (int i = 0; i < t.n; i++)
			if (!server_arg_ok(t.v[i]) && !(strncasecmp(t.v[i], "HSADDRESS=", 10) == 0 &&
			    all_of(t.v[i] + 10, B32, 56, 56)))
				return refuse(why, "HSPOST argument not allowed");
		return CTLFILTER_PASS;
	}
	if (first + 2 != len)
		return refuse(why, "data after a single-line command");
	if (split(args, (size_t)(cmd + first - args), strcasecmp(kw, "SETCONF") == 0, &t) < 0)
		return refuse(why, "malformed arguments (quotes, backslashes, too long)");

	if (strcasecmp(kw, "PROTOCOLINFO") == 0)
		return CTLFILTER_PROTOCOLINFO;
	if (strcasecmp(kw, "AUTHENTICATE") == 0)
		return CTLFILTER_AUTHENTICATE;
	if (strcasecmp(kw, "QUIT") == 0)
		return t.n == 0 ? CTLFILTER_PASS : refuse(why, "QUIT takes no arguments");
	if (strcasecmp(kw, "GETINFO") == 0) {
		if (t.n == 0)
			return refuse(why, "GETINFO without keys");
		for (int i = 0; i < t.n; i++)
			if (!in_list(p->getinfo, t.v[i], 1))
				return refuse(why, "GETINFO key not allowed");
		return CTLFILTER_PASS;
	}
	if (strcasecmp(kw, "GETCONF") == 0) {
		if (t.n == 0)
			return refuse(why, "GETCONF without keys");
		for (int i = 0; i < t.n; i++)
			if (!in_list(p->getconf, t.v[i], 0))
				return refuse(why, "GETCONF key not allowed");
		return CTLFILTER_PASS;
	}
	if (strcasecmp(kw, "SETEVENTS") == 0) {
		for (int i = 0; i < t.n; i++)
			if (!in_list(p->events, t.v[i], 0) && strcasecmp(t.v[i], "EXTENDED") != 0)
				return refuse(why, "event not allowed");
		return CTLFILTER_PASS;
	}
	if (strcasecmp(kw, "SIGNAL") == 0) {
		if (t.n != 1 || !in_list(p->signals, t.v[0], 0))
			return refuse(why, "signal not allowed");
		return CTLFILTER_PASS;
	}
	if (strcasecmp(kw, "CLOSECIRCUIT") == 0) {
		if (!p->closecircuit)
			return refuse(why, "CLOSECIRCUIT not allowed");
		if (t.n < 1 || t.n > 2 || !all_of(t.v[0], DIG, 1, 10) ||
		    (t.n == 2 && strcasecmp(t.v[1], "IfUnused") != 0))
			return refuse(why, "CLOSECIRCUIT takes one circuit id");
		return CTLFILTER_PASS;
	}
	if (strcasecmp(kw, "SETCONF") == 0) {
		if (!p->setconf_guards || t.n == 0)
			return refuse(why, "SETCONF not allowed");
		for (int i = 0; i < t.n; i++)
			if (!guard_setting_ok(t.v[i]))
				return refuse(why, "SETCONF option or value not allowed");
		return CTLFILTER_PASS;
	}
	if (strcasecmp(kw, "HSFETCH") == 0) {
		if (!p->hsfetch_hspost || t.n < 1 || !all_of(t.v[0], B32, 56, 56))
			return refuse(why, "HSFETCH not allowed");
		for (int i = 1; i < t.n; i++)
			if (!server_arg_ok(t.v[i]))
				return refuse(why, "HSFETCH argument not allowed");
		return CTLFILTER_PASS;
	}
	return refuse(why, "command not allowed");
}

int
ctlfilter_setconf_query(const char *cmd, size_t len, char *getconf, size_t gn,
    char *expect, size_t en)
{
	struct tokens t;
	const char *eq;
	size_t klen, vlen;
	const char *v;

	if (len < 10 || strncasecmp(cmd, "SETCONF ", 8) != 0 || cmd[len - 2] != '\r' ||
	    memchr(cmd, '\n', len - 1) != NULL ||
	    split(cmd + 8, len - 10, 1, &t) < 0 || t.n != 1 ||
	    (eq = strchr(t.v[0], '=')) == NULL || eq == t.v[0])
		return -1;
	klen = (size_t)(eq - t.v[0]);
	v = eq + 1;
	vlen = strlen(v);
	if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
		v++;
		vlen -= 2;
	}
	if ((size_t)snprintf(getconf, gn, "GETCONF %.*s\r\n", (int)klen, t.v[0]) >= gn ||
	    (size_t)snprintf(expect, en, "250 %.*s=%.*s\r\n", (int)klen, t.v[0], (int)vlen, v) >= en)
		return -1;
	return 0;
}
