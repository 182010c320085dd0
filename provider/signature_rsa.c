/*
 * RSA signatures in the coprocessor: PKCS#1 v1.5 and PSS, over a digest
 * (sign/verify) or over a message hashed on the host (digest-sign and
 * digest-verify, one-shot or streaming).
 *
 * An RSA-PSS key signs and verifies with PSS only.  When its token
 * restricts the PSS parameters, they start as the restricted digest, MGF1
 * digest and minimum salt length, and a request for another digest or a
 * shorter salt fails here, before the device would reject it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "prov.h"
#include "rsa_pss.h"

static OSSL_FUNC_signature_newctx_fn rsasig_newctx;
static OSSL_FUNC_signature_freectx_fn rsasig_freectx;
static OSSL_FUNC_signature_dupctx_fn rsasig_dupctx;
static OSSL_FUNC_signature_sign_init_fn rsasig_sign_init;
static OSSL_FUNC_signature_sign_fn rsasig_sign;
static OSSL_FUNC_signature_verify_init_fn rsasig_verify_init;
static OSSL_FUNC_signature_verify_fn rsasig_verify;
static OSSL_FUNC_signature_digest_sign_init_fn rsasig_digest_sign_init;
static OSSL_FUNC_signature_digest_sign_update_fn rsasig_digest_update;
static OSSL_FUNC_signature_digest_sign_final_fn rsasig_digest_sign_final;
static OSSL_FUNC_signature_digest_verify_init_fn rsasig_digest_verify_init;
static OSSL_FUNC_signature_digest_verify_final_fn rsasig_digest_verify_final;
static OSSL_FUNC_signature_get_ctx_params_fn rsasig_get_ctx_params;
static OSSL_FUNC_signature_gettable_ctx_params_fn rsasig_gettable_ctx_params;
static OSSL_FUNC_signature_set_ctx_params_fn rsasig_set_ctx_params;
static OSSL_FUNC_signature_settable_ctx_params_fn rsasig_settable_ctx_params;

enum rsasig_operation {
    RSASIG_NONE = 0,
    RSASIG_SIGN,
    RSASIG_VERIFY,
};

struct rsasig_ctx {
    struct ibm4767_provctx *provctx;
    char *propq;
    struct ibm4767_key *key;     /* owned by the EVP_PKEY of the caller */
    enum rsasig_operation operation;
    int pad_mode;                /* RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING */
    EVP_MD *md;                  /* NULL: PKCS#1 v1.5 over raw input */
    int md_nid;
    EVP_MD *mgf1_md;             /* NULL: MGF1 uses md */
    int mgf1_nid;
    int salt_len;                /* bytes, or RSA_PSS_SALTLEN_* */
    EVP_MD_CTX *mdctx;           /* digest-sign and digest-verify */
    int md_locked;               /* a digest-sign is under way */
};

static size_t modulus_bytes(const struct ibm4767_key *key)
{
    return (key->tok.bits + 7) / 8;
}

static void *rsasig_newctx(void *provctx, const char *propq)
{
    struct rsasig_ctx *ctx = OPENSSL_zalloc(sizeof(*ctx));

    if (ctx == NULL)
        goto err;
    if (propq != NULL && (ctx->propq = OPENSSL_strdup(propq)) == NULL)
        goto err;
    ctx->provctx = provctx;
    ctx->pad_mode = RSA_PKCS1_PADDING;
    ctx->salt_len = RSA_PSS_SALTLEN_AUTO;
    return ctx;

err:
    IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                  "cannot allocate an RSA signature context");
    OPENSSL_free(ctx);
    return NULL;
}

static void rsasig_freectx(void *vctx)
{
    struct rsasig_ctx *ctx = vctx;

    if (ctx == NULL)
        return;
    EVP_MD_CTX_free(ctx->mdctx);
    EVP_MD_free(ctx->md);
    EVP_MD_free(ctx->mgf1_md);
    OPENSSL_free(ctx->propq);
    OPENSSL_free(ctx);
}

