/*
 * The emulator's symmetric engine: AES in ECB, CBC, CTR and GCM through
 * OpenSSL's EVP ciphers, on a key in the clear.  The key is the one a
 * KEY-CLR request carries, or a token's key after the device unwrapped it.
 *
 * A chain (INITIAL, CONTINUE, FINAL) keeps its state between requests in
 * one of two ways:
 *  - ECB, CBC and CTR: the state is the next IV or counter block.  It
 *    travels to the host and back in a chaining vector sealed with
 *    AES-256-GCM, so the device keeps nothing.
 *  - GCM: an EVP_CIPHER_CTX cannot be exported, so the device keeps it in
 *    a table of open chains (at most EMU_SYM_GCM_CHAINS_MAX).  The
 *    chaining vector is a handle to a table entry, authenticated with
 *    HMAC-SHA-256.  The running GHASH value never leaves the device, since
 *    it would give away the GCM hash key.
 * The sealing key and the HMAC key are drawn once per emulator process.
 * A device reset, firmware unload or zeroize (a new device epoch) ends
 * every chain.
 */
#ifndef IBM4767_EMU_SYM_ENGINE_H
#define IBM4767_EMU_SYM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define EMU_SYM_BLOCK         16u
#define EMU_SYM_KEY_CHECK_LEN 8u
#define EMU_SYM_KEY_MAX       32u

/* Maximum of open GCM chains per device.  A chain that gets no request
 * for EMU_SYM_GCM_IDLE_MS milliseconds ends, and its entry is freed. */
#define EMU_SYM_GCM_CHAINS_MAX 1024u
#define EMU_SYM_GCM_IDLE_MS    60000

enum emu_sym_direction {
    EMU_SYM_ENCIPHER = 1,
    EMU_SYM_DECIPHER = 2,
};

struct emu_sym_chains;

/*
 * The algorithms, keys and GCM chain table of the engine, made from the
 * device's library context on first use and kept until
 * emu_sym_engine_free() (an emulator process runs one device).
 */
struct emu_sym_engine {
    OSSL_LIB_CTX *libctx;
    EVP_CIPHER *ecb[3];                /* indexed by (key bytes - 16) / 8 */
    EVP_CIPHER *cbc[3];
    EVP_CIPHER *ctr[3];
    EVP_CIPHER *gcm[3];                /* gcm[2] also seals vectors */
    EVP_MD *sha256;
    EVP_MAC *hmac;
    uint8_t seal_key[32];              /* AES-256-GCM: ECB, CBC, CTR vectors */
    uint8_t handle_key[32];            /* HMAC-SHA-256: GCM chain handles */
    struct emu_sym_chains *chains;     /* has its own lock */
};

/* The engine for libctx, or NULL when an algorithm cannot be fetched or
 * the keys cannot be drawn (the next call tries again). */
const struct emu_sym_engine *emu_sym_engine_get(OSSL_LIB_CTX *libctx);
/* End every open GCM chain because the device moved to epoch (a reset,
 * firmware unload or zeroize).  Does nothing before the engine's first
 * use. */
void emu_sym_engine_reset(unsigned epoch);
/* Free the engine, cleansing its keys and open chains.  Call at shutdown,
 * after the workers stopped and before the library context is freed. */
void emu_sym_engine_free(void);

/* The key's fingerprint that binds a chain to its key.  Returns 0, 72
 * for a key length other than 16, 24 or 32, or 4790. */
uint32_t emu_sym_key_check(const struct emu_sym_engine *eng,
                           const uint8_t *key, size_t key_len,
                           uint8_t check[EMU_SYM_KEY_CHECK_LEN]);
/* 0 when key has the fingerprint check, else 4778 (or 72, 4790). */
uint32_t emu_sym_key_matches(const struct emu_sym_engine *eng,
                             const uint8_t check[EMU_SYM_KEY_CHECK_LEN],
                             const uint8_t *key, size_t key_len);

/* ---------------------------------------------------------------------- */
/* ECB, CBC and CTR (sym_cipher.c), with sealed chaining vectors            */

