/*
 * Client connections: reading request frames (I/O thread), writing reply
 * frames (workers and the I/O thread) and back-pressure.
 *
 * A frame is read into a job whose payload is allocated once the header is
 * known.  Small payloads are copied once from the read buffer, and the
 * rest of a large one is read straight into the job.  The
 * I/O thread stops reading from a connection (but keeps serving others)
 * while an engine queue is full, while the connection has too many
 * requests outstanding, or while its peer leaves replies unread.  Workers
 * never block on a socket: a reply the socket cannot take at once is
 * queued and written by the I/O thread when the socket becomes writable.
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/codes.h>
#include <ibm4767/log.h>

#include "conn.h"

/* Result of one step of reading frames. */
enum step {
    STEP_CONTINUE,   /* a frame was started or finished: go on */
    STEP_NEED_MORE,  /* the buffer has no complete header or payload */
    STEP_STOP,       /* paused or draining: read nothing now */
    STEP_CLOSE,      /* protocol violation or fatal error */
};

/* ---------------------------------------------------------------------- */
/* Jobs and references                                                     */

struct emu_job *emu_job_new(size_t len)
{
    return OPENSSL_zalloc(sizeof(struct emu_job) + len);
}

void emu_job_free(struct emu_job *job)
{
    if (job == NULL)
        return;
    OPENSSL_clear_free(job, sizeof(*job) + job->payload_len);
}

void emu_conn_ref(struct emu_conn *conn)
{
    pthread_mutex_lock(&conn->lock);
    conn->refs++;
    pthread_mutex_unlock(&conn->lock);
}

void emu_conn_unref(struct emu_conn *conn)
{
    unsigned refs;

    pthread_mutex_lock(&conn->lock);
    refs = --conn->refs;
    pthread_mutex_unlock(&conn->lock);
    if (refs > 0)
        return;

    close(conn->fd);
    OPENSSL_clear_free(conn->out, conn->out_cap);
    pthread_mutex_destroy(&conn->lock);
    /* The read buffer may still hold request payloads. */
    OPENSSL_clear_free(conn, sizeof(*conn));
}

unsigned long emu_conn_id(const struct emu_conn *conn)
{
    return conn->id;
}

void emu_job_finish(struct emu_job *job)
{
    struct emu_conn *conn = job->conn;
    int notify;

    pthread_mutex_lock(&conn->lock);
    conn->in_flight--;
    conn->in_flight_bytes -= job->payload_len;
    /* The I/O thread waits either for the first finished job (request
     * limits reached) or for the last one (end of input, draining), so
     * every finished job notifies until none is left in flight. */
    notify = conn->notify_when_done && !conn->closed;
    if (notify && conn->in_flight == 0)
        conn->notify_when_done = 0;
    pthread_mutex_unlock(&conn->lock);

    if (notify)
        emu_server_notify(conn->srv, conn);
    emu_job_free(job);
    emu_conn_unref(conn);
}

/* ---------------------------------------------------------------------- */
/* Events and output                                                       */

/* Register the events the connection needs now; caller holds the lock. */
static void update_events_locked(struct emu_conn *conn)
{
    uint32_t want = 0;
    struct epoll_event ev;

    if (conn->closed)
        return;
    if (conn->reading)
        want |= EPOLLIN;
    if (conn->out_off < conn->out_len)
        want |= EPOLLOUT;
    if (want == conn->armed)
        return;

    memset(&ev, 0, sizeof(ev));
    ev.events = want;
    ev.data.ptr = conn;
    if (epoll_ctl(conn->epoll_fd, EPOLL_CTL_MOD, conn->fd, &ev) == 0)
        conn->armed = want;
    else
        IBM4767_ERROR("conn %lu: epoll_ctl failed: %s", conn->id,
                      strerror(errno));
}

static void set_reading(struct emu_conn *conn, int on)
{
    pthread_mutex_lock(&conn->lock);
    conn->reading = on;
    update_events_locked(conn);
    pthread_mutex_unlock(&conn->lock);
}

