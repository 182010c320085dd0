/*
 * AES-{128,192,256}-{ECB,CBC,CTR} on the coprocessor.
 *
 * The device takes whole blocks for ECB and CBC, so the provider keeps a
 * partial block and does the PKCS#7 padding, as OpenSSL's own block
 * ciphers do.  A decrypting context with padding on holds the last whole
 * block back until the final call.  CTR output follows the input byte for
 * byte.  The messages of one context form a device chain, so a stream in
 * many small updates gives the same bytes as one large update.
 */
#include "config.h"

#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "cipher_aes.h"

static int block_mode(const struct ibm4767_aes_ctx *ctx)
{
    return ctx->mode == CCA_SYM_MODE_ECB || ctx->mode == CCA_SYM_MODE_CBC;
}

static size_t mode_ivlen(const struct ibm4767_aes_ctx *ctx)
{
    return ctx->mode == CCA_SYM_MODE_ECB ? 0 : AES_BLOCK;
}

static int aes_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

static int aes_init(void *vctx, const unsigned char *key, size_t keylen,
                    const unsigned char *iv, size_t ivlen,
                    const OSSL_PARAM params[], int enc)
{
    struct ibm4767_aes_ctx *ctx = vctx;

    if (!ibm4767_aes_init_key(ctx, key, keylen, params, enc)
        || !aes_set_ctx_params(ctx, params))
        return 0;

    /* ECB has no IV; OpenSSL's own ECB ignores one too. */
    if (iv != NULL && ctx->mode != CCA_SYM_MODE_ECB) {
        if (ivlen != AES_BLOCK) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "%s needs a 16-byte IV, but %zu bytes were given",
                          ctx->name, ivlen);
            return 0;
        }
        memcpy(ctx->oiv, iv, AES_BLOCK);
        ctx->iv_set = 1;
    }
    /* Every message starts from the IV given last (zeros if none). */
    memcpy(ctx->iv, ctx->oiv, AES_BLOCK);
    return 1;
}

static int aes_einit(void *vctx, const unsigned char *key, size_t keylen,
                     const unsigned char *iv, size_t ivlen,
                     const OSSL_PARAM params[])
{
    return aes_init(vctx, key, keylen, iv, ivlen, params, 1);
}

static int aes_dinit(void *vctx, const unsigned char *key, size_t keylen,
                     const unsigned char *iv, size_t ivlen,
                     const OSSL_PARAM params[])
{
    return aes_init(vctx, key, keylen, iv, ivlen, params, 0);
}

/* Add n to the 128-bit big-endian counter block. */
static void counter_add(uint8_t counter[AES_BLOCK], size_t n)
{
    uint64_t carry = n;

    for (int i = AES_BLOCK - 1; i >= 0 && carry != 0; i--) {
        uint64_t sum = counter[i] + (carry & 0xFFu);

        counter[i] = (uint8_t)sum;
        carry = (carry >> 8) + (sum >> 8);
    }
}

/* Whole blocks through the device; CBC's next IV is the last ciphertext
 * block.  last ends the device chain. */
static int run_blocks(struct ibm4767_aes_ctx *ctx, const uint8_t *in,
                      size_t len, uint8_t *out, int last)
{
    uint8_t last_in[AES_BLOCK];

    /* Read before an in-place call overwrites it. */
    memcpy(last_in, in + len - AES_BLOCK, AES_BLOCK);
    if (!ibm4767_aes_device_call(ctx, ctx->iv, mode_ivlen(ctx), NULL, 0, in,
                                 len, out, last, NULL, 0))
        return 0;
    if (ctx->mode == CCA_SYM_MODE_CBC)
        memcpy(ctx->iv, ctx->enc ? out + len - AES_BLOCK : last_in,
               AES_BLOCK);
    return 1;
}

