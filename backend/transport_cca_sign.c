/*
 * Digital signature generate and verify (CSNDDSG, CSNDDSV) over the CCA
 * host library.
 *
 * CCA's PKCS-1.1 pads whatever bytes it gets, so the host builds the
 * DigestInfo for a PKCS#1 v1.5 signature over a digest.  PKCS-PSS takes
 * the salt length as 4 big-endian bytes in front of the hash and uses
 * the signature's digest for MGF1 too.  Verification goes to the card
 * with an external token of the public key.
 */
#include <config.h>

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <ibm4767/token.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* CSNDDSG rejects a signature buffer over 512 bytes with 8/72. */
#define CCA_SIG_FIELD_MAX 512
#define PSS_SALT_FIELD    4
#define DIGEST_INFO_MAX   (19 + EVP_MAX_MD_SIZE)

/* DER prefix of a DigestInfo (RFC 8017, section 9.2, note 1), followed
 * by the digest itself. */
struct digest_info {
    int nid;
    const char *keyword;         /* CSNDDSG hash keyword for PSS */
    size_t hash_len;
    size_t prefix_len;
    uint8_t prefix[19];
};

static const struct digest_info digest_infos[] = {
    { NID_sha1, "SHA-1", 20, 15,
      { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a,
        0x05, 0x00, 0x04, 0x14 } },
    { NID_sha224, "SHA-224", 28, 19,
      { 0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c } },
    { NID_sha256, "SHA-256", 32, 19,
      { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 } },
    { NID_sha384, "SHA-384", 48, 19,
      { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 } },
    { NID_sha512, "SHA-512", 64, 19,
      { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 } },
};

static const struct digest_info *digest_info_of(int nid)
{
    for (size_t i = 0; i < sizeof(digest_infos) / sizeof(digest_infos[0]);
         i++) {
        if (digest_infos[i].nid == nid)
            return &digest_infos[i];
    }
    return NULL;
}

/* The data CSNDDSG and CSNDDSV sign or check, and their rule array. */
struct sign_input {
    struct cca_rule rule;
    uint8_t data[PSS_SALT_FIELD + DIGEST_INFO_MAX];
    long len;
};

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* MGF1 (RFC 8017, B.2.1) with md over seed, XORed into mask. */
static int mgf1_xor(uint8_t *mask, size_t len, const uint8_t *seed,
                    size_t seed_len, const EVP_MD *md)
{
    uint8_t block[EVP_MAX_MD_SIZE], counter[4];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int block_len = 0;
    size_t done = 0;
    int ret = 0;

    if (ctx == NULL)
        goto err;
    for (uint32_t i = 0; done < len; i++) {
        put32(counter, i);
        if (!EVP_DigestInit_ex(ctx, md, NULL)
            || !EVP_DigestUpdate(ctx, seed, seed_len)
            || !EVP_DigestUpdate(ctx, counter, sizeof(counter))
            || !EVP_DigestFinal_ex(ctx, block, &block_len))
            goto err;
        for (unsigned int j = 0; j < block_len && done < len; j++)
            mask[done++] ^= block[j];
    }
    ret = 1;

err:
    EVP_MD_CTX_free(ctx);
    return ret;
}

/*
 * The salt length of a PSS signature, read from its encoded message with
 * the public key (RFC 8017, 9.1.2, steps 4 to 10).  CCA takes an explicit
 * salt length, and OpenSSL's "auto" leaves it to the verifier.  Returns
 * -1 when the signature contains no PSS encoding, which the card then
 * reports as not verified.
 */
static int32_t pss_recover_salt(const struct cca_pka_token *tok,
                                const struct digest_info *di,
                                const uint8_t *sig, size_t sig_len)
{
    const EVP_MD *md = EVP_get_digestbynid(di->nid);
    BIGNUM *n = BN_bin2bn(tok->n, (int)tok->n_len, NULL);
    BIGNUM *e = BN_bin2bn(tok->e, (int)tok->e_len, NULL);
    BIGNUM *s = BN_bin2bn(sig, (int)sig_len, NULL);
    BN_CTX *bn_ctx = BN_CTX_new();
    size_t em_bits = tok->bits - 1, em_len = (em_bits + 7) / 8;
    size_t db_len = em_len > di->hash_len ? em_len - di->hash_len - 1 : 0;
    uint8_t *em = OPENSSL_zalloc(tok->n_len);
    uint8_t *msg;
    int32_t salt = -1;
    size_t i;

    if (md == NULL || n == NULL || e == NULL || s == NULL || bn_ctx == NULL
        || em == NULL || db_len == 0 || BN_cmp(s, n) >= 0
        || !BN_mod_exp(s, s, e, n, bn_ctx)
        || BN_bn2binpad(s, em, (int)tok->n_len) < 0)
        goto err;

    /* With a modulus of 8k+1 bits the encoded message is one byte
     * shorter than the modulus, and the byte in front is zero. */
    if (em_len < tok->n_len && em[0] != 0)
        goto err;
    msg = em + (tok->n_len - em_len);
    if (msg[em_len - 1] != 0xbc
        || !mgf1_xor(msg, db_len, msg + db_len, di->hash_len, md))
        goto err;

    msg[0] &= (uint8_t)(0xff >> (8 * em_len - em_bits));
    for (i = 0; i < db_len && msg[i] == 0; i++)
        continue;
    if (i < db_len && msg[i] == 0x01)
        salt = (int32_t)(db_len - i - 1);

err:
    OPENSSL_clear_free(em, tok->n_len);
    BN_free(n);
    BN_free(e);
    BN_free(s);
    BN_CTX_free(bn_ctx);
    return salt;
}

