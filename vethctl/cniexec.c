// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cniexec.c - running one CNI plugin, as libcni's invoke package does: found
 * along CNI_PATH, started by posix_spawn (no shell) with our environment but
 * its own CNI_ variables, the config on stdin, the result read from stdout,
 * stderr passed on, and a deadline: a plugin that hangs is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cni.h"
#include "ctu.h"
#include "proc.h"

extern char **environ;

char *cni_find_plugin(const char *path, const char *type)
{
	const char *dir = path;

	/* a type is a name, never a path: "../../bin/sh" runs nothing */
	if (!path || !type || !*type || strchr(type, '/'))
		return NULL;
	while (*dir) {
		size_t len = strcspn(dir, ":");
		char *file = NULL;
		struct stat st;

		/* an empty element is no directory (Go's filepath.Join would make it "." ) */
		if (len && asprintf(&file, "%.*s/%s", (int)len, dir, type) < 0)
			return NULL;
		if (file && stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0)
			return file;
		free(file);
		dir += len;
		if (*dir == ':')
			dir++;
	}
	return NULL;
}

/* ---- the environment ---------------------------------------------------------- */

struct env {
	char **v;
	size_t n;
};

static void env_free(struct env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	free(e->v);
}

static int env_add(struct env *e, const char *key, const char *value)
{
	char *s;

	if (!value)
		return 0;
	if (asprintf(&s, "%s=%s", key, value) < 0)
		return -ENOMEM;
	e->v[e->n++] = s;
	return 0;
}

/* Ours without any CNI_ variable, then @x's: a stale CNI_NETNS of ours never leaks into a DEL. */
static int env_build(const struct cni_exec *x, struct env *e)
{
	size_t n = 0;

	while (environ && environ[n])
		n++;
	e->n = 0;
	e->v = calloc(n + 7, sizeof(*e->v));
	if (!e->v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(environ[i], "CNI_", 4))
			continue;
		if (!(e->v[e->n] = strdup(environ[i])))
			return -ENOMEM;
		e->n++;
	}
	if (env_add(e, "CNI_COMMAND", x->command) < 0 ||
	    env_add(e, "CNI_CONTAINERID", x->containerid) < 0 ||
	    env_add(e, "CNI_NETNS", x->netns) < 0 || env_add(e, "CNI_IFNAME", x->ifname) < 0 ||
	    env_add(e, "CNI_ARGS", x->args) < 0 || env_add(e, "CNI_PATH", x->path) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- the process ---------------------------------------------------------------- */

struct child {
	pid_t pid;
	int pidfd;
	int in, out; /* our ends: its stdin, its stdout (-1: closed) */
};

static void child_close(struct child *c)
{
	if (c->in >= 0)
		close(c->in);
	if (c->out >= 0)
		close(c->out);
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->in = c->out = c->pidfd = -1;
}

/*
 * argv[0] as a runtime gives it: the file, unless that file is another name
 * for the plugin (our own binary as ctutils-host-local), whose basename
 * decides what it is.
 */
static const char *argv0_of(const struct cni_exec *x)
{
	const char *base = strrchr(x->file, '/');

	base = base ? base + 1 : x->file;
	return strcmp(base, x->type) ? x->type : x->file;
}

static int spawn(const struct cni_exec *x, char **envp, struct child *c, ctu_err_t *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, r;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, pipe_sig;
	char *argv[] = { (char *)argv0_of(x), NULL };

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		r = errno;
		for (int i = 0; i < 2; i++) {
			if (in[i] >= 0)
				close(in[i]);
			if (out[i] >= 0)
				close(out[i]);
		}
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "plugin %s: cannot make a pipe: %s",
			       x->type, strerror(r));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawnattr_init(&attr);
	/* SIGPIPE is ignored while we feed it: the plugin gets the default back */
	sigemptyset(&none);
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &pipe_sig);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	r = posix_spawn(&c->pid, x->file, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(in[0]);
	close(out[1]);
	c->in = in[1];
	c->out = out[0];
	if (r != 0) {
		child_close(c);
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "plugin %s: cannot run %s: %s", x->type,
			       x->file, strerror(r));
	}
	c->pidfd = ctu_pidfd_open(c->pid, 0);
	fcntl(c->in, F_SETFL, O_NONBLOCK);
	fcntl(c->out, F_SETFL, O_NONBLOCK);
	return 0;
}