static void *rsasig_dupctx(void *vctx)
{
    struct rsasig_ctx *src = vctx;
    struct rsasig_ctx *dst;

    dst = OPENSSL_memdup(src, sizeof(*src));
    if (dst == NULL)
        goto err;
    dst->propq = NULL;
    dst->md = NULL;
    dst->mgf1_md = NULL;
    dst->mdctx = NULL;

    if (src->propq != NULL
        && (dst->propq = OPENSSL_strdup(src->propq)) == NULL)
        goto err;
    if (src->md != NULL && !EVP_MD_up_ref(src->md))
        goto err;
    dst->md = src->md;
    if (src->mgf1_md != NULL && !EVP_MD_up_ref(src->mgf1_md))
        goto err;
    dst->mgf1_md = src->mgf1_md;
    if (src->mdctx != NULL
        && ((dst->mdctx = EVP_MD_CTX_new()) == NULL
            || !EVP_MD_CTX_copy_ex(dst->mdctx, src->mdctx)))
        goto err;
    return dst;

err:
    IBM4767_RAISE(src->provctx, IBM4767_R_MALLOC_FAILURE,
                  "cannot copy an RSA signature context");
    rsasig_freectx(dst);
    return NULL;
}

/* Set the message digest; md_name NULL keeps the current one. */
static int rsasig_set_md(struct rsasig_ctx *ctx, const char *md_name,
                         const char *props)
{
    EVP_MD *md;
    int nid;

    if (ctx->md_locked) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "the digest cannot change while a digest-sign or "
                      "digest-verify is under way");
        return 0;
    }
    md = ibm4767_digest_fetch_for_op(ctx->provctx, md_name, props,
                                     ctx->propq);
    if (md == NULL)
        return 0;
    nid = ibm4767_digest_device_nid(ctx->provctx, md);
    if (nid == 0
        || !ibm4767_rsa_pss_check_digest(ctx->provctx, ctx->key, nid, 0)) {
        EVP_MD_free(md);
        return 0;
    }
    EVP_MD_free(ctx->md);
    ctx->md = md;
    ctx->md_nid = nid;
    return 1;
}

static int rsasig_set_mgf1_md(struct rsasig_ctx *ctx, const char *md_name,
                              const char *props)
{
    EVP_MD *md;
    int nid;

    md = ibm4767_digest_fetch_for_op(ctx->provctx, md_name, props,
                                     ctx->propq);
    if (md == NULL)
        return 0;
    nid = ibm4767_digest_device_nid(ctx->provctx, md);
    if (nid == 0
        || !ibm4767_rsa_pss_check_digest(ctx->provctx, ctx->key, nid, 1)) {
        EVP_MD_free(md);
        return 0;
    }
    EVP_MD_free(ctx->mgf1_md);
    ctx->mgf1_md = md;
    ctx->mgf1_nid = nid;
    return 1;
}

/* Start an operation with an RSA-PSS key in PSS mode with the key's
 * restrictions, as OpenSSL 3.0 starts its own RSA-PSS keys: the minimum
 * salt length becomes the salt length. */
static int rsasig_use_key_pss(struct rsasig_ctx *ctx)
{
    const struct cca_rsa_pss *pss = ibm4767_rsa_pss_restrictions(ctx->key);

    ctx->pad_mode = RSA_PKCS1_PSS_PADDING;
    if (pss == NULL)
        return 1;
    if (!ibm4767_rsa_pss_check_fit(ctx->provctx, pss, ctx->key->tok.bits))
        return 0;
    ctx->salt_len = (int)pss->min_salt_len;
    return rsasig_set_md(ctx, OBJ_nid2sn(pss->hash_nid), NULL)
           && rsasig_set_mgf1_md(ctx, OBJ_nid2sn(pss->mgf1_nid), NULL);
}

/* key NULL keeps the context's key: OpenSSL 3.0 passes NULL when a
 * caller starts the same operation again with EVP_DigestSignInit(),
 * EVP_DigestInit_ex() or BIO_reset() on a digest BIO. */
