/*
 * Internals of libibm4767 shared by the backend object (backend.c), the
 * connection pool (pool.c), the dispatcher (dispatch.c), the readiness
 * check (readiness.c), request, reply and result helpers (reply.c,
 * result.c) and the verb files (verbs_*.c).  Not installed.
 */
#ifndef IBM4767_BACKEND_INT_H
#define IBM4767_BACKEND_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ibm4767/cca.h>
#include <ibm4767/protocol.h>
#include <ibm4767/token.h>
#include <ibm4767/transport.h>

/* Idle connections kept per device; more are closed when returned. */
#define CCA_POOL_IDLE_MAX 64
/* How long a device that failed (no firmware, zeroized, unreachable) is
 * passed over while another device can serve, in milliseconds. */
#define CCA_DEVICE_HOLDOFF_MS 5000
/* Maximum wait for one reply, in milliseconds.  NOTE: a fixed guess that covers RSA-4096
 * key generation behind a full device queue; not configurable yet. */
#define CCA_REPLY_TIMEOUT_MS (300 * 1000)
#define CCA_REPLY_TIME_SLOTS 32
/* A warning driver code that every reply repeats (battery warning) is
 * logged once per this many milliseconds per device. */
#define CCA_WARNING_LOG_INTERVAL_MS (60 * 1000)

/* A connection of a device's pool.  Every open connection is on the
 * device's all-list, so that a forked child can close its copies of the
 * ones other threads had checked out.  Idle ones are also on the idle
 * stack. */
struct cca_pool_conn {
    struct cca_conn *conn;
    struct cca_pool_conn *next_idle;
    struct cca_pool_conn *prev_all;
    struct cca_pool_conn *next_all;
};

/* The host's view of a device's readiness. */
enum cca_readiness {
    CCA_READINESS_UNKNOWN = 0,    /* not checked since start, a lost
                                   * connection or a failure */
    CCA_READINESS_READY,          /* last status reported READY */
    CCA_READINESS_SELF_TEST,      /* status reported SELF_TEST, or a verb
                                   * returned 12/4767 */
};

struct cca_device {
    int index;
    char *path;
    char name[8];                 /* "CRP01" for index 0 */

    /* Guards the two lists.  Never held across I/O, so that fork and
     * other threads only ever wait for a few pointer updates. */
    pthread_mutex_t lock;
    struct cca_pool_conn *idle;
    size_t idle_count;
    struct cca_pool_conn *all;

    atomic_int outstanding;       /* requests sent, reply not yet in */
    atomic_int readiness;         /* enum cca_readiness */
    atomic_llong down_until;      /* monotonic ms; 0 when not held off */
    atomic_uint last_warning;     /* driver code last logged as warning */
    atomic_llong warning_logged_ms; /* monotonic ms of that log line */

    /* Recent reply time per kind of request: verb << 32 | microseconds,
     * in a slot chosen by a hash of the verb (see cca_pool_spin_budget). */
    atomic_ullong reply_us[CCA_REPLY_TIME_SLOTS];

    /* Serial number of the device's last status reply, "" before one;
     * guarded by lock.  It identifies the device that keeps a
     * retained key. */
    char serial[32];
};

struct cca_backend {
    long ready_timeout_ms;
    unsigned spin_wait_us;        /* 0: always sleep while waiting */
    int device_count;
    struct cca_device devices[CCA_MAX_DEVICES];

    /* CSU_DEFAULT_ADAPTER=CRPnn pins every request to device nn - 1.
     * pin_error holds the reason when the variable names no device. */
    int pinned;                   /* device index, or -1 */
    char pin_error[160];

    atomic_uint next_request_id;
    atomic_uint next_start;       /* rotates ties between devices */

    /* The process the connections belong to, and its fork generation
     * (backend.c).  A different generation means a forked child, which
     * must not touch them. */
    atomic_int owner_pid;
    atomic_uint owner_generation;
    pthread_mutex_t fork_lock;

    /* Registry of live backends, walked by the fork handlers. */
    struct cca_backend *next_live;

    /* Transport cca: the CCA host library, and the devices above are its
     * adapters (path "CRP01", ...).  NULL with the socket transport. */
    struct cca_lib *cca;
};

/* One request as the verb functions hand it to the dispatcher. */
struct cca_request {
    int device;                   /* index, or -1 to let the backend choose */
    uint16_t verb;
    int resendable;               /* cannot change device state: safe to
                                   * send again after a lost connection */
    int wait_ready;               /* 0 only for a status query that must
                                   * answer in any device state */
    const struct ibm4767_wbuf *payload;
    /* The PKA key token the request uses, or NULL.  A retained key's
     * token sends the request to the device that keeps the key, and
     * never to another one (retained.c). */
    const uint8_t *key_token;
    size_t key_token_len;
};

/* A request to any device that waits for readiness. */
void cca_request_init(struct cca_request *req, uint16_t verb, int resendable,
                      const struct ibm4767_wbuf *payload);

/* The reply of a request: rb is positioned after the rc, reason and
 * driver code, at the verb's first output field. */
struct cca_reply {
    uint8_t *payload;
    size_t len;
    struct ibm4767_rbuf rb;
};

long long cca_monotonic_ms(void);
void cca_sleep_ms(long ms);

/* Drop the inherited connections when called in a forked child. */
void cca_backend_check_fork(struct cca_backend *be);
/* Close every connection of dev, idle or checked out.  Only for a forked
 * child, where no other thread can be using them, and for free. */
void cca_pool_drop_all(struct cca_device *dev);

