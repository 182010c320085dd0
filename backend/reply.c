/*
 * Reading the output fields of a reply, and sending the requests whose
 * reply is a single byte string.  Every verb's reply ends after its
 * last field.  Trailing bytes mean host and device disagree on the
 * protocol, so they fail the request instead of being ignored.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "backend_int.h"

static int reply_get_last(struct cca_reply *reply, const uint8_t **p,
                          size_t *n, const char *field,
                          struct cca_result *res)
{
    if (!ibm4767_get_bytes(&reply->rb, p, n)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "reply has no complete %s field", field);
        return 0;
    }
    return cca_reply_finish(reply, res);
}

int cca_reply_finish(struct cca_reply *reply, struct cca_result *res)
{
    if (!ibm4767_rbuf_done(&reply->rb)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "reply has %zu unexpected bytes after its last field",
                       reply->rb.len - reply->rb.pos);
        return 0;
    }
    return 1;
}

int cca_reply_take_bytes(struct cca_reply *reply, uint8_t **out,
                         size_t *out_len, const char *field,
                         struct cca_result *res)
{
    const uint8_t *p;
    uint8_t *copy;
    size_t n;

    if (!reply_get_last(reply, &p, &n, field, res))
        return 0;

    copy = OPENSSL_malloc(n > 0 ? n : 1);
    if (copy == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a %zu-byte %s", n, field);
        return 0;
    }
    if (n > 0)
        memcpy(copy, p, n);
    *out = copy;
    *out_len = n;
    return 1;
}

/* On a buffer too small, *out_len is set to the length needed. */
int cca_reply_copy_bytes(struct cca_reply *reply, uint8_t *out,
                         size_t *out_len, const char *field,
                         struct cca_result *res)
{
    const uint8_t *p;
    size_t n;

    if (!reply_get_last(reply, &p, &n, field, res))
        return 0;

    if (n > *out_len) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "%s is %zu bytes, but the output buffer holds %zu",
                       field, n, *out_len);
        *out_len = n;
        return 0;
    }
    if (n > 0)
        memcpy(out, p, n);
    *out_len = n;
    return 1;
}

/* Send payload as verb to any device, or to the one that keeps the
 * retained key of key_token (NULL for none).  reply is zeroed first, so
 * the caller can always free it. */
static int call_any_device(struct cca_backend *be, uint16_t verb,
                           int resendable, const uint8_t *key_token,
                           size_t key_token_len,
                           const struct ibm4767_wbuf *payload,
                           struct cca_reply *reply, struct cca_result *res)
{
    struct cca_request req;

    memset(reply, 0, sizeof(*reply));
    cca_request_init(&req, verb, resendable, payload);
    req.key_token = key_token;
    req.key_token_len = key_token_len;
    return cca_backend_call(be, &req, reply, res);
}

int cca_call_take_bytes(struct cca_backend *be, uint16_t verb, int resendable,
                        const struct ibm4767_wbuf *payload, uint8_t **out,
                        size_t *out_len, const char *field,
                        struct cca_result *res)
{
    struct cca_reply reply;
    int ret;

    ret = call_any_device(be, verb, resendable, NULL, 0, payload, &reply,
                          res)
          && cca_reply_take_bytes(&reply, out, out_len, field, res);
    cca_reply_free(&reply);
    return ret;
}

int cca_call_copy_bytes(struct cca_backend *be, uint16_t verb, int resendable,
                        const struct ibm4767_wbuf *payload, uint8_t *out,
                        size_t *out_len, const char *field,
                        struct cca_result *res)
{
    struct cca_reply reply;
    int ret;

    ret = call_any_device(be, verb, resendable, NULL, 0, payload, &reply,
                          res)
          && cca_reply_copy_bytes(&reply, out, out_len, field, res);
    cca_reply_free(&reply);
    return ret;
}

/* The verbs that use a key token cannot change the device, so they are
 * resendable. */
int cca_call_key_take_bytes(struct cca_backend *be, uint16_t verb,
                            const uint8_t *token, size_t token_len,
                            const struct ibm4767_wbuf *payload,
                            uint8_t **out, size_t *out_len,
                            const char *field, struct cca_result *res)
{
    struct cca_reply reply;
    int ret;

    ret = call_any_device(be, verb, 1, token, token_len, payload, &reply,
                          res)
          && cca_reply_take_bytes(&reply, out, out_len, field, res);
    cca_reply_free(&reply);
    return ret;
}

int cca_call_key_copy_bytes(struct cca_backend *be, uint16_t verb,
                            const uint8_t *token, size_t token_len,
                            const struct ibm4767_wbuf *payload, uint8_t *out,
                            size_t *out_len, const char *field,
                            struct cca_result *res)
{
    struct cca_reply reply;
    int ret;

    ret = call_any_device(be, verb, 1, token, token_len, payload, &reply,
                          res)
          && cca_reply_copy_bytes(&reply, out, out_len, field, res);
    cca_reply_free(&reply);
    return ret;
}
