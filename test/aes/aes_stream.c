/*
 * aes_stream: streaming through the ibm4767 provider gives the same bytes
 * as the default provider.  For ECB and CBC (padding on), CTR and GCM,
 * each message is encrypted and decrypted
 *   - in many small updates of 0 to 37 bytes, so that most end inside a
 *     block and some are empty;
 *   - in one update of several MiB, which the backend sends to the device
 *     as a chain of bounded pieces;
 *   - in place (output buffer = input buffer), in updates of whole blocks
 *     for ECB and CBC and of odd sizes for CTR and GCM;
 * and the IV a CBC or CTR context reports afterwards ("updated-iv") equals
 * the default provider's.  Over transport cca, which has no CTR, the
 * AES-192 cipher runs in the mode AES_CCA_MODE names (aes_test_cca.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include "aes_test.h"
#include "aes_test_cca.h"

#define SMALL_LEN (100u * 1024u + 7u)
#define LARGE_LEN (5u * 1024u * 1024u + 3u)

enum piece_pattern {
    PIECES_SMALL,        /* 0..37 bytes each */
    PIECES_ONE,          /* everything at once */
    PIECES_IN_PLACE,     /* out == in; whole blocks for ECB and CBC */
};

struct message {
    const char *cipher;
    int aead;
    int block;           /* ECB, CBC: padding and whole-block in place */
    unsigned char key[32];
    unsigned char iv[16];
    unsigned char aad[40];
};

static size_t piece_len(enum piece_pattern p, const struct message *m,
                        size_t left, unsigned int *seed)
{
    size_t n;

    switch (p) {
    case PIECES_SMALL:
        n = (size_t)(rand_r(seed) % 38);
        break;
    case PIECES_IN_PLACE:
        n = m->block ? 16 * (1 + (size_t)(rand_r(seed) % 300))
                     : 1 + (size_t)(rand_r(seed) % 5000);
        break;
    default:
        n = left;
        break;
    }
    return n < left ? n : left;
}

/*
 * Run len bytes of in through cipher into out (room for len + 16); for
 * GCM, encrypting writes the tag and decrypting checks it.  Returns the
 * output length, or (size_t)-1 on failure.  In place, in is copied to out
 * first and the updates read and write out.
 */
static size_t run(struct aes_test *t, EVP_CIPHER *cipher,
                  const struct message *m, int enc, enum piece_pattern p,
                  const unsigned char *in, size_t len, unsigned char *out,
                  unsigned char tag[16], unsigned char updated_iv[16])
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    unsigned int seed = 4767;
    size_t in_off = 0, out_off = 0, result = (size_t)-1;
    int outl = 0;

    if (p == PIECES_IN_PLACE) {
        memcpy(out, in, len);
        in = out;
    }
    if (ctx == NULL || !EVP_CipherInit_ex2(ctx, cipher, m->key, m->iv, enc,
                                           NULL))
        goto err;
    if (m->aead && !EVP_CipherUpdate(ctx, NULL, &outl, m->aad,
                                     (int)sizeof(m->aad)))
        goto err;
    while (in_off < len) {
        size_t n = piece_len(p, m, len - in_off, &seed);

        if (!EVP_CipherUpdate(ctx, out + out_off, &outl, in + in_off, (int)n))
            goto err;
        in_off += n;
        out_off += (size_t)outl;
    }
    if (m->aead && !enc
        && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag))
        goto err;
    if (!EVP_CipherFinal_ex(ctx, out + out_off, &outl))
        goto err;
    out_off += (size_t)outl;
    if (m->aead && enc
        && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag))
        goto err;
    if (!m->aead && strstr(m->cipher, "ECB") == NULL
        && !EVP_CIPHER_CTX_get_updated_iv(ctx, updated_iv, 16))
        goto err;
    result = out_off;

err:
    if (result == (size_t)-1)
        aes_check(t, 0, "%s %s failed after %zu of %zu bytes", m->cipher,
                  enc ? "encryption" : "decryption", in_off, len);
    EVP_CIPHER_CTX_free(ctx);
    return result;
}

