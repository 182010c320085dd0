/*
 * PKA key token builders, shared by the device (which wraps the private
 * sections it builds) and the host (which builds external tokens of
 * public keys).  doc/key-tokens.md describes every byte.
 */
#include <config.h>

#include <string.h>

#include <ibm4767/keystore.h>
#include <ibm4767/token.h>

#include "token_int.h"

static void write_token_header(uint8_t *out, uint8_t id, size_t total)
{
    out[0] = id;
    out[1] = TOKEN_VERSION;
    put16(out + 2, total);
    memset(out + 4, 0, 4);
}

static void write_section_header(uint8_t *p, uint8_t id, size_t len)
{
    p[0] = id;
    p[1] = SECTION_VERSION;
    put16(p + 2, len);
}

/* Length of the 0x04 section for these components, or 0 when they cannot
 * appear in a token. */
static size_t rsa_public_section_len(const uint8_t *n, size_t n_len,
                                     const uint8_t *e, size_t e_len)
{
    size_t bits = bit_length(n, n_len);

    if (n == NULL || e == NULL || e_len == 0 || e_len > RSA_MAX_E_LEN
        || e[0] == 0)
        return 0;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
        return 0;
    return RSA_PUB_FIXED_LEN + e_len + n_len;
}

static void write_rsa_public(uint8_t *p, size_t sec_len, const uint8_t *n,
                             size_t n_len, const uint8_t *e, size_t e_len)
{
    memset(p, 0, RSA_PUB_FIXED_LEN);
    write_section_header(p, CCA_SECTION_RSA_PUBLIC, sec_len);
    put16(p + RSA_PUB_E_LEN_OFF, e_len);
    put16(p + RSA_PUB_BITS_OFF, bit_length(n, n_len));
    put16(p + RSA_PUB_N_LEN_OFF, n_len);
    memcpy(p + RSA_PUB_FIXED_LEN, e, e_len);
    memcpy(p + RSA_PUB_FIXED_LEN + e_len, n, n_len);
}

int cca_rsa_generate_bits_ok(uint32_t bits)
{
    return bits == 2048 || bits == 3072 || bits == 4096;
}

size_t cca_token_build_rsa_public(const uint8_t *n, size_t n_len,
                                  const uint8_t *e, size_t e_len,
                                  uint8_t *out, size_t out_cap)
{
    size_t pub_len = rsa_public_section_len(n, n_len, e, e_len);
    size_t total = CCA_TOKEN_HEADER_LEN + pub_len;

    if (pub_len == 0 || total > CCA_TOKEN_MAX)
        return 0;
    if (out == NULL)
        return total;
    if (out_cap < total)
        return 0;

    write_token_header(out, CCA_TOKEN_EXTERNAL_PKA, total);
    write_rsa_public(out + CCA_TOKEN_HEADER_LEN, pub_len, n, n_len, e, e_len);
    return total;
}

size_t cca_token_build_rsa_private(const uint8_t *n, size_t n_len,
                                   const uint8_t *e, size_t e_len,
                                   uint8_t usage, const uint8_t *mkvp,
                                   size_t wrapped_len, uint8_t *out,
                                   size_t out_cap)
{
    size_t pub_len = rsa_public_section_len(n, n_len, e, e_len);
    size_t priv_len = CCA_RSA_PRIV_WRAPPED_OFF + wrapped_len;
    size_t total = CCA_TOKEN_HEADER_LEN + priv_len + pub_len;
    uint8_t *priv;

    if (pub_len == 0 || mkvp == NULL || wrapped_len == 0
        || total > CCA_TOKEN_MAX)
        return 0;
    if (usage == 0 || (usage & ~RSA_USAGE_MASK) != 0)
        return 0;
    if (out == NULL)
        return total;
    if (out_cap < total)
        return 0;

    write_token_header(out, CCA_TOKEN_INTERNAL_PKA, total);
    priv = out + CCA_TOKEN_HEADER_LEN;
    memset(priv, 0, priv_len);
    write_section_header(priv, CCA_SECTION_RSA_PRIVATE, priv_len);
    put16(priv + RSA_PRIV_WRAPPED_LEN_OFF, wrapped_len);
    priv[CCA_RSA_PRIV_USAGE_OFF] = usage;
    priv[CCA_RSA_PRIV_WRAP_OFF] = CCA_WRAP_AES256_GCM;
    put16(priv + CCA_RSA_PRIV_BITS_OFF, bit_length(n, n_len));
    put16(priv + RSA_PRIV_N_LEN_OFF, n_len);
    memcpy(priv + CCA_RSA_PRIV_MKVP_OFF, mkvp, CCA_MKVP_LEN);
    write_rsa_public(priv + priv_len, pub_len, n, n_len, e, e_len);
    return total;
}

