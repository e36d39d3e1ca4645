// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * inspect.c - --inspect: the document, its sections, the exit codes.
 *
 * Nothing is entered and nothing is run: every section reads the target
 * from outside, through its /proc directory.  The whole document is built
 * in memory and printed only at the end, so that a target that died
 * meanwhile leaves stdout empty (exit 1) instead of half a description of
 * a process that no longer exists.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nsenter-lite.h"

/* The sections, in the document's order: bit i of a mask is sections[i]. */
static const struct section {
	const char *name;
	inspect_section_fn fn;
} sections[] = {
	{ "process", inspect_process },	  { "ns", inspect_ns },	    { "userns", inspect_userns },
	{ "cgroup", inspect_cgroup },	  { "root", inspect_root }, { "net", inspect_net },
	{ "security", inspect_security }, { "tree", inspect_tree },
};
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

static int section_index(const char *name, size_t len)
{
	for (size_t i = 0; i < N_SECTIONS; i++)
		if (strlen(sections[i].name) == len && !strncmp(sections[i].name, name, len))
			return (int)i;
	return -1;
}

int inspect_sections_parse(const char *list, unsigned int *mask, ctu_err_t *err)
{
	const char *p = list;

	*mask = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		int i = section_index(p, len);

		if (i < 0)
			return ctu_err_usage(
			    err,
			    "--section: unknown section '%.*s' (process, ns, userns, "
			    "cgroup, root, net, security, tree)",
			    (int)len, p);
		*mask |= 1u << i;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/*
 * A section that could not be read: null and an "errors" entry; the warning
 * comes once the target is known to be alive (warn_errors()), so that a
 * target that died meanwhile gets its one line instead of one per section.
 */
static void section_failed(json_t *doc, json_t *errors, const char *name, ctu_err_t *err)
{
	char *msg = ctu_err_format(*err);
	const char *text = msg ? msg : "unreadable";

	json_object_set_new(doc, name, json_null());
	json_array_append_new(errors, json_pack("{s:s,s:o}", "section", name, "message",
						ctu_json_text(text, strlen(text))));
	free(msg);
	ctu_err_free(err);
}

static void warn_errors(json_t *doc)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(doc, "errors"), i, e) {
		ctu_warn(0, "--inspect: section %s: %s",
			 json_string_value(json_object_get(e, "section")),
			 json_string_value(json_object_get(e, "message")));
	}
}

static json_t *build_document(const struct inspect_target *t, unsigned int mask)
{
	json_t *doc = json_object(), *errors = json_array();

	if (!doc || !errors) {
		json_decref(doc);
		json_decref(errors);
		return NULL;
	}
	for (size_t i = 0; i < N_SECTIONS; i++) {
		ctu_err_t err = NULL;
		json_t *v;

		if (!(mask & (1u << i)))
			continue;
		v = sections[i].fn(t, &err);
		if (v)
			json_object_set_new(doc, sections[i].name, v);
		else
			section_failed(doc, errors, sections[i].name, &err);
	}
	json_object_set_new(doc, "errors", errors);
	return doc;
}

/*
 * Whether the target is still the process it was: its pidfd not readable
 * (it polls readable once the process exited), or without pidfds the same
 * start time read again through its /proc directory.
 */
static int target_alive(const struct inspect_target *t, ctu_err_t *err)
{
	uint64_t start;
	int r;

	if (t->pidfd >= 0) {
		struct pollfd pfd = { .fd = t->pidfd, .events = POLLIN };

		if (poll(&pfd, 1, 0) == 0)
			return 0;
		return ctu_err_make(err, 0, "process %d has exited", (int)t->ref.pid);
	}
	r = ctu_proc_start_time_at(t->procfd, &start);
	if (r == 0 && start == t->ref.start)
		return 0;
	if (r < 0 && r != -ESRCH && r != -ENOENT)
		return ctu_err_make(err, -r, "cannot read /proc/%d/stat", (int)t->ref.pid);
	return ctu_err_make(err, 0, "process %d has exited", (int)t->ref.pid);
}

static int print_json(json_t *doc)
{
	char *s = json_dumps(doc, JSON_INDENT(2));
	int r;

	if (!s)
		return -ENOMEM;
	r = printf("%s\n", s) < 0 ? -EIO : 0;
	free(s);
	return r;
}

int inspect_run(const struct inspect_target *t, unsigned int mask, bool json)
{
	ctu_err_t err = NULL;
	json_t *doc;

	if (!mask)
		mask = INSPECT_ALL;
	if (target_alive(t, &err) < 0) {
		ctu_err_print(&err);
		return 1;
	}
	doc = build_document(t, mask);
	if (!doc) {
		ctu_err_make(&err, ENOMEM, "--inspect");
		ctu_err_print(&err);
		return 1;
	}
	/* a section may have read a recycled PID's process: nothing is printed then */
	if (target_alive(t, &err) < 0) {
		ctu_err_wrap(&err, "--inspect");
		ctu_err_print(&err);
		json_decref(doc);
		return 1;
	}
	warn_errors(doc);
	if (json)
		print_json(doc);
	else
		inspect_print_tables(doc, mask);
	json_decref(doc);
	return 0;
}
