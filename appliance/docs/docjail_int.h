/* docjail_int: what docjail.c and docjail_build.c share: building the
 * jail's Landlock rulesets and seccomp programs, once, in the caller. */
#ifndef BROADSIDE_DOCJAIL_INT_H
#define BROADSIDE_DOCJAIL_INT_H

#include <linux/filter.h>
#include <stddef.h>

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

/* AppArmor: the child profile a jailed process stacks on its own before
 * Landlock (which would refuse the write): "broadside-docworker" for a
 * worker, "broadside-tool-NAME" for a tool whose file is NAME. */
#define DOCJAIL_AA_WORKER "broadside-docworker"
#define DOCJAIL_AA_TOOL "broadside-tool-"
/* "stack broadside-tool-NAME" for the tool at path, into out; "" when NAME
 * has characters other than [a-z0-9_-] (no profile is written for it). */
void docjail_aa_command_(const char *path, char *out, size_t outlen);
/* Write cmd ("stack PROFILE") to /proc/self/attr/apparmor/current. 0 when
 * done, or when there is nothing to stack on (no AppArmor in the kernel or
 * not enabled, or the profile not loaded: ENOENT, EINVAL); -1 when AppArmor
 * refused it. System calls only: a tool's child runs it after vfork. */
int docjail_aa_stack_(const char *cmd);

#endif
