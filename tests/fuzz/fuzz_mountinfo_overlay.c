// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lib/ovl's reading of an overlay from mountinfo: the input is a mountinfo
 * text, parsed by libmount as nsenter-lite --inspect and ovlmount --show
 * read one; each overlay line's superblock options go through the stack
 * parser, and so does the whole input as one option string.
 */
#include <stdio.h>

#include <libmount.h>

#include "fuzz.h"
#include "ovl.h"

/* What a parsed stack always holds: no empty layer, no NULL in the lists. */
static void check_stack(const struct ctu_ovl_stack *st)
{
	const struct ctu_strv *lists[] = { &st->lower, &st->data, &st->other };

	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (size_t i = 0; i < lists[l]->n; i++)
			if (!lists[l]->v[i] || !*lists[l]->v[i])
				abort();
}

static void parse_options(const char *options)
{
	struct ctu_ovl_stack st = { 0 };

	if (ctu_ovl_stack_from_options(options, &st) == 0)
		check_stack(&st);
	ctu_ovl_stack_free(&st);
}

/* Every overlay line of @text as a mount table. */
static void parse_table(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;

	if (f && tb && it && mnt_table_parse_stream(tb, f, "mountinfo") == 0)
		while (mnt_table_next_fs(tb, it, &fs) == 0) {
			struct ctu_ovl_stack st = { 0 };

			if (ctu_ovl_stack_from_fs(fs, &st) == 0)
				check_stack(&st);
			ctu_ovl_stack_free(&st);
		}
	mnt_free_iter(it);
	mnt_unref_table(tb);
	if (f)
		fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);

	parse_options(s);
	free(s);
	if (size)
		parse_table(data, size);
	return 0;
}
