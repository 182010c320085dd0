/*
 * Turning a key token from a request into a key the engines can use.
 *
 * An internal token is checked in this order: structure (8/770), master
 * key verification pattern (8/48), then the unwrapped-key cache by the
 * token's SHA-256, and on a miss the AES-GCM unwrap (8/29 when any byte
 * was changed).  An external token's public key is built for each
 * request and never cached.  A retained-key token names a key the device
 * keeps ready in its retained key store (retained.c), so it needs neither
 * the master key nor the cache.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "emud.h"
#include "retained.h"

static EVP_PKEY *public_key(struct emu_device *dev,
                            const struct cca_pka_token *tok)
{
    if (tok->alg == CCA_ALG_RSA)
        return emu_rsa_public_from_token(dev, tok);
    return emu_ec_public_from_token(dev, tok);
}

EVP_PKEY *emu_key_private_from_secret(struct emu_device *dev,
                                      const struct cca_pka_token *tok,
                                      const uint8_t *secret, size_t len)
{
    if (tok->alg == CCA_ALG_RSA)
        return emu_rsa_private_from_der(dev, secret, len);
    return emu_ec_private_from_token(dev, tok, secret, len);
}

/* Unwrap the private key of an authenticated-to-be token. */
static EVP_PKEY *unwrap_key(struct emu_device *dev, struct emu_key *key,
                            enum cca_mk_slot slot, struct emu_result *res)
{
    const struct cca_pka_token *tok = &key->tok;
    uint8_t *clear = OPENSSL_malloc(tok->wrapped_len);
    EVP_PKEY *pkey = NULL;

    if (clear == NULL) {
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "out of memory unwrapping a %zu-byte key",
                 tok->wrapped_len);
        goto err;
    }
    if (!emu_unwrap_token(dev, key->token, key->token_len, tok, slot, clear,
                          res))
        goto err;

    pkey = emu_key_private_from_secret(dev, tok, clear, tok->wrapped_len);
    if (pkey == NULL)
        emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                 "the unwrapped key does not decode; the token was made by "
                 "incompatible software");

err:
    OPENSSL_clear_free(clear, tok->wrapped_len);
    return pkey;
}

int emu_key_load(struct emu_device *dev, const uint8_t *token, size_t len,
                 struct emu_key *key, struct emu_result *res)
{
    uint8_t hash[EMU_TOKEN_HASH_LEN];
    enum cca_mk_slot slot = CCA_MK_CURRENT;
    uint32_t reason;
    char detail[160];

    memset(key, 0, sizeof(*key));
    key->token = token;
    key->token_len = len;
    if (!cca_token_parse(token, len, &key->tok, &reason, detail,
                         sizeof(detail)))
        return emu_fail(res, CCA_RC_ERROR, reason, "invalid key token: %s",
                        detail);

    if (key->tok.is_retained)
        return emu_retained_get(dev, token, len, &key->tok, &key->pkey, res);
    if (!key->tok.has_private) {
        key->pkey = public_key(dev, &key->tok);
        if (key->pkey == NULL)
            return emu_fail(res, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID,
                            "invalid key token: its public key is not a "
                            "valid %s key",
                            key->tok.alg == CCA_ALG_RSA ? "RSA" : "EC");
        return 1;
    }

    if (!emu_select_master_key(dev, &key->tok, &slot, res))
        return 0;
    key->old_master_key = slot == CCA_MK_OLD;
    if (!EVP_Digest(token, len, hash, NULL, dev->sha256, NULL))
        return emu_fail(res, CCA_RC_INTERNAL, CCA_RS_DEVICE_BUSY_INTERNAL,
                        "cannot hash the key token");

    key->pkey = emu_keycache_get(dev->keycache, hash);
    if (key->pkey != NULL)
        return 1;
    key->pkey = unwrap_key(dev, key, slot, res);
    if (key->pkey == NULL)
        return 0;
    emu_keycache_put(dev->keycache, hash, key->pkey);
    return 1;
}

void emu_key_release(struct emu_key *key)
{
    EVP_PKEY_free(key->pkey);
    key->pkey = NULL;
}

int emu_key_check_usage(const struct emu_key *key, uint8_t usage,
                        const char *operation, struct emu_result *res)
{
    if (!key->tok.has_private)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_USAGE,
                        "%s needs a private key, but the token holds only a "
                        "public key", operation);
    if ((key->tok.usage & usage) != usage)
        return emu_fail(res, CCA_RC_ERROR, CCA_RS_KEY_USAGE,
                        "key usage 0x%02x does not allow %s; generate or "
                        "import the key with usage 0x%02x", key->tok.usage,
                        operation, usage);
    return 1;
}
