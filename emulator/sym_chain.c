/*
 * Chaining vectors: how a chain's state gets from one request to the next.
 *
 * ECB, CBC and CTR: the state itself, sealed for the trip to the host and
 * back (format 0x01, 61 bytes).
 *
 *   @0  format 0x01
 *   @1  mode (CCA_SYM_MODE_*)
 *   @2  direction (1 encipher, 2 decipher)
 *   @3  reserved, 0
 *   @4  u32 device epoch the chain began in
 *   @8  12-byte nonce
 *   @20 the state, encrypted: key check (8), counter block (16),
 *       keystream offset (1)
 *   @45 16-byte tag
 *
 * The seal is AES-256-GCM under the engine's seal key, with bytes @0..@19
 * as additional data.
 *
 * GCM: a handle to an entry of the device's table of open chains (format
 * 0x02, 36 bytes).  The entry contains the EVP_CIPHER_CTX of the message.
 *
 *   @0  format 0x02
 *   @1  mode (CCA_SYM_MODE_GCM)
 *   @2  direction
 *   @3  reserved, 0
 *   @4  u32 entry index
 *   @8  u64 generation, drawn at random when the entry is taken
 *   @16 u32 sequence: requests of the chain before the one the handle is for
 *   @20 the first 16 bytes of HMAC-SHA-256(handle key, @0..@19)
 *
 * The HMAC rejects a forged or altered handle.  The generation rejects a
 * handle of an ended chain whose entry now contains another one, and the
 * sequence rejects a handle that was already used.  Multi-byte fields are
 * big-endian.
 */
#include <config.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <ibm4767/cca.h>
#include <ibm4767/codes.h>
#include <ibm4767/log.h>
#include <ibm4767/protocol.h>

#include "sym_engine.h"

#define SEALED_FORMAT     0x01u
#define SEALED_HEADER_LEN 20u
#define SEALED_EPOCH_OFF  4u
#define SEALED_NONCE_OFF  8u
#define SEALED_NONCE_LEN  12u
#define SEALED_TAG_LEN    16u
#define SEALED_STATE_LEN  (EMU_SYM_KEY_CHECK_LEN + EMU_SYM_BLOCK + 1u)
#define SEALED_LEN        (SEALED_HEADER_LEN + SEALED_STATE_LEN \
                           + SEALED_TAG_LEN)

#define HANDLE_FORMAT     0x02u
#define HANDLE_BODY_LEN   20u
#define HANDLE_MAC_LEN    16u
#define HANDLE_LEN        (HANDLE_BODY_LEN + HANDLE_MAC_LEN)

/* Minimum interval between two sweeps for expired entries. */
#define SWEEP_INTERVAL_MS 1000

/* A full table is logged once, then once per this many rejected chains. */
#define FULL_LOG_EVERY    1000u

#if SEALED_LEN > IBM4767_SYM_CHAIN_MAX || HANDLE_LEN > IBM4767_SYM_CHAIN_MAX
#error "a chaining vector does not fit IBM4767_SYM_CHAIN_MAX"
#endif

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

static uint32_t get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16)
           | ((uint32_t)p[2] << 8) | p[3];
}

static void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

static uint64_t get_be64(const uint8_t *p)
{
    return ((uint64_t)get_be32(p) << 32) | get_be32(p + 4);
}

/* ---------------------------------------------------------------------- */
/* Sealed state of ECB, CBC and CTR chains                                 */

static void state_encode(const struct emu_sym_state *st,
                         uint8_t out[SEALED_STATE_LEN])
{
    memcpy(out, st->key_check, EMU_SYM_KEY_CHECK_LEN);
    memcpy(out + EMU_SYM_KEY_CHECK_LEN, st->counter, EMU_SYM_BLOCK);
    out[EMU_SYM_KEY_CHECK_LEN + EMU_SYM_BLOCK] = st->num;
}

static void state_decode(const uint8_t in[SEALED_STATE_LEN],
                         struct emu_sym_state *st)
{
    memcpy(st->key_check, in, EMU_SYM_KEY_CHECK_LEN);
    memcpy(st->counter, in + EMU_SYM_KEY_CHECK_LEN, EMU_SYM_BLOCK);
    st->num = in[EMU_SYM_KEY_CHECK_LEN + EMU_SYM_BLOCK];
}

