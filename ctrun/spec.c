// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spec.c - `ctrun spec`: the starter config.json, as `runc spec` writes it
 * (runc 1.1's specconv.Example: the same members in the same order, tab
 * indented, no final newline), but for the hostname and a cgroup
 * namespace.  An existing config.json is never overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ctrun.h"
#include "ctu.h"
#include "json.h"

/* runc 1.1.5 writes the runtime-spec version it was built with. */
#define SPEC_OCI_VERSION "1.0.2-dev"

static noreturn void spec_usage(void)
{
	fputs(CTU_USAGE_HEADER
	      " ctrun spec [options]\n"
	      "\nWrite a starter config.json into the bundle (as runc spec does);\n"
	      "an existing one is never overwritten.\n" CTU_USAGE_OPTIONS
	      " -b, --bundle <dir>        the bundle (default: .)\n"
	      "     --rootless            (rootless containers are not supported yet)\n"
	      " -h, --help                display this help\n" CTU_USAGE_MAN_TAIL("ctrun(8)"),
	      stdout);
	exit(CTU_EXIT_OK);
}

#define STRINGS(...) ctu_json_string_array((const char *const[]){ __VA_ARGS__, NULL })

static json_t *capabilities(void)
{
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					    NULL };

	return json_pack("{s:o, s:o, s:o, s:o}", "bounding", ctu_json_string_array(caps), "effective",
			 ctu_json_string_array(caps), "permitted", ctu_json_string_array(caps), "ambient", ctu_json_string_array(caps));
}

static json_t *process(void)
{
	return json_pack(
	    "{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:o, s:[{s:s, s:i, s:i}], s:b}", "terminal", 1,
	    "user", "uid", 0, "gid", 0, "args", STRINGS("sh"), "env",
	    STRINGS("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		    "TERM=xterm"),
	    "cwd", "/", "capabilities", capabilities(), "rlimits", "type", "RLIMIT_NOFILE", "hard",
	    1024, "soft", 1024, "noNewPrivileges", 1);
}

static json_t *mount(const char *dst, const char *type, const char *src, json_t *options)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "destination", dst, "type", type, "source", src);

	if (m && options)
		json_object_set_new(m, "options", options);
	return m;
}

static json_t *mounts(void)
{
	return json_pack(
	    "[o, o, o, o, o, o, o]", mount("/proc", "proc", "proc", NULL),
	    mount("/dev", "tmpfs", "tmpfs",
		  STRINGS("nosuid", "strictatime", "mode=755", "size=65536k")),
	    mount(
		"/dev/pts", "devpts", "devpts",
		STRINGS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
	    mount("/dev/shm", "tmpfs", "shm",
		  STRINGS("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
	    mount("/dev/mqueue", "mqueue", "mqueue", STRINGS("nosuid", "noexec", "nodev")),
	    mount("/sys", "sysfs", "sysfs", STRINGS("nosuid", "noexec", "nodev", "ro")),
	    mount("/sys/fs/cgroup", "cgroup", "cgroup",
		  STRINGS("nosuid", "noexec", "nodev", "relatime", "ro")));
}

static json_t *linux_section(void)
{
	return json_pack(
	    "{s:{s:[{s:b, s:s}]}, s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}], s:o, s:o}",
	    "resources", "devices", "allow", 0, "access", "rwm", "namespaces", "type", "pid",
	    "type", "network", "type", "ipc", "type", "uts", "type", "mount", "type", "cgroup",
	    "maskedPaths",
	    STRINGS("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
		    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		    "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
	    "readonlyPaths",
	    STRINGS("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
}

/* The document, members in runc's order (jansson keeps insertion order). */
static json_t *example(void)
{
	return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", SPEC_OCI_VERSION,
			 "process", process(), "root", "path", "rootfs", "readonly", 1, "hostname",
			 "ctrun", "mounts", mounts(), "linux", linux_section());
}

/*
 * Go's MarshalIndent(v, "", "\t"): jansson indents by spaces, so each line's
 * leading spaces (one per level) become tabs; no string holds a newline.
 */
static char *tab_indented(const json_t *doc)
{
	char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	bool line_start = true;

	for (char *p = text; p && *p; p++) {
		if (*p == '\n')
			line_start = true;
		else if (line_start && *p == ' ')
			*p = '\t';
		else
			line_start = false;
	}
	return text;
}

/* DIR/config.json made with O_EXCL (never overwriting), written whole, or removed. */
static int write_spec(const char *bundle, const char *shown, const char *text, ctu_err_t *err)
{
	_cleanup_close_ int dir = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;

	if (dir < 0)
		return ctu_err_errno(err, "cannot open the bundle %s", bundle);
	fd = openat(dir, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 && (errno == EEXIST || errno == ELOOP))
		return ctu_err_make(err, 0, "File %s exists. Remove it first", shown);
	if (fd < 0)
		return ctu_err_errno(err, "cannot create %s", shown);
	if (ctu_write_all(fd, text, strlen(text)) < 0 || close(ctu_steal_fd(&fd)) < 0) {
		ctu_err_errno(err, "cannot write %s", shown);
		unlinkat(dir, "config.json", 0);
		return ctu_err_code(*err);
	}
	return 0;
}

static const struct option spec_longopts[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "rootless", no_argument, NULL, 'R' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int ct_cmd_spec(struct ct_global *g, int argc, char **argv)
{
	_cleanup_json_ json_t *doc = NULL;
	_cleanup_free_ char *text = NULL, *shown = NULL;
	const char *bundle = NULL;
	bool rootless = false;
	ctu_err_t err = NULL;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+b:h", spec_longopts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'R')
			rootless = true;
		else if (c == 'h')
			spec_usage();
		else
			ctu_try_help_exit();
	}
	if (optind < argc)
		ctu_usage_exit("spec: unexpected argument '%s'", argv[optind]);
	if (rootless) {
		ctu_err_make(&err, 0, "rootless: not supported yet");
		return ct_report(g, &err);
	}
	if (bundle && bundle[0] == '\0')
		ctu_usage_exit("--bundle: empty");
	doc = example();
	text = doc ? tab_indented(doc) : NULL;
	if (!text || asprintf(&shown, "%s%sconfig.json", bundle ? bundle : "",
			      bundle && bundle[strlen(bundle) - 1] != '/' ? "/" : "") < 0) {
		shown = NULL;
		ctu_err_make(&err, ENOMEM, "spec");
		return ct_report(g, &err);
	}
	if (write_spec(bundle ? bundle : ".", shown, text, &err) < 0)
		return ct_report(g, &err);
	return CTU_EXIT_OK;
}
