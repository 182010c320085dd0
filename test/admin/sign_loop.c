/*
 * sign_loop KEY THREADS STOP-FILE WATCHDOG-MS
 *
 * THREADS threads sign random messages with the device key in the token
 * PEM file KEY (SHA-256, through the ibm4767 provider) until STOP-FILE
 * exists, while the test script resets or faults the device.  Then every
 * thread signs once more.  Checks:
 *   - every signature the provider returns verifies with the default
 *     provider alone;
 *   - every failed call leaves an error that names the CCA code
 *     ("rc/reason"), so the caller can act on it;
 *   - no call takes longer than WATCHDOG-MS: a watchdog thread ends the
 *     program with exit status 1 when one does;
 *   - the last signature of every thread, made after the script stopped
 *     disturbing the device, succeeds.
 * Prints "signatures=N failures=N" and up to MAX_REPORTED failure messages.
 *
 * The ibm4767 module is found through OPENSSL_MODULES and the device
 * through IBM4767_DEVICES.  Exit status: 0 pass, 1 a check failed, 99
 * the test could not run.
 */
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#define EXIT_CHECK_FAILED 1
#define EXIT_HARD_ERROR   99
#define MAX_THREADS       64
#define MESSAGE_LEN       64
#define MAX_SIGNATURE_LEN 1024
#define MAX_REPORTED      5
#define WATCHDOG_TICK_MS  50

struct shared {
    OSSL_LIB_CTX *device_ctx;    /* ibm4767 and default */
    OSSL_LIB_CTX *reference_ctx; /* default only */
    OSSL_PROVIDER *providers[3]; /* unloaded by teardown() */
    EVP_PKEY *key;
    EVP_PKEY *reference_pub;
    const char *stop_file;
    long watchdog_ms;
    regex_t code_pattern;        /* "rc/reason" in an error message */
    int have_pattern;            /* code_pattern is compiled */
    atomic_long signatures;
    atomic_long failures;
    atomic_long bad;             /* returned but did not verify */
    atomic_long unclear;         /* failed without a CCA code */
    atomic_long final_failures;
    atomic_int reported;
    atomic_int finished;
};

struct worker {
    struct shared *sh;
    int index;
    pthread_t thread;
    atomic_llong call_started_ms;  /* 0 while no call runs */
};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The thread's OpenSSL error queue as one line; clears the queue. */
static void error_text(char *out, size_t len)
{
    BIO *mem = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;

    out[0] = '\0';
    if (mem == NULL) {
        ERR_clear_error();
        return;
    }
    ERR_print_errors(mem);
    n = BIO_get_mem_data(mem, &data);
    if (n > 0)
        snprintf(out, len, "%.*s", (int)n, data);
    for (char *p = out; *p != '\0'; p++) {
        if (*p == '\n')
            *p = ' ';
    }
    BIO_free(mem);
}

