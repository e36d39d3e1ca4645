// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pidref parser (lib/pidref.h): "PID", "PID@STARTTIME", "PID:INODE", as
 * -t and every pid file's first line give it.  What it accepts must be a
 * PID from 1 to 2^31-1 and, for PID:INODE, an inode that is not 0; printed
 * back in its own form, it must parse to the same reference.
 */
#include <inttypes.h>
#include <stdio.h>

#include "err.h"
#include "fuzz.h"
#include "pidref.h"

/* @ref in the form it was written in. */
static void format_ref(const struct ctu_pidref *ref, char *buf, size_t size)
{
	switch (ref->kind) {
	case CTU_PIDREF_PLAIN:
		snprintf(buf, size, "%d", (int)ref->pid);
		break;
	case CTU_PIDREF_START:
		snprintf(buf, size, "%d@%" PRIu64, (int)ref->pid, ref->start);
		break;
	case CTU_PIDREF_INODE:
		snprintf(buf, size, "%d:%" PRIu64, (int)ref->pid, ref->inode);
		break;
	default:
		abort(); /* a kind the parser must never make */
	}
}

static bool same_ref(const struct ctu_pidref *a, const struct ctu_pidref *b)
{
	return a->pid == b->pid && a->kind == b->kind &&
	       (a->kind != CTU_PIDREF_START || a->start == b->start) &&
	       (a->kind != CTU_PIDREF_INODE || a->inode == b->inode);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), again[64];
	struct ctu_pidref ref, back;
	ctu_err_t err = NULL;

	if (ctu_pidref_parse(s, &ref, &err) < 0) {
		/* a refusal says why, as a usage error */
		if (!err || err->kind != CTU_ERR_USAGE || !err->msg)
			abort();
		ctu_err_free(&err);
		free(s);
		return 0;
	}
	if (err || ref.pid < 1 || (ref.kind == CTU_PIDREF_INODE && ref.inode == 0))
		abort();
	format_ref(&ref, again, sizeof(again));
	if (ctu_pidref_parse(again, &back, &err) < 0 || !same_ref(&ref, &back))
		abort(); /* what we print, we take back unchanged */
	free(s);
	return 0;
}
