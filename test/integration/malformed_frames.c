/*
 * malformed_frames SOCKET: sends malformed request frames to a live device,
 * one connection each.  Each must get an error reply with the documented
 * CCA return/reason code or a clean close (end of file, no reset).
 * Afterwards the device must still serve a good STATUS request on a new
 * connection.
 *
 * Error replies carry return code 8 and one of the project's reasons:
 * 4780 malformed frame, 4781 unknown verb, 4782 unsupported protocol
 * version, 4783 payload longer than IBM4767_FRAME_MAX.  A well-framed
 * request (unknown verb, short payload) leaves the framing intact, so those
 * cases must get the reply; the others may close instead.
 *
 * Exit status: 0 pass, 1 fail, 99 the test could not run.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ibm4767/codes.h>
#include <ibm4767/protocol.h>

#define IO_TIMEOUT_MS 30000
#define UNKNOWN_VERB  0x0FFFu

/* Raw header fields, so a case can set any of them to a bad value. */
struct raw_header {
    uint16_t magic;
    uint8_t version;
    uint8_t flags;
    uint16_t verb;
    uint16_t reserved;
    uint32_t request_id;
    uint32_t payload_len;
};

struct frame_case {
    const char *name;
    struct raw_header hdr;
    const uint8_t *payload;
    size_t payload_sent;     /* bytes of payload actually sent */
    size_t frame_cut;        /* 0, or send only this many frame bytes */
    uint32_t reason;         /* expected reason of an error reply */
    int reply_required;
};

enum outcome {
    OUTCOME_REPLY,
    OUTCOME_CLOSED,
    OUTCOME_ERROR,
};

static int failures;

static void check(int cond, const char *name, const char *description)
{
    printf("%s: %s: %s\n", cond ? "ok" : "FAIL", name, description);
    if (!cond)
        failures++;
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16
           | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void encode_raw_header(const struct raw_header *h,
                              uint8_t out[IBM4767_HEADER_LEN])
{
    put_u16(out, h->magic);
    out[2] = h->version;
    out[3] = h->flags;
    put_u16(out + 4, h->verb);
    put_u16(out + 6, h->reserved);
    put_u32(out + 8, h->request_id);
    put_u32(out + 12, h->payload_len);
}

static int connect_device(const char *path)
{
    struct sockaddr_un addr;
    int fd;

    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(addr.sun_path)) {
        printf("socket path too long: %s\n", path);
        exit(99);
    }
    strcpy(addr.sun_path, path);

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        printf("cannot connect to %s: %s\n", path, strerror(errno));
        exit(99);
    }
    return fd;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

/* Read exactly len bytes.  Returns len, the bytes read before end of file,
 * or -1 on a timeout or an error (errno set). */
