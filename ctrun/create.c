// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * create.c - `ctrun create` and `ctrun run`: their options, the checks that
 * come before anything is made, the state directory, and what run adds
 * (the start, the wait, the delete).  The chain itself is forked and
 * followed in launch.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "ctu.h"
#include "json.h"
#include "launch.h"
#include "pidref.h"
#include "proc.h"
#include "state.h"

enum {
	OPT_PID_FILE = 0x100,
	OPT_CONSOLE_SOCKET,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS,
	OPT_KEEP,
};

static const struct option create_longopts[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
	{ "detach", no_argument, NULL, 'd' },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static noreturn void create_usage(bool run)
{
	printf(CTU_USAGE_HEADER
	       " ctrun %s [options] <id>\n"
	       "\n%s\n" CTU_USAGE_OPTIONS " -b, --bundle <dir>        the bundle (default: .)\n"
	       "     --pid-file <file>     write the init's PID there\n"
	       "     --console-socket <path>  send the terminal's master there\n"
	       "     --no-pivot            move the root instead of pivot_root (ramfs)\n"
	       "     --no-new-keyring      keep the session keyring\n"
	       "     --preserve-fds <n>    pass file descriptors 3 to 3+<n>-1 on\n"
	       "%s"
	       " -h, --help                display this help\n" CTU_USAGE_MAN_TAIL("ctrun(8)"),
	       run ? "run" : "create",
	       run ? "Create a container, start it and wait for it (then delete it)."
		   : "Set a container up; its program waits for 'ctrun start'.",
	       run ? " -d, --detach              do not wait for the program\n"
		     "     --keep                do not delete the container when it ends\n"
		   : "");
	exit(CTU_EXIT_OK);
}

struct create_opts {
	bool run, detach, keep;
};

static void create_option(struct ct_launch *l, struct create_opts *co, int c, const char *arg)
{
	ctu_err_t err = NULL;

	switch (c) {
	case 'b':
		snprintf(l->bundle, sizeof(l->bundle), "%s", arg);
		break;
	case OPT_PID_FILE:
		l->pid_file = arg;
		break;
	case OPT_CONSOLE_SOCKET:
		l->console_socket = arg;
		break;
	case OPT_NO_PIVOT:
		l->no_pivot = true;
		break;
	case OPT_NO_NEW_KEYRING:
		l->no_new_keyring = true;
		break;
	case OPT_PRESERVE_FDS:
		if (ctu_preserve_fds_arg(arg, &l->preserve_fds, &err) < 0)
			ctu_err_exit(&err);
		break;
	case 'd':
	case OPT_KEEP:
		if (!co->run)
			ctu_try_help_exit();
		if (c == 'd')
			co->detach = true;
		else
			co->keep = true;
		break;
	case 'h':
		create_usage(co->run);
	default:
		ctu_try_help_exit();
	}
}

static void parse_create(struct ct_launch *l, struct create_opts *co, int argc, char **argv)
{
	ctu_err_t err = NULL;
	int c;

	snprintf(l->bundle, sizeof(l->bundle), ".");
	optind = 0;
	while ((c = getopt_long(argc, argv, co->run ? "+b:dh" : "+b:h", create_longopts, NULL)) !=
	       -1)
		create_option(l, co, c, optarg);
	if (optind != argc - 1)
		ctu_usage_exit(optind >= argc ? "no container ID given" : "too many arguments");
	l->id = argv[optind];
	if (ct_id_check(l->id, &err) < 0)
		ctu_err_exit(&err);
}

/* systemd's socket activation: LISTEN_FDS counts only when LISTEN_PID is ours. */
static unsigned int listen_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	unsigned long n;

	if (!pid || !fds || strtol(pid, &end, 10) != getpid() || *end)
		return 0;
	n = strtoul(fds, &end, 10);
	return *end || n > 1024 ? 0 : (unsigned int)n;
}

/* The bundle made absolute (hooks run there, state keeps it), the root resolved in it. */
static int resolve_bundle(struct ct_launch *l, ctu_err_t *err)
{
	char real[PATH_MAX], joined[2 * PATH_MAX];
	const char *root;
	int n;

	if (!realpath(l->bundle, real))
		return ctu_err_errno(err, "bundle %s", l->bundle);
	snprintf(l->bundle, sizeof(l->bundle), "%s", real);
	root = json_string_value(json_object_get(json_object_get(l->cfg, "root"), "path"));
	if (!root)
		return ctu_err_make(err, EINVAL, "config.json: /root/path: missing");
	n = snprintf(joined, sizeof(joined), "%s%s%s", root[0] == '/' ? "" : l->bundle,
		     root[0] == '/' ? "" : "/", root);
	if (n < 0 || (size_t)n >= PATH_MAX)
		return ctu_err_make(err, ENAMETOOLONG, "config.json: /root/path");
	if (!realpath(joined, l->rootfs))
		return ctu_err_errno(err, "config.json: /root/path: %s", root);
	return 0;
}

