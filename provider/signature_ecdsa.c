/*
 * ECDSA signatures with EC keys held by the IBM 4767.  The device signs
 * and verifies a digest and works with r || s; this file hashes messages
 * on the host (EVP_MD from the provider's child library context) and
 * converts signatures to and from DER ECDSA-Sig-Value, the form that
 * X.509, TLS and libcrypto's other ECDSA implementations use.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>

#include "ec_util.h"
#include "prov.h"

static OSSL_FUNC_signature_newctx_fn ecdsa_newctx;
static OSSL_FUNC_signature_freectx_fn ecdsa_freectx;
static OSSL_FUNC_signature_dupctx_fn ecdsa_dupctx;
static OSSL_FUNC_signature_sign_init_fn ecdsa_sign_init;
static OSSL_FUNC_signature_sign_fn ecdsa_sign;
static OSSL_FUNC_signature_verify_init_fn ecdsa_verify_init;
static OSSL_FUNC_signature_verify_fn ecdsa_verify;
static OSSL_FUNC_signature_digest_sign_init_fn ecdsa_digest_sign_init;
static OSSL_FUNC_signature_digest_sign_update_fn ecdsa_digest_update;
static OSSL_FUNC_signature_digest_sign_final_fn ecdsa_digest_sign_final;
static OSSL_FUNC_signature_digest_verify_init_fn ecdsa_digest_verify_init;
static OSSL_FUNC_signature_digest_verify_final_fn ecdsa_digest_verify_final;
static OSSL_FUNC_signature_get_ctx_params_fn ecdsa_get_ctx_params;
static OSSL_FUNC_signature_gettable_ctx_params_fn ecdsa_gettable_ctx_params;
static OSSL_FUNC_signature_set_ctx_params_fn ecdsa_set_ctx_params;
static OSSL_FUNC_signature_settable_ctx_params_fn ecdsa_settable_ctx_params;

#define ECDSA_MAX_MDNAME_LEN 64

enum ecdsa_operation {
    ECDSA_OP_NONE = 0,
    ECDSA_OP_SIGN,
    ECDSA_OP_VERIFY,
};

struct ecdsa_ctx {
    struct ibm4767_provctx *provctx;
    char *propq;
    struct ibm4767_key *key;             /* owned by the EVP_PKEY */
    const struct ibm4767_ec_curve *curve;
    enum ecdsa_operation operation;

    /* Digest of the data to sign: set by name, or by digest_*_init. */
    char mdname[ECDSA_MAX_MDNAME_LEN];
    EVP_MD *md;
    int md_nid;
    size_t md_size;
    EVP_MD_CTX *mdctx;
    /* Cleared while a streaming operation hashes data, so that the digest
     * cannot change half-way. */
    int flag_allow_md;

    uint8_t aid[IBM4767_ALGORITHM_ID_MAX];
    size_t aid_len;
};

/* ---------------------------------------------------------------------
 * Context life cycle
 */

static void *ecdsa_newctx(void *provctx, const char *propq)
{
    struct ecdsa_ctx *ctx;

    ctx = OPENSSL_zalloc(sizeof(*ctx));
    if (ctx == NULL)
        goto err;
    ctx->provctx = provctx;
    ctx->flag_allow_md = 1;

    if (propq != NULL) {
        ctx->propq = OPENSSL_strdup(propq);
        if (ctx->propq == NULL)
            goto err;
    }
    return ctx;

err:
    IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                  "out of memory creating an ECDSA context");
    OPENSSL_free(ctx);
    return NULL;
}

static void ecdsa_freectx(void *vctx)
{
    struct ecdsa_ctx *ctx = vctx;

    if (ctx == NULL)
        return;
    EVP_MD_CTX_free(ctx->mdctx);
    EVP_MD_free(ctx->md);
    OPENSSL_free(ctx->propq);
    OPENSSL_free(ctx);
}

