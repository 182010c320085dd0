/*
 * AES-{128,192,256}-GCM on the coprocessor.
 *
 * Each update with data is one device request (more for data over
 * IBM4767_SYM_DATA_MAX) that returns its ciphertext or plaintext at once,
 * as OpenSSL's own GCM does.  The final call sends the last request of the
 * chain, which returns the tag or checks it.  AAD is held on the host
 * until the first data request or the final call, so a message costs one
 * request per update plus one.
 *
 * As in OpenSSL's GCM, decrypted data is returned before the tag is
 * checked: the caller must discard it unless the final call succeeds.  An
 * IV serves one message: after the final call, a new one must be given.
 *
 * NOTE: the TLS 1.2 record-layer parameters (tlsaad, tlsivfixed, IV
 * generation) are not implemented and are rejected, so TLS bulk
 * encryption stays with the default provider.
 */
#include "config.h"

#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "cipher_aes.h"

static int gcm_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

static int gcm_set_iv(struct ibm4767_aes_ctx *ctx, const unsigned char *iv,
                      size_t ivlen)
{
    uint8_t *copy;

    if (ivlen == 0 || ivlen > IBM4767_SYM_IV_MAX) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s IV of %zu bytes is invalid: use 1 to %u bytes (12 "
                      "is standard)", ctx->name, ivlen, IBM4767_SYM_IV_MAX);
        return 0;
    }
    copy = OPENSSL_memdup(iv, ivlen);
    if (copy == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory for an %s IV", ctx->name);
        return 0;
    }
    OPENSSL_clear_free(ctx->gcm.iv, ctx->gcm.ivlen);
    ctx->gcm.iv = copy;
    ctx->gcm.ivlen = ivlen;
    ctx->gcm.iv_set = 1;
    return 1;
}

static int gcm_init(void *vctx, const unsigned char *key, size_t keylen,
                    const unsigned char *iv, size_t ivlen,
                    const OSSL_PARAM params[], int enc)
{
    struct ibm4767_aes_ctx *ctx = vctx;

    if (!ibm4767_aes_init_key(ctx, key, keylen, params, enc)
        || !gcm_set_ctx_params(ctx, params))
        return 0;
    if (iv != NULL && !gcm_set_iv(ctx, iv, ivlen))
        return 0;
    return 1;
}

static int gcm_einit(void *vctx, const unsigned char *key, size_t keylen,
                     const unsigned char *iv, size_t ivlen,
                     const OSSL_PARAM params[])
{
    return gcm_init(vctx, key, keylen, iv, ivlen, params, 1);
}

static int gcm_dinit(void *vctx, const unsigned char *key, size_t keylen,
                     const unsigned char *iv, size_t ivlen,
                     const OSSL_PARAM params[])
{
    return gcm_init(vctx, key, keylen, iv, ivlen, params, 0);
}

static int gcm_ready(struct ibm4767_aes_ctx *ctx)
{
    if (!ibm4767_aes_ready(ctx))
        return 0;
    if (!ctx->gcm.iv_set) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "%s has no IV: pass one to the init call", ctx->name);
        return 0;
    }
    if (ctx->gcm.finished) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "%s message is finished: give a new IV in an init "
                      "call before the next message (a GCM IV must not be "
                      "used twice)", ctx->name);
        return 0;
    }
    return 1;
}

/* Send the AAD held so far and data; last ends the message. */
static int gcm_send(struct ibm4767_aes_ctx *ctx, const unsigned char *in,
                    size_t inl, unsigned char *out, int last)
{
    struct ibm4767_aes_gcm *g = &ctx->gcm;
    int ok;

    ok = ibm4767_aes_device_call(ctx, g->iv, g->ivlen, g->aad, g->aad_len, in,
                                 inl, out, last, last ? g->tag : NULL,
                                 last ? g->taglen : 0);
    if (g->aad != NULL)
        OPENSSL_cleanse(g->aad, g->aad_len);
    g->aad_len = 0;
    return ok;
}

