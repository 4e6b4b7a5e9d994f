/* cmd_collection: `add`, `refresh`, `ls`, `rm` — managing the collections in the
 * catalogue. Files on disk are only ever read. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalogue/cat.h"
#include "cli/cmd.h"
#include "base/conf.h"
#include "base/datadir.h"
#include "catalogue/ingest.h"
#include "base/log.h"
#include "trust/manifest.h"
#include "trust/mirrors.h"
#include "trust/torrent.h"
#include "catalogue/mime.h"
#include "catalogue/prerender.h"
#include "base/util.h"
#include "base/text.h"

static const char add_usage[] =
    "usage: broadside [--data DIR] add PATH --slug SLUG --title TITLE [--description TEXT]\n"
    "                 [--threads N] [--quiet] [--render-pages] [--ocr]\n\n"
    "Catalogue the folder PATH as collection SLUG ([a-z0-9][a-z0-9-]{0,62}): hash every\n"
    "file (SHA-256), record its type, and index its text for search. Files are read in\n"
    "place, never copied. Symlinks are skipped. Running it again on the same SLUG and\n"
    "PATH refreshes it: only new or changed (size or mtime) files are read again, and\n"
    "files gone from PATH leave the catalogue. Safe to interrupt; run it again.\n"
    "--render-pages also draws every page of every PDF (and a copy of every JPEG\n"
    "and PNG without its metadata) now, in the document jail, into DIR/pages, so\n"
    "that serve shows them without rendering anything itself.\n"
    "--ocr: also read images and PDFs without text by OCR (tesseract, languages from\n"
    "ocr_languages); slow (seconds a page), so only when asked, and resumable: a file\n"
    "read by OCR once is not read again until it changes.\n";

static const char refresh_usage[] =
    "usage: broadside [--data DIR] refresh [SLUG...] [--threads N] [--quiet] [--render-pages] [--ocr]\n\n"
    "Bring collections (all local ones without SLUG) in line with their folders:\n"
    "new and changed files are read, removed ones leave the catalogue.\n";

static const char ls_usage[] =
    "usage: broadside [--data DIR] ls [--json]\n\nList the collections in the catalogue.\n";

static const char rm_usage[] =
    "usage: broadside [--data DIR] rm SLUG\n\n"
    "Remove a collection from the catalogue. Its files on disk are not touched.\n";

static cat_t *
open_catalogue(const char *data, int flags)
{
	datadir_t *d = datadir_new(data);
	cat_t *c = NULL;

	if (access(d->catalogue, F_OK) < 0)
		log_err("no catalogue at %s (run `broadside --data %s init` first)", d->catalogue, d->root);
	else
		c = cat_open(d->catalogue, flags);
	datadir_free(d);
	return c;
}

int
cmd_ingest_opts(const char *data, ingest_opts_t *o, conf_t **conf)
{
	datadir_t *d = datadir_new(data);
	char err[512];
	int rc = 0;

	*conf = conf_new();
	if (conf_load(*conf, d->conf, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "broadside: %s\n", err);
		rc = -1;
	}
	o->sandbox = (*conf)->sandbox;
	o->pdftotext_path = (*conf)->pdftotext_path;
	o->unrtf_path = (*conf)->unrtf_path;
	o->catdoc_path = (*conf)->catdoc_path;
	o->xls2csv_path = (*conf)->xls2csv_path;
	o->ocr_languages = (*conf)->ocr_languages;
	o->tesseract_path = (*conf)->tesseract_path;
	o->pdftoppm_path = (*conf)->pdftoppm_path;
	datadir_free(d);
	return rc;
}

/* add/refresh --ocr (one command per process). */
static int want_ocr;

int
cmd_sign_manifests(const char *data, cat_t *c, const cat_collection_t *col)
{
	char **addrs = NULL;
	size_t naddrs = mirrors_site_addresses(data, &addrs);
	int r = manifest_update(data, c, col, (const char *const *)addrs, naddrs);

	mirrors_addresses_free(addrs, naddrs);
	return r;
}