/* The state of an ECB, CBC or CTR chain between two requests. */
struct emu_sym_state {
    uint8_t mode;                      /* CCA_SYM_MODE_ECB, CBC or CTR */
    uint8_t direction;                 /* enum emu_sym_direction */
    uint8_t key_check[EMU_SYM_KEY_CHECK_LEN];
    /* CBC: the IV of the next block.  CTR: the counter block of the
     * keystream block that covers the next byte. */
    uint8_t counter[EMU_SYM_BLOCK];
    uint8_t num;                       /* CTR: bytes of that block used */
};

/*
 * Start an ECB, CBC or CTR chain in st.  key is 16, 24 or 32 bytes.  The IV
 * is 16 bytes for CBC and CTR and empty for ECB.  Returns 0, 72 for a
 * length that does not fit the mode, 33 for another mode, or 4790.
 */
uint32_t emu_sym_start(const struct emu_sym_engine *eng,
                       struct emu_sym_state *st, uint32_t mode,
                       enum emu_sym_direction dir, const uint8_t *key,
                       size_t key_len, const uint8_t *iv, size_t iv_len);

/*
 * Process the next len bytes of a chain into out.  ECB and CBC take whole
 * blocks only.  Returns 0, 72 for a length the mode does not take, or
 * 4790.
 */
uint32_t emu_sym_update(const struct emu_sym_engine *eng,
                        struct emu_sym_state *st, const uint8_t *key,
                        size_t key_len, const uint8_t *in, size_t len,
                        uint8_t *out);

/*
 * Chaining vectors of ECB, CBC and CTR chains (sym_chain.c).  seal writes
 * st, bound to the device epoch, into out (room for IBM4767_SYM_CHAIN_MAX
 * bytes) and sets *out_len.  open checks a vector and reads it back.  Both
 * return 0 or a CCA reason code: 4778 when the vector is altered,
 * truncated, from another epoch or from another run of the emulator, 4790
 * for an internal failure.
 */
uint32_t emu_sym_chain_seal(const struct emu_sym_engine *eng,
                            const struct emu_sym_state *st, unsigned epoch,
                            uint8_t *out, size_t *out_len);
uint32_t emu_sym_chain_open(const struct emu_sym_engine *eng,
                            const uint8_t *in, size_t in_len, unsigned epoch,
                            struct emu_sym_state *st);

/* ---------------------------------------------------------------------- */
/* GCM (sym_cipher.c)                                                      */

/* One GCM message in progress. */
struct emu_sym_gcm {
    EVP_CIPHER_CTX *ctx;               /* NULL when no message is open */
    uint8_t direction;                 /* enum emu_sym_direction */
    uint8_t key_check[EMU_SYM_KEY_CHECK_LEN];
    uint64_t text_len;                 /* data bytes so far */
};

/*
 * Start a GCM message in g.  key is 16, 24 or 32 bytes, the IV 1 to
 * IBM4767_SYM_IV_MAX bytes.  Returns 0, 72 for a length that does not fit,
 * or 4790.  On success g owns a context: free it with
 * emu_sym_gcm_clear().
 */
uint32_t emu_sym_gcm_start(const struct emu_sym_engine *eng,
                           struct emu_sym_gcm *g, enum emu_sym_direction dir,
                           const uint8_t *key, size_t key_len,
                           const uint8_t *iv, size_t iv_len);
/*
 * Feed AAD, then data, into g.  out receives len bytes.  Returns 0, 34 for
 * AAD after the first data byte, 72 for data past GCM's limit of
 * 2^36 - 32 bytes per message, or 4790.
 */
uint32_t emu_sym_gcm_update(struct emu_sym_gcm *g, const uint8_t *aad,
                            size_t aad_len, const uint8_t *in, size_t len,
                            uint8_t *out);
/*
 * End the message.  Encipher: the full 16-byte tag goes to tag.
 * Decipher: expected (tag_len bytes, 4 to 16) is compared with the leading
 * bytes of the tag.  Returns 0, 2947 when the tag does not match, 72 for a
 * bad tag length, or 4790.
 */
