/*
 * Symmetric verbs of the device: AES key generate and clear key import,
 * which return tokens under the AES master key, and encipher and decipher
 * (CSNBSAE, CSNBSAD).  Encipher and decipher run ECB, CBC, CTR and GCM on
 * a clear key (KEY-CLR) or a token (KEYIDENT), in one request (ONLY) or
 * as a chain (INITIAL, CONTINUE, FINAL).  ibm4767/protocol.h lists the
 * request and reply fields.
 */
#include <config.h>

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <ibm4767/symtoken.h>

#include "admin.h"
#include "emud.h"
#include "sym_engine.h"

/* The fields of an encipher or decipher request. */
struct sym_request {
    uint32_t mode;
    uint32_t step;
    uint32_t key_form;
    const uint8_t *key;
    size_t key_len;
    const uint8_t *iv;
    size_t iv_len;
    const uint8_t *cv;
    size_t cv_len;
    const uint8_t *aad;
    size_t aad_len;
    uint32_t tag_len;
    const uint8_t *tag;
    size_t tag_field_len;
    const uint8_t *data;
    size_t data_len;
};

static int step_starts(uint32_t step)
{
    return step == CCA_SYM_CHAIN_ONLY || step == CCA_SYM_CHAIN_INITIAL;
}

static int step_ends(uint32_t step)
{
    return step == CCA_SYM_CHAIN_ONLY || step == CCA_SYM_CHAIN_FINAL;
}

/* Fail with an engine's reason code: 4790 with rc 16, a full chain table
 * with rc 12, the rest with rc 8. */
static int engine_fail(struct emu_result *res, uint32_t reason,
                       const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int engine_fail(struct emu_result *res, uint32_t reason,
                       const char *fmt, ...)
{
    uint32_t rc = CCA_RC_ERROR;
    char what[sizeof(res->detail)];
    va_list ap;

    if (reason == CCA_RS_DEVICE_BUSY_INTERNAL)
        rc = CCA_RC_INTERNAL;
    else if (reason == CCA_RS_CHAIN_TABLE_FULL)
        rc = CCA_RC_SETUP;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return emu_fail(res, rc, reason, "%s", what);
}

static int read_request(struct ibm4767_rbuf *rb, struct sym_request *r,
                        struct emu_result *res)
{
    memset(r, 0, sizeof(*r));
    if (!ibm4767_get_u32(rb, &r->mode))
        return emu_request_short(res, "mode");
    if (!ibm4767_get_u32(rb, &r->step))
        return emu_request_short(res, "chaining step");
    if (!ibm4767_get_u32(rb, &r->key_form))
        return emu_request_short(res, "key form");
    if (!ibm4767_get_bytes(rb, &r->key, &r->key_len))
        return emu_request_short(res, "key");
    if (!ibm4767_get_bytes(rb, &r->iv, &r->iv_len))
        return emu_request_short(res, "IV");
    if (!ibm4767_get_bytes(rb, &r->cv, &r->cv_len))
        return emu_request_short(res, "chaining vector");
    if (!ibm4767_get_bytes(rb, &r->aad, &r->aad_len))
        return emu_request_short(res, "AAD");
    if (!ibm4767_get_u32(rb, &r->tag_len))
        return emu_request_short(res, "tag length");
    if (!ibm4767_get_bytes(rb, &r->tag, &r->tag_field_len))
        return emu_request_short(res, "tag");
    if (!ibm4767_get_bytes(rb, &r->data, &r->data_len))
        return emu_request_short(res, "data");
    return emu_request_done(rb, res);
}

/* Checks of fields that do not need the key or the chain. */
static int check_request(const struct sym_request *r,
                         enum emu_sym_direction dir, struct emu_result *res)
{
    int gcm = r->mode == CCA_SYM_MODE_GCM;
    size_t tag_field = dir == EMU_SYM_DECIPHER ? r->tag_len : 0;

    if (r->mode < CCA_SYM_MODE_ECB || r->mode > CCA_SYM_MODE_GCM)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                        "mode %u is not ECB, CBC, CTR or GCM", r->mode);
    if (r->step > CCA_SYM_CHAIN_FINAL)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                        "chaining step %u is invalid", r->step);
    if (r->key_form != CCA_SYM_KEY_CLEAR && r->key_form != CCA_SYM_KEY_TOKEN)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                        "key form %u is neither KEY-CLR nor KEYIDENT",
                        r->key_form);
    if (r->data_len > IBM4767_SYM_DATA_MAX || r->aad_len > IBM4767_SYM_DATA_MAX)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "%zu bytes of data and %zu of AAD: each is limited "
                        "to %u per request", r->data_len, r->aad_len,
                        IBM4767_SYM_DATA_MAX);
    if (step_starts(r->step) ? r->cv_len != 0 : r->iv_len != 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION,
                        "an IV belongs to the first request of a chain and "
                        "a chaining vector to the others");
    if (gcm && step_ends(r->step)
        && (r->tag_len < CCA_SYM_GCM_TAG_MIN
            || r->tag_len > CCA_SYM_GCM_TAG_MAX))
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "GCM tag length %u is outside %u..%u", r->tag_len,
                        CCA_SYM_GCM_TAG_MIN, CCA_SYM_GCM_TAG_MAX);
    if ((!gcm || !step_ends(r->step)) && r->tag_len != 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION,
                        "a tag length belongs only to the last GCM request");
    if (r->tag_field_len != tag_field)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "tag field has %zu bytes, expected %zu",
                        r->tag_field_len, tag_field);
    return 1;
}

