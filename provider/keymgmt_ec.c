/*
 * EC key management (EC, id-ecPublicKey) for keys held by the IBM 4767:
 * P-256, P-384 and P-521.  Private keys are generated or imported in the
 * device and stay wrapped in their token.  Public keys from any provider
 * are imported as an external token built on the host, so that the device
 * can verify with them and use them as ECDH peers.  Only the public part
 * is ever exported.
 *
 * This file contains the key object's life cycle, generation, comparison
 * and the dispatch table.  keymgmt_ec_data.c contains import, export and
 * the key parameters.
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "ec_util.h"
#include "prov.h"

static OSSL_FUNC_keymgmt_new_fn ec_new;
static OSSL_FUNC_keymgmt_free_fn ec_free;
static OSSL_FUNC_keymgmt_dup_fn ec_dup;
static OSSL_FUNC_keymgmt_load_fn ec_load;
static OSSL_FUNC_keymgmt_gen_init_fn ec_gen_init;
static OSSL_FUNC_keymgmt_gen_set_params_fn ec_gen_set_params;
static OSSL_FUNC_keymgmt_gen_settable_params_fn ec_gen_settable_params;
static OSSL_FUNC_keymgmt_gen_fn ec_gen;
static OSSL_FUNC_keymgmt_gen_cleanup_fn ec_gen_cleanup;
static OSSL_FUNC_keymgmt_has_fn ec_has;
static OSSL_FUNC_keymgmt_match_fn ec_match;
static OSSL_FUNC_keymgmt_validate_fn ec_validate;
static OSSL_FUNC_keymgmt_query_operation_name_fn ec_query_operation_name;

struct ec_gen_ctx {
    struct ibm4767_provctx *provctx;
    const struct ibm4767_ec_curve *curve;    /* NULL until "group" is set */
    uint32_t usage;
    int point_compressed;
};

/* ---------------------------------------------------------------------
 * Key object life cycle
 */

static void *ec_new(void *provctx)
{
    return ibm4767_key_new(provctx, CCA_ALG_EC);
}

static void ec_free(void *keydata)
{
    ibm4767_key_free(keydata);
}

static void *ec_dup(const void *keydata_from, int selection)
{
    const struct ibm4767_key *from = keydata_from;
    const struct ibm4767_ec_curve *curve;
    struct ibm4767_key *key = NULL;
    struct ibm4767_key *ret = NULL;

    if (from == NULL)
        return NULL;

    /* Everything, or a public key that has no private part to drop. */
    if (from->token == NULL || !from->tok.has_private
        || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0)
        return ibm4767_key_dup(from);

    /* A public-only copy of a device private key gets an external token. */
    curve = ibm4767_ec_key_curve(from, "duplicate the EC public key");
    if (curve == NULL)
        return NULL;
    key = ibm4767_key_new(from->provctx, CCA_ALG_EC);
    if (key == NULL)
        goto err;
    key->point_compressed = from->point_compressed;
    if (!ibm4767_ec_key_set_public(key, curve, from->tok.q, from->tok.q_len))
        goto err;
    ret = key;
    key = NULL;

err:
    ibm4767_key_free(key);
    return ret;
}

/* Take over a key object that a decoder or the STORE loader built (see
 * ibm4767_key_from_reference in prov.h). */
static void *ec_load(const void *reference, size_t reference_sz)
{
    struct ibm4767_key *key;

    key = ibm4767_key_from_reference(reference, reference_sz, CCA_ALG_EC);
    if (key != NULL && ibm4767_ec_key_curve(key, "load the EC key") == NULL) {
        ibm4767_key_free(key);
        return NULL;
    }
    return key;
}

/* ---------------------------------------------------------------------
 * Generation in the device
 */

static void *ec_gen_init(void *provctx, int selection,
                         const OSSL_PARAM params[])
{
    struct ec_gen_ctx *gctx;

    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0) {
        IBM4767_RAISE(provctx, IBM4767_R_UNSUPPORTED,
                      "EC parameter generation alone is not supported: "
                      "generate a key pair in the device with the group set");
        return NULL;
    }

    gctx = OPENSSL_zalloc(sizeof(*gctx));
    if (gctx == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory starting EC key generation");
        return NULL;
    }
    gctx->provctx = provctx;
    gctx->usage = IBM4767_EC_USAGE_BOTH;

    if (!ec_gen_set_params(gctx, params)) {
        ec_gen_cleanup(gctx);
        return NULL;
    }
    return gctx;
}

static int ec_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
    struct ec_gen_ctx *gctx = genctx;
    const OSSL_PARAM *p;

    if (gctx == NULL)
        return 0;
    if (params == NULL)
        return 1;

    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
    if (p != NULL) {
        gctx->curve = ibm4767_ec_parse_group(gctx->provctx, p);
        if (gctx->curve == NULL)
            return 0;
    }

    p = OSSL_PARAM_locate_const(params, IBM4767_PKEY_PARAM_USAGE);
    if (!ibm4767_ec_parse_usage(gctx->provctx, p, &gctx->usage))
        return 0;

    p = OSSL_PARAM_locate_const(params,
                                OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT);
    if (!ibm4767_ec_parse_point_format(gctx->provctx, p,
                                       &gctx->point_compressed))
        return 0;

    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_EC_ENCODING);
    return ibm4767_ec_check_encoding(gctx->provctx, p);
}

