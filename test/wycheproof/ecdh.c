/*
 * ECDH families.  Every case names its own private key and peer public key.
 * A file uses only a few dozen private keys, so each is imported into the
 * provider under test once per file.  The peer arrives in one of three
 * encodings:
 *   asn      hex DER SubjectPublicKeyInfo, decoded by the default provider
 *   pem      PEM SubjectPublicKeyInfo, decoded by the default provider
 *   ecpoint  hex X9.62 point, imported straight into the provider under test
 * A valid case must derive the vector's shared secret (the x coordinate);
 * an invalid one (wrong curve, point not on the curve, bad encoding) must
 * fail somewhere between decoding the peer and deriving.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>

#include "wycheproof.h"

static enum wp_setup ecdh_setup(struct wp_group *g, const char *encoding,
                                char *what, size_t what_len)
{
    const char *curve = wp_json_string(g->json, "curve");
    const char *group_encoding = wp_json_string(g->json, "encoding");

    if (curve == NULL || group_encoding == NULL) {
        snprintf(what, what_len, "group lacks \"curve\" or \"encoding\"");
        return WP_SETUP_ERROR;
    }
    if (strcmp(group_encoding, encoding) != 0) {
        snprintf(what, what_len, "group encoding %s, expected %s",
                 group_encoding, encoding);
        return WP_SETUP_ERROR;
    }
    g->curve = wp_curve_group_name(curve, &g->field_len);
    if (g->curve == NULL) {
        snprintf(what, what_len, "curve %s is not secp256r1, secp384r1 or "
                 "secp521r1, the curves of the device", curve);
        return WP_SETUP_SKIP;
    }
    return WP_SETUP_READY;
}

static enum wp_setup ecdh_asn_setup(struct wp_group *g, char *what,
                                    size_t what_len)
{
    return ecdh_setup(g, "asn", what, what_len);
}

static enum wp_setup ecdh_pem_setup(struct wp_group *g, char *what,
                                    size_t what_len)
{
    return ecdh_setup(g, "pem", what, what_len);
}

static enum wp_setup ecdh_ecpoint_setup(struct wp_group *g, char *what,
                                        size_t what_len)
{
    return ecdh_setup(g, "ecpoint", what, what_len);
}

/* Imports a private scalar given as hex, with the group name and no public
 * point: the provider (or the device) computes the public key itself. */
static EVP_PKEY *import_private_scalar(const struct wp_group *g,
                                       const json_t *test, char *what,
                                       size_t what_len)
{
    struct wp_bytes scalar = { NULL, 0 };
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    BIGNUM *priv = NULL;
    EVP_PKEY *pkey = NULL;

    if (!wp_json_hex(test, "private", &scalar, what, what_len))
        goto err;
    priv = BN_secure_new();
    bld = OSSL_PARAM_BLD_new();
    if (priv == NULL || bld == NULL ||
        BN_bin2bn(scalar.data, (int)scalar.len, priv) == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                         g->curve, 0) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv)) {
        snprintf(what, what_len, "out of memory building the key parameters");
        goto err;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    if (params == NULL) {
        snprintf(what, what_len, "out of memory building the key parameters");
        goto err;
    }
    pkey = wp_key_import(g->file->runner, "EC", EVP_PKEY_KEYPAIR, params,
                         what, what_len);

err:
    wp_params_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(priv);
    wp_bytes_free(&scalar);
    return pkey;
}

static EVP_PKEY *import_private_pem(const struct wp_group *g,
                                    const char *pem, char *what,
                                    size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    EVP_PKEY *decoded = wp_decode_pem_private(r, pem, what, what_len);
    EVP_PKEY *pkey;

    if (decoded == NULL)
        return NULL;
    pkey = wp_key_transfer(r, decoded, EVP_PKEY_KEYPAIR, what, what_len);
    EVP_PKEY_free(decoded);
    return pkey;
}

/* Returns the case's private key from the file's cache, importing it on
 * first use.  The cache owns the key.  Returns NULL with the reason in what
 * when the import failed, now or before. */
