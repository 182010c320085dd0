/*
 * sign_label: sign a file with a private key stored in key storage under
 * a label, using only libcrypto's OSSL_STORE and EVP calls, then verify
 * the signature with the same key.  The coprocessor signs and verifies.
 *
 *   sign_label URI IN SIG
 *
 * URI names the key, for example ibm4767:label=WEB.TLS.RSA.  The SHA-256
 * signature of the contents of IN (PKCS#1 v1.5 for an RSA key, ECDSA for
 * an EC key) is written to SIG in binary.  A software check:
 *   openssl dgst -sha256 -verify PUBLIC.pem -signature SIG IN
 *
 * The program loads no provider itself.  Run it with OPENSSL_CONF naming a
 * configuration that activates default first and then ibm4767, such as
 * examples/openssl-ibm4767.cnf; key storage is the provider's key-storage
 * setting, or IBM4767_KEY_STORAGE.
 *
 * Build outside the source tree:
 *   cc -std=c11 -o sign_label sign_label.c \
 *       $(pkg-config --cflags --libs libcrypto)
 *
 * Exit status: 0 signed and verified, 1 a step failed, 2 usage error.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/store.h>

#define PROGRAM "sign_label"
#define CHUNK_SIZE 16384

/* EVP_DigestSignUpdate or EVP_DigestVerifyUpdate. */
typedef int (*update_fn)(EVP_MD_CTX *ctx, const void *data, size_t len);

static void print_errors(const char *what)
{
    fprintf(stderr, PROGRAM ": %s\n", what);
    ERR_print_errors_fp(stderr);
}

/*
 * Load the private key that uri names.  OSSL_STORE hands the URI to the
 * provider whose store loader claims its scheme ("ibm4767:"), so the same
 * call also loads "file:" URIs and plain file names.  Returns NULL with a
 * message on failure.
 */
static EVP_PKEY *load_private_key(const char *uri)
{
    OSSL_STORE_CTX *store = NULL;
    OSSL_STORE_INFO *info = NULL;
    EVP_PKEY *pkey = NULL;

    store = OSSL_STORE_open_ex(uri, NULL, NULL, NULL, NULL, NULL, NULL,
                               NULL);
    if (store == NULL) {
        fprintf(stderr, PROGRAM ": cannot open %s: is the ibm4767 provider "
                "activated through OPENSSL_CONF?\n", uri);
        ERR_print_errors_fp(stderr);
        goto err;
    }
    if (!OSSL_STORE_expect(store, OSSL_STORE_INFO_PKEY)) {
        print_errors("OSSL_STORE_expect failed");
        goto err;
    }

    while (pkey == NULL && !OSSL_STORE_eof(store)) {
        info = OSSL_STORE_load(store);
        if (info == NULL) {
            if (OSSL_STORE_error(store))
                break;
            continue;
        }
        if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
            pkey = OSSL_STORE_INFO_get1_PKEY(info);
        OSSL_STORE_INFO_free(info);
        info = NULL;
    }
    if (pkey == NULL) {
        fprintf(stderr, PROGRAM ": %s contains no private key: check the "
                "label with 'ibm4767-keys list'\n", uri);
        ERR_print_errors_fp(stderr);
    }

err:
    OSSL_STORE_INFO_free(info);
    OSSL_STORE_close(store);
    return pkey;
}

/* Feed the contents of the file at path to update.  Returns 1, or 0 with
 * a message. */
static int digest_file(EVP_MD_CTX *ctx, update_fn update, const char *path)
{
    int ret = 0;
    FILE *in = NULL;
    unsigned char *buf = NULL;
    size_t n;

    buf = malloc(CHUNK_SIZE);
    if (buf == NULL) {
        fprintf(stderr, PROGRAM ": out of memory\n");
        goto err;
    }
    in = fopen(path, "rb");
    if (in == NULL) {
        perror(path);
        goto err;
    }

    while ((n = fread(buf, 1, CHUNK_SIZE, in)) > 0) {
        if (!update(ctx, buf, n)) {
            print_errors("hashing the input failed");
            goto err;
        }
    }
    if (ferror(in)) {
        perror(path);
        goto err;
    }
    ret = 1;

err:
    if (in != NULL)
        fclose(in);
    free(buf);
    return ret;
}

