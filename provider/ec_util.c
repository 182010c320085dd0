/*
 * EC helpers shared by keymgmt_ec.c, signature_ecdsa.c and exch_ecdh.c.
 * All curve arithmetic (point decompression, the on-curve check) is left
 * to libcrypto's EC_GROUP and EC_POINT functions in the provider's child
 * library context.
 */

#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

#include "ec_util.h"

static const struct ibm4767_ec_curve ec_curves[] = {
    { NID_X9_62_prime256v1, "prime256v1", "P-256", "secp256r1",
      256, 32, 128, "SHA256" },
    { NID_secp384r1, "secp384r1", "P-384", "secp384r1",
      384, 48, 192, "SHA384" },
    { NID_secp521r1, "secp521r1", "P-521", "secp521r1",
      521, 66, 256, "SHA512" },
};

#define EC_CURVE_COUNT (sizeof(ec_curves) / sizeof(ec_curves[0]))

const struct ibm4767_ec_curve *ibm4767_ec_curve_by_nid(int nid)
{
    size_t i;

    for (i = 0; i < EC_CURVE_COUNT; i++) {
        if (ec_curves[i].nid == nid)
            return &ec_curves[i];
    }
    return NULL;
}

const struct ibm4767_ec_curve *ibm4767_ec_curve_by_name(const char *name)
{
    size_t i;

    if (name == NULL)
        return NULL;

    for (i = 0; i < EC_CURVE_COUNT; i++) {
        const struct ibm4767_ec_curve *c = &ec_curves[i];

        if (strcasecmp(name, c->name) == 0
            || strcasecmp(name, c->nist_name) == 0
            || strcasecmp(name, c->sec_name) == 0)
            return c;
    }
    return NULL;
}

const char *ibm4767_ec_supported_curves(void)
{
    return "P-256 (prime256v1), P-384 (secp384r1), P-521 (secp521r1)";
}

const struct ibm4767_ec_curve *ibm4767_ec_key_curve(
    const struct ibm4767_key *key, const char *what)
{
    const struct ibm4767_ec_curve *curve;

    if (key == NULL || key->token == NULL) {
        IBM4767_RAISE(key != NULL ? key->provctx : NULL, IBM4767_R_NO_KEY,
                      "%s: no EC key is set: load or generate a key first",
                      what);
        return NULL;
    }
    if (key->alg != CCA_ALG_EC) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "%s: the key is not an EC key (token algorithm %u)",
                      what, (unsigned)key->alg);
        return NULL;
    }

    curve = ibm4767_ec_curve_by_nid(key->tok.curve_nid);
    if (curve == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_UNSUPPORTED,
                      "%s: the key token names curve NID %d; supported curves "
                      "are %s", what, key->tok.curve_nid,
                      ibm4767_ec_supported_curves());
        return NULL;
    }
    return curve;
}

int ibm4767_ec_point_reencode(struct ibm4767_provctx *provctx,
                              const struct ibm4767_ec_curve *curve,
                              const uint8_t *in, size_t in_len,
                              int compressed, uint8_t *out, size_t out_cap,
                              size_t *out_len, const char *what)
{
    int ret = 0;
    EC_GROUP *group = NULL;
    EC_POINT *point = NULL;
    point_conversion_form_t form;
    size_t len;

    if (in == NULL || in_len == 0) {
        IBM4767_RAISE(provctx, IBM4767_R_INVALID_KEY,
                      "%s is empty: expected an encoded %s point", what,
                      curve->nist_name);
        return 0;
    }

    group = EC_GROUP_new_by_curve_name_ex(provctx->libctx, NULL, curve->nid);
    point = group != NULL ? EC_POINT_new(group) : NULL;
    if (point == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot set up curve %s in libcrypto to check %s",
                      curve->nist_name, what);
        goto err;
    }

    /* oct2point rejects a point that is not on the curve. */
    if (!EC_POINT_oct2point(group, point, in, in_len, NULL)) {
        IBM4767_RAISE(provctx, IBM4767_R_INVALID_KEY,
                      "%s (%zu bytes) is not a valid point on %s: check that "
                      "the key belongs to this curve", what, in_len,
                      curve->nist_name);
        goto err;
    }
    if (EC_POINT_is_at_infinity(group, point)) {
        IBM4767_RAISE(provctx, IBM4767_R_INVALID_KEY,
                      "%s is the point at infinity on %s", what,
                      curve->nist_name);
        goto err;
    }

    form = compressed ? POINT_CONVERSION_COMPRESSED
                      : POINT_CONVERSION_UNCOMPRESSED;
    len = EC_POINT_point2oct(group, point, form, out, out_cap, NULL);
    if (len == 0) {
        IBM4767_RAISE(provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "cannot encode %s on %s into %zu bytes", what,
                      curve->nist_name, out_cap);
        goto err;
    }
    *out_len = len;
    ret = 1;

err:
    EC_POINT_free(point);
    EC_GROUP_free(group);
    return ret;
}

