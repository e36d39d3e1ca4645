// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procopt_exec.c - the program's process set up from the console to the
 * exec, in runc 1.1's order (procopt.h), so that a profile that works
 * there works here: what needs privilege comes before the uid switch,
 * what a seccomp filter may deny comes before it is loaded.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ctu.h"
#include "proc.h"
#include "procopt_int.h"
#include "pty.h"

/*
 * First of all, while no filter can deny it: the fds the program gets
 * (3..3+N-1 but the consumed ones), every other one close-on-exec.
 */
static int prepare_fds(const struct ctu_procopt *p, ctu_err_t *err)
{
	int e;

	for (unsigned int fd = 3; fd < 3 + p->preserve_fds; fd++)
		if (!ctu_procopt_consumes_fd(p, (int)fd) && fcntl((int)fd, F_GETFD) >= 0 &&
		    ctu_pass_fd((int)fd) < 0)
			return ctu_err_make(err, 0, "--preserve-fds: too many file descriptors");
	e = ctu_close_fds_on_exec();
	return e < 0 ? ctu_err_make(err, -e, "cannot close inherited file descriptors") : 0;
}

/* --console-fd: the pty made in this root and sent; the slave kept for the end. */
static int make_console(struct ctu_procopt *p, int (*pre_console)(int, ctu_err_t *), int *slave,
			ctu_err_t *err)
{
	*slave = -1;
	if (p->console_fd < 0)
		return 0;
	if (ctu_console_send(p->console_fd, p->console_rows, p->console_cols, slave, err) < 0)
		return ctu_err_code(*err);
	close(p->console_fd);
	p->console_fd = -1;
	return pre_console ? pre_console(*slave, err) : 0;
}

/* "SOFT:HARD" as given, for an error (static storage). */
static const char *rlimit_text(const struct rlimit *rl)
{
	static char buf[48];
	char soft[21] = "unlimited", hard[21] = "unlimited";

	if (rl->rlim_cur != RLIM_INFINITY)
		snprintf(soft, sizeof(soft), "%llu", (unsigned long long)rl->rlim_cur);
	if (rl->rlim_max != RLIM_INFINITY)
		snprintf(hard, sizeof(hard), "%llu", (unsigned long long)rl->rlim_max);
	snprintf(buf, sizeof(buf), "%s:%s", soft, hard);
	return buf;
}

static int set_rlimits(const struct ctu_procopt *p, ctu_err_t *err)
{
	for (int res = 0; res < RLIM_NLIMITS; res++)
		if (p->has_rlimit[res] && setrlimit(res, &p->rlimit[res]) < 0)
			return ctu_err_errno(err, "--rlimit: cannot set %s to %s", ctu_procopt_rlimit_name(res),
					     rlimit_text(&p->rlimit[res]));
	return 0;
}

static int set_oom_score_adj(int adj, ctu_err_t *err)
{
	char buf[16];
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	int len = snprintf(buf, sizeof(buf), "%d", adj);
	ssize_t w;

	if (fd < 0)
		return ctu_err_errno(err, "--oom-score-adj: cannot open /proc/self/oom_score_adj");
	w = write(fd, buf, (size_t)len);
	close(fd);
	if (w != len)
		return ctu_err_errno(err, "--oom-score-adj: cannot set %d", adj);
	return 0;
}

static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

/*
 * --own-stdio, runc's fixStdioPermissions: the program's stdio (or its
 * terminal to be) given to its uid and gid, but never /dev/null.  EINVAL
 * (an id not mapped here) and EPERM (an owner not mapped) leave it alone.
 */
static int own_stdio(const struct ctu_procopt *p, int slave, ctu_err_t *err)
{
	uid_t uid = p->creds.has_uid ? p->creds.uid : geteuid();
	gid_t gid = p->creds.has_gid ? p->creds.gid : getegid();
	/* with a terminal, it alone is the program's stdio to be (runc chowns after dupStdio) */
	const int fds[] = { slave >= 0 ? slave : 0, slave >= 0 ? -1 : 1, slave >= 0 ? -1 : 2 };
	struct stat st;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(fds); i++) {
		if (fds[i] < 0 || fstat(fds[i], &st) < 0 || is_dev_null(&st))
			continue;
		if (st.st_uid == uid && st.st_gid == gid)
			continue;
		if (fchown(fds[i], uid, gid) < 0 && errno != EINVAL && errno != EPERM &&
		    errno != EROFS)
			return ctu_err_errno(err, "--own-stdio: cannot give fd %d to %u:%u", fds[i],
					     (unsigned int)uid, (unsigned int)gid);
	}
	return 0;
}

