/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctrun.h - what ctrun's files share.  ctrun is an OCI runtime that is only a
 * translator: it reads BUNDLE/config.json, builds the chain
 *
 *	cgctl exec ... -- [nsenter-lite ... --] unshare-lite ... -- pivot ... -- ARGS
 *
 * and runs it; it keeps state, runs hooks and holds the start barrier.  It
 * links none of the tools' code: they are programs found beside ctrun.
 *
 *	ctrun.c     usage, global options, the command table, main
 *	log.c       --log/--log-format: errors and warnings as runc writes them
 *	tools.c     the tools beside /proc/self/exe, run with an empty environment
 *	config.c    config.json read and checked whole, errors by JSON pointer
 *	config_*.c  the checks of each part of config.json
 *	chain.c     config -> the chain's words; --show-chain printing
 *	chain_*.c   the words of each tool of the chain
 *	seccomp.c   linux.seccomp -> BPF with libseccomp, cached by SHA-256
 *	hooks.c     running hooks: env, stdin the state, cwd, timeout
 *	state.c     ROOT/ID/state.json, the lock, the live status
 *	create.c    create and run: the fork, the sync protocol, rollback
 *	console.c   process.terminal: --console-socket, or the foreground relay
 *	inplace.c   no mount namespace: pivot --in-place's mounts, detached by delete
 *	start.c     start: the exec.fifo barrier
 *	exec.c      exec
 *	commands.c  state, list, ps, kill, pause, resume, update, delete
 *	spec.c      spec (runc's default config.json)
 *	features.c  features
 */
#ifndef CTRUN_H
#define CTRUN_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "err.h"
#include "strv.h"

/* What every command gets: the global options. */
enum ct_show { CT_SHOW_NONE, CT_SHOW_FULL, CT_SHOW_BARE };
struct ct_global {
	const char *root;     /* --root, default /run/ctrun */
	int rootfd;	      /* opened (and made, 0700) on first use by ct_root_open */
	const char *log;      /* --log FILE */
	bool log_json;	      /* --log-format json */
	bool debug;	      /* --debug: CTU_DEBUG=1 in the tools, phase timings */
	bool cgroup_disabled; /* --cgroup-manager disabled */
	enum ct_show show_chain;
	char tooldir[4096]; /* the directory of /proc/self/exe */
	const char *cmd;    /* the command, for "ctrun: CMD: what: why" */
};

/* Limits. */
#define CT_CONFIG_MAX ((size_t)16 << 20) /* config.json, process.json */
#define CT_ID_MAX     255

/* ctrun.c */
/* An ID: not empty, at most 255 bytes, [A-Za-z0-9_+.-], not "." or "..".  Usage error. */
int ct_id_check(const char *id, ctu_err_t *err);
/* ROOT opened (made 0700 when missing; a symlink or a foreign owner refused). */
int ct_root_open(struct ct_global *g, ctu_err_t *err);

/* log.c */
/* Reports @err as "ctrun: CMD: what: why" on stderr and in the log; returns its exit code. */
int ct_report(const struct ct_global *g, ctu_err_t *err);
/* Now as RFC 3339 with nanoseconds, UTC (logrus's time, state's created). */
void ct_now_rfc3339(char *buf, size_t size);
/* --debug: the clock of the phase timings starts (first thing in main). */
void ct_phase_start(void);
/* --debug: "phase WHAT: N ms (M ms since start)" on stderr; nothing without --debug. */
void ct_phase(const struct ct_global *g, const char *what);
/* A warning, on stderr and in the log. */
void ct_warn(const struct ct_global *g, const char *fmt, ...) CTU_PRINTF(2, 3);

/* tools.c */
/* @tool's absolute path beside ctrun into @buf. */
int ct_tool_path(const struct ct_global *g, const char *tool, char *buf, size_t size);
/*
 * Runs @argv (argv[0] a tool name, resolved by ct_tool_path) with an empty
 * environment (CTU_DEBUG=1 under --debug), stdin /dev/null, its stderr
 * captured: 0 when it exited 0, else an error carrying its last stderr line.
 */
int ct_tool_run(const struct ct_global *g, char *const argv[], ctu_err_t *err);
/* That environment: empty, or CTU_DEBUG=1 under --debug. */
char **ct_tool_env(const struct ct_global *g);

/* config.c */
/*
 * BUNDLE/config.json read (at most 16 MiB, duplicate keys refused) and
 * checked whole: types, required members, values, the "later" rows refused
 * by pointer ("config.json: /linux/intelRdt: not supported yet").  Unknown
 * members are ignored.  After this, chain building may trust every type.
 * Returns the document, or NULL with *@err set (exit 1).
 */
json_t *ct_config_load(const char *bundle, ctu_err_t *err);
/* The same checks on a document already parsed (unit tests, process.json). */
int ct_config_check(json_t *cfg, ctu_err_t *err);
/* exec -p FILE: an OCI process object, checked as /process is. */
json_t *ct_process_load(const char *path, ctu_err_t *err);
int ct_process_check(json_t *process, const char *pointer, ctu_err_t *err);
/*
 * The same four with the warnings of the ignored rows ("config.json:
 * /linux/resources/memory/kernel: ignored ...") appended as strings to
 * @warnings (an array; NULL drops them), for the caller's ct_warn.
 */
json_t *ct_config_load_warn(const char *bundle, json_t *warnings, ctu_err_t *err);
int ct_config_check_warn(json_t *cfg, json_t *warnings, ctu_err_t *err);
json_t *ct_process_load_warn(const char *path, json_t *warnings, ctu_err_t *err);
int ct_process_check_warn(json_t *process, const char *pointer, json_t *warnings, ctu_err_t *err);

/*
 * The chain.  The forked child's fds: 0 and 1 as ctrun's, 2 a pipe to ctrun,
 * 3..3+n_user-1 the caller's (--preserve-fds + LISTEN_FDS), then these, each
 * -1 when absent.  The chain words name them by number.
 */
struct ct_fds {
	unsigned int n_user;
	int info;	 /* unshare-lite/nsenter-lite --info-fd */
	int sync;	 /* pivot/nsenter-lite --sync-fd (socketpair) */
	int fifo;	 /* exec.fifo, O_RDWR: --block-fd */
	int real_stderr; /* --stderr-fd; -1 with a terminal */
	int console;	 /* --console-fd */
	/*
	 * The compiled seccomp filter, read by pivot as /proc/self/fd/N: in a
	 * user namespace that maps root elsewhere, ROOT (0700) is out of reach.
	 */
	int seccomp;
};
/* Lays the fds out after @n_user user fds: info, sync, fifo, real_stderr, console. */
void ct_fds_layout(struct ct_fds *f, unsigned int n_user, bool fifo, bool console);
/* Adds the seccomp filter's fd after the last one ct_fds_layout laid out. */
void ct_fds_add_seccomp(struct ct_fds *f);

enum ct_chain_kind { CT_CHAIN_CREATE, CT_CHAIN_EXEC };
struct ct_chain_in {
	const struct ct_global *g;
	enum ct_chain_kind kind;
	const char *id;
	const char *bundle;	   /* absolute */
	json_t *cfg;		   /* checked config.json (create) */
	json_t *process;	   /* the process to run (exec: stored or given) */
	const char *cgroup;	   /* absolute cgroup path (ct_cgroup_path), NULL: none */
	pid_t target;		   /* exec: the container's init */
	const char *seccomp_bpf;   /* compiled filter file, or NULL */
	const char *seccomp_flags; /* its --seccomp-flags words, "" for none */
	bool no_pivot, no_new_keyring;
	bool bare; /* --show-chain=bare: no sync/fd options */
	struct ct_fds fds;
};
/*
 * One argv for the whole chain: the tools' words with their "--"
 * separators, tool[i] the index of each tool's first word.
 */
struct ct_chain {
	struct ctu_strv argv;
	size_t tool[5];
	size_t n_tools;
};
/* chain.c */
int ct_chain_build(const struct ct_chain_in *in, struct ct_chain *out, ctu_err_t *err);
void ct_chain_free(struct ct_chain *c);
/* --show-chain: shell words, a tool per line ending " \", on @f. */
int ct_chain_print(const struct ct_chain *c, FILE *f);
/* @s as one shell word ('...' when needed): malloc'd, NULL on ENOMEM. */
char *ct_shell_quote(const char *s);
/*
 * linux.cgroupsPath made absolute: as is when absolute, else (or absent:
 * the ID) under ctrun's own cgroup of the unified hierarchy (memory's on
 * v1); "slice:prefix:name" (systemd) and climbing out with ".." refused.
 */
int ct_cgroup_path(json_t *cfg, const char *id, char *out, size_t size, ctu_err_t *err);
/* HOME from ROOTFS/etc/passwd for @uid ("/" when absent): malloc'd. */
char *ct_home_of(const char *rootfs, uid_t uid);

/* seccomp.c */
/*
 * linux.seccomp compiled with libseccomp into ROOT/seccomp/SHA256.bpf (the
 * key: the JSON, libseccomp's version, the arch), reused when present.
 * The path into @out; the pivot --seccomp-flags words into @flags ("" or
 * "log,spec-allow").  0, or a negative number with *@err (by pointer).
 */
int ct_seccomp_compile(struct ct_global *g, json_t *seccomp, const char *pointer, char *out,
		       size_t size, char *flags, size_t flags_size, ctu_err_t *err);
/* The checks of config_*.c for linux.seccomp: actions, archs, operators. */
int ct_seccomp_check(json_t *seccomp, const char *pointer, ctu_err_t *err);
/* features' "seccomp" object: enabled, actions, operators, archs, knownFlags, supportedFlags. */
json_t *ct_seccomp_features(void);

/* state.c */
enum ct_status { CT_CREATING, CT_CREATED, CT_RUNNING, CT_PAUSED, CT_STOPPED };
const char *ct_status_name(enum ct_status s);
/*
 * ROOT/ID/state.json, as ctrun keeps it: id, bundle, rootfs, created
 * (RFC 3339 ns), owner, annotations, pid, starttime, creator, creator_start,
 * cgroup, cgroup_made, process, hooks (poststop ...), resources.
 */
/* inplace.c: a container without a mount namespace of its own (pivot --in-place) */
struct ct_in_place {
	bool used;	   /* the config has no mount namespace */
	uint64_t mount_ns; /* the inode of create's mount namespace */
	uint64_t below;	   /* the ID of the mount the root was on before the chain */
};
/* Whether linux.namespaces has a mount namespace (new or joined). */
bool ct_config_has_mount_ns(json_t *cfg);
/* Notes, before the chain runs, what @rootfs is on, into @ip (used). */
int ct_in_place_note(const char *rootfs, struct ct_in_place *ip, ctu_err_t *err);
/*
 * Detaches what is stacked on @rootfs above @ip's mount (pivot's bind, the
 * container's mounts in it); refused from another mount namespace.  0 when
 * !@ip->used.
 */
int ct_in_place_release(const char *rootfs, const struct ct_in_place *ip, ctu_err_t *err);

struct ct_state {
	char id[CT_ID_MAX + 1];
	json_t *doc; /* the whole state.json; the fields below read from it */
	pid_t pid;
	unsigned long long starttime;
	pid_t creator;
	unsigned long long creator_start;
	const char *bundle, *rootfs, *cgroup;
	bool cgroup_made;
	struct ct_in_place in_place; /* "in_place": {"mount_ns", "below"} */
};
/* Whether cgroup @path is there in any hierarchy (state.c). */
bool ct_cgroup_exists(const char *path);
/*
 * Kills what is in cgroup @path and removes it from every hierarchy
 * (@recursive: the cgroups below too), in-process (lib/cgend, as cgctl
 * delete --kill does it).  A missing cgroup is fine.  0 or a negative
 * number with *@err set.
 */
int ct_cgroup_remove(const char *path, bool recursive, ctu_err_t *err);
/* "container ID does not exist" (exit 1) when there is no ROOT/ID. */
int ct_state_read(struct ct_global *g, const char *id, struct ct_state *st, ctu_err_t *err);
/* state.json written through @dirfd (temp + fsync + rename). */
int ct_state_write(int dirfd, const struct ct_state *st, ctu_err_t *err);
void ct_state_free(struct ct_state *st);
/*
 * Mutators: ROOT/ID opened, flock(LOCK_EX), then st_nlink checked (a
 * concurrent delete removed it: "container ID does not exist").  The dir fd.
 */
int ct_state_lock(struct ct_global *g, const char *id, ctu_err_t *err);
/*
 * The live status: creating while the creator lives; else the init checked
 * through a pidfd (alive, same starttime, not Z or X) or stopped; alive with
 * exec.fifo = created, frozen cgroup = paused, else running.  *@pidfd (when
 * not NULL) gets a pidfd of the live init, or -1.
 */
enum ct_status ct_status_of(struct ct_global *g, const struct ct_state *st, int *pidfd);
/* The OCI state object (ociVersion, id, status, pid, bundle, rootfs, created, annotations). */
json_t *ct_state_oci(const struct ct_state *st, enum ct_status s);

/* hooks.c */
/*
 * Runs the hooks of config.json's /hooks/@kind (prestart, createRuntime,
 * createContainer, startContainer, poststart, poststop) from @hooks, each
 * with stdin @state_json, cwd @bundle, env exactly hook.env, output
 * captured (64 KiB), timeout enforced.  @enter_pid > 0: run through
 * nsenter-lite -t PID -a --join-cgroup (createContainer; with @in_root, also
 * -r -w: startContainer).  0, or a negative number with *@err naming the
 * hook ("hook 2 (/bin/x) failed: ..."; "timed out after Ts").
 */
int ct_hooks_run(const struct ct_global *g, json_t *hooks, const char *kind, const char *state_json,
		 const char *bundle, pid_t enter_pid, bool in_root, ctu_err_t *err);

/* start.c */
/* The barrier of created container @id released (ROOT/ID locked as @dirfd), hooks around it. */
int ct_start_locked(struct ct_global *g, const char *id, int dirfd, ctu_err_t *err);
/* The OCI state of @st as compact JSON, for a hook's stdin: malloc'd. */
char *ct_state_for_hooks(const struct ct_state *st, enum ct_status s);

/* The commands: each returns the exit code (errors already reported). */
int ct_cmd_create(struct ct_global *g, int argc, char **argv);
int ct_cmd_run(struct ct_global *g, int argc, char **argv);
int ct_cmd_start(struct ct_global *g, int argc, char **argv);
int ct_cmd_exec(struct ct_global *g, int argc, char **argv);
int ct_cmd_state(struct ct_global *g, int argc, char **argv);
int ct_cmd_list(struct ct_global *g, int argc, char **argv);
int ct_cmd_ps(struct ct_global *g, int argc, char **argv);
int ct_cmd_kill(struct ct_global *g, int argc, char **argv);
int ct_cmd_delete(struct ct_global *g, int argc, char **argv);
int ct_cmd_pause(struct ct_global *g, int argc, char **argv);
int ct_cmd_resume(struct ct_global *g, int argc, char **argv);
int ct_cmd_update(struct ct_global *g, int argc, char **argv);
int ct_cmd_spec(struct ct_global *g, int argc, char **argv);
int ct_cmd_features(struct ct_global *g, int argc, char **argv);
#endif
