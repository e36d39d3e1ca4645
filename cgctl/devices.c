// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * devices.c - --device-rule: parsing, the v1 list the rules leave (for the
 * v2 program and for refusing what v1 would ignore), and the v1 writes.
 * See devices.h.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "ctu.h"
#include "devices.h"
#include "parse.h"

#define RULE_FORM "expected 'allow|deny TYPE MAJ:MIN ACCESS' (TYPE a, b or c; MAJ, MIN a number " \
		  "or *; ACCESS of rwm)"

static int bad_rule(ctu_err_t *err, const char *text, const char *why)
{
	return ctu_err_usage(err, "invalid --device-rule '%s': %s", text, why);
}

/* A major or minor number, or '*'. */
static int parse_number(const char *s, int32_t max, int32_t *out)
{
	uint64_t v;

	if (strcmp(s, "*") == 0) {
		*out = DEV_ANY;
		return 0;
	}
	if (ctu_parse_u64_range(s, 0, (uint64_t)max, &v) < 0)
		return -EINVAL;
	*out = (int32_t)v;
	return 0;
}

/* "rwm", "r", "mw": each letter once, at least one. */
static int parse_access(const char *s, uint8_t *out)
{
	*out = 0;
	for (const char *p = s; *p; p++) {
		uint8_t bit = *p == 'r' ? DEV_ACC_READ : *p == 'w' ? DEV_ACC_WRITE
			      : *p == 'm' ? DEV_ACC_MKNOD : 0;

		if (!bit || (*out & bit))
			return -EINVAL;
		*out |= bit;
	}
	return *out ? 0 : -EINVAL;
}

/* "MAJ:MIN" into @r, or a why. */
static const char *parse_numbers(char *s, struct dev_rule *r)
{
	char *colon = strchr(s, ':');

	if (!colon)
		return "expected MAJ:MIN (1:3, 136:*, *:*)";
	*colon = '\0';
	if (parse_number(s, DEV_MAJOR_MAX, &r->major) < 0)
		return "the major number is * or from 0 to 4095";
	if (parse_number(colon + 1, DEV_MINOR_MAX, &r->minor) < 0)
		return "the minor number is * or from 0 to 1048575";
	return NULL;
}

/* Splits @copy into exactly four words separated by blanks, or returns false. */
static bool four_words(char *copy, char *w[4])
{
	char *save = NULL, *extra;

	for (int i = 0; i < 4; i++) {
		w[i] = strtok_r(i ? NULL : copy, " \t", &save);
		if (!w[i])
			return false;
	}
	extra = strtok_r(NULL, " \t", &save);
	return !extra;
}

int dev_rule_parse(const char *text, struct dev_rule *out, ctu_err_t *err)
{
	char copy[128], *w[4];
	const char *why;

	if (strlen(text) >= sizeof(copy) ||
	    !four_words(memcpy(copy, text, strlen(text) + 1), w))
		return bad_rule(err, text, RULE_FORM);
	if (strcmp(w[0], "allow") != 0 && strcmp(w[0], "deny") != 0)
		return bad_rule(err, text, "the rule begins with allow or deny");
	out->allow = w[0][0] == 'a';
	if (strlen(w[1]) != 1 || !strchr("abc", w[1][0]))
		return bad_rule(err, text, "TYPE is a (every device), b (block) or c (character)");
	out->type = w[1][0];
	why = parse_numbers(w[2], out);
	if (why)
		return bad_rule(err, text, why);
	if (parse_access(w[3], &out->access) < 0)
		return bad_rule(err, text, "ACCESS is one or more of r, w and m, each once");
	/* v1 (and runc) read TYPE a as every device and every access, whatever follows */
	if (out->type == 'a') {
		out->major = out->minor = DEV_ANY;
		out->access = DEV_ACC_ALL;
	}
	return 0;
}

static void number_text(int32_t n, char *out, size_t size)
{
	if (n == DEV_ANY)
		snprintf(out, size, "*");
	else
		snprintf(out, size, "%d", (int)n);
}

void dev_rule_format(const struct dev_rule *r, char *out, size_t size)
{
	char major[16], minor[16], access[4];
	size_t n = 0;

	number_text(r->major, major, sizeof(major));
	number_text(r->minor, minor, sizeof(minor));
	if (r->access & DEV_ACC_READ)
		access[n++] = 'r';
	if (r->access & DEV_ACC_WRITE)
		access[n++] = 'w';
	if (r->access & DEV_ACC_MKNOD)
		access[n++] = 'm';
	access[n] = '\0';
	snprintf(out, size, "%c %s:%s %s", r->type, major, minor, access);
}

/* The exception of @s with @r's type and numbers, or NULL. */
static struct dev_rule *find_exception(struct dev_state *s, char type, int32_t major,
				       int32_t minor)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ex[i].type == type && s->ex[i].major == major && s->ex[i].minor == minor)
			return &s->ex[i];
	return NULL;
}

