/*
 * AES modes of the emulator's symmetric engine, all through OpenSSL's EVP
 * ciphers.  ECB, CBC and CTR run one request at a time from the IV or
 * counter block that struct emu_sym_state carries between requests.  GCM
 * runs on one EVP_CIPHER_CTX for the whole message: a single request for
 * ONLY, or an entry of the chain table (sym_chain.c) for a chain.
 *
 * CTR follows OpenSSL's AES-CTR: the whole 16-byte counter block is one
 * big-endian number.
 */
#include <config.h>

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <ibm4767/cca.h>
#include <ibm4767/codes.h>
#include <ibm4767/protocol.h>

#include "sym_engine.h"

/* Longest GCM plaintext: 2^39 - 256 bits (NIST SP 800-38D section 5.2.1.1). */
#define GCM_TEXT_MAX ((1ull << 36) - 32u)

/* The default IV length of OpenSSL's AES-GCM. */
#define GCM_IV_DEFAULT 12u

enum cipher_kind { KIND_ECB = 0, KIND_CBC, KIND_CTR, KIND_GCM, KIND_COUNT };

static const char *const cipher_names[KIND_COUNT][3] = {
    { "AES-128-ECB", "AES-192-ECB", "AES-256-ECB" },
    { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC" },
    { "AES-128-CTR", "AES-192-CTR", "AES-256-CTR" },
    { "AES-128-GCM", "AES-192-GCM", "AES-256-GCM" },
};

static struct emu_sym_engine engine_store;
static _Atomic int engine_ready;
static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---------------------------------------------------------------------- */
/* The engine                                                              */

static void engine_release(struct emu_sym_engine *e)
{
    EVP_CIPHER **by_kind[KIND_COUNT] = { e->ecb, e->cbc, e->ctr, e->gcm };

    for (int k = 0; k < KIND_COUNT; k++) {
        for (int s = 0; s < 3; s++)
            EVP_CIPHER_free(by_kind[k][s]);
    }
    EVP_MD_free(e->sha256);
    EVP_MAC_free(e->hmac);
    emu_sym_chains_free(e->chains);
    OPENSSL_cleanse(e, sizeof(*e));
}

static int engine_fetch(struct emu_sym_engine *e, OSSL_LIB_CTX *libctx)
{
    EVP_CIPHER **by_kind[KIND_COUNT] = { e->ecb, e->cbc, e->ctr, e->gcm };

    e->libctx = libctx;
    for (int k = 0; k < KIND_COUNT; k++) {
        for (int s = 0; s < 3; s++) {
            by_kind[k][s] = EVP_CIPHER_fetch(libctx, cipher_names[k][s], NULL);
            if (by_kind[k][s] == NULL)
                return 0;
        }
    }
    e->sha256 = EVP_MD_fetch(libctx, "SHA2-256", NULL);
    e->hmac = EVP_MAC_fetch(libctx, "HMAC", NULL);
    if (e->sha256 == NULL || e->hmac == NULL)
        return 0;
    if (RAND_priv_bytes_ex(libctx, e->seal_key, sizeof(e->seal_key), 256) != 1
        || RAND_priv_bytes_ex(libctx, e->handle_key, sizeof(e->handle_key),
                              256) != 1)
        return 0;
    e->chains = emu_sym_chains_new();
    return e->chains != NULL;
}

const struct emu_sym_engine *emu_sym_engine_get(OSSL_LIB_CTX *libctx)
{
    const struct emu_sym_engine *ret = NULL;

    if (atomic_load(&engine_ready))
        return &engine_store;

    pthread_mutex_lock(&engine_lock);
    if (!atomic_load(&engine_ready)) {
        if (engine_fetch(&engine_store, libctx))
            atomic_store(&engine_ready, 1);
        else
            engine_release(&engine_store);
    }
    if (atomic_load(&engine_ready))
        ret = &engine_store;
    pthread_mutex_unlock(&engine_lock);
    return ret;
}

void emu_sym_engine_reset(unsigned epoch)
{
    if (atomic_load(&engine_ready))
        emu_sym_chains_reset(engine_store.chains, epoch);
}

void emu_sym_engine_free(void)
{
    pthread_mutex_lock(&engine_lock);
    if (atomic_load(&engine_ready)) {
        atomic_store(&engine_ready, 0);
        engine_release(&engine_store);
    }
    pthread_mutex_unlock(&engine_lock);
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

static int key_len_valid(size_t key_len)
{
    return key_len == 16 || key_len == 24 || key_len == 32;
}

static const EVP_CIPHER *aes_cipher(const struct emu_sym_engine *eng,
                                    enum cipher_kind kind, size_t key_len)
{
    size_t i = (key_len - 16) / 8;

    switch (kind) {
    case KIND_ECB:
        return eng->ecb[i];
    case KIND_CBC:
        return eng->cbc[i];
    case KIND_CTR:
        return eng->ctr[i];
    default:
        return eng->gcm[i];
    }
}

/* Return a context for kind and key, ready for EVP_CipherUpdate, or NULL. */
static EVP_CIPHER_CTX *cipher_ctx_new(const struct emu_sym_engine *eng,
                                      enum cipher_kind kind,
                                      const uint8_t *key, size_t key_len,
                                      const uint8_t *iv, int enc)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

    if (ctx == NULL)
        return NULL;
    if (!EVP_CipherInit_ex2(ctx, aes_cipher(eng, kind, key_len), key, iv, enc,
                            NULL)
        || !EVP_CIPHER_CTX_set_padding(ctx, 0)) {
        EVP_CIPHER_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* Run len bytes through ctx.  len is at most IBM4767_SYM_DATA_MAX, so it
 * fits an int. */
static int cipher_run(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in,
                      size_t len)
{
    int outl = 0;

    if (len == 0)
        return 1;
    if (len > (size_t)IBM4767_SYM_DATA_MAX)
        return 0;
    return EVP_CipherUpdate(ctx, out, &outl, in, (int)len)
           && (size_t)outl == len;
}

uint32_t emu_sym_key_check(const struct emu_sym_engine *eng,
                           const uint8_t *key, size_t key_len,
                           uint8_t check[EMU_SYM_KEY_CHECK_LEN])
{
    static const char domain[] = "ibm4767 chain key check";
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD_CTX *mdctx = NULL;
    uint32_t reason = CCA_RS_DEVICE_BUSY_INTERNAL;

    if (!key_len_valid(key_len))
        return CCA_RS_LENGTH_INVALID;

    if ((mdctx = EVP_MD_CTX_new()) == NULL)
        goto err;
    if (!EVP_DigestInit_ex2(mdctx, eng->sha256, NULL)
        || !EVP_DigestUpdate(mdctx, domain, sizeof(domain))
        || !EVP_DigestUpdate(mdctx, key, key_len)
        || !EVP_DigestFinal_ex(mdctx, md, &md_len))
        goto err;
    memcpy(check, md, EMU_SYM_KEY_CHECK_LEN);
    reason = CCA_RS_OK;

err:
    OPENSSL_cleanse(md, sizeof(md));
    EVP_MD_CTX_free(mdctx);
    return reason;
}

uint32_t emu_sym_key_matches(const struct emu_sym_engine *eng,
                             const uint8_t check[EMU_SYM_KEY_CHECK_LEN],
                             const uint8_t *key, size_t key_len)
{
    uint8_t actual[EMU_SYM_KEY_CHECK_LEN];
    uint32_t reason = emu_sym_key_check(eng, key, key_len, actual);

    if (reason != CCA_RS_OK)
        return reason;
    if (CRYPTO_memcmp(actual, check, sizeof(actual)) != 0)
        return CCA_RS_CHAIN_INVALID;
    return CCA_RS_OK;
}

/* ---------------------------------------------------------------------- */
/* ECB, CBC and CTR                                                        */

uint32_t emu_sym_start(const struct emu_sym_engine *eng,
                       struct emu_sym_state *st, uint32_t mode,
                       enum emu_sym_direction dir, const uint8_t *key,
                       size_t key_len, const uint8_t *iv, size_t iv_len)
{
    size_t want_iv = mode == CCA_SYM_MODE_ECB ? 0 : EMU_SYM_BLOCK;

    memset(st, 0, sizeof(*st));
    if (mode != CCA_SYM_MODE_ECB && mode != CCA_SYM_MODE_CBC
        && mode != CCA_SYM_MODE_CTR)
        return CCA_RS_KEYWORD_INVALID;
    if (!key_len_valid(key_len) || iv_len != want_iv)
        return CCA_RS_LENGTH_INVALID;

    st->mode = (uint8_t)mode;
    st->direction = (uint8_t)dir;
    if (iv_len > 0)
        memcpy(st->counter, iv, iv_len);
    return emu_sym_key_check(eng, key, key_len, st->key_check);
}

/* ECB and CBC: whole blocks.  CBC's next IV is the last ciphertext block,
 * which OpenSSL reports as the updated IV. */
static uint32_t block_update(const struct emu_sym_engine *eng,
                             struct emu_sym_state *st, const uint8_t *key,
                             size_t key_len, const uint8_t *in, size_t len,
                             uint8_t *out)
{
    enum cipher_kind kind = st->mode == CCA_SYM_MODE_ECB ? KIND_ECB : KIND_CBC;
    int enc = st->direction == EMU_SYM_ENCIPHER;
    EVP_CIPHER_CTX *ctx = NULL;
    uint32_t reason = CCA_RS_DEVICE_BUSY_INTERNAL;

    if (len % EMU_SYM_BLOCK != 0)
        return CCA_RS_LENGTH_INVALID;
    if (len == 0)
        return CCA_RS_OK;

    ctx = cipher_ctx_new(eng, kind, key, key_len,
                         kind == KIND_CBC ? st->counter : NULL, enc);
    if (ctx == NULL || !cipher_run(ctx, out, in, len))
        goto err;
    if (kind == KIND_CBC
        && !EVP_CIPHER_CTX_get_updated_iv(ctx, st->counter, EMU_SYM_BLOCK))
        goto err;
    reason = CCA_RS_OK;

err:
    EVP_CIPHER_CTX_free(ctx);
    return reason;
}

/*
 * CTR from the middle of a keystream block: the context starts at that
 * block, skips the st->num bytes earlier requests used, and runs up to the
 * last block boundary the piece reaches.  Its updated IV is then the next
 * counter block, and what is left of the piece sets the new st->num.
 */
static uint32_t ctr_update(const struct emu_sym_engine *eng,
                           struct emu_sym_state *st, const uint8_t *key,
                           size_t key_len, const uint8_t *in, size_t len,
                           uint8_t *out)
{
    static const uint8_t zero[EMU_SYM_BLOCK];
    uint8_t used[EMU_SYM_BLOCK];
    size_t end = st->num + len;        /* keystream offset after the piece */
    size_t whole = 0;                  /* bytes up to the last boundary */
    EVP_CIPHER_CTX *ctx = NULL;
    uint32_t reason = CCA_RS_DEVICE_BUSY_INTERNAL;

    if (len == 0)
        return CCA_RS_OK;

    ctx = cipher_ctx_new(eng, KIND_CTR, key, key_len, st->counter, 1);
    if (ctx == NULL || !cipher_run(ctx, used, zero, st->num))
        goto err;
    if (end >= EMU_SYM_BLOCK) {
        whole = end - end % EMU_SYM_BLOCK - st->num;
        if (!cipher_run(ctx, out, in, whole)
            || !EVP_CIPHER_CTX_get_updated_iv(ctx, st->counter,
                                              EMU_SYM_BLOCK))
            goto err;
    }
    if (!cipher_run(ctx, out + whole, in + whole, len - whole))
        goto err;
    st->num = (uint8_t)(end % EMU_SYM_BLOCK);
    reason = CCA_RS_OK;

err:
    OPENSSL_cleanse(used, sizeof(used));
    EVP_CIPHER_CTX_free(ctx);
    return reason;
}

uint32_t emu_sym_update(const struct emu_sym_engine *eng,
                        struct emu_sym_state *st, const uint8_t *key,
                        size_t key_len, const uint8_t *in, size_t len,
                        uint8_t *out)
{
    if (!key_len_valid(key_len))
        return CCA_RS_LENGTH_INVALID;

    switch (st->mode) {
    case CCA_SYM_MODE_ECB:
    case CCA_SYM_MODE_CBC:
        return block_update(eng, st, key, key_len, in, len, out);
    case CCA_SYM_MODE_CTR:
        return ctr_update(eng, st, key, key_len, in, len, out);
    default:
        return CCA_RS_KEYWORD_INVALID;
    }
}

/* ---------------------------------------------------------------------- */
/* GCM                                                                     */

/*
 * The IV length goes to the context before the IV does: OpenSSL 3.0's GCM
 * takes the IV at init with the length the context has at that moment.
 */
uint32_t emu_sym_gcm_start(const struct emu_sym_engine *eng,
                           struct emu_sym_gcm *g, enum emu_sym_direction dir,
                           const uint8_t *key, size_t key_len,
                           const uint8_t *iv, size_t iv_len)
{
    OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
    EVP_CIPHER_CTX *ctx = NULL;
    int enc = dir == EMU_SYM_ENCIPHER;
    uint32_t reason;

    memset(g, 0, sizeof(*g));
    if (!key_len_valid(key_len) || iv_len == 0 || iv_len > IBM4767_SYM_IV_MAX)
        return CCA_RS_LENGTH_INVALID;
    reason = emu_sym_key_check(eng, key, key_len, g->key_check);
    if (reason != CCA_RS_OK)
        return reason;

    reason = CCA_RS_DEVICE_BUSY_INTERNAL;
    if (iv_len != GCM_IV_DEFAULT)
        params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN,
                                                &iv_len);
    if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
        goto err;
    if (!EVP_CipherInit_ex2(ctx, aes_cipher(eng, KIND_GCM, key_len), NULL,
                            NULL, enc, params)
        || !EVP_CipherInit_ex2(ctx, NULL, key, iv, enc, NULL))
        goto err;
    g->ctx = ctx;
    ctx = NULL;
    g->direction = (uint8_t)dir;
    reason = CCA_RS_OK;

err:
    EVP_CIPHER_CTX_free(ctx);
    return reason;
}

uint32_t emu_sym_gcm_update(struct emu_sym_gcm *g, const uint8_t *aad,
                            size_t aad_len, const uint8_t *in, size_t len,
                            uint8_t *out)
{
    if (aad_len > 0 && g->text_len > 0)
        return CCA_RS_KEYWORD_COMBINATION;
    if (len > GCM_TEXT_MAX - g->text_len)
        return CCA_RS_LENGTH_INVALID;

    /* With no output buffer, EVP_CipherUpdate takes AAD. */
    if (!cipher_run(g->ctx, NULL, aad, aad_len)
        || !cipher_run(g->ctx, out, in, len))
        return CCA_RS_DEVICE_BUSY_INTERNAL;
    g->text_len += len;
    return CCA_RS_OK;
}

uint32_t emu_sym_gcm_finish(struct emu_sym_gcm *g, const uint8_t *expected,
                            size_t tag_len, uint8_t tag[EMU_SYM_BLOCK])
{
    uint8_t none[EMU_SYM_BLOCK];       /* GCM's final call writes nothing */
    int outl = 0;

    if (g->direction == EMU_SYM_ENCIPHER) {
        if (EVP_CipherFinal_ex(g->ctx, none, &outl) != 1
            || EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_AEAD_GET_TAG,
                                   EMU_SYM_BLOCK, tag) != 1)
            return CCA_RS_DEVICE_BUSY_INTERNAL;
        return CCA_RS_OK;
    }

    if (expected == NULL || tag_len < CCA_SYM_GCM_TAG_MIN
        || tag_len > CCA_SYM_GCM_TAG_MAX)
        return CCA_RS_LENGTH_INVALID;
    if (EVP_CIPHER_CTX_ctrl(g->ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len,
                            (void *)expected) != 1)
        return CCA_RS_DEVICE_BUSY_INTERNAL;
    /* OpenSSL compares the first tag_len bytes of the tag it computed. */
    if (EVP_CipherFinal_ex(g->ctx, none, &outl) != 1) {
        ERR_clear_error();
        return CCA_RS_GCM_TAG_INVALID;
    }
    return CCA_RS_OK;
}

void emu_sym_gcm_clear(struct emu_sym_gcm *g)
{
    EVP_CIPHER_CTX_free(g->ctx);
    OPENSSL_cleanse(g, sizeof(*g));
}
