/*
 * RSA operations: signature generation and verification, decryption and
 * encryption, through OpenSSL's default provider in the device's library
 * context.  Lengths are checked here, before the OpenSSL call, so that
 * each mistake gets its own CCA code:
 *   8/72    a hash whose length does not match its digest, or raw input
 *           that is not exactly the modulus size
 *   8/4772  input longer than the key and padding allow
 *   8/4773  a digest, padding or scheme the device does not support
 *   8/4771  decryption failed (padding check), never for TLS padding
 *   8/4770  a request an RSA-PSS key's token does not allow (see
 *           check_rsa_pss_key)
 *   4/429   a signature that does not verify, malformed ones included
 */
#include <config.h>

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "emud.h"

/* PKCS#1 v1.5 padding takes at least 11 bytes of the block. */
#define PKCS1_PAD_MIN       11u
/* TLS premaster secret length (SSL_MAX_MASTER_KEY_LENGTH). */
#define TLS_PREMASTER_LEN   48u
#define MD5_SHA1_LEN        36u

/* Record an unexpected OpenSSL failure with OpenSSL's reason. */
static int openssl_failure(struct emu_result *res, uint32_t rc,
                           uint32_t reason, const char *what)
{
    char text[120] = "no detail from OpenSSL";
    unsigned long e = ERR_peek_last_error();

    if (e != 0)
        ERR_error_string_n(e, text, sizeof(text));
    ERR_clear_error();
    return emu_fail(res, rc, reason, "%s failed: %s", what, text);
}

static const EVP_MD *require_digest(struct emu_device *dev, int nid,
                                    const char *use, struct emu_result *res)
{
    const EVP_MD *md = emu_digest_by_nid(dev, nid, 0);

    if (md == NULL)
        emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                 "hash NID %d is not supported for %s (SHA-1, SHA-224, "
                 "SHA-256, SHA-384 or SHA-512)", nid, use);
    return md;
}

static int check_hash_length(const EVP_MD *md, size_t hash_len,
                             struct emu_result *res)
{
    if (hash_len == (size_t)EVP_MD_get_size(md))
        return 1;
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                    "hash is %zu bytes, but %s produces %d", hash_len,
                    EVP_MD_get0_name(md), EVP_MD_get_size(md));
}

/* PSS encoding needs emLen >= hLen + sLen + 2 (RFC 8017, 9.1.1). */
static int check_pss_salt(const struct emu_key *key, const EVP_MD *md,
                          int32_t salt, struct emu_result *res)
{
    size_t em_len = (key->tok.bits - 1 + 7) / 8;
    size_t h_len = (size_t)EVP_MD_get_size(md);

    if (salt < CCA_SALT_MAX)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "PSS salt length %d is invalid (-1 digest, -2 auto, "
                        "-3 max, or 0 and up)", (int)salt);
    if (em_len < h_len + 2
        || (salt >= 0 && (size_t)salt > em_len - h_len - 2))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_DATA_TOO_LARGE,
                        "PSS salt of %d bytes with %s does not fit a %u-bit "
                        "key", (int)salt, EVP_MD_get0_name(md),
                        key->tok.bits);
    return 1;
}

static int setup_pkcs1(struct emu_device *dev, EVP_PKEY_CTX *ctx,
                       const struct emu_sig_params *p, size_t hash_len,
                       struct emu_result *res)
{
    const EVP_MD *md = require_digest(dev, p->hash_nid,
                                      "PKCS#1 v1.5 signatures", res);

    if (md == NULL || !check_hash_length(md, hash_len, res))
        return 0;
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0
        || EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0)
        return openssl_failure(res, CCA_RC_INTERNAL,
                               CCA_RS_DEVICE_BUSY_INTERNAL,
                               "PKCS#1 v1.5 signature set-up");
    return 1;
}

/* PKCS#1 v1.5 type 1 over the caller's bytes, without a DigestInfo, as
 * OpenSSL signs when no digest is set (or MD5-SHA1 for TLS 1.0/1.1). */
