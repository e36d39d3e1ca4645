// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * chain_pivot.c - the chain's last tool and the process it executes:
 *
 *	pivot ROOTFS --propagation slave [--no-pivot] [--force | --in-place] MOUNTS DEVICES
 *	    --mkdir CWD --mask P --readonly-path P [--readonly] -w CWD
 *	    PROCESS OPTIONS -- ARGS
 *
 * The process options (credentials, caps, rlimits, seccomp, env, console,
 * sync) are lib/procopt's, the same on nsenter-lite for exec: after
 * pivot_root only the container's files can be executed, so they sit on
 * the last tool.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "chain.h"
#include "ctu.h"
#include "mnt.h"
#include "procopt.h"

/* ---- HOME ---- */

/* The home field of @uid's line in passwd text @f, or NULL. */
static char *passwd_home(FILE *f, uid_t uid)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, lines = 0;

	/* bounded: a hostile image's passwd is not read forever */
	while (lines++ < 100000 && getline(&line, &cap, f) > 0) {
		char *field[7] = { 0 }, *p = line, *end;
		size_t n = 0;
		unsigned long id;

		line[strcspn(line, "\n")] = '\0';
		while (n < 7 && p) {
			field[n++] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (n < 6 || !*field[2])
			continue;
		errno = 0;
		id = strtoul(field[2], &end, 10);
		if (!errno && !*end && id == uid && *field[5])
			return strdup(field[5]);
	}
	return NULL;
}

char *ct_home_at(int rootfd, uid_t uid)
{
	_cleanup_close_ int fd = ctu_openat2(rootfd, "etc/passwd", O_RDONLY | O_NOCTTY | O_NONBLOCK,
					     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	_cleanup_fclose_ FILE *f = NULL;
	struct stat st;
	char *home = NULL;

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		int raw = ctu_steal_fd(&fd);

		f = fdopen(raw, "r");
		if (f)
			home = passwd_home(f, uid);
		else
			close(raw);
	}
	return home ? home : strdup("/");
}

char *ct_home_of(const char *rootfs, uid_t uid)
{
	_cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return rootfd < 0 ? strdup("/") : ct_home_at(rootfd, uid);
}

/* ---- the process ---- */

static void user_words(struct ct_build *b, json_t *user)
{
	uint64_t uid = 0, gid = 0, umask_v;
	json_t *groups = ct_j(user, "additionalGids"), *g;
	size_t i;

	ct_ju(user, "uid", &uid);
	ct_ju(user, "gid", &gid);
	ct_wopt_u(b, "-S", uid);
	ct_wopt_u(b, "-G", gid);
	if (json_array_size(groups)) {
		_cleanup_free_ char *list = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&list, &len);

		if (!f) {
			b->nomem = true;
			return;
		}
		json_array_foreach (groups, i, g)
			fprintf(f, "%s%" JSON_INTEGER_FORMAT, i ? "," : "", json_integer_value(g));
		if (fclose(f) != 0)
			b->nomem = true;
		else
			ct_wopt(b, "--groups", list);
	}
	if (!ct_ju(user, "umask", &umask_v))
		umask_v = 022;
	ct_w(b, "--umask");
	ct_wf(b, "%04" PRIo64, umask_v & 07777);
}

static int cap_last(void)
{
	char buf[16] = "";
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC), last = 40;

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			last = atoi(buf);
		close(fd);
	}
	return last;
}

/* A capability the kernel knows ("CAP_CHOWN"); others are left out (runc 1.1; config warns). */
static bool known_cap(const char *name, int last)
{
	ctu_capmask one = 0;
	const char *bad;
	size_t bad_len;

	if (strncmp(name, "CAP_", 4) != 0 || strchr(name, ',') || !strcmp(name + 4, "ALL") ||
	    ctu_caps_parse(name, &one, &bad, &bad_len) < 0)
		return false;
	return last >= 63 || !(one >> (last + 1));
}

static bool in_list(json_t *list, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach (list, i, c)
		if (!strcmp(json_string_value(c), name))
			return true;
	return false;
}

/*
 * Whether capability @name goes into set @s: known, and an ambient one
 * also permitted and inheritable (the kernel raises no other; runc 1.1
 * drops them silently, and its own `runc spec` has ambient caps and no
 * inheritable set).
 */
static bool cap_wanted(json_t *caps, size_t s, const char *name, int last)
{
	if (!name || !known_cap(name, last))
		return false;
	return s != CTU_CAPSET_AMBIENT ||
	       (in_list(ct_j(caps, "permitted"), name) && in_list(ct_j(caps, "inheritable"), name));
}

