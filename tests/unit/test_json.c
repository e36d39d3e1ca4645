// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/json: duplicate keys, the size cap, typed getters' paths, dumps, atomic writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctu.h"
#include "json.h"

static void test_parse(void **state)
{
	ctu_err_t err = NULL;
	json_t *v;

	(void)state;
	v = ctu_json_parse("{\"a\":1}", 7, "x.json", &err);
	assert_non_null(v);
	json_decref(v);
	/* a duplicated key: two parsers could read two documents */
	v = ctu_json_parse("{\"a\":1,\"a\":2}", 13, "index.json", &err);
	assert_null(v);
	assert_non_null(strstr(err->msg, "index.json: line 1: duplicate object key"));
	ctu_err_free(&err);
	v = ctu_json_parse("{\"o\":{\"k\":1,\"k\":1}}", 19, "config", &err);
	assert_null(v);
	ctu_err_free(&err);
	/* nothing after the value */
	v = ctu_json_parse("{} {}", 5, "manifest", &err);
	assert_null(v);
	assert_non_null(strstr(err->msg, "manifest: line 1:"));
	ctu_err_free(&err);
	v = ctu_json_parse("", 0, "empty", &err);
	assert_null(v);
	ctu_err_free(&err);
	v = ctu_json_parse("{\"a\":\n\n", 7, "cut", &err);
	assert_null(v);
	assert_non_null(strstr(err->msg, "cut: line 3"));
	ctu_err_free(&err);
}

