/*
 * RSA and RSA-PSS key management: keys generated in the coprocessor or
 * imported into it, held as CCA key tokens.  Only the public part (n, e)
 * ever leaves the provider; a request for the private part fails.
 *
 * Both tables share these functions; key->is_pss selects what differs.
 * An RSA-PSS key signs with RSASSA-PSS only, and its token's RSA-PSS
 * section records any restriction of digest, MGF1 digest and minimum
 * salt length, which the coprocessor enforces when it signs.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "keymgmt_rsa.h"
#include "prov.h"
#include "rsa_pss.h"

/* Modulus sizes accepted for generation in the device. */
#define RSA_GEN_MIN_BITS     2048u
#define RSA_GEN_MAX_BITS     4096u
#define RSA_GEN_DEFAULT_BITS 2048u

static OSSL_FUNC_keymgmt_new_fn rsa_newdata;
static OSSL_FUNC_keymgmt_free_fn rsa_freedata;
static OSSL_FUNC_keymgmt_gen_init_fn rsa_gen_init;
static OSSL_FUNC_keymgmt_gen_set_params_fn rsa_gen_set_params;
static OSSL_FUNC_keymgmt_gen_settable_params_fn rsa_gen_settable_params;
static OSSL_FUNC_keymgmt_gen_fn rsa_gen;
static OSSL_FUNC_keymgmt_gen_cleanup_fn rsa_gen_cleanup;
static OSSL_FUNC_keymgmt_load_fn rsa_load;
static OSSL_FUNC_keymgmt_get_params_fn rsa_get_params;
static OSSL_FUNC_keymgmt_gettable_params_fn rsa_gettable_params;
static OSSL_FUNC_keymgmt_set_params_fn rsa_set_params;
static OSSL_FUNC_keymgmt_settable_params_fn rsa_settable_params;
static OSSL_FUNC_keymgmt_has_fn rsa_has;
static OSSL_FUNC_keymgmt_match_fn rsa_match;
static OSSL_FUNC_keymgmt_validate_fn rsa_validate;
static OSSL_FUNC_keymgmt_dup_fn rsa_dup;
static OSSL_FUNC_keymgmt_new_fn rsapss_newdata;
static OSSL_FUNC_keymgmt_gen_init_fn rsapss_gen_init;
static OSSL_FUNC_keymgmt_gen_settable_params_fn rsapss_gen_settable_params;
static OSSL_FUNC_keymgmt_load_fn rsapss_load;
static OSSL_FUNC_keymgmt_gettable_params_fn rsapss_gettable_params;
static OSSL_FUNC_keymgmt_query_operation_name_fn rsapss_query_operation_name;

struct rsa_gen_ctx {
    struct ibm4767_provctx *provctx;
    uint32_t bits;
    uint8_t e[8];            /* public exponent, big-endian */
    size_t e_len;            /* 0: the device's default, 65537 */
    uint32_t usage;          /* CCA_USAGE_* */
    int is_pss;              /* generate an RSA-PSS key */
    struct cca_rsa_pss pss;  /* its restrictions */
};

int ibm4767_rsa_parse_usage(struct ibm4767_provctx *ctx,
                            const OSSL_PARAM *p, uint32_t *usage)
{
    const char *s = NULL;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &s)) {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                      IBM4767_PKEY_PARAM_USAGE " must be a string");
        return 0;
    }
    if (strcmp(s, "sign") == 0) {
        *usage = CCA_USAGE_SIGNATURE;
    } else if (strcmp(s, "keymgmt") == 0) {
        *usage = CCA_USAGE_KEY_MGMT;
    } else if (strcmp(s, "both") == 0) {
        *usage = RSA_USAGE_BOTH;
    } else {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                      IBM4767_PKEY_PARAM_USAGE " \"%s\" is invalid for RSA; "
                      "use sign, keymgmt or both", s);
        return 0;
    }
    return 1;
}

