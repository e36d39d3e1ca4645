// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hooks.c - the OCI hooks (config.md, runtime.md): each run with argv its
 * args (or its path), env exactly its env, stdin the container's state, cwd
 * the bundle, its output captured, killed at its timeout.  createContainer
 * and startContainer run in the container's namespaces, through
 * nsenter-lite.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctrun.h"
#include "ctu.h"
#include "proc.h"
#include "strv.h"

#define OUTPUT_MAX ((size_t)64 * 1024)

struct hook {
	size_t index;
	const char *path;
	json_t *args, *env;
	long timeout; /* seconds, 0: none */
};

struct hook_run {
	struct ctu_strv argv, envp;
	pid_t pid;
	int pidfd, in, out; /* our ends of its stdin and of its stdout+stderr */
	char output[OUTPUT_MAX + 1];
	size_t output_len;
};

static int push(struct ctu_strv *v, const char *s)
{
	return ctu_strv_push(v, s, strlen(s));
}

static int push_array(struct ctu_strv *v, json_t *arr, size_t from)
{
	for (size_t i = from; i < json_array_size(arr); i++)
		if (push(v, json_string_value(json_array_get(arr, i))) < 0)
			return -ENOMEM;
	return 0;
}

/* In the container: nsenter-lite -t PID -a -c [-r -w] --clearenv --setenv ... -- PATH ARGS. */
static int enter_words(const struct ct_global *g, const struct hook *h, pid_t pid, bool in_root,
		       const char *bundle, struct ctu_strv *v)
{
	char tool[4096], pidbuf[32];

	if (ct_tool_path(g, "nsenter-lite", tool, sizeof(tool)) < 0)
		return -ENAMETOOLONG;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	if (push(v, tool) < 0 || push(v, "-t") < 0 || push(v, pidbuf) < 0 || push(v, "-a") < 0 ||
	    push(v, "--join-cgroup") < 0 || push(v, "--clearenv") < 0)
		return -ENOMEM;
	/* startContainer: in the container's root and cwd; createContainer: cwd the bundle */
	if (in_root ? push(v, "-r") < 0 || push(v, "-w") < 0
		    : push(v, "--wdns") < 0 || push(v, bundle) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < json_array_size(h->env); i++)
		if (push(v, "--setenv") < 0 ||
		    push(v, json_string_value(json_array_get(h->env, i))) < 0)
			return -ENOMEM;
	if (push(v, "--") < 0 || push(v, h->path) < 0)
		return -ENOMEM;
	return push_array(v, h->args, 1);
}

static int hook_words(const struct ct_global *g, const struct hook *h, pid_t enter_pid,
		      bool in_root, const char *bundle, struct hook_run *r)
{
	if (enter_pid > 0) {
		if (enter_words(g, h, enter_pid, in_root, bundle, &r->argv) < 0)
			return -ENOMEM;
		for (char **e = ct_tool_env(g); *e; e++)
			if (push(&r->envp, *e) < 0)
				return -ENOMEM;
		return 0;
	}
	if (json_array_size(h->args) > 0) {
		if (push_array(&r->argv, h->args, 0) < 0)
			return -ENOMEM;
	} else if (push(&r->argv, h->path) < 0) {
		return -ENOMEM;
	}
	return push_array(&r->envp, h->env, 0);
}

static noreturn void hook_child(const char *path, struct hook_run *r, int in, int out,
				const char *bundle)
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0 || chdir(bundle) < 0)
		_exit(126);
	execve(path, r->argv.v, r->envp.v);
	dprintf(2, "%s: %s\n", path, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static int start_hook(const char *path, struct hook_run *r, const char *bundle, ctu_err_t *err)
{
	int in[2], out[2];
	struct ctu_child child = { 0 };
	int rc;

	if (pipe2(in, O_CLOEXEC) < 0)
		return ctu_err_errno(err, "hook");
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return ctu_err_errno(err, "hook");
	}
	rc = ctu_fork_child(&child, 0);
	if (rc == 0)
		hook_child(path, r, in[0], out[1], bundle);
	close(in[0]);
	close(out[1]);
	if (child.sigfd >= 0)
		close(child.sigfd);
	sigprocmask(SIG_SETMASK, &child.saved_mask, NULL);
	if (rc < 0) {
		close(in[1]);
		close(out[0]);
		return ctu_err_make(err, -rc, "cannot run hook %s", path);
	}
	r->pid = child.pid, r->pidfd = child.pidfd, r->in = in[1], r->out = out[0];
	return 0;
}