static const OSSL_PARAM *ec_gen_settable_params(void *genctx, void *provctx)
{
    static const OSSL_PARAM settable[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
        OSSL_PARAM_utf8_string(IBM4767_PKEY_PARAM_USAGE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                               NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
        OSSL_PARAM_END
    };

    return settable;
}

static void *ec_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
    struct ec_gen_ctx *gctx = genctx;
    struct ibm4767_key *key = NULL;
    struct ibm4767_key *ret = NULL;
    struct cca_result res;
    uint8_t *token = NULL;
    size_t token_len = 0;

    if (gctx == NULL)
        return NULL;
    if (gctx->curve == NULL) {
        IBM4767_RAISE(gctx->provctx, IBM4767_R_INVALID_PARAMETER,
                      "EC key generation needs a group: set '%s' (for "
                      "openssl genpkey: -pkeyopt ec_paramgen_curve:P-256) to "
                      "one of %s", OSSL_PKEY_PARAM_GROUP_NAME,
                      ibm4767_ec_supported_curves());
        return NULL;
    }

    key = ibm4767_key_new(gctx->provctx, CCA_ALG_EC);
    if (key == NULL)
        goto err;

    if (!cca_pka_key_generate(gctx->provctx->backend, CCA_ALG_EC,
                              (uint32_t)gctx->curve->nid, NULL, 0,
                              gctx->usage, &token, &token_len, &res)) {
        char what[64];

        snprintf(what, sizeof(what), "EC %s key generation",
                 gctx->curve->nist_name);
        IBM4767_RAISE_CCA(gctx->provctx, &res, what);
        goto err;
    }
    if (!ibm4767_ec_key_store_token(key, gctx->curve, token, token_len))
        goto err;
    ibm4767_key_note_result(key, &res);
    key->point_compressed = gctx->point_compressed;

    ret = key;
    key = NULL;

err:
    OPENSSL_free(token);
    ibm4767_key_free(key);
    return ret;
}

static void ec_gen_cleanup(void *genctx)
{
    OPENSSL_free(genctx);
}

/* ---------------------------------------------------------------------
 * Queries
 */

static int ec_has(const void *keydata, int selection)
{
    return ibm4767_key_has(keydata, selection);
}

/*
 * Compare two keys of this key management.  libcrypto first imports a key
 * of another provider (a certificate's public key, say) into this one, so
 * that keys from any provider reach this function.  The public point
 * determines the private key, so a key pair matches when the points do.
 */
static int ec_match(const void *keydata1, const void *keydata2, int selection)
{
    const struct ibm4767_key *k1 = keydata1;
    const struct ibm4767_key *k2 = keydata2;

    if (k1 == NULL || k2 == NULL || k1->token == NULL || k2->token == NULL)
        return 0;

    if (k1->tok.curve_nid != k2->tok.curve_nid)
        return 0;

    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0) {
        if (k1->tok.q_len != k2->tok.q_len
            || CRYPTO_memcmp(k1->tok.q, k2->tok.q, k1->tok.q_len) != 0)
            return 0;
    }
    return 1;
}

/* NOTE: a private key is not checked against its public key here: that
 * needs a signature in the device, and the device checked the pair when it
 * generated or imported the key. */
static int ec_validate(const void *keydata, int selection, int checktype)
{
    const struct ibm4767_key *key = keydata;
    const struct ibm4767_ec_curve *curve;
    uint8_t point[IBM4767_EC_MAX_POINT_LEN];
    size_t point_len = 0;

    curve = ibm4767_ec_key_curve(key, "validate the EC key");
    if (curve == NULL)
        return 0;

    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0
        && !key->tok.has_private) {
        IBM4767_RAISE(key->provctx, IBM4767_R_NO_KEY,
                      "the %s key has no private part to validate",
                      curve->nist_name);
        return 0;
    }

    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0)
        return ibm4767_ec_point_reencode(key->provctx, curve, key->tok.q,
                                         key->tok.q_len, 0, point,
                                         sizeof(point), &point_len,
                                         "the key's public point");
    return 1;
}

static const char *ec_query_operation_name(int operation_id)
{
    switch (operation_id) {
    case OSSL_OP_SIGNATURE:
        return "ECDSA";
    case OSSL_OP_KEYEXCH:
        return "ECDH";
    default:
        return NULL;
    }
}

const OSSL_DISPATCH ibm4767_ec_keymgmt_functions[] = {
    { OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))ec_new },
    { OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))ec_free },
    { OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))ec_dup },
    { OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))ec_load },
    { OSSL_FUNC_KEYMGMT_GEN_INIT, (void (*)(void))ec_gen_init },
    { OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, (void (*)(void))ec_gen_set_params },
    { OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS,
      (void (*)(void))ec_gen_settable_params },
    { OSSL_FUNC_KEYMGMT_GEN, (void (*)(void))ec_gen },
    { OSSL_FUNC_KEYMGMT_GEN_CLEANUP, (void (*)(void))ec_gen_cleanup },
    { OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))ec_has },
    { OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))ec_match },
    { OSSL_FUNC_KEYMGMT_VALIDATE, (void (*)(void))ec_validate },
    { OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))ibm4767_ec_import },
    { OSSL_FUNC_KEYMGMT_IMPORT_TYPES,
      (void (*)(void))ibm4767_ec_import_types },
    { OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))ibm4767_ec_export },
    { OSSL_FUNC_KEYMGMT_EXPORT_TYPES,
      (void (*)(void))ibm4767_ec_export_types },
    { OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))ibm4767_ec_get_params },
    { OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS,
      (void (*)(void))ibm4767_ec_gettable_params },
    { OSSL_FUNC_KEYMGMT_SET_PARAMS, (void (*)(void))ibm4767_ec_set_params },
    { OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS,
      (void (*)(void))ibm4767_ec_settable_params },
    { OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME,
      (void (*)(void))ec_query_operation_name },
    { 0, NULL }
};
