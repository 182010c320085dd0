/*
 * The verb table: which engine runs each verb, which handler does the
 * work and which counter a completed verb adds to.  The I/O thread sends
 * the error reply itself for a request whose verb must not run (frame
 * errors, unknown verbs, a device that is not ready).
 */
#include <config.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <ibm4767/codes.h>
#include <ibm4767/log.h>

#include "admin.h"
#include "retained.h"

/* Reply prefix: frame header, then rc, reason and device-driver code. */
#define REPLY_PREFIX_LEN (IBM4767_HEADER_LEN + 12u)
/* Rejection log lines per second before they are counted instead. */
#define REJECT_LOG_PER_SECOND 50

struct emu_verb {
    uint16_t verb;
    enum emu_engine_id engine;
    emu_handler_fn *handler;
    enum emu_counter counter;
};

static const struct emu_verb verb_table[] = {
    { IBM4767_VERB_STATUS, EMU_ENGINE_CPU, emu_verb_status, EMU_CTR_NONE },
    { IBM4767_VERB_PKA_KEY_GENERATE, EMU_ENGINE_PKA,
      emu_verb_pka_key_generate, EMU_CTR_KEY_GENERATIONS },
    { IBM4767_VERB_PKA_KEY_IMPORT, EMU_ENGINE_PKA, emu_verb_pka_key_import,
      EMU_CTR_KEY_IMPORTS },
    { IBM4767_VERB_PKA_PUBLIC_EXTRACT, EMU_ENGINE_PKA,
      emu_verb_pka_public_extract, EMU_CTR_PUBLIC_KEY_EXTRACTS },
    { IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE, EMU_ENGINE_PKA,
      emu_verb_signature_generate, EMU_CTR_SIGNATURES },
    { IBM4767_VERB_DIGITAL_SIGNATURE_VERIFY, EMU_ENGINE_PKA,
      emu_verb_signature_verify, EMU_CTR_VERIFICATIONS },
    { IBM4767_VERB_PKA_DECRYPT, EMU_ENGINE_PKA, emu_verb_pka_decrypt,
      EMU_CTR_DECRYPTIONS },
    { IBM4767_VERB_PKA_ENCRYPT, EMU_ENGINE_PKA, emu_verb_pka_encrypt,
      EMU_CTR_ENCRYPTIONS },
    { IBM4767_VERB_EC_DIFFIE_HELLMAN, EMU_ENGINE_PKA,
      emu_verb_ec_diffie_hellman, EMU_CTR_DERIVATIONS },
    { IBM4767_VERB_PKA_KEY_GENERATE_RETAINED, EMU_ENGINE_PKA,
      emu_verb_pka_key_generate_retained, EMU_CTR_KEY_GENERATIONS },
    { IBM4767_VERB_RETAINED_KEY_LIST, EMU_ENGINE_CPU,
      emu_verb_retained_key_list, EMU_CTR_NONE },
    { IBM4767_VERB_RETAINED_KEY_DELETE, EMU_ENGINE_CPU,
      emu_verb_retained_key_delete, EMU_CTR_NONE },
    { IBM4767_VERB_RANDOM_NUMBER_GENERATE, EMU_ENGINE_RNG,
      emu_verb_random_generate, EMU_CTR_RANDOM_REQUESTS },
    { IBM4767_VERB_SYM_KEY_GENERATE, EMU_ENGINE_SYM,
      emu_verb_sym_key_generate, EMU_CTR_KEY_GENERATIONS },
    { IBM4767_VERB_SYM_KEY_IMPORT, EMU_ENGINE_SYM, emu_verb_sym_key_import,
      EMU_CTR_KEY_IMPORTS },
    { IBM4767_VERB_SYM_ENCIPHER, EMU_ENGINE_SYM, emu_verb_sym_encipher,
      EMU_CTR_SYMMETRIC_REQUESTS },
    { IBM4767_VERB_SYM_DECIPHER, EMU_ENGINE_SYM, emu_verb_sym_decipher,
      EMU_CTR_SYMMETRIC_REQUESTS },
    /* Administration runs on the card's CPU; admin.c decides who may send
     * each verb and in which device state. */
    { IBM4767_VERB_ADMIN_RESET, EMU_ENGINE_CPU, emu_verb_admin_reset,
      EMU_CTR_NONE },
    { IBM4767_VERB_ADMIN_INJECT, EMU_ENGINE_CPU, emu_verb_admin_inject,
      EMU_CTR_NONE },
    { IBM4767_VERB_ADMIN_FIRMWARE_LOAD, EMU_ENGINE_CPU,
      emu_verb_admin_firmware_load, EMU_CTR_NONE },
    { IBM4767_VERB_ADMIN_FIRMWARE_UNLOAD, EMU_ENGINE_CPU,
      emu_verb_admin_firmware_unload, EMU_CTR_NONE },
    { IBM4767_VERB_ADMIN_BATTERY_REPLACED, EMU_ENGINE_CPU,
      emu_verb_admin_battery_replaced, EMU_CTR_NONE },
    { IBM4767_VERB_MK_LOAD_PART, EMU_ENGINE_CPU, emu_verb_mk_load_part,
      EMU_CTR_NONE },
    { IBM4767_VERB_MK_SET, EMU_ENGINE_CPU, emu_verb_mk_set, EMU_CTR_NONE },
    { IBM4767_VERB_MK_CLEAR, EMU_ENGINE_CPU, emu_verb_mk_clear,
      EMU_CTR_NONE },
    { IBM4767_VERB_ACP_QUERY, EMU_ENGINE_CPU, emu_verb_acp_query,
      EMU_CTR_NONE },
    { IBM4767_VERB_ACP_SET, EMU_ENGINE_CPU, emu_verb_acp_set, EMU_CTR_NONE },
    { IBM4767_VERB_KEY_TOKEN_CHANGE, EMU_ENGINE_PKA,
      emu_verb_key_token_change, EMU_CTR_NONE },
    { IBM4767_VERB_VALIDATION_CHAIN, EMU_ENGINE_CPU,
      emu_verb_validation_chain, EMU_CTR_NONE },
};

