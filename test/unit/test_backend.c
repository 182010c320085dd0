/*
 * Unit tests of the backend's dispatcher against a scripted fake device:
 * request encoding, reply checks, readiness waiting, and resending after
 * 12/4767 and lost connections.  test_backend_devices.c covers the
 * connection pool, threads, fork and the choice among several devices.
 */
#include <config.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/crypto.h>

#include <ibm4767/cca.h>
#include <ibm4767/protocol.h>

#include "fake_device.h"
#include "backend_fixture.h"

static void status_fields_decoded(void **state)
{
    struct fixture *f = *state;
    struct cca_status st;
    struct cca_result res;

    assert_true(cca_facility_query(f->be, -1, 0, &st, &res));
    assert_int_equal(res.rc, 0);
    assert_int_equal(st.state, CCA_STATE_READY);
    assert_string_equal(st.serial, "FAKE0001");
    assert_string_equal(st.description, "fake 4767");
    assert_string_equal(st.firmware_version, "5.4.33");
    assert_int_equal(st.aes[CCA_MK_NEW].state, CCA_MK_EMPTY);
    assert_int_equal(st.apka[CCA_MK_CURRENT].state, CCA_MK_VALID);
    assert_int_equal(st.apka[CCA_MK_CURRENT].mkvp[7], 8);
    assert_string_equal(st.segments[2].image, "5.4.33 CCA");
    assert_int_equal(strlen(st.segments[0].hash), 64);
    assert_int_equal(st.counter_count, 2);
    assert_int_equal(cca_status_counter(&st, "random-requests"), 0);
    assert_int_equal(cca_status_counter(&st, "no-such-counter"), 0);
    assert_string_equal(res.device_name, "CRP01");
}

/* A status query without waiting returns in any state, so tools can show
 * a device in self-test. */
static void status_no_wait_during_self_test(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_status st;
    struct cca_result res;

    s.self_test_polls = 100;
    script(f, &s);
    assert_true(cca_facility_query(f->be, 0, 0, &st, &res));
    assert_int_equal(st.state, CCA_STATE_SELF_TEST);
    assert_int_equal(st.self_test_remaining_ms, 1000);
}

static void random_split_into_pieces(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct fake_stats stats;
    size_t len = 2 * IBM4767_RANDOM_MAX + 100;
    uint8_t *buf = malloc(len);

    assert_non_null(buf);
    assert_true(cca_random_number_generate(f->be, buf, len, &res));
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.random_requests, 3);
    assert_int_equal(stats.random_bytes, len);
    /* The fake numbers its bytes consecutively across requests. */
    for (size_t i = 0; i < len; i++)
        assert_int_equal(buf[i], (uint8_t)i);
    free(buf);
}

static void random_zero_length(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct fake_stats stats;

    assert_true(cca_random_number_generate(f->be, NULL, 0, &res));
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.verb_requests, 0);
}

static void sign_request_fields(void **state)
{
    static const uint8_t token[5] = { 0x1F, 0, 0, 5, 9 };
    static const uint8_t hash[3] = { 0xAA, 0xBB, 0xCC };
    static const uint8_t expected[] = {
        0, 0, 0, 2,                  /* scheme PSS */
        0, 0, 0x02, 0xA0,            /* hash NID 672 */
        0, 0, 0x02, 0xA1,            /* MGF1 NID 673 */
        0xFF, 0xFF, 0xFF, 0xFD,      /* salt CCA_SALT_MAX (-3) */
        0, 0, 0, 5, 0x1F, 0, 0, 5, 9,
        0, 0, 0, 3, 0xAA, 0xBB, 0xCC,
    };
    struct fixture *f = *state;
    struct cca_sig_params p = { CCA_SIG_PSS, 672, 673, CCA_SALT_MAX };
    uint8_t sig[FAKE_SIGNATURE_LEN];
    size_t sig_len = sizeof(sig);
    struct cca_result res;
    struct fake_stats stats;

    assert_true(cca_digital_signature_generate(f->be, &p, token,
                                               sizeof(token), hash,
                                               sizeof(hash), sig, &sig_len,
                                               &res));
    assert_int_equal(sig_len, FAKE_SIGNATURE_LEN);
    assert_int_equal(sig[0], 0x5A);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.last_request_len, sizeof(expected));
    assert_memory_equal(stats.last_request, expected, sizeof(expected));
}