/* AES-256-GCM over the state, with the header as additional data. */
static int seal_crypt(const struct emu_sym_engine *eng, int enc,
                      const uint8_t header[SEALED_HEADER_LEN],
                      const uint8_t *in, uint8_t *out,
                      uint8_t tag[SEALED_TAG_LEN])
{
    EVP_CIPHER_CTX *ctx = NULL;
    int outl = 0;
    int ret = 0;

    if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
        goto err;
    if (!EVP_CipherInit_ex2(ctx, eng->gcm[2], eng->seal_key,
                            header + SEALED_NONCE_OFF, enc, NULL)
        || !EVP_CipherUpdate(ctx, NULL, &outl, header, SEALED_HEADER_LEN)
        || !EVP_CipherUpdate(ctx, out, &outl, in, SEALED_STATE_LEN))
        goto err;
    if (!enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
                                     SEALED_TAG_LEN, tag))
        goto err;
    if (EVP_CipherFinal_ex(ctx, out + outl, &outl) != 1)
        goto err;
    if (enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
                                    SEALED_TAG_LEN, tag))
        goto err;
    ret = 1;

err:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

uint32_t emu_sym_chain_seal(const struct emu_sym_engine *eng,
                            const struct emu_sym_state *st, unsigned epoch,
                            uint8_t *out, size_t *out_len)
{
    uint8_t plain[SEALED_STATE_LEN];
    uint32_t reason = CCA_RS_DEVICE_BUSY_INTERNAL;

    memset(out, 0, SEALED_HEADER_LEN);
    out[0] = SEALED_FORMAT;
    out[1] = st->mode;
    out[2] = st->direction;
    put_be32(out + SEALED_EPOCH_OFF, epoch);
    if (RAND_bytes_ex(eng->libctx, out + SEALED_NONCE_OFF, SEALED_NONCE_LEN,
                      0) != 1)
        goto err;
    state_encode(st, plain);
    if (!seal_crypt(eng, 1, out, plain, out + SEALED_HEADER_LEN,
                    out + SEALED_HEADER_LEN + SEALED_STATE_LEN))
        goto err;
    *out_len = SEALED_LEN;
    reason = CCA_RS_OK;

err:
    OPENSSL_cleanse(plain, sizeof(plain));
    return reason;
}

uint32_t emu_sym_chain_open(const struct emu_sym_engine *eng,
                            const uint8_t *in, size_t in_len, unsigned epoch,
                            struct emu_sym_state *st)
{
    uint8_t plain[SEALED_STATE_LEN];
    uint8_t tag[SEALED_TAG_LEN];
    uint32_t reason = CCA_RS_CHAIN_INVALID;

    memset(st, 0, sizeof(*st));
    if (in_len != SEALED_LEN || in[0] != SEALED_FORMAT || in[3] != 0
        || get_be32(in + SEALED_EPOCH_OFF) != epoch)
        return CCA_RS_CHAIN_INVALID;

    memcpy(tag, in + SEALED_HEADER_LEN + SEALED_STATE_LEN, SEALED_TAG_LEN);
    if (!seal_crypt(eng, 0, in, in + SEALED_HEADER_LEN, plain, tag))
        goto err;
    state_decode(plain, st);
    /* The tag vouches for the offset, so only a fault in the code that
     * sealed it can fail this check. */
    if (st->num >= EMU_SYM_BLOCK)
        goto err;
    st->mode = in[1];
    st->direction = in[2];
    reason = CCA_RS_OK;

err:
    OPENSSL_cleanse(plain, sizeof(plain));
    if (reason != CCA_RS_OK)
        OPENSSL_cleanse(st, sizeof(*st));
    return reason;
}

/* ---------------------------------------------------------------------- */
/* The table of open GCM chains                                            */

/* One entry: free while gcm.ctx is NULL. */
struct chain_entry {
    struct emu_sym_gcm gcm;
    uint64_t generation;
    uint32_t sequence;
    unsigned epoch;
    int64_t last_used_ms;
    int busy;                          /* a request acquired the chain */
};

/* The table of open GCM chains.  The lock guards every field. */
struct emu_sym_chains {
    pthread_mutex_t lock;
    unsigned epoch;                    /* the latest device epoch seen */
    int64_t swept_ms;
    size_t open;
    uint32_t free_count;
    uint32_t free_list[EMU_SYM_GCM_CHAINS_MAX];
    unsigned long full_rejections;
    struct chain_entry entries[EMU_SYM_GCM_CHAINS_MAX];
};

