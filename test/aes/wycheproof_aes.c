/*
 * wycheproof_aes: the Wycheproof AES-GCM and AES-CBC-PKCS5 vectors through
 * a provider, with the shared runner of test/wycheproof/.
 *
 * A valid case must decrypt to its message and encrypt to its ciphertext
 * (and tag); an invalid case must fail to decrypt.  GCM groups whose IV is
 * longer than the provider accepts (OpenSSL's default provider takes at
 * most 128 bytes) are skipped and reported as such.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <ibm4767/protocol.h>

#include "../wycheproof/wycheproof.h"

/* OpenSSL 3.0's GCM keeps the IV in a 128-byte buffer. */
#define DEFAULT_GCM_IV_MAX 128

/* The vector fields of one AES test case. */
struct aes_case {
    struct wp_bytes key;
    struct wp_bytes iv;
    struct wp_bytes aad;
    struct wp_bytes msg;
    struct wp_bytes ct;
    struct wp_bytes tag;
};

static void case_free(struct aes_case *c)
{
    wp_bytes_free(&c->key);
    wp_bytes_free(&c->iv);
    wp_bytes_free(&c->aad);
    wp_bytes_free(&c->msg);
    wp_bytes_free(&c->ct);
    wp_bytes_free(&c->tag);
}

static int case_read(const json_t *test, int aead, struct aes_case *c,
                     char *what, size_t what_len)
{
    memset(c, 0, sizeof(*c));
    if (!wp_json_hex(test, "key", &c->key, what, what_len)
        || !wp_json_hex(test, "iv", &c->iv, what, what_len)
        || !wp_json_hex(test, "msg", &c->msg, what, what_len)
        || !wp_json_hex(test, "ct", &c->ct, what, what_len))
        return 0;
    if (aead && (!wp_json_hex(test, "aad", &c->aad, what, what_len)
                 || !wp_json_hex(test, "tag", &c->tag, what, what_len)))
        return 0;
    return 1;
}

static EVP_CIPHER *fetch(const struct wp_group *g, const char *mode,
                         size_t key_len, char *what, size_t what_len)
{
    const struct wp_runner *r = g->file->runner;
    char name[32];
    EVP_CIPHER *cipher;

    snprintf(name, sizeof(name), "AES-%zu-%s", key_len * 8, mode);
    cipher = EVP_CIPHER_fetch(r->libctx, name, r->propq);
    if (cipher == NULL)
        wp_take_errors(what, what_len, name);
    return cipher;
}

/*
 * Run one message; for GCM, encryption writes the tag into tag and
 * decryption checks c->tag.  Returns the output length, or -1 when the
 * provider refused (its errors are then in what).
 */
static int crypt_message(EVP_CIPHER *cipher, int enc, int aead,
                 const struct aes_case *c, const struct wp_bytes *in,
                 unsigned char *out, unsigned char *tag, char *what,
                 size_t what_len)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
    size_t ivlen = c->iv.len;
    int outl = 0, finl = 0, ret = -1;

    if (aead)
        params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN,
                                                &ivlen);
    if (ctx == NULL || !EVP_CipherInit_ex2(ctx, cipher, NULL, NULL, enc,
                                           params)
        || !EVP_CipherInit_ex2(ctx, NULL, c->key.data, c->iv.data, enc, NULL))
        goto err;
    if (aead && c->aad.len > 0
        && !EVP_CipherUpdate(ctx, NULL, &outl, c->aad.data, (int)c->aad.len))
        goto err;
    if (!EVP_CipherUpdate(ctx, out, &outl, in->data, (int)in->len))
        goto err;
    if (aead && !enc
        && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)c->tag.len,
                                c->tag.data))
        goto err;
    if (!EVP_CipherFinal_ex(ctx, out + outl, &finl))
        goto err;
    if (aead && enc
        && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)c->tag.len,
                                tag))
        goto err;
    ret = outl + finl;

err:
    if (ret < 0)
        wp_take_errors(what, what_len, enc ? "encryption" : "decryption");
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

static int same(const unsigned char *got, int got_len,
                const struct wp_bytes *want)
{
    return got_len >= 0 && (size_t)got_len == want->len
           && (want->len == 0 || memcmp(got, want->data, want->len) == 0);
}

