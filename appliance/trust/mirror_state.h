/* mirror_state: what the last runs of `broadside mirror` did for one mirrored
 * collection, in DIR/mirror-state/<slug> (one "key value" line each). The
 * mirror command writes it at the end of every run, by hand or scheduled by
 * serve; serve reads it for `status`. The installed version is not stored
 * here: it is the version of the installed, origin-signed manifests. */
#ifndef BROADSIDE_MIRROR_STATE_H
#define BROADSIDE_MIRROR_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "trust/manifest.h"

#define MIRROR_STATE_ERR_MAX 400

typedef struct mirror_state {
	int64_t last_attempt, last_success;   /* unix time, 0 = never */
	manifest_version_t seen;              /* newest origin version seen signed */
	char error[MIRROR_STATE_ERR_MAX];     /* the last run's error, "" if it succeeded */
} mirror_state_t;

/* DIR/mirror-state/<slug> (caller frees). */
char *mirror_state_path(const char *data_root, const char *slug);
/* Read it; a missing or malformed file reads as all zero. 1 read, 0 none. */
int mirror_state_read(const char *data_root, const char *slug, mirror_state_t *s);
/* Record a run that ended now: success (error NULL) or failure. seen is kept
 * when newer than the recorded one. 0 or -1 (logged). */
int mirror_state_record(const char *data_root, const char *slug, const manifest_version_t *seen,
    const char *error);

#endif