struct emu_sym_chains *emu_sym_chains_new(void)
{
    struct emu_sym_chains *t = OPENSSL_zalloc(sizeof(*t));

    if (t == NULL)
        return NULL;
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        OPENSSL_free(t);
        return NULL;
    }
    /* Taken from the end, so the first chain gets entry 0. */
    for (uint32_t i = 0; i < EMU_SYM_GCM_CHAINS_MAX; i++)
        t->free_list[i] = EMU_SYM_GCM_CHAINS_MAX - 1 - i;
    t->free_count = EMU_SYM_GCM_CHAINS_MAX;
    return t;
}

/* Free an entry's context and return the entry to the free list.  Called
 * with the lock held. */
static void entry_free(struct emu_sym_chains *t, uint32_t index)
{
    struct chain_entry *e = &t->entries[index];

    emu_sym_gcm_clear(&e->gcm);
    OPENSSL_cleanse(e, sizeof(*e));
    t->free_list[t->free_count++] = index;
    t->open--;
}

/* Free the entries that no request acquired and that belong to another
 * epoch than t->epoch or were idle since before idle_before_ms.  Called
 * with the lock held.  Returns how many were freed. */
static size_t entries_sweep(struct emu_sym_chains *t, int64_t idle_before_ms)
{
    size_t freed = 0;

    for (uint32_t i = 0; i < EMU_SYM_GCM_CHAINS_MAX; i++) {
        const struct chain_entry *e = &t->entries[i];

        if (e->gcm.ctx == NULL || e->busy)
            continue;
        if (e->epoch == t->epoch && e->last_used_ms >= idle_before_ms)
            continue;
        entry_free(t, i);
        freed++;
    }
    return freed;
}

/* Move the table to the device's epoch, ending the chains of earlier ones.
 * A request that read the epoch before a reset passes an older one, which
 * must not move the table back.  Called with the lock held. */
static void chains_set_epoch(struct emu_sym_chains *t, unsigned epoch)
{
    size_t freed;

    if ((int)(epoch - t->epoch) <= 0)
        return;
    t->epoch = epoch;
    freed = entries_sweep(t, INT64_MIN);
    if (freed > 0)
        IBM4767_INFO("device epoch %u: %zu open GCM chains ended", epoch,
                     freed);
}

/* End the chains of earlier epochs, and expired ones at most once per
 * SWEEP_INTERVAL_MS.  Called with the lock held. */
static void chains_tidy(struct emu_sym_chains *t, unsigned epoch,
                        int64_t now_ms)
{
    size_t freed;

    chains_set_epoch(t, epoch);
    if (now_ms - t->swept_ms < SWEEP_INTERVAL_MS)
        return;
    t->swept_ms = now_ms;
    freed = entries_sweep(t, now_ms - EMU_SYM_GCM_IDLE_MS);
    if (freed > 0)
        IBM4767_INFO("%zu GCM chains ended after %d s without a request",
                     freed, EMU_SYM_GCM_IDLE_MS / 1000);
}

void emu_sym_chains_reset(struct emu_sym_chains *t, unsigned epoch)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&t->lock);
    chains_set_epoch(t, epoch);
    pthread_mutex_unlock(&t->lock);
}

void emu_sym_chains_free(struct emu_sym_chains *t)
{
    if (t == NULL)
        return;
    for (uint32_t i = 0; i < EMU_SYM_GCM_CHAINS_MAX; i++) {
        if (t->entries[i].gcm.ctx != NULL)
            entry_free(t, i);
    }
    pthread_mutex_destroy(&t->lock);
    OPENSSL_clear_free(t, sizeof(*t));
}

size_t emu_sym_gcm_chains_open(const struct emu_sym_engine *eng)
{
    struct emu_sym_chains *t = eng->chains;
    size_t open;

    pthread_mutex_lock(&t->lock);
    open = t->open;
    pthread_mutex_unlock(&t->lock);
    return open;
}

