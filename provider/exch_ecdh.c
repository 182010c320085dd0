/*
 * ECDH key exchange with an EC private key held by the IBM 4767.  The
 * device computes the shared secret Z, the x coordinate of d * Q_peer.
 * The optional X9.63 KDF runs on the host over Z, with libcrypto's
 * X963KDF from the provider's child library context.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "ec_util.h"
#include "prov.h"

static OSSL_FUNC_keyexch_newctx_fn ecdh_newctx;
static OSSL_FUNC_keyexch_freectx_fn ecdh_freectx;
static OSSL_FUNC_keyexch_dupctx_fn ecdh_dupctx;
static OSSL_FUNC_keyexch_init_fn ecdh_init;
static OSSL_FUNC_keyexch_set_peer_fn ecdh_set_peer;
static OSSL_FUNC_keyexch_derive_fn ecdh_derive;
static OSSL_FUNC_keyexch_set_ctx_params_fn ecdh_set_ctx_params;
static OSSL_FUNC_keyexch_settable_ctx_params_fn ecdh_settable_ctx_params;
static OSSL_FUNC_keyexch_get_ctx_params_fn ecdh_get_ctx_params;
static OSSL_FUNC_keyexch_gettable_ctx_params_fn ecdh_gettable_ctx_params;

/* Maximum kdf-ukm length, a bound on the memory a caller can make the
 * context keep. */
#define ECDH_MAX_UKM_LEN 4096

enum ecdh_kdf {
    ECDH_KDF_NONE = 0,
    ECDH_KDF_X963,
};

struct ecdh_ctx {
    struct ibm4767_provctx *provctx;
    struct ibm4767_key *key;             /* owned by the EVP_PKEY */
    const struct ibm4767_ec_curve *curve;

    /* The peer's point, copied so that it outlives the peer key object. */
    uint8_t peer_point[IBM4767_EC_MAX_POINT_LEN];
    size_t peer_point_len;

    /* -1: the key's default, which is the same as 0 and 1 on the
     * supported curves because their cofactor is 1. */
    int cofactor_mode;

    enum ecdh_kdf kdf_type;
    EVP_MD *kdf_md;
    size_t kdf_outlen;
    uint8_t *kdf_ukm;
    size_t kdf_ukm_len;
};

/* ---------------------------------------------------------------------
 * Context life cycle
 */

static void *ecdh_newctx(void *provctx)
{
    struct ecdh_ctx *ctx;

    ctx = OPENSSL_zalloc(sizeof(*ctx));
    if (ctx == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory creating an ECDH context");
        return NULL;
    }
    ctx->provctx = provctx;
    ctx->cofactor_mode = -1;
    return ctx;
}

static void ecdh_freectx(void *vctx)
{
    struct ecdh_ctx *ctx = vctx;

    if (ctx == NULL)
        return;
    EVP_MD_free(ctx->kdf_md);
    OPENSSL_clear_free(ctx->kdf_ukm, ctx->kdf_ukm_len);
    OPENSSL_free(ctx);
}

static void *ecdh_dupctx(void *vctx)
{
    const struct ecdh_ctx *src = vctx;
    struct ecdh_ctx *dst = NULL;
    struct ecdh_ctx *ret = NULL;

    dst = OPENSSL_memdup(src, sizeof(*src));
    if (dst == NULL)
        goto err;
    dst->kdf_md = NULL;
    dst->kdf_ukm = NULL;

    if (src->kdf_md != NULL) {
        if (!EVP_MD_up_ref(src->kdf_md))
            goto err;
        dst->kdf_md = src->kdf_md;
    }
    if (src->kdf_ukm != NULL) {
        dst->kdf_ukm = OPENSSL_memdup(src->kdf_ukm, src->kdf_ukm_len);
        if (dst->kdf_ukm == NULL)
            goto err;
    }
    ret = dst;
    dst = NULL;

err:
    if (ret == NULL)
        IBM4767_RAISE(src->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot duplicate an ECDH context");
    ecdh_freectx(dst);
    return ret;
}

/* ---------------------------------------------------------------------
 * Keys
 */

static int ecdh_init(void *vctx, void *vkey, const OSSL_PARAM params[])
{
    struct ecdh_ctx *ctx = vctx;
    struct ibm4767_key *key = vkey;
    const struct ibm4767_ec_curve *curve;

    if (key == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "ECDH needs a key: none was given to derive_init");
        return 0;
    }
    curve = ibm4767_ec_key_curve(key, "ECDH");
    if (curve == NULL)
        return 0;
    if (!key->tok.has_private) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "ECDH needs a private key in the device, but this %s "
                      "key is a public key only", curve->nist_name);
        return 0;
    }

    ctx->key = key;
    ctx->curve = curve;
    ctx->peer_point_len = 0;
    return ecdh_set_ctx_params(ctx, params);
}