static bool config_terminal(json_t *cfg)
{
	return json_is_true(json_object_get(json_object_get(cfg, "process"), "terminal"));
}

static bool has_hooks(json_t *cfg, const char *kind)
{
	return json_array_size(json_object_get(json_object_get(cfg, "hooks"), kind)) > 0;
}

/* Everything that comes before anything is made: config, bundle, cgroup path. */
static int prepare(struct ct_launch *l, bool foreground, ctu_err_t *err)
{
	_cleanup_json_ json_t *warnings = json_array();
	size_t i;
	json_t *w;

	l->cfg = ct_config_load_warn(l->bundle, warnings, err);
	json_array_foreach(warnings, i, w) ct_warn(l->g, "%s", json_string_value(w));
	if (!l->cfg || resolve_bundle(l, err) < 0)
		return -1;
	l->terminal = config_terminal(l->cfg);
	if (ct_console_prepare(l, json_object_get(l->cfg, "process"), foreground, err) < 0)
		return -1;
	l->preserve_fds += listen_fds();
	if (!l->g->cgroup_disabled) {
		if (ct_cgroup_path(l->cfg, l->id, l->cgroup, sizeof(l->cgroup), err) < 0)
			return -1;
		l->has_cgroup = true;
	}
	return 0;
}

static void fill_chain_in(const struct ct_launch *l, struct ct_chain_in *in, bool bare)
{
	*in = (struct ct_chain_in){
		.g = l->g,
		.kind = CT_CHAIN_CREATE,
		.id = l->id,
		.bundle = l->bundle,
		.cfg = l->cfg,
		.process = json_object_get(l->cfg, "process"),
		.cgroup = l->has_cgroup ? l->cgroup : NULL,
		.seccomp_bpf = l->seccomp[0] ? l->seccomp : NULL,
		.seccomp_flags = l->seccomp_flags,
		.no_pivot = l->no_pivot,
		.no_new_keyring = l->no_new_keyring,
		.bare = bare,
		.fds = l->fds,
	};
}

/* linux.seccomp compiled (or found in the cache) before the fork. */
static int compile_seccomp(struct ct_launch *l, ctu_err_t *err)
{
	json_t *seccomp = json_object_get(json_object_get(l->cfg, "linux"), "seccomp");

	if (!seccomp)
		return 0;
	return ct_seccomp_compile(l->g, seccomp, "/linux/seccomp", l->seccomp, sizeof(l->seccomp),
				  l->seccomp_flags, sizeof(l->seccomp_flags), err);
}

static int build_chain(struct ct_launch *l, bool bare, ctu_err_t *err)
{
	struct ct_chain_in in;

	ct_fds_layout(&l->fds, l->preserve_fds, l->barrier, l->terminal);
	if (l->seccomp[0])
		ct_fds_add_seccomp(&l->fds);
	fill_chain_in(l, &in, bare);
	if (ct_chain_build(&in, &l->chain, err) < 0)
		return -1;
	if (l->g->debug && !l->g->show_chain) {
		fputs("ctrun: debug: chain: ", stderr);
		ct_chain_print(&l->chain, stderr);
	}
	return 0;
}

/* --show-chain: checked whole, printed, nothing made (the seccomp cache aside). */
static int show_chain(struct ct_launch *l, ctu_err_t *err)
{
	if (ct_root_open(l->g, err) < 0 || compile_seccomp(l, err) < 0 ||
	    build_chain(l, l->g->show_chain == CT_SHOW_BARE, err) < 0)
		return -1;
	if (ct_chain_print(&l->chain, stdout) < 0)
		return ctu_err_errno(err, "--show-chain");
	return 0;
}

static void remove_state_dir(void *arg)
{
	struct ct_launch *l = arg;

	unlinkat(l->dirfd, "state.json", 0);
	unlinkat(l->dirfd, "exec.fifo", 0);
	unlinkat(l->g->rootfd, l->id, AT_REMOVEDIR);
}