/* The clear key of the request, from the request or its token. */
static int load_key(struct emu_device *dev, const struct sym_request *r,
                    enum emu_sym_direction dir, uint8_t key[32],
                    size_t *key_len, struct emu_result *res)
{
    uint16_t need = dir == EMU_SYM_ENCIPHER ? CCA_SYMTOKEN_KUF1_ENCRYPT
                                            : CCA_SYMTOKEN_KUF1_DECRYPT;
    int old_mk = 0;

    if (r->key_form == CCA_SYM_KEY_CLEAR) {
        if (r->key_len != 16 && r->key_len != 24 && r->key_len != 32)
            return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                            "clear AES key of %zu bytes is invalid",
                            r->key_len);
        memcpy(key, r->key, r->key_len);
        *key_len = r->key_len;
        return 1;
    }
    if (!emu_sym_token_unwrap(dev, r->key, r->key_len, need, r->mode, key,
                              key_len, &old_mk, res))
        return 0;
    if (old_mk)
        emu_warn(res, CCA_RC_OK, CCA_RS_OLD_MASTER_KEY);
    return 1;
}

/* The output fields of a cipher reply: data, chaining vector and tag. */
struct sym_output {
    uint8_t *data;                     /* as long as the request's data */
    uint8_t cv[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len;
    uint8_t tag[EMU_SYM_BLOCK];
    size_t tag_len;
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ECB, CBC and CTR state: a new one, or the one the chaining vector
 * carries. */
static int block_state(const struct emu_sym_engine *eng,
                       const struct sym_request *r,
                       enum emu_sym_direction dir, const uint8_t *key,
                       size_t key_len, unsigned epoch,
                       struct emu_sym_state *st, struct emu_result *res)
{
    uint32_t reason;

    if (step_starts(r->step)) {
        reason = emu_sym_start(eng, st, r->mode, dir, key, key_len, r->iv,
                               r->iv_len);
        return reason == CCA_RS_OK
               || engine_fail(res, reason, "IV or key length does not fit "
                                           "the mode");
    }
    reason = emu_sym_chain_open(eng, r->cv, r->cv_len, epoch, st);
    if (reason != CCA_RS_OK)
        return engine_fail(res, reason, "chaining vector is invalid: it was "
                                        "changed, or the device was reset or "
                                        "restarted since it was returned");
    if (st->mode != r->mode || st->direction != dir)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_CHAIN_INVALID,
                        "chaining vector belongs to another mode or "
                        "direction");
    reason = emu_sym_key_matches(eng, st->key_check, key, key_len);
    return reason == CCA_RS_OK
           || engine_fail(res, reason, "chaining vector belongs to another "
                                       "key");
}

/* ECB, CBC and CTR: the device keeps nothing between requests. */
static int block_run(struct emu_device *dev, const struct emu_sym_engine *eng,
                     const struct sym_request *r, enum emu_sym_direction dir,
                     const uint8_t *key, size_t key_len,
                     struct sym_output *o, struct emu_result *res)
{
    unsigned epoch = atomic_load(&dev->admin->epoch);
    struct emu_sym_state st;
    uint32_t reason;
    int ret = 0;

