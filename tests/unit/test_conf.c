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

		if (sscanf(l, "#%63[a-z_] =", name) == 1) {
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

int
main(void)
{
	test_layers();
	test_manual();
	return unit_done();
}
