/*
 * The device context: the emulator's own OpenSSL library context, the
 * algorithms fetched once for all workers, the counters and the helpers
 * that record a verb's result.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/provider.h>

#include <ibm4767/log.h>

#include "admin.h"
#include "retained.h"
#include "sym_engine.h"

void emu_result_init(struct emu_result *res)
{
    res->rc = CCA_RC_OK;
    res->reason = CCA_RS_OK;
    res->detail[0] = '\0';
}

int emu_fail(struct emu_result *res, uint32_t rc, uint32_t reason,
             const char *fmt, ...)
{
    va_list ap;

    res->rc = rc;
    res->reason = reason;
    va_start(ap, fmt);
    vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
    va_end(ap);
    return 0;
}

void emu_warn(struct emu_result *res, uint32_t rc, uint32_t reason)
{
    res->rc = rc;
    res->reason = reason;
}

/* Names as the status reply lists them; index by enum emu_counter. */
static const char *const counter_names[EMU_CTR_COUNT] = {
    [EMU_CTR_REQUESTS] = "requests",
    [EMU_CTR_REJECTED] = "rejected",
    [EMU_CTR_SIGNATURES] = "signatures",
    [EMU_CTR_VERIFICATIONS] = "verifications",
    [EMU_CTR_DECRYPTIONS] = "decryptions",
    [EMU_CTR_ENCRYPTIONS] = "encryptions",
    [EMU_CTR_KEY_GENERATIONS] = "key-generations",
    [EMU_CTR_KEY_IMPORTS] = "key-imports",
    [EMU_CTR_PUBLIC_KEY_EXTRACTS] = "public-key-extracts",
    [EMU_CTR_DERIVATIONS] = "derivations",
    [EMU_CTR_RANDOM_REQUESTS] = "random-requests",
    [EMU_CTR_RANDOM_BYTES] = "random-bytes",
    [EMU_CTR_KEY_CACHE_HITS] = "key-cache-hits",
    [EMU_CTR_KEY_CACHE_MISSES] = "key-cache-misses",
    [EMU_CTR_KEY_CACHE_EVICTIONS] = "key-cache-evictions",
    [EMU_CTR_SYMMETRIC_REQUESTS] = "symmetric-requests",
    [EMU_CTR_SYMMETRIC_BYTES] = "symmetric-bytes",
};

void emu_counter_add(struct emu_counters *c, enum emu_counter id, uint64_t n)
{
    if (id < 0 || id >= EMU_CTR_COUNT)
        return;
    atomic_fetch_add_explicit(&c->value[id], n, memory_order_relaxed);
}

uint64_t emu_counter_get(const struct emu_counters *c, enum emu_counter id)
{
    if (id < 0 || id >= EMU_CTR_COUNT)
        return 0;
    return atomic_load_explicit(&c->value[id], memory_order_relaxed);
}

const char *emu_counter_name(enum emu_counter id)
{
    if (id < 0 || id >= EMU_CTR_COUNT)
        return "unknown";
    return counter_names[id];
}

static const struct {
    int nid;
    const char *name;
} curve_table[EMU_CURVES] = {
    { NID_X9_62_prime256v1, "P-256" },
    { NID_secp384r1, "P-384" },
    { NID_secp521r1, "P-521" },
};

const struct emu_curve *emu_curve_by_nid(const struct emu_device *dev, int nid)
{
    for (size_t i = 0; i < EMU_CURVES; i++) {
        if (dev->curves[i].nid == nid)
            return &dev->curves[i];
    }
    return NULL;
}

/* Digests the verbs accept, by NID, with their OpenSSL names. */
static const struct {
    int nid;
    const char *name;
} digest_table[EMU_DIGESTS] = {
    { NID_sha1, "SHA1" },
    { NID_sha224, "SHA2-224" },
    { NID_sha256, "SHA2-256" },
    { NID_sha384, "SHA2-384" },
    { NID_sha512, "SHA2-512" },
    { NID_md5_sha1, "MD5-SHA1" },
};

