/*
 * pipelining SOCKET: requests in flight together on one connection come
 * back matched by request id.
 *
 * Case 1 sends a STATUS and a RANDOM NUMBER GENERATE request before reading
 * either reply.  Case 2 sends sixteen random number requests of 1 to 16
 * bytes, so each reply's length shows which request it belongs to.  The device
 * may reply in any order, so replies are matched by id, never by position.
 *
 * Exit status: 0 pass, 1 fail, 99 the test could not run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/codes.h>
#include <ibm4767/protocol.h>
#include <ibm4767/transport.h>

#define REPLY_TIMEOUT_MS 30000
#define BURST_REQUESTS   16
#define STATUS_ID        0x51000001u
#define RANDOM_ID        0x51000002u
#define BURST_BASE_ID    0x52000000u

static int failures;

static void check(int cond, const char *description)
{
    if (cond) {
        printf("ok: %s\n", description);
        return;
    }
    printf("FAIL: %s\n", description);
    failures++;
}

/* Send one request with its payload built from u32 fields.  Returns 1, or
 * 0 when the payload could not be built or the send failed. */
static int send_request(struct cca_conn *c, uint16_t verb, uint32_t id,
                        const uint32_t *fields, size_t field_count,
                        int empty_bytes_last)
{
    struct ibm4767_wbuf wb;
    size_t i;
    int ok = 0;

    ibm4767_wbuf_init(&wb);
    for (i = 0; i < field_count; i++)
        ibm4767_put_u32(&wb, fields[i]);
    /* STATUS ends with a byte string (the nonce), sent empty here. */
    if (empty_bytes_last)
        ibm4767_put_bytes(&wb, NULL, 0);
    if (!wb.failed)
        ok = cca_conn_send(c, verb, id, wb.data, wb.len);
    ibm4767_wbuf_free(&wb);
    return ok;
}

static int send_status(struct cca_conn *c, uint32_t id)
{
    uint32_t flags = 0;

    return send_request(c, IBM4767_VERB_STATUS, id, &flags, 1, 1);
}

static int send_random(struct cca_conn *c, uint32_t id, uint32_t length)
{
    return send_request(c, IBM4767_VERB_RANDOM_NUMBER_GENERATE, id, &length,
                        1, 0);
}

/* One received reply: header, CCA codes, and for a random number request
 * the length of the returned bytes. */
struct reply {
    struct ibm4767_header hdr;
    uint32_t rc;
    uint32_t reason;
    size_t random_len;
};

static int receive_reply(struct cca_conn *c, struct reply *r)
{
    struct ibm4767_rbuf rb;
    uint8_t *payload = NULL;
    size_t len = 0;
    uint32_t driver_code = 0;
    const uint8_t *bytes = NULL;
    char err[256] = "";
    int ok = 0;

    memset(r, 0, sizeof(*r));
    if (!cca_conn_recv(c, &r->hdr, &payload, &len, REPLY_TIMEOUT_MS, err,
                       sizeof(err))) {
        printf("receive failed: %s\n", err);
        goto err;
    }

    ibm4767_rbuf_init(&rb, payload, len);
    if (!ibm4767_get_u32(&rb, &r->rc) || !ibm4767_get_u32(&rb, &r->reason)
            || !ibm4767_get_u32(&rb, &driver_code)) {
        printf("reply %u: payload of %zu bytes has no CCA codes\n",
               (unsigned)r->hdr.request_id, len);
        goto err;
    }
    if (r->hdr.verb == IBM4767_VERB_RANDOM_NUMBER_GENERATE
            && r->rc == CCA_RC_OK
            && !ibm4767_get_bytes(&rb, &bytes, &r->random_len)) {
        printf("reply %u: random number reply has no bytes field\n",
               (unsigned)r->hdr.request_id);
        goto err;
    }
    ok = 1;

err:
    OPENSSL_clear_free(payload, len);
    return ok;
}

static void test_status_and_random(const char *socket_path)
{
    struct cca_conn *c = NULL;
    struct reply r;
    char err[256] = "";
    int seen_status = 0;
    int seen_random = 0;
    int i;

    c = cca_conn_open(socket_path, err, sizeof(err));
    if (c == NULL) {
        printf("cannot connect: %s\n", err);
        exit(99);
    }

    check(send_status(c, STATUS_ID), "status request sent");
    check(send_random(c, RANDOM_ID, 16), "random request sent");

    for (i = 0; i < 2; i++) {
        if (!receive_reply(c, &r)) {
            check(0, "reply received");
            break;
        }
        check(r.hdr.flags & IBM4767_FLAG_REPLY, "reply flag set");
        check(r.rc == CCA_RC_OK, "reply rc is 0");
        if (r.hdr.request_id == STATUS_ID) {
            seen_status++;
            check(r.hdr.verb == IBM4767_VERB_STATUS,
                  "status id answered by a status reply");
        } else if (r.hdr.request_id == RANDOM_ID) {
            seen_random++;
            check(r.hdr.verb == IBM4767_VERB_RANDOM_NUMBER_GENERATE,
                  "random id answered by a random number reply");
            check(r.random_len == 16, "random reply has 16 bytes");
        } else {
            printf("unexpected request id %u\n",
                   (unsigned)r.hdr.request_id);
            check(0, "reply id is one that was sent");
        }
    }
    check(seen_status == 1, "status reply received once");
    check(seen_random == 1, "random reply received once");
    cca_conn_close(c);
}

static void test_burst_matched_by_length(const char *socket_path)
{
    struct cca_conn *c = NULL;
    struct reply r;
    char err[256] = "";
    int seen[BURST_REQUESTS] = { 0 };
    int sent_all = 1;
    int matched = 0;
    int answered_once = 1;
    int i;

    c = cca_conn_open(socket_path, err, sizeof(err));
    if (c == NULL) {
        printf("cannot connect: %s\n", err);
        exit(99);
    }

    for (i = 0; i < BURST_REQUESTS; i++)
        sent_all &= send_random(c, BURST_BASE_ID + (uint32_t)i,
                                (uint32_t)i + 1);
    check(sent_all, "sixteen random requests sent before any reply");

    for (i = 0; i < BURST_REQUESTS; i++) {
        uint32_t index;

        if (!receive_reply(c, &r)) {
            check(0, "burst reply received");
            break;
        }
        index = r.hdr.request_id - BURST_BASE_ID;
        if (index >= BURST_REQUESTS || r.rc != CCA_RC_OK) {
            printf("reply id %u rc %u: not one of the burst requests\n",
                   (unsigned)r.hdr.request_id, (unsigned)r.rc);
            continue;
        }
        seen[index]++;
        if (r.random_len == index + 1)
            matched++;
        else
            printf("reply id %u: %zu bytes, expected %u\n",
                   (unsigned)r.hdr.request_id, r.random_len,
                   (unsigned)index + 1);
    }
    for (i = 0; i < BURST_REQUESTS; i++) {
        if (seen[i] != 1) {
            printf("burst request %d answered %d times\n", i, seen[i]);
            answered_once = 0;
        }
    }
    check(answered_once, "every burst request answered exactly once");
    check(matched == BURST_REQUESTS,
          "every burst reply has the length its id asked for");
    cca_conn_close(c);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pipelining SOCKET\n");
        return 99;
    }

    test_status_and_random(argv[1]);
    test_burst_matched_by_length(argv[1]);

    printf("%d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