/* --caps SET=LIST for each of the five sets: a missing one is empty, as in runc. */
static void caps_words(struct ct_build *b, json_t *caps)
{
	/* in lib/procopt's order: index s is enum ctu_capset */
	static const char *const sets[] = { "bounding", "effective", "permitted", "inheritable",
					    "ambient" };
	int last = cap_last();

	if (!caps)
		return;
	for (size_t s = 0; s < CTU_ARRAY_SIZE(sets); s++) {
		_cleanup_free_ char *list = NULL;
		size_t i, len = 0, n = 0;
		FILE *f = open_memstream(&list, &len);
		json_t *c;

		if (!f) {
			b->nomem = true;
			return;
		}
		json_array_foreach (ct_j(caps, sets[s]), i, c)
			if (cap_wanted(caps, s, json_string_value(c), last))
				fprintf(f, "%s%s", n++ ? "," : "", json_string_value(c));
		if (fclose(f) != 0) {
			b->nomem = true;
			return;
		}
		ct_w(b, "--caps");
		ct_wf(b, "%s=%s", sets[s], list);
	}
}

static void rlimit_value(char *buf, size_t size, uint64_t v)
{
	if (v == UINT64_MAX)
		snprintf(buf, size, "unlimited");
	else
		snprintf(buf, size, "%" PRIu64, v);
}

static void rlimit_words(struct ct_build *b, json_t *rlimits)
{
	size_t i;
	json_t *r;

	json_array_foreach (rlimits, i, r) {
		char soft[24], hard[24];
		uint64_t s = 0, h = 0;

		ct_ju(r, "soft", &s);
		ct_ju(r, "hard", &h);
		rlimit_value(soft, sizeof(soft), s);
		rlimit_value(hard, sizeof(hard), h);
		ct_w(b, "--rlimit");
		ct_wf(b, "%s=%s:%s", ct_js(r, "type"), soft, hard);
	}
}

static void security_words(struct ct_build *b, json_t *process)
{
	const char *aa = ct_js(process, "apparmorProfile");
	int64_t oom;

	if (ct_ji(process, "oomScoreAdj", &oom)) {
		ct_w(b, "--oom-score-adj");
		ct_wf(b, "%" PRId64, oom);
	}
	if (ct_jb(process, "noNewPrivileges"))
		ct_w(b, "--no-new-privs");
	if (aa && *aa)
		ct_wopt(b, "--apparmor", aa);
	if (b->in->seccomp_bpf) {
		/* by fd when there is one: ROOT may be out of a user namespace's reach */
		if (!b->in->bare && b->in->fds.seccomp >= 0) {
			ct_w(b, "--seccomp");
			ct_wf(b, "/proc/self/fd/%d", b->in->fds.seccomp);
		} else {
			ct_wopt(b, "--seccomp", b->in->seccomp_bpf);
		}
		if (b->in->seccomp_flags && *b->in->seccomp_flags)
			ct_wopt(b, "--seccomp-flags", b->in->seccomp_flags);
	}
}

/* LISTEN_FDS and LISTEN_PID=1 when the caller's LISTEN_PID is ctrun's pid (systemd's rule). */
static void listen_words(struct ct_build *b)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long n;

	if (!pid || !fds || strtol(pid, &end, 10) != (long)getpid() || *end)
		return;
	n = strtol(fds, &end, 10);
	if (*end || n < 0)
		return;
	ct_w(b, "--setenv");
	ct_wf(b, "LISTEN_FDS=%ld", n);
	ct_wopt(b, "--setenv", "LISTEN_PID=1");
}

static void env_words(struct ct_build *b, json_t *process, const char *home_root, bool listen)
{
	bool has_home = false;
	size_t i;
	json_t *e;

	ct_w(b, "--clearenv");
	json_array_foreach (ct_j(process, "env"), i, e) {
		const char *kv = json_string_value(e);

		has_home = has_home || !strncmp(kv, "HOME=", 5);
		ct_wopt(b, "--setenv", kv);
	}
	if (!has_home) {
		uint64_t uid = 0;
		_cleanup_free_ char *home = NULL;

		ct_ju(ct_j(process, "user"), "uid", &uid);
		home = ct_home_of(home_root, (uid_t)uid);
		if (!home) {
			b->nomem = true;
		} else {
			ct_w(b, "--setenv");
			ct_wf(b, "HOME=%s", home);
		}
	}
	if (listen)
		listen_words(b);
}

