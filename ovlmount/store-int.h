/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store-int.h - what the store's files (store.c, pull.c, lease.c,
 * storels.c) share and nothing else uses.
 */
#ifndef OVLMOUNT_STORE_INT_H
#define OVLMOUNT_STORE_INT_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "image.h"
#include "strv.h"

/* /proc/self/@file ("uid_map") as "0 100000 65536", lines joined by ", ". */
char *store_id_map(const char *file);

/* DIR/layers/HEX/root of @chain_id, newly allocated. */
char *store_layer_root(const struct store *s, const char *chain_id);

/* RFC 3339 UTC ("2026-12-01T16:05:00Z") into @buf. */
const char *store_time(time_t t, char *buf, size_t size);

/* locks/NAME.lock below the store, flock'ed with @how: the fd or -errno. */
int store_lock_file(const struct store *s, const char *name, int how);

/* Adds @src to the record images/HEX.json of @img (made if missing); @pull sets "pulled". */
int store_record_image(struct store *s, const struct img_image *img, ctu_err_t *err);

/*
 * A mount namespace we can see: its inode and a process in it (pid 0:
 * pinned by an nsfs mount only; inode 0: a process whose namespace we may
 * not stat, one entry per such process).
 */
struct store_mntns {
	ino_t ino;
	pid_t pid;
};

/* Every mount namespace visible from here: from /proc/PID/ns/mnt and nsfs mounts. */
int store_scan_mntns(struct store_mntns **out, size_t *n);

/* Whether the lease @lease (a parsed lease file of mounts/) still lives, given the namespaces @ns. */
bool store_lease_alive(json_t *lease, const struct store_mntns *ns, size_t n);

/* Calls @fn for each lease file of the store (name and parsed JSON); stops at a negative return. */
int store_each_lease(struct store *s, int (*fn)(const char *name, json_t *lease, void *ctx),
		     void *ctx);

#endif
