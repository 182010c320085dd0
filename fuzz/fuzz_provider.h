/*
 * Set-up shared by the fuzz targets that drive the ibm4767 provider
 * through libcrypto: a library context with the module loaded from the
 * build tree, key storage with a few records, and key tokens built on the
 * host.  No device is involved.  The provider is pointed at a socket path
 * in a private temporary directory where nothing listens, so a call that
 * does reach for a device fails at once.
 */
#ifndef IBM4767_FUZZ_PROVIDER_H
#define IBM4767_FUZZ_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define FUZZ_PROPQ "provider=ibm4767"

/* Key storage labels of fuzz_provider_start()'s records. */
#define FUZZ_LABEL_RSA  "FUZZ.RSA"
#define FUZZ_LABEL_EC   "FUZZ.EC"
#define FUZZ_LABEL_AES  "FUZZ.AES"
#define FUZZ_LABEL_NULL "FUZZ.NULL"

enum fuzz_token_kind {
    FUZZ_TOKEN_RSA_PRIVATE = 0,  /* internal RSA-2048, usage sign+keymgmt */
    FUZZ_TOKEN_RSA_PUBLIC,       /* external RSA-2048 */
    FUZZ_TOKEN_EC_PRIVATE,       /* internal P-256, usage sign+derive */
    FUZZ_TOKEN_EC_PUBLIC,        /* external P-256 */
    FUZZ_TOKEN_AES,              /* AES-128 token, any mode */
    FUZZ_TOKEN_KINDS,
};

/* Load the default and ibm4767 providers into a new library context and
 * fill key storage; aborts when that fails (the target cannot run). */
OSSL_LIB_CTX *fuzz_provider_start(void);

/* A token of kind, built on the host once; its wrapped key is zeros, so
 * the provider accepts it and only a device would reject it. */
const uint8_t *fuzz_token(enum fuzz_token_kind kind, size_t *len);

/* Decode a token into a key of the provider; NULL on failure. */
EVP_PKEY *fuzz_provider_key(OSSL_LIB_CTX *libctx, enum fuzz_token_kind kind);

#endif