static int check_outsize(const struct ibm4767_aes_ctx *ctx, size_t need,
                         size_t outsize)
{
    if (need <= outsize)
        return 1;
    IBM4767_RAISE(ctx->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                  "%s output needs %zu bytes, but the buffer holds %zu",
                  ctx->name, need, outsize);
    return 0;
}

static int block_update(struct ibm4767_aes_ctx *ctx, unsigned char *out,
                        size_t *outl, size_t outsize, const unsigned char *in,
                        size_t inl)
{
    int hold_last = !ctx->enc && ctx->pad;
    size_t total = ctx->buf_len + inl;
    size_t out_len = total - total % AES_BLOCK;
    size_t produced = 0;
    size_t whole;

    if (hold_last && total % AES_BLOCK == 0 && out_len > 0)
        out_len -= AES_BLOCK;
    if (!check_outsize(ctx, out_len, outsize))
        return 0;

    if (ctx->buf_len > 0) {
        size_t take = AES_BLOCK - ctx->buf_len;

        if (take > inl)
            take = inl;
        memcpy(ctx->buf + ctx->buf_len, in, take);
        ctx->buf_len += take;
        in += take;
        inl -= take;
        if (ctx->buf_len < AES_BLOCK || (hold_last && inl == 0))
            return 1;
        if (!run_blocks(ctx, ctx->buf, AES_BLOCK, out, 0))
            return 0;
        ctx->buf_len = 0;
        produced = AES_BLOCK;
    }

    whole = inl - inl % AES_BLOCK;
    if (hold_last && inl % AES_BLOCK == 0 && whole > 0)
        whole -= AES_BLOCK;
    if (whole > 0 && !run_blocks(ctx, in, whole, out + produced, 0))
        return 0;
    produced += whole;

    memcpy(ctx->buf, in + whole, inl - whole);
    ctx->buf_len = inl - whole;
    *outl = produced;
    return 1;
}

static int ctr_update(struct ibm4767_aes_ctx *ctx, unsigned char *out,
                      size_t *outl, size_t outsize, const unsigned char *in,
                      size_t inl)
{
    if (!check_outsize(ctx, inl, outsize))
        return 0;
    if (inl > 0 && !ibm4767_aes_device_call(ctx, ctx->iv, AES_BLOCK, NULL, 0,
                                            in, inl, out, 0, NULL, 0))
        return 0;
    /* Report the counter as OpenSSL's CTR does: the block after the last
     * one whose keystream was generated, so a partly used block counts. */
    counter_add(ctx->iv, (ctx->num + inl + AES_BLOCK - 1) / AES_BLOCK
                             - (ctx->num > 0));
    ctx->num = (unsigned int)((ctx->num + inl) % AES_BLOCK);
    *outl = inl;
    return 1;
}

static int aes_update(void *vctx, unsigned char *out, size_t *outl,
                      size_t outsize, const unsigned char *in, size_t inl)
{
    struct ibm4767_aes_ctx *ctx = vctx;

    *outl = 0;
    if (!ibm4767_aes_ready(ctx))
        return 0;
    if (inl == 0)
        return 1;
    if (block_mode(ctx))
        return block_update(ctx, out, outl, outsize, in, inl);
    return ctr_update(ctx, out, outl, outsize, in, inl);
}

/* 1 when block ends in valid PKCS#7 padding, without branching on its
 * bytes; *pad_len gets the padding length. */
static int padding_valid(const uint8_t block[AES_BLOCK], size_t *pad_len)
{
    unsigned int pad = block[AES_BLOCK - 1];
    unsigned int bad = 0;

    /* pad must be 1..16: (pad - 1) has bit 8 set only for pad == 0. */
    bad |= ((pad - 1u) >> 8) & 1u;
    bad |= ((AES_BLOCK - pad) >> 8) & 1u;
    for (unsigned int i = 0; i < AES_BLOCK; i++) {
        /* in_pad is all ones for the last pad bytes of the block. */
        unsigned int in_pad = 0u - (((AES_BLOCK - 1u - i) - pad) >> 31 & 1u);

        bad |= (block[i] ^ pad) & in_pad;
    }
    *pad_len = pad;
    return bad == 0;
}

