// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state [PATH...]: print the state a command may change, for the "nothing
 * left behind" checks of tests/helpers.bash (ctu_state_save,
 * assert_state_unchanged), in five sections, each sorted bytewise:
 *
 *   # mounts   the mount point of every line of /proc/self/mountinfo
 *   # links    the interfaces of this netns (/proc/net/dev, as `ip link`)
 *   # netns    the names in /run/netns (as `ip netns list`)
 *   # cgroups  the directories of the cgroups this process is in, one per
 *              hierarchy, and every directory below them (as find -type d)
 *   # files    each PATH and everything below it (as find: symlinks are
 *              listed, never followed)
 *
 * state --cgroup-dirs: only the directories of this process's cgroups, one
 * per hierarchy, in the order of /proc/self/cgroup (ctu_own_cgroup_dirs).
 *
 * One process instead of a pipeline of twenty (awk, ip, findmnt, find, sort):
 * the loops of badinput.bats and faults.bats take the state hundreds of
 * times, and a process costs a lot more in the emulated VM than on the host.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct list {
	char **v;
	size_t n, cap;
};

static void die(const char *what)
{
	fprintf(stderr, "state: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void add(struct list *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			die("realloc");
	}
	l->v[l->n] = strndup(s, len);
	if (!l->v[l->n])
		die("strndup");
	l->n++;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* prints the section's header and its lines, sorted, and empties it */
static void print_section(const char *name, struct list *l)
{
	printf("# %s\n", name);
	qsort(l->v, l->n, sizeof(*l->v), compare_strings);
	for (size_t i = 0; i < l->n; i++) {
		puts(l->v[i]);
		free(l->v[i]);
	}
	l->n = 0;
}

/* the Nth (from 1) space-separated field of LINE, its length in *len */
static const char *field(const char *line, int n, size_t *len)
{
	const char *p = line;

	for (;;) {
		p += strspn(p, " ");
		*len = strcspn(p, " \n");
		if (--n == 0 || !*p)
			return p;
		p += *len;
	}
}

/* mountinfo's octal escapes (\040) undone, for a mount point used as a path */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static void mounts(struct list *l)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t size = 0, len;

	if (!f)
		die("/proc/self/mountinfo");
	while (getline(&line, &size, f) > 0) {
		const char *mp = field(line, 5, &len);

		add(l, mp, len);
	}
	free(line);
	fclose(f);
}

static void links(struct list *l)
{
	FILE *f = fopen("/proc/net/dev", "re");
	char *line = NULL;
	size_t size = 0;
	int n = 0;

	if (!f)
		die("/proc/net/dev");
	while (getline(&line, &size, f) > 0) {
		const char *name = line + strspn(line, " ");
		const char *colon = strchr(name, ':');

		/* two lines of headings first */
		if (++n > 2 && colon)
			add(l, name, (size_t)(colon - name));
	}
	free(line);
	fclose(f);
}

static void netns(struct list *l)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			add(l, e->d_name, strlen(e->d_name));
	closedir(d);
}

/* PATH and everything below it (only the directories when DIRS_ONLY) */
static void walk(struct list *l, const char *path, int dirs_only)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	size_t len = strlen(path);

	if (lstat(path, &st) < 0)
		return;
	if (!dirs_only || S_ISDIR(st.st_mode))
		add(l, path, len);
	if (!S_ISDIR(st.st_mode) || !(d = opendir(path)))
		return;
	/* as find: "dir/" lists "dir/x", not "dir//x" */
	while (len > 1 && path[len - 1] == '/')
		len--;
	while ((e = readdir(d))) {
		char *child;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (dirs_only && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		if (asprintf(&child, "%.*s/%s", (int)len, path, e->d_name) < 0)
			die("asprintf");
		walk(l, child, dirs_only);
		free(child);
	}
	closedir(d);
}

/* whether the comma-separated OPTIONS hold OPTION */
static int has_option(const char *options, const char *option, size_t len)
{
	const char *p = options;

	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, option, len))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

/* whether a cgroup v1 mount with SUPER options holds every controller of
 * CTRL ("memory", "cpu,cpuacct", "name=systemd") */
static int holds_controllers(const char *super, const char *ctrl)
{
	while (*ctrl) {
		size_t n = strcspn(ctrl, ",");
		const char *c = ctrl;
		char named[256];

		if (!strncmp(c, "name=", 5)) {
			c += 5;
			n -= 5;
		}
		snprintf(named, sizeof(named), "name=%.*s", (int)n, c);
		if (!has_option(super, c, n) && !has_option(super, named, strlen(named)))
			return 0;
		ctrl = c + n + (c[n] == ',');
	}
	return 1;
}

/* the mount point of the hierarchy of CTRL ("" for cgroup2): the first
 * mount of its type in mountinfo; NULL when there is none */
static char *hierarchy(const char *ctrl)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, *found = NULL;
	size_t size = 0, len;

	if (!f)
		die("/proc/self/mountinfo");
	while (!found && getline(&line, &size, f) > 0) {
		char *sep = strstr(line, " - "), *type, *super;
		const char *mp;

		if (!sep)
			continue;
		type = sep + 3;
		super = strrchr(type, ' ');
		if (!super)
			continue;
		super++;
		super[strcspn(super, "\n")] = '\0';
		if (*ctrl ? strncmp(type, "cgroup ", 7) || !holds_controllers(super, ctrl)
			  : strncmp(type, "cgroup2 ", 8))
			continue;
		mp = field(line, 5, &len);
		found = strndup(mp, len);
		if (!found)
			die("strndup");
		unescape(found);
	}
	free(line);
	fclose(f);
	return found;
}

/* the directories of this process's cgroups (and those below them, when BELOW) */
static void cgroups(struct list *l, int below)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char *line = NULL;
	size_t size = 0;

	if (!f)
		die("/proc/self/cgroup");
	while (getline(&line, &size, f) > 0) {
		char *ctrl = strchr(line, ':'), *path, *mnt, *dir;
		struct stat st;

		if (!ctrl || !(path = strchr(++ctrl, ':')))
			continue;
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		mnt = hierarchy(ctrl);
		if (!mnt)
			continue;
		if (asprintf(&dir, "%s%s", mnt, path) < 0)
			die("asprintf");
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (below)
				walk(l, dir, 1);
			else
				add(l, dir, strlen(dir));
		}
		free(dir);
		free(mnt);
	}
	free(line);
	fclose(f);
}

int main(int argc, char **argv)
{
	struct list l = { 0 };

	if (argc == 2 && !strcmp(argv[1], "--cgroup-dirs")) {
		cgroups(&l, 0);
		for (size_t i = 0; i < l.n; i++)
			puts(l.v[i]);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	mounts(&l);
	print_section("mounts", &l);
	links(&l);
	print_section("links", &l);
	netns(&l);
	print_section("netns", &l);
	cgroups(&l, 1);
	print_section("cgroups", &l);
	for (int i = 1; i < argc; i++)
		walk(&l, argv[i], 0);
	print_section("files", &l);
	free(l.v);
	return fflush(stdout) == 0 ? 0 : 1;
}
