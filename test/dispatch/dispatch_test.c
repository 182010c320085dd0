/*
 * Helpers of the dispatch tests; dispatch_test.h describes them.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include "dispatch_test.h"

static OSSL_PROVIDER *default_provider, *ibm4767_provider;

/* OpenSSL 3.0 frees a provider at exit only when no one holds it, so the
 * handles of dt_load_providers() are given back first. */
static void unload_providers(void)
{
    if (ibm4767_provider != NULL)
        OSSL_PROVIDER_unload(ibm4767_provider);
    if (default_provider != NULL)
        OSSL_PROVIDER_unload(default_provider);
    ibm4767_provider = default_provider = NULL;
}

int dt_load_providers(void)
{
    default_provider = OSSL_PROVIDER_load(NULL, "default");
    ibm4767_provider = OSSL_PROVIDER_load(NULL, "ibm4767");
    /* Registered after OpenSSL's own exit handler, so it runs first. */
    atexit(unload_providers);
    if (default_provider == NULL || ibm4767_provider == NULL) {
        fprintf(stderr, "cannot load the default and ibm4767 providers; is "
                "OPENSSL_MODULES the directory of ibm4767.so?\n");
        ERR_print_errors_fp(stderr);
        return 0;
    }
    return 1;
}

EVP_PKEY *dt_load_key(const char *path)
{
    EVP_PKEY *key = NULL;
    BIO *in = BIO_new_file(path, "r");

    if (in != NULL)
        key = PEM_read_bio_PrivateKey_ex(in, NULL, NULL, NULL, NULL, NULL);
    BIO_free(in);
    if (key == NULL) {
        fprintf(stderr, "cannot load the device key %s\n", path);
        ERR_print_errors_fp(stderr);
    }
    return key;
}

EVP_PKEY *dt_public_copy(EVP_PKEY *key)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    EVP_PKEY *pub = NULL;
    int len = i2d_PUBKEY(key, &der);

    if (len > 0) {
        p = der;
        pub = d2i_PUBKEY_ex(NULL, &p, len, NULL, "provider=default");
    }
    OPENSSL_free(der);
    if (pub == NULL) {
        fprintf(stderr, "cannot copy the public key to the default "
                "provider\n");
        ERR_print_errors_fp(stderr);
    }
    return pub;
}

int dt_sign(EVP_PKEY *key, const void *msg, size_t msg_len,
            unsigned char *sig, size_t *sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    *sig_len = DT_SIGNATURE_MAX;
    ok = ctx != NULL &&
         EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, key,
                               NULL) > 0 &&
         EVP_DigestSign(ctx, sig, sig_len, msg, msg_len) > 0;
    EVP_MD_CTX_free(ctx);
    return ok;
}

int dt_verify(EVP_PKEY *pub, const void *msg, size_t msg_len,
              const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    ok = ctx != NULL &&
         EVP_DigestVerifyInit_ex(ctx, NULL, "SHA256", NULL,
                                 "provider=default", pub, NULL) > 0 &&
         EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

void dt_take_errors(char *buf, size_t len)
{
    size_t used = 0;
    unsigned long e;
    const char *data;
    int flags;

    buf[0] = '\0';
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        char text[256];
        int n;

        ERR_error_string_n(e, text, sizeof(text));
        n = snprintf(buf + used, len - used, "%s%s%s%s",
                     used > 0 ? " | " : "", text,
                     (flags & ERR_TXT_STRING) ? ": " : "",
                     (flags & ERR_TXT_STRING) ? data : "");
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    /* Whatever did not fit is dropped too. */
    ERR_clear_error();
}

double dt_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
