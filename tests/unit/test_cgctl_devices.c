// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for cgctl's options for ctrun: the --device-rule parser, the
 * v1 list the rules leave (devices.c), the v2 program built from it
 * (devbpf.c, run here by a small interpreter of the few instructions it
 * uses and compared with the v1 check for every request), and the v1 <-> v2
 * conversions of settings.c (cpu.shares, blkio.weight, memory.low,
 * cpu.max.burst, hugetlb.SIZE.*, io.max <-> blkio.throttle.*).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/bpf.h>
#include <string.h>

#include "cgctl/devices.h"
#include "cgctl/settings.h"
#include "ctu.h"

/* ---- the rule parser ---- */

static void expect_rule(const char *text, bool allow, char type, int32_t major, int32_t minor,
			unsigned int access, const char *formatted)
{
	_cleanup_err_ ctu_err_t err = NULL;
	struct dev_rule r;
	char out[64];

	assert_int_equal(dev_rule_parse(text, &r, &err), 0);
	assert_null(err);
	assert_int_equal(r.allow, allow);
	assert_int_equal(r.type, type);
	assert_int_equal(r.major, major);
	assert_int_equal(r.minor, minor);
	assert_int_equal(r.access, access);
	dev_rule_format(&r, out, sizeof(out));
	assert_string_equal(out, formatted);
}

static void expect_bad_rule(const char *text, const char *why)
{
	_cleanup_err_ ctu_err_t err = NULL;
	struct dev_rule r;
	char want[256];

	assert_true(dev_rule_parse(text, &r, &err) < 0);
	assert_non_null(err);
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	snprintf(want, sizeof(want), "invalid --device-rule '%s': %s", text, why);
	if (strncmp(err->msg, want, strlen(want)) != 0)
		fail_msg("'%s': got '%s'", text, err->msg);
}

static void test_parse(void **state)
{
	(void)state;
	expect_rule("allow c 1:3 rw", true, 'c', 1, 3, DEV_ACC_READ | DEV_ACC_WRITE, "c 1:3 rw");
	expect_rule("deny b *:* m", false, 'b', DEV_ANY, DEV_ANY, DEV_ACC_MKNOD, "b *:* m");
	expect_rule("allow c 136:* mwr", true, 'c', 136, DEV_ANY, DEV_ACC_ALL, "c 136:* rwm");
	expect_rule("deny a *:* rwm", false, 'a', DEV_ANY, DEV_ANY, DEV_ACC_ALL, "a *:* rwm");
	expect_rule("allow  c\t4095:1048575 w", true, 'c', 4095, 1048575, DEV_ACC_WRITE,
		    "c 4095:1048575 w");
	expect_bad_rule("", "expected 'allow|deny TYPE MAJ:MIN ACCESS'");
	expect_bad_rule("allow c 1:3", "expected 'allow|deny TYPE MAJ:MIN ACCESS'");
	expect_bad_rule("allow c 1:3 r x", "expected 'allow|deny TYPE MAJ:MIN ACCESS'");
	expect_bad_rule("grant c 1:3 r", "the rule begins with allow or deny");
	expect_bad_rule("allow cc 1:3 r", "TYPE is a (every device), b (block) or c (character)");
	expect_bad_rule("allow p 1:3 r", "TYPE is a (every device), b (block) or c (character)");
	expect_bad_rule("allow c 1 r", "expected MAJ:MIN");
	expect_bad_rule("allow c 4096:1 r", "the major number is * or from 0 to 4095");
	expect_bad_rule("allow c -1:1 r", "the major number is * or from 0 to 4095");
	expect_bad_rule("allow c **:1 r", "the major number is * or from 0 to 4095");
	expect_bad_rule("allow c 1:1048576 r", "the minor number is * or from 0 to 1048575");
	expect_bad_rule("allow c 1: r", "the minor number is * or from 0 to 1048575");
	expect_bad_rule("allow c 1:2:3 r", "the minor number is * or from 0 to 1048575");
	expect_bad_rule("allow c 1:3 rr", "ACCESS is one or more of r, w and m, each once");
	expect_bad_rule("allow c 1:3 R", "ACCESS is one or more of r, w and m, each once");
	/* TYPE a is every device and access, whatever follows (v1, runc) */
	expect_rule("allow a 1:3 r", true, 'a', DEV_ANY, DEV_ANY, DEV_ACC_ALL, "a *:* rwm");
	expect_rule("deny a *:* m", false, 'a', DEV_ANY, DEV_ANY, DEV_ACC_ALL, "a *:* rwm");
	expect_bad_rule("allow a 1:x r", "the minor number is * or from 0 to 1048575");
}

