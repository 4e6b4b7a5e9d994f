/* cmd_search: `broadside search` — the reader's search, from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalogue/cat.h"
#include "cli/cmd.h"
#include "base/datadir.h"
#include "base/log.h"
#include "catalogue/mime.h"
#include "catalogue/search.h"
#include "base/util.h"
#include "base/text.h"

static const char search_usage[] =
    "usage: broadside [--data DIR] search QUERY... [--collection SLUG] [--limit N] [--offset N] [--json]\n"
    "                 [--folder DIR] [--kind KIND] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--repeat N]\n\n"
    "Search the titles, paths and text of every catalogued file. Every word must match;\n"
    "\"two words\" matches a phrase; polic* matches words starting with polic (at least\n"
    "three letters before the star; the first 16 such words count). Anything else (AND,\n"
    "OR, NOT, parentheses, column:) is searched as plain words. Very common searches rank\n"
    "only the " SEARCH_RANK_CAP_TEXT " most recently catalogued matches.\n"
    "--folder, --kind (pdf, email, document, spreadsheet, presentation, web, text, image,\n"
    "archive), --from and --to (modification dates, both days included) narrow it; only the\n"
    SEARCH_FILTER_SCAN_TEXT " newest matches of the words are filtered.\n"
    "--repeat N runs the query N times and prints timings (for benchmarks).\n";

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Run the query n times and print p50/p95/max wall time in microseconds to stderr. */
static int
repeat_timing(cat_t *c, const char *q, const search_filter_t *f, int64_t offset, int limit, int64_t n)
{
	int64_t *us = xcalloc((size_t)n, sizeof(*us));
	struct timespec a, b;
	search_result_t r;
	int rc = 0;

	for (int64_t i = 0; i < n && rc == 0; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		rc = search_run_filtered(c, q, f, offset, limit, &r);
		clock_gettime(CLOCK_MONOTONIC, &b);
		us[i] = (b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000;
		if (i + 1 == n)
			fprintf(stderr, "hits %zu total %s%lld: ", r.n, r.total_is_estimate ? ">" : "", (long long)r.total);
		search_result_clear(&r);
	}
	qsort(us, (size_t)n, sizeof(*us), cmp_i64);
	fprintf(stderr, "p50 %.2f ms  p95 %.2f ms  max %.2f ms  (%lld runs)\n", us[n / 2] / 1000.0,
	    us[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1] / 1000.0, us[n - 1] / 1000.0, (long long)n);
	free(us);
	return rc;
}

/* Print s, showing the match markers as [..] (or bold on a terminal) and escaping
 * anything that could act on the terminal. */
static void
print_snippet(const char *s, int tty)
{
	strbuf_t b;

	strbuf_init(&b);
	while (*s) {
		size_t n = strcspn(s, "\002\003\n\t");
		text_term_escape(&b, s, n);
		s += n;
		if (*s == 2)
			strbuf_adds(&b, tty ? "\033[1m" : "[");
		else if (*s == 3)
			strbuf_adds(&b, tty ? "\033[0m" : "]");
		else if (*s)
			strbuf_addc(&b, ' ');
		if (*s)
			s++;
	}
	if (b.len > 0)
		fwrite(b.s, 1, b.len, stdout);
	strbuf_release(&b);
}

static void
json_str(const char *s)
{
	strbuf_t b;

	strbuf_init(&b);
	/* Invalid bytes as Latin-1 \u00XX (a name stays recoverable); C1 and
	 * bidi controls escaped: this goes to a terminal. */
	(void)text_json(&b, s, TEXT_JSON_LATIN1 | TEXT_JSON_VISIBLE);
	fwrite(b.s, 1, b.len, stdout);
	strbuf_release(&b);
}

int
cmd_search(int argc, char **argv, const char *data)
{
	const char *collection = NULL;
	search_filter_t f = { 0 };
	int64_t limit = 20, offset = 0, repeat = 0;
	int json = 0, rc = 1, bad = 0, tty = isatty(1);
	search_result_t r = { 0 };
	strbuf_t q;
	datadir_t *d = NULL;
	cat_t *c = NULL;

	if (cmd_wants_help(argc, argv, search_usage))
		return 0;
	strbuf_init(&q);
	for (int i = 1; i < argc && !bad; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--collection") == 0 || strcmp(argv[i], "-c") == 0) {
			if (i + 1 < argc)
				collection = argv[++i];
			else
				bad = 1;
		} else if (strcmp(argv[i], "--folder") == 0 || strcmp(argv[i], "--kind") == 0) {
			if (i + 1 >= argc || (argv[i][2] == 'k' && search_kind_parse(argv[i + 1]) == SEARCH_KIND_ANY))
				bad = 1;
			else if (argv[i][2] == 'k')
				f.kind = search_kind_parse(argv[i + 1]);
			else
				f.folder = argv[i + 1];
			i++;
		} else if (strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--to") == 0) {
			int64_t t;
			if (i + 1 >= argc || search_day_parse(argv[i + 1], &t) < 0)
				bad = 1;
			else if (argv[i][2] == 'f')
				f.after = t;
			else
				f.before = t + 86400;   /* the whole day */
			i++;
		} else if (strcmp(argv[i], "--repeat") == 0) {
			if (i + 1 >= argc || parse_int64(argv[i + 1], 1, 100000, &repeat) < 0)
				bad = 1;
			i++;
		} else if (strcmp(argv[i], "--limit") == 0 || strcmp(argv[i], "--offset") == 0) {
			int64_t *dst = argv[i][2] == 'l' ? &limit : &offset;
			if (i + 1 >= argc || parse_int64(argv[i + 1], argv[i][2] == 'l' ? 1 : 0,
			    argv[i][2] == 'l' ? SEARCH_MAX_LIMIT : 1000000, dst) < 0)
				bad = 1;
			i++;
		} else if (strcmp(argv[i], "--") == 0) {
			for (i++; i < argc; i++) {
				if (q.len)
					strbuf_addc(&q, ' ');
				strbuf_adds(&q, argv[i]);
			}
		} else {
			if (q.len)
				strbuf_addc(&q, ' ');
			strbuf_adds(&q, argv[i]);
		}
	}
	if (bad) {
		fputs(search_usage, stderr);
		rc = 2;
		goto done;
	}
	d = datadir_new(data);
	if (access(d->catalogue, F_OK) < 0) {
		log_err("no catalogue at %s (run `broadside init` and `broadside add` first)", d->catalogue);
		goto done;
	}
	if ((c = cat_open(d->catalogue, CAT_READONLY)) == NULL)
		goto done;
	f.collection = collection;
	if (repeat > 0) {
		rc = repeat_timing(c, q.s ? q.s : "", &f, offset, (int)limit, repeat) < 0;
		goto done;
	}
	if (search_run_filtered(c, q.s ? q.s : "", &f, offset, (int)limit, &r) < 0) {
		log_err("%s", r.message ? r.message : "search failed");
		goto done;
	}
	if (json) {
		printf("{\"total\": %lld, \"total_is_estimate\": %s, \"message\": ", (long long)r.total,
		    r.total_is_estimate ? "true" : "false");
		if (r.message)
			json_str(r.message);
		else
			fputs("null", stdout);
		fputs(", \"hits\": [", stdout);
		for (size_t i = 0; i < r.n; i++) {
			fputs(i ? ",\n  {\"collection\": " : "\n  {\"collection\": ", stdout);
			json_str(r.hits[i].slug);
			fputs(", \"path\": ", stdout);
			json_str(r.hits[i].path);
			if (r.hits[i].part) {
				fputs(", \"attachment\": ", stdout);
				json_str(r.hits[i].part);
			}
			if (r.hits[i].title) {
				fputs(", \"title\": ", stdout);
				json_str(r.hits[i].title);
			}
			if (r.hits[i].mime) {
				fputs(", \"mime\": ", stdout);
				json_str(r.hits[i].mime);
			}
			printf(", \"mtime\": %lld", (long long)r.hits[i].mtime);
			if (r.hits[i].page > 0)
				printf(", \"page\": %lld", (long long)r.hits[i].page);
			printf(", \"size\": %lld, \"snippet\": ", (long long)r.hits[i].size);
			json_str(r.hits[i].snippet);
			putchar('}');
		}
		fputs(r.n ? "\n]}\n" : "]}\n", stdout);
	} else {
		if (r.message)
			printf("%s\n", r.message);
		if (r.total > 0)
			printf("%s%lld result%s\n", r.total_is_estimate ? "more than " : "", (long long)r.total,
			    r.total == 1 ? "" : "s");
		for (size_t i = 0; i < r.n; i++) {
			char size[32];
			human_bytes(r.hits[i].size, size, sizeof(size));
			printf("\n%s/", r.hits[i].slug);
			text_term_print(stdout, r.hits[i].path);
			if (r.hits[i].part) {
				fputs(" \xe2\x80\xba ", stdout);
				text_term_print(stdout, r.hits[i].part);
			}
			printf("  (%s)\n    ", size);
			print_snippet(r.hits[i].snippet, tty);
			putchar('\n');
		}
	}
	rc = 0;
done:
	search_result_clear(&r);
	strbuf_release(&q);
	cat_free(c);
	datadir_free(d);
	return rc;
}