static int verify_reference(struct shared *sh, const unsigned char *msg,
                            const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    ok = ctx != NULL
         && EVP_DigestVerifyInit_ex(ctx, NULL, "SHA2-256", sh->reference_ctx,
                                    NULL, sh->reference_pub, NULL) == 1
         && EVP_DigestVerify(ctx, sig, sig_len, msg, MESSAGE_LEN) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

/* One signature through the device; 1 when it was made. */
static int sign_once(struct worker *w, unsigned char *msg,
                     unsigned char *sig, size_t *sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    *sig_len = MAX_SIGNATURE_LEN;
    atomic_store(&w->call_started_ms, now_ms());
    ok = ctx != NULL && RAND_bytes(msg, MESSAGE_LEN) == 1
         && EVP_DigestSignInit_ex(ctx, NULL, "SHA2-256", w->sh->device_ctx,
                                  NULL, w->sh->key, NULL) == 1
         && EVP_DigestSign(ctx, sig, sig_len, msg, MESSAGE_LEN) == 1;
    atomic_store(&w->call_started_ms, 0);
    EVP_MD_CTX_free(ctx);
    return ok;
}

static void note_failure(struct worker *w, int final)
{
    struct shared *sh = w->sh;
    char text[2048];

    error_text(text, sizeof(text));
    atomic_fetch_add(final ? &sh->final_failures : &sh->failures, 1);
    if (regexec(&sh->code_pattern, text, 0, NULL, 0) != 0)
        atomic_fetch_add(&sh->unclear, 1);
    if (atomic_fetch_add(&sh->reported, 1) < MAX_REPORTED)
        fprintf(stderr, "thread %d: %ssigning failed: %s\n", w->index,
                final ? "the last " : "", text[0] != '\0' ? text
                                                          : "(no error)");
}

/* Sign and check one signature; returns 1 when it was made and verifies. */
static int sign_and_check(struct worker *w, int final)
{
    unsigned char msg[MESSAGE_LEN];
    unsigned char sig[MAX_SIGNATURE_LEN];
    size_t sig_len;

    if (!sign_once(w, msg, sig, &sig_len)) {
        note_failure(w, final);
        return 0;
    }
    if (!verify_reference(w->sh, msg, sig, sig_len)) {
        atomic_fetch_add(&w->sh->bad, 1);
        fprintf(stderr, "thread %d: a signature of %zu bytes does not "
                "verify with the default provider\n", w->index, sig_len);
        ERR_clear_error();
        return 0;
    }
    atomic_fetch_add(&w->sh->signatures, 1);
    return 1;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    while (access(w->sh->stop_file, F_OK) != 0)
        sign_and_check(w, 0);
    sign_and_check(w, 1);
    return NULL;
}

/* End the program when a call runs longer than the watchdog allows. */
static void *watchdog_main(void *arg)
{
    struct worker *workers = arg;
    struct shared *sh = workers[0].sh;
    struct timespec tick = { 0, WATCHDOG_TICK_MS * 1000000L };

    while (!atomic_load(&sh->finished)) {
        long long now = now_ms();

        for (int i = 0; i < MAX_THREADS && workers[i].sh != NULL; i++) {
            long long started = atomic_load(&workers[i].call_started_ms);

            if (started != 0 && now - started > sh->watchdog_ms) {
                fprintf(stderr, "FAIL: thread %d: a signing call has run "
                        "for %lld ms, more than the watchdog's %ld ms "
                        "(readiness timeout plus self-test time)\n", i,
                        now - started, sh->watchdog_ms);
                fflush(stderr);
                _exit(EXIT_CHECK_FAILED);
            }
        }
        nanosleep(&tick, NULL);
    }
    return NULL;
}

static EVP_PKEY *load_key(OSSL_LIB_CTX *libctx, const char *path)
{
    EVP_PKEY *key = NULL;
    BIO *in = BIO_new_file(path, "r");

    if (in != NULL)
        key = PEM_read_bio_PrivateKey_ex(in, NULL, NULL, NULL, libctx, NULL);
    BIO_free(in);
    return key;
}

/* The public key of key, decoded again in libctx. */
static EVP_PKEY *public_copy(EVP_PKEY *key, OSSL_LIB_CTX *libctx)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    EVP_PKEY *pub = NULL;
    int len = i2d_PUBKEY(key, &der);

    if (len <= 0)
        return NULL;
    p = der;
    pub = d2i_PUBKEY_ex(NULL, &p, len, libctx, NULL);
    OPENSSL_free(der);
    return pub;
}

