/*
 * PKA key verbs of libcsulcca-emu.so: CSNDPKB (token build), CSNDPKG (key
 * generate), CSNDPKI (key import) and CSNDPKX (public key extract).
 *
 * CSNDPKB builds skeletons and clear external tokens in this library's
 * own layout (emu.h), which only this library's CSNDPKG and CSNDPKI read;
 * public tokens (RSA-PUBL, ECC-PUBL) are CCA external tokens.  Internal
 * tokens come from the emulator.
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include <ibm4767/token.h>

#include "emu.h"

#define RSA_KVS_FIELDS 9
#define RSA_KVS_D      3
/* Length of the transport key and importer identifiers. */
#define KEY_ID_LEN     64

static const struct emu_keyword token_type_keywords[] = {
    { "RSA-AESC", 0, 0, 0 },
    { "ECC-PAIR", 0, 0, 0 },
    { "RSA-PUBL", 0, 0, 0 },
    { "ECC-PUBL", 0, 0, 0 },
    { "RSA-AESM", 0, 0, 1 },
    { "RSA-CRT", 0, 0, 1 },
    { "RSA-PRIV", 0, 0, 1 },
    { "QSA-PAIR", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

static const struct emu_keyword usage_keywords[] = {
    { "SIG-ONLY", 0, 0, 0 },
    { "KEY-MGMT", 0, 0, 0 },
    { "KM-ONLY", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};

static const struct emu_keyword version_keywords[] = {
    { "ECC-VER1", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};

enum { TT_RSA_AESC, TT_ECC_PAIR, TT_RSA_PUBL, TT_ECC_PUBL };
enum { US_SIG_ONLY, US_KEY_MGMT, US_KM_ONLY };

static size_t get16(const uint8_t *p)
{
    return ((size_t)p[0] << 8) | p[1];
}

static void put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* CCA_USAGE_* bits of a usage keyword; KEY-MGMT is the default. */
static uint8_t usage_bits(int alg_ec, int found)
{
    uint8_t other = alg_ec ? CCA_USAGE_KEY_AGREEMENT : CCA_USAGE_KEY_MGMT;

    switch (found) {
    case US_SIG_ONLY:
        return CCA_USAGE_SIGNATURE;
    case US_KM_ONLY:
        return other;
    default:
        return (uint8_t)(CCA_USAGE_SIGNATURE | other);
    }
}

/* Write a token of this library's layout: header, one section. */
static int write_build_token(uint8_t section, uint8_t alg, uint8_t usage,
                             size_t bits, const uint8_t *data,
                             size_t data_len, unsigned char *out, long *cap,
                             struct emu_status_code *sc)
{
    size_t fixed = section == EMU_SECTION_SKELETON ? 10 : 8;
    size_t sec_len = fixed + data_len;
    size_t total = CCA_TOKEN_HEADER_LEN + sec_len;
    uint8_t *tok = OPENSSL_zalloc(total);
    uint8_t *sec;
    int ret = 0;

    if (tok == NULL) {
        emu_set(sc, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY);
        return 0;
    }
    sec = tok + CCA_TOKEN_HEADER_LEN;
    tok[0] = CCA_TOKEN_EXTERNAL_PKA;
    put16(tok + 2, total);
    sec[0] = section;
    put16(sec + 2, sec_len);
    sec[4] = alg;
    sec[5] = usage;
    if (section == EMU_SECTION_SKELETON) {
        put16(sec + 6, bits);
        put16(sec + 8, data_len);
    } else {
        put16(sec + 6, data_len);
    }
    if (data_len > 0)
        memcpy(sec + fixed, data, data_len);
    ret = emu_output(tok, total, out, cap, sc);
    OPENSSL_clear_free(tok, total);
    return ret;
}

/* d = e^-1 mod lcm(p - 1, q - 1) for a CRT key that comes without d. */
static BIGNUM *rsa_private_exponent(const uint8_t *e, size_t e_len,
                                   const uint8_t *p, size_t p_len,
                                   const uint8_t *q, size_t q_len)
{
    BN_CTX *ctx = BN_CTX_secure_new();
    BIGNUM *be = BN_bin2bn(e, (int)e_len, NULL);
    BIGNUM *p1 = BN_bin2bn(p, (int)p_len, NULL);
    BIGNUM *q1 = BN_bin2bn(q, (int)q_len, NULL);
    BIGNUM *gcd = BN_new(), *lcm = BN_new(), *d = BN_secure_new();
    BIGNUM *ret = NULL;

    if (ctx == NULL || be == NULL || p1 == NULL || q1 == NULL || gcd == NULL
        || lcm == NULL || d == NULL
        || !BN_sub_word(p1, 1) || !BN_sub_word(q1, 1)
        || !BN_gcd(gcd, p1, q1, ctx) || !BN_mul(lcm, p1, q1, ctx)
        || !BN_div(lcm, NULL, lcm, gcd, ctx)
        || BN_mod_inverse(d, be, lcm, ctx) == NULL)
        goto err;
    ret = d;
    d = NULL;

err:
    BN_clear_free(d);
    BN_clear_free(p1);
    BN_clear_free(q1);
    BN_free(be);
    BN_free(gcd);
    BN_free(lcm);
    BN_CTX_free(ctx);
    return ret;
}

/*
 * The project's RSA key value structure from CCA's: CCA's CRT form leaves
 * the private exponent out, the emulator's import takes it, so it is
 * computed here.  *out is allocated; the caller cleanses it.
 */
static int rsa_kvs_with_d(const uint8_t *kvs, size_t kvs_len, uint8_t **out,
                          size_t *out_len, struct emu_status_code *sc)
{
    size_t len[RSA_KVS_FIELDS], total = CCA_RSA_KVS_HEADER_LEN;
    size_t e_off, d_off, p_off, copy_len = 0;
    BIGNUM *d = NULL;
    uint8_t *copy = NULL;
    int ret = 0;

    for (int i = 1; i < RSA_KVS_FIELDS; i++) {
        len[i] = get16(kvs + 2 * i);
        total += len[i];
    }
    if (total != kvs_len || len[1] == 0 || len[2] == 0 || len[4] == 0
        || len[5] == 0) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        goto err;
    }
    e_off = CCA_RSA_KVS_HEADER_LEN + len[1];
    d_off = e_off + len[2];
    p_off = d_off + len[RSA_KVS_D];

    /* The modulus length bounds d; the copy gets room for it. */
    copy_len = kvs_len - len[RSA_KVS_D] + len[1];
    copy = OPENSSL_malloc(copy_len);
    if (copy == NULL) {
        emu_set(sc, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY);
        goto err;
    }
    if (len[RSA_KVS_D] > 0) {
        d = BN_bin2bn(kvs + d_off, (int)len[RSA_KVS_D], NULL);
    } else {
        d = rsa_private_exponent(kvs + e_off, len[2], kvs + p_off, len[4],
                                 kvs + p_off + len[4], len[5]);
    }
    if (d == NULL || BN_bn2binpad(d, copy + d_off, (int)len[1]) < 0) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_KEY_VALUE_INVALID);
        goto err;
    }
    memcpy(copy, kvs, d_off);
    put16(copy + 2 * RSA_KVS_D, len[1]);
    memcpy(copy + d_off + len[1], kvs + p_off, kvs_len - p_off);
    *out = copy;
    *out_len = copy_len;
    copy = NULL;
    ret = 1;

err:
    BN_clear_free(d);
    OPENSSL_clear_free(copy, copy_len);
    return ret;
}

/* RSA-AESC: a skeleton (no modulus) or a clear private key. */
static void build_rsa(const uint8_t *kvs, size_t kvs_len, uint8_t usage,
                      unsigned char *out, long *cap,
                      struct emu_status_code *sc)
{
    uint8_t *full = NULL;
    size_t full_len = 0;

    if (kvs == NULL || kvs_len < CCA_RSA_KVS_HEADER_LEN) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return;
    }
    if (get16(kvs + 2) == 0) {
        size_t e_len = get16(kvs + 4);

        if (CCA_RSA_KVS_HEADER_LEN + e_len != kvs_len) {
            emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
            return;
        }
        write_build_token(EMU_SECTION_SKELETON, CCA_ALG_RSA, usage,
                          get16(kvs), kvs + CCA_RSA_KVS_HEADER_LEN, e_len,
                          out, cap, sc);
        return;
    }
    if (rsa_kvs_with_d(kvs, kvs_len, &full, &full_len, sc))
        write_build_token(EMU_SECTION_CLEAR_KEY, CCA_ALG_RSA, usage, 0, full,
                          full_len, out, cap, sc);
    OPENSSL_clear_free(full, full_len);
}