/* ---- the v1 list ---- */

static void add_all(struct dev_rules *rs, const char *const *rules)
{
	_cleanup_err_ ctu_err_t err = NULL;

	memset(rs, 0, sizeof(*rs));
	for (size_t i = 0; rules[i]; i++)
		if (dev_rules_add(rs, rules[i], &err) < 0)
			fail_msg("%s: %s", rules[i], err->msg);
}

#define R DEV_ACC_READ
#define W DEV_ACC_WRITE
#define M DEV_ACC_MKNOD

static void test_v1_semantics(void **state)
{
	static const char *const deny_zero[] = { "deny c 1:5 r", NULL };
	static const char *const in_order[] = { "deny a *:* rwm", "allow c 1:3 rw", "allow c 1:5 r",
						"deny c 1:5 r",	  "allow c 1:5 r",  NULL };
	static const char *const merged[] = { "deny a *:* rwm", "allow c 1:3 r", "allow c 1:3 w",
					      "allow c 136:* rwm", NULL };
	static const char *const starts_over[] = { "deny c 1:5 r", "deny a *:* r", "allow c 1:3 r",
						   "allow a 5:5 m", NULL };
	struct dev_rules rs;

	(void)state;
	/* default allow, one deny exception: any shared bit denies */
	add_all(&rs, deny_zero);
	assert_true(rs.state.default_allow);
	assert_false(dev_state_allows(&rs.state, 'c', 1, 5, R));
	assert_false(dev_state_allows(&rs.state, 'c', 1, 5, R | W));
	assert_true(dev_state_allows(&rs.state, 'c', 1, 5, W));
	assert_true(dev_state_allows(&rs.state, 'b', 1, 5, R));
	assert_true(dev_state_allows(&rs.state, 'c', 1, 3, R));
	/* a later allow beats an earlier deny */
	add_all(&rs, in_order);
	assert_false(rs.state.default_allow);
	assert_true(dev_state_allows(&rs.state, 'c', 1, 5, R));
	assert_false(dev_state_allows(&rs.state, 'c', 1, 5, W));
	assert_true(dev_state_allows(&rs.state, 'c', 1, 3, R | W));
	assert_false(dev_state_allows(&rs.state, 'c', 1, 3, M));
	assert_false(dev_state_allows(&rs.state, 'c', 1, 7, R));
	/* one exception per device, access merged; a wildcard minor */
	add_all(&rs, merged);
	assert_int_equal(rs.state.n, 2);
	assert_true(dev_state_allows(&rs.state, 'c', 1, 3, R | W));
	assert_true(dev_state_allows(&rs.state, 'c', 136, 4, R | W | M));
	assert_false(dev_state_allows(&rs.state, 'b', 136, 4, R));
	assert_int_equal(rs.n, 4);
	/* TYPE a starts over, whatever came before */
	add_all(&rs, starts_over);
	assert_true(rs.state.default_allow);
	assert_int_equal(rs.state.n, 0);
	assert_true(dev_state_allows(&rs.state, 'c', 1, 5, R));
}

