/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cni.h - vethctl and the Container Network Interface, both sides of it.
 *
 * The plugin side: vethctl run with CNI_COMMAND set and no arguments (as
 * ctutils-bridge, or ctutils-host-local) is a CNI plugin, the reference
 * bridge plugin's config keys in, its results out (cni.c: the protocol;
 * cnibridge.c: the bridge plugin's operations; cniipam.c and hostlocal.c:
 * IPAM, delegated or built in).  The runtime side: `vethctl cni add|check|
 * del|gc|status|ls` runs a conflist of any plugins against a namespace, as
 * libcni's cnitool would (cnirt.c), executing plugins through cniexec.c.
 *
 * Results travel inside as JSON in the newest layout (1.1.0): "interfaces"
 * [{name, mac, mtu?, sandbox?}], "ips" [{address, gateway?, interface?}],
 * "routes" [{dst, gw?, ...}], "dns" {}.  cni_result_from() brings any
 * version's result to it, cni_result_to() takes it to the request's.
 *
 * Errors are the one error value of lib/err: the CNI code in err->code
 * (ctu_err_set_code; 0 prints as 999), the message in err->msg with the
 * errno's text, the "details" in err->hint.
 */
#ifndef VETHCTL_CNI_H
#define VETHCTL_CNI_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "json.h"

/* The CNI error codes (SPEC "Error" and libcni's types). */
enum {
	CNI_ERR_VERSION = 1,	  /* incompatible CNI version */
	CNI_ERR_UNSUPPORTED = 2,  /* unsupported field: a key we refuse */
	CNI_ERR_CONTAINER = 3,	  /* unknown container */
	CNI_ERR_ENV = 4,	  /* invalid environment variables */
	CNI_ERR_IO = 5,		  /* I/O failure: stdin unreadable or too big */
	CNI_ERR_DECODE = 6,	  /* failed to decode content */
	CNI_ERR_CONFIG = 7,	  /* invalid network config */
	CNI_ERR_NETNS = 8,	  /* libcni's ErrInvalidNetNS */
	CNI_ERR_TRY_AGAIN = 11,	  /* try again later: a lock not had in 30 s */
	CNI_ERR_NOT_READY = 50,	  /* STATUS: the plugin is not available */
	CNI_ERR_INTERNAL = 999,	  /* libcni's ErrInternal: kernel failures */
};

#define CNI_STDIN_MAX ((size_t)4 << 20) /* the most a plugin reads from stdin */
#define CNI_LOCK_WAIT_S 30		/* then CNI_ERR_TRY_AGAIN */
#define CNI_PLUGIN_TIMEOUT_S 60		/* a plugin the runtime side runs */

/* Makes *@err a CNI error: code, message, and @details (NULL: none) as its hint. */
int cni_err(ctu_err_t *err, int code, const char *details, const char *fmt, ...)
    CTU_PRINTF(4, 5);

/* *@err as the reference's ErrInternal (999) unless it has a code already; its number. */
int cni_internal(ctu_err_t *err);

/* ---- versions (cni.c; pure) ---------------------------------------------------- */

/* The versions we speak, oldest first, NULL-terminated: 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0. */
extern const char *const cni_versions[];
#define CNI_VERSION_LATEST "1.1.0"

/* Semver order of two "X.Y.Z" (a malformed one sorts first): <0, 0, >0. */
int cni_version_cmp(const char *a, const char *b);
/* @v is one of cni_versions. */
bool cni_version_known(const char *v);

/*
 * Any version's result (0.3.0 .. 1.1.0: "ips[].version" dropped, the rest
 * kept) in the newest layout: a new reference, or NULL with a CNI_ERR_DECODE
 * error naming the bad member.  As libcni's types read it: members they do
 * not know are dropped, addresses printed as Go prints them; "interfaces",
 * "ips", "routes" (arrays) and "dns" (an object) are always there.
 */
json_t *cni_result_from(json_t *result, ctu_err_t *err);
/*
 * The newest layout taken to @version: "cniVersion" set, "ips[].version"
 * added below 1.0.0, "interfaces[].mtu" and the 1.1.0 route keys (mtu,
 * advmss, priority, table, scope) only at 1.1.0, "dns" {} always.
 */
