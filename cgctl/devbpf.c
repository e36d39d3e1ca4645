// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * devbpf.c - --device-rule on cgroup v2: one BPF_CGROUP_DEVICE program
 * that says what the v1 list the rules leave would say (devices.h), loaded
 * and attached with libbpf, replacing the one cgctl attached before.
 *
 * The shape is crun's (src/libcrun/ebpf.c) and systemd's: the request's
 * type, access, major and minor go into registers once, then one block per
 * exception jumps to the next block unless the request matches, else
 * returns the exception's verdict; the last block returns the default.
 * Unlike crun's list, where the last matching rule wins, the blocks hold
 * the v1 list, so a rule means on v2 what it means on v1.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <unistd.h>

#include "ctu.h"
#include "devices.h"

/* Our programs' name: how a later cgctl finds the one to replace. */
#define PROG_NAME "cgctl_devices"

/* The kernel's BPF_CGROUP_MAX_PROGS. */
#define ATTACHED_MAX 64

/* ---- the program ------------------------------------------------------------- */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off,
				  .imm = imm };
}

/* dst = *(u32 *)(r1 + off): a field of struct bpf_cgroup_dev_ctx */
static struct bpf_insn load_ctx(uint8_t dst, int16_t off)
{
	return insn(BPF_LDX | BPF_W | BPF_MEM, dst, BPF_REG_1, off, 0);
}

static struct bpf_insn alu32(uint8_t op, uint8_t dst, int32_t imm)
{
	return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn jump_imm(uint8_t op, uint8_t dst, int32_t imm, int16_t off)
{
	return insn(BPF_JMP | op | BPF_K, dst, 0, off, imm);
}

/* r2 = type, r3 = access, r4 = major, r5 = minor */
static size_t preamble(struct bpf_insn *p)
{
	p[0] = load_ctx(BPF_REG_2, 0);
	p[1] = alu32(BPF_AND, BPF_REG_2, 0xffff);
	p[2] = load_ctx(BPF_REG_3, 0);
	p[3] = alu32(BPF_RSH, BPF_REG_3, 16);
	p[4] = load_ctx(BPF_REG_4, 4);
	p[5] = load_ctx(BPF_REG_5, 8);
	return 6;
}

static size_t verdict(struct bpf_insn *p, bool allow)
{
	p[0] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, allow ? 1 : 0);
	p[1] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return 2;
}

/*
 * The access test of exception @ex: in an allow-all list a deny exception
 * matches if the request shares a bit with it; in a deny-all list an allow
 * exception matches if it holds every bit asked for.  None for rwm.
 */
static size_t access_test(struct bpf_insn *p, const struct dev_rule *ex, bool default_allow,
			  int16_t to_next)
{
	int32_t mask = default_allow ? ex->access : (~ex->access & DEV_ACC_ALL);

	if (ex->access == DEV_ACC_ALL)
		return 0;
	p[0] = insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
	p[1] = alu32(BPF_AND, BPF_REG_1, mask);
	p[2] = jump_imm(default_allow ? BPF_JEQ : BPF_JNE, BPF_REG_1, 0, to_next);
	return 3;
}

/* The instructions of one exception's block. */
static size_t block_size(const struct dev_rule *ex)
{
	return 1 + (ex->major != DEV_ANY) + (ex->minor != DEV_ANY) +
	       (ex->access == DEV_ACC_ALL ? 0 : 3) + 2;
}

static size_t block(struct bpf_insn *p, const struct dev_rule *ex, bool default_allow)
{
	int32_t type = ex->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
	size_t size = block_size(ex), n = 0;

	/* each jump goes past the block's verdict: its offset counts from the next insn */
	p[n] = jump_imm(BPF_JNE, BPF_REG_2, type, (int16_t)(size - n - 1));
	n++;
	if (ex->major != DEV_ANY) {
		p[n] = jump_imm(BPF_JNE, BPF_REG_4, ex->major, (int16_t)(size - n - 1));
		n++;
	}
	if (ex->minor != DEV_ANY) {
		p[n] = jump_imm(BPF_JNE, BPF_REG_5, ex->minor, (int16_t)(size - n - 1));
		n++;
	}
	n += access_test(p + n, ex, default_allow, (int16_t)(size - n - 3));
	n += verdict(p + n, !default_allow);
	return n;
}

size_t devbpf_build(const struct dev_state *s, struct bpf_insn *insns, size_t max)
{
	size_t n = 6 + 2;

	for (size_t i = 0; i < s->n; i++)
		n += block_size(&s->ex[i]);
	if (n > max)
		return 0;
	n = preamble(insns);
	for (size_t i = 0; i < s->n; i++)
		n += block(insns + n, &s->ex[i], s->default_allow);
	n += verdict(insns + n, s->default_allow);
	return n;
}

/* ---- loading and attaching ------------------------------------------------- */