static void test_v1_refusals(void **state)
{
	_cleanup_err_ ctu_err_t err = NULL;
	struct dev_rules rs;
	char text[64];

	(void)state;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(dev_rules_add(&rs, "deny c *:* rwm", &err), 0);
	assert_true(dev_rules_add(&rs, "allow c 1:3 rw", &err) < 0);
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	assert_non_null(strstr(err->msg, "'allow c 1:3 rw': it cannot take access from the wider "
					 "'deny c *:* rwm'"));
	/* the refused rule is not in the list */
	assert_int_equal(rs.n, 1);
	ctu_err_free(&err);
	/* a wider rule that shares no bit is no obstacle */
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(dev_rules_add(&rs, "deny c 1:* m", &err), 0);
	assert_int_equal(dev_rules_add(&rs, "allow c 1:3 r", &err), 0);
	/* the same on a deny-all list */
	assert_int_equal(dev_rules_add(&rs, "deny a *:* rwm", &err), 0);
	assert_int_equal(dev_rules_add(&rs, "allow c *:3 rw", &err), 0);
	assert_true(dev_rules_add(&rs, "deny c 1:3 w", &err) < 0);
	ctu_err_free(&err);
	/* 256 rules at most */
	memset(&rs, 0, sizeof(rs));
	for (int i = 0; i < DEV_RULES_MAX; i++) {
		snprintf(text, sizeof(text), "deny c 1:%d r", i);
		assert_int_equal(dev_rules_add(&rs, text, &err), 0);
	}
	assert_true(dev_rules_add(&rs, "deny c 2:0 r", &err) < 0);
	assert_non_null(strstr(err->msg, "too many device rules"));
}

/* ---- the v2 program, run ---- */

/*
 * The instructions devbpf_build uses, interpreted: 1 allow, 0 deny, -1 an
 * instruction it should never emit or a jump out of the program.
 */
static int run_program(const struct bpf_insn *p, size_t n, const struct bpf_cgroup_dev_ctx *ctx)
{
	uint64_t reg[11] = { 0 };

	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint32_t field;

		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM:
			if (i->src_reg != BPF_REG_1 || i->off < 0 || i->off > 8 || i->off % 4)
				return -1;
			memcpy(&field, (const char *)ctx + i->off, 4);
			reg[i->dst_reg] = field;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] & (uint32_t)i->imm;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] >> i->imm;
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			reg[i->dst_reg] = (uint32_t)reg[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			reg[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
		case BPF_JMP | BPF_JEQ | BPF_K:
			if ((reg[i->dst_reg] == (uint64_t)(int64_t)i->imm) ==
			    ((i->code & 0xf0) == BPF_JEQ))
				pc += (size_t)i->off;
			if (pc >= n)
				return -1;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)reg[BPF_REG_0];
		default:
			return -1;
		}
	}
	return -1;
}

/* The program of @rules says what the v1 check says, for every request. */
static void expect_program_matches(const char *const *rules)
{
	static const uint32_t majors[] = { 0, 1, 5, 8, 136, 4095 };
	static const uint32_t minors[] = { 0, 3, 5, 7, 1048575 };
	struct bpf_insn insns[DEVBPF_INSNS_MAX];
	struct dev_rules rs;
	size_t n;

	add_all(&rs, rules);
	n = devbpf_build(&rs.state, insns, DEVBPF_INSNS_MAX);
	assert_true(n > 0);
	for (int t = 0; t < 2; t++)
		for (size_t a = 0; a < CTU_ARRAY_SIZE(majors); a++)
			for (size_t b = 0; b < CTU_ARRAY_SIZE(minors); b++)
				for (unsigned int acc = 1; acc <= DEV_ACC_ALL; acc++) {
					char type = t ? 'c' : 'b';
					struct bpf_cgroup_dev_ctx ctx = {
						.access_type = (acc << 16) |
							       (t ? BPF_DEVCG_DEV_CHAR
								  : BPF_DEVCG_DEV_BLOCK),
						.major = majors[a],
						.minor = minors[b],
					};
					int want = dev_state_allows(&rs.state, type, majors[a],
								    minors[b], acc);

					if (run_program(insns, n, &ctx) != want)
						fail_msg("%s...: %c %u:%u %u: want %d", rules[0], type,
							 majors[a], minors[b], acc, want);
				}
}

