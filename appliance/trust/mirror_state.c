/* mirror_state: see mirror_state.h. */
#include "trust/mirror_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/util.h"

char *
mirror_state_path(const char *data_root, const char *slug)
{
	return xasprintf("%s/mirror-state/%s", data_root, slug);
}

int
mirror_state_read(const char *data_root, const char *slug, mirror_state_t *s)
{
	char *p = mirror_state_path(data_root, slug), *text, *line, *save = NULL;
	size_t n;

	memset(s, 0, sizeof(*s));
	text = read_file_small(p, 4096, &n);
	free(p);
	if (text == NULL)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long long a, b;
		if (sscanf(line, "last_attempt %lld", &a) == 1)
			s->last_attempt = a;
		else if (sscanf(line, "last_success %lld", &a) == 1)
			s->last_success = a;
		else if (sscanf(line, "seen %lld-%lld", &a, &b) == 2) {
			s->seen.time = a;
			s->seen.counter = b;
		} else if (strncmp(line, "error ", 6) == 0)
			snprintf(s->error, sizeof(s->error), "%s", line + 6);
	}
	free(text);
	return 1;
}

int
mirror_state_record(const char *data_root, const char *slug, const manifest_version_t *seen, const char *error)
{
	mirror_state_t s;
	char *dir = xasprintf("%s/mirror-state", data_root), *p = mirror_state_path(data_root, slug), *text;
	int64_t now = (int64_t)time(NULL);
	strbuf_t e;
	int rc = -1;

	(void)mirror_state_read(data_root, slug, &s);
	s.last_attempt = now;
	if (error == NULL)
		s.last_success = now;
	if (seen && manifest_version_cmp(seen, &s.seen) > 0)
		s.seen = *seen;
	/* One line: whatever the origin made us say stays on it. */
	strbuf_init(&e);
	for (const char *c = error ? error : ""; *c && e.len < MIRROR_STATE_ERR_MAX - 1; c++)
		strbuf_addc(&e, *c == '\n' || *c == '\r' ? ' ' : *c);
	text = xasprintf("last_attempt %lld\nlast_success %lld\nseen %lld-%lld\nerror %s\n", (long long)s.last_attempt,
	    (long long)s.last_success, (long long)s.seen.time, (long long)s.seen.counter, e.s ? e.s : "");
	if (mkdir_p(dir, 0755) == 0 && write_file_atomic(p, text, strlen(text), 0644) == 0)
		rc = 0;
	else
		log_warn("cannot record the mirror's state in %s: %s", p, strerror(errno));
	strbuf_release(&e);
	free(text);
	free(dir);
	free(p);
	return rc;
}
