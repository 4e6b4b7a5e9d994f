/* unit.h: a tiny TAP-ish harness. ok(cond, fmt, ...) records one check; main()
 * ends with `return unit_done();`, which prints "N passed, N failed". */
#ifndef BROADSIDE_UNIT_H
#define BROADSIDE_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;

#define ok(cond, ...) do { \
	if (cond) { unit_pass++; } else { unit_fail++; \
		fprintf(stderr, "not ok %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

#define is_str(a, b, ...) do { const char *a_ = (a), *b_ = (b); \
	int eq_ = a_ && b_ && strcmp(a_, b_) == 0; ok(eq_, " " __VA_ARGS__); \
	if (!eq_) fprintf(stderr, "    got '%s', expected '%s'\n", a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
} while (0)

#define is_int(a, b, ...) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	ok(a_ == b_, " " __VA_ARGS__); \
	if (a_ != b_) fprintf(stderr, "    got %lld, expected %lld\n", a_, b_); \
} while (0)

static inline int
unit_done(void)
{
	printf("%d passed, %d failed\n", unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif
