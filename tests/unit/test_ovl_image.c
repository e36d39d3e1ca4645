// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for ovlmount's image sources: SRC parsing, platforms, chain IDs, docker names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "ovlmount/imgsrc.h"

static void ok_src(const char *arg, enum img_transport t, const char *path, const char *ref,
		   long index)
{
	struct img_source s;
	ctu_err_t err = NULL;

	assert_int_equal(img_source_parse(arg, &s, &err), 0);
	assert_null(err);
	assert_int_equal(s.transport, t);
	assert_string_equal(s.spec, arg);
	assert_string_equal(s.path, path);
	if (ref)
		assert_string_equal(s.ref, ref);
	else
		assert_null(s.ref);
	assert_int_equal(s.index, index);
	img_source_free(&s);
}

/* Refused as a usage error whose message holds @msg (and, when @hint, the skopeo hint). */
static void bad_src(const char *arg, const char *msg, bool hint)
{
	struct img_source s;
	ctu_err_t err = NULL;

	assert_int_equal(img_source_parse(arg, &s, &err), -EINVAL);
	assert_non_null(err);
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	assert_non_null(strstr(err->msg, msg));
	if (hint)
		assert_string_equal(err->hint, "skopeo copy SRC oci:DIR:REF");
	assert_null(s.spec);
	assert_null(s.path);
	ctu_err_free(&err);
}

static void test_source_parse(void **state)
{
	(void)state;
	ok_src("oci:img", IMG_OCI, "img", NULL, -1);
	ok_src("oci:/srv/img:v1", IMG_OCI, "/srv/img", "v1", -1);
	ok_src("oci:img:v1.2-rc:x", IMG_OCI, "img", "v1.2-rc:x", -1);
	ok_src("oci:img:@0", IMG_OCI, "img", NULL, 0);
	ok_src("oci:img:@12", IMG_OCI, "img", NULL, 12);
	ok_src("oci:img@3", IMG_OCI, "img", NULL, 3);
	ok_src("oci:a@b", IMG_OCI, "a@b", NULL, -1);
	ok_src("oci-archive:img.tar", IMG_OCI_ARCHIVE, "img.tar", NULL, -1);
	ok_src("oci-archive:/t/img.tar:latest", IMG_OCI_ARCHIVE, "/t/img.tar", "latest", -1);
	ok_src("oci-archive:img.tar:@1", IMG_OCI_ARCHIVE, "img.tar", NULL, 1);
	ok_src("docker-archive:d.tar", IMG_DOCKER_ARCHIVE, "d.tar", NULL, -1);
	ok_src("docker-archive:d.tar:ctu/img:v1", IMG_DOCKER_ARCHIVE, "d.tar", "ctu/img:v1", -1);
	ok_src("docker-archive:d.tar:localhost:5000/a/b:t", IMG_DOCKER_ARCHIVE, "d.tar",
	       "localhost:5000/a/b:t", -1);
	ok_src("docker-archive:d.tar:@2", IMG_DOCKER_ARCHIVE, "d.tar", NULL, 2);

	bad_src("docker://busybox", "not oci:DIR", true);
	bad_src("containers-storage:busybox", "not oci:DIR", true);
	bad_src("dir:/x", "not oci:DIR", true);
	bad_src("docker-daemon:x:latest", "not oci:DIR", true);
	bad_src("/srv/img", "not oci:DIR", true);
	bad_src("", "not oci:DIR", true);
	bad_src("OCI:img", "not oci:DIR", true);
	bad_src("oci:", "empty path", false);
	bad_src("oci::v1", "empty path", false);
	bad_src("oci-archive:", "empty path", false);
	bad_src("docker-archive::a:b", "empty path", false);
	bad_src("oci:img:", "empty reference", false);
	bad_src("oci:img:@", "no index", false);
	bad_src("oci:img:@x", "no index", false);
	bad_src("oci:img:@-1", "no index", false);
	bad_src("oci:img:@1x", "no index", false);
	bad_src("oci:img:@99999999999999999999", "no index", false);
}

static void plat(const char *arg, const char *os, const char *arch, const char *variant)
{
	struct img_platform p;
	ctu_err_t err = NULL;
	char buf[128];

	assert_int_equal(img_platform_parse(arg, &p, &err), 0);
	assert_string_equal(p.os, os);
	assert_string_equal(p.arch, arch);
	assert_string_equal(p.variant, variant);
	img_platform_format(&p, buf, sizeof(buf));
	assert_int_equal(strncmp(buf, os, strlen(os)), 0);
}

static void bad_plat(const char *arg)
{
	struct img_platform p;
	ctu_err_t err = NULL;

	assert_int_equal(img_platform_parse(arg, &p, &err), -EINVAL);
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	assert_non_null(strstr(err->msg, "not OS/ARCH[/VARIANT]"));
	ctu_err_free(&err);
}

static void test_platform_parse(void **state)
{
	char buf[128];
	struct img_platform p = { "linux", "arm", "v7" };

	(void)state;
	plat("linux/amd64", "linux", "amd64", "");
	plat("linux/arm64/v8", "linux", "arm64", "v8");
	plat("linux/arm/v7", "linux", "arm", "v7");
	plat("windows/amd64", "windows", "amd64", "");
	plat("linux/x86_64", "linux", "amd64", "");
	plat("linux/aarch64", "linux", "arm64", "v8");
	plat("linux/armv7l", "linux", "arm", "v7");
	bad_plat("");
	bad_plat("linux");
	bad_plat("linux/");
	bad_plat("/amd64");
	bad_plat("linux/amd64/");
	bad_plat("linux/arm/v7/x");
	bad_plat("Linux/AMD64");
	bad_plat("linux/amd 64");
	bad_plat("linux/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_string_equal(img_platform_format(&p, buf, sizeof(buf)), "linux/arm/v7");
	strcpy(p.variant, "");
	assert_string_equal(img_platform_format(&p, buf, sizeof(buf)), "linux/arm");
}

static void test_platform_host(void **state)
{
	struct img_platform p;
	ctu_err_t err = NULL;
	char buf[128];

	(void)state;
	assert_int_equal(img_platform_host(&p, &err), 0);
	assert_string_equal(p.os, "linux");
	img_platform_format(&p, buf, sizeof(buf));
#if defined(__x86_64__)
	assert_string_equal(buf, "linux/amd64");
#elif defined(__aarch64__)
	assert_string_equal(buf, "linux/arm64/v8");
#elif defined(__s390x__)
	assert_string_equal(buf, "linux/s390x");
#elif defined(__riscv) && __riscv_xlen == 64
	assert_string_equal(buf, "linux/riscv64");
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	assert_string_equal(buf, "linux/ppc64le");
#endif
}

static void test_platform_match(void **state)
{
	struct img_platform amd = { "linux", "amd64", "" };
	struct img_platform arm64 = { "linux", "arm64", "" };
	struct img_platform arm64v8 = { "linux", "arm64", "v8" };
	struct img_platform arm = { "linux", "arm", "" };
	struct img_platform armv7 = { "linux", "arm", "v7" };

	(void)state;
	assert_true(img_platform_match(&amd, "linux", "amd64", NULL));
	assert_true(img_platform_match(&amd, "linux", "amd64", ""));
	assert_true(img_platform_match(&amd, "linux", "amd64", "v3")); /* compared when both have one */
	assert_false(img_platform_match(&amd, "linux", "arm64", NULL));
	assert_false(img_platform_match(&amd, "windows", "amd64", NULL));
	assert_false(img_platform_match(&amd, "unknown", "unknown", NULL));
	assert_false(img_platform_match(&amd, NULL, "amd64", NULL));
	assert_false(img_platform_match(&amd, "linux", NULL, NULL));
	/* a bare arm64 is arm64/v8 */
	assert_true(img_platform_match(&arm64, "linux", "arm64", "v8"));
	assert_true(img_platform_match(&arm64v8, "linux", "arm64", NULL));
	assert_true(img_platform_match(&arm64v8, "linux", "arm64", "v8"));
	assert_false(img_platform_match(&arm64v8, "linux", "arm64", "v9"));
	assert_false(img_platform_match(&arm64, "linux", "arm64", "v9"));
	assert_true(img_platform_match(&arm, "linux", "arm", "v7"));
	assert_true(img_platform_match(&arm, "linux", "arm", "v6"));
	assert_true(img_platform_match(&armv7, "linux", "arm", "v7"));
	assert_true(img_platform_match(&armv7, "linux", "arm", NULL));
	assert_false(img_platform_match(&armv7, "linux", "arm", "v6"));
	assert_false(img_platform_match(&armv7, "linux", "arm64", "v7"));
}

/* Values from `printf '%s %s' A B | sha256sum`. */
#define DA "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define DB "sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
#define DC "sha256:2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6"
#define DAB "sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676"
#define DABC "sha256:2fce7f8ce91bcf0a1428b36e1024639fdbd9469eea762dba98aa749631885106"
#define DAA "sha256:d76fa7fcc3c98373e78d03a76c1447a1bec04bf49a44cb1f098bd84523f8450f"

static void test_chain_id(void **state)
{
	char out[CTU_DIGEST_SIZE];

	(void)state;
	assert_int_equal(ctu_chain_id(NULL, DA, out), 0);
	assert_string_equal(out, DA);
	assert_int_equal(ctu_chain_id(DA, DB, out), 0);
	assert_string_equal(out, DAB);
	assert_int_equal(ctu_chain_id(DAB, DC, out), 0);
	assert_string_equal(out, DABC);
	/* a diff_id twice: two chain IDs, two directories */
	assert_int_equal(ctu_chain_id(DA, DA, out), 0);
	assert_string_equal(out, DAA);
	assert_int_equal(ctu_chain_id(NULL, "sha256:../x", out), -EINVAL);
	assert_int_equal(ctu_chain_id("sha256:ABC", DA, out), -EINVAL);
}

/* res_config: diff_ids into chain IDs, counts and types checked. */
static void test_config_layers(void **state)
{
	struct img_image img = { 0 };
	struct img_layer layers[3] = { 0 };
	ctu_err_t err = NULL;
	json_t *cfg = json_pack("{s:s,s:s,s:{s:s,s:[s,s,s]}}", "os", "linux", "architecture",
				"arm64", "rootfs", "type", "layers", "diff_ids", DA, DB, DC);

	(void)state;
	img.layers = layers;
	img.n_layers = 3;
	assert_int_equal(res_config(cfg, &img, &err), 0);
	assert_string_equal(layers[0].chain_id, DA);
	assert_string_equal(layers[1].chain_id, DAB);
	assert_string_equal(layers[2].chain_id, DABC);
	assert_string_equal(img.platform.arch, "arm64");
	img.n_layers = 2;
	assert_true(res_config(cfg, &img, &err) < 0);
	assert_string_equal(err->msg, "config has 3 diff_ids, the manifest 2 layers");
	ctu_err_free(&err);
	json_decref(cfg);

	cfg = json_pack("{s:s,s:s,s:{s:s,s:[s]},s:{s:[s,s,i]}}", "os", "linux", "architecture",
			"amd64", "rootfs", "type", "layers", "diff_ids", DA, "config", "Env", "A=1",
			"B=2", 3);
	img.n_layers = 1;
	assert_true(res_config(cfg, &img, &err) < 0);
	assert_string_equal(err->msg, "config: .config.Env[2]: not a string");
	ctu_err_free(&err);
	json_decref(cfg);

	cfg = json_pack("{s:s,s:s,s:{s:s,s:[s]}}", "os", "linux", "architecture", "amd64",
			"rootfs", "type", "layers", "diff_ids", "sha256:../../etc");
	assert_true(res_config(cfg, &img, &err) < 0);
	assert_non_null(strstr(err->msg, "config.rootfs.diff_ids[0] 'sha256:../../etc'"));
	ctu_err_free(&err);
	json_decref(cfg);
}

static void test_media_types(void **state)
{
	bool docker;

	(void)state;
	assert_true(res_is_manifest("application/vnd.oci.image.manifest.v1+json", &docker));
	assert_false(docker);
	assert_true(res_is_manifest("application/vnd.docker.distribution.manifest.v2+json", &docker));
	assert_true(docker);
	assert_false(res_is_manifest("application/vnd.docker.distribution.manifest.v1+json", &docker));
	assert_true(res_is_index("application/vnd.oci.image.index.v1+json", &docker));
	assert_true(res_is_index("application/vnd.docker.distribution.manifest.list.v2+json", &docker));
	assert_true(docker);
	assert_true(res_config_type_ok("application/vnd.oci.image.config.v1+json"));
	assert_true(res_config_type_ok("application/vnd.docker.container.image.v1+json"));
	assert_false(res_config_type_ok("application/vnd.cncf.helm.config.v1+json"));
	assert_true(res_layer_type_ok("application/vnd.oci.image.layer.v1.tar"));
	assert_true(res_layer_type_ok("application/vnd.oci.image.layer.v1.tar+gzip"));
	assert_true(res_layer_type_ok("application/vnd.oci.image.layer.v1.tar+zstd"));
	assert_true(res_layer_type_ok("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"));
	assert_true(res_layer_type_ok("application/vnd.docker.image.rootfs.diff.tar.gzip"));
	assert_true(res_layer_type_ok("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"));
	assert_false(res_layer_type_ok("application/vnd.oci.image.layer.v1.tar+xz"));
	assert_false(res_layer_type_ok(NULL));
}

static void norm(const char *in, const char *want)
{
	char *out = img_docker_normalize(in);

	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void test_docker_normalize(void **state)
{
	(void)state;
	norm("busybox", "docker.io/library/busybox:latest");
	norm("busybox:1.36", "docker.io/library/busybox:1.36");
	norm("ctu/img:v1", "docker.io/ctu/img:v1");
	norm("docker.io/ctu/img:v1", "docker.io/ctu/img:v1");
	norm("docker.io/busybox", "docker.io/library/busybox:latest");
	norm("index.docker.io/busybox:1", "docker.io/library/busybox:1");
	norm("quay.io/a/b:c", "quay.io/a/b:c");
	norm("localhost/x", "localhost/x:latest");
	norm("localhost:5000/x:y", "localhost:5000/x:y");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_parse),   cmocka_unit_test(test_platform_parse),
		cmocka_unit_test(test_platform_host),  cmocka_unit_test(test_platform_match),
		cmocka_unit_test(test_chain_id),       cmocka_unit_test(test_config_layers),
		cmocka_unit_test(test_media_types),    cmocka_unit_test(test_docker_normalize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
