// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inspect_print.c - --inspect without --json: a titled table per section.
 *
 * Generic over the document, so that a key a section gains is printed
 * without a change here: an object is a FIELD VALUE table, an array of
 * objects a table with a column per key (a tree when its objects have
 * "children"), and an object's array of objects (net's interfaces and
 * routes) a table of its own titled "SECTION.KEY".  Cells are escaped by
 * libsmartcols: a comm or an argument may hold newlines and terminal controls.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsenter-lite.h"
#include "out.h"

static void render(FILE *f, const char *key, json_t *v);

/*
 * A string as it is: libsmartcols prints each byte that is not printable in
 * the locale (a newline, a terminal control, in C also non-ASCII) and each
 * backslash as \xHH, so a cell never breaks a line or drives the terminal.
 */
static void render_string(FILE *f, const char *s, size_t len)
{
	fwrite(s, 1, len, f);
}

/*
 * An array's elements apart by @sep; a list of lists (an id map's [inside,
 * outside, count]s) as "0 1000 1, 1 100000 65536".
 */
static void render_array(FILE *f, const char *key, json_t *v, const char *sep)
{
	size_t i;
	json_t *el;

	json_array_foreach(v, i, el) {
		if (i)
			fputs(json_is_array(el) ? ", " : sep, f);
		if (json_is_array(el))
			render_array(f, key, el, " ");
		else
			render(f, key, el);
	}
}

/* The objects that read as a tuple by their values alone. */
static bool is_tuple(const char *key)
{
	return key && (!strcmp(key, "container") || !strcmp(key, "others"));
}

/*
 * An object in a cell: a tuple by its values ("4242 sidecar", "ctutils
 * web"); any other (limits, usage, a veth's peer) as key=value
 * ("memory.max=max pids.max=64"), or its numbers would be anonymous.
 */
static void render_object(FILE *f, const char *key, json_t *v)
{
	bool named = !is_tuple(key), first = true;
	const char *k;
	json_t *el;

	json_object_foreach(v, k, el) {
		if (!first)
			fputc(' ', f);
		if (named)
			fprintf(f, "%s=", k);
		render(f, k, el);
		first = false;
	}
}

static void render(FILE *f, const char *key, json_t *v)
{
	if (!v) {
		fputc('-', f);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		render_string(f, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("yes", f);
		break;
	case JSON_FALSE:
		fputs("no", f);
		break;
	case JSON_NULL:
		fputc('-', f);
		break;
	case JSON_ARRAY:
		/* arguments apart by spaces, other lists by commas */
		render_array(f, key, v, key && !strcmp(key, "cmdline") ? " " : ",");
		break;
	case JSON_OBJECT:
		render_object(f, key, v);
		break;
	}
}

/* @v as one cell's text (newly allocated), or NULL without memory. */
static char *cell_text(const char *key, json_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	render(f, key, v);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int set_cell(struct libscols_line *ln, size_t col, const char *key, json_t *v)
{
	char *s = cell_text(key, v);

	if (!s || scols_line_refer_data(ln, col, s) != 0) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

static struct libscols_table *titled_table(const char *title)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_cell_set_data(scols_table_get_title(tb), title);
	return tb;
}

static void print_table(struct libscols_table *tb)
{
	if (tb)
		ctu_out_print(tb);
	fputc('\n', stdout);
}

/* Whether @v is an array of objects (a table of its own). */
static bool is_rows(json_t *v)
{
	return json_is_array(v) && json_array_size(v) && json_is_object(json_array_get(v, 0));
}

/* The column names of rows: every key any row (or child row) has, in first-seen order. */
static void collect_keys(json_t *rows, json_t *keys)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		const char *k;
		json_t *el;

		json_object_foreach(row, k, el) {
			if (!strcmp(k, "children")) {
				if (is_rows(el))
					collect_keys(el, keys);
			} else if (!json_object_get(keys, k))
				json_object_set_new(keys, k, json_integer(json_object_size(keys)));
		}
	}
}

