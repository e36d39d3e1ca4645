// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procopt.c - the process options of every tool that executes a program:
 * their help, parsing and the early checks (procopt.h).  The set-up from
 * the console to the exec is procopt_exec.c's, the environment and the
 * program's lookup procopt_env.c's.
 */
#include "procopt.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <string.h>
#include <strings.h>
#include <sys/apparmor.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctu.h"
#include "parse.h"
#include "proc.h"
#include "procopt_int.h"

const char ctu_procopt_usage[] =
    "     --groups <gid,...>    exactly these supplementary groups ('' for none)\n"
    "     --caps <set>=<caps>   exactly these capabilities in <set>: bounding,\n"
    "                             effective, permitted, inheritable or ambient\n"
    "                             ('' for none; repeatable, one per set)\n"
    "     --rlimit <name>=<soft>:<hard>  a resource limit (nofile or RLIMIT_NOFILE,\n"
    "                             a number or unlimited; repeatable)\n"
    "     --oom-score-adj <n>   the OOM killer's score adjustment (-1000..1000)\n"
    "     --umask <mode>        the file mode creation mask (octal)\n"
    "     --apparmor <profile>  run <program> under this AppArmor profile\n"
    "     --seccomp <file>      load this raw BPF seccomp filter (struct sock_filter[])\n"
    "     --seccomp-flags <list>  its flags: log, spec-allow\n"
    "     --clearenv            start <program> with an empty environment\n"
    "     --setenv <name>=<value>  set a variable of <program>'s environment\n"
    "     --own-stdio           give stdin, stdout and stderr to the new uid and gid\n"
    "     --console-fd <fd>     send a new terminal's master over the unix socket\n"
    "                             <fd>; the terminal becomes <program>'s\n"
    "     --console-size <rows>x<cols>  the size of that terminal\n"
    "     --stderr-fd <fd>      make <fd> <program>'s stderr once all is set up\n"
    "     --sync-fd <fd>        write \"ready\" to <fd> when only the exec is left\n"
    "     --block-fd <fd>       run <program> only once <fd> is readable or closed\n"
    "     --preserve-fds <n>    pass file descriptors 3 to 3+<n>-1 to <program>\n";

