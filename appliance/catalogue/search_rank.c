/* search_rank: bs_rank, the ranking function of search (search.h): a BM25
 * over weighted columns whose IDFs the caller supplies from bounded counts
 * (FTS5's own bm25() counts every document of every phrase: seconds for a
 * common word on 1M documents), exact forms of stemmed words first. */
#include "catalogue/search.h"
#include "catalogue/search_int.h"

#include <sqlite3.h>
#include <string.h>

/* Column weights (title, path, body, coll): the collection marker never scores. */
static const double col_weight[] = { 4.0, 2.0, 1.0, 0.0 };

/* bs_rank(fts, idf_blob, kinds_blob): BM25 over weighted columns, with each
 * phrase's IDF supplied by the caller (from bounded counts). A match with more
 * exact forms (kinds: SEARCH_KIND_EXACT) comes before any with fewer, whatever its
 * score: officers before officer when the reader typed officers. Lower is
 * better, like bm25(). */
static void
rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	const double k1 = 1.2, b = 0.75;
	double tf[SEARCH_RANK_PHRASES] = { 0 }, score = 0, avgdl = 1;
	const double *idf = NULL;
	const unsigned char *kinds = NULL;
	int nphrase = api->xPhraseCount(fts), ninst = 0, dl = 0, exact = 0;
	sqlite3_int64 nrow = 0, ntok = 0;

	if (nphrase > SEARCH_RANK_PHRASES)
		nphrase = SEARCH_RANK_PHRASES;
	if (nval >= 1 && sqlite3_value_bytes(val[0]) >= (int)(nphrase * sizeof(double)))
		idf = sqlite3_value_blob(val[0]);
	if (nval >= 2 && sqlite3_value_bytes(val[1]) >= nphrase)
		kinds = sqlite3_value_blob(val[1]);
	if (api->xInstCount(fts, &ninst) != SQLITE_OK) {
		sqlite3_result_error(ctx, "rank failed", -1);
		return;
	}
	for (int i = 0; i < ninst; i++) {
		int ip, ic, io;
		if (api->xInst(fts, i, &ip, &ic, &io) == SQLITE_OK && ip < nphrase && ic >= 0 && ic < 4)
			tf[ip] += col_weight[ic];
	}
	api->xColumnSize(fts, -1, &dl);
	if (api->xRowCount(fts, &nrow) == SQLITE_OK && api->xColumnTotalSize(fts, -1, &ntok) == SQLITE_OK && nrow > 0)
		avgdl = (double)ntok / (double)nrow;
	if (avgdl <= 0)
		avgdl = 1;
	for (int i = 0; i < nphrase; i++) {
		double w;
		if (tf[i] == 0)
			continue;
		if (idf) {
			memcpy(&w, (const char *)idf + i * sizeof(double), sizeof(w));
		} else {
			w = 1.0;
		}
		score += w * tf[i] * (k1 + 1) / (tf[i] + k1 * (1 - b + b * (double)dl / avgdl));
		exact += kinds && kinds[i] == SEARCH_KIND_EXACT;
	}
	/* A score stays far below 10,000 (IDF < 20, 2.2 per phrase, 193 phrases). */
	sqlite3_result_double(ctx, -(score + 10000.0 * exact));
}

int
search_register(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (api == NULL || api->iVersion < 2)
		return -1;
	if (api->xCreateFunction(api, "bs_rank", NULL, rank_fn, NULL) != SQLITE_OK)
		return -1;
	return search_filter_register_(db);
}

