// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A container engine's state file from untrusted bytes (nsenter-lite
 * --container): runc's, crun's and ctrun's JSON as state.c parses it, and
 * the checks of what fstat says of the file, from the same bytes.
 */
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctu.h"
#include "fuzz.h"
#include "nsenter-lite/state.h"

/* Accepted means a real PID; refused means a message that names the file. */
static void parse_as(const uint8_t *data, size_t size, enum state_format fmt)
{
	struct ctu_pidref ref = { 0 };
	ctu_err_t err = NULL;
	int r = state_parse((const char *)data, size, fmt, "fuzz", &ref, &err);

	if (r == 0 && (ref.pid < 1 || (ref.kind != CTU_PIDREF_START && ref.kind != CTU_PIDREF_PLAIN)))
		abort();
	if (r < 0 && (!err || !err->msg || strncmp(err->msg, "state file fuzz: ", 17)))
		abort();
	ctu_err_free(&err);
}

/* The first bytes as a stat: accepted only when regular, small, ours and not shared. */
static void check_stat(const uint8_t *data, size_t size)
{
	struct stat st = { 0 };
	ctu_err_t err = NULL;
	uint32_t w[3] = { 0 };

	memcpy(w, data, size < sizeof(w) ? size : sizeof(w));
	st.st_mode = (mode_t)w[0];
	st.st_size = (off_t)w[1] << 4;
	st.st_uid = w[2] & 1 ? geteuid() : (uid_t)(w[2] >> 1);
	if (state_check_stat(&st, "fuzz", &err) == 0 &&
	    (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > STATE_FILE_MAX ||
	     (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)))
		abort();
	ctu_err_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_as(data, size, STATE_OCI);
	parse_as(data, size, STATE_CRUN);
	parse_as(data, size, STATE_CTRUN);
	check_stat(data, size);
	return 0;
}