static void *ecdsa_dupctx(void *vctx)
{
    const struct ecdsa_ctx *src = vctx;
    struct ecdsa_ctx *dst = NULL;
    struct ecdsa_ctx *ret = NULL;

    dst = OPENSSL_memdup(src, sizeof(*src));
    if (dst == NULL)
        goto err;
    dst->propq = NULL;
    dst->md = NULL;
    dst->mdctx = NULL;

    if (src->propq != NULL) {
        dst->propq = OPENSSL_strdup(src->propq);
        if (dst->propq == NULL)
            goto err;
    }
    if (src->md != NULL) {
        if (!EVP_MD_up_ref(src->md))
            goto err;
        dst->md = src->md;
    }
    if (src->mdctx != NULL) {
        dst->mdctx = EVP_MD_CTX_new();
        if (dst->mdctx == NULL || !EVP_MD_CTX_copy_ex(dst->mdctx, src->mdctx))
            goto err;
    }
    ret = dst;
    dst = NULL;

err:
    if (ret == NULL)
        IBM4767_RAISE(src->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot duplicate an ECDSA context");
    ecdsa_freectx(dst);
    return ret;
}

/* ---------------------------------------------------------------------
 * Digest selection
 */

static int ecdsa_setup_md(struct ecdsa_ctx *ctx, const char *mdname,
                          const char *mdprops)
{
    EVP_MD *md = NULL;
    int md_nid;
    uint8_t aid[IBM4767_ALGORITHM_ID_MAX];
    size_t aid_len = 0;

    if (!ctx->flag_allow_md) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "cannot change the ECDSA digest to %s while data is "
                      "being hashed with %s", mdname, ctx->mdname);
        return 0;
    }
    if (strlen(mdname) >= sizeof(ctx->mdname)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "ECDSA digest name is too long (%zu characters)",
                      strlen(mdname));
        return 0;
    }

    md = ibm4767_digest_fetch_for_op(ctx->provctx, mdname, mdprops,
                                     ctx->propq);
    if (md == NULL)
        return 0;
    md_nid = ibm4767_digest_device_nid(ctx->provctx, md);
    if (md_nid == 0
        || !ibm4767_der_signature_algorithm_id(ctx->provctx, md_nid,
                                               NID_X9_62_id_ecPublicKey,
                                               aid, sizeof(aid), &aid_len)) {
        EVP_MD_free(md);
        return 0;
    }

    memcpy(ctx->aid, aid, aid_len);
    ctx->aid_len = aid_len;
    EVP_MD_free(ctx->md);
    ctx->md = md;
    ctx->md_nid = md_nid;
    ctx->md_size = (size_t)EVP_MD_get_size(md);
    strcpy(ctx->mdname, mdname);
    return 1;
}

/* ---------------------------------------------------------------------
 * Sign and verify a digest
 */

static int ecdsa_init(struct ecdsa_ctx *ctx, void *vkey,
                      const OSSL_PARAM params[],
                      enum ecdsa_operation operation)
{
    struct ibm4767_key *key = vkey != NULL ? vkey : ctx->key;
    const struct ibm4767_ec_curve *curve;

    if (key == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "ECDSA needs a key: none was given to the operation");
        return 0;
    }
    curve = ibm4767_ec_key_curve(key, operation == ECDSA_OP_SIGN
                                          ? "ECDSA signature"
                                          : "ECDSA verification");
    if (curve == NULL)
        return 0;

    if (operation == ECDSA_OP_SIGN && !key->tok.has_private) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "ECDSA signing needs a private key in the device, but "
                      "this %s key is a public key only", curve->nist_name);
        return 0;
    }

    ctx->key = key;
    ctx->curve = curve;
    ctx->operation = operation;
    ctx->flag_allow_md = 1;
    return ecdsa_set_ctx_params(ctx, params);
}

static int ecdsa_sign_init(void *vctx, void *vkey, const OSSL_PARAM params[])
{
    return ecdsa_init(vctx, vkey, params, ECDSA_OP_SIGN);
}

static int ecdsa_verify_init(void *vctx, void *vkey,
                             const OSSL_PARAM params[])
{
    return ecdsa_init(vctx, vkey, params, ECDSA_OP_VERIFY);
}

