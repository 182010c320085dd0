/*
 * The benchmark's operations and the per-thread state that runs one of
 * them.  Every operation goes through EVP.  A thread sets up its context
 * once (as a server keeps its key context) and then repeats only the
 * operation itself.  That is a signature over a fixed digest, a decryption
 * of a fixed ciphertext, a derivation with a fixed peer, or an AES-GCM
 * encryption of a fixed buffer under a new IV each time.
 */
#include <config.h>

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "bench.h"

#define KIB 1024u

const struct bench_op bench_ops[] = {
    { "rsa2048-pkcs1", "RSA-2048 sign, PKCS#1 v1.5, SHA-256", BENCH_SIGN,
      BENCH_KEY_RSA2048, 0, "SHA256", 0, "rsa-2048-private", 0 },
    { "rsa2048-pss", "RSA-2048 sign, PSS, SHA-256", BENCH_SIGN,
      BENCH_KEY_RSA2048, 1, "SHA256", 0, "rsa-2048-private", 0 },
    { "rsa3072-pkcs1", "RSA-3072 sign, PKCS#1 v1.5, SHA-256", BENCH_SIGN,
      BENCH_KEY_RSA3072, 0, "SHA256", 0, "rsa-3072-private", 0 },
    { "rsa3072-pss", "RSA-3072 sign, PSS, SHA-256", BENCH_SIGN,
      BENCH_KEY_RSA3072, 1, "SHA256", 0, "rsa-3072-private", 0 },
    { "rsa4096-pkcs1", "RSA-4096 sign, PKCS#1 v1.5, SHA-256", BENCH_SIGN,
      BENCH_KEY_RSA4096, 0, "SHA256", 0, "rsa-4096-private", 0 },
    { "rsa4096-pss", "RSA-4096 sign, PSS, SHA-256", BENCH_SIGN,
      BENCH_KEY_RSA4096, 1, "SHA256", 0, "rsa-4096-private", 0 },
    { "rsa2048-decrypt", "RSA-2048 decrypt, OAEP, SHA-256", BENCH_DECRYPT,
      BENCH_KEY_RSA2048, 0, "SHA256", 0, "rsa-2048-private", 0 },
    { "ecdsa-p256", "ECDSA P-256 sign, SHA-256", BENCH_SIGN, BENCH_KEY_P256,
      0, "SHA256", 0, "ec-p256-private", 0 },
    { "ecdsa-p384", "ECDSA P-384 sign, SHA-384", BENCH_SIGN, BENCH_KEY_P384,
      0, "SHA384", 0, "ec-p384-private", 0 },
    { "ecdh-p256", "ECDH P-256 derive", BENCH_DERIVE, BENCH_KEY_P256, 0,
      NULL, 0, "ec-p256-private", 0 },
    { "aes256gcm-16", "AES-256-GCM encrypt, 16 bytes", BENCH_CIPHER,
      BENCH_KEY_AES256, 0, NULL, 16, "aes-cipher", 0 },
    { "aes256gcm-1k", "AES-256-GCM encrypt, 1 KiB", BENCH_CIPHER,
      BENCH_KEY_AES256, 0, NULL, KIB, "aes-cipher", 0 },
    { "aes256gcm-16k", "AES-256-GCM encrypt, 16 KiB", BENCH_CIPHER,
      BENCH_KEY_AES256, 0, NULL, 16 * KIB, "aes-cipher", 0 },
    { "aes256gcm-1m", "AES-256-GCM encrypt, 1 MiB", BENCH_CIPHER,
      BENCH_KEY_AES256, 0, NULL, KIB * KIB, "aes-cipher", 0 },
    { "tls", "TLS 1.3 handshake, RSA-2048 server key, one per thread",
      BENCH_TLS, BENCH_KEY_RSA2048, 1, "SHA256", 0, "rsa-2048-private", 0 },
    { "tls-async", "TLS 1.3 handshake, SSL_MODE_ASYNC, all on one thread",
      BENCH_TLS_ASYNC, BENCH_KEY_RSA2048, 1, "SHA256", 0,
      "rsa-2048-private", 0 },
    { "label-read", "key record read by label, host record cache on",
      BENCH_LABEL_READ, BENCH_KEY_RSA2048, 0, NULL, 0, NULL, 0 },
    { "label-read-nocache", "key record read by label, host record cache "
      "off (as with CSUCACHE=N)", BENCH_LABEL_READ, BENCH_KEY_RSA2048, 0,
      NULL, 0, NULL, 1 },
};

const size_t bench_op_count = sizeof(bench_ops) / sizeof(bench_ops[0]);