static void test_program(void **state)
{
	static const char *const none[] = { "allow a *:* rwm", NULL };
	static const char *const deny_all[] = { "deny a *:* rwm", NULL };
	static const char *const runc_like[] = {
		"deny a *:* rwm",    "allow c *:* m",	  "allow b *:* m",   "allow c 1:3 rwm",
		"allow c 1:5 rwm",   "allow c 1:7 rwm",	  "allow c 5:0 rwm", "allow c 136:* rwm",
		"allow c 5:2 rwm",   "allow b 8:0 r",	  NULL,
	};
	static const char *const blacklist[] = { "deny c 1:5 r", "deny b 8:* w", "deny c *:7 m",
						 "deny c 1:5 w", "allow c 1:5 w", NULL };
	static const char *const partial[] = { "deny a *:* rwm", "allow c 1:3 r", "allow c 1:3 w",
					       "allow b *:5 rw", "deny b *:5 w", NULL };
	struct bpf_insn small[4];
	struct dev_rules rs;

	(void)state;
	expect_program_matches(none);
	expect_program_matches(deny_all);
	expect_program_matches(runc_like);
	expect_program_matches(blacklist);
	expect_program_matches(partial);
	/* too little room: 0, nothing half-built is used */
	add_all(&rs, runc_like);
	assert_int_equal(devbpf_build(&rs.state, small, CTU_ARRAY_SIZE(small)), 0);
}

/* ---- the v1 <-> v2 conversions ---- */

static void expect_v2(const char *kv, const char *key, const char *value)
{
	_cleanup_err_ ctu_err_t err = NULL;
	struct setting s, out;

	if (setting_parse(kv, &s, &err) < 0)
		fail_msg("%s: %s", kv, err->msg);
	if (!key) {
		assert_false(setting_to_v2(&s, &out));
		return;
	}
	assert_true(setting_to_v2(&s, &out));
	assert_string_equal(out.key, key);
	assert_string_equal(out.value, value);
}

static void test_to_v2(void **state)
{
	(void)state;
	/* runc 1.1's and crun 1.8's linear mapping */
	assert_int_equal(shares_to_weight_linear(2), 1);
	assert_int_equal(shares_to_weight_linear(1024), 39);
	assert_int_equal(shares_to_weight_linear(262144), 10000);
	expect_v2("cpu.shares=1024", "cpu.weight", "39");
	expect_v2("cpu.shares=512", "cpu.weight", "20");
	expect_v2("blkio.weight=10", "io.weight", "1");
	expect_v2("blkio.weight=500", "io.weight", "4950");
	expect_v2("blkio.weight=1000", "io.weight", "10000");
	expect_v2("memory.soft_limit_in_bytes=1M", "memory.low", "1048576");
	expect_v2("memory.soft_limit_in_bytes=-1", "memory.low", "max");
	expect_v2("memory.limit_in_bytes=-1", "memory.max", "max");
	expect_v2("cpu.cfs_burst_us=5000", "cpu.max.burst", "5000");
	expect_v2("hugetlb.2MB.limit_in_bytes=4M", "hugetlb.2MB.max", "4194304");
	expect_v2("hugetlb.1GB.limit_in_bytes=-1", "hugetlb.1GB.max", "max");
	expect_v2("blkio.weight_device=8:0 500", "io.weight", "8:0 4950");
	expect_v2("blkio.throttle.read_bps_device=8:0 1048576", "io.max", "8:0 rbps=1048576");
	expect_v2("blkio.throttle.write_bps_device=8:16 0", "io.max", "8:16 wbps=max");
	expect_v2("blkio.throttle.read_iops_device=254:0 50", "io.max", "254:0 riops=50");
	expect_v2("blkio.throttle.write_iops_device=254:0 7", "io.max", "254:0 wiops=7");
	/* v2 names and others stay */
	expect_v2("cpu.weight=100", NULL, NULL);
	expect_v2("memory.low=1M", NULL, NULL);
	expect_v2("pids.max=5", NULL, NULL);
}

