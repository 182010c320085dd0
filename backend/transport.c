/*
 * One connection to a device socket: AF_UNIX stream, close-on-exec, writes
 * with MSG_NOSIGNAL so a closed peer returns EPIPE instead of raising
 * SIGPIPE, and full reads and writes that resume after EINTR.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <ibm4767/transport.h>

/* Replies are read through a small buffer, so that a header and a short
 * payload take one recv() instead of two. */
#define CONN_BUF_LEN 2048

struct cca_conn {
    int fd;
    size_t buf_start;        /* unread bytes are buf[buf_start, buf_end) */
    size_t buf_end;
    uint8_t buf[CONN_BUF_LEN];
};

struct cca_conn *cca_conn_open(const char *path, char *err, size_t err_len)
{
    struct sockaddr_un addr;
    struct cca_conn *c = NULL;
    size_t path_len;
    int fd = -1;
    int saved_errno;

    if (path == NULL || path[0] == '\0') {
        snprintf(err, err_len, "no device socket path given; set "
                 "IBM4767_DEVICES to the socket of ibm4767-emud");
        errno = EINVAL;
        return NULL;
    }
    path_len = strlen(path);
    if (path_len >= sizeof(addr.sun_path)) {
        snprintf(err, err_len, "socket path %s is %zu bytes long, over the "
                 "limit of %zu; use a shorter path", path, path_len,
                 sizeof(addr.sun_path) - 1);
        errno = ENAMETOOLONG;
        return NULL;
    }

    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, path_len + 1);

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto err;
    /* A connect interrupted by a signal goes on in the background; waiting
     * for the socket to become writable and reading SO_ERROR finishes it. */
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
        int so_error = 0;
        socklen_t so_len = sizeof(so_error);

        if (errno != EINTR)
            goto err;
        while (poll(&pfd, 1, -1) < 0) {
            if (errno != EINTR)
                goto err;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) < 0)
            goto err;
        if (so_error != 0) {
            errno = so_error;
            goto err;
        }
    }

    c = OPENSSL_zalloc(sizeof(*c));
    if (c == NULL) {
        errno = ENOMEM;
        goto err;
    }
    c->fd = fd;
    return c;

err:
    saved_errno = errno;
    snprintf(err, err_len, "cannot connect to %s: %s; is ibm4767-emud "
             "running? start it, or point IBM4767_DEVICES at its socket",
             path, strerror(saved_errno));
    if (fd >= 0)
        close(fd);
    errno = saved_errno;
    return NULL;
}

/*
 * Only close(2), never shutdown(2): after fork the child closes its copies
 * of the parent's connections, and shutdown would cut the parent's
 * connection as well.
 */
void cca_conn_close(struct cca_conn *c)
{
    if (c == NULL)
        return;
    if (c->fd >= 0)
        close(c->fd);
    OPENSSL_clear_free(c, sizeof(*c));
}

int cca_conn_fd(const struct cca_conn *c)
{
    return c != NULL ? c->fd : -1;
}

size_t cca_conn_buffered(const struct cca_conn *c)
{
    return c != NULL ? c->buf_end - c->buf_start : 0;
}

int cca_conn_send(struct cca_conn *c, uint16_t verb, uint32_t request_id,
                  const uint8_t *payload, size_t len)
{
    struct ibm4767_header hdr = {
        .version = IBM4767_PROTO_VERSION,
        .flags = 0,
        .verb = verb,
        .request_id = request_id,
        .payload_len = (uint32_t)len,
    };
    uint8_t head[IBM4767_HEADER_LEN];
    struct iovec iov[2];
    struct msghdr msg;
    size_t sent = 0;
    size_t total = IBM4767_HEADER_LEN + len;

    if (c == NULL || c->fd < 0 || len > IBM4767_FRAME_MAX ||
        (len > 0 && payload == NULL)) {
        errno = EINVAL;
        return 0;
    }

    ibm4767_header_encode(&hdr, head);

    /* The header and the payload go out in one sendmsg where the socket
     * buffer allows it; after a short write the rest follows.
     * NOTE: sending has no timeout.  A device that stops reading (its
     * back-pressure when queues are full) blocks the caller until it reads
     * again, and a hung device blocks it for good. */
    while (sent < total) {
        ssize_t n;
        int iovcnt = 0;

        if (sent < IBM4767_HEADER_LEN) {
            iov[iovcnt].iov_base = head + sent;
            iov[iovcnt].iov_len = IBM4767_HEADER_LEN - sent;
            iovcnt++;
            if (len > 0) {
                iov[iovcnt].iov_base = (void *)payload;
                iov[iovcnt].iov_len = len;
                iovcnt++;
            }
        } else {
            size_t done = sent - IBM4767_HEADER_LEN;

            iov[iovcnt].iov_base = (void *)(payload + done);
            iov[iovcnt].iov_len = len - done;
            iovcnt++;
        }

        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)iovcnt;
        n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        sent += (size_t)n;
    }
    return 1;
}