static const struct emu_verb *find_verb(uint16_t verb)
{
    for (size_t i = 0; i < sizeof(verb_table) / sizeof(verb_table[0]); i++) {
        if (verb_table[i].verb == verb)
            return &verb_table[i];
    }
    return NULL;
}

int emu_request_short(struct emu_result *res, const char *field)
{
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                    "request field '%s' is missing or runs past the end of "
                    "the payload", field);
}

int emu_request_done(const struct ibm4767_rbuf *req, struct emu_result *res)
{
    if (ibm4767_rbuf_done(req))
        return 1;
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                    "%zu bytes follow the last field of the request",
                    req->len - req->pos);
}

/* ---------------------------------------------------------------------- */
/* Logging refused requests, at most REJECT_LOG_PER_SECOND lines a second  */

static atomic_llong reject_window;
static atomic_int reject_logged;
static atomic_int reject_suppressed;

static int reject_log_allowed(void)
{
    long long now = (long long)time(NULL);
    long long window = atomic_load(&reject_window);

    if (now != window
        && atomic_compare_exchange_strong(&reject_window, &window, now)) {
        int dropped = atomic_exchange(&reject_suppressed, 0);

        atomic_store(&reject_logged, 0);
        if (dropped > 0)
            IBM4767_WARN("%d more refused requests were not logged in the "
                         "last second", dropped);
    }
    if (atomic_fetch_add(&reject_logged, 1) < REJECT_LOG_PER_SECOND)
        return 1;
    atomic_fetch_add(&reject_suppressed, 1);
    return 0;
}

static void log_rejection(const struct emu_job *job, uint32_t rc,
                          uint32_t reason, const char *detail)
{
    int level = rc >= CCA_RC_INTERNAL ? IBM4767_LOG_ERROR : IBM4767_LOG_INFO;

    if (!ibm4767_log_enabled(level) || !reject_log_allowed())
        return;
    ibm4767_log(level, "conn %lu req %u %s (0x%04x): %u/%u: %s",
                emu_conn_id(job->conn), job->hdr.request_id,
                ibm4767_verb_name(job->hdr.verb), job->hdr.verb, rc, reason,
                detail[0] != '\0' ? detail : "refused");
}

/* ---------------------------------------------------------------------- */
/* Replies                                                                 */

static void store_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Fill in the header and the codes of a reply built after a prefix. */
static void finish_reply(uint8_t *frame, size_t len,
                         const struct emu_job *job, uint32_t rc,
                         uint32_t reason)
{
    struct ibm4767_header hdr;

    hdr.version = IBM4767_PROTO_VERSION;
    hdr.flags = IBM4767_FLAG_REPLY;
    hdr.verb = job->hdr.verb;
    hdr.request_id = job->hdr.request_id;
    hdr.payload_len = (uint32_t)(len - IBM4767_HEADER_LEN);
    ibm4767_header_encode(&hdr, frame);
    store_u32(frame + IBM4767_HEADER_LEN, rc);
    store_u32(frame + IBM4767_HEADER_LEN + 4, reason);
    store_u32(frame + IBM4767_HEADER_LEN + 8,
              emu_admin_reply_driver_code(emu_server_device(job->server), rc,
                                          reason));
}

/* Send an error reply without running the verb (I/O thread). */
static void reject(struct emu_job *job, uint32_t rc, uint32_t reason,
                   const char *detail)
{
    struct emu_device *dev = emu_server_device(job->server);
    uint8_t frame[REPLY_PREFIX_LEN];

    emu_counter_add(&dev->counters, EMU_CTR_REQUESTS, 1);
    emu_counter_add(&dev->counters, EMU_CTR_REJECTED, 1);
    log_rejection(job, rc, reason, detail);
    finish_reply(frame, sizeof(frame), job, rc, reason);
    emu_conn_send(job->conn, frame, sizeof(frame));
    emu_job_finish(job);
}

