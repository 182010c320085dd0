/*
 * PKA decrypt and encrypt (CSNDPKD, CSNDPKE) and EC Diffie-Hellman
 * (CSNDEDH) over the CCA host library.
 *
 * What CCA lacks is rejected here, naming the CCA level, before any verb
 * runs.  That is OAEP with a label or an MGF1 digest of its own, OAEP
 * with SHA-224, SHA-384 or SHA-512 before CCA 8.1 (PKOAEP2), and raw
 * decryption with an internal key.  The TLS premaster mode is rejected
 * too, because it needs a padding check that leaks nothing, and CSNDPKD
 * has none.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <ibm4767/token.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* CSNDPKD/CSNDPKE hash keyword of an OAEP digest, or NULL. */
static const char *oaep_hash_keyword(int nid)
{
    switch (nid) {
    case NID_sha1:
        return "SHA-1";
    case NID_sha224:
        return "SHA-224";
    case NID_sha256:
        return "SHA-256";
    case NID_sha384:
        return "SHA-384";
    case NID_sha512:
        return "SHA-512";
    default:
        return NULL;
    }
}

/* The rule array for p; refuses what this CCA level cannot do.  A raw
 * operation (ZERO-PAD) is accepted for encryption, which uses an external
 * public token. */
static int pka_cipher_rule(struct cca_backend *be,
                           const struct cca_pka_cipher_params *p, int decrypt,
                           struct cca_rule *rule, struct cca_result *res)
{
    const char *hash;
    int oaep_nid = p->oaep_nid != 0 ? p->oaep_nid : NID_sha1;

    cca_rule_init(rule);
    switch (p->padding) {
    case CCA_PAD_PKCS1:
        cca_rule_add(rule, "PKCS-1.2");
        return 1;

    case CCA_PAD_TLS:
        cca_lib_unsupported(be, res, "the RSA TLS premaster mode (a "
                            "decryption whose padding check leaks nothing)");
        return 0;

    case CCA_PAD_NONE:
        if (decrypt) {
            cca_lib_unsupported(be, res, "RSA decryption without padding "
                                "with an internal key (ZERO-PAD takes only "
                                "external keys)");
            return 0;
        }
        cca_rule_add(rule, "ZERO-PAD");
        return 1;

    case CCA_PAD_OAEP:
        break;

    default:
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                       "RSA padding mode %u is invalid", p->padding);
        return 0;
    }

    hash = oaep_hash_keyword(oaep_nid);
    if (hash == NULL) {
        cca_lib_unsupported(be, res, "OAEP with this digest");
        return 0;
    }
    if (p->mgf1_nid != 0 && p->mgf1_nid != oaep_nid) {
        cca_lib_unsupported(be, res, "OAEP with an MGF1 digest other than "
                            "the OAEP digest");
        return 0;
    }
    if (p->label_len > 0) {
        cca_lib_unsupported(be, res, "OAEP with a label");
        return 0;
    }
    if (oaep_nid == NID_sha1 || oaep_nid == NID_sha256) {
        cca_rule_add(rule, "PKCSOAEP");
    } else if (cca_lib_supports(be->cca, CCA_CAP_OAEP_SHA2)) {
        cca_rule_add(rule, "PKOAEP2");
    } else {
        cca_lib_unsupported(be, res, "OAEP with SHA-224, SHA-384 or SHA-512 "
                            "(PKOAEP2, CCA 8.1 and later)");
        return 0;
    }
    cca_rule_add(rule, hash);
    return 1;
}

/* An external token with the public key of token, for CSNDPKE. */
static int public_token(const uint8_t *token, size_t token_len,
                        uint8_t **pub, size_t *pub_len,
                        struct cca_result *res)
{
    struct cca_pka_token tok;
    uint32_t reason = 0;
    size_t len;