int ibm4767_ec_key_encoded_point(const struct ibm4767_key *key,
                                 uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    const struct ibm4767_ec_curve *curve;

    curve = ibm4767_ec_key_curve(key, "encode the EC public key");
    if (curve == NULL)
        return 0;

    if (key->point_compressed)
        return ibm4767_ec_point_reencode(key->provctx, curve, key->tok.q,
                                         key->tok.q_len, 1, out, out_cap,
                                         out_len, "the key's public point");

    if (key->tok.q_len > out_cap) {
        IBM4767_RAISE(key->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "the %s public point needs %zu bytes, %zu available",
                      curve->nist_name, key->tok.q_len, out_cap);
        return 0;
    }
    memcpy(out, key->tok.q, key->tok.q_len);
    *out_len = key->tok.q_len;
    return 1;
}

size_t ibm4767_ec_sig_max_der_len(const struct ibm4767_ec_curve *curve)
{
    int integer_len;

    /* A positive integer whose top bit is set needs a leading zero byte. */
    integer_len = ASN1_object_size(0, (int)curve->field_len + 1,
                                   V_ASN1_INTEGER);
    return (size_t)ASN1_object_size(1, 2 * integer_len, V_ASN1_SEQUENCE);
}

int ibm4767_ec_sig_raw_to_der(struct ibm4767_provctx *provctx,
                              const struct ibm4767_ec_curve *curve,
                              const uint8_t *raw, size_t raw_len,
                              uint8_t *der, size_t der_cap, size_t *der_len)
{
    int ret = 0;
    ECDSA_SIG *sig = NULL;
    BIGNUM *r = NULL;
    BIGNUM *s = NULL;
    unsigned char *p;
    int len;

    if (raw_len != 2 * curve->field_len) {
        IBM4767_RAISE(provctx, IBM4767_R_DEVICE_ERROR,
                      "the device returned a %zu-byte ECDSA signature; "
                      "r || s on %s is %zu bytes", raw_len, curve->nist_name,
                      2 * curve->field_len);
        return 0;
    }

    sig = ECDSA_SIG_new();
    r = BN_bin2bn(raw, (int)curve->field_len, NULL);
    s = BN_bin2bn(raw + curve->field_len, (int)curve->field_len, NULL);
    if (sig == NULL || r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s)) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory converting an ECDSA signature to DER");
        goto err;
    }
    /* sig owns r and s from here on. */
    r = NULL;
    s = NULL;

    len = i2d_ECDSA_SIG(sig, NULL);
    if (len <= 0 || (size_t)len > der_cap) {
        IBM4767_RAISE(provctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "the DER ECDSA signature needs %d bytes, the buffer "
                      "has %zu", len, der_cap);
        goto err;
    }
    p = der;
    *der_len = (size_t)i2d_ECDSA_SIG(sig, &p);
    ret = 1;

err:
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return ret;
}

int ibm4767_ec_sig_der_to_raw(const struct ibm4767_ec_curve *curve,
                              const uint8_t *der, size_t der_len,
                              uint8_t *raw, size_t raw_cap, size_t *raw_len)
{
    int ret = 0;
    ECDSA_SIG *sig = NULL;
    unsigned char *reencoded = NULL;
    const unsigned char *p = der;
    const BIGNUM *r;
    const BIGNUM *s;
    int len;

    if (der_len > ibm4767_ec_sig_max_der_len(curve)
        || raw_cap < 2 * curve->field_len)
        return 0;

    /* The ASN.1 decoder's own errors would only repeat "bad signature". */
    ERR_set_mark();

    sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (sig == NULL || p != der + der_len)
        goto err;

    /* Accept only the one DER encoding, as libcrypto's own ECDSA does. */
    len = i2d_ECDSA_SIG(sig, &reencoded);
    if (len <= 0 || (size_t)len != der_len
        || memcmp(reencoded, der, der_len) != 0)
        goto err;

    ECDSA_SIG_get0(sig, &r, &s);
    if (BN_is_negative(r) || BN_is_negative(s))
        goto err;
    if (BN_bn2binpad(r, raw, (int)curve->field_len) < 0
        || BN_bn2binpad(s, raw + curve->field_len, (int)curve->field_len) < 0)
        goto err;
    *raw_len = 2 * curve->field_len;
    ret = 1;

err:
    ERR_pop_to_mark();
    OPENSSL_free(reencoded);
    ECDSA_SIG_free(sig);
    return ret;
}

/* ---------------------------------------------------------------------
 * Key parameters shared by generation, import and set_params
 */