static const char *const capset_names[CTU_N_CAPSETS] = {
	[CTU_CAPSET_BOUNDING] = "bounding",	  [CTU_CAPSET_EFFECTIVE] = "effective",
	[CTU_CAPSET_PERMITTED] = "permitted",	  [CTU_CAPSET_INHERITABLE] = "inheritable",
	[CTU_CAPSET_AMBIENT] = "ambient",
};

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "as", RLIMIT_AS },		 { "core", RLIMIT_CORE },	    { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },	 { "fsize", RLIMIT_FSIZE },	    { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK },	 { "msgqueue", RLIMIT_MSGQUEUE },   { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },	 { "nproc", RLIMIT_NPROC },	    { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },	 { "rttime", RLIMIT_RTTIME },	    { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

const char *ctu_procopt_rlimit_name(int resource)
{
	for (size_t i = 0; i < CTU_ARRAY_SIZE(rlimit_names); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return "?";
}

/* --groups: a comma list of numbers or names; "" is no group at all. */
static int parse_groups(struct ctu_procopt *p, const char *arg, ctu_err_t *err)
{
	const char *s = arg;

	p->n_groups = 0;
	p->has_groups = true;
	while (*arg && s) {
		size_t len = strcspn(s, ",");
		char one[64];

		if (len == 0 || len >= sizeof(one))
			return ctu_err_usage(err, "invalid --groups '%s': an empty or too long group",
					     arg);
		memcpy(one, s, len);
		one[len] = '\0';
		if (p->n_groups == CTU_PROCOPT_MAX_GROUPS)
			return ctu_err_usage(err, "invalid --groups: more than %d groups",
					     CTU_PROCOPT_MAX_GROUPS);
		if (ctu_parse_gid(one, &p->groups[p->n_groups]) < 0)
			return ctu_err_usage(err, "invalid --groups '%s': unknown group '%s'", arg,
					     one);
		p->n_groups++;
		s = s[len] ? s + len + 1 : NULL;
	}
	return 0;
}

/* --caps SET=LIST: one set, exactly; "" empties it. */
static int parse_caps(struct ctu_procopt *p, const char *arg, ctu_err_t *err)
{
	const char *eq = strchr(arg, '='), *bad;
	ctu_capmask mask = 0;
	size_t len;
	int set;

	for (set = 0; eq && set < CTU_N_CAPSETS; set++)
		if (strlen(capset_names[set]) == (size_t)(eq - arg) &&
		    strncasecmp(capset_names[set], arg, (size_t)(eq - arg)) == 0)
			break;
	if (!eq || set == CTU_N_CAPSETS)
		return ctu_err_usage(err, "invalid --caps '%s': expected <set>=<caps>, <set> one of "
					  "bounding, effective, permitted, inheritable, ambient",
				     arg);
	if (p->has_caps[set])
		return ctu_err_usage(err, "--caps: the %s set is given twice", capset_names[set]);
	if (eq[1] && ctu_caps_parse(eq + 1, &mask, &bad, &len) < 0)
		return ctu_err_usage(err, "invalid --caps '%s': unknown capability '%.*s'", arg,
				     (int)len, bad);
	p->has_caps[set] = true;
	p->caps[set] = mask;
	return 0;
}

static int rlimit_resource(const char *name, size_t len)
{
	if (len > 7 && strncasecmp(name, "RLIMIT_", 7) == 0) {
		name += 7;
		len -= 7;
	}
	for (size_t i = 0; i < CTU_ARRAY_SIZE(rlimit_names); i++)
		if (strlen(rlimit_names[i].name) == len &&
		    strncasecmp(rlimit_names[i].name, name, len) == 0)
			return rlimit_names[i].resource;
	return -1;
}

static int rlimit_value(const char *s, rlim_t *v)
{
	uint64_t n;

	if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
		*v = RLIM_INFINITY;
		return 0;
	}
	if (ctu_parse_u64(s, &n) < 0 || n >= (uint64_t)RLIM_INFINITY)
		return -EINVAL;
	*v = (rlim_t)n;
	return 0;
}

/* --rlimit NAME=SOFT:HARD (or NAME=N for both). */
static int parse_rlimit(struct ctu_procopt *p, const char *arg, ctu_err_t *err)
{
	const char *eq = strchr(arg, '=');
	char soft[32], *hard;
	struct rlimit rl;
	int res;

	res = eq ? rlimit_resource(arg, (size_t)(eq - arg)) : -1;
	if (res < 0)
		return ctu_err_usage(err, "invalid --rlimit '%s': expected <name>=<soft>:<hard>, "
					  "<name> as nofile or RLIMIT_NOFILE",
				     arg);
	if (strlen(eq + 1) >= sizeof(soft))
		return ctu_err_usage(err, "invalid --rlimit '%s': values too long", arg);
	snprintf(soft, sizeof(soft), "%s", eq + 1);
	hard = strchr(soft, ':');
	if (hard)
		*hard++ = '\0';
	if (rlimit_value(soft, &rl.rlim_cur) < 0 ||
	    rlimit_value(hard ? hard : soft, &rl.rlim_max) < 0)
		return ctu_err_usage(err, "invalid --rlimit '%s': a value is no number or unlimited",
				     arg);
	if (rl.rlim_cur > rl.rlim_max)
		return ctu_err_usage(err, "invalid --rlimit '%s': the soft limit is above the hard",
				     arg);
	if (p->has_rlimit[res])
		return ctu_err_usage(err, "--rlimit: the limit %.*s is given twice",
				     (int)(eq - arg), arg);
	p->has_rlimit[res] = true;
	p->rlimit[res] = rl;
	return 0;
}

/* --console-fd and the other fds: a number (checked open in prepare). */
static int parse_fd(const char *opt, const char *arg, int *fd, ctu_err_t *err)
{
	if (ctu_parse_int(arg, fd) < 0 || *fd < 0)
		return ctu_err_usage(err, "invalid %s: '%s'", opt, arg);
	return 0;
}

static int parse_console_size(struct ctu_procopt *p, const char *arg, ctu_err_t *err)
{
	unsigned int rows, cols;
	int end = 0;

	if (sscanf(arg, "%5u%*[x]%5u%n", &rows, &cols, &end) != 2 || arg[end] || !rows ||
	    !cols || rows > 65535 || cols > 65535 || arg[0] < '0' || arg[0] > '9')
		return ctu_err_usage(err, "invalid --console-size '%s': expected <rows>x<cols>, "
					  "each 1..65535",
				     arg);
	p->console_rows = (unsigned short)rows;
	p->console_cols = (unsigned short)cols;
	return 0;
}

static int parse_setenv(struct ctu_procopt *p, const char *arg, ctu_err_t *err)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return ctu_err_usage(err, "invalid --setenv '%s': expected <name>=<value>", arg);
	if (p->n_setenv == CTU_PROCOPT_MAX_ENV)
		return ctu_err_usage(err, "--setenv: more than %d variables", CTU_PROCOPT_MAX_ENV);
	p->setenv[p->n_setenv++] = arg;
	return 0;
}

