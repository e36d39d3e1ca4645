// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - one container engine's state file, read safely.
 *
 * A state root is shared with whoever else may write below it (a rootless
 * engine's user, a container's own bind mounts), and --container enters
 * the namespaces of whatever PID the file names, as root.  So each file is
 * opened beneath its root's fd with no symlink followed, must be a regular
 * file of bounded size that only root or we could have written, and its
 * numbers must be a real PID and a start time.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "json.h"
#include "mnt.h"
#include "parse.h"
#include "state.h"

/* Root, or us: anybody else could have written the file for us to enter. */
static bool owner_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

int state_check_stat(const struct stat *st, const char *what, ctu_err_t *err)
{
	if (!S_ISREG(st->st_mode))
		return ctu_err_make(err, 0, "state file %s: not a regular file", what);
	if ((uint64_t)st->st_size > STATE_FILE_MAX)
		return ctu_err_make(err, 0, "state file %s: larger than 16 MiB (%jd bytes)", what,
				    (intmax_t)st->st_size);
	if (!owner_trusted(st->st_uid))
		return ctu_err_make(err, 0, "state file %s: owned by uid %u, neither root nor us",
				    what, (unsigned int)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return ctu_err_make(err, 0, "state file %s: writable by group or others (mode %04o)",
				    what, (unsigned int)(st->st_mode & 07777));
	return 0;
}

int state_open_beneath(int rootfd, const char *path, int flags, const char *what, ctu_err_t *err)
{
	/* O_PATH takes no other flags: openat2 refuses them */
	int fd = ctu_openat2(rootfd, path, (uint64_t)(flags | (flags & O_PATH ? 0 : O_NOCTTY)),
			     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);

	if (fd >= 0)
		return fd;
	ctu_err_make(err, -fd, "state file %s: cannot open", what);
	if (fd == -ELOOP || fd == -EXDEV)
		ctu_err_hint(err, "no symlink is followed below a state root");
	return fd;
}

/* @key of @obj: the init's PID, 1 to 2^31-1, a JSON integer. */
static int take_pid(json_t *obj, const char *key, const char *what, pid_t *pid, ctu_err_t *err)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (!v)
		return ctu_err_make(err, 0, "state file %s: %s: missing", what, key);
	if (!json_is_integer(v))
		return ctu_err_make(err, 0, "state file %s: %s: not an integer", what, key);
	n = json_integer_value(v);
	if (n < 1 || n > INT32_MAX)
		return ctu_err_make(err, 0, "state file %s: %s: %" JSON_INTEGER_FORMAT
				    " is not a process ID (1 to 2147483647)", what, key, n);
	*pid = (pid_t)n;
	return 0;
}

/*
 * @key of @obj: the init's start time (field 22 of /proc/PID/stat), a JSON
 * integer or, as runc before 1.0 wrote it, a string of digits.  1 when absent.
 */
static int take_start(json_t *obj, const char *key, const char *what, uint64_t *start,
		      ctu_err_t *err)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 1;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*start = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && ctu_parse_u64(json_string_value(v), start) == 0)
		return 0;
	return ctu_err_make(err, 0, "state file %s: %s: not a start time (ticks after boot)", what,
			    key);
}

/* The member names each format keeps the init's PID and start time under. */
static void format_keys(enum state_format fmt, const char **pid_key, const char *start_keys[2])
{
	start_keys[1] = NULL;
	switch (fmt) {
	case STATE_CRUN:
		*pid_key = "pid";
		start_keys[0] = "process-start-time";
		break;
	case STATE_CTRUN:
		/* ctrun's state.json (ctrun/state.c): field 22 of /proc/PID/stat */
		*pid_key = "pid";
		start_keys[0] = "starttime";
		break;
	case STATE_OCI:
	case STATE_PIDFILE:
	default:
		*pid_key = "init_process_pid";
		start_keys[0] = "init_process_start";
		break;
	}
}

