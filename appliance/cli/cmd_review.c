/* cmd_review: `broadside review SLUG` — what a collection holds that could hurt
 * someone (review.h), per file and per folder, and `--withhold-kinds` to
 * withhold every file with such findings in one step. Reads; never changes a
 * file. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/datadir.h"
#include "base/log.h"
#include "base/text.h"
#include "base/util.h"
#include "catalogue/cat.h"
#include "catalogue/cat_withhold.h"
#include "catalogue/review.h"
#include "cli/cmd.h"
#include "base/conf.h"
#include "catalogue/ingest.h"
#include "docs/docjail.h"
#include "docs/meta.h"
#include "trust/manifest.h"

static const char review_usage[] =
    "usage: broadside [--data DIR] review SLUG [--json] [--kinds K,...] [--withhold-kinds K,...] [--quiet]\n\n"
    "Look through collection SLUG for what could hurt someone before you publish it,\n"
    "and list each finding with its file, kind and a redacted excerpt, then a table\n"
    "per folder. In the text the search index holds and in file names: email,\n"
    "phone, ssn (US Social Security-like), card (payment cards, Luhn-checked), iban\n"
    "(checked), street (\"742 Evergreen Terrace\"). In documents' own metadata, read\n"
    "in the document jail: gps, camera (make, model, serial), author, software\n"
    "(JPEG and TIFF EXIF; XMP; PNG text; PDF Info; Office and OpenDocument\n"
    "properties; the images inside office files), comments (Word, spreadsheet,\n"
    "Excel threaded and presentation comments, speaker notes), revisions (tracked\n"
    "changes, a PDF's earlier revisions and the text a later one removed),\n"
    "embedded (a PDF's attached files, an office file's images), mailhost (e-mail\n"
    "headers naming internal hosts or private addresses). It helps a human review;\n"
    "it does not replace one: it finds no names, faces or handwriting. Originals\n"
    "are published byte for byte, with their metadata. Results stay in the\n"
    "catalogue (never served), so a second run reads only new and changed files.\n"
    "Files are never changed.\n"
    "--kinds shows only those kinds; --withhold-kinds withholds every file with a\n"
    "finding of those kinds (`broadside withhold`) and lists them.\n";

/* The text patterns (docs/pii.h), then what metadata says (docs/meta.h). */
static const char *const known_kinds[] = { "email", "phone", "ssn", "card", "iban", "street", "gps", "camera",
	"author", "software", "comments", "revisions", "mailhost", "embedded" };
#define NKINDS (sizeof(known_kinds) / sizeof(known_kinds[0]))

/* Parse "a,b" into a bit per known kind; -1 (printed) on an unknown one. */
static int
parse_kinds(const char *list, unsigned *bits)
{
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;

	*bits = 0;
	for (char *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < NKINDS && strcmp(k, known_kinds[i]) != 0; i++)
			;
		if (i == NKINDS) {
			fputs("broadside: unknown kind '", stderr);
			text_term_print(stderr, k);
			fputs("' (email, phone, ssn, card, iban, street, gps, camera, author, software, comments, "
			    "revisions, mailhost)\n", stderr);
			rc = -1;
			break;
		}
		*bits |= 1u << i;
	}
	free(copy);
	return rc;
}

static int
kind_index(const char *kind)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(kind, known_kinds[i]) == 0)
			return (int)i;
	return -1;
}

static void
json_str(const char *s)
{
	strbuf_t b;

	strbuf_init(&b);
	(void)text_json(&b, s ? s : "", TEXT_JSON_LATIN1 | TEXT_JSON_VISIBLE);
	fwrite(b.s, 1, b.len, stdout);
	strbuf_release(&b);
}

struct report {
	unsigned show, withhold;
	int json, first;
	const char *last_path;
	char *last;
	int64_t files_with, total[NKINDS];
	char **hold;            /* paths to withhold */
	size_t nhold;
	char **hold_kinds;
};

