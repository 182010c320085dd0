/*
 * aes_rand_fork: the library's random generator, configured through the
 * [random] section of the openssl.cnf in OPENSSL_CONF, is the device's
 * IBM4767-RNG.  RAND_status() is 1, a request far above the device's
 * per-call maximum succeeds, and a parent and its forked child draw
 * different bytes after the fork.  The shell test around it checks the
 * device's counters.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ibm4767/protocol.h>

#define LARGE_REQUEST (10 * IBM4767_RANDOM_MAX + 123)
#define DRAW 32

static int failures;

static void check(int cond, const char *what)
{
    printf("%s: %s\n", cond ? "ok" : "FAIL", what);
    if (!cond) {
        failures++;
        ERR_print_errors_fp(stdout);
    }
    fflush(stdout);
}

static int all_zero(const unsigned char *p, size_t n)
{
    unsigned char acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Draw in a forked child and hand the bytes back through a pipe. */
static int child_draw(unsigned char out[DRAW])
{
    int fds[2];
    pid_t pid;
    int status = 0;
    ssize_t n;

    if (pipe(fds) != 0)
        return 0;
    pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        unsigned char buf[DRAW];
        int ok = RAND_bytes(buf, sizeof(buf)) == 1
                 && write(fds[1], buf, sizeof(buf)) == (ssize_t)sizeof(buf);

        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    n = read(fds[0], out, DRAW);
    close(fds[0]);
    if (waitpid(pid, &status, 0) != pid)
        return 0;
    return n == DRAW && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(void)
{
    static unsigned char large[LARGE_REQUEST];
    unsigned char a[DRAW], b[DRAW], parent[DRAW], child[DRAW];
    EVP_RAND_CTX *primary;
    const char *name = NULL;

    if (!OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL)) {
        fprintf(stderr, "aes_rand_fork: loading the configuration in "
                "OPENSSL_CONF failed\n");
        ERR_print_errors_fp(stderr);
        return 99;
    }
    primary = RAND_get0_primary(NULL);
    if (primary != NULL)
        name = EVP_RAND_get0_name(EVP_RAND_CTX_get0_rand(primary));
    printf("primary generator: %s\n", name != NULL ? name : "(none)");
    check(name != NULL && strcmp(name, "IBM4767-RNG") == 0,
          "the primary generator is IBM4767-RNG");
    check(RAND_status() == 1, "RAND_status() returns 1");

    check(RAND_bytes(a, sizeof(a)) == 1 && RAND_bytes(b, sizeof(b)) == 1,
          "two 32-byte draws succeed");
    check(memcmp(a, b, sizeof(a)) != 0, "two draws differ");
    check(RAND_priv_bytes(a, sizeof(a)) == 1, "RAND_priv_bytes succeeds");
    check(RAND_bytes(large, sizeof(large)) == 1,
          "a request of ten times the device maximum succeeds");
    check(!all_zero(large + sizeof(large) - 64, 64),
          "the end of the large request is filled");

    check(child_draw(child), "a forked child draws 32 bytes");
    check(RAND_bytes(parent, sizeof(parent)) == 1,
          "the parent draws 32 bytes after the fork");
    check(memcmp(parent, child, sizeof(parent)) != 0,
          "parent and child draw different bytes");

    printf("aes_rand_fork: %d failed\n", failures);
    return failures == 0 ? 0 : 1;
}