static long long monotonic_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int cca_conn_spin_readable(struct cca_conn *c, unsigned max_us)
{
    long long end;

    if (c == NULL || c->fd < 0 || max_us == 0)
        return 0;
    if (c->buf_end > c->buf_start)
        return 1;
    /* Each try reads into the buffer, so the bytes that end the spin need
     * no further system call. */
    if (c->buf_end > 0)
        OPENSSL_cleanse(c->buf, c->buf_end);
    c->buf_start = c->buf_end = 0;
    end = monotonic_us() + max_us;
    do {
        ssize_t n = recv(c->fd, c->buf, CONN_BUF_LEN, MSG_DONTWAIT);

        if (n > 0) {
            c->buf_end = (size_t)n;
            return 1;
        }
        /* End of file or an error: let the read that follows report it. */
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK
                       && errno != EINTR))
            return 1;
    } while (monotonic_us() < end);
    return 0;
}

static long long monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is readable or the deadline (monotonic ms, -1 for none)
 * passes.  Returns 1, -1 on an error or -2 on timeout. */
static int wait_readable(int fd, long long deadline)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int wait_ms = -1;
    int r;

    for (;;) {
        if (deadline >= 0) {
            long long left = deadline - monotonic_ms();

            if (left <= 0)
                return -2;
            wait_ms = left > 0x7fffffff ? 0x7fffffff : (int)left;
        }
        r = poll(&pfd, 1, wait_ms);
        if (r > 0)
            return 1;
        if (r == 0)
            return -2;
        if (errno != EINTR)
            return -1;
    }
}

/*
 * Read exactly len bytes before the deadline (monotonic ms, or -1 for no
 * limit): first the buffered bytes, then straight from the socket.  A
 * read that still needs less than the buffer fills the buffer with
 * whatever the socket has, so that the next read (the payload after its
 * header) usually finds its bytes there.  Returns 1, 0 on end of file, -1
 * on an error (errno set), or -2 on timeout.  *got receives the number of
 * bytes read before a failure.
 */
static int read_full(struct cca_conn *c, uint8_t *out, size_t len,
                     long long deadline, size_t *got)
{
    *got = 0;
    while (*got < len) {
        size_t want = len - *got;
        size_t have = c->buf_end - c->buf_start;
        ssize_t n;

        if (have > 0) {
            size_t take = have < want ? have : want;

            memcpy(out + *got, c->buf + c->buf_start, take);
            c->buf_start += take;
            *got += take;
            continue;
        }
        /* Reply bytes may be decrypted data: wipe them once used. */
        if (c->buf_end > 0)
            OPENSSL_cleanse(c->buf, c->buf_end);
        c->buf_start = c->buf_end = 0;
        if (want >= CONN_BUF_LEN)
            n = recv(c->fd, out + *got, want, MSG_DONTWAIT);
        else
            n = recv(c->fd, c->buf, CONN_BUF_LEN, MSG_DONTWAIT);
        if (n == 0)
            return 0;
        if (n > 0) {
            if (want >= CONN_BUF_LEN)
                *got += (size_t)n;
            else
                c->buf_end = (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        n = wait_readable(c->fd, deadline);
        if (n != 1)
            return (int)n;
    }
    return 1;
}

static void describe_read_failure(int r, size_t got, size_t want,
                                  const char *what, int timeout_ms,
                                  char *err, size_t err_len)
{
    if (r == -2)
        snprintf(err, err_len, "timed out after %d ms waiting for the "
                 "reply %s", timeout_ms, what);
    else if (r == 0 && got == 0)
        snprintf(err, err_len, "device closed the connection before "
                 "sending the reply %s", what);
    else if (r == 0)
        snprintf(err, err_len, "device closed the connection after %zu of "
                 "%zu bytes of the reply %s", got, want, what);
    else
        snprintf(err, err_len, "reading the reply %s failed: %s", what,
                 strerror(errno));
}

int cca_conn_recv(struct cca_conn *c, struct ibm4767_header *hdr,
                  uint8_t **payload, size_t *len, int timeout_ms, char *err,
                  size_t err_len)
{
    uint8_t head[IBM4767_HEADER_LEN];
    enum ibm4767_header_status st;
    long long deadline = -1;
    uint8_t *buf = NULL;
    size_t got;
    int r;

    *payload = NULL;
    *len = 0;
    if (c == NULL || c->fd < 0) {
        snprintf(err, err_len, "connection is closed");
        return 0;
    }
    if (timeout_ms >= 0)
        deadline = monotonic_ms() + timeout_ms;

    r = read_full(c, head, sizeof(head), deadline, &got);
    if (r != 1) {
        describe_read_failure(r, got, sizeof(head), "header", timeout_ms,
                              err, err_len);
        return 0;
    }
    st = ibm4767_header_decode(head, hdr);
    if (st != IBM4767_HEADER_OK) {
        snprintf(err, err_len, "invalid reply header: %s",
                 ibm4767_header_status_text(st));
        return 0;
    }

    /* One extra byte so that an empty payload still gets a buffer. */
    buf = OPENSSL_malloc((size_t)hdr->payload_len + 1);
    if (buf == NULL) {
        snprintf(err, err_len, "out of memory for a %u-byte reply",
                 hdr->payload_len);
        return 0;
    }
    r = read_full(c, buf, hdr->payload_len, deadline, &got);
    if (r != 1) {
        describe_read_failure(r, got, hdr->payload_len, "payload",
                              timeout_ms, err, err_len);
        OPENSSL_clear_free(buf, (size_t)hdr->payload_len + 1);
        return 0;
    }

    *payload = buf;
    *len = hdr->payload_len;
    return 1;
}