const struct bench_op *bench_op_find(const char *name)
{
    for (size_t i = 0; i < bench_op_count; i++) {
        if (strcmp(bench_ops[i].name, name) == 0)
            return &bench_ops[i];
    }
    return NULL;
}

struct bench_worker {
    const struct bench_op *op;
    EVP_PKEY_CTX *pctx;
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *cctx;
    struct bench_tls *tls;
    struct bench_labels *labels;
    unsigned next_label;
    OSSL_PARAM key_params[2];     /* AES device key: the token */
    uint8_t digest[EVP_MAX_MD_SIZE];
    size_t digest_len;
    uint8_t *in;
    size_t in_len;
    uint8_t *out;
    size_t out_cap;
    uint8_t iv[12];
    uint64_t iv_counter;
};

/* Signature and decryption contexts take the padding and digest once. */
static int setup_rsa_params(struct bench_worker *w)
{
    const struct bench_op *op = w->op;

    if (op->kind == BENCH_DECRYPT)
        return EVP_PKEY_CTX_set_rsa_padding(w->pctx,
                                            RSA_PKCS1_OAEP_PADDING) > 0 &&
               EVP_PKEY_CTX_set_rsa_oaep_md_name(w->pctx, op->digest,
                                                 NULL) > 0;
    if (EVP_PKEY_CTX_set_signature_md(w->pctx, EVP_get_digestbyname(
                                                   op->digest)) <= 0)
        return 0;
    if (!op->pss)
        return EVP_PKEY_CTX_set_rsa_padding(w->pctx, RSA_PKCS1_PADDING) > 0;
    return EVP_PKEY_CTX_set_rsa_padding(w->pctx, RSA_PKCS1_PSS_PADDING) > 0
           && EVP_PKEY_CTX_set_rsa_pss_saltlen(w->pctx,
                                               RSA_PSS_SALTLEN_DIGEST) > 0;
}

static int setup_sign(struct bench_worker *w, EVP_PKEY *pkey)
{
    unsigned int len = 0;

    if (!EVP_Digest(BENCH_PROGRAM, sizeof(BENCH_PROGRAM) - 1, w->digest,
                    &len, EVP_get_digestbyname(w->op->digest), NULL))
        return 0;
    w->digest_len = len;
    w->out_cap = (size_t)EVP_PKEY_get_size(pkey);
    w->out = OPENSSL_malloc(w->out_cap);
    if (w->out == NULL || EVP_PKEY_sign_init(w->pctx) <= 0)
        return 0;
    if (EVP_PKEY_is_a(pkey, "RSA"))
        return setup_rsa_params(w);
    return EVP_PKEY_CTX_set_signature_md(
               w->pctx, EVP_get_digestbyname(w->op->digest)) > 0;
}

/* The ciphertext to decrypt, made once with the public key. */
static int setup_decrypt(struct bench_worker *w, EVP_PKEY *pkey)
{
    static const uint8_t secret[48] = { 0x47, 0x67 };
    EVP_PKEY_CTX *enc = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok;

    w->out_cap = (size_t)EVP_PKEY_get_size(pkey);
    w->in = OPENSSL_malloc(w->out_cap);
    w->out = OPENSSL_malloc(w->out_cap);
    w->in_len = w->out_cap;
    ok = enc != NULL && w->in != NULL && w->out != NULL &&
         EVP_PKEY_encrypt_init(enc) > 0 &&
         EVP_PKEY_CTX_set_rsa_padding(enc, RSA_PKCS1_OAEP_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_oaep_md_name(enc, w->op->digest, NULL) > 0 &&
         EVP_PKEY_encrypt(enc, w->in, &w->in_len, secret,
                          sizeof(secret)) > 0;
    EVP_PKEY_CTX_free(enc);
    return ok && EVP_PKEY_decrypt_init(w->pctx) > 0 && setup_rsa_params(w);
}

static int setup_derive(struct bench_worker *w, struct bench_keys *keys)
{
    w->out_cap = 66;
    w->out = OPENSSL_malloc(w->out_cap);
    return w->out != NULL && EVP_PKEY_derive_init(w->pctx) > 0 &&
           EVP_PKEY_derive_set_peer(w->pctx, keys->peer_p256) > 0;
}

static int setup_cipher(struct bench_worker *w, enum bench_side side,
                        struct bench_keys *keys)
{
    const uint8_t *key = NULL;

    w->cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM",
                                 side == BENCH_DEVICE ? "provider=ibm4767"
                                                      : "provider=default");
    w->cctx = EVP_CIPHER_CTX_new();
    w->in_len = w->op->data_len;
    w->out_cap = w->op->data_len + 16;
    w->in = OPENSSL_zalloc(w->in_len);
    w->out = OPENSSL_malloc(w->out_cap);
    if (w->cipher == NULL || w->cctx == NULL || w->in == NULL ||
        w->out == NULL)
        return 0;

    if (side == BENCH_DEVICE) {
        w->key_params[0] = OSSL_PARAM_construct_octet_string(
            "ibm4767-key-token", keys->aes_token, keys->aes_token_len);
        w->key_params[1] = OSSL_PARAM_construct_end();
    } else {
        key = keys->aes_clear;
        w->key_params[0] = OSSL_PARAM_construct_end();
    }
    return EVP_EncryptInit_ex2(w->cctx, w->cipher, key, NULL,
                               w->key_params) > 0;
}

