/*
 * Unit tests of the frame codec (backend/protocol.c): header encoding and
 * every malformed-header case, the payload writer's frame limit, and the
 * payload reader's bounds checks.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ibm4767/protocol.h>

static void encode_sample(uint8_t out[IBM4767_HEADER_LEN])
{
    struct ibm4767_header hdr = {
        .version = IBM4767_PROTO_VERSION,
        .flags = IBM4767_FLAG_REPLY,
        .verb = IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE,
        .request_id = 0x01020304u,
        .payload_len = 0x00000A0Bu,
    };

    ibm4767_header_encode(&hdr, out);
}

static void header_encode_layout(void **state)
{
    static const uint8_t expected[IBM4767_HEADER_LEN] = {
        0x47, 0x67, 0x01, 0x01, 0x01, 0x10, 0x00, 0x00,
        0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x0A, 0x0B,
    };
    uint8_t out[IBM4767_HEADER_LEN];

    (void)state;
    encode_sample(out);
    assert_memory_equal(out, expected, sizeof(expected));
}

static void header_round_trip(void **state)
{
    uint8_t buf[IBM4767_HEADER_LEN];
    struct ibm4767_header hdr;

    (void)state;
    encode_sample(buf);
    assert_int_equal(ibm4767_header_decode(buf, &hdr), IBM4767_HEADER_OK);
    assert_int_equal(hdr.version, IBM4767_PROTO_VERSION);
    assert_int_equal(hdr.flags, IBM4767_FLAG_REPLY);
    assert_int_equal(hdr.verb, IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE);
    assert_int_equal(hdr.request_id, 0x01020304u);
    assert_int_equal(hdr.payload_len, 0x0A0Bu);
}

static void header_bad_magic(void **state)
{
    uint8_t buf[IBM4767_HEADER_LEN];
    struct ibm4767_header hdr;

    (void)state;
    encode_sample(buf);
    buf[0] = 0x16;
    buf[1] = 0x03;   /* what a TLS record would start with */
    assert_int_equal(ibm4767_header_decode(buf, &hdr),
                     IBM4767_HEADER_BAD_MAGIC);
}

static void header_bad_version(void **state)
{
    uint8_t buf[IBM4767_HEADER_LEN];
    struct ibm4767_header hdr;

    (void)state;
    encode_sample(buf);
    buf[2] = 2;
    assert_int_equal(ibm4767_header_decode(buf, &hdr),
                     IBM4767_HEADER_BAD_VERSION);
    buf[2] = 0;
    assert_int_equal(ibm4767_header_decode(buf, &hdr),
                     IBM4767_HEADER_BAD_VERSION);
}

/* A receiver sends an error reply for a bad version, so the id and verb
 * must be decoded even when the check fails. */
static void header_bad_version_keeps_id(void **state)
{
    uint8_t buf[IBM4767_HEADER_LEN];
    struct ibm4767_header hdr;

    (void)state;
    encode_sample(buf);
    buf[2] = 9;
    assert_int_equal(ibm4767_header_decode(buf, &hdr),
                     IBM4767_HEADER_BAD_VERSION);
    assert_int_equal(hdr.request_id, 0x01020304u);
    assert_int_equal(hdr.verb, IBM4767_VERB_DIGITAL_SIGNATURE_GENERATE);
}

static void header_bad_reserved(void **state)
{
    uint8_t buf[IBM4767_HEADER_LEN];
    struct ibm4767_header hdr;

    (void)state;
    encode_sample(buf);
    buf[6] = 0x80;
    assert_int_equal(ibm4767_header_decode(buf, &hdr),
                     IBM4767_HEADER_BAD_RESERVED);
    buf[6] = 0;
    buf[7] = 0x01;
    assert_int_equal(ibm4767_header_decode(buf, &hdr),
                     IBM4767_HEADER_BAD_RESERVED);
}

static void header_length_limit(void **state)
{
    struct ibm4767_header in = { .version = IBM4767_PROTO_VERSION };
    struct ibm4767_header out;
    uint8_t buf[IBM4767_HEADER_LEN];

    (void)state;
    in.payload_len = IBM4767_FRAME_MAX;
    ibm4767_header_encode(&in, buf);
    assert_int_equal(ibm4767_header_decode(buf, &out), IBM4767_HEADER_OK);

    in.payload_len = IBM4767_FRAME_MAX + 1;
    ibm4767_header_encode(&in, buf);
    assert_int_equal(ibm4767_header_decode(buf, &out),
                     IBM4767_HEADER_TOO_LONG);
    assert_int_equal(out.payload_len, IBM4767_FRAME_MAX + 1);

    in.payload_len = 0xFFFFFFFFu;
    ibm4767_header_encode(&in, buf);
    assert_int_equal(ibm4767_header_decode(buf, &out),
                     IBM4767_HEADER_TOO_LONG);
}

