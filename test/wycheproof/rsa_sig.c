/*
 * RSA signature families: PKCS#1 v1.5 and PSS verification with the
 * group's public key, and PKCS#1 v1.5 signature generation with its
 * private key.  PKCS#1 v1.5 signatures are deterministic, so a generated
 * signature must equal the vector's byte for byte.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rsa.h>

#include "wycheproof.h"

static enum wp_setup rsa_verify_setup(struct wp_group *g, char *what,
                                      size_t what_len)
{
    g->md = wp_json_string(g->json, "sha");
    if (g->md == NULL) {
        snprintf(what, what_len, "group has no \"sha\"");
        return WP_SETUP_ERROR;
    }
    return wp_setup_rsa_key(g, "publicKeyDer", EVP_PKEY_PUBLIC_KEY, what,
                            what_len);
}

static enum wp_setup rsa_pss_setup(struct wp_group *g, char *what,
                                   size_t what_len)
{
    const char *mgf = wp_json_string(g->json, "mgf");
    long salt_len;

    g->md = wp_json_string(g->json, "sha");
    g->mgf1_md = wp_json_string(g->json, "mgfSha");
    if (g->md == NULL || g->mgf1_md == NULL ||
        !wp_json_long(g->json, "sLen", &salt_len)) {
        snprintf(what, what_len, "group lacks \"sha\", \"mgfSha\" or \"sLen\"");
        return WP_SETUP_ERROR;
    }
    if (mgf == NULL || strcmp(mgf, "MGF1") != 0) {
        snprintf(what, what_len, "mask generation function %s: only MGF1 is "
                 "defined for RSA-PSS in OpenSSL", mgf != NULL ? mgf : "(none)");
        return WP_SETUP_SKIP;
    }
    g->salt_len = (int)salt_len;

    /* In the _params files publicKeyDer is an RSASSA-PSS key whose
     * parameters restrict it to this digest, MGF1 digest and salt length.
     * It is imported into the provider as an RSA-PSS key. */
    return wp_setup_rsa_key(g, "publicKeyDer", EVP_PKEY_PUBLIC_KEY, what,
                            what_len);
}

static enum wp_setup rsa_sign_setup(struct wp_group *g, char *what,
                                    size_t what_len)
{
    g->md = wp_json_string(g->json, "sha");
    if (g->md == NULL) {
        snprintf(what, what_len, "group has no \"sha\"");
        return WP_SETUP_ERROR;
    }
    /* The PKCS#8 form carries the CRT values that "privateKey" lacks. */
    return wp_setup_rsa_key(g, "privateKeyPkcs8", EVP_PKEY_KEYPAIR, what,
                            what_len);
}

static int set_pss_params(const struct wp_group *g, EVP_PKEY_CTX *pctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, g->mgf1_md, NULL) > 0 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, g->salt_len) > 0;
}

static enum wp_outcome rsa_verify(struct wp_group *g, const json_t *test,
                                  int pss, char *what, size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    struct wp_bytes msg = { NULL, 0 }, sig = { NULL, 0 };
    EVP_MD_CTX *mdctx = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    enum wp_outcome ret = WP_OUTCOME_ERROR;
    int params_ok, rv;

    if (!wp_json_hex(test, "msg", &msg, what, what_len) ||
        !wp_json_hex(test, "sig", &sig, what, what_len))
        goto err;
    mdctx = EVP_MD_CTX_new();
    if (mdctx == NULL) {
        snprintf(what, what_len, "out of memory");
        goto err;
    }

    ret = WP_OUTCOME_REJECTED;
    if (EVP_DigestVerifyInit_ex(mdctx, &pctx, g->md, r->libctx, r->op_propq,
                                g->key, NULL) <= 0) {
        wp_take_errors(what, what_len, "EVP_DigestVerifyInit_ex failed");
        goto err;
    }
    if (!wp_check_operation_provider(r, pctx, what, what_len)) {
        ret = WP_OUTCOME_ERROR;
        goto err;
    }
    if (pss)
        params_ok = set_pss_params(g, pctx);
    else
        params_ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
    if (!params_ok) {
        wp_take_errors(what, what_len, "setting the padding parameters failed");
        goto err;
    }

    rv = EVP_DigestVerify(mdctx, sig.data, sig.len, msg.data, msg.len);
    if (rv == 1)
        ret = WP_OUTCOME_SUCCESS;
    else
        wp_take_errors(what, what_len,
                       rv == 0 ? "verification failed"
                               : "verification returned an error");

err:
    EVP_MD_CTX_free(mdctx);
    wp_bytes_free(&msg);
    wp_bytes_free(&sig);
    return ret;
}

