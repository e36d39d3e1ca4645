// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cnibridge-conf.c - the config of ctutils-bridge: the reference bridge
 * plugin's keys (and portmap's runtimeConfig.portMappings and snat), read
 * from stdin parsed and checked before anything is made.  Unknown keys are
 * ignored, as Go's encoding/json does; a null member is as absent.  Pure:
 * no system call, fuzzed (tests/fuzz/fuzz_cni_conf.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctu.h"
#include "cni.h"

/* A getter's failure (wrong type) as a CNI decode error. */
static int decode_err(ctu_err_t *err)
{
	ctu_err_wrap(err, "failed to load netconf");
	return ctu_err_set_code(err, CNI_ERR_DECODE);
}

static int get_bool(json_t *o, const char *path, const char *key, bool *out, ctu_err_t *err)
{
	return ctu_json_get_bool(o, path, key, false, out, err) < 0 ? decode_err(err) : 0;
}

static int get_string(json_t *o, const char *path, const char *key, const char **out,
		      ctu_err_t *err)
{
	return ctu_json_get_string(o, path, key, false, out, err) < 0 ? decode_err(err) : 0;
}

static int get_int(json_t *o, const char *path, const char *key, json_int_t *out, ctu_err_t *err)
{
	return ctu_json_get_int(o, path, key, false, out, err) < 0 ? decode_err(err) : 0;
}

static int get_object(json_t *o, const char *path, const char *key, json_t **out, ctu_err_t *err)
{
	*out = NULL;
	return ctu_json_get_object(o, path, key, false, out, err) < 0 ? decode_err(err) : 0;
}

/* A key we refuse: 2, its name and value said. */
static int refused(ctu_err_t *err, const char *key, json_t *value, const char *why)
{
	_cleanup_free_ char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	char shown[128];

	/* a value of any size may come: say its beginning */
	snprintf(shown, sizeof(shown), "%s", text ? text : "?");
	if (text && strlen(text) >= sizeof(shown))
		memcpy(shown + sizeof(shown) - 4, "...", 4);
	return cni_err(err, CNI_ERR_UNSUPPORTED, why, "unsupported config key \"%s\": %s", key,
		       shown);
}

/* Keys of the reference (or of portmap) that ctutils-bridge does not do. */
static int refused_keys(json_t *conf, ctu_err_t *err)
{
	static const struct {
		const char *key, *why;
	} keys[] = {
		{ "vlanTrunk", "ctutils-bridge makes no trunk ports" },
		{ "conditionsV4", "portmap's iptables conditions have no nftables equivalent here" },
		{ "conditionsV6", "portmap's iptables conditions have no nftables equivalent here" },
		{ "externalSetMarkChain", "masquerading is done by the inet ctutils table" },
	};
	json_t *v;

	for (size_t i = 0; i < CTU_ARRAY_SIZE(keys); i++) {
		v = json_object_get(conf, keys[i].key);
		if (v && !json_is_null(v))
			return refused(err, keys[i].key, v, keys[i].why);
	}
	v = json_object_get(conf, "ipMasqBackend");
	if (v && !json_is_null(v) && !(json_is_string(v) && !strcmp(json_string_value(v), "nftables")))
		return refused(err, "ipMasqBackend", v, "masquerading is done with nftables only");
	return 0;
}

/* An interface name the kernel takes: 1..15 bytes, no '/', ':' or blanks, not "." or "..". */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	return true;
}

/* "aa:bb:cc:dd:ee:ff" or with '-' (Go's net.ParseMAC, 6-byte forms). */
static bool parse_mac(const char *s, unsigned char *mac)
{
	if (strlen(s) != 17)
		return false;
	for (size_t i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		char *end;
		char hex[3] = { p[0], p[1], '\0' };

		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
		    (i < 5 && p[2] != s[2]) || (i == 5 && p[2] != '\0'))
			return false;
		mac[i] = (unsigned char)strtoul(hex, &end, 16);
	}
	return s[2] == ':' || s[2] == '-';
}

