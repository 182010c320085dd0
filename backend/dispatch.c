/*
 * The dispatcher every verb goes through: it chooses a device, waits for
 * it to be ready, sends the request and decides what to do with the
 * outcome (return it, resend it, or try another device).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ibm4767/log.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* Resends of a verb whose reply carried a driver code of class RETRY
 * (reset bit, RNG fault).  Each one waits for a fresh READY status. */
#define DRIVER_RETRY_MAX 2

long long cca_monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void cca_sleep_ms(long ms)
{
    struct timespec left;

    if (ms <= 0)
        return;
    left.tv_sec = ms / 1000;
    left.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&left, &left) < 0 && errno == EINTR)
        continue;
}

/* ---- Device choice ----------------------------------------------------- */

static void device_hold_off(struct cca_device *dev)
{
    atomic_store(&dev->down_until,
                 cca_monotonic_ms() + CCA_DEVICE_HOLDOFF_MS);
}

/*
 * Pick the device for a request: a device that failed recently only when
 * every other one did too, then one known to be in self-test only when no
 * other is left, then the fewest outstanding requests.  A device whose
 * readiness is unknown counts as ready, so that the request that picks it
 * checks it.  Ties rotate so that idle devices share the load.  Devices
 * in tried are skipped.
 */
static struct cca_device *choose_device(struct cca_backend *be, int want,
                                        unsigned int tried)
{
    struct cca_device *best = NULL;
    long long best_score = 0;
    long long now;
    unsigned int start;

    if (want >= 0)
        return (tried & (1u << want)) ? NULL : &be->devices[want];

    now = cca_monotonic_ms();
    start = atomic_fetch_add(&be->next_start, 1);
    for (int k = 0; k < be->device_count; k++) {
        unsigned int i = (start + (unsigned int)k) %
                         (unsigned int)be->device_count;
        struct cca_device *dev = &be->devices[i];
        long long score;

        if (tried & (1u << i))
            continue;
        score = atomic_load(&dev->outstanding);
        if (atomic_load(&dev->readiness) == CCA_READINESS_SELF_TEST)
            score += 1LL << 32;
        if (atomic_load(&dev->down_until) > now)
            score += 1LL << 40;
        if (best == NULL || score < best_score) {
            best = dev;
            best_score = score;
        }
    }
    return best;
}

/* Whether a failed result means the device cannot serve at all right now
 * (as opposed to a problem with this one request). */
static int result_disables_device(const struct cca_result *res)
{
    if (res->rc == CCA_RC_SETUP &&
        (res->reason == CCA_RS_HOST_CONNECT_FAILED ||
         res->reason == CCA_RS_FIRMWARE_NOT_LOADED ||
         res->reason == CCA_RS_ZEROIZED))
        return 1;
    return res->driver_code != 0 &&
           cca_driver_code_lookup(res->driver_code)->cls ==
               CCA_CLASS_UNUSABLE;
}

/* Log a warning driver code (battery, intrusion latch) once per change. */
static void note_driver_warning(struct cca_device *dev,
                                const struct cca_result *res)
{
    const struct cca_code_info *info;
    long long now, last;

    if (res->driver_code == 0)
        return;
    info = cca_driver_code_lookup(res->driver_code);
    if (info->cls != CCA_CLASS_WARNING)
        return;
    /* A new code is logged at once, a standing one (a battery warning
     * rides on every reply) once per interval. */
    now = cca_monotonic_ms();
    last = atomic_load(&dev->warning_logged_ms);
    if (atomic_exchange(&dev->last_warning, res->driver_code) ==
            res->driver_code &&
        now - last < CCA_WARNING_LOG_INTERVAL_MS)
        return;
    if (!atomic_compare_exchange_strong(&dev->warning_logged_ms, &last, now))
        return;   /* another thread logged it just now */
    IBM4767_WARN("%s (%s): driver code %08X %s: %s", dev->name, dev->path,
                 res->driver_code, info->name, info->message);
}

/* ---- The dispatcher ----------------------------------------------------- */

/* Progress of one request through the devices. */
struct dispatch {
    const struct cca_request *req;
    int want;                     /* fixed device index, or -1 */
    unsigned int tried;           /* not to be chosen again in this pass */
    unsigned int failed;          /* failed for good in this request */
    int patient;                  /* wait through a self-test */
    int saw_self_test;
    int lost_retries;
    int driver_retries;
    long long deadline;           /* end of the ready timeout */
};