static int parse_number_option(struct ctu_procopt *p, int opt, const char *arg, ctu_err_t *err)
{
	int64_t n;
	char *end;
	long mode;

	switch (opt) {
	case CTU_OPT_OOM_SCORE_ADJ:
		if (ctu_parse_s64_range(arg, -1000, 1000, &n) < 0)
			return ctu_err_usage(err, "invalid --oom-score-adj '%s' (-1000..1000)", arg);
		p->oom_score_adj = (int)n;
		p->has_oom_score_adj = true;
		return 0;
	case CTU_OPT_UMASK:
		errno = 0;
		mode = strtol(arg, &end, 8);
		if (!*arg || *end || errno || mode < 0 || mode > 0777 || *arg == '-' || *arg == '+')
			return ctu_err_usage(err, "invalid --umask '%s' (octal, 0..0777)", arg);
		p->umask = (mode_t)mode;
		p->has_umask = true;
		return 0;
	case CTU_OPT_PRESERVE_FDS:
		return ctu_preserve_fds_arg(arg, &p->preserve_fds, err);
	case CTU_OPT_CONSOLE_SIZE:
		return parse_console_size(p, arg, err);
	}
	return 1;
}

static int parse_fd_option(struct ctu_procopt *p, int opt, const char *arg, ctu_err_t *err)
{
	switch (opt) {
	case CTU_OPT_CONSOLE_FD:
		return parse_fd("--console-fd", arg, &p->console_fd, err);
	case CTU_OPT_STDERR_FD:
		return parse_fd("--stderr-fd", arg, &p->stderr_fd, err);
	case CTU_OPT_SYNC_FD:
		return parse_fd("--sync-fd", arg, &p->sync_fd, err);
	case CTU_OPT_BLOCK_FD:
		return parse_fd("--block-fd", arg, &p->block_fd, err);
	}
	return parse_number_option(p, opt, arg, err);
}

/* The options of this file: 0 taken, < 0 a usage error, 1 not one of them. */
static int parse_own_option(struct ctu_procopt *p, int opt, const char *arg, ctu_err_t *err)
{
	switch (opt) {
	case CTU_OPT_GROUPS:
		return parse_groups(p, arg, err);
	case CTU_OPT_CAPS:
		return parse_caps(p, arg, err);
	case CTU_OPT_RLIMIT:
		return parse_rlimit(p, arg, err);
	case CTU_OPT_APPARMOR:
	case CTU_OPT_SECCOMP:
		if (!*arg)
			return ctu_err_usage(err, "empty argument for --%s",
					     opt == CTU_OPT_APPARMOR ? "apparmor" : "seccomp");
		*(opt == CTU_OPT_APPARMOR ? &p->apparmor : &p->seccomp_file) = arg;
		return 0;
	case CTU_OPT_SECCOMP_FLAGS:
		return ctu_seccomp_flags_parse(arg, &p->seccomp_flags, err);
	case CTU_OPT_CLEARENV:
		p->clearenv = true;
		return 0;
	case CTU_OPT_SETENV:
		return parse_setenv(p, arg, err);
	case CTU_OPT_OWN_STDIO:
		p->own_stdio = true;
		return 0;
	}
	return parse_fd_option(p, opt, arg, err);
}

int ctu_procopt_parse_option(struct ctu_procopt *p, int opt, const char *arg, ctu_err_t *err)
{
	int r = parse_own_option(p, opt, arg, err);

	if (r < 0)
		return ctu_err_code(*err);
	if (r == 0)
		return 1;
	return ctu_creds_parse_option(&p->creds, opt, arg, err);
}

/* An fd we keep until the exec: open, and close-on-exec from now on. */
static int check_fd(const char *opt, int fd, bool socket, ctu_err_t *err)
{
	struct stat st;

	if (fd < 0)
		return 0;
	if (fd <= 2)
		return ctu_err_usage(err, "invalid %s %d: 0, 1 and 2 are the program's stdio", opt,
				     fd);
	if (fstat(fd, &st) < 0)
		return ctu_err_usage(err, "invalid %s %d: not an open file descriptor", opt, fd);
	if (socket && !S_ISSOCK(st.st_mode))
		return ctu_err_usage(err, "invalid %s %d: not a unix socket", opt, fd);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return ctu_err_errno(err, "%s %d: cannot make it close-on-exec", opt, fd);
	return 0;
}

