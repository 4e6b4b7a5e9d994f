/* log: see log.h. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "base/text.h"

static enum log_level max_level = LOG_INFO;
static int timestamps;

void
log_set_level(enum log_level lvl)
{
	max_level = lvl;
}

enum log_level
log_get_level(void)
{
	return max_level;
}

void
log_set_timestamps(int on)
{
	timestamps = on;
}

int
log_level_parse(const char *s)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* The format attribute lets clang check callers instead of warning here. */
static void __attribute__((format(printf, 3, 0)))
vlog(enum log_level lvl, const char *func, const char *fmt, va_list ap)
{
	static const char *tag[] = { "error", "warning", "info", "debug" };
	char ts[32] = "";

	if (timestamps) {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	}
	/* Operators read info lines; developers want the function name. */
	if (lvl == LOG_DEBUG || max_level == LOG_DEBUG)
		fprintf(stderr, "%sbroadside: %s: %s: ", ts, tag[lvl], func);
	else if (lvl == LOG_INFO)
		fprintf(stderr, "%sbroadside: ", ts);
	else
		fprintf(stderr, "%sbroadside: %s: ", ts, tag[lvl]);
	/* Messages carry names from the catalogue, from mirrors and from tor:
	 * nothing in them may act on the operator's terminal. */
	strbuf_t b;
	strbuf_init(&b);
	strbuf_vaddf(&b, fmt, ap);
	text_term_print(stderr, b.s);
	strbuf_release(&b);
	fputc('\n', stderr);
}

void
log_msg(enum log_level lvl, const char *func, const char *fmt, ...)
{
	va_list ap;

	if (lvl > max_level)
		return;
	va_start(ap, fmt);
	vlog(lvl, func, fmt, ap);
	va_end(ap);
}

void
fatal_msg(const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, func, fmt, ap);
	va_end(ap);
	exit(1);
}
