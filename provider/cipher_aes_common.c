/*
 * The parts every AES mode of the provider shares: the context life cycle,
 * the key (clear key, token or key storage label), the call to the device
 * and the class parameters.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <ibm4767/keystore.h>
#include <ibm4767/symtoken.h>

#include "cipher_aes.h"

struct ibm4767_aes_ctx *ibm4767_aes_newctx(void *provctx, const char *name,
                                           uint32_t mode, size_t keylen)
{
    struct ibm4767_aes_ctx *ctx;

    ctx = OPENSSL_zalloc(sizeof(*ctx));
    if (ctx == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory for an %s context", name);
        return NULL;
    }
    ctx->provctx = provctx;
    ctx->name = name;
    ctx->mode = mode;
    ctx->keylen = keylen;
    ctx->pad = 1;
    ctx->chain.device = -1;
    ctx->gcm.ivlen = 12;
    ctx->gcm.taglen = 16;
    return ctx;
}

static void key_clear(struct ibm4767_aes_ctx *ctx)
{
    OPENSSL_clear_free(ctx->key, ctx->key_len);
    ctx->key = NULL;
    ctx->key_len = 0;
    ctx->key_form = 0;
}

void ibm4767_aes_freectx(void *vctx)
{
    struct ibm4767_aes_ctx *ctx = vctx;

    if (ctx == NULL)
        return;
    key_clear(ctx);
    OPENSSL_clear_free(ctx->gcm.iv, ctx->gcm.ivlen);
    OPENSSL_clear_free(ctx->gcm.aad, ctx->gcm.aad_cap);
    OPENSSL_clear_free(ctx, sizeof(*ctx));
}

/* A copy of n bytes at p, or NULL (also for n == 0). */
static uint8_t *copy_bytes(const uint8_t *p, size_t n)
{
    return p != NULL && n > 0 ? OPENSSL_memdup(p, n) : NULL;
}

void *ibm4767_aes_dupctx(void *vctx)
{
    struct ibm4767_aes_ctx *src = vctx;
    struct ibm4767_aes_ctx *dst;

    dst = OPENSSL_malloc(sizeof(*dst));
    if (dst == NULL)
        goto err;
    *dst = *src;
    dst->key = copy_bytes(src->key, src->key_len);
    dst->gcm.iv = copy_bytes(src->gcm.iv, src->gcm.ivlen);
    dst->gcm.aad = copy_bytes(src->gcm.aad, src->gcm.aad_cap);
    if ((src->key != NULL && dst->key == NULL)
        || (src->gcm.iv != NULL && dst->gcm.iv == NULL)
        || (src->gcm.aad != NULL && dst->gcm.aad == NULL))
        goto err;
    return dst;

err:
    if (dst != NULL) {
        /* Free only what this copy allocated. */
        if (dst->key == src->key)
            dst->key = NULL;
        if (dst->gcm.iv == src->gcm.iv)
            dst->gcm.iv = NULL;
        if (dst->gcm.aad == src->gcm.aad)
            dst->gcm.aad = NULL;
        ibm4767_aes_freectx(dst);
    }
    IBM4767_RAISE(src->provctx, IBM4767_R_MALLOC_FAILURE,
                  "out of memory copying an %s context", src->name);
    return NULL;
}

static int set_clear_key(struct ibm4767_aes_ctx *ctx, const unsigned char *key,
                         size_t keylen)
{
    uint8_t *copy;

    if (keylen != ctx->keylen) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_KEY,
                      "%s needs a %zu-byte key, but %zu bytes were given",
                      ctx->name, ctx->keylen, keylen);
        return 0;
    }
    copy = OPENSSL_memdup(key, keylen);
    if (copy == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory for an %s key", ctx->name);
        return 0;
    }
    key_clear(ctx);
    ctx->key = copy;
    ctx->key_len = keylen;
    ctx->key_form = CCA_SYM_KEY_CLEAR;
    return 1;
}

/* Check a token's structure and that it fits this cipher, then keep a
 * copy.  where names the token's source for messages. */
