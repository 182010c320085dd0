/*
 * RSA encryption and decryption in the coprocessor: PKCS#1 v1.5, OAEP,
 * raw (no padding) and the PKCS#1 v1.5 variant that libssl uses for the
 * TLS RSA key exchange, where a bad padding yields a random premaster
 * secret instead of an error.
 */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "prov.h"
#include "rsa_pss.h"

static OSSL_FUNC_asym_cipher_newctx_fn rsaenc_newctx;
static OSSL_FUNC_asym_cipher_freectx_fn rsaenc_freectx;
static OSSL_FUNC_asym_cipher_dupctx_fn rsaenc_dupctx;
static OSSL_FUNC_asym_cipher_encrypt_init_fn rsaenc_encrypt_init;
static OSSL_FUNC_asym_cipher_encrypt_fn rsaenc_encrypt;
static OSSL_FUNC_asym_cipher_decrypt_init_fn rsaenc_decrypt_init;
static OSSL_FUNC_asym_cipher_decrypt_fn rsaenc_decrypt;
static OSSL_FUNC_asym_cipher_get_ctx_params_fn rsaenc_get_ctx_params;
static OSSL_FUNC_asym_cipher_gettable_ctx_params_fn
    rsaenc_gettable_ctx_params;
static OSSL_FUNC_asym_cipher_set_ctx_params_fn rsaenc_set_ctx_params;
static OSSL_FUNC_asym_cipher_settable_ctx_params_fn
    rsaenc_settable_ctx_params;

/* The TLS premaster secret of the RSA key exchange (RFC 5246, 7.4.7.1). */
#define TLS_PREMASTER_LEN 48

enum rsaenc_operation {
    RSAENC_NONE = 0,
    RSAENC_ENCRYPT,
    RSAENC_DECRYPT,
};

struct rsaenc_ctx {
    struct ibm4767_provctx *provctx;
    struct ibm4767_key *key;     /* owned by the EVP_PKEY of the caller */
    enum rsaenc_operation operation;
    int pad_mode;                /* RSA_*_PADDING */
    EVP_MD *oaep_md;             /* NULL: SHA-1, the OAEP default */
    EVP_MD *mgf1_md;             /* NULL: same as oaep_md */
    uint8_t *label;
    size_t label_len;
    unsigned int tls_client_version;
    unsigned int tls_negotiated_version;
};

static size_t modulus_bytes(const struct ibm4767_key *key)
{
    return (key->tok.bits + 7) / 8;
}

static void *rsaenc_newctx(void *provctx)
{
    struct rsaenc_ctx *ctx = OPENSSL_zalloc(sizeof(*ctx));

    if (ctx == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate an RSA cipher context");
        return NULL;
    }
    ctx->provctx = provctx;
    ctx->pad_mode = RSA_PKCS1_PADDING;
    return ctx;
}

static void rsaenc_freectx(void *vctx)
{
    struct rsaenc_ctx *ctx = vctx;

    if (ctx == NULL)
        return;
    EVP_MD_free(ctx->oaep_md);
    EVP_MD_free(ctx->mgf1_md);
    OPENSSL_clear_free(ctx->label, ctx->label_len);
    OPENSSL_free(ctx);
}

static void *rsaenc_dupctx(void *vctx)
{
    struct rsaenc_ctx *src = vctx;
    struct rsaenc_ctx *dst;

    dst = OPENSSL_memdup(src, sizeof(*src));
    if (dst == NULL)
        goto err;
    dst->oaep_md = NULL;
    dst->mgf1_md = NULL;
    dst->label = NULL;
    dst->label_len = 0;

    if (src->oaep_md != NULL && !EVP_MD_up_ref(src->oaep_md))
        goto err;
    dst->oaep_md = src->oaep_md;
    if (src->mgf1_md != NULL && !EVP_MD_up_ref(src->mgf1_md))
        goto err;
    dst->mgf1_md = src->mgf1_md;
    if (src->label != NULL) {
        dst->label = OPENSSL_memdup(src->label, src->label_len);
        if (dst->label == NULL)
            goto err;
        dst->label_len = src->label_len;
    }
    return dst;

err:
    IBM4767_RAISE(src->provctx, IBM4767_R_MALLOC_FAILURE,
                  "cannot copy an RSA cipher context");
    rsaenc_freectx(dst);
    return NULL;
}

