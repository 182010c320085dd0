/*
 * threads_sign KEY THREADS COUNT
 *
 * THREADS threads start together on a fresh backend (no connection open
 * yet) and each signs COUNT distinct messages with the device key in the
 * token PEM file KEY (EVP_DigestSign, SHA-256).  Every call must succeed
 * and leave the thread's error queue empty, and every signature must
 * verify with the default provider alone, so a reply delivered to the
 * wrong request would show as a failed verification.
 *
 * Exit status: 0 pass, 1 a check failed, 99 the test could not run.
 */
#include <config.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "dispatch_test.h"

#define MAX_THREADS 256

struct shared {
    EVP_PKEY *key;
    EVP_PKEY *pub;
    unsigned count;
    pthread_barrier_t start;
    atomic_uint signed_ok;
    atomic_uint verified;
    atomic_uint failures;
};

struct worker {
    struct shared *sh;
    unsigned id;
    pthread_t thread;
};

static void report(unsigned id, unsigned i, const char *problem)
{
    char errors[1024];

    dt_take_errors(errors, sizeof(errors));
    fprintf(stderr, "FAIL: thread %u message %u: %s%s%s\n", id, i, problem,
            errors[0] != '\0' ? ": " : "", errors);
}

static void *sign_loop(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    unsigned char sig[DT_SIGNATURE_MAX];
    char msg[64];

    pthread_barrier_wait(&sh->start);
    for (unsigned i = 0; i < sh->count; i++) {
        size_t sig_len;
        int len = snprintf(msg, sizeof(msg), "thread %u message %u", w->id,
                           i);

        if (!dt_sign(sh->key, msg, (size_t)len, sig, &sig_len)) {
            report(w->id, i, "signing failed");
            atomic_fetch_add(&sh->failures, 1);
            continue;
        }
        atomic_fetch_add(&sh->signed_ok, 1);
        if (ERR_peek_error() != 0) {
            report(w->id, i, "signing succeeded but left errors queued");
            atomic_fetch_add(&sh->failures, 1);
        }
        if (!dt_verify(sh->pub, msg, (size_t)len, sig, sig_len)) {
            report(w->id, i, "signature does not verify");
            atomic_fetch_add(&sh->failures, 1);
            continue;
        }
        atomic_fetch_add(&sh->verified, 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct worker workers[MAX_THREADS];
    struct shared sh;
    unsigned threads, total;
    int started = 0;
    double t0;

    if (argc != 4 || (threads = (unsigned)atoi(argv[2])) == 0 ||
        threads > MAX_THREADS || atoi(argv[3]) <= 0) {
        fprintf(stderr, "usage: threads_sign KEY THREADS(1-%d) COUNT\n",
                MAX_THREADS);
        return EXIT_HARD_ERROR;
    }
    memset(&sh, 0, sizeof(sh));
    sh.count = (unsigned)atoi(argv[3]);
    total = threads * sh.count;
    if (!dt_load_providers() || (sh.key = dt_load_key(argv[1])) == NULL ||
        (sh.pub = dt_public_copy(sh.key)) == NULL)
        return EXIT_HARD_ERROR;
    pthread_barrier_init(&sh.start, NULL, threads);

    t0 = dt_now();
    for (unsigned i = 0; i < threads; i++) {
        workers[i].sh = &sh;
        workers[i].id = i;
        if (pthread_create(&workers[i].thread, NULL, sign_loop,
                           &workers[i]) != 0) {
            fprintf(stderr, "cannot start thread %u\n", i);
            return EXIT_HARD_ERROR;
        }
        started++;
    }
    for (int i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);

    printf("%u threads x %u signatures in %.1f s: %u signed, %u verified, "
           "%u failures\n", threads, sh.count, dt_now() - t0,
           atomic_load(&sh.signed_ok), atomic_load(&sh.verified),
           atomic_load(&sh.failures));
    if (ERR_peek_error() != 0) {
        fprintf(stderr, "FAIL: the main thread's error queue is not "
                "empty\n");
        ERR_print_errors_fp(stderr);
        return EXIT_CHECK_FAILED;
    }
    pthread_barrier_destroy(&sh.start);
    EVP_PKEY_free(sh.pub);
    EVP_PKEY_free(sh.key);
    if (atomic_load(&sh.failures) != 0 ||
        atomic_load(&sh.verified) != total)
        return EXIT_CHECK_FAILED;
    return EXIT_PASS;
}
