// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * features.c - `ctrun features`: what this runtime implements, as the
 * runtime-spec's features.md document (the shape `runc features` prints).
 * Only what the chain does is listed: no tmpcopyup, no idmapped mounts, no
 * seccomp notification, no systemd cgroups.
 */
#include <ctype.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "cli.h"
#include "ctrun.h"
#include "ctu.h"
#include "json.h"

static noreturn void features_usage(void)
{
	fputs(CTU_USAGE_HEADER
	      " ctrun features\n"
	      "\nPrint what this runtime implements, as the runtime-spec's features\n"
	      "document (JSON).\n" CTU_USAGE_OPTIONS
	      " -h, --help                display this help\n" CTU_USAGE_MAN_TAIL("ctrun(8)"),
	      stdout);
	exit(CTU_EXIT_OK);
}


static const char *const hooks[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
	NULL
};

/* pivot --mount's options: libmount's flags, propagation, r* attributes, bind/rbind. */
static const char *const mount_options[] = {
	"acl",		"async",       "atime",		 "bind",
	"defaults",	"dev",	       "diratime",	 "dirsync",
	"exec",		"iversion",    "lazytime",	 "loud",
	"mand",		"noacl",       "noatime",	 "nodev",
	"nodiratime",	"noexec",      "noiversion",	 "nolazytime",
	"nomand",	"norelatime",  "nostrictatime",	 "nosuid",
	"nosymfollow",	"private",     "ratime",	 "rbind",
	"rdev",		"rdiratime",   "relatime",	 "remount",
	"rexec",	"rnoatime",    "rnodev",	 "rnodiratime",
	"rnoexec",	"rnorelatime", "rnostrictatime", "rnosuid",
	"rnosymfollow", "ro",	       "rprivate",	 "rrelatime",
	"rro",		"rrw",	       "rshared",	 "rslave",
	"rstrictatime", "rsuid",       "rsymfollow",	 "runbindable",
	"rw",		"shared",      "silent",	 "slave",
	"strictatime",	"suid",	       "symfollow",	 "sync",
	"unbindable",	NULL,
};

static const char *const namespaces[] = { "cgroup", "ipc",  "mount", "network", "pid",
					  "time",   "user", "uts",   NULL };

/* Every capability libcap has a name for ("CAP_CHOWN" ...), in number order. */
static json_t *capabilities(void)
{
	json_t *a = json_array();

	for (int i = 0; a && i < 64; i++) {
		char *name = cap_to_name((cap_value_t)i);
		bool known = name && !isdigit((unsigned char)name[0]);

		for (char *p = name; known && *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (known)
			json_array_append_new(a, json_string(name));
		cap_free(name);
		if (!known)
			break;
	}
	return a;
}

/* As runc's apparmor.IsEnabled: the securityfs directory and the module's "Y". */
static bool apparmor_enabled(void)
{
	char buf[2] = "";
	FILE *f;

	if (access("/sys/kernel/security/apparmor", F_OK) < 0)
		return false;
	f = fopen("/sys/module/apparmor/parameters/enabled", "re");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] == 'Y';
}

static json_t *linux_section(void)
{
	return json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}, s:{s:b}, "
			 "s:{s:{s:b}}}",
			 "namespaces", ctu_json_string_array(namespaces), "capabilities", capabilities(),
			 "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0, "seccomp",
			 ct_seccomp_features(), "apparmor", "enabled", apparmor_enabled(),
			 "selinux", "enabled", 0, "intelRdt", "enabled", 0, "mountExtensions",
			 "idmap", "enabled", 0);
}

static json_t *features(void)
{
	const struct scmp_version *v = seccomp_version();
	char version[64];

	snprintf(version, sizeof(version), "%u.%u.%u", v->major, v->minor, v->micro);
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s}}", "ociVersionMin", "1.0.0",
			 "ociVersionMax", "1.1.0", "hooks", ctu_json_string_array(hooks), "mountOptions",
			 ctu_json_string_array(mount_options), "linux", linux_section(), "annotations",
			 "io.github.seccomp.libseccomp.version", version,
			 "org.ctutils.ctrun.version", CTU_VERSION);
}

static const struct option features_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int ct_cmd_features(struct ct_global *g, int argc, char **argv)
{
	_cleanup_json_ json_t *doc = NULL;
	ctu_err_t err = NULL;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+h", features_longopts, NULL)) != -1) {
		if (c == 'h')
			features_usage();
		ctu_try_help_exit();
	}
	if (optind < argc)
		ctu_usage_exit("features: unexpected argument '%s'", argv[optind]);
	doc = features();
	if (!doc || json_dumpf(doc, stdout, JSON_INDENT(4) | JSON_PRESERVE_ORDER) < 0 ||
	    putchar('\n') == EOF || fflush(stdout) == EOF) {
		ctu_err_make(&err, doc ? EIO : ENOMEM, "features: cannot print the document");
		return ct_report(g, &err);
	}
	return CTU_EXIT_OK;
}