/* Make room for len more bytes of AAD, up to IBM4767_SYM_DATA_MAX. */
static int gcm_aad_reserve(struct ibm4767_aes_ctx *ctx, size_t len)
{
    struct ibm4767_aes_gcm *g = &ctx->gcm;
    size_t cap = g->aad_cap > 0 ? g->aad_cap : 64;
    uint8_t *grown;

    if (g->aad_len + len <= g->aad_cap)
        return 1;
    while (cap < g->aad_len + len)
        cap *= 2;
    if (cap > IBM4767_SYM_DATA_MAX)
        cap = IBM4767_SYM_DATA_MAX;
    grown = OPENSSL_clear_realloc(g->aad, g->aad_cap, cap);
    if (grown == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory for %zu bytes of %s AAD", cap,
                      ctx->name);
        return 0;
    }
    g->aad = grown;
    g->aad_cap = cap;
    return 1;
}

static int gcm_add_aad(struct ibm4767_aes_ctx *ctx, const unsigned char *aad,
                       size_t len)
{
    struct ibm4767_aes_gcm *g = &ctx->gcm;

    if (g->data_started) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s AAD must come before the first data", ctx->name);
        return 0;
    }
    while (len > 0) {
        size_t room = IBM4767_SYM_DATA_MAX - g->aad_len;
        size_t take = len < room ? len : room;

        if (!gcm_aad_reserve(ctx, take))
            return 0;
        memcpy(g->aad + g->aad_len, aad, take);
        g->aad_len += take;
        aad += take;
        len -= take;
        /* A full buffer goes to the device now, so AAD of any length
         * takes bounded memory. */
        if (g->aad_len == IBM4767_SYM_DATA_MAX
            && !gcm_send(ctx, NULL, 0, NULL, 0))
            return 0;
    }
    return 1;
}

static int gcm_update(void *vctx, unsigned char *out, size_t *outl,
                      size_t outsize, const unsigned char *in, size_t inl)
{
    struct ibm4767_aes_ctx *ctx = vctx;

    *outl = 0;
    if (!gcm_ready(ctx))
        return 0;
    if (inl == 0)
        return 1;

    if (out == NULL) {
        if (!gcm_add_aad(ctx, in, inl))
            return 0;
        *outl = inl;
        return 1;
    }

    if (outsize < inl) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "%s output needs %zu bytes, but the buffer holds %zu",
                      ctx->name, inl, outsize);
        return 0;
    }
    if (!gcm_send(ctx, in, inl, out, 0))
        return 0;
    ctx->gcm.data_started = 1;
    *outl = inl;
    return 1;
}

static int gcm_final(void *vctx, unsigned char *out, size_t *outl,
                     size_t outsize)
{
    struct ibm4767_aes_ctx *ctx = vctx;
    struct ibm4767_aes_gcm *g = &ctx->gcm;

    *outl = 0;
    if (!gcm_ready(ctx))
        return 0;
    if (!ctx->enc && !g->tag_set) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s decryption has no tag to check: set the expected "
                      "tag (EVP_CTRL_AEAD_SET_TAG) before the final call",
                      ctx->name);
        return 0;
    }
    if (ctx->enc)
        g->taglen = sizeof(g->tag);

    g->finished = 1;
    g->tag_set = 0;
    if (!gcm_send(ctx, NULL, 0, NULL, 1))
        return 0;
    g->tag_ready = ctx->enc;
    return 1;
}

/* EVP_Cipher(): AAD when out is NULL, the final call when in is NULL,
 * data otherwise; returns the bytes written through outl. */
static int gcm_cipher(void *vctx, unsigned char *out, size_t *outl,
                      size_t outsize, const unsigned char *in, size_t inl)
{
    if (in == NULL)
        return gcm_final(vctx, out, outl, outsize);
    return gcm_update(vctx, out, outl, outsize, in, inl);
}

