/*
 * Waiting for a device to become ready.  After power-on or a reset the
 * card runs its self-test (POST) for up to several minutes and serves no
 * verb until it finishes; IBM's advice is to poll the facility query until
 * it succeeds.  The backend polls the status verb with back-off, and gives
 * up at once where waiting cannot help: no firmware loaded, or zeroized.
 */
#include <config.h>

#include <string.h>

#include <ibm4767/log.h>

#include "backend_int.h"

#define POLL_FIRST_MS 50
#define POLL_MAX_MS   1000

static long next_sleep_ms(long backoff, long long deadline,
                          uint32_t remaining_ms)
{
    long long left = deadline - cca_monotonic_ms();
    long sleep_ms = backoff;

    /* Wake up about when the device expects to finish, if that is
     * sooner than the back-off step. */
    if (remaining_ms > 0 && (long)remaining_ms + 10 < sleep_ms)
        sleep_ms = (long)remaining_ms + 10;
    if (left < sleep_ms)
        sleep_ms = left > 0 ? (long)left : 0;
    return sleep_ms;
}

/* Query status once; returns 1 with st filled, 0 with res set. */
static int query_status(struct cca_backend *be, struct cca_device *dev,
                        struct cca_status *st, struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));
    if (!ibm4767_put_u32(&wb, 0) || !ibm4767_put_bytes(&wb, NULL, 0)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a status request");
        goto err;
    }
    if (!cca_device_exchange(be, dev, IBM4767_VERB_STATUS, &wb, &reply, res))
        goto err;
    if (res->rc != CCA_RC_OK)
        goto err;
    if (!cca_status_decode(&reply.rb, st) || !ibm4767_rbuf_done(&reply.rb)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "status reply does not match the protocol's field "
                       "list (%zu bytes)", reply.len);
        goto err;
    }
    cca_device_note_serial(dev, st->serial);
    ret = 1;

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_device_wait_ready(struct cca_backend *be, struct cca_device *dev,
                          long long deadline, struct cca_result *res)
{
    struct cca_status st;
    long long started = cca_monotonic_ms();
    long backoff = POLL_FIRST_MS;
    int logged = 0;

    for (;;) {
        if (!query_status(be, dev, &st, res))
            return 0;

        switch (st.state) {
        case CCA_STATE_READY:
            atomic_store(&dev->readiness, CCA_READINESS_READY);
            atomic_store(&dev->down_until, 0);
            if (logged)
                IBM4767_INFO("%s: ready after waiting %lld ms", dev->name,
                             cca_monotonic_ms() - started);
            return 1;

        case CCA_STATE_NO_FIRMWARE:
            cca_result_set(res, CCA_RC_SETUP, CCA_RS_FIRMWARE_NOT_LOADED,
                           "status reports state NO_FIRMWARE");
            res->driver_code = st.driver_code;
            return 0;

        case CCA_STATE_ZEROIZED:
            cca_result_set(res, CCA_RC_SETUP, CCA_RS_ZEROIZED,
                           "status reports state ZEROIZED");
            res->driver_code = st.driver_code;
            return 0;

        case CCA_STATE_SELF_TEST:
            atomic_store(&dev->readiness, CCA_READINESS_SELF_TEST);
            break;

        default:
            cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                           "status reports unknown device state %u",
                           st.state);
            return 0;
        }

        if (deadline < 0) {
            cca_result_set(res, CCA_RC_SETUP, CCA_RS_SELF_TEST_RUNNING,
                           "status reports self-test running, about %u ms "
                           "left", st.self_test_remaining_ms);
            return 0;
        }
        if (cca_monotonic_ms() >= deadline) {
            cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_READY_TIMEOUT,
                           "self-test still running when the ready timeout "
                           "of %ld s ran out; the device estimates %u ms "
                           "left", be->ready_timeout_ms / 1000,
                           st.self_test_remaining_ms);
            res->driver_code = st.driver_code;
            IBM4767_ERROR("%s (%s): %s", dev->name, dev->path, res->detail);
            return 0;
        }
        if (!logged) {
            IBM4767_INFO("%s (%s): self-test running, about %u ms left; "
                         "waiting up to %lld ms", dev->name, dev->path,
                         st.self_test_remaining_ms,
                         deadline - cca_monotonic_ms());
            logged = 1;
        }

        cca_sleep_ms(next_sleep_ms(backoff, deadline,
                                   st.self_test_remaining_ms));
        backoff = backoff * 2 > POLL_MAX_MS ? POLL_MAX_MS : backoff * 2;
    }
}
