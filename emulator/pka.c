/*
 * PKA verb handlers: read a request's fields (layouts in
 * include/ibm4767/protocol.h), load the key, check that the operation
 * suits the key, and hand over to the RSA or EC engine code.
 *
 * Codes shared by all of them:
 *   8/4780   a missing field, trailing bytes or an out-of-range value
 *   8/4773   an algorithm, scheme or padding the key type does not support
 *   8/4770   an operation the key's usage flags do not allow
 *   0/10001  success with a key under the old master key
 */
#include <config.h>

#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "emud.h"

/* Largest signature, ciphertext or shared secret: an RSA-4096 block. */
#define PKA_OUT_MAX 512u

#define RSA_USAGE_MASK (CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT)
#define EC_USAGE_MASK  (CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_AGREEMENT)

/* A u32 field carrying a signed value, two's complement. */
static int32_t as_int32(uint32_t v)
{
    if (v <= (uint32_t)INT32_MAX)
        return (int32_t)v;
    return -(int32_t)(UINT32_MAX - v) - 1;
}

/* A u32 field carrying a NID; values no NID can have map to -1. */
static int as_nid(uint32_t v)
{
    return v <= (uint32_t)INT_MAX ? (int)v : -1;
}

static const char *alg_name(uint32_t alg)
{
    return alg == CCA_ALG_RSA ? "RSA" : "EC";
}

/* Usage flags of a new key: 0 picks every usage the algorithm has, and
 * for an RSA-PSS key (pss not NULL) signature generation only. */
static int resolve_usage(uint32_t alg, const struct cca_rsa_pss *pss,
                         uint32_t usage, uint8_t *out,
                         struct emu_result *res)
{
    uint32_t mask = alg == CCA_ALG_RSA ? RSA_USAGE_MASK : EC_USAGE_MASK;

    if ((usage & ~mask) != 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "usage 0x%x has flags an %s key cannot carry "
                        "(allowed: 0x%02x)", usage, alg_name(alg), mask);
    if (pss != NULL && (usage & CCA_USAGE_KEY_MGMT) != 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "usage 0x%x allows decryption, but an RSA-PSS key "
                        "only signs (usage 0x%02x or 0)", usage,
                        CCA_USAGE_SIGNATURE);
    if (pss != NULL)
        mask = CCA_USAGE_SIGNATURE;
    *out = (uint8_t)(usage == 0 ? mask : usage);
    return 1;
}

/* Read the restrictions of the RSA-PSS fields (protocol.h) into pss. */
static int check_pss_fields(uint32_t hash_field, uint32_t mgf1_field,
                            uint32_t salt_field, struct cca_rsa_pss *pss,
                            struct emu_result *res)
{
    memset(pss, 0, sizeof(*pss));
    if (hash_field == 0 && (mgf1_field != 0 || salt_field != 0))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "RSA-PSS fields without a digest have MGF1 digest "
                        "%u and minimum salt %u; both must be 0",
                        mgf1_field, salt_field);
    if (hash_field == 0)
        return 1;
    if (cca_pss_hash_id(as_nid(hash_field)) == CCA_PSS_HASH_NONE
        || cca_pss_hash_id(as_nid(mgf1_field)) == CCA_PSS_HASH_NONE)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                        "RSA-PSS digest NID %u or MGF1 digest NID %u is not "
                        "SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512",
                        hash_field, mgf1_field);
    if (salt_field > UINT16_MAX)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "RSA-PSS minimum salt length %u is over %u bytes",
                        salt_field, UINT16_MAX);
    pss->restricted = 1;
    pss->hash_nid = as_nid(hash_field);
    pss->mgf1_nid = as_nid(mgf1_field);
    pss->min_salt_len = salt_field;
    return 1;
}

/* Read the RSA-PSS fields that may end a key generate or import request;
 * *out is NULL when the request has none, else it points to pss. */