/*
 * Take the peer's public point.  libcrypto hands over a key object of this
 * key management: it imports a peer key from another provider first, so
 * the peer can come from any provider.
 */
static int ecdh_set_peer(void *vctx, void *vpeer)
{
    struct ecdh_ctx *ctx = vctx;
    struct ibm4767_key *peer = vpeer;
    const struct ibm4767_ec_curve *peer_curve;

    if (ctx->key == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "ECDH set_peer called before derive_init");
        return 0;
    }

    if (peer == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "ECDH set_peer was given no peer key");
        return 0;
    }
    peer_curve = ibm4767_ec_key_curve(peer, "ECDH peer key");
    if (peer_curve == NULL)
        return 0;
    if (peer_curve != ctx->curve) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_KEY,
                      "the ECDH peer key is on %s (%s) but the device key "
                      "is on %s (%s): both keys must use the same curve",
                      peer_curve->nist_name, peer_curve->name,
                      ctx->curve->nist_name, ctx->curve->name);
        return 0;
    }

    /* A peer from a token file has not been checked yet; check it here
     * so that the error names the peer rather than the device. */
    return ibm4767_ec_point_reencode(ctx->provctx, ctx->curve, peer->tok.q,
                                     peer->tok.q_len, 0, ctx->peer_point,
                                     sizeof(ctx->peer_point),
                                     &ctx->peer_point_len,
                                     "the ECDH peer public key");
}

/* ---------------------------------------------------------------------
 * Derivation
 */

static int ecdh_x963kdf(struct ecdh_ctx *ctx, const uint8_t *z, size_t z_len,
                        unsigned char *out, size_t outlen)
{
    int ret = 0;
    EVP_KDF *kdf = NULL;
    EVP_KDF_CTX *kctx = NULL;
    OSSL_PARAM params[4];
    size_t n = 0;

    kdf = EVP_KDF_fetch(ctx->provctx->libctx, OSSL_KDF_NAME_X963KDF, NULL);
    kctx = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    if (kctx == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "the X963KDF key derivation is not available in "
                      "libcrypto: load the default provider");
        goto err;
    }

    params[n++] = OSSL_PARAM_construct_utf8_string(
        OSSL_KDF_PARAM_DIGEST, (char *)EVP_MD_get0_name(ctx->kdf_md), 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                    (void *)z, z_len);
    if (ctx->kdf_ukm != NULL)
        params[n++] = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_INFO, ctx->kdf_ukm, ctx->kdf_ukm_len);
    params[n] = OSSL_PARAM_construct_end();

    if (EVP_KDF_derive(kctx, out, outlen, params) <= 0) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "X963KDF with %s failed to derive %zu bytes",
                      EVP_MD_get0_name(ctx->kdf_md), outlen);
        goto err;
    }
    ret = 1;

err:
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
    return ret;
}

/* Size of the derived secret: Z, or the KDF's output. */
static size_t ecdh_secret_size(const struct ecdh_ctx *ctx)
{
    if (ctx->kdf_type == ECDH_KDF_X963)
        return ctx->kdf_outlen;
    return ctx->curve->field_len;
}

static int ecdh_check_ready(const struct ecdh_ctx *ctx, size_t outlen)
{
    if (ctx->peer_point_len == 0) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "ECDH derive needs a peer key: set one with "
                      "EVP_PKEY_derive_set_peer (openssl pkeyutl -peerkey)");
        return 0;
    }
    if (ctx->kdf_type == ECDH_KDF_X963
        && (ctx->kdf_md == NULL || ctx->kdf_outlen == 0)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "ECDH with X963KDF needs '%s' and a non-zero '%s'",
                      OSSL_EXCHANGE_PARAM_KDF_DIGEST,
                      OSSL_EXCHANGE_PARAM_KDF_OUTLEN);
        return 0;
    }
    if (ctx->kdf_type == ECDH_KDF_X963 && outlen < ctx->kdf_outlen) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "the ECDH output buffer has %zu bytes, the KDF output "
                      "is %zu", outlen, ctx->kdf_outlen);
        return 0;
    }
    return 1;
}

