// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inspect_proc.c - the process, ns, userns, security and tree sections.
 *
 * All of them read files of /proc/PID through the target's /proc directory
 * fd (and /proc itself as its "..", so that a second /proc mount cannot mix
 * in another pid namespace's view).  Text a process controls (its comm, its
 * arguments) goes through ctu_json_text(): it may be any bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "nsenter-lite.h"

/* More than any status, map or children file; cmdline may be as long as ARG_MAX allows. */
#define PROC_FILE_MAX ((size_t)4 << 20)
/* The tree: how deep and how many processes, against a fork bomb's chain. */
#define TREE_MAX_DEPTH 256
#define TREE_MAX_NODES 65536
/* At most this many of a namespace's outside sharers are named. */
#define NS_OTHERS_MAX 8

static void free_charp(char **p)
{
	free(*p);
}
#define _cleanup_str_ __attribute__((cleanup(free_charp)))

static void close_fdp(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_fd_ __attribute__((cleanup(close_fdp)))

/* All of @name below @dirfd (a /proc/PID directory of @pid), NUL-terminated. */
static int read_proc(int dirfd, pid_t pid, const char *name, char **out, size_t *len,
		     ctu_err_t *err)
{
	_cleanup_fd_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char what[320];

	snprintf(what, sizeof(what), "/proc/%d/%s", (int)pid, name);
	if (fd < 0)
		return ctu_err_errno(err, "cannot read %s", what);
	return ctu_json_read_fd(fd, PROC_FILE_MAX, what, out, len, err);
}

/* The value of "KEY:\t..." in a status file, up to the line's end, or NULL. */
static const char *status_value(const char *status, const char *key, size_t *len)
{
	size_t klen = strlen(key);

	for (const char *line = status; *line;) {
		const char *end = strchrnul(line, '\n');

		if (!strncmp(line, key, klen) && line[klen] == ':') {
			const char *v = line + klen + 1;

			v += strspn(v, " \t");
			*len = (size_t)(end - v);
			return v;
		}
		line = *end ? end + 1 : end;
	}
	return NULL;
}

/* A status field's numbers (in @base), as an array; null when absent or not numbers. */
static json_t *status_numbers(const char *status, const char *key, int base)
{
	size_t len = 0;
	const char *v = status_value(status, key, &len), *end;
	json_t *arr;

	if (!v)
		return json_null();
	end = v + len;
	arr = json_array();
	while (arr && v < end) {
		char *next;
		unsigned long long n;

		errno = 0;
		n = strtoull(v, &next, base);
		if (next == v || errno || next > end) {
			json_decref(arr);
			return json_null();
		}
		json_array_append_new(arr, json_integer((json_int_t)n));
		v = next + strspn(next, " \t");
	}
	return arr;
}

/* The last number of a status field (NSpid's: the PID in its own namespace), or null. */
static json_t *status_last_number(const char *status, const char *key)
{
	json_t *arr = status_numbers(status, key, 10), *last;
	size_t n = json_array_size(arr);

	last = n ? json_incref(json_array_get(arr, n - 1)) : json_null();
	json_decref(arr);
	return last;
}

static json_t *status_string(const char *status, const char *key)
{
	size_t len = 0;
	const char *v = status_value(status, key, &len);

	return v ? ctu_json_text(v, len) : json_null();
}

/* The comm, without the newline the kernel ends it with (a comm may hold one of its own). */
static json_t *comm_at(int dirfd, pid_t pid, ctu_err_t *err)
{
	_cleanup_str_ char *buf = NULL;
	size_t len = 0;

	if (read_proc(dirfd, pid, "comm", &buf, &len, err) < 0)
		return NULL;
	if (len && buf[len - 1] == '\n')
		len--;
	return ctu_json_text(buf, len);
}

/* The arguments, NUL-separated in the file (a kernel thread has none). */
static json_t *cmdline_at(int dirfd, pid_t pid, ctu_err_t *err)
{
	_cleanup_str_ char *buf = NULL;
	size_t len = 0, i = 0;
	json_t *arr;

	if (read_proc(dirfd, pid, "cmdline", &buf, &len, err) < 0)
		return NULL;
	arr = json_array();
	while (arr && i < len) {
		size_t n = strnlen(buf + i, len - i);

		json_array_append_new(arr, ctu_json_text(buf + i, n));
		i += n + 1;
	}
	return arr;
}

static json_t *exe_at(int dirfd)
{
	char buf[4096];
	ssize_t n = readlinkat(dirfd, "exe", buf, sizeof(buf));

	/* a kernel thread has none; another user's needs ptrace rights */
	if (n < 0 || (size_t)n >= sizeof(buf))
		return json_null();
	return ctu_json_text(buf, (size_t)n);
}

static json_t *container_of(const struct inspect_target *t)
{
	const struct container *c = t->container;

	if (!c)
		return json_null();
	return json_pack("{s:s,s:o}", "source", state_source_names[c->source], "id",
			 ctu_json_text(c->id, strlen(c->id)));
}

static json_t *pidfs_inode_of(const struct inspect_target *t)
{
	uint64_t ino;

	if (t->pidfd < 0 || ctu_pidfd_inode(t->pidfd, &ino) < 0)
		return json_null();
	return json_integer((json_int_t)ino);
}

static json_t *pidref_of(const struct inspect_target *t, uint64_t start)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d@%" PRIu64, (int)t->ref.pid, start);
	return json_string(buf);
}