static int
print_finding(const review_finding_t *f, void *arg)
{
	struct report *r = arg;
	int k = kind_index(f->kind);
	int new_file = r->last == NULL || strcmp(r->last, f->path) != 0;

	if (k < 0 || !(r->show & (1u << k)))
		return 0;
	r->total[k] += f->count;
	if (new_file) {
		free(r->last);
		r->last = xstrdup(f->path);
		r->files_with++;
	}
	if (r->withhold & (1u << k)) {
		if (r->nhold == 0 || strcmp(r->hold[r->nhold - 1], f->path) != 0) {
			r->hold = xrealloc(r->hold, (r->nhold + 1) * sizeof(*r->hold));
			r->hold_kinds = xrealloc(r->hold_kinds, (r->nhold + 1) * sizeof(*r->hold_kinds));
			r->hold[r->nhold] = xstrdup(f->path);
			r->hold_kinds[r->nhold++] = xstrdup(f->kind);
		} else {
			char *more = xasprintf("%s,%s", r->hold_kinds[r->nhold - 1], f->kind);
			free(r->hold_kinds[r->nhold - 1]);
			r->hold_kinds[r->nhold - 1] = more;
		}
	}
	if (r->json) {
		fputs(r->first ? "\n  " : ",\n  ", stdout);
		r->first = 0;
		fputs("{\"path\":", stdout);
		json_str(f->path);
		fputs(",\"kind\":", stdout);
		json_str(f->kind);
		printf(",\"count\":%lld,\"excerpts\":[", (long long)f->count);
		for (const char *p = f->excerpts, *e; p && *p; p = *e ? e + 1 : e) {
			char *one;
			e = strchr(p, '\n');
			if (e == NULL)
				e = p + strlen(p);
			one = xstrndup(p, (size_t)(e - p));
			if (p != f->excerpts)
				fputc(',', stdout);
			json_str(one);
			free(one);
		}
		fputs("]}", stdout);
		return 0;
	}
	if (new_file) {
		text_term_print(stdout, f->path);
		fputc('\n', stdout);
	}
	printf("  %-9s %4lld  ", f->kind, (long long)f->count);
	for (const char *p = f->excerpts, *e; p && *p; p = *e ? e + 1 : e) {
		char *one;
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		one = xstrndup(p, (size_t)(e - p));
		if (p != f->excerpts)
			fputs("\n                  ", stdout);
		text_term_print(stdout, one);
		free(one);
	}
	fputc('\n', stdout);
	return 0;
}

struct folders {
	struct report *r;
	char *folder;
	int64_t counts[NKINDS];
	int any, first;
};

static void
folder_flush(struct folders *f)
{
	if (!f->any)
		return;
	if (f->r->json) {
		int first = 1;
		fputs(f->first ? "\n  " : ",\n  ", stdout);
		f->first = 0;
		fputs("{\"folder\":", stdout);
		json_str(f->folder);
		fputs(",\"counts\":{", stdout);
		for (size_t k = 0; k < NKINDS; k++)
			if (f->r->show & (1u << k)) {
				printf("%s\"%s\":%lld", first ? "" : ",", known_kinds[k], (long long)f->counts[k]);
				first = 0;
			}
		fputs("}}", stdout);
	} else {
		for (size_t k = 0; k < NKINDS; k++)
			if (f->r->show & (1u << k))
				printf(" %9lld", (long long)f->counts[k]);
		fputs("  ", stdout);
		text_term_print(stdout, f->folder[0] ? f->folder : "(top)");
		fputc('\n', stdout);
	}
	memset(f->counts, 0, sizeof(f->counts));
	f->any = 0;
}

static int
folder_row(const review_folder_t *row, void *arg)
{
	struct folders *f = arg;
	int k = kind_index(row->kind);

	if (f->folder == NULL || strcmp(f->folder, row->folder) != 0) {
		folder_flush(f);
		free(f->folder);
		f->folder = xstrdup(row->folder);
	}
	if (k >= 0 && (f->r->show & (1u << k))) {
		f->counts[k] += row->count;
		f->any = 1;
	}
	return 0;
}

static void
progress(void *arg, int64_t done, int64_t total)
{
	if (*(int *)arg)
		fprintf(stderr, "\r\033[Kreviewed %lld of %lld files", (long long)done, (long long)total);
}

/* One line per file whose metadata could not all be read; the progress
 * line (if any) is cleared first. */
static void
say_unread(void *arg, const char *path, const char *why)
{
	if (*(int *)arg)
		fputs("\r\033[K", stderr);
	fputs("review: ", stderr);
	text_term_print(stderr, path);
	fputs(": metadata not (all) read: ", stderr);
	text_term_print(stderr, why);
	fputc('\n', stderr);
}

