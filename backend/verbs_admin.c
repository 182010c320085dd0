/*
 * Administration verbs (include/ibm4767/admin.h): building each request,
 * sending it to one device and reading its reply.
 *
 * The verbs that change the device go out once (never resent).  Reset,
 * inject, firmware load and unload and battery-replaced do not wait for
 * readiness, since they are how an administrator gets a device out of a
 * self-test, a fault or a missing firmware.  The others wait through a
 * self-test like every verb.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/admin.h>

#include "backend_int.h"

/* Longest nonce the device signs (status.c). */
#define SIGNED_STATUS_NONCE_MAX 256u

static int check_backend(struct cca_backend *be, struct cca_result *res)
{
    cca_result_init(res);
    if (be != NULL)
        return 1;
    cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                   "no backend");
    return 0;
}

/* Send one request to one device.  wait_ready: wait through a self-test
 * first; resendable: the verb cannot change the device. */
static int call_device(struct cca_backend *be, int device, uint16_t verb,
                       int wait_ready, int resendable,
                       const struct ibm4767_wbuf *wb, struct cca_reply *reply,
                       struct cca_result *res)
{
    struct cca_request req;

    cca_request_init(&req, verb, resendable, wb);
    req.device = device >= 0 ? device : (be->pinned >= 0 ? be->pinned : 0);
    req.wait_ready = wait_ready;
    return cca_backend_call(be, &req, reply, res);
}

/* A verb whose request and reply carry at most one u32. */
static int simple_call(struct cca_backend *be, int device, uint16_t verb,
                       int wait_ready, const uint32_t *arg,
                       struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!check_backend(be, res))
        goto err;
    if (arg != NULL)
        ibm4767_put_u32(&wb, *arg);
    if (!call_device(be, device, verb, wait_ready, 0, &wb, &reply, res))
        goto err;
    ret = cca_reply_finish(&reply, res);

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_admin_reset(struct cca_backend *be, int device,
                    struct cca_result *res)
{
    return simple_call(be, device, IBM4767_VERB_ADMIN_RESET, 0, NULL, res);
}

int cca_admin_inject(struct cca_backend *be, int device,
                     uint32_t driver_code, struct cca_result *res)
{
    return simple_call(be, device, IBM4767_VERB_ADMIN_INJECT, 0,
                       &driver_code, res);
}

int cca_admin_firmware(struct cca_backend *be, int device, int load,
                       struct cca_result *res)
{
    return simple_call(be, device,
                       load ? IBM4767_VERB_ADMIN_FIRMWARE_LOAD
                            : IBM4767_VERB_ADMIN_FIRMWARE_UNLOAD,
                       0, NULL, res);
}

int cca_admin_battery_replaced(struct cca_backend *be, int device,
                               struct cca_result *res)
{
    return simple_call(be, device, IBM4767_VERB_ADMIN_BATTERY_REPLACED, 0,
                       NULL, res);
}

/* ---------------------------------------------------------------------- */
/* Master keys                                                             */

/* Read an MKVP field: 8 bytes, or empty when allow_empty. */
static int get_mkvp(struct ibm4767_rbuf *rb, uint8_t mkvp[CCA_MKVP_LEN],
                    int allow_empty, struct cca_result *res)
{
    const uint8_t *p;
    size_t n;

    memset(mkvp, 0, CCA_MKVP_LEN);
    if (!ibm4767_get_bytes(rb, &p, &n)
        || (n != CCA_MKVP_LEN && !(allow_empty && n == 0))) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "reply has no valid 8-byte MKVP field");
        return 0;
    }
    if (n > 0)
        memcpy(mkvp, p, n);
    return 1;
}

int cca_master_key_load_part(struct cca_backend *be, int device,
                             uint32_t type, uint32_t part,
                             const uint8_t value[IBM4767_MK_PART_LEN],
                             struct cca_mk_register *reg,
                             struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!check_backend(be, res))
        goto err;
    if (value == NULL || reg == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "master key part load needs a part value and a "
                       "register to fill");
        goto err;
    }
    ibm4767_put_u32(&wb, type);
    ibm4767_put_u32(&wb, part);
    ibm4767_put_bytes(&wb, value, IBM4767_MK_PART_LEN);
    if (!call_device(be, device, IBM4767_VERB_MK_LOAD_PART, 1, 0, &wb,
                     &reply, res))
        goto err;
    if (!ibm4767_get_u32(&reply.rb, &reg->state)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "master key part reply has no register state");
        goto err;
    }
    ret = get_mkvp(&reply.rb, reg->mkvp, 1, res)
          && cca_reply_finish(&reply, res);