/* What status says of the process's place and identity. */
static int process_status(json_t *obj, int procfd, pid_t pid, ctu_err_t *err)
{
	_cleanup_str_ char *status = NULL;
	size_t len = 0;

	if (read_proc(procfd, pid, "status", &status, &len, err) < 0)
		return -1;
	json_object_set_new(obj, "ns_pid", status_last_number(status, "NSpid"));
	json_object_set_new(obj, "ppid", status_last_number(status, "PPid"));
	json_object_set_new(obj, "state", status_string(status, "State"));
	json_object_set_new(obj, "uid", status_numbers(status, "Uid", 10));
	json_object_set_new(obj, "gid", status_numbers(status, "Gid", 10));
	json_object_set_new(obj, "groups", status_numbers(status, "Groups", 10));
	return 0;
}

json_t *inspect_process(const struct inspect_target *t, ctu_err_t *err)
{
	_cleanup_json_ json_t *obj = json_object();
	json_t *comm, *cmdline;
	uint64_t start;
	int r;

	r = ctu_proc_start_time_at(t->procfd, &start);
	if (r < 0) {
		ctu_err_make(err, -r, "cannot read /proc/%d/stat", (int)t->ref.pid);
		return NULL;
	}
	comm = comm_at(t->procfd, t->ref.pid, err);
	cmdline = comm ? cmdline_at(t->procfd, t->ref.pid, err) : NULL;
	if (!obj || !comm || !cmdline) {
		json_decref(comm);
		return NULL;
	}
	json_object_set_new(obj, "pid", json_integer(t->ref.pid));
	json_object_set_new(obj, "pidref", pidref_of(t, start));
	json_object_set_new(obj, "pidfs_inode", pidfs_inode_of(t));
	json_object_set_new(obj, "container", container_of(t));
	json_object_set_new(obj, "comm", comm);
	json_object_set_new(obj, "exe", exe_at(t->procfd));
	json_object_set_new(obj, "cmdline", cmdline);
	if (process_status(obj, t->procfd, t->ref.pid, err) < 0)
		return NULL;
	json_object_set_new(obj, "start_time", json_integer((json_int_t)start));
	return json_incref(obj);
}

/* ---- ns: one walk over the ns files of every process in /proc ---- */

/* One namespace of the target, and who else is in it. */
struct ns_entry {
	bool present;	    /* the kernel has the type */
	struct stat st;	    /* the target's nsfs inode */
	json_t *host;	    /* true/false, or null when PID 1's cannot be read */
	json_int_t nprocs;  /* as lsns counts: processes, not threads */
	json_t *others;	    /* at most NS_OTHERS_MAX {pid, comm} */
	json_int_t n_other; /* all of them */
};

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

static int pid_index(void)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (ctu_ns_types[i].clone_flag == CLONE_NEWPID)
			return (int)i;
	return 0;
}

/* The namespace files of the process whose /proc directory is @dirfd (present[i] if read). */
static void ns_stats(int dirfd, struct stat *st, bool *present)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		char path[32];

		snprintf(path, sizeof(path), "ns/%s", ctu_ns_types[i].name);
		present[i] = fstatat(dirfd, path, &st[i], 0) == 0;
	}
}

