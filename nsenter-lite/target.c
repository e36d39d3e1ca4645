// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * target.c - what names the target: -t PID[@START|:INODE], --pidfile,
 * --container, --cgroup PATH or --netns (at most one), resolved to one
 * pidref before anything is opened, and what a debugger's target implies.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/statfs.h>

#include "ctu.h"
#include "nsenter-lite.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static bool is_namespace_file(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && (unsigned long)sfs.f_type == NSFS_MAGIC;
}

static size_t ns_index(int clone_flag)
{
	return (size_t)(ctu_ns_by_flag(clone_flag) - ctu_ns_types);
}

/* How many of the target options were given, and the first one's name. */
static int count_targets(const struct opts *o, const char **first)
{
	const char *names[] = { o->target_arg ? "-t" : NULL, o->pidfile ? "--pidfile" : NULL,
				o->container ? "--container" : NULL,
				o->cgroup_target ? "--cgroup" : NULL, o->netns ? "--netns" : NULL };
	int n = 0;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(names); i++)
		if (names[i] && n++ == 0)
			*first = names[i];
	return n;
}

/*
 * The long --cgroup=ARG names a cgroup when nothing else names a target and
 * ARG is no namespace file (util-linux's --cgroup=FILE keeps its meaning).
 */
static void decide_cgroup_option(struct opts *o)
{
	const char *other = NULL;
	struct ns_request *r = &o->ns[ns_index(CLONE_NEWCGROUP)];

	if (!o->cgroup_target) {
		if (!o->cgroup_arg || count_targets(o, &other) > 0 ||
		    is_namespace_file(o->cgroup_arg))
			return;
		o->cgroup_target = o->cgroup_arg;
	}
	r->wanted = false;
	r->file = NULL;
}

static bool any_namespace_asked(const struct opts *o)
{
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		if (o->ns[i].wanted)
			return true;
	return o->all;
}

/* A debugger wants the container as it is: all of it, its root too. */
static void imply_all_and_root(struct opts *o)
{
	if (o->toolbox)
		o->all = true;
	if (!(o->container || o->cgroup_target) || any_namespace_asked(o) || o->root ||
	    o->root_from_target || o->wd || o->wd_from_target || o->toolbox)
		return;
	o->all = true;
	o->root_from_target = true;
}

static int resolve_ref(struct opts *o, ctu_err_t *err)
{
	if (o->pidfile)
		return ctu_pidref_from_file(AT_FDCWD, o->pidfile, &o->ref, err);
	if (o->container) {
		if (container_find(&o->roots, o->container, &o->found, err) < 0)
			return ctu_err_code(*err);
		o->ref = o->found.ref;
		return 0;
	}
	if (o->cgroup_target)
		return cgroup_target_find(o->cgroup_target, &o->ref, err);
	return 0;
}

int check_target_options(struct opts *o, ctu_err_t *err)
{
	const char *first = NULL;

	decide_cgroup_option(o);
	if (count_targets(o, &first) > 1)
		return ctu_err_usage(err, "%s and another target option: give one of -t, --pidfile, "
				     "--container, --cgroup PATH and --netns", first);
	return 0;
}

int resolve_target(struct opts *o, ctu_err_t *err)
{
	if (resolve_ref(o, err) < 0)
		return ctu_err_code(*err);
	o->target = o->ref.pid;
	imply_all_and_root(o);
	return 0;
}
