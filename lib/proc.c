// SPDX-License-Identifier: GPL-2.0-or-later
/* proc.c - exec, fork-and-wait with signal forwarding, exit status, pid files, fds. */
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ctu.h"
#include "parse.h"
#include "proc.h"
#include "pty.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

const int ctu_forwarded_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
};
const size_t ctu_n_forwarded_signals = CTU_ARRAY_SIZE(ctu_forwarded_signals);

static int passed_fds[64];
static size_t n_passed_fds;

int ctu_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

int ctu_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int ctu_pass_fd(int fd)
{
	if (n_passed_fds == CTU_ARRAY_SIZE(passed_fds))
		return -EMFILE;
	passed_fds[n_passed_fds++] = fd;
	return 0;
}

static int set_cloexec(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0)
		return -errno;
	flags = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
	return fcntl(fd, F_SETFD, flags) < 0 ? -errno : 0;
}

/* For kernels before 5.11 (no CLOSE_RANGE_CLOEXEC): walk /proc/self/fd. */
static int cloexec_all_by_walking(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		int fd;

		if (ctu_parse_int(e->d_name, &fd) < 0 || fd < 3 || fd == dirfd(d))
			continue;
		set_cloexec(fd, true);
	}
	return 0;
}

/*
 * Every fd from 3 up gets close-on-exec (one close_range call), then the
 * passed ones lose it again.  Close-on-exec rather than close, so that the
 * fds we still use until exec keep working.
 */
int ctu_close_fds_on_exec(void)
{
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		int r = cloexec_all_by_walking();

		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n_passed_fds; i++) {
		int r = set_cloexec(passed_fds[i], false);

		if (r < 0)
			return r;
	}
	return 0;
}

/* The error of a failed exec: 127 when not found, 126 otherwise. */
static noreturn void exec_failed(const char *argv0)
{
	ctu_err_t err = NULL;

	ctu_err_errno(&err, "failed to execute %s", argv0);
	ctu_err_set_kind(&err, errno == ENOENT ? CTU_ERR_NOT_FOUND : CTU_ERR_CANNOT_EXEC);
	/* exit, not _exit: the tool's atexit handlers run (unshare-lite reports a start that failed) */
	ctu_err_exit(&err);
}

noreturn void ctu_execve(const char *path, char *const argv[], char *const envp[])
{
	fflush(stdout);
	execve(path, argv, envp);
	exec_failed(argv[0]);
}

noreturn void ctu_exec(char *const argv[])
{
	ctu_err_t err = NULL;
	int r = ctu_close_fds_on_exec();

	if (r < 0) {
		ctu_err_make(&err, -r, "cannot close inherited file descriptors");
		ctu_err_exit(&err);
	}
	fflush(stdout);
	execvp(argv[0], argv);
	exec_failed(argv[0]);
}

noreturn void ctu_exec_shell(void)
{
	const char *shell = getenv("SHELL");
	char *argv[2];

	if (!shell || !*shell)
		shell = "/bin/sh";
	argv[0] = (char *)shell;
	argv[1] = NULL;
	ctu_exec(argv);
}

/*
 * struct clone_args of <linux/sched.h>: version 0 (Linux 5.3) up to tls,
 * version 2 (Linux 5.7) up to cgroup.  The kernel takes the size we pass.
 */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/*
 * Returns the child's pid (0 in the child) and its pidfd in *pidfd, the
 * child started in the cgroup open on @cgroup_fd when it is not -1.  clone3
 * hands out the pidfd atomically; before Linux 5.3, clone and pidfd_open.
 */
static pid_t clone_with_pidfd(unsigned long flags, int cgroup_fd, int *pidfd)
{
	struct clone3_args args = {
		.flags = flags | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};
	size_t size = CLONE_ARGS_SIZE_VER0;
	long pid;

	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
		size = sizeof(args);
	}
	pid = syscall(SYS_clone3, &args, size);
	/* into a cgroup the caller retries without: then the child moves itself */
	if (pid < 0 && errno == ENOSYS && cgroup_fd < 0) {
		pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
		if (pid > 0)
			*pidfd = ctu_pidfd_open((pid_t)pid, 0);
	}
	if (pid > 0 && *pidfd >= 0)
		fcntl(*pidfd, F_SETFD, FD_CLOEXEC);
	return (pid_t)pid;
}

noreturn void ctu_exec_program(char *const argv[], unsigned int preserve_fds)
{
	const char *shell = getenv("SHELL");
	char *shell_argv[2] = { NULL, NULL };
	ctu_err_t err = NULL;
	bool claimed;

	/* the note that tells the links of a chain what we are (lib/ctu.c) */
	__asm__ volatile("" : : "r"(&ctu_chaining_note));
	for (unsigned int fd = 3; fd < 3 + preserve_fds; fd++)
		if (fcntl((int)fd, F_GETFD) >= 0 && ctu_pass_fd((int)fd) < 0) {
			ctu_err_make(&err, 0, "--preserve-fds: too many file descriptors");
			ctu_err_exit(&err);
		}
	if (!argv[0]) {
		shell_argv[0] = (char *)(shell && *shell ? shell : "/bin/sh");
		argv = shell_argv;
	}
	/*
	 * A terminal pending from a --pty relay: kept for the next ctutils
	 * link, claimed here, after all our setup, for any other program.
	 */
	if (ctu_console_before_exec(argv, &claimed, &err) < 0)
		ctu_err_exit(&err);
	ctu_exec(argv);
}

