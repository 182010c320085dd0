/*
 * TLS handshakes for the benchmark: a client and a server in one process,
 * joined by a Unix socketpair, with the server's RSA-2048 key in the
 * device or in the default provider.  TLS 1.3 runs with no session
 * resumption and no tickets, so every handshake costs the server one
 * RSA-PSS signature.  The client (ECDHE and the signature check) always
 * runs in the default provider.
 *
 * In async mode the server runs with SSL_MODE_ASYNC, and one thread keeps
 * N handshakes in flight: a server that waits for the device returns
 * SSL_ERROR_WANT_ASYNC, and the loop polls the jobs' wait descriptors when
 * nothing else can make progress.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench.h"

/* Handshake steps without progress before a handshake is declared stuck. */
#define STUCK_STEPS   100000
/* Maximum wait for a device reply in the async loop, in milliseconds. */
#define POLL_TIMEOUT_MS 1000
/* Most descriptors polled at once in the async loop. */
#define POLL_MAX 1024

struct bench_tls {
    SSL_CTX *client;
    SSL_CTX *server;
};

/* One handshake in progress. */
struct handshake {
    SSL *client;
    SSL *server;
    int client_done;
    int server_done;
    int server_waits_async;       /* last server step: WANT_ASYNC */
    double started;
};

static SSL_CTX *server_ctx(enum bench_side side, struct bench_keys *keys,
                           int async)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    X509 *cert = bench_keys_tls_cert(keys, side);

    if (ctx == NULL || cert == NULL ||
        !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) ||
        SSL_CTX_use_certificate(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, keys->pkey[side][BENCH_KEY_RSA2048])
            != 1 ||
        !SSL_CTX_set_num_tickets(ctx, 0))
        goto err;
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    if (async)
        SSL_CTX_set_mode(ctx, SSL_MODE_ASYNC);
    return ctx;

err:
    SSL_CTX_free(ctx);
    return NULL;
}

struct bench_tls *bench_tls_new(enum bench_side side, struct bench_keys *keys,
                                int async)
{
    struct bench_tls *t = OPENSSL_zalloc(sizeof(*t));

    if (t == NULL)
        return NULL;
    t->client = SSL_CTX_new(TLS_client_method());
    t->server = server_ctx(side, keys, async);
    if (t->client == NULL || t->server == NULL ||
        !SSL_CTX_set_min_proto_version(t->client, TLS1_3_VERSION)) {
        bench_tls_free(t);
        return NULL;
    }
    SSL_CTX_set_verify(t->client, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(t->client, SSL_SESS_CACHE_OFF);
    return t;
}

void bench_tls_free(struct bench_tls *t)
{
    if (t == NULL)
        return;
    SSL_CTX_free(t->client);
    SSL_CTX_free(t->server);
    OPENSSL_free(t);
}

static void handshake_end(struct handshake *h)
{
    /* SSL_free closes nothing: the descriptors are closed here. */
    if (h->client != NULL)
        close(SSL_get_fd(h->client));
    if (h->server != NULL)
        close(SSL_get_fd(h->server));
    SSL_free(h->client);
    SSL_free(h->server);
    memset(h, 0, sizeof(*h));
}

static int handshake_start(struct bench_tls *t, struct handshake *h)
{
    int fds[2];

    memset(h, 0, sizeof(*h));
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                   fds) != 0) {
        fprintf(stderr, BENCH_PROGRAM ": socketpair failed: %s\n",
                strerror(errno));
        return 0;
    }
    h->client = SSL_new(t->client);
    h->server = SSL_new(t->server);
    if (h->client == NULL || h->server == NULL ||
        !SSL_set_fd(h->client, fds[0]) || !SSL_set_fd(h->server, fds[1])) {
        SSL_free(h->client);
        SSL_free(h->server);
        close(fds[0]);
        close(fds[1]);
        memset(h, 0, sizeof(*h));
        return 0;
    }
    SSL_set_connect_state(h->client);
    SSL_set_accept_state(h->server);
    h->started = bench_now_seconds();
    return 1;
}

/* One step of one side: 1 done or still going, 0 failed. */
static int side_step(SSL *ssl, int *done, int *waits_async)
{
    int r, err;

    if (*done)
        return 1;
    r = SSL_do_handshake(ssl);
    if (r == 1) {
        *done = 1;
        if (waits_async != NULL)
            *waits_async = 0;
        return 1;
    }
    err = SSL_get_error(ssl, r);
    if (waits_async != NULL)
        *waits_async = err == SSL_ERROR_WANT_ASYNC;
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ||
           err == SSL_ERROR_WANT_ASYNC;
}

static int handshake_step(struct handshake *h)
{
    return side_step(h->client, &h->client_done, NULL) &&
           side_step(h->server, &h->server_done, &h->server_waits_async);
}

static int handshake_done(const struct handshake *h)
{
    return h->client_done && h->server_done;
}

int bench_tls_handshake(struct bench_tls *t)
{
    struct handshake h;
    int ok = 0;

    if (!handshake_start(t, &h))
        return 0;
    for (int i = 0; i < STUCK_STEPS; i++) {
        if (!handshake_step(&h))
            break;
        if (handshake_done(&h)) {
            ok = 1;
            break;
        }
    }
    if (!ok && ERR_peek_error() == 0)
        fprintf(stderr, BENCH_PROGRAM ": a TLS handshake made no progress "
                "in %d steps\n", STUCK_STEPS);
    handshake_end(&h);
    return ok;
}