static int block_final_encrypt(struct ibm4767_aes_ctx *ctx,
                               unsigned char *out, size_t *outl,
                               size_t outsize)
{
    uint8_t pad;

    if (!ctx->pad) {
        if (ctx->buf_len == 0)
            return 1;
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s with padding off needs whole 16-byte blocks, but "
                      "%zu bytes are left over", ctx->name, ctx->buf_len);
        return 0;
    }
    if (!check_outsize(ctx, AES_BLOCK, outsize))
        return 0;
    pad = (uint8_t)(AES_BLOCK - ctx->buf_len);
    memset(ctx->buf + ctx->buf_len, pad, pad);
    if (!run_blocks(ctx, ctx->buf, AES_BLOCK, out, 1))
        return 0;
    ctx->buf_len = 0;
    *outl = AES_BLOCK;
    return 1;
}

static int block_final_decrypt(struct ibm4767_aes_ctx *ctx,
                               unsigned char *out, size_t *outl,
                               size_t outsize)
{
    uint8_t block[AES_BLOCK];
    size_t pad_len = 0;
    int ret = 0;

    if (!ctx->pad) {
        if (ctx->buf_len == 0)
            return 1;
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DECRYPT_FAILED,
                      "%s ciphertext with padding off is not whole 16-byte "
                      "blocks: %zu bytes are left over", ctx->name,
                      ctx->buf_len);
        return 0;
    }
    if (ctx->buf_len != AES_BLOCK) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DECRYPT_FAILED,
                      "%s ciphertext is not a whole number of 16-byte blocks "
                      "(%zu bytes left over): it is truncated or not "
                      "padded", ctx->name, ctx->buf_len);
        return 0;
    }
    if (!run_blocks(ctx, ctx->buf, AES_BLOCK, block, 1))
        goto err;
    ctx->buf_len = 0;
    if (!padding_valid(block, &pad_len)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DECRYPT_FAILED,
                      "%s decryption found invalid padding: wrong key or "
                      "IV, or the ciphertext was changed", ctx->name);
        goto err;
    }
    if (!check_outsize(ctx, AES_BLOCK - pad_len, outsize))
        goto err;
    memcpy(out, block, AES_BLOCK - pad_len);
    *outl = AES_BLOCK - pad_len;
    ret = 1;

err:
    OPENSSL_cleanse(block, sizeof(block));
    return ret;
}

static int aes_final(void *vctx, unsigned char *out, size_t *outl,
                     size_t outsize)
{
    struct ibm4767_aes_ctx *ctx = vctx;

    *outl = 0;
    if (!ibm4767_aes_ready(ctx))
        return 0;
    if (!block_mode(ctx))
        return 1;
    if (ctx->enc)
        return block_final_encrypt(ctx, out, outl, outsize);
    return block_final_decrypt(ctx, out, outl, outsize);
}

/* EVP_Cipher(): whole blocks with no buffering or padding for ECB and CBC,
 * as OpenSSL's own ciphers behave. */
static int aes_cipher(void *vctx, unsigned char *out, size_t *outl,
                      size_t outsize, const unsigned char *in, size_t inl)
{
    struct ibm4767_aes_ctx *ctx = vctx;

    *outl = 0;
    if (!ibm4767_aes_ready(ctx))
        return 0;
    if (!block_mode(ctx))
        return ctr_update(ctx, out, outl, outsize, in, inl);
    if (inl % AES_BLOCK != 0) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s one-shot input of %zu bytes is not whole 16-byte "
                      "blocks", ctx->name, inl);
        return 0;
    }
    if (!check_outsize(ctx, inl, outsize))
        return 0;
    if (inl > 0 && !run_blocks(ctx, in, inl, out, 0))
        return 0;
    *outl = inl;
    return 1;
}