static int rsaenc_init(struct rsaenc_ctx *ctx, struct ibm4767_key *key,
                       const OSSL_PARAM params[],
                       enum rsaenc_operation operation)
{
    if (ctx == NULL)
        return 0;
    if (key == NULL)
        key = ctx->key; /* a new init on the same context keeps its key */
    if (key == NULL || key->alg != CCA_ALG_RSA || key->token == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "RSA encryption needs an RSA key of this provider");
        return 0;
    }
    if (key->is_pss) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_KEY_USAGE,
                      "the %u-bit key is an RSA-PSS key, which only signs; "
                      "encrypt and decrypt with an RSA key", key->tok.bits);
        return 0;
    }
    if (operation == RSAENC_DECRYPT && !key->tok.has_private) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "the %u-bit RSA key is a public key; decryption needs "
                      "a private key token", key->tok.bits);
        return 0;
    }
    ctx->key = key;
    ctx->operation = operation;
    return rsaenc_set_ctx_params(ctx, params);
}

static int rsaenc_encrypt_init(void *vctx, void *key,
                               const OSSL_PARAM params[])
{
    return rsaenc_init(vctx, key, params, RSAENC_ENCRYPT);
}

static int rsaenc_decrypt_init(void *vctx, void *key,
                               const OSSL_PARAM params[])
{
    return rsaenc_init(vctx, key, params, RSAENC_DECRYPT);
}

/* Fill the device parameters from the context; raises for a digest the
 * coprocessor lacks. */
static int rsaenc_params(const struct rsaenc_ctx *ctx,
                         struct cca_pka_cipher_params *cp)
{
    memset(cp, 0, sizeof(*cp));
    switch (ctx->pad_mode) {
    case RSA_PKCS1_PADDING:
        cp->padding = CCA_PAD_PKCS1;
        return 1;
    case RSA_NO_PADDING:
        cp->padding = CCA_PAD_NONE;
        return 1;
    case RSA_PKCS1_WITH_TLS_PADDING:
        cp->padding = CCA_PAD_TLS;
        cp->tls_client_version = ctx->tls_client_version;
        cp->tls_alt_version = ctx->tls_negotiated_version;
        return 1;
    case RSA_PKCS1_OAEP_PADDING:
        break;
    default:
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "RSA padding mode %d is not supported", ctx->pad_mode);
        return 0;
    }

    cp->padding = CCA_PAD_OAEP;
    cp->oaep_nid = NID_sha1;
    if (ctx->oaep_md != NULL
        && (cp->oaep_nid = ibm4767_digest_device_nid(ctx->provctx,
                                                     ctx->oaep_md)) == 0)
        return 0;
    cp->mgf1_nid = cp->oaep_nid;
    if (ctx->mgf1_md != NULL
        && (cp->mgf1_nid = ibm4767_digest_device_nid(ctx->provctx,
                                                     ctx->mgf1_md)) == 0)
        return 0;
    cp->label = ctx->label;
    cp->label_len = ctx->label_len;
    return 1;
}

/* Largest plaintext the padding mode takes with a k-byte modulus. */
static size_t max_plaintext(const struct rsaenc_ctx *ctx, size_t k)
{
    size_t h_len;

    switch (ctx->pad_mode) {
    case RSA_NO_PADDING:
        return k;
    case RSA_PKCS1_OAEP_PADDING:
        h_len = ctx->oaep_md != NULL ? (size_t)EVP_MD_get_size(ctx->oaep_md)
                                     : 20; /* SHA-1, the OAEP default */
        return k > 2 * h_len + 2 ? k - 2 * h_len - 2 : 0;
    default:
        return k > RSA_PKCS1_PADDING_SIZE ? k - RSA_PKCS1_PADDING_SIZE : 0;
    }
}