static void *rsa_newdata(void *provctx)
{
    return ibm4767_key_new(provctx, CCA_ALG_RSA);
}

static void *rsapss_newdata(void *provctx)
{
    struct ibm4767_key *key = ibm4767_key_new(provctx, CCA_ALG_RSA);

    if (key != NULL)
        key->is_pss = 1;
    return key;
}

int ibm4767_rsapss_check_usage(struct ibm4767_provctx *ctx, uint32_t usage)
{
    if ((usage & CCA_USAGE_KEY_MGMT) == 0)
        return 1;
    IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                  "an RSA-PSS key only signs, so " IBM4767_PKEY_PARAM_USAGE
                  " must be sign; use an RSA key for decryption");
    return 0;
}

static void rsa_freedata(void *keydata)
{
    ibm4767_key_free(keydata);
}

static int rsa_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
    struct rsa_gen_ctx *gctx = genctx;
    const OSSL_PARAM *p;
    BIGNUM *e = NULL;
    size_t value;
    int ret = 0;

    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_BITS);
    if (p != NULL) {
        if (!OSSL_PARAM_get_size_t(p, &value)) {
            IBM4767_RAISE(gctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "RSA key size must be an integer number of bits");
            goto err;
        }
        if (value < RSA_GEN_MIN_BITS || value > RSA_GEN_MAX_BITS) {
            IBM4767_RAISE(gctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "RSA key size of %zu bits is invalid; the "
                          "coprocessor generates keys of %u to %u bits",
                          value, RSA_GEN_MIN_BITS, RSA_GEN_MAX_BITS);
            goto err;
        }
        gctx->bits = (uint32_t)value;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_PRIMES);
    if (p != NULL && (!OSSL_PARAM_get_size_t(p, &value) || value != 2)) {
        IBM4767_RAISE(gctx->provctx, IBM4767_R_UNSUPPORTED,
                      "the coprocessor generates two-prime RSA keys only");
        goto err;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_E);
    if (p != NULL) {
        if (!OSSL_PARAM_get_BN(p, &e) || !BN_is_odd(e) || BN_is_one(e)
            || BN_num_bytes(e) > (int)sizeof(gctx->e)) {
            IBM4767_RAISE(gctx->provctx, IBM4767_R_INVALID_PARAMETER,
                          "RSA public exponent is invalid; use an odd "
                          "value such as 3 or 65537");
            goto err;
        }
        gctx->e_len = (size_t)BN_bn2bin(e, gctx->e);
    }
    p = OSSL_PARAM_locate_const(params, IBM4767_PKEY_PARAM_USAGE);
    if (p != NULL
        && !ibm4767_rsa_parse_usage(gctx->provctx, p, &gctx->usage))
        goto err;
    if (gctx->is_pss
        && (!ibm4767_rsapss_check_usage(gctx->provctx, gctx->usage)
            || !ibm4767_rsa_pss_read_params(gctx->provctx, params,
                                            &gctx->pss)))
        goto err;
    ret = 1;

err:
    BN_free(e);
    return ret;
}

static const OSSL_PARAM *rsa_gen_settable_params(void *genctx,
                                                 void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_BITS, NULL),
        OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_PRIMES, NULL),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
        OSSL_PARAM_utf8_string(IBM4767_PKEY_PARAM_USAGE, NULL, 0),
        OSSL_PARAM_END,
    };

    return settable;
}

static const OSSL_PARAM *rsapss_gen_settable_params(void *genctx,
                                                    void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_BITS, NULL),
        OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_PRIMES, NULL),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
        OSSL_PARAM_utf8_string(IBM4767_PKEY_PARAM_USAGE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST_PROPS, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MASKGENFUNC, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, NULL),
        OSSL_PARAM_END,
    };

    return settable;
}