static int set_iv_param(OSSL_PARAM *p, const uint8_t *iv, size_t len)
{
    return OSSL_PARAM_set_octet_string(p, iv, len)
           || OSSL_PARAM_set_octet_ptr(p, iv, len);
}

static int aes_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct ibm4767_aes_ctx *ctx = vctx;
    OSSL_PARAM *p;

    if (!ibm4767_aes_get_common_ctx_params(ctx, params, mode_ivlen(ctx)))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_PADDING);
    if (p != NULL && !OSSL_PARAM_set_uint(p, (unsigned int)ctx->pad))
        goto err;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_NUM);
    if (p != NULL && !OSSL_PARAM_set_uint(p, ctx->num))
        goto err;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IV);
    if (p != NULL && !set_iv_param(p, ctx->oiv, mode_ivlen(ctx)))
        goto err;
    p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_UPDATED_IV);
    if (p != NULL && !set_iv_param(p, ctx->iv, mode_ivlen(ctx)))
        goto err;
    return 1;

err:
    IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                  "cannot return a parameter of %s: check its type and "
                  "buffer size", ctx->name);
    return 0;
}

static int aes_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct ibm4767_aes_ctx *ctx = vctx;
    const OSSL_PARAM *p;
    unsigned int value;

    if (params == NULL)
        return 1;
    if (!ibm4767_aes_reject_tls_params(ctx, params))
        return 0;

    p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_PADDING);
    if (p != NULL) {
        if (!OSSL_PARAM_get_uint(p, &value)) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "padding parameter of %s must be an unsigned "
                          "integer", ctx->name);
            return 0;
        }
        ctx->pad = value != 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_NUM);
    if (p != NULL && (!OSSL_PARAM_get_uint(p, &value) || value != ctx->num)) {
        /* The device keeps the keystream position in the chain. */
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "%s cannot move its keystream position; start a new "
                      "message with an init call instead", ctx->name);
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_IVLEN);
    if (p != NULL) {
        size_t ivlen;

        if (!OSSL_PARAM_get_size_t(p, &ivlen) || ivlen != mode_ivlen(ctx)) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "%s has a fixed IV length of %zu bytes",
                          ctx->name, mode_ivlen(ctx));
            return 0;
        }
    }
    return ibm4767_aes_set_key_params(ctx, params);
}

static const OSSL_PARAM *aes_gettable_ctx_params(void *cctx, void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, NULL),
        OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, NULL),
        OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, NULL),
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, NULL, 0),
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, NULL, 0),
        OSSL_PARAM_END,
    };

    return gettable;
}

static const OSSL_PARAM *aes_settable_ctx_params(void *cctx, void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, NULL),
        OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, NULL),
        OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, NULL),
        OSSL_PARAM_octet_string(IBM4767_CIPHER_PARAM_KEY_TOKEN, NULL, 0),
        OSSL_PARAM_utf8_string(IBM4767_CIPHER_PARAM_KEY_LABEL, NULL, 0),
        OSSL_PARAM_END,
    };

    return settable;
}

/*
 * One constructor and one class-parameter function per cipher: OpenSSL
 * calls them without a context, so each cipher needs its own.
 */
static void *aes_128_ecb_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-128-ECB", CCA_SYM_MODE_ECB, 16);
}

static void *aes_192_ecb_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-192-ECB", CCA_SYM_MODE_ECB, 24);
}

static void *aes_256_ecb_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-256-ECB", CCA_SYM_MODE_ECB, 32);
}

static void *aes_128_cbc_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-128-CBC", CCA_SYM_MODE_CBC, 16);
}

static void *aes_192_cbc_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-192-CBC", CCA_SYM_MODE_CBC, 24);
}

static void *aes_256_cbc_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-256-CBC", CCA_SYM_MODE_CBC, 32);
}

static void *aes_128_ctr_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-128-CTR", CCA_SYM_MODE_CTR, 16);
}

static void *aes_192_ctr_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-192-CTR", CCA_SYM_MODE_CTR, 24);
}