static int rsaenc_encrypt(void *vctx, unsigned char *out, size_t *outlen,
                          size_t outsize, const unsigned char *in,
                          size_t inlen)
{
    struct rsaenc_ctx *ctx = vctx;
    struct cca_pka_cipher_params cp;
    struct cca_result res;
    size_t k, max, len;

    if (ctx->operation != RSAENC_ENCRYPT || ctx->key == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "RSA encrypt called before encrypt_init");
        return 0;
    }
    k = modulus_bytes(ctx->key);
    if (out == NULL) {
        *outlen = k;
        return 1;
    }
    if (outsize < k) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "ciphertext buffer of %zu bytes; a %u-bit RSA key "
                      "needs %zu", outsize, ctx->key->tok.bits, k);
        return 0;
    }
    if (ctx->pad_mode == RSA_PKCS1_WITH_TLS_PADDING) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "the TLS padding mode is for decryption only");
        return 0;
    }
    max = max_plaintext(ctx, k);
    if (inlen > max || (ctx->pad_mode == RSA_NO_PADDING && inlen != k)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "message of %zu bytes does not fit a %u-bit RSA key "
                      "with this padding (%s %zu bytes)", inlen,
                      ctx->key->tok.bits,
                      ctx->pad_mode == RSA_NO_PADDING ? "exactly"
                                                      : "at most", max);
        return 0;
    }
    if (!rsaenc_params(ctx, &cp))
        return 0;

    len = outsize;
    if (!cca_pka_encrypt(ctx->provctx->backend, &cp, ctx->key->token,
                         ctx->key->token_len, in, inlen, out, &len, &res)) {
        IBM4767_RAISE_CCA(ctx->provctx, &res, "RSA encryption");
        return 0;
    }
    ibm4767_key_note_result(ctx->key, &res);
    *outlen = len;
    return 1;
}

/*
 * Decrypt into a modulus-sized buffer first, so that a caller's smaller
 * buffer still receives a short plaintext; the buffer is cleansed.  For
 * the TLS padding mode the device always returns 48 bytes, random ones
 * when the padding or version check fails, and libssl needs no error.
 */
static int rsaenc_decrypt(void *vctx, unsigned char *out, size_t *outlen,
                          size_t outsize, const unsigned char *in,
                          size_t inlen)
{
    struct rsaenc_ctx *ctx = vctx;
    struct cca_pka_cipher_params cp;
    struct cca_result res;
    uint8_t *buf = NULL;
    size_t k, len = 0;
    int ret = 0;

    if (ctx->operation != RSAENC_DECRYPT || ctx->key == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "RSA decrypt called before decrypt_init");
        return 0;
    }
    k = modulus_bytes(ctx->key);
    if (out == NULL) {
        *outlen = ctx->pad_mode == RSA_PKCS1_WITH_TLS_PADDING
                      ? TLS_PREMASTER_LEN : k;
        return 1;
    }
    if (inlen != k) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DECRYPT_FAILED,
                      "ciphertext of %zu bytes; a %u-bit RSA key takes "
                      "%zu-byte ciphertexts", inlen, ctx->key->tok.bits, k);
        return 0;
    }
    if (ctx->pad_mode == RSA_PKCS1_WITH_TLS_PADDING
        && outsize < TLS_PREMASTER_LEN) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "TLS premaster buffer of %zu bytes; it needs %d",
                      outsize, TLS_PREMASTER_LEN);
        return 0;
    }
    if (!rsaenc_params(ctx, &cp))
        return 0;
    buf = OPENSSL_malloc(k);
    if (buf == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate a %zu-byte decryption buffer", k);
        goto err;
    }

    len = k;
    if (!cca_pka_decrypt(ctx->provctx->backend, &cp, ctx->key->token,
                         ctx->key->token_len, in, inlen, buf, &len, &res)) {
        IBM4767_RAISE_CCA(ctx->provctx, &res, "RSA decryption");
        goto err;
    }
    ibm4767_key_note_result(ctx->key, &res);
    if (len > outsize) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "plaintext of %zu bytes does not fit the %zu-byte "
                      "buffer", len, outsize);
        goto err;
    }
    memcpy(out, buf, len);
    *outlen = len;
    ret = 1;

err:
    OPENSSL_clear_free(buf, k);
    return ret;
}