static void *gen_init(struct ibm4767_provctx *provctx,
                      const OSSL_PARAM params[], int is_pss)
{
    struct rsa_gen_ctx *gctx;

    gctx = OPENSSL_zalloc(sizeof(*gctx));
    if (gctx == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate an RSA key generation context");
        return NULL;
    }
    gctx->provctx = provctx;
    gctx->bits = RSA_GEN_DEFAULT_BITS;
    gctx->is_pss = is_pss;
    gctx->usage = is_pss ? CCA_USAGE_SIGNATURE : RSA_USAGE_BOTH;
    if (!rsa_gen_set_params(gctx, params)) {
        OPENSSL_free(gctx);
        return NULL;
    }
    return gctx;
}

static void *rsa_gen_init(void *provctx, int selection,
                          const OSSL_PARAM params[])
{
    return gen_init(provctx, params, 0);
}

static void *rsapss_gen_init(void *provctx, int selection,
                             const OSSL_PARAM params[])
{
    return gen_init(provctx, params, 1);
}

/* Ask the device for a key; an RSA-PSS key's token records its
 * restrictions. */
static int gen_token(const struct rsa_gen_ctx *gctx, uint8_t **token,
                     size_t *token_len, struct cca_result *res)
{
    const uint8_t *e = gctx->e_len > 0 ? gctx->e : NULL;

    if (!gctx->is_pss)
        return cca_pka_key_generate(gctx->provctx->backend, CCA_ALG_RSA,
                                    gctx->bits, e, gctx->e_len, gctx->usage,
                                    token, token_len, res);
    return cca_pka_rsa_pss_key_generate(gctx->provctx->backend, gctx->bits,
                                        e, gctx->e_len, gctx->usage,
                                        &gctx->pss, token, token_len, res);
}

static void *rsa_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
    struct rsa_gen_ctx *gctx = genctx;
    struct ibm4767_key *key = NULL;
    struct cca_result res;
    uint8_t *token = NULL;
    size_t token_len = 0;
    int ret = 0;

    key = ibm4767_key_new(gctx->provctx, CCA_ALG_RSA);
    if (key == NULL)
        goto err;
    key->is_pss = gctx->is_pss;
    if (gctx->is_pss
        && !ibm4767_rsa_pss_check_fit(gctx->provctx, &gctx->pss, gctx->bits))
        goto err;

    IBM4767_DEBUG("generating an %s-%u key, usage 0x%02x",
                  ibm4767_key_type_name(key), gctx->bits, gctx->usage);
    if (!gen_token(gctx, &token, &token_len, &res)) {
        IBM4767_RAISE_CCA(gctx->provctx, &res,
                          gctx->is_pss ? "RSA-PSS key generation"
                                       : "RSA key generation");
        goto err;
    }
    if (!ibm4767_key_set_token(key, token, token_len))
        goto err;
    ibm4767_key_note_result(key, &res);
    ret = 1;

err:
    OPENSSL_clear_free(token, token_len);
    if (!ret) {
        ibm4767_key_free(key);
        key = NULL;
    }
    return key;
}

static void rsa_gen_cleanup(void *genctx)
{
    OPENSSL_free(genctx);
}

/* Take over the referenced key, which must be an RSA-PSS key when is_pss
 * is set and an RSA key otherwise.  Decoders and the store loader name
 * the key type after the token, so a mismatch means that a caller
 * requested the other type. */
static void *load(const void *reference, size_t reference_sz, int is_pss)
{
    struct ibm4767_key *key;

    key = ibm4767_key_from_reference(reference, reference_sz, CCA_ALG_RSA);
    if (key == NULL || key->is_pss == is_pss)
        return key;
    IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                  "the key is an %s key, expected %s",
                  ibm4767_key_type_name(key), is_pss ? "RSA-PSS" : "RSA");
    ibm4767_key_free(key);
    return NULL;
}

static void *rsa_load(const void *reference, size_t reference_sz)
{
    return load(reference, reference_sz, 0);
}

