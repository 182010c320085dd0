/*
 * Facility query (CSUACFQ): the status verb and the decoding of its reply
 * into struct cca_status.  protocol.h lists the reply's fields in order.
 */
#include <config.h>

#include <string.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* Copy a byte-string field into a C string, cutting it to fit. */
static int get_string(struct ibm4767_rbuf *rb, char *dst, size_t cap)
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

/* A register's MKVP is 8 bytes, or empty for an empty register. */
static int get_mk_register(struct ibm4767_rbuf *rb,
                           struct cca_mk_register *reg)
{
    const uint8_t *p;
    size_t n;

    if (!ibm4767_get_u32(rb, &reg->state) ||
        !ibm4767_get_bytes(rb, &p, &n))
        return 0;
    if (n != 0 && n != CCA_MKVP_LEN)
        return 0;
    memset(reg->mkvp, 0, sizeof(reg->mkvp));
    if (n != 0)
        memcpy(reg->mkvp, p, n);
    return 1;
}

/* Segments past CCA_STATUS_SEGMENTS are read and dropped. */
static int get_segments(struct ibm4767_rbuf *rb, struct cca_status *st)
{
    uint32_t count;

    if (!ibm4767_get_u32(rb, &count))
        return 0;
    for (uint32_t i = 0; i < count; i++) {
        struct cca_segment scratch;
        struct cca_segment *seg =
            i < CCA_STATUS_SEGMENTS ? &st->segments[i] : &scratch;

        if (!get_string(rb, seg->image, sizeof(seg->image)) ||
            !get_string(rb, seg->hash, sizeof(seg->hash)))
            return 0;
    }
    return 1;
}

/* Counters past CCA_STATUS_MAX_COUNTERS are read and dropped. */
static int get_counters(struct ibm4767_rbuf *rb, struct cca_status *st)
{
    uint32_t count;

    if (!ibm4767_get_u32(rb, &count))
        return 0;
    st->counter_count = 0;
    for (uint32_t i = 0; i < count; i++) {
        struct cca_counter scratch;
        struct cca_counter *c = st->counter_count < CCA_STATUS_MAX_COUNTERS
                                    ? &st->counters[st->counter_count]
                                    : &scratch;
        uint32_t high, low;

        if (!get_string(rb, c->name, sizeof(c->name)) ||
            !ibm4767_get_u32(rb, &high) || !ibm4767_get_u32(rb, &low))
            return 0;
        c->value = ((uint64_t)high << 32) | low;
        if (c != &scratch)
            st->counter_count++;
    }
    return 1;
}

/* The timing profile fields after the signature.  A reply that ends
 * after the signature comes from a device without them: no profile. */
static int get_profile(struct ibm4767_rbuf *rb, struct cca_status *st)
{
    uint32_t count;

    if (ibm4767_rbuf_done(rb))
        return 1;
    if (!get_string(rb, st->profile, sizeof(st->profile)) ||
        !ibm4767_get_u32(rb, &count))
        return 0;
    for (uint32_t i = 0; i < count; i++) {
        struct cca_profile_op scratch;
        struct cca_profile_op *op =
            st->profile_op_count < CCA_STATUS_MAX_PROFILE_OPS
                ? &st->profile_ops[st->profile_op_count]
                : &scratch;

        if (!get_string(rb, op->name, sizeof(op->name)) ||
            !get_string(rb, op->engine, sizeof(op->engine)) ||
            !ibm4767_get_u32(rb, &op->units) ||
            !ibm4767_get_u32(rb, &op->service_us) ||
            !ibm4767_get_u32(rb, &op->per_kib_us) ||
            !ibm4767_get_u32(rb, &op->latency_us))
            return 0;
        if (op != &scratch)
            st->profile_op_count++;
    }
    return 1;
}

int cca_status_decode(struct ibm4767_rbuf *rb, struct cca_status *st)
{
    const uint8_t *signature;
    size_t signature_len;

    memset(st, 0, sizeof(*st));
    if (!ibm4767_get_u32(rb, &st->state) ||
        !ibm4767_get_u32(rb, &st->self_test_remaining_ms) ||
        !get_string(rb, st->serial, sizeof(st->serial)) ||
        !get_string(rb, st->description, sizeof(st->description)) ||
        !get_string(rb, st->firmware_version, sizeof(st->firmware_version)) ||
        !ibm4767_get_u32(rb, &st->driver_code))
        return 0;
    for (int i = 0; i < 3; i++) {
        if (!get_mk_register(rb, &st->aes[i]))
            return 0;
    }
    for (int i = 0; i < 3; i++) {
        if (!get_mk_register(rb, &st->apka[i]))
            return 0;
    }
    if (!get_segments(rb, st) || !get_counters(rb, st))
        return 0;
    /* The signature is only asked for by validation, which reads the raw
     * reply itself. */
    return ibm4767_get_bytes(rb, &signature, &signature_len) &&
           get_profile(rb, st);
}

const struct cca_profile_op *cca_status_profile_op(const struct cca_status *st,
                                                   const char *name)
{
    if (st == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < st->profile_op_count; i++) {
        if (strcmp(st->profile_ops[i].name, name) == 0)
            return &st->profile_ops[i];
    }
    return NULL;
}

uint64_t cca_status_counter(const struct cca_status *st, const char *name)
{
    if (st == NULL || name == NULL)
        return 0;
    for (size_t i = 0; i < st->counter_count; i++) {
        if (strcmp(st->counters[i].name, name) == 0)
            return st->counters[i].value;
    }
    return 0;
}

int cca_facility_query(struct cca_backend *be, int device, int wait_ready,
                       struct cca_status *st, struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    struct cca_request req;
    int ret = 0;

    if (res == NULL)
        res = &local;
    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    cca_result_init(res);

    if (be == NULL || st == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "facility query needs a backend and a status "
                       "buffer");
        goto err;
    }
    if (be->cca != NULL) {
        ret = cca_lib_facility_query(be, device, wait_ready, st, res);
        goto err;
    }

    ibm4767_put_u32(&wb, 0);
    ibm4767_put_bytes(&wb, NULL, 0);
    cca_request_init(&req, IBM4767_VERB_STATUS, 1, &wb);
    req.device = device >= 0 ? device : (be->pinned >= 0 ? be->pinned : 0);
    req.wait_ready = wait_ready;

    if (!cca_backend_call(be, &req, &reply, res))
        goto err;
    if (!cca_status_decode(&reply.rb, st) || !ibm4767_rbuf_done(&reply.rb)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "status reply does not match the protocol's field "
                       "list (%zu bytes)", reply.len);
        goto err;
    }
    ret = 1;

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}