static const char *pattern_name(enum piece_pattern p)
{
    switch (p) {
    case PIECES_SMALL:
        return "small updates";
    case PIECES_IN_PLACE:
        return "in place";
    default:
        return "one update";
    }
}

static void check_stream(struct aes_test *t, struct message *m,
                         enum piece_pattern p, const unsigned char *msg,
                         size_t len)
{
    size_t cap = len + 32;
    unsigned char *ref = malloc(cap), *dev = malloc(cap), *back = malloc(cap);
    unsigned char tag_ref[16], tag_dev[16], iv_ref[16] = { 0 };
    unsigned char iv_dev[16] = { 0 };
    EVP_CIPHER *c_dev = aes_test_fetch(t, m->cipher, 1);
    EVP_CIPHER *c_ref = aes_test_fetch(t, m->cipher, 0);
    size_t ref_len, dev_len, back_len;
    char what[128];

    if (ref == NULL || dev == NULL || back == NULL) {
        fprintf(stderr, "out of memory for %zu-byte buffers\n", cap);
        exit(AES_TEST_EXIT_ERROR);
    }
    snprintf(what, sizeof(what), "%s, %zu bytes, %s", m->cipher, len,
             pattern_name(p));

    ref_len = run(t, c_ref, m, 1, PIECES_ONE, msg, len, ref, tag_ref, iv_ref);
    dev_len = run(t, c_dev, m, 1, p, msg, len, dev, tag_dev, iv_dev);
    if (ref_len == (size_t)-1 || dev_len == (size_t)-1)
        goto done;
    aes_check_equal(t, dev, dev_len, ref, ref_len,
                    "ciphertext equals the default provider's");
    if (m->aead)
        aes_check_equal(t, tag_dev, 16, tag_ref, 16,
                        "tag equals the default provider's");
    else if (!m->block || strstr(m->cipher, "CBC") != NULL)
        aes_check_equal(t, iv_dev, 16, iv_ref, 16,
                        "updated IV equals the default provider's");

    back_len = run(t, c_dev, m, 0, p, ref, ref_len, back, tag_ref, iv_dev);
    if (back_len != (size_t)-1)
        aes_check_equal(t, back, back_len, msg, len,
                        "decryption gives the message back");
    printf("   (%s)\n", what);

done:
    EVP_CIPHER_free(c_dev);
    EVP_CIPHER_free(c_ref);
    free(ref);
    free(dev);
    free(back);
}

int main(void)
{
    static const char *const ciphers[] = {
        "AES-128-ECB", "AES-256-CBC", "AES-192-CTR", "AES-256-GCM",
    };
    struct aes_test t;
    unsigned char *msg;

    aes_test_init(&t, "aes_stream");
    msg = malloc(LARGE_LEN);
    if (msg == NULL) {
        fprintf(stderr, "out of memory for the %u-byte message\n", LARGE_LEN);
        return AES_TEST_EXIT_ERROR;
    }
    aes_test_random(&t, msg, LARGE_LEN);

    for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++) {
        struct message m;
        char name[32];

        memset(&m, 0, sizeof(m));
        m.cipher = aes_test_ctr_cipher(&t, ciphers[i], name, sizeof(name));
        m.aead = strstr(m.cipher, "GCM") != NULL;
        m.block = strstr(m.cipher, "ECB") != NULL
                  || strstr(m.cipher, "CBC") != NULL;
        aes_test_random(&t, m.key, sizeof(m.key));
        aes_test_random(&t, m.iv, sizeof(m.iv));
        aes_test_random(&t, m.aad, sizeof(m.aad));
        /* A CTR counter block that carries into its upper bytes. */
        if (strstr(m.cipher, "CTR") != NULL)
            memset(m.iv + 8, 0xFF, 8);

        check_stream(&t, &m, PIECES_SMALL, msg, SMALL_LEN);
        check_stream(&t, &m, PIECES_ONE, msg, LARGE_LEN);
        check_stream(&t, &m, PIECES_IN_PLACE, msg, SMALL_LEN * 3);
    }
    free(msg);
    return aes_test_finish(&t);
}