const EVP_MD *emu_digest_by_nid(const struct emu_device *dev, int nid,
                                int allow_md5_sha1)
{
    if (nid == NID_md5_sha1 && !allow_md5_sha1)
        return NULL;
    for (size_t i = 0; i < EMU_DIGESTS; i++) {
        if (digest_table[i].nid == nid)
            return dev->digests[i];
    }
    return NULL;
}

static int load_digests(struct emu_device *dev, char *err, size_t err_len)
{
    for (size_t i = 0; i < EMU_DIGESTS; i++) {
        dev->digests[i] = EVP_MD_fetch(dev->libctx, digest_table[i].name,
                                       NULL);
        if (dev->digests[i] == NULL) {
            snprintf(err, err_len, "OpenSSL's default provider offers no "
                     "%s digest", digest_table[i].name);
            return 0;
        }
    }
    return 1;
}

static int load_curves(struct emu_device *dev, char *err, size_t err_len)
{
    for (size_t i = 0; i < EMU_CURVES; i++) {
        struct emu_curve *c = &dev->curves[i];

        c->nid = curve_table[i].nid;
        c->name = curve_table[i].name;
        c->field_len = (cca_curve_bits(c->nid) + 7) / 8;
        c->group = EC_GROUP_new_by_curve_name_ex(dev->libctx, NULL, c->nid);
        if (c->group == NULL) {
            snprintf(err, err_len, "cannot load curve %s from OpenSSL's "
                     "default provider", c->name);
            return 0;
        }
    }
    return 1;
}

/*
 * OPENSSL_INIT_NO_LOAD_CONFIG keeps the default library context from
 * reading openssl.cnf, which may activate the ibm4767 provider; the
 * device's own context then loads only the default provider.
 */
int emu_device_init(struct emu_device *dev, const struct emu_config *cfg,
                    char *err, size_t err_len)
{
    memset(dev, 0, sizeof(*dev));
    dev->cfg = cfg;
    dev->state.lock_fd = -1;

    if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL)) {
        snprintf(err, err_len, "OpenSSL initialisation failed");
        return 0;
    }
    dev->libctx = OSSL_LIB_CTX_new();
    if (dev->libctx == NULL) {
        snprintf(err, err_len, "cannot create an OpenSSL library context: "
                 "out of memory");
        return 0;
    }
    dev->default_prov = OSSL_PROVIDER_load(dev->libctx, "default");
    if (dev->default_prov == NULL) {
        snprintf(err, err_len, "cannot load OpenSSL's default provider; "
                 "check that libcrypto 3 is installed completely");
        return 0;
    }

    dev->aes_gcm = EVP_CIPHER_fetch(dev->libctx, "AES-256-GCM", NULL);
    dev->sha256 = EVP_MD_fetch(dev->libctx, "SHA2-256", NULL);
    if (dev->aes_gcm == NULL || dev->sha256 == NULL) {
        snprintf(err, err_len, "OpenSSL's default provider offers no "
                 "AES-256-GCM or SHA-256");
        return 0;
    }
    return load_digests(dev, err, err_len) && load_curves(dev, err, err_len);
}

void emu_device_free(struct emu_device *dev)
{
    /* Open GCM chains contain keys and contexts of dev->libctx, so they
     * go before the context. */
    emu_sym_engine_free();
    emu_admin_free(dev);
    emu_retained_free(dev);
    emu_keycache_free(dev->keycache);
    emu_rng_free(dev->rng);
    emu_state_close(&dev->state);
    for (size_t i = 0; i < EMU_CURVES; i++)
        EC_GROUP_free(dev->curves[i].group);
    for (size_t i = 0; i < EMU_DIGESTS; i++)
        EVP_MD_free(dev->digests[i]);
    EVP_CIPHER_free(dev->aes_gcm);
    EVP_MD_free(dev->sha256);
    if (dev->default_prov != NULL)
        OSSL_PROVIDER_unload(dev->default_prov);
    OSSL_LIB_CTX_free(dev->libctx);
    memset(dev, 0, sizeof(*dev));
}
