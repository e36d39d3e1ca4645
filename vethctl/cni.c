// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cni.c - vethctl as a CNI plugin: the protocol around the operations.
 *
 * What libcni's skel does for a Go plugin is done here, in its order and
 * words: the environment checked (CNI_COMMAND, then the variables the
 * command needs), stdin read and its config checked (name), the version
 * reconciled, CNI_ARGS read, CNI_NETNS opened, then the bridge plugin's
 * operation (cnibridge.c) or the built-in host-local's (hostlocal.c, when
 * started as ctutils-host-local).  Stdout carries the result or the error
 * object and nothing else: a runtime parses it.  The version, CNI_ARGS and
 * owner functions are pure, for the unit tests and the fuzzer.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cni.h"
#include "cnigo.h"
#include "ctu.h"
#include "nat.h"

#define HOSTLOCAL_NAME "ctutils-host-local"
#define BRIDGE_NAME "ctutils-bridge"

int cni_err(ctu_err_t *err, int code, const char *details, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	ctu_err_make(err, 0, "%s", msg ? msg : "out of memory");
	free(msg);
	if (details)
		ctu_err_hint(err, "%s", details);
	return ctu_err_set_code(err, code);
}

int cni_internal(ctu_err_t *err)
{
	if (*err && !(*err)->code)
		ctu_err_set_code(err, CNI_ERR_INTERNAL);
	return ctu_err_code(*err);
}

/* ---- versions ----------------------------------------------------------------- */

const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", CNI_VERSION_LATEST, NULL };

/*
 * libcni's version.ParseVersion: "" is 0.1.0, one to three parts.  0, or
 * -1 with Go's words in *@why (newly allocated; NULL when out of memory).
 */
static int version_parse(const char *v, long long out[3], char **why)
{
	static const char *const part[] = { "major", "minor", "micro" };
	const char *p = v;
	int i = 0;

	out[0] = out[2] = 0;
	out[1] = *v ? 0 : 1;
	if (!*v)
		return 0;
	for (const char *d = v; (d = strchr(d, '.')); d++)
		if (++i >= 3) {
			_cleanup_free_ char *q = go_quote(v);

			if (asprintf(why, "invalid version %s: too many parts", q ? q : v) < 0)
				*why = NULL;
			return -1;
		}
	for (i = 0; i < 3 && p; i++) {
		const char *dot = strchr(p, '.'), *reason;
		_cleanup_free_ char *s = strndup(p, dot ? (size_t)(dot - p) : strlen(p));
		_cleanup_free_ char *q = s ? go_quote(s) : NULL;

		if (!q) {
			*why = NULL;
			return -1;
		}
		if (go_atoi(s, &out[i], &reason) < 0) {
			if (asprintf(why, "failed to convert %s version part %s: strconv.Atoi: parsing %s: %s",
				     part[i], q, q, reason) < 0)
				*why = NULL;
			return -1;
		}
		p = dot ? dot + 1 : NULL;
	}
	return 0;
}

