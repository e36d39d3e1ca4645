// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cgbpf DIR - the BPF_CGROUP_DEVICE programs attached to the cgroup (v2)
 * directory DIR, one "ID NAME" line each, as the kernel reports them
 * (BPF_PROG_QUERY, then each program's info): what cgctl-oci.bats reads to
 * see that --device-rule replaced its program instead of adding one.
 * Raw bpf(2), so that it links statically without libbpf.
 */
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int print_program(uint32_t id)
{
	struct bpf_prog_info info;
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	fd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info = (uint64_t)(uintptr_t)&info;
	attr.info.info_len = sizeof(info);
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0) {
		close(fd);
		return -1;
	}
	printf("%u %s\n", id, info.name);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t ids[64];
	union bpf_attr attr;
	int cg;

	if (argc != 2) {
		fprintf(stderr, "usage: cgbpf CGROUP_DIR\n");
		return 2;
	}
	cg = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (cg < 0) {
		perror(argv[1]);
		return 1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cg;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = 64;
	if (sys_bpf(BPF_PROG_QUERY, &attr) < 0) {
		perror("BPF_PROG_QUERY");
		return 1;
	}
	for (uint32_t i = 0; i < attr.query.prog_cnt && i < 64; i++)
		if (print_program(ids[i]) < 0) {
			perror("program info");
			return 1;
		}
	return 0;
}
