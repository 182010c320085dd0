/*
 * Digital signature generate and verify (CSNDDSG, CSNDDSV).  Both send
 * the scheme, the digest, MGF1 and salt parameters, the key token and the
 * hash; verify adds the signature.
 */
#include <config.h>

#include <string.h>

#include "backend_int.h"
#include "ccaverbs.h"

static int put_sign_fields(struct ibm4767_wbuf *wb,
                           const struct cca_sig_params *p,
                           const uint8_t *token, size_t token_len,
                           const uint8_t *hash, size_t hash_len)
{
    /* Negative salt lengths (CCA_SALT_*) travel as their two's
     * complement. */
    ibm4767_put_u32(wb, p->scheme);
    ibm4767_put_u32(wb, (uint32_t)p->hash_nid);
    ibm4767_put_u32(wb, (uint32_t)p->mgf1_nid);
    ibm4767_put_u32(wb, (uint32_t)p->salt_len);
    ibm4767_put_bytes(wb, token, token_len);
    return ibm4767_put_bytes(wb, hash, hash_len);
}

static int check_sign_args(const struct cca_sig_params *p,
                           const uint8_t *token, size_t token_len,
                           const uint8_t *hash, size_t hash_len,
                           struct cca_result *res)
{
    if (p == NULL || token == NULL || token_len == 0 || hash == NULL ||
        hash_len == 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "signature verbs need parameters, a key token and "
                       "a hash");
        return 0;
    }
    return cca_check_pka_token(token, token_len, res);
}

int cca_digital_signature_generate(struct cca_backend *be,
                                   const struct cca_sig_params *p,
                                   const uint8_t *token, size_t token_len,
                                   const uint8_t *hash, size_t hash_len,
                                   uint8_t *sig, size_t *sig_len,
                                   struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    if (be != NULL && be->cca != NULL) {
        cca_result_init(res);
        return cca_lib_digital_signature_generate(be, p, token, token_len,
                                                  hash, hash_len, sig,
                                                  sig_len, res);
    }
    ibm4767_wbuf_init(&wb);
    cca_result_init(res);

    if (!check_sign_args(p, token, token_len, hash, hash_len, res))
        goto err;
    if (sig == NULL || sig_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "signature generate needs sig and sig_len outputs");
        goto err;
    }

    put_sign_fields(&wb, p, token, token_len, hash, hash_len);
    ret = cca_call_key_copy_bytes(be, IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE,
                                  token, token_len, &wb, sig, sig_len,
                                  "signature", res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_digital_signature_verify(struct cca_backend *be,
                                 const struct cca_sig_params *p,
                                 const uint8_t *token, size_t token_len,
                                 const uint8_t *hash, size_t hash_len,
                                 const uint8_t *sig, size_t sig_len,
                                 struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    struct cca_request req;
    int ret = 0;

    if (res == NULL)
        res = &local;
    if (be != NULL && be->cca != NULL) {
        cca_result_init(res);
        return cca_lib_digital_signature_verify(be, p, token, token_len,
                                                hash, hash_len, sig, sig_len,
                                                res);
    }
    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    cca_result_init(res);

    if (!check_sign_args(p, token, token_len, hash, hash_len, res))
        goto err;
    if (sig == NULL && sig_len > 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "signature verify got a NULL signature of %zu bytes",
                       sig_len);
        goto err;
    }

    put_sign_fields(&wb, p, token, token_len, hash, hash_len);
    ibm4767_put_bytes(&wb, sig, sig != NULL ? sig_len : 0);
    cca_request_init(&req, IBM4767_VERB_DIGITAL_SIGNATURE_VERIFY, 1, &wb);
    req.key_token = token;
    req.key_token_len = token_len;

    /* 4/429 (signature does not verify) returns 1 like a match; the
     * caller tells them apart by res->rc. */
    if (!cca_backend_call(be, &req, &reply, res))
        goto err;
    if (!cca_reply_finish(&reply, res))
        goto err;
    ret = 1;

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}
