/*
 * PKA encrypt and decrypt (CSNDPKE, CSNDPKD) and EC Diffie-Hellman
 * (CSNDEDH) of libcsulcca-emu.so.
 *
 * Levels: PKOAEP2 (OAEP with SHA-1 to SHA-512) exists from CCA 8.1, and
 * below that its keyword gets 8/33 as from the card's library; PKCSOAEP
 * takes SHA-1 or SHA-256.  MGF1 always uses the OAEP digest, and CCA's
 * OAEP has no label.  ZERO-PAD needs an external (public) key.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>

#include <ibm4767/token.h>

#include "emu.h"

/* Longest RSA result: a 4096-bit modulus. */
#define RSA_OUT_MAX 512

static const struct emu_keyword method_keywords[] = {
    { "PKCS-1.2", 0, 0, 0 },
    { "PKCSOAEP", 0, 0, 0 },
    { "PKOAEP2", 8, 1, 0 },
    { "ZERO-PAD", 0, 0, 0 },
    { "MRP", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

static const struct emu_keyword oaep_hash_keywords[] = {
    { "SHA-1", 0, 0, 0 },
    { "SHA-256", 0, 0, 0 },
    { "SHA-224", 0, 0, 0 },
    { "SHA-384", 0, 0, 0 },
    { "SHA-512", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};

static const int oaep_nids[] = {
    NID_sha1, NID_sha256, NID_sha224, NID_sha384, NID_sha512,
};

enum { PM_PKCS12, PM_PKCSOAEP, PM_PKOAEP2, PM_ZERO_PAD };
/* PKCSOAEP takes the first two digests of oaep_hash_keywords. */
#define PKCSOAEP_HASHES 2

static int cipher_params(const long *rule_count, const unsigned char *rule,
                         struct cca_pka_cipher_params *p,
                         struct emu_status_code *sc)
{
    const struct emu_group groups[] = {
        { method_keywords, 1 },
        { oaep_hash_keywords, 0 },
    };
    int found[2];

    memset(p, 0, sizeof(*p));
    if (!emu_parse_rules(rule_count, rule, 1, 2, groups, 2, found, sc))
        return 0;

    switch (found[0]) {
    case PM_PKCS12:
    case PM_ZERO_PAD:
        if (found[1] >= 0) {
            emu_set(sc, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION);
            return 0;
        }
        p->padding = found[0] == PM_PKCS12 ? CCA_PAD_PKCS1 : CCA_PAD_NONE;
        return 1;
    default:
        break;
    }

    /* NOTE: that PKCSOAEP without a digest keyword means SHA-1 is
     * unconfirmed. */
    if (found[1] < 0)
        found[1] = 0;
    if (found[0] == PM_PKCSOAEP && found[1] >= PKCSOAEP_HASHES) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION);
        return 0;
    }
    p->padding = CCA_PAD_OAEP;
    p->oaep_nid = oaep_nids[found[1]];
    p->mgf1_nid = p->oaep_nid;
    return 1;
}

/* CSNDPKE and CSNDPKD share their parameter list. */
static void pka_cipher(int decrypt, long *rc, long *reason, long *rule_count,
                       unsigned char *rule, long *in_len, unsigned char *in,
                       long *data_struct_len, long *key_len,
                       unsigned char *key, long *out_len, unsigned char *out)
{
    struct emu_status_code sc = { 0, 0 };
    struct cca_pka_cipher_params p;
    struct cca_pka_token tok;
    struct cca_result res;
    uint8_t buf[RSA_OUT_MAX];
    size_t buf_len = sizeof(buf);
    uint32_t token_reason = 0;
    int ok;

    if (!emu_init(&sc) || !cipher_params(rule_count, rule, &p, &sc))
        goto err;
    if (in_len == NULL || in == NULL || *in_len <= 0 || *in_len > RSA_OUT_MAX
        || key_len == NULL || key == NULL || *key_len <= 0
        || *key_len > CCA_TOKEN_MAX
        || (data_struct_len != NULL && *data_struct_len != 0)) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        goto err;
    }
    if (!cca_token_parse(key, (size_t)*key_len, &tok, &token_reason, NULL,
                         0)) {
        emu_set(&sc, CCA_RC_ERROR, (long)token_reason);
        goto err;
    }
    /* NOTE: the code for ZERO-PAD with an internal key is unconfirmed. */
    if (p.padding == CCA_PAD_NONE && tok.has_private) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION);
        goto err;
    }

    if (decrypt)
        ok = cca_pka_decrypt(emu_backend(), &p, key, (size_t)*key_len, in,
                             (size_t)*in_len, buf, &buf_len, &res);
    else
        ok = cca_pka_encrypt(emu_backend(), &p, key, (size_t)*key_len, in,
                             (size_t)*in_len, buf, &buf_len, &res);
    emu_from_result(&sc, &res);
    if (ok)
        emu_output(buf, buf_len, out, out_len, &sc);

