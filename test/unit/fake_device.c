/*
 * Scripted fake device for the backend unit tests (see fake_device.h).
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ibm4767/cca.h>
#include <ibm4767/protocol.h>

#include "fake_device.h"

#define MAX_CONN_THREADS 256

struct fake_device {
    char dir[64];
    char path[108];
    int listen_fd;
    atomic_int stop;
    pthread_t accept_thread;

    pthread_mutex_t lock;
    struct fake_script script;
    struct fake_stats stats;
    pthread_t conn_threads[MAX_CONN_THREADS];
    int conn_thread_count;
};

struct conn_arg {
    struct fake_device *dev;
    int fd;
};

static int read_full(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        got += (size_t)n;
    }
    return 1;
}

static int write_full(int fd, const uint8_t *buf, size_t len)
{
    size_t sent = 0;

    while (sent < len) {
        ssize_t n = send(fd, buf + sent, len - sent, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        sent += (size_t)n;
    }
    return 1;
}

static void put_status(struct fake_device *dev, struct ibm4767_wbuf *wb)
{
    static const uint8_t mkvp[CCA_MKVP_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    char hash[65];
    uint32_t state = dev->script.state;

    if (dev->script.self_test_polls > 0) {
        dev->script.self_test_polls--;
        state = CCA_STATE_SELF_TEST;
    }
    memset(hash, 'a', 64);
    hash[64] = '\0';

    ibm4767_put_u32(wb, 0);
    ibm4767_put_u32(wb, 0);
    ibm4767_put_u32(wb, dev->script.status_driver_code);
    ibm4767_put_u32(wb, state);
    ibm4767_put_u32(wb, state == CCA_STATE_SELF_TEST ? 1000 : 0);
    ibm4767_put_bytes(wb, "FAKE0001", 8);
    ibm4767_put_bytes(wb, "fake 4767", 9);
    ibm4767_put_bytes(wb, "5.4.33", 6);
    ibm4767_put_u32(wb, dev->script.status_driver_code);
    for (int i = 0; i < 6; i++) {
        ibm4767_put_u32(wb, i % 3 == 0 ? CCA_MK_EMPTY : CCA_MK_VALID);
        if (i % 3 == 0)
            ibm4767_put_bytes(wb, NULL, 0);
        else
            ibm4767_put_bytes(wb, mkvp, sizeof(mkvp));
    }
    ibm4767_put_u32(wb, 3);
    for (int i = 0; i < 3; i++) {
        ibm4767_put_bytes(wb, "5.4.33 CCA", 10);
        ibm4767_put_bytes(wb, hash, 64);
    }
    ibm4767_put_u32(wb, 2);
    ibm4767_put_bytes(wb, "random-requests", 15);
    ibm4767_put_u32(wb, 0);
    ibm4767_put_u32(wb, (uint32_t)dev->stats.random_requests);
    ibm4767_put_bytes(wb, "random-bytes", 12);
    ibm4767_put_u32(wb, (uint32_t)((uint64_t)dev->stats.random_bytes >> 32));
    ibm4767_put_u32(wb, (uint32_t)dev->stats.random_bytes);
    ibm4767_put_bytes(wb, NULL, 0);
}

static void put_code(struct ibm4767_wbuf *wb, uint32_t rc, uint32_t reason,
                     uint32_t driver)
{
    ibm4767_put_u32(wb, rc);
    ibm4767_put_u32(wb, reason);
    ibm4767_put_u32(wb, driver);
}

static void put_verb_success(struct fake_device *dev, uint16_t verb,
                             const uint8_t *payload, size_t len,
                             struct ibm4767_wbuf *wb)
{
    struct ibm4767_rbuf rb;
    uint8_t buf[IBM4767_RANDOM_MAX];
    uint32_t want = 0;

    ibm4767_rbuf_init(&rb, payload, len);
    switch (verb) {
    case IBM4767_VERB_RANDOM_NUMBER_GENERATE:
        ibm4767_get_u32(&rb, &want);
        if (want > sizeof(buf))
            want = sizeof(buf);
        for (uint32_t i = 0; i < want; i++)
            buf[i] = (uint8_t)(dev->stats.random_bytes + i);
        dev->stats.random_requests++;
        dev->stats.random_bytes += want;
        put_code(wb, 0, 0, dev->script.ok_driver_code);
        ibm4767_put_bytes(wb, buf, want);
        break;
    case IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE:
        dev->stats.sign_requests++;
        memset(buf, 0x5A, FAKE_SIGNATURE_LEN);
        put_code(wb, 0, 0, dev->script.ok_driver_code);
        ibm4767_put_bytes(wb, buf, FAKE_SIGNATURE_LEN);
        break;
    case IBM4767_VERB_DIGITAL_SIGNATURE_VERIFY:
        /* A signature ending in 0x00 "does not verify". */
        if (len > 0 && payload[len - 1] == 0x00)
            put_code(wb, 4, 429, 0);
        else
            put_code(wb, 0, 0, dev->script.ok_driver_code);
        break;
    case IBM4767_VERB_PKA_KEY_GENERATE:
        dev->stats.keygen_requests++;
        memset(buf, 0x1F, FAKE_TOKEN_LEN);
        put_code(wb, 0, 0, dev->script.ok_driver_code);
        ibm4767_put_bytes(wb, buf, FAKE_TOKEN_LEN);
        break;
    case IBM4767_VERB_PKA_KEY_IMPORT:
    case IBM4767_VERB_PKA_PUBLIC_EXTRACT:
    case IBM4767_VERB_PKA_DECRYPT:
    case IBM4767_VERB_PKA_ENCRYPT:
    case IBM4767_VERB_EC_DIFFIE_HELLMAN:
        put_code(wb, 0, 0, dev->script.ok_driver_code);
        ibm4767_put_bytes(wb, FAKE_OUTPUT, sizeof(FAKE_OUTPUT) - 1);
        break;
    default:
        put_code(wb, 8, 4781, 0);
        break;
    }
}