static int load_program(const struct dev_rules *rs, ctu_err_t *err)
{
	_cleanup_free_ struct bpf_insn *insns = calloc(DEVBPF_INSNS_MAX, sizeof(*insns));
	static char log[16384];
	struct bpf_prog_load_opts opts = { .sz = sizeof(opts) };
	size_t n;
	int fd;

	if (!insns)
		return ctu_err_make(err, ENOMEM, "cannot build the device filter");
	n = devbpf_build(&rs->state, insns, DEVBPF_INSNS_MAX);
	fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, PROG_NAME, "GPL", insns, n, &opts);
	if (fd >= 0)
		return fd;
	/* again with the verifier's log, for the message */
	opts.log_buf = log;
	opts.log_size = sizeof(log);
	opts.log_level = 1;
	fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, PROG_NAME, "GPL", insns, n, &opts);
	if (fd >= 0)
		return fd;
	log[strcspn(log, "\n")] = '\0';
	return ctu_err_make(err, errno, "cannot load the device filter (BPF_PROG_TYPE_CGROUP_DEVICE)"
			    "%s%s", *log ? ": " : "", log);
}

/* Whether the program @id is one of ours; its fd (to replace or detach it) in *@fd. */
static bool is_ours(uint32_t id, int *fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	*fd = bpf_prog_get_fd_by_id(id);
	if (*fd < 0)
		return false; /* gone meanwhile */
	if (bpf_obj_get_info_by_fd(*fd, &info, &len) == 0 && strcmp(info.name, PROG_NAME) == 0)
		return true;
	close(*fd);
	*fd = -1;
	return false;
}

/* The fds of our programs attached to @cg, into @fds: their number, or -errno. */
static int find_ours(int cg, int fds[ATTACHED_MAX])
{
	uint32_t ids[ATTACHED_MAX], cnt = ATTACHED_MAX, flags = 0;
	int n = 0;

	if (bpf_prog_query(cg, BPF_CGROUP_DEVICE, 0, &flags, ids, &cnt) < 0)
		return -errno;
	for (uint32_t i = 0; i < cnt && i < ATTACHED_MAX; i++)
		if (is_ours(ids[i], &fds[n]))
			n++;
	return n;
}

/*
 * Attaches @prog in place of @old (or beside the others if @old < 0).
 * Returns 1 if @old went with it, 0 if @old is still to be detached.
 */
static int attach(int cg, int prog, int old)
{
	/* what libbpf's LIBBPF_OPTS() expands to, spelt out */
	struct bpf_prog_attach_opts opts = { .sz = sizeof(opts), .flags = BPF_F_ALLOW_MULTI };

	if (old >= 0) {
		opts.flags |= BPF_F_REPLACE;
		opts.replace_prog_fd = old;
		if (bpf_prog_attach_opts(prog, cg, BPF_CGROUP_DEVICE, &opts) == 0)
			return 1;
		/* before 5.6 there is no BPF_F_REPLACE: attach, then detach */
		if (errno != EINVAL)
			return -errno;
		opts.flags = BPF_F_ALLOW_MULTI;
		opts.replace_prog_fd = 0;
	}
	if (bpf_prog_attach_opts(prog, cg, BPF_CGROUP_DEVICE, &opts) < 0)
		return -errno;
	return 0;
}

static int attach_error(const char *dir, int r, ctu_err_t *err)
{
	if (r == -EPERM)
		return ctu_err_make(err, EPERM, "cannot attach the device filter to %s (is a program "
				    "attached there without BPF_F_ALLOW_MULTI?)", dir);
	return ctu_err_make(err, -r, "cannot attach the device filter to %s", dir);
}

static void close_all(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* The old ones from @first on detached, now that the new filter is in place. */
static int detach_old(const char *dir, int cg, int *ours, int first, int n, ctu_err_t *err)
{
	int failed = 0;

	for (int i = first; i < n; i++)
		if (bpf_prog_detach2(ours[i], cg, BPF_CGROUP_DEVICE) < 0 && errno != ENOENT)
			failed = errno;
	if (failed)
		return ctu_err_make(err, failed, "cannot detach the old device filter of %s", dir);
	return 0;
}

int devbpf_apply(const char *dir, const struct dev_rules *rs, ctu_err_t *err)
{
	_cleanup_close_ int cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int prog = -1;
	int ours[ATTACHED_MAX] = { 0 }, n, r;

	if (cg < 0)
		return ctu_err_make(err, errno, "cannot open %s", dir);
	n = find_ours(cg, ours);
	if (n < 0)
		return ctu_err_make(err, -n, "cannot query the device filters of %s", dir);
	prog = load_program(rs, err);
	r = prog < 0 ? prog : attach(cg, prog, n ? ours[0] : -1);
	if (r >= 0)
		r = detach_old(dir, cg, ours, r, n, err);
	else if (prog >= 0)
		attach_error(dir, r, err);
	close_all(ours, n);
	return r < 0 ? ctu_err_code(*err) : 0;
}