static void sign_buffer_too_small(void **state)
{
    static const uint8_t token[4] = { 0x1F };
    static const uint8_t hash[32] = { 0 };
    struct fixture *f = *state;
    struct cca_sig_params p = { CCA_SIG_PKCS1, 672, 0, 0 };
    uint8_t sig[16];
    size_t sig_len = sizeof(sig);
    struct cca_result res;

    assert_false(cca_digital_signature_generate(f->be, &p, token,
                                                sizeof(token), hash,
                                                sizeof(hash), sig, &sig_len,
                                                &res));
    assert_int_equal(res.rc, 8);
    assert_int_equal(res.reason, CCA_RS_LENGTH_INVALID);
    assert_int_equal(sig_len, FAKE_SIGNATURE_LEN);
}

static void verify_mismatch_returns_429(void **state)
{
    static const uint8_t token[4] = { 0x1F };
    static const uint8_t hash[32] = { 0 };
    static const uint8_t good[4] = { 1, 2, 3, 4 };
    static const uint8_t bad[4] = { 1, 2, 3, 0 };
    struct fixture *f = *state;
    struct cca_sig_params p = { CCA_SIG_ECDSA, 672, 0, 0 };
    struct cca_result res;

    assert_true(cca_digital_signature_verify(f->be, &p, token, sizeof(token),
                                             hash, sizeof(hash), good,
                                             sizeof(good), &res));
    assert_int_equal(res.rc, 0);
    assert_true(cca_digital_signature_verify(f->be, &p, token, sizeof(token),
                                             hash, sizeof(hash), bad,
                                             sizeof(bad), &res));
    assert_int_equal(res.rc, 4);
    assert_int_equal(res.reason, 429);
}

static void decrypt_request_fields(void **state)
{
    static const uint8_t token[2] = { 0x1F, 0x00 };
    static const uint8_t in[3] = { 7, 8, 9 };
    static const uint8_t label[2] = { 'L', 'B' };
    static const uint8_t expected[] = {
        0, 0, 0, 2,                  /* padding OAEP */
        0, 0, 0x02, 0xA0,            /* OAEP digest NID 672 */
        0, 0, 0x02, 0xA2,            /* MGF1 NID 674 */
        0, 0, 0, 2, 'L', 'B',        /* label */
        0, 0, 0x03, 0x03,            /* TLS client version */
        0, 0, 0x03, 0x01,            /* TLS alternative version */
        0, 0, 0, 2, 0x1F, 0x00,      /* token */
        0, 0, 0, 3, 7, 8, 9,         /* ciphertext */
    };
    struct fixture *f = *state;
    struct cca_pka_cipher_params p = {
        .padding = CCA_PAD_OAEP, .oaep_nid = 672, .mgf1_nid = 674,
        .label = label, .label_len = sizeof(label),
        .tls_client_version = 0x0303, .tls_alt_version = 0x0301,
    };
    uint8_t out[16];
    size_t out_len = sizeof(out);
    struct cca_result res;
    struct fake_stats stats;

    assert_true(cca_pka_decrypt(f->be, &p, token, sizeof(token), in,
                                sizeof(in), out, &out_len, &res));
    assert_int_equal(out_len, 3);
    assert_memory_equal(out, FAKE_OUTPUT, 3);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.last_request_len, sizeof(expected));
    assert_memory_equal(stats.last_request, expected, sizeof(expected));
}