/* Build the reply to one request.  Returns 0 when the script drops the
 * connection instead. */
static int build_reply(struct fake_device *dev, struct ibm4767_header *hdr,
                       const uint8_t *payload, size_t len,
                       struct ibm4767_wbuf *wb)
{
    struct fake_script *s = &dev->script;

    if (hdr->verb == IBM4767_VERB_STATUS) {
        dev->stats.status_requests++;
        put_status(dev, wb);
        return 1;
    }

    dev->stats.verb_requests++;
    dev->stats.last_request_len =
        len < sizeof(dev->stats.last_request) ? len
                                              : sizeof(dev->stats.last_request);
    memcpy(dev->stats.last_request, payload, dev->stats.last_request_len);
    if (hdr->verb == IBM4767_VERB_PKA_KEY_GENERATE && s->drop_requests > 0)
        dev->stats.keygen_requests++;

    if (s->drop_requests > 0) {
        s->drop_requests--;
        return 0;
    }
    if (s->verb_self_test > 0) {
        s->verb_self_test--;
        s->self_test_polls = 2;
        put_code(wb, 12, 4767, 0);
    } else if (s->verb_fail_count > 0) {
        s->verb_fail_count--;
        put_code(wb, s->verb_rc, s->verb_reason, s->verb_driver_code);
    } else {
        put_verb_success(dev, hdr->verb, payload, len, wb);
    }

    if (s->wrong_id) {
        s->wrong_id = 0;
        hdr->request_id++;
    }
    if (s->trailing_bytes) {
        s->trailing_bytes = 0;
        ibm4767_put_u32(wb, 0);
    }
    return 1;
}

/* Serve one request; returns 0 when the connection should close. */
static int serve_one(struct fake_device *dev, int fd)
{
    uint8_t head[IBM4767_HEADER_LEN];
    struct ibm4767_header hdr;
    struct ibm4767_wbuf wb;
    uint8_t *payload = NULL;
    int keep = 0;

    ibm4767_wbuf_init(&wb);
    if (!read_full(fd, head, sizeof(head)) ||
        ibm4767_header_decode(head, &hdr) != IBM4767_HEADER_OK)
        goto err;
    payload = malloc((size_t)hdr.payload_len + 1);
    if (payload == NULL || !read_full(fd, payload, hdr.payload_len))
        goto err;

    pthread_mutex_lock(&dev->lock);
    keep = build_reply(dev, &hdr, payload, hdr.payload_len, &wb);
    if (dev->script.close_idle && hdr.verb != IBM4767_VERB_STATUS)
        keep = keep ? -1 : 0;
    pthread_mutex_unlock(&dev->lock);
    if (keep == 0)
        goto err;

    hdr.flags = IBM4767_FLAG_REPLY;
    hdr.payload_len = (uint32_t)wb.len;
    ibm4767_header_encode(&hdr, head);
    if (!write_full(fd, head, sizeof(head)) ||
        !write_full(fd, wb.data, wb.len))
        keep = 0;
    if (keep < 0)
        keep = 0;

err:
    free(payload);
    ibm4767_wbuf_free(&wb);
    return keep;
}