static int triple_cmp(const long long a[3], const long long b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

int cni_version_cmp(const char *a, const char *b)
{
	long long va[3], vb[3];
	char *why = NULL;
	bool oka = version_parse(a, va, &why) == 0, okb;

	free(why);
	why = NULL;
	okb = version_parse(b, vb, &why) == 0;
	free(why);
	if (oka != okb)
		return oka ? 1 : -1;
	if (!oka)
		return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
	return triple_cmp(va, vb);
}

bool cni_version_known(const char *v)
{
	for (size_t i = 0; cni_versions[i]; i++)
		if (strcmp(v, cni_versions[i]) == 0)
			return true;
	return false;
}

/* Go's %q of the versions we speak: ["0.3.0" "0.3.1" ...]. */
static void versions_quoted(FILE *f)
{
	fputc('[', f);
	for (size_t i = 0; cni_versions[i]; i++)
		fprintf(f, "%s\"%s\"", i ? " " : "", cni_versions[i]);
	fputc(']', f);
}

/* ---- CNI_ARGS --------------------------------------------------------------------- */

/* Go's types.UnmarshallableBool: 1, true, 0, false in any case. */
static int args_bool(const char *pair, char *value, bool *out, ctu_err_t *err)
{
	_cleanup_free_ char *q = NULL;

	for (char *p = value; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0 || strcmp(value, "0") == 0 ||
	    strcmp(value, "false") == 0) {
		*out = value[0] == '1' || value[0] == 't';
		return 0;
	}
	q = go_quote(pair);
	return cni_err(err, CNI_ERR_ENV, NULL,
		       "CNI_ARGS: error parsing value of pair %s: boolean unmarshal error: invalid input %s",
		       q ? q : pair, value);
}

/*
 * One "K=V" of CNI_ARGS, split in place.  A key we do not read goes to
 * @unknown in Go's %q, for the error at the end (libcni's types.LoadArgs).
 */
static int args_pair(char *pair, struct cni_args *out, FILE *unknown, size_t *nunknown,
		     ctu_err_t *err)
{
	char *eq = strchr(pair, '=');
	_cleanup_free_ char *whole = strdup(pair);
	_cleanup_free_ char *q = whole ? go_quote(whole) : NULL;

	if (!q)
		return ctu_err_make(err, ENOMEM, "CNI_ARGS");
	if (!eq || strchr(eq + 1, '='))
		return cni_err(err, CNI_ERR_ENV, NULL, "CNI_ARGS: invalid pair %s", q);
	*eq = '\0';
	if (strcmp(pair, "MAC") == 0)
		out->mac = eq[1] ? eq + 1 : NULL;
	else if (strcmp(pair, "IP") == 0)
		out->ip = eq[1] ? eq + 1 : NULL;
	else if (strcmp(pair, "IgnoreUnknown") == 0)
		return args_bool(whole, eq + 1, &out->ignore_unknown, err);
	else if (strncmp(pair, "K8S_", 4) != 0)
		fprintf(unknown, "%s%s", (*nunknown)++ ? " " : "", q);
	return 0;
}

int cni_args_parse(const char *s, struct cni_args *out, ctu_err_t *err)
{
	char *list = NULL, *pair, *rest;
	size_t len = 0, nunknown = 0;
	FILE *unknown;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return 0;
	out->buf = strdup(s);
	unknown = out->buf ? open_memstream(&list, &len) : NULL;
	if (!unknown) {
		cni_args_free(out);
		return ctu_err_make(err, ENOMEM, "CNI_ARGS");
	}
	rest = out->buf;
	while (r == 0 && (pair = strsep(&rest, ";")))
		r = args_pair(pair, out, unknown, &nunknown, err);
	if (fclose(unknown) != 0 && r == 0)
		r = ctu_err_make(err, ENOMEM, "CNI_ARGS");
	if (r == 0 && nunknown && !out->ignore_unknown)
		r = cni_err(err, CNI_ERR_ENV, NULL, "CNI_ARGS: unknown args [%s]", list);
	free(list);
	if (r < 0)
		cni_args_free(out);
	return r;
}

void cni_args_free(struct cni_args *a)
{
	free(a->buf);
	memset(a, 0, sizeof(*a));
}

/* ---- owners ----------------------------------------------------------------------- */

void cni_owner_key(const char *net, const char *cid, const char *ifname, char *out, size_t size)
{
	uint64_t h = fnv1a64(net, strlen(net) + 1, FNV64_INIT);

	h = fnv1a64(cid, strlen(cid) + 1, h);
	h = fnv1a64(ifname, strlen(ifname), h);
	snprintf(out, size, "cni:%016llx:", (unsigned long long)h);
}

/* At most @max bytes of @s into @out, each outside an owner's charset (and ':') as '_'. */
static void owner_part(const char *s, size_t max, char *out)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  (c && strchr("_.@/+-", c));

		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

void cni_owner(const char *net, const char *cid, const char *ifname, char *out, size_t size)
{
	char key[32], netp[OWNER_MAX + 1], cidp[13], ifp[16];
	size_t limit = size - 1 < OWNER_MAX ? size - 1 : OWNER_MAX, fixed;

	if (size == 0)
		return;
	cni_owner_key(net, cid, ifname, key, sizeof(key));
	owner_part(net, OWNER_MAX, netp);
	owner_part(cid, 12, cidp);
	owner_part(ifname, 15, ifp);
	/* the display parts after the key may be cut, the network name first: only the key is compared */
	fixed = strlen(key) + 1 + strlen(cidp) + 1 + strlen(ifp);
	if (fixed < limit && strlen(netp) > limit - fixed)
		netp[limit - fixed] = '\0';
	else if (fixed >= limit)
		netp[0] = '\0';
	snprintf(out, size, "%s%s:%s:%s", key, netp, cidp, ifp);
	if (strlen(out) > limit)
		out[limit] = '\0';
}

/* ---- the plugin: environment, stdin, config ------------------------------------ */

static const char *plugin_name(char **argv)
{
	const char *slash;

	if (!argv || !argv[0])
		return "vethctl";
	slash = strrchr(argv[0], '/');
	return slash ? slash + 1 : argv[0];
}

static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

bool cni_plugin_mode(int argc, char **argv)
{
	const char *name = plugin_name(argv);

	return (env_set("CNI_COMMAND") && argc == 1) || strcmp(name, BRIDGE_NAME) == 0 ||
	       strcmp(name, HOSTLOCAL_NAME) == 0;
}

static const struct {
	const char *name;
	enum cni_cmd cmd;
} commands[] = {
	{ "ADD", CNI_ADD },	    { "DEL", CNI_DEL }, { "CHECK", CNI_CHECK },
	{ "VERSION", CNI_VERSION }, { "GC", CNI_GC },	{ "STATUS", CNI_STATUS },
};

/* The command of CNI_COMMAND, or -1 for another word. */
static int command_of(const char *s)
{
	for (size_t i = 0; s && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(s, commands[i].name) == 0)
			return (int)commands[i].cmd;
	return -1;
}

/* libcni's cniValidNameChars: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ (container IDs, network names) */
static bool name_valid(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      (p > s && strchr("_.-", *p))))
			return false;
	return *s;
}

