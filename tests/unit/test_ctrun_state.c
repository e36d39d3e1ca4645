// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctrun's state (ctrun/state.c): state.json parsed and refused by pointer,
 * the live status decided from a fake /proc (start time, Z and X, a comm
 * with spaces and ')') and a fake cgroup tree (frozen or not), and the OCI
 * state object (pid 0 when stopped, annotations only when there are some).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrun/state.h"
#include "ctu.h"
#include "json.h"

static const char good[] =
	"{\"id\":\"c1\",\"bundle\":\"/b\",\"rootfs\":\"/b/r\",\"created\":\"2026-01-01T00:00:00Z\","
	"\"pid\":42,\"starttime\":777,\"creator\":7,\"creator_start\":8,\"cgroup\":\"/x/c1\","
	"\"cgroup_made\":true,\"annotations\":{\"a\":\"b\"},\"resources\":{}}";

static void parse_good(void **state)
{
	struct ct_state st;
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ct_state_parse(good, strlen(good), "c1", &st, &err), 0);
	assert_int_equal(st.pid, 42);
	assert_int_equal(st.starttime, 777);
	assert_int_equal(st.creator, 7);
	assert_int_equal(st.creator_start, 8);
	assert_string_equal(st.bundle, "/b");
	assert_string_equal(st.rootfs, "/b/r");
	assert_string_equal(st.cgroup, "/x/c1");
	assert_true(st.cgroup_made);
	ct_state_free(&st);
}

/* @json for container c1 refused, the message @msg. */
static void refused(const char *json, const char *msg)
{
	struct ct_state st;
	ctu_err_t err = NULL;

	assert_true(ct_state_parse(json, strlen(json), "c1", &st, &err) < 0);
	assert_non_null(err);
	assert_string_equal(err->msg, msg);
	assert_null(st.doc);
	ctu_err_free(&err);
}

static void parse_refused(void **state)
{
	(void)state;
	refused("[]", "state.json: not a JSON object");
	refused("{\"id\":\"c1\"}", "state.json: /bundle: missing");
	refused("{\"id\":\"c2\",\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\",\"pid\":1}",
		"state.json: /id: 'c2' is not the container's");
	refused("{\"id\":\"c1\",\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\",\"pid\":-1}",
		"state.json: /pid: expected an integer from 0 to 2147483647");
	refused("{\"id\":\"c1\",\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\",\"pid\":1,"
		"\"cgroup\":\"x/../..\"}",
		"state.json: /cgroup: 'x/../..' is not an absolute cgroup path");
	refused("{\"id\":\"c1\",\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\",\"pid\":1,"
		"\"annotations\":{\"a\":1}}",
		"state.json: /annotations/a: expected a string");
	refused("{\"id\":\"c1\",\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\",\"pid\":1,"
		"\"cgroup_made\":1}",
		"state.json: /cgroup_made: expected a boolean");
}

/* A fake /proc: DIR/PID/stat with @comm, state @s and start time @start. */
static void fake_proc(int dirfd, int pid, const char *comm, char s, unsigned long long start)
{
	char d[32], line[512];

	snprintf(d, sizeof(d), "%d", pid);
	mkdirat(dirfd, d, 0755);
	snprintf(line, sizeof(line),
		 "%d (%s) %c 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 1000 100\n", pid, comm, s,
		 start);
	strcat(d, "/stat");
	assert_int_equal(ctu_write_file_atomic(dirfd, d, line, strlen(line), false, NULL), 0);
}

static char tmpl[64];

static int make_tmp(void **state)
{
	(void)state;
	snprintf(tmpl, sizeof(tmpl), "/tmp/test_ctrun_state.XXXXXX");
	assert_non_null(mkdtemp(tmpl));
	return 0;
}

static int remove_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	return system(cmd);
}

static void proc_checks(void **state)
{
	_cleanup_close_ int fd = open(tmpl, O_RDONLY | O_DIRECTORY);

	(void)state;
	fake_proc(fd, 100, "sleep", 'S', 555);
	fake_proc(fd, 101, "a b) R 9 (x", 'S', 556); /* a comm that looks like fields */
	fake_proc(fd, 102, "zombie", 'Z', 557);
	fake_proc(fd, 103, "dead", 'X', 558);
	assert_true(ct_proc_is(fd, 100, 555));
	assert_false(ct_proc_is(fd, 100, 554)); /* a reused PID */
	assert_true(ct_proc_is(fd, 101, 556));
	assert_false(ct_proc_is(fd, 102, 557));
	assert_false(ct_proc_is(fd, 103, 558));
	assert_false(ct_proc_is(fd, 104, 1)); /* gone */
	assert_false(ct_proc_is(fd, 0, 0));
}