size_t cca_token_append_rsa_pss(uint8_t *token, size_t token_len,
                                size_t token_cap,
                                const struct cca_rsa_pss *pss)
{
    struct cca_pka_token tok;
    uint8_t hash_id = CCA_PSS_HASH_NONE, mgf1_id = CCA_PSS_HASH_NONE;
    size_t total = token_len + CCA_RSA_PSS_SECTION_LEN;
    uint8_t *p;

    if (pss == NULL)
        return 0;
    if (pss->restricted) {
        hash_id = cca_pss_hash_id(pss->hash_nid);
        mgf1_id = cca_pss_hash_id(pss->mgf1_nid);
        if (hash_id == CCA_PSS_HASH_NONE || mgf1_id == CCA_PSS_HASH_NONE
            || pss->min_salt_len > UINT16_MAX)
            return 0;
    }
    if (total > CCA_TOKEN_MAX)
        return 0;
    if (token == NULL)
        return total;
    if (token_cap < total
        || !cca_token_parse(token, token_len, &tok, NULL, NULL, 0)
        || tok.alg != CCA_ALG_RSA || tok.is_pss
        || (tok.has_private && (tok.usage & CCA_USAGE_KEY_MGMT) != 0))
        return 0;

    p = token + token_len;
    memset(p, 0, CCA_RSA_PSS_SECTION_LEN);
    write_section_header(p, CCA_SECTION_RSA_PSS, CCA_RSA_PSS_SECTION_LEN);
    p[CCA_RSA_PSS_HASH_OFF] = hash_id;
    p[CCA_RSA_PSS_MGF1_OFF] = mgf1_id;
    put16(p + CCA_RSA_PSS_SALT_OFF, pss->restricted ? pss->min_salt_len : 0);
    put16(token + 2, total);
    return total;
}

/* Length of the 0x21 section, or 0 when the curve or point is unusable. */
static size_t ec_public_section_len(int curve_nid, const uint8_t *q,
                                    size_t q_len)
{
    uint32_t bits = cca_curve_bits(curve_nid);

    if (bits == 0 || q == NULL || q_len != 1 + 2 * field_bytes(bits)
        || q[0] != 0x04)
        return 0;
    return EC_PUB_FIXED_LEN + q_len;
}

static void write_ec_public(uint8_t *p, size_t sec_len, int curve_nid,
                            const uint8_t *q, size_t q_len)
{
    memset(p, 0, EC_PUB_FIXED_LEN);
    write_section_header(p, CCA_SECTION_EC_PUBLIC, sec_len);
    p[EC_PUB_CURVE_OFF] = CCA_EC_CURVE_PRIME;
    put16(p + EC_PUB_BITS_OFF, cca_curve_bits(curve_nid));
    put16(p + EC_PUB_Q_LEN_OFF, q_len);
    memcpy(p + EC_PUB_FIXED_LEN, q, q_len);
}

size_t cca_token_build_ec_public(int curve_nid, const uint8_t *q,
                                 size_t q_len, uint8_t *out, size_t out_cap)
{
    size_t pub_len = ec_public_section_len(curve_nid, q, q_len);
    size_t total = CCA_TOKEN_HEADER_LEN + pub_len;

    if (pub_len == 0)
        return 0;
    if (out == NULL)
        return total;
    if (out_cap < total)
        return 0;

    write_token_header(out, CCA_TOKEN_EXTERNAL_PKA, total);
    write_ec_public(out + CCA_TOKEN_HEADER_LEN, pub_len, curve_nid, q, q_len);
    return total;
}

