// SPDX-License-Identifier: GPL-2.0-or-later
/* ctu.c - small file helpers shared by every tool. */
#include <fcntl.h>
#include <string.h>

#include "ctu.h"

/*
 * In a PT_NOTE segment (the linker gathers SHT_NOTE sections, which GNU as
 * makes of ".note*" names): owner "ctutils", type 1, desc the protocol
 * version of the console socket.
 */
__attribute__((used, section(".note.ctutils"), aligned(4))) const struct ctu_elf_note
    ctu_chaining_note = {
	    .namesz = sizeof("ctutils"),
	    .descsz = sizeof(unsigned int),
	    .type = 1,
	    .name = "ctutils",
	    .desc = 1,
};

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

int ctu_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