/* The MAC: CNI_ARGS MAC, then args.cni.mac, then runtimeConfig.mac (the last one given wins). */
static int mac_value(json_t *conf, const char *args_mac, struct bridge_conf *c, ctu_err_t *err)
{
	const char *macs[3] = { args_mac, NULL, NULL };
	json_t *args = NULL, *cni = NULL, *rc = NULL;

	if (get_object(conf, "", "args", &args, err) < 0 ||
	    (args && get_object(args, ".args", "cni", &cni, err) < 0) ||
	    (cni && get_string(cni, ".args.cni", "mac", &macs[1], err) < 0) ||
	    get_object(conf, "", "runtimeConfig", &rc, err) < 0 ||
	    (rc && get_string(rc, ".runtimeConfig", "mac", &macs[2], err) < 0))
		return ctu_err_code(*err);
	for (int i = 0; i < 3; i++) {
		if (!macs[i] || !*macs[i])
			continue;
		if (!parse_mac(macs[i], c->mac))
			return cni_err(err, CNI_ERR_CONFIG, NULL, "invalid MAC address \"%s\"",
				       macs[i]);
		c->has_mac = true;
	}
	return 0;
}

static unsigned char proto_of(const char *s)
{
	if (!s || !*s || !strcasecmp(s, "tcp"))
		return IPPROTO_TCP;
	if (!strcasecmp(s, "udp"))
		return IPPROTO_UDP;
	if (!strcasecmp(s, "sctp"))
		return IPPROTO_SCTP;
	return 0;
}

/* One portMappings entry, as portmap checks it. */
static int portmap_value(json_t *e, const char *path, struct bridge_portmap *pm, ctu_err_t *err)
{
	json_int_t host = 0, cont = 0;
	const char *proto = NULL, *host_ip = NULL;
	unsigned char b[16];

	if (!json_is_object(e))
		return cni_err(err, CNI_ERR_DECODE, NULL, "failed to load netconf: %s: not an object",
			       path);
	if (get_int(e, path, "hostPort", &host, err) < 0 ||
	    get_int(e, path, "containerPort", &cont, err) < 0 ||
	    get_string(e, path, "protocol", &proto, err) < 0 ||
	    get_string(e, path, "hostIP", &host_ip, err) < 0)
		return ctu_err_code(*err);
	if (cont <= 0 || cont > 65535)
		return cni_err(err, CNI_ERR_CONFIG, NULL, "Invalid container port number: %lld",
			       (long long)cont);
	if (host <= 0 || host > 65535)
		return cni_err(err, CNI_ERR_CONFIG, NULL, "Invalid host port number: %lld",
			       (long long)host);
	pm->host_port = (unsigned int)host;
	pm->container_port = (unsigned int)cont;
	pm->proto = proto_of(proto);
	if (!pm->proto)
		return cni_err(err, CNI_ERR_CONFIG, NULL, "%s.protocol: unknown protocol \"%s\"",
			       path, proto);
	pm->host_any = true;
	if (!host_ip || !*host_ip)
		return 0;
	if (inet_pton(AF_INET, host_ip, b) == 1)
		pm->host_family = AF_INET;
	else if (inet_pton(AF_INET6, host_ip, b) == 1)
		pm->host_family = AF_INET6;
	else
		return cni_err(err, CNI_ERR_CONFIG, NULL, "%s.hostIP: invalid address \"%s\"", path,
			       host_ip);
	memcpy(pm->host_ip, b, sizeof(b));
	/* 0.0.0.0 and :: are every address of their family (portmap: IsUnspecified) */
	static const unsigned char zero[16];
	pm->host_any = !memcmp(b, zero, pm->host_family == AF_INET ? 4 : 16);
	return 0;
}

static int portmaps_value(json_t *conf, struct bridge_conf *c, ctu_err_t *err)
{
	json_t *rc = NULL, *list = NULL;
	char path[64];

	if (get_object(conf, "", "runtimeConfig", &rc, err) < 0)
		return ctu_err_code(*err);
	if (rc && ctu_json_get_array(rc, ".runtimeConfig", "portMappings", false, &list, err) < 0)
		return decode_err(err);
	if (!list || !json_array_size(list))
		return 0;
	c->ports = calloc(json_array_size(list), sizeof(*c->ports));
	if (!c->ports)
		return cni_err(err, CNI_ERR_INTERNAL, NULL, "out of memory");
	for (size_t i = 0; i < json_array_size(list); i++) {
		ctu_json_path_index(path, sizeof(path), ".runtimeConfig.portMappings", i);
		if (portmap_value(json_array_get(list, i), path, &c->ports[i], err) < 0)
			return ctu_err_code(*err);
		c->nports++;
	}
	return 0;
}