static bool all_exist(const char *file, void *ctx)
{
	(void)file;
	(void)ctx;
	return true;
}

static int to_v1(const char *kv, struct write_op ops[SETTING_OPS_MAX])
{
	_cleanup_err_ ctu_err_t err = NULL;
	struct setting s;

	if (setting_parse(kv, &s, &err) < 0)
		fail_msg("%s: %s", kv, err->msg);
	return setting_to_v1(&s, NULL, all_exist, NULL, ops, &err);
}

static void expect_op(const struct write_op *op, const char *file, const char *value)
{
	assert_string_equal(op->file, file);
	assert_string_equal(op->value, value);
}

static void test_to_v1(void **state)
{
	struct write_op ops[SETTING_OPS_MAX];

	(void)state;
	assert_int_equal(to_v1("memory.low=16M", ops), 1);
	expect_op(&ops[0], "memory.soft_limit_in_bytes", "16777216");
	assert_int_equal(to_v1("memory.low=max", ops), 1);
	expect_op(&ops[0], "memory.soft_limit_in_bytes", "-1");
	assert_int_equal(to_v1("cpu.max.burst=1000", ops), 1);
	expect_op(&ops[0], "cpu.cfs_burst_us", "1000");
	assert_int_equal(to_v1("hugetlb.2MB.max=max", ops), 1);
	expect_op(&ops[0], "hugetlb.2MB.limit_in_bytes", "-1");
	assert_int_equal(to_v1("hugetlb.2MB.limit_in_bytes=2M", ops), 1);
	expect_op(&ops[0], "hugetlb.2MB.limit_in_bytes", "2097152");
	assert_int_equal(to_v1("io.max=8:0 rbps=1 wbps=max riops=3 wiops=4", ops), 4);
	expect_op(&ops[0], "blkio.throttle.read_bps_device", "8:0 1");
	expect_op(&ops[1], "blkio.throttle.write_bps_device", "8:0 0");
	expect_op(&ops[2], "blkio.throttle.read_iops_device", "8:0 3");
	expect_op(&ops[3], "blkio.throttle.write_iops_device", "8:0 4");
	assert_int_equal(to_v1("io.max=254:16 wiops=9", ops), 1);
	expect_op(&ops[0], "blkio.throttle.write_iops_device", "254:16 9");
	assert_int_equal(to_v1("io.weight=8:16 10000", ops), 1);
	expect_op(&ops[0], "blkio.weight_device", "8:16 1000");
	assert_int_equal(to_v1("io.weight=default 100", ops), 1);
	expect_op(&ops[0], "blkio.weight", "20");
	/* v1 names on v1: as they are */
	assert_int_equal(to_v1("cpu.shares=512", ops), 1);
	expect_op(&ops[0], "cpu.shares", "512");
	assert_int_equal(to_v1("blkio.throttle.read_bps_device=8:0 5", ops), 1);
	expect_op(&ops[0], "blkio.throttle.read_bps_device", "8:0 5");
}

static void expect_bad_setting(const char *kv, const char *why)
{
	_cleanup_err_ ctu_err_t err = NULL;
	struct setting s;

	assert_true(setting_parse(kv, &s, &err) < 0);
	assert_int_equal(err->kind, CTU_ERR_USAGE);
	if (!strstr(err->msg, why))
		fail_msg("%s: got '%s'", kv, err->msg);
}

