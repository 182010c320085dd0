/*
 * EC keys on P-256, P-384 and P-521: generation, import, ECDSA and ECDH.
 * The wrapped part of an EC token is the private scalar d, big-endian,
 * padded to the field size.  Signatures travel as r||s, each the field
 * size (for these curves the order has as many bytes as the field).
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "emud.h"

/* Uncompressed point: 0x04 || x || y for the largest curve, P-521. */
#define EC_POINT_MAX (1 + 2 * 66)
/* DER ECDSA-Sig-Value for P-521: two 66-byte integers and headers. */
#define ECDSA_DER_MAX 150

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static const struct emu_curve *require_curve(struct emu_device *dev,
                                             int nid, struct emu_result *res)
{
    const struct emu_curve *curve = emu_curve_by_nid(dev, nid);

    if (curve == NULL)
        emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                 "curve NID %d is not supported (P-256 %d, P-384 %d, P-521 "
                 "%d)", nid, dev->curves[0].nid, dev->curves[1].nid,
                 dev->curves[2].nid);
    return curve;
}

/* An EVP_PKEY from a group and, optionally, d (secure) and Q. */
static EVP_PKEY *ec_pkey_from(struct emu_device *dev,
                              const struct emu_curve *curve, const BIGNUM *d,
                              const uint8_t *q, size_t q_len)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    int selection = d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;

    if (bld == NULL
        || !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                            curve->name, 0)
        || !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q,
                                             q_len)
        || (d != NULL
            && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
        || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
        goto err;
    ctx = EVP_PKEY_CTX_new_from_name(dev->libctx, "EC", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0
        || EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
        pkey = NULL;

err:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

EVP_PKEY *emu_ec_public_from_token(struct emu_device *dev,
                                   const struct cca_pka_token *tok)
{
    const struct emu_curve *curve = emu_curve_by_nid(dev, tok->curve_nid);

    if (curve == NULL)
        return NULL;
    return ec_pkey_from(dev, curve, NULL, tok->q, tok->q_len);
}

EVP_PKEY *emu_ec_private_from_token(struct emu_device *dev,
                                    const struct cca_pka_token *tok,
                                    const uint8_t *d, size_t d_len)
{
    const struct emu_curve *curve = emu_curve_by_nid(dev, tok->curve_nid);
    BIGNUM *bn = BN_secure_new();
    EVP_PKEY *pkey = NULL;

    if (curve != NULL && bn != NULL
        && BN_bin2bn(d, (int)d_len, bn) != NULL)
        pkey = ec_pkey_from(dev, curve, bn, tok->q, tok->q_len);
    BN_clear_free(bn);
    return pkey;
}

/* Build the internal token for d and Q (uncompressed) and wrap d. */
static int ec_make_token(struct emu_device *dev, const struct emu_curve *curve,
                         const BIGNUM *d, const uint8_t *q, size_t q_len,
                         uint8_t usage, uint8_t source, uint8_t **token,
                         size_t *token_len, struct emu_result *res)
{
    int ret = 0;
    const uint8_t *mkvp = dev->state.mk[EMU_MK_APKA][CCA_MK_CURRENT].mkvp;
    uint8_t d_bytes[66];
    uint8_t *buf = NULL;
    size_t len;

    len = cca_token_build_ec_private(curve->nid, q, q_len, usage, source,
                                     mkvp, curve->field_len, NULL, 0);
    buf = len > 0 ? OPENSSL_malloc(len) : NULL;
    if (buf == NULL
        || BN_bn2binpad(d, d_bytes, (int)curve->field_len) < 0
        || cca_token_build_ec_private(curve->nid, q, q_len, usage, source,
                                      mkvp, curve->field_len, buf, len)
               != len) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot build a token for a %s key", curve->name);
        goto err;
    }
    if (!emu_wrap_token(dev, buf, len, d_bytes, curve->field_len, res))
        goto err;
    *token = buf;
    *token_len = len;
    buf = NULL;
    ret = 1;

err:
    OPENSSL_cleanse(d_bytes, sizeof(d_bytes));
    OPENSSL_free(buf);
    return ret;
}

int emu_ec_generate(struct emu_device *dev, int curve_nid, uint8_t usage,
                    uint8_t **token, size_t *token_len,
                    struct emu_result *res)
{
    int ret = 0;
    const struct emu_curve *curve = require_curve(dev, curve_nid, res);
    EVP_PKEY *pkey = NULL;
    BIGNUM *d = NULL;
    uint8_t q[EC_POINT_MAX];
    size_t q_len = 0;

    if (curve == NULL)
        return 0;
    pkey = EVP_PKEY_Q_keygen(dev->libctx, NULL, "EC", curve->name);
    if (pkey == NULL
        || !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d)
        || !EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, q,
                                            sizeof(q), &q_len)
        || q_len != 1 + 2 * curve->field_len || q[0] != 0x04) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "%s key generation failed", curve->name);
        goto err;
    }
    ret = ec_make_token(dev, curve, d, q, q_len, usage,
                        CCA_EC_SOURCE_GENERATED, token, token_len, res);

