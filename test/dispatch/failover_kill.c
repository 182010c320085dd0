/*
 * failover_kill KEY THREADS PID KILL_AFTER MIN_AFTER CALL_LIMIT_S
 *
 * THREADS threads sign with the device key KEY (a token PEM file) while
 * IBM4767_DEVICES lists two devices that hold the same master key.  After
 * KILL_AFTER signatures in all, the program sends SIGKILL to PID (one of
 * the two emulators, started by the calling test), and it stops once
 * MIN_AFTER more signatures have succeeded.  Checks:
 *   - every returned signature verifies with the default provider;
 *   - a failed call carries an error that names a device (CRPnn);
 *   - MIN_AFTER signatures succeed after the kill, within 60 s;
 *   - no call takes longer than CALL_LIMIT_S seconds: a watchdog thread
 *     fails the test (exit 1) the moment one does, so a hang cannot pass.
 *
 * Exit status: 0 pass, 1 a check failed, 99 the test could not run.
 */
#include <config.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/err.h>

#include "dispatch_test.h"

#define MAX_THREADS   64
#define AFTER_LIMIT_S 60.0

struct shared {
    EVP_PKEY *key;
    EVP_PKEY *pub;
    atomic_int stop;
    atomic_uint signed_ok;
    atomic_uint failed_calls;
    atomic_uint bad;              /* checks that failed */
    double call_limit;
};

struct worker {
    struct shared *sh;
    unsigned id;
    pthread_t thread;
    /* Start of the call in progress (dt_now()), 0 between calls. */
    _Atomic double call_started;
};

static void note_failed_call(struct shared *sh, unsigned id, unsigned i)
{
    char errors[1024];

    dt_take_errors(errors, sizeof(errors));
    atomic_fetch_add(&sh->failed_calls, 1);
    if (strstr(errors, "CRP0") == NULL) {
        fprintf(stderr, "FAIL: thread %u call %u failed with an error that "
                "names no device: '%s'\n", id, i, errors);
        atomic_fetch_add(&sh->bad, 1);
        return;
    }
    fprintf(stderr, "thread %u call %u failed as expected: %s\n", id, i,
            errors);
}

static void *sign_loop(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    unsigned char sig[DT_SIGNATURE_MAX];
    char msg[64];

    for (unsigned i = 0; !atomic_load(&sh->stop); i++) {
        size_t sig_len;
        int len = snprintf(msg, sizeof(msg), "thread %u message %u", w->id,
                           i);
        int ok;

        atomic_store(&w->call_started, dt_now());
        ok = dt_sign(sh->key, msg, (size_t)len, sig, &sig_len);
        atomic_store(&w->call_started, 0.0);
        if (!ok) {
            note_failed_call(sh, w->id, i);
            continue;
        }
        if (!dt_verify(sh->pub, msg, (size_t)len, sig, sig_len)) {
            fprintf(stderr, "FAIL: thread %u message %u: signature does not "
                    "verify\n", w->id, i);
            ERR_print_errors_fp(stderr);
            atomic_fetch_add(&sh->bad, 1);
            continue;
        }
        atomic_fetch_add(&sh->signed_ok, 1);
    }
    return NULL;
}

struct watchdog {
    struct shared *sh;
    struct worker *workers;
    unsigned threads;
};

/* Fail at once when a call runs past the limit: waiting for the stuck
 * thread would hang the test. */
static void *watch(void *arg)
{
    struct watchdog *wd = arg;
    struct timespec tick = { 0, 100 * 1000 * 1000 };

    while (!atomic_load(&wd->sh->stop)) {
        double now = dt_now();

        for (unsigned i = 0; i < wd->threads; i++) {
            double started = atomic_load(&wd->workers[i].call_started);

            if (started > 0 && now - started > wd->sh->call_limit) {
                fprintf(stderr, "FAIL: thread %u has waited %.1f s for one "
                        "signature, over the %.0f s limit\n", i,
                        now - started, wd->sh->call_limit);
                _exit(EXIT_CHECK_FAILED);
            }
        }
        nanosleep(&tick, NULL);
    }
    return NULL;
}

static void wait_for_count(struct shared *sh, unsigned target,
                           double limit)
{
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    double deadline = dt_now() + limit;

    while (atomic_load(&sh->signed_ok) < target && dt_now() < deadline)
        nanosleep(&tick, NULL);
}

int main(int argc, char **argv)
{
    static struct worker workers[MAX_THREADS];
    struct watchdog wd;
    pthread_t watchdog_thread;
    struct shared sh;
    unsigned threads, kill_after, min_after, at_kill, after;
    pid_t victim;

    if (argc != 7 || (threads = (unsigned)atoi(argv[2])) == 0 ||
        threads > MAX_THREADS || (victim = (pid_t)atol(argv[3])) <= 1) {
        fprintf(stderr, "usage: failover_kill KEY THREADS PID KILL_AFTER "
                "MIN_AFTER CALL_LIMIT_S\n");
        return EXIT_HARD_ERROR;
    }
    memset(&sh, 0, sizeof(sh));
    kill_after = (unsigned)atoi(argv[4]);
    min_after = (unsigned)atoi(argv[5]);
    sh.call_limit = atof(argv[6]);
    if (!dt_load_providers() || (sh.key = dt_load_key(argv[1])) == NULL ||
        (sh.pub = dt_public_copy(sh.key)) == NULL)
        return EXIT_HARD_ERROR;

    for (unsigned i = 0; i < threads; i++) {
        workers[i].sh = &sh;
        workers[i].id = i;
        if (pthread_create(&workers[i].thread, NULL, sign_loop,
                           &workers[i]) != 0)
            return EXIT_HARD_ERROR;
    }
    wd.sh = &sh;
    wd.workers = workers;
    wd.threads = threads;
    if (pthread_create(&watchdog_thread, NULL, watch, &wd) != 0)
        return EXIT_HARD_ERROR;

    wait_for_count(&sh, kill_after, AFTER_LIMIT_S);
    at_kill = atomic_load(&sh.signed_ok);
    if (kill(victim, SIGKILL) != 0) {
        perror("kill");
        atomic_store(&sh.stop, 1);
        return EXIT_HARD_ERROR;
    }
    printf("sent SIGKILL to %ld after %u signatures\n", (long)victim,
           at_kill);
    wait_for_count(&sh, at_kill + min_after, AFTER_LIMIT_S);

    atomic_store(&sh.stop, 1);
    for (unsigned i = 0; i < threads; i++)
        pthread_join(workers[i].thread, NULL);
    pthread_join(watchdog_thread, NULL);

    after = atomic_load(&sh.signed_ok) - at_kill;
    printf("%u signatures verified, %u after the kill; %u calls failed\n",
           atomic_load(&sh.signed_ok), after,
           atomic_load(&sh.failed_calls));
    EVP_PKEY_free(sh.pub);
    EVP_PKEY_free(sh.key);
    if (at_kill < kill_after) {
        fprintf(stderr, "FAIL: only %u of %u signatures before the kill\n",
                at_kill, kill_after);
        return EXIT_CHECK_FAILED;
    }
    if (after < min_after) {
        fprintf(stderr, "FAIL: only %u of %u signatures after the kill: "
                "signing did not continue on the other device\n", after,
                min_after);
        return EXIT_CHECK_FAILED;
    }
    return atomic_load(&sh.bad) == 0 ? EXIT_PASS : EXIT_CHECK_FAILED;
}