/* Magic is checked first: garbage must never be read as a version or
 * length problem. */
static void header_magic_checked_first(void **state)
{
    uint8_t buf[IBM4767_HEADER_LEN];
    struct ibm4767_header hdr;

    (void)state;
    memset(buf, 0xFF, sizeof(buf));
    assert_int_equal(ibm4767_header_decode(buf, &hdr),
                     IBM4767_HEADER_BAD_MAGIC);
}

static void header_status_texts(void **state)
{
    (void)state;
    assert_non_null(strstr(ibm4767_header_status_text(
                               IBM4767_HEADER_BAD_MAGIC), "magic"));
    assert_non_null(strstr(ibm4767_header_status_text(
                               IBM4767_HEADER_BAD_VERSION), "version"));
    assert_non_null(strstr(ibm4767_header_status_text(
                               IBM4767_HEADER_BAD_RESERVED), "reserved"));
    assert_non_null(strstr(ibm4767_header_status_text(
                               IBM4767_HEADER_TOO_LONG), "limit"));
}

static void verb_names_known(void **state)
{
    (void)state;
    assert_string_equal(ibm4767_verb_name(IBM4767_VERB_STATUS), "CSUACFQ");
    assert_string_equal(
        ibm4767_verb_name(IBM4767_VERB_DIGITAL_SIGNATURE_VERIFY), "CSNDDSV");
    assert_string_equal(
        ibm4767_verb_name(IBM4767_VERB_RANDOM_NUMBER_GENERATE), "CSNBRNGL");
    assert_true(ibm4767_verb_known(IBM4767_VERB_EC_DIFFIE_HELLMAN));
    assert_true(ibm4767_verb_known(IBM4767_VERB_PKA_KEY_IMPORT));
    assert_true(ibm4767_verb_known(IBM4767_VERB_SYM_ENCIPHER));
    assert_string_equal(ibm4767_verb_name(IBM4767_VERB_SYM_DECIPHER),
                        "CSNBSAD");
}

static void verb_names_unknown(void **state)
{
    (void)state;
    assert_false(ibm4767_verb_known(0));
    assert_false(ibm4767_verb_known(0x9999));
    assert_string_equal(ibm4767_verb_name(0x9999), "unknown verb");
}

static void wbuf_encodes_fields(void **state)
{
    static const uint8_t expected[] = {
        0xDE, 0xAD, 0xBE, 0xEF,
        0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c',
        0x00, 0x00, 0x00, 0x00,
    };
    struct ibm4767_wbuf wb;

    (void)state;
    ibm4767_wbuf_init(&wb);
    assert_true(ibm4767_put_u32(&wb, 0xDEADBEEFu));
    assert_true(ibm4767_put_bytes(&wb, "abc", 3));
    assert_true(ibm4767_put_bytes(&wb, NULL, 0));
    assert_int_equal(wb.len, sizeof(expected));
    assert_memory_equal(wb.data, expected, sizeof(expected));
    assert_false(wb.failed);
    ibm4767_wbuf_free(&wb);
    assert_null(wb.data);
    assert_int_equal(wb.len, 0);
}

static void wbuf_null_bytes_rejected(void **state)
{
    struct ibm4767_wbuf wb;

    (void)state;
    ibm4767_wbuf_init(&wb);
    assert_false(ibm4767_put_bytes(&wb, NULL, 5));
    assert_true(wb.failed);
    ibm4767_wbuf_free(&wb);
}

static void wbuf_fills_to_frame_limit(void **state)
{
    struct ibm4767_wbuf wb;
    uint8_t *big = calloc(1, IBM4767_FRAME_MAX);

    (void)state;
    assert_non_null(big);
    ibm4767_wbuf_init(&wb);
    assert_true(ibm4767_put_bytes(&wb, big, IBM4767_FRAME_MAX - 8));
    assert_true(ibm4767_put_u32(&wb, 7));
    assert_int_equal(wb.len, IBM4767_FRAME_MAX);
    assert_false(ibm4767_put_u32(&wb, 8));
    assert_true(wb.failed);
    ibm4767_wbuf_free(&wb);
    free(big);
}