/* The booleans, all optional and false by default (snat: true). */
static int flags_value(json_t *conf, struct bridge_conf *c, ctu_err_t *err)
{
	const struct {
		const char *key;
		bool *out;
	} flags[] = {
		{ "isGateway", &c->is_gw },
		{ "isDefaultGateway", &c->is_default_gw },
		{ "forceAddress", &c->force_address },
		{ "ipMasq", &c->ip_masq },
		{ "hairpinMode", &c->hairpin },
		{ "promiscMode", &c->promisc },
		{ "macspoofchk", &c->macspoofchk },
		{ "enabledad", &c->enabledad },
		{ "portIsolation", &c->port_isolation },
		{ "disableContainerInterface", &c->disable_container_iface },
		{ "preserveDefaultVlan", &c->preserve_default_vlan },
		{ "snat", &c->snat },
	};

	/* as the reference: VID 1 stays on a vlan port unless asked to go */
	c->snat = true;
	c->preserve_default_vlan = true;
	for (size_t i = 0; i < CTU_ARRAY_SIZE(flags); i++)
		if (get_bool(conf, "", flags[i].key, flags[i].out, err) < 0)
			return ctu_err_code(*err);
	if (c->is_default_gw)
		c->is_gw = true;
	return 0;
}

static int numbers_value(json_t *conf, struct bridge_conf *c, ctu_err_t *err)
{
	json_int_t mtu = 0, vlan = 0;

	if (get_int(conf, "", "mtu", &mtu, err) < 0 || get_int(conf, "", "vlan", &vlan, err) < 0)
		return ctu_err_code(*err);
	/* 68: the least IPv4 needs (and a veth's minimum); 65535: a veth's maximum */
	if (mtu != 0 && (mtu < 68 || mtu > 65535))
		return cni_err(err, CNI_ERR_CONFIG, NULL, "invalid MTU %lld (must be between 68 and 65535)",
			       (long long)mtu);
	if (vlan < 0 || vlan > 4094)
		return cni_err(err, CNI_ERR_CONFIG, NULL,
			       "invalid VLAN ID %lld (must be between 0 and 4094)", (long long)vlan);
	c->mtu = (unsigned int)mtu;
	c->vlan = (unsigned int)vlan;
	return 0;
}

/* The combinations the reference refuses (7), and the one we refuse (2). */
static int combinations(json_t *conf, const struct bridge_conf *c, ctu_err_t *err)
{
	if (c->hairpin && c->promisc)
		return cni_err(err, CNI_ERR_CONFIG, NULL,
			       "cannot set hairpin mode and promiscuous mode at the same time");
	if (c->ipam_type && c->disable_container_iface)
		return cni_err(err, CNI_ERR_CONFIG, NULL,
			       "cannot use IPAM when DisableContainerInterface flag is set");
	if (c->vlan && c->is_gw)
		return refused(err, "vlan", json_object_get(conf, "vlan"),
			       "with isGateway the reference adds a BRIDGE.VLAN gateway veth, which "
			       "ctutils-bridge does not make");
	return 0;
}

static int ipam_value(json_t *conf, struct bridge_conf *c, ctu_err_t *err)
{
	json_t *ipam = NULL;
	const char *type = NULL;

	if (get_object(conf, "", "ipam", &ipam, err) < 0 ||
	    (ipam && get_string(ipam, ".ipam", "type", &type, err) < 0))
		return ctu_err_code(*err);
	c->ipam_type = type && *type ? type : NULL;
	return 0;
}

int bridge_conf_parse(json_t *conf, const char *args_mac, struct bridge_conf *out,
		      ctu_err_t *err)
{
	memset(out, 0, sizeof(*out));
	out->bridge = "cni0";
	if (!json_is_object(conf))
		return cni_err(err, CNI_ERR_DECODE, NULL, "failed to load netconf: not an object");
	if (refused_keys(conf, err) < 0 || get_string(conf, "", "bridge", &out->bridge, err) < 0 ||
	    flags_value(conf, out, err) < 0 || numbers_value(conf, out, err) < 0 ||
	    ipam_value(conf, out, err) < 0 || get_object(conf, "", "dns", &out->dns, err) < 0 ||
	    get_object(conf, "", "prevResult", &out->prev_result, err) < 0 ||
	    mac_value(conf, args_mac, out, err) < 0 || portmaps_value(conf, out, err) < 0 ||
	    combinations(conf, out, err) < 0)
		return ctu_err_code(*err);
	if (!ifname_ok(out->bridge))
		return cni_err(err, CNI_ERR_CONFIG, NULL, "invalid bridge name \"%s\"", out->bridge);
	return 0;
}

void bridge_conf_free(struct bridge_conf *c)
{
	free(c->ports);
	c->ports = NULL;
	c->nports = 0;
}