    if (r->aad_len > 0) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION,
                 "AAD is only used with GCM");
        goto err;
    }
    if (!block_state(eng, r, dir, key, key_len, epoch, &st, res))
        goto err;

    reason = emu_sym_update(eng, &st, key, key_len, r->data, r->data_len,
                            o->data);
    if (reason != CCA_RS_OK) {
        engine_fail(res, reason, "data length does not fit the mode");
        goto err;
    }
    if (!step_ends(r->step)) {
        reason = emu_sym_chain_seal(eng, &st, epoch, o->cv, &o->cv_len);
        if (reason != CCA_RS_OK) {
            engine_fail(res, reason, "cannot seal the chaining vector");
            goto err;
        }
    }
    ret = 1;

err:
    OPENSSL_cleanse(&st, sizeof(st));
    return ret;
}

/* The GCM message of the request: a new one, or the chain its vector
 * names, taken from the chain table (*slot). */
static int gcm_message(const struct emu_sym_engine *eng,
                       const struct sym_request *r,
                       enum emu_sym_direction dir, const uint8_t *key,
                       size_t key_len, unsigned epoch, int64_t now_ms,
                       struct emu_sym_gcm *fresh, struct emu_sym_gcm **g,
                       uint32_t *slot, struct emu_result *res)
{
    const char *detail = "";
    uint32_t reason;

    if (step_starts(r->step)) {
        reason = emu_sym_gcm_start(eng, fresh, dir, key, key_len, r->iv,
                                   r->iv_len);
        *g = fresh;
        return reason == CCA_RS_OK
               || engine_fail(res, reason, "IV or key length does not fit "
                                           "GCM");
    }
    reason = emu_sym_gcm_chain_acquire(eng, r->cv, r->cv_len, dir, epoch,
                                       now_ms, slot, g, &detail);
    if (reason != CCA_RS_OK)
        return engine_fail(res, reason, "GCM chaining vector rejected: %s",
                           detail);
    return 1;
}

/* Keep a GCM chain that goes on: a new table entry for INITIAL, the next
 * handle of its entry for CONTINUE. */
static int gcm_keep(const struct emu_sym_engine *eng,
                    const struct sym_request *r, struct emu_sym_gcm *fresh,
                    unsigned epoch, int64_t now_ms, uint32_t slot,
                    struct sym_output *o, struct emu_result *res)
{
    const char *detail = "";
    uint32_t reason;

    if (step_starts(r->step))
        reason = emu_sym_gcm_chain_add(eng, fresh, epoch, now_ms, o->cv,
                                       &o->cv_len, &detail);
    else
        reason = emu_sym_gcm_chain_release(eng, slot, now_ms, o->cv,
                                           &o->cv_len, &detail);
    return reason == CCA_RS_OK
           || engine_fail(res, reason, "cannot keep the GCM chain: %s",
                          detail);
}

/*
 * GCM on one EVP_CIPHER_CTX per message.  ONLY needs no table entry.  A
 * chain's context lives in the chain table from INITIAL to FINAL.  A failed
 * request ends the chain, because its context may have taken part of the
 * input.
 */
static int gcm_run(struct emu_device *dev, const struct emu_sym_engine *eng,
                   const struct sym_request *r, enum emu_sym_direction dir,
                   const uint8_t *key, size_t key_len, struct sym_output *o,
                   struct emu_result *res)
{
    unsigned epoch = atomic_load(&dev->admin->epoch);
    int64_t now_ms = monotonic_ms();
    struct emu_sym_gcm fresh;
    struct emu_sym_gcm *g = NULL;
    uint32_t slot = 0, reason;
    int chain_acquired = 0, ret = 0;

