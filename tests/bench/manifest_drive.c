/* manifest_drive: regenerate one collection's manifests (scripts/bench/bench-mirror
 * times it on a 1M-file catalogue and reads its peak RSS).
 * usage: manifest_drive DATA_DIR SLUG */
#include <stdio.h>
#include <stdlib.h>

#include "catalogue/cat.h"
#include "trust/manifest.h"
#include "base/util.h"

int
main(int argc, char **argv)
{
	cat_collection_t col;
	char *db;
	cat_t *c;
	int rc = 1;

	if (argc != 3)
		return 2;
	db = xasprintf("%s/catalogue.db", argv[1]);
	c = cat_open(db, CAT_READONLY);
	if (c && cat_collection_get(c, argv[2], &col) == 0) {
		rc = manifest_update(argv[1], c, &col, NULL, 0) < 0;
		cat_collection_clear(&col);
	}
	cat_free(c);
	free(db);
	return rc;
}