static void test_values(void **state)
{
	(void)state;
	expect_bad_setting("cpu.shares=1", "expected cpu shares from 2 to 262144");
	expect_bad_setting("cpu.shares=262145", "expected cpu shares from 2 to 262144");
	expect_bad_setting("blkio.weight=9", "expected a blkio weight from 10 to 1000");
	expect_bad_setting("blkio.weight=1001", "expected a blkio weight from 10 to 1000");
	expect_bad_setting("cpu.max.burst=-1", "expected a burst in microseconds");
	expect_bad_setting("memory.soft_limit_in_bytes=lots", "expected a size");
	expect_bad_setting("hugetlb.2MB.max=-1", "expected a size");
	expect_bad_setting("io.max=8:0", "expected \"MAJ:MIN rbps=N");
	expect_bad_setting("io.max=8:0 rbps=", "a limit is rbps=");
	expect_bad_setting("io.max=8:0 rbps=1 xbps=2", "a limit is rbps=");
	expect_bad_setting("io.max=8:0 rbps=-1", "a limit is rbps=");
	expect_bad_setting("io.max=sda rbps=1", "expected \"MAJ:MIN rbps=N");
	expect_bad_setting("io.max=4096:0 rbps=1", "expected \"MAJ:MIN rbps=N");
	expect_bad_setting("blkio.throttle.read_bps_device=8:0", "expected \"MAJ:MIN N\"");
	expect_bad_setting("blkio.throttle.read_bps_device=8:0 max", "expected \"MAJ:MIN N\"");
	expect_bad_setting("blkio.throttle.read_bps_device=8:0 1 2", "expected \"MAJ:MIN N\"");
	expect_bad_setting("io.weight=8:0 0", "expected a weight from 1 to 10000, \"default N\"");
	expect_bad_setting("io.weight=default", "expected a weight from 1 to 10000, \"default N\"");
	expect_bad_setting("io.weight=8:0", "expected a weight from 1 to 10000, \"default N\"");
	expect_bad_setting("blkio.weight_device=8:0 5", "expected \"MAJ:MIN N\", N from 10 to 1000");
}

static void test_per_device_settings(void **state)
{
	_cleanup_err_ ctu_err_t err = NULL;
	struct settings all = { .n = 0 };
	struct setting s;

	(void)state;
	assert_int_equal(setting_parse("io.max=8:0 rbps=1", &s, &err), 0);
	assert_int_equal(settings_add(&all, &s), 0);
	assert_int_equal(setting_parse("io.max=8:16 rbps=2", &s, &err), 0);
	assert_int_equal(settings_add(&all, &s), 0);
	assert_int_equal(all.n, 2);
	/* the same device again replaces its setting */
	assert_int_equal(setting_parse("io.max=8:0 wbps=3", &s, &err), 0);
	assert_int_equal(settings_add(&all, &s), 0);
	assert_int_equal(all.n, 2);
	assert_string_equal(all.s[0].value, "8:0 wbps=3");
	assert_int_equal(setting_parse("blkio.throttle.read_bps_device=8:0 1", &s, &err), 0);
	assert_int_equal(settings_add(&all, &s), 0);
	assert_int_equal(setting_parse("blkio.throttle.read_bps_device=8:1 1", &s, &err), 0);
	assert_int_equal(settings_add(&all, &s), 0);
	assert_int_equal(all.n, 4);
	assert_int_equal(setting_parse("io.weight=8:0 10", &s, &err), 0);
	assert_int_equal(settings_add(&all, &s), 0);
	assert_int_equal(setting_parse("io.weight=default 10", &s, &err), 0);
	assert_int_equal(settings_add(&all, &s), 0);
	assert_int_equal(all.n, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),	  cmocka_unit_test(test_v1_semantics),
		cmocka_unit_test(test_v1_refusals), cmocka_unit_test(test_program),
		cmocka_unit_test(test_to_v2),	  cmocka_unit_test(test_to_v1),
		cmocka_unit_test(test_values),	  cmocka_unit_test(test_per_device_settings),
	};

	return cmocka_run_group_tests_name("cgctl_devices", tests, NULL, NULL);
}
