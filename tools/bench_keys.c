/*
 * Keys for the benchmark.  Device keys are generated in the coprocessor
 * (key generation fetched with the property query provider=ibm4767),
 * default keys by the default provider, so the two sides compare the same
 * kind of key.  The AES device key is a token from the coprocessor's key
 * generate verb, used through the provider's ibm4767-key-token parameter.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <ibm4767/cca.h>

#include "bench.h"

/* The provider's key generation parameter that sets what a key may do
 * (doc/ibm4767.7).  The value "both" lets RSA keys sign and decrypt, and
 * EC keys sign and derive. */
#define USAGE_PARAM "ibm4767-usage"

static const char *const side_propq[BENCH_SIDES] = {
    [BENCH_DEVICE] = "provider=ibm4767",
    [BENCH_DEFAULT] = "provider=default",
};

static const char *const side_name[BENCH_SIDES] = {
    [BENCH_DEVICE] = "device",
    [BENCH_DEFAULT] = "default provider",
};

void bench_print_errors(const char *message)
{
    unsigned long e;
    char buf[256];

    fprintf(stderr, BENCH_PROGRAM ": %s\n", message);
    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        fprintf(stderr, "  %s\n", buf);
    }
}

/* An RSA key of bits or an EC key on group, generated on side. */
static EVP_PKEY *generate(enum bench_side side, const char *type,
                          unsigned bits, const char *group)
{
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM params[3];
    size_t n = 0;
    size_t key_bits = bits;
    char message[160];

    ctx = EVP_PKEY_CTX_new_from_name(NULL, type, side_propq[side]);
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0)
        goto err;
    if (group != NULL)
        params[n++] = OSSL_PARAM_construct_utf8_string(
            OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
    else
        params[n++] = OSSL_PARAM_construct_size_t(OSSL_PKEY_PARAM_RSA_BITS,
                                                  &key_bits);
    if (side == BENCH_DEVICE)
        params[n++] = OSSL_PARAM_construct_utf8_string(USAGE_PARAM,
                                                       (char *)"both", 0);
    params[n] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_CTX_set_params(ctx, params) <= 0 ||
        EVP_PKEY_generate(ctx, &pkey) <= 0)
        goto err;
    EVP_PKEY_CTX_free(ctx);
    return pkey;

err:
    if (group != NULL)
        snprintf(message, sizeof(message), "generating an EC %s key on the %s "
                 "failed", group, side_name[side]);
    else
        snprintf(message, sizeof(message), "generating an RSA-%u key on the %s "
                 "failed", bits, side_name[side]);
    bench_print_errors(message);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    return NULL;
}

/* An AES-256 token from the first usable device, through the backend. */
static int generate_aes_token(struct bench_keys *keys)
{
    struct cca_config cfg;
    struct cca_backend *be = NULL;
    struct cca_result res;
    char err[256], text[1024];
    int ret = 0;

    cca_config_defaults(&cfg);
    if (!cca_config_apply_env(&cfg, err, sizeof(err))) {
        fprintf(stderr, BENCH_PROGRAM ": %s\n", err);
        return 0;
    }
    be = cca_backend_new(&cfg);
    if (be == NULL) {
        fprintf(stderr, BENCH_PROGRAM ": cannot set up the device list "
                "'%s'\n", cfg.devices);
        return 0;
    }
    if (!cca_symmetric_key_generate(be, CCA_SYM_ALG_AES, 256,
                                    CCA_SYM_USAGE_ENCRYPT |
                                        CCA_SYM_USAGE_DECRYPT,
                                    0, &keys->aes_token,
                                    &keys->aes_token_len, &res)) {
        fprintf(stderr, BENCH_PROGRAM ": generating an AES-256 key in the "
                "device failed: %s\n", cca_result_text(&res, text,
                                                       sizeof(text)));
        goto err;
    }
    ret = 1;

err:
    cca_backend_free(be);
    return ret;
}

static EVP_PKEY *generate_key(enum bench_side side, enum bench_key_id id)
{
    switch (id) {
    case BENCH_KEY_RSA2048:
        return generate(side, "RSA", 2048, NULL);
    case BENCH_KEY_RSA3072:
        return generate(side, "RSA", 3072, NULL);
    case BENCH_KEY_RSA4096:
        return generate(side, "RSA", 4096, NULL);
    case BENCH_KEY_P256:
        return generate(side, "EC", 0, "P-256");
    case BENCH_KEY_P384:
        return generate(side, "EC", 0, "P-384");
    default:
        return NULL;
    }
}

