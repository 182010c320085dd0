/*
 * Fuzz target: parameter handling of the provider's signature (RSA,
 * ECDSA), asymmetric cipher (RSA) and key exchange (ECDH) contexts.  Keys
 * come from host-built tokens, so no device is needed: parameters are
 * set through EVP_PKEY_CTX_set_params (or the init call's parameter
 * array) and read back through EVP_PKEY_CTX_get_params.  On request the
 * operation itself starts too.  It fails when it reaches for the device,
 * after the provider has checked the parameters against the key.
 *
 * Input: u8 operation, u8 flags, u8 digest, the parameters (params.h),
 * u8 message length, then the buffer sizes of the parameters read back.
 */
#include <config.h>

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "fuzz.h"
#include "fuzz_provider.h"
#include "params.h"

enum operation {
    OP_RSA_SIGN = 0,
    OP_RSA_VERIFY,
    OP_RSA_DIGEST_SIGN,
    OP_ECDSA_SIGN,
    OP_ECDSA_VERIFY,
    OP_ECDSA_DIGEST_SIGN,
    OP_RSA_DECRYPT,
    OP_RSA_ENCRYPT,
    OP_ECDH_DERIVE,
    OP_COUNT,
};

#define FLAG_RUN         0x01u /* run the operation after the set-up */
#define FLAG_INIT_PARAMS 0x02u /* pass the parameters to the init call */
#define FLAG_GET         0x04u /* read parameters back */

static OSSL_LIB_CTX *libctx;
static EVP_PKEY *rsa_private, *rsa_public, *ec_private, *ec_public;

static const char *const digests[] = {
    "SHA256", "SHA1", "SHA384", "SHA512", "SHA3-256", "MD5", NULL,
};

static EVP_PKEY *key_for(enum operation op)
{
    switch (op) {
    case OP_RSA_VERIFY:
    case OP_RSA_ENCRYPT:
        return rsa_public;
    case OP_ECDSA_SIGN:
    case OP_ECDSA_DIGEST_SIGN:
    case OP_ECDH_DERIVE:
        return ec_private;
    case OP_ECDSA_VERIFY:
        return ec_public;
    default:
        return rsa_private;
    }
}

static int init_operation(EVP_PKEY_CTX *ctx, EVP_MD_CTX *mdctx,
                          enum operation op, const char *digest,
                          const OSSL_PARAM *params)
{
    EVP_PKEY_CTX *pctx = NULL;

    switch (op) {
    case OP_RSA_SIGN:
    case OP_ECDSA_SIGN:
        return EVP_PKEY_sign_init_ex(ctx, params);
    case OP_RSA_VERIFY:
    case OP_ECDSA_VERIFY:
        return EVP_PKEY_verify_init_ex(ctx, params);
    case OP_RSA_DIGEST_SIGN:
    case OP_ECDSA_DIGEST_SIGN:
        return EVP_DigestSignInit_ex(mdctx, &pctx, digest, libctx,
                                     FUZZ_PROPQ, key_for(op), params);
    case OP_RSA_DECRYPT:
        return EVP_PKEY_decrypt_init_ex(ctx, params);
    case OP_RSA_ENCRYPT:
        return EVP_PKEY_encrypt_init_ex(ctx, params);
    default:
        return EVP_PKEY_derive_init_ex(ctx, params);
    }
}

/* The operation on a small input; it stops at the device at the latest. */
static void run_operation(EVP_PKEY_CTX *ctx, EVP_MD_CTX *mdctx,
                          enum operation op, size_t tbs_len)
{
    uint8_t out[1024], tbs[64];
    size_t out_len = sizeof(out);

    memset(tbs, 0x5A, sizeof(tbs));
    switch (op) {
    case OP_RSA_SIGN:
    case OP_ECDSA_SIGN:
        (void)EVP_PKEY_sign(ctx, out, &out_len, tbs, tbs_len);
        break;
    case OP_RSA_VERIFY:
    case OP_ECDSA_VERIFY:
        (void)EVP_PKEY_verify(ctx, out, 256, tbs, tbs_len);
        break;
    case OP_RSA_DIGEST_SIGN:
    case OP_ECDSA_DIGEST_SIGN:
        (void)EVP_DigestSign(mdctx, out, &out_len, tbs, tbs_len);
        break;
    case OP_RSA_DECRYPT:
        memset(out, 0x11, 256);
        out_len = sizeof(out) - 256;
        (void)EVP_PKEY_decrypt(ctx, out + 256, &out_len, out, 256);
        break;
    case OP_RSA_ENCRYPT:
        (void)EVP_PKEY_encrypt(ctx, out, &out_len, tbs, tbs_len);
        break;
    default:
        if (EVP_PKEY_derive_set_peer(ctx, ec_public) == 1)
            (void)EVP_PKEY_derive(ctx, out, &out_len);
        break;
    }
}

static void read_back(EVP_PKEY_CTX *ctx, struct fuzz_input *in)
{
    struct fuzz_params request;
    const OSSL_PARAM *gettable = EVP_PKEY_CTX_gettable_params(ctx);

    if (gettable == NULL)
        return;
    (void)EVP_PKEY_CTX_get_params(ctx,
                                  fuzz_params_request(&request, in, gettable));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    libctx = fuzz_provider_start();
    rsa_private = fuzz_provider_key(libctx, FUZZ_TOKEN_RSA_PRIVATE);
    rsa_public = fuzz_provider_key(libctx, FUZZ_TOKEN_RSA_PUBLIC);
    ec_private = fuzz_provider_key(libctx, FUZZ_TOKEN_EC_PRIVATE);
    ec_public = fuzz_provider_key(libctx, FUZZ_TOKEN_EC_PUBLIC);
    FUZZ_CHECK(rsa_private != NULL && rsa_public != NULL);
    FUZZ_CHECK(ec_private != NULL && ec_public != NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { data, size };
    struct fuzz_params set;
    enum operation op = (enum operation)(fuzz_get_u8(&in) % OP_COUNT);
    uint8_t flags = fuzz_get_u8(&in);
    const char *digest = digests[fuzz_get_u8(&in) % 7];
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(libctx, key_for(op),
                                                   FUZZ_PROPQ);
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *active = ctx;
    const OSSL_PARAM *params;
    size_t tbs_len;

    FUZZ_CHECK(ctx != NULL && mdctx != NULL);
    params = fuzz_params_read(&set, &in, FUZZ_PARAMS_MAX);
    tbs_len = fuzz_get_u8(&in) % 65;
    if (!init_operation(ctx, mdctx, op, digest,
                        (flags & FLAG_INIT_PARAMS) ? params : NULL))
        goto done;
    if (op == OP_RSA_DIGEST_SIGN || op == OP_ECDSA_DIGEST_SIGN)
        active = EVP_MD_CTX_get_pkey_ctx(mdctx);
    if (!(flags & FLAG_INIT_PARAMS)
        && EVP_PKEY_CTX_set_params(active, params) != 1)
        goto done;
    if (flags & FLAG_GET)
        read_back(active, &in);
    if (flags & FLAG_RUN)
        run_operation(ctx, mdctx, op, tbs_len);

done:
    EVP_MD_CTX_free(mdctx);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return 0;
}