    memset(&fresh, 0, sizeof(fresh));
    if (!gcm_message(eng, r, dir, key, key_len, epoch, now_ms, &fresh, &g,
                     &slot, res))
        goto err;
    chain_acquired = !step_starts(r->step);
    if (chain_acquired) {
        reason = emu_sym_key_matches(eng, g->key_check, key, key_len);
        if (reason != CCA_RS_OK) {
            engine_fail(res, reason, "chaining vector belongs to another "
                                     "key");
            goto err;
        }
    }

    reason = emu_sym_gcm_update(g, r->aad, r->aad_len, r->data, r->data_len,
                                o->data);
    if (reason != CCA_RS_OK) {
        engine_fail(res, reason, "AAD or data does not fit the GCM message");
        goto err;
    }

    if (step_ends(r->step)) {
        reason = emu_sym_gcm_finish(g, r->tag, r->tag_len, o->tag);
        if (reason == CCA_RS_GCM_TAG_INVALID) {
            emu_fail(res, CCA_RC_ERROR, reason, "GCM tag does not match: "
                     "ciphertext, AAD, IV or tag was changed");
            goto err;
        }
        if (reason != CCA_RS_OK) {
            engine_fail(res, reason, "GCM tag computation failed");
            goto err;
        }
        o->tag_len = dir == EMU_SYM_ENCIPHER ? r->tag_len : 0;
    } else {
        /* The table entry is released or freed either way. */
        chain_acquired = 0;
        if (!gcm_keep(eng, r, &fresh, epoch, now_ms, slot, o, res))
            goto err;
    }
    ret = 1;

err:
    if (chain_acquired)
        emu_sym_gcm_chain_end(eng, slot);
    emu_sym_gcm_clear(&fresh);
    return ret;
}

static int sym_cipher(struct emu_device *dev, struct ibm4767_rbuf *req,
                      struct ibm4767_wbuf *reply, struct emu_result *res,
                      enum emu_sym_direction dir)
{
    const struct emu_sym_engine *eng = emu_sym_engine_get(dev->libctx);
    struct sym_request r;
    struct sym_output o;
    uint8_t key[EMU_SYM_KEY_MAX];
    size_t key_len = 0;
    size_t data_cap = 1;
    int ran, ret = 0;

    memset(&o, 0, sizeof(o));
    if (eng == NULL)
        return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "the AES algorithms of the symmetric engine are not "
                        "available");
    if (!read_request(req, &r, res) || !check_request(&r, dir, res))
        return 0;
    data_cap = r.data_len > 0 ? r.data_len : 1;
    if (!load_key(dev, &r, dir, key, &key_len, res))
        goto err;

    o.data = OPENSSL_malloc(data_cap);
    if (o.data == NULL) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "out of memory for %zu bytes of output", r.data_len);
        goto err;
    }
    if (r.mode == CCA_SYM_MODE_GCM)
        ran = gcm_run(dev, eng, &r, dir, key, key_len, &o, res);
    else
        ran = block_run(dev, eng, &r, dir, key, key_len, &o, res);
    if (!ran)
        goto err;

    ret = ibm4767_put_bytes(reply, o.data, r.data_len)
          && ibm4767_put_bytes(reply, o.cv, o.cv_len)
          && ibm4767_put_bytes(reply, o.tag, o.tag_len);
    if (ret)
        emu_counter_add(&dev->counters, EMU_CTR_SYMMETRIC_BYTES, r.data_len);

err:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_clear_free(o.data, data_cap);
    OPENSSL_cleanse(&o, sizeof(o));
    return ret;
}

int emu_verb_sym_encipher(struct emu_device *dev, struct ibm4767_rbuf *req,
                          struct ibm4767_wbuf *reply, struct emu_result *res)
{
    return sym_cipher(dev, req, reply, res, EMU_SYM_ENCIPHER);
}

int emu_verb_sym_decipher(struct emu_device *dev, struct ibm4767_rbuf *req,
                          struct ibm4767_wbuf *reply, struct emu_result *res)
{
    return sym_cipher(dev, req, reply, res, EMU_SYM_DECIPHER);
}

/* Algorithm, usage bits and mode restriction of generate and import, as
 * key-usage field 1 and the token's mode byte. */