static int prepare_aes(struct bench_keys *keys, enum bench_side side)
{
    if (side == BENCH_DEVICE)
        return keys->aes_token != NULL || generate_aes_token(keys);
    if (RAND_bytes(keys->aes_clear, sizeof(keys->aes_clear)) != 1) {
        bench_print_errors("generating a clear AES key failed");
        return 0;
    }
    return 1;
}

int bench_keys_prepare(struct bench_keys *keys, const struct bench_op *op,
                       enum bench_side side)
{
    if (op->key == BENCH_KEY_AES256)
        return prepare_aes(keys, side);
    /* Label reads have no counterpart in the default provider. */
    if (op->kind == BENCH_LABEL_READ) {
        if (side == BENCH_DEFAULT)
            return 0;
        if (keys->labels == NULL)
            keys->labels = bench_labels_new();
        return keys->labels != NULL;
    }

    if (keys->pkey[side][op->key] == NULL) {
        keys->pkey[side][op->key] = generate_key(side, op->key);
        if (keys->pkey[side][op->key] == NULL)
            return 0;
    }
    if (op->kind == BENCH_DERIVE && keys->peer_p256 == NULL) {
        keys->peer_p256 = generate(BENCH_DEFAULT, "EC", 0, "P-256");
        if (keys->peer_p256 == NULL)
            return 0;
    }
    if ((op->kind == BENCH_TLS || op->kind == BENCH_TLS_ASYNC) &&
        bench_keys_tls_cert(keys, side) == NULL)
        return 0;
    return 1;
}

/* A one-day self-signed certificate for pkey, signed by pkey itself (so
 * the device signs its own certificate on the device side). */
static X509 *self_signed(EVP_PKEY *pkey)
{
    X509 *x = X509_new();
    X509_NAME *name;

    if (x == NULL || !X509_set_version(x, 2) ||
        !ASN1_INTEGER_set(X509_get_serialNumber(x), 1) ||
        X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(x), 24L * 3600L) == NULL)
        goto err;
    name = X509_get_subject_name(x);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)BENCH_PROGRAM, -1,
                                    -1, 0) ||
        !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, pkey) ||
        X509_sign(x, pkey, EVP_sha256()) <= 0)
        goto err;
    return x;

err:
    X509_free(x);
    return NULL;
}

void *bench_keys_tls_cert(struct bench_keys *keys, enum bench_side side)
{
    EVP_PKEY *pkey;
    char message[128];

    if (keys->tls_cert[side] != NULL)
        return keys->tls_cert[side];
    if (keys->pkey[side][BENCH_KEY_RSA2048] == NULL) {
        keys->pkey[side][BENCH_KEY_RSA2048] =
            generate_key(side, BENCH_KEY_RSA2048);
        if (keys->pkey[side][BENCH_KEY_RSA2048] == NULL)
            return NULL;
    }
    pkey = keys->pkey[side][BENCH_KEY_RSA2048];
    keys->tls_cert[side] = self_signed(pkey);
    if (keys->tls_cert[side] == NULL) {
        snprintf(message, sizeof(message), "making a TLS server certificate for "
                 "the %s's RSA-2048 key failed", side_name[side]);
        bench_print_errors(message);
    }
    return keys->tls_cert[side];
}

void bench_keys_free(struct bench_keys *keys)
{
    for (int s = 0; s < BENCH_SIDES; s++) {
        for (int k = 0; k < BENCH_KEYS; k++)
            EVP_PKEY_free(keys->pkey[s][k]);
        X509_free(keys->tls_cert[s]);
    }
    EVP_PKEY_free(keys->peer_p256);
    bench_labels_free(keys->labels);
    /* The token is wrapped under the master key, but cleansing it costs
     * nothing. */
    OPENSSL_clear_free(keys->aes_token, keys->aes_token_len);
    OPENSSL_cleanse(keys->aes_clear, sizeof(keys->aes_clear));
    memset(keys, 0, sizeof(*keys));
}
