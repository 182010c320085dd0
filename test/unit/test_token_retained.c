/*
 * Unit tests of retained-key tokens (backend/token.c, token_build.c):
 * the builder's round trip for RSA, RSA-PSS and EC keys, the inputs it
 * rejects, and the structural failures the parser reports as 8/770.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/obj_mac.h>

#include <ibm4767/codes.h>
#include <ibm4767/token.h>

#define RSA_BYTES 256u             /* a 2048-bit modulus */
#define SERIAL    "1A2B3C4D"
#define LABEL     "WEB.TLS.RSA"

static const uint8_t e65537[] = { 0x01, 0x00, 0x01 };

struct fixture {
    uint8_t pub[CCA_TOKEN_MAX];
    size_t pub_len;
    uint8_t token[CCA_TOKEN_MAX];
    size_t len;
    struct cca_pka_token tok;
    uint32_t reason;
    char detail[256];
};

static int setup(void **state)
{
    static struct fixture f;
    uint8_t n[RSA_BYTES];

    memset(&f, 0, sizeof(f));
    for (size_t i = 0; i < sizeof(n); i++)
        n[i] = (uint8_t)(i * 7 + 3);
    n[0] = 0xc1;
    n[sizeof(n) - 1] |= 1;
    f.pub_len = cca_token_build_rsa_public(n, sizeof(n), e65537,
                                           sizeof(e65537), f.pub,
                                           sizeof(f.pub));
    assert_int_not_equal(f.pub_len, 0);
    *state = &f;
    return 0;
}

static int parse(struct fixture *f)
{
    return cca_token_parse(f->token, f->len, &f->tok, &f->reason, f->detail,
                           sizeof(f->detail));
}

static void build(struct fixture *f, uint8_t usage, const char *serial,
                  const char *label)
{
    f->len = cca_token_build_retained(f->pub, f->pub_len, usage, serial,
                                      label, f->token, sizeof(f->token));
}

/* The parse must fail with 770 and a detail containing want. */
static void expect_invalid(struct fixture *f, const char *want)
{
    assert_int_equal(parse(f), 0);
    assert_int_equal(f->reason, CCA_RS_PKA_TOKEN_INVALID);
    if (strstr(f->detail, want) == NULL)
        fail_msg("detail '%s' does not mention '%s'", f->detail, want);
}

static void retained_rsa_round_trip(void **state)
{
    struct fixture *f = *state;
    size_t need = cca_token_build_retained(f->pub, f->pub_len,
                                           CCA_USAGE_SIGNATURE, SERIAL,
                                           LABEL, NULL, 0);

    build(f, CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT, SERIAL, LABEL);
    assert_int_equal(f->len, need);
    assert_int_equal(f->len, f->pub_len + CCA_RETAINED_SECTION_LEN
                                 + CCA_KEY_NAME_SECTION_LEN);
    assert_int_equal(parse(f), 1);
    assert_int_equal(f->tok.token_id, CCA_TOKEN_INTERNAL_PKA);
    assert_int_equal(f->tok.is_retained, 1);
    assert_int_equal(f->tok.has_private, 1);
    assert_int_equal(f->tok.alg, CCA_ALG_RSA);
    assert_int_equal(f->tok.bits, 2048);
    assert_int_equal(f->tok.usage, CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT);
    assert_string_equal(f->tok.retained_serial, SERIAL);
    assert_string_equal(f->tok.retained_label, LABEL);
    assert_null(f->tok.mkvp);
    assert_null(f->tok.wrapped);
    assert_int_equal(f->tok.wrapped_len, 0);
    /* The label field is space-padded, as CCA's. */
    assert_memory_equal(f->token + f->len - CCA_KEY_NAME_LEN, LABEL,
                        strlen(LABEL));
    assert_int_equal(f->token[f->len - 1], ' ');
}

static void retained_ec_and_pss_round_trip(void **state)
{
    struct fixture *f = *state;
    static const struct cca_rsa_pss pss = { 1, NID_sha256, NID_sha256, 32 };
    uint8_t q[1 + 2 * 32];

    q[0] = 0x04;
    for (size_t i = 1; i < sizeof(q); i++)
        q[i] = (uint8_t)(i + 0x20);
    f->pub_len = cca_token_build_ec_public(NID_X9_62_prime256v1, q,
                                           sizeof(q), f->pub, sizeof(f->pub));
    build(f, CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_AGREEMENT, "00FF", "A");
    assert_int_equal(parse(f), 1);
    assert_int_equal(f->tok.alg, CCA_ALG_EC);
    assert_int_equal(f->tok.curve_nid, NID_X9_62_prime256v1);
    assert_string_equal(f->tok.retained_label, "A");

    setup(state);
    f->pub_len = cca_token_append_rsa_pss(f->pub, f->pub_len, sizeof(f->pub),
                                          &pss);
    assert_int_not_equal(f->pub_len, 0);
    build(f, CCA_USAGE_SIGNATURE, SERIAL, LABEL);
    assert_int_equal(parse(f), 1);
    assert_int_equal(f->tok.is_pss, 1);
    assert_int_equal(f->tok.is_retained, 1);
    /* An RSA-PSS key only signs. */
    build(f, CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT, SERIAL, LABEL);
    assert_int_equal(f->len, 0);
}

