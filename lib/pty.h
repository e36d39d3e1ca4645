/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pty.h - real terminals for --pty: the console socket and the relay.
 *
 * The pty must come from the devpts the program sees, so it is made at the
 * end of the chain, by the last ctutils link, while the relay is at its
 * start, in the caller's namespaces.  The two meet on a unix socket whose
 * number is in $CTU_CONSOLE_FD (fd N): the last link opens /dev/ptmx in its
 * root, sends the master over N (SCM_RIGHTS, the slave's name as payload:
 * the OCI --console-socket message) and waits for one byte, 'R', before it
 * makes the slave its controlling terminal and execs the program.
 *
 * A ctutils chaining tool is recognised by an ELF note ("ctutils", type 1)
 * that lib/ctu.c puts in it, not by its name: each link keeps fd N while
 * its program is one, and claims the terminal when it is not.
 */
#ifndef CTU_PTY_H
#define CTU_PTY_H

#include <stdbool.h>

#include "err.h"
#include "proc.h"

/* The environment variable that names fd N. */
#define CTU_CONSOLE_ENV "CTU_CONSOLE_FD"

/* The ELF note of a chaining tool: owner "ctutils", type 1 (lib/ctu.c). */
#define CTU_NOTE_NAME "ctutils"
#define CTU_NOTE_TYPE 1

/* The relay's side of a --pty run: made before the fork, split by it. */
struct ctu_pty {
	int sock[2]; /* [0] the relay's end, [1] the child's: fd N */
	int out[2];  /* the child's stdout until the claim */
	int err[2];  /* its stderr */
};

/*
 * Before the fork: the socket pair and the two pipes.  A console already
 * pending ($CTU_CONSOLE_FD: we are a link below another relay) is claimed
 * first, so that our own terminal is the one of the relay above.  Returns 0
 * or a negative number with *@err set.
 */
int ctu_pty_prepare(struct ctu_pty *p, ctu_err_t *err);

/*
 * In the child, first thing: setsid() (no process below the relay holds, or
 * can open through /dev/tty, the caller's terminal), stdin /dev/null,
 * stdout and stderr the pipes, $CTU_CONSOLE_FD set.  0 or -errno.
 */
int ctu_pty_child(struct ctu_pty *p);

/*
 * In the parent: relays between our stdin/stdout and the terminal the chain
 * claims (or only the pipes, when nothing claims one) until @child has
 * exited and everything it wrote came out.  The outer terminal is back as
 * it was when this returns (and on every other way out).  Stores the
 * child's wait status in *@status.  Releases the child's pidfd and signalfd
 * as ctu_wait_child() does.  Returns 0 or a negative number with *@err set.
 */
int ctu_pty_relay(struct ctu_pty *p, struct ctu_child *child, int *status, ctu_err_t *err);

/*
 * $CTU_CONSOLE_FD: 0 when unset, 1 with the fd in *@fd when it names a
 * connected AF_UNIX stream socket, else an error (125 in a chaining tool).
 */
int ctu_console_pending(int *fd, ctu_err_t *err);

/*
 * The claim on console socket @sock, in the current root: /dev/ptmx opened,
 * unlocked, the slave opened through the master (TIOCGPTPEER, Linux 4.13),
 * the master sent, 'R' awaited, then a new session (unless we lead one)
 * with the slave as controlling terminal on 0, 1 and 2; @sock is closed
 * and $CTU_CONSOLE_FD unset.  Returns 0 or a negative number with *@err.
 */
int ctu_console_claim(int sock, ctu_err_t *err);

/*
 * The pty half of a claim, shared with lib/procopt's --console-fd (the OCI
 * console): a pty from the current root's /dev/ptmx, unlocked, its slave
 * opened through the master (TIOCGPTPEER, Linux 4.13), sized @rows x @cols
 * when both are set, the master sent over @sock (SCM_RIGHTS, the slave's name
 * as data) and closed.  Errors start with @what ("--pty").  The slave in
 * *@slave.  0, or a negative number with *@err (-EPIPE: the peer is gone).
 */
int ctu_pty_send_new(int sock, const char *what, unsigned short rows, unsigned short cols,
		     int *slave, ctu_err_t *err);

/* @slave becomes the controlling terminal (a new session unless we lead one) on 0, 1, 2. */
int ctu_pty_adopt(int slave, const char *what, ctu_err_t *err);

/*
 * Just before the exec of @argv (found as execvp finds it): with a console
 * pending, keeps fd N for a ctutils chaining tool, else claims it.  Sets
 * *@claimed.  0, or a negative number with *@err set.
 */
int ctu_console_before_exec(char *const argv[], bool *claimed, ctu_err_t *err);

/*
 * The receiving side: one message on @sock, with room for one fd and 4095
 * bytes (payload ignored, extra fds closed).  Returns 1 with a pty master
 * in *@master, 0 at EOF (the peer went away without a claim), -EBADMSG when
 * the message held no fd or no pty master (reply 'E'), or -errno.
 */
int ctu_console_receive(int sock, int *master);

/* The one-byte reply to a claim: 'R' (go on) or 'E'.  0 or -errno. */
int ctu_console_reply(int sock, bool ok);

/*
 * For an OCI runtime's --console-socket (runc/crun create): a listening
 * socket bound at @path (mode 0600), and one accepted message from it (no
 * reply: the OCI protocol expects none).  Return an fd, or -errno.
 */
int ctu_console_listen(const char *path, ctu_err_t *err);
int ctu_console_accept(int listenfd, int *master);

/*
 * Whether the ELF file @fd holds, in a PT_NOTE segment, the note
 * "ctutils"/CTU_NOTE_TYPE.  1 yes, 0 no (also for a non-ELF or malformed
 * file), -errno when it cannot be read.
 */
int ctu_elf_has_ctutils_note(int fd);

/*
 * Whether @name, found as execvp finds it ($PATH, or the default
 * /bin:/usr/bin, when it holds no '/'), is a ctutils chaining tool.  1, 0,
 * or -ENOENT when it is not found.
 */
int ctu_program_is_chaining(const char *name);

/*
 * Pure decisions of the relay, exported for the unit tests.
 * The VEOF bytes to write once piped stdin ended (0, 1 or 2): only while
 * the inner terminal is canonical; twice when the last byte was no newline.
 */
int ctu_pty_veof_count(bool canonical, bool any_written, char last_byte);

/* $LINES and $COLUMNS when both are integers in 1..65535, else 24x80. */
void ctu_pty_default_size(const char *lines, const char *columns, unsigned short *rows,
			  unsigned short *cols);

#endif