err:
    cca_reply_free(&reply);
    /* The request carried a key part. */
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_master_key_set(struct cca_backend *be, int device, uint32_t type,
                       uint8_t mkvp[CCA_MKVP_LEN], struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!check_backend(be, res))
        goto err;
    ibm4767_put_u32(&wb, type);
    if (!call_device(be, device, IBM4767_VERB_MK_SET, 1, 0, &wb, &reply,
                     res))
        goto err;
    ret = get_mkvp(&reply.rb, mkvp, 0, res) && cca_reply_finish(&reply, res);

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_master_key_clear(struct cca_backend *be, int device, uint32_t type,
                         struct cca_result *res)
{
    return simple_call(be, device, IBM4767_VERB_MK_CLEAR, 1, &type, res);
}

/* ---------------------------------------------------------------------- */
/* Access control points                                                   */

static int get_text(struct ibm4767_rbuf *rb, char *dst, size_t cap)
{
    const uint8_t *p;
    size_t n;

    if (!ibm4767_get_bytes(rb, &p, &n))
        return 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, p, n);
    dst[n] = '\0';
    return 1;
}

static int get_acp_list(struct ibm4767_rbuf *rb, struct cca_acp *points,
                        size_t max, size_t *count, struct cca_result *res)
{
    uint32_t n, enabled;

    *count = 0;
    if (!ibm4767_get_u32(rb, &n))
        goto bad;
    for (uint32_t i = 0; i < n; i++) {
        struct cca_acp scratch;
        struct cca_acp *p = *count < max ? &points[*count] : &scratch;

        if (!get_text(rb, p->name, sizeof(p->name))
            || !ibm4767_get_u32(rb, &enabled)
            || !get_text(rb, p->description, sizeof(p->description)))
            goto bad;
        p->enabled = enabled != 0;
        if (p != &scratch)
            (*count)++;
    }
    return 1;

bad:
    cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                   "access control point list does not match the "
                   "protocol's field list");
    return 0;
}

int cca_acp_query(struct cca_backend *be, int device,
                  struct cca_acp *points, size_t max, size_t *count,
                  struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!check_backend(be, res))
        goto err;
    if (points == NULL || count == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "access control point query needs a list to fill");
        goto err;
    }
    if (!call_device(be, device, IBM4767_VERB_ACP_QUERY, 1, 1, &wb, &reply,
                     res))
        goto err;
    ret = get_acp_list(&reply.rb, points, max, count, res)
          && cca_reply_finish(&reply, res);

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_acp_set(struct cca_backend *be, int device, const char *name,
                int enabled, struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!check_backend(be, res))
        goto err;
    if (name == NULL || strlen(name) > IBM4767_ACP_NAME_MAX) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "access control point name is missing or longer "
                       "than %u characters", IBM4767_ACP_NAME_MAX);
        goto err;
    }
    ibm4767_put_bytes(&wb, name, strlen(name));
    ibm4767_put_u32(&wb, enabled ? 1u : 0u);
    if (!call_device(be, device, IBM4767_VERB_ACP_SET, 1, 0, &wb, &reply,
                     res))
        goto err;
    ret = cca_reply_finish(&reply, res);

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Key token change                                                        */

