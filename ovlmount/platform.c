// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * platform.c - OS/ARCH[/VARIANT] in Go's words, as image indexes name
 * platforms (GOOS, GOARCH, and the variant arm needs): --platform, the
 * host's, and the rule by which an index entry serves one.
 */
#include <string.h>
#include <sys/utsname.h>

#include "ctu.h"
#include "imgsrc.h"

/* uname's machine -> Go's architecture and variant (as containerd's platforms package maps it). */
static const struct {
	const char *machine, *arch, *variant;
} machines[] = {
	{ "x86_64", "amd64", "" },   { "amd64", "amd64", "" },	  { "aarch64", "arm64", "v8" },
	{ "arm64", "arm64", "v8" },  { "armv8l", "arm", "v8" },	  { "armv7l", "arm", "v7" },
	{ "armv7", "arm", "v7" },    { "armv6l", "arm", "v6" },	  { "armv5tel", "arm", "v5" },
	{ "i386", "386", "" },	     { "i486", "386", "" },	  { "i586", "386", "" },
	{ "i686", "386", "" },	     { "ppc64le", "ppc64le", "" }, { "ppc64", "ppc64", "" },
	{ "s390x", "s390x", "" },    { "riscv64", "riscv64", "" }, { "mips64", "mips64", "" },
	{ "loongarch64", "loong64", "" },
};

static bool copy_field(char *dst, size_t size, const char *s, size_t len)
{
	if (!len || len >= size)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

/* A machine name given as arch ("linux/x86_64") becomes Go's ("linux/amd64"). */
static void go_words(struct img_platform *p)
{
	for (size_t i = 0; i < CTU_ARRAY_SIZE(machines); i++) {
		if (strcmp(p->arch, machines[i].machine) || !strcmp(p->arch, machines[i].arch))
			continue;
		snprintf(p->arch, sizeof(p->arch), "%s", machines[i].arch);
		if (!p->variant[0])
			snprintf(p->variant, sizeof(p->variant), "%s", machines[i].variant);
		return;
	}
}

int img_platform_parse(const char *arg, struct img_platform *p, ctu_err_t *err)
{
	const char *s1 = strchr(arg, '/');
	const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
	const char *end = arg + strlen(arg);

	memset(p, 0, sizeof(*p));
	if (!s1 || (s2 && strchr(s2 + 1, '/')) ||
	    !copy_field(p->os, sizeof(p->os), arg, (size_t)(s1 - arg)) ||
	    !copy_field(p->arch, sizeof(p->arch), s1 + 1, (size_t)((s2 ? s2 : end) - s1 - 1)) ||
	    (s2 && !copy_field(p->variant, sizeof(p->variant), s2 + 1, (size_t)(end - s2 - 1)))) {
		memset(p, 0, sizeof(*p));
		ctu_err_usage(err, "invalid platform '%s': not OS/ARCH[/VARIANT]", arg);
		return ctu_err_hint(err, "as an index names it: linux/amd64, linux/arm64/v8, linux/arm/v7");
	}
	go_words(p);
	return 0;
}

int img_platform_host(struct img_platform *p, ctu_err_t *err)
{
	struct utsname u;

	memset(p, 0, sizeof(*p));
	if (uname(&u) < 0)
		return ctu_err_errno(err, "uname");
	for (size_t i = 0; i < CTU_ARRAY_SIZE(machines); i++) {
		if (strcmp(u.machine, machines[i].machine))
			continue;
		strcpy(p->os, "linux");
		snprintf(p->arch, sizeof(p->arch), "%s", machines[i].arch);
		snprintf(p->variant, sizeof(p->variant), "%s", machines[i].variant);
		return 0;
	}
	ctu_err_make(err, 0, "this machine (%.64s) has no name in Go's words", u.machine);
	return ctu_err_hint(err, "choose the image's with --platform OS/ARCH[/VARIANT]");
}

/* A bare arm64 is arm64/v8 (and so the variant it is compared as). */
static const char *variant_of(const char *arch, const char *variant)
{
	if ((!variant || !*variant) && !strcmp(arch, "arm64"))
		return "v8";
	return variant ? variant : "";
}

bool img_platform_match(const struct img_platform *want, const char *os, const char *arch,
			const char *variant)
{
	const char *wv, *dv;

	if (!os || !arch)
		return false;
	if (!strcmp(os, "unknown") && !strcmp(arch, "unknown"))
		return false;
	if (strcmp(os, want->os) || strcmp(arch, want->arch))
		return false;
	wv = variant_of(want->arch, want->variant);
	dv = variant_of(arch, variant);
	return !*wv || !*dv || !strcmp(wv, dv);
}

const char *img_platform_format(const struct img_platform *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
	return buf;
}