/*
 * Removing access from one exception cannot take it from a wider one
 * (c *:* or c 1:*): v1 would silently leave it there, so the rule would not
 * do what it says.  runc refuses such lists the same way.
 */
static struct dev_rule *wider_exception(struct dev_state *s, const struct dev_rule *r)
{
	const int32_t wider[3][2] = { { DEV_ANY, r->minor }, { r->major, DEV_ANY },
				      { DEV_ANY, DEV_ANY } };

	for (size_t i = 0; i < 3; i++) {
		struct dev_rule *ex;

		if (wider[i][0] == r->major && wider[i][1] == r->minor)
			continue;
		ex = find_exception(s, r->type, wider[i][0], wider[i][1]);
		if (ex && (ex->access & r->access))
			return ex;
	}
	return NULL;
}

static int remove_access(struct dev_state *s, const struct dev_rule *r, const char *text,
			 ctu_err_t *err)
{
	struct dev_rule *ex = wider_exception(s, r);
	char wide[64];

	if (ex) {
		dev_rule_format(ex, wide, sizeof(wide));
		return ctu_err_usage(err, "invalid --device-rule '%s': it cannot take access from the "
				     "wider '%s %s' before it (v1 list semantics); begin with "
				     "'%s a *:* rwm' and list what differs", text,
				     ex->allow ? "allow" : "deny", wide, r->allow ? "deny" : "allow");
	}
	ex = find_exception(s, r->type, r->major, r->minor);
	if (!ex)
		return 0;
	ex->access &= (uint8_t)~r->access;
	if (!ex->access)
		*ex = s->ex[--s->n];
	return 0;
}

static int add_access(struct dev_state *s, const struct dev_rule *r, const char *text,
		      ctu_err_t *err)
{
	struct dev_rule *ex = find_exception(s, r->type, r->major, r->minor);

	if (ex) {
		ex->access |= r->access;
		return 0;
	}
	if (s->n == DEV_RULES_MAX)
		return bad_rule(err, text, "too many device rules");
	s->ex[s->n++] = *r;
	return 0;
}

/* One rule applied to the list, as the kernel's devices.allow/deny handlers do. */
static int apply_rule(struct dev_state *s, const struct dev_rule *r, const char *text,
		      ctu_err_t *err)
{
	if (r->type == 'a') {
		s->default_allow = r->allow;
		s->n = 0;
		return 0;
	}
	/* an allow on an allow-all list takes access from a deny exception; so a deny on deny-all */
	if (r->allow == s->default_allow)
		return remove_access(s, r, text, err);
	return add_access(s, r, text, err);
}

int dev_rules_add(struct dev_rules *rs, const char *text, ctu_err_t *err)
{
	struct dev_rule r = { 0 };

	if (!rs->n) {
		/* a cgroup allows every device until told otherwise */
		rs->state.default_allow = true;
		rs->state.n = 0;
	}
	if (dev_rule_parse(text, &r, err) < 0)
		return ctu_err_code(*err);
	if (rs->n == DEV_RULES_MAX)
		return bad_rule(err, text, "too many device rules (256 at most)");
	if (apply_rule(&rs->state, &r, text, err) < 0)
		return ctu_err_code(*err);
	rs->r[rs->n++] = r;
	return 0;
}

static bool matches(const struct dev_rule *ex, char type, uint32_t major, uint32_t minor)
{
	return ex->type == type && (ex->major == DEV_ANY || (uint32_t)ex->major == major) &&
	       (ex->minor == DEV_ANY || (uint32_t)ex->minor == minor);
}

bool dev_state_allows(const struct dev_state *s, char type, uint32_t major, uint32_t minor,
		      unsigned int access)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct dev_rule *ex = &s->ex[i];

		if (!matches(ex, type, major, minor))
			continue;
		/* default allow: any access bit in a deny exception denies */
		if (s->default_allow && (access & ex->access))
			return false;
		/* default deny: one allow exception must hold every bit asked for */
		if (!s->default_allow && !(access & ~(unsigned int)ex->access))
			return true;
	}
	return s->default_allow;
}

int dev_rules_write_v1(const char *dir, const struct dev_rules *rs, ctu_err_t *err)
{
	for (size_t i = 0; i < rs->n; i++) {
		const char *file = rs->r[i].allow ? "devices.allow" : "devices.deny";
		char path[4096], text[64];
		int r;

		dev_rule_format(&rs->r[i], text, sizeof(text));
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		r = ctu_write_file(AT_FDCWD, path, text);
		if (r < 0)
			return ctu_err_make(err, -r, "the kernel refused --device-rule '%s %s' (%s)",
					    rs->r[i].allow ? "allow" : "deny", text, path);
	}
	return 0;
}