static int setup_pkcs1_raw(struct emu_device *dev, const struct emu_key *key,
                           EVP_PKEY_CTX *ctx, const struct emu_sig_params *p,
                           size_t hash_len, struct emu_result *res)
{
    const EVP_MD *md = NULL;

    if (p->hash_nid != 0 && p->hash_nid != NID_md5_sha1)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                        "raw PKCS#1 signatures take hash NID 0 or MD5-SHA1 "
                        "(%d), not %d", NID_md5_sha1, p->hash_nid);
    if (p->hash_nid == NID_md5_sha1)
        md = emu_digest_by_nid(dev, NID_md5_sha1, 1);
    if (hash_len == 0 || (md != NULL && hash_len != MD5_SHA1_LEN))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "raw PKCS#1 input of %zu bytes is empty or not the "
                        "%u bytes of MD5-SHA1", hash_len, MD5_SHA1_LEN);
    if (hash_len > key->tok.n_len - PKCS1_PAD_MIN)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_DATA_TOO_LARGE,
                        "raw PKCS#1 input of %zu bytes is longer than the "
                        "%zu bytes a %u-bit key signs", hash_len,
                        key->tok.n_len - PKCS1_PAD_MIN, key->tok.bits);
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0
        || (md != NULL && EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0))
        return openssl_failure(res, CCA_RC_INTERNAL,
                               CCA_RS_DEVICE_BUSY_INTERNAL,
                               "raw PKCS#1 signature set-up");
    return 1;
}

static int setup_pss(struct emu_device *dev, const struct emu_key *key,
                     EVP_PKEY_CTX *ctx, const struct emu_sig_params *p,
                     size_t hash_len, struct emu_result *res)
{
    const EVP_MD *md = require_digest(dev, p->hash_nid, "PSS", res);
    const EVP_MD *mgf1;

    if (md == NULL || !check_hash_length(md, hash_len, res))
        return 0;
    mgf1 = require_digest(dev, p->mgf1_nid != 0 ? p->mgf1_nid : p->hash_nid,
                          "MGF1", res);
    if (mgf1 == NULL || !check_pss_salt(key, md, p->salt_len, res))
        return 0;
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) <= 0
        || EVP_PKEY_CTX_set_signature_md(ctx, md) <= 0
        || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf1) <= 0
        || EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)p->salt_len) <= 0)
        return openssl_failure(res, CCA_RC_INTERNAL,
                               CCA_RS_DEVICE_BUSY_INTERNAL, "PSS set-up");
    return 1;
}

/* Salt length in bytes of a PSS request: the special values resolved as
 * OpenSSL 3.0 resolves them when it signs (auto as max). */
static int32_t pss_salt_bytes(const struct emu_key *key, const EVP_MD *md,
                              int32_t salt)
{
    int32_t h_len = EVP_MD_get_size(md);
    int32_t max = (int32_t)((key->tok.bits - 1 + 7) / 8) - h_len - 2;

    if (salt == CCA_SALT_DIGEST)
        return h_len;
    if (salt == CCA_SALT_MAX || salt == CCA_SALT_AUTO)
        return max;
    return salt;
}

/*
 * An RSA-PSS key (a token with the RSA-PSS section) signs and verifies
 * with PSS only.  A restricted one also needs its digest, its MGF1 digest
 * and a salt of at least its minimum length.  Verification with salt
 * length auto is rejected, because the salt length is then unknown until
 * the check has passed.  The host checks the same, so only a request that
 * bypassed the provider fails here, with 8/4770 as for any use the token
 * does not allow.
 */
static int check_rsa_pss_key(struct emu_device *dev, const struct emu_key *key,
                             const struct emu_sig_params *p, int verify,
                             struct emu_result *res)
{
    const struct cca_rsa_pss *pss = &key->tok.pss;
    const EVP_MD *md;
    int mgf1_nid = p->mgf1_nid != 0 ? p->mgf1_nid : p->hash_nid;
    int32_t salt;