static int check_containerid(const char *id, ctu_err_t *err)
{
	if (!name_valid(id))
		return cni_err(err, CNI_ERR_ENV, id, "invalid characters in containerID");
	return 0;
}

/* libcni's utils.ValidateInterfaceName, in its words. */
static int check_ifname(const char *name, ctu_err_t *err)
{
	const unsigned char *p = (const unsigned char *)name;

	if (strlen(name) >= IFNAMSIZ)
		return cni_err(err, CNI_ERR_ENV, "interface name should be less than 16 characters",
			       "interface name is too long");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return cni_err(err, CNI_ERR_ENV, NULL, "interface name is . or ..");
	while (*p) {
		uint32_t c = 0;
		int n = utf8_decode(p, &c);

		if (n && (c == '/' || c == ':' || go_space(c)))
			return cni_err(err, CNI_ERR_ENV, NULL,
				       "interface name contains / or : or whitespace characters");
		p += n ? n : 1;
	}
	return 0;
}

enum { NEED_ADD = 1 << CNI_ADD, NEED_DEL = 1 << CNI_DEL, NEED_CHECK = 1 << CNI_CHECK,
       NEED_GC = 1 << CNI_GC, NEED_STATUS = 1 << CNI_STATUS };

/*
 * The variables as skel reads them, in its order: each one a command needs
 * and lacks is listed, and one it needs is checked when set.
 */