static int rsasig_init(struct rsasig_ctx *ctx, struct ibm4767_key *key,
                       const OSSL_PARAM params[],
                       enum rsasig_operation operation)
{
    if (ctx == NULL)
        return 0;
    if (key == NULL)
        key = ctx->key;
    if (key == NULL || key->alg != CCA_ALG_RSA || key->token == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "RSA signature needs an RSA key of this provider");
        return 0;
    }
    if (operation == RSASIG_SIGN && !key->tok.has_private) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_NO_KEY,
                      "the %u-bit RSA key is a public key; signing needs a "
                      "private key token", key->tok.bits);
        return 0;
    }
    ctx->key = key;
    ctx->operation = operation;
    ctx->md_locked = 0;
    if (key->is_pss && !rsasig_use_key_pss(ctx))
        return 0;
    return rsasig_set_ctx_params(ctx, params);
}

static int rsasig_sign_init(void *vctx, void *key, const OSSL_PARAM params[])
{
    return rsasig_init(vctx, key, params, RSASIG_SIGN);
}

static int rsasig_verify_init(void *vctx, void *key,
                              const OSSL_PARAM params[])
{
    return rsasig_init(vctx, key, params, RSASIG_VERIFY);
}

/* Largest PSS salt for the key and digest (RFC 8017, 9.1.1). */
static int pss_max_salt(const struct rsasig_ctx *ctx)
{
    size_t em_len = (ctx->key->tok.bits - 1 + 7) / 8;
    size_t h_len = (size_t)EVP_MD_get_size(ctx->md);

    if (em_len < h_len + 2)
        return -1;
    return (int)(em_len - h_len - 2);
}

/*
 * Salt length in bytes for signing: "digest" is the digest size, and
 * "max" and "auto" are the largest salt the key allows, as OpenSSL 3.0's
 * default provider signs them.  Raises when the length does not fit.
 */
static int pss_sign_salt(const struct rsasig_ctx *ctx, int *salt)
{
    int max = pss_max_salt(ctx);

    switch (ctx->salt_len) {
    case RSA_PSS_SALTLEN_DIGEST:
        *salt = EVP_MD_get_size(ctx->md);
        break;
    case RSA_PSS_SALTLEN_MAX:
    case RSA_PSS_SALTLEN_AUTO:
        *salt = max;
        break;
    default:
        *salt = ctx->salt_len;
        break;
    }
    if (max < 0 || *salt < 0 || *salt > max) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "PSS salt length %d does not fit a %u-bit key with "
                      "%s (maximum %d)", *salt, ctx->key->tok.bits,
                      EVP_MD_get0_name(ctx->md), max);
        return 0;
    }
    return ibm4767_rsa_pss_check_salt(ctx->provctx, ctx->key, *salt);
}

/* Fill the device parameters for a hash (or raw input) of tbs_len bytes;
 * raises when the input does not fit the scheme. */
static int rsasig_params(const struct rsasig_ctx *ctx, size_t tbs_len,
                         struct cca_sig_params *sp)
{
    size_t k = modulus_bytes(ctx->key);
    int salt;