struct bench_worker *bench_worker_new(const struct bench_op *op,
                                      enum bench_side side,
                                      struct bench_keys *keys)
{
    struct bench_worker *w = OPENSSL_zalloc(sizeof(*w));
    EVP_PKEY *pkey = NULL;
    int ok = 0;

    if (w == NULL)
        return NULL;
    w->op = op;
    if (op->key != BENCH_KEY_AES256)
        pkey = keys->pkey[side][op->key];
    if (pkey != NULL && op->kind != BENCH_TLS && op->kind != BENCH_TLS_ASYNC
        && op->kind != BENCH_LABEL_READ) {
        w->pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        if (w->pctx == NULL)
            goto err;
    }

    switch (op->kind) {
    case BENCH_SIGN:
        ok = setup_sign(w, pkey);
        break;
    case BENCH_DECRYPT:
        ok = setup_decrypt(w, pkey);
        break;
    case BENCH_DERIVE:
        ok = setup_derive(w, keys);
        break;
    case BENCH_CIPHER:
        ok = setup_cipher(w, side, keys);
        break;
    case BENCH_TLS:
    case BENCH_TLS_ASYNC:
        w->tls = bench_tls_new(side, keys, op->kind == BENCH_TLS_ASYNC);
        ok = w->tls != NULL;
        break;
    case BENCH_LABEL_READ:
        w->labels = keys->labels;
        ok = w->labels != NULL;
        break;
    }
    if (ok)
        return w;

err:
    bench_worker_free(w);
    return NULL;
}

/* One GCM message: a fresh IV (a counter), the data and the tag. */
static int run_cipher(struct bench_worker *w)
{
    uint8_t tag[16];
    int len = 0, fin = 0;

    w->iv_counter++;
    memcpy(w->iv, &w->iv_counter, sizeof(w->iv_counter));
    if (EVP_EncryptInit_ex2(w->cctx, NULL, NULL, w->iv, NULL) <= 0 ||
        EVP_EncryptUpdate(w->cctx, w->out, &len, w->in, (int)w->in_len) <= 0
        || EVP_EncryptFinal_ex(w->cctx, w->out + len, &fin) <= 0)
        return 0;
    return EVP_CIPHER_CTX_ctrl(w->cctx, EVP_CTRL_AEAD_GET_TAG, sizeof(tag),
                               tag) > 0;
}

int bench_worker_run(struct bench_worker *w)
{
    size_t len = w->out_cap;

    switch (w->op->kind) {
    case BENCH_SIGN:
        return EVP_PKEY_sign(w->pctx, w->out, &len, w->digest,
                             w->digest_len) > 0;
    case BENCH_DECRYPT:
        return EVP_PKEY_decrypt(w->pctx, w->out, &len, w->in, w->in_len) > 0;
    case BENCH_DERIVE:
        return EVP_PKEY_derive(w->pctx, w->out, &len) > 0;
    case BENCH_CIPHER:
        return run_cipher(w);
    case BENCH_TLS:
    case BENCH_TLS_ASYNC:
        return bench_tls_handshake(w->tls);
    case BENCH_LABEL_READ:
        return bench_label_read(w->labels, w->op->no_cache, &w->next_label);
    }
    return 0;
}

void bench_worker_free(struct bench_worker *w)
{
    if (w == NULL)
        return;
    EVP_PKEY_CTX_free(w->pctx);
    EVP_CIPHER_CTX_free(w->cctx);
    EVP_CIPHER_free(w->cipher);
    bench_tls_free(w->tls);
    OPENSSL_free(w->in);
    OPENSSL_clear_free(w->out, w->out_cap);
    OPENSSL_free(w);
}