/* --render-pages: what serve would render, made now (prerender.h). */
static int
render_pages(const char *data, cat_t *c, const cat_collection_t *col)
{
	datadir_t *d = datadir_new(data);
	conf_t *conf = conf_new();
	char err[512], *dir = datadir_path(d, "pages");
	prerender_stats_t st;
	int64_t t0 = now_ms();
	int rc = -1;

	if (conf_load(conf, d->conf, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "broadside: %s\n", err);
		goto done;
	}
	render_tools_t tools = { conf->pdftoppm_path, conf->pdftotext_path, conf->pdfinfo_path };
	if (prerender_collection(c, col->id, col->root, dir, conf->sandbox, &tools, &st) < 0)
		goto done;
	printf("%s: %lld pages and %lld images rendered, %lld already there, %lld could not be "
	    "rendered, in %.1f s\n", col->slug, (long long)st.pages, (long long)st.images,
	    (long long)st.skipped, (long long)st.failed, (double)(now_ms() - t0) / 1000.0);
	fflush(stdout);
	rc = 0;
done:
	free(dir);
	conf_free(conf);
	datadir_free(d);
	return rc;
}

int
cmd_run_ingest(const char *data, cat_t *c, const cat_collection_t *col, int threads, int quiet,
    int render)
{
	ingest_opts_t o = { .threads = threads, .progress = !quiet && isatty(2), .quiet = quiet,
	    .say = cmd_say, .ocr = want_ocr };
	ingest_stats_t st;
	conf_t *conf = NULL;
	int rc, lock, torrent;

	if (cmd_ingest_opts(data, &o, &conf) < 0) {
		conf_free(conf);
		return -1;
	}
	/* Withholding (cmd_withhold.c) waits for a running ingest, whose walk
	 * read the rules once at its start. */
	if ((lock = cmd_lock_data(data)) < 0) {
		conf_free(conf);
		return -1;
	}
	rc = ingest_run(c, col->id, col->root, &o, &st);
	close(lock);
	torrent = conf->torrent_after_ingest && col->origin == NULL;
	conf_free(conf);
	if (rc < 0)
		return -1;
	printf("%s: %lld files, %lld added, %lld changed, %lld unchanged, %lld removed, "
	    "%lld symlinks skipped, %lld other skipped, %lld unreadable", col->slug,
	    (long long)st.files, (long long)st.added, (long long)st.changed, (long long)st.unchanged,
	    (long long)st.removed, (long long)st.symlinks, (long long)st.special, (long long)st.errors);
	if (st.withheld > 0)
		printf(", %lld withheld (see `broadside withheld %s`)", (long long)st.withheld, col->slug);
	putchar('\n');
	fflush(stdout);
	/* torrent_after_ingest: hashed again only if the files changed. A
	 * failure leaves the torrent out of the manifests signed below. */
	if (torrent && cmd_torrent_make(data, c, col, 0, 0) < 0)
		fprintf(stderr, "broadside: %s: no torrent this time (`broadside torrent %s` tries again)\n",
		    col->slug, col->slug);
	/* What was just catalogued is what gets signed (a mirror keeps the origin's). */
	if (col->origin == NULL && cmd_sign_manifests(data, c, col) < 0)
		return -1;
	/* Re-read and re-signed: a collection held after a restore is served again. */
	if (cat_collection_hold(c, col->id, NULL) < 0)
		return -1;
	return render ? render_pages(data, c, col) : 0;
}

/* Parse "--threads N" / "--quiet" / "--render-pages" / "--ocr" shared by add and refresh; return 1 if argv[*i] was one. */
static int
common_opt(int argc, char **argv, int *i, int *threads, int *quiet, int *render, int *bad)
{
	int64_t v;

	if (strcmp(argv[*i], "--render-pages") == 0) {
		*render = 1;
		return 1;
	}
	if (strcmp(argv[*i], "--quiet") == 0 || strcmp(argv[*i], "-q") == 0) {
		*quiet = 1;
		return 1;
	}
	if (strcmp(argv[*i], "--ocr") == 0) {
		want_ocr = 1;
		return 1;
	}
	if (strcmp(argv[*i], "--threads") == 0) {
		if (*i + 1 >= argc || parse_int64(argv[*i + 1], 1, 64, &v) < 0) {
			fprintf(stderr, "broadside: --threads needs a number from 1 to 64\n");
			*bad = 1;
		} else {
			*threads = (int)v;
		}
		(*i)++;
		return 1;
	}
	return 0;
}

