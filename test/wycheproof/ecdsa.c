/*
 * ECDSA verification families.  Each group has its own public key, decoded
 * from publicKeyDer and imported into the provider under test.  The DER
 * files pass the signature as given, so the provider must reject every
 * encoding that is not strict DER.  OpenSSL's signature API takes DER only,
 * so the P1363 files (r||s, each the size of the group order) are converted
 * first, as an application would do.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include "wycheproof.h"

static enum wp_setup ecdsa_setup(struct wp_group *g, char *what,
                                 size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    const json_t *public_key = json_object_get(g->json, "publicKey");
    const char *curve = wp_json_string(public_key, "curve");
    struct wp_bytes der = { NULL, 0 };
    EVP_PKEY *decoded = NULL;
    enum wp_setup ret = WP_SETUP_ERROR;

    g->md = wp_json_string(g->json, "sha");
    if (g->md == NULL || curve == NULL) {
        snprintf(what, what_len, "group lacks \"sha\" or \"publicKey.curve\"");
        goto err;
    }
    g->curve = wp_curve_group_name(curve, &g->field_len);
    if (g->curve == NULL) {
        snprintf(what, what_len, "curve %s is not secp256r1, secp384r1 or "
                 "secp521r1, the curves of the device", curve);
        ret = WP_SETUP_SKIP;
        goto err;
    }
    if (!wp_json_hex(g->json, "publicKeyDer", &der, what, what_len))
        goto err;
    decoded = wp_decode_spki(r, &der, what, what_len);
    if (decoded == NULL)
        goto err;

    g->key = wp_key_transfer(r, decoded, EVP_PKEY_PUBLIC_KEY, what, what_len);
    ret = g->key != NULL ? WP_SETUP_READY : WP_SETUP_KEY_REJECTED;

err:
    EVP_PKEY_free(decoded);
    wp_bytes_free(&der);
    return ret;
}

static enum wp_outcome ecdsa_verify(struct wp_group *g,
                                    const struct wp_bytes *msg,
                                    const unsigned char *sig, size_t sig_len,
                                    char *what, size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    enum wp_outcome ret = WP_OUTCOME_REJECTED;
    int rv;

    if (mdctx == NULL) {
        snprintf(what, what_len, "out of memory");
        return WP_OUTCOME_ERROR;
    }
    if (EVP_DigestVerifyInit_ex(mdctx, &pctx, g->md, r->libctx, r->op_propq,
                                g->key, NULL) <= 0) {
        wp_take_errors(what, what_len, "EVP_DigestVerifyInit_ex failed");
        goto err;
    }
    if (!wp_check_operation_provider(r, pctx, what, what_len)) {
        ret = WP_OUTCOME_ERROR;
        goto err;
    }

    rv = EVP_DigestVerify(mdctx, sig, sig_len, msg->data, msg->len);
    if (rv == 1)
        ret = WP_OUTCOME_SUCCESS;
    else
        wp_take_errors(what, what_len,
                       rv == 0 ? "verification failed"
                               : "verification returned an error");

err:
    EVP_MD_CTX_free(mdctx);
    return ret;
}

static enum wp_outcome ecdsa_der_run(struct wp_group *g, const json_t *test,
                                     char *what, size_t what_len)
{
    struct wp_bytes msg = { NULL, 0 }, sig = { NULL, 0 };
    enum wp_outcome ret = WP_OUTCOME_ERROR;

    if (!wp_json_hex(test, "msg", &msg, what, what_len) ||
        !wp_json_hex(test, "sig", &sig, what, what_len))
        goto err;
    ret = ecdsa_verify(g, &msg, sig.data, sig.len, what, what_len);

err:
    wp_bytes_free(&msg);
    wp_bytes_free(&sig);
    return ret;
}

/* Encodes a P1363 signature as DER into *der (freed with OPENSSL_free).
 * Returns the DER length, 0 when r||s does not have the expected length,
 * or -1 when memory runs out. */
static int p1363_to_der(const struct wp_group *g, const struct wp_bytes *sig,
                        unsigned char **der)
{
    ECDSA_SIG *ecdsa_sig = NULL;
    BIGNUM *r = NULL, *s = NULL;
    int der_len = -1;

    /* For these curves the group order has as many bytes as a coordinate. */
    if (sig->len != 2 * g->field_len)
        return 0;

    ecdsa_sig = ECDSA_SIG_new();
    r = BN_bin2bn(sig->data, (int)g->field_len, NULL);
    s = BN_bin2bn(sig->data + g->field_len, (int)g->field_len, NULL);
    if (ecdsa_sig == NULL || r == NULL || s == NULL)
        goto err;
    if (!ECDSA_SIG_set0(ecdsa_sig, r, s))
        goto err;
    r = NULL;
    s = NULL;
    der_len = i2d_ECDSA_SIG(ecdsa_sig, der);
    if (der_len <= 0)
        der_len = -1;

err:
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(ecdsa_sig);
    return der_len;
}

static enum wp_outcome ecdsa_p1363_run(struct wp_group *g, const json_t *test,
                                       char *what, size_t what_len)
{
    struct wp_bytes msg = { NULL, 0 }, sig = { NULL, 0 };
    unsigned char *der = NULL;
    enum wp_outcome ret = WP_OUTCOME_ERROR;
    int der_len;

    if (!wp_json_hex(test, "msg", &msg, what, what_len) ||
        !wp_json_hex(test, "sig", &sig, what, what_len))
        goto err;

    der_len = p1363_to_der(g, &sig, &der);
    if (der_len == 0) {
        snprintf(what, what_len, "runner check: P1363 signature has %zu "
                 "bytes, expected %zu", sig.len, 2 * g->field_len);
        ret = WP_OUTCOME_REJECTED;
        goto err;
    }
    if (der_len < 0) {
        snprintf(what, what_len, "out of memory encoding the signature");
        goto err;
    }
    ret = ecdsa_verify(g, &msg, der, (size_t)der_len, what, what_len);

err:
    OPENSSL_free(der);
    wp_bytes_free(&msg);
    wp_bytes_free(&sig);
    return ret;
}

const struct wp_family wp_ecdsa_der_verify_family = {
    "ecdsa_verify_schema_v1.json", "EcdsaVerify", 0,
    ecdsa_setup, ecdsa_der_run,
};

const struct wp_family wp_ecdsa_p1363_verify_family = {
    "ecdsa_p1363_verify_schema_v1.json", "EcdsaP1363Verify", 0,
    ecdsa_setup, ecdsa_p1363_run,
};
