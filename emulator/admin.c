/*
 * Administration state of the device and the checks every request passes:
 * who may send an administration verb, which device state a verb needs,
 * and what a reset, a firmware unload or a tamper event does to the
 * requests in flight.  Also the verbs that reset the device, inject a
 * device-driver code, load or unload the firmware and clear the battery
 * warning.
 *
 * Consequences of an injected driver code.  The tamper codes, the reset
 * bit and the warnings follow IBM's description of the driver codes; what
 * the RNG fault blocks and the handling of other codes are this
 * emulator's choice:
 *   8040FFDA, 8040FFEB, 8040FFF3, 8040FFF9  zeroize and disable for good
 *   8040FFFB                                reset: drop work, self-test
 *   8040FFFE                                warn on every reply and status
 *                                           until battery-replaced
 *   8340038F                                reject random numbers until a
 *                                           status query reports the fault
 *   8040FFBF, 8040FFDB                      report on the next status only
 *   any other 8xxxxxxx code                 reset, and report it once
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ibm4767/codes.h>
#include <ibm4767/log.h>

#include "admin.h"
#include "conn.h"
#include "retained.h"
#include "sym_engine.h"

/* Requirements of a verb beyond the defaults (a READY device, the
 * shared lock, any peer). */
#define VERB_ADMIN       0x01u /* only the daemon's user or root */
#define VERB_ANY_STATE   0x02u /* every state but ZEROIZED; never dropped */
#define VERB_EVERY_STATE 0x04u /* every state, ZEROIZED too; never dropped */
#define VERB_EXCLUSIVE   0x08u /* runs alone: changes keys or zeroizes */
#define VERB_USES_RNG    0x10u /* rejected while an RNG fault is latched */

static const struct {
    uint16_t verb;
    unsigned flags;
} verb_policy_table[] = {
    { IBM4767_VERB_STATUS, VERB_EVERY_STATE },
    { IBM4767_VERB_PKA_KEY_GENERATE, VERB_USES_RNG },
    { IBM4767_VERB_PKA_KEY_GENERATE_RETAINED, VERB_USES_RNG },
    { IBM4767_VERB_SYM_KEY_GENERATE, VERB_USES_RNG },
    { IBM4767_VERB_RANDOM_NUMBER_GENERATE, VERB_USES_RNG },
    { IBM4767_VERB_ADMIN_RESET, VERB_ADMIN | VERB_ANY_STATE },
    { IBM4767_VERB_ADMIN_INJECT, VERB_ADMIN | VERB_ANY_STATE
                                 | VERB_EXCLUSIVE },
    { IBM4767_VERB_ADMIN_FIRMWARE_LOAD, VERB_ADMIN | VERB_ANY_STATE },
    { IBM4767_VERB_ADMIN_FIRMWARE_UNLOAD, VERB_ADMIN | VERB_ANY_STATE },
    { IBM4767_VERB_ADMIN_BATTERY_REPLACED, VERB_ADMIN | VERB_ANY_STATE },
    { IBM4767_VERB_MK_LOAD_PART, VERB_ADMIN | VERB_EXCLUSIVE },
    { IBM4767_VERB_MK_SET, VERB_ADMIN | VERB_EXCLUSIVE },
    { IBM4767_VERB_MK_CLEAR, VERB_ADMIN | VERB_EXCLUSIVE },
    { IBM4767_VERB_ACP_SET, VERB_ADMIN | VERB_EXCLUSIVE },
    { IBM4767_VERB_VALIDATION_CHAIN, VERB_ANY_STATE },
};

