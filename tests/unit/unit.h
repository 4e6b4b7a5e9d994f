/* unit.h: a tiny TAP-ish harness. ok(cond, fmt, ...) records one check; main()
 * ends with `return unit_done();`, which prints "N passed, N failed".
 *
 * Named cases (tor's testcase_t): a table of UNIT_CASE(fn) ended by
 * UNIT_CASES_END, and main() is `return unit_main(cases, argc, argv);`. It
 * runs every case, or only those named on the command line (-l lists them),
 * prints "ok"/"FAIL" and the time per case, names the case in each failing
 * check, and ends with the same closing line.
 *
 * A module's static functions and struct fields are tested by including its
 * .c file (h2o's way: `#include "serve/http_conn.c"`), not by tor's STATIC /
 * *_PRIVATE macros: nothing in appliance/ changes for tests (no macro in front
 * of each static, no test-only exports in the shipped binary), the library is
 * built once, and the sanitizer build covers the module as the test compiled
 * it. The test binary still links libbroadside.a; the archive's copy of that
 * module is never pulled in, as the test defines all of its symbols. The
 * price: such a test may include one module's .c, and its own names must not
 * collide with that file's statics (prefix them, t_*). */
#ifndef BROADSIDE_UNIT_H
#define BROADSIDE_UNIT_H

#include <stdio.h>
#include <string.h>
#include <time.h>

static int unit_pass, unit_fail;
static const char *unit_case;   /* the named case running, if any */

#define ok(cond, ...) do { \
	if (cond) { unit_pass++; } else { unit_fail++; fflush(stdout); \
		fprintf(stderr, "not ok %s%s%s%s:%d: ", unit_case ? "[" : "", \
		    unit_case ? unit_case : "", unit_case ? "] " : "", __FILE__, __LINE__); \
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

typedef struct unit_case_def {
	const char *name;
	void (*fn)(void);
} unit_case_t;
#define UNIT_CASE(fn) { #fn, fn }
#define UNIT_CASES_END { NULL, NULL }

static inline int
unit_main(const unit_case_t *cases, int argc, char **argv)
{
	int ran = 0;

	/* Lines in order with stderr's when both go to one log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (const unit_case_t *t = cases; t->name; t++)
			printf("%s\n", t->name);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		const unit_case_t *t = cases;
		while (t->name && strcmp(t->name, argv[a]) != 0)
			t++;
		if (t->name == NULL) {
			fprintf(stderr, "not ok: no case named '%s' (-l lists them)\n", argv[a]);
			unit_fail++;
		}
	}
	for (const unit_case_t *t = cases; t->name; t++) {
		int want = argc < 2, before = unit_fail;
		struct timespec t0, t1;

		for (int a = 1; a < argc && !want; a++)
			want = strcmp(t->name, argv[a]) == 0;
		if (!want)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		unit_case = t->name;
		t->fn();
		unit_case = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("%s %s (%.2f s)\n", unit_fail == before ? "ok  " : "FAIL", t->name,
		    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		ran++;
	}
	if (ran == 0 && unit_fail == 0) {
		fprintf(stderr, "not ok: no case ran\n");
		unit_fail++;
	}
	return unit_done();
}

#endif
