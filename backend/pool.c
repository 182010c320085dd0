/*
 * The connection pool of a device and one request/reply exchange on it.
 *
 * Threads share nothing while they wait for a device: a request checks a
 * connection out of the pool (or opens one), carries exactly one request
 * and reply on it, and returns it.  The pool lock only guards list
 * updates.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "backend_int.h"

static void all_unlink(struct cca_device *dev, struct cca_pool_conn *pc)
{
    if (pc->prev_all != NULL)
        pc->prev_all->next_all = pc->next_all;
    else
        dev->all = pc->next_all;
    if (pc->next_all != NULL)
        pc->next_all->prev_all = pc->prev_all;
    pc->prev_all = NULL;
    pc->next_all = NULL;
}

static void pool_discard(struct cca_device *dev, struct cca_pool_conn *pc)
{
    pthread_mutex_lock(&dev->lock);
    all_unlink(dev, pc);
    pthread_mutex_unlock(&dev->lock);

    cca_conn_close(pc->conn);
    OPENSSL_free(pc);
}

void cca_pool_abandon(struct cca_device *dev, struct cca_pool_conn *pc)
{
    atomic_fetch_sub(&dev->outstanding, 1);
    pool_discard(dev, pc);
}

void cca_pool_drop_all(struct cca_device *dev)
{
    struct cca_pool_conn *pc;

    pthread_mutex_lock(&dev->lock);
    pc = dev->all;
    dev->all = NULL;
    dev->idle = NULL;
    dev->idle_count = 0;
    pthread_mutex_unlock(&dev->lock);

    while (pc != NULL) {
        struct cca_pool_conn *next = pc->next_all;

        cca_conn_close(pc->conn);
        OPENSSL_free(pc);
        pc = next;
    }
}

/* An idle connection with anything to read has been closed by the device
 * or contains bytes no request expects, so it cannot be used. */
static int conn_is_usable(const struct cca_conn *conn)
{
    struct pollfd pfd = { .fd = cca_conn_fd(conn), .events = POLLIN };
    int r;

    if (cca_conn_buffered(conn) > 0)
        return 0;
    do {
        r = poll(&pfd, 1, 0);
    } while (r < 0 && errno == EINTR);
    return r == 0;
}

static struct cca_pool_conn *pool_checkout(struct cca_device *dev,
                                           struct cca_result *res)
{
    struct cca_pool_conn *pc;
    struct cca_conn *conn;
    char err[256];

    for (;;) {
        pthread_mutex_lock(&dev->lock);
        pc = dev->idle;
        if (pc != NULL) {
            dev->idle = pc->next_idle;
            dev->idle_count--;
            pc->next_idle = NULL;
        }
        pthread_mutex_unlock(&dev->lock);

        if (pc == NULL)
            break;
        if (conn_is_usable(pc->conn))
            return pc;
        IBM4767_DEBUG("%s: idle connection closed by the device, "
                      "opening a new one", dev->name);
        pool_discard(dev, pc);
    }

    conn = cca_conn_open(dev->path, err, sizeof(err));
    if (conn == NULL) {
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_CONNECT_FAILED,
                       "connect: %s", strerror(errno));
        IBM4767_DEBUG("%s: %s", dev->name, err);
        return NULL;
    }
    pc = OPENSSL_zalloc(sizeof(*pc));
    if (pc == NULL) {
        cca_conn_close(conn);
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a pooled connection");
        return NULL;
    }
    pc->conn = conn;

    pthread_mutex_lock(&dev->lock);
    pc->next_all = dev->all;
    if (dev->all != NULL)
        dev->all->prev_all = pc;
    dev->all = pc;
    pthread_mutex_unlock(&dev->lock);
    return pc;
}

static void pool_checkin(struct cca_device *dev, struct cca_pool_conn *pc)
{
    pthread_mutex_lock(&dev->lock);
    if (dev->idle_count < CCA_POOL_IDLE_MAX) {
        pc->next_idle = dev->idle;
        dev->idle = pc;
        dev->idle_count++;
        pc = NULL;
    } else {
        all_unlink(dev, pc);
    }
    pthread_mutex_unlock(&dev->lock);

    if (pc != NULL) {
        cca_conn_close(pc->conn);
        OPENSSL_free(pc);
    }
}

/* ---- Waiting without sleeping ------------------------------------------ */

static atomic_ullong *reply_time_slot(struct cca_device *dev, uint16_t verb)
{
    return &dev->reply_us[((uint32_t)verb * 2654435761u >> 16)
                          % CCA_REPLY_TIME_SLOTS];
}

/*
 * Return how long to check for the reply before going to sleep.  Spinning
 * happens only while this request is the process's single outstanding one
 * on the device, because with more the CPU is better left to the other
 * threads and to the device.  It also needs recent replies of this verb
 * within twice the configured spin-wait time: a P-256 signature qualifies,
 * an RSA-2048 one (a few hundred microseconds) does not.
 */