/* No fd may serve two of the consuming options. */
static int check_distinct_fds(const struct ctu_procopt *p, ctu_err_t *err)
{
	const int fds[] = { p->console_fd, p->stderr_fd, p->sync_fd, p->block_fd };
	static const char *const names[] = { "--console-fd", "--stderr-fd", "--sync-fd",
					     "--block-fd" };

	for (size_t i = 0; i < CTU_ARRAY_SIZE(fds); i++)
		for (size_t j = i + 1; j < CTU_ARRAY_SIZE(fds); j++)
			if (fds[i] >= 0 && fds[i] == fds[j])
				return ctu_err_usage(err, "%s and %s name the same fd %d", names[i],
						     names[j], fds[i]);
	return 0;
}

static int check_combinations(const struct ctu_procopt *p, ctu_err_t *err)
{
	bool caps = false;

	for (int i = 0; i < CTU_N_CAPSETS; i++)
		caps |= p->has_caps[i];
	if (caps && (p->creds.cap_add || p->creds.cap_drop || p->creds.keep_caps))
		return ctu_err_usage(err, "--caps sets the capabilities exactly: it cannot go with "
					  "--cap-add, --cap-drop or --keep-caps");
	if ((p->console_rows || p->console_cols) && p->console_fd < 0)
		return ctu_err_usage(err, "--console-size needs --console-fd");
	if (p->console_fd >= 0 && p->stderr_fd >= 0)
		return ctu_err_usage(err, "--stderr-fd cannot go with --console-fd: the terminal "
					  "is the program's stderr");
	if (p->seccomp_flags && !p->seccomp_file)
		return ctu_err_usage(err, "--seccomp-flags needs --seccomp");
	return check_distinct_fds(p, err);
}

/*
 * --seccomp FILE: opened now (it may be on the host, which a later
 * pivot_root hides) and checked to hold whole instructions; it is read
 * when the filter is loaded.
 */
static int open_seccomp(struct ctu_procopt *p, ctu_err_t *err)
{
	struct stat st;
	int fd;

	if (!p->seccomp_file)
		return 0;
	fd = open(p->seccomp_file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ctu_err_errno(err, "--seccomp: cannot open %s", p->seccomp_file);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ctu_err_make(err, 0, "--seccomp %s: not a regular file", p->seccomp_file);
	}
	if (st.st_size == 0 || st.st_size % (off_t)sizeof(struct sock_filter) ||
	    st.st_size > (off_t)BPF_MAXINSNS * (off_t)sizeof(struct sock_filter)) {
		close(fd);
		return ctu_err_make(err, 0,
				    "--seccomp %s: %lld bytes: not a BPF program of 1 to %d "
				    "instructions (struct sock_filter[], 8 bytes each)",
				    p->seccomp_file, (long long)st.st_size, BPF_MAXINSNS);
	}
	p->seccomp_fd = fd;
	return 0;
}

int ctu_procopt_prepare(struct ctu_procopt *p, ctu_err_t *err)
{
	if (check_combinations(p, err) < 0 || check_fd("--console-fd", p->console_fd, true, err) < 0 ||
	    check_fd("--stderr-fd", p->stderr_fd, false, err) < 0 ||
	    check_fd("--sync-fd", p->sync_fd, false, err) < 0 ||
	    check_fd("--block-fd", p->block_fd, false, err) < 0)
		return ctu_err_code(*err);
	/* found out now, before anything is set up (the check reads the host's /sys) */
	if (p->apparmor && aa_is_enabled() != 1)
		return ctu_err_make(err, 0, "--apparmor %s: AppArmor is not enabled on this host",
				    p->apparmor);
	return open_seccomp(p, err);
}

bool ctu_procopt_consumes_fd(const struct ctu_procopt *p, int fd)
{
	return fd >= 0 && (fd == p->console_fd || fd == p->stderr_fd || fd == p->sync_fd ||
			   fd == p->block_fd || fd == p->seccomp_fd);
}

void ctu_procopt_close_consumed(const struct ctu_procopt *p)
{
	const int fds[] = { p->console_fd, p->stderr_fd, p->sync_fd, p->block_fd, p->seccomp_fd };

	for (size_t i = 0; i < CTU_ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}