static int gcm_get_tag(struct ibm4767_aes_ctx *ctx, OSSL_PARAM *p)
{
    size_t len = p->data_size;

    if (!ctx->enc || !ctx->gcm.tag_ready) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "%s tag is available only after the final call of an "
                      "encryption", ctx->name);
        return 0;
    }
    if (len < CCA_SYM_GCM_TAG_MIN || len > CCA_SYM_GCM_TAG_MAX) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s tag of %zu bytes is invalid: ask for %u to %u "
                      "bytes", ctx->name, len, CCA_SYM_GCM_TAG_MIN,
                      CCA_SYM_GCM_TAG_MAX);
        return 0;
    }
    if (!OSSL_PARAM_set_octet_string(p, ctx->gcm.tag, len)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s tag parameter must be an octet string", ctx->name);
        return 0;
    }
    return 1;
}

static int gcm_get_iv(struct ibm4767_aes_ctx *ctx, OSSL_PARAM *p)
{
    if (!ctx->gcm.iv_set) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "%s has no IV to return", ctx->name);
        return 0;
    }
    if (OSSL_PARAM_set_octet_string(p, ctx->gcm.iv, ctx->gcm.ivlen)
        || OSSL_PARAM_set_octet_ptr(p, ctx->gcm.iv, ctx->gcm.ivlen))
        return 1;
    IBM4767_RAISE(ctx->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                  "%s IV of %zu bytes does not fit the parameter buffer",
                  ctx->name, ctx->gcm.ivlen);
    return 0;
}

static int gcm_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct ibm4767_aes_ctx *ctx = vctx;
    OSSL_PARAM *p;

    if (!ibm4767_aes_get_common_ctx_params(ctx, params, ctx->gcm.ivlen))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD_TAGLEN);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, ctx->gcm.taglen)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "cannot return %s's tag length", ctx->name);
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD_TAG);
    if (p != NULL && !gcm_get_tag(ctx, p))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IV);
    if (p != NULL && !gcm_get_iv(ctx, p))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_UPDATED_IV);
    if (p != NULL && !gcm_get_iv(ctx, p))
        return 0;
    return 1;
}

static int gcm_set_tag(struct ibm4767_aes_ctx *ctx, const OSSL_PARAM *p)
{
    void *tag = ctx->gcm.tag;
    size_t len = 0;

    if (ctx->initialized && ctx->enc) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s encryption makes its own tag: set a tag only to "
                      "decrypt", ctx->name);
        return 0;
    }
    if (p->data == NULL || p->data_size < CCA_SYM_GCM_TAG_MIN
        || p->data_size > CCA_SYM_GCM_TAG_MAX
        || !OSSL_PARAM_get_octet_string(p, &tag, sizeof(ctx->gcm.tag),
                                        &len)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s tag of %zu bytes is invalid: give the expected "
                      "tag of %u to %u bytes", ctx->name, p->data_size,
                      CCA_SYM_GCM_TAG_MIN, CCA_SYM_GCM_TAG_MAX);
        return 0;
    }
    ctx->gcm.taglen = len;
    ctx->gcm.tag_set = 1;
    return 1;
}

static int gcm_set_ivlen(struct ibm4767_aes_ctx *ctx, const OSSL_PARAM *p)
{
    size_t ivlen;

    if (!OSSL_PARAM_get_size_t(p, &ivlen)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s IV length parameter is not an unsigned integer",
                      ctx->name);
        return 0;
    }
    if (ivlen == 0 || ivlen > IBM4767_SYM_IV_MAX) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s IV length %zu is invalid: use 1 to %u bytes (12 "
                      "is standard)", ctx->name, ivlen, IBM4767_SYM_IV_MAX);
        return 0;
    }
    if (ivlen != ctx->gcm.ivlen) {
        /* The IV held so far has the old length: a new one must follow. */
        OPENSSL_clear_free(ctx->gcm.iv, ctx->gcm.ivlen);
        ctx->gcm.iv = NULL;
        ctx->gcm.iv_set = 0;
        ctx->gcm.ivlen = ivlen;
    }
    return 1;
}