static void wbuf_rejects_over_limit(void **state)
{
    struct ibm4767_wbuf wb;
    uint8_t *big = calloc(1, IBM4767_FRAME_MAX);

    (void)state;
    assert_non_null(big);
    ibm4767_wbuf_init(&wb);
    /* The length prefix makes a FRAME_MAX-byte string 4 bytes too long. */
    assert_false(ibm4767_put_bytes(&wb, big, IBM4767_FRAME_MAX));
    assert_true(wb.failed);
    assert_int_equal(wb.len, 0);
    ibm4767_wbuf_free(&wb);

    ibm4767_wbuf_init(&wb);
    assert_false(ibm4767_put_bytes(&wb, big, SIZE_MAX));
    assert_true(wb.failed);
    ibm4767_wbuf_free(&wb);
    free(big);
}

static void wbuf_failure_is_sticky(void **state)
{
    struct ibm4767_wbuf wb;

    (void)state;
    ibm4767_wbuf_init(&wb);
    assert_false(ibm4767_put_bytes(&wb, NULL, 1));
    assert_false(ibm4767_put_u32(&wb, 1));
    assert_false(ibm4767_put_bytes(&wb, "x", 1));
    assert_int_equal(wb.len, 0);
    ibm4767_wbuf_free(&wb);
}

static void wbuf_grows_across_many_fields(void **state)
{
    struct ibm4767_wbuf wb;
    struct ibm4767_rbuf rb;
    uint32_t v;

    (void)state;
    ibm4767_wbuf_init(&wb);
    for (uint32_t i = 0; i < 10000; i++)
        assert_true(ibm4767_put_u32(&wb, i));
    assert_int_equal(wb.len, 40000);

    ibm4767_rbuf_init(&rb, wb.data, wb.len);
    for (uint32_t i = 0; i < 10000; i++) {
        assert_true(ibm4767_get_u32(&rb, &v));
        assert_int_equal(v, i);
    }
    assert_true(ibm4767_rbuf_done(&rb));
    ibm4767_wbuf_free(&wb);
}

