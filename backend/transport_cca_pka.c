/*
 * PKA key verbs over the CCA host library: key generate (CSNDPKB builds a
 * skeleton, CSNDPKG fills it), clear key import (CSNDPKB builds an
 * external token with the clear key, CSNDPKI wraps it) and public key
 * extract (CSNDPKX).
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/token.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* CCA's key value structure for RSA: nine u16 fields, then the values.
 * Field 3 is the private exponent's length in the modulus-exponent form
 * only.  CRT keys leave it 0, so an imported key travels without d. */
#define RSA_KVS_FIELDS 9
#define RSA_KVS_D      3

/* Length of the transport key and importer identifiers (null tokens). */
#define CCA_KEY_ID_LEN 64

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static size_t get16(const uint8_t *p)
{
    return ((size_t)p[0] << 8) | p[1];
}

/* CSNDPKB usage keyword of CCA_USAGE_* bits.  NOTE: the keywords for an
 * EC key that only derives (KM-ONLY) or derives and signs (KEY-MGMT)
 * are unconfirmed for ECC-PAIR. */
static const char *usage_keyword(uint32_t usage)
{
    int sign = (usage & CCA_USAGE_SIGNATURE) != 0;
    int other = (usage & (CCA_USAGE_KEY_MGMT | CCA_USAGE_KEY_AGREEMENT)) != 0;

    if (sign && !other)
        return "SIG-ONLY";
    if (!sign && other)
        return "KM-ONLY";
    return "KEY-MGMT";
}

static int take_copy(const uint8_t *buf, long len, uint8_t **out,
                     size_t *out_len, struct cca_result *res)
{
    uint8_t *copy;

    if (len <= 0 || len > (long)CCA_TOKEN_MAX) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "CCA library returned a key token of %ld bytes", len);
        return 0;
    }
    copy = OPENSSL_memdup(buf, (size_t)len);
    if (copy == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a %ld-byte key token", len);
        return 0;
    }
    *out = copy;
    *out_len = (size_t)len;
    return 1;
}

/* CSNDPKB with the rule keywords in rule and the key value structure
 * kvs; the token goes to tok (CCA_TOKEN_MAX bytes), its length to
 * *tok_len. */
static int token_build(struct cca_backend *be, struct cca_device *dev,
                       struct cca_rule *rule, const uint8_t *kvs,
                       size_t kvs_len, uint8_t *tok, long *tok_len,
                       struct cca_result *res)
{
    long rc = 0, reason = 0, exit_len = 0, kvs_long = (long)kvs_len;
    long zero = 0;

    *tok_len = CCA_TOKEN_MAX;
    be->cca->CSNDPKB(&rc, &reason, &exit_len, NULL, &rule->count,
                     rule->keywords, &kvs_long, (unsigned char *)kvs, &zero,
                     NULL, &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                     &zero, NULL, tok_len, tok);
    return cca_lib_result(be, dev, res, "CSNDPKB", rc, reason);
}

/* The skeleton's key value structure: RSA modulus bits and exponent, or
 * the EC curve's field size. */
static int skeleton_kvs(uint32_t alg, uint32_t size, const uint8_t *e,
                        size_t e_len, uint8_t *kvs, size_t *kvs_len,
                        struct cca_result *res)
{
    static const uint8_t f4[] = { 0x01, 0x00, 0x01 };
    uint32_t bits;

    if (alg == CCA_ALG_RSA) {
        /* An exponent of length 0 makes CCA choose a random one, so 65537
         * is given explicitly. */
        if (e == NULL || e_len == 0) {
            e = f4;
            e_len = sizeof(f4);
        }
        if (e_len > 256) {
            cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                           "RSA public exponent of %zu bytes is too long",
                           e_len);
            return 0;
        }
        memset(kvs, 0, CCA_RSA_KVS_HEADER_LEN);
        put16(kvs, size);
        put16(kvs + 4, e_len);
        memcpy(kvs + CCA_RSA_KVS_HEADER_LEN, e, e_len);
        *kvs_len = CCA_RSA_KVS_HEADER_LEN + e_len;
        return 1;
    }

    bits = cca_curve_bits((int)size);
    if (alg != CCA_ALG_EC || bits == 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                       "key algorithm %u with size %u is not supported: use "
                       "RSA, or EC on P-256, P-384 or P-521", alg, size);
        return 0;
    }
    memset(kvs, 0, CCA_EC_KVS_HEADER_LEN);
    kvs[0] = CCA_EC_CURVE_PRIME;
    put16(kvs + 2, bits);
    *kvs_len = CCA_EC_KVS_HEADER_LEN;
    return 1;
}