    if (p->scheme != CCA_SIG_PSS)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_USAGE,
                        "signature scheme %u with an RSA-PSS key, which "
                        "allows PSS (2) only", p->scheme);
    if (!pss->restricted)
        return 1;
    if (p->hash_nid != pss->hash_nid || mgf1_nid != pss->mgf1_nid)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_USAGE,
                        "PSS with digest NID %d and MGF1 digest NID %d, but "
                        "the RSA-PSS key allows only %d and %d", p->hash_nid,
                        mgf1_nid, pss->hash_nid, pss->mgf1_nid);
    if (verify && p->salt_len == CCA_SALT_AUTO)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_USAGE,
                        "PSS verification with salt length auto cannot "
                        "check the RSA-PSS key's minimum salt of %u bytes",
                        pss->min_salt_len);
    md = require_digest(dev, p->hash_nid, "PSS", res);
    if (md == NULL)
        return 0;
    salt = pss_salt_bytes(key, md, p->salt_len);
    if (salt < 0 || (uint32_t)salt < pss->min_salt_len)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_USAGE,
                        "PSS salt of %d bytes is shorter than the %u bytes "
                        "the RSA-PSS key requires", (int)salt,
                        pss->min_salt_len);
    return 1;
}

static int setup_signature(struct emu_device *dev, const struct emu_key *key,
                           EVP_PKEY_CTX *ctx, const struct emu_sig_params *p,
                           size_t hash_len, int verify,
                           struct emu_result *res)
{
    if (key->tok.is_pss && !check_rsa_pss_key(dev, key, p, verify, res))
        return 0;
    switch (p->scheme) {
    case CCA_SIG_PKCS1:
        return setup_pkcs1(dev, ctx, p, hash_len, res);
    case CCA_SIG_PKCS1_RAW:
        return setup_pkcs1_raw(dev, key, ctx, p, hash_len, res);
    case CCA_SIG_PSS:
        return setup_pss(dev, key, ctx, p, hash_len, res);
    default:
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                        "signature scheme %u is not an RSA scheme",
                        p->scheme);
    }
}

int emu_rsa_sign(struct emu_device *dev, const struct emu_key *key,
                 const struct emu_sig_params *p, const uint8_t *hash,
                 size_t hash_len, uint8_t *out, size_t *out_len,
                 struct emu_result *res)
{
    int ret = 0;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(dev->libctx, key->pkey,
                                                   NULL);

    if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0) {
        openssl_failure(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "RSA signature set-up");
        goto err;
    }
    if (!setup_signature(dev, key, ctx, p, hash_len, 0, res))
        goto err;
    if (EVP_PKEY_sign(ctx, out, out_len, hash, hash_len) <= 0) {
        openssl_failure(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "RSA signature generation");
        goto err;
    }
    ret = 1;

err:
    EVP_PKEY_CTX_free(ctx);
    return ret;
}

int emu_rsa_verify(struct emu_device *dev, const struct emu_key *key,
                   const struct emu_sig_params *p, const uint8_t *hash,
                   size_t hash_len, const uint8_t *sig, size_t sig_len,
                   struct emu_result *res)
{
    int ret = 0;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(dev->libctx, key->pkey,
                                                   NULL);

    if (ctx == NULL || EVP_PKEY_verify_init(ctx) <= 0) {
        openssl_failure(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "RSA verification set-up");
        goto err;
    }
    if (!setup_signature(dev, key, ctx, p, hash_len, 1, res))
        goto err;
    if (sig_len != key->tok.n_len
        || EVP_PKEY_verify(ctx, sig, sig_len, hash, hash_len) != 1) {
        ERR_clear_error();
        emu_warn(res, CCA_RC_WARNING, CCA_RS_SIGNATURE_INVALID);
    }
    ret = 1;

err:
    EVP_PKEY_CTX_free(ctx);
    return ret;
}

/* ---------------------------------------------------------------------- */
/* Decryption and encryption                                               */

/* Input no longer than the modulus and, at full length, below it. */
static int check_below_modulus(const struct emu_key *key, const uint8_t *in,
                               size_t in_len, struct emu_result *res)
{
    size_t k = key->tok.n_len;

    if (in_len > k)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_DATA_TOO_LARGE,
                        "input of %zu bytes is longer than the %zu-byte "
                        "modulus", in_len, k);
    if (in_len == k && memcmp(in, key->tok.n, k) >= 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_DATA_TOO_LARGE,
                        "input is not smaller than the modulus");
    return 1;
}

