/*
 * Unit tests of the PKA token builders and parser (backend/token.c):
 * round trips of RSA and EC public and private tokens and of the RSA-PSS
 * section, and the structural failures the parser must report as 8/770
 * with a description.
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

#define RSA_BYTES   256u           /* a 2048-bit modulus */
#define WRAPPED_LEN 1190u          /* about an RSA-2048 RSAPrivateKey DER */

static const uint8_t mkvp[CCA_MKVP_LEN] = {
    0x4b, 0x8e, 0x5f, 0xf5, 0x95, 0x08, 0x14, 0x5e,
};
static const uint8_t e65537[] = { 0x01, 0x00, 0x01 };

struct fixture {
    uint8_t n[RSA_BYTES];
    uint8_t token[CCA_TOKEN_MAX];
    size_t len;
    struct cca_pka_token tok;
    uint32_t reason;
    char detail[256];
};

static void fill_modulus(uint8_t *n, size_t len)
{
    for (size_t i = 0; i < len; i++)
        n[i] = (uint8_t)(i * 7 + 3);
    n[0] = 0xc1;                   /* top bit set: exactly len * 8 bits */
    n[len - 1] |= 1;
}

/* An uncompressed point of the right size (the parser does not check
 * that it lies on the curve). */
static size_t fill_point(uint8_t *q, int nid)
{
    size_t field = (cca_curve_bits(nid) + 7) / 8;

    q[0] = 0x04;
    for (size_t i = 1; i <= 2 * field; i++)
        q[i] = (uint8_t)(i + 0x20);
    return 1 + 2 * field;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static int setup(void **state)
{
    static struct fixture f;

    memset(&f, 0, sizeof(f));
    fill_modulus(f.n, sizeof(f.n));
    *state = &f;
    return 0;
}

static int parse(struct fixture *f)
{
    return cca_token_parse(f->token, f->len, &f->tok, &f->reason, f->detail,
                           sizeof(f->detail));
}

static void build_rsa_private(struct fixture *f)
{
    f->len = cca_token_build_rsa_private(f->n, sizeof(f->n), e65537,
                                         sizeof(e65537), CCA_USAGE_SIGNATURE,
                                         mkvp, WRAPPED_LEN, f->token,
                                         sizeof(f->token));
    assert_int_not_equal(f->len, 0);
}

static void build_ec_private(struct fixture *f, int nid)
{
    uint8_t q[1 + 2 * 66];
    size_t q_len = fill_point(q, nid);
    size_t field = (cca_curve_bits(nid) + 7) / 8;

    f->len = cca_token_build_ec_private(nid, q, q_len,
                                        CCA_USAGE_SIGNATURE
                                            | CCA_USAGE_KEY_AGREEMENT,
                                        CCA_EC_SOURCE_GENERATED, mkvp, field,
                                        f->token, sizeof(f->token));
    assert_int_not_equal(f->len, 0);
}

/* The parse must fail with 770 and a detail containing want. */
static void expect_invalid(struct fixture *f, const char *want)
{
    assert_int_equal(parse(f), 0);
    assert_int_equal(f->reason, CCA_RS_PKA_TOKEN_INVALID);
    assert_true(f->detail[0] != '\0');
    if (strstr(f->detail, want) == NULL)
        fail_msg("detail '%s' does not mention '%s'", f->detail, want);
}

/* ---------------------------------------------------------------------- */
/* Round trips                                                             */

static void rsa_public_round_trip(void **state)
{
    struct fixture *f = *state;
    size_t need = cca_token_build_rsa_public(f->n, sizeof(f->n), e65537,
                                             sizeof(e65537), NULL, 0);

    f->len = cca_token_build_rsa_public(f->n, sizeof(f->n), e65537,
                                        sizeof(e65537), f->token,
                                        sizeof(f->token));
    assert_int_equal(f->len, need);
    assert_int_equal(f->len, CCA_TOKEN_HEADER_LEN + 12 + 3 + RSA_BYTES);

    assert_int_equal(parse(f), 1);
    assert_int_equal(f->reason, CCA_RS_OK);
    assert_int_equal(f->tok.token_id, CCA_TOKEN_EXTERNAL_PKA);
    assert_int_equal(f->tok.alg, CCA_ALG_RSA);
    assert_int_equal(f->tok.has_private, 0);
    assert_int_equal(f->tok.bits, 2048);
    assert_int_equal(f->tok.usage, 0);
    assert_int_equal(f->tok.n_len, RSA_BYTES);
    assert_memory_equal(f->tok.n, f->n, RSA_BYTES);
    assert_int_equal(f->tok.e_len, sizeof(e65537));
    assert_memory_equal(f->tok.e, e65537, sizeof(e65537));
}

static void rsa_private_round_trip(void **state)
{
    struct fixture *f = *state;
    size_t priv_off = CCA_TOKEN_HEADER_LEN;

    build_rsa_private(f);
    assert_int_equal(f->len, cca_token_build_rsa_private(
                                 f->n, sizeof(f->n), e65537, sizeof(e65537),
                                 CCA_USAGE_SIGNATURE, mkvp, WRAPPED_LEN, NULL,
                                 0));
    assert_int_equal(f->token[0], CCA_TOKEN_INTERNAL_PKA);
    assert_int_equal(f->token[priv_off], CCA_SECTION_RSA_PRIVATE);
    assert_int_equal(f->token[priv_off + CCA_RSA_PRIV_WRAPPED_OFF
                              + WRAPPED_LEN],
                     CCA_SECTION_RSA_PUBLIC);

    assert_int_equal(parse(f), 1);
    assert_int_equal(f->tok.token_id, CCA_TOKEN_INTERNAL_PKA);
    assert_int_equal(f->tok.alg, CCA_ALG_RSA);
    assert_int_equal(f->tok.has_private, 1);
    assert_int_equal(f->tok.bits, 2048);
    assert_int_equal(f->tok.usage, CCA_USAGE_SIGNATURE);
    assert_int_equal(f->tok.wrap_method, CCA_WRAP_AES256_GCM);
    assert_memory_equal(f->tok.mkvp, mkvp, CCA_MKVP_LEN);
    assert_ptr_equal(f->tok.mkvp, f->token + priv_off + CCA_RSA_PRIV_MKVP_OFF);
    assert_ptr_equal(f->tok.nonce,
                     f->token + priv_off + CCA_RSA_PRIV_NONCE_OFF);
    assert_ptr_equal(f->tok.tag, f->token + priv_off + CCA_RSA_PRIV_TAG_OFF);
    assert_ptr_equal(f->tok.wrapped,
                     f->token + priv_off + CCA_RSA_PRIV_WRAPPED_OFF);
    assert_int_equal(f->tok.wrapped_len, WRAPPED_LEN);
    assert_int_equal(f->tok.auth_gap_off, priv_off + CCA_RSA_PRIV_TAG_OFF);
    assert_int_equal(f->tok.auth_gap_len, CCA_WRAP_TAG_LEN + WRAPPED_LEN);
    assert_memory_equal(f->tok.n, f->n, RSA_BYTES);
    assert_memory_equal(f->tok.e, e65537, sizeof(e65537));
}

static void ec_public_round_trip(void **state)
{
    struct fixture *f = *state;
    static const int nids[] = {
        NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1,
    };

    for (size_t i = 0; i < sizeof(nids) / sizeof(nids[0]); i++) {
        uint8_t q[1 + 2 * 66];
        size_t q_len = fill_point(q, nids[i]);

        f->len = cca_token_build_ec_public(nids[i], q, q_len, f->token,
                                           sizeof(f->token));
        assert_int_equal(f->len, cca_token_build_ec_public(nids[i], q, q_len,
                                                           NULL, 0));
        assert_int_equal(parse(f), 1);
        assert_int_equal(f->tok.token_id, CCA_TOKEN_EXTERNAL_PKA);
        assert_int_equal(f->tok.alg, CCA_ALG_EC);
        assert_int_equal(f->tok.has_private, 0);
        assert_int_equal(f->tok.curve_nid, nids[i]);
        assert_int_equal(f->tok.curve_type, CCA_EC_CURVE_PRIME);
        assert_int_equal(f->tok.bits, cca_curve_bits(nids[i]));
        assert_int_equal(f->tok.q_len, q_len);
        assert_memory_equal(f->tok.q, q, q_len);
    }
}

static void ec_private_round_trip(void **state)
{
    struct fixture *f = *state;
    size_t priv_off = CCA_TOKEN_HEADER_LEN;

    build_ec_private(f, NID_secp521r1);
    assert_int_equal(parse(f), 1);
    assert_int_equal(f->tok.token_id, CCA_TOKEN_INTERNAL_PKA);
    assert_int_equal(f->tok.alg, CCA_ALG_EC);
    assert_int_equal(f->tok.has_private, 1);
    assert_int_equal(f->tok.curve_nid, NID_secp521r1);
    assert_int_equal(f->tok.bits, 521);
    assert_int_equal(f->tok.usage,
                     CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_AGREEMENT);
    assert_int_equal(f->tok.ec_source, CCA_EC_SOURCE_GENERATED);
    assert_int_equal(f->tok.wrapped_len, 66);
    assert_memory_equal(f->tok.mkvp, mkvp, CCA_MKVP_LEN);
    assert_ptr_equal(f->tok.nonce, f->token + priv_off + CCA_EC_PRIV_NONCE_OFF);
    assert_int_equal(f->tok.auth_gap_off, priv_off + CCA_EC_PRIV_TAG_OFF);
    assert_int_equal(f->tok.auth_gap_len, CCA_WRAP_TAG_LEN + 66);
    assert_int_equal(f->tok.q_len, 1 + 2 * 66);
    assert_int_equal(f->token[priv_off + CCA_EC_PRIV_FORMAT_OFF],
                     CCA_EC_FORMAT_INTERNAL);
}

static void curve_mapping(void **state)
{
    (void)state;
    assert_int_equal(cca_curve_nid(CCA_EC_CURVE_PRIME, 256),
                     NID_X9_62_prime256v1);
    assert_int_equal(cca_curve_nid(CCA_EC_CURVE_PRIME, 384), NID_secp384r1);
    assert_int_equal(cca_curve_nid(CCA_EC_CURVE_PRIME, 521), NID_secp521r1);
    assert_int_equal(cca_curve_nid(CCA_EC_CURVE_PRIME, 255), NID_undef);
    assert_int_equal(cca_curve_nid(0x01, 256), NID_undef);
    assert_int_equal(cca_curve_bits(NID_secp384r1), 384);
    assert_int_equal(cca_curve_bits(NID_secp256k1), 0);
}

/* ---------------------------------------------------------------------- */
/* Builders rejecting their input                                          */

static void builder_rejects_bad_input(void **state)
{
    struct fixture *f = *state;
    uint8_t q[1 + 2 * 66];
    size_t q_len = fill_point(q, NID_X9_62_prime256v1);
    uint8_t e_zero[] = { 0x00, 0x03 };

    /* Too small an output buffer. */
    assert_int_equal(cca_token_build_rsa_public(f->n, sizeof(f->n), e65537,
                                                sizeof(e65537), f->token, 100),
                     0);
    /* A usage bit an RSA key cannot have, and no usage at all. */
    assert_int_equal(cca_token_build_rsa_private(
                         f->n, sizeof(f->n), e65537, sizeof(e65537),
                         CCA_USAGE_KEY_AGREEMENT, mkvp, 100, NULL, 0),
                     0);
    assert_int_equal(cca_token_build_rsa_private(
                         f->n, sizeof(f->n), e65537, sizeof(e65537), 0, mkvp,
                         100, NULL, 0),
                     0);
    /* An exponent with a leading zero byte. */
    assert_int_equal(cca_token_build_rsa_public(f->n, sizeof(f->n), e_zero,
                                                sizeof(e_zero), NULL, 0),
                     0);
    /* A curve the device does not support. */
    assert_int_equal(cca_token_build_ec_public(NID_secp256k1, q, q_len, NULL,
                                               0),
                     0);
    /* A point of the wrong size for P-384. */
    assert_int_equal(cca_token_build_ec_public(NID_secp384r1, q, q_len, NULL,
                                               0),
                     0);
    /* An EC wrapped key that is not the field size. */
    assert_int_equal(cca_token_build_ec_private(
                         NID_X9_62_prime256v1, q, q_len, CCA_USAGE_SIGNATURE,
                         CCA_EC_SOURCE_GENERATED, mkvp, 31, NULL, 0),
                     0);
}

/* ---------------------------------------------------------------------- */
/* Structural failures                                                     */

static void parse_truncated_header(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    f->len = 5;
    expect_invalid(f, "shorter than the 8-byte header");
}

static void parse_truncated_token(void **state)
{
    struct fixture *f = *state;

    /* Cut inside the public section and keep the length field honest, so
     * the section's own length runs past the end. */
    build_rsa_private(f);
    f->len -= 10;
    put16(f->token + 2, f->len);
    expect_invalid(f, "remain");
}

static void parse_length_field_mismatch(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    put16(f->token + 2, f->len + 1);
    expect_invalid(f, "length field");
}

static void parse_section_length_mismatch(void **state)
{
    struct fixture *f = *state;
    uint8_t *priv = f->token + CCA_TOKEN_HEADER_LEN;

    /* The wrapped key length no longer matches the section length. */
    build_rsa_private(f);
    put16(priv + 4, get16(priv + 4) - 1);
    expect_invalid(f, "wrapped key length");
}

static void parse_unknown_section(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    f->token[CCA_TOKEN_HEADER_LEN] = 0x99;
    expect_invalid(f, "unknown section identifier 0x99");
}

static void parse_wrong_order(void **state)
{
    struct fixture *f = *state;
    uint8_t swapped[CCA_TOKEN_MAX];
    size_t priv_len, pub_len;

    /* Public section first, private second. */
    build_rsa_private(f);
    priv_len = get16(f->token + CCA_TOKEN_HEADER_LEN + 2);
    pub_len = f->len - CCA_TOKEN_HEADER_LEN - priv_len;
    memcpy(swapped, f->token, CCA_TOKEN_HEADER_LEN);
    memcpy(swapped + CCA_TOKEN_HEADER_LEN,
           f->token + CCA_TOKEN_HEADER_LEN + priv_len, pub_len);
    memcpy(swapped + CCA_TOKEN_HEADER_LEN + pub_len,
           f->token + CCA_TOKEN_HEADER_LEN, priv_len);
    memcpy(f->token, swapped, f->len);
    expect_invalid(f, "expected a private section");
}

static void parse_mismatched_second_section(void **state)
{
    struct fixture *f = *state;
    size_t priv_len;

    /* An RSA private section followed by an EC public section. */
    build_rsa_private(f);
    priv_len = get16(f->token + CCA_TOKEN_HEADER_LEN + 2);
    f->token[CCA_TOKEN_HEADER_LEN + priv_len] = CCA_SECTION_EC_PUBLIC;
    expect_invalid(f, "out of order");
}

static void parse_bad_curve(void **state)
{
    struct fixture *f = *state;
    uint8_t q[1 + 2 * 66];
    size_t q_len = fill_point(q, NID_X9_62_prime256v1);

    f->len = cca_token_build_ec_public(NID_X9_62_prime256v1, q, q_len,
                                       f->token, sizeof(f->token));
    assert_int_not_equal(f->len, 0);
    put16(f->token + CCA_TOKEN_HEADER_LEN + 10, 255);
    expect_invalid(f, "not supported");
}

static void parse_curve_type_mismatch(void **state)
{
    struct fixture *f = *state;

    build_ec_private(f, NID_X9_62_prime256v1);
    f->token[CCA_TOKEN_HEADER_LEN + CCA_EC_PRIV_CURVE_OFF] = 0x01;
    expect_invalid(f, "curve type");
}

static void parse_bad_identifier(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    f->token[0] = 0x01;
    expect_invalid(f, "not a PKA token");
}

static void parse_bad_version(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    f->token[1] = 0x01;
    expect_invalid(f, "version");
}

static void parse_reserved_not_zero(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    f->token[6] = 0x01;
    expect_invalid(f, "reserved");
}

static void parse_trailing_bytes(void **state)
{
    struct fixture *f = *state;

    build_ec_private(f, NID_secp384r1);
    f->token[f->len] = 0;
    f->len++;
    put16(f->token + 2, f->len);
    expect_invalid(f, "follow the last section");
}

static void parse_missing_public_section(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    f->len = CCA_TOKEN_HEADER_LEN + get16(f->token + CCA_TOKEN_HEADER_LEN + 2);
    put16(f->token + 2, f->len);
    expect_invalid(f, "is missing");
}

static void parse_external_with_private(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    f->token[0] = CCA_TOKEN_EXTERNAL_PKA;
    expect_invalid(f, "external token holds private section");
}

static void parse_bad_usage(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    f->token[CCA_TOKEN_HEADER_LEN + CCA_RSA_PRIV_USAGE_OFF] =
        CCA_USAGE_KEY_AGREEMENT;
    expect_invalid(f, "usage");
}

static void parse_bad_wrap_method(void **state)
{
    struct fixture *f = *state;

    build_rsa_private(f);
    f->token[CCA_TOKEN_HEADER_LEN + CCA_RSA_PRIV_WRAP_OFF] = 0x01;
    expect_invalid(f, "wrapping method");
}

static void parse_modulus_bits_mismatch(void **state)
{
    struct fixture *f = *state;

    /* The private section claims 2047 bits; the public one has 2048. */
    build_rsa_private(f);
    put16(f->token + CCA_TOKEN_HEADER_LEN + CCA_RSA_PRIV_BITS_OFF, 2047);
    expect_invalid(f, "2047-bit");
}

static void parse_empty_and_null(void **state)
{
    struct fixture *f = *state;

    assert_int_equal(cca_token_parse(NULL, 0, &f->tok, &f->reason,
                                     f->detail, sizeof(f->detail)),
                     0);
    assert_int_equal(f->reason, CCA_RS_PKA_TOKEN_INVALID);

    /* A header with no sections at all. */
    build_rsa_private(f);
    f->len = CCA_TOKEN_HEADER_LEN;
    put16(f->token + 2, f->len);
    expect_invalid(f, "no sections");
}

/* ---------------------------------------------------------------------- */
/* RSA-PSS section 0x60                                                    */

static const struct cca_rsa_pss pss_sha256 = { 1, NID_sha256, NID_sha256,
                                               32 };

static void append_pss(struct fixture *f, const struct cca_rsa_pss *pss)
{
    size_t need = cca_token_append_rsa_pss(NULL, f->len, 0, pss);
    size_t len = cca_token_append_rsa_pss(f->token, f->len,
                                          sizeof(f->token), pss);

    assert_int_equal(len, f->len + CCA_RSA_PSS_SECTION_LEN);
    assert_int_equal(len, need);
    f->len = len;
}

static void rsa_pss_private_round_trip(void **state)
{
    struct fixture *f = *state;
    size_t pss_off;

    build_rsa_private(f);
    pss_off = f->len;
    append_pss(f, &pss_sha256);
    assert_int_equal(get16(f->token + 2), f->len);
    assert_int_equal(f->token[pss_off], CCA_SECTION_RSA_PSS);
    assert_int_equal(f->token[pss_off + CCA_RSA_PSS_HASH_OFF],
                     CCA_PSS_HASH_SHA256);

    assert_int_equal(parse(f), 1);
    assert_int_equal(f->tok.alg, CCA_ALG_RSA);
    assert_int_equal(f->tok.has_private, 1);
    assert_int_equal(f->tok.is_pss, 1);
    assert_int_equal(f->tok.pss.restricted, 1);
    assert_int_equal(f->tok.pss.hash_nid, NID_sha256);
    assert_int_equal(f->tok.pss.mgf1_nid, NID_sha256);
    assert_int_equal(f->tok.pss.min_salt_len, 32);
    /* The section lies outside the tag and wrapped key, so the wrap
     * authenticates it. */
    assert_true(pss_off >= f->tok.auth_gap_off + f->tok.auth_gap_len);
}

static void rsa_pss_public_unrestricted(void **state)
{
    struct fixture *f = *state;
    const struct cca_rsa_pss any = { 0, 0, 0, 0 };

    f->len = cca_token_build_rsa_public(f->n, sizeof(f->n), e65537,
                                        sizeof(e65537), f->token,
                                        sizeof(f->token));
    append_pss(f, &any);
    assert_int_equal(parse(f), 1);
    assert_int_equal(f->tok.has_private, 0);
    assert_int_equal(f->tok.is_pss, 1);
    assert_int_equal(f->tok.pss.restricted, 0);
}

static void rsa_pss_append_rejects(void **state)
{
    struct fixture *f = *state;
    const struct cca_rsa_pss md5 = { 1, NID_md5, NID_sha256, 32 };
    const struct cca_rsa_pss long_salt = { 1, NID_sha256, NID_sha256,
                                           70000 };

    build_rsa_private(f);
    assert_int_equal(cca_token_append_rsa_pss(f->token, f->len,
                                              sizeof(f->token), &md5), 0);
    assert_int_equal(cca_token_append_rsa_pss(f->token, f->len,
                                              sizeof(f->token), &long_salt),
                     0);
    assert_int_equal(cca_token_append_rsa_pss(f->token, f->len, f->len + 11,
                                              &pss_sha256), 0);
    append_pss(f, &pss_sha256);
    /* A second section, and a section on an EC token. */
    assert_int_equal(cca_token_append_rsa_pss(f->token, f->len,
                                              sizeof(f->token), &pss_sha256),
                     0);
    build_ec_private(f, NID_X9_62_prime256v1);
    assert_int_equal(cca_token_append_rsa_pss(f->token, f->len,
                                              sizeof(f->token), &pss_sha256),
                     0);
}

static void rsa_pss_decryption_usage_rejected(void **state)
{
    struct fixture *f = *state;

    f->len = cca_token_build_rsa_private(f->n, sizeof(f->n), e65537,
                                         sizeof(e65537),
                                         CCA_USAGE_SIGNATURE
                                             | CCA_USAGE_KEY_MGMT,
                                         mkvp, WRAPPED_LEN, f->token,
                                         sizeof(f->token));
    assert_int_equal(cca_token_append_rsa_pss(f->token, f->len,
                                              sizeof(f->token), &pss_sha256),
                     0);

    /* The same token written by hand fails to parse. */
    build_rsa_private(f);
    append_pss(f, &pss_sha256);
    f->token[CCA_TOKEN_HEADER_LEN + CCA_RSA_PRIV_USAGE_OFF] |=
        CCA_USAGE_KEY_MGMT;
    expect_invalid(f, "only signs");
}

static void rsa_pss_parse_bad_section(void **state)
{
    struct fixture *f = *state;
    size_t pss_off;

    build_rsa_private(f);
    pss_off = f->len;
    append_pss(f, &pss_sha256);
    f->token[pss_off + CCA_RSA_PSS_HASH_OFF] = 0x09;
    expect_invalid(f, "is not SHA-1");

    f->token[pss_off + CCA_RSA_PSS_HASH_OFF] = CCA_PSS_HASH_NONE;
    expect_invalid(f, "without restrictions");

    f->token[pss_off + CCA_RSA_PSS_HASH_OFF] = CCA_PSS_HASH_SHA256;
    f->token[pss_off + 9] = 1;
    expect_invalid(f, "reserved");
}

static void rsa_pss_section_misplaced(void **state)
{
    struct fixture *f = *state;
    uint8_t section[CCA_RSA_PSS_SECTION_LEN];

    /* An external token that starts with the RSA-PSS section. */
    f->len = cca_token_build_rsa_public(f->n, sizeof(f->n), e65537,
                                        sizeof(e65537), f->token,
                                        sizeof(f->token));
    append_pss(f, &pss_sha256);
    memcpy(section, f->token + f->len - sizeof(section), sizeof(section));
    memmove(f->token + CCA_TOKEN_HEADER_LEN + sizeof(section),
            f->token + CCA_TOKEN_HEADER_LEN,
            f->len - CCA_TOKEN_HEADER_LEN - sizeof(section));
    memcpy(f->token + CCA_TOKEN_HEADER_LEN, section, sizeof(section));
    expect_invalid(f, "belongs after the RSA public section");

    /* An EC token with an RSA-PSS section after its public section. */
    build_ec_private(f, NID_X9_62_prime256v1);
    memcpy(f->token + f->len, section, sizeof(section));
    f->len += sizeof(section);
    put16(f->token + 2, f->len);
    expect_invalid(f, "follow the last section");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(rsa_public_round_trip, setup),
        cmocka_unit_test_setup(rsa_private_round_trip, setup),
        cmocka_unit_test_setup(ec_public_round_trip, setup),
        cmocka_unit_test_setup(ec_private_round_trip, setup),
        cmocka_unit_test_setup(curve_mapping, setup),
        cmocka_unit_test_setup(builder_rejects_bad_input, setup),
        cmocka_unit_test_setup(parse_truncated_header, setup),
        cmocka_unit_test_setup(parse_truncated_token, setup),
        cmocka_unit_test_setup(parse_length_field_mismatch, setup),
        cmocka_unit_test_setup(parse_section_length_mismatch, setup),
        cmocka_unit_test_setup(parse_unknown_section, setup),
        cmocka_unit_test_setup(parse_wrong_order, setup),
        cmocka_unit_test_setup(parse_mismatched_second_section, setup),
        cmocka_unit_test_setup(parse_bad_curve, setup),
        cmocka_unit_test_setup(parse_curve_type_mismatch, setup),
        cmocka_unit_test_setup(parse_bad_identifier, setup),
        cmocka_unit_test_setup(parse_bad_version, setup),
        cmocka_unit_test_setup(parse_reserved_not_zero, setup),
        cmocka_unit_test_setup(parse_trailing_bytes, setup),
        cmocka_unit_test_setup(parse_missing_public_section, setup),
        cmocka_unit_test_setup(parse_external_with_private, setup),
        cmocka_unit_test_setup(parse_bad_usage, setup),
        cmocka_unit_test_setup(parse_bad_wrap_method, setup),
        cmocka_unit_test_setup(parse_modulus_bits_mismatch, setup),
        cmocka_unit_test_setup(rsa_pss_private_round_trip, setup),
        cmocka_unit_test_setup(rsa_pss_public_unrestricted, setup),
        cmocka_unit_test_setup(rsa_pss_append_rejects, setup),
        cmocka_unit_test_setup(rsa_pss_decryption_usage_rejected, setup),
        cmocka_unit_test_setup(rsa_pss_parse_bad_section, setup),
        cmocka_unit_test_setup(rsa_pss_section_misplaced, setup),
        cmocka_unit_test_setup(parse_empty_and_null, setup),
    };

    return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
