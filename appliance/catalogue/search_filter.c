/* search_filter: a search narrowed to a folder, a kind of file and a range
 * of dates (search.h). The words are matched first; the filter is a check
 * on each match's file row, so its cost is bounded by the matches it
 * checks: at most the SEARCH_FILTER_SCAN newest, in one walk (search_filter_pass_). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "catalogue/search.h"
#include "catalogue/search_int.h"

/* Media types by kind; constants, never reader input. The names are the
 * URL's; site/kind.c says them in words. */
static const struct {
	const char *name, *sql;
} kinds[SEARCH_KIND_COUNT] = {
	[SEARCH_KIND_ANY] = { "", NULL },
	[SEARCH_KIND_PDF] = { "pdf", "f.mime = 'application/pdf'" },
	[SEARCH_KIND_EMAIL] = { "email", "f.mime IN ('message/rfc822', 'application/vnd.ms-outlook', 'application/mbox')" },
	[SEARCH_KIND_DOCUMENT] = { "document", "f.mime IN ('application/msword',"
	    " 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',"
	    " 'application/vnd.oasis.opendocument.text', 'application/rtf', 'application/epub+zip')" },
	[SEARCH_KIND_SPREADSHEET] = { "spreadsheet", "f.mime IN ('text/csv', 'text/tab-separated-values',"
	    " 'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',"
	    " 'application/vnd.oasis.opendocument.spreadsheet')" },
	[SEARCH_KIND_PRESENTATION] = { "presentation", "f.mime IN ('application/vnd.ms-powerpoint',"
	    " 'application/vnd.openxmlformats-officedocument.presentationml.presentation',"
	    " 'application/vnd.oasis.opendocument.presentation')" },
	[SEARCH_KIND_WEB] = { "web", "f.mime IN ('text/html', 'application/xhtml+xml')" },
	[SEARCH_KIND_TEXT] = { "text", "f.mime IN ('text/plain', 'text/markdown')" },
	[SEARCH_KIND_IMAGE] = { "image", "f.mime >= 'image/' AND f.mime < 'image0'" },
	[SEARCH_KIND_ARCHIVE] = { "archive", "f.mime IN ('application/zip', 'application/x-tar', 'application/gzip',"
	    " 'application/x-gzip', 'application/x-bzip2', 'application/x-xz', 'application/x-7z-compressed',"
	    " 'application/vnd.rar', 'application/x-rar-compressed')" },
};

const char *
search_kind_name(enum search_kind k)
{
	return k > SEARCH_KIND_ANY && k < SEARCH_KIND_COUNT ? kinds[k].name : "";
}

enum search_kind
search_kind_parse(const char *s)
{
	for (int k = SEARCH_KIND_ANY + 1; s && *s && k < SEARCH_KIND_COUNT; k++)
		if (strcmp(s, kinds[k].name) == 0)
			return (enum search_kind)k;
	return SEARCH_KIND_ANY;
}

/* The folder without slashes at its ends, its length in *len (0: none). */
static const char *
folder_of(const search_filter_t *f, size_t *len)
{
	const char *d = f && f->folder ? f->folder : "";
	size_t n;

	while (*d == '/')
		d++;
	n = strlen(d);
	while (n > 0 && d[n - 1] == '/')
		n--;
	*len = n;
	return d;
}

int
search_filter_narrows(const search_filter_t *f)
{
	size_t n;

	if (f == NULL)
		return 0;
	folder_of(f, &n);
	return n > 0 || (f->kind > SEARCH_KIND_ANY && f->kind < SEARCH_KIND_COUNT) || f->after > 0 || f->before > 0;
}

char *
search_filter_sql_(const search_filter_t *f, const char *tab)
{
	strbuf_t b;
	size_t n;

	if (!search_filter_narrows(f))
		return xstrdup("");
	folder_of(f, &n);
	strbuf_init(&b);
	/* An attachment (a negative rowid) is filtered as the file it is in. */
	strbuf_addf(&b, " AND EXISTS (SELECT 1 FROM files f WHERE f.id = CASE WHEN %s.rowid > 0 THEN %s.rowid"
	    " ELSE (SELECT file_id FROM parts WHERE id = %s.rowid) END", tab, tab, tab);
	/* Every path below a/b sorts in [a/b/, a/b0): '0' follows '/'. */
	if (n > 0)
		strbuf_adds(&b, " AND f.path >= ?21 AND f.path < ?22");
	if (f->kind > SEARCH_KIND_ANY && f->kind < SEARCH_KIND_COUNT)
		strbuf_addf(&b, " AND %s", kinds[f->kind].sql);
	if (f->after > 0)
		strbuf_adds(&b, " AND f.mtime >= ?23");
	if (f->before > 0)
		strbuf_adds(&b, " AND f.mtime < ?24");
	strbuf_addc(&b, ')');
	return strbuf_detach(&b);
}