int ibm4767_ec_parse_usage(struct ibm4767_provctx *provctx,
                           const OSSL_PARAM *p, uint32_t *usage)
{
    const char *value = NULL;

    if (p == NULL)
        return 1;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &value)) {
        IBM4767_RAISE(provctx, IBM4767_R_INVALID_PARAMETER,
                      "'%s' must be a UTF-8 string: sign, derive or both",
                      IBM4767_PKEY_PARAM_USAGE);
        return 0;
    }

    if (strcasecmp(value, "sign") == 0) {
        *usage = CCA_USAGE_SIGNATURE;
    } else if (strcasecmp(value, "derive") == 0) {
        *usage = CCA_USAGE_KEY_AGREEMENT;
    } else if (strcasecmp(value, "both") == 0) {
        *usage = IBM4767_EC_USAGE_BOTH;
    } else {
        IBM4767_RAISE(provctx, IBM4767_R_INVALID_PARAMETER,
                      "invalid %s '%s': use sign, derive or both",
                      IBM4767_PKEY_PARAM_USAGE, value);
        return 0;
    }
    return 1;
}

const char *ibm4767_ec_usage_name(uint8_t usage)
{
    if ((usage & IBM4767_EC_USAGE_BOTH) == IBM4767_EC_USAGE_BOTH)
        return "both";
    if ((usage & CCA_USAGE_SIGNATURE) != 0)
        return "sign";
    if ((usage & CCA_USAGE_KEY_AGREEMENT) != 0)
        return "derive";
    return "none";
}

int ibm4767_ec_parse_point_format(struct ibm4767_provctx *provctx,
                                  const OSSL_PARAM *p, int *compressed)
{
    const char *value = NULL;

    if (p == NULL)
        return 1;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &value)) {
        IBM4767_RAISE(provctx, IBM4767_R_INVALID_PARAMETER,
                      "'%s' must be a UTF-8 string: uncompressed or "
                      "compressed",
                      OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT);
        return 0;
    }

    if (strcasecmp(value,
                   OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) == 0) {
        *compressed = 0;
    } else if (strcasecmp(value,
                          OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED)
               == 0) {
        *compressed = 1;
    } else {
        IBM4767_RAISE(provctx, IBM4767_R_UNSUPPORTED,
                      "unsupported point format '%s': use uncompressed or "
                      "compressed", value);
        return 0;
    }
    return 1;
}

/* Explicit curve parameters are not supported: only the named curves of
 * the token format exist in the device. */
int ibm4767_ec_check_encoding(struct ibm4767_provctx *provctx,
                              const OSSL_PARAM *p)
{
    const char *value = NULL;

    if (p == NULL)
        return 1;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &value)
        || strcasecmp(value, OSSL_PKEY_EC_ENCODING_GROUP) != 0) {
        IBM4767_RAISE(provctx, IBM4767_R_UNSUPPORTED,
                      "unsupported EC parameter encoding '%s': only named "
                      "curves (%s) are supported",
                      value != NULL ? value : "(not a string)",
                      OSSL_PKEY_EC_ENCODING_GROUP);
        return 0;
    }
    return 1;
}

const struct ibm4767_ec_curve *ibm4767_ec_parse_group(
    struct ibm4767_provctx *provctx, const OSSL_PARAM *p)
{
    const struct ibm4767_ec_curve *curve;
    const char *name = NULL;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)) {
        IBM4767_RAISE(provctx, IBM4767_R_INVALID_PARAMETER,
                      "'%s' must be a UTF-8 curve name: %s",
                      OSSL_PKEY_PARAM_GROUP_NAME,
                      ibm4767_ec_supported_curves());
        return NULL;
    }

    curve = ibm4767_ec_curve_by_name(name);
    if (curve == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_UNSUPPORTED,
                      "unknown or unsupported EC group '%s': the IBM 4767 "
                      "supports %s", name, ibm4767_ec_supported_curves());
        return NULL;
    }
    return curve;
}

/* Check that the device returned a token for the curve it was asked for,
 * then store it in key. */
int ibm4767_ec_key_store_token(struct ibm4767_key *key,
                               const struct ibm4767_ec_curve *curve,
                               const uint8_t *token, size_t token_len)
{
    if (!ibm4767_key_set_token(key, token, token_len))
        return 0;

    if (key->tok.curve_nid != curve->nid) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_TOKEN,
                      "the new token is for curve NID %d, expected %s",
                      key->tok.curve_nid, curve->nist_name);
        return 0;
    }
    return 1;
}

/* Store an external token for the public point q (uncompressed). */
int ibm4767_ec_key_set_public(struct ibm4767_key *key,
                              const struct ibm4767_ec_curve *curve,
                              const uint8_t *q, size_t q_len)
{
    int ret = 0;
    uint8_t *token = NULL;
    size_t len;

    len = cca_token_build_ec_public(curve->nid, q, q_len, NULL, 0);
    token = len != 0 ? OPENSSL_malloc(len) : NULL;
    if (token == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot build a %s public key token (%zu bytes)",
                      curve->nist_name, len);
        goto err;
    }
    if (cca_token_build_ec_public(curve->nid, q, q_len, token, len) != len) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "cannot build a %s public key token from a %zu-byte "
                      "point", curve->nist_name, q_len);
        goto err;
    }
    ret = ibm4767_ec_key_store_token(key, curve, token, len);

err:
    OPENSSL_free(token);
    return ret;
}