static int set_token(struct ibm4767_aes_ctx *ctx, const uint8_t *token,
                     size_t len, const char *where)
{
    struct cca_sym_token tok;
    char detail[256];
    uint32_t reason;
    uint8_t *copy;

    if (!cca_sym_token_parse(token, len, &tok, &reason, detail,
                             sizeof(detail))) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_TOKEN,
                      "%s is not a usable AES key token: %s", where, detail);
        return 0;
    }
    if (tok.key_bits / 8 != ctx->keylen) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_KEY,
                      "%s holds an AES-%u key, but %s needs a %zu-bit key",
                      where, tok.key_bits, ctx->name, ctx->keylen * 8);
        return 0;
    }
    if (tok.mode != CCA_SYMTOKEN_MODE_ANY && tok.mode != ctx->mode) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_KEY_USAGE,
                      "%s is restricted to another mode than %s's",
                      where, ctx->name);
        return 0;
    }
    copy = OPENSSL_memdup(token, len);
    if (copy == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory for an AES key token");
        return 0;
    }
    key_clear(ctx);
    ctx->key = copy;
    ctx->key_len = len;
    ctx->key_form = CCA_SYM_KEY_TOKEN;
    return 1;
}

/* Read the token stored under label from the provider's key storage. */
static int set_label(struct ibm4767_aes_ctx *ctx, const char *label)
{
    struct cca_keystore *ks = ctx->provctx->keystore;
    struct cca_key_record rec;
    struct cca_result res;
    char where[CCA_LABEL_TEXT_MAX + 64];
    int ret = 0;

    memset(&rec, 0, sizeof(rec));
    snprintf(where, sizeof(where), "key storage label %.64s", label);
    if (ks == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_CONFIG,
                      "key storage is not set up; cannot read %s", where);
        goto err;
    }
    if (!cca_key_record_read(ks, label, &rec, &res)) {
        IBM4767_RAISE_CCA(ctx->provctx, &res, where);
        goto err;
    }
    if (rec.type != CCA_KEY_TYPE_AES) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_KEY,
                      "%s holds a %s record, not an AES key token", where,
                      cca_key_type_name(rec.type));
        goto err;
    }
    ret = set_token(ctx, rec.token, rec.token_len, where);

err:
    cca_key_record_clear(&rec);
    return ret;
}

int ibm4767_aes_set_key_params(struct ibm4767_aes_ctx *ctx,
                               const OSSL_PARAM params[])
{
    const OSSL_PARAM *p;
    const void *token = NULL;
    const char *label = NULL;
    size_t len = 0, keylen;

    p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_KEYLEN);
    if (p != NULL) {
        if (!OSSL_PARAM_get_size_t(p, &keylen) || keylen != ctx->keylen) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "%s has a fixed key length of %zu bytes; other "
                          "lengths are invalid", ctx->name, ctx->keylen);
            return 0;
        }
    }

    p = OSSL_PARAM_locate_const(params, IBM4767_CIPHER_PARAM_KEY_TOKEN);
    if (p != NULL && !OSSL_PARAM_get_octet_string_ptr(p, &token, &len)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "parameter %s must be an octet string holding an AES "
                      "key token", IBM4767_CIPHER_PARAM_KEY_TOKEN);
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, IBM4767_CIPHER_PARAM_KEY_LABEL);
    if (p != NULL && !OSSL_PARAM_get_utf8_string_ptr(p, &label)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "parameter %s must be a UTF-8 string holding a key "
                      "storage label", IBM4767_CIPHER_PARAM_KEY_LABEL);
        return 0;
    }
    if (token != NULL && label != NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "give either %s or %s, not both",
                      IBM4767_CIPHER_PARAM_KEY_TOKEN,
                      IBM4767_CIPHER_PARAM_KEY_LABEL);
        return 0;
    }

    if (token != NULL)
        return set_token(ctx, token, len, "parameter " IBM4767_CIPHER_PARAM_KEY_TOKEN);
    if (label != NULL)
        return set_label(ctx, label);
    return 1;
}