void
search_filter_bind_(sqlite3_stmt *s, const search_filter_t *f)
{
	size_t n;
	const char *d;

	if (!search_filter_narrows(f))
		return;
	d = folder_of(f, &n);
	if (n > 0) {
		sqlite3_bind_text(s, 21, xasprintf("%.*s/", (int)n, d), -1, free);
		sqlite3_bind_text(s, 22, xasprintf("%.*s0", (int)n, d), -1, free);
	}
	if (f->after > 0)
		sqlite3_bind_int64(s, 23, f->after);
	if (f->before > 0)
		sqlite3_bind_int64(s, 24, f->before);
}

int64_t
search_filter_pass_(sqlite3 *db, const char *tab, const char *expr, int64_t min_rowid, const search_filter_t *f,
    search_pass_t *p, int *windowed)
{
	sqlite3_stmt *s = NULL;
	char *fs = search_filter_sql_(f, tab), *sql;
	int64_t lo = min_rowid, last = 0, seen = 0;
	size_t cap = 0;
	int step;

	*windowed = 0;
	p->n = 0;
	/* The filter as a column ("EXISTS (...)" without its " AND "), so the
	 * walk counts every match it checks. */
	sql = xasprintf("SELECT rowid, %s FROM %s WHERE %s MATCH ?1 AND rowid > ?2 ORDER BY rowid DESC",
	    strncmp(fs, " AND ", 5) == 0 ? fs + 5 : "1", tab, tab);
	free(fs);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		lo = -1;
		goto done;
	}
	search_filter_bind_(s, f);
	sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, min_rowid > 0 ? min_rowid : INT64_MIN);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		/* An attachment's rowid (negative) cannot be a bound (0 means the
		 * whole catalogue): then every match is checked. */
		if (seen == SEARCH_FILTER_SCAN && last > 1) {
			lo = last - 1;
			*windowed = 1;
			break;
		}
		seen++;
		last = id;
		if (sqlite3_column_int(s, 1)) {
			if (p->n == cap) {
				cap = cap ? 2 * cap : 256;
				p->ids = xrealloc(p->ids, cap * sizeof(*p->ids));
			}
			p->ids[p->n++] = id;
		}
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		lo = -1;
done:
	sqlite3_finalize(s);
	free(sql);
	return lo;
}

/* bs_pass(rowid, set): whether rowid is one of the set's (newest first). */
static void
pass_fn(sqlite3_context *ctx, int nval, sqlite3_value **val)
{
	const search_pass_t *p = sqlite3_value_pointer(val[1], "bs_pass");
	int64_t id = sqlite3_value_int64(val[0]);
	size_t lo = 0, hi = p ? p->n : 0;

	(void)nval;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->ids[mid] == id) {
			sqlite3_result_int(ctx, 1);
			return;
		}
		if (p->ids[mid] > id)
			lo = mid + 1;
		else
			hi = mid;
	}
	sqlite3_result_int(ctx, 0);
}

void
search_pass_bind_(sqlite3_stmt *s, const search_pass_t *p)
{
	sqlite3_bind_pointer(s, 25, (void *)p, "bs_pass", NULL);
}

int
search_filter_register_(sqlite3 *db)
{
	return sqlite3_create_function(db, "bs_pass", 2, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, pass_fn, NULL, NULL) ==
	    SQLITE_OK ? 0 : -1;
}

int
search_day_parse(const char *s, int64_t *t)
{
	struct tm tm;
	char *end, back[16];
	time_t tt;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0' || tm.tm_year < 70 || tm.tm_year > 1100)
		return -1;
	tt = timegm(&tm);
	/* timegm makes 2020-02-31 of March 2nd: only a day that reads back the
	 * same is one. */
	if (gmtime_r(&tt, &tm) == NULL || strftime(back, sizeof(back), "%Y-%m-%d", &tm) != 10 || strcmp(back, s) != 0)
		return -1;
	*t = (int64_t)tt;
	return 0;
}