size_t cca_token_build_ec_private(int curve_nid, const uint8_t *q,
                                  size_t q_len, uint8_t usage,
                                  uint8_t source, const uint8_t *mkvp,
                                  size_t wrapped_len, uint8_t *out,
                                  size_t out_cap)
{
    size_t pub_len = ec_public_section_len(curve_nid, q, q_len);
    size_t priv_len = CCA_EC_PRIV_WRAPPED_OFF + wrapped_len;
    size_t total = CCA_TOKEN_HEADER_LEN + priv_len + pub_len;
    uint32_t bits = cca_curve_bits(curve_nid);
    uint8_t *priv;

    if (pub_len == 0 || mkvp == NULL || wrapped_len != field_bytes(bits))
        return 0;
    if (usage == 0 || (usage & ~EC_USAGE_MASK) != 0)
        return 0;
    if (source != CCA_EC_SOURCE_GENERATED && source != CCA_EC_SOURCE_IMPORTED)
        return 0;
    if (out == NULL)
        return total;
    if (out_cap < total)
        return 0;

    write_token_header(out, CCA_TOKEN_INTERNAL_PKA, total);
    priv = out + CCA_TOKEN_HEADER_LEN;
    memset(priv, 0, priv_len);
    write_section_header(priv, CCA_SECTION_EC_PRIVATE, priv_len);
    priv[CCA_EC_PRIV_WRAP_OFF] = CCA_WRAP_AES256_GCM;
    put16(priv + EC_PRIV_WRAPPED_LEN_OFF, wrapped_len);
    priv[CCA_EC_PRIV_USAGE_OFF] = usage;
    priv[CCA_EC_PRIV_CURVE_OFF] = CCA_EC_CURVE_PRIME;
    priv[CCA_EC_PRIV_FORMAT_OFF] = CCA_EC_FORMAT_INTERNAL;
    priv[CCA_EC_PRIV_SOURCE_OFF] = source;
    put16(priv + CCA_EC_PRIV_BITS_OFF, bits);
    memcpy(priv + CCA_EC_PRIV_MKVP_OFF, mkvp, CCA_MKVP_LEN);
    write_ec_public(priv + priv_len, pub_len, curve_nid, q, q_len);
    return total;
}

/* Whether serial can go into section 0x61: 1 to 16 characters 0-9, A-Z. */
static int retained_serial_valid(const char *serial)
{
    size_t len = serial != NULL ? strlen(serial) : 0;

    if (len == 0 || len > CCA_RETAINED_SERIAL_LEN)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (!((serial[i] >= '0' && serial[i] <= '9')
              || (serial[i] >= 'A' && serial[i] <= 'Z')))
            return 0;
    }
    return 1;
}

size_t cca_token_build_retained(const uint8_t *pub, size_t pub_len,
                                uint8_t usage, const char *serial,
                                const char *label, uint8_t *out,
                                size_t out_cap)
{
    struct cca_pka_token tok;
    char canonical[CCA_LABEL_TEXT_MAX + 1];
    size_t sections, total;
    uint8_t mask;
    uint8_t *p;

    if (pub == NULL || !cca_token_parse(pub, pub_len, &tok, NULL, NULL, 0)
        || tok.has_private)
        return 0;
    mask = tok.alg == CCA_ALG_RSA ? RSA_USAGE_MASK : EC_USAGE_MASK;
    if (usage == 0 || (usage & ~mask) != 0
        || (tok.is_pss && (usage & CCA_USAGE_KEY_MGMT) != 0))
        return 0;
    if (!retained_serial_valid(serial) || label == NULL
        || !cca_label_parse(label, canonical, NULL, 0)
        || strcmp(canonical, label) != 0)
        return 0;

    sections = pub_len - CCA_TOKEN_HEADER_LEN;
    total = CCA_TOKEN_HEADER_LEN + CCA_RETAINED_SECTION_LEN + sections
            + CCA_KEY_NAME_SECTION_LEN;
    if (total > CCA_TOKEN_MAX)
        return 0;
    if (out == NULL)
        return total;
    if (out_cap < total)
        return 0;

    write_token_header(out, CCA_TOKEN_INTERNAL_PKA, total);
    p = out + CCA_TOKEN_HEADER_LEN;
    memset(p, 0, CCA_RETAINED_SECTION_LEN);
    write_section_header(p, CCA_SECTION_RETAINED, CCA_RETAINED_SECTION_LEN);
    p[CCA_RETAINED_USAGE_OFF] = usage;
    memcpy(p + CCA_RETAINED_SERIAL_OFF, serial, strlen(serial));
    p += CCA_RETAINED_SECTION_LEN;
    memcpy(p, pub + CCA_TOKEN_HEADER_LEN, sections);
    p += sections;
    write_section_header(p, CCA_SECTION_KEY_NAME, CCA_KEY_NAME_SECTION_LEN);
    cca_label_to_field(label, (char *)p + CCA_KEY_NAME_OFF);
    return total;
}
