/*
 * EC key management, second part: import of public and private keys,
 * export of the public part, and the key parameters that libcrypto and
 * libssl read and set (keymgmt_ec.c has the rest and the dispatch table).
 */

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "ec_util.h"
#include "prov.h"

/* Import a clear private key: the device wraps it and returns a token. */
static int ec_import_private(struct ibm4767_key *key,
                             const struct ibm4767_ec_curve *curve,
                             const OSSL_PARAM *priv_param,
                             const OSSL_PARAM *pub_param,
                             const OSSL_PARAM params[])
{
    int ret = 0;
    uint8_t kvs[CCA_EC_KVS_HEADER_LEN + IBM4767_EC_MAX_FIELD_LEN
                + IBM4767_EC_MAX_POINT_LEN];
    size_t q_len = 0;
    uint8_t *q = kvs + CCA_EC_KVS_HEADER_LEN + curve->field_len;
    uint32_t usage = IBM4767_EC_USAGE_BOTH;
    BIGNUM *d = NULL;
    uint8_t *token = NULL;
    size_t token_len = 0;
    struct cca_result res;

    if (!ibm4767_ec_parse_usage(key->provctx,
                                OSSL_PARAM_locate_const(
                                    params, IBM4767_PKEY_PARAM_USAGE),
                                &usage))
        goto err;

    d = BN_secure_new();
    if (d == NULL || !OSSL_PARAM_get_BN(priv_param, &d)) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "the '%s' parameter of the %s key is not a valid "
                      "integer", OSSL_PKEY_PARAM_PRIV_KEY, curve->nist_name);
        goto err;
    }
    if (BN_is_zero(d) || BN_is_negative(d)
        || (size_t)BN_num_bytes(d) > curve->field_len) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "the %s private key is out of range (%d bits): it "
                      "must be between 1 and the group order",
                      curve->nist_name, BN_num_bits(d));
        goto err;
    }

    /* The device checks that Q belongs to d; without Q it computes it. */
    if (pub_param != NULL) {
        const void *pub = NULL;
        size_t pub_len = 0;

        if (!OSSL_PARAM_get_octet_string_ptr(pub_param, &pub, &pub_len)
            || !ibm4767_ec_point_reencode(key->provctx, curve, pub, pub_len,
                                          0, q, IBM4767_EC_MAX_POINT_LEN,
                                          &q_len, "the imported public key"))
            goto err;
    }

    /* Key value structure: curve type, reserved, field bits, the lengths
     * of d and Q, then d and Q. */
    kvs[0] = CCA_EC_CURVE_PRIME;
    kvs[1] = 0;
    kvs[2] = (uint8_t)(curve->bits >> 8);
    kvs[3] = (uint8_t)curve->bits;
    kvs[4] = (uint8_t)(curve->field_len >> 8);
    kvs[5] = (uint8_t)curve->field_len;
    kvs[6] = (uint8_t)(q_len >> 8);
    kvs[7] = (uint8_t)q_len;
    if (BN_bn2binpad(d, kvs + CCA_EC_KVS_HEADER_LEN,
                     (int)curve->field_len) < 0)
        goto err;

    if (!cca_pka_key_import(key->provctx->backend, CCA_ALG_EC, usage, kvs,
                            CCA_EC_KVS_HEADER_LEN + curve->field_len + q_len,
                            &token, &token_len, &res)) {
        IBM4767_RAISE_CCA(key->provctx, &res, "import of an EC private key");
        goto err;
    }
    if (!ibm4767_ec_key_store_token(key, curve, token, token_len))
        goto err;
    ibm4767_key_note_result(key, &res);
    ret = 1;

err:
    OPENSSL_cleanse(kvs, sizeof(kvs));
    BN_clear_free(d);
    OPENSSL_free(token);
    return ret;
}

