/*
 * RSA and RSA-PSS key management, second part: import of public and
 * private keys and export of the public part, with their parameter
 * tables (keymgmt_rsa.c has the rest and the dispatch tables).
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

/* Read an integer parameter into *bn; a missing parameter leaves NULL. */
static int get_bn(const OSSL_PARAM params[], const char *name, BIGNUM **bn)
{
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, name);

    if (p == NULL)
        return 1;
    return OSSL_PARAM_get_BN(p, bn);
}

/* Build the external token of a public key; pss is NULL for an RSA key
 * and the restrictions of an RSA-PSS key. */
static int rsa_import_public(struct ibm4767_key *key, const BIGNUM *n,
                             const BIGNUM *e, const struct cca_rsa_pss *pss)
{
    uint8_t nb[CCA_TOKEN_MAX / 2], eb[16];
    uint8_t *token = NULL;
    size_t token_len, cap;
    int n_len, e_len, ret = 0;

    if (BN_num_bytes(n) > (int)sizeof(nb) || BN_num_bytes(e) > (int)sizeof(eb)
        || BN_is_zero(n) || BN_is_zero(e)) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "RSA public key of %d bits with a %d-bit exponent "
                      "does not fit in a CCA key token", BN_num_bits(n),
                      BN_num_bits(e));
        goto err;
    }
    n_len = BN_bn2bin(n, nb);
    e_len = BN_bn2bin(e, eb);
    token_len = cca_token_build_rsa_public(nb, (size_t)n_len, eb,
                                           (size_t)e_len, NULL, 0);
    if (token_len == 0) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "RSA public key of %d bits is out of range for a CCA "
                      "key token", BN_num_bits(n));
        goto err;
    }
    cap = pss != NULL ? cca_token_append_rsa_pss(NULL, token_len, 0, pss)
                      : token_len;
    token = cap > 0 ? OPENSSL_malloc(cap) : NULL;
    if (token == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate a public key token");
        goto err;
    }
    if (cca_token_build_rsa_public(nb, (size_t)n_len, eb, (size_t)e_len,
                                   token, token_len) != token_len
        || (pss != NULL
            && cca_token_append_rsa_pss(token, token_len, cap, pss)
                   != cap)) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "cannot build the public key token");
        goto err;
    }
    ret = ibm4767_key_set_token(key, token, cap);

err:
    OPENSSL_free(token);
    return ret;
}

/* The components of a private RSA key, in the order of the CCA key value
 * structure: n, e, d, p, q, dp, dq, u (= q^-1 mod p). */
#define RSA_KVS_FIELDS 8

static const char *const rsa_kvs_names[RSA_KVS_FIELDS] = {
    OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
    OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
    OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
    OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

static void put_u16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Build the CCA RSA key value structure from the components.  *kvs
 * contains key material; the caller frees it with OPENSSL_clear_free. */
static int rsa_build_kvs(struct ibm4767_key *key,
                         BIGNUM *const comp[RSA_KVS_FIELDS], uint8_t **kvs,
                         size_t *kvs_len)
{
    size_t total = CCA_RSA_KVS_HEADER_LEN, off, len;
    uint8_t *buf;
    int i;

    for (i = 0; i < RSA_KVS_FIELDS; i++)
        total += (size_t)BN_num_bytes(comp[i]);
    if (total > UINT16_MAX) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "RSA private key of %d bits is too large to import",
                      BN_num_bits(comp[0]));
        return 0;
    }
    buf = OPENSSL_zalloc(total);
    if (buf == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate the key value structure");
        return 0;
    }
    put_u16(buf, (size_t)BN_num_bits(comp[0]));
    off = CCA_RSA_KVS_HEADER_LEN;
    for (i = 0; i < RSA_KVS_FIELDS; i++) {
        len = (size_t)BN_bn2bin(comp[i], buf + off);
        put_u16(buf + 2 + 2 * i, len);
        off += len;
    }
    *kvs = buf;
    *kvs_len = total;
    return 1;
}

/* Have the device wrap the key; an RSA-PSS key's token records pss. */
static int import_token(struct ibm4767_key *key, uint32_t usage,
                        const struct cca_rsa_pss *pss, const uint8_t *kvs,
                        size_t kvs_len, uint8_t **token, size_t *token_len,
                        struct cca_result *res)
{
    struct cca_backend *be = key->provctx->backend;

    if (pss == NULL)
        return cca_pka_key_import(be, CCA_ALG_RSA, usage, kvs, kvs_len,
                                  token, token_len, res);
    return cca_pka_rsa_pss_key_import(be, usage, pss, kvs, kvs_len, token,
                                      token_len, res);
}

static int rsa_import_private(struct ibm4767_key *key,
                              const OSSL_PARAM params[],
                              const struct cca_rsa_pss *pss)
{
    BIGNUM *comp[RSA_KVS_FIELDS] = { NULL };
    const OSSL_PARAM *p;
    struct cca_result res;
    uint32_t usage = pss != NULL ? CCA_USAGE_SIGNATURE : RSA_USAGE_BOTH;
    uint8_t *kvs = NULL, *token = NULL;
    size_t kvs_len = 0, token_len = 0;
    int i, ret = 0;

    for (i = 0; i < RSA_KVS_FIELDS; i++) {
        if (!get_bn(params, rsa_kvs_names[i], &comp[i]) || comp[i] == NULL) {
            IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                          "RSA private key import needs n, e, d and the CRT "
                          "components p, q, dp, dq and qinv; %s is missing "
                          "or invalid", rsa_kvs_names[i]);
            goto err;
        }
    }
    p = OSSL_PARAM_locate_const(params, IBM4767_PKEY_PARAM_USAGE);
    if (p != NULL && !ibm4767_rsa_parse_usage(key->provctx, p, &usage))
        goto err;
    if (pss != NULL
        && (!ibm4767_rsapss_check_usage(key->provctx, usage)
            || !ibm4767_rsa_pss_check_fit(key->provctx, pss,
                                          (uint32_t)BN_num_bits(comp[0]))))
        goto err;
    if (!rsa_build_kvs(key, comp, &kvs, &kvs_len))
        goto err;

    if (!import_token(key, usage, pss, kvs, kvs_len, &token, &token_len,
                      &res)) {
        IBM4767_RAISE_CCA(key->provctx, &res,
                          pss != NULL ? "RSA-PSS private key import"
                                      : "RSA private key import");
        goto err;
    }
    if (!ibm4767_key_set_token(key, token, token_len))
        goto err;
    ibm4767_key_note_result(key, &res);
    ret = 1;

