// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * seccomp.c - linux.seccomp of config.json: checked by JSON pointer, then
 * compiled with libseccomp into raw BPF for the tools' --seccomp FILE, kept
 * in ROOT/seccomp/SHA256.bpf and reused (compiling was the main user-space
 * cost in crun's speed work).
 *
 * The meaning is runc 1.1's, so that a profile that works there works here:
 * unknown syscall names are skipped (newer profiles on an older
 * libseccomp), a rule whose action is the default one is dropped (libseccomp
 * refuses it), two conditions on one argument become one rule each (they
 * cannot be ANDed), ERRNO and TRACE without errnoRet return EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ctrun.h"
#include "ctu.h"
#include "digest.h"
#include "json.h"

#define PTR_MAX 256

/* A name of the OCI profile and what it means to libseccomp. */
struct word {
	const char *name;
	uint32_t value;
};

enum { ACT_PLAIN, ACT_WITH_ERRNO, ACT_LATER };

static const struct word actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0) },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0) },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY },
};

static const struct word operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct word archs[] = {
	{ "SCMP_ARCH_X86", SCMP_ARCH_X86 },
	{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32 },
	{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
	{ "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
	{ "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
	{ "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
	{ "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
	{ "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
	{ "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", SCMP_ARCH_S390 },
	{ "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
	{ "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
	{ "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
	{ "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
};

/* The flags and the --seccomp-flags word of each ("" : accepted, nothing to pass). */
static const struct {
	const char *name, *word;
	unsigned int bit;
} flag_names[] = {
	/* runc 1.1: the filter applies to the one thread that execs, TSYNC changes nothing */
	{ "SECCOMP_FILTER_FLAG_TSYNC", "", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", "log", SECCOMP_FILTER_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "spec-allow", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
};

static const struct word *lookup(const struct word *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}
#define LOOKUP(t, name) lookup((t), CTU_ARRAY_SIZE(t), (name))

static int flag_index(const char *name)
{
	for (size_t i = 0; i < CTU_ARRAY_SIZE(flag_names); i++)
		if (strcmp(flag_names[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Checks ------------------------------------------------------------------ */

static const char *ptr(char *buf, const char *base, const char *key)
{
	snprintf(buf, PTR_MAX, "%s/%s", base, key);
	return buf;
}

static const char *ptr_i(char *buf, const char *base, const char *key, size_t i)
{
	snprintf(buf, PTR_MAX, "%s/%s/%zu", base, key, i);
	return buf;
}

/* An unsigned integer member at most @max (absent: 1, unless @required). */
static int get_uint(json_t *obj, const char *base, const char *key, bool required, json_int_t max,
		    json_int_t *out, ctu_err_t *err)
{
	json_t *v = json_object_get(obj, key);
	char p[PTR_MAX];

	if (!v || json_is_null(v)) {
		if (required)
			return ctu_err_make(err, 0, "%s: missing", ptr(p, base, key));
		return 1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return ctu_err_make(err, 0, "%s: expected an integer from 0 to %lld",
				    ptr(p, base, key), (long long)max);
	*out = json_integer_value(v);
	return 0;
}

/* A member that must be an array (absent: NULL), each element passed to @each. */
static int each_of(json_t *obj, const char *base, const char *key, bool required,
		   int (*each)(json_t *v, const char *pointer, ctu_err_t *err), ctu_err_t *err)
{
	json_t *a = json_object_get(obj, key), *v;
	char p[PTR_MAX];
	size_t i;

	if (!a || json_is_null(a)) {
		if (required)
			return ctu_err_make(err, 0, "%s: missing", ptr(p, base, key));
		return 0;
	}
	if (!json_is_array(a))
		return ctu_err_make(err, 0, "%s: expected an array", ptr(p, base, key));
	json_array_foreach(a, i, v) if (each(v, ptr_i(p, base, key, i), err) <
					0) return ctu_err_code(*err);
	return 0;
}

static int check_action(json_t *v, const char *pointer, ctu_err_t *err)
{
	const struct word *w;

	if (!json_is_string(v))
		return ctu_err_make(err, 0, "%s: expected a string", pointer);
	w = LOOKUP(actions, json_string_value(v));
	if (!w)
		return ctu_err_make(err, 0, "%s: unknown action %s", pointer, json_string_value(v));
	if (w->value == SCMP_ACT_NOTIFY)
		return ctu_err_make(err, 0, "%s: not supported yet", pointer);
	return 0;
}

static int check_arch(json_t *v, const char *pointer, ctu_err_t *err)
{
	if (!json_is_string(v))
		return ctu_err_make(err, 0, "%s: expected a string", pointer);
	if (!LOOKUP(archs, json_string_value(v)))
		return ctu_err_make(err, 0, "%s: unknown architecture %s", pointer,
				    json_string_value(v));
	return 0;
}

static int check_flag(json_t *v, const char *pointer, ctu_err_t *err)
{
	if (!json_is_string(v))
		return ctu_err_make(err, 0, "%s: expected a string", pointer);
	if (flag_index(json_string_value(v)) < 0)
		return ctu_err_make(err, 0, "%s: unknown flag %s", pointer, json_string_value(v));
	return 0;
}

static int check_name(json_t *v, const char *pointer, ctu_err_t *err)
{
	if (!json_is_string(v) || json_string_length(v) == 0)
		return ctu_err_make(err, 0, "%s: expected a syscall name", pointer);
	return 0;
}

static int check_arg(json_t *a, const char *pointer, ctu_err_t *err)
{
	json_t *op;
	json_int_t n;
	char p[PTR_MAX];

	if (!json_is_object(a))
		return ctu_err_make(err, 0, "%s: expected an object", pointer);
	if (get_uint(a, pointer, "index", true, 5, &n, err) < 0 ||
	    get_uint(a, pointer, "value", true, INT64_MAX, &n, err) < 0 ||
	    get_uint(a, pointer, "valueTwo", false, INT64_MAX, &n, err) < 0)
		return ctu_err_code(*err);
	op = json_object_get(a, "op");
	if (!json_is_string(op))
		return ctu_err_make(err, 0, "%s: expected a string", ptr(p, pointer, "op"));
	if (!LOOKUP(operators, json_string_value(op)))
		return ctu_err_make(err, 0, "%s: unknown operator %s", ptr(p, pointer, "op"),
				    json_string_value(op));
	return 0;
}

static int check_syscall(json_t *s, const char *pointer, ctu_err_t *err)
{
	json_int_t n;
	char p[PTR_MAX];

	if (!json_is_object(s))
		return ctu_err_make(err, 0, "%s: expected an object", pointer);
	if (each_of(s, pointer, "names", true, check_name, err) < 0)
		return ctu_err_code(*err);
	if (!json_object_get(s, "action"))
		return ctu_err_make(err, 0, "%s: missing", ptr(p, pointer, "action"));
	if (check_action(json_object_get(s, "action"), ptr(p, pointer, "action"), err) < 0 ||
	    get_uint(s, pointer, "errnoRet", false, 0xffff, &n, err) < 0 ||
	    each_of(s, pointer, "args", false, check_arg, err) < 0)
		return ctu_err_code(*err);
	return 0;
}

int ct_seccomp_check(json_t *seccomp, const char *pointer, ctu_err_t *err)
{
	json_t *v;
	json_int_t n;
	char p[PTR_MAX];

	if (!json_is_object(seccomp))
		return ctu_err_make(err, 0, "%s: expected an object", pointer);
	v = json_object_get(seccomp, "defaultAction");
	if (!v)
		return ctu_err_make(err, 0, "%s: missing", ptr(p, pointer, "defaultAction"));
	if (check_action(v, ptr(p, pointer, "defaultAction"), err) < 0 ||
	    get_uint(seccomp, pointer, "defaultErrnoRet", false, 0xffff, &n, err) < 0 ||
	    each_of(seccomp, pointer, "architectures", false, check_arch, err) < 0 ||
	    each_of(seccomp, pointer, "flags", false, check_flag, err) < 0 ||
	    each_of(seccomp, pointer, "syscalls", false, check_syscall, err) < 0)
		return ctu_err_code(*err);
	v = json_object_get(seccomp, "listenerPath");
	if (v && !(json_is_string(v) && json_string_length(v) == 0))
		return ctu_err_make(err, 0, "%s: not supported yet",
				    ptr(p, pointer, "listenerPath"));
	return 0;
}

/* Compiling ---------------------------------------------------------------- */

/* The libseccomp action of @name (checked) with @errno_ret, or EPERM when absent. */
static uint32_t action_of(json_t *obj, const char *name_key, const char *errno_key)
{
	const struct word *w = LOOKUP(actions, json_string_value(json_object_get(obj, name_key)));
	json_t *e = json_object_get(obj, errno_key);
	uint32_t ret = json_is_integer(e) ? (uint32_t)json_integer_value(e) : EPERM;

	if (w->value == SCMP_ACT_ERRNO(0))
		return SCMP_ACT_ERRNO(ret);
	if (w->value == SCMP_ACT_TRACE(0))
		return SCMP_ACT_TRACE(ret);
	return w->value;
}

/* The architectures listed; the native one stays only when it is one of them. */
static int add_archs(scmp_filter_ctx ctx, json_t *list, const char *pointer, ctu_err_t *err)
{
	uint32_t native = seccomp_arch_native();
	bool keep_native = json_array_size(list) == 0;
	json_t *v;
	size_t i;
	int r;

	json_array_foreach(list, i, v)
	{
		uint32_t a = LOOKUP(archs, json_string_value(v))->value;

		if (a == native) {
			keep_native = true;
			continue;
		}
		r = seccomp_arch_add(ctx, a);
		if (r < 0 && r != -EEXIST)
			return ctu_err_make(err, -r, "%s/architectures/%zu: cannot add %s", pointer,
					    i, json_string_value(v));
	}
	if (!keep_native && (r = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE)) < 0)
		return ctu_err_make(err, -r, "%s: cannot remove the native architecture", pointer);
	return 0;
}

/* The conditions of /args; *@split when one argument has two (one rule each). */
static size_t conditions_of(json_t *args, struct scmp_arg_cmp *c, bool *split)
{
	unsigned int seen[6] = { 0 };
	json_t *a;
	size_t i;

	*split = false;
	json_array_foreach(args, i, a)
	{
		json_t *two = json_object_get(a, "valueTwo");

		c[i] = (struct scmp_arg_cmp){
			.arg = (unsigned int)json_integer_value(json_object_get(a, "index")),
			.op = LOOKUP(operators, json_string_value(json_object_get(a, "op")))->value,
			.datum_a = (scmp_datum_t)json_integer_value(json_object_get(a, "value")),
			.datum_b = json_is_integer(two) ? (scmp_datum_t)json_integer_value(two) : 0,
		};
		if (++seen[c[i].arg] > 1)
			*split = true;
	}
	return i;
}

/* The rules of one /syscalls entry, for each of its names. */
static int add_syscall(scmp_filter_ctx ctx, uint32_t def, json_t *s, const char *pointer,
		       ctu_err_t *err)
{
	uint32_t act = action_of(s, "action", "errnoRet");
	json_t *args = json_object_get(s, "args"), *name;
	struct scmp_arg_cmp c[64];
	size_t n = 0, i;
	bool split = false;
	int r = 0;

	if (json_array_size(args) > CTU_ARRAY_SIZE(c))
		return ctu_err_make(err, E2BIG, "%s/args: more than %zu conditions", pointer,
				    CTU_ARRAY_SIZE(c));
	if (act == def)
		return 0; /* libseccomp refuses it; the default does the same */
	if (json_is_array(args))
		n = conditions_of(args, c, &split);
	json_array_foreach(json_object_get(s, "names"), i, name)
	{
		int nr = seccomp_syscall_resolve_name(json_string_value(name));

		if (nr == __NR_SCMP_ERROR) {
			ctu_debug("seccomp: unknown syscall %s skipped", json_string_value(name));
			continue;
		}
		if (!split)
			r = seccomp_rule_add_array(ctx, act, nr, (unsigned int)n, c);
		for (size_t k = 0; split && k < n && r >= 0; k++)
			r = seccomp_rule_add_array(ctx, act, nr, 1, &c[k]);
		if (r < 0)
			return ctu_err_make(err, -r, "%s/names/%zu: cannot add a rule for %s",
					    pointer, i, json_string_value(name));
	}
	return 0;
}

static scmp_filter_ctx filter_of(json_t *seccomp, const char *pointer, ctu_err_t *err)
{
	uint32_t def = action_of(seccomp, "defaultAction", "defaultErrnoRet");
	scmp_filter_ctx ctx = seccomp_init(def);
	json_t *list, *s;
	char p[PTR_MAX];
	size_t i;

	if (!ctx) {
		ctu_err_make(err, ENOMEM, "%s: libseccomp cannot start a filter", pointer);
		return NULL;
	}
	list = json_object_get(seccomp, "architectures");
	if (add_archs(ctx, json_is_array(list) ? list : NULL, pointer, err) < 0)
		goto fail;
	json_array_foreach(json_object_get(seccomp, "syscalls"), i,
			   s) if (add_syscall(ctx, def, s, ptr_i(p, pointer, "syscalls", i), err) <
				  0) goto fail;
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

/* The cache --------------------------------------------------------------- */

/* SHA-256 of the sorted compact JSON, libseccomp's version and the arch: the file's name. */
static int cache_name(json_t *seccomp, char *name, size_t size, ctu_err_t *err)
{
	const struct scmp_version *v = seccomp_version();
	_cleanup_free_ char *json = ctu_json_dump(seccomp);
	_cleanup_free_ char *key = NULL;
	char digest[CTU_DIGEST_SIZE];
	int n;

	if (!json)
		return ctu_err_make(err, ENOMEM, "seccomp: cannot write the profile's key");
	n = asprintf(&key, "%s\nlibseccomp %u.%u.%u\narch %" PRIu32 "\n", json, v->major, v->minor,
		     v->micro, seccomp_arch_native());
	if (n < 0) {
		key = NULL;
		return ctu_err_make(err, ENOMEM, "seccomp: cannot write the profile's key");
	}
	if (ctu_sha256_buf(key, (size_t)n, digest) < 0)
		return ctu_err_make(err, EIO, "seccomp: cannot hash the profile");
	snprintf(name, size, "%s.bpf", ctu_digest_hex(digest));
	return 0;
}

/* ROOT/seccomp, made 0700; a symlink or a foreign owner refused as ROOT is. */
static int cache_dir(struct ct_global *g, ctu_err_t *err)
{
	int root = ct_root_open(g, err), fd;
	struct stat st;

	if (root < 0)
		return root;
	if (mkdirat(root, "seccomp", 0700) < 0 && errno != EEXIST)
		return ctu_err_errno(err, "cannot create %s/seccomp", g->root);
	fd = openat(root, "seccomp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ctu_err_errno(err, "cannot open %s/seccomp", g->root);
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return ctu_err_make(err, EPERM, "%s/seccomp: not a directory only we may write",
				    g->root);
	}
	return fd;
}

/* A cached file is reused when it is a regular file holding whole instructions. */
static bool cached(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       st.st_size > 0 && st.st_size % 8 == 0;
}

/* The filter exported to a temporary file, synced, renamed to @name. */
static int export_to(scmp_filter_ctx ctx, int dirfd, const char *name, const char *pointer,
		     ctu_err_t *err)
{
	char tmp[128];
	_cleanup_close_ int fd = -1;
	int r;

	snprintf(tmp, sizeof(tmp), ".%s.tmp-%d", name, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return ctu_err_errno(err, "%s: cannot create %s", pointer, tmp);
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		ctu_err_make(err, -r, "%s: libseccomp cannot export the filter", pointer);
	else if (fsync(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0)
		r = ctu_err_errno(err, "%s: cannot store the filter as %s", pointer, name);
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	return r < 0 ? ctu_err_code(*err) : 0;
}

/* "log,spec-allow": the pivot --seccomp-flags words of /flags. */
static int flag_words(json_t *seccomp, char *out, size_t size, ctu_err_t *err)
{
	json_t *v;
	size_t i, len = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(seccomp, "flags"), i, v)
	{
		const char *w = flag_names[flag_index(json_string_value(v))].word;

		if (!*w || strstr(out, w))
			continue;
		len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "", w);
		if (len >= size)
			return ctu_err_make(err, ENOBUFS, "seccomp: flags too long");
	}
	return 0;
}

int ct_seccomp_compile(struct ct_global *g, json_t *seccomp, const char *pointer, char *out,
		       size_t size, char *flags, size_t flags_size, ctu_err_t *err)
{
	_cleanup_close_ int dirfd = -1;
	char name[CTU_DIGEST_HEX_LEN + 8];
	scmp_filter_ctx ctx;
	int r;

	if (ct_seccomp_check(seccomp, pointer, err) < 0 ||
	    flag_words(seccomp, flags, flags_size, err) < 0 ||
	    cache_name(seccomp, name, sizeof(name), err) < 0)
		return ctu_err_code(*err);
	dirfd = cache_dir(g, err);
	if (dirfd < 0)
		return dirfd;
	if ((size_t)snprintf(out, size, "%s/seccomp/%s", g->root, name) >= size)
		return ctu_err_make(err, ENAMETOOLONG, "%s/seccomp/%s", g->root, name);
	if (cached(dirfd, name)) {
		ctu_debug("seccomp: %s reused", out);
		return 0;
	}
	ctx = filter_of(seccomp, pointer, err);
	if (!ctx)
		return ctu_err_code(*err);
	r = export_to(ctx, dirfd, name, pointer, err);
	seccomp_release(ctx);
	if (r == 0)
		ctu_debug("seccomp: %s compiled", out);
	return r;
}

/* features ---------------------------------------------------------------- */

/* The names of table @t, but SCMP_ACT_NOTIFY (not supported yet). */
static json_t *names_of(const struct word *t, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (t != actions || t[i].value != SCMP_ACT_NOTIFY)
			json_array_append_new(a, json_string(t[i].name));
	return a;
}

/* A flag the kernel knows answers EFAULT to a NULL program, an unknown one EINVAL. */
static bool kernel_has_flag(unsigned int bit)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, bit, NULL) < 0 && errno == EFAULT;
}

json_t *ct_seccomp_features(void)
{
	json_t *known = json_array(), *supported = json_array();

	for (size_t i = 0; i < CTU_ARRAY_SIZE(flag_names); i++) {
		json_array_append_new(known, json_string(flag_names[i].name));
		if (kernel_has_flag(flag_names[i].bit))
			json_array_append_new(supported, json_string(flag_names[i].name));
	}
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", true, "actions",
			 names_of(actions, CTU_ARRAY_SIZE(actions)), "operators",
			 names_of(operators, CTU_ARRAY_SIZE(operators)), "archs",
			 names_of(archs, CTU_ARRAY_SIZE(archs)), "knownFlags", known,
			 "supportedFlags", supported);
}