/* Check that tbs has the length of the selected digest. */
static int ecdsa_check_tbs(const struct ecdsa_ctx *ctx, size_t tbslen)
{
    if (ctx->md_size != 0 && tbslen != ctx->md_size) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "the data to %s is %zu bytes, but a %s digest is %zu "
                      "bytes", ctx->operation == ECDSA_OP_SIGN ? "sign"
                                                               : "verify",
                      tbslen, ctx->mdname, ctx->md_size);
        return 0;
    }
    if (tbslen == 0) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "the digest to %s is empty",
                      ctx->operation == ECDSA_OP_SIGN ? "sign" : "verify");
        return 0;
    }
    return 1;
}

static int ecdsa_sign(void *vctx, unsigned char *sig, size_t *siglen,
                      size_t sigsize, const unsigned char *tbs, size_t tbslen)
{
    struct ecdsa_ctx *ctx = vctx;
    struct cca_sig_params sp = { CCA_SIG_ECDSA, 0, 0, 0 };
    struct cca_result res;
    uint8_t raw[IBM4767_EC_MAX_RAW_SIG_LEN];
    size_t raw_len = sizeof(raw);
    size_t max_len;
    char what[64];

    if (ctx->operation != ECDSA_OP_SIGN) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "ECDSA sign called before sign_init");
        return 0;
    }
    max_len = ibm4767_ec_sig_max_der_len(ctx->curve);
    if (sig == NULL) {
        *siglen = max_len;
        return 1;
    }
    /* As libcrypto's own ECDSA does, ask for room for the longest
     * signature before using the device. */
    if (sigsize < max_len) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "the signature buffer has %zu bytes; an ECDSA "
                      "signature on %s needs up to %zu", sigsize,
                      ctx->curve->nist_name, max_len);
        return 0;
    }
    if (!ecdsa_check_tbs(ctx, tbslen))
        return 0;

    sp.hash_nid = ctx->md_nid;
    if (!cca_digital_signature_generate(ctx->provctx->backend, &sp,
                                        ctx->key->token,
                                        ctx->key->token_len, tbs, tbslen,
                                        raw, &raw_len, &res)) {
        snprintf(what, sizeof(what), "ECDSA signature with a %s key",
                 ctx->curve->nist_name);
        IBM4767_RAISE_CCA(ctx->provctx, &res, what);
        return 0;
    }
    ibm4767_key_note_result(ctx->key, &res);

    return ibm4767_ec_sig_raw_to_der(ctx->provctx, ctx->curve, raw, raw_len,
                                     sig, sigsize, siglen);
}

static int ecdsa_verify(void *vctx, const unsigned char *sig, size_t siglen,
                        const unsigned char *tbs, size_t tbslen)
{
    struct ecdsa_ctx *ctx = vctx;
    struct cca_sig_params sp = { CCA_SIG_ECDSA, 0, 0, 0 };
    struct cca_result res;
    uint8_t raw[IBM4767_EC_MAX_RAW_SIG_LEN];
    size_t raw_len = 0;
    char what[64];

    if (ctx->operation != ECDSA_OP_VERIFY) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "ECDSA verify called before verify_init");
        return 0;
    }
    if (!ecdsa_check_tbs(ctx, tbslen))
        return 0;

    if (!ibm4767_ec_sig_der_to_raw(ctx->curve, sig, siglen, raw, sizeof(raw),
                                   &raw_len)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BAD_SIGNATURE,
                      "the signature (%zu bytes) is not a DER "
                      "ECDSA-Sig-Value for %s, so it does not verify",
                      siglen, ctx->curve->nist_name);
        return 0;
    }

    sp.hash_nid = ctx->md_nid;
    if (!cca_digital_signature_verify(ctx->provctx->backend, &sp,
                                      ctx->key->token, ctx->key->token_len,
                                      tbs, tbslen, raw, raw_len, &res)) {
        snprintf(what, sizeof(what), "ECDSA verification with a %s key",
                 ctx->curve->nist_name);
        IBM4767_RAISE_CCA(ctx->provctx, &res, what);
        return 0;
    }
    if (res.rc == CCA_RC_WARNING && res.reason == CCA_RS_SIGNATURE_INVALID) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BAD_SIGNATURE,
                      "the ECDSA signature does not verify with this %s key "
                      "(device code %u/%u)", ctx->curve->nist_name,
                      (unsigned)res.rc, (unsigned)res.reason);
        return 0;
    }
    ibm4767_key_note_result(ctx->key, &res);
    return 1;
}