/* A write failed: the peer is gone.  Shutting the socket down makes epoll
 * report a hang-up, and the I/O thread then closes the connection. */
static void fail_output_locked(struct emu_conn *conn, int err)
{
    if (err != EPIPE && err != ECONNRESET)
        IBM4767_INFO("conn %lu: write failed: %s; closing", conn->id,
                     strerror(err));
    shutdown(conn->fd, SHUT_RDWR);
    OPENSSL_cleanse(conn->out, conn->out_cap);
    conn->out_off = conn->out_len = 0;
}

/* Send without blocking; returns bytes sent, or -1 with errno set. */
static ssize_t send_some(int fd, const uint8_t *p, size_t len)
{
    ssize_t n;

    do {
        n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    return n;
}

static int append_output_locked(struct emu_conn *conn, const uint8_t *p,
                                size_t len)
{
    size_t need = conn->out_len + len;

    if (need > conn->out_cap) {
        size_t cap = conn->out_cap ? conn->out_cap : 4096;
        uint8_t *grown;

        while (cap < need)
            cap *= 2;
        grown = OPENSSL_clear_realloc(conn->out, conn->out_cap, cap);
        if (grown == NULL)
            return 0;
        conn->out = grown;
        conn->out_cap = cap;
    }
    memcpy(conn->out + conn->out_len, p, len);
    conn->out_len += len;
    return 1;
}

void emu_conn_send(struct emu_conn *conn, const uint8_t *frame, size_t len)
{
    ssize_t sent = 0;

    pthread_mutex_lock(&conn->lock);
    if (conn->closed)
        goto out;
    if (conn->out_off == conn->out_len) {
        sent = send_some(conn->fd, frame, len);
        if (sent < 0) {
            fail_output_locked(conn, errno);
            goto out;
        }
        if ((size_t)sent == len)
            goto out;
    }
    if (!append_output_locked(conn, frame + sent, len - (size_t)sent)) {
        IBM4767_ERROR("conn %lu: out of memory queueing a %zu-byte reply; "
                      "closing", conn->id, len);
        fail_output_locked(conn, ENOMEM);
        goto out;
    }
    update_events_locked(conn);

out:
    pthread_mutex_unlock(&conn->lock);
}

int emu_conn_on_writable(struct emu_conn *conn)
{
    size_t unsent;
    int ok = 1;

    pthread_mutex_lock(&conn->lock);
    while (conn->out_off < conn->out_len) {
        ssize_t n = send_some(conn->fd, conn->out + conn->out_off,
                              conn->out_len - conn->out_off);

        if (n < 0) {
            fail_output_locked(conn, errno);
            ok = 0;
            break;
        }
        if (n == 0)
            break;
        conn->out_off += (size_t)n;
    }
    if (conn->out_off == conn->out_len) {
        OPENSSL_cleanse(conn->out, conn->out_len);
        conn->out_off = conn->out_len = 0;
    }
    unsent = conn->out_len - conn->out_off;
    update_events_locked(conn);
    pthread_mutex_unlock(&conn->lock);

    if (!ok)
        return 0;
    if (conn->pause == CONN_PAUSED_OUTPUT && unsent < CONN_OUT_LOW_WATER)
        return emu_conn_resume(conn);
    return 1;
}

/* ---------------------------------------------------------------------- */
/* Reading frames                                                          */

struct emu_conn *emu_conn_new(struct emu_server *srv, int fd,
                              unsigned long id, int epoll_fd)
{
    struct emu_conn *conn = OPENSSL_zalloc(sizeof(*conn));
    struct epoll_event ev;

    if (conn == NULL)
        return NULL;
    pthread_mutex_init(&conn->lock, NULL);
    conn->srv = srv;
    conn->fd = fd;
    conn->epoll_fd = epoll_fd;
    conn->id = id;
    conn->refs = 1;
    conn->reading = 1;
    conn->armed = EPOLLIN;

    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = conn;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        pthread_mutex_destroy(&conn->lock);
        OPENSSL_free(conn);
        return NULL;
    }
    return conn;
}