static int ec_import_public(struct ibm4767_key *key,
                            const struct ibm4767_ec_curve *curve,
                            const OSSL_PARAM *pub_param)
{
    uint8_t q[IBM4767_EC_MAX_POINT_LEN];
    size_t q_len = 0;
    const void *pub = NULL;
    size_t pub_len = 0;

    if (!OSSL_PARAM_get_octet_string_ptr(pub_param, &pub, &pub_len)) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "the '%s' parameter must be an octet string",
                      OSSL_PKEY_PARAM_PUB_KEY);
        return 0;
    }
    if (!ibm4767_ec_point_reencode(key->provctx, curve, pub, pub_len, 0, q,
                                   sizeof(q), &q_len,
                                   "the imported public key"))
        return 0;

    return ibm4767_ec_key_set_public(key, curve, q, q_len);
}

int ibm4767_ec_import(void *keydata, int selection, const OSSL_PARAM params[])
{
    struct ibm4767_key *key = keydata;
    const struct ibm4767_ec_curve *curve;
    const OSSL_PARAM *p;
    const OSSL_PARAM *priv = NULL;
    const OSSL_PARAM *pub;
    int compressed = 0;

    if (key == NULL)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0) {
        IBM4767_RAISE(key->provctx, IBM4767_R_UNSUPPORTED,
                      "importing EC domain parameters alone is not "
                      "supported: an ibm4767 EC key needs a public or a "
                      "private key");
        return 0;
    }

    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
    if (p == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "EC key import needs the '%s' parameter; explicit curve "
                      "parameters are not supported (use %s)",
                      OSSL_PKEY_PARAM_GROUP_NAME,
                      ibm4767_ec_supported_curves());
        return 0;
    }
    curve = ibm4767_ec_parse_group(key->provctx, p);
    if (curve == NULL)
        return 0;
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_EC_ENCODING);
    if (!ibm4767_ec_check_encoding(key->provctx, p))
        return 0;

    p = OSSL_PARAM_locate_const(params,
                                OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT);
    if (!ibm4767_ec_parse_point_format(key->provctx, p, &compressed))
        return 0;

    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0)
        priv = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PRIV_KEY);
    pub = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);

    if (priv != NULL) {
        if (!ec_import_private(key, curve, priv, pub, params))
            return 0;
    } else if (pub != NULL) {
        if (!ec_import_public(key, curve, pub))
            return 0;
    } else {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "EC key import: the parameters contain neither '%s' "
                      "nor '%s'", OSSL_PKEY_PARAM_PUB_KEY,
                      OSSL_PKEY_PARAM_PRIV_KEY);
        return 0;
    }
    key->point_compressed = compressed;
    return 1;
}

static const OSSL_PARAM ec_import_params[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, NULL,
                           0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, NULL, 0),
    OSSL_PARAM_utf8_string(IBM4767_PKEY_PARAM_USAGE, NULL, 0),
    OSSL_PARAM_END
};

const OSSL_PARAM *ibm4767_ec_import_types(int selection)
{
    return ec_import_params;
}

int ibm4767_ec_export(void *keydata, int selection, OSSL_CALLBACK *cb,
                      void *cbarg)
{
    struct ibm4767_key *key = keydata;
    const struct ibm4767_ec_curve *curve;
    uint8_t point[IBM4767_EC_MAX_POINT_LEN];
    size_t point_len = 0;
    OSSL_PARAM params[6];
    size_t n = 0;

    curve = ibm4767_ec_key_curve(key, "export the EC key");
    if (curve == NULL)
        return 0;

    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0
        && key->tok.has_private) {
        IBM4767_RAISE(key->provctx, IBM4767_R_NOT_EXPORTABLE,
                      "the %s private key is held in the IBM 4767 and is not "
                      "exportable: only its public key can be exported",
                      curve->nist_name);
        return 0;
    }

    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                   (char *)curve->name, 0);
    params[n++] = OSSL_PARAM_construct_utf8_string(
        OSSL_PKEY_PARAM_EC_ENCODING, (char *)OSSL_PKEY_EC_ENCODING_GROUP, 0);
    params[n++] = OSSL_PARAM_construct_utf8_string(
        OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
        key->point_compressed
            ? (char *)OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED
            : (char *)OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED, 0);

    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0) {
        if (!ibm4767_ec_key_encoded_point(key, point, sizeof(point),
                                          &point_len))
            return 0;
        params[n++] = OSSL_PARAM_construct_octet_string(
            OSSL_PKEY_PARAM_PUB_KEY, point, point_len);
        params[n++] = OSSL_PARAM_construct_octet_string(
            OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, point_len);
    }
    params[n] = OSSL_PARAM_construct_end();

    return cb(params, cbarg);
}

