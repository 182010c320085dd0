/*
 * Helpers of the AES test programs: a library context with the ibm4767
 * and default providers, cipher fetching from either one, and checks that
 * count failures and print what differed.
 *
 * The programs reach the emulator named by IBM4767_DEVICES and load
 * ibm4767.so from OPENSSL_MODULES, as `make check` sets them.  Exit codes
 * follow Automake: 0 pass, 1 fail, 77 skip, 99 the test could not run.
 */
#ifndef IBM4767_TEST_AES_H
#define IBM4767_TEST_AES_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#define AES_TEST_EXIT_ERROR 99

struct aes_test {
    const char *program;
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *device;       /* ibm4767 */
    OSSL_PROVIDER *base;         /* default */
    int failures;
    int checks;
};

/* Load both providers into a new library context; exits with 99 when
 * either cannot be loaded. */
void aes_test_init(struct aes_test *t, const char *program);
/* Print the tally, free everything and return the exit code. */
int aes_test_finish(struct aes_test *t);

/* Fetch name from the device (ibm4767) or from default; exits with 99
 * when the cipher is missing. */
EVP_CIPHER *aes_test_fetch(struct aes_test *t, const char *name, int device);

/* Record a check: prints "ok: what", or "FAIL: what" with the OpenSSL
 * error queue, which it then clears.  Returns cond. */
int aes_check(struct aes_test *t, int cond, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Check that a and b hold the same bytes; on a difference, print the
 * first differing offset. */
int aes_check_equal(struct aes_test *t, const unsigned char *a, size_t a_len,
                    const unsigned char *b, size_t b_len, const char *what);
/* Check that the last failure put an error whose text contains needle
 * on the queue (then clear the queue). */
int aes_check_error(struct aes_test *t, const char *needle, const char *what);

/* Fill buf with bytes from the default provider's generator. */
void aes_test_random(struct aes_test *t, unsigned char *buf, size_t len);

#endif