static int read_pss_fields(struct ibm4767_rbuf *req, uint32_t alg,
                           struct cca_rsa_pss *pss,
                           const struct cca_rsa_pss **out,
                           struct emu_result *res)
{
    uint32_t kind, hash_field, mgf1_field, salt_field;

    *out = NULL;
    if (ibm4767_rbuf_done(req))
        return 1;
    if (!ibm4767_get_u32(req, &kind))
        return emu_request_short(res, "RSA-PSS key type");
    if (!ibm4767_get_u32(req, &hash_field))
        return emu_request_short(res, "RSA-PSS digest NID");
    if (!ibm4767_get_u32(req, &mgf1_field))
        return emu_request_short(res, "RSA-PSS MGF1 digest NID");
    if (!ibm4767_get_u32(req, &salt_field))
        return emu_request_short(res, "RSA-PSS minimum salt length");
    if (kind != 1 || alg != CCA_ALG_RSA)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "RSA-PSS fields with type %u for key algorithm %u; "
                        "they take type 1 and an RSA key", kind, alg);
    if (!check_pss_fields(hash_field, mgf1_field, salt_field, pss, res))
        return 0;
    *out = pss;
    return 1;
}

static int check_algorithm(uint32_t alg, struct emu_result *res)
{
    if (alg == CCA_ALG_RSA || alg == CCA_ALG_EC)
        return 1;
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                    "key algorithm %u is not supported (1 RSA, 2 EC)", alg);
}

/* Reply with a token; the warning 0/10001 rides along when needed. */
static int put_token(struct ibm4767_wbuf *reply, uint8_t *token,
                     size_t token_len)
{
    int ok = ibm4767_put_bytes(reply, token, token_len);

    OPENSSL_free(token);
    return ok;
}

static void note_old_master_key(const struct emu_key *key,
                                struct emu_result *res)
{
    if (key->old_master_key && res->rc == CCA_RC_OK)
        emu_warn(res, CCA_RC_OK, CCA_RS_OLD_MASTER_KEY);
}

int emu_verb_pka_key_generate(struct emu_device *dev,
                              struct ibm4767_rbuf *req,
                              struct ibm4767_wbuf *reply,
                              struct emu_result *res)
{
    uint32_t alg, size, usage_field;
    const struct cca_rsa_pss *pss = NULL;
    struct cca_rsa_pss pss_fields;
    const uint8_t *e;
    size_t e_len, token_len = 0;
    uint8_t *token = NULL;
    uint8_t usage = 0;
    int ok;

    if (!ibm4767_get_u32(req, &alg))
        return emu_request_short(res, "algorithm");
    if (!ibm4767_get_u32(req, &size))
        return emu_request_short(res, "size");
    if (!ibm4767_get_bytes(req, &e, &e_len))
        return emu_request_short(res, "public exponent");
    if (!ibm4767_get_u32(req, &usage_field))
        return emu_request_short(res, "usage");
    if (!read_pss_fields(req, alg, &pss_fields, &pss, res)
        || !emu_request_done(req, res) || !check_algorithm(alg, res)
        || !resolve_usage(alg, pss, usage_field, &usage, res))
        return 0;

    if (alg == CCA_ALG_RSA) {
        ok = emu_rsa_generate(dev, size, e, e_len, usage, pss, &token,
                              &token_len, res);
    } else if (e_len != 0) {
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "a public exponent was given for an EC key");
    } else {
        ok = emu_ec_generate(dev, as_nid(size), usage, &token, &token_len,
                             res);
    }
    return ok && put_token(reply, token, token_len);
}

int emu_verb_pka_key_import(struct emu_device *dev, struct ibm4767_rbuf *req,
                            struct ibm4767_wbuf *reply,
                            struct emu_result *res)
{
    uint32_t alg, usage_field;
    const struct cca_rsa_pss *pss = NULL;
    struct cca_rsa_pss pss_fields;
    const uint8_t *kvs;
    size_t kvs_len, token_len = 0;
    uint8_t *token = NULL;
    uint8_t usage = 0;
    int ok;