json_t *cni_result_to(json_t *result, const char *version, ctu_err_t *err);

/*
 * @v as the Go plugins print it: json.MarshalIndent's four spaces (@indent;
 * results and errors) or one compact line (VERSION), Go's string escapes,
 * no newline.  Newly allocated, or NULL.
 */
char *cni_json_text(const json_t *v, bool indent);
/*
 * The error object a plugin prints for @err: {"cniVersion", "code" (0 is
 * 999), "msg" (with the errno's text), "details" (the hint; omitted when
 * none)}.  @version NULL or unknown: CNI_VERSION_LATEST.  NULL: no memory.
 */
json_t *cni_error_json(const struct ctu_err *err, const char *version);

/* ---- a plugin request (cni.c) ------------------------------------------------- */

enum cni_cmd { CNI_ADD, CNI_DEL, CNI_CHECK, CNI_VERSION, CNI_STATUS, CNI_GC };

/* CNI_ARGS, "K=V;K=V": the keys we read; others need IgnoreUnknown=1 (else 4). */
struct cni_args {
	char *buf; /* the copy the pointers point into */
	const char *mac, *ip;
	bool ignore_unknown;
};
/* Parses @s (NULL or "": none).  0, or CNI_ERR_ENV naming the key.  Pure: fuzzed. */
int cni_args_parse(const char *s, struct cni_args *out, ctu_err_t *err);
void cni_args_free(struct cni_args *a);

/* One attachment of GC's cni.dev/valid-attachments. */
struct cni_attachment {
	const char *containerid, *ifname; /* borrowed from the config */
};

/* What a plugin was asked: the environment, stdin, and its config. */
struct cni_req {
	enum cni_cmd cmd;
	const char *command; /* CNI_COMMAND as given */
	const char *containerid, *netns, *ifname, *path, *args_text; /* the env; NULL: unset */
	struct cni_args args;
	char *stdin_buf; /* all of it, NUL-terminated: a delegate gets it unchanged */
	size_t stdin_len;
	json_t *conf;	     /* stdin parsed */
	const char *version; /* conf.cniVersion */
	const char *name;    /* conf.name */
	int nsfd;	     /* CNI_NETNS opened (checked nsfs, not ours), or -1 */
	struct cni_attachment *valid; /* GC: the attachments to keep */
	size_t nvalid;
};

/*
 * vethctl is a plugin: CNI_COMMAND set and no arguments, or started as
 * ctutils-bridge / ctutils-host-local (then without CNI_COMMAND it prints
 * what it is on stderr and exits 0).
 */
bool cni_plugin_mode(int argc, char **argv);
/* The plugin: reads the request, runs it, prints the result or the error.  The exit status. */
int cni_plugin_main(int argc, char **argv);

/*
 * The owner of a CNI attachment's NAT elements (lib Part A):
 * "cni:HASH16:NET:CID12:IFNAME", HASH16 the FNV-1a-64 of NET NUL CID NUL
 * IFNAME in 16 hex digits (the only part compared), NET cut to fit
 * OWNER_MAX.  @out holds OWNER_MAX + 1 bytes.
 */
void cni_owner(const char *net, const char *cid, const char *ifname, char *out, size_t size);
/* The "cni:HASH16:" prefix of that owner (the part that identifies it). */
void cni_owner_key(const char *net, const char *cid, const char *ifname, char *out, size_t size);

/* ---- the bridge config (cnibridge-conf.c; pure: fuzzed) ------------------------ */

/* One of runtimeConfig.portMappings, read as portmap reads it. */
struct bridge_portmap {
	unsigned int host_port, container_port; /* 1..65535 */
	unsigned char proto;			/* IPPROTO_TCP (default), _UDP, _SCTP */
	int host_family; /* of hostIP: AF_INET, AF_INET6 (the other family skipped); 0: none */
	bool host_any;	 /* no hostIP, or 0.0.0.0 / :: (every address of the family) */
	unsigned char host_ip[16];
};

