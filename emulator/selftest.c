/*
 * Device state and power-on self-test.  After a start the card spends its
 * POST time in SELF_TEST, refusing every verb but the status query with
 * 12/4767, then turns READY.  A card without CCA firmware stays in
 * NO_FIRMWARE and returns 12/338, as CCA does when its code is not loaded.
 * A zeroized card stays in ZEROIZED for good.  A reset (admin.c) starts
 * the self-test period again.
 *
 * The consistency checks run at start-up, before the socket takes
 * requests: the DRBG generates, a fresh EC key is wrapped, unwrapped,
 * signs and verifies, a changed token byte is rejected, and the device
 * key signs and verifies.  A failure stops the daemon.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <ibm4767/log.h>

#include "admin.h"

static int64_t monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint32_t emu_device_state(struct emu_device *dev, uint32_t *remaining_ms)
{
    int64_t left;

    *remaining_ms = 0;
    if (emu_admin_zeroized_code(dev) != 0)
        return CCA_STATE_ZEROIZED;
    if (!emu_admin_firmware_loaded(dev))
        return CCA_STATE_NO_FIRMWARE;
    left = atomic_load(&dev->ready_at_ms) - monotonic_ms();
    if (left > 0) {
        *remaining_ms = (uint32_t)left;
        return CCA_STATE_SELF_TEST;
    }
    return CCA_STATE_READY;
}

const char *emu_device_state_name(uint32_t state)
{
    switch (state) {
    case CCA_STATE_SELF_TEST:
        return "running its self-test";
    case CCA_STATE_READY:
        return "ready";
    case CCA_STATE_NO_FIRMWARE:
        return "without CCA firmware";
    case CCA_STATE_ZEROIZED:
        return "zeroized";
    default:
        return "in an unknown state";
    }
}

void emu_state_rejection(uint32_t state, uint32_t *rc, uint32_t *reason)
{
    switch (state) {
    case CCA_STATE_READY:
        *rc = CCA_RC_OK;
        *reason = CCA_RS_OK;
        break;
    case CCA_STATE_SELF_TEST:
        *rc = CCA_RC_SETUP;
        *reason = CCA_RS_SELF_TEST_RUNNING;
        break;
    case CCA_STATE_ZEROIZED:
        *rc = CCA_RC_SETUP;
        *reason = CCA_RS_ZEROIZED;
        break;
    default:
        *rc = CCA_RC_SETUP;
        *reason = CCA_RS_FIRMWARE_NOT_LOADED;
        break;
    }
}

void emu_selftest_restart(struct emu_device *dev)
{
    atomic_store(&dev->ready_logged, 0);
    atomic_store(&dev->ready_at_ms,
                 monotonic_ms() + (int64_t)dev->cfg->post_seconds * 1000);
}

int emu_selftest_poll(struct emu_device *dev)
{
    uint32_t remaining;
    uint32_t state = emu_device_state(dev, &remaining);

    if (state == CCA_STATE_SELF_TEST)
        return (int)remaining + 1;
    if (state == CCA_STATE_READY && !atomic_exchange(&dev->ready_logged, 1))
        IBM4767_INFO("self-test complete: device ready");
    return -1;
}

/* An EC key through the token path: generate, unwrap, sign, verify, and
 * a changed byte must fail authentication with 8/29. */
static int check_token_path(struct emu_device *dev, char *err, size_t len)
{
    int ret = 0;
    uint8_t *token = NULL;
    size_t token_len = 0;
    struct emu_key key = { 0 };
    struct emu_result res;
    uint8_t hash[32] = { 0x47, 0x67 };
    uint8_t sig[2 * 66];
    size_t sig_len = sizeof(sig);

    emu_result_init(&res);
    if (!emu_ec_generate(dev, NID_X9_62_prime256v1,
                         CCA_USAGE_SIGNATURE, &token, &token_len, &res)
        || !emu_key_load(dev, token, token_len, &key, &res)
        || !emu_ec_sign(dev, &key, hash, sizeof(hash), sig, &sig_len, &res)
        || !emu_ec_verify(dev, &key, hash, sizeof(hash), sig, sig_len, &res)
        || res.rc != CCA_RC_OK) {
        snprintf(err, len, "self-test: EC key token round trip failed: "
                 "%u/%u %s", res.rc, res.reason, res.detail);
        goto err;
    }
    emu_key_release(&key);
    emu_keycache_clear(dev->keycache);

    /* The usage byte is authenticated but not secret. */
    token[CCA_TOKEN_HEADER_LEN + CCA_EC_PRIV_USAGE_OFF] |=
        CCA_USAGE_KEY_AGREEMENT;
    emu_result_init(&res);
    if (emu_key_load(dev, token, token_len, &key, &res)
        || res.reason != CCA_RS_TOKEN_TVV_INVALID) {
        snprintf(err, len, "self-test: a changed token was not rejected "
                 "with 8/29 (got %u/%u)", res.rc, res.reason);
        goto err;
    }
    ret = 1;

err:
    emu_key_release(&key);
    OPENSSL_free(token);
    return ret;
}

static int check_device_key(struct emu_device *dev, char *err, size_t len)
{
    static const uint8_t data[] = "ibm4767-emud self-test";
    int ret = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t sig[512];
    size_t sig_len = sizeof(sig);

    if (ctx == NULL
        || !EVP_DigestSignInit_ex(ctx, NULL, "SHA2-256", dev->libctx, NULL,
                                  dev->state.device_key, NULL)
        || !EVP_DigestSign(ctx, sig, &sig_len, data, sizeof(data))
        || !EVP_DigestVerifyInit_ex(ctx, NULL, "SHA2-256", dev->libctx, NULL,
                                    dev->state.device_key, NULL)
        || EVP_DigestVerify(ctx, sig, sig_len, data, sizeof(data)) != 1) {
        snprintf(err, len, "self-test: the device key failed to sign and "
                 "verify");
        goto err;
    }
    ret = 1;

err:
    EVP_MD_CTX_free(ctx);
    return ret;
}

int emu_selftest_run(struct emu_device *dev, char *err, size_t err_len)
{
    uint8_t sample[32];

    if (!emu_rng_generate(dev->rng, sample, sizeof(sample))) {
        snprintf(err, err_len, "self-test: the Hash_DRBG failed to "
                 "generate");
        return 0;
    }
    OPENSSL_cleanse(sample, sizeof(sample));
    /* A zeroized device has no keys left to check. */
    if (dev->state.zeroized_code == 0
        && (!check_token_path(dev, err, err_len)
            || !check_device_key(dev, err, err_len)))
        return 0;

    /* The checks above went through the key cache; start from zero. */
    for (int i = 0; i < EMU_CTR_COUNT; i++)
        atomic_store(&dev->counters.value[i], 0);

    emu_selftest_restart(dev);
    if (dev->cfg->no_firmware)
        IBM4767_WARN("started without CCA firmware: every verb but status "
                     "gets 12/338");
    return 1;
}