static int check_request(struct cca_backend *be, const struct cca_request *req,
                         struct cca_result *res)
{
    if (be == NULL || req->payload == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "no backend or no request payload");
        return 0;
    }
    if (req->payload->failed) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_FRAME_TOO_LONG,
                       "%s request does not fit the %u-byte frame limit, "
                       "or memory ran out while building it",
                       ibm4767_verb_name(req->verb), IBM4767_FRAME_MAX);
        return 0;
    }
    if (be->device_count == 0) {
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_NO_DEVICE,
                       "no device configured");
        return 0;
    }
    if (req->device >= be->device_count) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "device index %d is out of range: %d devices are "
                       "configured", req->device, be->device_count);
        return 0;
    }
    if (be->pin_error[0] != '\0') {
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_NO_DEVICE, "%s",
                       be->pin_error);
        return 0;
    }
    return 1;
}

/* Mark dev as failed for the rest of this request. */
static void dispatch_fail_device(struct dispatch *d, struct cca_device *dev,
                                 const struct cca_result *res)
{
    atomic_store(&dev->readiness, CCA_READINESS_UNKNOWN);
    if (result_disables_device(res))
        device_hold_off(dev);
    d->tried |= 1u << dev->index;
    d->failed |= 1u << dev->index;
}

/*
 * Make sure dev is ready before the request goes to it.  While other
 * devices may serve, a device in self-test is only noted and passed over.
 * Once every device has been passed over, the dispatcher turns patient and
 * waits on one up to the ready timeout.
 */
static int dispatch_ready(struct cca_backend *be, struct dispatch *d,
                          struct cca_device *dev, struct cca_result *res)
{
    int quick = !d->patient;

    if (atomic_load(&dev->readiness) == CCA_READINESS_READY)
        return 1;
    if (cca_device_wait_ready(be, dev, quick ? -1 : d->deadline, res))
        return 1;

    if (quick && res->rc == CCA_RC_SETUP &&
        res->reason == CCA_RS_SELF_TEST_RUNNING) {
        d->saw_self_test = 1;
        d->tried |= 1u << dev->index;
        return 0;
    }
    dispatch_fail_device(d, dev, res);
    return 0;
}

/* Whether a device other than dev may still serve this request. */
static int dispatch_has_other(const struct cca_backend *be,
                              const struct dispatch *d,
                              const struct cca_device *dev)
{
    if (d->want >= 0)
        return 0;
    for (int i = 0; i < be->device_count; i++) {
        if (i != dev->index && !(d->tried & (1u << i)))
            return 1;
    }
    return 0;
}

/*
 * Decide whether a transport failure is worth another attempt.  A lost
 * connection usually means that the device stopped replying, so a
 * resendable request goes once more to another device when there is one,
 * else to the same device on a new connection.  Any other request may
 * already have changed the device's state, so it fails with a message
 * that says so.
 */
static int dispatch_after_lost(struct cca_backend *be, struct dispatch *d,
                               struct cca_device *dev,
                               struct cca_result *res)
{
    size_t used;

    atomic_store(&dev->readiness, CCA_READINESS_UNKNOWN);
    if (res->reason == CCA_RS_HOST_CONNECT_FAILED) {
        dispatch_fail_device(d, dev, res);
        return 1;
    }
    if (res->reason != CCA_RS_HOST_IO_ERROR)
        return 0;

    if (d->req->resendable && d->lost_retries == 0) {
        d->lost_retries++;
        if (dispatch_has_other(be, d, dev)) {
            d->tried |= 1u << dev->index;
            IBM4767_WARN("%s (%s): %s; sending it again on another device",
                         dev->name, dev->path, res->detail);
        } else {
            IBM4767_INFO("%s (%s): %s; sending it again on a new connection",
                         dev->name, dev->path, res->detail);
        }
        return 1;
    }

    used = strlen(res->detail);
    snprintf(res->detail + used, sizeof(res->detail) - used, "%s",
             d->req->resendable
                 ? "; already sent twice, not sent again"
                 : "; not sent again, because the request may have changed "
                   "the device's state: check the result before repeating "
                   "it");
    return 0;
}

