/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lazy-archive.h - the libarchive functions ovlmount calls, loaded on first
 * use (lib/dlsym.h).  libarchive brings libxml2, ICU, libstdc++ and five
 * compressors: about 1.5 ms of every start, which a plain overlay mount
 * (the container chain's step) never needs; only the image commands do.
 * Include it instead of <archive.h> and <archive_entry.h>; calls are written
 * as usual.
 */
#ifndef OVL_LAZY_ARCHIVE_H
#define OVL_LAZY_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "dlsym.h"

#define OVL_ARCHIVE_SONAME "libarchive.so.13"

#define OVL_ARCHIVE_FUNCTIONS(X)                                                              \
	X(archive_entry_atime) X(archive_entry_atime_is_set) X(archive_entry_atime_nsec)      \
	X(archive_entry_filetype) X(archive_entry_free) X(archive_entry_gid)                  \
	X(archive_entry_hardlink) X(archive_entry_mtime) X(archive_entry_mtime_nsec)          \
	X(archive_entry_new) X(archive_entry_pathname) X(archive_entry_perm)                  \
	X(archive_entry_rdev) X(archive_entry_set_filetype) X(archive_entry_set_gid)          \
	X(archive_entry_set_hardlink) X(archive_entry_set_mtime) X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) X(archive_entry_set_rdev) X(archive_entry_set_rdevmajor)    \
	X(archive_entry_set_rdevminor) X(archive_entry_set_size) X(archive_entry_set_symlink) \
	X(archive_entry_set_uid) X(archive_entry_size) X(archive_entry_sparse_add_entry)      \
	X(archive_entry_symlink) X(archive_entry_uid) X(archive_entry_xattr_add_entry)        \
	X(archive_entry_xattr_next) X(archive_entry_xattr_reset) X(archive_errno)             \
	X(archive_error_string) X(archive_file_count) X(archive_read_data)                    \
	X(archive_read_data_block) X(archive_read_free) X(archive_read_new)                   \
	X(archive_read_next_header) X(archive_read_open) X(archive_read_open_fd)              \
	X(archive_read_support_filter_gzip) X(archive_read_support_filter_zstd)               \
	X(archive_read_support_format_raw) X(archive_read_support_format_tar)                 \
	X(archive_set_error) X(archive_write_add_filter_gzip) X(archive_write_add_filter_xz)  \
	X(archive_write_add_filter_zstd) X(archive_write_close) X(archive_write_data)         \
	X(archive_write_free) X(archive_write_header) X(archive_write_new)                    \
	X(archive_write_open) X(archive_write_open_fd) X(archive_write_set_bytes_per_block)   \
	X(archive_write_set_format_pax) X(archive_write_set_format_pax_restricted)            \
	X(archive_write_set_format_raw) X(archive_write_set_format_zip)                       \
	X(archive_write_set_options)

/*
 * struct ovl_archive_fns, ovl_archive() (a libarchive that cannot be loaded ends the tool) and
 * ovl_archive_try(err) (NULL and why in *err), loaded at the first call.
 */
CTU_DL_DECLARE(ovl_archive, ovl_archive_fns, OVL_ARCHIVE_FUNCTIONS);