uint32_t emu_sym_gcm_finish(struct emu_sym_gcm *g, const uint8_t *expected,
                            size_t tag_len, uint8_t tag[EMU_SYM_BLOCK]);
/* Free g's context (OpenSSL cleanses the key schedule) and zero g. */
void emu_sym_gcm_clear(struct emu_sym_gcm *g);

/* ---------------------------------------------------------------------- */
/* The table of open GCM chains (sym_chain.c)                              */

/*
 * All functions take the device's current epoch and end every chain of
 * an earlier epoch first, and now_ms is CLOCK_MONOTONIC milliseconds.  On
 * a failure, *detail receives a static phrase for the error message.
 */

/*
 * Move the message in g into a new table entry (g is zeroed) and write
 * its handle into cv (room for IBM4767_SYM_CHAIN_MAX bytes).  Returns 0,
 * 4786 when EMU_SYM_GCM_CHAINS_MAX chains are open (g is left as it was),
 * or 4790.
 */
uint32_t emu_sym_gcm_chain_add(const struct emu_sym_engine *eng,
                               struct emu_sym_gcm *g, unsigned epoch,
                               int64_t now_ms, uint8_t *cv, size_t *cv_len,
                               const char **detail);
/*
 * Check a handle and take its chain for one request: *g points into the
 * table until emu_sym_gcm_chain_release() or emu_sym_gcm_chain_end() with
 * *slot.  Returns 0, or 4778 for a handle that is altered, forged, for
 * the other direction, already used (replayed), for a chain that ended,
 * expired or began before a reset, or for a chain another request holds.
 */
uint32_t emu_sym_gcm_chain_acquire(const struct emu_sym_engine *eng,
                                   const uint8_t *cv, size_t cv_len,
                                   enum emu_sym_direction dir, unsigned epoch,
                                   int64_t now_ms, uint32_t *slot,
                                   struct emu_sym_gcm **g,
                                   const char **detail);
/*
 * Give a chain back after a request that continues it, and write the
 * handle for the next request into cv.  The handle the request came with
 * is then spent.  Returns 0, or 4778 when a reset ended the chain during
 * the request, which frees the entry.
 */
uint32_t emu_sym_gcm_chain_release(const struct emu_sym_engine *eng,
                                   uint32_t slot, int64_t now_ms, uint8_t *cv,
                                   size_t *cv_len, const char **detail);
/* End an acquired chain (its last request, or a failed one) and free its
 * entry. */
void emu_sym_gcm_chain_end(const struct emu_sym_engine *eng, uint32_t slot);
/* Chains open now, for tests and logs. */
size_t emu_sym_gcm_chains_open(const struct emu_sym_engine *eng);

/* The table itself, owned by the engine. */
struct emu_sym_chains *emu_sym_chains_new(void);
void emu_sym_chains_free(struct emu_sym_chains *t);
void emu_sym_chains_reset(struct emu_sym_chains *t, unsigned epoch);

/* ---------------------------------------------------------------------- */
/* AES key tokens (sym_token.c)                                            */

/*
 * wrap makes a token for a clear key under the current AES master key;
 * *token is allocated with OPENSSL_malloc.  unwrap checks a token (8/770
 * structure, 8/48 master key, 8/4770 usage bits need or mode, 8/29
 * altered) and writes its key into key (room for 32 bytes); *old_mk is set
 * when the old master key wrapped it.
 */
struct emu_device;
struct emu_result;

int emu_sym_token_wrap(struct emu_device *dev, const uint8_t *key,
                       size_t key_len, uint16_t usage, uint8_t mode,
                       uint8_t **token, size_t *token_len,
                       struct emu_result *res);
int emu_sym_token_unwrap(struct emu_device *dev, const uint8_t *token,
                         size_t len, uint16_t need, uint32_t mode,
                         uint8_t key[32], size_t *key_len, int *old_mk,
                         struct emu_result *res);

#endif