/* ---------------------------------------------------------------------- */
/* Many handshakes on one thread                                           */

/* Poll the wait descriptors of every server that waits for the device. */
static void wait_for_device(struct handshake *hs, unsigned n)
{
    struct pollfd pfd[POLL_MAX];
    nfds_t count = 0;

    for (unsigned i = 0; i < n; i++) {
        OSSL_ASYNC_FD fds[4];
        size_t nfds = 0;

        if (hs[i].server == NULL || !hs[i].server_waits_async ||
            !SSL_get_all_async_fds(hs[i].server, NULL, &nfds) ||
            nfds > 4 || !SSL_get_all_async_fds(hs[i].server, fds, &nfds))
            continue;
        for (size_t k = 0; k < nfds && count < POLL_MAX; k++) {
            pfd[count].fd = fds[k];
            pfd[count].events = POLLIN;
            count++;
        }
    }
    if (count > 0)
        poll(pfd, count, POLL_TIMEOUT_MS);
}

/* Whether every running handshake waits for the device: the server
 * paused in its job and the client has nothing to read. */
static int all_wait_for_device(const struct handshake *hs, unsigned n)
{
    int any = 0;

    for (unsigned i = 0; i < n; i++) {
        if (hs[i].server == NULL)
            continue;
        if (!hs[i].server_waits_async)
            return 0;
        any = 1;
    }
    return any;
}

/* State of one async measurement. */
struct async_run {
    struct bench_tls *tls;
    struct handshake *hs;
    unsigned n;
    unsigned running;
    int accepting;                /* start new handshakes */
    double window_end;            /* 0 while the window is open */
    struct bench_samples samples;
};

/* A finished handshake counts when the window is still open. */
static int finish_one(struct async_run *r, struct handshake *h)
{
    double now = bench_now_seconds();
    int ok = 1;

    if (r->window_end == 0)
        ok = bench_samples_add(&r->samples, (now - h->started) * 1e6);
    handshake_end(h);
    r->running--;
    if (ok && r->accepting) {
        ok = handshake_start(r->tls, h);
        r->running += ok;
    }
    return ok;
}

/* Step every running handshake once; 0 when one failed. */
static int async_pass(struct async_run *r)
{
    for (unsigned i = 0; i < r->n; i++) {
        struct handshake *h = &r->hs[i];

        if (h->server == NULL)
            continue;
        if (!handshake_step(h)) {
            bench_print_errors("a TLS handshake with SSL_MODE_ASYNC "
                               "failed");
            return 0;
        }
        if (handshake_done(h) && !finish_one(r, h))
            return 0;
    }
    return 1;
}

/*
 * Run until seconds have passed and at least min_done handshakes have
 * finished (at most ten times as long plus 30 s), then stop starting new
 * ones and let the running ones finish uncounted.
 */
static int async_loop(struct async_run *r, double seconds, size_t min_done)
{
    double start = bench_now_seconds();
    double limit = start + 10.0 * seconds + 30.0;

    r->accepting = 1;
    r->window_end = 0;
    for (unsigned i = 0; i < r->n; i++) {
        if (!handshake_start(r->tls, &r->hs[i]))
            return 0;
        r->running++;
    }
    while (r->running > 0) {
        double now = bench_now_seconds();

        if (r->accepting && ((now - start >= seconds &&
                              r->samples.count >= min_done) ||
                             now >= limit)) {
            r->accepting = 0;
            r->window_end = now;
        }
        if (!async_pass(r))
            return 0;
        if (all_wait_for_device(r->hs, r->n))
            wait_for_device(r->hs, r->n);
    }
    return 1;
}

int bench_tls_async_measure(enum bench_side side, struct bench_keys *keys,
                            unsigned handshakes, double seconds,
                            struct bench_result *out)
{
    struct async_run r;
    double started;
    int ok = 0;

    memset(&r, 0, sizeof(r));
    memset(out, 0, sizeof(*out));
    r.n = handshakes;
    r.tls = bench_tls_new(side, keys, 1);
    r.hs = calloc(handshakes, sizeof(*r.hs));
    if (r.tls == NULL || r.hs == NULL) {
        bench_print_errors("setting up TLS contexts failed");
        goto err;
    }

    /* One untimed round opens the device connections. */
    if (!async_loop(&r, 0.0, handshakes))
        goto err;
    bench_samples_free(&r.samples);

    started = bench_now_seconds();
    if (!async_loop(&r, seconds, 2 * (size_t)handshakes))
        goto err;
    out->ops = r.samples.count;
    out->seconds = r.window_end - started;
    out->ops_per_second = out->seconds > 0 ? (double)out->ops / out->seconds
                                           : 0.0;
    bench_samples_summarize(&r.samples, out);
    ok = 1;

err:
    for (unsigned i = 0; r.hs != NULL && i < handshakes; i++)
        handshake_end(&r.hs[i]);
    free(r.hs);
    bench_samples_free(&r.samples);
    bench_tls_free(r.tls);
    out->failed = !ok;
    return ok;
}