    memset(sp, 0, sizeof(*sp));
    if (ctx->md == NULL && ctx->pad_mode == RSA_PKCS1_PSS_PADDING) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "PSS needs a digest; set one, for example "
                      "-pkeyopt digest:SHA256");
        return 0;
    }
    if (ctx->md == NULL) {
        if (tbs_len + RSA_PKCS1_PADDING_SIZE > k) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "input of %zu bytes is too long for a PKCS#1 "
                          "v1.5 signature with a %u-bit key (maximum %zu)",
                          tbs_len, ctx->key->tok.bits,
                          k - RSA_PKCS1_PADDING_SIZE);
            return 0;
        }
        sp->scheme = CCA_SIG_PKCS1_RAW;
        return 1;
    }
    if (tbs_len != (size_t)EVP_MD_get_size(ctx->md)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "input of %zu bytes is not a %s digest (%d bytes)",
                      tbs_len, EVP_MD_get0_name(ctx->md),
                      EVP_MD_get_size(ctx->md));
        return 0;
    }
    sp->hash_nid = ctx->md_nid;
    if (ctx->pad_mode == RSA_PKCS1_PADDING) {
        sp->scheme = CCA_SIG_PKCS1;
        return 1;
    }

    sp->scheme = CCA_SIG_PSS;
    sp->mgf1_nid = ctx->mgf1_md != NULL ? ctx->mgf1_nid : ctx->md_nid;
    if (ctx->operation == RSASIG_VERIFY
        && ctx->salt_len == RSA_PSS_SALTLEN_AUTO) {
        if (ibm4767_rsa_pss_restrictions(ctx->key) != NULL) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "salt length auto cannot be checked against the "
                          "RSA-PSS key's minimum of %u bytes; set the salt "
                          "length the signer used",
                          ibm4767_rsa_pss_restrictions(ctx->key)->min_salt_len);
            return 0;
        }
        sp->salt_len = CCA_SALT_AUTO; /* the device reads it from the EM */
        return 1;
    }
    if (!pss_sign_salt(ctx, &salt))
        return 0;
    sp->salt_len = salt;
    return 1;
}

static int rsasig_sign(void *vctx, unsigned char *sig, size_t *siglen,
                       size_t sigsize, const unsigned char *tbs,
                       size_t tbslen)
{
    struct rsasig_ctx *ctx = vctx;
    struct cca_sig_params sp;
    struct cca_result res;
    size_t k, len;

    if (ctx->operation != RSASIG_SIGN || ctx->key == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "RSA sign called before sign_init");
        return 0;
    }
    k = modulus_bytes(ctx->key);
    if (sig == NULL) {
        *siglen = k;
        return 1;
    }
    if (sigsize < k) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "signature buffer of %zu bytes; a %u-bit RSA key "
                      "needs %zu", sigsize, ctx->key->tok.bits, k);
        return 0;
    }
    if (!rsasig_params(ctx, tbslen, &sp))
        return 0;

    len = sigsize;
    if (!cca_digital_signature_generate(ctx->provctx->backend, &sp,
                                        ctx->key->token,
                                        ctx->key->token_len, tbs, tbslen,
                                        sig, &len, &res)) {
        IBM4767_RAISE_CCA(ctx->provctx, &res, "RSA signature generation");
        return 0;
    }
    ibm4767_key_note_result(ctx->key, &res);
    *siglen = len;
    return 1;
}

static int rsasig_verify(void *vctx, const unsigned char *sig, size_t siglen,
                         const unsigned char *tbs, size_t tbslen)
{
    struct rsasig_ctx *ctx = vctx;
    struct cca_sig_params sp;
    struct cca_result res;
    size_t k;

    if (ctx->operation != RSASIG_VERIFY || ctx->key == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "RSA verify called before verify_init");
        return 0;
    }
    k = modulus_bytes(ctx->key);
    if (siglen != k) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_BAD_SIGNATURE,
                      "signature did not verify: it is %zu bytes, and a "
                      "%u-bit RSA key makes %zu-byte signatures", siglen,
                      ctx->key->tok.bits, k);
        return 0;
    }
    if (!rsasig_params(ctx, tbslen, &sp))
        return 0;

    if (!cca_digital_signature_verify(ctx->provctx->backend, &sp,
                                      ctx->key->token, ctx->key->token_len,
                                      tbs, tbslen, sig, siglen, &res)) {
        IBM4767_RAISE_CCA(ctx->provctx, &res, "RSA signature verification");
        return 0;
    }
    if (res.rc != CCA_RC_OK) {
        IBM4767_RAISE_CCA(ctx->provctx, &res,
                          "RSA signature did not verify");
        return 0;
    }
    ibm4767_key_note_result(ctx->key, &res);
    return 1;
}