/* The first HANDLE_MAC_LEN bytes of HMAC-SHA-256 over a handle's body. */
static int handle_mac(const struct emu_sym_engine *eng,
                      const uint8_t body[HANDLE_BODY_LEN],
                      uint8_t mac[HANDLE_MAC_LEN])
{
    uint8_t full[EVP_MAX_MD_SIZE];
    size_t full_len = 0;
    EVP_MAC_CTX *ctx = NULL;
    OSSL_PARAM params[2];
    int ret = 0;

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)"SHA2-256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if ((ctx = EVP_MAC_CTX_new(eng->hmac)) == NULL)
        goto err;
    if (!EVP_MAC_init(ctx, eng->handle_key, sizeof(eng->handle_key), params)
        || !EVP_MAC_update(ctx, body, HANDLE_BODY_LEN)
        || !EVP_MAC_final(ctx, full, &full_len, sizeof(full))
        || full_len < HANDLE_MAC_LEN)
        goto err;
    memcpy(mac, full, HANDLE_MAC_LEN);
    ret = 1;

err:
    OPENSSL_cleanse(full, sizeof(full));
    EVP_MAC_CTX_free(ctx);
    return ret;
}

/* Write the handle of entry index, as the next request must present it. */
static uint32_t handle_write(const struct emu_sym_engine *eng,
                             uint32_t index, const struct chain_entry *e,
                             uint8_t *cv, size_t *cv_len)
{
    memset(cv, 0, HANDLE_BODY_LEN);
    cv[0] = HANDLE_FORMAT;
    cv[1] = CCA_SYM_MODE_GCM;
    cv[2] = e->gcm.direction;
    put_be32(cv + 4, index);
    put_be64(cv + 8, e->generation);
    put_be32(cv + 16, e->sequence);
    if (!handle_mac(eng, cv, cv + HANDLE_BODY_LEN))
        return CCA_RS_DEVICE_BUSY_INTERNAL;
    *cv_len = HANDLE_LEN;
    return CCA_RS_OK;
}

/* Check a handle's form and HMAC.  On success, *index is its entry. */
static uint32_t handle_check(const struct emu_sym_engine *eng,
                             const uint8_t *cv, size_t cv_len,
                             enum emu_sym_direction dir, uint32_t *index,
                             const char **detail)
{
    uint8_t mac[HANDLE_MAC_LEN];

    *detail = "it is not a GCM chaining vector of this device";
    if (cv_len != HANDLE_LEN || cv[0] != HANDLE_FORMAT
        || cv[1] != CCA_SYM_MODE_GCM || cv[3] != 0)
        return CCA_RS_CHAIN_INVALID;
    if (!handle_mac(eng, cv, mac))
        return CCA_RS_DEVICE_BUSY_INTERNAL;
    *detail = "it was altered, or the emulator restarted since it was "
              "returned";
    if (CRYPTO_memcmp(mac, cv + HANDLE_BODY_LEN, HANDLE_MAC_LEN) != 0)
        return CCA_RS_CHAIN_INVALID;
    *detail = "it belongs to a chain of the other direction";
    if (cv[2] != dir)
        return CCA_RS_CHAIN_INVALID;
    *index = get_be32(cv + 4);
    *detail = "its entry index is out of range";
    if (*index >= EMU_SYM_GCM_CHAINS_MAX)
        return CCA_RS_CHAIN_INVALID;
    return CCA_RS_OK;
}

uint32_t emu_sym_gcm_chain_add(const struct emu_sym_engine *eng,
                               struct emu_sym_gcm *g, unsigned epoch,
                               int64_t now_ms, uint8_t *cv, size_t *cv_len,
                               const char **detail)
{
    struct emu_sym_chains *t = eng->chains;
    struct chain_entry *e;
    uint32_t index;
    uint32_t reason = CCA_RS_DEVICE_BUSY_INTERNAL;

    pthread_mutex_lock(&t->lock);
    chains_tidy(t, epoch, now_ms);
    if (t->free_count == 0) {
        if (t->full_rejections++ % FULL_LOG_EVERY == 0)
            IBM4767_WARN("all %u GCM chain entries are in use: new chains "
                         "get 12/%u until a chain ends or stays idle for "
                         "%d s (%lu rejected so far)",
                         EMU_SYM_GCM_CHAINS_MAX, CCA_RS_CHAIN_TABLE_FULL,
                         EMU_SYM_GCM_IDLE_MS / 1000, t->full_rejections);
        *detail = "the device has no free GCM chain entry";
        pthread_mutex_unlock(&t->lock);
        return CCA_RS_CHAIN_TABLE_FULL;
    }

    index = t->free_list[--t->free_count];
    e = &t->entries[index];
    if (RAND_bytes_ex(eng->libctx, (unsigned char *)&e->generation,
                      sizeof(e->generation), 0) != 1) {
        t->free_list[t->free_count++] = index;
        *detail = "no random generation could be drawn for the chain";
        goto err;
    }
    e->gcm = *g;
    memset(g, 0, sizeof(*g));
    e->sequence = 0;
    e->epoch = epoch;
    e->last_used_ms = now_ms;
    e->busy = 0;
    t->open++;

    reason = handle_write(eng, index, e, cv, cv_len);
    if (reason != CCA_RS_OK) {
        *detail = "the chain handle could not be authenticated";
        entry_free(t, index);
    }

err:
    pthread_mutex_unlock(&t->lock);
    return reason;
}

