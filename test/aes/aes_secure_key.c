/*
 * aes_secure_key: AES keys held as key tokens.
 *
 *   aes_secure_key generate FILE     generate an AES-256 key in the device
 *                                    and write its token to FILE
 *   aes_secure_key use FILE          encrypt and decrypt through EVP with
 *                                    the token (GCM and CBC), check the
 *                                    device's tag check, and encrypt with
 *                                    the token stored under a label in the
 *                                    key storage IBM4767_KEY_STORAGE names
 *   aes_secure_key import            import a known clear key, then check
 *                                    that its token encrypts as the clear
 *                                    key does in the default provider
 *   aes_secure_key other-device FILE the token fails on a device with
 *                                    another AES master key, with 8/48
 *
 * The device comes from IBM4767_DEVICES, the provider from
 * OPENSSL_MODULES.  Exit status 0 when every check passed, 1 when one
 * failed, 2 on a usage error, 99 when the test could not run.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <ibm4767/cca.h>
#include <ibm4767/keystore.h>
#include <ibm4767/symtoken.h>

#include "aes_test.h"
#include "aes_test_cca.h"

#define PARAM_TOKEN "ibm4767-key-token"
#define PARAM_LABEL "ibm4767-key-label"

static struct cca_backend *backend_open(void)
{
    struct cca_config cfg;
    struct cca_backend *be;
    char err[256] = "";

    cca_config_defaults(&cfg);
    if (!cca_config_apply_env(&cfg, err, sizeof(err))) {
        fprintf(stderr, "aes_secure_key: invalid environment: %s\n", err);
        exit(AES_TEST_EXIT_ERROR);
    }
    be = cca_backend_new(&cfg);
    if (be == NULL) {
        fprintf(stderr, "aes_secure_key: no backend for devices '%s'\n",
                cfg.devices);
        exit(AES_TEST_EXIT_ERROR);
    }
    return be;
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return 0;
    ok = fwrite(buf, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "aes_secure_key: cannot open %s\n", path);
        exit(AES_TEST_EXIT_ERROR);
    }
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* One message through cipher with the token, the key storage label or
 * the clear key (whichever is not NULL); 1 on success.  For GCM, tag is
 * written (encrypt) or checked (decrypt). */
static int crypt_key(EVP_CIPHER *cipher, int enc, const uint8_t *token,
                     size_t token_len, char *label, const uint8_t *clear_key,
                     const uint8_t *in, size_t len, uint8_t *out,
                     uint8_t tag[16])
{
    static const uint8_t iv[16] = { 0x47, 0x67 };
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
    int gcm = EVP_CIPHER_get_mode(cipher) == EVP_CIPH_GCM_MODE;
    int outl = 0, finl = 0, ok = 0;

    /* Only this call's errors are left for the checks that follow. */
    ERR_clear_error();
    if (token != NULL)
        params[0] = OSSL_PARAM_construct_octet_string(PARAM_TOKEN,
                                                      (void *)token,
                                                      token_len);
    if (label != NULL)
        params[0] = OSSL_PARAM_construct_utf8_string(PARAM_LABEL, label, 0);
    if (ctx == NULL
        || !EVP_CipherInit_ex2(ctx, cipher, clear_key, iv, enc, params)
        || !EVP_CipherUpdate(ctx, out, &outl, in, (int)len))
        goto err;
    if (gcm && !enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16,
                                            tag))
        goto err;
    if (!EVP_CipherFinal_ex(ctx, out + outl, &finl))
        goto err;
    if (gcm && enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16,
                                           tag))
        goto err;
    ok = 1;

err:
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static int crypt_once(EVP_CIPHER *cipher, int enc, const uint8_t *token,
                      size_t token_len, const uint8_t *clear_key,
                      const uint8_t *in, size_t len, uint8_t *out,
                      uint8_t tag[16])
{
    return crypt_key(cipher, enc, token, token_len, NULL, clear_key, in, len,
                     out, tag);
}

static int generate(const char *path)
{
    struct cca_backend *be = backend_open();
    struct cca_sym_token tok;
    struct cca_result res;
    uint8_t *token = NULL;
    size_t token_len = 0;
    char text[1024];
    int ret = 1;

    if (!cca_symmetric_key_generate(be, CCA_SYM_ALG_AES, 256,
                                    CCA_SYM_USAGE_ENCRYPT
                                        | CCA_SYM_USAGE_DECRYPT,
                                    0, &token, &token_len, &res)) {
        fprintf(stderr, "FAIL: AES-256 key generation: %s\n",
                cca_result_text(&res, text, sizeof(text)));
        goto err;
    }
    if (!cca_sym_token_parse(token, token_len, &tok, NULL, NULL, 0)
        || tok.key_bits != 256) {
        fprintf(stderr, "FAIL: the device returned a %zu-byte token that "
                "does not parse as AES-256\n", token_len);
        goto err;
    }
    if (!write_file(path, token, token_len)) {
        fprintf(stderr, "aes_secure_key: cannot write %s\n", path);
        ret = AES_TEST_EXIT_ERROR;
        goto err;
    }
    printf("ok: AES-256 token of %zu bytes written to %s\n", token_len, path);
    ret = 0;

err:
    OPENSSL_free(token);
    cca_backend_free(be);
    return ret;
}