static int rsasig_digest_init(struct rsasig_ctx *ctx, const char *mdname,
                              struct ibm4767_key *key,
                              const OSSL_PARAM params[],
                              enum rsasig_operation operation)
{
    if (!rsasig_init(ctx, key, params, operation))
        return 0;
    /* The core fills mdname from the key's default digest when the
     * caller gives none; SHA-256 covers a caller that skips that. */
    if (mdname != NULL || ctx->md == NULL) {
        if (!rsasig_set_md(ctx, mdname != NULL ? mdname : "SHA256", NULL))
            return 0;
    }
    if (ctx->mdctx == NULL && (ctx->mdctx = EVP_MD_CTX_new()) == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate a digest context");
        return 0;
    }
    if (!EVP_DigestInit_ex2(ctx->mdctx, ctx->md, NULL)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DIGEST_FAILED,
                      "cannot start a %s digest", EVP_MD_get0_name(ctx->md));
        return 0;
    }
    ctx->md_locked = 1;
    return 1;
}

static int rsasig_digest_sign_init(void *vctx, const char *mdname,
                                   void *key, const OSSL_PARAM params[])
{
    return rsasig_digest_init(vctx, mdname, key, params, RSASIG_SIGN);
}

static int rsasig_digest_verify_init(void *vctx, const char *mdname,
                                     void *key, const OSSL_PARAM params[])
{
    return rsasig_digest_init(vctx, mdname, key, params, RSASIG_VERIFY);
}

static int rsasig_digest_update(void *vctx, const unsigned char *data,
                                size_t datalen)
{
    struct rsasig_ctx *ctx = vctx;

    if (ctx->mdctx == NULL || !ctx->md_locked) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "digest update called before digest-sign or "
                      "digest-verify init");
        return 0;
    }
    if (!EVP_DigestUpdate(ctx->mdctx, data, datalen)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DIGEST_FAILED,
                      "%s digest update failed", EVP_MD_get0_name(ctx->md));
        return 0;
    }
    return 1;
}

/* Finish the host-side digest of a digest-sign or digest-verify. */
static int rsasig_digest_final(struct rsasig_ctx *ctx, uint8_t *digest,
                               unsigned int *digest_len)
{
    if (ctx->mdctx == NULL || !ctx->md_locked) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "digest final called before digest-sign or "
                      "digest-verify init");
        return 0;
    }
    ctx->md_locked = 0;
    if (!EVP_DigestFinal_ex(ctx->mdctx, digest, digest_len)) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_DIGEST_FAILED,
                      "%s digest final failed", EVP_MD_get0_name(ctx->md));
        return 0;
    }
    return 1;
}

static int rsasig_digest_sign_final(void *vctx, unsigned char *sig,
                                    size_t *siglen, size_t sigsize)
{
    struct rsasig_ctx *ctx = vctx;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;

    /* A size query must leave the digest running. */
    if (sig == NULL)
        return rsasig_sign(ctx, NULL, siglen, 0, NULL, 0);
    if (!rsasig_digest_final(ctx, digest, &digest_len))
        return 0;
    return rsasig_sign(ctx, sig, siglen, sigsize, digest, digest_len);
}

static int rsasig_digest_verify_final(void *vctx, const unsigned char *sig,
                                      size_t siglen)
{
    struct rsasig_ctx *ctx = vctx;
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;

    if (!rsasig_digest_final(ctx, digest, &digest_len))
        return 0;
    return rsasig_verify(ctx, sig, siglen, digest, digest_len);
}