static int setup(struct shared *sh, const char *key_path)
{
    sh->device_ctx = OSSL_LIB_CTX_new();
    sh->reference_ctx = OSSL_LIB_CTX_new();
    if (sh->device_ctx == NULL || sh->reference_ctx == NULL
        || (sh->providers[0] = OSSL_PROVIDER_load(sh->device_ctx,
                                                  "ibm4767")) == NULL
        || (sh->providers[1] = OSSL_PROVIDER_load(sh->device_ctx,
                                                  "default")) == NULL
        || (sh->providers[2] = OSSL_PROVIDER_load(sh->reference_ctx,
                                                  "default")) == NULL) {
        fprintf(stderr, "cannot load the ibm4767 and default providers "
                "(OPENSSL_MODULES=%s)\n", getenv("OPENSSL_MODULES") != NULL
                                              ? getenv("OPENSSL_MODULES")
                                              : "(unset)");
        return 0;
    }
    sh->key = load_key(sh->device_ctx, key_path);
    sh->reference_pub = sh->key != NULL
                            ? public_copy(sh->key, sh->reference_ctx) : NULL;
    if (sh->reference_pub == NULL) {
        fprintf(stderr, "cannot load the device key and its public key "
                "from %s\n", key_path);
        ERR_print_errors_fp(stderr);
        return 0;
    }
    if (regcomp(&sh->code_pattern, "[0-9]+/[0-9]+", REG_EXTENDED) != 0) {
        fprintf(stderr, "cannot compile the error code pattern\n");
        return 0;
    }
    sh->have_pattern = 1;
    return 1;
}

/* Free what setup() made, so that a leak checker sees only real leaks. */
static void teardown(struct shared *sh)
{
    EVP_PKEY_free(sh->key);
    EVP_PKEY_free(sh->reference_pub);
    if (sh->have_pattern)
        regfree(&sh->code_pattern);
    for (int i = 0; i < 3; i++) {
        if (sh->providers[i] != NULL)
            OSSL_PROVIDER_unload(sh->providers[i]);
    }
    OSSL_LIB_CTX_free(sh->device_ctx);
    OSSL_LIB_CTX_free(sh->reference_ctx);
}

static int run(struct shared *sh, int threads)
{
    static struct worker workers[MAX_THREADS];
    pthread_t watchdog;
    int started = 0;

    for (int i = 0; i < threads; i++) {
        workers[i].sh = sh;
        workers[i].index = i;
        if (pthread_create(&workers[i].thread, NULL, worker_main,
                           &workers[i]) != 0)
            break;
        started++;
    }
    if (started < threads
        || pthread_create(&watchdog, NULL, watchdog_main, workers) != 0) {
        fprintf(stderr, "cannot start %d threads and the watchdog\n",
                threads);
        _exit(EXIT_HARD_ERROR);
    }
    for (int i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);
    atomic_store(&sh->finished, 1);
    pthread_join(watchdog, NULL);
    return started;
}

int main(int argc, char **argv)
{
    struct shared sh;
    int threads;
    long bad, unclear, final;

    if (argc != 5) {
        fprintf(stderr, "usage: sign_loop KEY THREADS STOP-FILE "
                "WATCHDOG-MS\n");
        return EXIT_HARD_ERROR;
    }
    memset(&sh, 0, sizeof(sh));
    threads = atoi(argv[2]);
    sh.stop_file = argv[3];
    sh.watchdog_ms = atol(argv[4]);
    if (threads < 1 || threads > MAX_THREADS || sh.watchdog_ms <= 0) {
        fprintf(stderr, "sign_loop: THREADS must be 1 to %d and WATCHDOG-MS "
                "positive\n", MAX_THREADS);
        return EXIT_HARD_ERROR;
    }
    if (!setup(&sh, argv[1])) {
        teardown(&sh);
        return EXIT_HARD_ERROR;
    }

    run(&sh, threads);
    bad = atomic_load(&sh.bad);
    unclear = atomic_load(&sh.unclear);
    final = atomic_load(&sh.final_failures);
    printf("signatures=%ld failures=%ld bad=%ld unclear=%ld "
           "final_failures=%ld\n", atomic_load(&sh.signatures),
           atomic_load(&sh.failures), bad, unclear, final);
    if (bad != 0)
        fprintf(stderr, "FAIL: %ld signatures did not verify\n", bad);
    if (unclear != 0)
        fprintf(stderr, "FAIL: %ld failures carried no CCA code\n", unclear);
    if (final != 0)
        fprintf(stderr, "FAIL: %ld threads could not sign after the device "
                "was left alone\n", final);
    teardown(&sh);
    return bad == 0 && unclear == 0 && final == 0 ? 0 : EXIT_CHECK_FAILED;
}
