/* search_drive: run one reader search N times in process and print the mean and
 * the 50th and 95th percentiles in ms (to profile search.c on a big catalogue
 * with perf). --kind K filters as the search page does; --suggest also asks,
 * when nothing is found, for the no-hit suggestions as serve does.
 * usage: search_drive DATA_DIR QUERY [N] [--kind K] [--suggest] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue/cat.h"
#include "catalogue/search.h"
#include "catalogue/search_suggest.h"
#include "base/util.h"

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	search_result_t r;
	struct timespec t0, t1;
	double *ms, sum = 0;
	char *db;
	cat_t *c;
	int n = argc > 3 ? atoi(argv[3]) : 50, suggest = 0;
	search_filter_t f = { 0 };
	search_words_t forms, similar;

	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--suggest") == 0)
			suggest = 1;
		else if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc)
			f.kind = search_kind_parse(argv[++i]);
		else
			return 2;
	}

	if (argc < 3 || n < 1)
		return 2;
	db = xasprintf("%s/catalogue.db", argv[1]);
	if ((c = cat_open(db, CAT_READONLY)) == NULL)
		return 1;
	ms = xcalloc((size_t)n, sizeof(*ms));
	for (int i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (search_run_filtered(c, argv[2], &f, 0, 20, &r) < 0)
			return 1;
		if (suggest && r.total <= 0) {
			if (search_suggest_last(c, argv[2], &forms, &similar) < 0)
				return 1;
			if (i == 0)
				for (size_t k = 0; k < forms.n + similar.n; k++)
					printf("suggested: %s\n", k < forms.n ? forms.w[k] : similar.w[k - forms.n]);
			search_words_clear(&forms);
			search_words_clear(&similar);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		sum += ms[i];
		if (i == 0)
			printf("%s: %lld%s hits\n", argv[2], (long long)r.total, r.total_is_estimate ? "+" : "");
		search_result_clear(&r);
	}
	qsort(ms, (size_t)n, sizeof(*ms), cmp);
	printf("mean %.2f ms, p50 %.2f ms, p95 %.2f ms over %d runs\n", sum / n, ms[n / 2],
	    ms[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1], n);
	free(ms);
	cat_free(c);
	free(db);
	return 0;
}
