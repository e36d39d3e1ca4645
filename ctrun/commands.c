// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commands.c - the commands that read or end an existing container: state,
 * list, kill and delete (ps, pause, resume and update: commands_cg.c), and
 * what they share: the command line, the lock.  Each acts on the live
 * status (state.c), never on a stored one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ctu.h"
#include "json.h"
#include "out.h"
#include "parse.h"
#include "proc.h"
#include "tree.h"

#define KILL_WAIT_MS 10000 /* runc's: 100 times 100 ms */

/* ---- the command line ------------------------------------------------------- */

static int check_operands(const struct cmd_line *cl, int argc, int first, char **argv,
			  ctu_err_t *err)
{
	int n = argc - first;

	if (n < cl->min)
		return ctu_err_usage(err, "%s: missing", cl->operands);
	if (cl->max >= 0 && n > cl->max)
		return ctu_err_usage(err, "unexpected argument '%s'", argv[first + cl->max]);
	return 0;
}

int cmd_parse(const struct cmd_line *cl, int argc, char **argv, cmd_opt_fn fn, void *ctx,
	      int *first, ctu_err_t *err)
{
	struct ctu_getopt go = { .stop_at_operand = cl->stop_at_operand };
	char shortopts[64];
	int o;

	static const struct option help_only[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	snprintf(shortopts, sizeof(shortopts), "h%s", cl->shortopts ? cl->shortopts : "");
	if (ctu_getopt_init(&go, argc, argv, shortopts, cl->longopts ? cl->longopts : help_only, NULL,
			    NULL, err) < 0)
		return ctu_err_code(*err);
	while ((o = ctu_getopt_next(&go, err)) != -1) {
		if (o == '?')
			return ctu_err_code(*err);
		if (o == 'h') {
			fputs(cl->usage, stdout);
			return 1;
		}
		if (fn(o, optarg, ctx, err) < 0)
			return ctu_err_code(*err);
	}
	*first = optind;
	return check_operands(cl, argc, optind, argv, err);
}

int cmd_exit(struct ct_global *g, int r, ctu_err_t *err)
{
	if (r < 0)
		return ct_report(g, err);
	return CTU_EXIT_OK;
}

/* An error a command goes on from: a warning, on stderr and in the log. */
void ct_report_warning(struct ct_global *g, ctu_err_t *err)
{
	char *msg = ctu_err_format(*err);

	ct_warn(g, "%s", msg ? msg : "out of memory");
	free(msg);
	ctu_err_free(err);
}

/* For commands whose only option is -h. */
static int no_option(int opt, const char *arg, void *ctx, ctu_err_t *err)
{
	(void)arg;
	(void)ctx;
	return ctu_err_usage(err, "invalid option -- '%c'", opt);
}

int cmd_lock_read(struct ct_global *g, const char *id, struct ct_state *st, ctu_err_t *err)
{
	int fd = ct_state_lock(g, id, err);

	memset(st, 0, sizeof(*st));
	if (fd < 0)
		return fd;
	if (ct_state_read_at(fd, id, st, err) < 0) {
		close(fd);
		return ctu_err_code(*err);
	}
	return fd;
}

int cmd_need_cgroup(const struct ct_state *st, ctu_err_t *err)
{
	if (st->cgroup)
		return 0;
	return ctu_err_make(err, 0, "container %s has no cgroup (made with --cgroup-manager disabled)",
			    st->id);
}

/* ---- state -------------------------------------------------------------------- */

/* The OCI state object of @st now, with its owner, as state and list print it. */
static json_t *state_object(struct ct_global *g, const struct ct_state *st)
{
	json_t *o = ct_state_oci(st, ct_status_of(g, st, NULL));
	char owner[256];

	if (o && !json_object_get(o, "owner")) {
		ct_state_owner(st, g->rootfd, owner, sizeof(owner));
		json_object_set_new(o, "owner", json_string(owner));
	}
	return o;
}

static const struct cmd_line state_line = {
	.usage = CTU_USAGE_HEADER " ctrun state <id>\n"
		 "\nThe state of a container as JSON (ociVersion, id, pid, status, bundle,\n"
		 "rootfs, created, owner, annotations); its status read live.\n"
		 "\n -h, --help                display this help\n",
	.min = 1, .max = 1, .operands = "container ID",
};

static int show_state(struct ct_global *g, const char *id, ctu_err_t *err)
{
	struct ct_state st;
	_cleanup_json_ json_t *o = NULL;
	_cleanup_free_ char *text = NULL;

	if (ct_state_read(g, id, &st, err) < 0)
		return ctu_err_code(*err);
	o = state_object(g, &st);
	text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	ct_state_free(&st);
	if (!text)
		return ctu_err_make(err, ENOMEM, "container %s", id);
	printf("%s\n", text);
	return 0;
}

int ct_cmd_state(struct ct_global *g, int argc, char **argv)
{
	ctu_err_t err = NULL;
	int first = 0, r = cmd_parse(&state_line, argc, argv, no_option, NULL, &first, &err);

	if (r == 0)
		r = show_state(g, argv[first], &err);
	return cmd_exit(g, r, &err);
}

/* ---- list --------------------------------------------------------------------- */

struct list_opts {
	bool json, quiet;
};

static int list_option(int opt, const char *arg, void *ctx, ctu_err_t *err)
{
	struct list_opts *o = ctx;

	if (opt == 'q') {
		o->quiet = true;
		return 0;
	}
	if (strcmp(arg, "json") != 0 && strcmp(arg, "table") != 0)
		return ctu_err_usage(err, "--format: '%s' is not table or json", arg);
	o->json = strcmp(arg, "json") == 0;
	return 0;
}

static const struct option list_longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cmd_line list_line = {
	.usage = CTU_USAGE_HEADER " ctrun list [options]\n"
		 "\nThe containers of --root: ID PID STATUS BUNDLE CREATED OWNER.\n"
		 CTU_USAGE_OPTIONS
		 " -f, --format table|json   the output format (default table)\n"
		 " -q, --quiet               only the IDs\n"
		 " -h, --help                display this help\n",
	.shortopts = "f:q", .longopts = list_longopts, .min = 0, .max = 0,
};

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Whether a directory entry of ROOT may be a container (the seccomp cache is not). */
static int is_container_entry(const struct dirent *e)
{
	ctu_err_t err = NULL;
	bool ok = (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) &&
		  ct_id_check(e->d_name, &err) == 0;

	ctu_err_free(&err);
	return ok;
}

/* Each container's state object into @arr; a broken one is a warning, as runc's. */
static void collect(struct ct_global *g, struct dirent **names, int n, json_t *arr)
{
	for (int i = 0; i < n; i++) {
		ctu_err_t err = NULL;
		struct ct_state st;

		char path[CT_ID_MAX + 16];

		/* a directory without state.json: a create just begun, or not a container */
		snprintf(path, sizeof(path), "%s/" CT_STATE_FILE, names[i]->d_name);
		if (faccessat(g->rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (ct_state_read(g, names[i]->d_name, &st, &err) < 0) {
			ct_report_warning(g, &err);
			continue;
		}
		json_array_append_new(arr, state_object(g, &st));
		ct_state_free(&st);
	}
}

static int print_table(json_t *arr, ctu_err_t *err)
{
	static const struct ctu_out_column cols[] = {
		{ "ID", 0.1, SCOLS_JSON_STRING, 0, NULL },     { "PID", 0.1, SCOLS_JSON_NUMBER, 0, NULL },
		{ "STATUS", 0.1, SCOLS_JSON_STRING, 0, NULL }, { "BUNDLE", 0.3, SCOLS_JSON_STRING, 0, NULL },
		{ "CREATED", 0.2, SCOLS_JSON_STRING, 0, NULL }, { "OWNER", 0.1, SCOLS_JSON_STRING, 0, NULL },
	};
	struct ctu_out_flags flags = { 0 };
	struct libscols_table *tb = ctu_out_table("containers", cols, CTU_ARRAY_SIZE(cols), &flags);
	size_t i;
	json_t *o;

	if (!tb)
		return ctu_err_make(err, ENOMEM, "list");
	json_array_foreach(arr, i, o) {
		char pid[24];
		const char *cells[6];

		snprintf(pid, sizeof(pid), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(o, "pid")));
		cells[0] = json_string_value(json_object_get(o, "id"));
		cells[1] = pid;
		cells[2] = json_string_value(json_object_get(o, "status"));
		cells[3] = json_string_value(json_object_get(o, "bundle"));
		cells[4] = json_string_value(json_object_get(o, "created"));
		cells[5] = json_string_value(json_object_get(o, "owner"));
		if (ctu_out_line(tb, cells, 6) < 0) {
			scols_unref_table(tb);
			return ctu_err_make(err, ENOMEM, "list");
		}
	}
	return ctu_out_print(tb) < 0 ? ctu_err_errno(err, "list: cannot write") : 0;
}

static int print_list(json_t *arr, const struct list_opts *o, ctu_err_t *err)
{
	size_t i;
	json_t *v;

	if (o->quiet) {
		json_array_foreach(arr, i, v)
			printf("%s\n", json_string_value(json_object_get(v, "id")));
		return 0;
	}
	if (!o->json)
		return print_table(arr, err);
	if (json_array_size(arr) == 0) {
		puts("null"); /* runc's (a nil slice), which go-runc reads as no containers */
		return 0;
	}
	{
		_cleanup_free_ char *text = json_dumps(arr, JSON_COMPACT);

		if (!text)
			return ctu_err_make(err, ENOMEM, "list");
		printf("%s\n", text);
	}
	return 0;
}

static int list_all(struct ct_global *g, const struct list_opts *o, ctu_err_t *err)
{
	_cleanup_json_ json_t *arr = json_array();
	struct dirent **names = NULL;
	char self[32];
	int rootfd = ct_root_open(g, err), n, r;

	if (rootfd < 0)
		return rootfd;
	if (!arr)
		return ctu_err_make(err, ENOMEM, "list");
	snprintf(self, sizeof(self), "/proc/self/fd/%d", rootfd);
	n = scandir(self, &names, is_container_entry, by_name);
	if (n < 0)
		return ctu_err_errno(err, "cannot read --root %s", g->root);
	collect(g, names, n, arr);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	r = print_list(arr, o, err);
	return r;
}

int ct_cmd_list(struct ct_global *g, int argc, char **argv)
{
	struct list_opts o = { 0 };
	ctu_err_t err = NULL;
	int first = 0, r = cmd_parse(&list_line, argc, argv, list_option, &o, &first, &err);

	if (r == 0)
		r = list_all(g, &o, &err);
	return cmd_exit(g, r, &err);
}

/* ---- kill --------------------------------------------------------------------- */

static int kill_option(int opt, const char *arg, void *ctx, ctu_err_t *err)
{
	(void)arg;
	(void)err;
	*(bool *)ctx = opt == 'a';
	return 0;
}

static const struct option kill_longopts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cmd_line kill_line = {
	.usage = CTU_USAGE_HEADER " ctrun kill [options] <id> [<signal>]\n"
		 "\nSend a signal (default SIGTERM; a name, with or without SIG, or a number)\n"
		 "to the container's init, through a pidfd of the very process.\n"
		 CTU_USAGE_OPTIONS
		 " -a, --all                 to every process of its cgroup (cgctl kill -r)\n"
		 " -h, --help                display this help\n",
	.shortopts = "a", .longopts = kill_longopts, .min = 1, .max = 2,
	.operands = "container ID",
};

/* The signal of the command line: a usage error for an unknown one. */
static int parse_kill_signal(const char *s, int *sig, ctu_err_t *err)
{
	if (!s) {
		*sig = SIGTERM;
		return 0;
	}
	if (ctu_parse_signal(s, sig) < 0)
		return ctu_err_usage(err, "unknown signal '%s'", s);
	return 0;
}

/* Every process of the cgroup (--all), as `cgctl kill -r -s SIG`. */
static int kill_cgroup(struct ct_global *g, const struct ct_state *st, int sig, ctu_err_t *err)
{
	char num[16];
	char *argv[] = { "cgctl", "kill", "-r", "-s", num, (char *)st->cgroup, NULL };

	if (cmd_need_cgroup(st, err) < 0)
		return ctu_err_code(*err);
	snprintf(num, sizeof(num), "%d", sig);
	if (ct_tool_run(g, argv, err) < 0)
		return ctu_err_wrap(err, "container %s", st->id);
	return 0;
}

/* The init, through the pidfd ct_status_of() checked (kill(2) only without pidfds). */
static int signal_init(const struct ct_state *st, int pidfd, int sig, ctu_err_t *err)
{
	int r = pidfd >= 0 ? ctu_pidfd_send_signal(pidfd, sig) : kill(st->pid, sig);

	if (r < 0 && errno != ESRCH)
		return ctu_err_errno(err, "container %s: cannot signal its init %d", st->id,
				     (int)st->pid);
	return 0;
}

static int thaw(struct ct_global *g, const struct ct_state *st, ctu_err_t *err)
{
	char *argv[] = { "cgctl", "thaw", (char *)st->cgroup, NULL };

	return ct_tool_run(g, argv, err);
}

static int do_kill(struct ct_global *g, const struct ct_state *st, int sig, bool all,
		   ctu_err_t *err)
{
	_cleanup_close_ int pidfd = -1;
	enum ct_status s = ct_status_of(g, st, &pidfd);

	if (s == CT_STOPPED || s == CT_CREATING) {
		/* runc: leftovers of a stopped container's cgroup may still be signalled */
		if (all && s == CT_STOPPED && ct_cgroup_exists(st->cgroup))
			return kill_cgroup(g, st, sig, err);
		if (all && s == CT_STOPPED)
			return 0;
		return ctu_err_make(err, 0, "container %s is not running", st->id);
	}
	if (all)
		return kill_cgroup(g, st, sig, err);
	if (signal_init(st, pidfd, sig, err) < 0)
		return ctu_err_code(*err);
	/* a frozen v1 cgroup holds even SIGKILL until it is thawed (runc) */
	if (s == CT_PAUSED && sig == SIGKILL && thaw(g, st, err) < 0)
		return ctu_err_wrap(err, "container %s", st->id);
	return 0;
}

static int kill_container(struct ct_global *g, const char *id, const char *signame, bool all,
			  ctu_err_t *err)
{
	_cleanup_close_ int dirfd = -1;
	struct ct_state st;
	int sig, r;

	if (ct_id_check(id, err) < 0 || parse_kill_signal(signame, &sig, err) < 0)
		return ctu_err_code(*err);
	dirfd = cmd_lock_read(g, id, &st, err);
	if (dirfd < 0)
		return dirfd;
	r = do_kill(g, &st, sig, all, err);
	ct_state_free(&st);
	return r;
}

int ct_cmd_kill(struct ct_global *g, int argc, char **argv)
{
	ctu_err_t err = NULL;
	bool all = false;
	int first = 0, r = cmd_parse(&kill_line, argc, argv, kill_option, &all, &first, &err);

	if (r == 0)
		r = kill_container(g, argv[first], argc - first > 1 ? argv[first + 1] : NULL, all,
				   &err);
	return cmd_exit(g, r, &err);
}

/* ---- delete ------------------------------------------------------------------- */

static const struct option delete_longopts[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct cmd_line delete_line = {
	.usage = CTU_USAGE_HEADER " ctrun delete [options] <id>\n"
		 "\nRemove a stopped or created container: its cgroup (if ctrun made it), its\n"
		 "state, then its poststop hooks.\n"
		 CTU_USAGE_OPTIONS
		 " -f, --force               a running or paused one too: kill it first\n"
		 " -h, --help                display this help\n",
	.shortopts = "f", .longopts = delete_longopts, .min = 1, .max = 1,
	.operands = "container ID",
};

/* Until the init has exited (its pidfd readable), at most KILL_WAIT_MS. */
static int wait_exit(const struct ct_state *st, int pidfd, ctu_err_t *err)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;

	if (pidfd < 0)
		return 0;
	while ((r = poll(&p, 1, KILL_WAIT_MS)) < 0)
		if (errno != EINTR)
			return ctu_err_errno(err, "container %s: cannot wait for its init", st->id);
	if (r == 0)
		return ctu_err_make(err, 0, "container %s: its init %d is still running after SIGKILL",
				    st->id, (int)st->pid);
	return 0;
}

/* Created, or running with --force: SIGKILL to all of it, then wait for the init. */
static int kill_for_delete(struct ct_global *g, const struct ct_state *st, int pidfd,
			   enum ct_status s, ctu_err_t *err)
{
	if (s != CT_CREATED && st->cgroup && ct_cgroup_exists(st->cgroup) &&
	    kill_cgroup(g, st, SIGKILL, err) < 0)
		return ctu_err_code(*err);
	if (signal_init(st, pidfd, SIGKILL, err) < 0)
		return ctu_err_code(*err);
	if (s == CT_PAUSED && thaw(g, st, err) < 0)
		ctu_err_free(err); /* cgroup.kill needs no thaw; v1's freezer does, if it can */
	return wait_exit(st, pidfd, err);
}

/* The cgroup ctrun made (never an ancestor, never one that was there before). */
static int remove_cgroup(const struct ct_state *st, ctu_err_t *err)
{
	if (!st->cgroup_made || !st->cgroup)
		return 0;
	if (ct_cgroup_remove(st->cgroup, true, err) < 0)
		return ctu_err_wrap(err, "container %s", st->id);
	return 0;
}

static void run_poststop(struct ct_global *g, const struct ct_state *st)
{
	json_t *hooks = json_object_get(st->doc, "hooks");
	_cleanup_json_ json_t *o = NULL;
	_cleanup_free_ char *text = NULL;
	ctu_err_t err = NULL;

	if (json_array_size(json_object_get(hooks, "poststop")) == 0)
		return;
	o = ct_state_oci(st, CT_STOPPED);
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	/* runtime-spec: a failing poststop hook is only a warning */
	if (!text || ct_hooks_run(g, hooks, "poststop", text, st->bundle, 0, false, &err) < 0) {
		ct_warn(g, "container %s: poststop: %s", st->id, err && err->msg ? err->msg : "");
		ctu_err_free(&err);
	}
}

static int destroy(struct ct_global *g, const struct ct_state *st, ctu_err_t *err)
{
	int r;

	if (ct_in_place_release(st->rootfs, &st->in_place, err) < 0)
		return ctu_err_wrap(err, "container %s", st->id);
	if (remove_cgroup(st, err) < 0)
		return ctu_err_code(*err);
	r = ctu_tree_remove(g->rootfd, st->id);
	if (r < 0)
		return ctu_err_make(err, -r, "container %s: cannot remove its state directory", st->id);
	run_poststop(g, st);
	return 0;
}

static int delete_state(struct ct_global *g, const struct ct_state *st, bool force,
			ctu_err_t *err)
{
	_cleanup_close_ int pidfd = -1;
	enum ct_status s = ct_status_of(g, st, &pidfd);

	if ((s == CT_RUNNING || s == CT_PAUSED || s == CT_CREATING) && !force)
		return ctu_err_make(err, 0, "container %s is %s: use --force", st->id,
				    ct_status_name(s));
	if (s != CT_STOPPED && kill_for_delete(g, st, pidfd, s, err) < 0)
		return ctu_err_code(*err);
	return destroy(g, st, err);
}

/*
 * A directory without state.json is a create that died before writing it
 * (a live one holds the lock we got): removed, as runc does, and still
 * "does not exist" unless --force.
 */
static int delete_leftover(struct ct_global *g, int dirfd, const char *id, bool force,
			   ctu_err_t *err)
{
	if (faccessat(dirfd, CT_STATE_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
		return ctu_err_code(*err);
	ctu_tree_remove(g->rootfd, id);
	if (!force)
		return ctu_err_code(*err);
	ctu_err_free(err);
	return 0;
}

/* Whether ROOT/ID is simply not there (a valid ID, a readable root). */
static bool container_absent(struct ct_global *g, const char *id)
{
	ctu_err_t e = NULL;
	int rootfd = ct_id_check(id, &e) < 0 ? -1 : ct_root_open(g, &e);
	bool absent = rootfd >= 0 && faccessat(rootfd, id, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
		      errno == ENOENT;

	ctu_err_free(&e);
	return absent;
}

static int delete_container(struct ct_global *g, const char *id, bool force, ctu_err_t *err)
{
	_cleanup_close_ int dirfd = ct_state_lock(g, id, err);
	struct ct_state st;
	int r;

	/*
	 * --force of a container that is not there (any more) is done, as with
	 * runc: podman deletes after a create that failed and rolled back.
	 */
	if (dirfd < 0 && force && container_absent(g, id)) {
		ctu_err_free(err);
		return 0;
	}
	if (dirfd < 0)
		return dirfd;
	if (ct_state_read_at(dirfd, id, &st, err) < 0)
		return delete_leftover(g, dirfd, id, force, err);
	r = delete_state(g, &st, force, err);
	ct_state_free(&st);
	return r;
}

static int delete_option(int opt, const char *arg, void *ctx, ctu_err_t *err)
{
	(void)arg;
	(void)err;
	*(bool *)ctx = opt == 'f';
	return 0;
}

int ct_cmd_delete(struct ct_global *g, int argc, char **argv)
{
	ctu_err_t err = NULL;
	bool force = false;
	int first = 0, r = cmd_parse(&delete_line, argc, argv, delete_option, &force, &first, &err);

	if (r == 0)
		r = delete_container(g, argv[first], force, &err);
	if (r == 0 && strcmp(g->cmd, "delete") == 0)
		ct_phase(g, "deleted");
	return cmd_exit(g, r, &err);
}
