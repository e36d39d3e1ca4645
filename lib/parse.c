// SPDX-License-Identifier: GPL-2.0-or-later
/* parse.c - strict parsers for option values (see parse.h for the contract). */
#include <ctype.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctu.h"
#include "parse.h"

/* Only plain decimal digits: strtoull would accept " 12", "+12" and "-12". */
static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int ctu_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !all_digits(s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

int ctu_parse_s64(const char *s, int64_t *out)
{
	const char *digits = s;
	long long v;
	char *end;

	if (!s)
		return -EINVAL;
	if (*digits == '-' || *digits == '+')
		digits++;
	if (!all_digits(digits))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

int ctu_parse_u64_range(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int r = ctu_parse_u64(s, &v);

	if (r < 0)
		return r;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int ctu_parse_s64_range(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;
	int r = ctu_parse_s64(s, &v);

	if (r < 0)
		return r;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int ctu_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int r = ctu_parse_u64_range(s, 0, UINT32_MAX, &v);

	if (r == 0)
		*out = (uint32_t)v;
	return r;
}

int ctu_parse_int(const char *s, int *out)
{
	int64_t v;
	int r = ctu_parse_s64_range(s, INT_MIN, INT_MAX, &v);

	if (r == 0)
		*out = (int)v;
	return r;
}

int ctu_parse_decimal(const char *s, uint64_t *whole, uint64_t *frac, unsigned int *frac_digits,
		      const char **rest)
{
	const char *p = s;
	uint64_t w = 0, f = 0;
	unsigned int n = 0;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (w > (UINT64_MAX - d) / 10)
			return -ERANGE;
		w = w * 10 + d;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			if (n == 18)
				return -EINVAL;
			f = f * 10 + (uint64_t)(*p - '0');
			n++;
		}
	}
	*whole = w;
	*frac = f;
	*frac_digits = n;
	*rest = p;
	return 0;
}

static uint64_t pow10u(unsigned int n)
{
	uint64_t v = 1;

	while (n--)
		v *= 10;
	return v;
}

int ctu_scale_decimal(uint64_t whole, uint64_t frac, unsigned int digits, uint64_t mult,
		      uint64_t *out)
{
	unsigned __int128 v = (unsigned __int128)whole * mult;

	v += (unsigned __int128)frac * mult / pow10u(digits);
	if (v > UINT64_MAX)
		return -ERANGE;
	*out = (uint64_t)v;
	return 0;
}

/* "", "B", or one of KMGTPE followed by "", "B" or "iB" (any case). */
static int size_multiplier(const char *unit, uint64_t *mult)
{
	static const char units[] = "KMGTPE";
	const char *u;

	*mult = 1;
	if (!*unit || strcasecmp(unit, "B") == 0)
		return 0;
	u = strchr(units, toupper((unsigned char)*unit));
	if (!u || !*u)
		return -EINVAL;
	if (unit[1] && strcasecmp(unit + 1, "B") && strcasecmp(unit + 1, "iB"))
		return -EINVAL;
	*mult = (uint64_t)1 << (10 * (u - units + 1));
	return 0;
}

int ctu_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t whole, frac, mult;
	unsigned int digits;
	const char *unit;
	int r;

	if (!s)
		return -EINVAL;
	if (strcmp(s, "max") == 0) {
		*bytes = CTU_SIZE_MAX;
		return 0;
	}
	r = ctu_parse_decimal(s, &whole, &frac, &digits, &unit);
	if (r < 0)
		return r;
	r = size_multiplier(unit, &mult);
	if (r < 0)
		return r;
	if (digits && mult == 1)
		return -EINVAL; /* "1.5" bytes means nothing */
	return ctu_scale_decimal(whole, frac, digits, mult, bytes);
}

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "HUP", SIGHUP },     { "INT", SIGINT },	{ "QUIT", SIGQUIT },   { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },   { "ABRT", SIGABRT },	{ "IOT", SIGIOT },     { "BUS", SIGBUS },
	{ "FPE", SIGFPE },     { "KILL", SIGKILL },	{ "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },	{ "ALRM", SIGALRM },   { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },	{ "CLD", SIGCHLD },    { "CONT", SIGCONT },
	{ "STOP", SIGSTOP },   { "TSTP", SIGTSTP },	{ "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },
	{ "URG", SIGURG },     { "XCPU", SIGXCPU },	{ "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },   { "WINCH", SIGWINCH },	{ "IO", SIGIO },       { "POLL", SIGPOLL },
	{ "PWR", SIGPWR },     { "SYS", SIGSYS },
};

/* "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N" (after any "SIG" prefix). */
static int parse_rt_signal(const char *name, int *sig)
{
	int base, sign, off = 0;
	const char *rest;

	if (strncasecmp(name, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		sign = 1;
	} else if (strncasecmp(name, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		sign = -1;
	} else {
		return -EINVAL;
	}
	rest = name + 5;
	if (*rest) {
		/* digits only after the sign: "RTMIN+-1" is no offset */
		if (*rest != (sign > 0 ? '+' : '-') || !isdigit((unsigned char)rest[1]) ||
		    ctu_parse_int(rest + 1, &off) < 0)
			return -EINVAL;
		if (off > SIGRTMAX - SIGRTMIN)
			return -ERANGE;
	}
	*sig = base + sign * off;
	return 0;
}

int ctu_parse_signal(const char *s, int *sig)
{
	const char *name = s;
	uint64_t num;

	if (!s || !*s)
		return -EINVAL;
	if (isdigit((unsigned char)*s)) {
		int r = ctu_parse_u64_range(s, 1, (uint64_t)SIGRTMAX, &num);

		if (r < 0)
			return r;
		/* 32 and 33 are the C library's own (NPTL): no program can use them */
		if (!ctu_signal_name((int)num))
			return -ERANGE;
		*sig = (int)num;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < CTU_ARRAY_SIZE(signal_names); i++) {
		if (strcasecmp(name, signal_names[i].name) == 0) {
			*sig = signal_names[i].sig;
			return 0;
		}
	}
	return parse_rt_signal(name, sig);
}

const char *ctu_signal_name(int sig)
{
	static char realtime[16];

	for (size_t i = 0; i < CTU_ARRAY_SIZE(signal_names); i++)
		if (signal_names[i].sig == sig)
			return signal_names[i].name;
	/* the real-time signals are named from SIGRTMIN, as ctu_parse_signal reads them */
	if (sig < SIGRTMIN || sig > SIGRTMAX)
		return NULL;
	if (sig == SIGRTMIN)
		return "RTMIN";
	snprintf(realtime, sizeof(realtime), "RTMIN+%d", sig - SIGRTMIN);
	return realtime;
}

/* (uid_t)-1 and (gid_t)-1 mean "no change" to the kernel: never an id. */
#define CTU_ID_MAX ((uint64_t)UINT32_MAX - 1)

/* An id given as a number: true if @s is one, with the parse result in *@r. */
static bool numeric_id(const char *s, uint32_t *id, int *r)
{
	uint64_t v;

	if (!isdigit((unsigned char)*s))
		return false;
	*r = ctu_parse_u64_range(s, 0, CTU_ID_MAX, &v);
	if (*r == 0)
		*id = (uint32_t)v;
	return true;
}

int ctu_parse_uid(const char *s, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	uint32_t id;
	int r;

	if (!s || !*s)
		return -EINVAL;
	if (numeric_id(s, &id, &r)) {
		if (r == 0)
			*uid = id;
		return r;
	}
	if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return -ENOENT;
	*uid = res->pw_uid;
	return 0;
}

int ctu_parse_gid(const char *s, gid_t *gid)
{
	struct group gr, *res = NULL;
	char buf[16384];
	uint32_t id;
	int r;

	if (!s || !*s)
		return -EINVAL;
	if (numeric_id(s, &id, &r)) {
		if (r == 0)
			*gid = id;
		return r;
	}
	if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return -ENOENT;
	*gid = res->gr_gid;
	return 0;
}