/* ---------------------------------------------------------------------
 * Sign and verify a message, hashed on the host
 */

static int ecdsa_digest_init(struct ecdsa_ctx *ctx, const char *mdname,
                             void *vkey, const OSSL_PARAM params[],
                             enum ecdsa_operation operation)
{
    if (!ecdsa_init(ctx, vkey, params, operation))
        return 0;

    if (mdname == NULL || mdname[0] == '\0')
        mdname = ctx->curve->default_digest;
    if (!ecdsa_setup_md(ctx, mdname, NULL))
        return 0;

    if (ctx->mdctx == NULL) {
        ctx->mdctx = EVP_MD_CTX_new();
        if (ctx->mdctx == NULL) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                          "out of memory creating a %s context", mdname);
            return 0;
        }
    }
    if (!EVP_DigestInit_ex2(ctx->mdctx, ctx->md, params)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DIGEST_FAILED,
                      "cannot start a %s digest", mdname);
        return 0;
    }
    ctx->flag_allow_md = 0;
    return 1;
}

static int ecdsa_digest_sign_init(void *vctx, const char *mdname, void *vkey,
                                  const OSSL_PARAM params[])
{
    return ecdsa_digest_init(vctx, mdname, vkey, params, ECDSA_OP_SIGN);
}

static int ecdsa_digest_verify_init(void *vctx, const char *mdname,
                                    void *vkey, const OSSL_PARAM params[])
{
    return ecdsa_digest_init(vctx, mdname, vkey, params, ECDSA_OP_VERIFY);
}

static int ecdsa_digest_update(void *vctx, const unsigned char *data,
                               size_t datalen)
{
    struct ecdsa_ctx *ctx = vctx;

    if (ctx->mdctx == NULL || ctx->flag_allow_md) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "ECDSA digest update called before digest_sign_init "
                      "or digest_verify_init");
        return 0;
    }
    if (!EVP_DigestUpdate(ctx->mdctx, data, datalen)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DIGEST_FAILED,
                      "%s digest update failed", ctx->mdname);
        return 0;
    }
    return 1;
}

/* Finish the host digest into digest; the context may then take a new
 * digest again. */
static int ecdsa_digest_final(struct ecdsa_ctx *ctx, uint8_t *digest,
                              unsigned int *digest_len)
{
    if (ctx->mdctx == NULL || ctx->flag_allow_md) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "ECDSA digest final called before digest_sign_init "
                      "or digest_verify_init");
        return 0;
    }
    if (!EVP_DigestFinal_ex(ctx->mdctx, digest, digest_len)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DIGEST_FAILED,
                      "%s digest final failed", ctx->mdname);
        return 0;
    }
    ctx->flag_allow_md = 1;
    return 1;
}

static int ecdsa_digest_sign_final(void *vctx, unsigned char *sig,
                                   size_t *siglen, size_t sigsize)
{
    struct ecdsa_ctx *ctx = vctx;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;

    /* A size query must leave the digest running. */
    if (sig == NULL)
        return ecdsa_sign(ctx, NULL, siglen, 0, NULL, 0);

    if (!ecdsa_digest_final(ctx, digest, &digest_len))
        return 0;
    return ecdsa_sign(ctx, sig, siglen, sigsize, digest, digest_len);
}

static int ecdsa_digest_verify_final(void *vctx, const unsigned char *sig,
                                     size_t siglen)
{
    struct ecdsa_ctx *ctx = vctx;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;

    if (!ecdsa_digest_final(ctx, digest, &digest_len))
        return 0;
    return ecdsa_verify(ctx, sig, siglen, digest, digest_len);
}

