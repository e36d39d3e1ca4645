// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tiocsti TEXT: the attack of CVE-2017-5226 on whatever terminal we were
 * given.  Push TEXT (with "\n" as a newline) into the input queue of fds 0, 1
 * and 2 and of /dev/tty, one TIOCSTI per byte, then exit: when one of them is
 * the caller's terminal, the caller's shell reads TEXT as a command once we
 * are gone.  Then report what we hold, one "key: value" line each, for the
 * tests to compare with the caller's:
 *
 *   fd 0: TIOCSTI ok            (or the error; "not a terminal")
 *   /dev/tty: TIOCSTI ok        (or "open: No such device or address")
 *   fds: 0=/dev/pts/0 1=/dev/pts/0 2=/dev/pts/0
 *   CTU_CONSOLE_FD: unset       (or its value)
 *   session: 1234               (field 6 of /proc/self/stat)
 *   tty_nr: 34816               (field 7)
 *
 * Static (tests/helpers/), so it runs in a busybox rootfs too.  Root with
 * CAP_SYS_ADMIN may push into any terminal it has open, also with
 * dev.tty.legacy_tiocsti=0: exactly the case --pty must make harmless.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* TEXT with "\n" turned into a newline, in place */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* push TEXT into FD's terminal; "ok" or why not */
static const char *push(int fd, const char *text)
{
	static char why[128];

	if (!isatty(fd))
		return "not a terminal";
	for (const char *p = text; *p; p++) {
		if (ioctl(fd, TIOCSTI, p) < 0) {
			snprintf(why, sizeof(why), "%s", strerror(errno));
			return why;
		}
	}
	return "ok";
}

static void list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char target[4096];

	printf("fds:");
	if (!d) {
		printf(" (cannot read /proc/self/fd: %s)\n", strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		ssize_t n;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		n = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf(" %s=%s", e->d_name, target);
	}
	closedir(d);
	putchar('\n');
}

/* fields 6 (session) and 7 (tty_nr) of /proc/self/stat: after the ")" that
 * ends comm, which may itself hold spaces and parentheses */
static void session_and_tty(void)
{
	char buf[4096], *p;
	long session, tty_nr;
	FILE *f = fopen("/proc/self/stat", "re");
	size_t n;

	if (!f) {
		printf("session: (cannot read /proc/self/stat: %s)\n", strerror(errno));
		return;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %ld %ld", &session, &tty_nr) != 2) {
		printf("session: (cannot parse /proc/self/stat)\n");
		return;
	}
	printf("session: %ld\ntty_nr: %ld\n", session, tty_nr);
}

int main(int argc, char **argv)
{
	const char *console = getenv("CTU_CONSOLE_FD");
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: tiocsti TEXT\n");
		return 2;
	}
	unescape(argv[1]);
	for (fd = 0; fd <= 2; fd++)
		printf("fd %d: TIOCSTI %s\n", fd, push(fd, argv[1]));
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		printf("/dev/tty: open: %s\n", strerror(errno));
	} else {
		printf("/dev/tty: TIOCSTI %s\n", push(fd, argv[1]));
		close(fd);
	}
	list_fds();
	printf("CTU_CONSOLE_FD: %s\n", console ? console : "unset");
	session_and_tty();
	return 0;
}
