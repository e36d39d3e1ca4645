// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pty.c - the console socket: the claim at the end of the chain, the
 * receiving side, the OCI listener, and the ELF note that tells a ctutils
 * chaining tool from any other program.  The relay is pty_relay.c's.
 */
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>

#include "ctu.h"
#include "parse.h"
#include "pty.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The OCI message: the slave's name (< 4096 bytes) and one fd. */
#define NAME_MAX_LEN 4095

int ctu_pty_prepare(struct ctu_pty *p, ctu_err_t *err)
{
	int pending = -1, r;

	p->sock[0] = p->sock[1] = p->out[0] = p->out[1] = p->err[0] = p->err[1] = -1;
	r = ctu_console_pending(&pending, err);
	if (r < 0)
		return r;
	/* a relay below another one: our terminal is the one above's */
	if (r > 0 && ctu_console_claim(pending, err) < 0)
		return ctu_err_code(*err);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p->sock) < 0)
		return ctu_err_errno(err, "--pty: cannot create the console socket");
	if (pipe2(p->out, O_CLOEXEC) < 0 || pipe2(p->err, O_CLOEXEC) < 0)
		return ctu_err_errno(err, "--pty: cannot create a pipe");
	/* fd N above 2, whatever the caller left closed */
	if (p->sock[1] <= 2) {
		int fd = fcntl(p->sock[1], F_DUPFD_CLOEXEC, 3);

		if (fd < 0)
			return ctu_err_errno(err, "--pty: cannot move the console socket");
		close(p->sock[1]);
		p->sock[1] = fd;
	}
	return 0;
}

int ctu_pty_child(struct ctu_pty *p)
{
	char num[16];
	int null;

	/* first: from here no process of ours can reach the caller's terminal */
	if (setsid() < 0 && getsid(0) != getpid())
		return -errno;
	null = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (null < 0)
		return -errno;
	if (dup2(null, 0) < 0 || dup2(p->out[1], 1) < 0 || dup2(p->err[1], 2) < 0)
		return -errno;
	if (null > 2)
		close(null);
	close(p->sock[0]);
	close(p->out[0]);
	close(p->err[0]);
	close(p->out[1]);
	close(p->err[1]);
	snprintf(num, sizeof(num), "%d", p->sock[1]);
	if (setenv(CTU_CONSOLE_ENV, num, 1) < 0)
		return -errno;
	return 0;
}

