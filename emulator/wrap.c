/*
 * Private key wrapping: AES-256-GCM under the APKA master key.  The
 * additional data is every byte of the token except the tag and the
 * wrapped key themselves.  A change anywhere (header, usage byte, MKVP,
 * nonce, public section) therefore makes the tag check fail, and the
 * device returns 8/29 as CCA does for an altered internal token.
 *
 * NOTE: nonces are 96 random bits per wrap; NIST SP 800-38D limits one
 * key to 2^32 such invocations, far more keys than a card generates.
 */
#include <config.h>

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "emud.h"

int emu_select_master_key(struct emu_device *dev,
                          const struct cca_pka_token *tok,
                          enum cca_mk_slot *slot, struct emu_result *res)
{
    const struct emu_mk_register *cur =
        &dev->state.mk[EMU_MK_APKA][CCA_MK_CURRENT];
    const struct emu_mk_register *old =
        &dev->state.mk[EMU_MK_APKA][CCA_MK_OLD];

    if (cur->state == CCA_MK_VALID
        && CRYPTO_memcmp(tok->mkvp, cur->mkvp, CCA_MKVP_LEN) == 0) {
        *slot = CCA_MK_CURRENT;
        return 1;
    }
    if (old->state == CCA_MK_VALID
        && CRYPTO_memcmp(tok->mkvp, old->mkvp, CCA_MKVP_LEN) == 0) {
        *slot = CCA_MK_OLD;
        return 1;
    }
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_MKVP_MISMATCH,
                    "token's master key verification pattern matches "
                    "neither the current nor the old APKA master key; "
                    "re-encipher the token on the device that made it");
}

/* Feed the authenticated bytes: the token without its tag and key. */
static int add_aad(EVP_CIPHER_CTX *ctx, const uint8_t *token,
                   size_t token_len, const struct cca_pka_token *tok)
{
    size_t after = tok->auth_gap_off + tok->auth_gap_len;
    int outl;

    if (!EVP_CipherUpdate(ctx, NULL, &outl, token, (int)tok->auth_gap_off))
        return 0;
    if (after < token_len
        && !EVP_CipherUpdate(ctx, NULL, &outl, token + after,
                             (int)(token_len - after)))
        return 0;
    return 1;
}

int emu_wrap_token(struct emu_device *dev, uint8_t *token, size_t token_len,
                   const uint8_t *key, size_t key_len, struct emu_result *res)
{
    int ret = 0;
    const struct emu_mk_register *mk =
        &dev->state.mk[EMU_MK_APKA][CCA_MK_CURRENT];
    EVP_CIPHER_CTX *ctx = NULL;
    struct cca_pka_token tok;
    uint8_t *nonce, *tag, *wrapped;
    uint32_t reason;
    char detail[160];
    int outl;

    if (!cca_token_parse(token, token_len, &tok, &reason, detail,
                         sizeof(detail)) || !tok.has_private
        || tok.wrapped_len != key_len
        || CRYPTO_memcmp(tok.mkvp, mk->mkvp, CCA_MKVP_LEN) != 0) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "internal error: a token built for wrapping is invalid "
                 "(%s)", detail[0] != '\0' ? detail : "wrong key length");
        goto err;
    }
    nonce = token + (tok.nonce - token);
    tag = token + (tok.tag - token);
    wrapped = token + (tok.wrapped - token);

    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL
        || RAND_bytes_ex(dev->libctx, nonce, CCA_WRAP_NONCE_LEN, 0) <= 0
        || !EVP_EncryptInit_ex2(ctx, dev->aes_gcm, mk->key, nonce, NULL)
        || !add_aad(ctx, token, token_len, &tok)
        || !EVP_EncryptUpdate(ctx, wrapped, &outl, key, (int)key_len)
        || !EVP_EncryptFinal_ex(ctx, wrapped + outl, &outl)
        || !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, CCA_WRAP_TAG_LEN,
                                tag)) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "AES-256-GCM wrapping under the APKA master key failed");
        goto err;
    }
    ret = 1;

err:
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}

int emu_unwrap_token(struct emu_device *dev, const uint8_t *token,
                     size_t token_len, const struct cca_pka_token *tok,
                     enum cca_mk_slot slot, uint8_t *out,
                     struct emu_result *res)
{
    int ret = 0;
    const struct emu_mk_register *mk = &dev->state.mk[EMU_MK_APKA][slot];
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl;

    if (ctx == NULL
        || !EVP_DecryptInit_ex2(ctx, dev->aes_gcm, mk->key, tok->nonce, NULL)
        || !add_aad(ctx, token, token_len, tok)
        || !EVP_DecryptUpdate(ctx, out, &outl, tok->wrapped,
                              (int)tok->wrapped_len)
        || !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, CCA_WRAP_TAG_LEN,
                                (void *)tok->tag)) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "AES-256-GCM unwrapping could not start");
        goto err;
    }
    if (EVP_DecryptFinal_ex(ctx, out + outl, &outl) <= 0) {
        emu_fail(res, CCA_RC_ERROR, CCA_RS_TOKEN_TVV_INVALID,
                 "token authentication failed: a byte of the token was "
                 "changed after the device made it");
        goto err;
    }
    ret = 1;

err:
    if (!ret)
        OPENSSL_cleanse(out, tok->wrapped_len);
    EVP_CIPHER_CTX_free(ctx);
    return ret;
}
