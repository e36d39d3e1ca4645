/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto.h - the libcrypto (OpenSSL 3) functions ctutils calls, loaded on
 * first use (dlsym.h): the tools that hash only for some commands (ovlmount's
 * store, ctrun's seccomp cache, vethctl's CNI cache) start without it.
 * Include it instead of <openssl/evp.h>; calls are written as usual.
 */
#ifndef CTU_CRYPTO_H
#define CTU_CRYPTO_H

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "dlsym.h"

#define CTU_CRYPTO_SONAME "libcrypto.so.3"

#define CTU_CRYPTO_FUNCTIONS(X)                                                               \
	X(OPENSSL_init_crypto)                                                                \
	X(EVP_MD_fetch) X(EVP_sha256) X(EVP_sha512) X(EVP_MD_CTX_new) X(EVP_MD_CTX_free)      \
	X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_DigestFinal_ex) X(EVP_Digest)          \
	X(EVP_EncodeBlock) X(EVP_DecodeBlock)

/*
 * struct ctu_crypto, ctu_crypto() (a libcrypto that cannot be loaded ends the tool) and
 * ctu_crypto_try(err) (NULL and why in *err), loaded at the first call.
 */
CTU_DL_DECLARE(ctu_crypto, ctu_crypto, CTU_CRYPTO_FUNCTIONS);

#ifndef CTU_CRYPTO_LOADER
#define OPENSSL_init_crypto (ctu_crypto()->OPENSSL_init_crypto)
#define EVP_MD_fetch (ctu_crypto()->EVP_MD_fetch)
#define EVP_sha256 (ctu_crypto()->EVP_sha256)
#define EVP_sha512 (ctu_crypto()->EVP_sha512)
#define EVP_MD_CTX_new (ctu_crypto()->EVP_MD_CTX_new)
#define EVP_MD_CTX_free (ctu_crypto()->EVP_MD_CTX_free)
#define EVP_DigestInit_ex (ctu_crypto()->EVP_DigestInit_ex)
#define EVP_DigestUpdate (ctu_crypto()->EVP_DigestUpdate)
#define EVP_DigestFinal_ex (ctu_crypto()->EVP_DigestFinal_ex)
#define EVP_Digest (ctu_crypto()->EVP_Digest)
#define EVP_EncodeBlock (ctu_crypto()->EVP_EncodeBlock)
#define EVP_DecodeBlock (ctu_crypto()->EVP_DecodeBlock)
#endif

#endif
