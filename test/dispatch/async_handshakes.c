/*
 * async_handshakes KEY CERT COUNT
 *
 * One thread runs COUNT TLS 1.3 handshakes at once, each between a client
 * and a server joined by a socketpair.  The servers use the device key KEY
 * (a token PEM file) with the certificate CERT and run with
 * SSL_MODE_ASYNC.  A server whose signature waits for the device pauses
 * its ASYNC job (SSL_ERROR_WANT_ASYNC), and the loop goes on with the
 * other handshakes.  When nothing else can move, it polls the jobs' wait
 * descriptors.  Checks:
 *   - every handshake completes within LIMIT_S seconds;
 *   - every server paused at least once for the device (the backend
 *     handed libssl a wait descriptor instead of blocking the thread).
 * The calling script checks on the device that the requests overlapped.
 *
 * Exit status: 0 pass, 1 a check failed, 99 the test could not run.
 */
#include <config.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "dispatch_test.h"

#define MAX_HANDSHAKES 256
#define LIMIT_S        60.0

struct handshake {
    SSL *client;
    SSL *server;
    int client_done;
    int server_done;
    int server_waits;            /* last server step: WANT_ASYNC */
    unsigned pauses;             /* WANT_ASYNC returns of the server */
};

static X509 *load_cert(const char *path)
{
    BIO *in = BIO_new_file(path, "r");
    X509 *cert = in != NULL ? PEM_read_bio_X509(in, NULL, NULL, NULL) : NULL;

    BIO_free(in);
    return cert;
}

static SSL_CTX *make_server(EVP_PKEY *key, X509 *cert)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
        SSL_CTX_use_certificate(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
        !SSL_CTX_set_num_tickets(ctx, 0)) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_mode(ctx, SSL_MODE_ASYNC);
    return ctx;
}

static int start(struct handshake *h, SSL_CTX *client, SSL_CTX *server)
{
    int fds[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds) != 0)
        return 0;
    h->client = SSL_new(client);
    h->server = SSL_new(server);
    if (h->client == NULL || h->server == NULL ||
        !SSL_set_fd(h->client, fds[0]) || !SSL_set_fd(h->server, fds[1]))
        return 0;
    SSL_set_connect_state(h->client);
    SSL_set_accept_state(h->server);
    return 1;
}

/* One step of one side; 0 on a failure. */
static int step(SSL *ssl, int *done, int *waits, unsigned *pauses)
{
    int r, err;

    if (*done)
        return 1;
    r = SSL_do_handshake(ssl);
    if (r == 1) {
        *done = 1;
        *waits = 0;
        return 1;
    }
    err = SSL_get_error(ssl, r);
    *waits = err == SSL_ERROR_WANT_ASYNC;
    if (*waits)
        (*pauses)++;
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ||
           *waits;
}

/* Poll the wait descriptors of the paused servers. */
static void wait_for_device(struct handshake *hs, unsigned n)
{
    struct pollfd pfd[MAX_HANDSHAKES];
    nfds_t count = 0;

    for (unsigned i = 0; i < n; i++) {
        OSSL_ASYNC_FD fd;
        size_t nfds = 0;

        if (!hs[i].server_waits ||
            !SSL_get_all_async_fds(hs[i].server, NULL, &nfds) || nfds != 1 ||
            !SSL_get_all_async_fds(hs[i].server, &fd, &nfds))
            continue;
        pfd[count].fd = fd;
        pfd[count].events = POLLIN;
        count++;
    }
    if (count > 0)
        poll(pfd, count, 1000);
}

/* Step every handshake until all are done; 0 on a failure or timeout. */
static int run_all(struct handshake *hs, unsigned n)
{
    double deadline = dt_now() + LIMIT_S;
    unsigned done = 0;

    while (done < n) {
        unsigned waiting = 0;

        if (dt_now() > deadline) {
            fprintf(stderr, "FAIL: %u of %u handshakes still running after "
                    "%.0f s\n", n - done, n, LIMIT_S);
            return 0;
        }
        done = 0;
        for (unsigned i = 0; i < n; i++) {
            struct handshake *h = &hs[i];
            int unused = 0;
            unsigned client_pauses = 0;

            if (!step(h->client, &h->client_done, &unused, &client_pauses) ||
                !step(h->server, &h->server_done, &h->server_waits,
                      &h->pauses)) {
                fprintf(stderr, "FAIL: handshake %u failed\n", i);
                ERR_print_errors_fp(stderr);
                return 0;
            }
            done += h->client_done && h->server_done;
            waiting += h->server_waits;
        }
        if (done < n && waiting == n - done)
            wait_for_device(hs, n);
    }
    return 1;
}

int main(int argc, char **argv)
{
    struct handshake hs[MAX_HANDSHAKES];
    SSL_CTX *client = NULL, *server = NULL;
    EVP_PKEY *key;
    X509 *cert;
    unsigned n, paused = 0;
    int ok;

    if (argc != 4 || (n = (unsigned)atoi(argv[3])) == 0 ||
        n > MAX_HANDSHAKES) {
        fprintf(stderr, "usage: async_handshakes KEY CERT COUNT(1-%d)\n",
                MAX_HANDSHAKES);
        return EXIT_HARD_ERROR;
    }
    if (!dt_load_providers() || (key = dt_load_key(argv[1])) == NULL)
        return EXIT_HARD_ERROR;
    cert = load_cert(argv[2]);
    client = SSL_CTX_new(TLS_client_method());
    server = cert != NULL ? make_server(key, cert) : NULL;
    if (client == NULL || server == NULL) {
        fprintf(stderr, "cannot set up the TLS contexts with %s and %s\n",
                argv[1], argv[2]);
        ERR_print_errors_fp(stderr);
        return EXIT_HARD_ERROR;
    }
    SSL_CTX_set_verify(client, SSL_VERIFY_NONE, NULL);

    memset(hs, 0, sizeof(hs));
    for (unsigned i = 0; i < n; i++) {
        if (!start(&hs[i], client, server)) {
            fprintf(stderr, "cannot start handshake %u\n", i);
            return EXIT_HARD_ERROR;
        }
    }
    ok = run_all(hs, n);

    for (unsigned i = 0; i < n; i++) {
        if (ok && hs[i].pauses == 0) {
            fprintf(stderr, "FAIL: the server of handshake %u never paused "
                    "for the device\n", i);
            ok = 0;
        }
        paused += hs[i].pauses > 0;
        close(SSL_get_fd(hs[i].client));
        close(SSL_get_fd(hs[i].server));
        SSL_free(hs[i].client);
        SSL_free(hs[i].server);
    }
    printf("%u handshakes in flight on one thread: %s; %u servers paused "
           "for the device\n", n, ok ? "all completed" : "failed", paused);
    SSL_CTX_free(client);
    SSL_CTX_free(server);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok ? EXIT_PASS : EXIT_CHECK_FAILED;
}
