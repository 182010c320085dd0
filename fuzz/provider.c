/*
 * Set-up shared by the provider fuzz targets (fuzz_provider.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/provider.h>

#include <ibm4767/cca.h>
#include <ibm4767/keystore.h>
#include <ibm4767/symtoken.h>
#include <ibm4767/token.h>

#include "fuzz.h"
#include "fuzz_provider.h"

/* Any length works: the provider never looks inside the wrapped key. */
#define RSA_WRAPPED_LEN 1232u
#define EC_WRAPPED_LEN  32u

static const uint8_t fuzz_mkvp[CCA_MKVP_LEN] = {
    0x46, 0x55, 0x5A, 0x5A, 0x4D, 0x4B, 0x56, 0x50,
};

static uint8_t tokens[FUZZ_TOKEN_KINDS][CCA_TOKEN_MAX];
static size_t token_lens[FUZZ_TOKEN_KINDS];

static void die(const char *what)
{
    fprintf(stderr, "fuzz set-up failed: %s\n", what);
    ERR_print_errors_fp(stderr);
    abort();
}

/* Write the big-endian value of parameter name of pkey, without leading
 * zeros, into out; returns its length. */
static size_t get_bn(const EVP_PKEY *pkey, const char *name, uint8_t *out,
                     size_t cap)
{
    BIGNUM *bn = NULL;
    int len = 0;

    if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
        die("cannot read a parameter of a software key");
    if ((size_t)BN_num_bytes(bn) <= cap)
        len = BN_bn2bin(bn, out);
    BN_free(bn);
    if (len <= 0)
        die("a software key parameter does not fit");
    return (size_t)len;
}

static void build_rsa_tokens(OSSL_LIB_CTX *libctx)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(libctx, "provider=default", "RSA",
                                       (size_t)2048);
    uint8_t n[256], e[8];
    size_t n_len, e_len;
    uint8_t *out;

    if (pkey == NULL)
        die("cannot generate an RSA-2048 software key");
    n_len = get_bn(pkey, OSSL_PKEY_PARAM_RSA_N, n, sizeof(n));
    e_len = get_bn(pkey, OSSL_PKEY_PARAM_RSA_E, e, sizeof(e));
    EVP_PKEY_free(pkey);

    out = tokens[FUZZ_TOKEN_RSA_PRIVATE];
    token_lens[FUZZ_TOKEN_RSA_PRIVATE] = cca_token_build_rsa_private(
        n, n_len, e, e_len,
        CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT, fuzz_mkvp, RSA_WRAPPED_LEN,
        out, CCA_TOKEN_MAX);
    out = tokens[FUZZ_TOKEN_RSA_PUBLIC];
    token_lens[FUZZ_TOKEN_RSA_PUBLIC] = cca_token_build_rsa_public(
        n, n_len, e, e_len, out, CCA_TOKEN_MAX);
}

static void build_ec_tokens(OSSL_LIB_CTX *libctx)
{
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(libctx, "provider=default", "EC",
                                       "P-256");
    uint8_t q[65];
    size_t q_len = 0;
    uint8_t *out;

    if (pkey == NULL
        || !EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, q,
                                            sizeof(q), &q_len))
        die("cannot generate a P-256 software key");
    EVP_PKEY_free(pkey);

    out = tokens[FUZZ_TOKEN_EC_PRIVATE];
    token_lens[FUZZ_TOKEN_EC_PRIVATE] = cca_token_build_ec_private(
        NID_X9_62_prime256v1, q, q_len,
        CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_AGREEMENT,
        CCA_EC_SOURCE_GENERATED, fuzz_mkvp, EC_WRAPPED_LEN, out,
        CCA_TOKEN_MAX);
    out = tokens[FUZZ_TOKEN_EC_PUBLIC];
    token_lens[FUZZ_TOKEN_EC_PUBLIC] = cca_token_build_ec_public(
        NID_X9_62_prime256v1, q, q_len, out, CCA_TOKEN_MAX);
}

