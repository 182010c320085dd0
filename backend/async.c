/*
 * Waiting for a reply inside an OpenSSL ASYNC_JOB.
 *
 * libssl with SSL_MODE_ASYNC (HAProxy's ssl-mode-async, for example) runs
 * each handshake step in an ASYNC_JOB.  When a verb is called inside a
 * job, the request is sent as usual.  Then, instead of blocking in read(),
 * the job registers the connection's socket as its wait file descriptor
 * and pauses.  libssl returns SSL_ERROR_WANT_ASYNC, the application polls
 * the descriptor together with its other work, and it resumes the
 * handshake when the reply has arrived.  One thread thus keeps many
 * requests in flight, each on a pooled connection of its own.
 * Outside a job nothing changes: the caller blocks in read().
 *
 * The descriptor is a pooled connection that this request has checked out
 * alone, so no other request reads from it while the job is paused.
 *
 * NOTE: only the wait for a reply pauses.  Opening a connection and the
 * readiness wait while a device runs its self-test still block the
 * thread.  A job that its application frees without resuming it keeps its
 * connection checked out until the process ends.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>

#include <openssl/async.h>

#include <ibm4767/log.h>

#include "backend_int.h"

/* The key of the wait descriptor in the job's ASYNC_WAIT_CTX.  A job waits
 * for one reply at a time, so one key serves every request. */
static const char wait_fd_key;

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

int cca_async_wait_readable(int fd)
{
    ASYNC_JOB *job = ASYNC_get_current_job();
    ASYNC_WAIT_CTX *wait_ctx;
    int paused = 0;

    if (job == NULL || fd < 0)
        return 0;
    wait_ctx = ASYNC_get_wait_ctx(job);
    if (wait_ctx == NULL)
        return 0;
    if (fd_readable(fd))
        return 0;

    if (!ASYNC_WAIT_CTX_set_wait_fd(wait_ctx, &wait_fd_key, fd, NULL,
                                    NULL)) {
        IBM4767_DEBUG("cannot register descriptor %d with the ASYNC job; "
                      "waiting for the reply without pausing", fd);
        return 0;
    }

    /* An application may resume the job before the descriptor is
     * readable (after a timeout or a spurious wake-up), so check again
     * after each pause. */
    while (!fd_readable(fd)) {
        if (!ASYNC_pause_job()) {
            IBM4767_DEBUG("ASYNC_pause_job failed; waiting for the reply on "
                          "descriptor %d without pausing", fd);
            break;
        }
        paused++;
    }
    ASYNC_WAIT_CTX_clear_fd(wait_ctx, &wait_fd_key);
    return paused > 0;
}