/* ECC-PAIR: a skeleton (no private key) or a clear private key. */
static void build_ec(const uint8_t *kvs, size_t kvs_len, uint8_t usage,
                     unsigned char *out, long *cap,
                     struct emu_status_code *sc)
{
    if (kvs == NULL || kvs_len < CCA_EC_KVS_HEADER_LEN
        || CCA_EC_KVS_HEADER_LEN + get16(kvs + 4) + get16(kvs + 6)
               != kvs_len) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return;
    }
    if (cca_curve_nid(kvs[0], (uint32_t)get16(kvs + 2)) == 0) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID);
        return;
    }
    if (get16(kvs + 4) == 0)
        write_build_token(EMU_SECTION_SKELETON, CCA_ALG_EC, usage,
                          get16(kvs + 2), NULL, 0, out, cap, sc);
    else
        write_build_token(EMU_SECTION_CLEAR_KEY, CCA_ALG_EC, usage, 0, kvs,
                          kvs_len, out, cap, sc);
}

/* RSA-PUBL and ECC-PUBL: a CCA external public token. */
static void build_public(int ec, const uint8_t *kvs, size_t kvs_len,
                         unsigned char *out, long *cap,
                         struct emu_status_code *sc)
{
    uint8_t tok[CCA_TOKEN_MAX];
    size_t len = 0;

