// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * chain_unshare.c - unshare-lite in the chain: the new namespaces and
 * what is set in them from outside (id maps, time offsets) or inside
 * before pivot (hostname, domainname, sysctl, the session keyring):
 *
 *	unshare-lite -U --map-users C:H:N ... --setgroups allow -S 0 -G 0 -m -u -i -n -p -C -T
 *	    -f --detach --propagation unchanged --hostname H --domainname D
 *	    --sysctl K=V --monotonic S --boottime S --new-keyring --info-fd I
 *	    --preserve-fds M --
 *
 * -f always: the fork is the container's init (in a new or joined pid
 * namespace); --detach leaves it to the caller's subreaper, as runc's.
 */
#include <inttypes.h>
#include <stdio.h>

#include "chain.h"

static void id_maps(struct ct_build *b, const char *key, const char *opt)
{
	size_t i;
	json_t *m;

	json_array_foreach (ct_j(ct_j(b->in->cfg, "linux"), key), i, m) {
		uint64_t c = 0, h = 0, n = 0;

		ct_ju(m, "containerID", &c);
		ct_ju(m, "hostID", &h);
		ct_ju(m, "size", &n);
		ct_w(b, opt);
		ct_wf(b, "%" PRIu64 ":%" PRIu64 ":%" PRIu64, c, h, n);
	}
}

static void new_namespaces(struct ct_build *b)
{
	static const char *const flags[CT_N_NS] = {
		[CT_NS_USER] = NULL, [CT_NS_MNT] = "-m", [CT_NS_UTS] = "-u",	[CT_NS_IPC] = "-i",
		[CT_NS_NET] = "-n",  [CT_NS_PID] = "-p", [CT_NS_CGROUP] = "-C", [CT_NS_TIME] = "-T",
	};

	if (b->ns_new[CT_NS_USER]) {
		ct_w(b, "-U");
		id_maps(b, "uidMappings", "--map-users");
		id_maps(b, "gidMappings", "--map-groups");
		ct_wopt(b, "--setgroups", "allow");
		/*
		 * Root of the new namespace, as runc's nsexec: the host's root is
		 * not mapped there (an overflow id), and pivot must run as uid 0
		 * to keep its capabilities across the execve.
		 */
		ct_wopt(b, "-S", "0");
		ct_wopt(b, "-G", "0");
	}
	for (size_t t = 0; t < CT_N_NS; t++)
		if (flags[t] && b->ns_new[t])
			ct_w(b, flags[t]);
}

/* hostname and domainname: set in a new uts namespace (a joined one is its owner's). */
static void uts_names(struct ct_build *b)
{
	const char *host = ct_js(b->in->cfg, "hostname"), *domain = ct_js(b->in->cfg, "domainname");

	if (!b->ns_new[CT_NS_UTS])
		return;
	if (host)
		ct_wopt(b, "--hostname", host);
	if (domain)
		ct_wopt(b, "--domainname", domain);
}

static void sysctls(struct ct_build *b)
{
	const char *key;
	json_t *v;

	json_object_foreach (ct_j(ct_j(b->in->cfg, "linux"), "sysctl"), key, v) {
		ct_w(b, "--sysctl");
		ct_wf(b, "%s=%s", key, json_string_value(v));
	}
}

/* SECS[.NS] of secs + nanosecs (0 <= nanosecs < 1e9): -1 s + 5 ns is -0.999999995. */
static void offset_word(struct ct_build *b, int64_t secs, uint64_t ns)
{
	if (!ns)
		ct_wf(b, "%" PRId64, secs);
	else if (secs >= 0)
		ct_wf(b, "%" PRId64 ".%09" PRIu64, secs, ns);
	else
		ct_wf(b, "-%" PRId64 ".%09" PRIu64, -(secs + 1), 1000000000 - ns);
}

/* linux.timeOffsets: {"monotonic": {"secs": S, "nanosecs": N}, "boottime": ...} */
static void time_offsets(struct ct_build *b)
{
	static const char *const clocks[] = { "monotonic", "boottime" };
	json_t *offs = ct_j(ct_j(b->in->cfg, "linux"), "timeOffsets");

	if (!b->ns_new[CT_NS_TIME])
		return;
	for (size_t i = 0; i < 2; i++) {
		json_t *o = ct_j(offs, clocks[i]);
		int64_t secs = 0;
		uint64_t ns = 0;

		if (!o)
			continue;
		ct_ji(o, "secs", &secs);
		ct_ju(o, "nanosecs", &ns);
		ct_wf(b, "--%s", clocks[i]);
		offset_word(b, secs, ns % 1000000000);
	}
}

int ct_unshare_words(struct ct_build *b)
{
	int r = ct_w_tool(b, "unshare-lite");

	if (r < 0)
		return r;
	new_namespaces(b);
	ct_w(b, "-f");
	if (!b->in->bare)
		ct_w(b, "--detach");
	ct_wopt(b, "--propagation", "unchanged");
	uts_names(b);
	sysctls(b);
	time_offsets(b);
	if (!b->in->no_new_keyring)
		ct_w(b, "--new-keyring");
	if (!b->in->bare)
		ct_wopt_u(b, "--info-fd", (unsigned long long)b->in->fds.info);
	ct_wopt_u(b, "--preserve-fds", b->m);
	ct_w(b, "--");
	return 0;
}