static int add_rows(struct libscols_table *tb, json_t *keys, json_t *rows,
		    struct libscols_line *parent)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		struct libscols_line *ln = scols_table_new_line(tb, parent);
		const char *k;
		json_t *el;

		if (!ln)
			return -ENOMEM;
		json_object_foreach(row, k, el) {
			json_t *col = json_object_get(keys, k);

			if (!strcmp(k, "children")) {
				if (is_rows(el) && add_rows(tb, keys, el, ln) < 0)
					return -ENOMEM;
			} else if (col && set_cell(ln, (size_t)json_integer_value(col), k, el) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* A header from a key: "others_count" is OTHERS-COUNT, as lsns names its columns. */
static void header_name(const char *key, char *buf, size_t size)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < size; i++)
		buf[i] = key[i] == '_'
			     ? '-'
			     : (char)(key[i] >= 'a' && key[i] <= 'z' ? key[i] - 32 : key[i]);
	buf[i] = '\0';
}

static int rows_columns(struct libscols_table *tb, json_t *keys, bool tree)
{
	const char *k;
	json_t *idx;

	/* object iteration keeps insertion order (jansson 2.8+): the index order */
	json_object_foreach(keys, k, idx) {
		char name[64];
		int flags = tree && json_integer_value(idx) == 0 ? SCOLS_FL_TREE : 0;

		header_name(k, name, sizeof(name));
		if (!scols_table_new_column(tb, name, 0, flags | SCOLS_FL_WRAP))
			return -ENOMEM;
	}
	return 0;
}

static void print_rows(const char *title, json_t *rows)
{
	struct libscols_table *tb = titled_table(title);
	json_t *keys = json_object();
	bool tree = json_object_get(json_array_get(rows, 0), "children") != NULL;

	if (tb && keys) {
		collect_keys(rows, keys);
		if (rows_columns(tb, keys, tree) < 0 || add_rows(tb, keys, rows, NULL) < 0) {
			scols_unref_table(tb);
			tb = NULL;
		}
	}
	json_decref(keys);
	print_table(tb);
}

static void print_section(const char *title, json_t *v);

/* An object: FIELD VALUE lines, its arrays of objects as tables of their own after it. */
static void print_fields(const char *title, json_t *obj)
{
	struct libscols_table *tb = titled_table(title);
	const char *k;
	json_t *el;

	if (tb && (!scols_table_new_column(tb, "FIELD", 0, 0) ||
		   !scols_table_new_column(tb, "VALUE", 0, SCOLS_FL_WRAP))) {
		scols_unref_table(tb);
		tb = NULL;
	}
	json_object_foreach(obj, k, el) {
		struct libscols_line *ln;

		if (!tb || is_rows(el))
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln || scols_line_set_data(ln, 0, k) != 0 || set_cell(ln, 1, k, el) < 0) {
			scols_unref_table(tb);
			tb = NULL;
		}
	}
	print_table(tb);
	json_object_foreach(obj, k, el) {
		if (is_rows(el)) {
			char sub[128];

			snprintf(sub, sizeof(sub), "%s.%s", title, k);
			print_section(sub, el);
		}
	}
}

static void print_section(const char *title, json_t *v)
{
	if (is_rows(v))
		print_rows(title, v);
	else if (json_is_object(v))
		print_fields(title, v);
	else {
		/* null (unreadable: the warning said why), or an empty list */
		printf("%s\n%s\n\n", title, json_is_null(v) ? "(unreadable)" : "(none)");
	}
}

void inspect_print_tables(json_t *doc, unsigned int mask)
{
	const char *k;
	json_t *v;

	/* @doc holds the sections of @mask, in their order; "errors" were warnings already */
	(void)mask;
	/* what people read: libsmartcols shows the locale's printable characters as they are */
	setlocale(LC_CTYPE, "");
	json_object_foreach(doc, k, v) {
		if (strcmp(k, "errors") != 0)
			print_section(k, v);
	}
}
