/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * digest.h - sha256 digests as the OCI image-spec writes them
 * ("sha256:" and 64 lowercase hex digits), streamed through OpenSSL's
 * libcrypto (EVP, so SHA-NI where the CPU has it), and the chain IDs that
 * key a layer by everything below it.
 */
#ifndef CTU_DIGEST_H
#define CTU_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CTU_DIGEST_PREFIX "sha256:"
#define CTU_DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex + NUL */
#define CTU_DIGEST_SIZE 72

/* A running sha256 and the bytes it has seen. */
struct ctu_sha256 {
	void *ctx; /* EVP_MD_CTX */
	uint64_t bytes;
};

/* Starts @h.  0, or -ENOMEM. */
int ctu_sha256_init(struct ctu_sha256 *h);

/* Adds @n bytes.  0, or -EIO (libcrypto failed). */
int ctu_sha256_update(struct ctu_sha256 *h, const void *buf, size_t n);

/* Writes "sha256:HEX" into @out and frees @h's state.  0, or -EIO. */
int ctu_sha256_final(struct ctu_sha256 *h, char out[CTU_DIGEST_SIZE]);

/* Frees @h's state (safe after _final, and twice). */
void ctu_sha256_free(struct ctu_sha256 *h);

/* The digest of @n bytes at @buf.  0 or -errno. */
int ctu_sha256_buf(const void *buf, size_t n, char out[CTU_DIGEST_SIZE]);

/* The SHA-512 of @n bytes at @buf into @out (as cnitool hashes a netns path into a container ID).  0 or -EIO. */
#define CTU_SHA512_LEN 64
int ctu_sha512_buf(const void *buf, size_t n, unsigned char out[CTU_SHA512_LEN]);

/*
 * True when @s is "sha256:" and exactly 64 lowercase hex digits: nothing else
 * ever becomes part of a path ("sha256:../x" is refused before one is built).
 */
bool ctu_digest_valid(const char *s);

/* 0 when valid, else -EINVAL with *@err naming @what ("the config digest 'x': not sha256:HEX"). */
int ctu_digest_check(const char *s, const char *what, ctu_err_t *err);

/* The 64 hex digits of a valid digest. */
static inline const char *ctu_digest_hex(const char *digest)
{
	return digest + sizeof(CTU_DIGEST_PREFIX) - 1;
}

/*
 * The image-spec's chain ID of a layer with diff_id @diff_id over a stack
 * whose chain ID is @parent (NULL for a base layer, whose chain ID is its
 * diff_id): sha256 of "PARENT DIFFID".  0 or -errno.
 */
int ctu_chain_id(const char *parent, const char *diff_id, char out[CTU_DIGEST_SIZE]);

#endif
