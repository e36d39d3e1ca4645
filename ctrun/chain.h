/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chain.h - what ctrun's chain builder shares between its files:
 *
 *	chain.c          the words, the fds, the namespaces, build, print, quoting
 *	chain_cgctl.c    cgctl exec: the cgroup path, resources -> settings, device rules
 *	chain_nsenter.c  nsenter-lite: the joined namespaces; the head of an exec chain
 *	chain_unshare.c  unshare-lite: new namespaces, id maps, hostname, sysctl
 *	chain_pivot.c    pivot: the root, masks, and the process options (pivot's or exec's)
 *	chain_mounts.c   config mounts, cgroup mounts expanded, devices and /dev symlinks
 *
 * Every builder appends to one argv; a failed allocation is remembered
 * (b->nomem) and reported once at the end, so that word-adding stays one
 * line each.  Config errors name their JSON pointer.
 */
#ifndef CTRUN_CHAIN_H
#define CTRUN_CHAIN_H
#include <limits.h>
#include <stdint.h>

#include "cg.h"
#include "ctrun.h"

enum ct_ns {
	CT_NS_USER,
	CT_NS_MNT,
	CT_NS_UTS,
	CT_NS_IPC,
	CT_NS_NET,
	CT_NS_PID,
	CT_NS_CGROUP,
	CT_NS_TIME,
	CT_N_NS
};

struct ct_build {
	const struct ct_chain_in *in;
	const struct ctu_cg_hiers *hs; /* the host's hierarchies (create) */
	struct ct_chain *out;
	ctu_err_t *err;
	bool nomem;
	bool ns_new[CT_N_NS];	      /* linux.namespaces without a path */
	const char *ns_path[CT_N_NS]; /* ... with one */
	char rootfs[PATH_MAX];	      /* root.path made absolute */
	unsigned int m;		      /* M: the fds each tool passes on */
};

/* The words. */
void ct_w(struct ct_build *b, const char *word);
void ct_wf(struct ct_build *b, const char *fmt, ...) CTU_PRINTF(2, 3);
/* "--opt" "value" */
void ct_wopt(struct ct_build *b, const char *opt, const char *value);
void ct_wopt_u(struct ct_build *b, const char *opt, unsigned long long value);
/* A tool's first word, its absolute path; its index recorded. */
int ct_w_tool(struct ct_build *b, const char *tool);
/* An error by JSON pointer: "config.json: POINTER: why". */
int ct_fail(struct ct_build *b, const char *pointer, const char *fmt, ...) CTU_PRINTF(3, 4);
/* Whether the container has namespace @t, new or joined. */
bool ct_has_ns(const struct ct_build *b, enum ct_ns t);

/* JSON reading (the config was checked: types can be trusted). */
json_t *ct_j(json_t *obj, const char *key);
const char *ct_js(json_t *obj, const char *key); /* a string member or NULL */
bool ct_jb(json_t *obj, const char *key);	 /* a true member */
/* An integer member; huge values (2^64-1, parsed as reals) as UINT64_MAX / INT64_MAX. */
bool ct_ji(json_t *obj, const char *key, int64_t *out);
bool ct_ju(json_t *obj, const char *key, uint64_t *out);

/* chain_cgctl.c */
int ct_cgctl_words(struct ct_build *b);
/* linux.resources @res as cgctl's settings (-s NAME=VALUE ...), the device rules aside: create's and update's. */
int ct_resource_words(struct ct_build *b, json_t *res);
/* ct_cgroup_path with ctrun's own cgroup given (the unit tests'). */
int ct_cgroup_path_in(json_t *cfg, const char *id, const char *own, char *out, size_t size,
		      ctu_err_t *err);
/*
 * runc's v2 swap rule: memory.swap.max from OCI's swap (memory+swap) and
 * limit (0: unset, -1: unlimited).  *@out -1 (max), 0 (leave unset) or the
 * bytes; *@set whether to write it.  A negative number with a why in @why.
 */
int ct_swap_v2(int64_t limit, int64_t swap, int64_t *out, const char **why);
/* Whether controller @ctrl lives in the unified hierarchy of @hs (else v1). */
bool ct_ctrl_v2(const struct ctu_cg_hiers *hs, const char *ctrl);

/* chain_nsenter.c */
int ct_nsenter_words(struct ct_build *b);
int ct_exec_head_words(struct ct_build *b);

/* chain_unshare.c */
int ct_unshare_words(struct ct_build *b);

/* chain_pivot.c */
int ct_pivot_words(struct ct_build *b);
/* The process options of @process (pivot's or nsenter-lite's), through "-- ARGS". */
int ct_process_words(struct ct_build *b, json_t *process, const char *pointer,
		     const char *home_root, bool listen);
/* ct_home_of on an open root: HOME for @uid from ROOT/etc/passwd. */
char *ct_home_at(int rootfd, uid_t uid);

/* chain_mounts.c */
int ct_mount_words(struct ct_build *b);
int ct_device_words(struct ct_build *b);
/* "a\:b" for "a:b": the escaping of --mount's SRC and DST.  malloc'd. */
char *ct_mount_escape(const char *s);

/* chain.c: the builder with the hierarchies given (unit tests: fixed layouts). */
int ct_chain_build_with(const struct ct_chain_in *in, const struct ctu_cg_hiers *hs,
			struct ct_chain *out, ctu_err_t *err);
#endif
