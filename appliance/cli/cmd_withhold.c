/* cmd_withhold: `withhold`, `unwithhold`, `withheld` — keeping files and
 * folders out of publication without touching them (cat_withhold.h). Each
 * change re-signs the collection's manifests at once, so readers and mirrors
 * see the new set on their next fetch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/datadir.h"
#include "base/log.h"
#include "base/text.h"
#include "base/util.h"
#include "catalogue/cat.h"
#include "catalogue/cat_withhold.h"
#include "cli/cmd.h"
#include "trust/manifest.h"

#define REASON_MAX 4096

static const char withhold_usage[] =
    "usage: broadside [--data DIR] withhold SLUG PATH|GLOB --reason TEXT\n\n"
    "Keep a file or folder of collection SLUG out of publication: it leaves the\n"
    "pages, search and its index, the signed manifests (re-signed at once) and so\n"
    "the mirrors' copies at their next run; every address of it answers 404 as\n"
    "for a file that never existed. The file on disk is not touched, and refresh\n"
    "never adds it back. PATH is relative to the collection's folder; a folder\n"
    "withholds everything in it. A GLOB (quote it) with *, ? or [...] is matched\n"
    "with fnmatch(3): without '/' against every name along the path ('*.eml'\n"
    "anywhere), with '/' against the path and its folders ('mail/*.eml'). The\n"
    "reason is kept for you (`broadside withheld`) and never served.\n";

static const char unwithhold_usage[] =
    "usage: broadside [--data DIR] unwithhold SLUG PATH|GLOB [--threads N] [--quiet]\n\n"
    "Publish again what `broadside withhold SLUG PATH|GLOB` withheld (give the same\n"
    "PATH or GLOB, as `broadside withheld` lists it): the collection is refreshed,\n"
    "which reads those files again, and its manifests are re-signed.\n";

static const char withheld_usage[] =
    "usage: broadside [--data DIR] withheld [SLUG]\n\n"
    "List what is withheld (of SLUG, or of every collection): the path or glob,\n"
    "when, and the reason.\n";

static cat_t *
open_catalogue(const char *data)
{
	datadir_t *d = datadir_new(data);
	cat_t *c = NULL;

	if (access(d->catalogue, F_OK) < 0)
		log_err("no catalogue at %s (run `broadside --data %s init` first)", d->catalogue, d->root);
	else
		c = cat_open(d->catalogue, CAT_READWRITE);
	datadir_free(d);
	return c;
}

/* The collection slug: 0 local, 1 not catalogued yet (a rule may come
 * before `add`), -1 a mirror (it serves its origin's signed set) or an error. */
static int
local_collection(cat_t *c, const char *slug, cat_collection_t *col)
{
	int found = cat_collection_get(c, slug, col);

	if (found == 1 && !cat_slug_valid(slug)) {
		log_err("'%s' is not a collection name ([a-z0-9][a-z0-9-]{0,62})", slug);
		return -1;
	}
	if (found == 0 && col->origin != NULL) {
		log_err("collection '%s' is a mirror: it serves its origin's signed manifests, which only the "
		    "origin can change", slug);
		cat_collection_clear(col);
		return -1;
	}
	return found;
}

static int
pattern_arg(const char *arg, char **pattern)
{
	const char *why = NULL;

	if (cat_withhold_normalise(arg, pattern, &why) == 0)
		return 0;
	fputs("broadside: cannot withhold '", stderr);
	text_term_print(stderr, arg);
	fprintf(stderr, "': %s\n", why);
	return -1;
}

/* Re-read the collection row (totals changed) and re-sign its manifests. */
static int
resign(const char *data, cat_t *c, const char *slug)
{
	cat_collection_t col;
	int rc = -1;

	if (cat_collection_get(c, slug, &col) == 0)
		rc = cmd_sign_manifests(data, c, &col);
	cat_collection_clear(&col);
	return rc;
}