static void decide(void **state)
{
	struct ct_live l = { .creator_alive = true, .init_alive = true };

	(void)state;
	assert_int_equal(ct_status_decide(&l), CT_CREATING);
	l.creator_alive = false;
	l.fifo = true;
	assert_int_equal(ct_status_decide(&l), CT_CREATED);
	l.fifo = false;
	assert_int_equal(ct_status_decide(&l), CT_RUNNING);
	l.frozen = true;
	assert_int_equal(ct_status_decide(&l), CT_PAUSED);
	l.init_alive = false;
	assert_int_equal(ct_status_decide(&l), CT_STOPPED);
	assert_string_equal(ct_status_name(CT_PAUSED), "paused");
	assert_string_equal(ct_status_name(CT_CREATING), "creating");
}

static void put(const char *path, const char *text)
{
	assert_int_equal(ctu_write_file_atomic(AT_FDCWD, path, text, strlen(text), false, NULL), 0);
}

static void frozen(void **state)
{
	struct ctu_cg_hiers hs;
	ctu_err_t err = NULL;
	char dir[CTU_CG_DIR_MAX], file[CTU_CG_DIR_MAX + 16];

	(void)state;
	assert_int_equal(ctu_cg_detect(&hs, tmpl, false, NULL, &err), 0);
	snprintf(dir, sizeof(dir), "%s/c1", tmpl);
	mkdir(dir, 0755);
	snprintf(file, sizeof(file), "%s/cgroup.events", dir);
	put(file, "populated 1\nfrozen 0\n");
	assert_false(ct_cgroup_frozen(&hs, "/c1"));
	put(file, "populated 1\nfrozen 1\n");
	assert_true(ct_cgroup_frozen(&hs, "/c1"));
	assert_false(ct_cgroup_frozen(&hs, "/nosuch"));
	assert_true(ct_cgroup_dir(&hs, "/c1", dir));
	assert_false(ct_cgroup_dir(&hs, "/nosuch", dir));
}

static void oci(void **state)
{
	struct ct_state st;
	ctu_err_t err = NULL;
	json_t *o;

	(void)state;
	assert_int_equal(ct_state_parse(good, strlen(good), "c1", &st, &err), 0);
	o = ct_state_oci(&st, CT_STOPPED);
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), 0);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "stopped");
	assert_string_equal(json_string_value(json_object_get(o, "ociVersion")), "1.1.0");
	assert_non_null(json_object_get(o, "annotations"));
	json_decref(o);
	o = ct_state_oci(&st, CT_RUNNING);
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), 42);
	json_decref(o);
	json_object_set_new(st.doc, "annotations", json_object());
	o = ct_state_oci(&st, CT_RUNNING);
	assert_null(json_object_get(o, "annotations"));
	json_decref(o);
	ct_state_free(&st);
}

/* Written through a dir fd and read back; a document the reader would refuse is not written. */
static void write_read(void **state)
{
	_cleanup_close_ int fd = open(tmpl, O_RDONLY | O_DIRECTORY);
	struct ct_state st, back;
	ctu_err_t err = NULL;

	(void)state;
	assert_int_equal(ct_state_parse(good, strlen(good), "c1", &st, &err), 0);
	assert_int_equal(ct_state_write(fd, &st, &err), 0);
	assert_int_equal(ct_state_read_at(fd, "c1", &back, &err), 0);
	assert_int_equal(back.pid, 42);
	ct_state_free(&back);
	json_object_set_new(st.doc, "pid", json_string("x"));
	assert_true(ct_state_write(fd, &st, &err) < 0);
	ctu_err_free(&err);
	assert_int_equal(ct_state_read_at(fd, "c1", &back, &err), 0);
	assert_int_equal(back.pid, 42);
	ct_state_free(&back);
	ct_state_free(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),
		cmocka_unit_test(parse_refused),
		cmocka_unit_test_setup_teardown(proc_checks, make_tmp, remove_tmp),
		cmocka_unit_test(decide),
		cmocka_unit_test_setup_teardown(frozen, make_tmp, remove_tmp),
		cmocka_unit_test(oci),
		cmocka_unit_test_setup_teardown(write_read, make_tmp, remove_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