static unsigned verb_policy(uint16_t verb)
{
    for (size_t i = 0;
         i < sizeof(verb_policy_table) / sizeof(verb_policy_table[0]); i++) {
        if (verb_policy_table[i].verb == verb)
            return verb_policy_table[i].flags;
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Set-up                                                                  */

int emu_admin_init(struct emu_device *dev, char *err, size_t err_len)
{
    struct emu_admin *admin = OPENSSL_zalloc(sizeof(*admin));
    pthread_rwlockattr_t attr;

    if (admin == NULL) {
        snprintf(err, err_len, "out of memory for the administration state");
        return 0;
    }
    /* Writer preference, so that a master key change is not starved by a
     * steady stream of signatures. */
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr,
        PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&admin->lock, &attr);
    pthread_rwlockattr_destroy(&attr);

    atomic_init(&admin->epoch, 0);
    atomic_init(&admin->firmware_loaded, !dev->cfg->no_firmware);
    atomic_init(&admin->zeroized_code, dev->state.zeroized_code);
    atomic_init(&admin->battery_warning, 0);
    atomic_init(&admin->report_once, 0);
    atomic_init(&admin->rng_fault, 0);
    atomic_init(&admin->acp_disabled, dev->state.acp_disabled);
    dev->admin = admin;
    return 1;
}

void emu_admin_free(struct emu_device *dev)
{
    struct emu_admin *admin = dev->admin;

    if (admin == NULL)
        return;
    pthread_rwlock_destroy(&admin->lock);
    EVP_PKEY_free(admin->hook_key);
    OPENSSL_free(admin);
    dev->admin = NULL;
}

uint32_t emu_admin_zeroized_code(const struct emu_device *dev)
{
    if (dev->admin == NULL)
        return dev->state.zeroized_code;
    return atomic_load(&dev->admin->zeroized_code);
}

int emu_admin_firmware_loaded(const struct emu_device *dev)
{
    if (dev->admin == NULL)
        return !dev->cfg->no_firmware;
    return atomic_load(&dev->admin->firmware_loaded);
}

/* ---------------------------------------------------------------------- */
/* Admission (I/O thread)                                                  */

/* Rejected administration requests logged per second; the rest are
 * counted and the count is logged with the next line. */
#define REJECTION_WARN_PER_SECOND 10

static atomic_llong rejection_window;
static atomic_int rejection_logged;
static atomic_int rejection_suppressed;

static int rejection_log_allowed(void)
{
    long long now = (long long)time(NULL);
    long long window = atomic_load(&rejection_window);

    if (now != window
        && atomic_compare_exchange_strong(&rejection_window, &window, now)) {
        int dropped = atomic_exchange(&rejection_suppressed, 0);

        atomic_store(&rejection_logged, 0);
        if (dropped > 0)
            IBM4767_WARN("%d more rejected administration requests were "
                         "not logged", dropped);
    }
    if (atomic_fetch_add(&rejection_logged, 1) < REJECTION_WARN_PER_SECOND)
        return 1;
    atomic_fetch_add(&rejection_suppressed, 1);
    return 0;
}

/* The daemon's user and root may administer the device; everyone else in
 * the socket's group may only use keys. */
static int peer_is_administrator(const struct emu_job *job, uid_t *uid,
                                 pid_t *pid)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    *uid = (uid_t)-1;
    *pid = 0;
    if (getsockopt(job->conn->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)
        != 0)
        return 0;
    *uid = cred.uid;
    *pid = cred.pid;
    return cred.uid == 0 || cred.uid == geteuid();
}

