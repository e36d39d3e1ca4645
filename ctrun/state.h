/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.h - the parts of state.c below ctrun.h's interface, for the
 * commands, the unit test (a fake /proc, a fake cgroup tree) and the fuzz
 * target (state.json from untrusted bytes).
 */
#ifndef CTRUN_STATE_H
#define CTRUN_STATE_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cg.h"
#include "ctrun.h"

#define CT_STATE_FILE "state.json"
#define CT_EXEC_FIFO "exec.fifo"

/*
 * @len bytes of a state.json for container @id: parsed (duplicate keys
 * refused) and checked (types, ranges, an absolute cgroup path without
 * ".."), the fields of @st filled from it.  @st owns the document after.
 */
int ct_state_parse(const char *buf, size_t len, const char *id, struct ct_state *st,
		   ctu_err_t *err);

/* ct_state_read() through the container's directory fd (held locked by a mutator). */
int ct_state_read_at(int dirfd, const char *id, struct ct_state *st, ctu_err_t *err);

/*
 * Whether process @pid, as /proc (@procfd) shows it now, started at @start
 * and is neither a zombie nor dead (Z, X).
 */
bool ct_proc_is(int procfd, pid_t pid, unsigned long long start);

/* What the live status is derived from (State in the spec). */
struct ct_live {
	bool creator_alive; /* the creating ctrun still runs */
	bool init_alive;    /* the init is the process recorded, and running */
	bool fifo;	    /* ROOT/ID/exec.fifo exists: start has not run */
	bool frozen;	    /* its cgroup is frozen */
};
enum ct_status ct_status_decide(const struct ct_live *l);

/* Whether cgroup @path is frozen: v2 cgroup.events "frozen 1", or v1 freezer.state FROZEN. */
bool ct_cgroup_frozen(struct ctu_cg_hiers *hs, const char *path);

/* The directory of cgroup @path where its processes are listed (v2 first): false if none. */
bool ct_cgroup_dir(struct ctu_cg_hiers *hs, const char *path, char out[CTU_CG_DIR_MAX]);

/* The owner's user name of a container (state.json's, else its directory's; "#UID" unknown). */
void ct_state_owner(const struct ct_state *st, int rootfd, char *out, size_t size);
#endif
