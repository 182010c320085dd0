/*
 * The in-process emulator and its client (emu_client.h).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <ibm4767/cca.h>
#include <ibm4767/codes.h>

#include "emu_client.h"
#include "emud.h"
#include "fuzz.h"

/* Maximum wait for the daemon's start-up and for the end of a reply
 * stream.  The slowest request the fuzzers send (an RSA-4096 import under
 * ASan) takes about a second, so a minute means the daemon hangs. */
#define START_TIMEOUT_MS 60000
#define REPLY_TIMEOUT_MS 60000

static char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static atomic_int emud_status = -1; /* exit status once main() returned */
static pthread_t emud_thread_id;

/* Fixed master key parts: AES then APKA, FIRST then LAST part. */
static const uint8_t mk_parts[2][2] = { { 0x31, 0x5C }, { 0x47, 0x9E } };

static void *emud_thread(void *arg)
{
    char *argv[] = {
        "ibm4767-emud", "--socket", socket_path, "--state-dir", arg,
        "--post-seconds", "0", "--foreground", "--log-level", "error", NULL,
    };

    atomic_store(&emud_status, ibm4767_emud_main(10, argv));
    return NULL;
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000L
           + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

static void wait_for_socket(void)
{
    struct timespec start;
    struct stat st;

    clock_gettime(CLOCK_MONOTONIC, &start);
    while (stat(socket_path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        if (atomic_load(&emud_status) >= 0) {
            fprintf(stderr, "fuzz: ibm4767-emud stopped during start-up "
                    "with status %d\n", atomic_load(&emud_status));
            abort();
        }
        if (elapsed_ms(&start) > START_TIMEOUT_MS) {
            fprintf(stderr, "fuzz: ibm4767-emud did not create %s within "
                    "%d ms\n", socket_path, START_TIMEOUT_MS);
            abort();
        }
        usleep(10000);
    }
}

/* Load part values FIRST and LAST into the new register of type and make
 * it the current master key. */
static void load_master_key(uint32_t type)
{
    uint8_t value[IBM4767_MK_PART_LEN];
    struct ibm4767_wbuf req;
    uint32_t rc, reason;
    uint8_t *fields = NULL;
    size_t fields_len;

    for (uint32_t part = 0; part < 2; part++) {
        memset(value, mk_parts[type - 1][part], sizeof(value));
        value[0] = (uint8_t)(type << 4 | part);
        ibm4767_wbuf_init(&req);
        ibm4767_put_u32(&req, type);
        ibm4767_put_u32(&req, part == 0 ? IBM4767_MK_PART_FIRST
                                        : IBM4767_MK_PART_LAST);
        ibm4767_put_bytes(&req, value, sizeof(value));
        fuzz_emu_call(IBM4767_VERB_MK_LOAD_PART, &req, &rc, &reason, &fields,
                      &fields_len);
        ibm4767_wbuf_free(&req);
        free(fields);
        if (rc != CCA_RC_OK) {
            fprintf(stderr, "fuzz: master key part load failed with %u/%u; "
                    "seed tokens will not unwrap\n", rc, reason);
            return;
        }
    }
    ibm4767_wbuf_init(&req);
    ibm4767_put_u32(&req, type);
    fuzz_emu_call(IBM4767_VERB_MK_SET, &req, &rc, &reason, &fields,
                  &fields_len);
    ibm4767_wbuf_free(&req);
    free(fields);
    if (rc != CCA_RC_OK)
        fprintf(stderr, "fuzz: master key set failed with %u/%u; seed "
                "tokens will not unwrap\n", rc, reason);
}

/*
 * Stop the daemon as SIGTERM stops ibm4767-emud: its thread blocks the
 * signal and reads it from a signalfd, then stops its engines and frees
 * the device.  This runs at exit before OpenSSL cleans up, which a worker
 * still in a request would not survive.
 */
static void stop_daemon(void)
{
    struct timespec start;

    if (atomic_load(&emud_status) >= 0)
        return;
    pthread_kill(emud_thread_id, SIGTERM);
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (atomic_load(&emud_status) < 0) {
        if (elapsed_ms(&start) > START_TIMEOUT_MS) {
            fprintf(stderr, "fuzz: ibm4767-emud did not stop within %d ms "
                    "of SIGTERM\n", START_TIMEOUT_MS);
            abort();
        }
        usleep(10000);
    }
}

void fuzz_emu_start(void)
{
    static char state_dir[512];
    pthread_attr_t attr;
    const char *dir = fuzz_temp_dir();

    snprintf(socket_path, sizeof(socket_path), "%s/emud.sock", dir);
    snprintf(state_dir, sizeof(state_dir), "%s/emud.state", dir);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&emud_thread_id, &attr, emud_thread, state_dir) != 0) {
        perror("fuzz: cannot start the ibm4767-emud thread");
        abort();
    }
    pthread_attr_destroy(&attr);
    wait_for_socket();
    /* Registered after the daemon initialized OpenSSL, so it runs before
     * OpenSSL's own exit handler. */
    atexit(stop_daemon);
    load_master_key(IBM4767_MK_TYPE_AES);
    load_master_key(IBM4767_MK_TYPE_APKA);
}

/* Wait until the daemon has no request in an engine: it closes a
 * connection at a malformed frame even while earlier requests of it still
 * run, and their work must not overlap the next input. */
