/*
 * rsa_pss_device: the device itself enforces the restrictions of an
 * RSA-PSS key token.  The requests go straight to the backend's verbs,
 * past the provider's own checks, as a program that reads the token
 * file could send them:
 *
 *   - generation and import of restricted RSA-PSS keys, whose tokens
 *     carry the RSA-PSS section and usage signature only;
 *   - a PSS signature within the restrictions works and verifies;
 *   - another digest, MGF1 digest, a shorter salt, PKCS#1 v1.5 padding,
 *     verification with salt length auto, decryption and encryption fail
 *     with 8/4770;
 *   - a token whose RSA-PSS section was changed fails with 8/29;
 *   - the public key extract keeps the RSA-PSS section;
 *   - an RSA-PSS key with decryption usage is rejected with 8/4780.
 *
 * The device list comes from IBM4767_DEVICES.  Exit status: 0 pass,
 * 1 fail, 99 the test could not run.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <ibm4767/cca.h>

#define KEY_BITS 2048u
#define SIG_MAX  512u

static int failures;

static void check(int cond, const char *what)
{
    printf("%s: %s\n", cond ? "ok" : "FAIL", what);
    if (!cond)
        failures++;
}

/* The verb must fail with 8/reason; prints the device's detail. */
static void check_rejected(int ok, const struct cca_result *res,
                          uint32_t reason, const char *what)
{
    char text[1024];
    int rejected = !ok && res->rc == CCA_RC_ERROR && res->reason == reason;

    check(rejected, what);
    printf("    %s\n", cca_result_text(res, text, sizeof(text)));
}

static int sign(struct cca_backend *be, const uint8_t *token,
                size_t token_len, uint32_t scheme, int hash_nid, int mgf1_nid,
                int32_t salt, uint8_t *sig, size_t *sig_len,
                struct cca_result *res)
{
    const struct cca_sig_params sp = { scheme, hash_nid, mgf1_nid, salt };
    uint8_t hash[EVP_MAX_MD_SIZE];
    const EVP_MD *md = EVP_get_digestbynid(hash_nid);
    size_t hash_len = md != NULL ? (size_t)EVP_MD_get_size(md) : 32;

    memset(hash, 0x5a, sizeof(hash));
    *sig_len = SIG_MAX;
    return cca_digital_signature_generate(be, &sp, token, token_len, hash,
                                          hash_len, sig, sig_len, res);
}

static int verify(struct cca_backend *be, const uint8_t *token,
                  size_t token_len, int32_t salt, const uint8_t *sig,
                  size_t sig_len, struct cca_result *res)
{
    const struct cca_sig_params sp = { CCA_SIG_PSS, NID_sha256, NID_sha256,
                                       salt };
    uint8_t hash[32];

    memset(hash, 0x5a, sizeof(hash));
    return cca_digital_signature_verify(be, &sp, token, token_len, hash,
                                        sizeof(hash), sig, sig_len, res);
}

static void check_token_pss(const uint8_t *token, size_t token_len,
                            const struct cca_rsa_pss *want, int internal,
                            const char *what)
{
    struct cca_pka_token tok;
    char desc[160];
    int ok = cca_token_parse(token, token_len, &tok, NULL, NULL, 0);

    snprintf(desc, sizeof(desc), "%s: the token records the restrictions",
             what);
    check(ok && tok.is_pss && tok.pss.restricted == want->restricted
              && tok.pss.hash_nid == want->hash_nid
              && tok.pss.mgf1_nid == want->mgf1_nid
              && tok.pss.min_salt_len == want->min_salt_len
              && tok.has_private == internal,
          desc);
    if (internal) {
        snprintf(desc, sizeof(desc), "%s: the token's usage is signature "
                 "only", what);
        check(ok && tok.usage == CCA_USAGE_SIGNATURE, desc);
    }
}

