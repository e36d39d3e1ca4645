/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * out.h - the table and JSON output every listing shares, over
 * libsmartcols (as findmnt, lsns and lsblk do).
 */
#ifndef CTU_OUT_H
#define CTU_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lazy-scols.h"

/* How a listing is printed: --json, --raw, --noheadings. */
struct ctu_out_flags {
	bool json;
	bool raw;
	bool noheadings;
};

/*
 * A column: its name (upper case in the header; lower case in JSON, '-' as
 * '_', unless json_name says otherwise) and JSON type.
 */
struct ctu_out_column {
	const char *name;
	double width_hint;
	int json_type; /* SCOLS_JSON_STRING, SCOLS_JSON_NUMBER, ... */
	int flags;     /* SCOLS_FL_RIGHT, SCOLS_FL_TRUNC, ...; SCOLS_FL_HIDDEN: JSON only */
	const char *json_name; /* the JSON key when it is not the name's ("IMAGE": "sources") */
};

/*
 * A table named @name (the JSON array's key) with @n columns, formatted as
 * @flags say.  Returns NULL on allocation failure.
 */
struct libscols_table *ctu_out_table(const char *name, const struct ctu_out_column *cols, size_t n,
				     const struct ctu_out_flags *flags);

/* A new line with @n cells; NULL cells stay empty.  Returns 0 or -ENOMEM. */
int ctu_out_line(struct libscols_table *tb, const char *const *cells, size_t n);

/*
 * @bytes for people, as systemd-cgtop and ls -h print sizes: base 1024, the
 * suffixes B K M G T P E, one decimal below 10 ("512B", "0B", "64M", "1.5G",
 * "10G", "1G" for exactly 1 GiB); the nearest value, so 1023.96M is "1G".
 * With @raw the plain number ("67108864"), as lsblk --bytes.  Returns 0, or
 * -ENOBUFS when @buf (of @size bytes) is too small (24 always suffice).
 */
int ctu_out_size(uint64_t bytes, bool raw, char *buf, size_t size);

/* Prints and frees the table.  Returns 0 or -errno (a failed write to stdout). */
int ctu_out_print(struct libscols_table *tb);

#endif