static EVP_PKEY *private_key(struct wp_group *g, const json_t *test,
                             int pem, char *what, size_t what_len)
{
    const char *id = wp_json_string(test, "private");
    EVP_PKEY *pkey = NULL;

    if (id == NULL) {
        snprintf(what, what_len, "vector field \"private\" is missing");
        return NULL;
    }
    if (wp_key_cache_find(g->file->keys, id, &pkey, what, what_len))
        return pkey;

    if (pem)
        pkey = import_private_pem(g, id, what, what_len);
    else
        pkey = import_private_scalar(g, test, what, what_len);
    if (!wp_key_cache_add(&g->file->keys, id, pkey, what)) {
        snprintf(what, what_len, "out of memory caching the private key");
        return NULL;
    }
    return pkey;
}

/* Imports a raw X9.62 peer point into the provider under test. */
static EVP_PKEY *import_peer_point(const struct wp_group *g,
                                   const json_t *test, char *what,
                                   size_t what_len)
{
    struct wp_bytes point = { NULL, 0 };
    OSSL_PARAM params[3];
    EVP_PKEY *pkey = NULL;

    if (!wp_json_hex(test, "public", &point, what, what_len))
        return NULL;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                 (char *)g->curve, 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                  point.data, point.len);
    params[2] = OSSL_PARAM_construct_end();
    pkey = wp_key_import(g->file->runner, "EC", EVP_PKEY_PUBLIC_KEY, params,
                         what, what_len);
    if (pkey == NULL) {
        char reason[WP_TEXT_LEN];

        snprintf(reason, sizeof(reason), "%s", what);
        snprintf(what, what_len, "peer point import: %s", reason);
    }
    wp_bytes_free(&point);
    return pkey;
}

/*
 * Rejects a decoded peer whose SubjectPublicKeyInfo spells out the curve
 * parameters, as RFC 5480 section 2.1.1 allows only a named curve there.
 * OpenSSL 3.0 replaces explicit parameters that match a named curve by that
 * curve, even with the cofactor missing or wrong, so a provider that gets
 * the key afterwards cannot tell such a key from a correct one.
 */
static int peer_has_named_curve(const EVP_PKEY *peer, char *what,
                                size_t what_len)
{
    char encoding[32];

    if (!EVP_PKEY_get_utf8_string_param(peer, OSSL_PKEY_PARAM_EC_ENCODING,
                                        encoding, sizeof(encoding), NULL)) {
        snprintf(what, what_len, "runner policy: the peer key has "
                 "no curve encoding (is it an EC key?)");
        return 0;
    }
    if (strcmp(encoding, OSSL_PKEY_EC_ENCODING_GROUP) != 0) {
        snprintf(what, what_len, "runner policy: the peer key "
                 "encodes the curve as %s parameters, RFC 5480 allows only a "
                 "named curve", encoding);
        return 0;
    }
    return 1;
}

