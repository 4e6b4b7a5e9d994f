/* test_conf: layered files (the package's /etc file, then the data dir's) and
 * the generated manual, which must name every key the parser accepts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/conf.h"
#include "unit.h"

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_layers(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", sys[64], own[64], err[256];
	conf_t *c = conf_new();

	ok(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(sys, sizeof(sys), "%s/sys.conf", dir);
	snprintf(own, sizeof(own), "%s/own.conf", dir);
	write_text(sys, "publisher_name = From etc\nheader_timeout = 7\n");
	write_text(own, "# the data dir's file\npublisher_name = Own\n");
	is_int(conf_load(c, sys, 0, err, sizeof(err)), 0, "first file loads");
	is_int(conf_load(c, own, 0, err, sizeof(err)), 0, "second file loads over it");
	is_str(c->publisher_name, "Own", "the second file's key overrides");
	is_int(c->header_timeout, 7, "a key only the first file sets is kept");
	is_int(c->idle_timeout, 60, "a key neither sets keeps its default");
	unlink(sys);
	unlink(own);
	rmdir(dir);
	conf_free_(c);
}

static void
test_manual(void)
{
	char *ex = conf_example(), *man = conf_man("1.0");
	int keys = 0, missing = 0;

	/* Every "#key = default" line of the example names a key the parser knows. */
	for (char *l = ex; l && *l; ) {
		char *nl = strchr(l, '\n'), name[64], tag[80];

		if (sscanf(l, "#%63[a-z0-9_] =", name) == 1) {
			keys++;
			snprintf(tag, sizeof(tag), ".TP\n.B %s\n", name);
			if (strstr(man, tag) == NULL) {
				missing++;
				fprintf(stderr, "    not in broadside.conf(5): %s\n", name);
			}
		}
		l = nl ? nl + 1 : NULL;
	}
	ok(keys > 40, "the example lists the keys (%d)", keys);
	is_int(missing, 0, "broadside.conf(5) has a tagged paragraph for every key");
	ok(strstr(man, ".TH BROADSIDE.CONF 5 \"\" \"broadside 1.0\"") != NULL, "title line");
	ok(strstr(man, "\n.\n") == NULL && strstr(man, "\n'") == NULL, "no doc line starts a request");
	free(ex);
	free(man);
}

/* Durations: s, m, h, d or bare seconds; bad values named with file:line. */
static void
test_durations(void)
{
	char dir[] = "/tmp/test_conf.XXXXXX", f[64], err[256];
	conf_t *c = conf_new();
	int64_t v = -1;

	is_int(c->mirror_interval, 4 * 3600, "mirror_interval defaults to 4h");
	is_int(conf_parse_duration("90", 0, 1000, &v), 0, "bare seconds");
	is_int(v, 90, "… 90");
	is_int(conf_parse_duration("2m", 0, 1000, &v), 0, "minutes");
	is_int(v, 120, "… 120");
	is_int(conf_parse_duration("1d", 0, 100000, &v), 0, "days");
	is_int(v, 86400, "… 86400");
	is_int(conf_parse_duration("1d", 0, 1000, &v), -1, "above the maximum");
	is_int(conf_parse_duration("", 0, 10, &v), -1, "empty");
	is_int(conf_parse_duration("h", 0, 10, &v), -1, "a unit alone");
	is_int(conf_parse_duration("-1s", 0, 10, &v), -1, "negative");
	is_int(conf_parse_duration("1x", 0, 10, &v), -1, "unknown unit");
	is_int(conf_parse_duration("1hs", 0, 100000, &v), -1, "two units");
	ok(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(f, sizeof(f), "%s/b.conf", dir);
	write_text(f, "mirror_interval = 30s\nmirror_jitter = 20\n");
	is_int(conf_load(c, f, 0, err, sizeof(err)), 0, "a file with durations loads");
	is_int(c->mirror_interval, 30, "mirror_interval = 30s");
	write_text(f, "\nmirror_deadline = soon\n");
	is_int(conf_load(c, f, 0, err, sizeof(err)), -1, "a bad duration is refused");
	ok(strstr(err, "b.conf:2: mirror_deadline") != NULL, "… named with file:line (%s)", err);
	write_text(f, "mirror_max_manifest_size = 12\n");
	is_int(conf_load(c, f, 0, err, sizeof(err)), -1, "a manifest cap below 4096 is refused");
	ok(strstr(err, "b.conf:1: mirror_max_manifest_size") != NULL, "… named with file:line (%s)", err);
	unlink(f);
	rmdir(dir);
	conf_free_(c);
}

int
main(void)
{
	test_layers();
	test_durations();
	test_manual();
	return unit_done();
}