int
cmd_add(int argc, char **argv, const char *data)
{
	const char *path = NULL, *slug = NULL, *title = NULL, *desc = NULL;
	char real[PATH_MAX];
	cat_collection_t col = { 0 };
	cat_t *c = NULL;
	struct stat st;
	int threads = 0, quiet = 0, render = 0, bad = 0, rc = 1, found;
	int64_t id;

	if (cmd_wants_help(argc, argv, add_usage))
		return 0;
	for (int i = 1; i < argc && !bad; i++) {
		const char **dst = NULL;
		if (common_opt(argc, argv, &i, &threads, &quiet, &render, &bad))
			continue;
		if (strcmp(argv[i], "--slug") == 0)
			dst = &slug;
		else if (strcmp(argv[i], "--title") == 0)
			dst = &title;
		else if (strcmp(argv[i], "--description") == 0)
			dst = &desc;
		if (dst) {
			if (i + 1 >= argc) {
				fprintf(stderr, "broadside: %s needs a value\n", argv[i]);
				bad = 1;
			} else {
				*dst = argv[++i];
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0' && path == NULL && strcmp(argv[i], "--") != 0) {
			fprintf(stderr, "broadside: add: unknown option %s\n", argv[i]);
			bad = 1;
		} else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && path == NULL) {
			path = argv[++i];
		} else if (path == NULL) {
			path = argv[i];
		} else {
			bad = 1;
		}
	}
	if (bad || path == NULL || slug == NULL || title == NULL) {
		fputs(add_usage, stderr);
		return 2;
	}
	if (!cat_slug_valid(slug)) {
		log_err("slug '%s' is not valid: use 1-63 characters a-z, 0-9 and '-', not starting with '-'", slug);
		return 2;
	}
	if (realpath(path, real) == NULL || stat(real, &st) < 0) {
		log_err("%s: %s", path, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_err("%s is not a folder", path);
		return 1;
	}
	if ((c = open_catalogue(data, CAT_READWRITE)) == NULL)
		goto done;
	if ((found = cat_collection_get(c, slug, &col)) < 0)
		goto done;
	if (found == 0 && strcmp(col.root, real) != 0) {
		log_err("collection '%s' already holds %s; pick another slug, or `broadside rm %s` first",
		    slug, col.root, slug);
		goto done;
	}
	if (found == 0 && col.origin != NULL) {
		log_err("collection '%s' is a mirror; it is updated by `broadside mirror`", slug);
		goto done;
	}
	cat_collection_clear(&col);
	if (cat_collection_upsert(c, slug, title, desc, real, &id) < 0)
		goto done;
	if (cat_collection_get(c, slug, &col) != 0)
		goto done;
	if (cmd_run_ingest(data, c, &col, threads, quiet, render) < 0)
		goto done;
	rc = 0;
done:
	cat_collection_clear(&col);
	cat_free(c);
	return rc;
}

struct refresh_list {
	char **slugs;
	size_t n;
};

static int
collect_local(const cat_collection_t *col, void *arg)
{
	struct refresh_list *l = arg;

	if (col->origin != NULL)
		return 0;
	l->slugs = xrealloc(l->slugs, (l->n + 1) * sizeof(*l->slugs));
	l->slugs[l->n++] = xstrdup(col->slug);
	return 0;
}

int
cmd_refresh(int argc, char **argv, const char *data)
{
	struct refresh_list l = { NULL, 0 };
	cat_t *c = NULL;
	int threads = 0, quiet = 0, render = 0, bad = 0, rc = 1;

	if (cmd_wants_help(argc, argv, refresh_usage))
		return 0;
	for (int i = 1; i < argc && !bad; i++) {
		if (common_opt(argc, argv, &i, &threads, &quiet, &render, &bad))
			continue;
		if (argv[i][0] == '-') {
			bad = 1;
			break;
		}
		l.slugs = xrealloc(l.slugs, (l.n + 1) * sizeof(*l.slugs));
		l.slugs[l.n++] = xstrdup(argv[i]);
	}
	if (bad) {
		fputs(refresh_usage, stderr);
		goto done;
	}
	if ((c = open_catalogue(data, CAT_READWRITE)) == NULL)
		goto done;
	if (l.n == 0 && cat_collection_each(c, collect_local, &l) < 0)
		goto done;
	rc = 0;
	for (size_t i = 0; i < l.n; i++) {
		cat_collection_t col;
		int found = cat_collection_get(c, l.slugs[i], &col);
		if (found == 1)
			log_err("no collection '%s' (see `broadside ls`)", l.slugs[i]);
		else if (found == 0 && col.origin != NULL)
			log_err("collection '%s' is a mirror; it is updated by `broadside mirror`", l.slugs[i]);
		else if (found == 0 && cmd_run_ingest(data, c, &col, threads, quiet, render) == 0) {
			cat_collection_clear(&col);
			continue;
		}
		cat_collection_clear(&col);
		rc = 1;
	}
done:
	for (size_t i = 0; i < l.n; i++)
		free(l.slugs[i]);
	free(l.slugs);
	cat_free(c);
	return bad ? 2 : rc;
}

static void
json_str(FILE *f, const char *s)
{
	strbuf_t b;

	strbuf_init(&b);
	/* Invalid bytes as Latin-1 \u00XX (a name stays recoverable); C1 and
	 * bidi controls escaped: this goes to a terminal. */
	(void)text_json(&b, s, TEXT_JSON_LATIN1 | TEXT_JSON_VISIBLE);
	fwrite(b.s, 1, b.len, f);
	strbuf_release(&b);
}

static int
print_collection(const cat_collection_t *col, void *arg)
{
	int *json = arg;
	char size[32], when[32] = "never";
	time_t t = (time_t)col->updated;
	struct tm tm;

	if (*json) {
		fputs(json[1]++ ? ",\n  {" : "\n  {", stdout);
		fputs("\"slug\": ", stdout);
		json_str(stdout, col->slug);
		fputs(", \"title\": ", stdout);
		json_str(stdout, col->title);
		printf(", \"files\": %lld, \"bytes\": %lld, \"created\": %lld, \"updated\": %lld, \"root\": ",
		    (long long)col->files, (long long)col->bytes, (long long)col->created, (long long)col->updated);
		json_str(stdout, col->root);
		fputs(", \"origin\": ", stdout);
		if (col->origin)
			json_str(stdout, col->origin);
		else
			fputs("null", stdout);
		fputc('}', stdout);
		return 0;
	}
	human_bytes(col->bytes, size, sizeof(size));
	if (col->updated > 0 && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%-20s %9lld  %10s  %-16s  ", col->slug, (long long)col->files, size, when);
	text_term_print(stdout, col->origin ? col->origin : col->root);
	putchar('\n');
	return 0;
}

int
cmd_ls(int argc, char **argv, const char *data)
{
	int json[2] = { 0, 0 }, rc;
	cat_t *c;

	if (cmd_wants_help(argc, argv, ls_usage))
		return 0;
	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		json[0] = 1;
	else if (argc != 1) {
		fputs(ls_usage, stderr);
		return 2;
	}
	if ((c = open_catalogue(data, CAT_READONLY)) == NULL)
		return 1;
	if (json[0])
		fputc('[', stdout);
	else
		printf("%-20s %9s  %10s  %-16s  %s\n", "SLUG", "FILES", "SIZE", "UPDATED (UTC)", "ROOT");
	rc = cat_collection_each(c, print_collection, json);
	if (json[0])
		fputs(json[1] ? "\n]\n" : "]\n", stdout);
	cat_free(c);
	return rc < 0 ? 1 : 0;
}

int
cmd_rm(int argc, char **argv, const char *data)
{
	cat_collection_t col = { 0 };
	cat_t *c = NULL;
	int rc = 1, found;

	if (cmd_wants_help(argc, argv, rm_usage))
		return 0;
	if (argc != 2) {
		fputs(rm_usage, stderr);
		return 2;
	}
	if ((c = open_catalogue(data, CAT_READWRITE)) == NULL)
		goto done;
	if ((found = cat_collection_get(c, argv[1], &col)) != 0) {
		if (found == 1)
			log_err("no collection '%s' (see `broadside ls`)", argv[1]);
		goto done;
	}
	if (cat_collection_delete(c, col.id) < 0)
		goto done;
	torrent_forget(data, col.slug);
	printf("removed %s from the catalogue (%lld files; nothing on disk was touched)\n", col.slug,
	    (long long)col.files);
	rc = 0;
done:
	cat_collection_clear(&col);
	cat_free(c);
	return rc;
}