static enum wp_outcome rsa_pkcs1_verify_run(struct wp_group *g,
                                            const json_t *test, char *what,
                                            size_t what_len)
{
    return rsa_verify(g, test, 0, what, what_len);
}

static enum wp_outcome rsa_pss_verify_run(struct wp_group *g,
                                          const json_t *test, char *what,
                                          size_t what_len)
{
    return rsa_verify(g, test, 1, what, what_len);
}

static enum wp_outcome rsa_pkcs1_sign_run(struct wp_group *g,
                                          const json_t *test, char *what,
                                          size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    struct wp_bytes msg = { NULL, 0 }, expected = { NULL, 0 };
    EVP_MD_CTX *mdctx = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    enum wp_outcome ret = WP_OUTCOME_ERROR;

    if (!wp_json_hex(test, "msg", &msg, what, what_len) ||
        !wp_json_hex(test, "sig", &expected, what, what_len))
        goto err;
    mdctx = EVP_MD_CTX_new();
    if (mdctx == NULL) {
        snprintf(what, what_len, "out of memory");
        goto err;
    }

    ret = WP_OUTCOME_REJECTED;
    if (EVP_DigestSignInit_ex(mdctx, &pctx, g->md, r->libctx, r->op_propq,
                              g->key, NULL) <= 0) {
        wp_take_errors(what, what_len, "EVP_DigestSignInit_ex failed");
        goto err;
    }
    if (!wp_check_operation_provider(r, pctx, what, what_len)) {
        ret = WP_OUTCOME_ERROR;
        goto err;
    }
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) {
        wp_take_errors(what, what_len, "setting PKCS#1 v1.5 padding failed");
        goto err;
    }
    if (EVP_DigestSign(mdctx, NULL, &sig_len, msg.data, msg.len) <= 0) {
        wp_take_errors(what, what_len, "EVP_DigestSign (length query) failed");
        goto err;
    }
    sig = OPENSSL_malloc(sig_len);
    if (sig == NULL) {
        snprintf(what, what_len, "out of memory");
        ret = WP_OUTCOME_ERROR;
        goto err;
    }
    if (EVP_DigestSign(mdctx, sig, &sig_len, msg.data, msg.len) <= 0) {
        wp_take_errors(what, what_len, "signing failed");
        goto err;
    }

    if (sig_len == expected.len && memcmp(sig, expected.data, sig_len) == 0) {
        ret = WP_OUTCOME_SUCCESS;
    } else {
        wp_describe_mismatch(what, what_len, sig, sig_len, &expected);
        ret = WP_OUTCOME_MISMATCH;
    }

err:
    OPENSSL_free(sig);
    EVP_MD_CTX_free(mdctx);
    wp_bytes_free(&msg);
    wp_bytes_free(&expected);
    return ret;
}

const struct wp_family wp_rsa_pkcs1_verify_family = {
    "rsassa_pkcs1_verify_schema_v1.json", "RsassaPkcs1Verify", 0,
    rsa_verify_setup, rsa_pkcs1_verify_run,
};

const struct wp_family wp_rsa_pss_verify_family = {
    "rsassa_pss_verify_schema_v1.json", "RsassaPssVerify", 0,
    rsa_pss_setup, rsa_pss_verify_run,
};

const struct wp_family wp_rsa_pss_params_verify_family = {
    "rsassa_pss_with_parameters_verify_schema.json",
    "RsassaPssWithParametersVerify", 0,
    rsa_pss_setup, rsa_pss_verify_run,
};

const struct wp_family wp_rsa_pkcs1_sign_family = {
    "rsassa_pkcs1_generate_schema_v1.json", "RsassaPkcs1Generate", 1,
    rsa_sign_setup, rsa_pkcs1_sign_run,
};