int ctu_console_pending(int *fd, ctu_err_t *err)
{
	const char *v = getenv(CTU_CONSOLE_ENV);
	struct sockaddr_un peer;
	socklen_t len = sizeof(int), plen = sizeof(peer);
	int domain = 0, type = 0, n;

	if (!v)
		return 0;
	if (ctu_parse_int(v, &n) < 0 || n < 0)
		return ctu_err_make(err, 0, "invalid %s '%s': not a file descriptor",
				    CTU_CONSOLE_ENV, v);
	if (getsockopt(n, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX ||
	    getsockopt(n, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM ||
	    getpeername(n, (struct sockaddr *)&peer, &plen) < 0)
		return ctu_err_make(err, 0,
				    "invalid %s=%s: not a connected unix socket (no terminal "
				    "relay)",
				    CTU_CONSOLE_ENV, v);
	*fd = n;
	return 1;
}

/* The slave's name as the program will see it: /proc/self/fd, else /dev/pts/N. */
static void slave_name(int slave, unsigned int n, char *buf, size_t size)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", slave);
	len = readlink(link, buf, size - 1);
	if (len > 0 && buf[0] == '/') {
		buf[len] = '\0';
		return;
	}
	snprintf(buf, size, "/dev/pts/%u", n);
}

/* The master and our name of the slave, sent in one message. */
static int send_master(int sock, int master, const char *name)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	memset(u.buf, 0, sizeof(u.buf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/*
 * Opens a pty in our root: the master (ours to send) and its slave.  Blocking,
 * as runc's: a receiver sets its own flags (the relay makes it O_NONBLOCK).
 */
static int open_pty(const char *what, int *master, int *slave, char *name, size_t size,
		    ctu_err_t *err)
{
	unsigned int n = 0;
	int unlock = 0;

	*master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0) {
		ctu_err_errno(err, "%s: cannot open /dev/ptmx", what);
		if (errno == ENOENT)
			ctu_err_hint(err, "a new root needs a devpts: pivot --dev");
		return ctu_err_code(*err);
	}
	if (ioctl(*master, TIOCGPTN, &n) < 0)
		return ctu_err_errno(err, "%s: /dev/ptmx is no pty multiplexer", what);
	if (ioctl(*master, TIOCSPTLCK, &unlock) < 0)
		return ctu_err_errno(err, "%s: cannot unlock pty %u", what, n);
	/* through the master: no lookup of /dev/pts/N, which could be swapped */
	*slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*slave < 0) {
		ctu_err_errno(err, "%s: cannot open the slave of pty %u", what, n);
		if (errno == EINVAL || errno == ENOTTY)
			ctu_err_hint(err, "needs Linux 4.13 (TIOCGPTPEER)");
		return ctu_err_code(*err);
	}
	slave_name(*slave, n, name, size);
	return 0;
}

int ctu_pty_send_new(int sock, const char *what, unsigned short rows, unsigned short cols,
		     int *slave, ctu_err_t *err)
{
	_cleanup_close_ int master = -1, s = -1;
	char name[NAME_MAX_LEN + 1];
	int r;

	*slave = -1;
	if (open_pty(what, &master, &s, name, sizeof(name), err) < 0)
		return ctu_err_code(*err);
	if (rows && cols) {
		struct winsize ws = { .ws_row = rows, .ws_col = cols };

		/* before the send: the receiver's first look sees the size */
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			return ctu_err_errno(err, "%s: cannot set the size %ux%u", what, rows,
					     cols);
	}
	r = send_master(sock, master, name);
	if (r < 0)
		return ctu_err_make(err, -r, "%s: cannot send the terminal", what);
	*slave = ctu_steal_fd(&s);
	return 0;
}

int ctu_pty_adopt(int slave, const char *what, ctu_err_t *err)
{
	if (getsid(0) != getpid() && setsid() < 0)
		return ctu_err_errno(err, "%s: cannot start a new session", what);
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return ctu_err_errno(err, "%s: cannot make the terminal ours", what);
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			return ctu_err_errno(err, "%s: cannot put the terminal on fd %d", what, fd);
	return 0;
}

int ctu_console_claim(int sock, ctu_err_t *err)
{
	_cleanup_close_ int slave = -1;
	char c = 0;
	ssize_t n;
	int r;

	r = ctu_pty_send_new(sock, "--pty", 0, 0, &slave, err);
	if (r == -EPIPE || r == -ECONNRESET)
		ctu_err_free(err); /* the relay is gone: said below */
	else if (r < 0)
		return r;
	do
		n = r < 0 ? 0 : read(sock, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1 || c != 'R')
		return ctu_err_make(err, 0, "the terminal relay went away");
	if (ctu_pty_adopt(slave, "--pty", err) < 0)
		return ctu_err_code(*err);
	close(sock);
	unsetenv(CTU_CONSOLE_ENV);
	return 0;
}

int ctu_console_before_exec(char *const argv[], bool *claimed, ctu_err_t *err)
{
	int fd = -1, r = ctu_console_pending(&fd, err);

	*claimed = false;
	if (r <= 0)
		return r;
	r = ctu_program_is_chaining(argv[0]);
	if (r == -ENOENT)
		return 0; /* the exec fails: its message goes out through the pipes */
	if (r > 0) {
		/* the program is the next link: it claims, or passes fd N on */
		if (ctu_pass_fd(fd) < 0)
			return ctu_err_make(err, EMFILE, "cannot pass the console socket on");
		return 0;
	}
	if (ctu_console_claim(fd, err) < 0)
		return ctu_err_code(*err);
	*claimed = true;
	return 0;
}

/* Closes every fd of the SCM_RIGHTS messages in @msg but the first, kept in *@first. */
static void take_fds(struct msghdr *msg, int *first)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*first < 0)
				*first = fd;
			else
				close(fd);
		}
	}
}

int ctu_console_receive(int sock, int *master)
{
	char data[NAME_MAX_LEN];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	unsigned int ptn;
	int fd = -1;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	take_fds(&msg, &fd);
	if (n == 0 && fd < 0)
		return 0;
	/* TIOCGPTN answers on a pty master only */
	if (fd < 0 || ioctl(fd, TIOCGPTN, &ptn) < 0) {
		if (fd >= 0)
			close(fd);
		return -EBADMSG;
	}
	*master = fd;
	return 1;
}