static void use_token(struct aes_test *t, const uint8_t *token,
                      size_t token_len)
{
    static const char *const names[] = { "AES-256-GCM", "AES-256-CBC" };
    uint8_t msg[1000], ct[1016], back[1016], tag[16];
    uint8_t altered[CCA_SYMTOKEN_MAX_LEN];

    aes_test_random(t, msg, sizeof(msg));
    for (size_t i = 0; i < 2; i++) {
        EVP_CIPHER *c = aes_test_fetch(t, names[i], 1);

        aes_check(t, crypt_once(c, 1, token, token_len, NULL, msg,
                                sizeof(msg), ct, tag),
                  "%s encrypts with the key token", names[i]);
        aes_check(t, memcmp(ct, msg, 64) != 0,
                  "%s ciphertext differs from the message", names[i]);
        aes_check(t, crypt_once(c, 0, token, token_len, NULL, ct, sizeof(msg)
                                + (i == 1 ? 8 : 0), back, tag),
                  "%s decrypts with the key token", names[i]);
        aes_check_equal(t, back, sizeof(msg), msg, sizeof(msg),
                        "decryption gives the message back");
        EVP_CIPHER_free(c);
    }

    /* A changed byte of the wrapped key fails the device's check, in
     * CTR, or over transport cca in the mode AES_CCA_MODE names. */
    if (token_len <= sizeof(altered)) {
        char name[32];
        const char *cipher = aes_test_ctr_cipher(t, "AES-256-CTR", name,
                                                 sizeof(name));
        EVP_CIPHER *c = aes_test_fetch(t, cipher, 1);

        memcpy(altered, token, token_len);
        altered[token_len - 20] ^= 0x01;
        aes_check(t, !crypt_once(c, 1, altered, token_len, NULL, msg, 16, ct,
                                 tag),
                  "a token with a changed wrapped key fails");
        aes_check_error(t, "8/29", "the device reports 8/29");
        EVP_CIPHER_free(c);
    }
}

/* The token stored in key storage (IBM4767_KEY_STORAGE) under a label
 * encrypts as the token itself does. */
static void use_label(struct aes_test *t, const uint8_t *token,
                      size_t token_len)
{
    const char *path = getenv(CCA_KEYSTORE_ENV);
    struct cca_keystore *ks = NULL;
    struct cca_result res;
    EVP_CIPHER *c = aes_test_fetch(t, "AES-256-GCM", 1);
    uint8_t msg[64], by_token[64], by_label[64], tag_token[16];
    uint8_t tag_label[16];
    char label[] = "TEST.AES256", missing[] = "TEST.NOKEY", text[1024];

    memset(&res, 0, sizeof(res));
    if (!aes_check(t, path != NULL, "%s names the key storage for the "
                   "label checks", CCA_KEYSTORE_ENV))
        goto done;
    ks = cca_keystore_new(path, CCA_KEYSTORE_CREATE);
    if (!aes_check(t, ks != NULL && cca_key_record_create(ks, label,
                                                          CCA_KEY_TYPE_AES,
                                                          token, token_len,
                                                          &res),
                   "the token is stored under label %s in %s: %s", label,
                   path, cca_result_text(&res, text, sizeof(text))))
        goto done;

    aes_test_random(t, msg, sizeof(msg));
    aes_check(t, crypt_key(c, 1, token, token_len, NULL, NULL, msg,
                           sizeof(msg), by_token, tag_token)
                     && crypt_key(c, 1, NULL, 0, label, NULL, msg,
                                  sizeof(msg), by_label, tag_label),
              "AES-256-GCM encrypts with the token and with its label");
    aes_check_equal(t, by_label, sizeof(msg), by_token, sizeof(msg),
                    "the label's ciphertext equals the token's");
    aes_check_equal(t, tag_label, 16, tag_token, 16,
                    "the label's tag equals the token's");

    aes_check(t, !crypt_key(c, 1, NULL, 0, missing, NULL, msg, sizeof(msg),
                            by_label, tag_label),
              "a label with no record is rejected");
    aes_check_error(t, "8/30", "the error carries 8/30");

done:
    cca_keystore_free(ks);
    EVP_CIPHER_free(c);
}