static int gcm_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct ibm4767_aes_ctx *ctx = vctx;
    const OSSL_PARAM *p;

    if (params == NULL)
        return 1;
    if (!ibm4767_aes_reject_tls_params(ctx, params))
        return 0;

    p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_IVLEN);
    if (p != NULL && !gcm_set_ivlen(ctx, p))
        return 0;
    p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_TAG);
    if (p != NULL && !gcm_set_tag(ctx, p))
        return 0;
    return ibm4767_aes_set_key_params(ctx, params);
}

static const OSSL_PARAM *gcm_gettable_ctx_params(void *cctx, void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_TAGLEN, NULL),
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, NULL, 0),
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, NULL, 0),
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, NULL, 0),
        OSSL_PARAM_END,
    };

    return gettable;
}

static const OSSL_PARAM *gcm_settable_ctx_params(void *cctx, void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, NULL),
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, NULL, 0),
        OSSL_PARAM_octet_string(IBM4767_CIPHER_PARAM_KEY_TOKEN, NULL, 0),
        OSSL_PARAM_utf8_string(IBM4767_CIPHER_PARAM_KEY_LABEL, NULL, 0),
        OSSL_PARAM_END,
    };

    return settable;
}

/* One constructor and one class-parameter function per key size. */
static void *aes_128_gcm_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-128-GCM", CCA_SYM_MODE_GCM, 16);
}

static void *aes_192_gcm_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-192-GCM", CCA_SYM_MODE_GCM, 24);
}

static void *aes_256_gcm_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-256-GCM", CCA_SYM_MODE_GCM, 32);
}

static int aes_128_gcm_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_GCM_MODE, 16, 12, 1, 1);
}

static int aes_192_gcm_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_GCM_MODE, 24, 12, 1, 1);
}

static int aes_256_gcm_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_GCM_MODE, 32, 12, 1, 1);
}

/* The functions the three GCM ciphers share, for the tables. */
#define AES_GCM_FUNCTIONS \
    { OSSL_FUNC_CIPHER_ENCRYPT_INIT, (void (*)(void))gcm_einit }, \
    { OSSL_FUNC_CIPHER_DECRYPT_INIT, (void (*)(void))gcm_dinit }, \
    { OSSL_FUNC_CIPHER_UPDATE, (void (*)(void))gcm_update }, \
    { OSSL_FUNC_CIPHER_FINAL, (void (*)(void))gcm_final }, \
    { OSSL_FUNC_CIPHER_CIPHER, (void (*)(void))gcm_cipher }, \
    { OSSL_FUNC_CIPHER_FREECTX, (void (*)(void))ibm4767_aes_freectx }, \
    { OSSL_FUNC_CIPHER_DUPCTX, (void (*)(void))ibm4767_aes_dupctx }, \
    { OSSL_FUNC_CIPHER_GETTABLE_PARAMS, \
      (void (*)(void))ibm4767_aes_gettable_params }, \
    { OSSL_FUNC_CIPHER_GET_CTX_PARAMS, (void (*)(void))gcm_get_ctx_params }, \
    { OSSL_FUNC_CIPHER_SET_CTX_PARAMS, (void (*)(void))gcm_set_ctx_params }, \
    { OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS, \
      (void (*)(void))gcm_gettable_ctx_params }, \
    { OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS, \
      (void (*)(void))gcm_settable_ctx_params }, \
    { 0, NULL }

const OSSL_DISPATCH ibm4767_aes_128_gcm_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_128_gcm_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_128_gcm_get_params },
    AES_GCM_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_192_gcm_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_192_gcm_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_192_gcm_get_params },
    AES_GCM_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_256_gcm_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_256_gcm_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_256_gcm_get_params },
    AES_GCM_FUNCTIONS,
};
