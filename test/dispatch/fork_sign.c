/*
 * fork_sign KEY CHILDREN COUNT
 *
 * Load the device key KEY (a token PEM file) and sign with it, so that
 * the parent has pooled device connections open.  Then fork CHILDREN
 * children as a web server forks its workers.  Each child signs COUNT
 * messages and verifies them with the default provider, while the parent
 * signs COUNT more on its own connections.  A child that used a connection
 * inherited from the parent would take replies meant for the parent (or
 * for a sibling), and a signature would fail to verify.
 *
 * Every child must exit 0 within CHILD_LIMIT_S seconds; one that does not
 * is killed and the test fails, so nothing can block the test for good.
 *
 * Exit status: 0 pass, 1 a check failed, 99 the test could not run.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "dispatch_test.h"

#define MAX_CHILDREN  32
#define CHILD_LIMIT_S 60.0

/* Sign and verify count messages tagged with who; returns the number
 * that failed. */
static unsigned sign_many(EVP_PKEY *key, EVP_PKEY *pub, const char *who,
                          unsigned count)
{
    unsigned char sig[DT_SIGNATURE_MAX];
    unsigned failures = 0;
    char msg[64], errors[1024];

    for (unsigned i = 0; i < count; i++) {
        size_t sig_len;
        int len = snprintf(msg, sizeof(msg), "%s message %u", who, i);

        if (!dt_sign(key, msg, (size_t)len, sig, &sig_len)) {
            dt_take_errors(errors, sizeof(errors));
            fprintf(stderr, "FAIL: %s message %u: signing failed: %s\n",
                    who, i, errors);
            failures++;
            continue;
        }
        if (!dt_verify(pub, msg, (size_t)len, sig, sig_len)) {
            fprintf(stderr, "FAIL: %s message %u: signature does not "
                    "verify\n", who, i);
            failures++;
        }
    }
    return failures;
}

static void child_main(EVP_PKEY *key, EVP_PKEY *pub, unsigned index,
                       unsigned count)
{
    char who[32];

    snprintf(who, sizeof(who), "child %u (pid %ld)", index, (long)getpid());
    _exit(sign_many(key, pub, who, count) == 0 ? EXIT_PASS
                                                : EXIT_CHECK_FAILED);
}

/* Wait for every child until the deadline; kill the ones left.  Returns
 * the number of children that did not exit 0. */
static unsigned reap(pid_t *pids, unsigned children)
{
    struct timespec tick = { 0, 20 * 1000 * 1000 };
    double deadline = dt_now() + CHILD_LIMIT_S;
    unsigned left = children, bad = 0;

    while (left > 0 && dt_now() < deadline) {
        for (unsigned i = 0; i < children; i++) {
            int status;

            if (pids[i] <= 0 || waitpid(pids[i], &status, WNOHANG) == 0)
                continue;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "FAIL: child %u (pid %ld) ended with "
                        "status 0x%x\n", i, (long)pids[i], status);
                bad++;
            }
            pids[i] = 0;
            left--;
        }
        nanosleep(&tick, NULL);
    }
    for (unsigned i = 0; i < children; i++) {
        if (pids[i] <= 0)
            continue;
        fprintf(stderr, "FAIL: child %u (pid %ld) still runs after %.0f s; "
                "killing it\n", i, (long)pids[i], CHILD_LIMIT_S);
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
        bad++;
    }
    return bad;
}

int main(int argc, char **argv)
{
    pid_t pids[MAX_CHILDREN];
    EVP_PKEY *key, *pub;
    unsigned children, count, bad;

    if (argc != 4 || (children = (unsigned)atoi(argv[2])) == 0 ||
        children > MAX_CHILDREN || atoi(argv[3]) <= 0) {
        fprintf(stderr, "usage: fork_sign KEY CHILDREN(1-%d) COUNT\n",
                MAX_CHILDREN);
        return EXIT_HARD_ERROR;
    }
    count = (unsigned)atoi(argv[3]);
    if (!dt_load_providers() || (key = dt_load_key(argv[1])) == NULL ||
        (pub = dt_public_copy(key)) == NULL)
        return EXIT_HARD_ERROR;

    if (sign_many(key, pub, "parent before fork", 4) != 0)
        return EXIT_CHECK_FAILED;

    memset(pids, 0, sizeof(pids));
    for (unsigned i = 0; i < children; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            perror("fork");
            reap(pids, i);
            return EXIT_HARD_ERROR;
        }
        if (pids[i] == 0)
            child_main(key, pub, i, count);
    }

    bad = sign_many(key, pub, "parent after fork", count);
    bad += reap(pids, children);
    printf("%u children and the parent signed %u messages each: %s\n",
           children, count, bad == 0 ? "all verified" : "failures");
    EVP_PKEY_free(pub);
    EVP_PKEY_free(key);
    return bad == 0 ? EXIT_PASS : EXIT_CHECK_FAILED;
}
