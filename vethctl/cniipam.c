// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cniipam.c - the IPAM step of a plugin request (see cni.h): ipam.type run
 * from CNI_PATH as the reference plugins delegate to it (libcni's
 * invoke.Delegate*: our environment, the whole stdin, CNI_COMMAND the step's
 * own), or the built-in host-local of hostlocal.c.
 *
 * Two things the reference does not need: Debian's host-local (1.1.1)
 * speaks up to 1.0.0 and answers 1 to a 1.1.0 network, so such an answer is
 * tried again once with the stdin's cniVersion at 1.0.0 (the IPAM result is
 * the same); and GC and STATUS, new in 1.1.0, go only to delegates whose
 * VERSION lists 1.1.0 (for the others there is nothing to do), but GC of
 * host-local is always the built-in one, which knows its disk format.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "ctu.h"
#include "hostlocal.h"

#define RETRY_VERSION "1.0.0"

static const char *cmd_name(enum cni_cmd cmd)
{
	switch (cmd) {
	case CNI_ADD:
		return "ADD";
	case CNI_DEL:
		return "DEL";
	case CNI_CHECK:
		return "CHECK";
	case CNI_VERSION:
		return "VERSION";
	case CNI_STATUS:
		return "STATUS";
	case CNI_GC:
		return "GC";
	}
	return "?";
}

/* What the delegate is run with: its file, and the stdin it gets (ours, or rewritten). */
struct delegate {
	const char *type, *file;
	const char *stdin_buf;
	size_t stdin_len;
	char *rewritten; /* the stdin at RETRY_VERSION, once made */
};

static int run(struct cni_req *r, const struct delegate *d, enum cni_cmd cmd, json_t **out,
	       ctu_err_t *err)
{
	const struct cni_exec x = {
		.type = d->type,
		.file = d->file,
		.command = cmd_name(cmd),
		.containerid = r->containerid,
		.netns = r->netns,
		.ifname = r->ifname,
		.args = r->args_text,
		.path = r->path,
		.stdin_buf = d->stdin_buf,
		.stdin_len = d->stdin_len,
	};

	*out = NULL;
	return cni_exec(&x, out, err);
}

/* The request's config with "cniVersion" at RETRY_VERSION, as the delegate's stdin from now on. */
static int rewrite_version(struct cni_req *r, struct delegate *d, ctu_err_t *err)
{
	_cleanup_json_ json_t *copy = json_deep_copy(r->conf);

	if (!copy || json_object_set_new(copy, "cniVersion", json_string(RETRY_VERSION)) < 0 ||
	    !(d->rewritten = json_dumps(copy, JSON_COMPACT)))
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	d->stdin_buf = d->rewritten;
	d->stdin_len = strlen(d->rewritten);
	return 0;
}

/* run(), and once more at RETRY_VERSION when a 1.1.0 request got "incompatible version". */
static int run_retrying(struct cni_req *r, struct delegate *d, enum cni_cmd cmd, json_t **out,
			ctu_err_t *err)
{
	int ret = run(r, d, cmd, out, err);

	if (ret >= 0 || !*err || (*err)->code != CNI_ERR_VERSION || d->rewritten || !r->version ||
	    strcmp(r->version, CNI_VERSION_LATEST) != 0)
		return ret;
	ctu_debug("IPAM %s answered %s at %s: again at %s", d->type, cmd_name(cmd), r->version,
		  RETRY_VERSION);
	ctu_err_free(err);
	if (rewrite_version(r, d, err) < 0)
		return ctu_err_code(*err);
	return run(r, d, cmd, out, err);
}

/* The delegate's VERSION lists 1.1.0 (libcni's GetVersionInfo asks with {"cniVersion":...}). */
static int speaks_latest(struct cni_req *r, const struct delegate *d, ctu_err_t *err)
{
	static const char ask[] = "{\"cniVersion\":\"" CNI_VERSION_LATEST "\"}";
	const struct cni_exec x = {
		.type = d->type,
		.file = d->file,
		.command = "VERSION",
		.path = r->path,
		.stdin_buf = ask,
		.stdin_len = sizeof(ask) - 1,
	};
	_cleanup_json_ json_t *out = NULL;
	json_t *list;

	if (cni_exec(&x, &out, err) < 0)
		return ctu_err_code(*err);
	list = json_object_get(out, "supportedVersions");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *v = json_array_get(list, i);

		if (json_is_string(v) && strcmp(json_string_value(v), CNI_VERSION_LATEST) == 0)
			return 1;
	}
	return 0;
}