/* The reference bridge plugin's keys (and ours beyond them), checked. */
struct bridge_conf {
	const char *bridge; /* "cni0" by default; borrowed from the config, as are all pointers */
	bool is_gw, is_default_gw, force_address, ip_masq, hairpin, promisc, macspoofchk,
	    enabledad, port_isolation, disable_container_iface, preserve_default_vlan;
	unsigned int mtu;	/* 0: the kernel's default */
	unsigned int vlan;	/* 0: none */
	const char *ipam_type;	/* NULL: no IPAM (layer 2 only) */
	json_t *dns;		/* conf.dns, or NULL */
	bool has_mac;		/* CNI_ARGS MAC, then args.cni.mac, then runtimeConfig.mac */
	unsigned char mac[6];
	struct bridge_portmap *ports; /* runtimeConfig.portMappings (allocated) */
	size_t nports;
	bool snat;	    /* portmap's snat (default true): hairpin and localhost masquerade */
	json_t *prev_result; /* conf.prevResult, or NULL */
};

/*
 * Reads @conf (stdin parsed) with @args_mac (CNI_ARGS MAC, or NULL) into
 * *@out, zeroed first.  Returns 0, or a negative number with *@err a CNI
 * error: 6 for a member of the wrong type, 7 for an invalid value, 2 for a
 * key we refuse (its name and value said).  bridge_conf_free() after both.
 */
int bridge_conf_parse(json_t *conf, const char *args_mac, struct bridge_conf *out,
		      ctu_err_t *err);
void bridge_conf_free(struct bridge_conf *c);

/* ---- the bridge plugin (cnibridge.c) ------------------------------------------ */

/*
 * The operations of ctutils-bridge on a checked request.  ADD and CHECK
 * leave a result (newest layout) in *@result; the others leave NULL.
 * 0, or a negative number with *@err a CNI error.
 */
int bridge_add(struct cni_req *r, json_t **result, ctu_err_t *err);
int bridge_del(struct cni_req *r, ctu_err_t *err);
int bridge_check(struct cni_req *r, ctu_err_t *err);
int bridge_status(struct cni_req *r, ctu_err_t *err);
int bridge_gc(struct cni_req *r, ctu_err_t *err);

/* ---- IPAM (cniipam.c: delegated or built in; hostlocal.c: the allocator) ---- */

/*
 * The IPAM step of a plugin request, for @cmd (which may differ from the
 * request's: the DEL that undoes a failed ADD): conf.ipam.type run from
 * CNI_PATH with our environment and the whole stdin, or the built-in
 * host-local when the type is host-local and CNI_PATH has none.  ADD
 * leaves the result (newest layout) in *@result.  A delegate's error comes
 * back unchanged (its code, msg and details).
 */
int ipam_run(struct cni_req *r, enum cni_cmd cmd, json_t **result, ctu_err_t *err);

/*
 * The built-in host-local allocator on @r's conf.ipam: Debian's host-local
 * config, defaults, messages and on-disk format (DATADIR/NAME/, one file per
 * address, last_reserved_ip.N, lock under flock), so both may serve one
 * network at once.  ADD leaves the result in *@result.
 */
int hostlocal_run(struct cni_req *r, enum cni_cmd cmd, json_t **result, ctu_err_t *err);

/* ---- running plugins (cniexec.c) ---------------------------------------------- */

/* Where plugin @type is along the colon-separated @path: a new string, or NULL (not there). */
char *cni_find_plugin(const char *path, const char *type);

/* One plugin to run: its environment's CNI_ variables and its stdin. */
struct cni_exec {
	const char *type; /* its name, for messages */
	const char *file; /* cni_find_plugin()'s answer */
	const char *command, *containerid, *netns, *ifname, *args, *path; /* NULL: unset */
	const char *stdin_buf;
	size_t stdin_len;
	int timeout_s; /* killed after it; 0: CNI_PLUGIN_TIMEOUT_S */
};

/*
 * Runs @x: posix_spawn with our environment, its CNI_ variables replaced by
 * @x's, stdin fed, stdout read (at most CNI_STDIN_MAX), stderr passed on,
 * waited for by pidfd with the timeout.  Exit 0: *@out is its output parsed
 * (NULL when it printed nothing).  Otherwise the error it printed becomes
 * *@err unchanged (code, msg, details as the hint), or one naming the
 * plugin and its exit status.
 */
int cni_exec(const struct cni_exec *x, json_t **out, ctu_err_t *err);

/* The runtime side, `vethctl cni ...`, is cmd_cni (cnirt.c) in vethctl.h's command table. */

#endif
