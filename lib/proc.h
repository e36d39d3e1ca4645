/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proc.h - running the trailing command: exec with 126/127, fork-and-wait with
 * signal forwarding, exit-status propagation, pid files and fd hygiene.
 */
#ifndef CTU_PROC_H
#define CTU_PROC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#include "err.h"

/*
 * Asks that @fd survive into the executed program (--preserve-fds,
 * --info-fd ...).  Every other fd but 0, 1 and 2 is closed by ctu_exec().
 * Returns 0, or -EMFILE when too many are asked for.
 */
int ctu_pass_fd(int fd);

/*
 * execvp(@argv) with every fd but 0, 1, 2 and those passed with
 * ctu_pass_fd() closed on exec.  Terminal: on failure it reports
 * "PROG: failed to execute ARGV0: why" through lib/err and exits 127 when it
 * was not found (CTU_ERR_NOT_FOUND), 126 otherwise (CTU_ERR_CANNOT_EXEC),
 * with exit(), so that the tool's atexit handlers run.
 */
noreturn void ctu_exec(char *const argv[]);

/*
 * ctu_exec()'s two halves, for a caller that sets up more in between
 * (lib/procopt): every fd from 3 up made close-on-exec but the passed ones
 * (0 or -errno); then execve(@path, @argv, @envp), terminal as ctu_exec()
 * (the error names @argv[0]).
 */
int ctu_close_fds_on_exec(void);
noreturn void ctu_execve(const char *path, char *const argv[], char *const envp[]);

/* Runs $SHELL, or /bin/sh when it is unset or empty, as ctu_exec() does. */
noreturn void ctu_exec_shell(void);

/*
 * The end of every chaining tool: passes fds 3 to 3+@preserve_fds-1 (those
 * open) on, then runs @argv, or $SHELL when @argv is empty.  Terminal, as
 * ctu_exec().
 */
noreturn void ctu_exec_program(char *const argv[], unsigned int preserve_fds);

/* --preserve-fds N (0 to 1024) into *@count, or a usage error naming the value. */
int ctu_preserve_fds_arg(const char *arg, unsigned int *count, ctu_err_t *err);

/*
 * Marks every fd from 3 up close-on-exec except the @n fds in @keep, whose
 * close-on-exec flag is cleared.  Returns 0 or -errno.
 */
int ctu_keep_fds_only(const int *keep, size_t n);

/* The signals a waiting parent passes on to its child (DESIGN.md). */
extern const int ctu_forwarded_signals[];
extern const size_t ctu_n_forwarded_signals;

/* A child started by ctu_fork_child(), watched through a pidfd. */
struct ctu_child {
	pid_t pid;
	int pidfd;
	sigset_t saved_mask; /* the caller's mask, restored in the child */
	int sigfd;	     /* signalfd of the forwarded signals, parent only */
	bool reap_orphans;   /* as a PID 1: reap every child, not only ours */
	/*
	 * Start the child in the cgroup v2 directory open on cgroup_fd
	 * (clone3's CLONE_INTO_CGROUP, Linux 5.7): no write to cgroup.procs,
	 * so no wait on the kernel's cgroup_threadgroup_rwsem.  Cleared when
	 * the kernel cannot: the child must then move itself.
	 */
	bool into_cgroup;
	int cgroup_fd;
	/*
	 * The child returns with the forwarded signals still blocked and must
	 * set saved_mask itself before its program runs.  For a PID 1 to be:
	 * the kernel drops a signal sent to a namespace's init that has no
	 * handler for it, but keeps it pending while blocked.
	 */
	bool keep_blocked;
};

/*
 * clone3() with @clone_flags (CLONE_NEW* namespaces, or 0 for a plain fork)
 * and a pidfd for the child, with the forwarded signals blocked in the parent
 * and received on a signalfd, so that none is lost between fork and wait.
 * Returns 0 in the child (with the caller's signal mask back, unless
 * keep_blocked), 1 in the parent, -errno on failure.
 */
int ctu_fork_child(struct ctu_child *child, unsigned long clone_flags);

/*
 * Waits for the child, forwarding the signals in ctu_forwarded_signals that
 * we receive meanwhile (and with reap_orphans, reaping any other child).
 * Stores the wait status (as waitpid) in @status.  Returns 0 or -errno.
 * Releases the pidfd and signalfd and restores the signal mask.
 */
int ctu_wait_child(struct ctu_child *child, int *status);

/*
 * Exits the way the child ended: with its exit code, or by re-raising the
 * signal that killed it (without dumping core ourselves), so that the
 * caller's shell sees the same death.  Falls back to 128 + signal.
 */
noreturn void ctu_exit_like(int status);

/*
 * For a parent that only waits from now on (unshare-lite --fork, one per
 * running container): drops from our page tables the pages of every loaded
 * object's read-only segments (code, constants), all of them file content
 * that a later use maps again from the page cache.  The pages stay in
 * memory, shared; only the parent's resident set shrinks to what it still
 * touches.  Writable segments, heap and stack are kept.
 */
void ctu_release_startup_pages(void);

/* Converts a wait status to a shell exit code (code, or 128 + signal). */
int ctu_status_to_exit_code(int status);

/*
 * Writes "PID\n" to @path atomically: a temporary file in the same
 * directory, then rename(2), so a reader never sees a half-written file.
 */
int ctu_pidfile_write(const char *path, pid_t pid);
/* The same, without the newline when !@newline (runc's pid files: go-runc parses all of it). */
int ctu_pidfile_write_as(const char *path, pid_t pid, bool newline);

/* Reads a pid file written by ctu_pidfile_write() (or any "PID\n" file). */
int ctu_pidfile_read(const char *path, pid_t *pid);

/* pidfd_open(2) and pidfd_send_signal(2), which glibc 2.36 may lack. */
int ctu_pidfd_open(pid_t pid, unsigned int flags);
int ctu_pidfd_send_signal(int pidfd, int sig);

#endif
