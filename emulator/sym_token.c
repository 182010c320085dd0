/*
 * AES key tokens in the device: wrapping a clear key under the AES master
 * key, and turning a token from a request back into a key.
 *
 * The wrap is AES-256-GCM with the token's fixed part (@0..@55) as
 * additional data; ibm4767/symtoken.h lists its fields.  A token is
 * checked in this order: structure (8/770), then the master key
 * verification pattern (8/48, or the warning 0/10001 for the old master
 * key), then the unwrapped-key cache by the token's SHA-256.  On a cache
 * miss the GCM tag is checked (8/29 when any byte was changed).  Clear keys of KEY-CLR requests never
 * enter the cache, as on the card.
 *
 * The cache holds EVP_PKEY objects; an AES key is kept in one of OpenSSL's
 * raw secret-key objects (key type HMAC), which only stores the bytes.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ibm4767/symtoken.h>

#include "emud.h"
#include "sym_engine.h"

#define CACHE_KEY_TYPE "HMAC"

static int aes_mk_select(struct emu_device *dev, const uint8_t *mkvp,
                         enum cca_mk_slot *slot, struct emu_result *res)
{
    const struct emu_mk_register *cur =
        &dev->state.mk[EMU_MK_AES][CCA_MK_CURRENT];
    const struct emu_mk_register *old = &dev->state.mk[EMU_MK_AES][CCA_MK_OLD];

    if (cur->state == CCA_MK_VALID
        && CRYPTO_memcmp(mkvp, cur->mkvp, CCA_MKVP_LEN) == 0) {
        *slot = CCA_MK_CURRENT;
        return 1;
    }
    if (old->state == CCA_MK_VALID
        && CRYPTO_memcmp(mkvp, old->mkvp, CCA_MKVP_LEN) == 0) {
        *slot = CCA_MK_OLD;
        return 1;
    }
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_MKVP_MISMATCH,
                    "AES token's master key verification pattern matches "
                    "neither the current nor the old AES master key; "
                    "re-encipher the token on the device that made it");
}

/* AES-256-GCM over the wrapped key, the token's fixed part as AAD. */
static int gcm_crypt(struct emu_device *dev, int enc,
                     const uint8_t mk[EMU_MK_LEN], const uint8_t *token,
                     const uint8_t *nonce, const uint8_t *in, size_t len,
                     uint8_t *out, uint8_t tag[CCA_SYMTOKEN_TAG_LEN])
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0;
    int ret = 0;

    if (ctx == NULL
        || !EVP_CipherInit_ex2(ctx, dev->aes_gcm, mk, nonce, enc, NULL)
        || !EVP_CipherUpdate(ctx, NULL, &outl, token, CCA_SYMTOKEN_AAD_LEN)
        || !EVP_CipherUpdate(ctx, out, &outl, in, (int)len))
        goto err;
    if (!enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
                                     CCA_SYMTOKEN_TAG_LEN, tag))
        goto err;
    if (EVP_CipherFinal_ex(ctx, out + outl, &outl) <= 0)
        goto err;
    if (enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
                                    CCA_SYMTOKEN_TAG_LEN, tag))
        goto err;
    ret = 1;

err:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

int emu_sym_token_wrap(struct emu_device *dev, const uint8_t *key,
                       size_t key_len, uint16_t usage, uint8_t mode,
                       uint8_t **token, size_t *token_len,
                       struct emu_result *res)
{
    const struct emu_mk_register *mk =
        &dev->state.mk[EMU_MK_AES][CCA_MK_CURRENT];
    uint8_t *buf = NULL;
    size_t len;
    uint8_t *nonce, *wrapped, *tag;