static void retained_builder_rejects(void **state)
{
    struct fixture *f = *state;
    uint8_t internal[CCA_TOKEN_MAX];

    build(f, 0, SERIAL, LABEL);
    assert_int_equal(f->len, 0);
    build(f, CCA_USAGE_KEY_AGREEMENT, SERIAL, LABEL);
    assert_int_equal(f->len, 0);
    build(f, CCA_USAGE_SIGNATURE, "", LABEL);
    assert_int_equal(f->len, 0);
    build(f, CCA_USAGE_SIGNATURE, "1a2b", LABEL);
    assert_int_equal(f->len, 0);
    build(f, CCA_USAGE_SIGNATURE, "0123456789ABCDEFG", LABEL);
    assert_int_equal(f->len, 0);
    build(f, CCA_USAGE_SIGNATURE, SERIAL, "web.tls");
    assert_int_equal(f->len, 0);
    build(f, CCA_USAGE_SIGNATURE, SERIAL, "1WEB");
    assert_int_equal(f->len, 0);
    build(f, CCA_USAGE_SIGNATURE, SERIAL, NULL);
    assert_int_equal(f->len, 0);

    /* Only an external token's public key goes into one. */
    build(f, CCA_USAGE_SIGNATURE, SERIAL, LABEL);
    memcpy(internal, f->token, f->len);
    assert_int_equal(cca_token_build_retained(internal, f->len,
                                              CCA_USAGE_SIGNATURE, SERIAL,
                                              LABEL, f->token,
                                              sizeof(f->token)), 0);
}

static void retained_parse_damage(void **state)
{
    struct fixture *f = *state;
    size_t retained_off = CCA_TOKEN_HEADER_LEN;
    size_t name_off;

    build(f, CCA_USAGE_SIGNATURE, SERIAL, LABEL);
    name_off = f->len - CCA_KEY_NAME_SECTION_LEN;

    f->token[retained_off + CCA_RETAINED_USAGE_OFF] = CCA_USAGE_KEY_AGREEMENT;
    expect_invalid(f, "usage 0x04");
    f->token[retained_off + CCA_RETAINED_USAGE_OFF] = CCA_USAGE_SIGNATURE;

    f->token[retained_off + 5] = 1;
    expect_invalid(f, "reserved");
    f->token[retained_off + 5] = 0;

    f->token[retained_off + CCA_RETAINED_SERIAL_OFF] = 'a';
    expect_invalid(f, "serial number");
    f->token[retained_off + CCA_RETAINED_SERIAL_OFF] = '1';
    f->token[retained_off + CCA_RETAINED_SERIAL_OFF + 12] = 'Z';
    expect_invalid(f, "NUL padding");
    f->token[retained_off + CCA_RETAINED_SERIAL_OFF + 12] = 0;

    f->token[name_off + CCA_KEY_NAME_OFF] = 'w';
    expect_invalid(f, "valid upper-case key label");
    f->token[name_off + CCA_KEY_NAME_OFF] = ' ';
    expect_invalid(f, "valid upper-case key label");
    f->token[name_off + CCA_KEY_NAME_OFF] = 'W';
    f->token[name_off + CCA_KEY_NAME_OFF + 20] = 0;
    expect_invalid(f, "valid upper-case key label");
    f->token[name_off + CCA_KEY_NAME_OFF + 20] = ' ';
    assert_int_equal(parse(f), 1);

    /* Without its name section. */
    f->len = name_off;
    f->token[2] = (uint8_t)(f->len >> 8);
    f->token[3] = (uint8_t)f->len;
    expect_invalid(f, "section 0x10 is missing");
}

static void retained_sections_misplaced(void **state)
{
    struct fixture *f = *state;
    uint8_t name[CCA_KEY_NAME_SECTION_LEN];

    /* The name section first in an internal token. */
    build(f, CCA_USAGE_SIGNATURE, SERIAL, LABEL);
    memcpy(name, f->token + f->len - sizeof(name), sizeof(name));
    memmove(f->token + CCA_TOKEN_HEADER_LEN + sizeof(name),
            f->token + CCA_TOKEN_HEADER_LEN,
            f->len - CCA_TOKEN_HEADER_LEN - sizeof(name));
    memcpy(f->token + CCA_TOKEN_HEADER_LEN, name, sizeof(name));
    expect_invalid(f, "belongs to an internal retained-key token");

    /* A retained key section in an external token. */
    build(f, CCA_USAGE_SIGNATURE, SERIAL, LABEL);
    f->token[0] = CCA_TOKEN_EXTERNAL_PKA;
    expect_invalid(f, "belongs to an internal retained-key token");

    /* The public section swapped for the name section. */
    build(f, CCA_USAGE_SIGNATURE, SERIAL, LABEL);
    f->token[CCA_TOKEN_HEADER_LEN + CCA_RETAINED_SECTION_LEN] =
        CCA_SECTION_KEY_NAME;
    expect_invalid(f, "out of order");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(retained_rsa_round_trip, setup),
        cmocka_unit_test_setup(retained_ec_and_pss_round_trip, setup),
        cmocka_unit_test_setup(retained_builder_rejects, setup),
        cmocka_unit_test_setup(retained_parse_damage, setup),
        cmocka_unit_test_setup(retained_sections_misplaced, setup),
    };

    return cmocka_run_group_tests_name("token_retained", tests, NULL, NULL);
}