/* The document jail for metadata (as ingest's: the config's sandbox mode;
 * pdfinfo beside pdftotext_path) and the collection's root. */
static int
open_jail(const char *data, const cat_collection_t *col, review_opts_t *o, conf_t **conf, char **pdfinfo,
    char **pdfdetach)
{
	ingest_opts_t io = { 0 };
	docjail_conf_t jc = { 0 };
	char *dir;

	if (cmd_ingest_opts(data, &io, conf) < 0)
		return -1;
	dir = xstrdup(io.pdftotext_path ? io.pdftotext_path : "/usr/bin/pdftotext");
	*pdfinfo = xasprintf("%s/pdfinfo", dirname(dir));
	*pdfdetach = xasprintf("%s/pdfdetach", dir);
	free(dir);
	o->rootfd = open(col->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (o->rootfd < 0) {
		/* The text is in the catalogue: review that, and say what is missing. */
		log_warn("cannot read %s: %s; reviewing the catalogued text only, no metadata", col->root,
		    strerror(errno));
		return 0;
	}
	jc.mode = io.sandbox;
	jc.tools[0] = *pdfinfo;
	o->pdfinfo = *pdfinfo;
	/* A tool directory without pdfdetach (a test's stand-ins): no list of embedded files. */
	if (access(*pdfdetach, X_OK) == 0) {
		jc.tools[1] = *pdfdetach;
		o->pdfdetach = *pdfdetach;
	}
	/* pdftotext reads each earlier revision of a PDF, to say what a later one removed. */
	o->pdftotext = io.pdftotext_path ? io.pdftotext_path : "/usr/bin/pdftotext";
	jc.tools[o->pdfdetach ? 2 : 1] = o->pdftotext;
	if ((o->jail = docjail_new(&jc)) == NULL)
		return -1;
	return 0;
}

/* Withhold the files collected in r (review --withhold-kinds). */
static int
withhold_found(const char *data, cat_t *c, const cat_collection_t *col, struct report *r, const char *kinds)
{
	char *reason = xasprintf("review found: %s", kinds);
	int64_t files = 0, dirs = 0;
	int lock = -1, rc = -1;

	if (col->origin != NULL) {
		log_err("collection '%s' is a mirror: only its origin can withhold files", col->slug);
		goto done;
	}
	if ((lock = cmd_lock_data(data)) < 0 ||
	    cat_withhold_add(c, col->slug, col->id, (const char *const *)r->hold, r->nhold, reason, &files, &dirs) < 0)
		goto done;
	for (size_t i = 0; i < r->nhold; i++) {
		fputs("withheld: ", stderr);
		text_term_print(stderr, r->hold[i]);
		fprintf(stderr, " (%s)\n", r->hold_kinds[i]);
	}
	fprintf(stderr, "%s: %lld file%s withheld (see `broadside withheld %s`)\n", col->slug, (long long)files,
	    files == 1 ? "" : "s", col->slug);
	{
		cat_collection_t now;
		if (cat_collection_get(c, col->slug, &now) == 0 && cmd_sign_manifests(data, c, &now) == 0) {
			fprintf(stderr, "%s: manifests re-signed\n", col->slug);
			rc = 0;
		}
		cat_collection_clear(&now);
	}
done:
	if (lock >= 0)
		close(lock);
	free(reason);
	return rc;
}

int
cmd_review(int argc, char **argv, const char *data)
{
	struct report r = { .show = (1u << NKINDS) - 1, .first = 1 };
	struct folders f = { .r = &r, .first = 1 };
	const char *slug = NULL, *hold_list = NULL;
	review_opts_t o = { 0 };
	review_stats_t st;
	cat_collection_t col = { 0 };
	datadir_t *d = NULL;
	cat_t *c = NULL;
	conf_t *conf = NULL;
	char *pdfinfo = NULL, *pdfdetach = NULL;
	int quiet = 0, tty = 0, rc = 1;

	if (cmd_wants_help(argc, argv, review_usage))
		return 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			r.json = 1;
		else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
			quiet = 1;
		else if (strcmp(argv[i], "--kinds") == 0 && i + 1 < argc) {
			if (parse_kinds(argv[++i], &r.show) < 0)
				return 2;
		} else if (strcmp(argv[i], "--withhold-kinds") == 0 && i + 1 < argc) {
			hold_list = argv[++i];
			if (parse_kinds(hold_list, &r.withhold) < 0)
				return 2;
		} else if (argv[i][0] != '-' && !slug)
			slug = argv[i];
		else {
			fputs(review_usage, stderr);
			return 2;
		}
	}
	if (!slug) {
		fputs(review_usage, stderr);
		return 2;
	}
	/* What is withheld is shown too, whatever --kinds says. */
	r.show |= r.withhold;
	d = datadir_new(data);
	if (access(d->catalogue, F_OK) < 0) {
		log_err("no catalogue at %s (run `broadside --data %s init` first)", d->catalogue, d->root);
		goto done;
	}
	if ((c = cat_open(d->catalogue, CAT_READWRITE)) == NULL)
		goto done;
	if (cat_collection_get(c, slug, &col) != 0) {
		log_err("no collection '%s' (see `broadside ls`)", slug);
		goto done;
	}
	tty = !quiet && isatty(2);
	o.progress = progress;
	o.arg = &tty;
	o.unread = quiet ? NULL : say_unread;
	if (open_jail(data, &col, &o, &conf, &pdfinfo, &pdfdetach) < 0)
		goto done;
	if (review_run(c, col.id, &o, &st) < 0)
		goto done;
	if (st.unread > 0 && !quiet)
		fprintf(stderr, "%s: the metadata of %lld file%s could not be read (gone, or refused by the "
		    "document jail)\n", col.slug, (long long)st.unread, st.unread == 1 ? "" : "s");
	if (tty)
		fputs("\r\033[K", stderr);
	if (!quiet)
		fprintf(stderr, "%s: %lld files, %lld read (new or changed since the last review) in %.1f s\n",
		    col.slug, (long long)st.files, (long long)st.read, (double)st.ms / 1000.0);
	if (r.json) {
		fputs("{\"collection\":", stdout);
		json_str(col.slug);
		printf(",\"files\":%lld,\"read\":%lld,\"findings\":[", (long long)st.files, (long long)st.read);
	}
	if (review_each(c, col.id, print_finding, &r) != 0)
		goto done;
	if (r.json) {
		fputs(r.first ? "],\"folders\":[" : "\n],\"folders\":[", stdout);
	} else {
		if (r.files_with == 0)
			printf("%s: nothing found (of: what `review --help` lists)\n", col.slug);
		printf("\nBy folder (findings in the folder's own files):\n");
		for (size_t k = 0; k < NKINDS; k++)
			if (r.show & (1u << k))
				printf(" %9s", known_kinds[k]);
		fputs("  folder\n", stdout);
	}
	if (review_folders(c, col.id, folder_row, &f) != 0)
		goto done;
	folder_flush(&f);
	if (r.json) {
		int first = 1;
		fputs(f.first ? "],\"total\":{" : "\n],\"total\":{", stdout);
		for (size_t k = 0; k < NKINDS; k++)
			if (r.show & (1u << k)) {
				printf("%s\"%s\":%lld", first ? "" : ",", known_kinds[k], (long long)r.total[k]);
				first = 0;
			}
		printf("},\"files_with_findings\":%lld}\n", (long long)r.files_with);
	} else {
		for (size_t k = 0; k < NKINDS; k++)
			if (r.show & (1u << k))
				printf(" %9lld", (long long)r.total[k]);
		printf("  total (%lld file%s with findings)\n", (long long)r.files_with, r.files_with == 1 ? "" : "s");
	}
	fflush(stdout);
	if (hold_list && r.nhold > 0 && withhold_found(data, c, &col, &r, hold_list) < 0)
		goto done;
	if (hold_list && r.nhold == 0)
		fprintf(stderr, "%s: no file has findings of %s: nothing withheld\n", col.slug, hold_list);
	rc = 0;
done:
	for (size_t i = 0; i < r.nhold; i++) {
		free(r.hold[i]);
		free(r.hold_kinds[i]);
	}
	free(r.hold);
	free(r.hold_kinds);
	free(r.last);
	free(f.folder);
	cat_collection_clear(&col);
	cat_free(c);
	datadir_free(d);
	docjail_free(o.jail);
	if (o.rootfd > 0)
		close(o.rootfd);
	conf_free(conf);
	free(pdfinfo);
	free(pdfdetach);
	return rc;
}
