/* mirror_install: the second half of a mirror run (mirror.h), once every file
 * of the verified index is fetched and staged in the work folder: put the
 * staged files in place, and after ingest make the catalogue equal to the
 * signed index. A path is replaced by rename(2), so it always names a whole
 * file; the catalogue then changes in ingest's transaction and the manifests
 * by one rename (cmd_mirror). */
#ifndef BROADSIDE_MIRROR_INSTALL_H
#define BROADSIDE_MIRROR_INSTALL_H

#include <stdint.h>

#include "trust/mirror.h"

/* Put the staged files in place and sync the file system; *installed counts
 * them. 0 or -1. */
int mirror_install(const mirror_opts_t *o, int64_t *installed);
/* After ingest: make the catalogue equal to the signed index — files it lists
 * that the index does not, or with another hash, are removed from dest (and
 * *changed is set so the caller ingests again). *missing counts listed files
 * not in the catalogue. 0 or -1. */
int mirror_reconcile(const mirror_opts_t *o, int64_t *missing, int *changed);

#endif
