/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * undo-entry.h - one record of the rollback log, for lib/undo*.c only.  A
 * kind is its replay function; lib/undo_link.c adds one without undo.c
 * knowing netlink.
 */
#ifndef CTU_UNDO_ENTRY_H
#define CTU_UNDO_ENTRY_H

#include "undo.h"

struct ctu_undo_entry {
	struct ctu_undo_entry *older;
	void (*replay)(const struct ctu_undo_entry *e);
	int fd;		    /* a dirfd, mount fd or netns fd the entry owns; -1 or AT_FDCWD */
	unsigned int flags; /* CTU_UNDO_IN_ROOT */
	int ifindex;
	char *path;
	void (*fn)(void *arg);
	void *arg;
};

/*
 * Adds a copy of @e (its fd and path now owned by the log) as the newest
 * entry.  On failure it replays @e at once, releases it, and fills *@err.
 */
int ctu_undo_push(struct ctu_undo *u, const struct ctu_undo_entry *e, ctu_err_t *err);

#endif
