/*
 * aes_bad_input: the ibm4767 ciphers reject bad input with an error that
 * names the problem, and return no output as if they had succeeded.  The
 * cases: a wrong key or IV length, a bad or missing GCM tag, a truncated
 * or badly padded CBC ciphertext, a partial block with padding off, a
 * clear key and a key token together, a missing key, an invalid key token
 * and the TLS 1.2 record-layer controls.  The key checks use AES-128-CTR,
 * and over transport cca, which has no CTR, the AES-128 cipher of the mode
 * AES_CCA_MODE names (aes_test_cca.h).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <ibm4767/protocol.h>

#include "aes_test.h"
#include "aes_test_cca.h"

static EVP_CIPHER_CTX *new_ctx(void)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

    if (ctx == NULL)
        exit(AES_TEST_EXIT_ERROR);
    return ctx;
}

static void wrong_key_length(struct aes_test *t)
{
    EVP_CIPHER *c = aes_test_fetch(t, "AES-256-CBC", 1);
    EVP_CIPHER_CTX *ctx = new_ctx();

    aes_check(t, EVP_EncryptInit_ex2(ctx, c, NULL, NULL, NULL),
              "AES-256-CBC: init without a key");
    aes_check(t, !EVP_CIPHER_CTX_set_key_length(ctx, 17),
              "AES-256-CBC: a 17-byte key length is rejected");
    aes_check_error(t, "fixed key length", "the error names the key length");
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
}

static void wrong_iv_length(struct aes_test *t)
{
    EVP_CIPHER *cbc = aes_test_fetch(t, "AES-128-CBC", 1);
    EVP_CIPHER *gcm = aes_test_fetch(t, "AES-128-GCM", 1);
    EVP_CIPHER_CTX *ctx = new_ctx();
    size_t ivlen = 12;
    OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };

    params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_IVLEN, &ivlen);
    aes_check(t, !EVP_EncryptInit_ex2(ctx, cbc, NULL, NULL, params),
              "AES-128-CBC: a 12-byte IV length is rejected");
    aes_check_error(t, "IV length", "the error names the IV length");

    ivlen = 0;
    aes_check(t, !EVP_EncryptInit_ex2(ctx, gcm, NULL, NULL, params),
              "AES-128-GCM: a 0-byte IV length is rejected");
    aes_check_error(t, "IV length 0 is invalid", "the error names the IV length");
    ivlen = IBM4767_SYM_IV_MAX + 1;
    aes_check(t, !EVP_EncryptInit_ex2(ctx, gcm, NULL, NULL, params),
              "AES-128-GCM: a %zu-byte IV length is rejected", ivlen);
    aes_check_error(t, "is invalid: use 1 to", "the error names the IV");
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cbc);
    EVP_CIPHER_free(gcm);
}

static void gcm_tag_problems(struct aes_test *t)
{
    EVP_CIPHER *gcm = aes_test_fetch(t, "AES-256-GCM", 1);
    EVP_CIPHER_CTX *ctx = new_ctx();
    unsigned char key[32] = { 7 }, iv[12] = { 9 }, buf[64] = { 0 };
    unsigned char ct[64], tag[16];
    int outl = 0;

    aes_check(t, EVP_EncryptInit_ex2(ctx, gcm, key, iv, NULL)
                     && EVP_EncryptUpdate(ctx, ct, &outl, buf, sizeof(buf))
                     && EVP_EncryptFinal_ex(ctx, ct, &outl)
                     && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16,
                                            tag),
              "AES-256-GCM: a message encrypts");
    aes_check(t, !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 2, tag),
              "AES-256-GCM: a 2-byte tag is not handed out");
    aes_check_error(t, "4 to 16", "the error names the tag lengths");

    aes_check(t, EVP_DecryptInit_ex2(ctx, gcm, key, iv, NULL),
              "AES-256-GCM: decryption starts");
    aes_check(t, !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 3, tag),
              "AES-256-GCM: a 3-byte expected tag is rejected");
    aes_check_error(t, "4 to 16", "the error names the tag lengths");

    outl = -1;
    aes_check(t, EVP_DecryptUpdate(ctx, buf, &outl, ct, sizeof(ct))
                     && outl == (int)sizeof(ct),
              "AES-256-GCM: the ciphertext decrypts before the tag check");
    outl = -1;
    aes_check(t, !EVP_DecryptFinal_ex(ctx, buf, &outl) && outl == 0,
              "AES-256-GCM: the final call without a tag fails with no "
              "output");
    aes_check_error(t, "no tag", "the error says the tag is missing");

    aes_check(t, EVP_DecryptInit_ex2(ctx, gcm, key, iv, NULL)
                     && EVP_DecryptUpdate(ctx, buf, &outl, ct, sizeof(ct)),
              "AES-256-GCM: decryption starts again");
    tag[0] ^= 0x40;
    outl = -1;
    aes_check(t, EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag)
                     && !EVP_DecryptFinal_ex(ctx, buf, &outl) && outl == 0,
              "AES-256-GCM: a wrong tag fails the final call with no output");
    aes_check_error(t, "tag does not match", "the error names the tag");
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(gcm);
}

/* Encrypt 32 zero bytes with padding: 48 bytes of ciphertext. */
static int cbc_encrypt(EVP_CIPHER *cbc, const unsigned char *key,
                       const unsigned char *iv, unsigned char ct[48])
{
    EVP_CIPHER_CTX *ctx = new_ctx();
    unsigned char zero[32] = { 0 };
    int outl = 0, finl = 0, ok;

    ok = EVP_EncryptInit_ex2(ctx, cbc, key, iv, NULL)
         && EVP_EncryptUpdate(ctx, ct, &outl, zero, sizeof(zero))
         && EVP_EncryptFinal_ex(ctx, ct + outl, &finl) && outl + finl == 48;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* Decrypt len bytes; *total gets update plus final output. */
static int cbc_decrypt(EVP_CIPHER *cbc, const unsigned char *key,
                       const unsigned char *iv, const unsigned char *ct,
                       int len, int *total)
{
    EVP_CIPHER_CTX *ctx = new_ctx();
    unsigned char pt[64];
    int outl = 0, finl = 0, ok;

    ok = EVP_DecryptInit_ex2(ctx, cbc, key, iv, NULL)
         && EVP_DecryptUpdate(ctx, pt, &outl, ct, len);
    ok = ok && EVP_DecryptFinal_ex(ctx, pt + outl, &finl);
    *total = outl + finl;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static void cbc_truncated(struct aes_test *t)
{
    EVP_CIPHER *cbc = aes_test_fetch(t, "AES-128-CBC", 1);
    unsigned char key[16] = { 1 }, iv[16] = { 2 }, ct[48];
    int total = 0;

    if (!aes_check(t, cbc_encrypt(cbc, key, iv, ct),
                   "AES-128-CBC: 32 bytes encrypt to 48 with padding"))
        goto done;
    aes_check(t, cbc_decrypt(cbc, key, iv, ct, 48, &total) && total == 32,
              "AES-128-CBC: the whole ciphertext decrypts to 32 bytes");

    aes_check(t, !cbc_decrypt(cbc, key, iv, ct, 47, &total),
              "AES-128-CBC: a ciphertext one byte short fails");
    aes_check_error(t, "not a whole number of 16-byte blocks",
                    "the error names the block length");
    /* Without its padding block the last block holds zeros: no padding. */
    aes_check(t, !cbc_decrypt(cbc, key, iv, ct, 32, &total) && total == 16,
              "AES-128-CBC: a ciphertext one block short fails in the final "
              "call, which returns nothing");
    aes_check_error(t, "invalid padding", "the error names the padding");

done:
    EVP_CIPHER_free(cbc);
}

static void ecb_partial_block_without_padding(struct aes_test *t)
{
    EVP_CIPHER *ecb = aes_test_fetch(t, "AES-192-ECB", 1);
    EVP_CIPHER_CTX *ctx = new_ctx();
    unsigned char key[24] = { 3 }, buf[32] = { 0 }, out[48];
    int outl = -1;

    aes_check(t, EVP_EncryptInit_ex2(ctx, ecb, key, NULL, NULL)
                     && EVP_CIPHER_CTX_set_padding(ctx, 0)
                     && EVP_EncryptUpdate(ctx, out, &outl, buf, 20)
                     && outl == 16,
              "AES-192-ECB: 20 bytes give one block with padding off");
    outl = -1;
    aes_check(t, !EVP_EncryptFinal_ex(ctx, out, &outl) && outl == 0,
              "AES-192-ECB: the final call with 4 bytes left fails");
    aes_check_error(t, "whole 16-byte blocks", "the error names the blocks");
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(ecb);
}

static void key_problems(struct aes_test *t)
{
    char name[32];
    const char *cipher = aes_test_ctr_cipher(t, "AES-128-CTR", name,
                                             sizeof(name));
    EVP_CIPHER *ctr = aes_test_fetch(t, cipher, 1);
    EVP_CIPHER_CTX *ctx = new_ctx();
    unsigned char key[16] = { 5 }, iv[16] = { 0 }, buf[16] = { 0 };
    unsigned char junk[100] = { 0x01, 0x00, 0x00, 0x64, 0x05 };
    OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
    int outl = 0;

    params[0] = OSSL_PARAM_construct_octet_string("ibm4767-key-token", junk,
                                                  sizeof(junk));
    aes_check(t, !EVP_EncryptInit_ex2(ctx, ctr, key, iv, params),
              "%s: a clear key and a key token together are rejected",
              cipher);
    aes_check_error(t, "both a clear key and a secure key",
                    "the error names both keys");

    aes_check(t, !EVP_EncryptInit_ex2(ctx, ctr, NULL, iv, params),
              "%s: an invalid key token is rejected", cipher);
    aes_check_error(t, "not a usable AES key token",
                    "the error names the token");

    aes_check(t, EVP_EncryptInit_ex2(ctx, ctr, NULL, iv, NULL),
              "%s: init without a key", cipher);
    aes_check(t, !EVP_EncryptUpdate(ctx, buf, &outl, buf, sizeof(buf)),
              "%s: an update without a key fails", cipher);
    aes_check_error(t, "has no key", "the error says the key is missing");
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(ctr);
}

static void tls_controls_rejected(struct aes_test *t)
{
    EVP_CIPHER *gcm = aes_test_fetch(t, "AES-128-GCM", 1);
    EVP_CIPHER_CTX *ctx = new_ctx();
    unsigned char key[16] = { 0 }, fixed[4] = { 0 };

    aes_check(t, EVP_EncryptInit_ex2(ctx, gcm, key, NULL, NULL),
              "AES-128-GCM: init with a key");
    aes_check(t, EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IV_FIXED,
                                     sizeof(fixed), fixed) <= 0,
              "AES-128-GCM: the TLS fixed-IV control is rejected");
    aes_check_error(t, "TLS record-layer", "the error names TLS");
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(gcm);
}

int main(void)
{
    struct aes_test t;

    aes_test_init(&t, "aes_bad_input");
    wrong_key_length(&t);
    wrong_iv_length(&t);
    gcm_tag_problems(&t);
    cbc_truncated(&t);
    ecb_partial_block_without_padding(&t);
    key_problems(&t);
    tls_controls_rejected(&t);
    return aes_test_finish(&t);
}
