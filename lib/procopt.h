/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procopt.h - the process options every tool that executes a program shares
 * (unshare-lite, nsenter-lite, pivot): what the program runs with, set up in
 * one place and in one order, so that a chain ending in any of them gives the
 * program the same process.
 *
 *	--groups GID,...        the exact supplementary groups
 *	--caps SET=LIST         bounding, effective, permitted, inheritable or
 *	                        ambient, exactly (empty = none); repeatable, one
 *	                        per set; not with --cap-add/--cap-drop
 *	--rlimit NAME=SOFT:HARD nofile or RLIMIT_NOFILE, "unlimited"; repeatable
 *	--oom-score-adj N       -1000..1000
 *	--umask MODE            octal
 *	--apparmor PROFILE      aa_change_onexec through the host's /proc
 *	--seccomp FILE          raw BPF (struct sock_filter[]), as bwrap's
 *	--seccomp-flags LIST    log,spec-allow
 *	--clearenv              start from an empty environment
 *	--setenv NAME=VALUE     repeatable, applied after --clearenv
 *	--own-stdio             fchown 0-2 to the new uid unless /dev/null
 *	--console-fd FD         a connected unix socket: a new pty's master
 *	                        goes there (SCM_RIGHTS, runc's protocol), the
 *	                        slave becomes 0-2 and the controlling terminal
 *	--console-size RxC      its window size
 *	--stderr-fd FD          dup2 onto 2 once set up
 *	--sync-fd FD            "ready\n" when only the exec is left, then close
 *	--block-fd FD           wait until readable or EOF before the exec
 *	--preserve-fds N        pass 3..3+N-1 on
 *
 * An fd named by --console-fd, --stderr-fd, --sync-fd, --block-fd is
 * consumed: never passed on, even inside --preserve-fds.  The credential
 * options (-S, -G, --keep-caps, --cap-add, --cap-drop, --no-new-privs,
 * --new-session) stay in lib/creds; struct ctu_procopt holds them too.
 *
 * The order is runc 1.1's (so a profile that works there works here):
 * console made and sent; rlimits, oom_score_adj, apparmor onexec,
 * own-stdio, seccomp if not no_new_privs, bounding set, groups, gid, uid
 * (keeping caps), capability sets, ambient, umask, no_new_privs, program
 * lookup, setsid + TIOCSCTTY + console onto 0-2 (or --stderr-fd onto 2),
 * "ready", barrier, seccomp if no_new_privs, execve.
 */
#ifndef CTU_PROCOPT_H
#define CTU_PROCOPT_H
#include <getopt.h>
#include <stdbool.h>
#include <stdnoreturn.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "caps.h"
#include "creds.h"
#include "err.h"

#define CTU_PROCOPT_MAX_GROUPS 256
#define CTU_PROCOPT_MAX_ENV 1024

enum ctu_capset { CTU_CAPSET_BOUNDING, CTU_CAPSET_EFFECTIVE, CTU_CAPSET_PERMITTED,
		  CTU_CAPSET_INHERITABLE, CTU_CAPSET_AMBIENT, CTU_N_CAPSETS };

struct ctu_procopt {
	struct ctu_creds creds;
	bool has_groups;
	size_t n_groups;
	gid_t groups[CTU_PROCOPT_MAX_GROUPS];
	bool has_caps[CTU_N_CAPSETS];
	ctu_capmask caps[CTU_N_CAPSETS];
	bool has_rlimit[RLIM_NLIMITS];
	struct rlimit rlimit[RLIM_NLIMITS];
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_umask;
	mode_t umask;
	const char *apparmor;
	const char *seccomp_file;
	unsigned int seccomp_flags; /* SECCOMP_FILTER_FLAG_* */
	int seccomp_fd;		    /* opened early by ctu_procopt_prepare */
	bool clearenv;
	size_t n_setenv;
	const char *setenv[CTU_PROCOPT_MAX_ENV];
	bool own_stdio;
	int console_fd;
	unsigned short console_rows, console_cols;
	int stderr_fd;
	int sync_fd;
	int block_fd;
	unsigned int preserve_fds;
};

/* Every fd -1, nothing set. */
#define CTU_PROCOPT_INIT                                                                           \
	{ .seccomp_fd = -1, .console_fd = -1, .stderr_fd = -1, .sync_fd = -1, .block_fd = -1 }

enum {
	CTU_OPT_GROUPS = 0x1100,
	CTU_OPT_CAPS,
	CTU_OPT_RLIMIT,
	CTU_OPT_OOM_SCORE_ADJ,
	CTU_OPT_UMASK,
	CTU_OPT_APPARMOR,
	CTU_OPT_SECCOMP,
	CTU_OPT_SECCOMP_FLAGS,
	CTU_OPT_CLEARENV,
	CTU_OPT_SETENV,
	CTU_OPT_OWN_STDIO,
	CTU_OPT_CONSOLE_FD,
	CTU_OPT_CONSOLE_SIZE,
	CTU_OPT_STDERR_FD,
	CTU_OPT_SYNC_FD,
	CTU_OPT_BLOCK_FD,
	CTU_OPT_PRESERVE_FDS,
};

/* getopt_long entries of the options above (not the lib/creds ones). */
#define CTU_PROCOPT_LONGOPTS                                                                       \
	{ "groups", required_argument, NULL, CTU_OPT_GROUPS },                                     \
		{ "caps", required_argument, NULL, CTU_OPT_CAPS },                                 \
		{ "rlimit", required_argument, NULL, CTU_OPT_RLIMIT },                             \
		{ "oom-score-adj", required_argument, NULL, CTU_OPT_OOM_SCORE_ADJ },               \
		{ "umask", required_argument, NULL, CTU_OPT_UMASK },                               \
		{ "apparmor", required_argument, NULL, CTU_OPT_APPARMOR },                         \
		{ "seccomp", required_argument, NULL, CTU_OPT_SECCOMP },                           \
		{ "seccomp-flags", required_argument, NULL, CTU_OPT_SECCOMP_FLAGS },               \
		{ "clearenv", no_argument, NULL, CTU_OPT_CLEARENV },                               \
		{ "setenv", required_argument, NULL, CTU_OPT_SETENV },                             \
		{ "own-stdio", no_argument, NULL, CTU_OPT_OWN_STDIO },                             \
		{ "console-fd", required_argument, NULL, CTU_OPT_CONSOLE_FD },                     \
		{ "console-size", required_argument, NULL, CTU_OPT_CONSOLE_SIZE },                 \
		{ "stderr-fd", required_argument, NULL, CTU_OPT_STDERR_FD },                       \
		{ "sync-fd", required_argument, NULL, CTU_OPT_SYNC_FD },                           \
		{ "block-fd", required_argument, NULL, CTU_OPT_BLOCK_FD },                         \
		{ "preserve-fds", required_argument, NULL, CTU_OPT_PRESERVE_FDS }

/* The usage lines of those options, for a tool's --help. */
extern const char ctu_procopt_usage[];

/*
 * Handles option @opt with value @arg if it is one of CTU_PROCOPT_LONGOPTS
 * or a lib/creds one: 1 when it was, 0 when not, negative (a usage error
 * naming the value) when the value is bad.
 */
int ctu_procopt_parse_option(struct ctu_procopt *p, int opt, const char *arg, ctu_err_t *err);

/*
 * After parsing, before anything is done: the combinations (--caps with
 * --cap-add/--cap-drop, --console-size without --console-fd, ...), the fds
 * are open, the seccomp file is opened and read in full (it may live on the
 * host, which a later pivot_root hides).  Marks the consumed fds.  0 or a
 * negative number with *@err set (usage errors for the combinations).
 */
int ctu_procopt_prepare(struct ctu_procopt *p, ctu_err_t *err);

/*
 * The fds the program must not get (the consumed ones), for a tool that
 * passes fds on through a fork of its own: 0 or 1.
 */
bool ctu_procopt_consumes_fd(const struct ctu_procopt *p, int fd);

/*
 * Closes the consumed fds (and the seccomp file): for the
 * parent of a fork that does not exec, so that a caller waiting for EOF on
 * --sync-fd, or closing --block-fd, deals with the program's process alone.
 */
void ctu_procopt_close_consumed(const struct ctu_procopt *p);

/*
 * Everything from the console to the exec, in the order above, then
 * execvp(@argv) (the lookup done with the new environment's PATH).
 * Terminal: a failure before exec is reported through lib/err and exits
 * with the tool's code; exec failures exit 126/127 as ctu_exec().
 * @pre_console, when not NULL, is called with the slave pty's fd once it is
 * made (pivot binds it on /dev/console); it returns 0 or -errno.
 */
noreturn void ctu_procopt_exec(struct ctu_procopt *p, char *const argv[],
			       int (*pre_console)(int slave_fd, ctu_err_t *err));

/* procopt_sec.c: the kernel-facing parts. */
/* Loads the BPF program read from @fd with seccomp(SECCOMP_SET_MODE_FILTER, @flags). */
int ctu_seccomp_load_fd(int fd, unsigned int flags, ctu_err_t *err);
/* "log,spec-allow" into SECCOMP_FILTER_FLAG_* bits; usage error naming a bad word. */
int ctu_seccomp_flags_parse(const char *s, unsigned int *flags, ctu_err_t *err);
/* aa_change_onexec(@profile) via the host's /proc (AppArmor off: an error saying so). */
int ctu_apparmor_onexec(const char *profile, ctu_err_t *err);
/*
 * A new pty from this root's /dev/ptmx, sized @rows x @cols (0: unset), its
 * master sent over @sock with the slave's name as data (runc's protocol),
 * then closed.  The slave's fd in *@slave.
 */
int ctu_console_send(int sock, unsigned short rows, unsigned short cols, int *slave,
		     ctu_err_t *err);
/* Makes @slave the controlling terminal (setsid first) and 0, 1, 2. */
int ctu_console_adopt(int slave, ctu_err_t *err);
#endif