/* The console, the sync socket, the real stderr, the barrier: none in a bare chain. */
static void fd_words(struct ct_build *b, json_t *process)
{
	const struct ct_fds *f = &b->in->fds;
	json_t *size = ct_j(process, "consoleSize");
	bool terminal = ct_jb(process, "terminal") && f->console >= 0;

	if (b->in->bare)
		return;
	if (terminal) {
		ct_wopt_u(b, "--console-fd", (unsigned long long)f->console);
		if (size) {
			uint64_t h = 0, w = 0;

			ct_ju(size, "height", &h);
			ct_ju(size, "width", &w);
			ct_w(b, "--console-size");
			ct_wf(b, "%" PRIu64 "x%" PRIu64, h, w);
		}
	}
	if (f->sync >= 0)
		ct_wopt_u(b, "--sync-fd", (unsigned long long)f->sync);
	/* (none with a terminal: that is the program's stderr) */
	if (f->real_stderr >= 0)
		ct_wopt_u(b, "--stderr-fd", (unsigned long long)f->real_stderr);
	if (f->fifo >= 0)
		ct_wopt_u(b, "--block-fd", (unsigned long long)f->fifo);
}

int ct_process_words(struct ct_build *b, json_t *process, const char *pointer,
		     const char *home_root, bool listen)
{
	json_t *user = ct_j(process, "user"), *args = ct_j(process, "args"), *a;
	uint64_t uid = 0;
	size_t i;

	if (!json_array_size(args))
		return ct_fail(b, pointer, "args: expected a non-empty array of strings");
	ct_w(b, "--new-session");
	user_words(b, user);
	caps_words(b, ct_j(process, "capabilities"));
	rlimit_words(b, ct_j(process, "rlimits"));
	security_words(b, process);
	env_words(b, process, home_root, listen);
	if (ct_ju(user, "uid", &uid) && uid != 0)
		ct_w(b, "--own-stdio");
	fd_words(b, process);
	ct_wopt_u(b, "--preserve-fds", b->in->fds.n_user);
	ct_w(b, "--");
	json_array_foreach (args, i, a)
		ct_w(b, json_string_value(a));
	return 0;
}

/* ---- pivot ---- */

/* rootfsPropagation ("rslave" as runc spells it too); absent: slave, runc's rslave. */
static const char *propagation(json_t *cfg)
{
	const char *p = ct_js(ct_j(cfg, "linux"), "rootfsPropagation");

	static const char *const recursive[] = { "rshared", "rslave", "rprivate", "runbindable" };

	if (!p || !*p)
		return "slave";
	for (size_t i = 0; i < CTU_ARRAY_SIZE(recursive); i++)
		if (!strcmp(p, recursive[i]))
			return p + 1;
	return p;
}

static void path_list(struct ct_build *b, const char *key, const char *opt)
{
	size_t i;
	json_t *p;

	json_array_foreach (ct_j(ct_j(b->in->cfg, "linux"), key), i, p)
	    ct_wopt(b, opt, json_string_value(p));
}

int ct_pivot_words(struct ct_build *b)
{
	json_t *process = ct_j(b->in->cfg, "process");
	const char *cwd = ct_js(process, "cwd");
	int r = ct_w_tool(b, "pivot");

	if (r < 0)
		return r;
	ct_w(b, b->rootfs);
	ct_wopt(b, "--propagation", propagation(b->in->cfg));
	if (b->in->no_pivot)
		ct_w(b, "--no-pivot");
	if (b->ns_path[CT_NS_MNT])
		ct_w(b, "--force");
	/* no mount namespace: runc's chroot in the caller's, without touching its propagation */
	if (!ct_has_ns(b, CT_NS_MNT))
		ct_w(b, "--in-place");
	if ((r = ct_mount_words(b)) < 0 || (r = ct_device_words(b)) < 0)
		return r;
	if (!cwd || !*cwd)
		cwd = "/";
	if (strcmp(cwd, "/") != 0)
		ct_wopt(b, "--mkdir", cwd);
	path_list(b, "maskedPaths", "--mask");
	path_list(b, "readonlyPaths", "--readonly-path");
	if (ct_jb(ct_j(b->in->cfg, "root"), "readonly"))
		ct_w(b, "--readonly");
	ct_wopt(b, "-w", cwd);
	return ct_process_words(b, process, "/process", b->rootfs, true);
}