static void build_tokens(OSSL_LIB_CTX *libctx)
{
    build_rsa_tokens(libctx);
    build_ec_tokens(libctx);
    token_lens[FUZZ_TOKEN_AES] = cca_sym_token_build(
        128, CCA_SYMTOKEN_KUF1_ENCRYPT | CCA_SYMTOKEN_KUF1_DECRYPT,
        CCA_SYMTOKEN_MODE_ANY, fuzz_mkvp, tokens[FUZZ_TOKEN_AES],
        CCA_TOKEN_MAX);
    for (int i = 0; i < FUZZ_TOKEN_KINDS; i++) {
        if (token_lens[i] == 0)
            die("cannot build a key token on the host");
    }
}

const uint8_t *fuzz_token(enum fuzz_token_kind kind, size_t *len)
{
    *len = token_lens[kind];
    return tokens[kind];
}

static void add_record(struct cca_keystore *ks, const char *label,
                       uint32_t type, enum fuzz_token_kind kind)
{
    struct cca_result res;
    const uint8_t *token = NULL;
    size_t len = 0;

    if (type != CCA_KEY_TYPE_NULL)
        token = fuzz_token(kind, &len);
    if (!cca_key_record_create(ks, label, type, token, len, &res)) {
        fprintf(stderr, "fuzz set-up: %s\n", res.detail);
        die("cannot create a key storage record");
    }
}

static void fill_key_storage(const char *path)
{
    struct cca_keystore *ks = cca_keystore_new(path, CCA_KEYSTORE_CREATE);

    if (ks == NULL)
        die("cannot create key storage");
    add_record(ks, FUZZ_LABEL_RSA, CCA_KEY_TYPE_RSA, FUZZ_TOKEN_RSA_PRIVATE);
    add_record(ks, FUZZ_LABEL_EC, CCA_KEY_TYPE_EC, FUZZ_TOKEN_EC_PRIVATE);
    add_record(ks, FUZZ_LABEL_AES, CCA_KEY_TYPE_AES, FUZZ_TOKEN_AES);
    add_record(ks, FUZZ_LABEL_NULL, CCA_KEY_TYPE_NULL, FUZZ_TOKEN_KINDS);
    cca_keystore_free(ks);
}

/* Point the provider at files of the temporary directory only. */
static void set_environment(const char *dir)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/no-device.sock", dir);
    setenv("IBM4767_DEVICES", path, 1);
    setenv("IBM4767_READY_TIMEOUT", "0", 1);
    snprintf(path, sizeof(path), "%s/keys.db", dir);
    setenv(CCA_KEYSTORE_ENV, path, 1);
    fill_key_storage(path);
}

static const char *modules_dir(void)
{
    const char *dir = getenv("IBM4767_TEST_MODULES");

    return dir != NULL && dir[0] != '\0' ? dir : FUZZ_MODULES_DIR;
}

OSSL_LIB_CTX *fuzz_provider_start(void)
{
    OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();

    if (libctx == NULL)
        die("cannot create a library context");
    if (OSSL_PROVIDER_load(libctx, "default") == NULL)
        die("cannot load the default provider");
    build_tokens(libctx);
    set_environment(fuzz_temp_dir());

    if (!OSSL_PROVIDER_set_default_search_path(libctx, modules_dir())
        || OSSL_PROVIDER_load(libctx, "ibm4767") == NULL) {
        fprintf(stderr, "cannot load ibm4767.so from %s; build the module "
                "or set IBM4767_TEST_MODULES\n", modules_dir());
        die("cannot load the provider");
    }
    return libctx;
}

EVP_PKEY *fuzz_provider_key(OSSL_LIB_CTX *libctx, enum fuzz_token_kind kind)
{
    OSSL_DECODER_CTX *dctx;
    EVP_PKEY *pkey = NULL;
    const uint8_t *p;
    size_t len;

    p = fuzz_token(kind, &len);
    dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", NULL, NULL,
                                         OSSL_KEYMGMT_SELECT_ALL, libctx,
                                         FUZZ_PROPQ);
    if (dctx == NULL || !OSSL_DECODER_from_data(dctx, &p, &len))
        pkey = NULL;
    OSSL_DECODER_CTX_free(dctx);
    return pkey;
}
