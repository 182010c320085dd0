/*
 * AES key token builder and parser, shared by the device (which fills in
 * and unwraps the payload) and the host (which checks a token and reads its
 * key size before sending it).  ibm4767/symtoken.h lists every field.
 *
 * The parser checks structure only.  Whether the payload decrypts under a
 * master key is the device's business.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ibm4767/cca.h>
#include <ibm4767/codes.h>
#include <ibm4767/symtoken.h>

#define PAYLOAD_OVERHEAD (CCA_SYMTOKEN_NONCE_LEN + CCA_SYMTOKEN_TAG_LEN)
#define KUF1_KNOWN (CCA_SYMTOKEN_KUF1_ENCRYPT | CCA_SYMTOKEN_KUF1_DECRYPT)

/* Reserved byte ranges of the fixed part, which must be zero. */
static const struct {
    size_t off;
    size_t len;
} reserved_ranges[] = {
    { 1, 1 }, { 5, 3 }, { 18, 8 }, { 29, 1 }, { 31, 1 }, { 37, 1 },
    { 40, 1 },
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

static int mode_valid(uint8_t mode)
{
    return mode == CCA_SYMTOKEN_MODE_ANY
           || (mode >= CCA_SYM_MODE_ECB && mode <= CCA_SYM_MODE_GCM);
}

static int token_invalid(uint32_t *reason, char *detail, size_t detail_len,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record the first structural error: 770 with a description. */
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

/* Identifier, version and length: the checks that tell what a buffer is. */
static int check_header(const uint8_t *buf, size_t len, uint32_t *reason,
                        char *detail, size_t detail_len)
{
    if (len < CCA_SYMTOKEN_PAYLOAD_OFF)
        return token_invalid(reason, detail, detail_len,
                             "AES token of %zu bytes is shorter than its "
                             "%u-byte fixed part", len,
                             CCA_SYMTOKEN_PAYLOAD_OFF);
    if (buf[0] != CCA_SYMTOKEN_INTERNAL)
        return token_invalid(reason, detail, detail_len,
                             "token identifier 0x%02x is not an internal "
                             "symmetric key token (0x01)", buf[0]);
    if (buf[CCA_SYMTOKEN_VERSION_OFF] == CCA_SYMTOKEN_VERSION_AESDATA)
        return token_invalid(reason, detail, detail_len,
                             "fixed-length AES DATA tokens (version 0x04) "
                             "are not supported: generate or import the key "
                             "as a variable-length token (version 0x05)");
    if (buf[CCA_SYMTOKEN_VERSION_OFF] != CCA_SYMTOKEN_VERSION)
        return token_invalid(reason, detail, detail_len,
                             "AES token version 0x%02x at offset 4 is not "
                             "0x05", buf[CCA_SYMTOKEN_VERSION_OFF]);
    if (get16(buf + CCA_SYMTOKEN_LEN_OFF) != len)
        return token_invalid(reason, detail, detail_len,
                             "AES token length field says %u bytes, but the "
                             "token has %zu",
                             get16(buf + CCA_SYMTOKEN_LEN_OFF), len);
    if (len != CCA_SYMTOKEN_MIN_LEN && len != CCA_SYMTOKEN_MIN_LEN + 8
        && len != CCA_SYMTOKEN_MAX_LEN)
        return token_invalid(reason, detail, detail_len,
                             "AES token length %zu fits no AES key size "
                             "(expected %u, %u or %u bytes)", len,
                             CCA_SYMTOKEN_MIN_LEN, CCA_SYMTOKEN_MIN_LEN + 8,
                             CCA_SYMTOKEN_MAX_LEN);
    return 1;
}

/* Bytes that have one allowed value in every token this device makes. */
static int check_fixed_bytes(const uint8_t *buf, uint32_t *reason,
                             char *detail, size_t detail_len)
{
    static const struct {
        size_t off;
        uint8_t value;
        const char *name;
    } fixed[] = {
        { CCA_SYMTOKEN_KEY_STATE_OFF, CCA_SYMTOKEN_KEY_STATE_MK,
          "key material state" },
        { CCA_SYMTOKEN_KVP_TYPE_OFF, CCA_SYMTOKEN_KVP_TYPE_MKVP,
          "key verification pattern type" },
        { CCA_SYMTOKEN_WRAP_OFF, CCA_SYMTOKEN_WRAP_AES256_GCM,
          "wrapping method" },
        { CCA_SYMTOKEN_HASH_OFF, CCA_SYMTOKEN_HASH_NONE, "hash algorithm" },
        { CCA_SYMTOKEN_PAYLOAD_FMT_OFF, CCA_SYMTOKEN_PAYLOAD_GCM,
          "payload format" },
        { CCA_SYMTOKEN_ADS_VERSION_OFF, CCA_SYMTOKEN_ADS_VERSION,
          "associated data version" },
        { CCA_SYMTOKEN_LABEL_LEN_OFF, 0, "key label length" },
        { CCA_SYMTOKEN_LABEL_LEN_OFF + 1, 0,
          "extended associated data length" },
        { CCA_SYMTOKEN_LABEL_LEN_OFF + 2, 0,
          "user-defined associated data length" },
        { CCA_SYMTOKEN_ALG_OFF, CCA_SYMTOKEN_ALG_AES, "algorithm" },
        { CCA_SYMTOKEN_KUF_COUNT_OFF, CCA_SYMTOKEN_KUF_COUNT,
          "key-usage field count" },
        { CCA_SYMTOKEN_KMF_COUNT_OFF, CCA_SYMTOKEN_KMF_COUNT,
          "key-management field count" },
    };

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (buf[fixed[i].off] != fixed[i].value)
            return token_invalid(reason, detail, detail_len,
                                 "AES token %s 0x%02x at offset %zu is "
                                 "invalid (expected 0x%02x)", fixed[i].name,
                                 buf[fixed[i].off], fixed[i].off,
                                 fixed[i].value);
    }
    for (size_t i = 0; i < sizeof(reserved_ranges) / sizeof(reserved_ranges[0]);
         i++) {
        if (!all_zero(buf + reserved_ranges[i].off, reserved_ranges[i].len))
            return token_invalid(reason, detail, detail_len,
                                 "AES token reserved byte at offset %zu is "
                                 "not zero", reserved_ranges[i].off);
    }
    return 1;
}

/* The u16 fields: lengths, key type, usage and management fields. */
static int check_fields(const uint8_t *buf, size_t len,
                        struct cca_sym_token *tok, uint32_t *reason,
                        char *detail, size_t detail_len)
{
    size_t payload_bits = (len - CCA_SYMTOKEN_PAYLOAD_OFF) * 8;
    uint16_t kuf1 = get16(buf + CCA_SYMTOKEN_KUF1_OFF);
    uint16_t kuf2 = get16(buf + CCA_SYMTOKEN_KUF2_OFF);

    if (get16(buf + CCA_SYMTOKEN_ADS_LEN_OFF) != CCA_SYMTOKEN_ADS_LEN)
        return token_invalid(reason, detail, detail_len,
                             "AES token associated data length %u at offset "
                             "32 is not %u",
                             get16(buf + CCA_SYMTOKEN_ADS_LEN_OFF),
                             CCA_SYMTOKEN_ADS_LEN);
    if (get16(buf + CCA_SYMTOKEN_PAYLOAD_BITS_OFF) != payload_bits)
        return token_invalid(reason, detail, detail_len,
                             "AES token payload length %u bits at offset 38 "
                             "does not match the %zu bits that follow",
                             get16(buf + CCA_SYMTOKEN_PAYLOAD_BITS_OFF),
                             payload_bits);
    if (get16(buf + CCA_SYMTOKEN_KEY_TYPE_OFF) != CCA_SYMTOKEN_KEY_TYPE_CIPHER)
        return token_invalid(reason, detail, detail_len,
                             "AES token key type 0x%04x at offset 42 is not "
                             "CIPHER (0x0001)",
                             get16(buf + CCA_SYMTOKEN_KEY_TYPE_OFF));
    if (kuf1 == 0 || (kuf1 & ~KUF1_KNOWN) != 0)
        return token_invalid(reason, detail, detail_len,
                             "AES token key-usage field 1 0x%04x at offset "
                             "45 allows no operation or has unknown bits",
                             kuf1);
    if ((kuf2 & 0xFFu) != 0 || !mode_valid((uint8_t)(kuf2 >> 8)))
        return token_invalid(reason, detail, detail_len,
                             "AES token key-usage field 2 0x%04x at offset "
                             "47 names no known mode", kuf2);
    if (!all_zero(buf + CCA_SYMTOKEN_KMF1_OFF, 6))
        return token_invalid(reason, detail, detail_len,
                             "AES token key-management fields at offset 50 "
                             "are not zero");

    tok->usage = kuf1;
    tok->mode = (uint8_t)(kuf2 >> 8);
    return 1;
}

int cca_sym_token_parse(const uint8_t *buf, size_t len,
                        struct cca_sym_token *tok, uint32_t *reason,
                        char *detail, size_t detail_len)
{
    size_t key_len;

    if (detail != NULL && detail_len > 0)
        detail[0] = '\0';
    if (reason != NULL)
        *reason = CCA_RS_OK;
    memset(tok, 0, sizeof(*tok));
    if (buf == NULL)
        return token_invalid(reason, detail, detail_len,
                             "AES token is missing");
    if (!check_header(buf, len, reason, detail, detail_len)
        || !check_fixed_bytes(buf, reason, detail, detail_len)
        || !check_fields(buf, len, tok, reason, detail, detail_len))
        return 0;

    key_len = len - CCA_SYMTOKEN_PAYLOAD_OFF - PAYLOAD_OVERHEAD;
    tok->key_bits = (uint32_t)(key_len * 8);
    tok->mkvp = buf + CCA_SYMTOKEN_MKVP_OFF;
    tok->nonce = buf + CCA_SYMTOKEN_PAYLOAD_OFF;
    tok->wrapped = tok->nonce + CCA_SYMTOKEN_NONCE_LEN;
    tok->tag = tok->wrapped + key_len;
    return 1;
}

size_t cca_sym_token_build(uint32_t key_bits, uint16_t usage, uint8_t mode,
                           const uint8_t *mkvp, uint8_t *out, size_t out_cap)
{
    size_t key_len = key_bits / 8;
    size_t len = CCA_SYMTOKEN_PAYLOAD_OFF + PAYLOAD_OVERHEAD + key_len;

    if (key_bits != 128 && key_bits != 192 && key_bits != 256)
        return 0;
    if (usage == 0 || (usage & ~KUF1_KNOWN) != 0 || !mode_valid(mode))
        return 0;
    if (out == NULL)
        return len;
    if (out_cap < len || mkvp == NULL)
        return 0;

    memset(out, 0, len);
    out[0] = CCA_SYMTOKEN_INTERNAL;
    put16(out + CCA_SYMTOKEN_LEN_OFF, len);
    out[CCA_SYMTOKEN_VERSION_OFF] = CCA_SYMTOKEN_VERSION;
    out[CCA_SYMTOKEN_KEY_STATE_OFF] = CCA_SYMTOKEN_KEY_STATE_MK;
    out[CCA_SYMTOKEN_KVP_TYPE_OFF] = CCA_SYMTOKEN_KVP_TYPE_MKVP;
    memcpy(out + CCA_SYMTOKEN_MKVP_OFF, mkvp, CCA_MKVP_LEN);
    out[CCA_SYMTOKEN_WRAP_OFF] = CCA_SYMTOKEN_WRAP_AES256_GCM;
    out[CCA_SYMTOKEN_HASH_OFF] = CCA_SYMTOKEN_HASH_NONE;
    out[CCA_SYMTOKEN_PAYLOAD_FMT_OFF] = CCA_SYMTOKEN_PAYLOAD_GCM;
    out[CCA_SYMTOKEN_ADS_VERSION_OFF] = CCA_SYMTOKEN_ADS_VERSION;
    put16(out + CCA_SYMTOKEN_ADS_LEN_OFF, CCA_SYMTOKEN_ADS_LEN);
    put16(out + CCA_SYMTOKEN_PAYLOAD_BITS_OFF,
          (len - CCA_SYMTOKEN_PAYLOAD_OFF) * 8);
    out[CCA_SYMTOKEN_ALG_OFF] = CCA_SYMTOKEN_ALG_AES;
    put16(out + CCA_SYMTOKEN_KEY_TYPE_OFF, CCA_SYMTOKEN_KEY_TYPE_CIPHER);
    out[CCA_SYMTOKEN_KUF_COUNT_OFF] = CCA_SYMTOKEN_KUF_COUNT;
    put16(out + CCA_SYMTOKEN_KUF1_OFF, usage);
    put16(out + CCA_SYMTOKEN_KUF2_OFF, (size_t)mode << 8);
    out[CCA_SYMTOKEN_KMF_COUNT_OFF] = CCA_SYMTOKEN_KMF_COUNT;
    return len;
}