/* invoke.FindInPath's failure: `failed to find plugin "T" in path [A B]`. */
static int not_found(const char *type, const char *path, ctu_err_t *err)
{
	_cleanup_free_ char *list = path ? strdup(path) : NULL;

	if (!path || !*path)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "no paths provided");
	if (!list)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	for (char *p = list; *p; p++)
		if (*p == ':')
			*p = ' ';
	return cni_err(err, CNI_ERR_INTERNAL, NULL, "failed to find plugin \"%s\" in path [%s]",
		       type, list);
}

/* ADD through the delegate; a failure (or a result we cannot read) undone by its DEL. */
static int delegate_add(struct cni_req *r, struct delegate *d, json_t **result, ctu_err_t *err)
{
	_cleanup_json_ json_t *out = NULL;
	json_t *res = NULL;
	int ret = run_retrying(r, d, CNI_ADD, &out, err);

	if (ret >= 0 && !out)
		ret =
		    cni_err(err, CNI_ERR_DECODE, NULL, "IPAM plugin %s printed no result", d->type);
	if (ret >= 0 && !(res = cni_result_from(out, err)))
		ret = ctu_err_code(*err);
	if (ret < 0) {
		_cleanup_err_ ctu_err_t ignored = NULL;
		_cleanup_json_ json_t *none = NULL;

		run(r, d, CNI_DEL, &none, &ignored);
		return ret;
	}
	*result = res;
	return 0;
}

/* The ipam object's "type" (keys matched as Go's decoder does); NULL: no IPAM. */
static int ipam_type(json_t *conf, const char **out, ctu_err_t *err)
{
	json_t *type = hl_json_member(hl_json_member(conf, "ipam"), "type");

	*out = NULL;
	if (type && !json_is_null(type) && !json_is_string(type))
		return cni_err(err, CNI_ERR_DECODE, NULL, ".ipam.type: not a string");
	*out = json_is_string(type) && json_string_length(type) ? json_string_value(type) : NULL;
	return 0;
}

int ipam_run(struct cni_req *r, enum cni_cmd cmd, json_t **result, ctu_err_t *err)
{
	struct delegate d = { .stdin_buf = r->stdin_buf, .stdin_len = r->stdin_len };
	_cleanup_free_ char *file = NULL;
	_cleanup_json_ json_t *out = NULL;
	int ret;

	*result = NULL;
	if (ipam_type(r->conf, &d.type, err) < 0)
		return ctu_err_code(*err);
	if (!d.type || cmd == CNI_VERSION)
		return 0;
	if (strchr(d.type, '/'))
		return cni_err(err, CNI_ERR_CONFIG, NULL, "invalid plugin name: %s", d.type);
	/* ctutils-host-local is this allocator whatever CNI_PATH holds */
	if (strcmp(d.type, "ctutils-host-local") == 0)
		return hostlocal_run(r, cmd, result, err);
	if (strcmp(d.type, "host-local") == 0 &&
	    (cmd == CNI_GC || !(file = cni_find_plugin(r->path, d.type))))
		return hostlocal_run(r, cmd, result, err);
	if (!file && !(file = cni_find_plugin(r->path, d.type)))
		return not_found(d.type, r->path, err);
	/* Debian's host-local, on our disk format: its config errors get our codes */
	if (strcmp(d.type, "host-local") == 0 && cmd != CNI_STATUS &&
	    hostlocal_check_delegated(r, err) < 0)
		return ctu_err_code(*err);
	d.file = file;
	switch (cmd) {
	case CNI_ADD:
		ret = delegate_add(r, &d, result, err);
		break;
	case CNI_DEL:
	case CNI_CHECK:
		ret = run_retrying(r, &d, cmd, &out, err);
		break;
	case CNI_GC:
	case CNI_STATUS:
		ret = speaks_latest(r, &d, err);
		if (ret > 0)
			ret = run(r, &d, cmd, &out, err);
		break;
	case CNI_VERSION:
	default:
		ret = 0;
		break;
	}
	free(d.rewritten);
	return ret < 0 ? ret : 0;
}