static const OSSL_PARAM ec_export_params[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, NULL,
                           0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
    OSSL_PARAM_END
};

const OSSL_PARAM *ibm4767_ec_export_types(int selection)
{
    return ec_export_params;
}

/* ---------------------------------------------------------------------
 * Key parameters
 */

static int ec_get_size_params(const struct ibm4767_key *key,
                              const struct ibm4767_ec_curve *curve,
                              OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS);
    if (p != NULL && !OSSL_PARAM_set_int(p, (int)curve->bits))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS);
    if (p != NULL && !OSSL_PARAM_set_int(p, curve->security_bits))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE);
    if (p != NULL
        && !OSSL_PARAM_set_int(p, (int)ibm4767_ec_sig_max_der_len(curve)))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST);
    if (p != NULL && !OSSL_PARAM_set_utf8_string(p, curve->default_digest))
        goto fail;
    return 1;

fail:
    IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_PARAMETER,
                  "cannot return the EC key parameter '%s': wrong type or "
                  "buffer too small", p->key);
    return 0;
}

static int ec_get_group_params(const struct ibm4767_key *key,
                               const struct ibm4767_ec_curve *curve,
                               OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME);
    if (p != NULL && !OSSL_PARAM_set_utf8_string(p, curve->name))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_ENCODING);
    if (p != NULL
        && !OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_EC_ENCODING_GROUP))
        goto fail;

    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT);
    if (p != NULL
        && !OSSL_PARAM_set_utf8_string(p, key->point_compressed
                        ? OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED
                        : OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED))
        goto fail;

    p = OSSL_PARAM_locate(params,
                          OSSL_PKEY_PARAM_EC_DECODED_FROM_EXPLICIT_PARAMS);
    if (p != NULL && !OSSL_PARAM_set_int(p, 0))
        goto fail;

    p = OSSL_PARAM_locate(params, IBM4767_PKEY_PARAM_USAGE);
    if (p != NULL && key->tok.has_private
        && !OSSL_PARAM_set_utf8_string(p,
                                       ibm4767_ec_usage_name(key->tok.usage)))
        goto fail;
    return 1;

fail:
    IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_PARAMETER,
                  "cannot return the EC key parameter '%s': wrong type or "
                  "buffer too small", p->key);
    return 0;
}

static int ec_get_coordinate(const struct ibm4767_key *key,
                             const struct ibm4767_ec_curve *curve,
                             OSSL_PARAM *p, size_t offset)
{
    int ret = 0;
    BIGNUM *bn;

    bn = BN_bin2bn(key->tok.q + offset, (int)curve->field_len, NULL);
    if (bn != NULL && OSSL_PARAM_set_BN(p, bn))
        ret = 1;
    else
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_PARAMETER,
                      "cannot return the EC key parameter '%s'", p->key);
    BN_free(bn);
    return ret;
}

