/*
 * Digital signature verbs of libcsulcca-emu.so: CSNDDSG and CSNDDSV with
 * PKCS-1.1 (PKCS#1 v1.5 padding over the caller's bytes, which carry the
 * DigestInfo), PKCS-PSS (4-byte big-endian salt length, then the hash;
 * MGF1 with the signature's digest) and ECDSA, all over a hash.
 */
#include <config.h>

#include <string.h>

#include <openssl/obj_mac.h>

#include "emu.h"

/* CSNDDSG rejects a signature buffer over 512 bytes with 8/72. */
#define SIG_FIELD_MAX  512
#define PSS_SALT_FIELD 4

static const struct emu_keyword format_keywords[] = {
    { "PKCS-1.1", 0, 0, 0 },
    { "PKCS-PSS", 0, 0, 0 },
    { "ECDSA", 0, 0, 0 },
    { "ISO-9796", 0, 0, 1 },
    { "PKCS-1.0", 0, 0, 1 },
    { "X9.31", 0, 0, 1 },
    { "ZERO-PAD", 0, 0, 1 },
    { "EDDSA", 0, 0, 1 },
    { "EC-SDSA", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

static const struct emu_keyword input_keywords[] = {
    { "HASH", 0, 0, 0 },
    { "MESSAGE", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

static const struct emu_keyword hash_keywords[] = {
    { "SHA-1", 0, 0, 0 },
    { "SHA-224", 0, 0, 0 },
    { "SHA-256", 0, 0, 0 },
    { "SHA-384", 0, 0, 0 },
    { "SHA-512", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};

static const int hash_nids[] = {
    NID_sha1, NID_sha224, NID_sha256, NID_sha384, NID_sha512,
};

enum { FMT_PKCS11, FMT_PSS, FMT_ECDSA };

/* Parse the rule array and data into the emulator's parameters; *data
 * and *data_len are the bytes to sign after any salt field. */
static int sign_params(const long *rule_count, const unsigned char *rule,
                       const long *hash_len, const unsigned char *hash,
                       struct cca_sig_params *p, const uint8_t **data,
                       size_t *data_len, struct emu_status_code *sc)
{
    const struct emu_group groups[] = {
        { format_keywords, 0 },
        { input_keywords, 0 },
        { hash_keywords, 0 },
    };
    size_t len = hash_len != NULL && *hash_len > 0 ? (size_t)*hash_len : 0;
    int found[3];

    memset(p, 0, sizeof(*p));
    if (!emu_parse_rules(rule_count, rule, 0, 3, groups, 3, found, sc))
        return 0;
    /* ISO-9796 is the default format, which this library lacks. */
    if (found[0] < 0) {
        emu_set(sc, CCA_RC_ERROR, EMU_RS_UNSUPPORTED);
        return 0;
    }
    if (len == 0 || hash == NULL) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    *data = hash;
    *data_len = len;

    switch (found[0]) {
    case FMT_PKCS11:
        p->scheme = CCA_SIG_PKCS1_RAW;
        return 1;
    case FMT_ECDSA:
        p->scheme = CCA_SIG_ECDSA;
        return 1;
    default:
        break;
    }

    if (found[2] < 0 || len <= PSS_SALT_FIELD) {
        emu_set(sc, CCA_RC_ERROR, found[2] < 0 ? CCA_RS_KEYWORD_COMBINATION
                                               : CCA_RS_LENGTH_INVALID);
        return 0;
    }
    p->scheme = CCA_SIG_PSS;
    p->hash_nid = hash_nids[found[2]];
    p->mgf1_nid = p->hash_nid;
    p->salt_len = (int32_t)(((uint32_t)hash[0] << 24)
                            | ((uint32_t)hash[1] << 16)
                            | ((uint32_t)hash[2] << 8) | hash[3]);
    if (p->salt_len < 0) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    *data = hash + PSS_SALT_FIELD;
    *data_len = len - PSS_SALT_FIELD;
    return 1;
}

static int key_arg(const long *len, const unsigned char *key, size_t *out,
                   struct emu_status_code *sc)
{
    if (len == NULL || key == NULL || *len <= 0 || *len > CCA_TOKEN_MAX) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    *out = (size_t)*len;
    return 1;
}

void CSNDDSG(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *key_len,
             unsigned char *key, long *hash_len, unsigned char *hash,
             long *sig_len, long *sig_bits, unsigned char *sig)
{
    struct emu_status_code sc = { 0, 0 };
    struct cca_sig_params p;
    struct cca_result res;
    const uint8_t *data = NULL;
    uint8_t out[SIG_FIELD_MAX];
    size_t data_len = 0, key_size = 0, out_len = sizeof(out);

    if (!emu_init(&sc)
        || !sign_params(rule_count, rule, hash_len, hash, &p, &data,
                        &data_len, &sc)
        || !key_arg(key_len, key, &key_size, &sc))
        goto err;
    if (sig_len == NULL || *sig_len < 0 || *sig_len > SIG_FIELD_MAX) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        goto err;
    }

    if (!cca_digital_signature_generate(emu_backend(), &p, key, key_size,
                                        data, data_len, out, &out_len,
                                        &res)) {
        emu_from_result(&sc, &res);
        goto err;
    }
    emu_from_result(&sc, &res);
    if (!emu_output(out, out_len, sig, sig_len, &sc))
        goto err;
    if (sig_bits != NULL)
        *sig_bits = (long)(out_len * 8);

err:
    emu_finish(&sc, rc, reason);
}

void CSNDDSV(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *key_len,
             unsigned char *key, long *hash_len, unsigned char *hash,
             long *sig_len, unsigned char *sig)
{
    struct emu_status_code sc = { 0, 0 };
    struct cca_sig_params p;
    struct cca_result res;
    const uint8_t *data = NULL;
    size_t data_len = 0, key_size = 0;

    if (!emu_init(&sc)
        || !sign_params(rule_count, rule, hash_len, hash, &p, &data,
                        &data_len, &sc)
        || !key_arg(key_len, key, &key_size, &sc))
        goto err;
    if (sig_len == NULL || *sig_len < 0 || (sig == NULL && *sig_len > 0)) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        goto err;
    }

    /* 4/429 comes back as the emulator's result, as from the card. */
    cca_digital_signature_verify(emu_backend(), &p, key, key_size, data,
                                 data_len, sig, (size_t)*sig_len, &res);
    emu_from_result(&sc, &res);

err:
    emu_finish(&sc, rc, reason);
}