int ibm4767_aes_reject_tls_params(const struct ibm4767_aes_ctx *ctx,
                                  const OSSL_PARAM params[])
{
    static const char *const tls_params[] = {
        OSSL_CIPHER_PARAM_AEAD_TLS1_AAD,
        OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED,
        OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV,
        OSSL_CIPHER_PARAM_TLS_MAC,
        OSSL_CIPHER_PARAM_TLS_VERSION,
    };

    for (size_t i = 0; i < sizeof(tls_params) / sizeof(tls_params[0]); i++) {
        if (OSSL_PARAM_locate_const(params, tls_params[i]) != NULL) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                          "%s does not support the TLS record-layer "
                          "parameter %s; leave TLS bulk encryption to the "
                          "default provider", ctx->name, tls_params[i]);
            return 0;
        }
    }
    return 1;
}

void ibm4767_aes_reset_message(struct ibm4767_aes_ctx *ctx)
{
    OPENSSL_cleanse(ctx->buf, sizeof(ctx->buf));
    ctx->buf_len = 0;
    ctx->num = 0;
    memset(&ctx->chain, 0, sizeof(ctx->chain));
    ctx->chain.device = -1;
    ctx->chain_started = 0;
    ctx->broken = 0;

    if (ctx->gcm.aad != NULL)
        OPENSSL_cleanse(ctx->gcm.aad, ctx->gcm.aad_len);
    ctx->gcm.aad_len = 0;
    ctx->gcm.data_started = 0;
    ctx->gcm.tag_ready = 0;
    ctx->gcm.finished = 0;
}

int ibm4767_aes_init_key(struct ibm4767_aes_ctx *ctx, const unsigned char *key,
                         size_t keylen, const OSSL_PARAM params[], int enc)
{
    if (key != NULL
        && (OSSL_PARAM_locate_const(params, IBM4767_CIPHER_PARAM_KEY_TOKEN)
            != NULL
            || OSSL_PARAM_locate_const(params, IBM4767_CIPHER_PARAM_KEY_LABEL)
            != NULL)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s was given both a clear key and a secure key "
                      "parameter; give one of them", ctx->name);
        return 0;
    }

    ctx->enc = enc;
    ctx->initialized = 1;
    ibm4767_aes_reset_message(ctx);
    return key == NULL || set_clear_key(ctx, key, keylen);
}

int ibm4767_aes_ready(const struct ibm4767_aes_ctx *ctx)
{
    struct cca_sym_token tok;
    uint16_t need = ctx->enc ? CCA_SYMTOKEN_KUF1_ENCRYPT
                             : CCA_SYMTOKEN_KUF1_DECRYPT;

    if (!ctx->initialized) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "%s is used before EVP_EncryptInit or EVP_DecryptInit",
                      ctx->name);
        return 0;
    }
    if (ctx->key_form == 0) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "%s has no key: pass a key to the init call or set %s "
                      "or %s", ctx->name, IBM4767_CIPHER_PARAM_KEY_TOKEN,
                      IBM4767_CIPHER_PARAM_KEY_LABEL);
        return 0;
    }
    if (ctx->broken) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "an earlier coprocessor request of this %s message "
                      "failed; start the message again with an init call",
                      ctx->name);
        return 0;
    }
    if (ctx->key_form == CCA_SYM_KEY_TOKEN
        && cca_sym_token_parse(ctx->key, ctx->key_len, &tok, NULL, NULL, 0)
        && (tok.usage & need) == 0) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_KEY_USAGE,
                      "the AES key token does not allow %s",
                      ctx->enc ? "encryption" : "decryption");
        return 0;
    }
    return 1;
}

static void raise_device(struct ibm4767_aes_ctx *ctx,
                         const struct cca_result *res)
{
    char what[96];

    if (res->rc == CCA_RC_ERROR && res->reason == CCA_RS_GCM_TAG_INVALID) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DECRYPT_FAILED,
                      "%s tag does not match: the ciphertext, AAD, IV or tag "
                      "was changed, or the key is not the one that "
                      "encrypted (CCA %u/%u)", ctx->name, res->rc,
                      res->reason);
        return;
    }
    snprintf(what, sizeof(what), "%s %s", ctx->name,
             ctx->enc ? "encryption" : "decryption");
    IBM4767_RAISE_CCA(ctx->provctx, res, what);
}

