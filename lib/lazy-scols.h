/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lazy-scols.h - the libsmartcols functions ctutils calls, loaded on first
 * use (dlsym.h): only the commands that print a table (ls, top, inspect,
 * --json) need it, not the tools of a container's chain.
 * Include it instead of <libsmartcols.h>; calls are written as usual.
 */
#ifndef CTU_LAZY_SCOLS_H
#define CTU_LAZY_SCOLS_H

#include <libsmartcols.h>

#include "dlsym.h"

#define CTU_SCOLS_SONAME "libsmartcols.so.1"

#define CTU_SCOLS_FUNCTIONS(X)                                                                \
	X(scols_cell_set_data) X(scols_column_set_json_type) X(scols_column_set_safechars)    \
	X(scols_column_set_wrapfunc) X(scols_line_refer_data) X(scols_line_set_data)          \
	X(scols_new_table) X(scols_print_table) X(scols_print_table_to_string)                \
	X(scols_table_enable_json) X(scols_table_enable_noheadings) X(scols_table_enable_raw) \
	X(scols_table_get_title) X(scols_table_new_column) X(scols_table_new_line)           \
	X(scols_table_set_name) X(scols_unref_table) X(scols_wrapnl_chunksize)                \
	X(scols_wrapnl_nextchunk)

/*
 * struct ctu_scols, ctu_scols() (a libsmartcols that cannot be loaded ends the tool) and
 * ctu_scols_try(err) (NULL and why in *err), loaded at the first call.
 */
CTU_DL_DECLARE(ctu_scols, ctu_scols, CTU_SCOLS_FUNCTIONS);

#ifndef CTU_SCOLS_LOADER
#define scols_cell_set_data (ctu_scols()->scols_cell_set_data)
#define scols_column_set_json_type (ctu_scols()->scols_column_set_json_type)
#define scols_column_set_safechars (ctu_scols()->scols_column_set_safechars)
#define scols_column_set_wrapfunc (ctu_scols()->scols_column_set_wrapfunc)
#define scols_line_refer_data (ctu_scols()->scols_line_refer_data)
#define scols_line_set_data (ctu_scols()->scols_line_set_data)
#define scols_new_table (ctu_scols()->scols_new_table)
#define scols_print_table (ctu_scols()->scols_print_table)
#define scols_print_table_to_string (ctu_scols()->scols_print_table_to_string)
#define scols_table_enable_json (ctu_scols()->scols_table_enable_json)
#define scols_table_enable_noheadings (ctu_scols()->scols_table_enable_noheadings)
#define scols_table_enable_raw (ctu_scols()->scols_table_enable_raw)
#define scols_table_get_title (ctu_scols()->scols_table_get_title)
#define scols_table_new_column (ctu_scols()->scols_table_new_column)
#define scols_table_new_line (ctu_scols()->scols_table_new_line)
#define scols_table_set_name (ctu_scols()->scols_table_set_name)
#define scols_unref_table (ctu_scols()->scols_unref_table)
#define scols_wrapnl_chunksize (ctu_scols()->scols_wrapnl_chunksize)
#define scols_wrapnl_nextchunk (ctu_scols()->scols_wrapnl_nextchunk)
#endif

#endif