/* ---------------------------------------------------------------------
 * Context parameters
 */

static int ecdsa_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct ecdsa_ctx *ctx = vctx;
    OSSL_PARAM *p;

    if (ctx == NULL)
        return 0;

    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
    if (p != NULL && ctx->aid_len != 0
        && !OSSL_PARAM_set_octet_string(p, ctx->aid, ctx->aid_len))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL && !OSSL_PARAM_set_utf8_string(p, ctx->mdname))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST_SIZE);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, ctx->md_size))
        goto fail;
    return 1;

fail:
    IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                  "cannot return the ECDSA parameter '%s': wrong type or "
                  "buffer too small", p->key);
    return 0;
}

static const OSSL_PARAM *ecdsa_gettable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_size_t(OSSL_SIGNATURE_PARAM_DIGEST_SIZE, NULL),
        OSSL_PARAM_END
    };

    return gettable;
}

static int ecdsa_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct ecdsa_ctx *ctx = vctx;
    const OSSL_PARAM *p;
    const OSSL_PARAM *props;
    const char *mdname = NULL;
    const char *mdprops = NULL;
    size_t size;

    if (ctx == NULL)
        return 0;
    if (params == NULL)
        return 1;

    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL) {
        props = OSSL_PARAM_locate_const(params,
                                        OSSL_SIGNATURE_PARAM_PROPERTIES);
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &mdname)
            || (props != NULL
                && !OSSL_PARAM_get_utf8_string_ptr(props, &mdprops))) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "'%s' and '%s' must be UTF-8 strings",
                          OSSL_SIGNATURE_PARAM_DIGEST,
                          OSSL_SIGNATURE_PARAM_PROPERTIES);
            return 0;
        }
        if (!ecdsa_setup_md(ctx, mdname, mdprops))
            return 0;
    }

    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST_SIZE);
    if (p != NULL) {
        if (!OSSL_PARAM_get_size_t(p, &size)
            || (ctx->md != NULL && size != ctx->md_size)) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "invalid ECDSA digest size: it must be a size_t "
                          "equal to the %s size (%zu)",
                          ctx->md != NULL ? ctx->mdname : "digest",
                          ctx->md_size);
            return 0;
        }
        ctx->md_size = size;
    }
    return 1;
}

static const OSSL_PARAM *ecdsa_settable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, NULL, 0),
        OSSL_PARAM_size_t(OSSL_SIGNATURE_PARAM_DIGEST_SIZE, NULL),
        OSSL_PARAM_END
    };

    return settable;
}

const OSSL_DISPATCH ibm4767_ecdsa_signature_functions[] = {
    { OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))ecdsa_newctx },
    { OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))ecdsa_freectx },
    { OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))ecdsa_dupctx },
    { OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))ecdsa_sign_init },
    { OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))ecdsa_sign },
    { OSSL_FUNC_SIGNATURE_VERIFY_INIT, (void (*)(void))ecdsa_verify_init },
    { OSSL_FUNC_SIGNATURE_VERIFY, (void (*)(void))ecdsa_verify },
    { OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
      (void (*)(void))ecdsa_digest_sign_init },
    { OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE,
      (void (*)(void))ecdsa_digest_update },
    { OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,
      (void (*)(void))ecdsa_digest_sign_final },
    { OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT,
      (void (*)(void))ecdsa_digest_verify_init },
    { OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE,
      (void (*)(void))ecdsa_digest_update },
    { OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL,
      (void (*)(void))ecdsa_digest_verify_final },
    { OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS,
      (void (*)(void))ecdsa_get_ctx_params },
    { OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS,
      (void (*)(void))ecdsa_gettable_ctx_params },
    { OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,
      (void (*)(void))ecdsa_set_ctx_params },
    { OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS,
      (void (*)(void))ecdsa_settable_ctx_params },
    { 0, NULL }
};