int ibm4767_aes_device_call(struct ibm4767_aes_ctx *ctx, const uint8_t *iv,
                            size_t ivlen, const uint8_t *aad, size_t aad_len,
                            const uint8_t *in, size_t len, uint8_t *out,
                            int last, uint8_t *tag, size_t taglen)
{
    struct cca_sym_params p;
    struct cca_result res;
    int ok;

    memset(&p, 0, sizeof(p));
    p.mode = ctx->mode;
    if (ctx->chain_started)
        p.chain = last ? CCA_SYM_CHAIN_FINAL : CCA_SYM_CHAIN_CONTINUE;
    else
        p.chain = last ? CCA_SYM_CHAIN_ONLY : CCA_SYM_CHAIN_INITIAL;
    p.key_form = ctx->key_form;
    p.key = ctx->key;
    p.key_len = ctx->key_len;
    if (!ctx->chain_started) {
        p.iv = iv;
        p.iv_len = ivlen;
    }
    p.aad = aad;
    p.aad_len = aad_len;

    if (ctx->enc)
        ok = cca_symmetric_encipher(ctx->provctx->backend, &p, &ctx->chain,
                                    in, len, out, tag, taglen, &res);
    else
        ok = cca_symmetric_decipher(ctx->provctx->backend, &p, &ctx->chain,
                                    in, len, out, tag, taglen, &res);
    if (!ok) {
        /* The chain lost a piece: continuing it would skip data. */
        ctx->broken = 1;
        raise_device(ctx, &res);
        return 0;
    }
    if (res.rc == CCA_RC_OK && res.reason == CCA_RS_OLD_MASTER_KEY
        && !ctx->warned_old_mk) {
        ctx->warned_old_mk = 1;
        IBM4767_WARN("%s: the AES key token is wrapped under the old AES "
                     "master key; re-encipher it under the current one",
                     ctx->name);
    }
    ctx->chain_started = !last;
    return 1;
}

int ibm4767_aes_get_params(OSSL_PARAM params[], unsigned int evp_mode,
                           size_t keylen, size_t ivlen, size_t blocksize,
                           int aead)
{
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_MODE);
    if (p != NULL && !OSSL_PARAM_set_uint(p, evp_mode))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, keylen))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, ivlen))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_BLOCK_SIZE);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, blocksize))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD);
    if (p != NULL && !OSSL_PARAM_set_int(p, aead))
        return 0;
    /* GCM takes IVs of any length, as OpenSSL's own GCM does. */
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_CUSTOM_IV);
    if (p != NULL && !OSSL_PARAM_set_int(p, aead))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_CTS);
    if (p != NULL && !OSSL_PARAM_set_int(p, 0))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK);
    if (p != NULL && !OSSL_PARAM_set_int(p, 0))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_HAS_RAND_KEY);
    if (p != NULL && !OSSL_PARAM_set_int(p, 0))
        return 0;
    return 1;
}

const OSSL_PARAM *ibm4767_aes_gettable_params(void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_uint(OSSL_CIPHER_PARAM_MODE, NULL),
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_BLOCK_SIZE, NULL),
        OSSL_PARAM_int(OSSL_CIPHER_PARAM_AEAD, NULL),
        OSSL_PARAM_int(OSSL_CIPHER_PARAM_CUSTOM_IV, NULL),
        OSSL_PARAM_int(OSSL_CIPHER_PARAM_CTS, NULL),
        OSSL_PARAM_int(OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK, NULL),
        OSSL_PARAM_int(OSSL_CIPHER_PARAM_HAS_RAND_KEY, NULL),
        OSSL_PARAM_END,
    };

    return gettable;
}

int ibm4767_aes_get_common_ctx_params(const struct ibm4767_aes_ctx *ctx,
                                      OSSL_PARAM params[], size_t ivlen)
{
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, ctx->keylen)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "cannot return %s's key length", ctx->name);
        return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, ivlen)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "cannot return %s's IV length", ctx->name);
        return 0;
    }
    return 1;
}