    if (!ibm4767_get_u32(req, &alg))
        return emu_request_short(res, "algorithm");
    if (!ibm4767_get_u32(req, &usage_field))
        return emu_request_short(res, "usage");
    if (!ibm4767_get_bytes(req, &kvs, &kvs_len))
        return emu_request_short(res, "key value structure");
    if (!read_pss_fields(req, alg, &pss_fields, &pss, res)
        || !emu_request_done(req, res) || !check_algorithm(alg, res)
        || !resolve_usage(alg, pss, usage_field, &usage, res))
        return 0;

    if (alg == CCA_ALG_RSA)
        ok = emu_rsa_import(dev, usage, pss, kvs, kvs_len, &token,
                            &token_len, res);
    else
        ok = emu_ec_import(dev, usage, kvs, kvs_len, &token, &token_len, res);
    return ok && put_token(reply, token, token_len);
}

int emu_verb_pka_public_extract(struct emu_device *dev,
                                struct ibm4767_rbuf *req,
                                struct ibm4767_wbuf *reply,
                                struct emu_result *res)
{
    const uint8_t *token;
    size_t token_len, pub_len = 0;
    uint8_t pub[CCA_TOKEN_MAX];
    struct emu_key key;
    int ret = 0;

    if (!ibm4767_get_bytes(req, &token, &token_len))
        return emu_request_short(res, "token");
    if (!emu_request_done(req, res)
        || !emu_key_load(dev, token, token_len, &key, res))
        return 0;

    if (key.tok.alg == CCA_ALG_RSA)
        pub_len = cca_token_build_rsa_public(key.tok.n, key.tok.n_len,
                                             key.tok.e, key.tok.e_len, pub,
                                             sizeof(pub));
    else
        pub_len = cca_token_build_ec_public(key.tok.curve_nid, key.tok.q,
                                            key.tok.q_len, pub, sizeof(pub));
    /* An RSA-PSS key's public token keeps the RSA-PSS section. */
    if (pub_len > 0 && key.tok.is_pss)
        pub_len = cca_token_append_rsa_pss(pub, pub_len, sizeof(pub),
                                           &key.tok.pss);
    if (pub_len == 0) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot build the external public key token");
        goto err;
    }
    ret = ibm4767_put_bytes(reply, pub, pub_len);
    note_old_master_key(&key, res);

err:
    emu_key_release(&key);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Signatures                                                              */

static int read_sig_params(struct ibm4767_rbuf *req, struct emu_sig_params *p,
                           struct emu_result *res)
{
    uint32_t hash_nid, mgf1_nid, salt;

    if (!ibm4767_get_u32(req, &p->scheme))
        return emu_request_short(res, "scheme");
    if (!ibm4767_get_u32(req, &hash_nid))
        return emu_request_short(res, "hash NID");
    if (!ibm4767_get_u32(req, &mgf1_nid))
        return emu_request_short(res, "MGF1 NID");
    if (!ibm4767_get_u32(req, &salt))
        return emu_request_short(res, "salt length");
    p->hash_nid = as_nid(hash_nid);
    p->mgf1_nid = as_nid(mgf1_nid);
    p->salt_len = as_int32(salt);
    return 1;
}

/* The scheme must belong to the key's algorithm. */
static int check_scheme(const struct emu_key *key, uint32_t scheme,
                        struct emu_result *res)
{
    int rsa_scheme = scheme == CCA_SIG_PKCS1 || scheme == CCA_SIG_PSS
                     || scheme == CCA_SIG_PKCS1_RAW;

    if (key->tok.alg == CCA_ALG_RSA && rsa_scheme)
        return 1;
    if (key->tok.alg == CCA_ALG_EC && scheme == CCA_SIG_ECDSA)
        return 1;
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                    "signature scheme %u does not apply to an %s key "
                    "(RSA: 1 PKCS-1.1, 2 PSS, 4 PKCS-1.0 raw; EC: 3 ECDSA)",
                    scheme, alg_name(key->tok.alg));
}

