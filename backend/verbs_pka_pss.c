/*
 * Key generate (CSNDPKG) and key import (CSNDPKI) for RSA-PSS keys: the
 * requests of cca_pka_key_generate and cca_pka_key_import followed by the
 * four RSA-PSS fields of protocol.h, which make the device add the
 * RSA-PSS section to the token.
 *
 * IBM's CCA has no such token section, so over the cca transport these
 * verbs fail with 8/4773 rather than make a key the card would let sign
 * with any scheme.
 */
#include <config.h>

#include "backend_int.h"

/* Value of the first RSA-PSS field: the request is for an RSA-PSS key. */
#define PSS_FIELD_RSA_PSS 1u

static int check_pss_request(const struct cca_backend *be,
                             const struct cca_rsa_pss *pss, uint8_t **token,
                             size_t *token_len, struct cca_result *res)
{
    if (pss == NULL || token == NULL || token_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "an RSA-PSS key request needs its PSS parameters "
                       "and token outputs");
        return 0;
    }
    if (be != NULL && be->cca != NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                       "RSA-PSS keys need the emulator's RSA-PSS token "
                       "section, which IBM's CCA does not have; use the "
                       "socket transport or an RSA key");
        return 0;
    }
    return 1;
}

/* Append the RSA-PSS fields: RSA-PSS, then the digest NID, MGF1 digest
 * NID and minimum salt length, all 0 for an unrestricted key. */
static void put_pss_fields(struct ibm4767_wbuf *wb,
                           const struct cca_rsa_pss *pss)
{
    ibm4767_put_u32(wb, PSS_FIELD_RSA_PSS);
    ibm4767_put_u32(wb, pss->restricted ? (uint32_t)pss->hash_nid : 0);
    ibm4767_put_u32(wb, pss->restricted ? (uint32_t)pss->mgf1_nid : 0);
    ibm4767_put_u32(wb, pss->restricted ? pss->min_salt_len : 0);
}

int cca_pka_rsa_pss_key_generate(struct cca_backend *be, uint32_t bits,
                                 const uint8_t *e, size_t e_len,
                                 uint32_t usage,
                                 const struct cca_rsa_pss *pss,
                                 uint8_t **token, size_t *token_len,
                                 struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    ibm4767_wbuf_init(&wb);
    cca_result_init(res);

    if (!check_pss_request(be, pss, token, token_len, res))
        goto err;
    if (e == NULL && e_len > 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "public exponent length %zu given without the "
                       "exponent", e_len);
        goto err;
    }

    ibm4767_put_u32(&wb, CCA_ALG_RSA);
    ibm4767_put_u32(&wb, bits);
    ibm4767_put_bytes(&wb, e, e != NULL ? e_len : 0);
    ibm4767_put_u32(&wb, usage);
    put_pss_fields(&wb, pss);
    /* Not resendable: a lost reply may still have produced a key. */
    ret = cca_call_take_bytes(be, IBM4767_VERB_PKA_KEY_GENERATE, 0, &wb,
                              token, token_len, "key token", res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_pka_rsa_pss_key_import(struct cca_backend *be, uint32_t usage,
                               const struct cca_rsa_pss *pss,
                               const uint8_t *kvs, size_t kvs_len,
                               uint8_t **token, size_t *token_len,
                               struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    ibm4767_wbuf_init(&wb);
    cca_result_init(res);

    if (!check_pss_request(be, pss, token, token_len, res))
        goto err;
    if (kvs == NULL || kvs_len == 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "RSA-PSS key import needs a key value structure");
        goto err;
    }

    /* The payload contains the clear key; ibm4767_wbuf_free cleanses it. */
    ibm4767_put_u32(&wb, CCA_ALG_RSA);
    ibm4767_put_u32(&wb, usage);
    ibm4767_put_bytes(&wb, kvs, kvs_len);
    put_pss_fields(&wb, pss);
    ret = cca_call_take_bytes(be, IBM4767_VERB_PKA_KEY_IMPORT, 0, &wb,
                              token, token_len, "key token", res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}