static void ns_note_other(struct ns_entry *e, int dirfd, pid_t pid)
{
	ctu_err_t err = NULL;
	json_t *comm;

	e->n_other++;
	if (json_array_size(e->others) >= NS_OTHERS_MAX)
		return;
	comm = comm_at(dirfd, pid, &err);
	ctu_err_free(&err);
	json_array_append_new(e->others, json_pack("{s:I,s:o}", "pid", (json_int_t)pid, "comm",
						   comm ? comm : json_null()));
}

/* One process of the walk, counted into every namespace it shares with the target. */
static void ns_count_process(struct ns_entry *e, int procroot, const char *name)
{
	_cleanup_fd_ int dirfd = openat(procroot, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st[CTU_NS_COUNT];
	bool present[CTU_NS_COUNT];
	int pidi = pid_index();
	bool outside;

	if (dirfd < 0)
		return; /* gone meanwhile */
	ns_stats(dirfd, st, present);
	outside = !present[pidi] || !same_inode(&st[pidi], &e[pidi].st);
	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		if (!e[i].present || !present[i] || !same_inode(&st[i], &e[i].st))
			continue;
		e[i].nprocs++;
		if (outside)
			ns_note_other(&e[i], dirfd, (pid_t)atoi(name));
	}
}

static int ns_walk(struct ns_entry *e, int procroot, ctu_err_t *err)
{
	int fd = openat(procroot, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return ctu_err_errno(err, "cannot list /proc");
	}
	while ((de = readdir(dir)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			ns_count_process(e, procroot, de->d_name);
	closedir(dir);
	return 0;
}

/* The target's namespaces, and whether each is our PID 1's. */
static int ns_entries_init(struct ns_entry *e, const struct inspect_target *t, int procroot)
{
	struct stat init[CTU_NS_COUNT];
	bool init_present[CTU_NS_COUNT], present[CTU_NS_COUNT];
	struct stat st[CTU_NS_COUNT];
	_cleanup_fd_ int initfd = openat(procroot, "1", O_PATH | O_DIRECTORY | O_CLOEXEC);

	ns_stats(t->procfd, st, present);
	if (initfd >= 0)
		ns_stats(initfd, init, init_present);
	else
		memset(init_present, 0, sizeof(init_present));
	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		e[i] = (struct ns_entry){ .present = present[i], .st = st[i] };
		e[i].host =
		    init_present[i] ? json_boolean(same_inode(&st[i], &init[i])) : json_null();
		e[i].others = json_array();
		if (!e[i].others)
			return -ENOMEM;
	}
	/* what the ns files of a process we may not read give */
	if (!present[pid_index()])
		return fstatat(t->procfd, "ns/pid", &st[0], 0) < 0 ? -errno : -EIO;
	return 0;
}

static json_t *ns_entries_json(struct ns_entry *e)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < CTU_NS_COUNT; i++) {
		if (!e[i].present)
			continue; /* a type this kernel lacks */
		json_array_append_new(arr, json_pack("{s:s,s:I,s:O,s:I,s:O,s:I}", "type",
						     ctu_ns_types[i].name, "inode",
						     (json_int_t)e[i].st.st_ino, "host", e[i].host,
						     "nprocs", e[i].nprocs, "others", e[i].others,
						     "others_count", e[i].n_other));
	}
	return arr;
}

static void ns_entries_free(struct ns_entry *e)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++) {
		json_decref(e[i].host);
		json_decref(e[i].others);
	}
}