/* Sign the file at path with pkey (SHA-256).  Returns the signature
 * (free with OPENSSL_free) and its length, or NULL with a message. */
static unsigned char *sign_file(EVP_PKEY *pkey, const char *path,
                                size_t *sig_len)
{
    EVP_MD_CTX *ctx = NULL;
    unsigned char *sig = NULL;
    unsigned char *ret = NULL;

    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        print_errors("out of memory");
        goto err;
    }
    if (!EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, pkey,
                               NULL)) {
        print_errors("EVP_DigestSignInit_ex with SHA-256 failed");
        goto err;
    }
    if (!digest_file(ctx, EVP_DigestSignUpdate, path))
        goto err;

    /* The first call returns the maximum signature size. */
    if (!EVP_DigestSignFinal(ctx, NULL, sig_len)) {
        print_errors("EVP_DigestSignFinal (size query) failed");
        goto err;
    }
    sig = OPENSSL_malloc(*sig_len);
    if (sig == NULL) {
        print_errors("out of memory");
        goto err;
    }
    if (!EVP_DigestSignFinal(ctx, sig, sig_len)) {
        print_errors("signing in the coprocessor failed");
        goto err;
    }
    ret = sig;
    sig = NULL;

err:
    OPENSSL_free(sig);
    EVP_MD_CTX_free(ctx);
    return ret;
}

/* Verify sig over the file at path with pkey.  Returns 1 when it
 * verifies, else 0 with a message. */
static int verify_file(EVP_PKEY *pkey, const char *path,
                       const unsigned char *sig, size_t sig_len)
{
    int ret = 0;
    EVP_MD_CTX *ctx = NULL;

    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        print_errors("out of memory");
        goto err;
    }
    if (!EVP_DigestVerifyInit_ex(ctx, NULL, "SHA256", NULL, NULL, pkey,
                                 NULL)) {
        print_errors("EVP_DigestVerifyInit_ex with SHA-256 failed");
        goto err;
    }
    if (!digest_file(ctx, EVP_DigestVerifyUpdate, path))
        goto err;
    if (EVP_DigestVerifyFinal(ctx, sig, sig_len) != 1) {
        print_errors("the new signature does not verify");
        goto err;
    }
    ret = 1;

err:
    EVP_MD_CTX_free(ctx);
    return ret;
}

static int write_file(const char *path, const unsigned char *data,
                      size_t len)
{
    int ret = 0;
    FILE *out = NULL;

    out = fopen(path, "wb");
    if (out == NULL) {
        perror(path);
        goto err;
    }
    if (fwrite(data, 1, len, out) != len) {
        perror(path);
        goto err;
    }
    ret = 1;

err:
    if (out != NULL && fclose(out) != 0 && ret) {
        perror(path);
        ret = 0;
    }
    return ret;
}

int main(int argc, char **argv)
{
    int ret = 1;
    EVP_PKEY *pkey = NULL;
    unsigned char *sig = NULL;
    size_t sig_len = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: " PROGRAM " URI IN SIG\n"
                "Sign the file IN (SHA-256) with the private key that URI "
                "names,\nfor example ibm4767:label=WEB.TLS.RSA, and write "
                "the signature to SIG.\n");
        return 2;
    }

    pkey = load_private_key(argv[1]);
    if (pkey == NULL)
        goto err;
    sig = sign_file(pkey, argv[2], &sig_len);
    if (sig == NULL)
        goto err;
    if (!verify_file(pkey, argv[2], sig, sig_len))
        goto err;
    if (!write_file(argv[3], sig, sig_len))
        goto err;

    printf("signed %s with the %d-bit %s key %s: %zu-byte signature in %s, "
           "verified\n", argv[2], EVP_PKEY_get_bits(pkey),
           EVP_PKEY_get0_type_name(pkey), argv[1], sig_len, argv[3]);
    ret = 0;

err:
    OPENSSL_free(sig);
    EVP_PKEY_free(pkey);
    return ret;
}