    if (mk->state != CCA_MK_VALID)
        return emu_fail(res, CCA_RC_SETUP, CCA_RS_MASTER_KEY_NOT_LOADED,
                        "no current AES master key is loaded");
    len = cca_sym_token_build((uint32_t)key_len * 8, usage, mode, mk->mkvp,
                              NULL, 0);
    if (len == 0)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "an AES token cannot hold a %zu-byte key with usage "
                        "0x%04x", key_len, usage);
    buf = OPENSSL_malloc(len);
    if (buf == NULL)
        return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "out of memory for a %zu-byte AES token", len);
    cca_sym_token_build((uint32_t)key_len * 8, usage, mode, mk->mkvp, buf,
                        len);

    nonce = buf + CCA_SYMTOKEN_PAYLOAD_OFF;
    wrapped = nonce + CCA_SYMTOKEN_NONCE_LEN;
    tag = wrapped + key_len;
    if (RAND_bytes_ex(dev->libctx, nonce, CCA_SYMTOKEN_NONCE_LEN, 0) <= 0
        || !gcm_crypt(dev, 1, mk->key, buf, nonce, key, key_len, wrapped,
                      tag)) {
        OPENSSL_free(buf);
        return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "AES-256-GCM wrapping under the AES master key "
                        "failed");
    }
    *token = buf;
    *token_len = len;
    return 1;
}

/* The key from the cache, or 0 on a miss. */
static size_t cache_get(struct emu_device *dev,
                        const uint8_t hash[EMU_TOKEN_HASH_LEN],
                        uint8_t key[32])
{
    EVP_PKEY *pkey = emu_keycache_get(dev->keycache, hash);
    size_t len = 32;

    if (pkey == NULL)
        return 0;
    if (!EVP_PKEY_get_raw_private_key(pkey, key, &len))
        len = 0;
    EVP_PKEY_free(pkey);
    return len;
}

static void cache_put(struct emu_device *dev,
                      const uint8_t hash[EMU_TOKEN_HASH_LEN],
                      const uint8_t *key, size_t len)
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key_ex(dev->libctx,
                                                     CACHE_KEY_TYPE, NULL,
                                                     key, len);

    /* Without the object the key is unwrapped again next time. */
    if (pkey == NULL)
        return;
    emu_keycache_put(dev->keycache, hash, pkey);
    EVP_PKEY_free(pkey);
}

static int check_usage(const struct cca_sym_token *tok, uint16_t need,
                       uint32_t mode, struct emu_result *res)
{
    if ((tok->usage & need) != need)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_USAGE,
                        "AES token usage 0x%04x does not allow %s",
                        tok->usage,
                        need == CCA_SYMTOKEN_KUF1_ENCRYPT ? "encryption"
                                                          : "decryption");
    if (tok->mode != CCA_SYMTOKEN_MODE_ANY && tok->mode != mode)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_USAGE,
                        "AES token is restricted to mode %u, not mode %u",
                        tok->mode, mode);
    return 1;
}

int emu_sym_token_unwrap(struct emu_device *dev, const uint8_t *token,
                         size_t len, uint16_t need, uint32_t mode,
                         uint8_t key[32], size_t *key_len, int *old_mk,
                         struct emu_result *res)
{
    struct cca_sym_token tok;
    uint8_t hash[EMU_TOKEN_HASH_LEN];
    uint8_t tag[CCA_SYMTOKEN_TAG_LEN];
    enum cca_mk_slot slot = CCA_MK_CURRENT;
    uint32_t reason;
    char detail[160];

    if (!cca_sym_token_parse(token, len, &tok, &reason, detail,
                             sizeof(detail)))
        return emu_fail(res, CCA_RC_ERROR, reason, "invalid AES token: %s",
                        detail);
    if (!aes_mk_select(dev, tok.mkvp, &slot, res)
        || !check_usage(&tok, need, mode, res))
        return 0;
    *old_mk = slot == CCA_MK_OLD;
    if (!EVP_Digest(token, len, hash, NULL, dev->sha256, NULL))
        return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "cannot hash the AES token");

    *key_len = cache_get(dev, hash, key);
    if (*key_len == tok.key_bits / 8)
        return 1;

    *key_len = tok.key_bits / 8;
    memcpy(tag, tok.tag, sizeof(tag));
    if (!gcm_crypt(dev, 0, dev->state.mk[EMU_MK_AES][slot].key, token,
                   tok.nonce, tok.wrapped, *key_len, key, tag)) {
        OPENSSL_cleanse(key, 32);
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_TOKEN_TVV_INVALID,
                        "AES token authentication failed: a byte of the "
                        "token was changed after the device made it");
    }
    cache_put(dev, hash, key, *key_len);
    return 1;
}