int cca_key_token_change(struct cca_backend *be, const uint8_t *token,
                         size_t token_len, uint8_t **out, size_t *out_len,
                         struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    if (!check_backend(be, res))
        goto err;
    if (token == NULL || token_len == 0 || out == NULL || out_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "key token change needs a token and an output");
        goto err;
    }
    ibm4767_put_bytes(&wb, token, token_len);
    /* The device keeps nothing, so any device may serve it, again. */
    ret = cca_call_take_bytes(be, IBM4767_VERB_KEY_TOKEN_CHANGE, 1, &wb, out,
                              out_len, "token", res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Validation                                                              */

/* Move rb past the status fields the device signs, from the state up to
 * the last counter, in protocol.h's order. */
static int skip_signed_fields(struct ibm4767_rbuf *rb)
{
    const uint8_t *p;
    size_t n;
    uint32_t v, count;

    if (!ibm4767_get_u32(rb, &v) || !ibm4767_get_u32(rb, &v))
        return 0;
    for (int i = 0; i < 3; i++) {
        if (!ibm4767_get_bytes(rb, &p, &n))
            return 0;
    }
    if (!ibm4767_get_u32(rb, &v))
        return 0;
    for (int i = 0; i < 6; i++) {
        if (!ibm4767_get_u32(rb, &v) || !ibm4767_get_bytes(rb, &p, &n))
            return 0;
    }
    if (!ibm4767_get_u32(rb, &count))
        return 0;
    for (uint32_t i = 0; i < count; i++) {
        if (!ibm4767_get_bytes(rb, &p, &n) || !ibm4767_get_bytes(rb, &p, &n))
            return 0;
    }
    if (!ibm4767_get_u32(rb, &count))
        return 0;
    for (uint32_t i = 0; i < count; i++) {
        if (!ibm4767_get_bytes(rb, &p, &n) || !ibm4767_get_u32(rb, &v)
            || !ibm4767_get_u32(rb, &v))
            return 0;
    }
    return 1;
}

/* Split a signed status reply into what the signature covers and the
 * signature, and decode the status. */
static int read_signed_status(struct cca_reply *reply, const uint8_t *nonce,
                              size_t nonce_len, struct cca_signed_status *ss,
                              struct cca_result *res)
{
    struct ibm4767_rbuf rb = reply->rb;
    size_t start = rb.pos;
    const uint8_t *sig;
    size_t sig_len, fields_len;

    if (!skip_signed_fields(&rb) || !ibm4767_get_bytes(&rb, &sig, &sig_len)
        || !cca_status_decode(&reply->rb, &ss->status)
        || !ibm4767_rbuf_done(&reply->rb)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "signed status reply does not match the protocol's "
                       "field list (%zu bytes)", reply->len);
        return 0;
    }
    fields_len = rb.pos - start - 4 - sig_len;
    ss->signed_len = nonce_len + fields_len;
    ss->signed_data = OPENSSL_malloc(ss->signed_len > 0 ? ss->signed_len
                                                        : 1);
    ss->signature = sig_len > 0 ? OPENSSL_memdup(sig, sig_len)
                                : OPENSSL_malloc(1);
    if (ss->signed_data == NULL || ss->signature == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a signed status of %zu bytes",
                       reply->len);
        return 0;
    }
    if (nonce_len > 0)
        memcpy(ss->signed_data, nonce, nonce_len);
    memcpy(ss->signed_data + nonce_len, reply->rb.data + start, fields_len);
    ss->signature_len = sig_len;
    return 1;
}

int cca_facility_query_signed(struct cca_backend *be, int device,
                              const uint8_t *nonce, size_t nonce_len,
                              struct cca_signed_status *ss,
                              struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (ss != NULL)
        memset(ss, 0, sizeof(*ss));
    if (!check_backend(be, res))
        goto err;
    if (ss == NULL || (nonce == NULL && nonce_len > 0)
        || nonce_len > SIGNED_STATUS_NONCE_MAX) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "signed status needs a result buffer and a nonce of "
                       "at most %u bytes", SIGNED_STATUS_NONCE_MAX);
        goto err;
    }
    ibm4767_put_u32(&wb, IBM4767_STATUS_SIGNED);
    ibm4767_put_bytes(&wb, nonce, nonce_len);
    if (!call_device(be, device, IBM4767_VERB_STATUS, 0, 1, &wb, &reply,
                     res))
        goto err;
    ret = read_signed_status(&reply, nonce, nonce_len, ss, res);

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

void cca_signed_status_clear(struct cca_signed_status *ss)
{
    if (ss == NULL)
        return;
    OPENSSL_free(ss->signed_data);
    OPENSSL_free(ss->signature);
    memset(ss, 0, sizeof(*ss));
}

int cca_validation_chain(struct cca_backend *be, int device,
                         uint8_t **class_der, size_t *class_len,
                         uint8_t **device_der, size_t *device_len,
                         struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    const uint8_t *p;
    size_t n;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!check_backend(be, res))
        return 0;
    if (class_der == NULL || class_len == NULL || device_der == NULL
        || device_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "validation chain needs two certificate outputs");
        return 0;
    }
    *class_der = *device_der = NULL;
    if (!call_device(be, device, IBM4767_VERB_VALIDATION_CHAIN, 0, 1, &wb,
                     &reply, res))
        goto err;
    if (!ibm4767_get_bytes(&reply.rb, &p, &n)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "validation chain reply has no class certificate");
        goto err;
    }
    *class_der = OPENSSL_memdup(p, n > 0 ? n : 1);
    *class_len = n;
    if (*class_der == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a %zu-byte certificate", n);
        goto err;
    }
    ret = cca_reply_take_bytes(&reply, device_der, device_len,
                               "device certificate", res);

err:
    if (!ret) {
        OPENSSL_free(*class_der);
        *class_der = NULL;
    }
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}