    if (!cca_token_parse(token, token_len, &tok, &reason, res->detail,
                         sizeof(res->detail))) {
        res->rc = CCA_RC_ERROR;
        res->reason = reason;
        return 0;
    }
    if (tok.alg != CCA_ALG_RSA) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID,
                       "RSA encryption needs an RSA key token");
        return 0;
    }
    len = cca_token_build_rsa_public(tok.n, tok.n_len, tok.e, tok.e_len,
                                     NULL, 0);
    *pub = len > 0 ? OPENSSL_malloc(len) : NULL;
    if (*pub == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a public key token");
        return 0;
    }
    *pub_len = cca_token_build_rsa_public(tok.n, tok.n_len, tok.e, tok.e_len,
                                          *pub, len);
    return 1;
}

static int pka_cipher(struct cca_backend *be, int decrypt,
                      const struct cca_pka_cipher_params *p,
                      const uint8_t *token, size_t token_len,
                      const uint8_t *in, size_t in_len, uint8_t *out,
                      size_t *out_len, struct cca_result *res)
{
    const char *verb = decrypt ? "CSNDPKD" : "CSNDPKE";
    uint8_t *pub = NULL;
    size_t pub_len = 0;
    struct cca_device *dev = NULL;
    struct cca_rule rule;
    long rc = 0, reason = 0, exit_len = 0, zero = 0;
    long in_long = (long)in_len, key_len, out_long;
    int ret = 0;

    if (token == NULL || token_len == 0 || token_len > CCA_TOKEN_MAX
        || p == NULL || in == NULL || out == NULL || out_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "%s needs a key token, parameters, input and output "
                       "buffers", verb);
        goto err;
    }
    if (!pka_cipher_rule(be, p, decrypt, &rule, res))
        goto err;
    if (!decrypt && !public_token(token, token_len, &pub, &pub_len, res))
        goto err;
    key_len = (long)(decrypt ? token_len : pub_len);
    out_long = (long)*out_len;

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    (decrypt ? be->cca->CSNDPKD : be->cca->CSNDPKE)(
        &rc, &reason, &exit_len, NULL, &rule.count, rule.keywords, &in_long,
        (unsigned char *)in, &zero, NULL, &key_len,
        decrypt ? (unsigned char *)token : pub, &out_long, out);
    if (!cca_lib_result(be, dev, res, verb, rc, reason)) {
        if (rc == CCA_RC_ERROR && reason == CCA_RS_LENGTH_INVALID)
            *out_len = (size_t)out_long;
        goto err;
    }
    *out_len = (size_t)out_long;
    ret = 1;

err:
    cca_lib_end(be, dev);
    OPENSSL_free(pub);
    return ret;
}

int cca_lib_pka_decrypt(struct cca_backend *be,
                        const struct cca_pka_cipher_params *p,
                        const uint8_t *token, size_t token_len,
                        const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t *out_len, struct cca_result *res)
{
    return pka_cipher(be, 1, p, token, token_len, in, in_len, out, out_len,
                      res);
}

int cca_lib_pka_encrypt(struct cca_backend *be,
                        const struct cca_pka_cipher_params *p,
                        const uint8_t *token, size_t token_len,
                        const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t *out_len, struct cca_result *res)
{
    return pka_cipher(be, 0, p, token, token_len, in, in_len, out, out_len,
                      res);
}

/* The peer point in uncompressed form, as CCA's public section stores it.
 * A compressed point is expanded on the host, which is a public-key
 * operation. */
static int peer_uncompressed(int curve_nid, const uint8_t *peer,
                             size_t peer_len, uint8_t *q, size_t *q_len,
                             struct cca_result *res)
{
    EC_GROUP *group = NULL;
    EC_POINT *point = NULL;
    int ret = 0;

    if (peer[0] == 0x04 && peer_len <= *q_len) {
        memcpy(q, peer, peer_len);
        *q_len = peer_len;
        return 1;
    }

