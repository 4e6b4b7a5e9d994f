/* test_search_suggest: the edit distance, and the forms of a stem and the
 * similar words a real catalogue's vocabulary offers, within the bound. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue/cat.h"
#include "catalogue/search_suggest.h"
#include "unit.h"
#include "base/util.h"

static void
put(cat_t *c, int64_t cid, int64_t dir, const char *path, const char *body)
{
	unsigned char sha[32] = { 1 };
	cat_file_put_t p = { .collection_id = cid, .dir_id = dir, .relpath = path, .name = path, .size = 1,
	    .mtime = 1, .sha256 = sha, .mime = "text/plain", .title = path, .body = body,
	    .body_len = strlen(body) };
	int64_t id = 0;

	ok(cat_file_put(c, &p, &id) == 0, "put %s", path);
}

static char *
joined(const search_words_t *ws)
{
	strbuf_t b;

	strbuf_init(&b);
	for (size_t i = 0; i < ws->n; i++) {
		if (i)
			strbuf_addc(&b, ' ');
		strbuf_adds(&b, ws->w[i]);
	}
	strbuf_addc(&b, '\0');
	return strbuf_detach(&b);
}

static void
check(cat_t *c, int forms, const char *w, const char *want)
{
	search_words_t ws;
	char *got;

	ok((forms ? search_suggest_forms(c, w, strlen(w), &ws) : search_suggest_similar(c, w, strlen(w), &ws)) == 0,
	    "%s '%s' runs", forms ? "forms" : "similar", w);
	got = joined(&ws);
	is_str(got, want, "%s of '%s'", forms ? "forms" : "similar words", w);
	free(got);
	search_words_clear(&ws);
}

int
main(void)
{
	static const struct {
		const char *a, *b;
		int max, want;
	} dist[] = {
		{ "polise", "police", 2, 1 },
		{ "police", "police", 2, 0 },
		{ "ploice", "police", 2, 1 },    /* neighbours swapped */
		{ "polce", "police", 2, 1 },
		{ "pol", "police", 2, 3 },        /* over the bound: max + 1 */
		{ "شرطه", "شرطة", 2, 1 },         /* characters, not bytes */
		{ "警查", "警察", 1, 1 },
		{ "", "ab", 2, 2 },
		{ "\xd8", "", 2, 1 },            /* against nothing (the fuzzer's) */
		{ "ab", "", 2, 2 },
	};
	char dir[] = "/tmp/test_search_suggest.XXXXXX", *path, word[32];
	int64_t cid, root;
	cat_t *c;

	for (size_t i = 0; i < ARRAY_LEN(dist); i++)
		is_int(search_edit_distance(dist[i].a, strlen(dist[i].a), dist[i].b, strlen(dist[i].b), dist[i].max),
		    dist[i].want, "distance %s / %s", dist[i].a, dist[i].b);
	ok(mkdtemp(dir) != NULL, "mkdtemp");
	path = xasprintf("%s/catalogue.db", dir);
	c = cat_open(path, CAT_CREATE);
	ok(c != NULL, "create catalogue");
	cat_collection_upsert(c, "leak", "Leak", NULL, "/x", &cid);
	cat_begin(c);
	cat_dir_ensure(c, cid, 0, "", "", 0, &root);
	put(c, cid, root, "a.txt", "the officer and the police report");
	put(c, cid, root, "b.txt", "an officer of the police, official reports");
	put(c, cid, root, "c.txt", "officer police polite policy happy");
	put(c, cid, root, "d.txt", "offices happiness");
	/* 4,000 words after "polite" in the vocabulary: the bound stops the
	 * scan before "polizzzz" is reached. */
	for (int i = 0; i < 4000; i++) {
		char name[32];
		snprintf(word, sizeof(word), "polizz%04d", i);
		snprintf(name, sizeof(name), "w%d.txt", i);
		put(c, cid, root, name, word);
	}
	put(c, cid, root, "z.txt", "polizzzz");
	ok(cat_commit(c) == 0, "commit");

	check(c, 1, "officers", "officer offices");
	check(c, 1, "officer", "offices");
	check(c, 1, "office", "officer offices");
	check(c, 1, "happiness", "happy");
	check(c, 1, "reports", "report");
	check(c, 1, "zeppelins", "");
	check(c, 0, "polise", "police polite policy");
	check(c, 0, "plice", "");           /* a typo in the first two letters */
	check(c, 0, "offiser", "officer offices");
	check(c, 0, "police", "");          /* the index holds it */
	check(c, 0, "pol", "");             /* too short */
	check(c, 0, "polizzzy", "");        /* beyond the bound */
	check(c, 0, "POLISE", "police polite policy");

	/* The last word of a query, and never a quoted word or a prefix. */
	static const struct {
		const char *q, *forms, *similar;
	} last[] = {
		{ "the reports  ", "report", "" },
		{ "report polise", "", "police polite policy" },
		{ "offisers", "", "officer offices" },
		{ "offises", "", "offices officer" },
		{ "\"polise\"", "", "" },
		{ "polise*", "", "" },
		{ "   ", "", "" },
	};
	for (size_t i = 0; i < ARRAY_LEN(last); i++) {
		search_words_t f, sim;
		char *a, *b;
		ok(search_suggest_last(c, last[i].q, &f, &sim) == 0, "last word of '%s'", last[i].q);
		a = joined(&f);
		b = joined(&sim);
		is_str(a, last[i].forms, "forms for '%s'", last[i].q);
		is_str(b, last[i].similar, "similar words for '%s'", last[i].q);
		free(a);
		free(b);
		search_words_clear(&f);
		search_words_clear(&sim);
	}

	cat_free(c);
	unlink(path);
	free(path);
	return unit_done();
}