static int tmpfile_with(const char *buf, size_t len)
{
	char path[] = "/tmp/test_json.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void test_cap(void **state)
{
	size_t big = CTU_JSON_MAX + 1;
	char *buf = malloc(big), *out = NULL;
	ctu_err_t err = NULL;
	size_t len;
	json_t *v;
	int fd;

	(void)state;
	assert_non_null(buf);
	memset(buf, ' ', big);
	buf[0] = '[';
	buf[big - 1] = ']';
	fd = tmpfile_with(buf, big);
	v = ctu_json_load_fd(fd, 0, "index.json", &err);
	assert_null(v);
	assert_string_equal(err->msg, "index.json: larger than 4194304 bytes");
	ctu_err_free(&err);
	/* exactly the cap is allowed */
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(ftruncate(fd, (off_t)CTU_JSON_MAX), 0);
	assert_int_equal(pwrite(fd, "]", 1, (off_t)CTU_JSON_MAX - 1), 1);
	v = ctu_json_load_fd(fd, 0, "index.json", &err);
	assert_non_null(v);
	json_decref(v);
	close(fd);
	/* a smaller cap of the caller's */
	fd = tmpfile_with("[1,2,3]", 7);
	assert_int_equal(ctu_json_read_fd(fd, 6, "small", &out, &len, &err), -EINVAL);
	assert_string_equal(err->msg, "small: larger than 6 bytes");
	ctu_err_free(&err);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_int_equal(ctu_json_read_fd(fd, 7, "small", &out, &len, &err), 0);
	assert_int_equal(len, 7);
	assert_string_equal(out, "[1,2,3]");
	free(out);
	close(fd);
	free(buf);
}

static void test_getters(void **state)
{
	static const char doc[] = "{\"config\":{\"Env\":[\"A=1\",\"B=2\",3],\"User\":\"u\",\"N\":5,"
				  "\"B\":true,\"Null\":null,\"O\":{}},\"s\":\"x\"}";
	json_t *root = ctu_json_parse(doc, strlen(doc), "config", NULL), *cfg, *env, *o;
	ctu_err_t err = NULL;
	const char *s;
	json_int_t n;
	bool b;

	(void)state;
	assert_non_null(root);
	assert_int_equal(ctu_json_get_object(root, "", "config", true, &cfg, &err), 0);
	assert_int_equal(ctu_json_get_array(cfg, ".config", "Env", true, &env, &err), 0);
	assert_int_equal(ctu_json_array_string(env, ".config.Env", 1, &s, &err), 0);
	assert_string_equal(s, "B=2");
	assert_true(ctu_json_array_string(env, ".config.Env", 2, &s, &err) < 0);
	assert_string_equal(err->msg, ".config.Env[2]: not a string");
	ctu_err_free(&err);
	assert_true(ctu_json_check_strings(env, ".config.Env", &err) < 0);
	assert_string_equal(err->msg, ".config.Env[2]: not a string");
	ctu_err_free(&err);
	assert_true(ctu_json_check_strings(cfg, ".config", &err) < 0);
	assert_string_equal(err->msg, ".config: not an array");
	ctu_err_free(&err);

	assert_int_equal(ctu_json_get_string(cfg, ".config", "User", true, &s, &err), 0);
	assert_string_equal(s, "u");
	assert_true(ctu_json_get_string(cfg, ".config", "N", true, &s, &err) < 0);
	assert_string_equal(err->msg, ".config.N: not a string");
	ctu_err_free(&err);
	assert_true(ctu_json_get_string(cfg, ".config", "Cmd", true, &s, &err) < 0);
	assert_string_equal(err->msg, ".config.Cmd: missing");
	ctu_err_free(&err);
	assert_int_equal(ctu_json_get_string(cfg, ".config", "Cmd", false, &s, &err), 1);
	assert_int_equal(ctu_json_get_string(cfg, ".config", "Null", false, &s, &err), 1);
	assert_null(err);
	assert_true(ctu_json_get_string(cfg, ".config", "Null", true, &s, &err) < 0);
	assert_string_equal(err->msg, ".config.Null: missing");
	ctu_err_free(&err);

	assert_int_equal(ctu_json_get_int(cfg, ".config", "N", true, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_true(ctu_json_get_int(cfg, ".config", "User", true, &n, &err) < 0);
	assert_string_equal(err->msg, ".config.User: not an integer");
	ctu_err_free(&err);
	assert_int_equal(ctu_json_get_bool(cfg, ".config", "B", true, &b, &err), 0);
	assert_true(b);
	assert_true(ctu_json_get_bool(cfg, ".config", "N", true, &b, &err) < 0);
	assert_string_equal(err->msg, ".config.N: not a boolean");
	ctu_err_free(&err);
	assert_true(ctu_json_get_array(cfg, ".config", "O", true, &o, &err) < 0);
	assert_string_equal(err->msg, ".config.O: not an array");
	ctu_err_free(&err);
	assert_true(ctu_json_get_object(cfg, ".config", "Env", true, &o, &err) < 0);
	assert_string_equal(err->msg, ".config.Env: not an object");
	ctu_err_free(&err);
	/* a getter on something that is no object */
	assert_true(ctu_json_get_string(env, ".config.Env", "x", true, &s, &err) < 0);
	assert_string_equal(err->msg, ".config.Env: not an object");
	ctu_err_free(&err);
	json_decref(root);
}

static void test_paths(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(ctu_json_path_key(buf, sizeof(buf), "", "config"), ".config");
	assert_string_equal(ctu_json_path_key(buf, sizeof(buf), ".config", "Env"), ".config.Env");
	assert_string_equal(ctu_json_path_index(buf, sizeof(buf), ".config.Env", 2),
			    ".config.Env[2]");
	assert_string_equal(ctu_json_path_key(buf, 8, ".config", "Env"), ".config");
}

static void test_dump(void **state)
{
	json_t *v = json_pack("{s:i,s:[s,s],s:{s:s,s:s}}", "z", 1, "a", "x", "y", "m", "b", "2",
			      "a", "1");
	char *s;

	(void)state;
	s = ctu_json_dump(v);
	assert_string_equal(s, "{\"a\":[\"x\",\"y\"],\"m\":{\"a\":\"1\",\"b\":\"2\"},\"z\":1}");
	free(s);
	json_decref(v);
}

static void test_write_at(void **state)
{
	char dir[] = "/tmp/test_json.XXXXXX";
	json_t *v = json_pack("{s:i,s:s}", "version", 1, "a", "b");
	_cleanup_free_ char *buf = NULL;
	ctu_err_t err = NULL;
	size_t len;
	struct stat st;
	int dfd;
	DIR *d;
	struct dirent *e;
	int n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(ctu_json_write_at(dfd, "store.json", v, true, true, &err), 0);
	assert_int_equal(ctu_read_file(dfd, "store.json", &buf, &len), 0);
	assert_string_equal(buf, "{\"a\":\"b\",\"version\":1}\n");
	assert_int_equal(fstatat(dfd, "store.json", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* replaced whole, no temporary left */
	assert_int_equal(ctu_write_file_atomic(dfd, "store.json", "{}", 2, false, &err), 0);
	free(buf);
	buf = NULL;
	assert_int_equal(ctu_read_file(dfd, "store.json", &buf, &len), 0);
	assert_string_equal(buf, "{}");
	d = fdopendir(dup(dfd));
	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(n, 1);
	/* a directory in the way: an error naming the file, nothing left over */
	assert_int_equal(mkdirat(dfd, "sub", 0755), 0);
	assert_true(ctu_json_write_at(dfd, "sub", v, false, false, &err) < 0);
	assert_non_null(strstr(err->msg, "cannot write sub"));
	ctu_err_free(&err);
	assert_int_equal(unlinkat(dfd, "sub", AT_REMOVEDIR), 0);
	assert_int_equal(unlinkat(dfd, "store.json", 0), 0);
	close(dfd);
	assert_int_equal(rmdir(dir), 0);
	json_decref(v);
}

static void test_load_at(void **state)
{
	char dir[] = "/tmp/test_json.XXXXXX";
	ctu_err_t err = NULL;
	json_t *v;
	int dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(ctu_write_file_atomic(dfd, "a.json", "[1]", 3, false, &err), 0);
	assert_int_equal(symlinkat("a.json", dfd, "link.json"), 0);
	v = ctu_json_load_at(dfd, "a.json", 0, "a.json", &err);
	assert_non_null(v);
	json_decref(v);
	/* the last component is never followed */
	v = ctu_json_load_at(dfd, "link.json", 0, "link.json", &err);
	assert_null(v);
	assert_non_null(strstr(err->msg, "cannot open link.json"));
	ctu_err_free(&err);
	unlinkat(dfd, "link.json", 0);
	unlinkat(dfd, "a.json", 0);
	close(dfd);
	rmdir(dir);
}

/* Invalid UTF-8 becomes U+FFFD byte by byte; valid text, NULs included, is kept. */
static void test_utf8_clean(void **state)
{
	static const struct { const char *in; size_t len; const char *out; } cases[] = {
		{ "plain", 5, "plain" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
		{ "a\xff" "b", 3, "a\xef\xbf\xbd" "b" },
		{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong '/' */
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* a surrogate */
		{ "\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd" },	/* cut short by the length */
	};
	uint32_t cp = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = 0;
		char *got = ctu_utf8_clean(cases[i].in, cases[i].len, &n);
		json_t *v = ctu_json_text(cases[i].in, cases[i].len);

		assert_non_null(got);
		assert_string_equal(got, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
		assert_non_null(v);
		assert_string_equal(json_string_value(v), cases[i].out);
		json_decref(v);
		free(got);
	}
	assert_int_equal(ctu_utf8_decode((const unsigned char *)"\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse), cmocka_unit_test(test_cap),
		cmocka_unit_test(test_getters), cmocka_unit_test(test_paths),
		cmocka_unit_test(test_dump), cmocka_unit_test(test_write_at),
		cmocka_unit_test(test_load_at),
		cmocka_unit_test(test_utf8_clean),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
