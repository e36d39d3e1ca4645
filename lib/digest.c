// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * digest.c - sha256 (and one SHA-512) through libcrypto's EVP interface, and the OCI digest
 * and chain ID rules.  Nothing here hashes by hand.
 */
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "ctu.h"
#include "digest.h"

/*
 * OpenSSL 3 reads openssl.cnf at its first use unless told not to (a file
 * no digest needs: the default provider has sha256), and an implicit
 * EVP_sha256() is fetched from the provider again at every init: the
 * algorithm is fetched once and kept.
 */
static const EVP_MD *sha256_md(void)
{
	static EVP_MD *md;

	if (!md) {
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	}
	return md ? md : EVP_sha256();
}

int ctu_sha256_init(struct ctu_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	h->ctx = NULL;
	h->bytes = 0;
	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, sha256_md(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -EIO;
	}
	h->ctx = ctx;
	return 0;
}

int ctu_sha256_update(struct ctu_sha256 *h, const void *buf, size_t n)
{
	if (EVP_DigestUpdate(h->ctx, buf, n) != 1)
		return -EIO;
	h->bytes += n;
	return 0;
}

static void to_hex(const unsigned char *md, unsigned int n, char out[CTU_DIGEST_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	char *p = stpcpy(out, CTU_DIGEST_PREFIX);

	for (unsigned int i = 0; i < n; i++) {
		*p++ = hex[md[i] >> 4];
		*p++ = hex[md[i] & 15];
	}
	*p = '\0';
}

int ctu_sha256_final(struct ctu_sha256 *h, char out[CTU_DIGEST_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok = EVP_DigestFinal_ex(h->ctx, md, &n) == 1 && n == CTU_DIGEST_HEX_LEN / 2;

	ctu_sha256_free(h);
	if (!ok)
		return -EIO;
	to_hex(md, n, out);
	return 0;
}

void ctu_sha256_free(struct ctu_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int ctu_sha256_buf(const void *buf, size_t n, char out[CTU_DIGEST_SIZE])
{
	struct ctu_sha256 h;
	int r = ctu_sha256_init(&h);

	if (r < 0)
		return r;
	r = ctu_sha256_update(&h, buf, n);
	if (r < 0) {
		ctu_sha256_free(&h);
		return r;
	}
	return ctu_sha256_final(&h, out);
}

int ctu_sha512_buf(const void *buf, size_t n, unsigned char out[CTU_SHA512_LEN])
{
	unsigned int len = 0;

	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	if (EVP_Digest(buf, n, out, &len, EVP_sha512(), NULL) != 1 || len != CTU_SHA512_LEN)
		return -EIO;
	return 0;
}

bool ctu_digest_valid(const char *s)
{
	size_t plen = sizeof(CTU_DIGEST_PREFIX) - 1;

	if (!s || strncmp(s, CTU_DIGEST_PREFIX, plen) != 0)
		return false;
	s += plen;
	for (size_t i = 0; i < CTU_DIGEST_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[CTU_DIGEST_HEX_LEN] == '\0';
}

int ctu_digest_check(const char *s, const char *what, ctu_err_t *err)
{
	if (ctu_digest_valid(s))
		return 0;
	return ctu_err_make(err, 0, "%s '%.80s': not sha256: and 64 lowercase hex digits",
			    what, s ? s : "");
}

int ctu_chain_id(const char *parent, const char *diff_id, char out[CTU_DIGEST_SIZE])
{
	char buf[2 * CTU_DIGEST_SIZE];
	int n;

	if (!ctu_digest_valid(diff_id) || (parent && !ctu_digest_valid(parent)))
		return -EINVAL;
	if (!parent) {
		memcpy(out, diff_id, CTU_DIGEST_SIZE);
		return 0;
	}
	n = snprintf(buf, sizeof(buf), "%s %s", parent, diff_id);
	return ctu_sha256_buf(buf, (size_t)n, out);
}