/* ---------------------------------------------------------------------- */
/* Requests in flight: handed to an engine, reply not yet sent             */

static atomic_llong in_flight;
static atomic_llong max_in_flight;

/* Counted before the submission, because a worker may finish the job
 * before emu_engine_try_submit() returns. */
static int submit_counted(struct emu_engine *eng, struct emu_job *job)
{
    long long now = atomic_fetch_add(&in_flight, 1) + 1;
    long long max = atomic_load(&max_in_flight);

    while (now > max &&
           !atomic_compare_exchange_weak(&max_in_flight, &max, now))
        continue;
    if (emu_engine_try_submit(eng, job))
        return 1;
    atomic_fetch_sub(&in_flight, 1);
    return 0;
}

void emu_dispatch_in_flight(uint64_t *now, uint64_t *max)
{
    long long n = atomic_load(&in_flight);

    *now = n > 0 ? (uint64_t)n : 0;
    *max = (uint64_t)atomic_load(&max_in_flight);
}

int emu_dispatch(struct emu_server *srv, struct emu_job *job)
{
    struct emu_device *dev = emu_server_device(srv);
    const struct emu_verb *verb;
    uint32_t rc, reason;
    char detail[256];

    if (job->reject_rc != 0) {
        reject(job, job->reject_rc, job->reject_reason, job->reject_what);
        return 1;
    }
    verb = find_verb(job->hdr.verb);
    if (verb == NULL) {
        snprintf(detail, sizeof(detail), "verb 0x%04x is not implemented "
                 "by this device", job->hdr.verb);
        reject(job, CCA_RC_ERROR, CCA_RS_VERB_UNKNOWN, detail);
        return 1;
    }
    if (!emu_admin_admit(dev, job, &rc, &reason, detail, sizeof(detail))) {
        reject(job, rc, reason, detail);
        return 1;
    }
    return submit_counted(emu_server_engine(srv, verb->engine), job);
}

/* ---------------------------------------------------------------------- */
/* Running a verb (worker threads)                                         */

static int reply_begin(struct ibm4767_wbuf *reply)
{
    int ok = 1;

    ibm4767_wbuf_init(reply);
    for (size_t i = 0; i < REPLY_PREFIX_LEN / 4; i++)
        ok &= ibm4767_put_u32(reply, 0);
    return ok;
}

void emu_job_run(struct emu_job *job, void *arg)
{
    struct emu_device *dev = arg;
    const struct emu_verb *verb = find_verb(job->hdr.verb);
    struct ibm4767_rbuf req;
    struct ibm4767_wbuf reply;
    struct emu_profile_slot slot;
    struct emu_result res;
    int ok;

    emu_result_init(&res);
    ibm4767_rbuf_init(&req, job->payload, job->payload_len);
    emu_profile_enter(dev->cfg->profile, job->hdr.verb, job->payload,
                      job->payload_len, &slot);
    /* The administration lock is held while the verb runs; a reset that
     * overtakes the request drops its result. */
    ibm4767_wbuf_init(&reply);
    ok = emu_admin_job_begin(dev, job, &res) && reply_begin(&reply)
         && verb->handler(dev, &req, &reply, &res);
    emu_admin_job_end(dev, job, &res);
    emu_profile_leave(&slot);
    if ((!ok || reply.failed) && res.rc < CCA_RC_ERROR)
        emu_fail(&res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 reply.failed ? "reply does not fit: out of memory or over "
                                "the frame limit"
                              : "verb failed without a reason");

    /* Count before replying, so that a status query sent after the reply
     * arrives already counts this request. */
    emu_counter_add(&dev->counters, EMU_CTR_REQUESTS, 1);
    if (res.rc >= CCA_RC_ERROR) {
        emu_counter_add(&dev->counters, EMU_CTR_REJECTED, 1);
        log_rejection(job, res.rc, res.reason, res.detail);
    } else {
        emu_counter_add(&dev->counters, verb->counter, 1);
    }
    atomic_fetch_sub(&in_flight, 1);

    if (res.rc >= CCA_RC_ERROR) {
        /* A failed verb sends no output fields. */
        uint8_t frame[REPLY_PREFIX_LEN];

        finish_reply(frame, sizeof(frame), job, res.rc, res.reason);
        emu_conn_send(job->conn, frame, sizeof(frame));
    } else {
        finish_reply(reply.data, reply.len, job, res.rc, res.reason);
        emu_conn_send(job->conn, reply.data, reply.len);
    }
    ibm4767_wbuf_free(&reply);
    emu_job_finish(job);
    /* Leave nothing behind for the next job on this thread. */
    ERR_clear_error();
}
