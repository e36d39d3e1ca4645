// SPDX-License-Identifier: GPL-2.0-or-later
/* out.c - libsmartcols tables and JSON for every listing (see out.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "ctu.h"
#include "out.h"

/* The header, or in JSON the key: "DIFF-ID" is "diff_id" (libsmartcols lowers the case). */
static const char *column_name(const struct ctu_out_column *col, bool json, char *buf, size_t size)
{
	if (!json)
		return col->name;
	if (col->json_name)
		return col->json_name;
	snprintf(buf, size, "%s", col->name);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
	return buf;
}

/* SCOLS_FL_HIDDEN hides a column from tables only: JSON has every key. */
static int column_flags(const struct ctu_out_column *col, bool json)
{
	return json ? col->flags & ~SCOLS_FL_HIDDEN : col->flags;
}

struct libscols_table *ctu_out_table(const char *name, const struct ctu_out_column *cols, size_t n,
				     const struct ctu_out_flags *flags)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_set_name(tb, name);
	scols_table_enable_json(tb, flags->json);
	scols_table_enable_raw(tb, flags->raw);
	scols_table_enable_noheadings(tb, flags->noheadings);
	for (size_t i = 0; i < n; i++) {
		char key[64];
		struct libscols_column *cl =
			scols_table_new_column(tb, column_name(&cols[i], flags->json, key, sizeof(key)),
					       cols[i].width_hint, column_flags(&cols[i], flags->json));

		if (!cl) {
			scols_unref_table(tb);
			return NULL;
		}
		scols_column_set_json_type(cl, cols[i].json_type);
		/* arrays are given as one cell with a line per element */
		if (cols[i].json_type == SCOLS_JSON_ARRAY_STRING ||
		    cols[i].json_type == SCOLS_JSON_ARRAY_NUMBER) {
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk,
						  NULL);
			scols_column_set_safechars(cl, "\n");
		}
	}
	return tb;
}

int ctu_out_line(struct libscols_table *tb, const char *const *cells, size_t n)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (cells[i] && scols_line_set_data(ln, i, cells[i]) != 0)
			return -ENOMEM;
	return 0;
}

int ctu_out_print(struct libscols_table *tb)
{
	int r = scols_print_table(tb);

	scols_unref_table(tb);
	return r == 0 ? 0 : -EIO;
}

int ctu_out_size(uint64_t bytes, bool raw, char *buf, size_t size)
{
	static const char suffixes[] = "BKMGTPE";
	unsigned int i = 0;
	uint64_t unit, whole, tenths;
	int len;

	while (!raw && i + 1 < sizeof(suffixes) - 1 && bytes >> (10 * (i + 1)))
		i++;
	if (raw || i == 0) {
		len = snprintf(buf, size, raw ? "%" PRIu64 : "%" PRIu64 "B", bytes);
		return len < 0 || (size_t)len >= size ? -ENOBUFS : 0;
	}
	for (;;) {
		unit = UINT64_C(1) << (10 * i);
		whole = bytes / unit;
		/* no overflow: the remainder is below 2^60, times 10 below 2^64 */
		tenths = whole * 10 + ((bytes % unit) * 10 + unit / 2) / unit;
		if (tenths >= 100)
			whole += bytes % unit >= unit / 2; /* rounded to a whole number */
		/* 1023.6M rounds to 1024M: that is 1G */
		if (whole < 1024 || i + 1 == sizeof(suffixes) - 1)
			break;
		i++;
	}
	if (tenths < 100 && tenths % 10)
		len = snprintf(buf, size, "%" PRIu64 ".%" PRIu64 "%c", tenths / 10, tenths % 10,
			       suffixes[i]);
	else
		len = snprintf(buf, size, "%" PRIu64 "%c", tenths < 100 ? tenths / 10 : whole,
			       suffixes[i]);
	return len < 0 || (size_t)len >= size ? -ENOBUFS : 0;
}