int cca_lib_pka_key_generate(struct cca_backend *be, uint32_t alg,
                             uint32_t size, const uint8_t *e, size_t e_len,
                             uint32_t usage, uint8_t **token,
                             size_t *token_len, struct cca_result *res)
{
    uint8_t kvs[CCA_RSA_KVS_HEADER_LEN + 256];
    uint8_t *skeleton = NULL, *out = NULL;
    uint8_t transport_key[CCA_KEY_ID_LEN] = { 0 };
    struct cca_device *dev = NULL;
    struct cca_rule rule;
    long rc = 0, reason = 0, exit_len = 0, regen_len = 0;
    long skeleton_len, out_len = CCA_TOKEN_MAX;
    size_t kvs_len = 0;
    int ret = 0;

    if (token == NULL || token_len == NULL || (e == NULL && e_len > 0)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "key generate needs token and token_len outputs");
        goto err;
    }
    if (!skeleton_kvs(alg, size, e, e_len, kvs, &kvs_len, res))
        goto err;
    skeleton = OPENSSL_malloc(CCA_TOKEN_MAX);
    out = OPENSSL_malloc(CCA_TOKEN_MAX);
    if (skeleton == NULL || out == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for key token buffers");
        goto err;
    }

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    cca_rule_init(&rule);
    cca_rule_add(&rule, alg == CCA_ALG_RSA ? "RSA-AESC" : "ECC-PAIR");
    cca_rule_add(&rule, usage_keyword(usage));
    if (!token_build(be, dev, &rule, kvs, kvs_len, skeleton, &skeleton_len,
                     res))
        goto err;

    cca_rule_init(&rule);
    cca_rule_add(&rule, "MASTER");
    be->cca->CSNDPKG(&rc, &reason, &exit_len, NULL, &rule.count,
                     rule.keywords, &regen_len, NULL, &skeleton_len, skeleton,
                     transport_key, &out_len, out);
    if (!cca_lib_result(be, dev, res, "CSNDPKG", rc, reason))
        goto err;
    ret = take_copy(out, out_len, token, token_len, res);

err:
    cca_lib_end(be, dev);
    OPENSSL_free(skeleton);
    OPENSSL_free(out);
    return ret;
}

/*
 * CCA's RSA key value structure from the project's: the same fields,
 * with the private exponent dropped because a CRT token carries none.
 * *out is allocated; the caller cleanses it.
 */
static int rsa_kvs_for_cca(const uint8_t *kvs, size_t kvs_len, uint8_t **out,
                           size_t *out_len, struct cca_result *res)
{
    size_t lens[RSA_KVS_FIELDS], total = CCA_RSA_KVS_HEADER_LEN, d_off;
    uint8_t *copy;

    if (kvs_len < CCA_RSA_KVS_HEADER_LEN) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "RSA key value structure of %zu bytes is shorter "
                       "than its %u-byte header", kvs_len,
                       CCA_RSA_KVS_HEADER_LEN);
        return 0;
    }
    for (int i = 1; i < RSA_KVS_FIELDS; i++) {
        lens[i] = get16(kvs + 2 * i);
        total += lens[i];
    }
    if (total != kvs_len) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "RSA key value structure is %zu bytes, its fields "
                       "add up to %zu", kvs_len, total);
        return 0;
    }

    copy = OPENSSL_malloc(kvs_len);
    if (copy == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for the RSA key value structure");
        return 0;
    }
    /* Values follow the header in field order: n, e, d, p, ... */
    d_off = CCA_RSA_KVS_HEADER_LEN + lens[1] + lens[2];
    memcpy(copy, kvs, d_off);
    memcpy(copy + d_off, kvs + d_off + lens[RSA_KVS_D],
           kvs_len - d_off - lens[RSA_KVS_D]);
    put16(copy + 2 * RSA_KVS_D, 0);
    *out = copy;
    *out_len = kvs_len - lens[RSA_KVS_D];
    return 1;
}

