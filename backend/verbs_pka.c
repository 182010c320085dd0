/*
 * PKA verbs: key generate (CSNDPKG), key import (CSNDPKI), public key
 * extract (CSNDPKX), decrypt and encrypt (CSNDPKD, CSNDPKE) and EC
 * Diffie-Hellman (CSNDEDH).  Request fields follow protocol.h in order.
 */
#include <config.h>

#include <openssl/crypto.h>

#include "backend_int.h"
#include "ccaverbs.h"

int cca_check_pka_token(const uint8_t *token, size_t token_len,
                        struct cca_result *res)
{
    if (token == NULL || token_len == 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "no key token given");
        return 0;
    }
    if (token_len > CCA_TOKEN_MAX) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "key token is %zu bytes, over the %u-byte limit of "
                       "PKA tokens", token_len, CCA_TOKEN_MAX);
        return 0;
    }
    return 1;
}

int cca_pka_key_generate(struct cca_backend *be, uint32_t alg, uint32_t size,
                         const uint8_t *e, size_t e_len, uint32_t usage,
                         uint8_t **token, size_t *token_len,
                         struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    if (be != NULL && be->cca != NULL) {
        cca_result_init(res);
        return cca_lib_pka_key_generate(be, alg, size, e, e_len, usage, token,
                                        token_len, res);
    }
    ibm4767_wbuf_init(&wb);
    cca_result_init(res);

    if (token == NULL || token_len == NULL || (e == NULL && e_len > 0)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "key generate needs token and token_len outputs");
        goto err;
    }

    ibm4767_put_u32(&wb, alg);
    ibm4767_put_u32(&wb, size);
    ibm4767_put_bytes(&wb, e, e != NULL ? e_len : 0);
    ibm4767_put_u32(&wb, usage);
    /* Not resendable: a lost reply may still have produced a key. */
    ret = cca_call_take_bytes(be, IBM4767_VERB_PKA_KEY_GENERATE, 0, &wb,
                              token, token_len, "key token", res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_pka_key_import(struct cca_backend *be, uint32_t alg, uint32_t usage,
                       const uint8_t *kvs, size_t kvs_len, uint8_t **token,
                       size_t *token_len, struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    if (be != NULL && be->cca != NULL) {
        cca_result_init(res);
        return cca_lib_pka_key_import(be, alg, usage, kvs, kvs_len, token,
                                      token_len, res);
    }
    ibm4767_wbuf_init(&wb);
    cca_result_init(res);

    if (kvs == NULL || kvs_len == 0 || token == NULL || token_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "key import needs a key value structure and token "
                       "outputs");
        goto err;
    }

    /* The payload contains the clear key, and ibm4767_wbuf_free cleanses it. */
    ibm4767_put_u32(&wb, alg);
    ibm4767_put_u32(&wb, usage);
    ibm4767_put_bytes(&wb, kvs, kvs_len);
    ret = cca_call_take_bytes(be, IBM4767_VERB_PKA_KEY_IMPORT, 0, &wb,
                              token, token_len, "key token", res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_pka_public_key_extract(struct cca_backend *be, const uint8_t *token,
                               size_t token_len, uint8_t **pub,
                               size_t *pub_len, struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    if (be != NULL && be->cca != NULL) {
        cca_result_init(res);
        return cca_lib_pka_public_key_extract(be, token, token_len, pub,
                                              pub_len, res);
    }
    ibm4767_wbuf_init(&wb);
    cca_result_init(res);

    if (!cca_check_pka_token(token, token_len, res))
        goto err;
    if (pub == NULL || pub_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "public key extract needs pub and pub_len outputs");
        goto err;
    }

    ibm4767_put_bytes(&wb, token, token_len);
    ret = cca_call_key_take_bytes(be, IBM4767_VERB_PKA_PUBLIC_EXTRACT,
                                  token, token_len, &wb, pub, pub_len,
                                  "public key token", res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}

/* Decrypt and encrypt share the request layout; only the verb differs. */
static int pka_cipher(struct cca_backend *be, uint16_t verb,
                      const struct cca_pka_cipher_params *p,
                      const uint8_t *token, size_t token_len,
                      const uint8_t *in, size_t in_len, uint8_t *out,
                      size_t *out_len, struct cca_result *res)
{
    const char *output = verb == IBM4767_VERB_PKA_DECRYPT ? "plaintext"
                                                          : "ciphertext";
    struct ibm4767_wbuf wb;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    cca_result_init(res);

    if (!cca_check_pka_token(token, token_len, res))
        goto err;
    if (p == NULL || in == NULL || out == NULL || out_len == NULL ||
        (p->label == NULL && p->label_len > 0)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "%s needs parameters, input and output buffers",
                       ibm4767_verb_name(verb));
        goto err;
    }

    ibm4767_put_u32(&wb, p->padding);
    ibm4767_put_u32(&wb, (uint32_t)p->oaep_nid);
    ibm4767_put_u32(&wb, (uint32_t)p->mgf1_nid);
    ibm4767_put_bytes(&wb, p->label, p->label != NULL ? p->label_len : 0);
    ibm4767_put_u32(&wb, p->tls_client_version);
    ibm4767_put_u32(&wb, p->tls_alt_version);
    ibm4767_put_bytes(&wb, token, token_len);
    ibm4767_put_bytes(&wb, in, in_len);
    ret = cca_call_key_copy_bytes(be, verb, token, token_len, &wb, out,
                                  out_len, output, res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_pka_decrypt(struct cca_backend *be,
                    const struct cca_pka_cipher_params *p,
                    const uint8_t *token, size_t token_len,
                    const uint8_t *in, size_t in_len, uint8_t *out,
                    size_t *out_len, struct cca_result *res)
{
    struct cca_result local;

    if (res == NULL)
        res = &local;
    if (be != NULL && be->cca != NULL) {
        cca_result_init(res);
        return cca_lib_pka_decrypt(be, p, token, token_len, in, in_len, out,
                                   out_len, res);
    }
    return pka_cipher(be, IBM4767_VERB_PKA_DECRYPT, p, token, token_len, in,
                      in_len, out, out_len, res);
}

int cca_pka_encrypt(struct cca_backend *be,
                    const struct cca_pka_cipher_params *p,
                    const uint8_t *token, size_t token_len,
                    const uint8_t *in, size_t in_len, uint8_t *out,
                    size_t *out_len, struct cca_result *res)
{
    struct cca_result local;

    if (res == NULL)
        res = &local;
    if (be != NULL && be->cca != NULL) {
        cca_result_init(res);
        return cca_lib_pka_encrypt(be, p, token, token_len, in, in_len, out,
                                   out_len, res);
    }
    return pka_cipher(be, IBM4767_VERB_PKA_ENCRYPT, p, token, token_len, in,
                      in_len, out, out_len, res);
}

int cca_ec_diffie_hellman(struct cca_backend *be, const uint8_t *token,
                          size_t token_len, const uint8_t *peer,
                          size_t peer_len, uint8_t *out, size_t *out_len,
                          struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    if (be != NULL && be->cca != NULL) {
        cca_result_init(res);
        return cca_lib_ec_diffie_hellman(be, token, token_len, peer,
                                         peer_len, out, out_len, res);
    }
    ibm4767_wbuf_init(&wb);
    cca_result_init(res);

    if (!cca_check_pka_token(token, token_len, res))
        goto err;
    if (peer == NULL || peer_len == 0 || out == NULL || out_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "EC Diffie-Hellman needs a peer point and an output "
                       "buffer");
        goto err;
    }

    ibm4767_put_bytes(&wb, token, token_len);
    ibm4767_put_bytes(&wb, peer, peer_len);
    ret = cca_call_key_copy_bytes(be, IBM4767_VERB_EC_DIFFIE_HELLMAN, token,
                                  token_len, &wb, out, out_len,
                                  "shared secret", res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}