json_t *inspect_ns(const struct inspect_target *t, ctu_err_t *err)
{
	_cleanup_fd_ int procroot = openat(t->procfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct ns_entry e[CTU_NS_COUNT] = { 0 };
	json_t *arr = NULL;
	int r;

	if (procroot < 0) {
		ctu_err_errno(err, "cannot open /proc");
		return NULL;
	}
	r = ns_entries_init(e, t, procroot);
	if (r < 0)
		ctu_err_make(err, -r, "cannot read /proc/%d/ns", (int)t->ref.pid);
	else if (ns_walk(e, procroot, err) == 0)
		arr = ns_entries_json(e);
	ns_entries_free(e);
	return arr;
}

/* ---- userns ---- */

/* uid_map, gid_map: a [inside, outside, count] per line. */
static json_t *id_map_at(int procfd, pid_t pid, const char *name, ctu_err_t *err)
{
	_cleanup_str_ char *buf = NULL;
	size_t len = 0;
	json_t *arr;
	char *line, *save = NULL;

	if (read_proc(procfd, pid, name, &buf, &len, err) < 0)
		return NULL;
	arr = json_array();
	for (line = strtok_r(buf, "\n", &save); arr && line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long in, out, count;

		if (sscanf(line, "%llu %llu %llu", &in, &out, &count) != 3) {
			json_decref(arr);
			ctu_err_make(err, EPROTO, "/proc/%d/%s: unexpected line", (int)pid, name);
			return NULL;
		}
		json_array_append_new(
		    arr, json_pack("[I,I,I]", (json_int_t)in, (json_int_t)out, (json_int_t)count));
	}
	return arr;
}

static json_t *setgroups_at(int procfd, pid_t pid, ctu_err_t *err)
{
	_cleanup_str_ char *buf = NULL;
	size_t len = 0;

	if (read_proc(procfd, pid, "setgroups", &buf, &len, err) < 0)
		return NULL;
	return ctu_json_text(buf, strcspn(buf, "\n"));
}

/* The inode and the owner (NS_GET_OWNER_UID, Linux 4.11) of the user namespace. */
static int userns_owner(json_t *obj, const struct inspect_target *t, ctu_err_t *err)
{
	_cleanup_fd_ int fd = openat(t->procfd, "ns/user", O_RDONLY | O_CLOEXEC);
	struct stat st;
	uid_t uid;

	if (fd < 0 || fstat(fd, &st) < 0)
		return ctu_err_errno(err, "cannot open /proc/%d/ns/user", (int)t->ref.pid);
	json_object_set_new(obj, "inode", json_integer((json_int_t)st.st_ino));
	json_object_set_new(obj, "owner_uid",
			    ioctl(fd, NS_GET_OWNER_UID, &uid) == 0 ? json_integer(uid)
								   : json_null());
	return 0;
}

json_t *inspect_userns(const struct inspect_target *t, ctu_err_t *err)
{
	_cleanup_json_ json_t *obj = json_object();
	json_t *uid_map, *gid_map, *setgroups;

	if (!obj || userns_owner(obj, t, err) < 0)
		return NULL;
	uid_map = id_map_at(t->procfd, t->ref.pid, "uid_map", err);
	if (!uid_map)
		return NULL;
	json_object_set_new(obj, "uid_map", uid_map);
	gid_map = id_map_at(t->procfd, t->ref.pid, "gid_map", err);
	if (!gid_map)
		return NULL;
	json_object_set_new(obj, "gid_map", gid_map);
	setgroups = setgroups_at(t->procfd, t->ref.pid, err);
	if (!setgroups)
		return NULL;
	json_object_set_new(obj, "setgroups", setgroups);
	return json_incref(obj);
}

/* ---- security ---- */

/* A Cap* field of status (hex) as libcap's names, lowest first. */
static json_t *cap_names(const char *status, const char *key, ctu_err_t *err)
{
	size_t len = 0;
	const char *v = status_value(status, key, &len);
	char *end;
	uint64_t mask;
	json_t *arr;

	if (!v) {
		ctu_err_make(err, EPROTO, "status has no %s", key);
		return NULL;
	}
	errno = 0;
	mask = strtoull(v, &end, 16);
	if (errno || end == v) {
		ctu_err_make(err, EPROTO, "status: %s: not a capability set", key);
		return NULL;
	}
	arr = json_array();
	for (unsigned int i = 0; arr && i < 64; i++) {
		char *name;

		if (!(mask & (UINT64_C(1) << i)))
			continue;
		name = cap_to_name((cap_value_t)i); /* "cap_chown", or "40" when unnamed */
		json_array_append_new(arr, json_string(name ? name : "?"));
		cap_free(name);
	}
	return arr;
}

static const char *const seccomp_modes[] = { "disabled", "strict", "filter" };

static json_t *seccomp_mode(const char *status)
{
	size_t len = 0;
	const char *v = status_value(status, "Seccomp", &len);

	if (!v || len != 1 || *v < '0' || *v > '2')
		return json_null();
	return json_string(seccomp_modes[*v - '0']);
}

json_t *inspect_security(const struct inspect_target *t, ctu_err_t *err)
{
	static const char *const sets[][2] = {
		{ "cap_effective", "CapEff" },	 { "cap_permitted", "CapPrm" },
		{ "cap_inheritable", "CapInh" }, { "cap_bounding", "CapBnd" },
		{ "cap_ambient", "CapAmb" },
	};
	_cleanup_str_ char *status = NULL;
	_cleanup_json_ json_t *obj = json_object();
	json_t *nnp, *filters;
	size_t len = 0;

	if (!obj || read_proc(t->procfd, t->ref.pid, "status", &status, &len, err) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		json_t *names = cap_names(status, sets[i][1], err);

		if (!names)
			return NULL;
		json_object_set_new(obj, sets[i][0], names);
	}
	nnp = status_last_number(status, "NoNewPrivs");
	json_object_set_new(obj, "no_new_privs",
			    json_is_integer(nnp) ? json_boolean(json_integer_value(nnp))
						 : json_null());
	json_decref(nnp);
	json_object_set_new(obj, "seccomp", seccomp_mode(status));
	/* Linux 5.9: absent before, then null */
	filters = status_last_number(status, "Seccomp_filters");
	json_object_set_new(obj, "seccomp_filters", filters);
	return json_incref(obj);
}

/* ---- tree: the target and its descendants ---- */

struct tree_walk {
	int procroot;
	size_t nodes;
};

static json_t *tree_node(struct tree_walk *w, int dirfd, pid_t pid, int depth, ctu_err_t *err);

/* One task's children file: each child's node appended to @children. */
static void tree_task_children(struct tree_walk *w, int dirfd, pid_t pid, const char *tid,
			       json_t *children, int depth)
{
	_cleanup_str_ char *buf = NULL;
	char path[300];
	size_t len = 0;
	ctu_err_t err = NULL;

	snprintf(path, sizeof(path), "task/%.255s/children", tid);
	if (read_proc(dirfd, pid, path, &buf, &len, &err) < 0) {
		ctu_err_free(&err); /* the thread ended meanwhile */
		return;
	}
	for (char *p = buf, *end; *p; p = end) {
		long child = strtol(p, &end, 10);
		char name[16];
		_cleanup_fd_ int cfd = -1;
		json_t *node;

		if (end == p)
			break;
		snprintf(name, sizeof(name), "%ld", child);
		cfd = openat(w->procroot, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		node = cfd >= 0 ? tree_node(w, cfd, (pid_t)child, depth + 1, &err) : NULL;
		ctu_err_free(&err); /* a child that exited meanwhile is left out */
		if (node)
			json_array_append_new(children, node);
	}
}

/* Every thread's children (a child's parent may be any thread of the process). */
static json_t *tree_children(struct tree_walk *w, int dirfd, pid_t pid, int depth)
{
	json_t *children = json_array();
	int fd = openat(dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return children;
	}
	while (children && (de = readdir(dir)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			tree_task_children(w, dirfd, pid, de->d_name, children, depth);
	closedir(dir);
	return children;
}

static json_t *tree_node(struct tree_walk *w, int dirfd, pid_t pid, int depth, ctu_err_t *err)
{
	_cleanup_str_ char *status = NULL;
	_cleanup_json_ json_t *node = json_object();
	json_t *comm, *cmdline;
	size_t len = 0;

	if (!node || read_proc(dirfd, pid, "status", &status, &len, err) < 0)
		return NULL;
	comm = comm_at(dirfd, pid, err);
	if (!comm)
		return NULL;
	cmdline = cmdline_at(dirfd, pid, err);
	if (!cmdline) {
		json_decref(comm);
		return NULL;
	}
	w->nodes++;
	json_object_set_new(node, "pid", json_integer(pid));
	json_object_set_new(node, "ns_pid", status_last_number(status, "NSpid"));
	json_object_set_new(node, "comm", comm);
	json_object_set_new(node, "cmdline", cmdline);
	json_object_set_new(node, "children",
			    depth < TREE_MAX_DEPTH && w->nodes < TREE_MAX_NODES
				? tree_children(w, dirfd, pid, depth)
				: json_array());
	return json_incref(node);
}

json_t *inspect_tree(const struct inspect_target *t, ctu_err_t *err)
{
	struct tree_walk w = { .procroot = -1 };
	json_t *root, *arr;

	w.procroot = openat(t->procfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w.procroot < 0) {
		ctu_err_errno(err, "cannot open /proc");
		return NULL;
	}
	root = tree_node(&w, t->procfd, t->ref.pid, 0, err);
	close(w.procroot);
	if (!root)
		return NULL;
	arr = json_array();
	json_array_append_new(arr, root);
	return arr;
}
