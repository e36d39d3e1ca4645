// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log.c - errors and warnings, on stderr and in --log: as text lines, or as
 * the {"level","msg","time"} lines logrus writes for runc (--log-format
 * json), of which podman and containerd read the last "error".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctrun.h"
#include "ctu.h"
#include "json.h"

/* RFC 3339 with nanoseconds, UTC, as logrus's time field. */
void ct_now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", base, ts.tv_nsec);
}

/*
 * --debug's phase timings: each line says how long the phase took and how
 * long since ctrun started, so a slow step of create or run shows by name.
 */
static struct timespec phase_first, phase_last;

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

void ct_phase_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &phase_first);
	phase_last = phase_first;
}

void ct_phase(const struct ct_global *g, const char *what)
{
	struct timespec now;

	if (!g->debug)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ctu_debug("phase %s: %.3f ms (%.3f ms since start)", what, ms_between(&phase_last, &now),
		  ms_between(&phase_first, &now));
	phase_last = now;
}

static void log_line(const struct ct_global *g, const char *level, const char *msg)
{
	char when[64];
	char *line = NULL;
	int fd;

	if (!g->log)
		return;
	fd = open(g->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	ct_now_rfc3339(when, sizeof(when));
	if (g->log_json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", when);

		line = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
	} else if (asprintf(&line, "%s %s: %s", when, level, msg) < 0) {
		line = NULL;
	}
	if (line && dprintf(fd, "%s\n", line) < 0)
		errno = 0; /* a log we cannot write must not change the outcome */
	free(line);
	close(fd);
}

int ct_report(const struct ct_global *g, ctu_err_t *err)
{
	int code;
	char *msg;

	if (g->cmd && ctu_err_exit_code(*err) != CTU_EXIT_USAGE)
		ctu_err_wrap(err, "%s", g->cmd);
	code = ctu_err_exit_code(*err);
	msg = ctu_err_format(*err);

	log_line(g, "error", msg ? msg : "out of memory");
	free(msg);
	ctu_err_print(err);
	return code;
}

void ct_warn(const struct ct_global *g, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	log_line(g, "warning", msg);
	fprintf(stderr, "%s: warning: %s\n", program_invocation_short_name, msg);
	free(msg);
}