/* Send req and receive its reply, choosing and readying a device.  Returns
 * 1 when the device returned rc 0 or 4 (fields follow in reply->rb), 0
 * otherwise; res is filled in both cases.  Free reply with
 * cca_reply_free. */
int cca_backend_call(struct cca_backend *be, const struct cca_request *req,
                     struct cca_reply *reply, struct cca_result *res);
void cca_reply_free(struct cca_reply *reply);

/* One request and reply on a pooled connection of dev, without the
 * readiness logic.  Returns 1 when a reply came back in sync (rc, reason
 * and driver code decoded into res), 0 on a transport failure with res set
 * to a host code. */
int cca_device_exchange(struct cca_backend *be, struct cca_device *dev,
                        uint16_t verb, const struct ibm4767_wbuf *payload,
                        struct cca_reply *reply, struct cca_result *res);

/* Wait until dev reports READY, polling its status with back-off until
 * deadline (monotonic ms).  Returns 1 when ready; 0 with res set
 * otherwise.  A negative deadline checks once and returns 12/4767 at once
 * when the device is in self-test. */
int cca_device_wait_ready(struct cca_backend *be, struct cca_device *dev,
                          long long deadline, struct cca_result *res);

/* Inside an OpenSSL ASYNC_JOB, pause the job until the reply on pc (a
 * connection of dev checked out by this request) is readable (async.c).
 * Outside a job, or when the job cannot pause, return at once so that the
 * caller blocks in read().  Returns 1 when the job paused at least once. */
int cca_async_wait_reply(struct cca_device *dev, struct cca_pool_conn *pc);
/* Close pc, checked out for a request whose ASYNC job was freed before
 * its reply was read, and count the request as no longer outstanding
 * (pool.c). */
void cca_pool_abandon(struct cca_device *dev, struct cca_pool_conn *pc);

/* Decode a status reply's fields (after rc, reason, driver code). */
int cca_status_decode(struct ibm4767_rbuf *rb, struct cca_status *st);

/* Read the reply's next byte-string field (reply.c).  take: into a new
 * OPENSSL_malloc buffer; copy: into out, which has room for *out_len
 * bytes.  Both check that the field is the reply's last and set res to
 * a host code naming field when it is missing or does not fit. */
int cca_reply_take_bytes(struct cca_reply *reply, uint8_t **out,
                         size_t *out_len, const char *field,
                         struct cca_result *res);
int cca_reply_copy_bytes(struct cca_reply *reply, uint8_t *out,
                         size_t *out_len, const char *field,
                         struct cca_result *res);
/* Check that the reply has no fields left. */
int cca_reply_finish(struct cca_reply *reply, struct cca_result *res);

/* Send payload as verb to any device (cca_request_init) and read the
 * reply's single byte-string field like cca_reply_take_bytes or
 * cca_reply_copy_bytes (reply.c).  resendable is as in struct
 * cca_request.  Returns 1 on success, 0 with res set otherwise. */
int cca_call_take_bytes(struct cca_backend *be, uint16_t verb, int resendable,
                        const struct ibm4767_wbuf *payload, uint8_t **out,
                        size_t *out_len, const char *field,
                        struct cca_result *res);
int cca_call_copy_bytes(struct cca_backend *be, uint16_t verb, int resendable,
                        const struct ibm4767_wbuf *payload, uint8_t *out,
                        size_t *out_len, const char *field,
                        struct cca_result *res);

/* As cca_call_take_bytes and cca_call_copy_bytes for a request that uses
 * the PKA key token token: a retained key's token sends it to the device
 * that keeps the key (reply.c). */
int cca_call_key_take_bytes(struct cca_backend *be, uint16_t verb,
                            const uint8_t *token, size_t token_len,
                            const struct ibm4767_wbuf *payload,
                            uint8_t **out, size_t *out_len,
                            const char *field, struct cca_result *res);
int cca_call_key_copy_bytes(struct cca_backend *be, uint16_t verb,
                            const uint8_t *token, size_t token_len,
                            const struct ibm4767_wbuf *payload, uint8_t *out,
                            size_t *out_len, const char *field,
                            struct cca_result *res);

/* Retained keys (retained.c). */
/* Record the serial number a status reply of dev reported. */
void cca_device_note_serial(struct cca_device *dev, const char *serial);
/* When token is a retained key's token, parse it into *tok and set *want
 * to the index of the device that keeps the key: returns 1.  Returns 0
 * for any other token, and -1 with res set when no configured device can
 * be found to hold the key, or CSU_DEFAULT_ADAPTER pins another one. */
int cca_retained_route(struct cca_backend *be, const uint8_t *token,
                       size_t token_len, struct cca_pka_token *tok,
                       int *want, struct cca_result *res);
/* Rewrite the detail of a failed request for the retained key of tok,
 * sent to device index device: what failed for which key on which
 * device, and that no other device was tried. */
void cca_retained_explain(struct cca_backend *be,
                          const struct cca_pka_token *tok, int device,
                          struct cca_result *res);

/* Check a PKA key token argument: present, non-empty and at most
 * CCA_TOKEN_MAX bytes (verbs_pka.c).  Returns 1, or 0 with res set to a
 * host code. */
int cca_check_pka_token(const uint8_t *token, size_t token_len,
                        struct cca_result *res);

/* Result helpers (result.c). */
void cca_result_init(struct cca_result *res);
void cca_result_set_device(struct cca_result *res,
                           const struct cca_device *dev);
void cca_result_set(struct cca_result *res, uint32_t rc, uint32_t reason,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int cca_result_ok(const struct cca_result *res);

#endif
