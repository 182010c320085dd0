/*
 * Unit tests of the emulator's symmetric engine (emulator/sym_*.c) and of
 * the AES token layout (backend/symtoken.c), without a running emulator.
 *
 * Every mode is checked against OpenSSL's own ciphers with messages cut
 * into random pieces.  ECB, CBC and CTR pieces pass through a sealed
 * chaining vector, and GCM pieces through the chain table and its handles,
 * as they do between two requests.  The chain table is also checked for
 * forged, replayed and stale handles, resets, expiry and a full table.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <ibm4767/cca.h>
#include <ibm4767/codes.h>
#include <ibm4767/symtoken.h>

#include "../../emulator/sym_engine.h"

#define MSG_MAX 5000

static const char *const mode_names[] = { "", "ECB", "CBC", "CTR", "GCM" };

/* The device epoch and clock the tests pretend to run at. */
static unsigned test_epoch = 1;
static int64_t test_now_ms = 1000000;

static const struct emu_sym_engine *engine(void)
{
    const struct emu_sym_engine *e = emu_sym_engine_get(NULL);

    assert_non_null(e);
    return e;
}

/* End every chain of earlier tests: a new device epoch. */
static int fresh_epoch(void **state)
{
    (void)state;
    test_epoch++;
    emu_sym_engine_reset(test_epoch);
    assert_int_equal(emu_sym_gcm_chains_open(engine()), 0);
    return 0;
}

/* The expected output from OpenSSL's cipher, whole message at once. */
static void reference(uint32_t mode, size_t key_len, int enc,
                      const uint8_t *key, const uint8_t *iv, size_t iv_len,
                      const uint8_t *aad, size_t aad_len, const uint8_t *in,
                      size_t len, uint8_t *out, uint8_t tag[16])
{
    char name[32];
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    OSSL_PARAM params[2] = { OSSL_PARAM_END, OSSL_PARAM_END };
    int outl = 0, finl = 0;

    snprintf(name, sizeof(name), "AES-%zu-%s", key_len * 8, mode_names[mode]);
    cipher = EVP_CIPHER_fetch(NULL, name, NULL);
    assert_non_null(cipher);
    assert_non_null(ctx);
    if (mode == CCA_SYM_MODE_GCM)
        params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN,
                                                &iv_len);
    assert_int_equal(EVP_CipherInit_ex2(ctx, cipher, NULL, NULL, enc, params),
                     1);
    assert_int_equal(EVP_CipherInit_ex2(ctx, NULL, key, iv, enc, NULL), 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    if (aad_len > 0)
        assert_int_equal(EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len),
                         1);
    assert_int_equal(EVP_CipherUpdate(ctx, out, &outl, in, (int)len), 1);
    if (mode == CCA_SYM_MODE_GCM && !enc)
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag);
    assert_int_equal(EVP_CipherFinal_ex(ctx, out + outl, &finl), 1);
    if (mode == CCA_SYM_MODE_GCM && enc)
        assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16,
                                             tag), 1);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
}

