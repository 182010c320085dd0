/*
 * RSA keys: generation, import of a clear key value structure, and the
 * conversions between OpenSSL keys and tokens.  The wrapped part of an
 * RSA token is the private key's PKCS#1 RSAPrivateKey DER.
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "emud.h"

/* Sizes the device generates, and the range it imports. */
#define RSA_IMPORT_MIN_BITS 1024u
#define RSA_IMPORT_MAX_BITS 4096u
/* Public exponents up to 256 bits, as OpenSSL's key checks allow. */
#define RSA_E_MAX_LEN 32u

static const uint8_t default_e[] = { 0x01, 0x00, 0x01 };

/* Names of the eight components of the key value structure, in order. */
static const char *const kvs_names[8] = {
    "n", "e", "d", "p", "q", "dp", "dq", "u",
};
static const char *const kvs_params[8] = {
    OSSL_PKEY_PARAM_RSA_N,
    OSSL_PKEY_PARAM_RSA_E,
    OSSL_PKEY_PARAM_RSA_D,
    OSSL_PKEY_PARAM_RSA_FACTOR1,
    OSSL_PKEY_PARAM_RSA_FACTOR2,
    OSSL_PKEY_PARAM_RSA_EXPONENT1,
    OSSL_PKEY_PARAM_RSA_EXPONENT2,
    OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* Strip leading zero bytes; an odd value of at least 3 remains valid. */
static int check_exponent(const uint8_t **e, size_t *e_len)
{
    while (*e_len > 0 && (*e)[0] == 0) {
        (*e)++;
        (*e_len)--;
    }
    if (*e_len == 0 || *e_len > RSA_E_MAX_LEN || ((*e)[*e_len - 1] & 1) == 0)
        return 0;
    return *e_len > 1 || (*e)[0] >= 3;
}

static uint8_t *bn_to_bytes(const BIGNUM *bn, size_t *len)
{
    uint8_t *p;

    *len = (size_t)BN_num_bytes(bn);
    p = OPENSSL_malloc(*len > 0 ? *len : 1);
    if (p != NULL)
        BN_bn2bin(bn, p);
    return p;
}

/* Build and wrap the internal token for an RSA key pair.  The RSA-PSS
 * section of an RSA-PSS key goes in before the wrap, so that the tag
 * authenticates it. */
static int rsa_make_token(struct emu_device *dev, EVP_PKEY *pkey,
                          uint8_t usage, const struct cca_rsa_pss *pss,
                          uint8_t **token, size_t *token_len,
                          struct emu_result *res)
{
    int ret = 0;
    BIGNUM *n = NULL, *e = NULL;
    uint8_t *n_bytes = NULL, *e_bytes = NULL, *buf = NULL;
    unsigned char *der = NULL;
    size_t n_len = 0, e_len = 0, len = 0, total = 0;
    int der_len = -1;
    const uint8_t *mkvp = dev->state.mk[EMU_MK_APKA][CCA_MK_CURRENT].mkvp;

    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n)
        || !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e)
        || (n_bytes = bn_to_bytes(n, &n_len)) == NULL
        || (e_bytes = bn_to_bytes(e, &e_len)) == NULL
        || (der_len = i2d_PrivateKey(pkey, &der)) <= 0) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot encode the RSA key for its token");
        goto err;
    }

    len = cca_token_build_rsa_private(n_bytes, n_len, e_bytes, e_len, usage,
                                      mkvp, (size_t)der_len, NULL, 0);
    total = pss != NULL && len > 0
                ? cca_token_append_rsa_pss(NULL, len, 0, pss) : len;
    buf = total > 0 ? OPENSSL_malloc(total) : NULL;
    if (buf == NULL
        || cca_token_build_rsa_private(n_bytes, n_len, e_bytes, e_len, usage,
                                       mkvp, (size_t)der_len, buf, len) != len
        || (pss != NULL
            && cca_token_append_rsa_pss(buf, len, total, pss) != total)) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot build a token for an RSA%s key of %zu bytes",
                 pss != NULL ? "-PSS" : "", n_len);
        goto err;
    }
    if (!emu_wrap_token(dev, buf, total, der, (size_t)der_len, res))
        goto err;
    *token = buf;
    *token_len = total;
    buf = NULL;
    ret = 1;

err:
    OPENSSL_free(buf);
    if (der_len > 0)
        OPENSSL_clear_free(der, (size_t)der_len);
    OPENSSL_free(n_bytes);
    OPENSSL_free(e_bytes);
    BN_free(n);
    BN_free(e);
    return ret;
}

int emu_rsa_generate(struct emu_device *dev, uint32_t bits,
                     const uint8_t *e, size_t e_len, uint8_t usage,
                     const struct cca_rsa_pss *pss, uint8_t **token,
                     size_t *token_len, struct emu_result *res)
{
    int ret = 0;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    BIGNUM *e_bn = NULL;

    if (!cca_rsa_generate_bits_ok(bits))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                        "RSA modulus size %u is not supported: the device "
                        "generates " CCA_RSA_GENERATE_SIZES " bits", bits);
    if (e_len == 0) {
        e = default_e;
        e_len = sizeof(default_e);
    }
    if (!check_exponent(&e, &e_len))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "RSA public exponent must be odd, at least 3 and at "
                        "most %u bits", RSA_E_MAX_LEN * 8);

    ctx = EVP_PKEY_CTX_new_from_name(dev->libctx, "RSA", NULL);
    e_bn = BN_bin2bn(e, (int)e_len, NULL);
    if (ctx == NULL || e_bn == NULL || EVP_PKEY_keygen_init(ctx) <= 0
        || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) <= 0
        || EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e_bn) <= 0
        || EVP_PKEY_generate(ctx, &pkey) <= 0) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "RSA-%u key generation failed", bits);
        goto err;
    }
    ret = rsa_make_token(dev, pkey, usage, pss, token, token_len, res);