static void *aes_256_ctr_newctx(void *provctx)
{
    return ibm4767_aes_newctx(provctx, "AES-256-CTR", CCA_SYM_MODE_CTR, 32);
}

static int aes_128_ecb_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_ECB_MODE, 16, 0, 16, 0);
}

static int aes_192_ecb_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_ECB_MODE, 24, 0, 16, 0);
}

static int aes_256_ecb_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_ECB_MODE, 32, 0, 16, 0);
}

static int aes_128_cbc_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_CBC_MODE, 16, 16, 16, 0);
}

static int aes_192_cbc_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_CBC_MODE, 24, 16, 16, 0);
}

static int aes_256_cbc_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_CBC_MODE, 32, 16, 16, 0);
}

static int aes_128_ctr_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_CTR_MODE, 16, 16, 1, 0);
}

static int aes_192_ctr_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_CTR_MODE, 24, 16, 1, 0);
}

static int aes_256_ctr_get_params(OSSL_PARAM params[])
{
    return ibm4767_aes_get_params(params, EVP_CIPH_CTR_MODE, 32, 16, 1, 0);
}

/* The functions every ECB, CBC and CTR cipher shares, for the tables. */
#define AES_CIPHER_FUNCTIONS \
    { OSSL_FUNC_CIPHER_ENCRYPT_INIT, (void (*)(void))aes_einit }, \
    { OSSL_FUNC_CIPHER_DECRYPT_INIT, (void (*)(void))aes_dinit }, \
    { OSSL_FUNC_CIPHER_UPDATE, (void (*)(void))aes_update }, \
    { OSSL_FUNC_CIPHER_FINAL, (void (*)(void))aes_final }, \
    { OSSL_FUNC_CIPHER_CIPHER, (void (*)(void))aes_cipher }, \
    { OSSL_FUNC_CIPHER_FREECTX, (void (*)(void))ibm4767_aes_freectx }, \
    { OSSL_FUNC_CIPHER_DUPCTX, (void (*)(void))ibm4767_aes_dupctx }, \
    { OSSL_FUNC_CIPHER_GETTABLE_PARAMS, \
      (void (*)(void))ibm4767_aes_gettable_params }, \
    { OSSL_FUNC_CIPHER_GET_CTX_PARAMS, (void (*)(void))aes_get_ctx_params }, \
    { OSSL_FUNC_CIPHER_SET_CTX_PARAMS, (void (*)(void))aes_set_ctx_params }, \
    { OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS, \
      (void (*)(void))aes_gettable_ctx_params }, \
    { OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS, \
      (void (*)(void))aes_settable_ctx_params }, \
    { 0, NULL }

const OSSL_DISPATCH ibm4767_aes_128_ecb_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_128_ecb_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_128_ecb_get_params },
    AES_CIPHER_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_192_ecb_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_192_ecb_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_192_ecb_get_params },
    AES_CIPHER_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_256_ecb_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_256_ecb_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_256_ecb_get_params },
    AES_CIPHER_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_128_cbc_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_128_cbc_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_128_cbc_get_params },
    AES_CIPHER_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_192_cbc_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_192_cbc_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_192_cbc_get_params },
    AES_CIPHER_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_256_cbc_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_256_cbc_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_256_cbc_get_params },
    AES_CIPHER_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_128_ctr_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_128_ctr_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_128_ctr_get_params },
    AES_CIPHER_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_192_ctr_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_192_ctr_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_192_ctr_get_params },
    AES_CIPHER_FUNCTIONS,
};

const OSSL_DISPATCH ibm4767_aes_256_ctr_cipher_functions[] = {
    { OSSL_FUNC_CIPHER_NEWCTX, (void (*)(void))aes_256_ctr_newctx },
    { OSSL_FUNC_CIPHER_GET_PARAMS, (void (*)(void))aes_256_ctr_get_params },
    AES_CIPHER_FUNCTIONS,
};
