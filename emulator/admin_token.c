/*
 * Key token change with RTCMK (CSNDKTC for PKA tokens, CSNBKTC for AES
 * tokens): a token wrapped under the old master key is unwrapped inside
 * the device and wrapped again under the current one.  The key itself,
 * its usage and its public part stay the same; only the verification
 * pattern, the nonce, the tag and the wrapped bytes change.  A token
 * already under the current master key comes back unchanged, as does a
 * retained-key token, and one under neither key fails with 8/48.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/codes.h>
#include <ibm4767/symtoken.h>

#include "admin.h"
#include "sym_engine.h"

static int put_unchanged(struct ibm4767_wbuf *reply, const uint8_t *token,
                         size_t len)
{
    return ibm4767_put_bytes(reply, token, len);
}

static int change_pka_token(struct emu_device *dev, const uint8_t *token,
                            size_t len, struct ibm4767_wbuf *reply,
                            struct emu_result *res)
{
    struct cca_pka_token tok;
    enum cca_mk_slot slot;
    uint8_t *copy = NULL;
    uint8_t *clear = NULL;
    uint32_t reason;
    char detail[160];
    int ret = 0;

    if (!cca_token_parse(token, len, &tok, &reason, detail, sizeof(detail)))
        return emu_fail(res, CCA_RC_ERROR, reason, "invalid key token: %s",
                        detail);
    /* A retained key is not wrapped under any master key. */
    if (!tok.has_private || tok.is_retained)
        return put_unchanged(reply, token, len);
    if (!emu_select_master_key(dev, &tok, &slot, res))
        return 0;
    if (slot == CCA_MK_CURRENT)
        return put_unchanged(reply, token, len);

    copy = OPENSSL_memdup(token, len);
    clear = OPENSSL_malloc(tok.wrapped_len);
    if (copy == NULL || clear == NULL) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "out of memory re-enciphering a %zu-byte token", len);
        goto err;
    }
    if (!emu_unwrap_token(dev, token, len, &tok, CCA_MK_OLD, clear, res))
        goto err;
    /* The pattern is part of the authenticated data, so it changes before
     * the new wrap computes its tag. */
    memcpy(copy + (tok.mkvp - token),
           dev->state.mk[EMU_MK_APKA][CCA_MK_CURRENT].mkvp, CCA_MKVP_LEN);
    if (!emu_wrap_token(dev, copy, len, clear, tok.wrapped_len, res))
        goto err;
    ret = ibm4767_put_bytes(reply, copy, len);

err:
    OPENSSL_clear_free(clear, tok.wrapped_len);
    OPENSSL_clear_free(copy, len);
    return ret;
}

static int change_aes_token(struct emu_device *dev, const uint8_t *token,
                            size_t len, struct ibm4767_wbuf *reply,
                            struct emu_result *res)
{
    struct cca_sym_token tok;
    uint8_t key[32];
    size_t key_len = 0;
    uint8_t *fresh = NULL;
    size_t fresh_len = 0;
    uint32_t reason;
    char detail[160];
    int old_mk = 0;
    int ret = 0;

    if (!cca_sym_token_parse(token, len, &tok, &reason, detail,
                             sizeof(detail)))
        return emu_fail(res, CCA_RC_ERROR, reason, "invalid AES token: %s",
                        detail);
    /* No usage bit is needed, and the token's own mode always fits. */
    if (!emu_sym_token_unwrap(dev, token, len, 0, tok.mode, key, &key_len,
                              &old_mk, res))
        goto err;
    if (!old_mk) {
        ret = put_unchanged(reply, token, len);
        goto err;
    }
    if (!emu_sym_token_wrap(dev, key, key_len, tok.usage, tok.mode, &fresh,
                            &fresh_len, res))
        goto err;
    ret = ibm4767_put_bytes(reply, fresh, fresh_len);

err:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_free(fresh);
    return ret;
}

/* KEY_TOKEN_CHANGE.  Request: bytes token.  Reply: bytes token. */
int emu_verb_key_token_change(struct emu_device *dev,
                              struct ibm4767_rbuf *req,
                              struct ibm4767_wbuf *reply,
                              struct emu_result *res)
{
    const uint8_t *token;
    size_t len;

    if (!ibm4767_get_bytes(req, &token, &len))
        return emu_request_short(res, "token");
    if (!emu_request_done(req, res))
        return 0;
    if (len > 0 && token[0] == CCA_TOKEN_INTERNAL_PKA)
        return change_pka_token(dev, token, len, reply, res);
    if (len > 0 && token[0] == CCA_SYMTOKEN_INTERNAL)
        return change_aes_token(dev, token, len, reply, res);
    return emu_fail(res, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID,
                    "a %zu-byte token starting with 0x%02x is neither an "
                    "internal PKA token (0x1F) nor an AES token (0x01)", len,
                    len > 0 ? token[0] : 0);
}