/* Check that entry index contains the chain the handle names and that no
 * request acquired it.  Called with the lock held. */
static uint32_t entry_check(struct emu_sym_chains *t, uint32_t index,
                            const uint8_t *cv, int64_t now_ms,
                            const char **detail)
{
    struct chain_entry *e = &t->entries[index];

    *detail = "its chain ended, expired or was ended by a device reset";
    if (e->gcm.ctx == NULL || e->generation != get_be64(cv + 8))
        return CCA_RS_CHAIN_INVALID;
    *detail = "another request of the chain is still running";
    if (e->busy)
        return CCA_RS_CHAIN_INVALID;
    *detail = "a device reset ended its chain";
    if (e->epoch != t->epoch) {
        entry_free(t, index);
        return CCA_RS_CHAIN_INVALID;
    }
    *detail = "it was already used: send the vector the last reply returned";
    if (e->sequence != get_be32(cv + 16))
        return CCA_RS_CHAIN_INVALID;
    *detail = "its chain was idle too long and expired";
    if (now_ms - e->last_used_ms > EMU_SYM_GCM_IDLE_MS) {
        entry_free(t, index);
        return CCA_RS_CHAIN_INVALID;
    }
    *detail = "its chain has had the maximum number of requests";
    if (e->sequence == UINT32_MAX) {
        entry_free(t, index);
        return CCA_RS_CHAIN_INVALID;
    }
    return CCA_RS_OK;
}

uint32_t emu_sym_gcm_chain_acquire(const struct emu_sym_engine *eng,
                                   const uint8_t *cv, size_t cv_len,
                                   enum emu_sym_direction dir, unsigned epoch,
                                   int64_t now_ms, uint32_t *slot,
                                   struct emu_sym_gcm **g, const char **detail)
{
    struct emu_sym_chains *t = eng->chains;
    uint32_t index = 0;
    uint32_t reason = handle_check(eng, cv, cv_len, dir, &index, detail);

    if (reason != CCA_RS_OK)
        return reason;

    pthread_mutex_lock(&t->lock);
    chains_tidy(t, epoch, now_ms);
    reason = entry_check(t, index, cv, now_ms, detail);
    if (reason == CCA_RS_OK) {
        t->entries[index].busy = 1;
        *slot = index;
        *g = &t->entries[index].gcm;
    }
    pthread_mutex_unlock(&t->lock);
    return reason;
}

uint32_t emu_sym_gcm_chain_release(const struct emu_sym_engine *eng,
                                   uint32_t slot, int64_t now_ms, uint8_t *cv,
                                   size_t *cv_len, const char **detail)
{
    struct emu_sym_chains *t = eng->chains;
    struct chain_entry *e = &t->entries[slot];
    uint32_t reason = CCA_RS_CHAIN_INVALID;

    pthread_mutex_lock(&t->lock);
    e->busy = 0;
    *detail = "a device reset ended the chain during the request";
    if (e->epoch != t->epoch) {
        entry_free(t, slot);
        goto err;
    }
    e->sequence++;
    e->last_used_ms = now_ms;
    reason = handle_write(eng, slot, e, cv, cv_len);
    if (reason != CCA_RS_OK) {
        *detail = "the chain handle could not be authenticated";
        entry_free(t, slot);
    }

err:
    pthread_mutex_unlock(&t->lock);
    return reason;
}

void emu_sym_gcm_chain_end(const struct emu_sym_engine *eng, uint32_t slot)
{
    struct emu_sym_chains *t = eng->chains;

    pthread_mutex_lock(&t->lock);
    if (t->entries[slot].gcm.ctx != NULL && t->entries[slot].busy)
        entry_free(t, slot);
    pthread_mutex_unlock(&t->lock);
}