/* Signatures and other operations a restricted SHA-256 key must reject. */
static void check_generated_key(struct cca_backend *be, const uint8_t *token,
                                size_t token_len)
{
    uint8_t sig[SIG_MAX], other[SIG_MAX], out[SIG_MAX], in[KEY_BITS / 8];
    const struct cca_pka_cipher_params pkcs1 = { CCA_PAD_PKCS1, 0, 0, NULL,
                                                 0, 0, 0 };
    struct cca_result res;
    size_t sig_len = 0, other_len, out_len;
    int ok;

    ok = sign(be, token, token_len, CCA_SIG_PSS, NID_sha256, NID_sha256, 32,
              sig, &sig_len, &res);
    check(ok && res.rc == CCA_RC_OK, "PSS SHA-256, MGF1 SHA-256, salt 32 "
          "signs");
    ok = verify(be, token, token_len, 32, sig, sig_len, &res);
    check(ok && res.rc == CCA_RC_OK, "that signature verifies with salt 32");
    ok = sign(be, token, token_len, CCA_SIG_PSS, NID_sha256, 0,
              CCA_SALT_MAX, other, &other_len, &res);
    check(ok && res.rc == CCA_RC_OK, "salt length max (over 32) signs");

    ok = sign(be, token, token_len, CCA_SIG_PSS, NID_sha384, NID_sha256, 32,
              other, &other_len, &res);
    check_rejected(ok, &res, CCA_RS_KEY_USAGE, "digest SHA-384 is rejected");
    ok = sign(be, token, token_len, CCA_SIG_PSS, NID_sha256, NID_sha1, 32,
              other, &other_len, &res);
    check_rejected(ok, &res, CCA_RS_KEY_USAGE, "MGF1 SHA-1 is rejected");
    ok = sign(be, token, token_len, CCA_SIG_PSS, NID_sha256, NID_sha256, 20,
              other, &other_len, &res);
    check_rejected(ok, &res, CCA_RS_KEY_USAGE, "salt 20 is rejected");
    ok = sign(be, token, token_len, CCA_SIG_PKCS1, NID_sha256, 0, 0, other,
              &other_len, &res);
    check_rejected(ok, &res, CCA_RS_KEY_USAGE, "PKCS#1 v1.5 is rejected");
    ok = verify(be, token, token_len, CCA_SALT_AUTO, sig, sig_len, &res);
    check_rejected(ok, &res, CCA_RS_KEY_USAGE,
                  "verification with salt length auto is rejected");

    memset(in, 0, sizeof(in));
    in[sizeof(in) - 1] = 1;
    out_len = sizeof(out);
    ok = cca_pka_decrypt(be, &pkcs1, token, token_len, in, sizeof(in), out,
                         &out_len, &res);
    check_rejected(ok, &res, CCA_RS_KEY_USAGE, "decryption is rejected");
    out_len = sizeof(out);
    ok = cca_pka_encrypt(be, &pkcs1, token, token_len, in, 16, out, &out_len,
                         &res);
    check_rejected(ok, &res, CCA_RS_KEY_USAGE, "encryption is rejected");
}

/* Lower the minimum salt length the token states to 0: the tag no longer
 * matches, so the device rejects the token. */
static void check_altered_section(struct cca_backend *be,
                                  const uint8_t *token, size_t token_len)
{
    uint8_t *copy = OPENSSL_memdup(token, token_len);
    uint8_t sig[SIG_MAX];
    struct cca_result res;
    size_t sig_len, salt_off;
    int ok;

    if (copy == NULL) {
        check(0, "copying the token");
        return;
    }
    salt_off = token_len - CCA_RSA_PSS_SECTION_LEN + CCA_RSA_PSS_SALT_OFF;
    copy[salt_off] = 0;
    copy[salt_off + 1] = 0;
    ok = sign(be, copy, token_len, CCA_SIG_PSS, NID_sha256, NID_sha256, 0,
              sig, &sig_len, &res);
    check_rejected(ok, &res, CCA_RS_TOKEN_TVV_INVALID,
                  "a token whose minimum salt was lowered is rejected");
    OPENSSL_clear_free(copy, token_len);
}

static void check_public_extract(struct cca_backend *be, const uint8_t *token,
                                 size_t token_len,
                                 const struct cca_rsa_pss *pss)
{
    struct cca_result res;
    uint8_t *pub = NULL;
    size_t pub_len = 0;

    if (!cca_pka_public_key_extract(be, token, token_len, &pub, &pub_len,
                                    &res)) {
        check(0, "public key extract");
        return;
    }
    check_token_pss(pub, pub_len, pss, 0, "public key extract");
    OPENSSL_free(pub);
}

