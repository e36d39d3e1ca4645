// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for lib/digest: sha256 against FIPS 180-2's vectors, digest forms, chain IDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"

#define P "sha256:"

static void test_vectors(void **state)
{
	static const char msg448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char out[CTU_DIGEST_SIZE];

	(void)state;
	assert_int_equal(ctu_sha256_buf("abc", 3, out), 0);
	assert_string_equal(out, P "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(ctu_sha256_buf("", 0, out), 0);
	assert_string_equal(out, P "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(ctu_sha256_buf(msg448, strlen(msg448), out), 0);
	assert_string_equal(out, P "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a', streamed in uneven pieces: the running state and byte count hold. */
static void test_million_a(void **state)
{
	static char buf[1024]; /* more than the largest step */
	struct ctu_sha256 h;
	char out[CTU_DIGEST_SIZE];
	size_t left = 1000000, step = 1;

	(void)state;
	memset(buf, 'a', sizeof(buf));
	assert_int_equal(ctu_sha256_init(&h), 0);
	while (left) {
		size_t n = step < left ? step : left;

		assert_int_equal(ctu_sha256_update(&h, buf, n), 0);
		left -= n;
		step = step % 997 + 7;
	}
	assert_int_equal(h.bytes, 1000000);
	assert_int_equal(ctu_sha256_final(&h, out), 0);
	assert_string_equal(out, P "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	ctu_sha256_free(&h); /* after _final, and twice: harmless */
	ctu_sha256_free(&h);
}

static void test_valid(void **state)
{
	const char *good = P "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char s[128];
	ctu_err_t err = NULL;

	(void)state;
	assert_true(ctu_digest_valid(good));
	assert_string_equal(ctu_digest_hex(good),
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_false(ctu_digest_valid(NULL));
	assert_false(ctu_digest_valid(""));
	assert_false(ctu_digest_valid("sha256:"));
	assert_false(ctu_digest_valid("sha256:../x"));
	assert_false(ctu_digest_valid("sha256:../../etc/passwd"));
	assert_false(ctu_digest_valid(good + 7)); /* hex alone */
	snprintf(s, sizeof(s), "%s0", good);	   /* 65 digits */
	assert_false(ctu_digest_valid(s));
	snprintf(s, sizeof(s), "%.70s", good); /* 63 digits */
	assert_false(ctu_digest_valid(s));
	snprintf(s, sizeof(s), "%s", good);
	s[10] = 'A'; /* upper case */
	assert_false(ctu_digest_valid(s));
	s[10] = 'g';
	assert_false(ctu_digest_valid(s));
	s[10] = '/';
	assert_false(ctu_digest_valid(s));
	snprintf(s, sizeof(s), "sha512:%s", good + 7);
	assert_false(ctu_digest_valid(s));
	snprintf(s, sizeof(s), "SHA256:%s", good + 7);
	assert_false(ctu_digest_valid(s));
	snprintf(s, sizeof(s), "%s\n", good);
	assert_false(ctu_digest_valid(s));

	assert_int_equal(ctu_digest_check(good, "the config digest", &err), 0);
	assert_null(err);
	assert_int_equal(ctu_digest_check("sha256:../x", "the config digest", &err), -EINVAL);
	assert_string_equal(err->msg, "the config digest 'sha256:../x': not sha256: and 64 lowercase "
				      "hex digits");
	ctu_err_free(&err);
}

static void test_chain(void **state)
{
	/* printf '%s %s' A B | sha256sum, A = sha256 of "a", B of "b" */
	const char *a = P "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
	const char *b = P "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d";
	char out[CTU_DIGEST_SIZE];

	(void)state;
	assert_int_equal(ctu_chain_id(NULL, a, out), 0);
	assert_string_equal(out, a);
	assert_int_equal(ctu_chain_id(a, b, out), 0);
	assert_string_equal(out, P "51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676");
	assert_int_equal(ctu_chain_id(a, "sha256:x", out), -EINVAL);
}

/* FIPS 180-2's "abc", and cnitool's use: the first 10 bytes of a netns path's SHA-512 */
static void test_sha512(void **state)
{
	unsigned char md[CTU_SHA512_LEN];
	static const unsigned char abc[8] = { 0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba };

	(void)state;
	assert_int_equal(ctu_sha512_buf("abc", 3, md), 0);
	assert_memory_equal(md, abc, sizeof(abc));
	assert_int_equal(md[63], 0x9f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_sha512),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