/* jansson's own words, where it stopped: "line L column C: TEXT". */
static json_t *parse_object(const char *buf, size_t len, const char *what, ctu_err_t *err)
{
	json_error_t je;
	json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);

	if (!v) {
		ctu_err_make(err, 0, "state file %s: line %d column %d: %s", what, je.line,
			     je.column, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		ctu_err_make(err, 0, "state file %s: not a JSON object", what);
		return NULL;
	}
	return v;
}

int state_parse(const char *buf, size_t len, enum state_format fmt, const char *what,
		struct ctu_pidref *ref, ctu_err_t *err)
{
	_cleanup_json_ json_t *obj = parse_object(buf, len, what, err);
	struct ctu_pidref r = { .kind = CTU_PIDREF_PLAIN };
	const char *pid_key, *start_keys[2];
	int got = 1;

	if (!obj)
		return ctu_err_code(*err);
	format_keys(fmt, &pid_key, start_keys);
	if (take_pid(obj, pid_key, what, &r.pid, err) < 0)
		return ctu_err_code(*err);
	for (size_t i = 0; i < 2 && start_keys[i] && got == 1; i++) {
		got = take_start(obj, start_keys[i], what, &r.start, err);
		if (got < 0)
			return got;
	}
	if (got == 0)
		r.kind = CTU_PIDREF_START;
	*ref = r;
	return 0;
}

static int read_json_state(int rootfd, const char *path, enum state_format fmt, const char *what,
			   struct ctu_pidref *ref, ctu_err_t *err)
{
	_cleanup_close_ int fd = state_open_beneath(rootfd, path, O_RDONLY | O_NONBLOCK, what, err);
	_cleanup_free_ char *buf = NULL;
	char name[PATH_MAX + 16];
	struct stat st;
	size_t len;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return ctu_err_errno(err, "state file %s: cannot stat", what);
	if (state_check_stat(&st, what, err) < 0)
		return ctu_err_code(*err);
	snprintf(name, sizeof(name), "state file %s", what);
	if (ctu_json_read_fd(fd, STATE_FILE_MAX, name, &buf, &len, err) < 0)
		return ctu_err_code(*err);
	return state_parse(buf, len, fmt, what, ref, err);
}

/*
 * A pid file: its directory opened safely and checked so that only root or
 * we could swap the file between our check and ctu_pidref_from_file()'s
 * open (a sticky directory keeps others from replacing our file, as in
 * /run or /tmp), then the file itself checked as any state file.
 */
static int read_pid_file(int rootfd, const char *path, const char *what, struct ctu_pidref *ref,
			 ctu_err_t *err)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	_cleanup_free_ char *dir = strndup(path, slash ? (size_t)(slash - path) : 0);
	_cleanup_close_ int dirfd = -1;
	struct stat st;

	if (!dir)
		return ctu_err_make(err, ENOMEM, "state file %s", what);
	dirfd = state_open_beneath(rootfd, dir, O_PATH | O_DIRECTORY, what, err);
	if (dirfd < 0)
		return dirfd;
	if (fstat(dirfd, &st) < 0)
		return ctu_err_errno(err, "state file %s: cannot stat its directory", what);
	if (!owner_trusted(st.st_uid) || ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) ||
	    (st.st_mode & S_IWGRP))
		return ctu_err_make(err, 0, "state file %s: its directory may be written by others",
				    what);
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return ctu_err_errno(err, "state file %s: cannot open", what);
	if (state_check_stat(&st, what, err) < 0)
		return ctu_err_code(*err);
	*ref = (struct ctu_pidref){ 0 };
	if (ctu_pidref_from_file(dirfd, base, ref, err) < 0)
		return ctu_err_wrap(err, "state file %s", what);
	return 0;
}

int state_read(int rootfd, const char *path, enum state_format fmt, const char *what,
	       struct ctu_pidref *ref, ctu_err_t *err)
{
	if (fmt == STATE_PIDFILE)
		return read_pid_file(rootfd, path, what, ref, err);
	return read_json_state(rootfd, path, fmt, what, ref, err);
}