/* The key value structure (cca.h) of a new software RSA key. */
static int software_kvs(uint8_t **kvs, size_t *kvs_len)
{
    static const char *const names[8] = {
        OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
    };
    BIGNUM *bn[8] = { NULL };
    EVP_PKEY *pkey = EVP_RSA_gen(KEY_BITS);
    size_t total = CCA_RSA_KVS_HEADER_LEN, off;
    uint8_t *buf = NULL;
    int i, ret = 0;

    for (i = 0; pkey != NULL && i < 8; i++) {
        if (!EVP_PKEY_get_bn_param(pkey, names[i], &bn[i]))
            goto err;
        total += (size_t)BN_num_bytes(bn[i]);
    }
    buf = pkey != NULL ? OPENSSL_zalloc(total) : NULL;
    if (buf == NULL)
        goto err;
    buf[0] = (uint8_t)(KEY_BITS >> 8);
    buf[1] = (uint8_t)KEY_BITS;
    off = CCA_RSA_KVS_HEADER_LEN;
    for (i = 0; i < 8; i++) {
        size_t len = (size_t)BN_bn2bin(bn[i], buf + off);

        buf[2 + 2 * i] = (uint8_t)(len >> 8);
        buf[3 + 2 * i] = (uint8_t)len;
        off += len;
    }
    *kvs = buf;
    *kvs_len = total;
    buf = NULL;
    ret = 1;

err:
    OPENSSL_clear_free(buf, total);
    for (i = 0; i < 8; i++)
        BN_clear_free(bn[i]);
    EVP_PKEY_free(pkey);
    return ret;
}

static void check_imported_key(struct cca_backend *be)
{
    const struct cca_rsa_pss pss = { 1, NID_sha384, NID_sha384, 48 };
    uint8_t *kvs = NULL, *token = NULL, sig[SIG_MAX];
    size_t kvs_len = 0, token_len = 0, sig_len;
    struct cca_result res;
    int ok;

    if (!software_kvs(&kvs, &kvs_len)) {
        check(0, "making a software RSA key to import");
        return;
    }
    ok = cca_pka_rsa_pss_key_import(be, 0, &pss, kvs, kvs_len, &token,
                                    &token_len, &res);
    check(ok, "import of an RSA-PSS key restricted to SHA-384");
    if (ok) {
        check_token_pss(token, token_len, &pss, 1, "import");
        ok = sign(be, token, token_len, CCA_SIG_PSS, NID_sha384, NID_sha384,
                  48, sig, &sig_len, &res);
        check(ok && res.rc == CCA_RC_OK, "the imported key signs with "
              "SHA-384 and salt 48");
        ok = sign(be, token, token_len, CCA_SIG_PSS, NID_sha256, NID_sha384,
                  48, sig, &sig_len, &res);
        check_rejected(ok, &res, CCA_RS_KEY_USAGE,
                      "the imported key rejects SHA-256");
    }
    OPENSSL_clear_free(kvs, kvs_len);
    OPENSSL_clear_free(token, token_len);
}

int main(void)
{
    const struct cca_rsa_pss pss = { 1, NID_sha256, NID_sha256, 32 };
    struct cca_config cfg;
    struct cca_backend *be = NULL;
    struct cca_result res;
    uint8_t *token = NULL, *bad = NULL;
    size_t token_len = 0, bad_len = 0;
    char err[256] = "";
    int ret = 99;

    cca_config_defaults(&cfg);
    if (!cca_config_apply_env(&cfg, err, sizeof(err))) {
        fprintf(stderr, "rsa_pss_device: invalid environment: %s\n", err);
        goto err;
    }
    be = cca_backend_new(&cfg);
    if (be == NULL) {
        fprintf(stderr, "rsa_pss_device: cannot create a backend for "
                "devices '%s'\n", cfg.devices);
        goto err;
    }
    if (!cca_pka_rsa_pss_key_generate(be, KEY_BITS, NULL, 0, 0, &pss, &token,
                                      &token_len, &res)) {
        char text[1024];

        fprintf(stderr, "rsa_pss_device: RSA-PSS key generation failed: "
                "%s\n", cca_result_text(&res, text, sizeof(text)));
        ret = 1;
        goto err;
    }
    check_token_pss(token, token_len, &pss, 1, "generation");
    check_generated_key(be, token, token_len);
    check_altered_section(be, token, token_len);
    check_public_extract(be, token, token_len, &pss);
    check_imported_key(be);

    check_rejected(cca_pka_rsa_pss_key_generate(be, KEY_BITS, NULL, 0,
                                               CCA_USAGE_KEY_MGMT, &pss,
                                               &bad, &bad_len, &res),
                  &res, CCA_RS_FRAME_INVALID,
                  "an RSA-PSS key with decryption usage is rejected");
    ret = failures == 0 ? 0 : 1;

err:
    OPENSSL_clear_free(bad, bad_len);
    OPENSSL_clear_free(token, token_len);
    cca_backend_free(be);
    return ret;
}
