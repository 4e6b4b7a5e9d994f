/* docjail_int: what docjail.c and docjail_build.c share: building the
 * jail's Landlock rulesets and seccomp programs, once, in the caller. */
#ifndef BROADSIDE_DOCJAIL_INT_H
#define BROADSIDE_DOCJAIL_INT_H

#include <linux/filter.h>

/* A seccomp program, exported once (each child then needs only prctl). */
struct bpf {
	struct sock_filter *ins;
	unsigned short len;
};

/* The Landlock ruleset of a tool at path (its binary, loader, libraries and
 * data); -1 if it cannot be built. */
int docjail_tool_ruleset_(int abi, const char *path);
/* The allow-list: for a tool (with_exec: exec once, executable mappings)
 * or for the parsers. 0, or -1 (out left empty). */
int docjail_build_bpf_(int with_exec, struct bpf *out);

#endif
