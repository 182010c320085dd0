/*
 * Helpers of the AES test programs (see aes_test.h).
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>

#include "aes_test.h"

static void print_errors(void)
{
    unsigned long e;
    const char *data = NULL;
    int flags = 0;
    char buf[256];

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        fprintf(stderr, "  openssl error: %s%s%s\n", buf,
                (flags & ERR_TXT_STRING) && data != NULL ? ": " : "",
                (flags & ERR_TXT_STRING) && data != NULL ? data : "");
    }
}

void aes_test_init(struct aes_test *t, const char *program)
{
    memset(t, 0, sizeof(*t));
    t->program = program;
    t->libctx = OSSL_LIB_CTX_new();
    if (t->libctx == NULL) {
        fprintf(stderr, "%s: cannot create a library context\n", program);
        exit(AES_TEST_EXIT_ERROR);
    }
    t->base = OSSL_PROVIDER_load(t->libctx, "default");
    t->device = OSSL_PROVIDER_load(t->libctx, "ibm4767");
    if (t->base == NULL || t->device == NULL) {
        fprintf(stderr, "%s: cannot load the %s provider: build "
                "provider/ibm4767.la and set OPENSSL_MODULES to its .libs "
                "directory\n", program, t->base == NULL ? "default"
                                                        : "ibm4767");
        print_errors();
        exit(AES_TEST_EXIT_ERROR);
    }
}

int aes_test_finish(struct aes_test *t)
{
    printf("%s: %d checks, %d failed\n", t->program, t->checks, t->failures);
    OSSL_PROVIDER_unload(t->device);
    OSSL_PROVIDER_unload(t->base);
    OSSL_LIB_CTX_free(t->libctx);
    return t->failures == 0 ? 0 : 1;
}

EVP_CIPHER *aes_test_fetch(struct aes_test *t, const char *name, int device)
{
    const char *propq = device ? "provider=ibm4767" : "provider=default";
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(t->libctx, name, propq);

    if (cipher == NULL) {
        fprintf(stderr, "%s: cipher %s is not offered by %s\n", t->program,
                name, propq);
        print_errors();
        exit(AES_TEST_EXIT_ERROR);
    }
    return cipher;
}

int aes_check(struct aes_test *t, int cond, const char *fmt, ...)
{
    va_list ap;

    t->checks++;
    if (!cond)
        t->failures++;
    printf("%s: ", cond ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    /* A passed check leaves the queue for aes_check_error(). */
    if (!cond)
        print_errors();
    return cond;
}

int aes_check_equal(struct aes_test *t, const unsigned char *a, size_t a_len,
                    const unsigned char *b, size_t b_len, const char *what)
{
    size_t i = 0;

    if (a_len == b_len && memcmp(a, b, a_len) == 0)
        return aes_check(t, 1, "%s", what);
    while (i < a_len && i < b_len && a[i] == b[i])
        i++;
    return aes_check(t, 0, "%s: %zu and %zu bytes, first difference at "
                     "offset %zu", what, a_len, b_len, i);
}

int aes_check_error(struct aes_test *t, const char *needle, const char *what)
{
    unsigned long e;
    const char *data = NULL;
    int flags = 0, found = 0;
    char text[1024];

    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        ERR_error_string_n(e, text, sizeof(text));
        if (strstr(text, needle) != NULL)
            found = 1;
        if ((flags & ERR_TXT_STRING) && data != NULL) {
            if (strstr(data, needle) != NULL)
                found = 1;
            printf("  error text: %s\n", data);
        }
    }
    return aes_check(t, found, "%s (error mentions \"%s\")", what, needle);
}

void aes_test_random(struct aes_test *t, unsigned char *buf, size_t len)
{
    if (RAND_bytes_ex(t->libctx, buf, len, 0) != 1) {
        fprintf(stderr, "%s: the default random generator failed\n",
                t->program);
        exit(AES_TEST_EXIT_ERROR);
    }
}