static void *rsapss_load(const void *reference, size_t reference_sz)
{
    return load(reference, reference_sz, 1);
}

static int rsa_has(const void *keydata, int selection)
{
    return ibm4767_key_has(keydata, selection);
}

/* Compare two unsigned big-endian integers, ignoring leading zeros. */
static int be_equal(const uint8_t *a, size_t a_len, const uint8_t *b,
                    size_t b_len)
{
    while (a_len > 0 && *a == 0) {
        a++;
        a_len--;
    }
    while (b_len > 0 && *b == 0) {
        b++;
        b_len--;
    }
    return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

/*
 * The core calls match with two keys of this key management; keys of
 * other providers reach it after OpenSSL imported their public part.
 * A private key is checked through its public part, which the token binds
 * to the wrapped private key.
 */
static int rsa_match(const void *keydata1, const void *keydata2,
                     int selection)
{
    const struct ibm4767_key *k1 = keydata1, *k2 = keydata2;

    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0)
        return 1;
    if (k1->token == NULL || k2->token == NULL)
        return 0;
    return be_equal(k1->tok.n, k1->tok.n_len, k2->tok.n, k2->tok.n_len)
           && be_equal(k1->tok.e, k1->tok.e_len, k2->tok.e, k2->tok.e_len);
}

static int rsa_validate(const void *keydata, int selection, int checktype)
{
    const struct ibm4767_key *key = keydata;

    if (!ibm4767_key_has(key, selection)) {
        IBM4767_RAISE(key != NULL ? key->provctx : NULL, IBM4767_R_NO_KEY,
                      "the key lacks the part the check asks for");
        return 0;
    }
    return 1;
}

static int set_bn_param(OSSL_PARAM params[], const char *name,
                        const uint8_t *p, size_t len)
{
    OSSL_PARAM *param = OSSL_PARAM_locate(params, name);
    BIGNUM *bn;
    int ok;

    if (param == NULL)
        return 1;
    bn = BN_bin2bn(p, (int)len, NULL);
    ok = bn != NULL && OSSL_PARAM_set_BN(param, bn);
    BN_free(bn);
    return ok;
}

static int rsa_fill_params(const struct ibm4767_key *key, OSSL_PARAM params[])
{
    int bits = (int)key->tok.bits;
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS);
    if (p != NULL && !OSSL_PARAM_set_int(p, bits))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS);
    if (p != NULL && !OSSL_PARAM_set_int(p, BN_security_bits(bits, -1)))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE);
    if (p != NULL && !OSSL_PARAM_set_int(p, (bits + 7) / 8))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST);
    if (p != NULL && !OSSL_PARAM_set_utf8_string(p, "SHA256"))
        return 0;
    return set_bn_param(params, OSSL_PKEY_PARAM_RSA_N, key->tok.n,
                        key->tok.n_len)
           && set_bn_param(params, OSSL_PKEY_PARAM_RSA_E, key->tok.e,
                           key->tok.e_len);
}

static int rsa_get_params(void *keydata, OSSL_PARAM params[])
{
    struct ibm4767_key *key = keydata;

    if (key->token == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_NO_KEY,
                      "the RSA key object contains no key token");
        return 0;
    }
    if (!rsa_fill_params(key, params)
        || (key->is_pss
            && !ibm4767_rsa_pss_fill_params(&key->tok.pss, params))) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_PARAMETER,
                      "cannot return the requested RSA key parameters; "
                      "check their types and buffer sizes");
        return 0;
    }
    return 1;
}

static const OSSL_PARAM *rsa_gettable_params(void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
        OSSL_PARAM_END,
    };

    return gettable;
}

static const OSSL_PARAM *rsapss_gettable_params(void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_MANDATORY_DIGEST, NULL, 0),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
        OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MASKGENFUNC, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_int(OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, NULL),
        OSSL_PARAM_END,
    };

    return gettable;
}

