/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cnibridge.h - what the files of ctutils-bridge share: one attachment at
 * work (cnibridge.c makes its links and addresses) and its nftables
 * elements (cnibridge-nft.c: ipMasq and portMappings in "inet ctutils",
 * macspoofchk in "bridge ctutils"), all owned by cni_owner().
 */
#ifndef VETHCTL_CNIBRIDGE_H
#define VETHCTL_CNIBRIDGE_H

#include <net/if.h>
#include <stdbool.h>

#include "cni.h"
#include "nat.h"
#include "undo.h"
#include "vethctl.h"

/* An address of the container's interface, from the IPAM result. */
struct cni_ip {
	struct ipaddr ip;
	unsigned int plen;
	bool has_gw;
	struct ipaddr gw;
};

/* One container's attachment at work: ADD, DEL, CHECK. */
struct attachment {
	struct cni_req *r;
	struct bridge_conf c;
	struct vethctl v;   /* v.host: a socket in our namespace (the host's), for nat_run too */
	struct nlsock cs;   /* a socket in CNI_NETNS */
	char host_end[IFNAMSIZ];
	unsigned char host_mac[6], cont_mac[6];
	char owner[OWNER_MAX + 1]; /* cni:HASH16:NET:CID12:IFNAME */
	char key[OWNER_MAX + 1];   /* cni:HASH16: */
	struct cni_ip *ips;	   /* the container's addresses (ADD: from IPAM) */
	size_t nips;
	struct ctu_undo undo;
};

/* ---- cnibridge.c: the attachment, for CHECK, STATUS and GC (cnibridge-check.c) ---- */

/* @a for request @r: the config parsed, the owner, a socket in our namespace. */
int attachment_open(struct attachment *a, struct cni_req *r, ctu_err_t *err);
void attachment_free(struct attachment *a);
/* a->cs: a socket in CNI_NETNS. */
int container_socket(struct attachment *a, ctu_err_t *err);
/* The link's MAC as "aa:bb:..." into @buf. */
void link_mac(struct rtnl_link *l, char *buf, size_t size);
/* "10.88.0.2/24" into @ip and *@plen (@plen NULL: no prefix allowed).  0 or -EINVAL. */
int ip_cidr_parse(const char *s, struct ipaddr *ip, unsigned int *plen);
/* "@ip/@plen" into @buf. */
void ip_cidr_text(const struct ipaddr *ip, unsigned int plen, char *buf, size_t size);
/* The "ips" of an IPAM result (or prevResult) as a->ips. */
int read_ips(struct attachment *a, json_t *ips, ctu_err_t *err);

/* The kernel's failure @r on @s as a 999 error "WHAT: why". */
int kernel_err(struct nlsock *s, int r, ctu_err_t *err, const char *what);

/* ---- cnibridge-inside.c: inside CNI_NETNS ------------------------------------------ */

/* @ip/@plen as a libnl address (caller puts it), or NULL. */
struct nl_addr *nl_ip(const struct ipaddr *ip, unsigned int plen);
/* The sysctls, addresses and routes of the IPAM @result on IFNAME (a->cs). */
int configure_container(struct attachment *a, json_t *result, ctu_err_t *err);
/* IFNAME up. */
int container_up(struct attachment *a, ctu_err_t *err);

/* The network's part of our owners ("NET" of cni:HASH16:NET:...), as cni_owner() writes it. */
void owner_net_part(const char *net, char *out, size_t size);

/*
 * ipMasq and runtimeConfig.portMappings of @a's addresses: one transaction
 * of "inet ctutils", owner a->owner.  A taken port is a 999 naming its owner.
 */
int bridge_nat_add(struct attachment *a, ctu_err_t *err);
/* macspoofchk: the host end and the container's MAC in "bridge ctutils". */
int spoof_add(struct attachment *a, ctu_err_t *err);
/* Every element of a->key, in both tables (with conntrack entries of its mappings). */
int bridge_nft_del(struct attachment *a, ctu_err_t *err);
/* CHECK: an element per portMapping, aimed at @a's addresses. */
int bridge_nft_check(struct attachment *a, ctu_err_t *err);
/* STATUS: nftables usable in our namespace. */
int bridge_nft_status(struct vethctl *v, ctu_err_t *err);
/*
 * GC: the elements of network @net whose key is none of @keys (@nkeys of
 * them) removed; a failure is said in *@err.
 */
int bridge_nft_gc(struct vethctl *v, const char *net, char (*keys)[OWNER_MAX + 1],
		  size_t nkeys, ctu_err_t *err);

#endif
