/* unit_sql.h: one integer from one SQL statement, for tests that look inside
 * the catalogue (its schema version, its index segments). */
#ifndef BROADSIDE_UNIT_SQL_H
#define BROADSIDE_UNIT_SQL_H

#include <stdint.h>
#include <sqlite3.h>

/* The first column of the first row, or -1 if the statement fails. */
static inline int64_t
unit_sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

#endif