err:
    BN_clear_free(d);
    EVP_PKEY_free(pkey);
    return ret;
}

/* Q = d*G in uncompressed form; when the caller gave Q it must match. */
static int ec_public_point(const struct emu_curve *curve, const BIGNUM *d,
                           const uint8_t *given, size_t given_len,
                           uint8_t *q, size_t *q_len, struct emu_result *res)
{
    int ret = 0;
    EC_POINT *pub = EC_POINT_new(curve->group);
    EC_POINT *other = EC_POINT_new(curve->group);
    BN_CTX *bn_ctx = BN_CTX_new();

    if (pub == NULL || other == NULL || bn_ctx == NULL
        || !EC_POINT_mul(curve->group, pub, d, NULL, NULL, bn_ctx)) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot compute the %s public key", curve->name);
        goto err;
    }
    if (given_len > 0
        && (!EC_POINT_oct2point(curve->group, other, given, given_len, bn_ctx)
            || EC_POINT_cmp(curve->group, pub, other, bn_ctx) != 0)) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_VALUE_INVALID,
                 "EC key value structure: Q is not a %s point or does not "
                 "match d", curve->name);
        goto err;
    }
    *q_len = EC_POINT_point2oct(curve->group, pub,
                                POINT_CONVERSION_UNCOMPRESSED, q,
                                EC_POINT_MAX, bn_ctx);
    if (*q_len != 1 + 2 * curve->field_len) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot encode the %s public key", curve->name);
        goto err;
    }
    ret = 1;

err:
    ERR_clear_error();
    BN_CTX_free(bn_ctx);
    EC_POINT_free(other);
    EC_POINT_free(pub);
    return ret;
}

/* Key value structure: u8 curve type, u8 reserved, u16 field bits, u16
 * length of d, u16 length of Q, then d and Q (Q may be empty). */
int emu_ec_import(struct emu_device *dev, uint8_t usage, const uint8_t *kvs,
                  size_t kvs_len, uint8_t **token, size_t *token_len,
                  struct emu_result *res)
{
    int ret = 0;
    const struct emu_curve *curve;
    size_t d_len, given_len, q_len = 0;
    const uint8_t *d_bytes, *given;
    uint8_t q[EC_POINT_MAX];
    BIGNUM *d = NULL;

    if (kvs_len < CCA_EC_KVS_HEADER_LEN)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "EC key value structure is %zu bytes, shorter than "
                        "its %u-byte header", kvs_len, CCA_EC_KVS_HEADER_LEN);
    d_len = get16(kvs + 4);
    given_len = get16(kvs + 6);
    if (CCA_EC_KVS_HEADER_LEN + d_len + given_len != kvs_len || kvs[1] != 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "EC key value structure: lengths of d (%zu) and Q "
                        "(%zu) do not match its size %zu, or the reserved "
                        "byte is set", d_len, given_len, kvs_len);
    curve = emu_curve_by_nid(dev, cca_curve_nid(kvs[0], get16(kvs + 2)));
    if (curve == NULL)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                        "EC curve type %u with a %u-bit field is not "
                        "supported (prime curves of 256, 384, 521 bits)",
                        kvs[0], get16(kvs + 2));
    d_bytes = kvs + CCA_EC_KVS_HEADER_LEN;
    given = d_bytes + d_len;

    d = BN_secure_new();
    if (d == NULL || BN_bin2bn(d_bytes, (int)d_len, d) == NULL) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "out of memory importing an EC key");
        goto err;
    }
    if (d_len == 0 || d_len > curve->field_len || BN_is_zero(d)
        || BN_cmp(d, EC_GROUP_get0_order(curve->group)) >= 0) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_VALUE_INVALID,
                 "EC private key d is not in 1..n-1 for %s", curve->name);
        goto err;
    }
    if (!ec_public_point(curve, d, given, given_len, q, &q_len, res))
        goto err;
    ret = ec_make_token(dev, curve, d, q, q_len, usage,
                        CCA_EC_SOURCE_IMPORTED, token, token_len, res);

err:
    BN_clear_free(d);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* ECDSA                                                                   */

int emu_ec_sign(struct emu_device *dev, const struct emu_key *key,
                const uint8_t *hash, size_t hash_len, uint8_t *out,
                size_t *out_len, struct emu_result *res)
{
    int ret = 0;
    const struct emu_curve *curve = emu_curve_by_nid(dev, key->tok.curve_nid);
    EVP_PKEY_CTX *ctx = NULL;
    ECDSA_SIG *sig = NULL;
    const BIGNUM *r, *s;
    uint8_t der[ECDSA_DER_MAX];
    const unsigned char *p = der;
    size_t der_len = sizeof(der);

    if (hash_len == 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "ECDSA needs a hash of at least one byte");
    if (*out_len < 2 * curve->field_len)
        return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "signature buffer too small");

    ctx = EVP_PKEY_CTX_new_from_pkey(dev->libctx, key->pkey, NULL);
    if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0
        || EVP_PKEY_sign(ctx, der, &der_len, hash, hash_len) <= 0
        || (sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "%s ECDSA signature generation failed", curve->name);
        goto err;
    }
    ECDSA_SIG_get0(sig, &r, &s);
    if (BN_bn2binpad(r, out, (int)curve->field_len) < 0
        || BN_bn2binpad(s, out + curve->field_len,
                        (int)curve->field_len) < 0) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "ECDSA signature does not fit r||s");
        goto err;
    }
    *out_len = 2 * curve->field_len;
    ret = 1;