static int load_seccomp(struct ctu_procopt *p, ctu_err_t *err)
{
	int r;

	if (p->seccomp_fd < 0)
		return 0;
	r = ctu_seccomp_load_fd(p->seccomp_fd, p->seccomp_flags, err);
	close(p->seccomp_fd);
	p->seccomp_fd = -1;
	return r;
}

/* Before the uid switch: what needs privilege. */
static int privileged_steps(struct ctu_procopt *p, int slave, ctu_err_t *err)
{
	if (set_rlimits(p, err) < 0)
		return ctu_err_code(*err);
	if (p->has_oom_score_adj && set_oom_score_adj(p->oom_score_adj, err) < 0)
		return ctu_err_code(*err);
	if (p->apparmor && ctu_apparmor_onexec(p->apparmor, err) < 0)
		return ctu_err_code(*err);
	if (p->own_stdio && own_stdio(p, slave, err) < 0)
		return ctu_err_code(*err);
	/* without no_new_privs a filter needs CAP_SYS_ADMIN: while we have it */
	if (!p->creds.no_new_privs && load_seccomp(p, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

static bool any_caps(const struct ctu_procopt *p)
{
	for (int i = 0; i < CTU_N_CAPSETS; i++)
		if (p->has_caps[i])
			return true;
	return false;
}

static const ctu_capmask *given(const struct ctu_procopt *p, enum ctu_capset set)
{
	return p->has_caps[set] ? &p->caps[set] : NULL;
}

/* --caps, or lib/creds' --cap-add/--cap-drop/--keep-caps. */
static int set_caps(const struct ctu_procopt *p, ctu_err_t *err)
{
	int e;

	if (!any_caps(p))
		return ctu_creds_touch_caps(&p->creds) ? ctu_creds_apply_caps(&p->creds, err) : 0;
	if (!given(p, CTU_CAPSET_EFFECTIVE) && !given(p, CTU_CAPSET_PERMITTED) &&
	    !given(p, CTU_CAPSET_INHERITABLE) && !given(p, CTU_CAPSET_AMBIENT))
		return 0;
	e = ctu_caps_set_exact(given(p, CTU_CAPSET_EFFECTIVE), given(p, CTU_CAPSET_PERMITTED),
			       given(p, CTU_CAPSET_INHERITABLE), given(p, CTU_CAPSET_AMBIENT));
	if (e == 0)
		return 0;
	ctu_err_make(err, -e, "--caps: cannot set the capabilities");
	if (e == -EPERM)
		ctu_err_hint(err, "a set beyond what is permitted, or ambient ones not permitted "
				  "and inheritable");
	return ctu_err_code(*err);
}

/* The bounding set, groups, gid, uid (keeping caps), the capability sets. */
static int credential_steps(const struct ctu_procopt *p, ctu_err_t *err)
{
	bool keep = any_caps(p) || ctu_creds_touch_caps(&p->creds);
	int e;

	if (p->has_caps[CTU_CAPSET_BOUNDING]) {
		e = ctu_caps_bound(p->caps[CTU_CAPSET_BOUNDING]);
		if (e < 0)
			return ctu_err_make(err, -e, "--caps: cannot cut down the bounding set");
	}
	if (ctu_creds_apply_ids(&p->creds, p->groups, p->n_groups, p->has_groups, keep, err) < 0 ||
	    set_caps(p, err) < 0)
		return ctu_err_code(*err);
	if (p->has_umask)
		umask(p->umask);
	if (p->creds.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ctu_err_errno(err, "cannot set no_new_privs");
	return 0;
}

/* The terminal: --console-fd's, --new-session's setsid, a --pty claim, or --stderr-fd. */
static int stdio_steps(struct ctu_procopt *p, const char *path, int slave, ctu_err_t *err)
{
	char *check[] = { (char *)path, NULL };
	bool claimed;

	if (p->creds.new_session && getsid(0) != getpid() && setsid() < 0)
		return ctu_err_errno(err, "cannot start a new session");
	if (slave >= 0)
		return ctu_console_adopt(slave, err);
	/* a terminal pending from a --pty relay: claimed unless a ctutils link follows */
	if (ctu_console_before_exec(check, &claimed, err) < 0)
		return ctu_err_code(*err);
	/* a console kept for the next link joined the passed fds after prepare_fds() */
	if (!claimed && getenv(CTU_CONSOLE_ENV) && ctu_close_fds_on_exec() < 0)
		return ctu_err_errno(err, "cannot pass the console socket on");
	if (p->stderr_fd >= 0) {
		if (dup2(p->stderr_fd, 2) < 0)
			return ctu_err_errno(err, "--stderr-fd: cannot make fd %d stderr",
					     p->stderr_fd);
		close(p->stderr_fd);
		p->stderr_fd = -1;
	}
	return 0;
}

/* --sync-fd: "ready\n", then closed; a reader gone is an error, not our death. */
static int say_ready(struct ctu_procopt *p, ctu_err_t *err)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	ssize_t w;

	if (p->sync_fd < 0)
		return 0;
	sigaction(SIGPIPE, &ign, &old);
	do
		w = write(p->sync_fd, "ready\n", 6);
	while (w < 0 && errno == EINTR);
	sigaction(SIGPIPE, &old, NULL);
	if (w != 6)
		return ctu_err_errno(err, "--sync-fd: cannot write \"ready\"");
	close(p->sync_fd);
	p->sync_fd = -1;
	return 0;
}

/* --block-fd: until it is readable or closed. */
static int wait_barrier(struct ctu_procopt *p, ctu_err_t *err)
{
	struct pollfd pfd = { .fd = p->block_fd, .events = POLLIN };

	if (p->block_fd < 0)
		return 0;
	while (poll(&pfd, 1, -1) < 0)
		if (errno != EINTR)
			return ctu_err_errno(err, "cannot wait on --block-fd");
	close(p->block_fd);
	p->block_fd = -1;
	return 0;
}

/* The default program, as ctu_exec_program: $SHELL (ours) or /bin/sh. */
static char *const *program_or_shell(char *const argv[], char *shell_argv[2])
{
	const char *shell = getenv("SHELL");

	if (argv[0])
		return argv;
	shell_argv[0] = (char *)(shell && *shell ? shell : "/bin/sh");
	shell_argv[1] = NULL;
	return shell_argv;
}

/* A claimed console unset $CTU_CONSOLE_FD in our environ: the program's, built before, too. */
static void forget_claimed_console(char **envp)
{
	size_t len = strlen(CTU_CONSOLE_ENV), i, j;

	if (getenv(CTU_CONSOLE_ENV))
		return;
	for (i = j = 0; envp[i]; i++)
		if (strncmp(envp[i], CTU_CONSOLE_ENV, len) != 0 || envp[i][len] != '=')
			envp[j++] = envp[i];
	envp[j] = NULL;
}

static int set_up(struct ctu_procopt *p, char *const argv[], int (*pre_console)(int, ctu_err_t *),
		  char **path, char ***envp, ctu_err_t *err)
{
	int slave = -1;

	if (prepare_fds(p, err) < 0 || make_console(p, pre_console, &slave, err) < 0 ||
	    privileged_steps(p, slave, err) < 0 || credential_steps(p, err) < 0)
		return ctu_err_code(*err);
	*envp = ctu_procopt_environ(p, err);
	if (!*envp || ctu_procopt_lookup(argv[0], *envp, path, err) < 0)
		return ctu_err_code(*err);
	if (stdio_steps(p, *path, slave, err) < 0)
		return ctu_err_code(*err);
	forget_claimed_console(*envp);
	if (say_ready(p, err) < 0 || wait_barrier(p, err) < 0)
		return ctu_err_code(*err);
	/* with no_new_privs, last: the filter may deny anything we do before */
	return load_seccomp(p, err);
}

noreturn void ctu_procopt_exec(struct ctu_procopt *p, char *const argv[],
			       int (*pre_console)(int slave_fd, ctu_err_t *err))
{
	char *shell_argv[2], *path = NULL, **envp = NULL;
	ctu_err_t err = NULL;

	/* the note that tells the links of a chain what we are (lib/ctu.c) */
	__asm__ volatile("" : : "r"(&ctu_chaining_note));
	argv = program_or_shell(argv, shell_argv);
	if (set_up(p, argv, pre_console, &path, &envp, &err) < 0)
		ctu_err_exit(&err);
	ctu_execve(path, argv, envp);
}