static unsigned spin_budget(const struct cca_backend *be,
                            struct cca_device *dev, uint16_t verb,
                            int outstanding)
{
    unsigned long long v;
    unsigned us;

    if (be->spin_wait_us == 0 || outstanding != 1)
        return 0;
    v = atomic_load_explicit(reply_time_slot(dev, verb),
                             memory_order_relaxed);
    us = (unsigned)(v & 0xffffffffu);
    /* A reply time measured while sleeping includes the wake-up, which
     * spinning saves, so the limit is twice the spin time. */
    if ((uint16_t)(v >> 32) != verb || us == 0 || us > 2 * be->spin_wait_us)
        return 0;
    return be->spin_wait_us;
}

/* Remember a reply time, smoothed: a slower reply counts at once, a
 * faster one by a quarter, so one quick reply does not start spinning
 * for a kind of request that is usually slow. */
static void record_reply_time(struct cca_device *dev, uint16_t verb,
                              long long us)
{
    atomic_ullong *slot = reply_time_slot(dev, verb);
    unsigned long long v = atomic_load_explicit(slot, memory_order_relaxed);
    unsigned long long old_us = v & 0xffffffffu;
    unsigned long long sample = us < 1 ? 1 : us > 0x7fffffff ? 0x7fffffff
                                : (unsigned long long)us;

    if ((uint16_t)(v >> 32) == verb && old_us != 0 && sample < old_us)
        sample = old_us - (old_us - sample) / 4;
    atomic_store_explicit(slot, (unsigned long long)verb << 32 | sample,
                          memory_order_relaxed);
}

static long long now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void cca_reply_free(struct cca_reply *reply)
{
    if (reply == NULL)
        return;
    OPENSSL_clear_free(reply->payload, reply->len);
    memset(reply, 0, sizeof(*reply));
}

int cca_device_exchange(struct cca_backend *be, struct cca_device *dev,
                        uint16_t verb, const struct ibm4767_wbuf *payload,
                        struct cca_reply *reply, struct cca_result *res)
{
    const char *verb_name = ibm4767_verb_name(verb);
    struct ibm4767_header hdr;
    struct cca_pool_conn *pc;
    uint8_t *buf = NULL;
    size_t len = 0;
    uint32_t id;
    int outstanding;
    long long sent_us;
    char err[256];

    memset(reply, 0, sizeof(*reply));
    cca_result_set_device(res, dev);

    pc = pool_checkout(dev, res);
    if (pc == NULL)
        return 0;

    id = atomic_fetch_add(&be->next_request_id, 1);
    outstanding = atomic_fetch_add(&dev->outstanding, 1) + 1;
    sent_us = now_us();
    if (!cca_conn_send(pc->conn, verb, id, payload->data, payload->len)) {
        atomic_fetch_sub(&dev->outstanding, 1);
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_IO_ERROR,
                       "sending request %u (%s) failed: %s", id, verb_name,
                       strerror(errno));
        pool_discard(dev, pc);
        return 0;
    }
    /* Inside an ASYNC_JOB the thread serves other jobs until the reply
     * is there.  NOTE: the reply timeout only counts once the job is
     * resumed; while paused, the application's own timeout applies. */
    if (!cca_async_wait_reply(dev, pc))
        cca_conn_spin_readable(pc->conn,
                               spin_budget(be, dev, verb, outstanding));
    if (!cca_conn_recv(pc->conn, &hdr, &buf, &len, CCA_REPLY_TIMEOUT_MS, err,
                       sizeof(err))) {
        atomic_fetch_sub(&dev->outstanding, 1);
        cca_result_set(res, CCA_RC_SETUP, CCA_RS_HOST_IO_ERROR,
                       "request %u (%s): %s", id, verb_name, err);
        pool_discard(dev, pc);
        return 0;
    }
    atomic_fetch_sub(&dev->outstanding, 1);
    record_reply_time(dev, verb, now_us() - sent_us);

    if (!(hdr.flags & IBM4767_FLAG_REPLY) || hdr.verb != verb ||
        hdr.request_id != id) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "reply to request %u (%s, verb 0x%04x) carries "
                       "request id %u, verb 0x%04x, flags 0x%02x", id,
                       verb_name, verb, hdr.request_id, hdr.verb, hdr.flags);
        OPENSSL_clear_free(buf, len);
        pool_discard(dev, pc);
        return 0;
    }
    pool_checkin(dev, pc);

    ibm4767_rbuf_init(&reply->rb, buf, len);
    reply->payload = buf;
    reply->len = len;
    if (!ibm4767_get_u32(&reply->rb, &res->rc) ||
        !ibm4767_get_u32(&reply->rb, &res->reason) ||
        !ibm4767_get_u32(&reply->rb, &res->driver_code)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "reply to request %u (%s) is %zu bytes, shorter "
                       "than its 12-byte return code block", id, verb_name,
                       len);
        cca_reply_free(reply);
        return 0;
    }
    snprintf(res->detail, sizeof(res->detail), "%s request %u", verb_name,
             id);
    IBM4767_DEBUG("%s req %u %s: %u/%u driver %08X", dev->name, id,
                  verb_name, res->rc, res->reason, res->driver_code);
    return 1;
}