int emu_verb_signature_generate(struct emu_device *dev,
                                struct ibm4767_rbuf *req,
                                struct ibm4767_wbuf *reply,
                                struct emu_result *res)
{
    struct emu_sig_params p;
    const uint8_t *token, *hash;
    size_t token_len, hash_len, sig_len = PKA_OUT_MAX;
    uint8_t sig[PKA_OUT_MAX];
    struct emu_key key;
    int ret = 0;

    if (!read_sig_params(req, &p, res))
        return 0;
    if (!ibm4767_get_bytes(req, &token, &token_len))
        return emu_request_short(res, "token");
    if (!ibm4767_get_bytes(req, &hash, &hash_len))
        return emu_request_short(res, "hash");
    if (!emu_request_done(req, res)
        || !emu_key_load(dev, token, token_len, &key, res))
        return 0;

    if (!check_scheme(&key, p.scheme, res)
        || !emu_key_check_usage(&key, CCA_USAGE_SIGNATURE,
                                "signature generation", res))
        goto err;
    if (key.tok.alg == CCA_ALG_RSA)
        ret = emu_rsa_sign(dev, &key, &p, hash, hash_len, sig, &sig_len, res);
    else
        ret = emu_ec_sign(dev, &key, hash, hash_len, sig, &sig_len, res);
    ret = ret && ibm4767_put_bytes(reply, sig, sig_len);
    note_old_master_key(&key, res);

err:
    emu_key_release(&key);
    return ret;
}

int emu_verb_signature_verify(struct emu_device *dev,
                              struct ibm4767_rbuf *req,
                              struct ibm4767_wbuf *reply,
                              struct emu_result *res)
{
    struct emu_sig_params p;
    const uint8_t *token, *hash, *sig;
    size_t token_len, hash_len, sig_len;
    struct emu_key key;
    int ret = 0;

    (void)reply;
    if (!read_sig_params(req, &p, res))
        return 0;
    if (!ibm4767_get_bytes(req, &token, &token_len))
        return emu_request_short(res, "token");
    if (!ibm4767_get_bytes(req, &hash, &hash_len))
        return emu_request_short(res, "hash");
    if (!ibm4767_get_bytes(req, &sig, &sig_len))
        return emu_request_short(res, "signature");
    if (!emu_request_done(req, res)
        || !emu_key_load(dev, token, token_len, &key, res))
        return 0;

    if (!check_scheme(&key, p.scheme, res))
        goto err;
    if (key.tok.alg == CCA_ALG_RSA)
        ret = emu_rsa_verify(dev, &key, &p, hash, hash_len, sig, sig_len, res);
    else
        ret = emu_ec_verify(dev, &key, hash, hash_len, sig, sig_len, res);
    note_old_master_key(&key, res);

err:
    emu_key_release(&key);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Encryption, decryption, key agreement                                   */

static int read_cipher_request(struct ibm4767_rbuf *req,
                               struct emu_cipher_params *p,
                               const uint8_t **token, size_t *token_len,
                               const uint8_t **data, size_t *data_len,
                               struct emu_result *res)
{
    uint32_t oaep_nid, mgf1_nid;

    memset(p, 0, sizeof(*p));
    if (!ibm4767_get_u32(req, &p->padding))
        return emu_request_short(res, "padding");
    if (!ibm4767_get_u32(req, &oaep_nid))
        return emu_request_short(res, "OAEP NID");
    if (!ibm4767_get_u32(req, &mgf1_nid))
        return emu_request_short(res, "MGF1 NID");
    if (!ibm4767_get_bytes(req, &p->label, &p->label_len))
        return emu_request_short(res, "OAEP label");
    if (!ibm4767_get_u32(req, &p->tls_client_version))
        return emu_request_short(res, "TLS client version");
    if (!ibm4767_get_u32(req, &p->tls_alt_version))
        return emu_request_short(res, "TLS alternative version");
    if (!ibm4767_get_bytes(req, token, token_len))
        return emu_request_short(res, "token");
    if (!ibm4767_get_bytes(req, data, data_len))
        return emu_request_short(res, "data");
    p->oaep_nid = as_nid(oaep_nid);
    p->mgf1_nid = as_nid(mgf1_nid);
    return emu_request_done(req, res);
}

static int check_rsa_key(const struct emu_key *key, const char *operation,
                         struct emu_result *res)
{
    if (key->tok.alg == CCA_ALG_RSA)
        return 1;
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                    "%s needs an RSA key, but the token holds an EC key",
                    operation);
}

