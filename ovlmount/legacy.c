// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * legacy.c - the mount before Linux 6.8: the stack as one lowerdir= string
 * for mount(2), which must fit a page.  When it does not, a child process
 * opens every layer and mounts with the short names of /proc/self/fd.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "ctu.h"
#include "ovlmount.h"

/* A growing string for the legacy option text. */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void text_add(struct text *t, const char *s, bool escape)
{
	for (const char *p = s; *p && !t->failed; p++) {
		if (t->len + 3 >= t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 4096;
			char *b = realloc(t->buf, cap);

			if (!b) {
				t->failed = true;
				return;
			}
			t->buf = b;
			t->cap = cap;
		}
		/* ':' separates layers, ',' options: both escaped with '\' */
		if (escape && (*p == ':' || *p == ',' || *p == '\\'))
			t->buf[t->len++] = '\\';
		t->buf[t->len++] = *p;
		t->buf[t->len] = '\0';
	}
}

/* "lowerdir=A:B[::D],upperdir=U,workdir=W,opts", with @name giving each path. */
static char *legacy_options(const struct ovl_request *req,
			    const char *(*name)(const char *, size_t, void *), void *ctx)
{
	const struct ctu_ovl_stack *st = &req->stack;
	struct text t = { 0 };
	size_t k = 0;

	text_add(&t, "lowerdir=", false);
	for (size_t i = 0; i < st->lower.n; i++, k++) {
		text_add(&t, i ? ":" : "", false);
		text_add(&t, name(st->lower.v[i], k, ctx), true);
	}
	for (size_t i = 0; i < st->data.n; i++, k++) {
		text_add(&t, "::", false);
		text_add(&t, name(st->data.v[i], k, ctx), true);
	}
	if (st->upper) {
		/*
		 * The upper and work directories keep their absolute paths where
		 * they fit, even when the lowers go by fd: mountinfo then names the
		 * upper, which --diff and --commit read back.
		 */
		bool by_path = strlen(st->upper) + strlen(st->work) < 1024 && st->upper[0] == '/' &&
			       st->work[0] == '/';

		text_add(&t, ",upperdir=", false);
		text_add(&t, by_path ? st->upper : name(st->upper, k, ctx), true);
		k++;
		text_add(&t, ",workdir=", false);
		text_add(&t, by_path ? st->work : name(st->work, k, ctx), true);
		k++;
	}
	for (size_t i = 0; i < req->options.n; i++) {
		text_add(&t, ",", false);
		text_add(&t, req->options.v[i], false);
	}
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	return t.buf;
}

static const char *name_as_is(const char *path, size_t k, void *ctx)
{
	(void)k;
	(void)ctx;
	return path;
}

static const char *name_as_fd(const char *path, size_t k, void *ctx)
{
	static char names[OVL_MAX_LAYERS + 2][16];
	const int *fds = ctx;

	(void)path;
	snprintf(names[k], sizeof(names[k]), "%d", fds[k]);
	return names[k];
}

/* -r and an image's nodev as mount(2) flags. */
static unsigned long mount_flags(const struct ovl_request *req)
{
	return (req->readonly ? MS_RDONLY : 0) | (req->nodev ? MS_NODEV : 0);
}

/* In the child: every layer opened, then mount(2) from /proc/self/fd.  Never returns. */
static noreturn void mount_by_fds_child(const struct ovl_request *req)
{
	const struct ctu_ovl_stack *st = &req->stack;
	const char *const *groups[] = { (const char *const *)st->lower.v,
					(const char *const *)st->data.v };
	size_t counts[] = { st->lower.n, st->data.n };
	int fds[OVL_MAX_LAYERS + 2];
	size_t k = 0;
	_cleanup_free_ char *data = NULL, *target = NULL;

	for (size_t g = 0; g < 2; g++)
		for (size_t i = 0; i < counts[g]; i++)
			fds[k++] = open(groups[g][i], O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (st->upper) {
		fds[k++] = open(st->upper, O_PATH | O_DIRECTORY | O_CLOEXEC);
		fds[k++] = open(st->work, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	data = legacy_options(req, name_as_fd, fds);
	target = realpath(req->target, NULL);
	if (!data || !target || chdir("/proc/self/fd") < 0 || strlen(data) >= 4096)
		_exit(E2BIG);
	if (mount("overlay", target, "overlay", mount_flags(req), data) < 0)
		_exit(errno);
	_exit(0);
}

/*
 * Too long for a page: in a child, open every layer and mount from
 * /proc/self/fd with the fds' numbers as names ("12:13:14").  0 or -errno.
 */
static int mount_legacy_by_fds(const struct ovl_request *req)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		mount_by_fds_child(req);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? -WEXITSTATUS(status) : -EIO;
}

int ovl_mount_legacy(const struct ovl_request *req, ctu_err_t *err)
{
	_cleanup_free_ char *data = legacy_options(req, name_as_is, NULL);
	int r;

	if (!data)
		return ctu_err_make(err, ENOMEM, "cannot mount the overlay on %s", req->target);
	if (strlen(data) < 4096)
		r = mount("overlay", req->target, "overlay", mount_flags(req), data) < 0 ? -errno : 0;
	else
		r = mount_legacy_by_fds(req);
	if (r < 0) {
		ctu_err_make(err, -r, "cannot mount the overlay on %s", req->target);
		return ctu_err_hint(err, "the kernel log may say more: dmesg");
	}
	return 0;
}