static int ecdh_derive(void *vctx, unsigned char *secret, size_t *secretlen,
                       size_t outlen)
{
    int ret = 0;
    struct ecdh_ctx *ctx = vctx;
    uint8_t z[IBM4767_EC_MAX_FIELD_LEN];
    size_t z_len = sizeof(z);
    struct cca_result res;
    char what[64];

    if (ctx->key == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "ECDH derive called before derive_init");
        return 0;
    }
    if (secret == NULL) {
        *secretlen = ecdh_secret_size(ctx);
        return 1;
    }
    if (!ecdh_check_ready(ctx, outlen))
        return 0;

    if (!cca_ec_diffie_hellman(ctx->provctx->backend, ctx->key->token,
                               ctx->key->token_len, ctx->peer_point,
                               ctx->peer_point_len, z, &z_len, &res)) {
        snprintf(what, sizeof(what), "ECDH with a %s key",
                 ctx->curve->nist_name);
        IBM4767_RAISE_CCA(ctx->provctx, &res, what);
        goto err;
    }
    ibm4767_key_note_result(ctx->key, &res);
    if (z_len != ctx->curve->field_len) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DEVICE_ERROR,
                      "the device returned a %zu-byte ECDH secret; %s needs "
                      "%zu bytes", z_len, ctx->curve->nist_name,
                      ctx->curve->field_len);
        goto err;
    }

    if (ctx->kdf_type == ECDH_KDF_X963) {
        if (!ecdh_x963kdf(ctx, z, z_len, secret, ctx->kdf_outlen))
            goto err;
        *secretlen = ctx->kdf_outlen;
    } else {
        /* As libcrypto's own ECDH does, a shorter buffer gets the leading
         * bytes of Z. */
        size_t len = outlen < z_len ? outlen : z_len;

        memcpy(secret, z, len);
        *secretlen = len;
    }
    ret = 1;

err:
    OPENSSL_cleanse(z, sizeof(z));
    return ret;
}

/* ---------------------------------------------------------------------
 * Context parameters
 */

static int ecdh_set_kdf_type(struct ecdh_ctx *ctx, const OSSL_PARAM *p)
{
    const char *name = NULL;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "'%s' must be a UTF-8 string: \"\" or %s",
                      OSSL_EXCHANGE_PARAM_KDF_TYPE, OSSL_KDF_NAME_X963KDF);
        return 0;
    }
    if (name[0] == '\0') {
        ctx->kdf_type = ECDH_KDF_NONE;
    } else if (strcasecmp(name, OSSL_KDF_NAME_X963KDF) == 0) {
        ctx->kdf_type = ECDH_KDF_X963;
    } else {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "unsupported ECDH KDF '%s': use \"\" (none) or %s",
                      name, OSSL_KDF_NAME_X963KDF);
        return 0;
    }
    return 1;
}

static int ecdh_set_kdf_digest(struct ecdh_ctx *ctx, const OSSL_PARAM *p,
                               const OSSL_PARAM *props_param)
{
    const char *mdname = NULL;
    const char *props = NULL;
    EVP_MD *md;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &mdname)
        || (props_param != NULL
            && !OSSL_PARAM_get_utf8_string_ptr(props_param, &props))) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "'%s' and '%s' must be UTF-8 strings",
                      OSSL_EXCHANGE_PARAM_KDF_DIGEST,
                      OSSL_EXCHANGE_PARAM_KDF_DIGEST_PROPS);
        return 0;
    }

    md = EVP_MD_fetch(ctx->provctx->libctx, mdname, props);
    if (md == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "ECDH KDF digest '%s' is not available (properties "
                      "'%s')", mdname, props != NULL ? props : "");
        return 0;
    }
    if ((EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) != 0) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "ECDH KDF digest '%s' is an XOF; X963KDF needs a fixed "
                      "length digest such as SHA256", mdname);
        EVP_MD_free(md);
        return 0;
    }
    EVP_MD_free(ctx->kdf_md);
    ctx->kdf_md = md;
    return 1;
}

static int ecdh_set_kdf_ukm(struct ecdh_ctx *ctx, const OSSL_PARAM *p)
{
    void *ukm = NULL;
    size_t ukm_len = 0;

    if (!OSSL_PARAM_get_octet_string(p, &ukm, ECDH_MAX_UKM_LEN, &ukm_len)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "'%s' must be an octet string of at most %d bytes",
                      OSSL_EXCHANGE_PARAM_KDF_UKM, ECDH_MAX_UKM_LEN);
        return 0;
    }
    OPENSSL_clear_free(ctx->kdf_ukm, ctx->kdf_ukm_len);
    ctx->kdf_ukm = ukm;
    ctx->kdf_ukm_len = ukm_len;
    return 1;
}