static const char *pad_mode_name(int pad_mode)
{
    switch (pad_mode) {
    case RSA_NO_PADDING:
        return OSSL_PKEY_RSA_PAD_MODE_NONE;
    case RSA_PKCS1_OAEP_PADDING:
        return OSSL_PKEY_RSA_PAD_MODE_OAEP;
    default:
        return OSSL_PKEY_RSA_PAD_MODE_PKCSV15;
    }
}

static int rsaenc_fill_ctx_params(const struct rsaenc_ctx *ctx,
                                  OSSL_PARAM params[])
{
    const EVP_MD *mgf1 = ctx->mgf1_md != NULL ? ctx->mgf1_md : ctx->oaep_md;
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
    if (p != NULL
        && !(p->data_type == OSSL_PARAM_INTEGER
                 ? OSSL_PARAM_set_int(p, ctx->pad_mode)
                 : OSSL_PARAM_set_utf8_string(p,
                                              pad_mode_name(ctx->pad_mode))))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST);
    if (p != NULL
        && !OSSL_PARAM_set_utf8_string(p, ctx->oaep_md != NULL
                                              ? EVP_MD_get0_name(ctx->oaep_md)
                                              : "SHA1"))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST);
    if (p != NULL
        && !OSSL_PARAM_set_utf8_string(p, mgf1 != NULL
                                              ? EVP_MD_get0_name(mgf1)
                                              : "SHA1"))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL);
    if (p != NULL
        && !OSSL_PARAM_set_octet_ptr(p, ctx->label, ctx->label_len))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION);
    if (p != NULL && !OSSL_PARAM_set_uint(p, ctx->tls_client_version))
        return 0;
    p = OSSL_PARAM_locate(params,
                          OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION);
    if (p != NULL && !OSSL_PARAM_set_uint(p, ctx->tls_negotiated_version))
        return 0;
    return 1;
}

static int rsaenc_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct rsaenc_ctx *ctx = vctx;

    if (rsaenc_fill_ctx_params(ctx, params))
        return 1;
    IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                  "cannot return the requested RSA cipher parameters; check "
                  "their types and buffer sizes");
    return 0;
}

static const OSSL_PARAM *rsaenc_gettable_ctx_params(void *vctx,
                                                    void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_octet_ptr(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, NULL, 0),
        OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, NULL),
        OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION, NULL),
        OSSL_PARAM_END,
    };

    return gettable;
}

/* Read pad-mode as an integer (RSA_*_PADDING) or a name. */
static int parse_pad_mode(struct rsaenc_ctx *ctx, const OSSL_PARAM *p,
                          int *pad_mode)
{
    static const OSSL_ITEM names[] = {
        { RSA_PKCS1_PADDING, OSSL_PKEY_RSA_PAD_MODE_PKCSV15 },
        { RSA_PKCS1_OAEP_PADDING, OSSL_PKEY_RSA_PAD_MODE_OAEP },
        { RSA_NO_PADDING, OSSL_PKEY_RSA_PAD_MODE_NONE },
        { 0, NULL },
    };
    const char *name = NULL;

    if (!ibm4767_rsa_read_pad_mode(p, names, pad_mode, &name))
        goto bad;
    switch (*pad_mode) {
    case RSA_PKCS1_PADDING:
    case RSA_PKCS1_OAEP_PADDING:
    case RSA_NO_PADDING:
    case RSA_PKCS1_WITH_TLS_PADDING:
        return 1;
    default:
        break;
    }

bad:
    if (name != NULL)
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "RSA encryption padding mode \"%s\" is not supported; "
                      "use pkcs1, oaep or none", name);
    else
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "RSA encryption padding mode %d is not supported; use "
                      "pkcs1 (%d), oaep (%d), none (%d) or the TLS mode (%d)",
                      *pad_mode, RSA_PKCS1_PADDING, RSA_PKCS1_OAEP_PADDING,
                      RSA_NO_PADDING, RSA_PKCS1_WITH_TLS_PADDING);
    return 0;
}

