/* PROXY v1 line parsing: tor's exact output, partial input, and junk. */
#include "unit.h"
#include "http/proxy.h"

static const struct {
	const char *in;
	enum proxy_status st;
	int has_circuit;
	unsigned circuit;
	size_t consumed;
} cases[] = {
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49 80\r\nGET", PROXY_OK, 1, 0x31, 48 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::ffff:ffff ::1 65535 80\r\n", PROXY_OK, 1, 0xffffffffu, 56 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::1:2 ::1 2 80\r\n", PROXY_OK, 1, 0x10002, 46 },
	{ "PROXY TCP4 127.0.0.1 127.0.0.1 5000 80\r\n", PROXY_OK, 0, 0, 40 },
	{ "PROXY TCP6 ::1 ::1 5000 80\r\n", PROXY_OK, 0, 0, 28 },
	{ "PROXY UNKNOWN\r\n", PROXY_OK, 0, 0, 15 },
	{ "PROXY UNKNOWN ffff::1 ::1 1 2\r\n", PROXY_OK, 0, 0, 31 },
	{ "PROX", PROXY_NEED_MORE, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49 80", PROXY_NEED_MORE, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49 80\r", PROXY_NEED_MORE, 0, 0, 0 },
	{ "GET / HTTP/1.1\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "proxy TCP6 ::1 ::1 1 2\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49 80\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49 80\rX", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31  ::1 49 80\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49 80 \r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49 80 9\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 65536 80\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 -1 80\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 049 80\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 127.0.0.1 ::1 49 80\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP4 fc00::1 127.0.0.1 49 80\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY UDP6 ::1 ::1 49 80\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 4\t9 80\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 fc00:dead:beef:4dad::0:3\x01 ::1 49 80\r\n", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY TCP6 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", PROXY_INVALID, 0, 0, 0 },
	{ "PROXY \r\n", PROXY_INVALID, 0, 0, 0 },
};

static void
table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		proxy_info_t info;
		size_t consumed = 0;
		enum proxy_status st = proxy_parse(cases[i].in, strlen(cases[i].in), &consumed, &info);
		is_int(st, cases[i].st, "status of case %zu: %s", i, cases[i].in);
		if (st != PROXY_OK || cases[i].st != PROXY_OK)
			continue;
		is_int(info.has_circuit, cases[i].has_circuit, "has_circuit, case %zu", i);
		is_int(info.circuit_id, cases[i].circuit, "circuit, case %zu", i);
		is_int(consumed, cases[i].consumed, "consumed, case %zu", i);
	}
}

/* Every prefix of a valid line needs more, never invalid. */
static void
prefixes(void)
{
	const char *line = "PROXY TCP6 fc00:dead:beef:4dad::0:31 ::1 49 80\r\n";
	for (size_t n = 0; n < strlen(line); n++) {
		proxy_info_t info;
		size_t c;
		is_int(proxy_parse(line, n, &c, &info), PROXY_NEED_MORE, "prefix %zu", n);
	}
}

static const unit_case_t unit_cases[] = {
	UNIT_CASE(table),
	UNIT_CASE(prefixes),
	UNIT_CASES_END
};

int
main(int argc, char **argv)
{
	return unit_main(unit_cases, argc, argv);
}
