/*
 * aes_gcm_evp: AES-GCM through EVP on the ibm4767 provider.  For every key
 * size, several tag lengths, IV lengths and AAD sizes (up to 700 KB), the
 * provider's ciphertext and tag equal the default provider's and decrypt
 * back.  A
 * changed tag, AAD, ciphertext or IV makes the final call fail, so no
 * result is taken as valid.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "aes_test.h"

#define MSG_MAX 3000

struct gcm_case {
    size_t key_len;
    size_t iv_len;
    size_t aad_len;
    size_t msg_len;
    size_t tag_len;
};

static const struct gcm_case cases[] = {
    { 16, 12, 0, 0, 16 },
    { 16, 12, 20, 64, 16 },
    { 24, 12, 13, 100, 12 },
    { 32, 12, 0, 1, 4 },
    { 32, 12, 100, 1000, 8 },
    { 32, 16, 33, 2999, 13 },
    { 16, 1, 5, 17, 16 },
    { 32, 64, 300, 500, 15 },
    { 24, 128, 1, 31, 14 },
};

struct gcm_data {
    unsigned char key[32];
    unsigned char iv[128];
    unsigned char aad[300];
    unsigned char msg[MSG_MAX];
};

/* Encrypt with AAD in two pieces and the message in pieces of step
 * bytes; returns 1 and fills ct and tag (tag_len bytes). */
static int gcm_encrypt(struct aes_test *t, EVP_CIPHER *cipher,
                       const struct gcm_case *c, const struct gcm_data *d,
                       size_t step, unsigned char *ct, unsigned char *tag)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    OSSL_PARAM params[2];
    size_t ivlen = c->iv_len, off = 0;
    int outl = 0, ok = 0;

    params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN,
                                            &ivlen);
    params[1] = OSSL_PARAM_construct_end();
    if (ctx == NULL || !EVP_EncryptInit_ex2(ctx, cipher, NULL, NULL, params)
        || !EVP_EncryptInit_ex2(ctx, NULL, d->key, d->iv, NULL))
        goto err;
    if (c->aad_len > 0
        && (!EVP_EncryptUpdate(ctx, NULL, &outl, d->aad, (int)(c->aad_len / 2))
            || !EVP_EncryptUpdate(ctx, NULL, &outl, d->aad + c->aad_len / 2,
                                  (int)(c->aad_len - c->aad_len / 2))))
        goto err;
    while (off < c->msg_len) {
        size_t n = c->msg_len - off < step ? c->msg_len - off : step;

        if (!EVP_EncryptUpdate(ctx, ct + off, &outl, d->msg + off, (int)n)
            || (size_t)outl != n)
            goto err;
        off += n;
    }
    if (!EVP_EncryptFinal_ex(ctx, ct + off, &outl) || outl != 0
        || !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)c->tag_len,
                                tag))
        goto err;
    ok = 1;

err:
    EVP_CIPHER_CTX_free(ctx);
    (void)t;
    return ok;
}

/* Decrypt; returns 1 only when the final call accepts the tag. */
static int gcm_decrypt(EVP_CIPHER *cipher, const struct gcm_case *c,
                       const struct gcm_data *d, const unsigned char *ct,
                       const unsigned char *tag, unsigned char *pt)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    OSSL_PARAM params[2];
    size_t ivlen = c->iv_len;
    int outl = 0, ok = 0;

    /* Only this call's errors are left for the checks that follow. */
    ERR_clear_error();
    params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN,
                                            &ivlen);
    params[1] = OSSL_PARAM_construct_end();
    if (ctx == NULL || !EVP_DecryptInit_ex2(ctx, cipher, NULL, NULL, params)
        || !EVP_DecryptInit_ex2(ctx, NULL, d->key, d->iv, NULL))
        goto err;
    if (c->aad_len > 0
        && !EVP_DecryptUpdate(ctx, NULL, &outl, d->aad, (int)c->aad_len))
        goto err;
    if (c->msg_len > 0
        && !EVP_DecryptUpdate(ctx, pt, &outl, ct, (int)c->msg_len))
        goto err;
    if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)c->tag_len,
                             (void *)tag))
        goto err;
    ok = EVP_DecryptFinal_ex(ctx, pt + c->msg_len, &outl) == 1;