static void keep_output(struct hook_run *r)
{
	char buf[4096];
	ssize_t n = read(r->out, buf, sizeof(buf));

	if (n <= 0) {
		if (n == 0 || errno != EINTR) {
			close(r->out);
			r->out = -1;
		}
		return;
	}
	if ((size_t)n > OUTPUT_MAX - r->output_len)
		n = (ssize_t)(OUTPUT_MAX - r->output_len);
	memcpy(r->output + r->output_len, buf, (size_t)n);
	r->output_len += (size_t)n;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Its output until EOF, then its exit; 1 when the timeout came first. */
static int wait_hook(struct hook_run *r, long timeout, int *status)
{
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	for (;;) {
		struct pollfd p[2] = { { .fd = r->out, .events = POLLIN },
				       { .fd = r->pidfd, .events = POLLIN } };
		long left = timeout > 0 ? ms_left(&deadline) : -1;
		int n;

		if (timeout > 0 && left <= 0)
			break;
		n = poll(p, 2, timeout > 0 ? (int)left : -1);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && p[0].revents)
			keep_output(r);
		if (n > 0 && p[1].revents) {
			/* what is left; a child it left behind may hold the pipe open */
			while (r->out >= 0 && poll(p, 1, 0) > 0)
				keep_output(r);
			waitpid(r->pid, status, 0);
			return 0;
		}
	}
	ctu_pidfd_send_signal(r->pidfd, SIGKILL);
	waitpid(r->pid, status, 0);
	return 1;
}

/* The last line of its output, for the error. */
static const char *output_tail(struct hook_run *r)
{
	char *nl;

	r->output[r->output_len] = '\0';
	while (r->output_len > 0 && r->output[r->output_len - 1] == '\n')
		r->output[--r->output_len] = '\0';
	nl = strrchr(r->output, '\n');
	return nl ? nl + 1 : r->output;
}

static int hook_result(const struct hook *h, struct hook_run *r, bool timed_out, int status,
		       ctu_err_t *err)
{
	const char *tail = output_tail(r);

	if (timed_out)
		return ctu_err_make(err, 0, "hook %zu (%s) timed out after %lds", h->index, h->path,
				    h->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		return ctu_err_make(err, 0, "hook %zu (%s) was killed by SIG%s%s%s", h->index,
				    h->path, sigabbrev_np(WTERMSIG(status)), *tail ? ": " : "",
				    tail);
	return ctu_err_make(err, 0, "hook %zu (%s) failed with exit status %d%s%s", h->index,
			    h->path, WEXITSTATUS(status), *tail ? ": " : "", tail);
}

static int run_hook(const struct ct_global *g, const struct hook *h, const char *state_json,
		    const char *bundle, pid_t enter_pid, bool in_root, ctu_err_t *err)
{
	struct hook_run r = { .argv = CTU_STRV_INIT, .envp = CTU_STRV_INIT, .pidfd = -1 };
	int status = 0, rc, timed_out;

	if (hook_words(g, h, enter_pid, in_root, bundle, &r) < 0) {
		rc = ctu_err_make(err, ENOMEM, "hook %zu", h->index);
		goto out;
	}
	/* entering the container: argv[0] is nsenter-lite's absolute path */
	rc = start_hook(enter_pid > 0 ? r.argv.v[0] : h->path, &r, bundle, err);
	if (rc < 0)
		goto out;
	/* a hook that does not read its stdin must not block us: the pipe holds 64 KiB */
	if (write(r.in, state_json, strlen(state_json)) < 0)
		errno = 0;
	close(r.in);
	timed_out = wait_hook(&r, h->timeout, &status);
	if (r.out >= 0)
		close(r.out);
	close(r.pidfd);
	rc = hook_result(h, &r, timed_out, status, err);
out:
	ctu_strv_free(&r.argv);
	ctu_strv_free(&r.envp);
	return rc;
}

int ct_hooks_run(const struct ct_global *g, json_t *hooks, const char *kind, const char *state_json,
		 const char *bundle, pid_t enter_pid, bool in_root, ctu_err_t *err)
{
	json_t *list = json_object_get(hooks, kind);

	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *o = json_array_get(list, i);
		struct hook h = {
			.index = i,
			.path = json_string_value(json_object_get(o, "path")),
			.args = json_object_get(o, "args"),
			.env = json_object_get(o, "env"),
			.timeout = (long)json_integer_value(json_object_get(o, "timeout")),
		};

		if (!h.path)
			return ctu_err_make(err, EINVAL, "config.json: /hooks/%s/%zu/path: missing",
					    kind, i);
		ctu_debug("hook %s %zu: %s", kind, i, h.path);
		if (run_hook(g, &h, state_json, bundle, enter_pid, in_root, err) < 0)
			return ctu_err_wrap(err, "%s", kind);
	}
	return 0;
}
