/*
 * The card's random number generator: an SP 800-90A Hash_DRBG with
 * SHA-256 (what CCA 4.4 and later use), from OpenSSL's default provider,
 * seeded by OpenSSL's SEED-SRC (the operating system's entropy, e.g.
 * getrandom) and reseeded after RNG_RESEED_REQUESTS requests or
 * RNG_RESEED_SECONDS seconds, whichever comes first.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <ibm4767/log.h>

#include "emud.h"

#define RNG_STRENGTH          256u
#define RNG_RESEED_REQUESTS   4096u
#define RNG_RESEED_SECONDS    300

struct emu_rng {
    EVP_RAND_CTX *seed;
    EVP_RAND_CTX *drbg;
};

static EVP_RAND_CTX *rand_new(OSSL_LIB_CTX *libctx, const char *name,
                              EVP_RAND_CTX *parent)
{
    EVP_RAND *alg = EVP_RAND_fetch(libctx, name, NULL);
    EVP_RAND_CTX *ctx = NULL;

    if (alg != NULL)
        ctx = EVP_RAND_CTX_new(alg, parent);
    EVP_RAND_free(alg);
    return ctx;
}

static int drbg_configure(EVP_RAND_CTX *drbg)
{
    char digest[] = "SHA256";
    unsigned int requests = RNG_RESEED_REQUESTS;
    time_t interval = RNG_RESEED_SECONDS;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_uint(OSSL_DRBG_PARAM_RESEED_REQUESTS, &requests),
        OSSL_PARAM_construct_time_t(OSSL_DRBG_PARAM_RESEED_TIME_INTERVAL,
                                    &interval),
        OSSL_PARAM_construct_end(),
    };

    return EVP_RAND_CTX_set_params(drbg, params);
}

struct emu_rng *emu_rng_new(OSSL_LIB_CTX *libctx, const char *serial,
                            char *err, size_t err_len)
{
    struct emu_rng *rng = OPENSSL_zalloc(sizeof(*rng));
    char pers[64];
    int pers_len;

    if (rng == NULL) {
        snprintf(err, err_len, "out of memory creating the random number "
                 "generator");
        return NULL;
    }
    /* The personalization string separates this device's instance from
     * others seeded at the same moment. */
    pers_len = snprintf(pers, sizeof(pers), "ibm4767-emud %s", serial);

    rng->seed = rand_new(libctx, "SEED-SRC", NULL);
    if (rng->seed == NULL
        || !EVP_RAND_instantiate(rng->seed, 0, 0, NULL, 0, NULL)) {
        snprintf(err, err_len, "cannot open OpenSSL's SEED-SRC entropy "
                 "source");
        goto err;
    }
    rng->drbg = rand_new(libctx, "HASH-DRBG", rng->seed);
    if (rng->drbg == NULL || !drbg_configure(rng->drbg)
        || !EVP_RAND_enable_locking(rng->drbg)
        || !EVP_RAND_instantiate(rng->drbg, RNG_STRENGTH, 0,
                                 (const unsigned char *)pers,
                                 (size_t)pers_len, NULL)) {
        snprintf(err, err_len, "cannot instantiate the SHA-256 Hash_DRBG "
                 "at %u bits of strength", RNG_STRENGTH);
        goto err;
    }
    IBM4767_DEBUG("Hash_DRBG (SHA-256) instantiated; reseed every %u "
                  "requests or %d s", RNG_RESEED_REQUESTS,
                  RNG_RESEED_SECONDS);
    return rng;

err:
    emu_rng_free(rng);
    return NULL;
}

void emu_rng_free(struct emu_rng *rng)
{
    if (rng == NULL)
        return;
    EVP_RAND_CTX_free(rng->drbg);
    EVP_RAND_CTX_free(rng->seed);
    OPENSSL_free(rng);
}

int emu_rng_generate(struct emu_rng *rng, uint8_t *out, size_t len)
{
    return EVP_RAND_generate(rng->drbg, out, len, RNG_STRENGTH, 0, NULL, 0);
}

/* CSNBRNGL.  Request: u32 length (1..IBM4767_RANDOM_MAX).  Reply: bytes. */
int emu_verb_random_generate(struct emu_device *dev, struct ibm4767_rbuf *req,
                             struct ibm4767_wbuf *reply,
                             struct emu_result *res)
{
    uint8_t buf[IBM4767_RANDOM_MAX];
    uint32_t len;
    int ret = 0;

    if (!ibm4767_get_u32(req, &len))
        return emu_request_short(res, "length");
    if (!emu_request_done(req, res))
        return 0;
    if (len == 0 || len > IBM4767_RANDOM_MAX)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "random length %u is outside 1..%u; split larger "
                        "requests", len, IBM4767_RANDOM_MAX);

    if (!emu_rng_generate(dev->rng, buf, len)) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "the Hash_DRBG failed to generate %u bytes", len);
        goto err;
    }
    ret = ibm4767_put_bytes(reply, buf, len);
    if (ret)
        emu_counter_add(&dev->counters, EMU_CTR_RANDOM_BYTES, len);

err:
    OPENSSL_cleanse(buf, sizeof(buf));
    return ret;
}