static int read_env(struct cni_req *r, int cmd, ctu_err_t *err)
{
	const struct {
		const char *name;
		const char **val;
		unsigned need;
		int (*check)(const char *, ctu_err_t *);
	} vars[] = {
		{ "CNI_COMMAND", &r->command, ~0U, NULL },
		{ "CNI_CONTAINERID", &r->containerid, NEED_ADD | NEED_CHECK | NEED_DEL, check_containerid },
		{ "CNI_NETNS", &r->netns, NEED_ADD | NEED_CHECK, NULL },
		{ "CNI_IFNAME", &r->ifname, NEED_ADD | NEED_CHECK | NEED_DEL, check_ifname },
		{ "CNI_ARGS", &r->args_text, 0, NULL },
		{ "CNI_PATH", &r->path, NEED_ADD | NEED_CHECK | NEED_DEL | NEED_GC | NEED_STATUS, NULL },
	};
	unsigned bit = cmd >= 0 ? 1U << cmd : 0;
	char *missing = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&missing, &len);
	int rc = 0;

	if (!f)
		return ctu_err_make(err, ENOMEM, "environment");
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]) && rc == 0; i++) {
		const char *v = getenv(vars[i].name);

		*vars[i].val = v && *v ? v : NULL;
		if (!*vars[i].val && (vars[i].need & bit || i == 0))
			fprintf(f, "%s%s", n++ ? "," : "", vars[i].name);
		else if (*vars[i].val && (vars[i].need & bit) && vars[i].check)
			rc = vars[i].check(v, err);
	}
	if (fclose(f) != 0 && rc == 0)
		rc = ctu_err_make(err, ENOMEM, "environment");
	if (rc == 0 && n)
		rc = cni_err(err, CNI_ERR_ENV, NULL, "required env variables [%s] missing", missing);
	free(missing);
	return rc;
}

/* stdin, whole, and the checks skel's validateConfig makes of it: a JSON object with a name. */
static int read_config(struct cni_req *r, ctu_err_t *err)
{
	if (ctu_json_read_fd(STDIN_FILENO, CNI_STDIN_MAX, "stdin", &r->stdin_buf, &r->stdin_len,
			     err) < 0)
		return ctu_err_set_code(err, CNI_ERR_IO);
	r->conf = ctu_json_parse(r->stdin_buf, r->stdin_len, "error unmarshall network config", err);
	if (!r->conf)
		return ctu_err_set_code(err, CNI_ERR_DECODE);
	if (!json_is_object(r->conf))
		return cni_err(err, CNI_ERR_DECODE, NULL,
			       "error unmarshall network config: not a JSON object");
	if (ctu_json_get_string(r->conf, "", "name", false, &r->name, err) < 0) {
		ctu_err_wrap(err, "error unmarshall network config");
		return ctu_err_set_code(err, CNI_ERR_DECODE);
	}
	if (!r->name || !*r->name)
		return cni_err(err, CNI_ERR_CONFIG, NULL, "missing network name");
	if (!name_valid(r->name))
		return cni_err(err, CNI_ERR_CONFIG, r->name, "invalid characters found in network name");
	if (ctu_json_get_string(r->conf, "", "cniVersion", false, &r->version, err) < 0) {
		ctu_err_wrap(err, "decoding version from network config");
		return ctu_err_set_code(err, CNI_ERR_DECODE);
	}
	if (!r->version || !*r->version)
		r->version = "0.1.0"; /* libcni: no version declared is 0.1.0 */
	return 0;
}

/* "incompatible CNI versions", details as libcni's version.ErrorIncompatible says them. */
static int incompatible(const char *version, ctu_err_t *err)
{
	_cleanup_free_ char *q = go_quote(version);
	char *details = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&details, &len);
	int r;

	if (!f || !q) {
		if (f)
			fclose(f);
		free(details);
		return ctu_err_make(err, ENOMEM, "incompatible CNI versions");
	}
	fprintf(f, "config is %s, plugin supports ", q);
	versions_quoted(f);
	r = fclose(f) != 0 ? ctu_err_make(err, ENOMEM, "incompatible CNI versions")
			   : cni_err(err, CNI_ERR_VERSION, details, "incompatible CNI versions");
	free(details);
	return r;
}

/*
 * skel's version checks: CHECK from 0.4.0, GC and STATUS from 1.1.0 (a
 * malformed version is 6 there, in Go's words), then the version itself.
 */
