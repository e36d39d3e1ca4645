/* SPDX-License-Identifier: GPL-2.0-or-later */
/* capture.h - for unit tests: what a function writes on stdout or stderr. */
#ifndef CTU_TEST_CAPTURE_H
#define CTU_TEST_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Runs @fn(@arg) with @stream (stdout or stderr) sent to a tmpfile, and
 * returns what was written (newly allocated; up to 4095 bytes).
 */
static inline char *capture_output(FILE *stream, void (*fn)(void *arg), void *arg)
{
	FILE *tmp = tmpfile();
	int fd = fileno(stream), saved = dup(fd);
	char *buf = calloc(1, 4096);
	size_t n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	assert_non_null(buf);
	fflush(stream);
	assert_true(dup2(fileno(tmp), fd) >= 0);
	fn(arg);
	fflush(stream);
	assert_true(dup2(saved, fd) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, 4095, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

#endif