int emu_admin_admit(struct emu_device *dev, struct emu_job *job,
                    uint32_t *rc, uint32_t *reason, char *detail,
                    size_t detail_len)
{
    unsigned policy = verb_policy(job->hdr.verb);
    uint32_t state, remaining;
    uid_t uid;
    pid_t pid;

    if ((policy & VERB_ADMIN) && !peer_is_administrator(job, &uid, &pid)) {
        *rc = CCA_RC_ERROR;
        *reason = CCA_RS_ACCESS_DENIED;
        snprintf(detail, detail_len, "administration request from pid %ld "
                 "uid %ld rejected: only uid %ld (the daemon's user) and "
                 "root may administer the device", (long)pid, (long)uid,
                 (long)geteuid());
        if (rejection_log_allowed())
            IBM4767_WARN("conn %lu req %u %s: %s", emu_conn_id(job->conn),
                         job->hdr.request_id,
                         ibm4767_verb_name(job->hdr.verb), detail);
        return 0;
    }

    /* The epoch is taken before the state, so that a reset between the
     * two drops the request instead of letting it through. */
    job->epoch = atomic_load(&dev->admin->epoch);
    if (policy & VERB_EVERY_STATE)
        return 1;
    state = emu_device_state(dev, &remaining);
    if (state == CCA_STATE_READY
        || (state != CCA_STATE_ZEROIZED && (policy & VERB_ANY_STATE)))
        return 1;
    emu_state_rejection(state, rc, reason);
    snprintf(detail, detail_len, "device is %s",
             emu_device_state_name(state));
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Running a request (workers)                                             */

static int fail_zeroized(struct emu_device *dev, struct emu_result *res,
                         const char *when)
{
    return emu_fail(res, CCA_RC_SETUP, CCA_RS_ZEROIZED,
                    "device was zeroized by driver code %08X %s",
                    emu_admin_zeroized_code(dev), when);
}

int emu_admin_job_begin(struct emu_device *dev, const struct emu_job *job,
                        struct emu_result *res)
{
    struct emu_admin *admin = dev->admin;
    unsigned policy = verb_policy(job->hdr.verb);
    uint32_t state, remaining, rc, reason;

    if (policy & VERB_EXCLUSIVE)
        pthread_rwlock_wrlock(&admin->lock);
    else
        pthread_rwlock_rdlock(&admin->lock);

    if (policy & VERB_EVERY_STATE)
        return 1;
    if (emu_admin_zeroized_code(dev) != 0)
        return fail_zeroized(dev, res, "before the request ran");
    if (policy & VERB_ANY_STATE)
        return 1;

    if (atomic_load(&admin->epoch) != job->epoch)
        return emu_fail(res, CCA_RC_SETUP, CCA_RS_REQUEST_DROPPED,
                        "a reset dropped the request before it ran");
    state = emu_device_state(dev, &remaining);
    emu_state_rejection(state, &rc, &reason);
    if (rc != CCA_RC_OK)
        return emu_fail(res, rc, reason, "device is %s",
                        emu_device_state_name(state));
    if ((policy & VERB_USES_RNG) && atomic_load(&admin->rng_fault) != 0)
        return emu_fail(res, CCA_RC_SETUP, CCA_RS_RNG_FAULT,
                        "random number generator fault %08X is latched "
                        "until a status query reports it",
                        CCA_DRV_RNG_FAULT);
    return emu_acp_check(dev, emu_acp_for_request(job), res);
}

void emu_admin_job_end(struct emu_device *dev, const struct emu_job *job,
                       struct emu_result *res)
{
    struct emu_admin *admin = dev->admin;
    unsigned policy = verb_policy(job->hdr.verb);

    if (!(policy & (VERB_ANY_STATE | VERB_EVERY_STATE))
        && atomic_load(&admin->epoch) != job->epoch) {
        if (emu_admin_zeroized_code(dev) != 0)
            fail_zeroized(dev, res, "while the request ran; its result "
                          "was dropped");
        else if (res->reason != CCA_RS_REQUEST_DROPPED)
            emu_fail(res, CCA_RC_SETUP, CCA_RS_REQUEST_DROPPED,
                     "a reset while the request ran dropped its result");
    }
    pthread_rwlock_unlock(&admin->lock);
}

uint32_t emu_admin_reply_driver_code(const struct emu_device *dev,
                                     uint32_t rc, uint32_t reason)
{
    if (dev->admin == NULL)
        return 0;
    if (rc == CCA_RC_SETUP && reason == CCA_RS_ZEROIZED)
        return emu_admin_zeroized_code(dev);
    if (rc == CCA_RC_SETUP && reason == CCA_RS_REQUEST_DROPPED)
        return CCA_DRV_RESET_BIT;
    if (rc == CCA_RC_SETUP && reason == CCA_RS_RNG_FAULT)
        return CCA_DRV_RNG_FAULT;
    if (rc < CCA_RC_ERROR)
        return atomic_load(&dev->admin->battery_warning);
    return 0;
}

uint32_t emu_admin_status_warning(struct emu_device *dev)
{
    struct emu_admin *admin = dev->admin;
    uint32_t code = emu_admin_zeroized_code(dev);

    if (code != 0)
        return code;
    code = atomic_exchange(&admin->rng_fault, 0);
    if (code != 0) {
        IBM4767_INFO("status reported the RNG fault %08X; random numbers "
                     "are served again", code);
        return code;
    }
    code = atomic_exchange(&admin->report_once, 0);
    if (code != 0)
        return code;
    return atomic_load(&admin->battery_warning);
}

/* ---------------------------------------------------------------------- */
/* Events                                                                  */

/* NOTE: nothing wakes the I/O thread, so its "self-test complete" line
 * can come later than the end of the self-test, at its next event. */
void emu_admin_reset(struct emu_device *dev, const char *why)
{
    emu_selftest_restart(dev);
    atomic_fetch_add(&dev->admin->epoch, 1);
    emu_sym_engine_reset(atomic_load(&dev->admin->epoch));
    IBM4767_WARN("reset (%s): requests in flight are dropped; self-test "
                 "runs for %u s", why, dev->cfg->post_seconds);
}

/* Zeroize: the card erases its master keys, retained keys and device key
 * and stays disabled.  Runs under the exclusive lock. */
static int zeroize(struct emu_device *dev, uint32_t code,
                   struct emu_result *res)
{
    char err[256];
    int saved = emu_state_zeroize(&dev->state, code, err, sizeof(err));

    /* Whatever the disk allowed, the keys in memory go now. */
    OPENSSL_cleanse(dev->state.mk, sizeof(dev->state.mk));
    emu_keycache_clear(dev->keycache);
    emu_retained_clear(dev);
    EVP_PKEY_free(dev->state.device_key);
    EVP_PKEY_free(dev->admin->hook_key);
    X509_free(dev->state.device_cert);
    X509_free(dev->state.class_cert);
    dev->state.device_key = dev->admin->hook_key = NULL;
    dev->state.device_cert = dev->state.class_cert = NULL;
    atomic_store(&dev->admin->zeroized_code, code);
    atomic_fetch_add(&dev->admin->epoch, 1);
    emu_sym_engine_reset(atomic_load(&dev->admin->epoch));
    IBM4767_ERROR("driver code %08X (%s): the device is zeroized and "
                  "permanently disabled; master keys, retained keys, device "
                  "key and certificates erased; start ibm4767-emud with "
                  "--reinitialize to make a new device", code,
                  cca_driver_code_lookup(code)->name);
    if (!saved) {
        IBM4767_ERROR("zeroize: %s", err);
        return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "the device is zeroized in memory, but the state "
                        "directory could not be erased: %s", err);
    }
    return 1;
}