err:
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static void run_case(struct aes_test *t, const struct gcm_case *c)
{
    static struct gcm_data d;
    static unsigned char ct_dev[MSG_MAX], ct_ref[MSG_MAX], pt[MSG_MAX];
    unsigned char tag_dev[16], tag_ref[16], bad_tag[16];
    char name[32], what[160];
    EVP_CIPHER *dev, *ref;
    int ok;

    snprintf(name, sizeof(name), "AES-%zu-GCM", c->key_len * 8);
    snprintf(what, sizeof(what), "%s iv %zu, aad %zu, msg %zu, tag %zu", name,
             c->iv_len, c->aad_len, c->msg_len, c->tag_len);
    dev = aes_test_fetch(t, name, 1);
    ref = aes_test_fetch(t, name, 0);
    aes_test_random(t, (unsigned char *)&d, sizeof(d));

    ok = aes_check(t, gcm_encrypt(t, ref, c, &d, c->msg_len + 1, ct_ref,
                                  tag_ref), "%s: default provider encrypts",
                   what);
    ok &= aes_check(t, gcm_encrypt(t, dev, c, &d, 7, ct_dev, tag_dev),
                    "%s: ibm4767 encrypts in 7-byte updates", what);
    if (!ok)
        goto done;
    aes_check_equal(t, ct_dev, c->msg_len, ct_ref, c->msg_len,
                    "ciphertext equals the default provider's");
    aes_check_equal(t, tag_dev, c->tag_len, tag_ref, c->tag_len,
                    "tag equals the default provider's");

    memset(pt, 0, sizeof(pt));
    aes_check(t, gcm_decrypt(dev, c, &d, ct_ref, tag_ref, pt),
              "%s: ibm4767 decrypts the default provider's output", what);
    aes_check_equal(t, pt, c->msg_len, d.msg, c->msg_len,
                    "plaintext is the original");

    memcpy(bad_tag, tag_ref, sizeof(bad_tag));
    bad_tag[c->tag_len - 1] ^= 0x01;
    aes_check(t, !gcm_decrypt(dev, c, &d, ct_ref, bad_tag, pt),
              "%s: a changed tag fails", what);
    aes_check_error(t, "tag does not match", "the error names the tag");

    if (c->msg_len > 0) {
        ct_ref[c->msg_len / 2] ^= 0x80;
        aes_check(t, !gcm_decrypt(dev, c, &d, ct_ref, tag_ref, pt),
                  "%s: a changed ciphertext fails", what);
        ct_ref[c->msg_len / 2] ^= 0x80;
    }
    if (c->aad_len > 0) {
        d.aad[0] ^= 0x01;
        aes_check(t, !gcm_decrypt(dev, c, &d, ct_ref, tag_ref, pt),
                  "%s: a changed AAD fails", what);
        d.aad[0] ^= 0x01;
    }
    d.iv[0] ^= 0x01;
    aes_check(t, !gcm_decrypt(dev, c, &d, ct_ref, tag_ref, pt),
              "%s: a changed IV fails", what);

done:
    EVP_CIPHER_free(dev);
    EVP_CIPHER_free(ref);
}

/* Encrypt with AAD given in updates of aad_step bytes; 1 on success. */
static int gcm_large_aad_encrypt(EVP_CIPHER *cipher, const unsigned char *key,
                                 const unsigned char *iv,
                                 const unsigned char *aad, size_t aad_len,
                                 size_t aad_step, const unsigned char *msg,
                                 size_t msg_len, unsigned char *ct,
                                 unsigned char tag[16])
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    size_t off = 0;
    int outl = 0, ok = 0;

    if (ctx == NULL || !EVP_EncryptInit_ex2(ctx, cipher, key, iv, NULL))
        goto err;
    while (off < aad_len) {
        size_t n = aad_len - off < aad_step ? aad_len - off : aad_step;

        if (!EVP_EncryptUpdate(ctx, NULL, &outl, aad + off, (int)n))
            goto err;
        off += n;
    }
    ok = EVP_EncryptUpdate(ctx, ct, &outl, msg, (int)msg_len)
         && EVP_EncryptFinal_ex(ctx, ct + outl, &outl)
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag);