int emu_verb_pka_decrypt(struct emu_device *dev, struct ibm4767_rbuf *req,
                         struct ibm4767_wbuf *reply, struct emu_result *res)
{
    struct emu_cipher_params p;
    const uint8_t *token, *in;
    size_t token_len, in_len, out_len = PKA_OUT_MAX;
    uint8_t out[PKA_OUT_MAX];
    struct emu_key key;
    int ret = 0;

    if (!read_cipher_request(req, &p, &token, &token_len, &in, &in_len, res)
        || !emu_key_load(dev, token, token_len, &key, res))
        return 0;

    if (!check_rsa_key(&key, "PKA decryption", res)
        || !emu_key_check_usage(&key, CCA_USAGE_KEY_MGMT, "decryption", res))
        goto err;
    ret = emu_rsa_decrypt(dev, &key, &p, in, in_len, out, &out_len, res)
          && ibm4767_put_bytes(reply, out, out_len);
    note_old_master_key(&key, res);

err:
    OPENSSL_cleanse(out, sizeof(out));
    emu_key_release(&key);
    return ret;
}

int emu_verb_pka_encrypt(struct emu_device *dev, struct ibm4767_rbuf *req,
                         struct ibm4767_wbuf *reply, struct emu_result *res)
{
    struct emu_cipher_params p;
    const uint8_t *token, *in;
    size_t token_len, in_len, out_len = PKA_OUT_MAX;
    uint8_t out[PKA_OUT_MAX];
    struct emu_key key;
    int ret = 0;

    if (!read_cipher_request(req, &p, &token, &token_len, &in, &in_len, res)
        || !emu_key_load(dev, token, token_len, &key, res))
        return 0;

    if (!check_rsa_key(&key, "PKA encryption", res))
        goto err;
    ret = emu_rsa_encrypt(dev, &key, &p, in, in_len, out, &out_len, res)
          && ibm4767_put_bytes(reply, out, out_len);
    note_old_master_key(&key, res);

err:
    emu_key_release(&key);
    return ret;
}

int emu_verb_ec_diffie_hellman(struct emu_device *dev,
                               struct ibm4767_rbuf *req,
                               struct ibm4767_wbuf *reply,
                               struct emu_result *res)
{
    const uint8_t *token, *peer;
    size_t token_len, peer_len, out_len = PKA_OUT_MAX;
    uint8_t out[PKA_OUT_MAX];
    struct emu_key key;
    int ret = 0;

    if (!ibm4767_get_bytes(req, &token, &token_len))
        return emu_request_short(res, "token");
    if (!ibm4767_get_bytes(req, &peer, &peer_len))
        return emu_request_short(res, "peer point");
    if (!emu_request_done(req, res)
        || !emu_key_load(dev, token, token_len, &key, res))
        return 0;

    if (key.tok.alg != CCA_ALG_EC) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                 "EC Diffie-Hellman needs an EC key, but the token holds an "
                 "RSA key");
        goto err;
    }
    if (!emu_key_check_usage(&key, CCA_USAGE_KEY_AGREEMENT, "key agreement",
                             res))
        goto err;
    ret = emu_ec_derive(dev, &key, peer, peer_len, out, &out_len, res)
          && ibm4767_put_bytes(reply, out, out_len);
    note_old_master_key(&key, res);

err:
    OPENSSL_cleanse(out, sizeof(out));
    emu_key_release(&key);
    return ret;
}