    if (ec && kvs_len >= CCA_EC_KVS_HEADER_LEN
        && CCA_EC_KVS_HEADER_LEN + get16(kvs + 6) == kvs_len
        && get16(kvs + 4) == 0)
        len = cca_token_build_ec_public(
            cca_curve_nid(kvs[0], (uint32_t)get16(kvs + 2)),
            kvs + CCA_EC_KVS_HEADER_LEN, kvs_len - CCA_EC_KVS_HEADER_LEN,
            tok, sizeof(tok));
    else if (!ec && kvs_len >= CCA_RSA_KVS_HEADER_LEN
             && CCA_RSA_KVS_HEADER_LEN + get16(kvs + 2) + get16(kvs + 4)
                    == kvs_len)
        len = cca_token_build_rsa_public(
            kvs + CCA_RSA_KVS_HEADER_LEN, get16(kvs + 2),
            kvs + CCA_RSA_KVS_HEADER_LEN + get16(kvs + 2), get16(kvs + 4),
            tok, sizeof(tok));
    if (len == 0) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return;
    }
    emu_output(tok, len, out, cap, sc);
}

void CSNDPKB(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *kvs_len,
             unsigned char *kvs, long *name_len, unsigned char *name,
             long *customer_data_len, unsigned char *customer_data,
             long *reserved2_len, unsigned char *reserved2,
             long *reserved3_len, unsigned char *reserved3,
             long *reserved4_len, unsigned char *reserved4,
             long *reserved5_len, unsigned char *reserved5, long *token_len,
             unsigned char *token)
{
    const struct emu_group groups[] = {
        { token_type_keywords, 1 },
        { usage_keywords, 0 },
        { version_keywords, 0 },
    };
    struct emu_status_code sc = { 0, 0 };
    size_t len = kvs_len != NULL && *kvs_len > 0 ? (size_t)*kvs_len : 0;
    int found[3];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 1, 3, groups, 3, found, &sc))
        goto err;
    if (len > CCA_TOKEN_MAX || (len > 0 && kvs == NULL)) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        goto err;
    }

    switch (found[0]) {
    case TT_RSA_AESC:
        build_rsa(kvs, len, usage_bits(0, found[1]), token, token_len, &sc);
        break;
    case TT_ECC_PAIR:
        build_ec(kvs, len, usage_bits(1, found[1]), token, token_len, &sc);
        break;
    default:
        build_public(found[0] == TT_ECC_PUBL, kvs, len, token, token_len,
                     &sc);
        break;
    }

err:
    emu_finish(&sc, rc, reason);
}

/* Read a token argument of *len bytes; NULL with 8/72 when invalid. */
static const uint8_t *token_arg(const long *len, const unsigned char *token,
                                size_t *out_len, struct emu_status_code *sc)
{
    if (len == NULL || token == NULL || *len <= 0 || *len > CCA_TOKEN_MAX) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return NULL;
    }
    *out_len = (size_t)*len;
    return token;
}