static void pause_reading(struct emu_conn *conn, enum conn_pause why)
{
    conn->pause = why;
    set_reading(conn, 0);
    if (why == CONN_PAUSED_QUEUE)
        emu_server_pause(conn->srv, conn);
}

/* Count a new request against the connection's limits.  Returns 0 when
 * the limits are reached, and then a finished job wakes the I/O thread. */
static int admit_request(struct emu_conn *conn, size_t payload_len)
{
    int ok;

    pthread_mutex_lock(&conn->lock);
    ok = conn->in_flight < CONN_MAX_IN_FLIGHT
         && (conn->in_flight == 0
             || conn->in_flight_bytes + payload_len <= CONN_MAX_IN_FLIGHT_BYTES);
    if (ok) {
        conn->in_flight++;
        conn->in_flight_bytes += payload_len;
        conn->refs++;
    } else {
        conn->notify_when_done = 1;
    }
    pthread_mutex_unlock(&conn->lock);
    return ok;
}

static size_t unsent_output(struct emu_conn *conn)
{
    size_t n;

    pthread_mutex_lock(&conn->lock);
    n = conn->out_len - conn->out_off;
    pthread_mutex_unlock(&conn->lock);
    return n;
}

/* Admit a request and allocate its job into *out.  STEP_STOP when the
 * connection's limits are reached, STEP_CLOSE when memory runs out. */
static enum step new_request(struct emu_conn *conn,
                             const struct ibm4767_header *hdr,
                             size_t payload_len, struct emu_job **out)
{
    struct emu_job *job;

    if (!admit_request(conn, payload_len)) {
        pause_reading(conn, CONN_PAUSED_IN_FLIGHT);
        return STEP_STOP;
    }
    job = emu_job_new(payload_len);
    if (job == NULL) {
        IBM4767_ERROR("conn %lu req %u: out of memory for a %zu-byte "
                      "request; closing", conn->id, hdr->request_id,
                      payload_len);
        pthread_mutex_lock(&conn->lock);
        conn->in_flight--;
        conn->in_flight_bytes -= payload_len;
        conn->refs--;
        pthread_mutex_unlock(&conn->lock);
        return STEP_CLOSE;
    }
    job->conn = conn;
    job->server = conn->srv;
    job->hdr = *hdr;
    job->payload_len = payload_len;
    *out = job;
    return STEP_CONTINUE;
}

/* A header whose length is over the limit gets the error reply 8/4783.
 * The connection closes once the replies to earlier requests are out. */
static enum step reject_too_long(struct emu_conn *conn,
                                 const struct ibm4767_header *hdr)
{
    struct emu_job *job = NULL;
    enum step s;

    if (unsent_output(conn) >= CONN_OUT_HIGH_WATER) {
        pause_reading(conn, CONN_PAUSED_OUTPUT);
        return STEP_STOP;
    }
    s = new_request(conn, hdr, 0, &job);
    if (s != STEP_CONTINUE)
        return s;
    conn->in_start += IBM4767_HEADER_LEN;
    job->reject_rc = CCA_RC_ERROR;
    job->reject_reason = CCA_RS_FRAME_TOO_LONG;
    job->reject_what = "payload length over the 1 MiB frame limit";
    emu_dispatch(conn->srv, job);

    conn->draining = 1;
    set_reading(conn, 0);
    pthread_mutex_lock(&conn->lock);
    conn->notify_when_done = 1;
    pthread_mutex_unlock(&conn->lock);
    return STEP_STOP;
}

static enum step start_frame(struct emu_conn *conn)
{
    struct ibm4767_header hdr;
    enum ibm4767_header_status st;
    struct emu_job *job = NULL;
    enum step s;