/* Replace *md with the digest named by p (and its properties). */
static int set_md_param(struct rsaenc_ctx *ctx, const OSSL_PARAM params[],
                        const char *name_key, const char *props_key,
                        EVP_MD **md)
{
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, name_key);
    const OSSL_PARAM *pp = OSSL_PARAM_locate_const(params, props_key);
    const char *name = NULL, *props = NULL;
    EVP_MD *fetched;

    if (p == NULL)
        return 1;
    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)
        || (pp != NULL && !OSSL_PARAM_get_utf8_string_ptr(pp, &props))) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "%s must be a digest name", name_key);
        return 0;
    }
    fetched = ibm4767_digest_fetch(ctx->provctx, name, props);
    if (fetched == NULL)
        return 0;
    if (ibm4767_digest_device_nid(ctx->provctx, fetched) == 0) {
        EVP_MD_free(fetched);
        return 0;
    }
    EVP_MD_free(*md);
    *md = fetched;
    return 1;
}

static int set_label_param(struct rsaenc_ctx *ctx, const OSSL_PARAM *p)
{
    void *label = NULL;
    size_t len = 0;

    if (!OSSL_PARAM_get_octet_string(p, &label, 0, &len)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "oaep-label must be an octet string");
        return 0;
    }
    OPENSSL_clear_free(ctx->label, ctx->label_len);
    ctx->label = label;
    ctx->label_len = len;
    return 1;
}

static int rsaenc_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct rsaenc_ctx *ctx = vctx;
    const OSSL_PARAM *p;

    if (params == NULL)
        return 1;
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
    if (p != NULL && !parse_pad_mode(ctx, p, &ctx->pad_mode))
        return 0;
    if (!set_md_param(ctx, params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST,
                      OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST_PROPS,
                      &ctx->oaep_md)
        || !set_md_param(ctx, params, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST,
                         OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST_PROPS,
                         &ctx->mgf1_md))
        return 0;
    p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL);
    if (p != NULL && !set_label_param(ctx, p))
        return 0;
    p = OSSL_PARAM_locate_const(params,
                                OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION);
    if (p != NULL && !OSSL_PARAM_get_uint(p, &ctx->tls_client_version)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "tls-client-version must be an unsigned integer");
        return 0;
    }
    p = OSSL_PARAM_locate_const(params,
                                OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION);
    if (p != NULL && !OSSL_PARAM_get_uint(p, &ctx->tls_negotiated_version)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "tls-negotiated-version must be an unsigned integer");
        return 0;
    }
    return 1;
}

static const OSSL_PARAM *rsaenc_settable_ctx_params(void *vctx,
                                                    void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST_PROPS,
                               NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST_PROPS,
                               NULL, 0),
        OSSL_PARAM_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, NULL, 0),
        OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, NULL),
        OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION, NULL),
        OSSL_PARAM_END,
    };

    return settable;
}

const OSSL_DISPATCH ibm4767_rsa_asym_cipher_functions[] = {
    { OSSL_FUNC_ASYM_CIPHER_NEWCTX, (void (*)(void))rsaenc_newctx },
    { OSSL_FUNC_ASYM_CIPHER_FREECTX, (void (*)(void))rsaenc_freectx },
    { OSSL_FUNC_ASYM_CIPHER_DUPCTX, (void (*)(void))rsaenc_dupctx },
    { OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT,
      (void (*)(void))rsaenc_encrypt_init },
    { OSSL_FUNC_ASYM_CIPHER_ENCRYPT, (void (*)(void))rsaenc_encrypt },
    { OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT,
      (void (*)(void))rsaenc_decrypt_init },
    { OSSL_FUNC_ASYM_CIPHER_DECRYPT, (void (*)(void))rsaenc_decrypt },
    { OSSL_FUNC_ASYM_CIPHER_GET_CTX_PARAMS,
      (void (*)(void))rsaenc_get_ctx_params },
    { OSSL_FUNC_ASYM_CIPHER_GETTABLE_CTX_PARAMS,
      (void (*)(void))rsaenc_gettable_ctx_params },
    { OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS,
      (void (*)(void))rsaenc_set_ctx_params },
    { OSSL_FUNC_ASYM_CIPHER_SETTABLE_CTX_PARAMS,
      (void (*)(void))rsaenc_settable_ctx_params },
    { 0, NULL },
};