    group = EC_GROUP_new_by_curve_name(curve_nid);
    point = group != NULL ? EC_POINT_new(group) : NULL;
    if (point == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for the ECDH peer point");
        goto err;
    }
    if (EC_POINT_oct2point(group, point, peer, peer_len, NULL))
        *q_len = EC_POINT_point2oct(group, point,
                                    POINT_CONVERSION_UNCOMPRESSED, q, *q_len,
                                    NULL);
    else
        *q_len = 0;
    if (*q_len == 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_EC_POINT_INVALID,
                       "ECDH peer point of %zu bytes is not a valid point "
                       "of the key's curve", peer_len);
        goto err;
    }
    ret = 1;

err:
    EC_POINT_free(point);
    EC_GROUP_free(group);
    return ret;
}

/* The peer's external public token for CSNDEDH. */
static int peer_token(const uint8_t *token, size_t token_len,
                      const uint8_t *peer, size_t peer_len, uint8_t *out,
                      size_t *out_len, struct cca_result *res)
{
    struct cca_pka_token tok;
    uint8_t q[1 + 2 * 66];
    size_t q_len = sizeof(q);
    uint32_t reason = 0;

    if (!cca_token_parse(token, token_len, &tok, &reason, res->detail,
                         sizeof(res->detail))) {
        res->rc = CCA_RC_ERROR;
        res->reason = reason;
        return 0;
    }
    if (tok.alg != CCA_ALG_EC || !tok.has_private) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID,
                       "EC Diffie-Hellman needs an internal EC key token");
        return 0;
    }
    if (!peer_uncompressed(tok.curve_nid, peer, peer_len, q, &q_len, res))
        return 0;
    *out_len = cca_token_build_ec_public(tok.curve_nid, q, q_len, out,
                                         *out_len);
    if (*out_len == 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_EC_CURVE_MISMATCH,
                       "ECDH peer point of %zu bytes does not belong to the "
                       "key's %u-bit curve", peer_len, tok.bits);
        return 0;
    }
    return 1;
}

/*
 * CSNDEDH with PASSTHRU returns the shared secret Z itself.  NOTE: which
 * CCA level first has PASSTHRU is unconfirmed; it is assumed present at
 * the 4767's level 5.4.
 */
int cca_lib_ec_diffie_hellman(struct cca_backend *be, const uint8_t *token,
                              size_t token_len, const uint8_t *peer,
                              size_t peer_len, uint8_t *out, size_t *out_len,
                              struct cca_result *res)
{
    uint8_t pub[CCA_TOKEN_HEADER_LEN + 16 + 1 + 2 * 66];
    size_t pub_size = sizeof(pub);
    struct cca_device *dev = NULL;
    struct cca_rule rule;
    long rc = 0, reason = 0, exit_len = 0, zero = 0, key_bits = 0;
    long priv_len = (long)token_len, pub_len, out_long;
    int ret = 0;

    if (token == NULL || token_len == 0 || token_len > CCA_TOKEN_MAX
        || peer == NULL || peer_len == 0 || out == NULL || out_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "EC Diffie-Hellman needs a key token, a peer point "
                       "and an output buffer");
        goto err;
    }
    if (!peer_token(token, token_len, peer, peer_len, pub, &pub_size, res))
        goto err;
    pub_len = (long)pub_size;
    out_long = (long)*out_len;

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    cca_rule_init(&rule);
    cca_rule_add(&rule, "PASSTHRU");
    be->cca->CSNDEDH(&rc, &reason, &exit_len, NULL, &rule.count,
                     rule.keywords, &priv_len, (unsigned char *)token, &zero,
                     NULL, &pub_len, pub, &zero, NULL, &zero, NULL, &key_bits,
                     &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                     &zero, NULL, &zero, NULL, &out_long, out);
    if (!cca_lib_result(be, dev, res, "CSNDEDH PASSTHRU", rc, reason)) {
        if (rc == CCA_RC_ERROR && reason == CCA_RS_LENGTH_INVALID)
            *out_len = (size_t)out_long;
        goto err;
    }
    *out_len = (size_t)out_long;
    ret = 1;

err:
    cca_lib_end(be, dev);
    return ret;
}