static int check_version(const struct cni_req *r, ctu_err_t *err)
{
	const char *min = r->cmd == CNI_CHECK ? "0.4.0"
			  : r->cmd == CNI_GC || r->cmd == CNI_STATUS ? "1.1.0" : NULL;
	long long v[3], m[3];
	char *why = NULL;

	if (min) {
		if (version_parse(r->version, v, &why) < 0) {
			int rc = cni_err(err, CNI_ERR_DECODE, NULL, "%s", why ? why : "out of memory");

			free(why);
			return rc;
		}
		version_parse(min, m, &why);
		if (triple_cmp(v, m) < 0)
			return cni_err(err, CNI_ERR_VERSION, NULL, "config version does not allow %s",
				       r->command);
		if (cni_version_cmp(CNI_VERSION_LATEST, r->version) < 0)
			return cni_err(err, CNI_ERR_VERSION, NULL, "plugin version does not allow %s",
				       r->command);
	}
	if (!cni_version_known(r->version))
		return incompatible(r->version, err);
	return 0;
}

/* ---- the plugin: CNI_NETNS -------------------------------------------------------- */

static bool same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static bool netns_override(void)
{
	const char *v = getenv("CNI_NETNS_OVERRIDE");

	return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0);
}

/* Why CNI_NETNS is refused, in the words of the reference's ns.GetNS (or ours for the last). */
enum netns_fault {
	NETNS_UNREADABLE, /* "failed to Statfs": open or fstatfs failed */
	NETNS_NOT_NSFS,	  /* "unknown FS magic" */
	NETNS_NOT_NET,	  /* a namespace file, but not of a network namespace */
};

/* "failed to open netns "X": ...", as the bridge plugin wraps ns.GetNS's error; code 8. */
static int netns_err(const char *path, int errnum, enum netns_fault fault, unsigned long magic,
		     ctu_err_t *err)
{
	_cleanup_free_ char *q = go_quote(path);

	if (!q)
		return ctu_err_make(err, ENOMEM, "CNI_NETNS");
	switch (fault) {
	case NETNS_UNREADABLE:
		ctu_err_make(err, errnum, "failed to open netns %s: failed to Statfs %s", q, q);
		break;
	case NETNS_NOT_NSFS:
		ctu_err_make(err, 0, "failed to open netns %s: unknown FS magic on %s: %lx", q, q, magic);
		break;
	case NETNS_NOT_NET:
		ctu_err_make(err, 0, "failed to open netns %s: %s is not a network namespace", q, q);
		break;
	}
	return ctu_err_set_code(err, CNI_ERR_NETNS);
}

/* skel's words for CNI_NETNS naming our own namespace; the path is the details */
static int own_netns(const char *path, ctu_err_t *err)
{
	return cni_err(err, CNI_ERR_NETNS, path,
		       "plugin's netns and netns from CNI_NETNS should not be the same");
}

/*
 * CNI_NETNS of the bridge plugin: opened, on nsfs or procfs (ns.GetNS),
 * a network namespace, and not ours (skel) unless CNI_NETNS_OVERRIDE.  DEL
 * takes a namespace unset or gone: then there is no link to remove.
 */
static int open_netns(struct cni_req *r, ctu_err_t *err)
{
	struct statfs sfs;
	int fd, type;

	if (!r->netns)
		return 0;
	fd = open(r->netns, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT && r->cmd == CNI_DEL)
		return 0;
	if (fd < 0)
		return netns_err(r->netns, errno, NETNS_UNREADABLE, 0, err);
	r->nsfd = fd;
	if (fstatfs(fd, &sfs) < 0)
		return netns_err(r->netns, errno, NETNS_UNREADABLE, 0, err);
	if (sfs.f_type != NSFS_MAGIC && sfs.f_type != PROC_SUPER_MAGIC)
		return netns_err(r->netns, 0, NETNS_NOT_NSFS, (unsigned long)sfs.f_type, err);
	/* an nsfs file of another type, or a procfs file that is no namespace (/proc/1) */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 ? type != CLONE_NEWNET : sfs.f_type == PROC_SUPER_MAGIC)
		return netns_err(r->netns, 0, NETNS_NOT_NET, 0, err);
	if (!netns_override() && same_file(fd, "/proc/self/ns/net"))
		return own_netns(r->netns, err);
	return 0;
}

