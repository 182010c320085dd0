/*
 * Fuzz target: the key token parsers that both sides of the socket run on
 * untrusted bytes, cca_token_parse (RSA and EC tokens) and
 * cca_sym_token_parse (AES tokens).  Beyond "no crash" it checks that a
 * parser that accepts a token returns fields inside the input, and that
 * the builders rebuild what the parser read.
 */
#include <config.h>

#include <string.h>

#include <openssl/obj_mac.h>

#include <ibm4767/codes.h>
#include <ibm4767/symtoken.h>
#include <ibm4767/token.h>

#include "fuzz.h"

#define DETAIL_LEN 256

static int inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
    return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

/* A failed parse sets reason 770 and a NUL-terminated detail. */
static void check_rejection(uint32_t reason, const char *detail)
{
    FUZZ_CHECK(reason == CCA_RS_PKA_TOKEN_INVALID);
    FUZZ_CHECK(memchr(detail, '\0', DETAIL_LEN) != NULL);
}

/* The public key of a parsed token, built into an external token again,
 * parses to the same key. */
static void check_public_rebuild(const struct cca_pka_token *tok)
{
    uint8_t out[CCA_TOKEN_MAX];
    struct cca_pka_token pub;
    uint32_t reason = 0;
    size_t len;

    if (tok->alg == CCA_ALG_RSA)
        len = cca_token_build_rsa_public(tok->n, tok->n_len, tok->e,
                                         tok->e_len, out, sizeof(out));
    else
        len = cca_token_build_ec_public(tok->curve_nid, tok->q, tok->q_len,
                                        out, sizeof(out));
    FUZZ_CHECK(len > 0);
    FUZZ_CHECK(cca_token_parse(out, len, &pub, &reason, NULL, 0));
    FUZZ_CHECK(pub.alg == tok->alg);
    FUZZ_CHECK(!pub.has_private);
    FUZZ_CHECK(pub.bits == tok->bits);
    if (tok->alg == CCA_ALG_RSA) {
        FUZZ_CHECK(pub.n_len == tok->n_len
                   && memcmp(pub.n, tok->n, tok->n_len) == 0);
        FUZZ_CHECK(pub.e_len == tok->e_len
                   && memcmp(pub.e, tok->e, tok->e_len) == 0);
    } else {
        FUZZ_CHECK(pub.curve_nid == tok->curve_nid);
        FUZZ_CHECK(pub.q_len == tok->q_len
                   && memcmp(pub.q, tok->q, tok->q_len) == 0);
    }
}

static void fuzz_pka_token(const uint8_t *data, size_t size)
{
    struct cca_pka_token tok;
    char detail[DETAIL_LEN];
    uint32_t reason = 0;

    if (!cca_token_parse(data, size, &tok, &reason, detail, sizeof(detail))) {
        check_rejection(reason, detail);
        return;
    }
    FUZZ_CHECK(reason == CCA_RS_OK);
    FUZZ_CHECK(tok.alg == CCA_ALG_RSA || tok.alg == CCA_ALG_EC);
    FUZZ_CHECK(tok.has_private == (tok.token_id == CCA_TOKEN_INTERNAL_PKA));
    if (tok.alg == CCA_ALG_RSA) {
        FUZZ_CHECK(inside(tok.n, tok.n_len, data, size) && tok.n_len > 0);
        FUZZ_CHECK(inside(tok.e, tok.e_len, data, size) && tok.e_len > 0);
    } else {
        FUZZ_CHECK(inside(tok.q, tok.q_len, data, size) && tok.q_len > 0);
        FUZZ_CHECK(tok.curve_nid == NID_X9_62_prime256v1
                   || tok.curve_nid == NID_secp384r1
                   || tok.curve_nid == NID_secp521r1);
    }
    if (tok.has_private) {
        FUZZ_CHECK(inside(tok.mkvp, CCA_MKVP_LEN, data, size));
        FUZZ_CHECK(inside(tok.nonce, CCA_WRAP_NONCE_LEN, data, size));
        FUZZ_CHECK(inside(tok.tag, CCA_WRAP_TAG_LEN, data, size));
        FUZZ_CHECK(inside(tok.wrapped, tok.wrapped_len, data, size));
        FUZZ_CHECK(tok.auth_gap_off <= size
                   && tok.auth_gap_len <= size - tok.auth_gap_off);
    }
    check_public_rebuild(&tok);
}

/* A token the parser accepts is exactly what the builder writes for the
 * same key size, usage, mode and MKVP, up to the wrapped payload. */
static void check_sym_rebuild(const struct cca_sym_token *tok,
                              const uint8_t *data, size_t size)
{
    uint8_t out[CCA_SYMTOKEN_MAX_LEN];
    size_t len;

    len = cca_sym_token_build(tok->key_bits, tok->usage, tok->mode,
                              tok->mkvp, out, sizeof(out));
    FUZZ_CHECK(len == size);
    FUZZ_CHECK(memcmp(out, data, CCA_SYMTOKEN_PAYLOAD_OFF) == 0);
}

static void fuzz_sym_token(const uint8_t *data, size_t size)
{
    struct cca_sym_token tok;
    char detail[DETAIL_LEN];
    uint32_t reason = 0;

    if (!cca_sym_token_parse(data, size, &tok, &reason, detail,
                             sizeof(detail))) {
        check_rejection(reason, detail);
        return;
    }
    FUZZ_CHECK(tok.key_bits == 128 || tok.key_bits == 192
               || tok.key_bits == 256);
    FUZZ_CHECK(inside(tok.mkvp, CCA_MKVP_LEN, data, size));
    FUZZ_CHECK(inside(tok.nonce, CCA_SYMTOKEN_NONCE_LEN, data, size));
    FUZZ_CHECK(inside(tok.wrapped, tok.key_bits / 8, data, size));
    FUZZ_CHECK(inside(tok.tag, CCA_SYMTOKEN_TAG_LEN, data, size));
    check_sym_rebuild(&tok, data, size);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pka_token(data, size);
    fuzz_sym_token(data, size);
    return 0;
}