err:
    EVP_PKEY_free(pkey);
    BN_free(e_bn);
    EVP_PKEY_CTX_free(ctx);
    return ret;
}

/* Split a key value structure into its eight components.  Structural
 * problems are 8/4780; sizes and missing parts are decided later. */
static int kvs_split(const uint8_t *kvs, size_t kvs_len, uint32_t *bits,
                     const uint8_t *part[8], size_t part_len[8],
                     struct emu_result *res)
{
    size_t total = CCA_RSA_KVS_HEADER_LEN;
    const uint8_t *p;

    if (kvs_len < CCA_RSA_KVS_HEADER_LEN)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "RSA key value structure is %zu bytes, shorter than "
                        "its %u-byte header", kvs_len,
                        CCA_RSA_KVS_HEADER_LEN);
    *bits = get16(kvs);
    for (int i = 0; i < 8; i++) {
        part_len[i] = get16(kvs + 2 + 2 * i);
        total += part_len[i];
    }
    if (total != kvs_len)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "RSA key value structure: the component lengths add "
                        "up to %zu bytes, but it is %zu bytes", total,
                        kvs_len);

    p = kvs + CCA_RSA_KVS_HEADER_LEN;
    for (int i = 0; i < 8; i++) {
        part[i] = p;
        p += part_len[i];
    }
    return 1;
}

/* Build an OpenSSL key from the components; private ones go through
 * secure BIGNUMs so that the parameter block is cleansed when freed. */
static EVP_PKEY *kvs_to_pkey(struct emu_device *dev,
                             const uint8_t *const part[8],
                             const size_t part_len[8])
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    BIGNUM *bn[8] = { NULL };
    int ok = bld != NULL;

    for (int i = 0; ok && i < 8; i++) {
        bn[i] = i < 2 ? BN_new() : BN_secure_new();
        ok = bn[i] != NULL
             && BN_bin2bn(part[i], (int)part_len[i], bn[i]) != NULL
             && OSSL_PARAM_BLD_push_BN(bld, kvs_params[i], bn[i]);
    }
    if (ok)
        params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(dev->libctx, "RSA", NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
        pkey = NULL;

    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    for (int i = 0; i < 8; i++)
        BN_clear_free(bn[i]);
    return pkey;
}

/* Prime, modulus and CRT checks of OpenSSL's RSA key validation. */
static int pkey_is_consistent(struct emu_device *dev, EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(dev->libctx, pkey, NULL);
    int ok = ctx != NULL && EVP_PKEY_pairwise_check(ctx) == 1;

    EVP_PKEY_CTX_free(ctx);
    return ok;
}

int emu_rsa_import(struct emu_device *dev, uint8_t usage,
                   const struct cca_rsa_pss *pss, const uint8_t *kvs,
                   size_t kvs_len, uint8_t **token, size_t *token_len,
                   struct emu_result *res)
{
    int ret = 0;
    const uint8_t *part[8];
    size_t part_len[8];
    uint32_t bits = 0;
    const uint8_t *e;
    size_t e_len;
    EVP_PKEY *pkey = NULL;

    if (!kvs_split(kvs, kvs_len, &bits, part, part_len, res))
        return 0;
    for (int i = 0; i < 8; i++) {
        if (part_len[i] == 0)
            return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_VALUE_INVALID,
                            "RSA key value structure: component %s is "
                            "missing; the device imports CRT keys with all "
                            "of n, e, d, p, q, dp, dq, u", kvs_names[i]);
    }
    if (bits < RSA_IMPORT_MIN_BITS || bits > RSA_IMPORT_MAX_BITS)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                        "RSA modulus size %u is outside the %u..%u bits the "
                        "device imports", bits, RSA_IMPORT_MIN_BITS,
                        RSA_IMPORT_MAX_BITS);
    e = part[1];
    e_len = part_len[1];
    if (part_len[0] != (bits + 7) / 8 || part[0][0] == 0
        || !check_exponent(&e, &e_len))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_VALUE_INVALID,
                        "RSA key value structure: n is not a %u-bit value "
                        "or e is not an odd exponent of at least 3", bits);

    pkey = kvs_to_pkey(dev, part, part_len);
    if (pkey == NULL || EVP_PKEY_get_bits(pkey) != (int)bits
        || !pkey_is_consistent(dev, pkey)) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_VALUE_INVALID,
                 "RSA key components do not form a valid key: n must be "
                 "p*q of %u bits, with d, dp, dq and u derived from them",
                 bits);
        goto err;
    }
    ret = rsa_make_token(dev, pkey, usage, pss, token, token_len, res);

err:
    EVP_PKEY_free(pkey);
    return ret;
}

EVP_PKEY *emu_rsa_private_from_der(struct emu_device *dev,
                                   const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    EVP_PKEY *pkey = d2i_PrivateKey_ex(EVP_PKEY_RSA, NULL, &p, (long)len,
                                       dev->libctx, NULL);

    if (pkey != NULL && p != der + len) {
        EVP_PKEY_free(pkey);
        return NULL;
    }
    return pkey;
}

EVP_PKEY *emu_rsa_public_from_token(struct emu_device *dev,
                                    const struct cca_pka_token *tok)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    BIGNUM *n = BN_bin2bn(tok->n, (int)tok->n_len, NULL);
    BIGNUM *e = BN_bin2bn(tok->e, (int)tok->e_len, NULL);

    if (bld == NULL || n == NULL || e == NULL
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)
        || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
        goto err;
    ctx = EVP_PKEY_CTX_new_from_name(dev->libctx, "RSA", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;

err:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pkey;
}