    if (conn->in_end - conn->in_start < IBM4767_HEADER_LEN)
        return STEP_NEED_MORE;

    st = ibm4767_header_decode(conn->in + conn->in_start, &hdr);
    if (st == IBM4767_HEADER_BAD_MAGIC) {
        IBM4767_WARN("conn %lu: frame with invalid magic 0x%02x%02x (not "
                     "the ibm4767 protocol); closing", conn->id,
                     conn->in[conn->in_start], conn->in[conn->in_start + 1]);
        return STEP_CLOSE;
    }
    /* A header with a bad version or reserved field still has its payload
     * read (and skipped), so its length must pass the same limit. */
    if (st == IBM4767_HEADER_TOO_LONG || hdr.payload_len > IBM4767_FRAME_MAX)
        return reject_too_long(conn, &hdr);
    if (unsent_output(conn) >= CONN_OUT_HIGH_WATER) {
        pause_reading(conn, CONN_PAUSED_OUTPUT);
        return STEP_STOP;
    }

    s = new_request(conn, &hdr, hdr.payload_len, &job);
    if (s != STEP_CONTINUE)
        return s;
    if (st == IBM4767_HEADER_BAD_VERSION) {
        job->reject_rc = CCA_RC_ERROR;
        job->reject_reason = CCA_RS_VERSION_UNSUPPORTED;
        job->reject_what = "unsupported protocol version";
    } else if (st == IBM4767_HEADER_BAD_RESERVED) {
        job->reject_rc = CCA_RC_ERROR;
        job->reject_reason = CCA_RS_FRAME_INVALID;
        job->reject_what = "reserved header field is not zero";
    }
    conn->in_start += IBM4767_HEADER_LEN;
    conn->job = job;
    conn->job_have = 0;
    return STEP_CONTINUE;
}

static enum step fill_payload(struct emu_conn *conn)
{
    struct emu_job *job = conn->job;
    size_t avail = conn->in_end - conn->in_start;
    size_t need = job->payload_len - conn->job_have;
    size_t take = avail < need ? avail : need;

    memcpy(job->payload + conn->job_have, conn->in + conn->in_start, take);
    conn->in_start += take;
    conn->job_have += take;
    if (conn->job_have < job->payload_len)
        return STEP_NEED_MORE;

    conn->job = NULL;
    /* A frame with more input behind it goes to the workers, so that a
     * client sending many requests at once gets them run in parallel. */
    job->run_inline_ok = conn->in_start == conn->in_end
                         && emu_server_inline_round(conn->srv);
    if (!emu_dispatch(conn->srv, job)) {
        /* It is submitted again in a later round, with other input. */
        job->run_inline_ok = 0;
        conn->pending = job;
        pause_reading(conn, CONN_PAUSED_QUEUE);
        return STEP_STOP;
    }
    return STEP_CONTINUE;
}

/* Turn buffered bytes into frames until more input is needed. */
static enum step consume_input(struct emu_conn *conn)
{
    for (;;) {
        enum step s;

        if (conn->pause != CONN_RUNNING || conn->draining)
            return STEP_STOP;
        s = conn->job == NULL ? start_frame(conn) : fill_payload(conn);
        if (s != STEP_CONTINUE)
            return s;
    }
}

/* Read into the buffer, or straight into a large payload.  *drained is
 * set when the read returned less than it asked for, so the socket is most
 * likely empty now. */
