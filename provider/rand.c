/*
 * IBM4767-RNG: a random generator that takes every byte from the
 * coprocessor's random number generator (CSNBRNGL, a Hash_DRBG with
 * SHA-256 in the device).
 *
 * It can be the library's primary generator through the [random] section
 * of openssl.cnf (random = IBM4767-RNG, properties = provider=ibm4767), or
 * the seed source of OpenSSL's own DRBGs (seed = IBM4767-RNG,
 * seed_properties = provider=ibm4767).  examples/openssl-rand.cnf shows
 * both.
 *
 * Nothing is buffered on the host: each request goes to the device, so a
 * forked child (whose backend opens its own connections) never repeats
 * its parent's bytes.  Seed material and additional input from the caller
 * are not forwarded, because the verb has no field for them.  The device's
 * DRBG seeds and reseeds itself.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "prov.h"

/* Security strength of SHA-256 Hash_DRBG (NIST SP 800-57 part 1). */
#define RNG_STRENGTH 256u

struct ibm4767_rng {
    struct ibm4767_provctx *provctx;
    int state;                   /* EVP_RAND_STATE_* */
    int locking;
    pthread_mutex_t lock;
};

static void *rng_newctx(void *provctx, void *parent,
                        const OSSL_DISPATCH *parent_calls)
{
    struct ibm4767_rng *rng;

    rng = OPENSSL_zalloc(sizeof(*rng));
    if (rng == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory for a random generator context");
        return NULL;
    }
    /* The parent is not used: every byte comes from the device. */
    rng->provctx = provctx;
    rng->state = EVP_RAND_STATE_UNINITIALISED;
    return rng;
}

static void rng_freectx(void *vctx)
{
    struct ibm4767_rng *rng = vctx;

    if (rng == NULL)
        return;
    if (rng->locking)
        pthread_mutex_destroy(&rng->lock);
    OPENSSL_free(rng);
}

/* The device needs no instantiation: the first request connects. */
static int rng_instantiate(void *vctx, unsigned int strength,
                           int prediction_resistance,
                           const unsigned char *pstr, size_t pstr_len,
                           const OSSL_PARAM params[])
{
    struct ibm4767_rng *rng = vctx;

    if (strength > RNG_STRENGTH) {
        IBM4767_RAISE(rng->provctx, IBM4767_R_UNSUPPORTED,
                      "random generator strength %u bits was requested; "
                      "the coprocessor provides %u", strength, RNG_STRENGTH);
        return 0;
    }
    rng->state = EVP_RAND_STATE_READY;
    return 1;
}

static int rng_uninstantiate(void *vctx)
{
    struct ibm4767_rng *rng = vctx;

    rng->state = EVP_RAND_STATE_UNINITIALISED;
    return 1;
}

static int rng_fill(struct ibm4767_rng *rng, unsigned char *out, size_t len)
{
    struct cca_result res;

    if (!cca_random_number_generate(rng->provctx->backend, out, len, &res)) {
        IBM4767_RAISE_CCA(rng->provctx, &res, "random number generation");
        return 0;
    }
    return 1;
}

static int rng_generate(void *vctx, unsigned char *out, size_t outlen,
                        unsigned int strength, int prediction_resistance,
                        const unsigned char *adin, size_t adin_len)
{
    struct ibm4767_rng *rng = vctx;

    if (rng->state != EVP_RAND_STATE_READY) {
        IBM4767_RAISE(rng->provctx, IBM4767_R_OPERATION_NOT_INITIALIZED,
                      "random generator used before it was instantiated");
        return 0;
    }
    if (strength > RNG_STRENGTH) {
        IBM4767_RAISE(rng->provctx, IBM4767_R_UNSUPPORTED,
                      "random bytes of strength %u bits were requested; the "
                      "coprocessor provides %u", strength, RNG_STRENGTH);
        return 0;
    }
    return rng_fill(rng, out, outlen);
}

/* The device reseeds its own DRBG; host entropy is not forwarded. */
static int rng_reseed(void *vctx, int prediction_resistance,
                      const unsigned char *ent, size_t ent_len,
                      const unsigned char *adin, size_t adin_len)
{
    return 1;
}

