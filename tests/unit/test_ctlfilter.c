/* test_ctlfilter: the control filter's framing and verdicts. Every command
 * each program really sends passes its own profile; what a compromised
 * server would send is refused; framing tricks that could make the filter
 * and tor disagree about where a command ends are refused or dropped. */
#include <stdlib.h>
#include <string.h>

#include "onion/ctlfilter.h"
#include "unit.h"

static int
verdict(int profile, const char *cmd)
{
	const char *why;

	return ctlfilter_check(profile, cmd, strlen(cmd), &why);
}

#define PASSES(p, c)  is_int(verdict(p, c), CTLFILTER_PASS, "%s passes: %s", ctlfilter_profile_name(p), c)
#define REFUSED(p, c) is_int(verdict(p, c), CTLFILTER_REFUSE, "%s refuses: %s", ctlfilter_profile_name(p), c)

static void
framing(void)
{
	const char *two = "GETINFO version\r\nQUIT\r\n";
	const char *post = "+HSPOST SERVER=ABCD\r\nhs-descriptor 3\r\n..dotted\r\n.\r\nQUIT\r\n";
	char big[CTLFILTER_COMMAND_MAX + 10];

	is_int(ctlfilter_command_len(two, strlen(two)), 17, "first of two pipelined commands");
	is_int(ctlfilter_command_len("GETINFO vers", 12), 0, "incomplete line");
	is_int(ctlfilter_command_len("GETINFO version\r", 16), 0, "CR at the end: wait for LF");
	is_int(ctlfilter_command_len("GETINFO version\n", 16), -1, "bare LF");
	is_int(ctlfilter_command_len("GETINFO a\rb\r\n", 13), -1, "bare CR");
	is_int(ctlfilter_command_len("GETINFO a\0b\r\n", 13), -1, "NUL");
	is_int(ctlfilter_command_len(post, strlen(post)), (long long)strlen(post) - 6,
	    "a + command ends at the line holding only a dot");
	is_int(ctlfilter_command_len(post, 30), 0, "an unfinished + command");
	is_int(ctlfilter_command_len("+HSPOST\r\n.x\r\n", 13), 0, "'.x' does not end the data");
	memset(big, 'A', sizeof(big));
	is_int(ctlfilter_command_len(big, sizeof(big)), -1, "too long without an end");
}

static void
replies(void)
{
	ctlfilter_rstate_t st = { 0 };

	is_int(ctlfilter_reply_line(&st, "250-version=0.4.9\r\n", 19), CTLFILTER_R_MORE, "mid");
	is_int(ctlfilter_reply_line(&st, "250 OK\r\n", 8), CTLFILTER_R_REPLY, "end");
	is_int(ctlfilter_reply_line(&st, "650 HS_DESC UPLOADED x\r\n", 24), CTLFILTER_R_EVENT, "event");
	is_int(ctlfilter_reply_line(&st, "250+ns/all=\r\n", 13), CTLFILTER_R_MORE, "data");
	is_int(ctlfilter_reply_line(&st, "250 OK\r\n", 8), CTLFILTER_R_MORE, "'250 OK' inside data");
	is_int(ctlfilter_reply_line(&st, ".\r\n", 3), CTLFILTER_R_MORE, "data end");
	is_int(ctlfilter_reply_line(&st, "250 OK\r\n", 8), CTLFILTER_R_REPLY, "then the end");
	is_int(ctlfilter_reply_line(&st, "garbage\r\n", 9), -1, "not a reply line");
}