/* The status of the finished child (or of the one we kill: the reaping is the same). */
static int reap(struct child *c)
{
	int status = 0;

	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the plugin printed so far. */
struct output {
	char *buf;
	size_t len, cap;
	bool too_big;
};

/* Reads what is there: 1 at EOF, 0 when more may come, -errno. */
static int read_some(int fd, struct output *o)
{
	for (;;) {
		ssize_t n;

		if (o->len + 1 >= o->cap) {
			size_t cap = o->cap ? o->cap * 2 : 4096;
			char *b;

			if (cap > CNI_STDIN_MAX + 1)
				cap = CNI_STDIN_MAX + 1;
			if (o->len + 1 >= cap) {
				o->too_big = true;
				return 1;
			}
			if (!(b = realloc(o->buf, cap)))
				return -ENOMEM;
			o->buf = b;
			o->cap = cap;
		}
		n = read(fd, o->buf + o->len, o->cap - 1 - o->len);
		if (n == 0)
			return 1;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		o->len += (size_t)n;
		o->buf[o->len] = '\0';
	}
}

/* Writes what the pipe takes: 1 when all is written (or the plugin stopped reading), 0 for more. */
static int write_some(int fd, const char *buf, size_t len, size_t *done)
{
	while (*done < len) {
		ssize_t n = write(fd, buf + *done, len - *done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0) /* EPIPE: it did not want all of it, which is its business */
			return 1;
		*done += (size_t)n;
	}
	return 1;
}

/*
 * Feeds stdin and reads stdout at once (a plugin that answers before it has
 * read all of a big config cannot deadlock us), until it exits or the
 * deadline passes.  0 (it exited), -ETIME, or -errno.
 */
static int pump(const struct cni_exec *x, struct child *c, struct output *o, int timeout_s)
{
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	size_t done = 0;
	bool exited = false;

	if (!x->stdin_buf || write_some(c->in, x->stdin_buf, x->stdin_len, &done)) {
		close(c->in);
		c->in = -1;
	}
	while (!exited || c->out >= 0) {
		struct pollfd p[3] = {
			{ .fd = c->out, .events = POLLIN },
			{ .fd = c->in, .events = POLLOUT },
			{ .fd = exited ? -1 : c->pidfd, .events = POLLIN },
		};
		long long left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIME;
		/* exited: what it wrote is in the pipe; a child it left holding stdout is not
		 * waited for */
		r = poll(p, 3, exited ? 0 : (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (p[0].revents || exited) {
			r = read_some(c->out, o);
			if (r < 0)
				return r;
			if (r == 1 || exited) {
				close(c->out);
				c->out = -1;
				if (o->too_big)
					return -EFBIG;
			}
		}
		if (p[1].revents && write_some(c->in, x->stdin_buf, x->stdin_len, &done)) {
			close(c->in);
			c->in = -1;
		}
		/* without a pidfd (an old kernel), EOF on stdout stands for the exit */
		if (p[2].revents || (c->pidfd < 0 && c->out < 0))
			exited = true;
	}
	return 0;
}

/* ---- the answer ------------------------------------------------------------------ */

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", s[i]))
			return false;
	return true;
}

/* {"code","msg","details"} as the plugin printed it, or NULL when it is not one. */
static int plugin_error(const char *type, const struct output *o, ctu_err_t *err)
{
	_cleanup_err_ ctu_err_t perr = NULL;
	_cleanup_json_ json_t *e = NULL;
	const char *msg = NULL, *details = NULL;
	json_int_t code = 0;

	if (!o->len || blank(o->buf, o->len))
		return 0;
	e = ctu_json_parse(o->buf, o->len, type, &perr);
	if (!e || !json_is_object(e) || ctu_json_get_int(e, "", "code", true, &code, &perr) != 0 ||
	    ctu_json_get_string(e, "", "msg", false, &msg, &perr) < 0 ||
	    ctu_json_get_string(e, "", "details", false, &details, &perr) < 0)
		return 0;
	cni_err(err, (int)code, details && *details ? details : NULL, "%s", msg ? msg : "");
	return 1;
}

static int answer(const struct cni_exec *x, int status, const struct output *o, json_t **out,
		  ctu_err_t *err)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (!o->len || blank(o->buf, o->len))
			return 0;
		char what[128];

		snprintf(what, sizeof(what), "plugin %s: its output", x->type);
		*out = ctu_json_parse(o->buf, o->len, what, err);
		return *out ? 0 : ctu_err_set_code(err, CNI_ERR_DECODE);
	}
	if (plugin_error(x->type, o, err))
		return ctu_err_code(*err);
	if (WIFSIGNALED(status))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "plugin %s: killed by signal %d (%s)",
			       x->type, WTERMSIG(status), strsignal(WTERMSIG(status)));
	return cni_err(err, CNI_ERR_INTERNAL, NULL, "plugin %s: exited with status %d and %s",
		       x->type, WEXITSTATUS(status),
		       o->len && !blank(o->buf, o->len) ? "printed no CNI error"
							: "printed nothing");
}

int cni_exec(const struct cni_exec *x, json_t **out, ctu_err_t *err)
{
	struct child c = { .pid = -1, .pidfd = -1, .in = -1, .out = -1 };
	struct output o = { 0 };
	struct env e = { 0 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int timeout_s = x->timeout_s > 0 ? x->timeout_s : CNI_PLUGIN_TIMEOUT_S;
	int r, status = 0;

	*out = NULL;
	if (env_build(x, &e) < 0) {
		env_free(&e);
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "plugin %s: out of memory", x->type);
	}
	/* a plugin that exits before reading all of stdin must not kill us with SIGPIPE */
	sigaction(SIGPIPE, &ign, &old);
	r = spawn(x, e.v, &c, err);
	env_free(&e);
	if (r == 0) {
		r = pump(x, &c, &o, timeout_s);
		if (r < 0) /* not reaped yet: the PID is still its own */
			kill(c.pid, SIGKILL);
		status = reap(&c);
	}
	sigaction(SIGPIPE, &old, NULL);
	child_close(&c);
	if (r == -ETIME)
		cni_err(err, CNI_ERR_INTERNAL, NULL, "plugin %s: no answer within %d s (killed)",
			x->type, timeout_s);
	else if (r == -EFBIG)
		cni_err(err, CNI_ERR_INTERNAL, NULL,
			"plugin %s: printed more than %zu MiB (killed)", x->type,
			CNI_STDIN_MAX >> 20);
	else if (r < 0 && !*err)
		cni_err(err, CNI_ERR_INTERNAL, NULL, "plugin %s: %s", x->type, strerror(-r));
	else if (r == 0)
		r = answer(x, status, &o, out, err);
	free(o.buf);
	return r;
}