static void ecdh_request_fields(void **state)
{
    static const uint8_t token[1] = { 0x1F };
    static const uint8_t peer[3] = { 0x04, 0xAA, 0xBB };
    static const uint8_t expected[] = {
        0, 0, 0, 1, 0x1F,
        0, 0, 0, 3, 0x04, 0xAA, 0xBB,
    };
    struct fixture *f = *state;
    uint8_t out[2];
    size_t out_len = sizeof(out);
    struct cca_result res;
    struct fake_stats stats;

    /* The fake's 3-byte secret does not fit 2 bytes: 8/72 and the length
     * needed. */
    assert_false(cca_ec_diffie_hellman(f->be, token, sizeof(token), peer,
                                       sizeof(peer), out, &out_len, &res));
    assert_int_equal(res.rc, 8);
    assert_int_equal(res.reason, CCA_RS_LENGTH_INVALID);
    assert_int_equal(out_len, 3);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.last_request_len, sizeof(expected));
    assert_memory_equal(stats.last_request, expected, sizeof(expected));
}

static void import_request_fields(void **state)
{
    static const uint8_t kvs[4] = { 0, 1, 2, 3 };
    static const uint8_t expected[] = {
        0, 0, 0, 2,                  /* CCA_ALG_EC */
        0, 0, 0, 4,                  /* CCA_USAGE_KEY_AGREEMENT */
        0, 0, 0, 4, 0, 1, 2, 3,
    };
    struct fixture *f = *state;
    struct cca_result res;
    struct fake_stats stats;
    uint8_t *token = NULL;
    size_t token_len = 0;

    assert_true(cca_pka_key_import(f->be, CCA_ALG_EC,
                                   CCA_USAGE_KEY_AGREEMENT, kvs, sizeof(kvs),
                                   &token, &token_len, &res));
    assert_int_equal(token_len, 3);
    OPENSSL_free(token);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.last_request_len, sizeof(expected));
    assert_memory_equal(stats.last_request, expected, sizeof(expected));
}

static void invalid_arguments_rejected(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    uint8_t *token = NULL;
    size_t token_len = 0;
    struct fake_stats stats;

    assert_false(cca_pka_public_key_extract(f->be, NULL, 0, &token,
                                            &token_len, &res));
    assert_int_equal(res.rc, 8);
    assert_int_equal(res.reason, CCA_RS_HOST_INVALID_ARGUMENT);
    assert_false(cca_random_number_generate(f->be, NULL, 5, &res));
    assert_int_equal(res.reason, CCA_RS_HOST_INVALID_ARGUMENT);
    assert_false(cca_facility_query(f->be, 7, 0, &(struct cca_status){ 0 },
                                    &res));
    assert_int_equal(res.reason, CCA_RS_HOST_INVALID_ARGUMENT);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.verb_requests, 0);
}

static void keygen_returns_token(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    uint8_t *token = NULL;
    size_t token_len = 0;

    assert_true(cca_pka_key_generate(f->be, CCA_ALG_RSA, 2048, NULL, 0,
                                     CCA_USAGE_SIGNATURE, &token, &token_len,
                                     &res));
    assert_int_equal(token_len, FAKE_TOKEN_LEN);
    assert_int_equal(token[0], 0x1F);
    OPENSSL_free(token);
}

static void readiness_waits_for_self_test(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct fake_stats stats;
    struct cca_result res;
    uint8_t buf[8];

    s.self_test_polls = 3;
    script(f, &s);
    assert_true(cca_random_number_generate(f->be, buf, sizeof(buf), &res));
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.status_requests, 4);
    assert_int_equal(stats.random_requests, 1);
}