err:
    OPENSSL_cleanse(buf, sizeof(buf));
    emu_finish(&sc, rc, reason);
}

void CSNDPKE(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *in_len,
             unsigned char *in, long *data_struct_len,
             unsigned char *data_struct, long *key_len, unsigned char *key,
             long *out_len, unsigned char *out)
{
    pka_cipher(0, rc, reason, rule_count, rule, in_len, in, data_struct_len,
               key_len, key, out_len, out);
}

void CSNDPKD(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *in_len,
             unsigned char *in, long *data_struct_len,
             unsigned char *data_struct, long *key_len, unsigned char *key,
             long *out_len, unsigned char *out)
{
    pka_cipher(1, rc, reason, rule_count, rule, in_len, in, data_struct_len,
               key_len, key, out_len, out);
}

static const struct emu_keyword edh_keywords[] = {
    { "PASSTHRU", 0, 0, 0 },
    { "DERIV01", 0, 0, 1 },
    { "DERIV02", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

static const struct emu_keyword edh_scheme_keywords[] = {
    { "ECDH", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};

/* The private key must have been generated in the card.  NOTE: the code
 * CCA returns for an imported key is unconfirmed; this library returns
 * 8/770 (invalid PKA token field). */
static int check_private(const unsigned char *key, const long *key_len,
                         struct emu_status_code *sc)
{
    struct cca_pka_token tok;
    uint32_t token_reason = 0;

    if (key == NULL || key_len == NULL || *key_len <= 0
        || *key_len > CCA_TOKEN_MAX) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    if (!cca_token_parse(key, (size_t)*key_len, &tok, &token_reason, NULL,
                         0)) {
        emu_set(sc, CCA_RC_ERROR, (long)token_reason);
        return 0;
    }
    if (tok.alg != CCA_ALG_EC || !tok.has_private
        || tok.ec_source != CCA_EC_SOURCE_GENERATED) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID);
        return 0;
    }
    return 1;
}

/* The peer's point from its public key token. */
static int peer_point(const unsigned char *pub, const long *pub_len,
                      struct cca_pka_token *tok, struct emu_status_code *sc)
{
    uint32_t token_reason = 0;

    if (pub == NULL || pub_len == NULL || *pub_len <= 0
        || *pub_len > CCA_TOKEN_MAX) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    if (!cca_token_parse(pub, (size_t)*pub_len, tok, &token_reason, NULL, 0)
        || tok->alg != CCA_ALG_EC) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID);
        return 0;
    }
    return 1;
}

void CSNDEDH(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *private_len,
             unsigned char *private_key, long *private_kek_len,
             unsigned char *private_kek, long *public_len,
             unsigned char *public_key, long *chain_len, unsigned char *chain,
             long *party_len, unsigned char *party, long *key_bits,
             long *reserved1_len, unsigned char *reserved1,
             long *reserved2_len, unsigned char *reserved2,
             long *reserved3_len, unsigned char *reserved3,
             long *reserved4_len, unsigned char *reserved4,
             long *reserved5_len, unsigned char *reserved5,
             long *output_kek_len, unsigned char *output_kek, long *out_len,
             unsigned char *out)
{
    const struct emu_group groups[] = {
        { edh_keywords, 1 },
        { edh_scheme_keywords, 0 },
    };
    struct emu_status_code sc = { 0, 0 };
    struct cca_pka_token peer;
    struct cca_result res;
    uint8_t secret[66];
    size_t secret_len = sizeof(secret);
    int found[2];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 1, 2, groups, 2, found, &sc)
        || !check_private(private_key, private_len, &sc)
        || !peer_point(public_key, public_len, &peer, &sc))
        goto err;

    if (cca_ec_diffie_hellman(emu_backend(), private_key,
                              (size_t)*private_len, peer.q, peer.q_len,
                              secret, &secret_len, &res)) {
        emu_from_result(&sc, &res);
        emu_output(secret, secret_len, out, out_len, &sc);
    } else {
        emu_from_result(&sc, &res);
    }

err:
    OPENSSL_cleanse(secret, sizeof(secret));
    emu_finish(&sc, rc, reason);
}