static void
serve_profile(void)
{
	int s = CTLFILTER_SERVE;
	const char *why;

	/* What torsup sends. */
	PASSES(s, "SETEVENTS STATUS_CLIENT HS_DESC\r\n");
	PASSES(s, "GETINFO status/bootstrap-phase\r\n");
	PASSES(s, "CLOSECIRCUIT 12345\r\n");
	PASSES(s, "getinfo status/bootstrap-phase\r\n");   /* keywords are case-insensitive */
	is_int(verdict(s, "PROTOCOLINFO 1\r\n"), CTLFILTER_PROTOCOLINFO, "PROTOCOLINFO answered here");
	is_int(verdict(s, "AUTHENTICATE\r\n"), CTLFILTER_AUTHENTICATE, "AUTHENTICATE answered here");
	/* What a compromised server would send. */
	REFUSED(s, "SETCONF HiddenServicePort=\"80 192.0.2.1:80\"\r\n");
	REFUSED(s, "SETCONF UseBridges=1\r\n");
	REFUSED(s, "RESETCONF HiddenServiceDir\r\n");
	REFUSED(s, "LOADCONF\r\n");
	REFUSED(s, "+LOADCONF\r\nSocksPort 9050\r\n.\r\n");
	REFUSED(s, "ADD_ONION NEW:ED25519-V3 Port=80,192.0.2.1:80\r\n");
	REFUSED(s, "add_onion NEW:BEST Port=80\r\n");
	REFUSED(s, "DEL_ONION abc\r\n");
	REFUSED(s, "SETEVENTS STATUS_CLIENT HS_DESC CIRC\r\n");
	REFUSED(s, "SETEVENTS ADDRMAP\r\n");
	REFUSED(s, "GETINFO address\r\n");
	REFUSED(s, "GETINFO status/bootstrap-phase address\r\n");
	REFUSED(s, "GETINFO \"status/bootstrap-phase\"\r\n");
	REFUSED(s, "GETINFO status/bootstrap-phase\tfoo\r\n");
	REFUSED(s, "GETCONF HiddenServiceDir\r\n");
	REFUSED(s, "TAKEOWNERSHIP\r\n");
	REFUSED(s, "DROPOWNERSHIP\r\n");
	REFUSED(s, "AUTHCHALLENGE SAFECOOKIE 00\r\n");
	REFUSED(s, "SIGNAL NEWNYM\r\n");
	REFUSED(s, "SIGNAL HALT\r\n");
	REFUSED(s, "SAVECONF\r\n");
	REFUSED(s, "MAPADDRESS 1.2.3.4=example.com\r\n");
	REFUSED(s, "CLOSECIRCUIT 12 13\r\n");
	REFUSED(s, "CLOSECIRCUIT x\r\n");
	REFUSED(s, "HSFETCH aaaa\r\n");
	REFUSED(s, "GETINFO status/bootstrap-phase\r\nSETCONF a=b\r\n");   /* two commands as one */
	is_int(ctlfilter_check(s, "SETCONF x=1\r\n", 13, &why), CTLFILTER_REFUSE, "a reason is given");
	ok(why && *why, "reason: %s", why ? why : "");
}

static void
onionbalance_profile(void)
{
	int o = CTLFILTER_ONIONBALANCE;
	const char *addr = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd";
	char buf[512];

	/* What onionbalance 0.2.2 and stem send. */
	PASSES(o, "GETINFO version\r\n");
	PASSES(o, "GETCONF __OwningControllerProcess\r\n");
	PASSES(o, "GETINFO dir/status-vote/current/consensus-microdesc\r\n");
	PASSES(o, "GETINFO md/all\r\n");
	PASSES(o, "SETEVENTS STATUS_CLIENT HS_DESC HS_DESC_CONTENT\r\n");
	PASSES(o, "SETEVENTS\r\n");
	PASSES(o, "SIGNAL ACTIVE\r\n");
	PASSES(o, "SIGNAL NEWNYM\r\n");
	snprintf(buf, sizeof(buf), "HSFETCH %s SERVER=$ABCDEF0123456789ABCDEF0123456789ABCDEF01\r\n", addr);
	PASSES(o, buf);
	snprintf(buf, sizeof(buf), "+HSPOST SERVER=ABCDEF0123456789ABCDEF0123456789ABCDEF01 "
	    "HSADDRESS=%s\r\nhs-descriptor 3\r\ndescriptor-lifetime 180\r\n.\r\n", addr);
	PASSES(o, buf);
	/* Not what it needs. */
	REFUSED(o, "CLOSECIRCUIT 1\r\n");
	REFUSED(o, "SETCONF HSLayer2Nodes=ABCDEF0123456789ABCDEF0123456789ABCDEF01\r\n");
	REFUSED(o, "SIGNAL SHUTDOWN\r\n");
	REFUSED(o, "+POSTDESCRIPTOR\r\nrouter x\r\n.\r\n");
	REFUSED(o, "HSPOST\r\n");
	REFUSED(o, "HSFETCH v2-abcdefghijklmnop\r\n");
	REFUSED(o, "GETCONF DataDirectory\r\n");
	REFUSED(o, "SETEVENTS CIRC\r\n");
}