err:
    ECDSA_SIG_free(sig);
    EVP_PKEY_CTX_free(ctx);
    return ret;
}

/* DER-encode r||s; returns 0 when it cannot be a signature at all. */
static int rs_to_der(const uint8_t *sig, size_t field_len, uint8_t **der,
                     int *der_len)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)field_len, NULL);
    BIGNUM *s = BN_bin2bn(sig + field_len, (int)field_len, NULL);
    int ok = es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(es, r, s);

    if (ok) {
        r = s = NULL;
        *der = NULL;
        *der_len = i2d_ECDSA_SIG(es, der);
        ok = *der_len > 0;
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return ok;
}

int emu_ec_verify(struct emu_device *dev, const struct emu_key *key,
                  const uint8_t *hash, size_t hash_len, const uint8_t *sig,
                  size_t sig_len, struct emu_result *res)
{
    const struct emu_curve *curve = emu_curve_by_nid(dev, key->tok.curve_nid);
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t *der = NULL;
    int der_len = 0;
    int valid = 0;

    if (hash_len == 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "ECDSA needs a hash of at least one byte");

    if (sig_len == 2 * curve->field_len
        && rs_to_der(sig, curve->field_len, &der, &der_len)) {
        ctx = EVP_PKEY_CTX_new_from_pkey(dev->libctx, key->pkey, NULL);
        valid = ctx != NULL && EVP_PKEY_verify_init(ctx) > 0
                && EVP_PKEY_verify(ctx, der, (size_t)der_len, hash,
                                   hash_len) == 1;
    }
    if (!valid) {
        ERR_clear_error();
        emu_warn(res, CCA_RC_WARNING, CCA_RS_SIGNATURE_INVALID);
    }
    OPENSSL_free(der);
    EVP_PKEY_CTX_free(ctx);
    return 1;
}

/* ---------------------------------------------------------------------- */
/* ECDH                                                                    */

static int point_length_fits(const struct emu_curve *curve, size_t len)
{
    return len == 1 + curve->field_len || len == 1 + 2 * curve->field_len;
}

/* Classify the peer's octets: the infinity octet is 8/4775, a length no
 * encoding on this curve has is 8/4776 (another curve's point), and a
 * point that does not decode onto this curve is 8/4774. */
static int check_peer_point(const struct emu_curve *curve,
                            const uint8_t *peer, size_t peer_len,
                            struct emu_result *res)
{
    int ret = 0;
    EC_POINT *point = NULL;

    if (peer_len == 1 && peer[0] == 0x00)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_EC_POINT_INFINITY,
                        "peer public key is the point at infinity");
    if (!point_length_fits(curve, peer_len))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_EC_CURVE_MISMATCH,
                        "peer point of %zu bytes is not a %s point (%zu "
                        "bytes compressed, %zu uncompressed)", peer_len,
                        curve->name, 1 + curve->field_len,
                        1 + 2 * curve->field_len);

    point = EC_POINT_new(curve->group);
    if (point == NULL) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "out of memory decoding the peer point");
        goto err;
    }
    if (!EC_POINT_oct2point(curve->group, point, peer, peer_len, NULL)) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_EC_POINT_INVALID,
                 "peer public key is not a point on %s", curve->name);
        goto err;
    }
    if (EC_POINT_is_at_infinity(curve->group, point)) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_EC_POINT_INFINITY,
                 "peer public key is the point at infinity");
        goto err;
    }
    ret = 1;

err:
    ERR_clear_error();
    EC_POINT_free(point);
    return ret;
}

int emu_ec_derive(struct emu_device *dev, const struct emu_key *key,
                  const uint8_t *peer, size_t peer_len, uint8_t *out,
                  size_t *out_len, struct emu_result *res)
{
    int ret = 0;
    const struct emu_curve *curve = emu_curve_by_nid(dev, key->tok.curve_nid);
    EVP_PKEY *peer_key = NULL;
    EVP_PKEY_CTX *ctx = NULL;

    if (!check_peer_point(curve, peer, peer_len, res))
        return 0;
    peer_key = ec_pkey_from(dev, curve, NULL, peer, peer_len);
    if (peer_key == NULL) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_EC_POINT_INVALID,
                 "peer public key is not a valid %s key", curve->name);
        goto err;
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(dev->libctx, key->pkey, NULL);
    if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0
        || EVP_PKEY_derive_set_peer(ctx, peer_key) <= 0
        || EVP_PKEY_derive(ctx, out, out_len) <= 0
        || *out_len != curve->field_len) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "%s key agreement failed", curve->name);
        goto err;
    }
    ret = 1;

err:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer_key);
    return ret;
}