/* Seal and open st, as a chain does between two requests. */
static void round_trip(struct emu_sym_state *st)
{
    uint8_t cv[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len = 0;

    assert_int_equal(emu_sym_chain_seal(engine(), st, test_epoch, cv,
                                        &cv_len), 0);
    assert_true(cv_len > 0 && cv_len <= sizeof(cv));
    assert_int_equal(emu_sym_chain_open(engine(), cv, cv_len, test_epoch, st),
                     0);
}

/* A random piece length from 1 to max, at most left. */
static size_t piece_len(size_t max, size_t left)
{
    size_t n = 1 + (size_t)rand() % max;

    return n < left ? n : left;
}

/* ECB, CBC or CTR on a message cut into random pieces. */
static void block_engine_run(uint32_t mode, enum emu_sym_direction dir,
                             const uint8_t *key, size_t key_len,
                             const uint8_t *iv, size_t iv_len,
                             const uint8_t *in, size_t len, uint8_t *out)
{
    struct emu_sym_state st;
    size_t off = 0;

    assert_int_equal(emu_sym_start(engine(), &st, mode, dir, key, key_len,
                                   iv, iv_len), 0);
    while (off < len) {
        size_t n = piece_len(700, len - off);

        if (mode == CCA_SYM_MODE_ECB || mode == CCA_SYM_MODE_CBC)
            n = 16 * piece_len(40, (len - off) / 16);
        round_trip(&st);
        assert_int_equal(emu_sym_key_matches(engine(), st.key_check, key,
                                             key_len), 0);
        assert_int_equal(emu_sym_update(engine(), &st, key, key_len, in + off,
                                        n, out + off), 0);
        off += n;
    }
}

/* Take the chain that handle cv names, as a CONTINUE or FINAL does. */
static struct emu_sym_gcm *chain_take(const uint8_t *cv, size_t cv_len,
                                      enum emu_sym_direction dir,
                                      uint32_t *slot)
{
    struct emu_sym_gcm *g = NULL;
    const char *detail = NULL;

    assert_int_equal(emu_sym_gcm_chain_acquire(engine(), cv, cv_len, dir,
                                               test_epoch, test_now_ms, slot,
                                               &g, &detail), 0);
    assert_non_null(g);
    return g;
}

/* GCM as a chain: INITIAL with no data, then CONTINUE pieces through the
 * chain table, then FINAL with no data.  Decipher checks tag. */
static void gcm_engine_run(enum emu_sym_direction dir, const uint8_t *key,
                           size_t key_len, const uint8_t *iv, size_t iv_len,
                           const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, size_t len, uint8_t *out,
                           uint8_t tag[16])
{
    struct emu_sym_gcm first, *g;
    uint8_t cv[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len = 0, aad_off = 0, off = 0;
    const char *detail = NULL;
    uint32_t slot = 0;

    assert_int_equal(emu_sym_gcm_start(engine(), &first, dir, key, key_len,
                                       iv, iv_len), 0);
    assert_int_equal(emu_sym_gcm_chain_add(engine(), &first, test_epoch,
                                           test_now_ms, cv, &cv_len, &detail),
                     0);
    assert_null(first.ctx);

    while (aad_off < aad_len || off < len) {
        size_t a = aad_off < aad_len ? piece_len(40, aad_len - aad_off) : 0;
        size_t n = aad_off + a == aad_len && off < len
                       ? piece_len(700, len - off) : 0;

        g = chain_take(cv, cv_len, dir, &slot);
        assert_int_equal(emu_sym_key_matches(engine(), g->key_check, key,
                                             key_len), 0);
        assert_int_equal(emu_sym_gcm_update(g, aad + aad_off, a, in + off, n,
                                            out + off), 0);
        assert_int_equal(emu_sym_gcm_chain_release(engine(), slot,
                                                   test_now_ms, cv, &cv_len,
                                                   &detail), 0);
        aad_off += a;
        off += n;
    }

    g = chain_take(cv, cv_len, dir, &slot);
    assert_int_equal(emu_sym_gcm_finish(g, tag, 16, tag), 0);
    emu_sym_gcm_chain_end(engine(), slot);
}

static void check_mode(uint32_t mode, int trials)
{
    static uint8_t in[MSG_MAX], out[MSG_MAX], expected[MSG_MAX];
    uint8_t key[32], iv[IBM4767_SYM_IV_MAX], aad[200], tag[16];
    uint8_t expected_tag[16];

    for (int t = 0; t < trials; t++) {
        size_t key_len = 16 + 8 * (size_t)(t % 3);
        size_t iv_len = mode == CCA_SYM_MODE_ECB ? 0 : 16;
        size_t aad_len = mode == CCA_SYM_MODE_GCM ? (size_t)rand() % 200 : 0;
        size_t len = (size_t)rand() % MSG_MAX;

        if (mode == CCA_SYM_MODE_GCM)
            iv_len = t % 4 == 0 ? 1 + (size_t)rand() % sizeof(iv) : 12;
        if (mode == CCA_SYM_MODE_ECB || mode == CCA_SYM_MODE_CBC)
            len -= len % 16;
        assert_int_equal(RAND_bytes(key, sizeof(key)), 1);
        assert_int_equal(RAND_bytes(iv, sizeof(iv)), 1);
        assert_int_equal(RAND_bytes(aad, sizeof(aad)), 1);
        assert_int_equal(RAND_bytes(in, sizeof(in)), 1);
        /* Counter blocks that carry across bytes. */
        if (mode == CCA_SYM_MODE_CTR && t % 2 == 0)
            memset(iv + 10, 0xFF, 6);

        reference(mode, key_len, 1, key, iv, iv_len, aad, aad_len, in, len,
                  expected, expected_tag);
        if (mode == CCA_SYM_MODE_GCM) {
            gcm_engine_run(EMU_SYM_ENCIPHER, key, key_len, iv, iv_len, aad,
                           aad_len, in, len, out, tag);
            assert_memory_equal(tag, expected_tag, 16);
        } else {
            block_engine_run(mode, EMU_SYM_ENCIPHER, key, key_len, iv, iv_len,
                             in, len, out);
        }
        assert_memory_equal(out, expected, len);

        if (mode == CCA_SYM_MODE_GCM)
            gcm_engine_run(EMU_SYM_DECIPHER, key, key_len, iv, iv_len, aad,
                           aad_len, expected, len, out, expected_tag);
        else
            block_engine_run(mode, EMU_SYM_DECIPHER, key, key_len, iv, iv_len,
                             expected, len, out);
        assert_memory_equal(out, in, len);
    }
    assert_int_equal(emu_sym_gcm_chains_open(engine()), 0);
}

static void ecb_matches_openssl(void **state)
{
    check_mode(CCA_SYM_MODE_ECB, 30);
}

static void cbc_matches_openssl(void **state)
{
    check_mode(CCA_SYM_MODE_CBC, 30);
}

static void ctr_matches_openssl(void **state)
{
    check_mode(CCA_SYM_MODE_CTR, 30);
}

static void gcm_matches_openssl(void **state)
{
    check_mode(CCA_SYM_MODE_GCM, 60);
}

static void hex(const char *text, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned int byte;

        assert_int_equal(sscanf(text + 2 * i, "%2x", &byte), 1);
        out[i] = (uint8_t)byte;
    }
}

/* One GCM message in a single request (ONLY): no table entry. */
static void gcm_only(const uint8_t *key, size_t key_len, const uint8_t *iv,
                     size_t iv_len, const uint8_t *in, size_t len,
                     uint8_t *out, uint8_t tag[16])
{
    struct emu_sym_gcm g;

    assert_int_equal(emu_sym_gcm_start(engine(), &g, EMU_SYM_ENCIPHER, key,
                                       key_len, iv, iv_len), 0);
    assert_int_equal(emu_sym_gcm_update(&g, NULL, 0, in, len, out), 0);
    assert_int_equal(emu_sym_gcm_finish(&g, NULL, 0, tag), 0);
    emu_sym_gcm_clear(&g);
    assert_null(g.ctx);
}

/* Test cases 1 and 2 of the GCM specification (McGrew and Viega, "The
 * Galois/Counter Mode of Operation", 2005): the zero key and IV. */
static void gcm_spec_vectors(void **state)
{
    uint8_t key[16] = { 0 }, iv[12] = { 0 }, zero[16] = { 0 };
    uint8_t out[16], tag[16], expected[16];

    gcm_only(key, sizeof(key), iv, sizeof(iv), NULL, 0, NULL, tag);
    hex("58e2fccefa7e3061367f1d57a4e7455a", expected, 16);
    assert_memory_equal(tag, expected, 16);

    gcm_only(key, sizeof(key), iv, sizeof(iv), zero, sizeof(zero), out, tag);
    hex("0388dace60b6a392f328c2b971b2fe78", expected, 16);
    assert_memory_equal(out, expected, 16);
    hex("ab6e47d42cec13bdf53a67b21257bddf", expected, 16);
    assert_memory_equal(tag, expected, 16);
    assert_int_equal(emu_sym_gcm_chains_open(engine()), 0);
}

/* A wrong tag fails with 2947; a correct tag cut to 4 bytes passes. */
static void gcm_tag_mismatch_rejected(void **state)
{
    uint8_t key[16] = { 3 }, iv[12] = { 4 }, data[20] = { 5 };
    uint8_t ct[20], pt[20], tag[16], none[16];
    struct emu_sym_gcm g;

    gcm_only(key, sizeof(key), iv, sizeof(iv), data, sizeof(data), ct, tag);

    assert_int_equal(emu_sym_gcm_start(engine(), &g, EMU_SYM_DECIPHER, key,
                                       sizeof(key), iv, sizeof(iv)), 0);
    assert_int_equal(emu_sym_gcm_update(&g, NULL, 0, ct, sizeof(ct), pt), 0);
    tag[15] ^= 0x80;
    assert_int_equal(emu_sym_gcm_finish(&g, tag, 16, none),
                     CCA_RS_GCM_TAG_INVALID);
    emu_sym_gcm_clear(&g);

    assert_int_equal(emu_sym_gcm_start(engine(), &g, EMU_SYM_DECIPHER, key,
                                       sizeof(key), iv, sizeof(iv)), 0);
    assert_int_equal(emu_sym_gcm_update(&g, NULL, 0, ct, sizeof(ct), pt), 0);
    assert_int_equal(emu_sym_gcm_finish(&g, tag, 4, none), 0);
    assert_memory_equal(pt, data, sizeof(data));
    emu_sym_gcm_clear(&g);
}

static void chain_vector_tampering_detected(void **state)
{
    uint8_t key[32] = { 1 }, iv[16] = { 2 };
    uint8_t cv[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len = 0;
    struct emu_sym_state st, opened;

    assert_int_equal(emu_sym_start(engine(), &st, CCA_SYM_MODE_CBC,
                                   EMU_SYM_ENCIPHER, key, sizeof(key), iv,
                                   sizeof(iv)), 0);
    assert_int_equal(emu_sym_chain_seal(engine(), &st, test_epoch, cv,
                                        &cv_len), 0);
    for (size_t i = 0; i < cv_len; i++) {
        cv[i] ^= 0x01;
        assert_int_equal(emu_sym_chain_open(engine(), cv, cv_len, test_epoch,
                                            &opened),
                         CCA_RS_CHAIN_INVALID);
        cv[i] ^= 0x01;
    }
    assert_int_equal(emu_sym_chain_open(engine(), cv, cv_len - 1, test_epoch,
                                        &opened),
                     CCA_RS_CHAIN_INVALID);
    assert_int_equal(emu_sym_chain_open(engine(), cv, cv_len, test_epoch + 1,
                                        &opened),
                     CCA_RS_CHAIN_INVALID);
    assert_int_equal(emu_sym_chain_open(engine(), cv, cv_len, test_epoch,
                                        &opened), 0);
    assert_memory_equal(opened.counter, iv, sizeof(iv));
}

static void chain_with_other_key_rejected(void **state)
{
    uint8_t key[16] = { 1 }, other[16] = { 2 }, iv[16] = { 0 };
    struct emu_sym_state st;

    assert_int_equal(emu_sym_start(engine(), &st, CCA_SYM_MODE_CTR,
                                   EMU_SYM_ENCIPHER, key, sizeof(key), iv,
                                   sizeof(iv)), 0);
    assert_int_equal(emu_sym_key_matches(engine(), st.key_check, key,
                                         sizeof(key)), 0);
    assert_int_equal(emu_sym_key_matches(engine(), st.key_check, other,
                                         sizeof(other)),
                     CCA_RS_CHAIN_INVALID);
}

static void gcm_aad_after_data_rejected(void **state)
{
    uint8_t key[16] = { 0 }, iv[12] = { 0 }, data[4] = { 0 }, out[4];
    struct emu_sym_gcm g;

    assert_int_equal(emu_sym_gcm_start(engine(), &g, EMU_SYM_ENCIPHER, key,
                                       sizeof(key), iv, sizeof(iv)), 0);
    assert_int_equal(emu_sym_gcm_update(&g, NULL, 0, data, sizeof(data), out),
                     0);
    assert_int_equal(emu_sym_gcm_update(&g, data, 1, NULL, 0, NULL),
                     CCA_RS_KEYWORD_COMBINATION);
    emu_sym_gcm_clear(&g);
}

static void lengths_that_do_not_fit_rejected(void **state)
{
    uint8_t key[32] = { 0 }, iv[IBM4767_SYM_IV_MAX + 1] = { 0 };
    uint8_t data[15] = { 0 }, out[15];
    struct emu_sym_state st;
    struct emu_sym_gcm g;

    assert_int_equal(emu_sym_start(engine(), &st, CCA_SYM_MODE_CBC,
                                   EMU_SYM_ENCIPHER, key, 20, iv, 16),
                     CCA_RS_LENGTH_INVALID);
    assert_int_equal(emu_sym_start(engine(), &st, CCA_SYM_MODE_CBC,
                                   EMU_SYM_ENCIPHER, key, 32, iv, 12),
                     CCA_RS_LENGTH_INVALID);
    assert_int_equal(emu_sym_gcm_start(engine(), &g, EMU_SYM_ENCIPHER, key,
                                       32, iv, 0),
                     CCA_RS_LENGTH_INVALID);
    assert_int_equal(emu_sym_gcm_start(engine(), &g, EMU_SYM_ENCIPHER, key,
                                       32, iv, sizeof(iv)),
                     CCA_RS_LENGTH_INVALID);
    assert_null(g.ctx);
    assert_int_equal(emu_sym_gcm_start(engine(), &g, EMU_SYM_ENCIPHER, key,
                                       32, iv, IBM4767_SYM_IV_MAX), 0);
    emu_sym_gcm_clear(&g);
    assert_int_equal(emu_sym_start(engine(), &st, CCA_SYM_MODE_ECB,
                                   EMU_SYM_ENCIPHER, key, 32, NULL, 0), 0);
    assert_int_equal(emu_sym_update(engine(), &st, key, 32, data,
                                    sizeof(data), out),
                     CCA_RS_LENGTH_INVALID);
}

/* Open a GCM encipher chain with the zero key; its first handle goes to
 * cv. */
static void chain_open(uint8_t *cv, size_t *cv_len)
{
    static const uint8_t key[16], iv[12];
    struct emu_sym_gcm g;
    const char *detail = NULL;

    assert_int_equal(emu_sym_gcm_start(engine(), &g, EMU_SYM_ENCIPHER, key,
                                       sizeof(key), iv, sizeof(iv)), 0);
    assert_int_equal(emu_sym_gcm_chain_add(engine(), &g, test_epoch,
                                           test_now_ms, cv, cv_len, &detail),
                     0);
}

/* One request of a chain: on success, cv becomes the next handle. */
static uint32_t chain_try(uint8_t *cv, size_t *cv_len,
                          enum emu_sym_direction dir, const char **detail)
{
    struct emu_sym_gcm *g = NULL;
    uint32_t slot = 0;
    uint32_t reason = emu_sym_gcm_chain_acquire(engine(), cv, *cv_len, dir,
                                                test_epoch, test_now_ms,
                                                &slot, &g, detail);

    if (reason == CCA_RS_OK)
        assert_int_equal(emu_sym_gcm_chain_release(engine(), slot,
                                                   test_now_ms, cv, cv_len,
                                                   detail), 0);
    return reason;
}

/* Every changed byte, a short handle and the other direction fail; the
 * chain then still goes on with its real handle. */
static void gcm_handle_forgery_rejected(void **state)
{
    uint8_t cv[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len = 0, short_len;
    const char *detail = NULL;

    chain_open(cv, &cv_len);
    for (size_t i = 0; i < cv_len; i++) {
        cv[i] ^= 0x01;
        if (chain_try(cv, &cv_len, EMU_SYM_ENCIPHER, &detail)
            != CCA_RS_CHAIN_INVALID)
            fail_msg("a handle changed at byte %zu was accepted", i);
        cv[i] ^= 0x01;
    }
    short_len = cv_len - 1;
    assert_int_equal(chain_try(cv, &short_len, EMU_SYM_ENCIPHER, &detail),
                     CCA_RS_CHAIN_INVALID);
    assert_int_equal(chain_try(cv, &cv_len, EMU_SYM_DECIPHER, &detail),
                     CCA_RS_CHAIN_INVALID);
    assert_non_null(strstr(detail, "other direction"));
    assert_int_equal(chain_try(cv, &cv_len, EMU_SYM_ENCIPHER, &detail), 0);
}

/* A handle works once: the next request needs the one the last reply
 * returned. */
static void gcm_handle_replay_rejected(void **state)
{
    uint8_t cv[IBM4767_SYM_CHAIN_MAX], next[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len = 0, next_len = 0;
    struct emu_sym_gcm *g;
    const char *detail = NULL;
    uint32_t slot = 0;

    chain_open(cv, &cv_len);
    g = chain_take(cv, cv_len, EMU_SYM_ENCIPHER, &slot);
    assert_non_null(g);
    assert_int_equal(chain_try(cv, &cv_len, EMU_SYM_ENCIPHER, &detail),
                     CCA_RS_CHAIN_INVALID);
    assert_non_null(strstr(detail, "still running"));
    assert_int_equal(emu_sym_gcm_chain_release(engine(), slot, test_now_ms,
                                               next, &next_len, &detail), 0);

    assert_int_equal(chain_try(cv, &cv_len, EMU_SYM_ENCIPHER, &detail),
                     CCA_RS_CHAIN_INVALID);
    assert_non_null(strstr(detail, "already used"));
    assert_int_equal(chain_try(next, &next_len, EMU_SYM_ENCIPHER, &detail), 0);
}

/* After its last request, a chain's handles fail, also once its entry
 * contains a new chain. */
static void gcm_handle_of_ended_chain_rejected(void **state)
{
    uint8_t cv[IBM4767_SYM_CHAIN_MAX], other[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len = 0, other_len = 0;
    const char *detail = NULL;
    uint32_t slot = 0;

    chain_open(cv, &cv_len);
    chain_take(cv, cv_len, EMU_SYM_ENCIPHER, &slot);
    emu_sym_gcm_chain_end(engine(), slot);
    assert_int_equal(emu_sym_gcm_chains_open(engine()), 0);
    assert_int_equal(chain_try(cv, &cv_len, EMU_SYM_ENCIPHER, &detail),
                     CCA_RS_CHAIN_INVALID);

    chain_open(other, &other_len);
    assert_memory_equal(cv + 4, other + 4, 4);      /* the same entry */
    assert_int_equal(chain_try(cv, &cv_len, EMU_SYM_ENCIPHER, &detail),
                     CCA_RS_CHAIN_INVALID);
    assert_non_null(strstr(detail, "ended"));
    assert_int_equal(chain_try(other, &other_len, EMU_SYM_ENCIPHER,
                               &detail), 0);
}

/* A new device epoch ends every chain, also one a request acquired. */
static void gcm_reset_ends_chains(void **state)
{
    uint8_t cv[IBM4767_SYM_CHAIN_MAX], held[IBM4767_SYM_CHAIN_MAX];
    uint8_t next[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len = 0, held_len = 0, next_len = 0;
    const char *detail = NULL;
    uint32_t slot = 0;

    chain_open(cv, &cv_len);
    chain_open(held, &held_len);
    chain_take(held, held_len, EMU_SYM_ENCIPHER, &slot);
    assert_int_equal(emu_sym_gcm_chains_open(engine()), 2);

    test_epoch++;
    emu_sym_engine_reset(test_epoch);
    assert_int_equal(emu_sym_gcm_chains_open(engine()), 1);
    assert_int_equal(chain_try(cv, &cv_len, EMU_SYM_ENCIPHER, &detail),
                     CCA_RS_CHAIN_INVALID);
    assert_int_equal(emu_sym_gcm_chain_release(engine(), slot, test_now_ms,
                                               next, &next_len, &detail),
                     CCA_RS_CHAIN_INVALID);
    assert_non_null(strstr(detail, "reset"));
    assert_int_equal(emu_sym_gcm_chains_open(engine()), 0);
}

/* A chain idle for longer than EMU_SYM_GCM_IDLE_MS ends: at its next
 * request, or when a new chain sweeps the table. */
static void gcm_idle_chain_expires(void **state)
{
    uint8_t cv[IBM4767_SYM_CHAIN_MAX], other[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len = 0, other_len = 0;
    const char *detail = NULL;

    chain_open(cv, &cv_len);
    test_now_ms += EMU_SYM_GCM_IDLE_MS;
    assert_int_equal(chain_try(cv, &cv_len, EMU_SYM_ENCIPHER, &detail), 0);

    test_now_ms += EMU_SYM_GCM_IDLE_MS + 1;
    assert_int_equal(chain_try(cv, &cv_len, EMU_SYM_ENCIPHER, &detail),
                     CCA_RS_CHAIN_INVALID);
    assert_non_null(strstr(detail, "expired"));
    assert_int_equal(emu_sym_gcm_chains_open(engine()), 0);

    chain_open(cv, &cv_len);
    test_now_ms += EMU_SYM_GCM_IDLE_MS + 1;
    chain_open(other, &other_len);
    assert_int_equal(emu_sym_gcm_chains_open(engine()), 1);
}

/* A full table rejects a new chain with 4786 and keeps every open one. */
static void gcm_full_table_rejects_new_chain(void **state)
{
    static uint8_t cvs[EMU_SYM_GCM_CHAINS_MAX][IBM4767_SYM_CHAIN_MAX];
    static size_t lens[EMU_SYM_GCM_CHAINS_MAX];
    static const uint8_t key[16], iv[12];
    uint8_t cv[IBM4767_SYM_CHAIN_MAX];
    size_t cv_len = 0;
    struct emu_sym_gcm g;
    const char *detail = NULL;
    uint32_t slot = 0;

    for (size_t i = 0; i < EMU_SYM_GCM_CHAINS_MAX; i++)
        chain_open(cvs[i], &lens[i]);
    assert_int_equal(emu_sym_gcm_chains_open(engine()),
                     EMU_SYM_GCM_CHAINS_MAX);

    assert_int_equal(emu_sym_gcm_start(engine(), &g, EMU_SYM_ENCIPHER, key,
                                       sizeof(key), iv, sizeof(iv)), 0);
    assert_int_equal(emu_sym_gcm_chain_add(engine(), &g, test_epoch,
                                           test_now_ms, cv, &cv_len, &detail),
                     CCA_RS_CHAIN_TABLE_FULL);
    assert_non_null(g.ctx);
    for (size_t i = 0; i < EMU_SYM_GCM_CHAINS_MAX; i++)
        assert_int_equal(chain_try(cvs[i], &lens[i], EMU_SYM_ENCIPHER,
                                   &detail), 0);

    chain_take(cvs[0], lens[0], EMU_SYM_ENCIPHER, &slot);
    emu_sym_gcm_chain_end(engine(), slot);
    assert_int_equal(emu_sym_gcm_chain_add(engine(), &g, test_epoch,
                                           test_now_ms, cv, &cv_len, &detail),
                     0);
    assert_null(g.ctx);
}

static void token_build_parse_round_trip(void **state)
{
    static const uint8_t mkvp[CCA_MKVP_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    static const uint32_t sizes[] = { 128, 192, 256 };
    uint8_t buf[CCA_SYMTOKEN_MAX_LEN];
    struct cca_sym_token tok;
    uint32_t reason = 1;

    for (size_t i = 0; i < 3; i++) {
        size_t len = cca_sym_token_build(sizes[i], CCA_SYMTOKEN_KUF1_ENCRYPT,
                                         CCA_SYMTOKEN_MODE_ANY, mkvp, buf,
                                         sizeof(buf));

        assert_int_equal(len, CCA_SYMTOKEN_PAYLOAD_OFF + 28 + sizes[i] / 8);
        assert_int_equal(cca_sym_token_parse(buf, len, &tok, &reason, NULL,
                                             0), 1);
        assert_int_equal(reason, 0);
        assert_int_equal(tok.key_bits, sizes[i]);
        assert_int_equal(tok.usage, CCA_SYMTOKEN_KUF1_ENCRYPT);
        assert_int_equal(tok.mode, CCA_SYMTOKEN_MODE_ANY);
        assert_memory_equal(tok.mkvp, mkvp, CCA_MKVP_LEN);
        assert_ptr_equal(tok.tag, buf + len - CCA_SYMTOKEN_TAG_LEN);
    }
    assert_int_equal(cca_sym_token_build(100, CCA_SYMTOKEN_KUF1_ENCRYPT,
                                         CCA_SYMTOKEN_MODE_ANY, mkvp, buf,
                                         sizeof(buf)), 0);
    assert_int_equal(cca_sym_token_build(128, 0, CCA_SYMTOKEN_MODE_ANY, mkvp,
                                         buf, sizeof(buf)), 0);
    assert_int_equal(cca_sym_token_build(256, CCA_SYMTOKEN_KUF1_ENCRYPT,
                                         CCA_SYMTOKEN_MODE_ANY, mkvp, buf,
                                         CCA_SYMTOKEN_MIN_LEN), 0);
}

/* Every byte of the fixed part is checked; the payload is not. */
static void token_fixed_part_changes_rejected(void **state)
{
    static const uint8_t mkvp[CCA_MKVP_LEN] = { 0 };
    uint8_t buf[CCA_SYMTOKEN_MAX_LEN];
    struct cca_sym_token tok;
    char detail[256];
    uint32_t reason;
    size_t len = cca_sym_token_build(256, CCA_SYMTOKEN_KUF1_DECRYPT,
                                     CCA_SYM_MODE_GCM, mkvp, buf, sizeof(buf));

    assert_true(len > 0);
    for (size_t i = 0; i < CCA_SYMTOKEN_PAYLOAD_OFF; i++) {
        /* The MKVP is free; the device checks it against its keys. */
        if (i >= CCA_SYMTOKEN_MKVP_OFF && i < CCA_SYMTOKEN_MKVP_OFF + 8)
            continue;
        buf[i] ^= 0x20;
        reason = 0;
        if (cca_sym_token_parse(buf, len, &tok, &reason, detail,
                                sizeof(detail)))
            fail_msg("a change at offset %zu was accepted", i);
        assert_int_equal(reason, CCA_RS_PKA_TOKEN_INVALID);
        assert_true(detail[0] != '\0');
        buf[i] ^= 0x20;
    }
    assert_int_equal(cca_sym_token_parse(buf, len - 1, &tok, &reason, NULL,
                                         0), 0);

    buf[CCA_SYMTOKEN_VERSION_OFF] = CCA_SYMTOKEN_VERSION_AESDATA;
    assert_int_equal(cca_sym_token_parse(buf, len, &tok, &reason, detail,
                                         sizeof(detail)), 0);
    assert_non_null(strstr(detail, "AES DATA"));
}

static int engine_done(void **state)
{
    (void)state;
    emu_sym_engine_free();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(ecb_matches_openssl, fresh_epoch),
        cmocka_unit_test_setup(cbc_matches_openssl, fresh_epoch),
        cmocka_unit_test_setup(ctr_matches_openssl, fresh_epoch),
        cmocka_unit_test_setup(gcm_matches_openssl, fresh_epoch),
        cmocka_unit_test_setup(gcm_spec_vectors, fresh_epoch),
        cmocka_unit_test_setup(gcm_tag_mismatch_rejected, fresh_epoch),
        cmocka_unit_test_setup(chain_vector_tampering_detected, fresh_epoch),
        cmocka_unit_test_setup(chain_with_other_key_rejected, fresh_epoch),
        cmocka_unit_test_setup(gcm_aad_after_data_rejected, fresh_epoch),
        cmocka_unit_test_setup(lengths_that_do_not_fit_rejected, fresh_epoch),
        cmocka_unit_test_setup(gcm_handle_forgery_rejected, fresh_epoch),
        cmocka_unit_test_setup(gcm_handle_replay_rejected, fresh_epoch),
        cmocka_unit_test_setup(gcm_handle_of_ended_chain_rejected,
                               fresh_epoch),
        cmocka_unit_test_setup(gcm_reset_ends_chains, fresh_epoch),
        cmocka_unit_test_setup(gcm_idle_chain_expires, fresh_epoch),
        cmocka_unit_test_setup(gcm_full_table_rejects_new_chain, fresh_epoch),
        cmocka_unit_test(token_build_parse_round_trip),
        cmocka_unit_test(token_fixed_part_changes_rejected),
    };

    srand(4767);
    return cmocka_run_group_tests(tests, NULL, engine_done);
}