static void
vanguards_profile(void)
{
	int v = CTLFILTER_VANGUARDS;
	const char *fp = "ABCDEF0123456789ABCDEF0123456789ABCDEF01";
	char buf[512];

	/* What vanguards 0.3.1 and stem send. */
	PASSES(v, "GETINFO version\r\n");
	PASSES(v, "GETINFO network-liveness\r\n");
	PASSES(v, "GETINFO orconn-status\r\n");
	PASSES(v, "GETINFO ns/all\r\n");
	PASSES(v, "GETINFO ip-to-country/ipv4-available\r\n");
	PASSES(v, "GETINFO ip-to-country/192.0.2.1\r\n");
	PASSES(v, "GETCONF GeoIPExcludeUnknown\r\n");
	PASSES(v, "GETCONF ExcludeNodes\r\n");
	PASSES(v, "GETCONF DataDirectory\r\n");
	PASSES(v, "SETCONF NumEntryGuards=\"2\"\r\n");
	PASSES(v, "SETCONF NumPrimaryGuards=\"2\"\r\n");
	PASSES(v, "SETCONF GuardLifetime=\"120 days\"\r\n");
	snprintf(buf, sizeof(buf), "SETCONF HSLayer2Nodes=\"%s,%s\"\r\n", fp, fp);
	PASSES(v, buf);
	snprintf(buf, sizeof(buf), "SETCONF HSLayer3Nodes=\"%s\"\r\n", fp);
	PASSES(v, buf);
	/* The addon's default: 8 layer-3 relays, as stem sends them. */
	snprintf(buf, sizeof(buf), "SETCONF HSLayer3Nodes=\"%s,%s,%s,%s,%s,%s,%s,%s\"\r\n",
	    fp, fp, fp, fp, fp, fp, fp, fp);
	PASSES(v, buf);
	PASSES(v, "SETEVENTS CIRC BW ORCONN NETWORK_LIVENESS CIRC_BW CIRC_MINOR BUILDTIMEOUT_SET NEWCONSENSUS SIGNAL\r\n");
	PASSES(v, "CLOSECIRCUIT 42 \r\n");   /* stem's form, with an empty flag */
	PASSES(v, "CLOSECIRCUIT 42 IfUnused\r\n");
	/* Its SETCONF, but not its values or other options. */
	REFUSED(v, "SETCONF HSLayer2Nodes=\"evil\"\r\n");
	REFUSED(v, "SETCONF HSLayer2Nodes=\"\"\r\n");
	snprintf(buf, sizeof(buf), "SETCONF HSLayer2Nodes=\"%s\" UseBridges=1\r\n", fp);
	REFUSED(v, buf);
	snprintf(buf, sizeof(buf), "SETCONF HSLayer2Nodes=\"%s\\\" UseBridges=\\\"1\"\r\n", fp);
	REFUSED(v, buf);
	REFUSED(v, "SETCONF NumEntryGuards=\"2\" \"HiddenServicePort=80 1.2.3.4:80\"\r\n");
	REFUSED(v, "SETCONF GuardLifetime=\"120 days\"x\r\n");
	REFUSED(v, "SETCONF HiddenServicePort=\"80 192.0.2.1:80\"\r\n");
	REFUSED(v, "SETCONF Bridge=\"192.0.2.1:443\"\r\n");
	REFUSED(v, "SAVECONF\r\n");
	REFUSED(v, "SETEVENTS HS_DESC_CONTENT\r\n");
	REFUSED(v, "ADD_ONION NEW:BEST Port=80\r\n");
}

/* What the relay asks tor before it passes one of vanguards' SETCONFs. */
static void
setconf_query(void)
{
	char g[128], e[4096];
	const char *c = "SETCONF HSLayer2Nodes=\"AB,CD\"\r\n";

	is_int(ctlfilter_setconf_query(c, strlen(c), g, sizeof(g), e, sizeof(e)), 0, "quoted value");
	is_str(g, "GETCONF HSLayer2Nodes\r\n", "… its GETCONF");
	is_str(e, "250 HSLayer2Nodes=AB,CD\r\n", "… tor's reply when it holds the value");
	c = "setconf NumEntryGuards=2\r\n";
	is_int(ctlfilter_setconf_query(c, strlen(c), g, sizeof(g), e, sizeof(e)), 0, "unquoted value");
	is_str(e, "250 NumEntryGuards=2\r\n", "… its reply");
	c = "SETCONF NumEntryGuards=2 NumPrimaryGuards=2\r\n";
	is_int(ctlfilter_setconf_query(c, strlen(c), g, sizeof(g), e, sizeof(e)), -1, "two pairs: no");
	c = "SETCONF NumEntryGuards\r\n";
	is_int(ctlfilter_setconf_query(c, strlen(c), g, sizeof(g), e, sizeof(e)), -1, "no value: no");
	c = "GETCONF NumEntryGuards\r\n";
	is_int(ctlfilter_setconf_query(c, strlen(c), g, sizeof(g), e, sizeof(e)), -1, "no SETCONF: no");
	c = "SETCONF HSLayer2Nodes=\"AB,CD\"\r\n";
	is_int(ctlfilter_setconf_query(c, strlen(c), g, sizeof(g), e, 10), -1, "too small: no");
}

static const unit_case_t cases[] = {
	UNIT_CASE(framing),
	UNIT_CASE(replies),
	UNIT_CASE(serve_profile),
	UNIT_CASE(onionbalance_profile),
	UNIT_CASE(vanguards_profile),
	UNIT_CASE(setconf_query),
	UNIT_CASES_END,
};

int
main(int argc, char **argv)
{
	return unit_main(cases, argc, argv);
}
