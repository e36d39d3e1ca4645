/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgctl.h - what cgctl's command files share: the context, options and helpers. */
#ifndef CGCTL_H
#define CGCTL_H

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "hier.h"
#include "out.h"

struct ctx {
	struct hiers hs;
	struct ctu_out_flags out;
	const char *root;
	bool self;
	const char *ctrls; /* -c */
};


enum {
	OPT_MEMORY = CHAR_MAX + 1,
	OPT_MEMORY_HIGH,
	OPT_SWAP,
	OPT_CPUS,
	OPT_CPU_WEIGHT,
	OPT_PIDS,
	OPT_CPUSET,
	OPT_IO_WEIGHT,
	OPT_EXCLUSIVE,
	OPT_ALL,
	OPT_THREADS,
	OPT_KILL,
	OPT_TIMEOUT,
	OPT_ROOT,
	OPT_SELF,
	OPT_RAW,
	OPT_NOHEADINGS,
	OPT_PRESERVE_FDS,
};

/* --json, --raw and --noheadings are taken after the command too. */
#define OUTPUT_LONGOPTS                                                                            \
	{ "json", no_argument, NULL, 'J' }, { "raw", no_argument, NULL, OPT_RAW },                \
		{ "noheadings", no_argument, NULL, OPT_NOHEADINGS }

/* The output flags the commands' own --json, --raw, --noheadings set. */
extern struct ctu_out_flags *out_flags;

/* A usage metric of a cgroup (stat, top). */
struct metric {
	const char *name;
	char value[64];
};

/* getopt over a command's own arguments, with the output options handled. */
int next_opt(int argc, char **argv, const char *optstring, const struct option *longopts);

/* --timeout's value in milliseconds, or a usage error. */
uint64_t parse_timeout_ms(const char *arg);

/* A checked cgroup path, or a usage error. */
const char *path_or_die(const char *path);

/* The directory of cgroup @path in @h (malloc'd; dies when out of memory). */
char *dir_of(const struct hier *h, const char *path);

/* Dies unless cgroup @path exists (in the first hierarchy). */
void require_cgroup(struct ctx *c, const char *path);

/* The first line of @dir/@file. */
int read_file_trimmed(const char *dir, const char *file, char *out, size_t size);

/* The value of "KEY N" in a flat keyed file (cpu.stat, memory.events). */
int keyed_value(const char *dir, const char *file, const char *key, uint64_t *v);

/* A v2 key's value for cgroup @path, from wherever its controller lives. */
int read_value(struct ctx *c, const char *path, const char *key, char *out, size_t size);

/* Usage of cgroup @path into @m (at most 32); returns how many. */
size_t collect_stat(struct ctx *c, const char *path, struct metric *m);

/* The commands. */
int cmd_create(struct ctx *c, int argc, char **argv);
int cmd_set(struct ctx *c, int argc, char **argv);
int cmd_get(struct ctx *c, int argc, char **argv);
int cmd_stat(struct ctx *c, int argc, char **argv);
int cmd_attach(struct ctx *c, int argc, char **argv);
int cmd_exec(struct ctx *c, int argc, char **argv);
int cmd_procs(struct ctx *c, int argc, char **argv);
int cmd_ls(struct ctx *c, int argc, char **argv);
int cmd_which(struct ctx *c, int argc, char **argv);
int cmd_freeze(struct ctx *c, int argc, char **argv);
int cmd_thaw(struct ctx *c, int argc, char **argv);
int cmd_kill(struct ctx *c, int argc, char **argv);
int cmd_wait(struct ctx *c, int argc, char **argv);
int cmd_delete(struct ctx *c, int argc, char **argv);
int cmd_top(struct ctx *c, int argc, char **argv);

#endif