static void readiness_timeout_fails(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_backend *be = backend_for(fake_device_path(f->dev), 300);
    struct cca_result res;
    char text[1024];
    long long started;
    long long elapsed;
    uint8_t buf[8];

    s.self_test_polls = 1000;
    script(f, &s);
    started = now_ms();
    assert_false(cca_random_number_generate(be, buf, sizeof(buf), &res));
    elapsed = now_ms() - started;
    assert_int_equal(res.rc, 12);
    assert_int_equal(res.reason, CCA_RS_HOST_READY_TIMEOUT);
    assert_true(elapsed >= 300);
    assert_true(elapsed < 3000);
    cca_result_text(&res, text, sizeof(text));
    assert_non_null(strstr(text, "CRP01 ("));
    assert_non_null(strstr(text, fake_device_path(f->dev)));
    assert_non_null(strstr(text, "IBM4767_READY_TIMEOUT"));
    assert_non_null(strstr(text, "ready-timeout"));
    cca_backend_free(be);
}

static void readiness_timeout_zero_no_wait(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_backend *be = backend_for(fake_device_path(f->dev), 0);
    struct cca_result res;
    struct fake_stats stats;
    uint8_t buf[8];

    s.self_test_polls = 1000;
    script(f, &s);
    assert_false(cca_random_number_generate(be, buf, sizeof(buf), &res));
    assert_int_equal(res.reason, CCA_RS_HOST_READY_TIMEOUT);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.status_requests, 1);
    cca_backend_free(be);
}

static void no_firmware_fails_at_once(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;
    struct fake_stats stats;
    long long started = now_ms();
    uint8_t buf[8];

    s.state = CCA_STATE_NO_FIRMWARE;
    script(f, &s);
    assert_false(cca_random_number_generate(f->be, buf, sizeof(buf), &res));
    assert_int_equal(res.rc, 12);
    assert_int_equal(res.reason, CCA_RS_FIRMWARE_NOT_LOADED);
    assert_true(now_ms() - started < 1000);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.verb_requests, 0);
}

static void zeroized_fails_with_driver_code(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;
    char text[1024];
    uint8_t buf[8];

    s.state = CCA_STATE_ZEROIZED;
    s.status_driver_code = CCA_DRV_MESH_TAMPER;
    script(f, &s);
    assert_false(cca_random_number_generate(f->be, buf, sizeof(buf), &res));
    assert_int_equal(res.rc, 12);
    assert_int_equal(res.reason, CCA_RS_ZEROIZED);
    assert_int_equal(res.driver_code, CCA_DRV_MESH_TAMPER);
    cca_result_text(&res, text, sizeof(text));
    assert_non_null(strstr(text, "driver code 8040FFF9 MESH_TAMPER"));
}

static void self_test_reply_resent(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;
    struct fake_stats stats;

    assert_true(sign(f->be, &res));        /* device known ready */
    s.verb_self_test = 1;
    script(f, &s);
    assert_true(sign(f->be, &res));
    assert_int_equal(res.rc, 0);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.verb_requests, 3);
    /* The first status, then the polls through the self-test the 12/4767
     * started (two SELF_TEST replies and the READY one). */
    assert_int_equal(stats.status_requests, 4);
}

static void lost_connection_resent_once(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;
    struct fake_stats stats;

    s.drop_requests = 1;
    script(f, &s);
    assert_true(sign(f->be, &res));
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.verb_requests, 2);
    assert_int_equal(stats.sign_requests, 1);
}

static void lost_connection_twice_fails(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;
    struct fake_stats stats;

    s.drop_requests = 2;
    script(f, &s);
    assert_false(sign(f->be, &res));
    assert_int_equal(res.rc, 12);
    assert_int_equal(res.reason, CCA_RS_HOST_IO_ERROR);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.verb_requests, 2);
}

static void lost_connection_keygen_not_resent(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;
    struct fake_stats stats;
    uint8_t *token = NULL;
    size_t token_len = 0;

    s.drop_requests = 1;
    script(f, &s);
    assert_false(cca_pka_key_generate(f->be, CCA_ALG_EC, 415, NULL, 0,
                                      CCA_USAGE_SIGNATURE, &token,
                                      &token_len, &res));
    assert_int_equal(res.rc, 12);
    assert_int_equal(res.reason, CCA_RS_HOST_IO_ERROR);
    assert_null(token);
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.keygen_requests, 1);
}