static int setup_oaep(struct emu_device *dev, EVP_PKEY_CTX *ctx,
                      const struct emu_cipher_params *p, size_t *h_len,
                      struct emu_result *res)
{
    const EVP_MD *md = require_digest(dev, p->oaep_nid, "OAEP", res);
    const EVP_MD *mgf1;
    OSSL_PARAM params[2];

    if (md == NULL)
        return 0;
    mgf1 = require_digest(dev, p->mgf1_nid != 0 ? p->mgf1_nid : p->oaep_nid,
                          "MGF1", res);
    if (mgf1 == NULL)
        return 0;
    *h_len = (size_t)EVP_MD_get_size(md);

    /* OpenSSL copies the label. */
    params[0] = OSSL_PARAM_construct_octet_string(
        OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, (void *)p->label, p->label_len);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0
        || EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) <= 0
        || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf1) <= 0
        || (p->label_len > 0 && !EVP_PKEY_CTX_set_params(ctx, params)))
        return openssl_failure(res, CCA_RC_INTERNAL,
                               CCA_RS_DEVICE_BUSY_INTERNAL, "OAEP set-up");
    return 1;
}

/* PKCS#1 v1.5 decryption reports a padding failure as an error; OpenSSL
 * releases that have implicit rejection (3.2 and later) must not return
 * a synthetic plaintext instead. */
static int setup_pkcs1_decrypt(EVP_PKEY_CTX *ctx, struct emu_result *res)
{
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
        return openssl_failure(res, CCA_RC_INTERNAL,
                               CCA_RS_DEVICE_BUSY_INTERNAL,
                               "PKCS#1 v1.5 decryption set-up");
#ifdef OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION
    {
        unsigned int off = 0;
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_uint(
                OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION, &off),
            OSSL_PARAM_construct_end(),
        };

        if (!EVP_PKEY_CTX_set_params(ctx, params))
            return openssl_failure(res, CCA_RC_INTERNAL,
                                   CCA_RS_DEVICE_BUSY_INTERNAL,
                                   "turning implicit rejection off");
    }
#endif
    return 1;
}

/* TLS premaster decryption: OpenSSL returns the premaster, or in constant
 * time a random one when the padding or the version is wrong. */
static int setup_tls(EVP_PKEY_CTX *ctx, const struct emu_cipher_params *p,
                     struct emu_result *res)
{
    unsigned int client = p->tls_client_version;
    unsigned int alt = p->tls_alt_version;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION,
                                  &client),
        OSSL_PARAM_construct_uint(
            OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION, &alt),
        OSSL_PARAM_construct_end(),
    };

    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_WITH_TLS_PADDING) <= 0
        || !EVP_PKEY_CTX_set_params(ctx, params))
        return openssl_failure(res, CCA_RC_INTERNAL,
                               CCA_RS_DEVICE_BUSY_INTERNAL,
                               "TLS premaster decryption set-up");
    return 1;
}

static int setup_decrypt(struct emu_device *dev, EVP_PKEY_CTX *ctx,
                         const struct emu_cipher_params *p,
                         struct emu_result *res)
{
    size_t h_len;

    switch (p->padding) {
    case CCA_PAD_PKCS1:
        return setup_pkcs1_decrypt(ctx, res);
    case CCA_PAD_OAEP:
        return setup_oaep(dev, ctx, p, &h_len, res);
    case CCA_PAD_TLS:
        return setup_tls(ctx, p, res);
    case CCA_PAD_NONE:
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) <= 0)
            return openssl_failure(res, CCA_RC_INTERNAL,
                                   CCA_RS_DEVICE_BUSY_INTERNAL,
                                   "raw RSA set-up");
        return 1;
    default:
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                        "padding %u is not supported (1 PKCS#1 v1.5, 2 OAEP, "
                        "3 TLS, 4 none)", p->padding);
    }
}

int emu_rsa_decrypt(struct emu_device *dev, const struct emu_key *key,
                    const struct emu_cipher_params *p, const uint8_t *in,
                    size_t in_len, uint8_t *out, size_t *out_len,
                    struct emu_result *res)
{
    int ret = 0;
    EVP_PKEY_CTX *ctx = NULL;