/* Write the AlgorithmIdentifier of the current scheme into p. */
static int rsasig_get_algorithm_id(const struct rsasig_ctx *ctx,
                                   OSSL_PARAM *p)
{
    uint8_t aid[IBM4767_ALGORITHM_ID_MAX];
    size_t aid_len = 0;
    int salt, ok;

    if (ctx->md == NULL || ctx->key == NULL)
        return 1; /* no scheme chosen yet: leave the parameter unset */
    if (ctx->pad_mode == RSA_PKCS1_PSS_PADDING) {
        ok = pss_sign_salt(ctx, &salt)
             && ibm4767_der_rsa_pss_algorithm_id(
                    ctx->provctx, ctx->md_nid,
                    ctx->mgf1_md != NULL ? ctx->mgf1_nid : ctx->md_nid, salt,
                    aid, sizeof(aid), &aid_len);
    } else {
        ok = ibm4767_der_signature_algorithm_id(ctx->provctx, ctx->md_nid,
                                                NID_rsaEncryption, aid,
                                                sizeof(aid), &aid_len);
    }
    return ok && OSSL_PARAM_set_octet_string(p, aid, aid_len);
}

static const char *pad_mode_name(int pad_mode)
{
    return pad_mode == RSA_PKCS1_PSS_PADDING ? OSSL_PKEY_RSA_PAD_MODE_PSS
                                             : OSSL_PKEY_RSA_PAD_MODE_PKCSV15;
}

static int rsasig_fill_ctx_params(const struct rsasig_ctx *ctx,
                                  OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
    if (p != NULL && !rsasig_get_algorithm_id(ctx, p))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL
        && !(p->data_type == OSSL_PARAM_INTEGER
                 ? OSSL_PARAM_set_int(p, ctx->pad_mode)
                 : OSSL_PARAM_set_utf8_string(p,
                                              pad_mode_name(ctx->pad_mode))))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL && ctx->md != NULL
        && !OSSL_PARAM_set_utf8_string(p, EVP_MD_get0_name(ctx->md)))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
    if (p != NULL) {
        const EVP_MD *mgf1 = ctx->mgf1_md != NULL ? ctx->mgf1_md : ctx->md;

        if (mgf1 != NULL
            && !OSSL_PARAM_set_utf8_string(p, EVP_MD_get0_name(mgf1)))
            return 0;
    }
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
    if (p != NULL && !ibm4767_rsa_pss_write_saltlen(ctx->salt_len, p))
        return 0;
    return 1;
}

static int rsasig_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct rsasig_ctx *ctx = vctx;
    unsigned long before = ERR_peek_last_error();

    if (rsasig_fill_ctx_params(ctx, params))
        return 1;
    /* Raise only when no helper has raised an error already. */
    if (ERR_peek_last_error() == before)
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "cannot return the requested RSA signature "
                      "parameters; check their types and buffer sizes");
    return 0;
}

static const OSSL_PARAM *rsasig_gettable_ctx_params(void *vctx,
                                                    void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
        OSSL_PARAM_END,
    };

    return gettable;
}

/* Read pad-mode, given as an integer (RSA_*_PADDING) or a name. */
static int parse_pad_mode(struct rsasig_ctx *ctx, const OSSL_PARAM *p,
                          int *pad_mode)
{
    static const OSSL_ITEM names[] = {
        { RSA_PKCS1_PADDING, OSSL_PKEY_RSA_PAD_MODE_PKCSV15 },
        { RSA_PKCS1_PSS_PADDING, OSSL_PKEY_RSA_PAD_MODE_PSS },
        { 0, NULL },
    };
    const char *name = NULL;

    if (!ibm4767_rsa_read_pad_mode(p, names, pad_mode, &name))
        goto bad;
    if (*pad_mode != RSA_PKCS1_PADDING && *pad_mode != RSA_PKCS1_PSS_PADDING)
        goto bad;
    return 1;

bad:
    if (name != NULL)
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "RSA signature padding mode \"%s\" is not supported; "
                      "use pkcs1 or pss", name);
    else
        IBM4767_RAISE(ctx->provctx, IBM4767_R_UNSUPPORTED,
                      "RSA signature padding mode %d is not supported; use "
                      "pkcs1 (%d) or pss (%d)", *pad_mode, RSA_PKCS1_PADDING,
                      RSA_PKCS1_PSS_PADDING);
    return 0;
}