/* Decide whether a reply means "the device did nothing, send it again". */
static int dispatch_resend_reply(struct dispatch *d, struct cca_device *dev,
                                 const struct cca_result *res)
{
    if (!d->req->wait_ready)
        return 0;

    if (res->rc == CCA_RC_SETUP && res->reason == CCA_RS_SELF_TEST_RUNNING &&
        cca_monotonic_ms() < d->deadline) {
        atomic_store(&dev->readiness, CCA_READINESS_SELF_TEST);
        IBM4767_INFO("%s: %s returned 12/4767 (self-test running); waiting "
                     "for READY to send it again", dev->name, res->detail);
        return 1;
    }

    /* A request a reset dropped may have run: only a resendable one goes
     * again. */
    if (!cca_result_ok(res) && res->driver_code != 0 &&
        cca_driver_code_lookup(res->driver_code)->cls == CCA_CLASS_RETRY &&
        (d->req->resendable || res->reason != CCA_RS_REQUEST_DROPPED) &&
        d->driver_retries < DRIVER_RETRY_MAX) {
        d->driver_retries++;
        atomic_store(&dev->readiness, CCA_READINESS_UNKNOWN);
        IBM4767_INFO("%s: %s returned %u/%u with driver code %08X; checking "
                     "status and sending it again", dev->name, res->detail,
                     res->rc, res->reason, res->driver_code);
        return 1;
    }
    return 0;
}

void cca_request_init(struct cca_request *req, uint16_t verb, int resendable,
                      const struct ibm4767_wbuf *payload)
{
    req->device = -1;
    req->verb = verb;
    req->resendable = resendable;
    req->wait_ready = 1;
    req->payload = payload;
    req->key_token = NULL;
    req->key_token_len = 0;
}

/*
 * Outcomes that cannot have changed anything on the device are retried
 * here.  A device that was unreachable or unusable before the request was
 * sent makes the dispatcher try another device.  After 12/4767 the device
 * did nothing, so the request waits for READY and goes again until the
 * ready timeout has passed.  A driver code of class RETRY is resent twice
 * at most.  A connection lost mid-request is retried once, on a new
 * connection, only for resendable verbs.
 */
static int dispatch_run(struct cca_backend *be, struct dispatch *d,
                        struct cca_reply *reply, struct cca_result *res)
{
    const struct cca_request *req = d->req;

    for (;;) {
        struct cca_device *dev = choose_device(be, d->want, d->tried);

        if (dev == NULL) {
            if (d->saw_self_test && !d->patient) {
                d->patient = 1;
                d->tried = d->failed;
                continue;
            }
            return 0;   /* every device failed; res has the last error */
        }

        if (req->wait_ready && !dispatch_ready(be, d, dev, res))
            continue;

        if (!cca_device_exchange(be, dev, req->verb, req->payload, reply,
                                 res)) {
            if (dispatch_after_lost(be, d, dev, res))
                continue;
            return 0;
        }

        if (dispatch_resend_reply(d, dev, res)) {
            cca_reply_free(reply);
            continue;
        }

        if (result_disables_device(res)) {
            atomic_store(&dev->readiness, CCA_READINESS_UNKNOWN);
            device_hold_off(dev);
        }
        note_driver_warning(dev, res);
        return cca_result_ok(res);
    }
}

int cca_backend_call(struct cca_backend *be, const struct cca_request *req,
                     struct cca_reply *reply, struct cca_result *res)
{
    struct cca_pka_token retained;
    struct dispatch d;
    int route = 0;
    int ok;

    cca_result_init(res);
    memset(reply, 0, sizeof(*reply));
    if (!check_request(be, req, res))
        return 0;
    /* The cca transport carries out the verbs of cca.h itself, so what
     * reaches the socket dispatcher has no CCA equivalent. */
    if (be->cca != NULL) {
        cca_lib_unavailable(be, req->verb, res);
        return 0;
    }

    cca_backend_check_fork(be);
    memset(&d, 0, sizeof(d));
    d.req = req;
    d.want = req->device >= 0 ? req->device : be->pinned;
    /* A retained key's request goes to the device that keeps the key. */
    if (req->device < 0 && req->key_token != NULL)
        route = cca_retained_route(be, req->key_token, req->key_token_len,
                                   &retained, &d.want, res);
    if (route < 0)
        return 0;
    d.patient = d.want >= 0 || be->device_count == 1;
    d.deadline = cca_monotonic_ms() + be->ready_timeout_ms;

    ok = dispatch_run(be, &d, reply, res);
    if (!ok && route > 0)
        cca_retained_explain(be, &retained, d.want, res);
    return ok;
}