    if (!check_below_modulus(key, in, in_len, res))
        return 0;
    ctx = EVP_PKEY_CTX_new_from_pkey(dev->libctx, key->pkey, NULL);
    if (ctx == NULL || EVP_PKEY_decrypt_init(ctx) <= 0) {
        openssl_failure(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "RSA decryption set-up");
        goto err;
    }
    if (!setup_decrypt(dev, ctx, p, res))
        goto err;
    if (EVP_PKEY_decrypt(ctx, out, out_len, in, in_len) <= 0) {
        openssl_failure(res, CCA_RC_ERROR, CCA_RS_DECRYPT_FAILED,
                        "RSA decryption");
        goto err;
    }
    if (p->padding == CCA_PAD_TLS && *out_len != TLS_PREMASTER_LEN) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "TLS premaster decryption returned %zu bytes", *out_len);
        goto err;
    }
    ret = 1;

err:
    EVP_PKEY_CTX_free(ctx);
    return ret;
}

/* Check the plaintext length for the padding and set the padding up. */
static int setup_encrypt(struct emu_device *dev, const struct emu_key *key,
                         EVP_PKEY_CTX *ctx, const struct emu_cipher_params *p,
                         const uint8_t *in, size_t in_len,
                         struct emu_result *res)
{
    size_t k = key->tok.n_len;
    size_t h_len = 0;

    switch (p->padding) {
    case CCA_PAD_PKCS1:
        if (in_len > k - PKCS1_PAD_MIN)
            return emu_fail(res, CCA_RC_ERROR, CCA_RS_DATA_TOO_LARGE,
                            "PKCS#1 v1.5 plaintext of %zu bytes is longer "
                            "than the %zu bytes a %u-bit key takes", in_len,
                            k - PKCS1_PAD_MIN, key->tok.bits);
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
            return openssl_failure(res, CCA_RC_INTERNAL,
                                   CCA_RS_DEVICE_BUSY_INTERNAL,
                                   "PKCS#1 v1.5 encryption set-up");
        return 1;
    case CCA_PAD_OAEP:
        if (!setup_oaep(dev, ctx, p, &h_len, res))
            return 0;
        if (k < 2 * h_len + 2 || in_len > k - 2 * h_len - 2)
            return emu_fail(res, CCA_RC_ERROR, CCA_RS_DATA_TOO_LARGE,
                            "OAEP plaintext of %zu bytes does not fit a "
                            "%u-bit key with a %zu-byte digest", in_len,
                            key->tok.bits, h_len);
        return 1;
    case CCA_PAD_NONE:
        if (in_len != k)
            return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                            "raw RSA input is %zu bytes; it must be the "
                            "%zu-byte modulus size", in_len, k);
        if (!check_below_modulus(key, in, in_len, res))
            return 0;
        if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) <= 0)
            return openssl_failure(res, CCA_RC_INTERNAL,
                                   CCA_RS_DEVICE_BUSY_INTERNAL,
                                   "raw RSA set-up");
        return 1;
    default:
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                        "padding %u is not supported for encryption (1 "
                        "PKCS#1 v1.5, 2 OAEP, 4 none)", p->padding);
    }
}

int emu_rsa_encrypt(struct emu_device *dev, const struct emu_key *key,
                    const struct emu_cipher_params *p, const uint8_t *in,
                    size_t in_len, uint8_t *out, size_t *out_len,
                    struct emu_result *res)
{
    int ret = 0;
    EVP_PKEY_CTX *ctx = NULL;

    if (key->tok.is_pss)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_USAGE,
                        "encryption with an RSA-PSS key, which only signs "
                        "and verifies");
    ctx = EVP_PKEY_CTX_new_from_pkey(dev->libctx, key->pkey, NULL);
    if (ctx == NULL || EVP_PKEY_encrypt_init(ctx) <= 0) {
        openssl_failure(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "RSA encryption set-up");
        goto err;
    }
    if (!setup_encrypt(dev, key, ctx, p, in, in_len, res))
        goto err;
    if (EVP_PKEY_encrypt(ctx, out, out_len, in, in_len) <= 0) {
        openssl_failure(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "RSA encryption");
        goto err;
    }
    ret = 1;

err:
    EVP_PKEY_CTX_free(ctx);
    return ret;
}
