/* SPDX-License-Identifier: GPL-2.0-or-later */
/* caps.h - capability helpers over libcap. */
#ifndef CTU_CAPS_H
#define CTU_CAPS_H

#include <stdbool.h>
#include <stdint.h>

/* A set of capabilities as a bit mask (bit N = capability N). */
typedef uint64_t ctu_capmask;

/*
 * "CAP_NET_ADMIN,sys_admin,12" or "ALL" (case-insensitive, "CAP_" optional).
 * On -EINVAL, *@bad points at the name that is not a capability.
 */
int ctu_caps_parse(const char *s, ctu_capmask *mask, const char **bad_start, size_t *bad_len);

/* Every capability this kernel knows. */
ctu_capmask ctu_caps_all(void);

/* Whether the effective set holds @cap. */
bool ctu_caps_have(int cap);

/* The first capability in @mask, as "cap_net_admin" (static storage). */
const char *ctu_caps_first_name(ctu_capmask mask);

/*
 * Just before exec: remove @drop from every set (bounding, effective,
 * permitted, inheritable, ambient) except what @add asks for, then give
 * @add (and with @keep_all, everything still permitted) to the program as
 * ambient capabilities, so that they survive exec even for a non-root uid.
 * Returns 0, or -EPERM with *@missing set to the capabilities of @add that
 * this process does not hold; another -errno on failure.
 */
int ctu_caps_apply(ctu_capmask drop, ctu_capmask add, bool keep_all, ctu_capmask *missing);

/*
 * lib/procopt's --caps: the bounding set cut down to @keep (a capability
 * outside it dropped; needs CAP_SETPCAP).  0 or -errno.
 */
int ctu_caps_bound(ctu_capmask keep);

/*
 * --caps for the other sets, once the uid is set: each of @eff, @perm, @inh
 * that is not NULL replaces its set (an effective set not given keeps only
 * what stays permitted); then with @amb the ambient set is exactly *@amb
 * (each must be permitted and inheritable).  0 or -errno.
 */
int ctu_caps_set_exact(const ctu_capmask *eff, const ctu_capmask *perm, const ctu_capmask *inh,
		       const ctu_capmask *amb);

#endif