err:
    OPENSSL_clear_free(kvs, kvs_len);
    OPENSSL_clear_free(token, token_len);
    for (i = 0; i < RSA_KVS_FIELDS; i++)
        BN_clear_free(comp[i]);
    return ret;
}

/*
 * Import a public key (n, e), for which the host builds an external token,
 * or a private key, which the coprocessor wraps into an internal token.
 * A private import needs the CRT components, because CCA's key value
 * structure carries them.
 */
int ibm4767_rsa_import(void *keydata, int selection,
                       const OSSL_PARAM params[])
{
    struct ibm4767_key *key = keydata;
    struct cca_rsa_pss pss = { 0, 0, 0, 0 };
    const struct cca_rsa_pss *key_pss = NULL;
    BIGNUM *n = NULL, *e = NULL;
    int ret = 0;

    if (key == NULL)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0)
        return 1; /* RSA has no domain parameters */
    if (key->token != NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "the key object already holds a key token");
        return 0;
    }
    /* An RSA-PSS key without restriction parameters is unrestricted. */
    if (key->is_pss) {
        if (!ibm4767_rsa_pss_read_params(key->provctx, params, &pss))
            return 0;
        key_pss = &pss;
    }

    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0
        && OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_D) != NULL)
        return rsa_import_private(key, params, key_pss);

    if (!get_bn(params, OSSL_PKEY_PARAM_RSA_N, &n)
        || !get_bn(params, OSSL_PKEY_PARAM_RSA_E, &e) || n == NULL
        || e == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "RSA public key import needs n and e");
        goto err;
    }
    ret = rsa_import_public(key, n, e, key_pss);

err:
    BN_free(n);
    BN_free(e);
    return ret;
}

static const OSSL_PARAM rsa_public_types[] = {
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM rsa_keypair_types[] = {
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_D, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR1, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR2, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT1, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT2, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, NULL, 0),
    OSSL_PARAM_utf8_string(IBM4767_PKEY_PARAM_USAGE, NULL, 0),
    OSSL_PARAM_END,
};

const OSSL_PARAM *ibm4767_rsa_import_types(int selection)
{
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0)
        return rsa_keypair_types;
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0)
        return rsa_public_types;
    return NULL;
}

const OSSL_PARAM *ibm4767_rsa_export_types(int selection)
{
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0)
        return rsa_public_types;
    return NULL;
}

/* The restriction parameters, with the RSA-PSS key's public part. */
static const OSSL_PARAM rsapss_public_types[] = {
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST_PROPS, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MASKGENFUNC, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, NULL, 0),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, NULL),
    OSSL_PARAM_END,
};

static const OSSL_PARAM rsapss_keypair_types[] = {
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_D, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR1, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR2, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT1, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT2, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, NULL, 0),
    OSSL_PARAM_utf8_string(IBM4767_PKEY_PARAM_USAGE, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST_PROPS, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MASKGENFUNC, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, NULL, 0),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, NULL),
    OSSL_PARAM_END,
};

const OSSL_PARAM *ibm4767_rsapss_import_types(int selection)
{
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0)
        return rsapss_keypair_types;
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0)
        return rsapss_public_types;
    return NULL;
}

const OSSL_PARAM *ibm4767_rsapss_export_types(int selection)
{
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0)
        return rsapss_public_types;
    return NULL;
}

int ibm4767_rsa_export(void *keydata, int selection, OSSL_CALLBACK *cb,
                       void *cbarg)
{
    struct ibm4767_key *key = keydata;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    BIGNUM *n = NULL, *e = NULL;
    int ret = 0;

    if (key == NULL)
        return 0;
    if (key->token == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_NO_KEY,
                      "the RSA key object contains no key to export");
        return 0;
    }
    /* A public-only key exports what it has, as the default provider's
     * keys do; a key with a private part never exports it. */
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0
        && key->tok.has_private) {
        IBM4767_RAISE(key->provctx, IBM4767_R_NOT_EXPORTABLE,
                      "the private part of a %u-bit RSA key held in the "
                      "coprocessor is not exportable; export the public key "
                      "only (for example openssl pkey -pubout)",
                      key->tok.bits);
        return 0;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) == 0)
        return 1; /* nothing else to export */

    n = BN_bin2bn(key->tok.n, (int)key->tok.n_len, NULL);
    e = BN_bin2bn(key->tok.e, (int)key->tok.e_len, NULL);
    bld = OSSL_PARAM_BLD_new();
    if (n == NULL || e == NULL || bld == NULL
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n)
        || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)
        || (key->is_pss
            && !ibm4767_rsa_pss_push_params(&key->tok.pss, bld))
        || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot build the RSA public key parameters");
        goto err;
    }
    ret = cb(params, cbarg);

err:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return ret;
}