int cca_lib_pka_key_import(struct cca_backend *be, uint32_t alg,
                           uint32_t usage, const uint8_t *kvs, size_t kvs_len,
                           uint8_t **token, size_t *token_len,
                           struct cca_result *res)
{
    uint8_t *cca_kvs = NULL, *clear = NULL, *out = NULL;
    uint8_t importer[CCA_KEY_ID_LEN] = { 0 };
    struct cca_device *dev = NULL;
    struct cca_rule rule;
    size_t cca_kvs_len = 0;
    long rc = 0, reason = 0, exit_len = 0, clear_len = 0;
    long out_len = CCA_TOKEN_MAX;
    int ret = 0;

    if (kvs == NULL || kvs_len == 0 || token == NULL || token_len == NULL
        || (alg != CCA_ALG_RSA && alg != CCA_ALG_EC)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "key import needs an RSA or EC key value structure "
                       "and token outputs");
        goto err;
    }
    if (alg == CCA_ALG_RSA) {
        if (!rsa_kvs_for_cca(kvs, kvs_len, &cca_kvs, &cca_kvs_len, res))
            goto err;
    } else {
        cca_kvs = OPENSSL_memdup(kvs, kvs_len);
        cca_kvs_len = kvs_len;
    }
    clear = OPENSSL_malloc(CCA_TOKEN_MAX);
    out = OPENSSL_malloc(CCA_TOKEN_MAX);
    if (cca_kvs == NULL || clear == NULL || out == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for key import buffers");
        goto err;
    }

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    cca_rule_init(&rule);
    cca_rule_add(&rule, alg == CCA_ALG_RSA ? "RSA-AESC" : "ECC-PAIR");
    cca_rule_add(&rule, usage_keyword(usage));
    if (!token_build(be, dev, &rule, cca_kvs, cca_kvs_len, clear, &clear_len,
                     res))
        goto err;

    cca_rule_init(&rule);
    if (alg == CCA_ALG_EC)
        cca_rule_add(&rule, "ECC");
    be->cca->CSNDPKI(&rc, &reason, &exit_len, NULL, &rule.count,
                     rule.keywords, &clear_len, clear, importer, &out_len,
                     out);
    if (!cca_lib_result(be, dev, res, "CSNDPKI", rc, reason))
        goto err;
    ret = take_copy(out, out_len, token, token_len, res);

err:
    cca_lib_end(be, dev);
    OPENSSL_clear_free(cca_kvs, cca_kvs_len);
    OPENSSL_clear_free(clear, CCA_TOKEN_MAX);
    OPENSSL_free(out);
    return ret;
}

int cca_lib_pka_public_key_extract(struct cca_backend *be,
                                   const uint8_t *token, size_t token_len,
                                   uint8_t **pub, size_t *pub_len,
                                   struct cca_result *res)
{
    uint8_t *out = NULL;
    struct cca_device *dev = NULL;
    long rc = 0, reason = 0, exit_len = 0, zero = 0;
    long in_len = (long)token_len, out_len = CCA_TOKEN_MAX;
    int ret = 0;

    if (token == NULL || token_len == 0 || token_len > CCA_TOKEN_MAX
        || pub == NULL || pub_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "public key extract needs a key token of 1 to %u "
                       "bytes and outputs", CCA_TOKEN_MAX);
        goto err;
    }
    out = OPENSSL_malloc(CCA_TOKEN_MAX);
    if (out == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a public key token");
        goto err;
    }

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    be->cca->CSNDPKX(&rc, &reason, &exit_len, NULL, &zero, NULL, &in_len,
                     (unsigned char *)token, &out_len, out);
    if (!cca_lib_result(be, dev, res, "CSNDPKX", rc, reason))
        goto err;
    ret = take_copy(out, out_len, pub, pub_len, res);

err:
    cca_lib_end(be, dev);
    OPENSSL_free(out);
    return ret;
}