/* An RSA key in a token has no settable parameters. */
static int rsa_set_params(void *keydata, const OSSL_PARAM params[])
{
    return 1;
}

static const OSSL_PARAM *rsa_settable_params(void *provctx)
{
    static const OSSL_PARAM settable[] = { OSSL_PARAM_END };

    return settable;
}

static void *rsa_dup(const void *keydata_from, int selection)
{
    return ibm4767_key_dup(keydata_from);
}

/* RSA-PSS keys sign with the RSA signature implementation, as OpenSSL's
 * own RSA-PSS keys do. */
static const char *rsapss_query_operation_name(int operation_id)
{
    return "RSA";
}

const OSSL_DISPATCH ibm4767_rsa_keymgmt_functions[] = {
    { OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))rsa_newdata },
    { OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))rsa_freedata },
    { OSSL_FUNC_KEYMGMT_GEN_INIT, (void (*)(void))rsa_gen_init },
    { OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, (void (*)(void))rsa_gen_set_params },
    { OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS,
      (void (*)(void))rsa_gen_settable_params },
    { OSSL_FUNC_KEYMGMT_GEN, (void (*)(void))rsa_gen },
    { OSSL_FUNC_KEYMGMT_GEN_CLEANUP, (void (*)(void))rsa_gen_cleanup },
    { OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))rsa_load },
    { OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))rsa_get_params },
    { OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS,
      (void (*)(void))rsa_gettable_params },
    { OSSL_FUNC_KEYMGMT_SET_PARAMS, (void (*)(void))rsa_set_params },
    { OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS,
      (void (*)(void))rsa_settable_params },
    { OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))rsa_has },
    { OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))rsa_match },
    { OSSL_FUNC_KEYMGMT_VALIDATE, (void (*)(void))rsa_validate },
    { OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))ibm4767_rsa_import },
    { OSSL_FUNC_KEYMGMT_IMPORT_TYPES,
      (void (*)(void))ibm4767_rsa_import_types },
    { OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))ibm4767_rsa_export },
    { OSSL_FUNC_KEYMGMT_EXPORT_TYPES,
      (void (*)(void))ibm4767_rsa_export_types },
    { OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))rsa_dup },
    { 0, NULL },
};

const OSSL_DISPATCH ibm4767_rsapss_keymgmt_functions[] = {
    { OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))rsapss_newdata },
    { OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))rsa_freedata },
    { OSSL_FUNC_KEYMGMT_GEN_INIT, (void (*)(void))rsapss_gen_init },
    { OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, (void (*)(void))rsa_gen_set_params },
    { OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS,
      (void (*)(void))rsapss_gen_settable_params },
    { OSSL_FUNC_KEYMGMT_GEN, (void (*)(void))rsa_gen },
    { OSSL_FUNC_KEYMGMT_GEN_CLEANUP, (void (*)(void))rsa_gen_cleanup },
    { OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))rsapss_load },
    { OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))rsa_get_params },
    { OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS,
      (void (*)(void))rsapss_gettable_params },
    { OSSL_FUNC_KEYMGMT_SET_PARAMS, (void (*)(void))rsa_set_params },
    { OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS,
      (void (*)(void))rsa_settable_params },
    { OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))rsa_has },
    { OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))rsa_match },
    { OSSL_FUNC_KEYMGMT_VALIDATE, (void (*)(void))rsa_validate },
    { OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))ibm4767_rsa_import },
    { OSSL_FUNC_KEYMGMT_IMPORT_TYPES,
      (void (*)(void))ibm4767_rsapss_import_types },
    { OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))ibm4767_rsa_export },
    { OSSL_FUNC_KEYMGMT_EXPORT_TYPES,
      (void (*)(void))ibm4767_rsapss_export_types },
    { OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))rsa_dup },
    { OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
      (void (*)(void))rsapss_query_operation_name },
    { 0, NULL },
};