static int ec_get_point_params(const struct ibm4767_key *key,
                               const struct ibm4767_ec_curve *curve,
                               OSSL_PARAM params[])
{
    uint8_t point[IBM4767_EC_MAX_POINT_LEN];
    size_t point_len = 0;
    OSSL_PARAM *encoded;
    OSSL_PARAM *pub;
    OSSL_PARAM *p;

    if (key->tok.q_len != 1 + 2 * curve->field_len) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_TOKEN,
                      "the key token holds a %zu-byte public point, expected "
                      "%zu for %s", key->tok.q_len, 1 + 2 * curve->field_len,
                      curve->nist_name);
        return 0;
    }

    encoded = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
    pub = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_PUB_KEY);
    if (encoded != NULL || pub != NULL) {
        if (!ibm4767_ec_key_encoded_point(key, point, sizeof(point),
                                          &point_len))
            return 0;
        if ((encoded != NULL
             && !OSSL_PARAM_set_octet_string(encoded, point, point_len))
            || (pub != NULL
                && !OSSL_PARAM_set_octet_string(pub, point, point_len))) {
            IBM4767_RAISE(key->provctx, IBM4767_R_BUFFER_TOO_SMALL,
                          "the %s public key needs a %zu-byte buffer",
                          curve->nist_name, point_len);
            return 0;
        }
    }

    /* The token's point is 0x04 || x || y. */
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_PUB_X);
    if (p != NULL && !ec_get_coordinate(key, curve, p, 1))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_PUB_Y);
    if (p != NULL && !ec_get_coordinate(key, curve, p, 1 + curve->field_len))
        return 0;
    return 1;
}

int ibm4767_ec_get_params(void *keydata, OSSL_PARAM params[])
{
    struct ibm4767_key *key = keydata;
    const struct ibm4767_ec_curve *curve;

    if (key == NULL)
        return 0;
    /* An empty key object has nothing to report yet. */
    if (key->token == NULL)
        return 1;

    curve = ibm4767_ec_key_curve(key, "read the EC key parameters");
    if (curve == NULL)
        return 0;

    return ec_get_size_params(key, curve, params)
           && ec_get_group_params(key, curve, params)
           && ec_get_point_params(key, curve, params);
}

const OSSL_PARAM *ibm4767_ec_gettable_params(void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                               NULL, 0),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_EC_DECODED_FROM_EXPLICIT_PARAMS, NULL),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_X, NULL, 0),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_Y, NULL, 0),
        OSSL_PARAM_utf8_string(IBM4767_PKEY_PARAM_USAGE, NULL, 0),
        OSSL_PARAM_END
    };

    return gettable;
}

/*
 * Replace the public point of a public-only key, as libssl does for a
 * peer's key.  A device private key accepts only its own point again,
 * because its public half cannot change.
 */
static int ec_set_encoded_point(struct ibm4767_key *key, const OSSL_PARAM *p)
{
    const struct ibm4767_ec_curve *curve;
    uint8_t q[IBM4767_EC_MAX_POINT_LEN];
    size_t q_len = 0;
    const void *in = NULL;
    size_t in_len = 0;

    curve = ibm4767_ec_key_curve(key, "set the EC public key");
    if (curve == NULL)
        return 0;

    if (!OSSL_PARAM_get_octet_string_ptr(p, &in, &in_len)) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_PARAMETER,
                      "'%s' must be an octet string",
                      OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
        return 0;
    }
    if (!ibm4767_ec_point_reencode(key->provctx, curve, in, in_len, 0, q,
                                   sizeof(q), &q_len, "the new public key"))
        return 0;

    if (key->tok.has_private) {
        if (q_len == key->tok.q_len
            && CRYPTO_memcmp(q, key->tok.q, q_len) == 0)
            return 1;
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "cannot set a different public key on a %s private key "
                      "held in the device", curve->nist_name);
        return 0;
    }
    return ibm4767_ec_key_set_public(key, curve, q, q_len);
}

int ibm4767_ec_set_params(void *keydata, const OSSL_PARAM params[])
{
    struct ibm4767_key *key = keydata;
    const OSSL_PARAM *p;

    if (key == NULL)
        return 0;
    if (params == NULL)
        return 1;

    p = OSSL_PARAM_locate_const(params,
                                OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT);
    if (!ibm4767_ec_parse_point_format(key->provctx, p,
                                       &key->point_compressed))
        return 0;

    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
    if (p != NULL && !ec_set_encoded_point(key, p))
        return 0;
    return 1;
}

const OSSL_PARAM *ibm4767_ec_settable_params(void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                               NULL, 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
        OSSL_PARAM_END
    };

    return settable;
}

