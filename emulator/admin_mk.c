/*
 * Master key loading and change, as CCA's master key process verb
 * (CSNBMKP) does it for the AES and APKA master keys:
 *
 *   FIRST   the part becomes the new register's content (state PARTIAL)
 *   MIDDLE  the part is XORed into a PARTIAL register
 *   LAST    the part is XORed in and the register becomes FULL, with the
 *           verification pattern of the finished key
 *   SET     new -> current -> old; the previous old key is gone
 *   CLEAR   the new register is emptied
 *
 * Parts are 32 bytes.  Each holder of a part loads it in turn, so no one
 * person learns the key.  Loading the same parts on several devices gives
 * them the same master key, and then every one of them serves the tokens
 * any of them made.  The handlers run under the exclusive lock, and every
 * step is saved in the state directory before it is reported.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/codes.h>
#include <ibm4767/log.h>

#include "admin.h"

static const char *type_label(enum emu_mk_type t)
{
    return t == EMU_MK_AES ? "AES" : "APKA";
}

static int read_type(struct ibm4767_rbuf *req, enum emu_mk_type *type,
                     struct emu_result *res)
{
    uint32_t v;

    if (!ibm4767_get_u32(req, &v))
        return emu_request_short(res, "master key type");
    if (v == IBM4767_MK_TYPE_AES) {
        *type = EMU_MK_AES;
        return 1;
    }
    if (v == IBM4767_MK_TYPE_APKA) {
        *type = EMU_MK_APKA;
        return 1;
    }
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                    "master key type %u is invalid (1 AES, 2 APKA)", v);
}

static void mkvp_hex(const uint8_t mkvp[CCA_MKVP_LEN], char out[17])
{
    for (size_t i = 0; i < CCA_MKVP_LEN; i++)
        snprintf(out + 2 * i, 3, "%02X", mkvp[i]);
}

/* Whether mkvp is that of the current or the old register. */
static int repeats_register(const struct emu_mk_register regs[3],
                            const uint8_t mkvp[CCA_MKVP_LEN])
{
    for (int s = CCA_MK_CURRENT; s <= CCA_MK_OLD; s++) {
        if (regs[s].state == CCA_MK_VALID
            && CRYPTO_memcmp(regs[s].mkvp, mkvp, CCA_MKVP_LEN) == 0)
            return 1;
    }
    return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* Save the registers; on failure put back the saved copy of the type. */
static int save_or_restore(struct emu_device *dev, enum emu_mk_type t,
                           const struct emu_mk_register before[3],
                           struct emu_result *res)
{
    char err[256];

    if (emu_state_save_master_keys(&dev->state, err, sizeof(err)))
        return 1;
    memcpy(dev->state.mk[t], before, sizeof(dev->state.mk[t]));
    IBM4767_ERROR("master keys not changed: %s", err);
    return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                    "cannot save the master key registers: %s", err);
}

/* XOR part into reg (or copy it for FIRST) and compute the pattern of the
 * result.  Fails with 8/703 for a finished key that repeats a register. */
static int combine_part(struct emu_device *dev, enum emu_mk_type t,
                        uint32_t part, const uint8_t *value,
                        struct emu_result *res)
{
    struct emu_mk_register *reg = &dev->state.mk[t][CCA_MK_NEW];
    uint8_t key[EMU_MK_LEN];
    uint8_t mkvp[CCA_MKVP_LEN];
    int ret = 0;

    for (size_t i = 0; i < EMU_MK_LEN; i++)
        key[i] = part == IBM4767_MK_PART_FIRST ? value[i]
                                               : reg->key[i] ^ value[i];
    if (!emu_mkvp_compute(dev->libctx, key, mkvp)) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "cannot compute a master key verification pattern");
        goto err;
    }
    if (part == IBM4767_MK_PART_LAST
        && repeats_register(dev->state.mk[t], mkvp)) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_WEAK_MASTER_KEY_PART,
                 "the last part completes a %s master key with the "
                 "verification pattern of the current or old key; the new "
                 "register keeps its partial content", type_label(t));
        goto err;
    }
    memcpy(reg->key, key, EMU_MK_LEN);
    memcpy(reg->mkvp, mkvp, CCA_MKVP_LEN);
    reg->state = part == IBM4767_MK_PART_LAST ? CCA_MK_FULL : CCA_MK_PARTIAL;
    ret = 1;

err:
    OPENSSL_cleanse(key, sizeof(key));
    return ret;
}

/* Reject a weak part: all zeros, or the pattern of a loaded key. */
static int check_part(struct emu_device *dev, enum emu_mk_type t,
                      const uint8_t *value, struct emu_result *res)
{
    uint8_t mkvp[CCA_MKVP_LEN];

    if (all_zero(value, IBM4767_MK_PART_LEN))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_WEAK_MASTER_KEY_PART,
                        "the %s master key part is all zeros",
                        type_label(t));
    if (!emu_mkvp_compute(dev->libctx, value, mkvp))
        return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "cannot compute a master key verification pattern");
    if (repeats_register(dev->state.mk[t], mkvp))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_WEAK_MASTER_KEY_PART,
                        "the %s master key part has the verification "
                        "pattern of the current or old master key",
                        type_label(t));
    return 1;
}