/* Return a concrete PSS salt length for the key and digest. */
static int pss_salt(const struct cca_pka_token *tok,
                    const struct digest_info *di, int32_t salt_len,
                    const uint8_t *sig, size_t sig_len,
                    struct cca_result *res)
{
    size_t em_len = (tok->bits - 1 + 7) / 8;
    int32_t max = em_len >= di->hash_len + 2
                      ? (int32_t)(em_len - di->hash_len - 2) : -1;

    switch (salt_len) {
    case CCA_SALT_DIGEST:
        return (int32_t)di->hash_len;
    case CCA_SALT_MAX:
        return max;
    case CCA_SALT_AUTO:
        if (sig == NULL)
            return max;
        salt_len = pss_recover_salt(tok, di, sig, sig_len);
        return salt_len >= 0 ? salt_len : 0;
    default:
        break;
    }
    if (salt_len < 0 || salt_len > max) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_DATA_TOO_LARGE,
                       "PSS salt length %d does not fit a %u-bit key with "
                       "%s (maximum %d)", (int)salt_len, tok->bits,
                       di->keyword, (int)max);
        return -1;
    }
    return salt_len;
}

/*
 * Fill in the rule array and data for p.  sig is the signature to verify
 * (NULL when signing), which a PSS "auto" salt length is read from.
 */
static int sign_input(struct cca_backend *be, const struct cca_sig_params *p,
                      const struct cca_pka_token *tok, const uint8_t *hash,
                      size_t hash_len, const uint8_t *sig, size_t sig_len,
                      struct sign_input *in, struct cca_result *res)
{
    const struct digest_info *di = digest_info_of(p->hash_nid);
    int32_t salt;

    cca_rule_init(&in->rule);
    if (hash_len > DIGEST_INFO_MAX) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "signature input of %zu bytes is too long (at most "
                       "%d)", hash_len, DIGEST_INFO_MAX);
        return 0;
    }

    switch (p->scheme) {
    case CCA_SIG_ECDSA:
        cca_rule_add(&in->rule, "ECDSA");
        memcpy(in->data, hash, hash_len);
        in->len = (long)hash_len;
        return 1;

    case CCA_SIG_PKCS1_RAW:
        cca_rule_add(&in->rule, "PKCS-1.1");
        memcpy(in->data, hash, hash_len);
        in->len = (long)hash_len;
        return 1;

    case CCA_SIG_PKCS1:
    case CCA_SIG_PSS:
        break;

    default:
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                       "signature scheme %u is invalid", p->scheme);
        return 0;
    }

    if (di == NULL || di->hash_len != hash_len) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                       "a hash of %zu bytes with digest NID %d is not "
                       "supported: use SHA-1 or SHA-2", hash_len,
                       p->hash_nid);
        return 0;
    }
    if (p->scheme == CCA_SIG_PKCS1) {
        cca_rule_add(&in->rule, "PKCS-1.1");
        memcpy(in->data, di->prefix, di->prefix_len);
        memcpy(in->data + di->prefix_len, hash, hash_len);
        in->len = (long)(di->prefix_len + hash_len);
        return 1;
    }

    if (p->mgf1_nid != 0 && p->mgf1_nid != p->hash_nid) {
        cca_lib_unsupported(be, res, "PSS with an MGF1 digest other than "
                            "the signature digest");
        return 0;
    }
    salt = pss_salt(tok, di, p->salt_len, sig, sig_len, res);
    if (salt < 0)
        return 0;
    cca_rule_add(&in->rule, "PKCS-PSS");
    cca_rule_add(&in->rule, di->keyword);
    put32(in->data, (uint32_t)salt);
    memcpy(in->data + PSS_SALT_FIELD, hash, hash_len);
    in->len = (long)(PSS_SALT_FIELD + hash_len);
    return 1;
}

