/*
 * ibm4767-bench: operations per second and latency of keys in the
 * coprocessor (through the ibm4767 provider) against the same kind of key
 * in OpenSSL's default provider, measured side by side in one run.
 *
 * bench.c reads the options and writes the report, bench_ops.c contains
 * the operations, bench_keys.c makes the keys and certificates, bench_run.c
 * runs threads and computes the statistics, bench_tls.c runs TLS
 * handshakes and bench_model.c reads the device's timing profile.
 */
#ifndef IBM4767_BENCH_H
#define IBM4767_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>

#define BENCH_PROGRAM "ibm4767-bench"

/* Exit statuses. */
#define BENCH_EXIT_OK     0
#define BENCH_EXIT_FAILED 1
#define BENCH_EXIT_USAGE  2

#define BENCH_MAX_LEVELS 16

/* Location of a key: the coprocessor or the default provider. */
enum bench_side {
    BENCH_DEVICE = 0,
    BENCH_DEFAULT = 1,
    BENCH_SIDES,
};

enum bench_kind {
    BENCH_SIGN,
    BENCH_DECRYPT,
    BENCH_DERIVE,
    BENCH_CIPHER,
    BENCH_TLS,            /* one handshake per thread at a time */
    BENCH_TLS_ASYNC,      /* N handshakes in flight on one thread */
    BENCH_LABEL_READ,     /* host key storage lookup; device side only */
};

/* Key types the operations share; each side generates each once. */
enum bench_key_id {
    BENCH_KEY_RSA2048 = 0,
    BENCH_KEY_RSA3072,
    BENCH_KEY_RSA4096,
    BENCH_KEY_P256,
    BENCH_KEY_P384,
    BENCH_KEY_AES256,
    BENCH_KEYS,
};

struct bench_op {
    const char *name;             /* as --ops takes it */
    const char *description;
    enum bench_kind kind;
    enum bench_key_id key;
    int pss;                      /* RSA signatures: PSS, else PKCS#1 v1.5 */
    const char *digest;           /* signatures: digest of the input */
    size_t data_len;              /* ciphers: bytes per operation */
    const char *profile_class;    /* class in the device's timing profile */
    int no_cache;                 /* label reads: host record cache off */
};

/* The operations in report order; bench_op_count is their number. */
extern const struct bench_op bench_ops[];
extern const size_t bench_op_count;
const struct bench_op *bench_op_find(const char *name);

/* Keys of both sides.  AES keys are a device token (device side) or 32
 * clear bytes (default side). */
struct bench_keys {
    EVP_PKEY *pkey[BENCH_SIDES][BENCH_KEYS];
    EVP_PKEY *peer_p256;          /* default-provider peer for ECDH */
    uint8_t *aes_token;
    size_t aes_token_len;
    uint8_t aes_clear[32];
    /* TLS server certificates, made for the RSA-2048 keys on first use. */
    void *tls_cert[BENCH_SIDES];  /* X509 * */
    struct bench_labels *labels;  /* label reads, made on first use */
};

/* Make the key op needs on side, once (bench_keys.c).  Prints what failed
 * and returns 0 on failure. */
int bench_keys_prepare(struct bench_keys *keys, const struct bench_op *op,
                       enum bench_side side);
void bench_keys_free(struct bench_keys *keys);
/* A self-signed certificate for side's RSA-2048 key (X509 *). */
void *bench_keys_tls_cert(struct bench_keys *keys, enum bench_side side);

/* Key records for the label reads (bench_label.c): a new database in a
 * temporary directory, opened once with the host record cache and once
 * without.  bench_labels_new() prints what failed and returns NULL. */
struct bench_labels;
struct bench_labels *bench_labels_new(void);
void bench_labels_free(struct bench_labels *lb);
/* Read the next of the few labels, advancing *next; 1 on success. */
int bench_label_read(struct bench_labels *lb, int no_cache, unsigned *next);

/* One thread's state for one operation (bench_ops.c). */
struct bench_worker;
struct bench_worker *bench_worker_new(const struct bench_op *op,
                                      enum bench_side side,
                                      struct bench_keys *keys);
/* Run the operation once; returns 1, or 0 with the error queue set. */
int bench_worker_run(struct bench_worker *w);
void bench_worker_free(struct bench_worker *w);

/* One TLS handshake between a client and a server in this thread
 * (bench_tls.c), for the worker of BENCH_TLS. */
struct bench_tls;
struct bench_tls *bench_tls_new(enum bench_side side, struct bench_keys *keys,
                                int async);
int bench_tls_handshake(struct bench_tls *t);
void bench_tls_free(struct bench_tls *t);

/* The outcome of one measurement. */
struct bench_result {
    uint64_t ops;
    double seconds;
    double ops_per_second;
    double p50_ms;
    double p99_ms;
    double cpu_us_per_op;         /* this process's CPU time per operation;
                                   * 0 when not measured */
    int failed;                   /* an operation failed: see stderr */
    int skipped;                  /* not measured (--side) */
};

/* Measure op on side with threads threads for about seconds (bench_run.c).
 * BENCH_TLS_ASYNC runs threads handshakes in flight on one thread. */
int bench_measure(const struct bench_op *op, enum bench_side side,
                  struct bench_keys *keys, unsigned threads, double seconds,
                  struct bench_result *out);
/* Run handshakes concurrent handshakes on this thread (bench_tls.c). */
int bench_tls_async_measure(enum bench_side side, struct bench_keys *keys,
                            unsigned handshakes, double seconds,
                            struct bench_result *out);

/* Latency samples in microseconds (bench_run.c). */
struct bench_samples {
    double *us;
    size_t count;
    size_t cap;
};
int bench_samples_add(struct bench_samples *s, double us);
void bench_samples_free(struct bench_samples *s);
/* Sort s and fill out's percentiles. */
void bench_samples_summarize(struct bench_samples *s,
                             struct bench_result *out);
double bench_now_seconds(void);

/* The timing profile of the configured devices (bench_model.c). */
struct bench_model;
/* Query every configured device's status; NULL with a message on stderr
 * when a device cannot be reached.  A device without a profile has no
 * classes. */
struct bench_model *bench_model_load(void);
void bench_model_free(struct bench_model *m);
/* The profile name of the first device, "" when off. */
const char *bench_model_profile(const struct bench_model *m);
/* Modelled ops/s of op with n requests in flight: the lesser of n
 * requests one at a time and the engines' capacity, over every device.
 * 0 when the profile has no class for op. */
double bench_model_rate(const struct bench_model *m,
                        const struct bench_op *op, unsigned n);
/* Count the device requests one operation of op makes (on the devices'
 * counters, so nothing else may use them meanwhile), for the model.
 * Returns 0 with a message on failure. */
int bench_model_calibrate(struct bench_model *m, const struct bench_op *op,
                          struct bench_keys *keys);
/* Modelled capacity (ops/s) of op over every device; 0 when unknown. */
double bench_model_capacity(const struct bench_model *m,
                            const struct bench_op *op);

/* Print the OpenSSL error queue, prefixed with what failed. */
void bench_print_errors(const char *what);

#endif