static void *conn_main(void *p)
{
    struct conn_arg *arg = p;
    struct fake_device *dev = arg->dev;
    int fd = arg->fd;

    free(arg);
    while (!dev->stop) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int r = poll(&pfd, 1, 50);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        if (r == 0)
            continue;
        if (!serve_one(dev, fd))
            break;
    }
    close(fd);
    return NULL;
}

static void *accept_main(void *p)
{
    struct fake_device *dev = p;

    while (!dev->stop) {
        struct pollfd pfd = { .fd = dev->listen_fd, .events = POLLIN };
        struct conn_arg *arg;
        int fd;

        if (poll(&pfd, 1, 50) <= 0)
            continue;
        fd = accept(dev->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        arg = malloc(sizeof(*arg));
        pthread_mutex_lock(&dev->lock);
        if (arg == NULL || dev->conn_thread_count == MAX_CONN_THREADS) {
            pthread_mutex_unlock(&dev->lock);
            free(arg);
            close(fd);
            continue;
        }
        arg->dev = dev;
        arg->fd = fd;
        dev->stats.connections++;
        if (pthread_create(&dev->conn_threads[dev->conn_thread_count], NULL,
                           conn_main, arg) == 0)
            dev->conn_thread_count++;
        else {
            free(arg);
            close(fd);
        }
        pthread_mutex_unlock(&dev->lock);
    }
    return NULL;
}

struct fake_device *fake_device_start(void)
{
    struct sockaddr_un addr;
    struct fake_device *dev = calloc(1, sizeof(*dev));

    if (dev == NULL)
        return NULL;
    dev->listen_fd = -1;
    pthread_mutex_init(&dev->lock, NULL);
    dev->script.state = CCA_STATE_READY;

    snprintf(dev->dir, sizeof(dev->dir), "/tmp/ibm4767-unit.XXXXXX");
    if (mkdtemp(dev->dir) == NULL)
        goto err;
    snprintf(dev->path, sizeof(dev->path), "%s/crp.sock", dev->dir);

    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", dev->path);
    dev->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (dev->listen_fd < 0 ||
        bind(dev->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(dev->listen_fd, 64) < 0)
        goto err;
    if (pthread_create(&dev->accept_thread, NULL, accept_main, dev) != 0)
        goto err;
    return dev;

err:
    if (dev->listen_fd >= 0)
        close(dev->listen_fd);
    unlink(dev->path);
    rmdir(dev->dir);
    free(dev);
    return NULL;
}

void fake_device_stop(struct fake_device *dev)
{
    if (dev == NULL)
        return;
    dev->stop = 1;
    pthread_join(dev->accept_thread, NULL);
    for (int i = 0; i < dev->conn_thread_count; i++)
        pthread_join(dev->conn_threads[i], NULL);
    close(dev->listen_fd);
    unlink(dev->path);
    rmdir(dev->dir);
    pthread_mutex_destroy(&dev->lock);
    free(dev);
}

const char *fake_device_path(const struct fake_device *dev)
{
    return dev->path;
}

void fake_device_set(struct fake_device *dev, const struct fake_script *s)
{
    pthread_mutex_lock(&dev->lock);
    dev->script = *s;
    pthread_mutex_unlock(&dev->lock);
}

void fake_device_get(struct fake_device *dev, struct fake_script *s)
{
    pthread_mutex_lock(&dev->lock);
    *s = dev->script;
    pthread_mutex_unlock(&dev->lock);
}

void fake_device_stats(struct fake_device *dev, struct fake_stats *st)
{
    pthread_mutex_lock(&dev->lock);
    *st = dev->stats;
    pthread_mutex_unlock(&dev->lock);
}