/* ROOT/ID made and locked; EEXIST is the words engines know. */
static int make_state_dir(struct ct_launch *l, ctu_err_t *err)
{
	if (ct_root_open(l->g, err) < 0)
		return -1;
	if (mkdirat(l->g->rootfd, l->id, 0711) < 0) {
		if (errno == EEXIST)
			return ctu_err_make(err, 0, "container %s already exists", l->id);
		return ctu_err_errno(err, "cannot create %s/%s", l->g->root, l->id);
	}
	l->dirfd = openat(l->g->rootfd, l->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (l->dirfd < 0) {
		unlinkat(l->g->rootfd, l->id, AT_REMOVEDIR);
		return ctu_err_errno(err, "cannot open %s/%s", l->g->root, l->id);
	}
	if (ctu_undo_call(&l->undo, remove_state_dir, l, err) < 0)
		return -1;
	if (flock(l->dirfd, LOCK_EX) < 0)
		return ctu_err_errno(err, "cannot lock %s/%s", l->g->root, l->id);
	if (l->barrier && mkfifoat(l->dirfd, "exec.fifo", 0600) < 0)
		return ctu_err_errno(err, "cannot create %s/%s/exec.fifo", l->g->root, l->id);
	return 0;
}

static const char *owner_name(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw ? pw->pw_name : "";
}

/* state.json as ctrun keeps it (ctrun.h): what later commands need, config edits aside. */
int ct_launch_write_state(struct ct_launch *l, ctu_err_t *err)
{
	_cleanup_json_ json_t *doc = NULL;
	json_t *linux_ = json_object_get(l->cfg, "linux");
	struct ct_state st = { .pid = l->init };
	char created[64];
	uint64_t creator_start = 0;

	ct_now_rfc3339(created, sizeof(created));
	ctu_proc_start_time(getpid(), &creator_start);
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:b}", "id", l->id,
			"bundle", l->bundle, "rootfs", l->rootfs, "created", created, "owner",
			owner_name(), "pid", (json_int_t)l->init, "starttime",
			(json_int_t)l->init_start, "creator",
			(json_int_t)(l->init > 0 ? 0 : getpid()), "creator_start",
			(json_int_t)(l->init > 0 ? 0 : creator_start), "cgroup",
			l->has_cgroup ? l->cgroup : "", "cgroup_made", l->cgroup_made);
	if (!doc)
		return ctu_err_make(err, ENOMEM, "state.json");
	json_object_set(doc, "annotations", json_object_get(l->cfg, "annotations"));
	json_object_set(doc, "process", json_object_get(l->cfg, "process"));
	json_object_set(doc, "hooks", json_object_get(l->cfg, "hooks"));
	json_object_set(doc, "resources", json_object_get(linux_, "resources"));
	json_object_set_new(doc, "seccomp", json_string(l->seccomp));
	if (l->in_place.used)
		json_object_set_new(doc, "in_place",
				    json_pack("{s:I, s:I}", "mount_ns", (json_int_t)l->in_place.mount_ns,
					      "below", (json_int_t)l->in_place.below));
	snprintf(st.id, sizeof(st.id), "%s", l->id);
	st.doc = doc;
	return ct_state_write(l->dirfd, &st, err);
}

static void delete_cgroup(void *arg)
{
	struct ct_launch *l = arg;
	ctu_err_t err = NULL;

	/* cgctl exec removes the cgroup itself when its own setup fails */
	if (ct_cgroup_remove(l->cgroup, false, &err) < 0)
		ct_report(l->g, &err);
}

/* Whether the cgroup is ours to delete on rollback: it did not exist before. */
/* Whether the chain's cgctl makes the cgroup (then a rollback removes it) or joins one there. */
static int note_cgroup(struct ct_launch *l, ctu_err_t *err)
{
	if (!l->has_cgroup)
		return 0;
	l->cgroup_made = !ct_cgroup_exists(l->cgroup);
	return l->cgroup_made ? ctu_undo_call(&l->undo, delete_cgroup, l, err) : 0;
}

static void release_in_place(void *arg)
{
	struct ct_launch *l = arg;
	ctu_err_t err = NULL;

	if (ct_in_place_release(l->rootfs, &l->in_place, &err) < 0)
		ct_report(l->g, &err);
}

/* No mount namespace: pivot's mounts will be in ours, to be detached by delete or rollback. */
static int note_in_place(struct ct_launch *l, ctu_err_t *err)
{
	if (ct_config_has_mount_ns(l->cfg))
		return 0;
	if (ct_in_place_note(l->rootfs, &l->in_place, err) < 0)
		return -1;
	return ctu_undo_call(&l->undo, release_in_place, l, err);
}

static int write_pid_file(const struct ct_launch *l, ctu_err_t *err)
{
	int r = l->pid_file ? ctu_pidfile_write_as(l->pid_file, l->init, false) : 0;

	if (r < 0)
		return ctu_err_make(err, -r, "--pid-file %s", l->pid_file);
	return 0;
}