err:
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* AAD longer than one device request (256 KiB) goes to the device in
 * pieces, from one update and from many. */
static void large_aad(struct aes_test *t)
{
    enum { AAD_LEN = 700001, MSG_LEN = 1000 };
    EVP_CIPHER *dev = aes_test_fetch(t, "AES-256-GCM", 1);
    EVP_CIPHER *ref = aes_test_fetch(t, "AES-256-GCM", 0);
    unsigned char key[32], iv[12], msg[MSG_LEN], ct_ref[MSG_LEN];
    unsigned char ct_dev[MSG_LEN], tag_ref[16], tag_dev[16];
    unsigned char *aad = malloc(AAD_LEN);

    if (aad == NULL)
        exit(AES_TEST_EXIT_ERROR);
    aes_test_random(t, key, sizeof(key));
    aes_test_random(t, iv, sizeof(iv));
    aes_test_random(t, msg, sizeof(msg));
    aes_test_random(t, aad, AAD_LEN);

    aes_check(t, gcm_large_aad_encrypt(ref, key, iv, aad, AAD_LEN, AAD_LEN,
                                       msg, MSG_LEN, ct_ref, tag_ref),
              "AES-256-GCM: default provider encrypts with %d bytes of AAD",
              AAD_LEN);
    aes_check(t, gcm_large_aad_encrypt(dev, key, iv, aad, AAD_LEN, AAD_LEN,
                                       msg, MSG_LEN, ct_dev, tag_dev),
              "AES-256-GCM: ibm4767 encrypts with the AAD in one update");
    aes_check_equal(t, ct_dev, MSG_LEN, ct_ref, MSG_LEN,
                    "ciphertext equals the default provider's");
    aes_check_equal(t, tag_dev, 16, tag_ref, 16,
                    "tag equals the default provider's");

    aes_check(t, gcm_large_aad_encrypt(dev, key, iv, aad, AAD_LEN, 4093,
                                       msg, MSG_LEN, ct_dev, tag_dev),
              "AES-256-GCM: ibm4767 encrypts with the AAD in 4093-byte "
              "updates");
    aes_check_equal(t, tag_dev, 16, tag_ref, 16,
                    "tag equals the default provider's");
    free(aad);
    EVP_CIPHER_free(dev);
    EVP_CIPHER_free(ref);
}

/* The IV of a finished message cannot encrypt a second one. */
static void iv_reuse_rejected(struct aes_test *t)
{
    EVP_CIPHER *dev = aes_test_fetch(t, "AES-128-GCM", 1);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    unsigned char key[16] = { 0 }, iv[12] = { 0 }, buf[16] = { 0 };
    int outl = 0;

    aes_check(t, ctx != NULL && EVP_EncryptInit_ex2(ctx, dev, key, iv, NULL)
                     && EVP_EncryptUpdate(ctx, buf, &outl, buf, 16)
                     && EVP_EncryptFinal_ex(ctx, buf, &outl),
              "AES-128-GCM: first message encrypts");
    aes_check(t, !EVP_EncryptUpdate(ctx, buf, &outl, buf, 16),
              "AES-128-GCM: a second message under the same IV is refused");
    aes_check_error(t, "new IV", "the error asks for a new IV");
    aes_check(t, EVP_EncryptInit_ex2(ctx, NULL, NULL, iv, NULL)
                     && EVP_EncryptUpdate(ctx, buf, &outl, buf, 16),
              "AES-128-GCM: an init call with an IV starts a new message");
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(dev);
}

int main(void)
{
    struct aes_test t;

    aes_test_init(&t, "aes_gcm_evp");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&t, &cases[i]);
    large_aad(&t);
    iv_reuse_rejected(&t);
    return aes_test_finish(&t);
}