int ctu_console_reply(int sock, bool ok)
{
	char c = ok ? 'R' : 'E';
	ssize_t n;

	do
		n = send(sock, &c, 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -errno;
}

int ctu_console_listen(const char *path, ctu_err_t *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = -1;
	mode_t old;
	int r;

	if (strlen(path) >= sizeof(a.sun_path))
		return ctu_err_make(err, ENAMETOOLONG, "console socket %s", path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ctu_err_errno(err, "cannot create the console socket");
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (r < 0)
		return ctu_err_errno(err, "cannot bind the console socket %s", path);
	if (listen(fd, 1) < 0)
		return ctu_err_errno(err, "cannot listen on %s", path);
	return ctu_steal_fd(&fd);
}

int ctu_console_accept(int listenfd, int *master)
{
	_cleanup_close_ int conn = -1;
	int r;

	do
		conn = accept4(listenfd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return -errno;
	r = ctu_console_receive(conn, master);
	return r == 0 ? -ECONNRESET : r;
}

/* ELF notes ---------------------------------------------------------------- */

/* Bounds for what a real chaining tool holds; anything past them is not one. */
#define MAX_PHNUM      512
#define MAX_NOTES_SIZE ((size_t)64 * 1024)

static bool note_matches(const char *notes, size_t size, size_t align)
{
	size_t off = 0;

	while (size - off >= 12) {
		uint32_t namesz, descsz, type;
		size_t name_end, desc_end;

		memcpy(&namesz, notes + off, 4);
		memcpy(&descsz, notes + off + 4, 4);
		memcpy(&type, notes + off + 8, 4);
		off += 12;
		if (namesz > size - off)
			return false;
		name_end = off + ((namesz + align - 1) & ~(align - 1));
		if (name_end > size || descsz > size - name_end)
			return false;
		desc_end = name_end + ((descsz + align - 1) & ~(align - 1));
		if (namesz == sizeof(CTU_NOTE_NAME) && type == CTU_NOTE_TYPE &&
		    memcmp(notes + off, CTU_NOTE_NAME, sizeof(CTU_NOTE_NAME)) == 0)
			return true;
		if (desc_end > size)
			return false;
		off = desc_end;
	}
	return false;
}

/* One program header, of either class, as 64-bit values. */
struct phdr {
	uint32_t type;
	uint64_t offset, filesz, align;
};

static bool read_phdr(int fd, bool is64, uint64_t at, struct phdr *ph)
{
	if (is64) {
		Elf64_Phdr p;

		if (pread(fd, &p, sizeof(p), (off_t)at) != (ssize_t)sizeof(p))
			return false;
		*ph = (struct phdr){ p.p_type, p.p_offset, p.p_filesz, p.p_align };
	} else {
		Elf32_Phdr p;

		if (pread(fd, &p, sizeof(p), (off_t)at) != (ssize_t)sizeof(p))
			return false;
		*ph = (struct phdr){ p.p_type, p.p_offset, p.p_filesz, p.p_align };
	}
	return true;
}

static int segment_has_note(int fd, const struct phdr *ph, uint64_t file_size)
{
	_cleanup_free_ char *buf = NULL;

	if (ph->offset > file_size || ph->filesz > file_size - ph->offset ||
	    ph->filesz > MAX_NOTES_SIZE || ph->filesz < 12)
		return 0;
	buf = malloc(ph->filesz);
	if (!buf)
		return -ENOMEM;
	if (pread(fd, buf, ph->filesz, (off_t)ph->offset) != (ssize_t)ph->filesz)
		return 0;
	return note_matches(buf, ph->filesz, ph->align == 8 ? 8 : 4);
}

int ctu_elf_has_ctutils_note(int fd)
{
	unsigned char ident[EI_NIDENT];
	uint64_t phoff;
	unsigned int phnum, phentsize;
	struct stat st;
	bool is64;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || pread(fd, ident, sizeof(ident), 0) != (ssize_t)sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG) != 0 || ident[EI_DATA] != ELFDATA2LSB)
		return 0;
	is64 = ident[EI_CLASS] == ELFCLASS64;
	if (is64) {
		Elf64_Ehdr e;

		if (pread(fd, &e, sizeof(e), 0) != (ssize_t)sizeof(e))
			return 0;
		phoff = e.e_phoff, phnum = e.e_phnum, phentsize = e.e_phentsize;
	} else if (ident[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr e;

		if (pread(fd, &e, sizeof(e), 0) != (ssize_t)sizeof(e))
			return 0;
		phoff = e.e_phoff, phnum = e.e_phnum, phentsize = e.e_phentsize;
	} else {
		return 0;
	}
	if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) || phnum > MAX_PHNUM ||
	    phoff > (uint64_t)st.st_size ||
	    (uint64_t)phnum * phentsize > (uint64_t)st.st_size - phoff)
		return 0;
	for (unsigned int i = 0; i < phnum; i++) {
		struct phdr ph;
		int r;

		if (!read_phdr(fd, is64, phoff + (uint64_t)i * phentsize, &ph))
			return 0;
		if (ph.type != PT_NOTE)
			continue;
		r = segment_has_note(fd, &ph, (uint64_t)st.st_size);
		if (r != 0)
			return r;
	}
	return 0;
}

static int is_chaining_file(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int r;

	if (fd < 0)
		return -errno;
	r = ctu_elf_has_ctutils_note(fd);
	return r < 0 ? 0 : r;
}

int ctu_program_is_chaining(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (!name || !*name)
		return -ENOENT;
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? is_chaining_file(name) : -ENOENT;
	/* glibc's execvp without $PATH: confstr(_CS_PATH) */
	if (!path)
		path = "/bin:/usr/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int len = (int)(end - p);
		struct stat st;

		if (len == 0)
			snprintf(buf, sizeof(buf), "%s", name);
		else
			snprintf(buf, sizeof(buf), "%.*s/%s", len, p, name);
		if (access(buf, X_OK) == 0 && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return is_chaining_file(buf);
		if (!*end)
			break;
		p = end;
	}
	return -ENOENT;
}