/* Everything from the state directory to "ready"; on failure the caller rolls back. */
static int create_container(struct ct_launch *l, ctu_err_t *err)
{
	if (make_state_dir(l, err) < 0 || note_in_place(l, err) < 0 ||
	    ct_launch_write_state(l, err) < 0)
		return -1;
	ct_phase(l->g, "state directory");
	if (compile_seccomp(l, err) < 0)
		return -1;
	ct_phase(l->g, "seccomp");
	if (ct_console_open(l, err) < 0 || note_cgroup(l, err) < 0 || build_chain(l, false, err) < 0)
		return -1;
	ct_phase(l->g, "chain built");
	if (ct_launch_chain(l, err) < 0)
		return -1;
	ct_phase(l->g, "chain ready");
	if (ct_launch_write_state(l, err) < 0 || write_pid_file(l, err) < 0)
		return -1;
	ct_phase(l->g, "created");
	return 0;
}

static void launch_free(struct ct_launch *l)
{
	ct_chain_free(&l->chain);
	json_decref(l->cfg);
	l->cfg = NULL;
	if (l->console >= 0)
		close(l->console);
	if (l->relay >= 0)
		close(l->relay);
	if (l->dirfd >= 0)
		close(l->dirfd);
	l->console = l->relay = l->dirfd = -1;
}

/* create's outcome: on failure everything made is undone, then the error. */
static int create_outcome(struct ct_launch *l, int r, ctu_err_t *err)
{
	if (r < 0) {
		ct_launch_kill_init(l);
		ctu_undo_rollback(&l->undo);
	} else {
		ctu_undo_forget(&l->undo);
	}
	launch_free(l);
	return r < 0 ? ct_report(l->g, err) : 0;
}

static void launch_init(struct ct_launch *l, struct ct_global *g)
{
	*l = (struct ct_launch){
		.g = g, .dirfd = -1, .console = -1, .relay = -1, .init_pidfd = -1,
		.undo = CTU_UNDO_INIT
	};
}

int ct_cmd_create(struct ct_global *g, int argc, char **argv)
{
	struct ct_launch l;
	struct create_opts co = { 0 };
	ctu_err_t err = NULL;
	int r;

	launch_init(&l, g);
	parse_create(&l, &co, argc, argv);
	l.barrier = true;
	r = prepare(&l, false, &err);
	ct_phase(g, "config");
	if (r == 0)
		r = g->show_chain ? show_chain(&l, &err) : create_container(&l, &err);
	return create_outcome(&l, r, &err);
}

/* run's end: the container deleted as `ctrun delete --force` would. */
static void run_delete(struct ct_global *g, const char *id)
{
	char *del[] = { "delete", "--force", (char *)id, NULL };

	ct_cmd_delete(g, 3, del);
}

/* run's start: through the barrier when there is one, else the poststart hooks only. */
static int start_run(struct ct_launch *l, ctu_err_t *err)
{
	struct ct_state st = { 0 };

	if (l->barrier)
		return ct_start_locked(l->g, l->id, l->dirfd, err);
	if (!has_hooks(l->cfg, "poststart") || ct_state_read(l->g, l->id, &st, err) < 0)
		return 0;
	{
		char *state = ct_state_for_hooks(&st, CT_RUNNING);

		if (state && ct_hooks_run(l->g, json_object_get(l->cfg, "hooks"), "poststart",
					  state, l->bundle, 0, false, err) < 0) {
			ct_report(l->g, err);
			ctu_err_free(err);
		}
		free(state);
	}
	ct_state_free(&st);
	return 0;
}

int ct_cmd_run(struct ct_global *g, int argc, char **argv)
{
	struct ct_launch l;
	struct create_opts co = { .run = true };
	ctu_err_t err = NULL;
	int status = 0, r;

	launch_init(&l, g);
	parse_create(&l, &co, argc, argv);
	r = prepare(&l, !co.detach, &err);
	ct_phase(g, "config");
	if (r == 0)
		l.barrier = has_hooks(l.cfg, "startContainer");
	if (r == 0 && g->show_chain)
		return create_outcome(&l, show_chain(&l, &err), &err);
	if (r == 0 && !co.detach && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		r = ctu_err_errno(&err, "cannot become a subreaper");
	if (r == 0)
		r = create_container(&l, &err);
	if (r < 0)
		return create_outcome(&l, r, &err);
	ctu_undo_forget(&l.undo);
	if (start_run(&l, &err) < 0) {
		ct_report(g, &err);
		close(l.dirfd);
		l.dirfd = -1;
		run_delete(g, l.id);
		launch_free(&l);
		return CTU_EXIT_FAILURE;
	}
	ct_phase(g, "started");
	/* the lock goes: the container is there for every other command now */
	close(l.dirfd);
	l.dirfd = -1;
	if (co.detach || ct_launch_wait(&l, &status, &err) < 0) {
		r = co.detach ? 0 : ct_report(g, &err);
		launch_free(&l);
		return r;
	}
	ct_phase(g, "program ended");
	if (!co.keep) {
		run_delete(g, l.id);
		ct_phase(g, "deleted");
	}
	launch_free(&l);
	ctu_exit_like(status);
}
