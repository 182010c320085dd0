/*
 * Helpers of the dispatch tests (the C clients in test/dispatch): keys,
 * providers, signing through the device and verifying with the default
 * provider alone.  The ibm4767 module is found through OPENSSL_MODULES and
 * the devices through IBM4767_DEVICES.
 */
#ifndef IBM4767_DISPATCH_TEST_H
#define IBM4767_DISPATCH_TEST_H

#include <stddef.h>

#include <openssl/evp.h>

#define EXIT_PASS        0
#define EXIT_CHECK_FAILED 1
#define EXIT_HARD_ERROR  99

#define DT_SIGNATURE_MAX 512

/* Load the default and ibm4767 providers into the default library
 * context; prints why and returns 0 on failure. */
int dt_load_providers(void);
/* A device key from a CCA KEY TOKEN PEM file; NULL (printed) on failure. */
EVP_PKEY *dt_load_key(const char *path);
/* The public part of key as a default-provider key (SPKI round trip). */
EVP_PKEY *dt_public_copy(EVP_PKEY *key);

/* SHA-256 signature of msg with the device key; 1 on success. */
int dt_sign(EVP_PKEY *key, const void *msg, size_t msg_len,
            unsigned char *sig, size_t *sig_len);
/* Verify with the default provider only; 1 when sig is valid. */
int dt_verify(EVP_PKEY *pub, const void *msg, size_t msg_len,
              const unsigned char *sig, size_t sig_len);

/* Move this thread's error queue into buf as one line ("" when empty). */
void dt_take_errors(char *buf, size_t len);
/* CLOCK_MONOTONIC seconds. */
double dt_now(void);

#endif