/* A connection the device closed while idle is noticed before use, so
 * even a verb that is never resent goes through. */
static void idle_connection_closed_by_device(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;
    uint8_t *token = NULL;
    size_t token_len = 0;

    s.close_idle = 1;
    script(f, &s);
    assert_true(sign(f->be, &res));
    usleep(100 * 1000);
    assert_true(cca_pka_key_generate(f->be, CCA_ALG_RSA, 2048, NULL, 0,
                                     CCA_USAGE_KEY_MGMT, &token, &token_len,
                                     &res));
    OPENSSL_free(token);
}

static void wrong_request_id_rejected(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;

    assert_true(sign(f->be, &res));
    s.wrong_id = 1;
    script(f, &s);
    assert_false(sign(f->be, &res));
    assert_int_equal(res.rc, 16);
    assert_int_equal(res.reason, CCA_RS_HOST_BAD_REPLY);
    assert_non_null(strstr(res.detail, "request id"));
    /* The out-of-sync connection was dropped; the next request works. */
    assert_true(sign(f->be, &res));
}

static void trailing_reply_bytes_rejected(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;

    s.trailing_bytes = 1;
    script(f, &s);
    assert_false(sign(f->be, &res));
    assert_int_equal(res.rc, 16);
    assert_int_equal(res.reason, CCA_RS_HOST_BAD_REPLY);
}

static void device_error_passed_through(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;
    char text[1024];

    s.verb_fail_count = 1;
    s.verb_rc = 8;
    s.verb_reason = CCA_RS_MKVP_MISMATCH;
    script(f, &s);
    assert_false(sign(f->be, &res));
    assert_int_equal(res.rc, 8);
    assert_int_equal(res.reason, 48);
    cca_result_text(&res, text, sizeof(text));
    assert_non_null(strstr(text, "CRP01 ("));
    assert_non_null(strstr(text, "8/48 MKVP_MISMATCH: "));
    assert_non_null(strstr(text, "CSNDDSG request"));
}

static void retry_driver_code_resent(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;
    struct fake_stats stats;

    s.verb_fail_count = 1;
    s.verb_rc = 12;
    s.verb_reason = 0;
    s.verb_driver_code = CCA_DRV_RESET_BIT;
    script(f, &s);
    assert_true(sign(f->be, &res));
    fake_device_stats(f->dev, &stats);
    assert_int_equal(stats.verb_requests, 2);
}

static void warning_driver_code_kept(void **state)
{
    struct fixture *f = *state;
    struct fake_script s = ready_script();
    struct cca_result res;

    s.ok_driver_code = CCA_DRV_BATTERY_WARNING;
    script(f, &s);
    assert_true(sign(f->be, &res));
    assert_int_equal(res.rc, 0);
    assert_int_equal(res.driver_code, CCA_DRV_BATTERY_WARNING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(status_fields_decoded),
        T(status_no_wait_during_self_test),
        T(random_split_into_pieces),
        T(random_zero_length),
        T(sign_request_fields),
        T(sign_buffer_too_small),
        T(verify_mismatch_returns_429),
        T(decrypt_request_fields),
        T(ecdh_request_fields),
        T(import_request_fields),
        T(invalid_arguments_rejected),
        T(keygen_returns_token),
        T(readiness_waits_for_self_test),
        T(readiness_timeout_fails),
        T(readiness_timeout_zero_no_wait),
        T(no_firmware_fails_at_once),
        T(zeroized_fails_with_driver_code),
        T(self_test_reply_resent),
        T(lost_connection_resent_once),
        T(lost_connection_twice_fails),
        T(lost_connection_keygen_not_resent),
        T(idle_connection_closed_by_device),
        T(wrong_request_id_rejected),
        T(trailing_reply_bytes_rejected),
        T(device_error_passed_through),
        T(retry_driver_code_resent),
        T(warning_driver_code_kept),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
