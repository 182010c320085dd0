/*
 * PKA key token parser, shared by the device (which unwraps the private
 * sections) and the host (which reads public keys without asking the
 * device).  The builders are in token_build.c.  doc/key-tokens.md
 * describes every byte, and the offsets in token_int.h follow it.  All
 * multi-byte fields are big-endian.
 *
 * The parser checks structure only: lengths, identifiers, versions,
 * section order, curve, usage and wrapping bytes.  Whether a private
 * section decrypts under a master key is the device's business.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/obj_mac.h>

#include <ibm4767/codes.h>
#include <ibm4767/keystore.h>
#include <ibm4767/token.h>

#include "token_int.h"

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Record the first structural error: 770 with a description. */
static int token_invalid(uint32_t *reason, char *detail, size_t detail_len,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int token_invalid(uint32_t *reason, char *detail, size_t detail_len,
                         const char *fmt, ...)
{
    va_list ap;

    if (reason != NULL)
        *reason = CCA_RS_PKA_TOKEN_INVALID;
    if (detail != NULL && detail_len > 0) {
        va_start(ap, fmt);
        vsnprintf(detail, detail_len, fmt, ap);
        va_end(ap);
    }
    return 0;
}

int cca_curve_nid(uint8_t curve_type, uint32_t bits)
{
    if (curve_type != CCA_EC_CURVE_PRIME)
        return NID_undef;
    switch (bits) {
    case 256:
        return NID_X9_62_prime256v1;
    case 384:
        return NID_secp384r1;
    case 521:
        return NID_secp521r1;
    default:
        return NID_undef;
    }
}

uint32_t cca_curve_bits(int nid)
{
    switch (nid) {
    case NID_X9_62_prime256v1:
        return 256;
    case NID_secp384r1:
        return 384;
    case NID_secp521r1:
        return 521;
    default:
        return 0;
    }
}

/* One section of the token being parsed. */
struct section {
    size_t off;             /* offset of the section in the token */
    const uint8_t *p;
    size_t len;
};

/* Key size and curve as the private section states them, for the check
 * against the public section. */
struct private_claim {
    uint32_t bits;
    size_t n_len;
    uint8_t curve_type;
};

static int parse_rsa_public(const struct section *s, struct cca_pka_token *tok,
                            uint32_t *reason, char *detail, size_t dlen)
{
    size_t e_len, n_len, bits;

    if (s->len < RSA_PUB_FIXED_LEN)
        return token_invalid(reason, detail, dlen,
                             "RSA public section at offset %zu is %zu bytes, "
                             "shorter than its %u-byte fixed part",
                             s->off, s->len, RSA_PUB_FIXED_LEN);
    if (!all_zero(s->p + 4, 2))
        return token_invalid(reason, detail, dlen,
                             "RSA public section: reserved bytes at offset "
                             "%zu are not zero", s->off + 4);

    e_len = get16(s->p + RSA_PUB_E_LEN_OFF);
    bits = get16(s->p + RSA_PUB_BITS_OFF);
    n_len = get16(s->p + RSA_PUB_N_LEN_OFF);
    if (RSA_PUB_FIXED_LEN + e_len + n_len != s->len)
        return token_invalid(reason, detail, dlen,
                             "RSA public section: exponent length %zu and "
                             "modulus length %zu do not add up to the "
                             "section length %zu", e_len, n_len, s->len);
    if (e_len == 0 || e_len > RSA_MAX_E_LEN || s->p[RSA_PUB_FIXED_LEN] == 0)
        return token_invalid(reason, detail, dlen,
                             "RSA public exponent of %zu bytes is empty, too "
                             "long or has a leading zero byte", e_len);
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
        return token_invalid(reason, detail, dlen,
                             "RSA modulus size %zu bits is outside %u..%u",
                             bits, RSA_MIN_BITS, RSA_MAX_BITS);

    tok->e = s->p + RSA_PUB_FIXED_LEN;
    tok->e_len = e_len;
    tok->n = tok->e + e_len;
    tok->n_len = n_len;
    if (n_len != field_bytes((uint32_t)bits)
        || bit_length(tok->n, n_len) != bits)
        return token_invalid(reason, detail, dlen,
                             "RSA modulus of %zu bytes does not have the "
                             "%zu bits the section states", n_len, bits);
    tok->bits = (uint32_t)bits;
    return 1;
}

static int parse_rsa_private(const struct section *s, const uint8_t *token,
                             struct cca_pka_token *tok, uint32_t *reason,
                             char *detail, size_t dlen)
{
    size_t wrapped_len;
    uint8_t usage;

    if (s->len < CCA_RSA_PRIV_WRAPPED_OFF)
        return token_invalid(reason, detail, dlen,
                             "RSA private section at offset %zu is %zu bytes, "
                             "shorter than its %u-byte fixed part",
                             s->off, s->len, CCA_RSA_PRIV_WRAPPED_OFF);

    wrapped_len = get16(s->p + RSA_PRIV_WRAPPED_LEN_OFF);
    if (wrapped_len == 0
        || CCA_RSA_PRIV_WRAPPED_OFF + wrapped_len != s->len)
        return token_invalid(reason, detail, dlen,
                             "RSA private section: wrapped key length %zu "
                             "does not match the section length %zu",
                             wrapped_len, s->len);
    if (!all_zero(s->p + 6, 2)
        || !all_zero(s->p + RSA_PRIV_RESERVED_OFF,
                     CCA_RSA_PRIV_MKVP_OFF - RSA_PRIV_RESERVED_OFF))
        return token_invalid(reason, detail, dlen,
                             "RSA private section: reserved bytes are not "
                             "zero");

    usage = s->p[CCA_RSA_PRIV_USAGE_OFF];
    if (usage == 0 || (usage & ~RSA_USAGE_MASK) != 0)
        return token_invalid(reason, detail, dlen,
                             "RSA key usage byte 0x%02x is not a combination "
                             "of signature (0x01) and key management (0x02)",
                             usage);
    if (s->p[CCA_RSA_PRIV_WRAP_OFF] != CCA_WRAP_AES256_GCM)
        return token_invalid(reason, detail, dlen,
                             "RSA private section: wrapping method 0x%02x is "
                             "not supported (expected 0x%02x, AES-256-GCM)",
                             s->p[CCA_RSA_PRIV_WRAP_OFF], CCA_WRAP_AES256_GCM);

    tok->usage = usage;
    tok->wrap_method = s->p[CCA_RSA_PRIV_WRAP_OFF];
    tok->bits = get16(s->p + CCA_RSA_PRIV_BITS_OFF);
    tok->mkvp = s->p + CCA_RSA_PRIV_MKVP_OFF;
    tok->nonce = s->p + CCA_RSA_PRIV_NONCE_OFF;
    tok->tag = s->p + CCA_RSA_PRIV_TAG_OFF;
    tok->wrapped = s->p + CCA_RSA_PRIV_WRAPPED_OFF;
    tok->wrapped_len = wrapped_len;
    tok->auth_gap_off = (size_t)(tok->tag - token);
    tok->auth_gap_len = CCA_WRAP_TAG_LEN + wrapped_len;
    return 1;
}

static int parse_ec_public(const struct section *s, struct cca_pka_token *tok,
                           uint32_t *reason, char *detail, size_t dlen)
{
    uint8_t curve_type;
    uint32_t bits;
    size_t q_len;
    int nid;

    if (s->len < EC_PUB_FIXED_LEN)
        return token_invalid(reason, detail, dlen,
                             "EC public section at offset %zu is %zu bytes, "
                             "shorter than its %u-byte fixed part",
                             s->off, s->len, EC_PUB_FIXED_LEN);
    if (!all_zero(s->p + 4, 4) || s->p[9] != 0)
        return token_invalid(reason, detail, dlen,
                             "EC public section: reserved bytes are not zero");

    curve_type = s->p[EC_PUB_CURVE_OFF];
    bits = get16(s->p + EC_PUB_BITS_OFF);
    nid = cca_curve_nid(curve_type, bits);
    if (nid == NID_undef)
        return token_invalid(reason, detail, dlen,
                             "EC curve type 0x%02x with %u-bit field is not "
                             "supported (prime curves P-256, P-384, P-521)",
                             curve_type, bits);

    q_len = get16(s->p + EC_PUB_Q_LEN_OFF);
    if (EC_PUB_FIXED_LEN + q_len != s->len)
        return token_invalid(reason, detail, dlen,
                             "EC public section: point length %zu does not "
                             "match the section length %zu", q_len, s->len);
    if (q_len != 1 + 2 * field_bytes(bits)
        || s->p[EC_PUB_FIXED_LEN] != 0x04)
        return token_invalid(reason, detail, dlen,
                             "EC public point of %zu bytes is not an "
                             "uncompressed point of a %u-bit curve",
                             q_len, bits);

    tok->curve_type = curve_type;
    tok->curve_nid = nid;
    tok->bits = bits;
    tok->q = s->p + EC_PUB_FIXED_LEN;
    tok->q_len = q_len;
    return 1;
}

static int parse_ec_private(const struct section *s, const uint8_t *token,
                            struct cca_pka_token *tok, uint32_t *reason,
                            char *detail, size_t dlen)
{
    size_t wrapped_len;
    uint8_t usage, source;

    if (s->len < CCA_EC_PRIV_WRAPPED_OFF)
        return token_invalid(reason, detail, dlen,
                             "EC private section at offset %zu is %zu bytes, "
                             "shorter than its %u-byte fixed part",
                             s->off, s->len, CCA_EC_PRIV_WRAPPED_OFF);

    wrapped_len = get16(s->p + EC_PRIV_WRAPPED_LEN_OFF);
    if (wrapped_len == 0 || CCA_EC_PRIV_WRAPPED_OFF + wrapped_len != s->len)
        return token_invalid(reason, detail, dlen,
                             "EC private section: wrapped key length %zu "
                             "does not match the section length %zu",
                             wrapped_len, s->len);
    if (s->p[5] != 0 || !all_zero(s->p + EC_PRIV_RESERVED_OFF, 2))
        return token_invalid(reason, detail, dlen,
                             "EC private section: reserved bytes are not "
                             "zero");
    if (s->p[CCA_EC_PRIV_WRAP_OFF] != CCA_WRAP_AES256_GCM)
        return token_invalid(reason, detail, dlen,
                             "EC private section: wrapping method 0x%02x is "
                             "not supported (expected 0x%02x, AES-256-GCM)",
                             s->p[CCA_EC_PRIV_WRAP_OFF], CCA_WRAP_AES256_GCM);

    usage = s->p[CCA_EC_PRIV_USAGE_OFF];
    if (usage == 0 || (usage & ~EC_USAGE_MASK) != 0)
        return token_invalid(reason, detail, dlen,
                             "EC key usage byte 0x%02x is not a combination "
                             "of signature (0x01) and key agreement (0x04)",
                             usage);
    if (s->p[CCA_EC_PRIV_FORMAT_OFF] != CCA_EC_FORMAT_INTERNAL)
        return token_invalid(reason, detail, dlen,
                             "EC private section: key format 0x%02x is not "
                             "0x%02x", s->p[CCA_EC_PRIV_FORMAT_OFF],
                             CCA_EC_FORMAT_INTERNAL);
    source = s->p[CCA_EC_PRIV_SOURCE_OFF];
    if (source != CCA_EC_SOURCE_GENERATED && source != CCA_EC_SOURCE_IMPORTED)
        return token_invalid(reason, detail, dlen,
                             "EC private section: key source 0x%02x is "
                             "neither generated (0x24) nor imported (0x20)",
                             source);

    tok->usage = usage;
    tok->ec_source = source;
    tok->wrap_method = s->p[CCA_EC_PRIV_WRAP_OFF];
    tok->curve_type = s->p[CCA_EC_PRIV_CURVE_OFF];
    tok->bits = get16(s->p + CCA_EC_PRIV_BITS_OFF);
    tok->mkvp = s->p + CCA_EC_PRIV_MKVP_OFF;
    tok->nonce = s->p + CCA_EC_PRIV_NONCE_OFF;
    tok->tag = s->p + CCA_EC_PRIV_TAG_OFF;
    tok->wrapped = s->p + CCA_EC_PRIV_WRAPPED_OFF;
    tok->wrapped_len = wrapped_len;
    tok->auth_gap_off = (size_t)(tok->tag - token);
    tok->auth_gap_len = CCA_WRAP_TAG_LEN + wrapped_len;
    return 1;
}

/* Check that the private section agrees with the public one after it. */
static int check_rsa_pair(const struct cca_pka_token *tok,
                          const struct private_claim *claim, uint32_t *reason,
                          char *detail, size_t dlen)
{
    if (claim->bits != tok->bits || claim->n_len != tok->n_len)
        return token_invalid(reason, detail, dlen,
                             "RSA private section states a %u-bit modulus "
                             "of %zu bytes but the public section holds %u "
                             "bits in %zu bytes", claim->bits, claim->n_len,
                             tok->bits, tok->n_len);
    return 1;
}

static int check_ec_pair(const struct cca_pka_token *tok,
                         const struct private_claim *claim, uint32_t *reason,
                         char *detail, size_t dlen)
{
    if (claim->curve_type != tok->curve_type || claim->bits != tok->bits)
        return token_invalid(reason, detail, dlen,
                             "EC private section names curve type 0x%02x "
                             "with %u bits but the public section names "
                             "0x%02x with %u bits", claim->curve_type,
                             claim->bits,
                             tok->curve_type, tok->bits);
    if (tok->wrapped_len != field_bytes(tok->bits))
        return token_invalid(reason, detail, dlen,
                             "EC wrapped key is %zu bytes, expected %zu for "
                             "a %u-bit curve", tok->wrapped_len,
                             field_bytes(tok->bits), tok->bits);
    return 1;
}

/* Digest identifiers of section 0x60 and the NIDs they stand for. */
static const struct {
    uint8_t id;
    int nid;
} pss_hashes[] = {
    { CCA_PSS_HASH_SHA1, NID_sha1 },
    { CCA_PSS_HASH_SHA224, NID_sha224 },
    { CCA_PSS_HASH_SHA256, NID_sha256 },
    { CCA_PSS_HASH_SHA384, NID_sha384 },
    { CCA_PSS_HASH_SHA512, NID_sha512 },
};

uint8_t cca_pss_hash_id(int nid)
{
    for (size_t i = 0; i < sizeof(pss_hashes) / sizeof(pss_hashes[0]); i++)
        if (pss_hashes[i].nid == nid)
            return pss_hashes[i].id;
    return CCA_PSS_HASH_NONE;
}

static int pss_hash_nid(uint8_t id)
{
    for (size_t i = 0; i < sizeof(pss_hashes) / sizeof(pss_hashes[0]); i++)
        if (pss_hashes[i].id == id)
            return pss_hashes[i].nid;
    return NID_undef;
}

static int parse_rsa_pss(const struct section *s, struct cca_pka_token *tok,
                         uint32_t *reason, char *detail, size_t dlen)
{
    uint8_t hash_id, mgf1_id;
    uint32_t min_salt;

    if (s->len != CCA_RSA_PSS_SECTION_LEN)
        return token_invalid(reason, detail, dlen,
                             "RSA-PSS section at offset %zu is %zu bytes, "
                             "expected %u", s->off, s->len,
                             CCA_RSA_PSS_SECTION_LEN);
    if (!all_zero(s->p + 8, 4))
        return token_invalid(reason, detail, dlen,
                             "RSA-PSS section: reserved bytes at offset %zu "
                             "are not zero", s->off + 8);

    hash_id = s->p[CCA_RSA_PSS_HASH_OFF];
    mgf1_id = s->p[CCA_RSA_PSS_MGF1_OFF];
    min_salt = get16(s->p + CCA_RSA_PSS_SALT_OFF);
    if (hash_id == CCA_PSS_HASH_NONE && (mgf1_id != 0 || min_salt != 0))
        return token_invalid(reason, detail, dlen,
                             "RSA-PSS section without restrictions states "
                             "MGF1 digest 0x%02x and minimum salt %u; both "
                             "must be 0", mgf1_id, min_salt);
    if (hash_id != CCA_PSS_HASH_NONE
        && (pss_hash_nid(hash_id) == NID_undef
            || pss_hash_nid(mgf1_id) == NID_undef))
        return token_invalid(reason, detail, dlen,
                             "RSA-PSS section: digest 0x%02x or MGF1 digest "
                             "0x%02x is not SHA-1 (0x01), SHA-224, SHA-256, "
                             "SHA-384 or SHA-512 (0x05)", hash_id, mgf1_id);

    tok->is_pss = 1;
    tok->pss.restricted = hash_id != CCA_PSS_HASH_NONE;
    tok->pss.hash_nid = pss_hash_nid(hash_id);
    tok->pss.mgf1_nid = pss_hash_nid(mgf1_id);
    tok->pss.min_salt_len = min_salt;
    return 1;
}

static int is_known_section(uint8_t id)
{
    return id == CCA_SECTION_RSA_PUBLIC || id == CCA_SECTION_RSA_PRIVATE
           || id == CCA_SECTION_EC_PRIVATE || id == CCA_SECTION_EC_PUBLIC
           || id == CCA_SECTION_RSA_PSS || id == CCA_SECTION_RETAINED
           || id == CCA_SECTION_KEY_NAME;
}

/* Read the section header at off into s; checks that it fits. */
static int next_section(const uint8_t *buf, size_t len, size_t off,
                        struct section *s, uint32_t *reason, char *detail,
                        size_t dlen)
{
    size_t sec_len;

    if (len - off < SECTION_HEADER_LEN)
        return token_invalid(reason, detail, dlen,
                             "token ends at offset %zu inside a section "
                             "header", len);
    if (!is_known_section(buf[off]))
        return token_invalid(reason, detail, dlen,
                             "unknown section identifier 0x%02x at offset %zu",
                             buf[off], off);
    if (buf[off + 1] != SECTION_VERSION)
        return token_invalid(reason, detail, dlen,
                             "section 0x%02x at offset %zu has version 0x%02x, "
                             "expected 0x%02x", buf[off], off, buf[off + 1],
                             SECTION_VERSION);

    sec_len = get16(buf + off + 2);
    if (sec_len < SECTION_HEADER_LEN || sec_len > len - off)
        return token_invalid(reason, detail, dlen,
                             "section 0x%02x at offset %zu states length %zu, "
                             "but %zu bytes remain", buf[off], off, sec_len,
                             len - off);

    s->off = off;
    s->p = buf + off;
    s->len = sec_len;
    return 1;
}

/* The section that must come at position index of a token whose first
 * section is first_id, or 0 when the token must end there. */
static uint8_t expected_section(uint8_t token_id, uint8_t first_id,
                                int index)
{
    if (index == 0)
        return first_id;
    if (token_id == CCA_TOKEN_EXTERNAL_PKA || index > 1)
        return 0;
    if (first_id == CCA_SECTION_RSA_PRIVATE)
        return CCA_SECTION_RSA_PUBLIC;
    if (first_id == CCA_SECTION_EC_PRIVATE)
        return CCA_SECTION_EC_PUBLIC;
    return 0;
}

static int check_header(const uint8_t *buf, size_t len, uint32_t *reason,
                        char *detail, size_t dlen)
{
    size_t stated;

    if (buf == NULL || len < CCA_TOKEN_HEADER_LEN)
        return token_invalid(reason, detail, dlen,
                             "token is %zu bytes, shorter than the %u-byte "
                             "header", buf == NULL ? 0 : len,
                             CCA_TOKEN_HEADER_LEN);
    if (buf[0] != CCA_TOKEN_INTERNAL_PKA && buf[0] != CCA_TOKEN_EXTERNAL_PKA)
        return token_invalid(reason, detail, dlen,
                             "token identifier 0x%02x is not a PKA token "
                             "(0x1F internal, 0x1E external)", buf[0]);
    if (buf[1] != TOKEN_VERSION)
        return token_invalid(reason, detail, dlen,
                             "token version 0x%02x is not supported "
                             "(expected 0x%02x)", buf[1], TOKEN_VERSION);

    stated = get16(buf + 2);
    if (stated != len)
        return token_invalid(reason, detail, dlen,
                             "token length field says %zu bytes but the "
                             "token is %zu bytes", stated, len);
    if (len > CCA_TOKEN_MAX)
        return token_invalid(reason, detail, dlen,
                             "token is %zu bytes, over the %u-byte maximum",
                             len, CCA_TOKEN_MAX);
    if (!all_zero(buf + 4, 4))
        return token_invalid(reason, detail, dlen,
                             "token header: reserved bytes 4..7 are not zero");
    return 1;
}

static int check_first_section(uint8_t token_id, uint8_t id,
                               uint32_t *reason, char *detail, size_t dlen)
{
    int is_private = id == CCA_SECTION_RSA_PRIVATE
                     || id == CCA_SECTION_EC_PRIVATE;

    if (id == CCA_SECTION_RETAINED || id == CCA_SECTION_KEY_NAME)
        return token_invalid(reason, detail, dlen,
                             "%s token starts with section 0x%02x, which "
                             "belongs to an internal retained-key token "
                             "after its retained key section 0x61",
                             token_id == CCA_TOKEN_INTERNAL_PKA
                                 ? "internal" : "external", id);
    if (token_id == CCA_TOKEN_INTERNAL_PKA && !is_private)
        return token_invalid(reason, detail, dlen,
                             "internal token starts with section 0x%02x, "
                             "expected a private section (0x31 or 0x20) or "
                             "a retained key section (0x61)", id);
    if (token_id == CCA_TOKEN_EXTERNAL_PKA && is_private)
        return token_invalid(reason, detail, dlen,
                             "external token holds private section 0x%02x; "
                             "only a public section (0x04 or 0x21) may "
                             "appear", id);
    if (id == CCA_SECTION_RSA_PSS)
        return token_invalid(reason, detail, dlen,
                             "token starts with the RSA-PSS section 0x60, "
                             "which belongs after the RSA public section");
    return 1;
}

/* Parse the RSA-PSS section when one follows the RSA public section at
 * *off, and check that the key it marks only signs. */
static int parse_optional_pss(const uint8_t *buf, size_t len, size_t *off,
                              struct cca_pka_token *tok, uint32_t *reason,
                              char *detail, size_t dlen)
{
    struct section s;

    if (*off == len || buf[*off] != CCA_SECTION_RSA_PSS
        || tok->alg != CCA_ALG_RSA)
        return 1;
    if (!next_section(buf, len, *off, &s, reason, detail, dlen)
        || !parse_rsa_pss(&s, tok, reason, detail, dlen))
        return 0;
    *off += s.len;
    if (tok->token_id == CCA_TOKEN_INTERNAL_PKA
        && (tok->usage & CCA_USAGE_KEY_MGMT) != 0)
        return token_invalid(reason, detail, dlen,
                             "RSA-PSS key with usage 0x%02x: an RSA-PSS key "
                             "only signs, so key management (0x02) is "
                             "invalid", tok->usage);
    return 1;
}

/* Parse one section into tok, saving what the private section states about
 * the key so it can be compared with the public section that follows. */
static int parse_section(const struct section *s, const uint8_t *buf,
                         struct cca_pka_token *tok, struct private_claim *claim,
                         uint32_t *reason, char *detail, size_t dlen)
{
    switch (s->p[0]) {
    case CCA_SECTION_RSA_PRIVATE:
        if (!parse_rsa_private(s, buf, tok, reason, detail, dlen))
            return 0;
        claim->bits = tok->bits;
        claim->n_len = get16(s->p + RSA_PRIV_N_LEN_OFF);
        return 1;
    case CCA_SECTION_EC_PRIVATE:
        if (!parse_ec_private(s, buf, tok, reason, detail, dlen))
            return 0;
        claim->bits = tok->bits;
        claim->curve_type = tok->curve_type;
        return 1;
    case CCA_SECTION_RSA_PUBLIC:
        return parse_rsa_public(s, tok, reason, detail, dlen);
    default:
        return parse_ec_public(s, tok, reason, detail, dlen);
    }
}

/* ---- Retained-key tokens ----------------------------------------------- */

static int serial_char_valid(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

/* Section 0x61: the usage byte and the holding device's serial number. */
static int parse_retained_section(const struct section *s,
                                  struct cca_pka_token *tok,
                                  uint32_t *reason, char *detail, size_t dlen)
{
    const uint8_t *serial = s->p + CCA_RETAINED_SERIAL_OFF;
    size_t n = 0;

    if (s->len != CCA_RETAINED_SECTION_LEN)
        return token_invalid(reason, detail, dlen,
                             "retained key section is %zu bytes, expected "
                             "%u", s->len, CCA_RETAINED_SECTION_LEN);
    if (!all_zero(s->p + CCA_RETAINED_USAGE_OFF + 1, 3))
        return token_invalid(reason, detail, dlen,
                             "retained key section: reserved bytes are not "
                             "zero");
    while (n < CCA_RETAINED_SERIAL_LEN && serial_char_valid(serial[n]))
        n++;
    if (n == 0 || !all_zero(serial + n, CCA_RETAINED_SERIAL_LEN - n))
        return token_invalid(reason, detail, dlen,
                             "retained key section: the device serial "
                             "number is empty, or holds a character other "
                             "than 0-9 and A-Z before its NUL padding");

    memcpy(tok->retained_serial, serial, n);
    tok->retained_serial[n] = '\0';
    tok->usage = s->p[CCA_RETAINED_USAGE_OFF];
    return 1;
}

/* Section 0x10: the label, in canonical form and padded with spaces. */
static int parse_key_name(const struct section *s, struct cca_pka_token *tok,
                          uint32_t *reason, char *detail, size_t dlen)
{
    char text[CCA_KEY_NAME_LEN + 1];
    char canonical[CCA_LABEL_TEXT_MAX + 1];
    size_t len = CCA_KEY_NAME_LEN;

    if (s->len != CCA_KEY_NAME_SECTION_LEN)
        return token_invalid(reason, detail, dlen,
                             "private key name section is %zu bytes, "
                             "expected %u", s->len, CCA_KEY_NAME_SECTION_LEN);
    memcpy(text, s->p + CCA_KEY_NAME_OFF, CCA_KEY_NAME_LEN);
    while (len > 0 && text[len - 1] == ' ')
        len--;
    text[len] = '\0';
    if (len == 0 || memchr(text, '\0', len) != NULL
        || !cca_label_parse(text, canonical, NULL, 0)
        || strcmp(canonical, text) != 0)
        return token_invalid(reason, detail, dlen,
                             "private key name section does not hold a "
                             "valid upper-case key label padded with "
                             "spaces");
    memcpy(tok->retained_label, text, len + 1);
    return 1;
}

/* Read the section at *off, which must be one of the two identifiers
 * (pass the same one twice for one). */
static int expect_section(const uint8_t *buf, size_t len, size_t *off,
                          uint8_t id1, uint8_t id2, struct section *s,
                          uint32_t *reason, char *detail, size_t dlen)
{
    if (*off == len)
        return token_invalid(reason, detail, dlen,
                             "retained-key token ends at offset %zu; "
                             "section 0x%02x is missing", len, id1);
    if (!next_section(buf, len, *off, s, reason, detail, dlen))
        return 0;
    if (s->p[0] != id1 && s->p[0] != id2)
        return token_invalid(reason, detail, dlen,
                             "section 0x%02x at offset %zu is out of order "
                             "in a retained-key token: section 0x%02x "
                             "belongs here", s->p[0], *off, id1);
    *off += s->len;
    return 1;
}

/* An internal token whose first section is 0x61 (token.h lists the
 * sections).  It has no wrapped key, so the private-section pointers stay
 * NULL. */
static int parse_retained(const uint8_t *buf, size_t len,
                          struct cca_pka_token *tok, uint32_t *reason,
                          char *detail, size_t dlen)
{
    struct private_claim claim = { 0, 0, 0 };
    struct section s;
    size_t off = CCA_TOKEN_HEADER_LEN;
    uint8_t mask;

    if (!expect_section(buf, len, &off, CCA_SECTION_RETAINED,
                        CCA_SECTION_RETAINED, &s, reason, detail, dlen)
        || !parse_retained_section(&s, tok, reason, detail, dlen))
        return 0;

    if (!expect_section(buf, len, &off, CCA_SECTION_RSA_PUBLIC,
                        CCA_SECTION_EC_PUBLIC, &s, reason, detail, dlen)
        || !parse_section(&s, buf, tok, &claim, reason, detail, dlen))
        return 0;
    tok->alg = s.p[0] == CCA_SECTION_RSA_PUBLIC ? CCA_ALG_RSA : CCA_ALG_EC;
    mask = tok->alg == CCA_ALG_RSA ? RSA_USAGE_MASK : EC_USAGE_MASK;
    if (tok->usage == 0 || (tok->usage & ~mask) != 0)
        return token_invalid(reason, detail, dlen,
                             "retained key section: usage 0x%02x is not a "
                             "valid combination for an %s key (0x%02x)",
                             tok->usage,
                             tok->alg == CCA_ALG_RSA ? "RSA" : "EC", mask);
    if (!parse_optional_pss(buf, len, &off, tok, reason, detail, dlen))
        return 0;

    if (!expect_section(buf, len, &off, CCA_SECTION_KEY_NAME,
                        CCA_SECTION_KEY_NAME, &s, reason, detail, dlen)
        || !parse_key_name(&s, tok, reason, detail, dlen))
        return 0;
    if (off != len)
        return token_invalid(reason, detail, dlen,
                             "%zu bytes follow the last section at offset "
                             "%zu", len - off, off);
    tok->has_private = 1;
    tok->is_retained = 1;
    return 1;
}

int cca_token_parse(const uint8_t *buf, size_t len, struct cca_pka_token *tok,
                    uint32_t *reason, char *detail, size_t detail_len)
{
    struct private_claim claim = { 0, 0, 0 };
    struct section s = { 0, NULL, 0 };
    size_t off = CCA_TOKEN_HEADER_LEN;
    uint8_t first_id = 0;
    uint8_t want;

    if (detail != NULL && detail_len > 0)
        detail[0] = '\0';
    if (reason != NULL)
        *reason = CCA_RS_OK;
    memset(tok, 0, sizeof(*tok));
    if (!check_header(buf, len, reason, detail, detail_len))
        return 0;
    tok->token_id = buf[0];
    if (tok->token_id == CCA_TOKEN_INTERNAL_PKA && len > CCA_TOKEN_HEADER_LEN
        && buf[CCA_TOKEN_HEADER_LEN] == CCA_SECTION_RETAINED)
        return parse_retained(buf, len, tok, reason, detail, detail_len);

    for (int index = 0;; index++) {
        want = index == 0 ? 0 : expected_section(tok->token_id, first_id,
                                                  index);
        if (index > 0 && want == 0)
            break;
        if (off == len && index == 0)
            return token_invalid(reason, detail, detail_len,
                                 "token has a header but no sections");
        if (off == len)
            return token_invalid(reason, detail, detail_len,
                                 "token ends after section 0x%02x; section "
                                 "0x%02x is missing", first_id, want);
        if (!next_section(buf, len, off, &s, reason, detail, detail_len))
            return 0;
        if (index == 0) {
            if (!check_first_section(tok->token_id, s.p[0], reason, detail,
                                     detail_len))
                return 0;
            first_id = want = s.p[0];
        }
        if (s.p[0] != want)
            return token_invalid(reason, detail, detail_len,
                                 "section 0x%02x at offset %zu is out of "
                                 "order: section 0x%02x belongs here",
                                 s.p[0], off, want);
        if (!parse_section(&s, buf, tok, &claim, reason, detail, detail_len))
            return 0;
        off += s.len;
    }

    tok->has_private = tok->token_id == CCA_TOKEN_INTERNAL_PKA;
    if (first_id == CCA_SECTION_RSA_PRIVATE
        || first_id == CCA_SECTION_RSA_PUBLIC)
        tok->alg = CCA_ALG_RSA;
    else
        tok->alg = CCA_ALG_EC;
    if (!parse_optional_pss(buf, len, &off, tok, reason, detail, detail_len))
        return 0;
    if (off != len)
        return token_invalid(reason, detail, detail_len,
                             "%zu bytes follow the last section at offset "
                             "%zu", len - off, off);

    if (tok->has_private && tok->alg == CCA_ALG_RSA)
        return check_rsa_pair(tok, &claim, reason, detail, detail_len);
    if (tok->has_private)
        return check_ec_pair(tok, &claim, reason, detail, detail_len);
    return 1;
}