/* Decrypt, then (when that succeeds) encrypt and compare both ways. */
static enum wp_outcome run_case(struct wp_group *g, const json_t *test,
                                const char *mode, int aead, char *what,
                                size_t what_len)
{
    struct aes_case c;
    EVP_CIPHER *cipher = NULL;
    unsigned char *buf = NULL;
    unsigned char tag[16];
    enum wp_outcome outcome = WP_OUTCOME_ERROR;
    int n;

    if (!case_read(test, aead, &c, what, what_len))
        goto err;
    cipher = fetch(g, mode, c.key.len, what, what_len);
    buf = OPENSSL_malloc(c.msg.len + c.ct.len + 32);
    if (cipher == NULL || buf == NULL) {
        outcome = cipher == NULL ? WP_OUTCOME_REJECTED : WP_OUTCOME_ERROR;
        goto err;
    }

    n = crypt_message(cipher, 0, aead, &c, &c.ct, buf, NULL, what, what_len);
    if (n < 0) {
        outcome = WP_OUTCOME_REJECTED;
        goto err;
    }
    if (!same(buf, n, &c.msg)) {
        wp_describe_mismatch(what, what_len, buf, (size_t)n, &c.msg);
        outcome = WP_OUTCOME_MISMATCH;
        goto err;
    }

    n = crypt_message(cipher, 1, aead, &c, &c.msg, buf, tag, what, what_len);
    if (n < 0) {
        outcome = WP_OUTCOME_REJECTED;
        goto err;
    }
    if (!same(buf, n, &c.ct)) {
        wp_describe_mismatch(what, what_len, buf, (size_t)n, &c.ct);
        outcome = WP_OUTCOME_MISMATCH;
        goto err;
    }
    if (aead && !same(tag, (int)c.tag.len, &c.tag)) {
        wp_describe_mismatch(what, what_len, tag, c.tag.len, &c.tag);
        outcome = WP_OUTCOME_MISMATCH;
        goto err;
    }
    outcome = WP_OUTCOME_SUCCESS;

err:
    OPENSSL_free(buf);
    EVP_CIPHER_free(cipher);
    case_free(&c);
    return outcome;
}

static enum wp_setup gcm_setup(struct wp_group *g, char *what,
                               size_t what_len)
{
    long iv_bits = 0;
    size_t limit = g->file->runner->device ? IBM4767_SYM_IV_MAX
                                           : DEFAULT_GCM_IV_MAX;

    if (!wp_json_long(g->json, "ivSize", &iv_bits)) {
        snprintf(what, what_len, "group has no ivSize");
        return WP_SETUP_ERROR;
    }
    if ((size_t)iv_bits / 8 > limit) {
        snprintf(what, what_len, "IV of %ld bytes is longer than the %zu "
                 "bytes provider %s accepts", iv_bits / 8, limit,
                 g->file->runner->provider_name);
        return WP_SETUP_SKIP;
    }
    return WP_SETUP_READY;
}

static enum wp_setup cbc_setup(struct wp_group *g, char *what,
                               size_t what_len)
{
    return WP_SETUP_READY;
}

static enum wp_outcome gcm_run(struct wp_group *g, const json_t *test,
                               char *what, size_t what_len)
{
    return run_case(g, test, "GCM", 1, what, what_len);
}

static enum wp_outcome cbc_run(struct wp_group *g, const json_t *test,
                               char *what, size_t what_len)
{
    return run_case(g, test, "CBC", 0, what, what_len);
}

/* The ciphers are fetched with the runner's property query, so the
 * provider under test does the work; no key leaves it either way. */
static const struct wp_family gcm_family = {
    .schema = "aead_test_schema_v1.json",
    .group_type = "AeadTest",
    .setup = gcm_setup,
    .run = gcm_run,
};

static const struct wp_family cbc_family = {
    .schema = "ind_cpa_test_schema_v1.json",
    .group_type = "IndCpaTest",
    .setup = cbc_setup,
    .run = cbc_run,
};

int main(int argc, char **argv)
{
    static const struct wp_family *const families[] = {
        &gcm_family, &cbc_family,
    };
    static const char *const files[] = {
        "aes_gcm_test.json",
        "aes_cbc_pkcs5_test.json",
    };
    static const struct wp_program program = {
        "wycheproof_aes",
        families, sizeof(families) / sizeof(families[0]),
        files, sizeof(files) / sizeof(files[0]),
    };

    return wp_main(&program, argc, argv);
}
