/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devices.h - --device-rule: 'allow|deny TYPE MAJ:MIN ACCESS' rules, read
 * in order with the cgroup v1 devices list's semantics, and where they go:
 * devices.deny/devices.allow on a v1 devices controller (devices.c), one
 * BPF_CGROUP_DEVICE program on cgroup v2 (devbpf.c).
 *
 * The v1 list is a default (allow or deny every device) and exceptions to
 * it; a rule either resets the default (TYPE a) or adds or removes access
 * bits of one exception.  The kernel does exactly that with the writes;
 * dev_rules_add() does it too, in memory, so that the v2 program says what
 * v1 would, and so that a rule v1 would silently ignore (an allow that
 * would punch a hole in a wider deny) is refused before anything is made.
 */
#ifndef CGCTL_DEVICES_H
#define CGCTL_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Access bits, the values BPF_CGROUP_DEVICE programs see. */
enum { DEV_ACC_MKNOD = 1, DEV_ACC_READ = 2, DEV_ACC_WRITE = 4, DEV_ACC_ALL = 7 };

/* '*' as a major or minor number. */
#define DEV_ANY (-1)

/* Device numbers as the kernel's dev_t holds them: 12 bits major, 20 minor. */
#define DEV_MAJOR_MAX 4095
#define DEV_MINOR_MAX 1048575

#define DEV_RULES_MAX 256

struct dev_rule {
	bool allow;
	char type;    /* 'a' (every device), 'b' or 'c' */
	int32_t major; /* or DEV_ANY */
	int32_t minor; /* or DEV_ANY */
	uint8_t access; /* DEV_ACC_* bits, never 0 */
};

/*
 * The list the rules leave, starting from a cgroup that allows every
 * device: exceptions deny (default allow) or allow (default deny) their
 * access bits.  At most one exception per type and numbers.
 */
struct dev_state {
	bool default_allow;
	size_t n;
	struct dev_rule ex[DEV_RULES_MAX];
};

/* The --device-rule options of one command, in order, and their outcome. */
struct dev_rules {
	size_t n; /* 0: no rule given, the cgroup's devices are left alone */
	struct dev_rule r[DEV_RULES_MAX];
	struct dev_state state;
};

/*
 * Parses 'allow|deny TYPE MAJ:MIN ACCESS' (TYPE a, b or c; MAJ, MIN a
 * number or *; ACCESS letters of rwm, each once).  TYPE a is every device
 * and every access whatever MAJ:MIN and ACCESS say, as in v1 (and runc):
 * stored as "a *:* rwm".  A usage error (negative, *@err) says why.
 */
int dev_rule_parse(const char *text, struct dev_rule *out, ctu_err_t *err);

/* "c 1:3 rw", as devices.allow takes it ("a *:* rwm" for TYPE a). */
void dev_rule_format(const struct dev_rule *r, char *out, size_t size);

/*
 * Parses @text and applies it to @rs->state after the rules before it; a
 * usage error naming the rule if it is bad, if there are too many, or if
 * v1 would not do what it says.
 */
int dev_rules_add(struct dev_rules *rs, const char *text, ctu_err_t *err);

/*
 * Whether @s lets a process have @access (DEV_ACC_* bits) to device TYPE
 * MAJOR:MINOR (@type 'b' or 'c'): the kernel's v1 check, which the v2
 * program encodes.
 */
bool dev_state_allows(const struct dev_state *s, char type, uint32_t major, uint32_t minor,
		      unsigned int access);

/*
 * v1: the rules written in order, to devices.allow or devices.deny of the
 * cgroup directory @dir.  0, or a negative number with *@err naming the
 * rule the kernel refused.
 */
int dev_rules_write_v1(const char *dir, const struct dev_rules *rs, ctu_err_t *err);

/* ---- devbpf.c: cgroup v2 ---- */

/*
 * The BPF_CGROUP_DEVICE program of @s, as struct bpf_insn (8 bytes each)
 * into @insns of room @max.  Returns the number of instructions (at most
 * DEVBPF_INSNS_MAX for a full state), or 0 if @max is too small.
 */
#define DEVBPF_INSNS_MAX (6 + DEV_RULES_MAX * 8 + 2)
struct bpf_insn;
size_t devbpf_build(const struct dev_state *s, struct bpf_insn *insns, size_t max);

/*
 * v2: loads the program of @rs and attaches it to the cgroup directory
 * @dir, replacing the one cgctl attached before (atomically where the
 * kernel can; else the new one is attached first, then the old detached),
 * so the cgroup is never without a filter.  Other programs are left alone.
 */
int devbpf_apply(const char *dir, const struct dev_rules *rs, ctu_err_t *err);

#endif
