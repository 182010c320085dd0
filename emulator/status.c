/*
 * The status verb (CSUACFQ): device state, identity, master key registers,
 * code segments and counters, in the order include/ibm4767/protocol.h
 * lists.  It is served in every device state.
 *
 * With IBM4767_STATUS_SIGNED the signature field contains an RSA PKCS#1
 * v1.5 signature with SHA-256 by the device key over the request's nonce
 * followed by every reply field from the state up to the last counter.
 * The timing profile fields come after it and are not signed.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include <ibm4767/log.h>

#include "admin.h"

#define DEVICE_DESCRIPTION "IBM 4767-002 PCI-e Cryptographic Coprocessor " \
                           "(emulated)"
#define FIRMWARE_VERSION   "5.4.33"
#define STATUS_NONCE_MAX   256u

/* What the card's three code segments hold: Miniboot, the card's
 * operating system and the CCA application. */
static const char *const segment_images[CCA_STATUS_SEGMENTS] = {
    "Miniboot (emulated)",
    "CCA OS (emulated)",
    FIRMWARE_VERSION " CCA (emulated)",
};

static void to_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0x0f];
    }
    out[2 * n] = '\0';
}

/* SHA-256 of the running binary, as read through /proc/self/exe. */
static int hash_executable(EVP_MD_CTX *ctx, const EVP_MD *sha256,
                           uint8_t out[32], char *err, size_t err_len)
{
    int ret = 0;
    uint8_t buf[16384];
    ssize_t n;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

    if (fd < 0) {
        snprintf(err, err_len, "cannot read /proc/self/exe to hash the code "
                 "segments: %s", strerror(errno));
        return 0;
    }
    if (!EVP_DigestInit_ex(ctx, sha256, NULL))
        goto err;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
            goto err;
    }
    if (n < 0 || !EVP_DigestFinal_ex(ctx, out, NULL))
        goto err;
    ret = 1;

err:
    if (!ret)
        snprintf(err, err_len, "cannot hash /proc/self/exe for the code "
                 "segments");
    close(fd);
    return ret;
}

/* Each segment's hash covers its number, its image name, the build
 * identity and the binary, so any rebuild changes all three. */
int emu_status_init(struct emu_device *dev, char *err, size_t err_len)
{
    static const char build[] = PACKAGE_STRING " " OPENSSL_VERSION_TEXT;
    int ret = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t exe[32], digest[32];

    if (ctx == NULL) {
        snprintf(err, err_len, "out of memory hashing the code segments");
        goto err;
    }
    if (!hash_executable(ctx, dev->sha256, exe, err, err_len))
        goto err;

    for (uint8_t i = 0; i < CCA_STATUS_SEGMENTS; i++) {
        struct emu_segment *seg = &dev->segments[i];
        uint8_t number = (uint8_t)(i + 1);

        snprintf(seg->image, sizeof(seg->image), "%s", segment_images[i]);
        if (!EVP_DigestInit_ex(ctx, dev->sha256, NULL)
            || !EVP_DigestUpdate(ctx, &number, 1)
            || !EVP_DigestUpdate(ctx, seg->image, strlen(seg->image))
            || !EVP_DigestUpdate(ctx, build, sizeof(build) - 1)
            || !EVP_DigestUpdate(ctx, exe, sizeof(exe))
            || !EVP_DigestFinal_ex(ctx, digest, NULL)) {
            snprintf(err, err_len, "cannot hash code segment %u", number);
            goto err;
        }
        to_hex(digest, sizeof(digest), seg->hash);
    }
    ret = 1;

err:
    EVP_MD_CTX_free(ctx);
    return ret;
}

static int put_string(struct ibm4767_wbuf *wb, const char *s)
{
    return ibm4767_put_bytes(wb, s, strlen(s));
}

static int put_registers(struct ibm4767_wbuf *wb, const struct emu_state *st)
{
    static const uint8_t no_mkvp[CCA_MKVP_LEN] = { 0 };
    int ok = 1;

    for (int t = 0; t < EMU_MK_TYPES; t++) {
        for (int s = CCA_MK_NEW; s <= CCA_MK_OLD; s++) {
            const struct emu_mk_register *r = &st->mk[t][s];

            ok &= ibm4767_put_u32(wb, r->state);
            ok &= ibm4767_put_bytes(wb, r->state == CCA_MK_EMPTY ? no_mkvp
                                                                 : r->mkvp,
                                    CCA_MKVP_LEN);
        }
    }
    return ok;
}