static int ecdh_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct ecdh_ctx *ctx = vctx;
    const OSSL_PARAM *p;
    int mode;

    if (ctx == NULL)
        return 0;
    if (params == NULL)
        return 1;

    p = OSSL_PARAM_locate_const(params,
                                OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE);
    if (p != NULL) {
        if (!OSSL_PARAM_get_int(p, &mode) || mode < -1 || mode > 1) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "'%s' must be -1, 0 or 1",
                          OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE);
            return 0;
        }
        ctx->cofactor_mode = mode;
    }

    p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_TYPE);
    if (p != NULL && !ecdh_set_kdf_type(ctx, p))
        return 0;

    p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_DIGEST);
    if (p != NULL
        && !ecdh_set_kdf_digest(ctx, p,
                                OSSL_PARAM_locate_const(
                                    params,
                                    OSSL_EXCHANGE_PARAM_KDF_DIGEST_PROPS)))
        return 0;

    p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_OUTLEN);
    if (p != NULL && !OSSL_PARAM_get_size_t(p, &ctx->kdf_outlen)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "'%s' must be a size_t", OSSL_EXCHANGE_PARAM_KDF_OUTLEN);
        return 0;
    }

    p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_UKM);
    if (p != NULL && !ecdh_set_kdf_ukm(ctx, p))
        return 0;
    return 1;
}

static const OSSL_PARAM *ecdh_settable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE, NULL),
        OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_TYPE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_DIGEST_PROPS, NULL, 0),
        OSSL_PARAM_size_t(OSSL_EXCHANGE_PARAM_KDF_OUTLEN, NULL),
        OSSL_PARAM_octet_string(OSSL_EXCHANGE_PARAM_KDF_UKM, NULL, 0),
        OSSL_PARAM_END
    };

    return settable;
}

static int ecdh_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct ecdh_ctx *ctx = vctx;
    OSSL_PARAM *p;

    if (ctx == NULL)
        return 0;

    /* Cofactor 1: the default mode is the same as mode 0. */
    p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE);
    if (p != NULL
        && !OSSL_PARAM_set_int(p, ctx->cofactor_mode < 0 ? 0
                                                         : ctx->cofactor_mode))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_KDF_TYPE);
    if (p != NULL
        && !OSSL_PARAM_set_utf8_string(p, ctx->kdf_type == ECDH_KDF_X963
                                              ? OSSL_KDF_NAME_X963KDF : ""))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_KDF_DIGEST);
    if (p != NULL
        && !OSSL_PARAM_set_utf8_string(p, ctx->kdf_md != NULL
                                              ? EVP_MD_get0_name(ctx->kdf_md)
                                              : ""))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_KDF_OUTLEN);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, ctx->kdf_outlen))
        goto fail;

    /* libcrypto 3.0 declares kdf-ukm as an octet pointer here. */
    p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_KDF_UKM);
    if (p != NULL
        && !OSSL_PARAM_set_octet_ptr(p, ctx->kdf_ukm, ctx->kdf_ukm_len))
        goto fail;
    return 1;

fail:
    IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                  "cannot return the ECDH parameter '%s': wrong type or "
                  "buffer too small", p->key);
    return 0;
}

static const OSSL_PARAM *ecdh_gettable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE, NULL),
        OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_TYPE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_DIGEST, NULL, 0),
        OSSL_PARAM_size_t(OSSL_EXCHANGE_PARAM_KDF_OUTLEN, NULL),
        OSSL_PARAM_DEFN(OSSL_EXCHANGE_PARAM_KDF_UKM, OSSL_PARAM_OCTET_PTR,
                        NULL, 0),
        OSSL_PARAM_END
    };

    return gettable;
}

const OSSL_DISPATCH ibm4767_ecdh_keyexch_functions[] = {
    { OSSL_FUNC_KEYEXCH_NEWCTX, (void (*)(void))ecdh_newctx },
    { OSSL_FUNC_KEYEXCH_FREECTX, (void (*)(void))ecdh_freectx },
    { OSSL_FUNC_KEYEXCH_DUPCTX, (void (*)(void))ecdh_dupctx },
    { OSSL_FUNC_KEYEXCH_INIT, (void (*)(void))ecdh_init },
    { OSSL_FUNC_KEYEXCH_SET_PEER, (void (*)(void))ecdh_set_peer },
    { OSSL_FUNC_KEYEXCH_DERIVE, (void (*)(void))ecdh_derive },
    { OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS, (void (*)(void))ecdh_set_ctx_params },
    { OSSL_FUNC_KEYEXCH_SETTABLE_CTX_PARAMS,
      (void (*)(void))ecdh_settable_ctx_params },
    { OSSL_FUNC_KEYEXCH_GET_CTX_PARAMS, (void (*)(void))ecdh_get_ctx_params },
    { OSSL_FUNC_KEYEXCH_GETTABLE_CTX_PARAMS,
      (void (*)(void))ecdh_gettable_ctx_params },
    { 0, NULL }
};
