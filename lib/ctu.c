// SPDX-License-Identifier: GPL-2.0-or-later
/* ctu.c - tool start-up, messages and small file helpers shared by every tool. */
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <sys/auxv.h>

#include "cli.h"
#include "ctu.h"

noreturn void ctu_version_and_exit(void)
{
	ctu_print_version();
	exit(CTU_EXIT_OK);
}

const char *ctu_getopt_around_arg(int argc, char **argv, const char *optstring,
				  const struct option *longopts, void (*handle)(int opt, void *ctx),
				  void *ctx, char ***program)
{
	const char *arg = NULL;
	int c;

	for (;;) {
		bool after_dashdash;

		while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1)
			handle(c, ctx);
		/* getopt stopped at "--" (and skipped it) or at a non-option */
		after_dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
		if (arg || optind >= argc)
			break;
		arg = argv[optind++];
		if (after_dashdash)
			break;
	}
	*program = argv + optind;
	return arg;
}

noreturn void ctu_try_help(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", program_invocation_short_name);
	exit(ctu_exit_usage);
}

noreturn void ctu_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ctu_try_help();
}

noreturn void ctu_die_errno(int neg_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errno = -neg_errno;
	verr(ctu_exit_fail, fmt, ap);
	// cppcheck-suppress va_end_missing ; verr() does not return
}

noreturn void ctu_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrx(ctu_exit_fail, fmt, ap);
	// cppcheck-suppress va_end_missing ; verrx() does not return
}

noreturn void ctu_die_undo(void (*undo)(void), const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	undo();
	exit(ctu_exit_fail);
}

void ctu_debug(const char *fmt, ...)
{
	va_list ap;
	const char *env = getenv("CTU_DEBUG");

	if (!env || !*env || strcmp(env, "0") == 0)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: debug: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int ctu_read_file(int dirfd, const char *path, char **out, size_t *len)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, used = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (used + 1 >= size) {
			size_t bigger = size ? size * 2 : 4096;
			char *p = realloc(buf, bigger);

			if (!p)
				return -ENOMEM;
			buf = p;
			size = bigger;
		}
		n = read(fd, buf + used, size - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = ctu_steal_ptr(&buf);
	return 0;
}

int ctu_write_file(int dirfd, const char *path, const char *buf)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	size_t len = strlen(buf);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}