int
cmd_withhold(int argc, char **argv, const char *data)
{
	const char *slug = NULL, *path = NULL, *reason = NULL;
	cat_collection_t col = { 0 };
	char *pattern = NULL;
	cat_t *c = NULL;
	int64_t files = 0, dirs = 0;
	int rc = 1, lock = -1, found;

	if (cmd_wants_help(argc, argv, withhold_usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
			reason = argv[++i];
		else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && slug && !path)
			path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			goto usage;
		else if (!slug)
			slug = argv[i];
		else if (!path)
			path = argv[i];
		else
			goto usage;
	}
	if (!slug || !path || !reason)
		goto usage;
	if (reason[0] == '\0' || strlen(reason) > REASON_MAX) {
		fprintf(stderr, "broadside: --reason needs a text of 1 to %d bytes (it is kept for you, never "
		    "served)\n", REASON_MAX);
		return 2;
	}
	if (pattern_arg(path, &pattern) < 0)
		return 2;
	if ((c = open_catalogue(data)) == NULL || (found = local_collection(c, slug, &col)) < 0 ||
	    (lock = cmd_lock_data(data)) < 0)
		goto done;
	if (found == 1) {
		/* Withholding before `add` publishes anything: the walk skips it. */
		if (cat_withhold_add(c, slug, 0, (const char *const *)&pattern, 1, reason, &files, &dirs) < 0)
			goto done;
		printf("%s: withheld ", slug);
		text_term_print(stdout, pattern);
		printf(": there is no collection %s yet; `add` will leave out what this matches\n", slug);
		rc = 0;
		goto done;
	}
	if (cat_withhold_add(c, col.slug, col.id, (const char *const *)&pattern, 1, reason, &files, &dirs) < 0)
		goto done;
	printf("%s: withheld ", col.slug);
	text_term_print(stdout, pattern);
	printf(": %lld file%s and %lld folder%s left the catalogue (nothing on disk was touched)\n",
	    (long long)files, files == 1 ? "" : "s", (long long)dirs, dirs == 1 ? "" : "s");
	if (files == 0 && dirs == 0) {
		fputs("broadside: nothing catalogued matches '", stderr);
		text_term_print(stderr, pattern);
		fputs("' now (check the path with the collection's pages); the rule is kept and a refresh "
		    "will not add what it matches\n", stderr);
	}
	fflush(stdout);
	if (resign(data, c, col.slug) < 0)
		goto done;
	printf("%s: manifests re-signed\n", col.slug);
	rc = 0;
done:
	if (lock >= 0)
		close(lock);
	cat_collection_clear(&col);
	cat_free(c);
	free(pattern);
	return rc;
usage:
	fputs(withhold_usage, stderr);
	return 2;
}

int
cmd_unwithhold(int argc, char **argv, const char *data)
{
	const char *slug = NULL, *path = NULL;
	cat_collection_t col = { 0 };
	char *pattern = NULL;
	cat_t *c = NULL;
	int64_t v;
	int threads = 0, quiet = 0, rc = 1, r;

	if (cmd_wants_help(argc, argv, unwithhold_usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
			quiet = 1;
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc && parse_int64(argv[i + 1], 1, 64, &v) == 0)
			threads = (int)v, i++;
		else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && slug && !path)
			path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			goto usage;
		else if (!slug)
			slug = argv[i];
		else if (!path)
			path = argv[i];
		else
			goto usage;
	}
	if (!slug || !path)
		goto usage;
	if (pattern_arg(path, &pattern) < 0)
		return 2;
	if ((c = open_catalogue(data)) == NULL)
		goto done;
	if ((r = cat_withhold_remove(c, slug, pattern)) != 0) {
		if (r == 1) {
			fputs("broadside: nothing of '", stderr);
			text_term_print(stderr, slug);
			fputs("' is withheld as '", stderr);
			text_term_print(stderr, pattern);
			fputs("' (see `broadside withheld`)\n", stderr);
		}
		goto done;
	}
	printf("%s: ", slug);
	text_term_print(stdout, pattern);
	printf(" is no longer withheld\n");
	fflush(stdout);
	/* The rule outlives its collection (cat_withhold.h): nothing to refresh then. */
	if ((r = cat_collection_get(c, slug, &col)) < 0)
		goto done;
	if (r == 0 && col.origin == NULL && cmd_run_ingest(data, c, &col, threads, quiet, 0) < 0)
		goto done;
	rc = 0;
done:
	cat_collection_clear(&col);
	cat_free(c);
	free(pattern);
	return rc;
usage:
	fputs(unwithhold_usage, stderr);
	return 2;
}

static int
print_withholding(const cat_withholding_t *w, void *arg)
{
	time_t t = (time_t)w->created;
	struct tm tm;
	char when[32] = "";

	(*(int *)arg)++;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	/* Paths and reasons are the publisher's text, but may hold anything a
	 * name can: escaped for the terminal. */
	text_term_print(stdout, w->slug);
	fputs("  ", stdout);
	text_term_print(stdout, w->pattern);
	printf("  (since %s)\n    reason: ", when);
	text_term_print(stdout, w->reason);
	fputc('\n', stdout);
	return 0;
}

int
cmd_withheld(int argc, char **argv, const char *data)
{
	cat_t *c = NULL;
	int n = 0, rc = 1;

	if (cmd_wants_help(argc, argv, withheld_usage))
		return 0;
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fputs(withheld_usage, stderr);
		return 2;
	}
	if ((c = open_catalogue(data)) == NULL)
		goto done;
	if (cat_withhold_each(c, argc == 2 ? argv[1] : NULL, print_withholding, &n) != 0)
		goto done;
	if (n == 0)
		printf("nothing is withheld\n");
	rc = 0;
done:
	cat_free(c);
	return rc;
}