static ssize_t read_some(struct emu_conn *conn, int *drained)
{
    struct emu_job *job = conn->job;
    size_t want;
    ssize_t n;

    if (conn->in_start == conn->in_end)
        conn->in_start = conn->in_end = 0;
    if (job != NULL && conn->in_start == conn->in_end
        && job->payload_len - conn->job_have >= CONN_INBUF) {
        want = job->payload_len - conn->job_have;
        n = read(conn->fd, job->payload + conn->job_have, want);
        if (n > 0)
            conn->job_have += (size_t)n;
        *drained = n >= 0 && (size_t)n < want;
        return n;
    }
    if (conn->in_end == CONN_INBUF) {
        memmove(conn->in, conn->in + conn->in_start,
                conn->in_end - conn->in_start);
        conn->in_end -= conn->in_start;
        conn->in_start = 0;
    }
    want = CONN_INBUF - conn->in_end;
    n = read(conn->fd, conn->in + conn->in_end, want);
    if (n > 0)
        conn->in_end += (size_t)n;
    *drained = n >= 0 && (size_t)n < want;
    return n;
}

static int on_eof(struct emu_conn *conn)
{
    conn->peer_done = 1;
    set_reading(conn, 0);
    if (conn->job != NULL || conn->in_end > conn->in_start) {
        IBM4767_INFO("conn %lu: peer closed the connection inside a frame; "
                     "closing", conn->id);
        return 0;
    }
    pthread_mutex_lock(&conn->lock);
    conn->notify_when_done = 1;
    pthread_mutex_unlock(&conn->lock);
    return 1;
}

/*
 * Read and run frames until the socket is empty, the connection pauses or
 * the budget is spent.  After a short read the frames are consumed but the
 * socket is not read again: epoll is level-triggered and reports anything
 * that arrived since, which saves a read() that would fail with EAGAIN on
 * every request.
 */
int emu_conn_on_readable(struct emu_conn *conn)
{
    size_t budget = CONN_READ_BUDGET;
    int drained = 0;

    for (;;) {
        enum step s = consume_input(conn);
        ssize_t n;

        if (s == STEP_CLOSE)
            return 0;
        if (s == STEP_STOP || conn->peer_done || budget == 0 || drained)
            return 1;

        n = read_some(conn, &drained);
        if (n > 0) {
            budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
            continue;
        }
        if (n == 0)
            return on_eof(conn);
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 1;
        IBM4767_INFO("conn %lu: read failed: %s; closing", conn->id,
                     strerror(errno));
        return 0;
    }
}

int emu_conn_resume(struct emu_conn *conn)
{
    if (conn->pending != NULL) {
        if (!emu_dispatch(conn->srv, conn->pending)) {
            emu_server_pause(conn->srv, conn);
            return 1;
        }
        conn->pending = NULL;
    }
    conn->pause = CONN_RUNNING;
    if (!conn->peer_done && !conn->draining)
        set_reading(conn, 1);
    return emu_conn_on_readable(conn);
}

int emu_conn_is_paused(const struct emu_conn *conn)
{
    return conn->pause != CONN_RUNNING;
}

int emu_conn_is_finished(struct emu_conn *conn)
{
    int idle;

    if (!conn->peer_done && !conn->draining)
        return 0;
    if (conn->job != NULL || conn->pending != NULL)
        return 0;
    pthread_mutex_lock(&conn->lock);
    idle = conn->in_flight == 0 && conn->out_off == conn->out_len;
    pthread_mutex_unlock(&conn->lock);
    return idle;
}

void emu_conn_close(struct emu_conn *conn)
{
    pthread_mutex_lock(&conn->lock);
    if (conn->closed) {
        pthread_mutex_unlock(&conn->lock);
        return;
    }
    conn->closed = 1;
    epoll_ctl(conn->epoll_fd, EPOLL_CTL_DEL, conn->fd, NULL);
    shutdown(conn->fd, SHUT_RDWR);
    OPENSSL_cleanse(conn->out, conn->out_cap);
    conn->out_off = conn->out_len = 0;
    pthread_mutex_unlock(&conn->lock);

    /* Frames read but never run get no reply. */
    if (conn->job != NULL)
        emu_job_finish(conn->job);
    if (conn->pending != NULL)
        emu_job_finish(conn->pending);
    conn->job = conn->pending = NULL;
    IBM4767_DEBUG("conn %lu: closed", conn->id);
}
