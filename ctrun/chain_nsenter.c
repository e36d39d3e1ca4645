// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * chain_nsenter.c - nsenter-lite in the chain:
 *
 *	create: nsenter-lite --net=PATH ... -F --preserve-fds M --
 *	        the namespaces config.json joins by path, before unshare-lite makes
 *	        the new ones; -F: a joined pid namespace holds only the children of
 *	        unshare-lite, whose -f fork is the container's init.
 *	exec:   nsenter-lite -t PID -a -r -W CWD --join-cgroup --detach --info-fd I
 *	        then the process options of the process to run, -- ARGS.
 */
#include <stdio.h>

#include "chain.h"

/* nsenter-lite's long option of each namespace type. */
static const char *const join_opts[CT_N_NS] = {
	[CT_NS_USER] = "--user",     [CT_NS_MNT] = "--mount", [CT_NS_UTS] = "--uts",
	[CT_NS_IPC] = "--ipc",	     [CT_NS_NET] = "--net",   [CT_NS_PID] = "--pid",
	[CT_NS_CGROUP] = "--cgroup", [CT_NS_TIME] = "--time",
};

int ct_nsenter_words(struct ct_build *b)
{
	int r = ct_w_tool(b, "nsenter-lite");

	if (r < 0)
		return r;
	for (size_t t = 0; t < CT_N_NS; t++)
		if (b->ns_path[t])
			ct_wf(b, "%s=%s", join_opts[t], b->ns_path[t]);
	ct_w(b, "-F");
	ct_wopt_u(b, "--preserve-fds", b->m);
	ct_w(b, "--");
	return 0;
}

int ct_exec_head_words(struct ct_build *b)
{
	const struct ct_chain_in *in = b->in;
	const char *cwd = ct_js(in->process, "cwd");
	char root[64];
	int r = ct_w_tool(b, "nsenter-lite");

	if (r < 0)
		return r;
	ct_wf(b, "-t");
	ct_wf(b, "%d", (int)in->target);
	ct_w(b, "-a");
	ct_w(b, "-r");
	ct_wopt(b, "-W", cwd && *cwd ? cwd : "/");
	ct_w(b, "--join-cgroup");
	if (!in->bare) {
		ct_w(b, "--detach");
		ct_wopt_u(b, "--info-fd", (unsigned long long)in->fds.info);
	}
	/* HOME is looked up in the container's own root */
	snprintf(root, sizeof(root), "/proc/%d/root", (int)in->target);
	return ct_process_words(b, in->process, "/process", root, false);
}
