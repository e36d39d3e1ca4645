// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * source.c - SRC as skopeo writes it (containers-transports(5)), and the
 * docker normal form of an image name that docker-archive's REPO:TAG is
 * compared in.  Pure: no file is looked at.
 */
#include <ctype.h>
#include <string.h>

#include "ctu.h"
#include "imgsrc.h"

static const struct {
	const char *prefix;
	enum img_transport t;
} transports[] = {
	{ "oci:", IMG_OCI },
	{ "oci-archive:", IMG_OCI_ARCHIVE },
	{ "docker-archive:", IMG_DOCKER_ARCHIVE },
};

static int unsupported(const char *arg, ctu_err_t *err)
{
	ctu_err_usage(err, "image source '%s': not oci:DIR[:REF], oci-archive:FILE[:REF] or "
			   "docker-archive:FILE[:REPO:TAG]", arg);
	return ctu_err_hint(err, "skopeo copy SRC oci:DIR:REF");
}

/* "@N": 1 with *@index set, 0 when @s is no index, <0 for a malformed one. */
static int parse_index(const char *s, long *index)
{
	char *end;

	if (s[0] != '@')
		return 0;
	if (!isdigit((unsigned char)s[1]))
		return -EINVAL;
	errno = 0;
	*index = strtol(s + 1, &end, 10);
	if (errno || *end || *index < 0)
		return -EINVAL;
	return 1;
}

/*
 * The part after the path: REF or @N.  "oci:DIR@N" (no ':') is taken as
 * well as skopeo's "oci:DIR:@N" when the '@' is followed by digits only.
 */
static int split_ref(char *rest, struct img_source *src, const char *arg, ctu_err_t *err)
{
	char *colon = strchr(rest, ':');
	char *at = strrchr(rest, '@');
	int r;

	if (!colon && at && at != rest && parse_index(at, &src->index) == 1) {
		*at = '\0';
		return 0;
	}
	if (!colon)
		return 0;
	*colon = '\0';
	r = parse_index(colon + 1, &src->index);
	if (r < 0)
		return ctu_err_usage(err, "image source '%s': '%s' is no index (@N, N from 0)",
				     arg, colon + 1);
	if (r == 1)
		return 0;
	if (!colon[1])
		return ctu_err_usage(err, "image source '%s': empty reference after ':'", arg);
	src->ref = strdup(colon + 1);
	return src->ref ? 0 : ctu_err_make(err, ENOMEM, "image source '%s'", arg);
}

int img_source_parse(const char *arg, struct img_source *src, ctu_err_t *err)
{
	_cleanup_free_ char *rest = NULL;
	size_t i;
	int r;

	memset(src, 0, sizeof(*src));
	src->index = -1;
	for (i = 0; i < CTU_ARRAY_SIZE(transports); i++)
		if (!strncmp(arg, transports[i].prefix, strlen(transports[i].prefix)))
			break;
	if (i == CTU_ARRAY_SIZE(transports))
		return unsupported(arg, err);
	src->transport = transports[i].t;
	rest = strdup(arg + strlen(transports[i].prefix));
	src->spec = strdup(arg);
	if (!rest || !src->spec) {
		img_source_free(src);
		return ctu_err_make(err, ENOMEM, "image source '%s'", arg);
	}
	r = split_ref(rest, src, arg, err);
	if (r == 0 && !*rest)
		r = ctu_err_usage(err, "image source '%s': empty path", arg);
	if (r == 0 && !(src->path = strdup(rest)))
		r = ctu_err_make(err, ENOMEM, "image source '%s'", arg);
	if (r < 0)
		img_source_free(src);
	return r;
}

void img_source_free(struct img_source *src)
{
	free(src->spec);
	free(src->path);
	free(src->ref);
	src->spec = src->path = src->ref = NULL;
	src->index = -1;
}

/* Whether @first (the part before the first '/') names a registry, as docker decides it. */
static bool is_domain(const char *first, size_t len)
{
	return memchr(first, '.', len) || memchr(first, ':', len) ||
	       (len == 9 && !memcmp(first, "localhost", 9));
}

char *img_docker_normalize(const char *ref)
{
	const char *slash = strchr(ref, '/');
	const char *last = strrchr(ref, '/');
	const char *domain = "docker.io", *name = ref, *lib = "";
	const char *tag = "";
	size_t dlen = strlen(domain);
	char *out;

	if (slash && is_domain(ref, (size_t)(slash - ref))) {
		domain = ref;
		dlen = (size_t)(slash - ref);
		name = slash + 1;
		if (dlen == 15 && !memcmp(ref, "index.docker.io", 15)) {
			domain = "docker.io";
			dlen = 9;
		}
	}
	if (dlen == 9 && !memcmp(domain, "docker.io", 9) && !strchr(name, '/'))
		lib = "library/";
	if (!strchr(last ? last : ref, ':') && !strchr(ref, '@'))
		tag = ":latest";
	if (asprintf(&out, "%.*s/%s%s%s", (int)dlen, domain, lib, name, tag) < 0)
		return NULL;
	return out;
}

int img_source_absolute(struct img_source *src, ctu_err_t *err)
{
	_cleanup_free_ char *real = realpath(src->path, NULL);
	char *spec = NULL, idx[32] = "";
	size_t i;
	int n;

	if (!real)
		return ctu_err_errno(err, "image source '%s'", src->spec);
	for (i = 0; i + 1 < CTU_ARRAY_SIZE(transports) && transports[i].t != src->transport; i++)
		;
	if (src->index >= 0)
		snprintf(idx, sizeof(idx), ":@%ld", src->index);
	n = asprintf(&spec, "%s%s%s%s%s", transports[i].prefix, real, src->ref ? ":" : "",
		     src->ref ? src->ref : "", idx);
	if (n < 0)
		return ctu_err_make(err, ENOMEM, "image source '%s'", src->spec);
	free(src->spec);
	free(src->path);
	src->spec = spec;
	src->path = ctu_steal_ptr(&real);
	return 0;
}