static void wait_idle(void)
{
    struct timespec start;
    uint64_t now = 0, max = 0;

    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        emu_dispatch_in_flight(&now, &max);
        if (now == 0)
            return;
        if (elapsed_ms(&start) > REPLY_TIMEOUT_MS) {
            fprintf(stderr, "fuzz: ibm4767-emud still runs %llu requests "
                    "%d ms after it closed the connection\n",
                    (unsigned long long)now, REPLY_TIMEOUT_MS);
            abort();
        }
        usleep(200);
    }
}

static int connect_daemon(void)
{
    struct sockaddr_un addr;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        perror("fuzz: cannot create a socket");
        abort();
    }
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0
        || fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
        fprintf(stderr, "fuzz: cannot connect to %s: %s\n", socket_path,
                strerror(errno));
        if (atomic_load(&emud_status) >= 0)
            fprintf(stderr, "fuzz: ibm4767-emud stopped with exit status "
                    "%d\n", atomic_load(&emud_status));
        abort();
    }
    return fd;
}

struct stream {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* Read what the socket has; returns 0 at the end of the stream. */
static int read_some(int fd, struct stream *in)
{
    ssize_t n;

    if (in->cap - in->len < 65536) {
        in->cap = in->cap * 2 + 65536;
        in->data = realloc(in->data, in->cap);
        FUZZ_CHECK(in->data != NULL);
    }
    n = recv(fd, in->data + in->len, in->cap - in->len, 0);
    if (n > 0) {
        in->len += (size_t)n;
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 1;
    return 0; /* end of stream, or the daemon reset the connection */
}

void fuzz_emu_exchange(const uint8_t *data, size_t len, uint8_t **replies,
                       size_t *replies_len)
{
    struct stream in = { NULL, 0, 0 };
    struct timespec start;
    struct pollfd pfd;
    size_t sent = 0;
    int fd = connect_daemon(), more = 1, ready;

    clock_gettime(CLOCK_MONOTONIC, &start);
    if (len == 0)
        shutdown(fd, SHUT_WR);
    while (more) {
        pfd.fd = fd;
        pfd.events = POLLIN | (sent < len ? POLLOUT : 0);
        ready = poll(&pfd, 1, 1000);
        /* The limit is for the whole exchange, so that a daemon that
         * keeps the socket busy without finishing is caught too. */
        if (elapsed_ms(&start) > REPLY_TIMEOUT_MS) {
            fprintf(stderr, "fuzz: ibm4767-emud did not close the "
                    "connection within %d ms: sent %zu of %zu bytes, "
                    "received %zu bytes of replies\n", REPLY_TIMEOUT_MS, sent,
                    len, in.len);
            abort();
        }
        if (ready <= 0)
            continue;
        if (sent < len && (pfd.revents & POLLOUT)) {
            ssize_t n = send(fd, data + sent, len - sent, MSG_NOSIGNAL);

            /* The daemon closes the connection after a malformed frame;
             * what it sent before still waits to be read. */
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                sent = len;
            else if (n > 0)
                sent += (size_t)n;
            if (sent == len)
                shutdown(fd, SHUT_WR);
        }
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
            more = read_some(fd, &in);
    }
    close(fd);
    wait_idle();
    *replies = in.data;
    *replies_len = in.len;
}

void fuzz_buf_append(struct fuzz_buf *b, const void *p, size_t n)
{
    if (b->cap - b->len < n) {
        b->cap = (b->len + n) * 2;
        b->data = realloc(b->data, b->cap);
        FUZZ_CHECK(b->data != NULL);
    }
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void fuzz_buf_free(struct fuzz_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void fuzz_frame_append(struct fuzz_buf *out, uint16_t verb,
                       uint32_t request_id, const uint8_t *payload,
                       size_t payload_len)
{
    struct ibm4767_header hdr;
    uint8_t head[IBM4767_HEADER_LEN];

    hdr.version = IBM4767_PROTO_VERSION;
    hdr.flags = 0;
    hdr.verb = verb;
    hdr.request_id = request_id;
    hdr.payload_len = (uint32_t)payload_len;
    ibm4767_header_encode(&hdr, head);
    fuzz_buf_append(out, head, sizeof(head));
    fuzz_buf_append(out, payload, payload_len);
}

static uint32_t load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8
           | p[3];
}

void fuzz_emu_call(uint16_t verb, const struct ibm4767_wbuf *payload,
                   uint32_t *rc, uint32_t *reason, uint8_t **fields,
                   size_t *fields_len)
{
    static uint32_t next_id = 1;
    struct fuzz_buf frame = { NULL, 0, 0 };
    struct ibm4767_header hdr;
    uint8_t *replies = NULL;
    size_t len = 0;

    fuzz_frame_append(&frame, verb, next_id++,
                      payload != NULL ? payload->data : NULL,
                      payload != NULL ? payload->len : 0);
    fuzz_emu_exchange(frame.data, frame.len, &replies, &len);
    fuzz_buf_free(&frame);

    FUZZ_CHECK(len >= IBM4767_HEADER_LEN + 12);
    FUZZ_CHECK(ibm4767_header_decode(replies, &hdr) == IBM4767_HEADER_OK);
    FUZZ_CHECK(hdr.payload_len >= 12
               && hdr.payload_len <= len - IBM4767_HEADER_LEN);
    *rc = load_u32(replies + IBM4767_HEADER_LEN);
    *reason = load_u32(replies + IBM4767_HEADER_LEN + 4);
    *fields_len = hdr.payload_len - 12;
    *fields = malloc(*fields_len + 1);
    FUZZ_CHECK(*fields != NULL);
    memcpy(*fields, replies + IBM4767_HEADER_LEN + 12, *fields_len);
    free(replies);
}
