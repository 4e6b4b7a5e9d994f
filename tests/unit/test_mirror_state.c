/* test_mirror_state: what a mirror run records for `status` — a success, a
 * failure (the last success kept, the error on one line), the newest version
 * seen only growing, and a missing file read as nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trust/mirror_state.h"
#include "unit.h"

static char t_dir[] = "/tmp/test_mirror_state.XXXXXX";

static void
t_clean(void)
{
	char *p = mirror_state_path(t_dir, "demo"), *d = NULL;

	unlink(p);
	free(p);
	d = malloc(strlen(t_dir) + 20);
	sprintf(d, "%s/mirror-state", t_dir);
	rmdir(d);
	free(d);
}

static void
records(void)
{
	mirror_state_t s;
	manifest_version_t v1 = { 1000, 2 }, v0 = { 999, 7 };

	is_int(mirror_state_read(t_dir, "demo", &s), 0, "no state yet");
	is_int(s.last_success, 0, "… reads as never");
	is_int(mirror_state_record(t_dir, "demo", &v1, NULL), 0, "record a success");
	is_int(mirror_state_read(t_dir, "demo", &s), 1, "… read back");
	ok(s.last_success > 0 && s.last_success == s.last_attempt, "… its time");
	ok(s.seen.time == 1000 && s.seen.counter == 2, "… the version seen");
	is_str(s.error, "", "… no error");
	int64_t ok_at = s.last_success;
	is_int(mirror_state_record(t_dir, "demo", &v0, "cannot fetch\nthe manifests"), 0, "record a failure");
	mirror_state_read(t_dir, "demo", &s);
	is_int(s.last_success, ok_at, "… the last success is kept");
	is_str(s.error, "cannot fetch the manifests", "… the error, on one line");
	ok(s.seen.time == 1000 && s.seen.counter == 2, "… an older version seen does not replace a newer");
	is_int(mirror_state_record(t_dir, "demo", NULL, NULL), 0, "a success again");
	mirror_state_read(t_dir, "demo", &s);
	is_str(s.error, "", "… clears the error");
	t_clean();
}

static const unit_case_t cases[] = {
	UNIT_CASE(records),
	UNIT_CASES_END,
};

int
main(int argc, char **argv)
{
	if (mkdtemp(t_dir) == NULL)
		return 1;
	int rc = unit_main(cases, argc, argv);
	rmdir(t_dir);
	return rc;
}