/*
 * CNI_NETNS of the IPAM plugin, which never enters it: only skel's check
 * that it is not ours, where it opens (Debian's host-local takes /dev/null).
 */
static int check_ipam_netns(const struct cni_req *r, ctu_err_t *err)
{
	_cleanup_close_ int fd = -1;

	if (!r->netns || (r->cmd != CNI_ADD && r->cmd != CNI_DEL) || netns_override())
		return 0;
	fd = open(r->netns, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0 && same_file(fd, "/proc/self/ns/net"))
		return own_netns(r->netns, err);
	return 0;
}

/* ---- the plugin: GC's attachments -------------------------------------------------- */

/* The attachments to keep: cni.dev/valid-attachments, and the spec text's cni.dev/attachments. */
static int read_attachments(struct cni_req *r, ctu_err_t *err)
{
	static const char *const keys[] = { "cni.dev/valid-attachments", "cni.dev/attachments" };
	json_t *arr[2] = { NULL, NULL };
	char path[96];
	size_t total = 0;

	for (size_t k = 0; k < 2; k++) {
		if (ctu_json_get_array(r->conf, "", keys[k], false, &arr[k], err) < 0)
			return ctu_err_set_code(err, CNI_ERR_DECODE);
		total += json_array_size(arr[k]);
	}
	r->valid = calloc(total ? total : 1, sizeof(*r->valid));
	if (!r->valid)
		return ctu_err_make(err, ENOMEM, "cni.dev/valid-attachments");
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < json_array_size(arr[k]); i++) {
			json_t *a = json_array_get(arr[k], i);
			struct cni_attachment *at = &r->valid[r->nvalid++];

			snprintf(path, sizeof(path), ".%s[%zu]", keys[k], i);
			at->containerid = at->ifname = "";
			if (!json_is_object(a))
				return cni_err(err, CNI_ERR_DECODE, NULL, "%s: not an object", path);
			if (ctu_json_get_string(a, path, "containerID", false, &at->containerid, err) < 0 ||
			    ctu_json_get_string(a, path, "ifname", false, &at->ifname, err) < 0)
				return ctu_err_set_code(err, CNI_ERR_DECODE);
		}
	return 0;
}

/* ---- the plugin: running and answering ------------------------------------------ */

static void emit_json(const json_t *v, bool indent)
{
	_cleanup_free_ char *text = v ? cni_json_text(v, indent) : NULL;

	if (text)
		fputs(text, stdout);
	if (!indent)
		fputc('\n', stdout); /* json.Encoder ends its line */
}

/* VERSION: the input's cniVersion (or the newest), what we speak; the rest of stdin ignored. */
static void answer_version(void)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_json_ json_t *in = NULL, *out = json_object(), *list = json_array();
	_cleanup_err_ ctu_err_t ignored = NULL;
	const char *v = NULL;
	size_t len = 0;

	/* a runtime always gives one; a terminal is someone asking by hand */
	if (!isatty(STDIN_FILENO) &&
	    ctu_json_read_fd(STDIN_FILENO, CNI_STDIN_MAX, "stdin", &buf, &len, &ignored) == 0)
		in = ctu_json_parse(buf, len, "stdin", &ignored);
	v = json_string_value(json_object_get(in, "cniVersion"));
	for (size_t i = 0; list && cni_versions[i]; i++)
		json_array_append_new(list, json_string(cni_versions[i]));
	if (!out || !list)
		return;
	json_object_set_new(out, "cniVersion", json_string(v && *v ? v : CNI_VERSION_LATEST));
	json_object_set(out, "supportedVersions", list);
	emit_json(out, false);
}