int ctu_preserve_fds_arg(const char *arg, unsigned int *count, ctu_err_t *err)
{
	uint64_t n;

	if (ctu_parse_u64_range(arg, 0, 1024, &n) < 0)
		return ctu_err_usage(err, "invalid --preserve-fds count: '%s'", arg);
	*count = (unsigned int)n;
	return 0;
}

int ctu_fork_child(struct ctu_child *child, unsigned long clone_flags)
{
	sigset_t set;
	pid_t pid;

	/*
	 * An inherited SIGCHLD=SIG_IGN would make the kernel reap the child
	 * for us and waitpid fail with ECHILD (util-linux 2.38 fix).
	 */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&set);
	for (size_t i = 0; i < ctu_n_forwarded_signals; i++)
		sigaddset(&set, ctu_forwarded_signals[i]);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &child->saved_mask) < 0)
		return -errno;
	child->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (child->sigfd < 0) {
		int r = -errno;

		sigprocmask(SIG_SETMASK, &child->saved_mask, NULL);
		return r;
	}
	child->pidfd = -1;
	fflush(NULL); /* or buffered output would be written twice */
	pid = clone_with_pidfd(clone_flags, child->into_cgroup ? child->cgroup_fd : -1,
			       &child->pidfd);
	/* before Linux 5.7: a larger struct is E2BIG, the flag EINVAL */
	if (pid < 0 && child->into_cgroup && (errno == E2BIG || errno == EINVAL || errno == ENOSYS)) {
		ctu_debug("clone3 into a cgroup: %m; the child moves itself");
		child->into_cgroup = false;
		pid = clone_with_pidfd(clone_flags, -1, &child->pidfd);
	}
	if (pid < 0) {
		int r = -errno;

		close(child->sigfd);
		sigprocmask(SIG_SETMASK, &child->saved_mask, NULL);
		return r;
	}
	if (pid == 0) {
		/* The program must get the caller's mask, not our blocked one. */
		close(child->sigfd);
		child->sigfd = -1;
		child->pidfd = -1;
		if (!child->keep_blocked)
			sigprocmask(SIG_SETMASK, &child->saved_mask, NULL);
		return 0;
	}
	child->pid = pid;
	return 1;
}

static void forward_signal(const struct ctu_child *child, int sig)
{
	ctu_debug("forwarding signal %d to %d", sig, (int)child->pid);
	if (child->pidfd < 0 || ctu_pidfd_send_signal(child->pidfd, sig) < 0)
		kill(child->pid, sig);
}

int ctu_wait_child(struct ctu_child *child, int *status)
{
	int r = 0;

	for (;;) {
		struct signalfd_siginfo si;
		int st;
		pid_t w = waitpid(child->reap_orphans ? -1 : child->pid, &st, WNOHANG);
		ssize_t n;

		if (w == child->pid) {
			*status = st;
			break;
		}
		if (w > 0)
			continue; /* an orphan reaped: look for more before sleeping */
		if (w < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		n = read(child->sigfd, &si, sizeof(si));
		if (n < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		if (n == (ssize_t)sizeof(si) && si.ssi_signo != SIGCHLD)
			forward_signal(child, (int)si.ssi_signo);
	}
	ctu_closep(&child->pidfd);
	ctu_closep(&child->sigfd);
	child->pidfd = child->sigfd = -1;
	sigprocmask(SIG_SETMASK, &child->saved_mask, NULL);
	return r;
}

/* dl_iterate_phdr's callback: the read-only PT_LOAD segments of one object. */
static int release_object_pages(struct dl_phdr_info *info, size_t size, void *data)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

	(void)size;
	(void)data;
	/* the vDSO is the kernel's, not a file's */
	if (info->dlpi_name && strstr(info->dlpi_name, "linux-vdso"))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start, end;

		/* a written page would lose its writes: only segments never writable */
		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || !ph->p_memsz)
			continue;
		start = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
		end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + page - 1) & ~(page - 1);
		/* an ELF address is an integer: the cast is the point */
		madvise((void *)start, end - start, MADV_DONTNEED); /* NOLINT(performance-no-int-to-ptr) */
	}
	return 0;
}

void ctu_release_startup_pages(void)
{
	dl_iterate_phdr(release_object_pages, NULL);
}

int ctu_status_to_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return CTU_EXIT_TOOL;
}

noreturn void ctu_exit_like(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct rlimit nocore = { 0, 0 };
		sigset_t set;

		fflush(stdout);
		/* the child dumped core already if it was going to; we must not */
		setrlimit(RLIMIT_CORE, &nocore);
		/* SIGKILL's disposition cannot be changed (util-linux #2614) */
		if (sig != SIGKILL)
			signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
	}
	exit(ctu_status_to_exit_code(status));
}

int ctu_pidfile_write(const char *path, pid_t pid)
{
	return ctu_pidfile_write_as(path, pid, true);
}

int ctu_pidfile_write_as(const char *path, pid_t pid, bool newline)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int r = 0;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0 || dprintf(fd, newline ? "%d\n" : "%d", (int)pid) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int ctu_pidfile_read(const char *path, pid_t *pid)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int64_t v;
	int r = ctu_read_file(AT_FDCWD, path, &buf, &len);

	if (r < 0)
		return r;
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	r = ctu_parse_s64_range(buf, 1, INT32_MAX, &v);
	if (r < 0)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}
