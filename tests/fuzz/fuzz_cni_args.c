// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CNI_ARGS (vethctl/cni.c's cni_args_parse) on any text, with what the
 * plugin relies on: values point into the parser's own copy and hold no
 * ';', a refusal is code 4 and becomes an error object a runtime can read
 * (valid JSON text whatever the bytes), and an owner made from the same
 * bytes is one an nft comment may carry.  Version order is checked too:
 * the same text split at its first ' ' is two versions, compared both ways.
 */
#include "fuzz.h"
#include "vethctl/cni.h"
#include "vethctl/nat.h"

/* @v inside the copy of the @len bytes parsed (split in place: NULs where ';' and '=' were) */
static void check_value(const struct cni_args *a, size_t len, const char *v)
{
	if (!v)
		return;
	if (v < a->buf || v > a->buf + len || !*v || strchr(v, ';'))
		abort();
}

static void check_error(ctu_err_t *err)
{
	json_t *o, *back;
	char *text;

	if (!*err || (*err)->code != CNI_ERR_ENV || !(*err)->msg)
		abort();
	o = cni_error_json(*err, NULL);
	text = o ? cni_json_text(o, true) : NULL;
	if (!text)
		abort();
	back = json_loads(text, 0, NULL);
	if (!back || json_integer_value(json_object_get(back, "code")) != CNI_ERR_ENV)
		abort();
	json_decref(back);
	json_decref(o);
	free(text);
	ctu_err_free(err);
}

static void check_owner(const char *s)
{
	char owner[OWNER_MAX + 1], key[32];

	cni_owner(s, s, s, owner, sizeof(owner));
	cni_owner_key(s, s, s, key, sizeof(key));
	if (!owner_valid(owner) || strncmp(owner, key, strlen(key)) != 0)
		abort();
}

static void check_versions(char *s)
{
	char *b = strchr(s, ' ');
	int ab, ba;

	if (!b)
		return;
	*b++ = '\0';
	ab = cni_version_cmp(s, b);
	ba = cni_version_cmp(b, s);
	if ((ab < 0) != (ba > 0) || (ab == 0) != (ba == 0) || cni_version_cmp(s, s) != 0)
		abort();
}

/* to(@v) printed and read again, then to(@v) again: the same text (conversion is idempotent) */
static void check_result(const char *s)
{
	json_t *in = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	ctu_err_t err = NULL;

	if (!json_is_object(in)) {
		json_decref(in);
		return;
	}
	for (size_t i = 0; cni_versions[i]; i++) {
		json_t *out = cni_result_to(in, cni_versions[i], &err), *back, *again;
		char *t1, *t2;

		if (!out) {
			if (!err || err->code != CNI_ERR_DECODE)
				abort();
			ctu_err_free(&err);
			break;
		}
		t1 = cni_json_text(out, true);
		back = t1 ? json_loads(t1, JSON_REJECT_DUPLICATES, NULL) : NULL;
		again = back ? cni_result_to(back, cni_versions[i], &err) : NULL;
		t2 = again ? cni_json_text(again, true) : NULL;
		if (!t2 || strcmp(t1, t2) != 0)
			abort();
		free(t1);
		free(t2);
		json_decref(out);
		json_decref(back);
		json_decref(again);
	}
	json_decref(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct cni_args a;
	ctu_err_t err = NULL;

	if (cni_args_parse(s, &a, &err) == 0) {
		if (err || (*s && !a.buf))
			abort();
		check_value(&a, strlen(s), a.mac);
		check_value(&a, strlen(s), a.ip);
		cni_args_free(&a);
	} else {
		if (a.buf)
			abort();
		check_error(&err);
	}
	check_owner(s);
	check_result(s);
	check_versions(s);
	free(s);
	return 0;
}