static int put_counter(struct ibm4767_wbuf *wb, const char *name,
                       uint64_t v)
{
    int ok = put_string(wb, name);

    ok &= ibm4767_put_u32(wb, (uint32_t)(v >> 32));
    ok &= ibm4767_put_u32(wb, (uint32_t)v);
    return ok;
}

/* The device counters, then two gauges of the requests handed to an
 * engine whose reply is not sent yet: in-flight now and max-in-flight
 * since start (the status request itself counts). */
static int put_segments_and_counters(struct ibm4767_wbuf *wb,
                                     struct emu_device *dev)
{
    uint64_t in_flight, max_in_flight;
    int ok = ibm4767_put_u32(wb, CCA_STATUS_SEGMENTS);

    for (int i = 0; i < CCA_STATUS_SEGMENTS; i++) {
        ok &= put_string(wb, dev->segments[i].image);
        ok &= put_string(wb, dev->segments[i].hash);
    }
    ok &= ibm4767_put_u32(wb, EMU_CTR_COUNT + 2);
    for (int i = 0; i < EMU_CTR_COUNT; i++)
        ok &= put_counter(wb, emu_counter_name((enum emu_counter)i),
                          emu_counter_get(&dev->counters,
                                          (enum emu_counter)i));
    emu_dispatch_in_flight(&in_flight, &max_in_flight);
    ok &= put_counter(wb, "in-flight", in_flight);
    ok &= put_counter(wb, "max-in-flight", max_in_flight);
    return ok;
}

static int sign_status(struct emu_device *dev, const uint8_t *nonce,
                       size_t nonce_len, const uint8_t *fields,
                       size_t fields_len, uint8_t *sig, size_t *sig_len)
{
    int ret = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    if (ctx == NULL
        || !EVP_DigestSignInit_ex(ctx, NULL, "SHA2-256", dev->libctx, NULL,
                                  emu_validation_status_key(dev), NULL)
        || !EVP_DigestSignUpdate(ctx, nonce, nonce_len)
        || !EVP_DigestSignUpdate(ctx, fields, fields_len)
        || !EVP_DigestSignFinal(ctx, sig, sig_len))
        goto err;
    ret = 1;

err:
    EVP_MD_CTX_free(ctx);
    return ret;
}

int emu_verb_status(struct emu_device *dev, struct ibm4767_rbuf *req,
                    struct ibm4767_wbuf *reply, struct emu_result *res)
{
    uint32_t flags, state, remaining;
    const uint8_t *nonce;
    size_t nonce_len, start;
    uint8_t sig[512];
    size_t sig_len = 0;
    int ok;

    if (!ibm4767_get_u32(req, &flags))
        return emu_request_short(res, "flags");
    if (!ibm4767_get_bytes(req, &nonce, &nonce_len))
        return emu_request_short(res, "nonce");
    if (!emu_request_done(req, res))
        return 0;
    if ((flags & ~IBM4767_STATUS_SIGNED) != 0 || nonce_len > STATUS_NONCE_MAX)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_FRAME_INVALID,
                        "status flags 0x%x or a nonce of %zu bytes (at most "
                        "%u) are invalid", flags, nonce_len,
                        STATUS_NONCE_MAX);

    start = reply->len;
    state = emu_device_state(dev, &remaining);
    ok = ibm4767_put_u32(reply, state)
         && ibm4767_put_u32(reply, remaining)
         && put_string(reply, dev->state.serial)
         && put_string(reply, DEVICE_DESCRIPTION)
         && put_string(reply, FIRMWARE_VERSION)
         && ibm4767_put_u32(reply, emu_admin_status_warning(dev))
         && put_registers(reply, &dev->state)
         && put_segments_and_counters(reply, dev);
    if (!ok)
        return 0;

    if ((flags & IBM4767_STATUS_SIGNED) != 0) {
        /* Zeroizing erased the device key. */
        if (emu_validation_status_key(dev) == NULL)
            return emu_fail(res, CCA_RC_SETUP, CCA_RS_ZEROIZED,
                            "the device is zeroized and has no device key "
                            "to sign the status with");
        sig_len = sizeof(sig);
        if (!sign_status(dev, nonce, nonce_len, reply->data + start,
                         reply->len - start, sig, &sig_len))
            return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                            "signing the status reply with the device key "
                            "failed");
        emu_validation_alter_status(dev, reply->data + start,
                                    reply->len - start);
    }
    /* The timing profile follows the signature, so it is not signed. */
    return ibm4767_put_bytes(reply, sig, sig_len)
           && emu_profile_put_status(dev->cfg->profile, reply);
}