static int is_tamper_code(uint32_t code)
{
    return code == CCA_DRV_DEAD_BATTERY || code == CCA_DRV_TEMPERATURE
           || code == CCA_DRV_VOLTAGE || code == CCA_DRV_MESH_TAMPER;
}

/* Act on an injected code (the file comment lists what each does). */
static int inject(struct emu_device *dev, uint32_t code,
                  struct emu_result *res)
{
    struct emu_admin *admin = dev->admin;
    const char *name = cca_driver_code_lookup(code)->name;

    if (is_tamper_code(code))
        return zeroize(dev, code, res);
    switch (code) {
    case CCA_DRV_RESET_BIT:
        emu_admin_reset(dev, "injected reset bit 8040FFFB");
        return 1;
    case CCA_DRV_BATTERY_WARNING:
        atomic_store(&admin->battery_warning, code);
        IBM4767_WARN("driver code %08X (%s): reported on every reply "
                     "until ibm4767-clu battery-replaced", code, name);
        return 1;
    case CCA_DRV_RNG_FAULT:
        atomic_store(&admin->rng_fault, code);
        IBM4767_WARN("driver code %08X (%s): random number requests are "
                     "rejected until a status query reports it", code, name);
        return 1;
    case CCA_DRV_INTRUSION_LATCH:
    case CCA_DRV_XRAY_TAMPER:
        atomic_store(&admin->report_once, code);
        IBM4767_WARN("driver code %08X (%s): reported on the next status; "
                     "the device takes no action", code, name);
        return 1;
    default:
        atomic_store(&admin->report_once, code);
        emu_admin_reset(dev, name);
        return 1;
    }
}

/* ---------------------------------------------------------------------- */
/* Verbs                                                                   */

static int no_fields(struct ibm4767_rbuf *req, struct emu_result *res)
{
    return emu_request_done(req, res);
}

int emu_verb_admin_reset(struct emu_device *dev, struct ibm4767_rbuf *req,
                         struct ibm4767_wbuf *reply, struct emu_result *res)
{
    (void)reply;
    if (!no_fields(req, res))
        return 0;
    emu_admin_reset(dev, "requested by the administrator");
    return 1;
}

int emu_verb_admin_inject(struct emu_device *dev, struct ibm4767_rbuf *req,
                          struct ibm4767_wbuf *reply, struct emu_result *res)
{
    uint32_t code;

    (void)reply;
    if (!ibm4767_get_u32(req, &code))
        return emu_request_short(res, "driver code");
    if (!emu_request_done(req, res))
        return 0;
    if ((code & 0x80000000u) == 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "%08X is not a device-driver code: those have the "
                        "form 8xxxxxxx", code);
    IBM4767_INFO("injected driver code %08X (%s)", code,
                 cca_driver_code_lookup(code)->name);
    return inject(dev, code, res);
}

int emu_verb_admin_firmware_load(struct emu_device *dev,
                                 struct ibm4767_rbuf *req,
                                 struct ibm4767_wbuf *reply,
                                 struct emu_result *res)
{
    (void)reply;
    if (!no_fields(req, res))
        return 0;
    atomic_store(&dev->admin->firmware_loaded, 1);
    emu_admin_reset(dev, "CCA firmware loaded");
    return 1;
}

int emu_verb_admin_firmware_unload(struct emu_device *dev,
                                   struct ibm4767_rbuf *req,
                                   struct ibm4767_wbuf *reply,
                                   struct emu_result *res)
{
    (void)reply;
    if (!no_fields(req, res))
        return 0;
    atomic_store(&dev->admin->firmware_loaded, 0);
    atomic_fetch_add(&dev->admin->epoch, 1);
    emu_sym_engine_reset(atomic_load(&dev->admin->epoch));
    IBM4767_WARN("CCA firmware unloaded: requests in flight are dropped and "
                 "every verb gets 12/338 until ibm4767-clu load");
    return 1;
}

int emu_verb_admin_battery_replaced(struct emu_device *dev,
                                    struct ibm4767_rbuf *req,
                                    struct ibm4767_wbuf *reply,
                                    struct emu_result *res)
{
    (void)reply;
    if (!no_fields(req, res))
        return 0;
    if (atomic_exchange(&dev->admin->battery_warning, 0) != 0)
        IBM4767_INFO("batteries replaced: battery warning %08X cleared",
                     CCA_DRV_BATTERY_WARNING);
    return 1;
}
