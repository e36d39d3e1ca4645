/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lazy-mount.h - the libmount functions ctutils calls, loaded on first use
 * (dlsym.h).  libmount brings libblkid, libselinux and libpcre2: about half
 * a millisecond of every start, which the container chain's steps never
 * need (cgctl reads the mount table only on a host with v1 hierarchies,
 * nsenter-lite only for some targets, ovlmount only for its image store).
 * Include it instead of <libmount.h>; calls are written as usual.
 */
#ifndef CTU_LAZY_MOUNT_H
#define CTU_LAZY_MOUNT_H

#include <libmount.h>

#include "dlsym.h"

#define CTU_MOUNT_SONAME "libmount.so.1"

#define CTU_MOUNT_FUNCTIONS(X)                                                                \
	X(mnt_free_iter) X(mnt_fs_get_fs_options) X(mnt_fs_get_fstype) X(mnt_fs_get_id)       \
	X(mnt_fs_get_options) X(mnt_fs_get_root) X(mnt_fs_get_source) X(mnt_fs_get_target)   \
	X(mnt_get_builtin_optmap) X(mnt_new_iter) X(mnt_new_table)                            \
	X(mnt_new_table_from_file) X(mnt_optstr_get_flags) X(mnt_optstr_get_option)           \
	X(mnt_optstr_get_options) X(mnt_table_find_target) X(mnt_table_next_fs)               \
	X(mnt_table_parse_file) X(mnt_table_parse_stream) X(mnt_unref_table)

/*
 * struct ctu_libmount, ctu_libmount() (a libmount that cannot be loaded ends the tool) and
 * ctu_libmount_try(err) (NULL and why in *err), loaded at the first call.
 */
CTU_DL_DECLARE(ctu_libmount, ctu_libmount, CTU_MOUNT_FUNCTIONS);

#ifndef CTU_MOUNT_LOADER
#define mnt_free_iter (ctu_libmount()->mnt_free_iter)
#define mnt_fs_get_fs_options (ctu_libmount()->mnt_fs_get_fs_options)
#define mnt_fs_get_fstype (ctu_libmount()->mnt_fs_get_fstype)
#define mnt_fs_get_id (ctu_libmount()->mnt_fs_get_id)
#define mnt_fs_get_options (ctu_libmount()->mnt_fs_get_options)
#define mnt_fs_get_root (ctu_libmount()->mnt_fs_get_root)
#define mnt_fs_get_source (ctu_libmount()->mnt_fs_get_source)
#define mnt_fs_get_target (ctu_libmount()->mnt_fs_get_target)
#define mnt_get_builtin_optmap (ctu_libmount()->mnt_get_builtin_optmap)
#define mnt_new_iter (ctu_libmount()->mnt_new_iter)
#define mnt_new_table (ctu_libmount()->mnt_new_table)
#define mnt_new_table_from_file (ctu_libmount()->mnt_new_table_from_file)
#define mnt_optstr_get_flags (ctu_libmount()->mnt_optstr_get_flags)
#define mnt_optstr_get_option (ctu_libmount()->mnt_optstr_get_option)
#define mnt_optstr_get_options (ctu_libmount()->mnt_optstr_get_options)
#define mnt_table_find_target (ctu_libmount()->mnt_table_find_target)
#define mnt_table_next_fs (ctu_libmount()->mnt_table_next_fs)
#define mnt_table_parse_file (ctu_libmount()->mnt_table_parse_file)
#define mnt_table_parse_stream (ctu_libmount()->mnt_table_parse_stream)
#define mnt_unref_table (ctu_libmount()->mnt_unref_table)
#endif

#endif