static void rbuf_round_trip(void **state)
{
    struct ibm4767_wbuf wb;
    struct ibm4767_rbuf rb;
    const uint8_t *p;
    size_t n;
    uint32_t v;

    (void)state;
    ibm4767_wbuf_init(&wb);
    assert_true(ibm4767_put_u32(&wb, 12));
    assert_true(ibm4767_put_bytes(&wb, "token", 5));
    assert_true(ibm4767_put_bytes(&wb, NULL, 0));
    assert_true(ibm4767_put_u32(&wb, 4767));

    ibm4767_rbuf_init(&rb, wb.data, wb.len);
    assert_true(ibm4767_get_u32(&rb, &v));
    assert_int_equal(v, 12);
    assert_true(ibm4767_get_bytes(&rb, &p, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(p, "token", 5);
    assert_true(ibm4767_get_bytes(&rb, &p, &n));
    assert_int_equal(n, 0);
    assert_false(ibm4767_rbuf_done(&rb));
    assert_true(ibm4767_get_u32(&rb, &v));
    assert_int_equal(v, 4767);
    assert_true(ibm4767_rbuf_done(&rb));
    assert_false(ibm4767_get_u32(&rb, &v));
    ibm4767_wbuf_free(&wb);
}

static void rbuf_truncated_u32(void **state)
{
    static const uint8_t data[] = { 0x00, 0x00, 0x01 };
    struct ibm4767_rbuf rb;
    uint32_t v = 99;

    (void)state;
    ibm4767_rbuf_init(&rb, data, sizeof(data));
    assert_false(ibm4767_get_u32(&rb, &v));
    assert_int_equal(v, 99);
    assert_int_equal(rb.pos, 0);
}

static void rbuf_truncated_length_field(void **state)
{
    static const uint8_t data[] = { 0x00, 0x00 };
    struct ibm4767_rbuf rb;
    const uint8_t *p;
    size_t n;

    (void)state;
    ibm4767_rbuf_init(&rb, data, sizeof(data));
    assert_false(ibm4767_get_bytes(&rb, &p, &n));
    assert_int_equal(rb.pos, 0);
}

static void rbuf_length_past_end(void **state)
{
    static const uint8_t data[] = { 0x00, 0x00, 0x00, 0x05, 'a', 'b', 'c',
                                    'd' };
    struct ibm4767_rbuf rb;
    const uint8_t *p;
    size_t n;

    (void)state;
    ibm4767_rbuf_init(&rb, data, sizeof(data));
    assert_false(ibm4767_get_bytes(&rb, &p, &n));
    assert_int_equal(rb.pos, 0);
}

/* A length near 2^32 must fail by comparison, never wrap pos + len. */
static void rbuf_length_overflowing(void **state)
{
    static const uint8_t data[] = { 0xFF, 0xFF, 0xFF, 0xFF, 'a', 'b' };
    static const uint8_t almost[] = { 0xFF, 0xFF, 0xFF, 0xFC, 'a' };
    struct ibm4767_rbuf rb;
    const uint8_t *p;
    size_t n;

    (void)state;
    ibm4767_rbuf_init(&rb, data, sizeof(data));
    assert_false(ibm4767_get_bytes(&rb, &p, &n));
    assert_int_equal(rb.pos, 0);

    ibm4767_rbuf_init(&rb, almost, sizeof(almost));
    assert_false(ibm4767_get_bytes(&rb, &p, &n));
    assert_int_equal(rb.pos, 0);
}

static void rbuf_second_field_past_end(void **state)
{
    static const uint8_t data[] = {
        0x00, 0x00, 0x00, 0x01, 'x',
        0x00, 0x00, 0x00, 0x02, 'y',
    };
    struct ibm4767_rbuf rb;
    const uint8_t *p;
    size_t n;

    (void)state;
    ibm4767_rbuf_init(&rb, data, sizeof(data));
    assert_true(ibm4767_get_bytes(&rb, &p, &n));
    assert_int_equal(n, 1);
    assert_false(ibm4767_get_bytes(&rb, &p, &n));
    assert_int_equal(rb.pos, 5);
    assert_false(ibm4767_rbuf_done(&rb));
}

static void rbuf_exact_fit(void **state)
{
    static const uint8_t data[] = { 0x00, 0x00, 0x00, 0x02, 'o', 'k' };
    struct ibm4767_rbuf rb;
    const uint8_t *p;
    size_t n;

    (void)state;
    ibm4767_rbuf_init(&rb, data, sizeof(data));
    assert_true(ibm4767_get_bytes(&rb, &p, &n));
    assert_int_equal(n, 2);
    assert_ptr_equal(p, data + 4);
    assert_true(ibm4767_rbuf_done(&rb));
}

static void rbuf_empty_payload(void **state)
{
    struct ibm4767_rbuf rb;
    const uint8_t *p;
    size_t n;
    uint32_t v;

    (void)state;
    ibm4767_rbuf_init(&rb, NULL, 0);
    assert_true(ibm4767_rbuf_done(&rb));
    assert_false(ibm4767_get_u32(&rb, &v));
    assert_false(ibm4767_get_bytes(&rb, &p, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_encode_layout),
        cmocka_unit_test(header_round_trip),
        cmocka_unit_test(header_bad_magic),
        cmocka_unit_test(header_bad_version),
        cmocka_unit_test(header_bad_version_keeps_id),
        cmocka_unit_test(header_bad_reserved),
        cmocka_unit_test(header_length_limit),
        cmocka_unit_test(header_magic_checked_first),
        cmocka_unit_test(header_status_texts),
        cmocka_unit_test(verb_names_known),
        cmocka_unit_test(verb_names_unknown),
        cmocka_unit_test(wbuf_encodes_fields),
        cmocka_unit_test(wbuf_null_bytes_rejected),
        cmocka_unit_test(wbuf_fills_to_frame_limit),
        cmocka_unit_test(wbuf_rejects_over_limit),
        cmocka_unit_test(wbuf_failure_is_sticky),
        cmocka_unit_test(wbuf_grows_across_many_fields),
        cmocka_unit_test(rbuf_round_trip),
        cmocka_unit_test(rbuf_truncated_u32),
        cmocka_unit_test(rbuf_truncated_length_field),
        cmocka_unit_test(rbuf_length_past_end),
        cmocka_unit_test(rbuf_length_overflowing),
        cmocka_unit_test(rbuf_second_field_past_end),
        cmocka_unit_test(rbuf_exact_fit),
        cmocka_unit_test(rbuf_empty_payload),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