static EVP_PKEY *peer_key(const struct wp_group *g, const json_t *test,
                          const char *encoding, char *what, size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    struct wp_bytes der = { NULL, 0 };
    const char *pem;
    EVP_PKEY *pkey;

    if (strcmp(encoding, "ecpoint") == 0)
        return import_peer_point(g, test, what, what_len);

    if (strcmp(encoding, "pem") == 0) {
        pem = wp_json_string(test, "public");
        if (pem == NULL) {
            snprintf(what, what_len, "vector field \"public\" is missing");
            return NULL;
        }
        pkey = wp_decode_pem_public(r, pem, what, what_len);
    } else {
        if (!wp_json_hex(test, "public", &der, what, what_len))
            return NULL;
        pkey = wp_decode_spki(r, &der, what, what_len);
        wp_bytes_free(&der);
    }
    if (pkey != NULL && !peer_has_named_curve(pkey, what, what_len)) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

static enum wp_outcome derive(const struct wp_group *g, EVP_PKEY *pkey,
                              EVP_PKEY *peer, const struct wp_bytes *expected,
                              char *what, size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char *secret = NULL;
    size_t secret_cap = 0, secret_len;
    enum wp_outcome ret = WP_OUTCOME_REJECTED;

    ctx = EVP_PKEY_CTX_new_from_pkey(r->libctx, pkey, r->op_propq);
    if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0) {
        wp_take_errors(what, what_len, "EVP_PKEY_derive_init failed");
        goto err;
    }
    if (!wp_check_operation_provider(r, ctx, what, what_len)) {
        ret = WP_OUTCOME_ERROR;
        goto err;
    }
    /* validate_peer is 0, so libcrypto does not check the peer: the
     * provider under test (for ibm4767, the device) must reject it. */
    if (EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) <= 0) {
        wp_take_errors(what, what_len, "peer key rejected");
        goto err;
    }
    if (EVP_PKEY_derive(ctx, NULL, &secret_cap) <= 0) {
        wp_take_errors(what, what_len, "EVP_PKEY_derive (length query) failed");
        goto err;
    }
    secret = OPENSSL_malloc(secret_cap > 0 ? secret_cap : 1);
    if (secret == NULL) {
        snprintf(what, what_len, "out of memory");
        ret = WP_OUTCOME_ERROR;
        goto err;
    }
    secret_len = secret_cap;
    if (EVP_PKEY_derive(ctx, secret, &secret_len) <= 0) {
        wp_take_errors(what, what_len, "derivation failed");
        goto err;
    }

    /* Most invalid cases give no secret.  Any success fails them, so there
     * is nothing to compare. */
    if (expected->len == 0) {
        snprintf(what, what_len, "derived a %zu-byte secret", secret_len);
        ret = WP_OUTCOME_SUCCESS;
    } else if (secret_len == expected->len &&
               memcmp(secret, expected->data, secret_len) == 0) {
        ret = WP_OUTCOME_SUCCESS;
    } else {
        wp_describe_mismatch(what, what_len, secret, secret_len, expected);
        ret = WP_OUTCOME_MISMATCH;
    }

err:
    OPENSSL_clear_free(secret, secret_cap);
    EVP_PKEY_CTX_free(ctx);
    return ret;
}

static enum wp_outcome ecdh_run(struct wp_group *g, const json_t *test,
                                const char *encoding, char *what,
                                size_t what_len)
{
    struct wp_bytes expected = { NULL, 0 };
    EVP_PKEY *pkey, *peer = NULL;
    enum wp_outcome ret = WP_OUTCOME_ERROR;

    if (!wp_json_hex(test, "shared", &expected, what, what_len))
        goto err;

    ret = WP_OUTCOME_REJECTED;
    pkey = private_key(g, test, strcmp(encoding, "pem") == 0, what, what_len);
    if (pkey == NULL)
        goto err;
    peer = peer_key(g, test, encoding, what, what_len);
    if (peer == NULL)
        goto err;
    ret = derive(g, pkey, peer, &expected, what, what_len);

err:
    EVP_PKEY_free(peer);
    wp_bytes_free(&expected);
    return ret;
}

static enum wp_outcome ecdh_asn_run(struct wp_group *g, const json_t *test,
                                    char *what, size_t what_len)
{
    return ecdh_run(g, test, "asn", what, what_len);
}

static enum wp_outcome ecdh_pem_run(struct wp_group *g, const json_t *test,
                                    char *what, size_t what_len)
{
    return ecdh_run(g, test, "pem", what, what_len);
}

static enum wp_outcome ecdh_ecpoint_run(struct wp_group *g,
                                        const json_t *test, char *what,
                                        size_t what_len)
{
    return ecdh_run(g, test, "ecpoint", what, what_len);
}

const struct wp_family wp_ecdh_asn_family = {
    "ecdh_test_schema_v1.json", "EcdhTest", 1,
    ecdh_asn_setup, ecdh_asn_run,
};

const struct wp_family wp_ecdh_pem_family = {
    "ecdh_pem_test_schema_v1.json", "EcdhPemTest", 1,
    ecdh_pem_setup, ecdh_pem_run,
};

const struct wp_family wp_ecdh_ecpoint_family = {
    "ecdh_ecpoint_test_schema_v1.json", "EcdhEcpointTest", 1,
    ecdh_ecpoint_setup, ecdh_ecpoint_run,
};
