// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/ns.c, lib/caps.c and lib/mnt.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

#include "caps.h"
#include "ctu.h"
#include "mnt.h"
#include "ns.h"

static void test_ns_table(void **state)
{
	(void)state;
	assert_ptr_equal(ctu_ns_by_name("mnt"), ctu_ns_by_name("mount"));
	assert_int_equal(ctu_ns_by_name("net")->clone_flag, CLONE_NEWNET);
	assert_string_equal(ctu_ns_by_flag(CLONE_NEWPID)->name, "pid");
	assert_string_equal(ctu_ns_by_name("pid")->for_children, "pid_for_children");
	assert_null(ctu_ns_by_name("bogus"));
	assert_null(ctu_ns_by_name(""));
	assert_null(ctu_ns_by_flag(0));
	/* the user namespace comes first: it grants the rest */
	assert_int_equal(ctu_ns_types[0].clone_flag, CLONE_NEWUSER);
	assert_true(ctu_ns_supported_flags() & CLONE_NEWNET);
	for (size_t i = 0; i < CTU_NS_COUNT; i++)
		assert_ptr_equal(ctu_ns_by_flag(ctu_ns_types[i].clone_flag), &ctu_ns_types[i]);
}

static void test_ns_open_spec(void **state)
{
	const struct ctu_ns_type *net = ctu_ns_by_name("net"), *uts = ctu_ns_by_name("uts");
	char pid[16];
	unsigned long a, b;
	ctu_err_t err = NULL;
	int fd;

	(void)state;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	fd = ctu_ns_open_spec(pid, net, &err);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(ctu_ns_inode_fd(fd, &a), 0);
	assert_int_equal(ctu_ns_inode_path("/proc/self/ns/net", &b), 0);
	assert_int_equal(a, b);
	close(fd);
	fd = ctu_ns_open_spec("/proc/self/ns/net", net, &err);
	assert_true(fd >= 0);
	close(fd);
	/* a namespace of another type, a file that is no namespace, nothing */
	assert_int_equal(ctu_ns_open_spec("/proc/self/ns/uts", net, &err), -EPROTOTYPE);
	assert_string_equal(err->msg, "/proc/self/ns/uts is not a net namespace");
	assert_int_equal(ctu_ns_open_spec("/proc/self/status", uts, &err), -ENOTTY);
	assert_string_equal(err->msg, "/proc/self/status is not a namespace file");
	assert_int_equal(err->errnum, 0);
	assert_int_equal(ctu_ns_open_spec("/nonexistent", uts, &err), -ENOENT);
	assert_int_equal(ctu_ns_open_spec("2147483647", uts, &err), -ENOENT);
	assert_int_equal(ctu_ns_open_spec("", uts, &err), -EINVAL);
	/* a bare name is a /run/netns name for net only */
	assert_int_equal(ctu_ns_open_spec("ctu-no-such-netns", net, &err), -ENOENT);
	assert_int_equal(ctu_ns_open_spec("ctu-no-such-file", uts, &err), -ENOENT);
	assert_string_equal(err->msg, "cannot open the uts namespace ctu-no-such-file");
	assert_int_equal(err->errnum, ENOENT);
	ctu_err_free(&err);
}

static void test_caps_parse(void **state)
{
	ctu_capmask m = 0;
	const char *bad = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(ctu_caps_parse("CAP_NET_ADMIN", &m, &bad, &len), 0);
	assert_true(m == (ctu_capmask)1 << 12);
	assert_int_equal(ctu_caps_parse("net_admin,sys_admin", &m, &bad, &len), 0);
	assert_true(m == ((ctu_capmask)1 << 12 | (ctu_capmask)1 << 21));
	assert_int_equal(ctu_caps_parse("Cap_Chown,1", &m, &bad, &len), 0);
	assert_true(m == 3);
	assert_int_equal(ctu_caps_parse("all", &m, &bad, &len), 0);
	assert_true(m == ctu_caps_all());
	assert_true(ctu_caps_all() & ((ctu_capmask)1 << 21));
	assert_int_equal(ctu_caps_parse("net_admin,bogus,chown", &m, &bad, &len), -EINVAL);
	assert_int_equal(len, 5);
	assert_memory_equal(bad, "bogus", 5);
	assert_int_equal(ctu_caps_parse("net_admin,", &m, &bad, &len), -EINVAL);
	assert_int_equal(len, 0);
	assert_int_equal(ctu_caps_parse("", &m, &bad, &len), -EINVAL);
	assert_int_equal(ctu_caps_parse("999", &m, &bad, &len), -EINVAL);
	assert_string_equal(ctu_caps_first_name((ctu_capmask)1 << 12), "cap_net_admin");
	assert_string_equal(ctu_caps_first_name(0), "none");
}

static void test_mnt(void **state)
{
	char *p;

	(void)state;
	p = ctu_mnt_parent_dir("/a/b/c");
	assert_string_equal(p, "/a/b");
	free(p);
	p = ctu_mnt_parent_dir("/a");
	assert_string_equal(p, "/");
	free(p);
	p = ctu_mnt_parent_dir("file");
	assert_string_equal(p, ".");
	free(p);
	assert_int_equal(ctu_mnt_is_mount_point("/proc"), 1);
	assert_int_equal(ctu_mnt_is_mount_point("/proc/self"), 0);
	assert_int_equal(ctu_mnt_is_mount_point("/nonexistent-ctu"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_table),
		cmocka_unit_test(test_ns_open_spec),
		cmocka_unit_test(test_caps_parse),
		cmocka_unit_test(test_mnt),
	};

	return cmocka_run_group_tests_name("ns_caps_mnt", tests, NULL, NULL);
}
