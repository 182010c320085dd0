/*
 * GCM in CSNBSAE and CSNBSAD of libcsulcca-emu.so.
 *
 * CCA's GCM chaining vector is 104 bytes.  This library keeps the
 * emulator's chaining vector in a table and puts a handle into the
 * caller's field, so the caller's field never depends on the emulator's
 * vector format:
 *   @0 "IBM4767G", @8 a 16-byte random handle, the rest zero.
 * The table keeps up to EMU_GCM_CHAINS chains.  When it is full the least
 * recently used one is dropped, and continuing that chain fails with
 * 8/4778.  LAST removes its chain.
 */
#include <config.h>

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "emu.h"

#define CHAIN_LEN_GCM   104
#define HANDLE_MAGIC    "IBM4767G"
#define HANDLE_MAGIC_LEN 8
#define HANDLE_LEN      16
/* Open GCM chains kept at once.  NOTE: a guess that covers many
 * concurrent streams; not configurable. */
#define EMU_GCM_CHAINS  1024

struct gcm_chain {
    int used;
    uint8_t handle[HANDLE_LEN];
    int adapter;
    uint64_t last_use;
    struct cca_sym_chain chain;
};

static pthread_mutex_t chains_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gcm_chain chains[EMU_GCM_CHAINS];
static uint64_t use_clock;

/* Store chain under a new handle written to field.  Returns 1, or 0 when
 * no random handle could be drawn. */
static int chain_store(int adapter, const struct cca_sym_chain *chain,
                       unsigned char *field)
{
    struct gcm_chain *slot = &chains[0];
    int ret = 0;

    pthread_mutex_lock(&chains_lock);
    for (size_t i = 0; i < EMU_GCM_CHAINS; i++) {
        if (!chains[i].used) {
            slot = &chains[i];
            break;
        }
        if (chains[i].last_use < slot->last_use)
            slot = &chains[i];
    }
    if (RAND_bytes(slot->handle, HANDLE_LEN) == 1) {
        slot->used = 1;
        slot->adapter = adapter;
        slot->last_use = ++use_clock;
        slot->chain = *chain;
        memset(field, 0, CHAIN_LEN_GCM);
        memcpy(field, HANDLE_MAGIC, HANDLE_MAGIC_LEN);
        memcpy(field + HANDLE_MAGIC_LEN, slot->handle, HANDLE_LEN);
        ret = 1;
    }
    pthread_mutex_unlock(&chains_lock);
    return ret;
}

/* Find the chain of field; with take set, remove it from the table. */
static int chain_find(const unsigned char *field, int take, int *adapter,
                      struct cca_sym_chain *chain)
{
    int ret = 0;

    if (memcmp(field, HANDLE_MAGIC, HANDLE_MAGIC_LEN) != 0)
        return 0;
    pthread_mutex_lock(&chains_lock);
    for (size_t i = 0; i < EMU_GCM_CHAINS; i++) {
        struct gcm_chain *c = &chains[i];

        if (!c->used
            || CRYPTO_memcmp(c->handle, field + HANDLE_MAGIC_LEN,
                             HANDLE_LEN) != 0)
            continue;
        *adapter = c->adapter;
        *chain = c->chain;
        c->last_use = ++use_clock;
        if (take)
            OPENSSL_cleanse(c, sizeof(*c));
        ret = 1;
        break;
    }
    pthread_mutex_unlock(&chains_lock);
    return ret;
}

/* Replace the chain stored under field after a MIDDLE step. */
static void chain_update(const unsigned char *field,
                         const struct cca_sym_chain *chain)
{
    pthread_mutex_lock(&chains_lock);
    for (size_t i = 0; i < EMU_GCM_CHAINS; i++) {
        struct gcm_chain *c = &chains[i];

        if (c->used
            && CRYPTO_memcmp(c->handle, field + HANDLE_MAGIC_LEN,
                             HANDLE_LEN) == 0) {
            c->chain = *chain;
            break;
        }
    }
    pthread_mutex_unlock(&chains_lock);
}

static int gcm_check(struct emu_gcm_call *g, int starts, int ends,
                     struct emu_status_code *sc)
{
    long tag_len = g->tag_len != NULL ? *g->tag_len : 0;

    if (ends && (tag_len < CCA_SYM_GCM_TAG_MIN
                 || tag_len > CCA_SYM_GCM_TAG_MAX || g->tag == NULL)) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    if (starts && (g->iv == NULL || g->iv_len == NULL || *g->iv_len < 1
                   || *g->iv_len > IBM4767_SYM_IV_MAX)) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    if (g->aad_len != NULL && *g->aad_len > 0 && g->aad == NULL) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    if (g->p.chain != CCA_SYM_CHAIN_ONLY
        && (g->chain == NULL || g->chain_len == NULL
            || *g->chain_len < CHAIN_LEN_GCM)) {
        if (g->chain_len != NULL)
            *g->chain_len = CHAIN_LEN_GCM;
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    return 1;
}

void emu_gcm_run(struct emu_gcm_call *g, struct emu_status_code *sc)
{
    int starts = g->p.chain == CCA_SYM_CHAIN_ONLY
                 || g->p.chain == CCA_SYM_CHAIN_INITIAL;
    int ends = g->p.chain == CCA_SYM_CHAIN_ONLY
               || g->p.chain == CCA_SYM_CHAIN_FINAL;
    struct cca_sym_chain chain;
    struct cca_result res;
    int adapter = emu_adapter(), ok;
    size_t tag_len;

    memset(&chain, 0, sizeof(chain));
    chain.device = -1;
    if (!gcm_check(g, starts, ends, sc))
        return;
    if (!starts
        && !chain_find(g->chain, g->p.chain == CCA_SYM_CHAIN_FINAL, &adapter,
                       &chain)) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_CHAIN_INVALID);
        return;
    }
    if (starts) {
        g->p.iv = g->iv;
        g->p.iv_len = (size_t)*g->iv_len;
    }
    /* AAD may come in several steps until the first data byte; the
     * emulator rejects AAD after data. */
    g->p.aad = g->aad;
    g->p.aad_len = g->aad_len != NULL && *g->aad_len > 0
                       ? (size_t)*g->aad_len : 0;
    tag_len = ends ? (size_t)*g->tag_len : 0;

    if (g->decrypt)
        ok = cca_symmetric_decipher(emu_backend_of(adapter), &g->p, &chain,
                                    g->in, g->len, g->out, g->tag, tag_len,
                                    &res);
    else
        ok = cca_symmetric_encipher(emu_backend_of(adapter), &g->p, &chain,
                                    g->in, g->len, g->out, g->tag, tag_len,
                                    &res);
    emu_from_result(sc, &res);
    if (!ok || ends)
        goto err;

    if (g->p.chain == CCA_SYM_CHAIN_INITIAL) {
        if (!chain_store(adapter, &chain, g->chain))
            emu_set(sc, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY);
    } else {
        chain_update(g->chain, &chain);
    }
    *g->chain_len = CHAIN_LEN_GCM;

err:
    OPENSSL_cleanse(&chain, sizeof(chain));
}