static ssize_t read_exact(int fd, uint8_t *p, size_t len)
{
    size_t got = 0;

    while (got < len) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;
        int ready = poll(&pfd, 1, IO_TIMEOUT_MS);

        if (ready == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return -1;
        n = recv(fd, p + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Read one reply frame and return its header and CCA codes. */
static enum outcome read_reply(int fd, const char *name,
                               struct ibm4767_header *hdr, uint32_t *rc,
                               uint32_t *reason)
{
    uint8_t head[IBM4767_HEADER_LEN];
    uint8_t codes[12];
    ssize_t n = read_exact(fd, head, sizeof(head));

    if (n == 0)
        return OUTCOME_CLOSED;
    if (n < 0) {
        printf("%s: reading the reply failed: %s\n", name, strerror(errno));
        return OUTCOME_ERROR;
    }
    if ((size_t)n < sizeof(head)) {
        printf("%s: connection closed after %zd header bytes\n", name, n);
        return OUTCOME_ERROR;
    }
    if (ibm4767_header_decode(head, hdr) != IBM4767_HEADER_OK) {
        printf("%s: reply header invalid\n", name);
        return OUTCOME_ERROR;
    }
    if (hdr->payload_len < sizeof(codes)
            || read_exact(fd, codes, sizeof(codes)) != (ssize_t)sizeof(codes)) {
        printf("%s: reply of %u bytes has no CCA codes\n", name,
               (unsigned)hdr->payload_len);
        return OUTCOME_ERROR;
    }
    *rc = get_u32(codes);
    *reason = get_u32(codes + 4);
    return OUTCOME_REPLY;
}

static void run_case(const char *socket_path, const struct frame_case *fc)
{
    uint8_t frame[IBM4767_HEADER_LEN + 64];
    size_t frame_len = IBM4767_HEADER_LEN + fc->payload_sent;
    struct ibm4767_header reply;
    uint32_t rc = 0;
    uint32_t reason = 0;
    enum outcome got;
    char description[160];
    int fd = connect_device(socket_path);

    encode_raw_header(&fc->hdr, frame);
    if (fc->payload_sent > 0)
        memcpy(frame + IBM4767_HEADER_LEN, fc->payload, fc->payload_sent);
    if (fc->frame_cut > 0)
        frame_len = fc->frame_cut;

    check(write_all(fd, frame, frame_len), fc->name, "frame sent");
    /* A device waiting for the rest of a cut frame reads end of file.
     * Whole frames keep both directions open so a reply is never cut
     * short. */
    if (fc->payload_sent < fc->hdr.payload_len || fc->frame_cut > 0)
        shutdown(fd, SHUT_WR);

    got = read_reply(fd, fc->name, &reply, &rc, &reason);
    if (got == OUTCOME_CLOSED) {
        check(!fc->reply_required, fc->name,
              "connection closed cleanly (allowed only where the frame was "
              "not well formed)");
    } else if (got == OUTCOME_REPLY) {
        check(reply.flags & IBM4767_FLAG_REPLY, fc->name, "reply flag set");
        check(rc == CCA_RC_ERROR, fc->name, "error reply has rc 8");
        snprintf(description, sizeof(description),
                 "error reply has reason %u (got %u)",
                 (unsigned)fc->reason, (unsigned)reason);
        check(reason == fc->reason, fc->name, description);
        if (fc->reply_required)
            check(reply.request_id == fc->hdr.request_id, fc->name,
                  "error reply echoes the request id");
    } else {
        check(0, fc->name, "error reply or clean close");
    }
    close(fd);
}

/* A good STATUS request on a new connection gets rc 0. */
static void check_device_still_serves(const char *socket_path)
{
    static const uint8_t status_payload[8] = { 0 }; /* flags 0, empty nonce */
    struct raw_header h = {
        IBM4767_PROTO_MAGIC, IBM4767_PROTO_VERSION, 0, IBM4767_VERB_STATUS,
        0, 900, sizeof(status_payload),
    };
    uint8_t frame[IBM4767_HEADER_LEN + sizeof(status_payload)];
    struct ibm4767_header reply;
    uint32_t rc = 1;
    uint32_t reason = 0;
    int fd = connect_device(socket_path);
    const char *name = "good status afterwards";

    encode_raw_header(&h, frame);
    memcpy(frame + IBM4767_HEADER_LEN, status_payload,
           sizeof(status_payload));
    check(write_all(fd, frame, sizeof(frame)), name, "frame sent");
    check(read_reply(fd, name, &reply, &rc, &reason) == OUTCOME_REPLY, name,
          "reply received");
    check(rc == CCA_RC_OK, name, "reply has rc 0");
    check(reply.request_id == 900, name, "reply echoes the request id");
    close(fd);
}

int main(int argc, char **argv)
{
    static const uint8_t status_payload[8] = { 0 };
    static const uint8_t short_payload[3] = { 0 };
    const struct frame_case cases[] = {
        { "bad magic",
          { 0x4768, IBM4767_PROTO_VERSION, 0, IBM4767_VERB_STATUS, 0, 11, 0 },
          NULL, 0, 0, CCA_RS_FRAME_INVALID, 0 },
        { "bad version",
          { IBM4767_PROTO_MAGIC, 0x7F, 0, IBM4767_VERB_STATUS, 0, 12, 0 },
          NULL, 0, 0, CCA_RS_VERSION_UNSUPPORTED, 0 },
        { "reserved field set",
          { IBM4767_PROTO_MAGIC, IBM4767_PROTO_VERSION, 0,
            IBM4767_VERB_STATUS, 0x0001, 13, 0 },
          NULL, 0, 0, CCA_RS_FRAME_INVALID, 0 },
        { "unknown verb",
          { IBM4767_PROTO_MAGIC, IBM4767_PROTO_VERSION, 0, UNKNOWN_VERB, 0,
            14, 0 },
          NULL, 0, 0, CCA_RS_VERB_UNKNOWN, 1 },
        { "oversized length",
          { IBM4767_PROTO_MAGIC, IBM4767_PROTO_VERSION, 0,
            IBM4767_VERB_STATUS, 0, 15, IBM4767_FRAME_MAX + 1 },
          NULL, 0, 0, CCA_RS_FRAME_TOO_LONG, 0 },
        { "short status payload",
          { IBM4767_PROTO_MAGIC, IBM4767_PROTO_VERSION, 0,
            IBM4767_VERB_STATUS, 0, 16, sizeof(short_payload) },
          short_payload, sizeof(short_payload), 0, CCA_RS_FRAME_INVALID, 1 },
        { "truncated payload",
          { IBM4767_PROTO_MAGIC, IBM4767_PROTO_VERSION, 0,
            IBM4767_VERB_STATUS, 0, 17, sizeof(status_payload) },
          status_payload, 4, 0, CCA_RS_FRAME_INVALID, 0 },
        { "truncated header",
          { IBM4767_PROTO_MAGIC, IBM4767_PROTO_VERSION, 0,
            IBM4767_VERB_STATUS, 0, 18, 0 },
          NULL, 0, 9, CCA_RS_FRAME_INVALID, 0 },
    };
    size_t i;

    if (argc != 2) {
        fprintf(stderr, "usage: malformed_frames SOCKET\n");
        return 99;
    }

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(argv[1], &cases[i]);
    check_device_still_serves(argv[1]);

    printf("%d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
