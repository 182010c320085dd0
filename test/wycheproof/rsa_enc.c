/*
 * RSA decryption families: OAEP (label digest, MGF1 digest and label from
 * the vectors) and PKCS#1 v1.5.  The group's private key is imported once
 * per group; a valid case must return the vector's message, an invalid one
 * must fail.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "wycheproof.h"

static enum wp_setup rsa_oaep_setup(struct wp_group *g, char *what,
                                    size_t what_len)
{
    const char *mgf = wp_json_string(g->json, "mgf");

    g->md = wp_json_string(g->json, "sha");
    g->mgf1_md = wp_json_string(g->json, "mgfSha");
    if (g->md == NULL || g->mgf1_md == NULL) {
        snprintf(what, what_len, "group lacks \"sha\" or \"mgfSha\"");
        return WP_SETUP_ERROR;
    }
    if (mgf == NULL || strcmp(mgf, "MGF1") != 0) {
        snprintf(what, what_len, "mask generation function %s: only MGF1 is "
                 "defined for OAEP in OpenSSL", mgf != NULL ? mgf : "(none)");
        return WP_SETUP_SKIP;
    }
    return wp_setup_rsa_key(g, "privateKeyPkcs8", EVP_PKEY_KEYPAIR, what,
                            what_len);
}

static enum wp_setup rsa_pkcs1_decrypt_setup(struct wp_group *g, char *what,
                                             size_t what_len)
{
    return wp_setup_rsa_key(g, "privateKeyPkcs8", EVP_PKEY_KEYPAIR, what,
                            what_len);
}

static int set_oaep_params(const struct wp_group *g, EVP_PKEY_CTX *ctx,
                           const struct wp_bytes *label)
{
    unsigned char *label_copy;

    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx, g->md, NULL) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx, g->mgf1_md, NULL) <= 0)
        return 0;
    if (label->len == 0)
        return 1;

    /* The context takes ownership of the label on success only. */
    label_copy = OPENSSL_memdup(label->data, label->len);
    if (label_copy == NULL)
        return 0;
    if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label_copy,
                                         (int)label->len) <= 0) {
        OPENSSL_free(label_copy);
        return 0;
    }
    return 1;
}

#ifdef OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION
/* OpenSSL 3.2 and later return a pseudo-random message on a PKCS#1 v1.5
 * padding error by default, but the invalid cases need the error. */
static int set_explicit_rejection(EVP_PKEY_CTX *ctx)
{
    unsigned int implicit = 0;
    OSSL_PARAM params[2];

    params[0] = OSSL_PARAM_construct_uint(
        OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION, &implicit);
    params[1] = OSSL_PARAM_construct_end();
    return EVP_PKEY_CTX_set_params(ctx, params) > 0;
}
#else
/* OpenSSL before 3.2 always reports a PKCS#1 v1.5 padding error. */
static int set_explicit_rejection(EVP_PKEY_CTX *ctx)
{
    (void)ctx;
    return 1;
}
#endif

static int set_pkcs1_params(EVP_PKEY_CTX *ctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
           set_explicit_rejection(ctx);
}

static enum wp_outcome rsa_decrypt(struct wp_group *g, const json_t *test,
                                   int oaep, char *what, size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    struct wp_bytes ct = { NULL, 0 }, msg = { NULL, 0 }, label = { NULL, 0 };
    EVP_PKEY_CTX *ctx = NULL;
    unsigned char *out = NULL;
    size_t out_cap = 0, out_len;
    enum wp_outcome ret = WP_OUTCOME_ERROR;
    int params_ok;

    if (!wp_json_hex(test, "ct", &ct, what, what_len) ||
        !wp_json_hex(test, "msg", &msg, what, what_len) ||
        (oaep && !wp_json_hex(test, "label", &label, what, what_len)))
        goto err;

    ret = WP_OUTCOME_REJECTED;
    ctx = EVP_PKEY_CTX_new_from_pkey(r->libctx, g->key, r->op_propq);
    if (ctx == NULL || EVP_PKEY_decrypt_init(ctx) <= 0) {
        wp_take_errors(what, what_len, "EVP_PKEY_decrypt_init failed");
        goto err;
    }
    if (!wp_check_operation_provider(r, ctx, what, what_len)) {
        ret = WP_OUTCOME_ERROR;
        goto err;
    }
    params_ok = oaep ? set_oaep_params(g, ctx, &label) : set_pkcs1_params(ctx);
    if (!params_ok) {
        wp_take_errors(what, what_len, "setting the padding parameters failed");
        goto err;
    }
    if (EVP_PKEY_decrypt(ctx, NULL, &out_cap, ct.data, ct.len) <= 0) {
        wp_take_errors(what, what_len, "EVP_PKEY_decrypt (length query) failed");
        goto err;
    }
    out = OPENSSL_malloc(out_cap > 0 ? out_cap : 1);
    if (out == NULL) {
        snprintf(what, what_len, "out of memory");
        ret = WP_OUTCOME_ERROR;
        goto err;
    }
    out_len = out_cap;
    if (EVP_PKEY_decrypt(ctx, out, &out_len, ct.data, ct.len) <= 0) {
        wp_take_errors(what, what_len, "decryption failed");
        goto err;
    }

    if (out_len == msg.len && memcmp(out, msg.data, out_len) == 0) {
        ret = WP_OUTCOME_SUCCESS;
    } else {
        wp_describe_mismatch(what, what_len, out, out_len, &msg);
        ret = WP_OUTCOME_MISMATCH;
    }

err:
    OPENSSL_clear_free(out, out_cap);
    EVP_PKEY_CTX_free(ctx);
    wp_bytes_free(&ct);
    wp_bytes_free(&msg);
    wp_bytes_free(&label);
    return ret;
}

static enum wp_outcome rsa_oaep_decrypt_run(struct wp_group *g,
                                            const json_t *test, char *what,
                                            size_t what_len)
{
    return rsa_decrypt(g, test, 1, what, what_len);
}

static enum wp_outcome rsa_pkcs1_decrypt_run(struct wp_group *g,
                                             const json_t *test, char *what,
                                             size_t what_len)
{
    return rsa_decrypt(g, test, 0, what, what_len);
}

const struct wp_family wp_rsa_oaep_decrypt_family = {
    "rsaes_oaep_decrypt_schema_v1.json", "RsaesOaepDecrypt", 1,
    rsa_oaep_setup, rsa_oaep_decrypt_run,
};

const struct wp_family wp_rsa_pkcs1_decrypt_family = {
    "rsaes_pkcs1_decrypt_schema_v1.json", "RsaesPkcs1Decrypt", 1,
    rsa_pkcs1_decrypt_setup, rsa_pkcs1_decrypt_run,
};
