/*
 * Waiting for a reply inside an OpenSSL ASYNC_JOB.
 *
 * libssl with SSL_MODE_ASYNC (HAProxy's ssl-mode-async, for example) runs
 * each handshake step in an ASYNC_JOB.  When a verb is called inside a
 * job, the request is sent as usual on a pooled connection.  Then, instead
 * of blocking in read(), the job pauses.  libssl returns
 * SSL_ERROR_WANT_ASYNC, the application polls the job's wait descriptor
 * together with its other work, and it resumes the handshake when the
 * reply has arrived.  One thread thus keeps many requests in flight, each
 * on a pooled connection of its own.  Outside a job nothing changes: the
 * caller blocks in read().
 *
 * The wait descriptor is an epoll instance that belongs to the job's
 * ASYNC_WAIT_CTX (in libssl, one per SSL object).  It is created and
 * registered with the wait context once, at the first pause, and closed
 * by the cleanup callback when the wait context is freed.  For each
 * request the connection's socket is added to the epoll instance before
 * the job pauses and removed after the reply is readable, so the epoll
 * descriptor becomes readable exactly when the reply is there.  The
 * application therefore polls one descriptor that stays the same for the
 * SSL object's life.  HAProxy needs that: it learns of descriptors
 * removed from a wait context only on the next SSL_ERROR_WANT_ASYNC, so
 * registering the pooled socket itself let the same descriptor number
 * reach HAProxy twice once the connection was reused.
 *
 * The job reads the reply itself after it resumes, and the connection
 * stays checked out by this one request until then.  When the application
 * frees the wait context of a job that is still paused (HAProxy does so
 * when a client goes away mid-handshake), the cleanup callback discards
 * that connection, because an unread reply may still arrive on it.
 *
 * NOTE: only the wait for a reply pauses.  Opening a connection and the
 * readiness wait while a device runs its self-test still block the
 * thread.  The epoll descriptor is Linux-specific.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <openssl/async.h>
#include <openssl/crypto.h>

#include <ibm4767/log.h>

#include "backend_int.h"

/* The key of the wait descriptor in the job's ASYNC_WAIT_CTX. */
static const char wait_fd_key;

/* The wait descriptor of one ASYNC_WAIT_CTX, stored as its custom data. */
struct async_waiter {
    int epoll_fd;
    pid_t pid;                    /* process that created epoll_fd */
    /* The request the paused job waits for, or NULL between requests. */
    struct cca_device *dev;
    struct cca_pool_conn *pc;
};

/* Returns 1 when fd has input or a hang-up to read, 0 when not yet. */
static int fd_readable(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int r;

    do {
        r = poll(&pfd, 1, 0);
    } while (r < 0 && errno == EINTR);
    /* On a poll error the read that follows reports it. */
    return r != 0;
}

/* Frees a waiter when libcrypto frees its ASYNC_WAIT_CTX. */
static void waiter_cleanup(ASYNC_WAIT_CTX *wait_ctx, const void *key,
                           OSSL_ASYNC_FD fd, void *custom_data)
{
    struct async_waiter *w = custom_data;

    (void)wait_ctx;
    (void)key;
    if (w == NULL)
        return;

    /* In a forked child the pool has already closed its copies of the
     * parent's connections, so pc is not touched there. */
    /* NOTE: this assumes the backend outlives a wait context freed with
     * a job still paused, which holds while the provider is loaded. */
    if (w->pc != NULL && w->pid == getpid()) {
        IBM4767_DEBUG("%s: ASYNC job freed while waiting for a reply; "
                      "closing its connection", w->dev->name);
        cca_pool_abandon(w->dev, w->pc);
    }
    close(fd);
    OPENSSL_free(w);
}

/* Looks up the waiter of wait_ctx, creating and registering it at the
 * first call.  Returns NULL when the job cannot pause, so the caller
 * blocks in read(). */
static struct async_waiter *waiter_get(ASYNC_WAIT_CTX *wait_ctx)
{
    struct async_waiter *w = NULL;
    OSSL_ASYNC_FD fd;
    void *custom_data = NULL;

    if (ASYNC_WAIT_CTX_get_fd(wait_ctx, &wait_fd_key, &fd, &custom_data)) {
        w = custom_data;
        /* A forked child shares the parent's epoll instance, so it must
         * not add its sockets to it. */
        return w->pid == getpid() ? w : NULL;
    }

    w = OPENSSL_zalloc(sizeof(*w));
    if (w == NULL)
        goto err;
    w->pid = getpid();
    w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epoll_fd < 0) {
        IBM4767_DEBUG("epoll_create1 for an ASYNC wait descriptor failed: "
                      "%s; waiting for replies without pausing",
                      strerror(errno));
        goto err;
    }
    if (!ASYNC_WAIT_CTX_set_wait_fd(wait_ctx, &wait_fd_key, w->epoll_fd, w,
                                    waiter_cleanup)) {
        IBM4767_DEBUG("registering wait descriptor %d with the ASYNC job "
                      "failed; waiting for replies without pausing",
                      w->epoll_fd);
        goto err;
    }
    return w;

err:
    if (w != NULL && w->epoll_fd >= 0)
        close(w->epoll_fd);
    OPENSSL_free(w);
    return NULL;
}

int cca_async_wait_reply(struct cca_device *dev, struct cca_pool_conn *pc)
{
    ASYNC_JOB *job = ASYNC_get_current_job();
    struct epoll_event ev = { .events = EPOLLIN };
    ASYNC_WAIT_CTX *wait_ctx;
    struct async_waiter *w;
    int fd = cca_conn_fd(pc->conn);
    int paused = 0;

    if (job == NULL || fd < 0)
        return 0;
    wait_ctx = ASYNC_get_wait_ctx(job);
    if (wait_ctx == NULL || cca_conn_buffered(pc->conn) > 0
        || fd_readable(fd))
        return 0;
    w = waiter_get(wait_ctx);
    if (w == NULL)
        return 0;

    ev.data.fd = fd;
    if (epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        IBM4767_DEBUG("%s: adding connection %d to wait descriptor %d "
                      "failed: %s; waiting for the reply without pausing",
                      dev->name, fd, w->epoll_fd, strerror(errno));
        return 0;
    }
    w->dev = dev;
    w->pc = pc;

    /* An application may resume the job before the reply is readable
     * (after a timeout or a spurious wake-up), so check again after each
     * pause. */
    while (!fd_readable(fd)) {
        if (!ASYNC_pause_job()) {
            IBM4767_DEBUG("%s: ASYNC_pause_job failed; waiting for the "
                          "reply on connection %d without pausing",
                          dev->name, fd);
            break;
        }
        paused++;
    }

    w->dev = NULL;
    w->pc = NULL;
    if (epoll_ctl(w->epoll_fd, EPOLL_CTL_DEL, fd, NULL) < 0)
        IBM4767_DEBUG("%s: removing connection %d from wait descriptor %d "
                      "failed: %s", dev->name, fd, w->epoll_fd,
                      strerror(errno));
    return paused > 0;
}