/* Copy a token the emulator returned to the caller's buffer. */
static void return_token(const struct cca_result *res, const uint8_t *tok,
                         size_t tok_len, unsigned char *out, long *cap,
                         struct emu_status_code *sc)
{
    emu_from_result(sc, res);
    if (res->rc != CCA_RC_OK && res->rc != CCA_RC_WARNING)
        return;
    emu_output(tok, tok_len, out, cap, sc);
}

static const struct emu_keyword generate_keywords[] = {
    { "MASTER", 0, 0, 0 },
    { "CLEAR", 0, 0, 1 },
    { "RETAIN", 0, 0, 1 },
    { "XPORT", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

void CSNDPKG(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *regen_len,
             unsigned char *regen, long *skeleton_len,
             unsigned char *skeleton, unsigned char *transport_key,
             long *out_len, unsigned char *out)
{
    const struct emu_group groups[] = { { generate_keywords, 1 } };
    struct emu_status_code sc = { 0, 0 };
    struct emu_pka_build build;
    struct cca_result res;
    uint8_t *tok = NULL;
    size_t tok_len = 0, skel_len = 0;
    const uint8_t *skel;
    uint32_t size;
    int found[1];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 1, 1, groups, 1, found, &sc))
        goto err;
    if (regen_len != NULL && *regen_len != 0) {
        emu_set(&sc, CCA_RC_ERROR, EMU_RS_UNSUPPORTED);
        goto err;
    }
    skel = token_arg(skeleton_len, skeleton, &skel_len, &sc);
    if (skel == NULL)
        goto err;
    if (!emu_pka_build_parse(skel, skel_len, &build)
        || build.section != EMU_SECTION_SKELETON) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID);
        goto err;
    }

    size = build.alg == CCA_ALG_EC
               ? (uint32_t)cca_curve_nid(CCA_EC_CURVE_PRIME, build.bits)
               : build.bits;
    cca_pka_key_generate(emu_backend(), build.alg, size, build.data,
                         build.data_len, build.usage, &tok, &tok_len, &res);
    return_token(&res, tok, tok_len, out, out_len, &sc);

err:
    OPENSSL_free(tok);
    emu_finish(&sc, rc, reason);
}

static const struct emu_keyword import_keywords[] = {
    { "ECC", 0, 0, 0 },
    { "RSA", 0, 0, 0 },
    { "QSA", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

void CSNDPKI(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *source_len,
             unsigned char *source, unsigned char *importer,
             long *target_len, unsigned char *target)
{
    const struct emu_group groups[] = { { import_keywords, 0 } };
    struct emu_status_code sc = { 0, 0 };
    struct emu_pka_build build;
    struct cca_result res;
    const uint8_t *src;
    uint8_t *tok = NULL;
    size_t tok_len = 0, src_len = 0;
    int found[1];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 0, 1, groups, 1, found, &sc))
        goto err;
    src = token_arg(source_len, source, &src_len, &sc);
    if (src == NULL)
        goto err;
    if (!emu_pka_build_parse(src, src_len, &build)
        || build.section != EMU_SECTION_CLEAR_KEY) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID);
        goto err;
    }
    /* An EC key needs the ECC keyword, an RSA key none or RSA. */
    if ((build.alg == CCA_ALG_EC) != (found[0] == 0)) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION);
        goto err;
    }

    cca_pka_key_import(emu_backend(), build.alg, build.usage, build.data,
                       build.data_len, &tok, &tok_len, &res);
    return_token(&res, tok, tok_len, target, target_len, &sc);

err:
    OPENSSL_free(tok);
    emu_finish(&sc, rc, reason);
}

void CSNDPKX(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *source_len,
             unsigned char *source, long *target_len, unsigned char *target)
{
    struct emu_status_code sc = { 0, 0 };
    struct cca_result res;
    const uint8_t *src;
    uint8_t *tok = NULL;
    size_t tok_len = 0, src_len = 0;

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 0, 0, NULL, 0, NULL, &sc))
        goto err;
    src = token_arg(source_len, source, &src_len, &sc);
    if (src == NULL)
        goto err;

    cca_pka_public_key_extract(emu_backend(), src, src_len, &tok, &tok_len,
                               &res);
    return_token(&res, tok, tok_len, target, target_len, &sc);

err:
    OPENSSL_free(tok);
    emu_finish(&sc, rc, reason);
}
