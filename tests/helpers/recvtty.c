// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * recvtty - the receiving end of --console-fd (runc's console protocol):
 * runs CMD with fd 3 one end of a unix socket pair, receives the pty master
 * (SCM_RIGHTS) with the slave's name as data, prints "console NAME" and
 * then everything the program writes on the terminal, and exits as CMD.
 *
 *	recvtty CMD [ARG...]
 *	recvtty -l PATH
 *
 * With -l, a socket listening at PATH (an OCI runtime's --console-socket)
 * instead: one connection accepted, then the same, until the terminal's
 * last slave is closed; "listening" on stderr once PATH is there.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int receive_master(int sock, char *name, size_t size)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = name, .iov_len = size - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(sock, &msg, 0);
	int fd;

	if (n <= 0)
		return -1;
	name[n] = '\0';
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

/* Copies the terminal's output until the slave is closed or CMD ended and it is quiet. */
static void relay(int master, pid_t pid, int *status)
{
	char buf[4096];
	bool done = false;

	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };
		int r = poll(&p, 1, 200);
		ssize_t n;

		if (r == 0 && done)
			return;
		if (!done && waitpid(pid, status, WNOHANG) == pid)
			done = true;
		if (r <= 0)
			continue;
		n = read(master, buf, sizeof(buf));
		if (n <= 0)
			return;
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
}

/* -l PATH: the master from the first connection to PATH, its output until EIO. */
static int listen_at(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char name[4096], buf[4096];
	int lfd, conn, master;
	ssize_t n;

	if (strlen(path) >= sizeof(addr.sun_path))
		return 2;
	strcpy(addr.sun_path, path);
	unlink(path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, 1) < 0)
		return 2;
	fprintf(stderr, "listening\n");
	conn = accept(lfd, NULL, NULL);
	master = conn < 0 ? -1 : receive_master(conn, name, sizeof(name));
	if (master < 0) {
		printf("no console\n");
		return 1;
	}
	printf("console %s\n", name);
	fflush(stdout);
	while ((n = read(master, buf, sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int sv[2], status = 0, master;
	char name[4096];
	pid_t pid;

	if (argc == 3 && strcmp(argv[1], "-l") == 0)
		return listen_at(argv[2]);
	if (argc < 2 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 2;
	pid = fork();
	if (pid == 0) {
		if (dup2(sv[1], 3) < 0)
			_exit(2);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	close(sv[1]);
	master = receive_master(sv[0], name, sizeof(name));
	if (master < 0) {
		printf("no console\n");
		waitpid(pid, &status, 0);
	} else {
		printf("console %s\n", name);
		fflush(stdout);
		relay(master, pid, &status);
		if (waitpid(pid, &status, 0) < 0 && errno != ECHILD)
			return 2;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
