/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctrun_chain_fixtures.h - what the chain builder's unit tests share:
 * fixed cgroup layouts (pure v2, hybrid), a config parsed, a create's
 * input, the chain's words joined by '|', assertions on them.
 */
#ifndef CTU_TEST_CTRUN_CHAIN_FIXTURES_H
#define CTU_TEST_CTRUN_CHAIN_FIXTURES_H

static inline struct ctu_cg_hiers v2_hiers(void)
{
	struct ctu_cg_hiers hs = { .n = 1, .layout = CTU_CG_V2 };

	snprintf(hs.h[0].mnt, sizeof(hs.h[0].mnt), "/sys/fs/cgroup");
	hs.h[0].v2 = true;
	return hs;
}

static inline void add_v1(struct ctu_cg_hiers *hs, const char *mnt, const char *ctrls)
{
	struct ctu_cg_hier *h = &hs->h[hs->n++];

	snprintf(h->mnt, sizeof(h->mnt), "%s", mnt);
	snprintf(h->ctrls, sizeof(h->ctrls), "%s", ctrls);
	h->v2 = false;
}

static inline struct ctu_cg_hiers hybrid_hiers(void)
{
	struct ctu_cg_hiers hs = { .n = 1, .layout = CTU_CG_HYBRID };

	snprintf(hs.h[0].mnt, sizeof(hs.h[0].mnt), "/sys/fs/cgroup/unified");
	hs.h[0].v2 = true;
	add_v1(&hs, "/sys/fs/cgroup/cpu,cpuacct", "cpu,cpuacct");
	add_v1(&hs, "/sys/fs/cgroup/memory", "memory");
	add_v1(&hs, "/sys/fs/cgroup/blkio", "blkio");
	return hs;
}

static inline json_t *load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (!j)
		fail_msg("fixture: %s at %d:%d", jerr.text, jerr.line, jerr.column);
	return j;
}

static inline struct ct_chain_in create_in(json_t *cfg, bool fifo, bool console)
{
	struct ct_chain_in in = { .g = &global,
				  .kind = CT_CHAIN_CREATE,
				  .id = "c1",
				  .bundle = "/b",
				  .cfg = cfg,
				  .cgroup = "/ct/c1" };

	ct_fds_layout(&in.fds, 0, fifo, console);
	return in;
}

/* The words, joined by '|' for one readable comparison. */
static inline char *joined(const struct ct_chain *c)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < c->argv.n; i++)
		len += strlen(c->argv.v[i]) + 1;
	s = calloc(1, len);
	assert_non_null(s);
	for (size_t i = 0; i < c->argv.n; i++) {
		if (i)
			strcat(s, "|");
		strcat(s, c->argv.v[i]);
	}
	return s;
}

static inline void assert_chain(const struct ct_chain_in *in, const struct ctu_cg_hiers *hs,
				const char *const *want)
{
	struct ct_chain c;
	ctu_err_t err = NULL;
	size_t n = 0;
	int r = ct_chain_build_with(in, hs, &c, &err);

	if (r < 0)
		fail_msg("build: %s", err->msg);
	while (want[n])
		n++;
	for (size_t i = 0; i < n && i < c.argv.n; i++)
		if (strcmp(want[i], c.argv.v[i]) != 0)
			fail_msg("word %zu: want '%s', got '%s'\nall: %s", i, want[i], c.argv.v[i],
				 joined(&c));
	if (n != c.argv.n)
		fail_msg("want %zu words, got %zu: %s", n, c.argv.n, joined(&c));
	ct_chain_free(&c);
}

/* The chain as one '|'-joined string (the caller frees), asserting it builds. */
static inline char *chain_text(const struct ct_chain_in *in, const struct ctu_cg_hiers *hs)
{
	struct ct_chain c;
	ctu_err_t err = NULL;
	char *s;

	if (ct_chain_build_with(in, hs, &c, &err) < 0)
		fail_msg("build: %s", err->msg);
	s = joined(&c);
	ct_chain_free(&c);
	return s;
}

/* The message of a build that must fail. */
static inline void assert_build_fails(const struct ct_chain_in *in, const struct ctu_cg_hiers *hs,
				      const char *msg)
{
	struct ct_chain c;
	ctu_err_t err = NULL;

	assert_true(ct_chain_build_with(in, hs, &c, &err) < 0);
	assert_non_null(err);
	if (!strstr(err->msg, msg))
		fail_msg("error '%s' lacks '%s'", err->msg, msg);
	assert_null(c.argv.v);
	ctu_err_free(&err);
}

/* @s holds @part, or the test fails showing @s. */
#define assert_has(s, part)                                                                        \
	do {                                                                                       \
		if (!strstr((s), (part))) {                                                        \
			fprintf(stderr, "in: %s\n", (s));                                          \
			fail_msg("missing '%s'", (part));                                          \
		}                                                                                  \
	} while (0)

#define KCORE (access("/proc/kcore", F_OK) == 0)

#endif
