// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * chain.c - config.json -> the chain's words, one argv for the whole chain
 *
 *	cgctl exec ... -- [nsenter-lite ... --] unshare-lite ... -- pivot ... -- ARGS
 *
 * (exec: nsenter-lite ... -- ARGS), and --show-chain's printing of it as
 * shell words.  The tools' own words are in chain_*.c (see chain.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "ctu.h"

void ct_fds_layout(struct ct_fds *f, unsigned int n_user, bool fifo, bool console)
{
	int next = 3 + (int)n_user;

	f->n_user = n_user;
	f->info = next++;
	f->sync = next++;
	f->fifo = fifo ? next++ : -1;
	/*
	 * with a terminal the program's stderr is the terminal: no slot, so that
	 * the init waiting at the barrier keeps no end of our caller's stderr
	 * (containerd's shim reads create's output to EOF before it starts it)
	 */
	f->real_stderr = console ? -1 : next++;
	f->console = console ? next++ : -1;
	f->seccomp = -1;
}

void ct_fds_add_seccomp(struct ct_fds *f)
{
	f->seccomp = (f->console >= 0 ? f->console : f->real_stderr) + 1;
}

/* ---- words ---- */

void ct_w(struct ct_build *b, const char *word)
{
	if (ctu_strv_push(&b->out->argv, word, strlen(word)) < 0)
		b->nomem = true;
}

void ct_wf(struct ct_build *b, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->nomem = true;
		return;
	}
	ct_w(b, s);
	free(s);
}

void ct_wopt(struct ct_build *b, const char *opt, const char *value)
{
	ct_w(b, opt);
	ct_w(b, value);
}

void ct_wopt_u(struct ct_build *b, const char *opt, unsigned long long value)
{
	ct_w(b, opt);
	ct_wf(b, "%llu", value);
}

int ct_w_tool(struct ct_build *b, const char *tool)
{
	char path[4096];
	int r;

	if (b->out->n_tools == CTU_ARRAY_SIZE(b->out->tool))
		return ctu_err_make(b->err, E2BIG, "the chain has too many tools");
	r = ct_tool_path(b->in->g, tool, path, sizeof(path));
	if (r < 0)
		return ctu_err_make(b->err, -r, "cannot find %s beside ctrun", tool);
	b->out->tool[b->out->n_tools++] = b->out->argv.n;
	ct_w(b, path);
	return 0;
}

int ct_fail(struct ct_build *b, const char *pointer, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return ctu_err_make(b->err, 0, "config.json: %s: %s", pointer, why);
}

bool ct_has_ns(const struct ct_build *b, enum ct_ns t)
{
	return b->ns_new[t] || b->ns_path[t];
}

/* ---- JSON ---- */

json_t *ct_j(json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_null(v) ? NULL : v;
}

const char *ct_js(json_t *obj, const char *key)
{
	return json_string_value(ct_j(obj, key));
}

bool ct_jb(json_t *obj, const char *key)
{
	return json_is_true(ct_j(obj, key));
}

bool ct_ji(json_t *obj, const char *key, int64_t *out)
{
	json_t *v = ct_j(obj, key);

	if (json_is_integer(v))
		*out = (int64_t)json_integer_value(v);
	else if (json_is_real(v))
		*out = json_real_value(v) >= 9.2e18 ? INT64_MAX : (int64_t)json_real_value(v);
	else
		return false;
	return true;
}

bool ct_ju(json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = ct_j(obj, key);

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		*out = (uint64_t)json_integer_value(v);
	else if (json_is_real(v) && json_real_value(v) >= 0)
		*out = json_real_value(v) >= 1.8e19 ? UINT64_MAX : (uint64_t)json_real_value(v);
	else
		return false;
	return true;
}

/* ---- the container's namespaces and root ---- */

static const char *const ns_names[CT_N_NS] = {
	[CT_NS_USER] = "user",	   [CT_NS_MNT] = "mount",   [CT_NS_UTS] = "uts",
	[CT_NS_IPC] = "ipc",	   [CT_NS_NET] = "network", [CT_NS_PID] = "pid",
	[CT_NS_CGROUP] = "cgroup", [CT_NS_TIME] = "time",
};

static int read_namespaces(struct ct_build *b)
{
	json_t *list = ct_j(ct_j(b->in->cfg, "linux"), "namespaces");
	size_t i;
	json_t *ns;

	json_array_foreach (list, i, ns) {
		const char *type = ct_js(ns, "type"), *path = ct_js(ns, "path");
		size_t t = 0;

		while (t < CT_N_NS && (!type || strcmp(type, ns_names[t]) != 0))
			t++;
		if (t == CT_N_NS)
			return ct_fail(b, "/linux/namespaces", "unknown namespace type '%s'",
				       type ? type : "");
		if (path && *path)
			b->ns_path[t] = path;
		else
			b->ns_new[t] = true;
	}
	return 0;
}