static int parse_token(const uint8_t *token, size_t token_len,
                       struct cca_pka_token *tok, struct cca_result *res)
{
    uint32_t reason = 0;

    if (token == NULL || token_len == 0 || token_len > CCA_TOKEN_MAX) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "signature verbs need a key token of 1 to %u bytes",
                       CCA_TOKEN_MAX);
        return 0;
    }
    if (!cca_token_parse(token, token_len, tok, &reason, res->detail,
                         sizeof(res->detail))) {
        res->rc = CCA_RC_ERROR;
        res->reason = reason;
        return 0;
    }
    return 1;
}

int cca_lib_digital_signature_generate(struct cca_backend *be,
                                       const struct cca_sig_params *p,
                                       const uint8_t *token, size_t token_len,
                                       const uint8_t *hash, size_t hash_len,
                                       uint8_t *sig, size_t *sig_len,
                                       struct cca_result *res)
{
    struct cca_pka_token tok;
    struct sign_input in;
    struct cca_device *dev = NULL;
    long rc = 0, reason = 0, exit_len = 0, key_len = (long)token_len;
    long sig_long, sig_bits = 0;
    int ret = 0;

    if (p == NULL || hash == NULL || hash_len == 0 || sig == NULL
        || sig_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "signature generate needs parameters, a hash and a "
                       "signature buffer");
        goto err;
    }
    if (!parse_token(token, token_len, &tok, res)
        || !sign_input(be, p, &tok, hash, hash_len, NULL, 0, &in, res))
        goto err;
    sig_long = *sig_len > CCA_SIG_FIELD_MAX ? CCA_SIG_FIELD_MAX
                                            : (long)*sig_len;

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    be->cca->CSNDDSG(&rc, &reason, &exit_len, NULL, &in.rule.count,
                     in.rule.keywords, &key_len, (unsigned char *)token,
                     &in.len, in.data, &sig_long, &sig_bits, sig);
    if (!cca_lib_result(be, dev, res, "CSNDDSG", rc, reason)) {
        if (rc == CCA_RC_ERROR && reason == CCA_RS_LENGTH_INVALID)
            *sig_len = (size_t)sig_long;
        goto err;
    }
    *sig_len = (size_t)sig_long;
    ret = 1;

err:
    cca_lib_end(be, dev);
    OPENSSL_cleanse(&in, sizeof(in));
    return ret;
}

/* An external token with the public key of tok, for CSNDDSV. */
static size_t public_token(const struct cca_pka_token *tok, uint8_t *out,
                           size_t cap)
{
    if (tok->alg == CCA_ALG_RSA)
        return cca_token_build_rsa_public(tok->n, tok->n_len, tok->e,
                                          tok->e_len, out, cap);
    return cca_token_build_ec_public(tok->curve_nid, tok->q, tok->q_len, out,
                                     cap);
}

int cca_lib_digital_signature_verify(struct cca_backend *be,
                                     const struct cca_sig_params *p,
                                     const uint8_t *token, size_t token_len,
                                     const uint8_t *hash, size_t hash_len,
                                     const uint8_t *sig, size_t sig_len,
                                     struct cca_result *res)
{
    struct cca_pka_token tok;
    struct sign_input in;
    struct cca_device *dev = NULL;
    uint8_t *pub = NULL;
    long rc = 0, reason = 0, exit_len = 0, pub_len, sig_long = (long)sig_len;
    int ret = 0;

    if (p == NULL || hash == NULL || hash_len == 0
        || (sig == NULL && sig_len > 0)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "signature verify needs parameters, a hash and a "
                       "signature");
        goto err;
    }
    if (!parse_token(token, token_len, &tok, res)
        || !sign_input(be, p, &tok, hash, hash_len, sig, sig_len, &in, res))
        goto err;
    pub_len = (long)public_token(&tok, NULL, 0);
    pub = pub_len > 0 ? OPENSSL_malloc((size_t)pub_len) : NULL;
    if (pub == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for a public key token");
        goto err;
    }
    public_token(&tok, pub, (size_t)pub_len);

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    be->cca->CSNDDSV(&rc, &reason, &exit_len, NULL, &in.rule.count,
                     in.rule.keywords, &pub_len, pub, &in.len, in.data,
                     &sig_long, (unsigned char *)sig);
    ret = cca_lib_result(be, dev, res, "CSNDDSV", rc, reason);
    if (ret && res->rc == CCA_RC_WARNING)
        snprintf(res->detail, sizeof(res->detail), "signature did not "
                 "verify (CSNDDSV returned %ld/%ld)", rc, reason);

err:
    cca_lib_end(be, dev);
    OPENSSL_free(pub);
    return ret;
}
