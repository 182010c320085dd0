/*
 * A minimal client of the wire protocol for the bad-input catalogue: it
 * writes any bytes, well-formed or not, and reads what comes back.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <ibm4767/protocol.h>

#include "badinput.h"

/* A reply that takes longer means the daemon hangs.  The slowest request
 * of the catalogue, an RSA key generation under a sanitizer, takes a few
 * seconds. */
#define REPLY_TIMEOUT_S 60

int bi_failures;

void bi_ok(const char *fmt, ...)
{
    va_list ap;

    printf("ok: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

void bi_fail(const char *fmt, ...)
{
    va_list ap;

    bi_failures++;
    printf("FAIL: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

void bi_append(struct bi_buf *b, const void *p, size_t n)
{
    if (b->cap - b->len < n) {
        b->cap = (b->len + n) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        if (b->data == NULL) {
            fprintf(stderr, "badinput: out of memory\n");
            exit(99);
        }
    }
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void bi_u32(struct bi_buf *b, uint32_t v)
{
    uint8_t be[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
                      (uint8_t)(v >> 8), (uint8_t)v };

    bi_append(b, be, 4);
}

void bi_bytes(struct bi_buf *b, const void *p, size_t n)
{
    bi_u32(b, (uint32_t)n);
    bi_append(b, p, n);
}

void bi_free(struct bi_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

void bi_header(struct bi_buf *b, uint16_t verb, uint32_t request_id,
               uint32_t len)
{
    struct ibm4767_header hdr = { IBM4767_PROTO_VERSION, 0, verb,
                                  request_id, len };
    uint8_t head[IBM4767_HEADER_LEN];

    ibm4767_header_encode(&hdr, head);
    bi_append(b, head, sizeof(head));
}

void bi_frame(struct bi_buf *b, uint16_t verb, const struct bi_buf *payload)
{
    static uint32_t next_id = 1;
    size_t len = payload != NULL ? payload->len : 0;

    bi_header(b, verb, next_id++, (uint32_t)len);
    if (len > 0)
        bi_append(b, payload->data, len);
}

int bi_connect(const char *path)
{
    struct timeval tv = { REPLY_TIMEOUT_S, 0 };
    struct sockaddr_un addr;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0 || strlen(path) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "badinput: cannot create a socket for %s\n", path);
        exit(99);
    }
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        fprintf(stderr, "badinput: cannot connect to %s: %s\n", path,
                strerror(errno));
        exit(99);
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

int bi_send(int fd, const struct bi_buf *b)
{
    size_t off = 0;

    while (off < b->len) {
        ssize_t n = send(fd, b->data + off, b->len - off, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        off += (size_t)n;
    }
    return 1;
}

/* Read exactly len bytes; 1 done, 0 end of stream, -1 timeout or error. */
static int read_exact(int fd, uint8_t *p, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = recv(fd, p + got, len - got, 0);

        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return got == 0 ? 0 : -1;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        got += (size_t)n;
    }
    return 1;
}

static uint32_t load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8
           | p[3];
}

int bi_read_reply(int fd, struct bi_reply *r)
{
    uint8_t head[IBM4767_HEADER_LEN], codes[12];
    struct ibm4767_header hdr;
    int got;

    memset(r, 0, sizeof(*r));
    got = read_exact(fd, head, sizeof(head));
    if (got == 0) {
        r->closed = 1;
        return 1;
    }
    if (got < 0 || ibm4767_header_decode(head, &hdr) != IBM4767_HEADER_OK
        || !(hdr.flags & IBM4767_FLAG_REPLY) || hdr.payload_len < 12)
        return 0;
    if (read_exact(fd, codes, sizeof(codes)) != 1)
        return 0;
    r->rc = load_u32(codes);
    r->reason = load_u32(codes + 4);
    if (hdr.payload_len > 12) {
        size_t n = hdr.payload_len - 12;
        uint8_t *p = malloc(n);

        if (p == NULL || read_exact(fd, p, n) != 1) {
            free(p);
            return 0;
        }
        r->fields.data = p;
        r->fields.len = r->fields.cap = n;
    }
    return 1;
}

int bi_call(const char *path, uint16_t verb, const struct bi_buf *payload,
            struct bi_reply *r)
{
    struct bi_buf frame = { NULL, 0, 0 };
    int fd = bi_connect(path), ok;

    memset(r, 0, sizeof(*r));
    bi_frame(&frame, verb, payload);
    ok = bi_send(fd, &frame) && bi_read_reply(fd, r) && !r->closed;
    bi_free(&frame);
    close(fd);
    return ok;
}

int bi_first_bytes(const struct bi_reply *r, struct bi_buf *out)
{
    uint32_t n;

    if (r->fields.len < 4)
        return 0;
    n = load_u32(r->fields.data);
    if (n > r->fields.len - 4)
        return 0;
    out->len = 0;
    bi_append(out, r->fields.data + 4, n);
    return 1;
}

void bi_reply_free(struct bi_reply *r)
{
    bi_free(&r->fields);
}

int bi_daemon_serves(const char *path, int fd)
{
    struct bi_buf payload = { NULL, 0, 0 }, frame = { NULL, 0, 0 };
    struct bi_reply r;
    int own = fd < 0, ok;

    memset(&r, 0, sizeof(r));
    if (own)
        fd = bi_connect(path);
    bi_u32(&payload, 16);
    bi_frame(&frame, IBM4767_VERB_RANDOM_NUMBER_GENERATE, &payload);
    ok = bi_send(fd, &frame) && bi_read_reply(fd, &r) && !r.closed
         && r.rc == 0 && r.fields.len == 4 + 16;
    bi_reply_free(&r);
    bi_free(&payload);
    bi_free(&frame);
    if (own)
        close(fd);
    return ok;
}