static int rng_enable_locking(void *vctx)
{
    struct ibm4767_rng *rng = vctx;

    if (rng->locking)
        return 1;
    if (pthread_mutex_init(&rng->lock, NULL) != 0) {
        IBM4767_RAISE(rng->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot create the random generator's lock");
        return 0;
    }
    rng->locking = 1;
    return 1;
}

static int rng_lock(void *vctx)
{
    struct ibm4767_rng *rng = vctx;

    return !rng->locking || pthread_mutex_lock(&rng->lock) == 0;
}

static void rng_unlock(void *vctx)
{
    struct ibm4767_rng *rng = vctx;

    if (rng->locking)
        pthread_mutex_unlock(&rng->lock);
}

/* Seed material for a DRBG that uses this generator as its parent. */
static size_t rng_get_seed(void *vctx, unsigned char **buffer, int entropy,
                           size_t min_len, size_t max_len,
                           int prediction_resistance,
                           const unsigned char *adin, size_t adin_len)
{
    struct ibm4767_rng *rng = vctx;
    size_t len = entropy > 0 ? ((size_t)entropy + 7) / 8 : 0;
    unsigned char *seed;

    if (len < min_len)
        len = min_len;
    if (len > max_len || len == 0) {
        IBM4767_RAISE(rng->provctx, IBM4767_R_INVALID_PARAMETER,
                      "seed request for %d bits in %zu to %zu bytes cannot "
                      "be met", entropy, min_len, max_len);
        return 0;
    }
    seed = OPENSSL_secure_malloc(len);
    if (seed == NULL) {
        IBM4767_RAISE(rng->provctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory for a %zu-byte seed", len);
        return 0;
    }
    if (!rng_fill(rng, seed, len)) {
        OPENSSL_secure_clear_free(seed, len);
        return 0;
    }
    *buffer = seed;
    return len;
}

static void rng_clear_seed(void *vctx, unsigned char *buffer, size_t len)
{
    OPENSSL_secure_clear_free(buffer, len);
}

static int rng_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    struct ibm4767_rng *rng = vctx;
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE);
    if (p != NULL && !OSSL_PARAM_set_int(p, rng->state))
        goto err;
    p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH);
    if (p != NULL && !OSSL_PARAM_set_uint(p, RNG_STRENGTH))
        goto err;
    /* Larger requests are split by the backend; libcrypto splits at this
     * size too, so each generate call is one device request. */
    p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST);
    if (p != NULL && !OSSL_PARAM_set_size_t(p, IBM4767_RANDOM_MAX))
        goto err;
    return 1;

err:
    IBM4767_RAISE(rng->provctx, IBM4767_R_INVALID_PARAMETER,
                  "cannot return a random generator parameter: check its "
                  "type");
    return 0;
}

static const OSSL_PARAM *rng_gettable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, NULL),
        OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, NULL),
        OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, NULL),
        OSSL_PARAM_END,
    };

    return gettable;
}

/* No secret is held on the host. */
static int rng_verify_zeroization(void *vctx)
{
    return 1;
}

const OSSL_DISPATCH ibm4767_rand_functions[] = {
    { OSSL_FUNC_RAND_NEWCTX, (void (*)(void))rng_newctx },
    { OSSL_FUNC_RAND_FREECTX, (void (*)(void))rng_freectx },
    { OSSL_FUNC_RAND_INSTANTIATE, (void (*)(void))rng_instantiate },
    { OSSL_FUNC_RAND_UNINSTANTIATE, (void (*)(void))rng_uninstantiate },
    { OSSL_FUNC_RAND_GENERATE, (void (*)(void))rng_generate },
    { OSSL_FUNC_RAND_RESEED, (void (*)(void))rng_reseed },
    { OSSL_FUNC_RAND_ENABLE_LOCKING, (void (*)(void))rng_enable_locking },
    { OSSL_FUNC_RAND_LOCK, (void (*)(void))rng_lock },
    { OSSL_FUNC_RAND_UNLOCK, (void (*)(void))rng_unlock },
    { OSSL_FUNC_RAND_GET_SEED, (void (*)(void))rng_get_seed },
    { OSSL_FUNC_RAND_CLEAR_SEED, (void (*)(void))rng_clear_seed },
    { OSSL_FUNC_RAND_GET_CTX_PARAMS, (void (*)(void))rng_get_ctx_params },
    { OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS,
      (void (*)(void))rng_gettable_ctx_params },
    { OSSL_FUNC_RAND_VERIFY_ZEROIZATION,
      (void (*)(void))rng_verify_zeroization },
    { 0, NULL },
};