static int key_attributes(uint32_t alg, uint32_t usage, uint32_t mode,
                          uint16_t *kuf1, uint8_t *token_mode,
                          struct emu_result *res)
{
    if (alg != CCA_SYM_ALG_AES)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                        "symmetric algorithm %u is not AES (2)", alg);
    if (usage == 0
        || (usage & ~(CCA_SYM_USAGE_ENCRYPT | CCA_SYM_USAGE_DECRYPT)) != 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                        "AES key usage 0x%x is invalid", usage);
    if (mode > CCA_SYM_MODE_GCM)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                        "AES mode restriction %u is invalid", mode);

    *kuf1 = 0;
    if (usage & CCA_SYM_USAGE_ENCRYPT)
        *kuf1 |= CCA_SYMTOKEN_KUF1_ENCRYPT;
    if (usage & CCA_SYM_USAGE_DECRYPT)
        *kuf1 |= CCA_SYMTOKEN_KUF1_DECRYPT;
    *token_mode = mode == 0 ? CCA_SYMTOKEN_MODE_ANY : (uint8_t)mode;
    return 1;
}

static int put_token(struct emu_device *dev, const uint8_t *key,
                     size_t key_len, uint16_t kuf1, uint8_t mode,
                     struct ibm4767_wbuf *reply, struct emu_result *res)
{
    uint8_t *token = NULL;
    size_t token_len = 0;
    int ret;

    if (!emu_sym_token_wrap(dev, key, key_len, kuf1, mode, &token,
                            &token_len, res))
        return 0;
    ret = ibm4767_put_bytes(reply, token, token_len);
    OPENSSL_free(token);
    return ret;
}

/* Request: u32 algorithm, u32 key bits, u32 usage, u32 mode.  Reply:
 * bytes token. */
int emu_verb_sym_key_generate(struct emu_device *dev,
                              struct ibm4767_rbuf *req,
                              struct ibm4767_wbuf *reply,
                              struct emu_result *res)
{
    uint32_t alg, bits, usage, mode;
    uint16_t kuf1;
    uint8_t token_mode;
    uint8_t key[32];
    int ret = 0;

    if (!ibm4767_get_u32(req, &alg))
        return emu_request_short(res, "algorithm");
    if (!ibm4767_get_u32(req, &bits))
        return emu_request_short(res, "key bits");
    if (!ibm4767_get_u32(req, &usage))
        return emu_request_short(res, "usage");
    if (!ibm4767_get_u32(req, &mode))
        return emu_request_short(res, "mode");
    if (!emu_request_done(req, res)
        || !key_attributes(alg, usage, mode, &kuf1, &token_mode, res))
        return 0;
    if (bits != 128 && bits != 192 && bits != 256)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "AES key of %u bits is invalid", bits);

    if (!emu_rng_generate(dev->rng, key, bits / 8)) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "the Hash_DRBG failed to generate an AES key");
        goto err;
    }
    ret = put_token(dev, key, bits / 8, kuf1, token_mode, reply, res);

err:
    OPENSSL_cleanse(key, sizeof(key));
    return ret;
}

/* Request: u32 algorithm, u32 usage, u32 mode, bytes clear key.  Reply:
 * bytes token. */
int emu_verb_sym_key_import(struct emu_device *dev, struct ibm4767_rbuf *req,
                            struct ibm4767_wbuf *reply,
                            struct emu_result *res)
{
    uint32_t alg, usage, mode;
    const uint8_t *key;
    size_t key_len;
    uint16_t kuf1;
    uint8_t token_mode;

    if (!ibm4767_get_u32(req, &alg))
        return emu_request_short(res, "algorithm");
    if (!ibm4767_get_u32(req, &usage))
        return emu_request_short(res, "usage");
    if (!ibm4767_get_u32(req, &mode))
        return emu_request_short(res, "mode");
    if (!ibm4767_get_bytes(req, &key, &key_len))
        return emu_request_short(res, "clear key");
    if (!emu_request_done(req, res)
        || !key_attributes(alg, usage, mode, &kuf1, &token_mode, res))
        return 0;
    if (key_len != 16 && key_len != 24 && key_len != 32)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "clear AES key of %zu bytes is invalid", key_len);

    return put_token(dev, key, key_len, kuf1, token_mode, reply, res);
}