#ifndef OVL_ARCHIVE_LOADER
#define archive_entry_atime (ovl_archive()->archive_entry_atime)
#define archive_entry_atime_is_set (ovl_archive()->archive_entry_atime_is_set)
#define archive_entry_atime_nsec (ovl_archive()->archive_entry_atime_nsec)
#define archive_entry_filetype (ovl_archive()->archive_entry_filetype)
#define archive_entry_free (ovl_archive()->archive_entry_free)
#define archive_entry_gid (ovl_archive()->archive_entry_gid)
#define archive_entry_hardlink (ovl_archive()->archive_entry_hardlink)
#define archive_entry_mtime (ovl_archive()->archive_entry_mtime)
#define archive_entry_mtime_nsec (ovl_archive()->archive_entry_mtime_nsec)
#define archive_entry_new (ovl_archive()->archive_entry_new)
#define archive_entry_pathname (ovl_archive()->archive_entry_pathname)
#define archive_entry_perm (ovl_archive()->archive_entry_perm)
#define archive_entry_rdev (ovl_archive()->archive_entry_rdev)
#define archive_entry_set_filetype (ovl_archive()->archive_entry_set_filetype)
#define archive_entry_set_gid (ovl_archive()->archive_entry_set_gid)
#define archive_entry_set_hardlink (ovl_archive()->archive_entry_set_hardlink)
#define archive_entry_set_mtime (ovl_archive()->archive_entry_set_mtime)
#define archive_entry_set_pathname (ovl_archive()->archive_entry_set_pathname)
#define archive_entry_set_perm (ovl_archive()->archive_entry_set_perm)
#define archive_entry_set_rdev (ovl_archive()->archive_entry_set_rdev)
#define archive_entry_set_rdevmajor (ovl_archive()->archive_entry_set_rdevmajor)
#define archive_entry_set_rdevminor (ovl_archive()->archive_entry_set_rdevminor)
#define archive_entry_set_size (ovl_archive()->archive_entry_set_size)
#define archive_entry_set_symlink (ovl_archive()->archive_entry_set_symlink)
#define archive_entry_set_uid (ovl_archive()->archive_entry_set_uid)
#define archive_entry_size (ovl_archive()->archive_entry_size)
#define archive_entry_sparse_add_entry (ovl_archive()->archive_entry_sparse_add_entry)
#define archive_entry_symlink (ovl_archive()->archive_entry_symlink)
#define archive_entry_uid (ovl_archive()->archive_entry_uid)
#define archive_entry_xattr_add_entry (ovl_archive()->archive_entry_xattr_add_entry)
#define archive_entry_xattr_next (ovl_archive()->archive_entry_xattr_next)
#define archive_entry_xattr_reset (ovl_archive()->archive_entry_xattr_reset)
#define archive_errno (ovl_archive()->archive_errno)
#define archive_error_string (ovl_archive()->archive_error_string)
#define archive_file_count (ovl_archive()->archive_file_count)
#define archive_read_data (ovl_archive()->archive_read_data)
#define archive_read_data_block (ovl_archive()->archive_read_data_block)
#define archive_read_free (ovl_archive()->archive_read_free)
#define archive_read_new (ovl_archive()->archive_read_new)
#define archive_read_next_header (ovl_archive()->archive_read_next_header)
#define archive_read_open (ovl_archive()->archive_read_open)
#define archive_read_open_fd (ovl_archive()->archive_read_open_fd)
#define archive_read_support_filter_gzip (ovl_archive()->archive_read_support_filter_gzip)
#define archive_read_support_filter_zstd (ovl_archive()->archive_read_support_filter_zstd)
#define archive_read_support_format_raw (ovl_archive()->archive_read_support_format_raw)
#define archive_read_support_format_tar (ovl_archive()->archive_read_support_format_tar)
#define archive_set_error (ovl_archive()->archive_set_error)
#define archive_write_add_filter_gzip (ovl_archive()->archive_write_add_filter_gzip)
#define archive_write_add_filter_xz (ovl_archive()->archive_write_add_filter_xz)
#define archive_write_add_filter_zstd (ovl_archive()->archive_write_add_filter_zstd)
#define archive_write_close (ovl_archive()->archive_write_close)
#define archive_write_data (ovl_archive()->archive_write_data)
#define archive_write_free (ovl_archive()->archive_write_free)
#define archive_write_header (ovl_archive()->archive_write_header)
#define archive_write_new (ovl_archive()->archive_write_new)
#define archive_write_open (ovl_archive()->archive_write_open)
#define archive_write_open_fd (ovl_archive()->archive_write_open_fd)
#define archive_write_set_bytes_per_block (ovl_archive()->archive_write_set_bytes_per_block)
#define archive_write_set_format_pax (ovl_archive()->archive_write_set_format_pax)
#define archive_write_set_format_pax_restricted (ovl_archive()->archive_write_set_format_pax_restricted)
#define archive_write_set_format_raw (ovl_archive()->archive_write_set_format_raw)
#define archive_write_set_format_zip (ovl_archive()->archive_write_set_format_zip)
#define archive_write_set_options (ovl_archive()->archive_write_set_options)
#endif

#endif