static int rsasig_set_digests(struct rsasig_ctx *ctx,
                              const OSSL_PARAM params[])
{
    const OSSL_PARAM *p, *props;
    const char *name = NULL, *prop_value = NULL;

    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL) {
        props = OSSL_PARAM_locate_const(params,
                                        OSSL_SIGNATURE_PARAM_PROPERTIES);
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)
            || (props != NULL
                && !OSSL_PARAM_get_utf8_string_ptr(props, &prop_value))) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "digest and properties must be strings");
            return 0;
        }
        if (!rsasig_set_md(ctx, name, prop_value))
            return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
    if (p != NULL) {
        prop_value = NULL;
        props = OSSL_PARAM_locate_const(params,
                                        OSSL_SIGNATURE_PARAM_MGF1_PROPERTIES);
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)
            || (props != NULL
                && !OSSL_PARAM_get_utf8_string_ptr(props, &prop_value))) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "mgf1-digest and mgf1-properties must be strings");
            return 0;
        }
        if (!rsasig_set_mgf1_md(ctx, name, prop_value))
            return 0;
    }
    return 1;
}

static int rsasig_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    struct rsasig_ctx *ctx = vctx;
    const OSSL_PARAM *p;
    int pad_mode = ctx->pad_mode, salt_len = ctx->salt_len;

    if (params == NULL)
        return 1;
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL && !parse_pad_mode(ctx, p, &pad_mode))
        return 0;
    if (pad_mode != RSA_PKCS1_PSS_PADDING && ctx->key != NULL
        && ctx->key->is_pss) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "an RSA-PSS key signs with padding mode pss only, "
                      "not %s; use an RSA key for PKCS#1 v1.5 signatures",
                      pad_mode_name(pad_mode));
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
    if (p != NULL) {
        if (pad_mode != RSA_PKCS1_PSS_PADDING) {
            IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "a PSS salt length needs padding mode pss");
            return 0;
        }
        if (!ibm4767_rsa_pss_read_saltlen(ctx->provctx, p, &salt_len))
            return 0;
    }
    if (OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST)
            != NULL
        && pad_mode != RSA_PKCS1_PSS_PADDING) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "an MGF1 digest needs padding mode pss");
        return 0;
    }
    if (!rsasig_set_digests(ctx, params))
        return 0;
    ctx->pad_mode = pad_mode;
    ctx->salt_len = salt_len;
    return 1;
}

static const OSSL_PARAM *rsasig_settable_ctx_params(void *vctx,
                                                    void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_PROPERTIES, NULL, 0),
        OSSL_PARAM_END,
    };

    return settable;
}

const OSSL_DISPATCH ibm4767_rsa_signature_functions[] = {
    { OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))rsasig_newctx },
    { OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))rsasig_freectx },
    { OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))rsasig_dupctx },
    { OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))rsasig_sign_init },
    { OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))rsasig_sign },
    { OSSL_FUNC_SIGNATURE_VERIFY_INIT, (void (*)(void))rsasig_verify_init },
    { OSSL_FUNC_SIGNATURE_VERIFY, (void (*)(void))rsasig_verify },
    { OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT,
      (void (*)(void))rsasig_digest_sign_init },
    { OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE,
      (void (*)(void))rsasig_digest_update },
    { OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL,
      (void (*)(void))rsasig_digest_sign_final },
    { OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT,
      (void (*)(void))rsasig_digest_verify_init },
    { OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE,
      (void (*)(void))rsasig_digest_update },
    { OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL,
      (void (*)(void))rsasig_digest_verify_final },
    { OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS,
      (void (*)(void))rsasig_get_ctx_params },
    { OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS,
      (void (*)(void))rsasig_gettable_ctx_params },
    { OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS,
      (void (*)(void))rsasig_set_ctx_params },
    { OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS,
      (void (*)(void))rsasig_settable_ctx_params },
    { 0, NULL },
};