static int check_register_state(const struct emu_mk_register *reg,
                                enum emu_mk_type t, uint32_t part,
                                struct emu_result *res)
{
    if (part == IBM4767_MK_PART_FIRST || reg->state == CCA_MK_PARTIAL)
        return 1;
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_MK_REGISTER_STATE,
                    "a %s part needs a partially loaded new %s register, "
                    "but it is %s; load the FIRST part first",
                    part == IBM4767_MK_PART_MIDDLE ? "MIDDLE" : "LAST",
                    type_label(t),
                    reg->state == CCA_MK_EMPTY ? "empty" : "full");
}

/* MK_LOAD_PART.  Request: u32 type, u32 part, bytes value.  Reply: u32
 * new register state, bytes its MKVP (empty until the register is full). */
int emu_verb_mk_load_part(struct emu_device *dev, struct ibm4767_rbuf *req,
                          struct ibm4767_wbuf *reply, struct emu_result *res)
{
    enum emu_mk_type t;
    uint32_t part;
    const uint8_t *value;
    size_t value_len;
    struct emu_mk_register before[3];
    const struct emu_mk_register *reg;
    int ret = 0;

    if (!read_type(req, &t, res))
        return 0;
    if (!ibm4767_get_u32(req, &part))
        return emu_request_short(res, "part");
    if (!ibm4767_get_bytes(req, &value, &value_len))
        return emu_request_short(res, "part value");
    if (!emu_request_done(req, res))
        return 0;
    if (part < IBM4767_MK_PART_FIRST || part > IBM4767_MK_PART_LAST)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                        "master key part %u is invalid (1 FIRST, 2 MIDDLE, "
                        "3 LAST)", part);
    if (value_len != IBM4767_MK_PART_LEN)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "a master key part is %u bytes, not %zu",
                        IBM4767_MK_PART_LEN, value_len);

    reg = &dev->state.mk[t][CCA_MK_NEW];
    if (!check_register_state(reg, t, part, res)
        || !check_part(dev, t, value, res))
        return 0;

    memcpy(before, dev->state.mk[t], sizeof(before));
    if (!combine_part(dev, t, part, value, res)
        || !save_or_restore(dev, t, before, res))
        goto err;
    IBM4767_INFO("%s master key part %u loaded: new register %s",
                 type_label(t), part,
                 reg->state == CCA_MK_FULL ? "full" : "partial");
    ret = ibm4767_put_u32(reply, reg->state)
          && ibm4767_put_bytes(reply, reg->mkvp,
                               reg->state == CCA_MK_FULL ? CCA_MKVP_LEN : 0);

err:
    OPENSSL_cleanse(before, sizeof(before));
    return ret;
}

/* MK_SET.  Request: u32 type.  Reply: bytes the current MKVP. */
int emu_verb_mk_set(struct emu_device *dev, struct ibm4767_rbuf *req,
                    struct ibm4767_wbuf *reply, struct emu_result *res)
{
    enum emu_mk_type t;
    struct emu_mk_register before[3];
    struct emu_mk_register *regs;
    char current[17], old[17];
    int ret = 0;

    if (!read_type(req, &t, res) || !emu_request_done(req, res))
        return 0;
    regs = dev->state.mk[t];
    if (regs[CCA_MK_NEW].state != CCA_MK_FULL)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_MK_REGISTER_STATE,
                        "the new %s master key register is not full; load "
                        "its FIRST and LAST parts before setting it",
                        type_label(t));

    memcpy(before, regs, sizeof(before));
    regs[CCA_MK_OLD] = regs[CCA_MK_CURRENT];
    regs[CCA_MK_CURRENT] = regs[CCA_MK_NEW];
    regs[CCA_MK_CURRENT].state = CCA_MK_VALID;
    OPENSSL_cleanse(&regs[CCA_MK_NEW], sizeof(regs[CCA_MK_NEW]));
    regs[CCA_MK_NEW].state = CCA_MK_EMPTY;
    if (!save_or_restore(dev, t, before, res))
        goto err;

    /* Keys unwrapped under the master key that was old until now must
     * not stay in the device. */
    emu_keycache_clear(dev->keycache);
    mkvp_hex(regs[CCA_MK_CURRENT].mkvp, current);
    mkvp_hex(regs[CCA_MK_OLD].mkvp, old);
    IBM4767_WARN("%s master key set: current MKVP %s, old MKVP %s; tokens "
                 "under the old key return 0/10001 until re-enciphered",
                 type_label(t), current, old);
    ret = ibm4767_put_bytes(reply, regs[CCA_MK_CURRENT].mkvp, CCA_MKVP_LEN);

err:
    OPENSSL_cleanse(before, sizeof(before));
    return ret;
}

/* MK_CLEAR.  Request: u32 type.  Reply: no fields. */
int emu_verb_mk_clear(struct emu_device *dev, struct ibm4767_rbuf *req,
                      struct ibm4767_wbuf *reply, struct emu_result *res)
{
    enum emu_mk_type t;
    struct emu_mk_register before[3];
    struct emu_mk_register *reg;
    int ret;

    (void)reply;
    if (!read_type(req, &t, res) || !emu_request_done(req, res))
        return 0;
    reg = &dev->state.mk[t][CCA_MK_NEW];
    memcpy(before, dev->state.mk[t], sizeof(before));
    OPENSSL_cleanse(reg, sizeof(*reg));
    reg->state = CCA_MK_EMPTY;
    ret = save_or_restore(dev, t, before, res);
    OPENSSL_cleanse(before, sizeof(before));
    if (ret)
        IBM4767_INFO("new %s master key register cleared", type_label(t));
    return ret;
}