/* The operation, by the plugin's name; ADD leaves its result in *@result. */
static int dispatch(struct cni_req *r, bool hostlocal, json_t **result, ctu_err_t *err)
{
	if (hostlocal)
		return hostlocal_run(r, r->cmd, result, err);
	switch (r->cmd) {
	case CNI_ADD:
		return bridge_add(r, result, err);
	case CNI_DEL:
		return bridge_del(r, err);
	case CNI_CHECK:
		return bridge_check(r, err);
	case CNI_STATUS:
		return bridge_status(r, err);
	case CNI_GC:
		return bridge_gc(r, err);
	case CNI_VERSION:
		break;
	}
	return 0;
}

/* Everything skel checks, in its order, then the operation. */
static int run_request(struct cni_req *r, bool hostlocal, json_t **result, ctu_err_t *err)
{
	int cmd = command_of(getenv("CNI_COMMAND"));

	if (read_env(r, cmd, err) < 0)
		return ctu_err_code(*err);
	r->cmd = cmd < 0 ? CNI_VERSION : (enum cni_cmd)cmd; /* an unknown one goes no further than the config */
	if (cmd == CNI_VERSION) {
		answer_version();
		return 0;
	}
	if (read_config(r, err) < 0)
		return ctu_err_code(*err);
	if (cmd < 0)
		return cni_err(err, CNI_ERR_ENV, NULL, "unknown CNI_COMMAND: %s", r->command);
	if (check_version(r, err) < 0)
		return ctu_err_code(*err);
	if ((r->cmd == CNI_ADD || r->cmd == CNI_CHECK || r->cmd == CNI_DEL) &&
	    cni_args_parse(r->args_text, &r->args, err) < 0)
		return ctu_err_code(*err);
	if (r->cmd == CNI_ADD || r->cmd == CNI_CHECK || r->cmd == CNI_DEL) {
		if ((hostlocal ? check_ipam_netns(r, err) : open_netns(r, err)) < 0)
			return ctu_err_code(*err);
	}
	if (r->cmd == CNI_GC && read_attachments(r, err) < 0)
		return ctu_err_code(*err);
	return dispatch(r, hostlocal, result, err);
}

static void req_free(struct cni_req *r)
{
	cni_args_free(&r->args);
	json_decref(r->conf);
	free(r->stdin_buf);
	free(r->valid);
	if (r->nsfd >= 0)
		close(r->nsfd);
}

/* What skel prints on stderr for a plugin started by hand. */
static void about(const char *name)
{
	fprintf(stderr, "CNI %s plugin from ctutils %s (vethctl)\n", name, CTU_VERSION);
	fputs("CNI protocol versions supported: ", stderr);
	for (size_t i = 0; cni_versions[i]; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", cni_versions[i]);
	fputc('\n', stderr);
}

int cni_plugin_main(int argc, char **argv)
{
	const char *name = plugin_name(argv);
	bool hostlocal = strcmp(name, HOSTLOCAL_NAME) == 0;
	struct cni_req r = { .cmd = CNI_VERSION, .nsfd = -1 };
	_cleanup_err_ ctu_err_t err = NULL;
	_cleanup_json_ json_t *result = NULL, *out = NULL;
	int rc;

	(void)argc;
	if (!env_set("CNI_COMMAND")) {
		about(hostlocal ? HOSTLOCAL_NAME : BRIDGE_NAME);
		return CTU_EXIT_OK;
	}
	rc = run_request(&r, hostlocal, &result, &err);
	if (rc == 0 && r.cmd == CNI_ADD) {
		out = result ? cni_result_to(result, r.version, &err) : NULL;
		if (!out)
			rc = err ? ctu_err_code(err)
				 : cni_err(&err, CNI_ERR_INTERNAL, NULL, "the plugin gave no result");
	}
	if (rc < 0) {
		json_decref(out);
		out = cni_error_json(err, r.version);
	}
	if (out)
		emit_json(out, true);
	req_free(&r);
	return rc < 0 ? CTU_EXIT_FAILURE : CTU_EXIT_OK;
}