static int read_root(struct ct_build *b)
{
	const char *path = ct_js(ct_j(b->in->cfg, "root"), "path");
	int n;

	if (!path)
		return ct_fail(b, "/root/path", "missing");
	n = path[0] == '/' ? snprintf(b->rootfs, sizeof(b->rootfs), "%s", path)
			   : snprintf(b->rootfs, sizeof(b->rootfs), "%s/%s", b->in->bundle, path);
	if (n < 0 || (size_t)n >= sizeof(b->rootfs))
		return ct_fail(b, "/root/path", "too long");
	return 0;
}

/* M: the user fds and ctrun's own, which every tool passes on (0 in bare chains). */
static unsigned int passed_fds(const struct ct_chain_in *in)
{
	const int own[] = { in->fds.info, in->fds.sync, in->fds.fifo, in->fds.real_stderr,
			    in->fds.console, in->fds.seccomp };
	unsigned int m = in->fds.n_user;

	for (size_t i = 0; !in->bare && i < CTU_ARRAY_SIZE(own); i++)
		if (own[i] >= 3 && (unsigned int)own[i] - 2 > m)
			m = (unsigned int)own[i] - 2;
	return m;
}

/* ---- the chain ---- */

static bool joins_any(const struct ct_build *b)
{
	for (size_t t = 0; t < CT_N_NS; t++)
		if (b->ns_path[t])
			return true;
	return false;
}

static int build_create(struct ct_build *b)
{
	int r = read_namespaces(b);

	if (r < 0 || (r = read_root(b)) < 0)
		return r;
	if (b->in->cgroup && (r = ct_cgctl_words(b)) < 0)
		return r;
	if (joins_any(b) && (r = ct_nsenter_words(b)) < 0)
		return r;
	r = ct_unshare_words(b);
	return r < 0 ? r : ct_pivot_words(b);
}

int ct_chain_build_with(const struct ct_chain_in *in, const struct ctu_cg_hiers *hs,
			struct ct_chain *out, ctu_err_t *err)
{
	struct ct_build b = { .in = in, .hs = hs, .out = out, .err = err };
	int r;

	memset(out, 0, sizeof(*out));
	b.m = passed_fds(in);
	if (in->kind == CT_CHAIN_EXEC)
		r = ct_exec_head_words(&b);
	else
		r = build_create(&b);
	if (r >= 0 && b.nomem)
		r = ctu_err_make(err, ENOMEM, "cannot build the chain");
	if (r < 0)
		ct_chain_free(out);
	return r;
}

int ct_chain_build(const struct ct_chain_in *in, struct ct_chain *out, ctu_err_t *err)
{
	struct ctu_cg_hiers hs = { 0 };

	if (in->kind == CT_CHAIN_CREATE && ctu_cg_detect(&hs, NULL, false, NULL, err) < 0) {
		memset(out, 0, sizeof(*out));
		return ctu_err_wrap(err, "chain");
	}
	return ct_chain_build_with(in, &hs, out, err);
}

void ct_chain_free(struct ct_chain *c)
{
	ctu_strv_free(&c->argv);
	c->n_tools = 0;
}

/* ---- printing ---- */

/* Characters that need no quoting anywhere in a word (POSIX sh). */
static bool shell_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_@%+=:,./-", c);
}

char *ct_shell_quote(const char *s)
{
	size_t n = 0, quotes = 0;
	bool safe = *s != '\0';
	char *q, *p;

	for (const char *c = s; *c; c++, n++) {
		safe = safe && shell_safe((unsigned char)*c);
		quotes += *c == '\'';
	}
	if (safe)
		return strdup(s);
	/* '...' with each ' as '\'' (close, an escaped quote, reopen) */
	q = malloc(n + quotes * 3 + 3);
	if (!q)
		return NULL;
	p = q;
	*p++ = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = *c;
		}
	}
	*p++ = '\'';
	*p = '\0';
	return q;
}

int ct_chain_print(const struct ct_chain *c, FILE *f)
{
	for (size_t t = 0; t < c->n_tools; t++) {
		size_t end = t + 1 < c->n_tools ? c->tool[t + 1] : c->argv.n;

		for (size_t i = c->tool[t]; i < end; i++) {
			char *q = ct_shell_quote(c->argv.v[i]);

			if (!q)
				return -ENOMEM;
			fprintf(f, "%s%s", i == c->tool[t] ? "" : " ", q);
			free(q);
		}
		fputs(t + 1 < c->n_tools ? " \\\n" : "\n", f);
	}
	return fflush(f) == 0 && !ferror(f) ? 0 : -errno;
}
