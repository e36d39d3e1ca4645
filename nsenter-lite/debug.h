/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * debug.h - nsenter-lite as a debugger's entry: the interface between its
 * parts (terminals-debug.md, Part 2).
 *
 *	target.c        -t PID[@START|:INODE], --pidfile: the pidref, and
 *	                which of the target options names it
 *	containers.c    --container, --containers: the engines' state roots
 *	state.c         reading one state file of each source, safely
 *	cgtarget.c      --cgroup [CONTROLLER:]PATH: the cgroup's oldest process
 *	netnsexec.c     --netns NAME|FILE: `ip netns exec` as iproute2 does it
 *	toolbox.c       --toolbox[=DIR]: host tools in the target's namespaces
 *	toolbox_exec.c  the program run through hostexec, PATH and TERMINFO_DIRS
 *	hostexec.c      the helper a toolbox program runs through (own binary)
 *	inspect.c       --inspect: the document, sections, exit codes
 *	inspect_print.c --inspect without --json: a titled table per section
 *	inspect_proc.c  the process, ns, userns, security and tree sections
 *	inspect_cg.c    the cgroup and root sections (lib/cg, lib/ovl)
 *	inspect_net.c   the net section (lib/net: a veth's peer)
 */
#ifndef NSENTER_LITE_DEBUG_H
#define NSENTER_LITE_DEBUG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#include "err.h"
#include "pidref.h"

struct opts;
struct target;

/* ---- containers.c, state.c ---- */

/* The sources, in the order --containers lists them and prefixes are matched. */
enum state_source {
	SRC_RUNC,
	SRC_CRUN,
	SRC_CONTAINERD,
	SRC_DOCKER,
	SRC_PODMAN,
	SRC_CTRUN,
	SRC_CTUTILS,
	SRC_COUNT,
};

/* Source names as users write them ("runc", "crun", ... "ctutils"). */
extern const char *const state_source_names[SRC_COUNT];

/* Where each source keeps its state: the defaults unless --state-root replaced one. */
struct state_roots {
	const char *dir[SRC_COUNT]; /* NULL: the default (root, or $XDG_RUNTIME_DIR) */
};

/* --state-root SOURCE=DIR: a usage error for an unknown SOURCE or an empty DIR. */
int state_root_option(struct state_roots *roots, const char *arg, ctu_err_t *err);

/* A container found in a source's state. */
struct container {
	enum state_source source;
	char *id;		/* the whole ID */
	struct ctu_pidref ref;	/* its init: START where the state records it */
};

/*
 * --container [SOURCE:]ID: the one container @spec names (exact ID first,
 * then a unique prefix; one seen by two sources with the same pidref is
 * one), its init checked alive.  Errors (usage kind for a malformed ID,
 * failure otherwise) as the spec words them.  Free with container_free().
 */
int container_find(const struct state_roots *roots, const char *spec, struct container *c,
		   ctu_err_t *err);
void container_free(struct container *c);

/* --containers [--json]: the table or document on stdout; returns the exit code (0, 1). */
int containers_list(const struct state_roots *roots, bool json);

/* ---- cgtarget.c ---- */

/*
 * --cgroup [CONTROLLER:]PATH: the oldest process of the cgroup, or of its
 * subtree when it holds none of its own, as a START pidref.
 */
int cgroup_target_find(const char *spec, struct ctu_pidref *ref, ctu_err_t *err);

/* ---- netnsexec.c ---- */

/*
 * --netns NAME|FILE: enters the network namespace, then a new mount
 * namespace made rslave, with a fresh /sys and /etc/netns/NAME bound over
 * /etc — iproute2's netns_switch().  0, or < 0 with *@err set.
 */
int netns_exec_switch(const char *name, ctu_err_t *err);

/* ---- toolbox.c ---- */

/*
 * --toolbox[=DIR] (@o->toolbox_dir NULL: the host's /usr): everything from
 * the opened target to the exec's eve, in place of enter_target()'s usual
 * steps: the trees cloned, the private copy of the mount namespace with the
 * target's root as "/", the other namespaces, the fork.  Returns 0 in the
 * process that is to exec, 1 in a parent once the child ended (*@status),
 * or < 0 with *@err set.
 */
int toolbox_enter(struct opts *o, struct target *t, int *status, ctu_err_t *err);

/* The program run through /.ctutils/lib/hostexec: never returns. */
noreturn void toolbox_exec(const struct opts *o);

/* ---- inspect*.c ---- */

/* What every section reads the target through. */
struct inspect_target {
	struct ctu_pidref ref; /* a START ref, from whatever named the target */
	int pidfd;	       /* -1 without pidfds */
	int procfd;	       /* /proc/PID, O_PATH */
	const struct container *container; /* --container's, or NULL */
};

/* One section: its JSON value, or NULL with *@err set (the section is then null). */
typedef json_t *(*inspect_section_fn)(const struct inspect_target *t, ctu_err_t *err);

json_t *inspect_process(const struct inspect_target *t, ctu_err_t *err);
json_t *inspect_ns(const struct inspect_target *t, ctu_err_t *err);
json_t *inspect_userns(const struct inspect_target *t, ctu_err_t *err);
json_t *inspect_cgroup(const struct inspect_target *t, ctu_err_t *err);
json_t *inspect_root(const struct inspect_target *t, ctu_err_t *err);
json_t *inspect_net(const struct inspect_target *t, ctu_err_t *err);
json_t *inspect_security(const struct inspect_target *t, ctu_err_t *err);
json_t *inspect_tree(const struct inspect_target *t, ctu_err_t *err);

/*
 * --section LIST: a bit per section (1 << index in the document's order:
 * process ns userns cgroup root net security tree).  Usage error for an
 * unknown name.
 */
int inspect_sections_parse(const char *list, unsigned int *mask, ctu_err_t *err);

/* Every section: the mask without --section (inspect_run() also takes 0 as all). */
#define INSPECT_ALL 0xffu

/*
 * Text a process or the kernel gave (a comm, an argument, an interface or
 * mount name) goes into the document through lib/json's ctu_json_text():
 * jansson refuses invalid UTF-8, which becomes U+FFFD.
 */

/*
 * --inspect: builds the document of the sections in @mask (0: all), then prints it
 * (JSON or tables).  Returns the exit code: 0, or 1 when the target is gone
 * (stdout empty).
 */
int inspect_run(const struct inspect_target *t, unsigned int mask, bool json);

/* inspect_print.c: the tables of @doc on stdout. */
void inspect_print_tables(json_t *doc, unsigned int mask);

#endif