static void import_known_key(struct aes_test *t)
{
    struct cca_backend *be = backend_open();
    struct cca_result res;
    uint8_t key[16], msg[100], ct_dev[116], ct_ref[116], tag_dev[16];
    uint8_t tag_ref[16], *token = NULL, *enc_only = NULL;
    size_t token_len = 0, enc_only_len = 0;
    EVP_CIPHER *dev = aes_test_fetch(t, "AES-128-GCM", 1);
    EVP_CIPHER *ref = aes_test_fetch(t, "AES-128-GCM", 0);
    EVP_CIPHER *dev256 = aes_test_fetch(t, "AES-256-GCM", 1);
    char text[1024];
    int imported;

    aes_test_random(t, key, sizeof(key));
    aes_test_random(t, msg, sizeof(msg));
    /* The result is read after the call: the order in which a call's
     * arguments are evaluated is unspecified. */
    imported = cca_symmetric_key_import(be, CCA_SYM_ALG_AES,
                                        CCA_SYM_USAGE_ENCRYPT
                                            | CCA_SYM_USAGE_DECRYPT,
                                        0, key, sizeof(key), &token,
                                        &token_len, &res);
    if (!aes_check(t, imported, "a clear AES-128 key imports: %s",
                   cca_result_text(&res, text, sizeof(text))))
        goto done;
    aes_check(t, crypt_once(dev, 1, token, token_len, NULL, msg, sizeof(msg),
                            ct_dev, tag_dev)
                     && crypt_once(ref, 1, NULL, 0, key, msg, sizeof(msg),
                                   ct_ref, tag_ref),
              "AES-128-GCM encrypts with the token and with the clear key");
    aes_check_equal(t, ct_dev, sizeof(msg), ct_ref, sizeof(msg),
                    "the token's ciphertext equals the clear key's");
    aes_check_equal(t, tag_dev, 16, tag_ref, 16,
                    "the token's tag equals the clear key's");

    aes_check(t, !crypt_once(dev256, 1, token, token_len, NULL, msg, 16,
                             ct_dev, tag_dev),
              "an AES-128 token is rejected by AES-256-GCM");
    aes_check_error(t, "needs a 256-bit key", "the error names the size");

    if (aes_check(t, cca_symmetric_key_import(be, CCA_SYM_ALG_AES,
                                              CCA_SYM_USAGE_ENCRYPT, 0, key,
                                              sizeof(key), &enc_only,
                                              &enc_only_len, &res),
                  "an encrypt-only AES-128 key imports")) {
        aes_check(t, !crypt_once(dev, 0, enc_only, enc_only_len, NULL,
                                 ct_ref, sizeof(msg), ct_dev, tag_ref),
                  "an encrypt-only token cannot decrypt");
        aes_check_error(t, "does not allow decryption",
                        "the error names the key usage");
    }

done:
    OPENSSL_free(token);
    OPENSSL_free(enc_only);
    EVP_CIPHER_free(dev);
    EVP_CIPHER_free(ref);
    EVP_CIPHER_free(dev256);
    cca_backend_free(be);
}

static void other_device(struct aes_test *t, const uint8_t *token,
                         size_t token_len)
{
    EVP_CIPHER *c = aes_test_fetch(t, "AES-256-GCM", 1);
    uint8_t msg[32] = { 0 }, ct[32], tag[16];

    aes_check(t, !crypt_once(c, 1, token, token_len, NULL, msg, sizeof(msg),
                             ct, tag),
              "the token fails on a device with another AES master key");
    aes_check_error(t, "8/48", "the device reports 8/48");
    EVP_CIPHER_free(c);
}

int main(int argc, char **argv)
{
    uint8_t token[1024];
    size_t token_len = 0;
    struct aes_test t;

    if (argc == 3 && strcmp(argv[1], "generate") == 0)
        return generate(argv[2]);
    if (argc == 2 && strcmp(argv[1], "import") == 0) {
        aes_test_init(&t, "aes_secure_key import");
        import_known_key(&t);
        return aes_test_finish(&t);
    }
    if (argc == 3 && (strcmp(argv[1], "use") == 0
                      || strcmp(argv[1], "other-device") == 0)) {
        token_len = read_file(argv[2], token, sizeof(token));
        aes_test_init(&t, "aes_secure_key");
        if (strcmp(argv[1], "use") == 0) {
            use_token(&t, token, token_len);
            use_label(&t, token, token_len);
        } else
            other_device(&t, token, token_len);
        return aes_test_finish(&t);
    }
    fprintf(stderr, "Usage: %s generate FILE | use FILE | import | "
            "other-device FILE\n", argv[0]);
    return 2;
}
