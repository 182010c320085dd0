/*
 * The key object shared by the key managements, signatures, ciphers,
 * decoders and encoders: a CCA key token and its parsed public view.
 */
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>

#include "prov.h"

struct ibm4767_key *ibm4767_key_new(struct ibm4767_provctx *ctx,
                                    uint32_t alg)
{
    struct ibm4767_key *key = OPENSSL_zalloc(sizeof(*key));

    if (key == NULL) {
        IBM4767_RAISE(ctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate a key object");
        return NULL;
    }
    key->provctx = ctx;
    key->alg = alg;
    return key;
}

void ibm4767_key_free(struct ibm4767_key *key)
{
    if (key == NULL)
        return;
    OPENSSL_clear_free(key->token, key->token_len);
    OPENSSL_free(key);
}

static const char *alg_name(uint32_t alg)
{
    switch (alg) {
    case CCA_ALG_RSA:
        return "RSA";
    case CCA_ALG_EC:
        return "EC";
    default:
        return "unknown";
    }
}

const char *ibm4767_key_type_name(const struct ibm4767_key *key)
{
    if (key->alg == CCA_ALG_RSA && key->is_pss)
        return "RSA-PSS";
    return alg_name(key->alg);
}

int ibm4767_key_set_token(struct ibm4767_key *key, const uint8_t *token,
                          size_t len)
{
    struct cca_pka_token tok;
    uint8_t *copy = NULL;
    uint32_t reason = 0;
    char detail[256] = "";
    int ret = 0;

    if (token == NULL || len == 0 || len > CCA_TOKEN_MAX) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_TOKEN,
                      "CCA key token of %zu bytes: a PKA token has 8 to %u "
                      "bytes", len, CCA_TOKEN_MAX);
        goto err;
    }

    copy = OPENSSL_memdup(token, len);
    if (copy == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot copy a CCA key token of %zu bytes", len);
        goto err;
    }
    if (!cca_token_parse(copy, len, &tok, &reason, detail, sizeof(detail))) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_TOKEN,
                      "invalid CCA key token (8/%u): %s; the file is "
                      "damaged or is not a key token of this coprocessor",
                      reason, detail[0] != '\0' ? detail : "bad structure");
        goto err;
    }
    if (key->alg != 0 && tok.alg != key->alg) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "the CCA key token holds an %s key, expected %s",
                      alg_name(tok.alg), alg_name(key->alg));
        goto err;
    }
    if (key->alg != 0 && tok.is_pss != key->is_pss) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "the CCA key token holds an %s key, expected %s",
                      tok.is_pss ? "RSA-PSS" : "RSA",
                      ibm4767_key_type_name(key));
        goto err;
    }

    OPENSSL_clear_free(key->token, key->token_len);
    key->token = copy;
    key->token_len = len;
    key->tok = tok;
    key->alg = tok.alg;
    key->is_pss = tok.is_pss;
    copy = NULL;
    ret = 1;

err:
    OPENSSL_clear_free(copy, len);
    return ret;
}

void ibm4767_key_note_result(struct ibm4767_key *key,
                             const struct cca_result *res)
{
    if (res->rc != CCA_RC_OK || res->reason != CCA_RS_OLD_MASTER_KEY)
        return;
    /* Several threads may use one key: only the first one logs. */
    if (__atomic_exchange_n(&key->warned_old_mk, 1, __ATOMIC_RELAXED))
        return;
    IBM4767_WARN("%s: 0/%u: this %u-bit %s key is wrapped under the old "
                 "APKA master key; re-encipher its token under the current "
                 "master key before the old one is cleared",
                 res->device_name, CCA_RS_OLD_MASTER_KEY, key->tok.bits,
                 alg_name(key->alg));
}

struct ibm4767_key *ibm4767_key_dup(const struct ibm4767_key *key)
{
    struct ibm4767_key *copy;

    copy = ibm4767_key_new(key->provctx, key->alg);
    if (copy == NULL)
        return NULL;
    copy->is_pss = key->is_pss;
    copy->point_compressed = key->point_compressed;
    if (key->token != NULL
        && !ibm4767_key_set_token(copy, key->token, key->token_len)) {
        ibm4767_key_free(copy);
        return NULL;
    }
    return copy;
}

int ibm4767_key_has(const struct ibm4767_key *key, int selection)
{
    if (key == NULL)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0 && key->token == NULL)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0
        && !key->tok.has_private)
        return 0;
    return 1;
}

int ibm4767_key_drop_private(struct ibm4767_key *key)
{
    const struct cca_pka_token *tok = &key->tok;
    uint8_t *pub = NULL;
    size_t len, cap;
    int ret = 0;

    if (!tok->has_private)
        return 1;
    len = key->alg == CCA_ALG_RSA
              ? cca_token_build_rsa_public(tok->n, tok->n_len, tok->e,
                                           tok->e_len, NULL, 0)
              : cca_token_build_ec_public(tok->curve_nid, tok->q, tok->q_len,
                                          NULL, 0);
    /* The public token of an RSA-PSS key keeps its RSA-PSS section. */
    cap = tok->is_pss ? cca_token_append_rsa_pss(NULL, len, 0, &tok->pss)
                      : len;
    if (len > 0 && cap > 0)
        pub = OPENSSL_malloc(cap);
    if (pub == NULL) {
        IBM4767_RAISE(key->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot build a public key token of %zu bytes", cap);
        goto err;
    }
    if (key->alg == CCA_ALG_RSA)
        cca_token_build_rsa_public(tok->n, tok->n_len, tok->e, tok->e_len,
                                   pub, len);
    else
        cca_token_build_ec_public(tok->curve_nid, tok->q, tok->q_len, pub,
                                  len);
    if (tok->is_pss && cca_token_append_rsa_pss(pub, len, cap, &tok->pss)
                           != cap) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_TOKEN,
                      "cannot add the RSA-PSS section to the public key "
                      "token");
        goto err;
    }
    ret = ibm4767_key_set_token(key, pub, cap);

err:
    OPENSSL_free(pub);
    return ret;
}

struct ibm4767_key *ibm4767_key_from_reference(const void *reference,
                                               size_t reference_len,
                                               uint32_t alg)
{
    struct ibm4767_key **slot = (struct ibm4767_key **)reference;
    struct ibm4767_key *key;

    /* No provider context is at hand before the key is known, so these
     * two cases only log; OpenSSL then reports that loading failed. */
    if (slot == NULL || reference_len != sizeof(*slot) || *slot == NULL) {
        IBM4767_ERROR("key reference of %zu bytes is invalid (expected %zu)",
                      reference_len, sizeof(*slot));
        return NULL;
    }
    key = *slot;
    if (key->alg != alg) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "the key holds an %s key, expected %s",
                      alg_name(key->alg), alg_name(alg));
        return NULL;
    }
    *slot = NULL;
    return key;
}
