/* cat_withhold: files and folders the publisher keeps out of publication
 * without touching them on disk.
 *
 * A withholding is a rule (a path or a glob, relative to the collection's root)
 * with a reason, kept in the catalogue's `withheld` table by collection slug.
 * Withholding deletes the matching files, folders, texts and index entries from
 * the catalogue, so every lookup (pages, /f/, search, manifests, folder counts
 * and positions) finds them exactly as if they had never existed; ingest skips
 * whatever a rule matches, so a refresh never adds them back. The rules travel
 * with the catalogue (in the identity backup) and outlive `rm`: a new `add` of
 * the same slug keeps them.
 *
 * Matching (cat_withhold_match): a pattern withholds a path that equals it or
 * lies beneath it; a pattern holding *, ? or [ is also an fnmatch(3) glob: one
 * without '/' is tried on every name along the path (as in .gitignore: `*.eml`
 * at any depth), one with '/' on the path and each of its parent folders
 * (`mail/<star>.eml`, where <star> does not cross '/'). */
#ifndef BROADSIDE_CAT_WITHHOLD_H
#define BROADSIDE_CAT_WITHHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "catalogue/cat.h"

#define CAT_WITHHOLD_PATTERN_MAX 4096

/* Normalise a pattern the publisher typed (leading "./" and '/', trailing '/',
 * repeated '/'): 0 and the result in out (caller frees), or -1 with why (a
 * static string: empty, "." or ".." parts, too long, control bytes). */
int cat_withhold_normalise(const char *pattern, char **out, const char **why);
/* Return 1 if relpath (a file's or folder's path) is withheld by pattern. */
int cat_withhold_match(const char *pattern, const char *relpath);

/* Record the rules (normalised patterns; a new reason replaces an old one)
 * and remove what they match from collection col_id (slug; 0: none yet), in
 * one transaction; then merge the search index and overwrite the freed pages,
 * so the withheld text is not left in the catalogue file. Counts what left in
 * *files and *dirs. 0 or -1. */
int cat_withhold_add(cat_t *c, const char *slug, int64_t col_id, const char *const *patterns, size_t npatterns,
    const char *reason, int64_t *files, int64_t *dirs);
/* Forget the rule: 0, 1 if there was none, -1 on error. The caller refreshes
 * the collection to bring the files back. */
int cat_withhold_remove(cat_t *c, const char *slug, const char *pattern);

typedef struct cat_withholding {
	const char *slug, *pattern, *reason;
	int64_t created;
} cat_withholding_t;

/* Call fn for every rule (of slug, or all when slug is NULL) in slug and
 * pattern order; non-zero from fn stops and is returned. */
int cat_withhold_each(cat_t *c, const char *slug,
    int (*fn)(const cat_withholding_t *w, void *arg), void *arg);

/* The rules of one collection, loaded once for a walk (ingest). */
typedef struct cat_withhold_rules cat_withhold_rules_t;
/* Load the rules of collection col_id; NULL on error (logged). */
cat_withhold_rules_t *cat_withhold_rules_load(cat_t *c, int64_t col_id);
/* 1 if any rule withholds relpath, else 0. */
int cat_withhold_rules_match(const cat_withhold_rules_t *r, const char *relpath);
/* Number of rules. */
size_t cat_withhold_rules_count(const cat_withhold_rules_t *r);
void cat_withhold_rules_free_(cat_withhold_rules_t *r);
#define cat_withhold_rules_free(p) do { cat_withhold_rules_free_(p); (p) = NULL; } while (0)

#endif
