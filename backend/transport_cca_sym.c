/*
 * AES over the CCA host library: key generate (CSNBKTB2 builds a
 * skeleton, CSNBKGN2 fills it), clear key import (the skeleton filled by
 * CSNBKPI2 with the key as its only key part) and encipher and decipher
 * (CSNBSAE, CSNBSAD) in ECB, CBC and GCM.
 *
 * CSNBSAE has no CTR mode.  Chains map onto CCA's keywords: ECB and CBC
 * start with INITIAL (the IV) and go on with CONTINUE (the chaining
 * vector), and GCM steps through ONLY, or FIRST, MIDDLE and LAST, with
 * the AAD in the optional data.
 * NOTE: the GCM step keywords FIRST, MIDDLE and LAST are unconfirmed;
 * ONLY, INITIAL and CONTINUE are documented.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/symtoken.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* Maximum length of a variable-length symmetric key token. */
#define CCA_SYM_TOKEN_MAX 725
/* Chaining vector lengths CSNBSAE works with: 32 bytes for ECB and CBC
 * (what public callers pass), 104 bytes for GCM. */
#define CHAIN_LEN_CBC 32
#define CHAIN_LEN_GCM 104

static const char *mode_keyword(uint32_t mode)
{
    switch (mode) {
    case CCA_SYM_MODE_ECB:
        return "ECB";
    case CCA_SYM_MODE_CBC:
        return "CBC";
    case CCA_SYM_MODE_GCM:
        return "GCM";
    default:
        return NULL;
    }
}

/* The chaining keyword of a step. */
static const char *chain_keyword(uint32_t mode, uint32_t step)
{
    if (mode != CCA_SYM_MODE_GCM)
        return step == CCA_SYM_CHAIN_ONLY || step == CCA_SYM_CHAIN_INITIAL
                   ? "INITIAL" : "CONTINUE";
    switch (step) {
    case CCA_SYM_CHAIN_ONLY:
        return "ONLY";
    case CCA_SYM_CHAIN_INITIAL:
        return "FIRST";
    case CCA_SYM_CHAIN_CONTINUE:
        return "MIDDLE";
    default:
        return "LAST";
    }
}

/* Build the skeleton of an internal AES CIPHER token (CSNBKTB2 NO-KEY)
 * with usage and mode into skeleton; *len is the buffer size on input and
 * the skeleton's length on output. */
static int build_skeleton(struct cca_backend *be, struct cca_device *dev,
                          uint32_t usage, const char *mode_kw,
                          uint8_t *skeleton, long *len,
                          struct cca_result *res)
{
    struct cca_rule rule;
    long rc = 0, reason = 0, exit_len = 0, zero = 0;

    cca_rule_init(&rule);
    cca_rule_add(&rule, "INTERNAL");
    cca_rule_add(&rule, "AES");
    cca_rule_add(&rule, "CIPHER");
    cca_rule_add(&rule, "NO-KEY");
    if (usage & CCA_SYM_USAGE_ENCRYPT)
        cca_rule_add(&rule, "ENCRYPT");
    if (usage & CCA_SYM_USAGE_DECRYPT)
        cca_rule_add(&rule, "DECRYPT");
    cca_rule_add(&rule, mode_kw);
    be->cca->CSNBKTB2(&rc, &reason, &exit_len, NULL, &rule.count,
                      rule.keywords, &zero, NULL, &zero, NULL, &zero, NULL,
                      &zero, NULL, &zero, NULL, len, skeleton);
    return cca_lib_result(be, dev, res, "CSNBKTB2", rc, reason);
}

/* Copy the len-byte token that verb returned into a new buffer. */
static int take_token(const char *verb, const uint8_t *buf, long len,
                      uint8_t **token, size_t *token_len,
                      struct cca_result *res)
{
    if (len <= 0 || len > CCA_SYM_TOKEN_MAX) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "%s returned a key token of %ld bytes", verb, len);
        return 0;
    }
    *token = OPENSSL_memdup(buf, (size_t)len);
    if (*token == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory for an AES key token");
        return 0;
    }
    *token_len = (size_t)len;
    return 1;
}

/* The mode keyword of a key restricted to mode (0: any mode), or NULL
 * with res set. */
static const char *key_mode_keyword(const struct cca_backend *be,
                                    uint32_t mode, struct cca_result *res)
{
    const char *mode_kw = mode == 0 ? "ANY-MODE" : mode_keyword(mode);

    if (mode_kw == NULL)
        cca_lib_unsupported(be, res, "an AES key restricted to this mode");
    return mode_kw;
}

int cca_lib_symmetric_key_generate(struct cca_backend *be, uint32_t alg,
                                   uint32_t bits, uint32_t usage,
                                   uint32_t mode, uint8_t **token,
                                   size_t *token_len, struct cca_result *res)
{
    uint8_t skeleton[CCA_SYM_TOKEN_MAX];
    unsigned char type1[CCA_KEYWORD_LEN], type2[CCA_KEYWORD_LEN];
    struct cca_device *dev = NULL;
    struct cca_rule rule;
    long rc = 0, reason = 0, exit_len = 0, zero = 0;
    long bits_long = (long)bits, skeleton_len = sizeof(skeleton);
    const char *mode_kw;
    int ret = 0;

    if (token == NULL || token_len == NULL || alg != CCA_SYM_ALG_AES
        || (bits != 128 && bits != 192 && bits != 256)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "AES key generate needs token outputs and a key of "
                       "128, 192 or 256 bits");
        goto err;
    }
    mode_kw = key_mode_keyword(be, mode, res);
    if (mode_kw == NULL)
        goto err;

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL
        || !build_skeleton(be, dev, usage, mode_kw, skeleton, &skeleton_len,
                           res))
        goto err;

    cca_rule_init(&rule);
    cca_rule_add(&rule, "AES");
    cca_rule_add(&rule, "OP");
    memset(type1, ' ', sizeof(type1));
    memcpy(type1, "TOKEN", 5);
    memset(type2, ' ', sizeof(type2));
    be->cca->CSNBKGN2(&rc, &reason, &exit_len, NULL, &rule.count,
                      rule.keywords, &bits_long, type1, type2, &zero, NULL,
                      &zero, NULL, &zero, NULL, &zero, NULL, &zero, NULL,
                      &zero, NULL, &skeleton_len, skeleton, &zero, NULL);
    if (!cca_lib_result(be, dev, res, "CSNBKGN2", rc, reason))
        goto err;
    ret = take_token("CSNBKGN2", skeleton, skeleton_len, token, token_len,
                     res);

err:
    cca_lib_end(be, dev);
    return ret;
}

/* One CSNBKPI2 call on the token in buf (capacity CCA_SYM_TOKEN_MAX);
 * *len becomes the returned token's length. */
static int key_part_import(struct cca_backend *be, struct cca_device *dev,
                           const char *step, const char *parts, long bits,
                           const uint8_t *part, uint8_t *buf, long *len,
                           struct cca_result *res)
{
    struct cca_rule rule;
    long rc = 0, reason = 0, exit_len = 0;
    char verb[32];

    cca_rule_init(&rule);
    cca_rule_add(&rule, "AES");
    cca_rule_add(&rule, step);
    if (parts != NULL)
        cca_rule_add(&rule, parts);
    *len = CCA_SYM_TOKEN_MAX;
    be->cca->CSNBKPI2(&rc, &reason, &exit_len, NULL, &rule.count,
                      rule.keywords, &bits, (unsigned char *)part, len, buf);
    snprintf(verb, sizeof(verb), "CSNBKPI2 %s", step);
    return cca_lib_result(be, dev, res, verb, rc, reason);
}

/*
 * The clear key goes in as the only key part: CSNBKTB2 builds the
 * skeleton, CSNBKPI2 FIRST MIN1PART wraps the key into it, and CSNBKPI2
 * COMPLETE turns the token's key-part flag off so that it can be used.
 * The card's default role must enable the access control points "Key
 * Part Import2 - Load first key part, require 1 key parts" (0x0299) and
 * "Complete key" (0x029D), or CCA rejects the calls.
 */
int cca_lib_symmetric_key_import(struct cca_backend *be, uint32_t alg,
                                 uint32_t usage, uint32_t mode,
                                 const uint8_t *key, size_t key_len,
                                 uint8_t **token, size_t *token_len,
                                 struct cca_result *res)
{
    uint8_t buf[CCA_SYM_TOKEN_MAX];
    struct cca_device *dev = NULL;
    long len = sizeof(buf), bits = (long)key_len * 8;
    const char *mode_kw;
    int ret = 0;

    if (token == NULL || token_len == NULL || key == NULL
        || alg != CCA_SYM_ALG_AES) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "AES key import needs token outputs and a clear AES "
                       "key");
        goto err;
    }
    if (key_len != 16 && key_len != 24 && key_len != 32) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "AES key of %zu bytes is invalid: use 16, 24 or 32 "
                       "bytes", key_len);
        goto err;
    }
    mode_kw = key_mode_keyword(be, mode, res);
    if (mode_kw == NULL)
        goto err;

    /* All three calls go to one adapter: the token after FIRST is only
     * usable by the card that will complete it. */
    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL
        || !build_skeleton(be, dev, usage, mode_kw, buf, &len, res)
        || !key_part_import(be, dev, "FIRST", "MIN1PART", bits, key, buf,
                            &len, res)
        || !key_part_import(be, dev, "COMPLETE", NULL, 0, NULL, buf, &len,
                            res))
        goto err;
    ret = take_token("CSNBKPI2", buf, len, token, token_len, res);

err:
    cca_lib_end(be, dev);
    OPENSSL_cleanse(buf, sizeof(buf));
    return ret;
}

/* Everything CSNBSAE and CSNBSAD take for one call. */
struct sym_call {
    struct cca_rule rule;
    long key_len;
    long tag_len;
    long block;
    long iv_len;
    long chain_len;
    long in_len;
    long out_len;
    long aad_len;
};

static int sym_prepare(struct cca_backend *be, const struct cca_sym_params *p,
                       const struct cca_sym_chain *chain, size_t in_len,
                       size_t tag_len, struct sym_call *call,
                       struct cca_result *res)
{
    const char *mode_kw = mode_keyword(p->mode);
    int gcm = p->mode == CCA_SYM_MODE_GCM;
    int starts = p->chain == CCA_SYM_CHAIN_ONLY
                 || p->chain == CCA_SYM_CHAIN_INITIAL;
    int ends = p->chain == CCA_SYM_CHAIN_ONLY
               || p->chain == CCA_SYM_CHAIN_FINAL;

    if (p->mode == CCA_SYM_MODE_CTR) {
        cca_lib_unsupported(be, res, "AES in CTR mode (CSNBSAE has no CTR)");
        return 0;
    }
    if (mode_kw == NULL || p->chain > CCA_SYM_CHAIN_FINAL
        || (p->key_form != CCA_SYM_KEY_CLEAR
            && p->key_form != CCA_SYM_KEY_TOKEN)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                       "AES mode %u, chaining step %u or key form %u is "
                       "invalid", p->mode, p->chain, p->key_form);
        return 0;
    }
    if (gcm && !cca_lib_supports(be->cca, CCA_CAP_AES_GCM)) {
        cca_lib_unsupported(be, res, "AES-GCM (CCA 5.2 and later)");
        return 0;
    }
    if (!starts && (chain == NULL || chain->device < 0 || chain->len == 0)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "a CONTINUE or FINAL request needs the chaining "
                       "vector of an earlier INITIAL request");
        return 0;
    }
    if (!gcm && p->aad_len > 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION,
                       "AAD is only used with GCM");
        return 0;
    }
    if (gcm && ends && (tag_len < CCA_SYM_GCM_TAG_MIN
                        || tag_len > CCA_SYM_GCM_TAG_MAX)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "GCM tag of %zu bytes is invalid: use %u to %u bytes",
                       tag_len, CCA_SYM_GCM_TAG_MIN, CCA_SYM_GCM_TAG_MAX);
        return 0;
    }

    cca_rule_init(&call->rule);
    cca_rule_add(&call->rule, "AES");
    cca_rule_add(&call->rule, mode_kw);
    cca_rule_add(&call->rule,
                 p->key_form == CCA_SYM_KEY_CLEAR ? "KEY-CLR" : "KEYIDENT");
    cca_rule_add(&call->rule, chain_keyword(p->mode, p->chain));
    call->key_len = (long)p->key_len;
    call->tag_len = gcm && ends ? (long)tag_len : 0;
    call->block = 16;
    call->iv_len = starts && p->mode != CCA_SYM_MODE_ECB ? (long)p->iv_len
                                                          : 0;
    call->chain_len = gcm ? CHAIN_LEN_GCM : CHAIN_LEN_CBC;
    call->in_len = (long)in_len;
    call->out_len = (long)in_len;
    /* NOTE: that CCA takes AAD on MIDDLE steps, before the first data,
     * is unconfirmed; the provider sends AAD there when it comes in
     * several updates. */
    call->aad_len = gcm ? (long)p->aad_len : 0;
    return 1;
}

static int sym_cipher(struct cca_backend *be, int decrypt,
                      const struct cca_sym_params *p,
                      struct cca_sym_chain *chain, const uint8_t *in,
                      size_t in_len, uint8_t *out, uint8_t *tag,
                      size_t tag_len, struct cca_result *res)
{
    const char *verb = decrypt ? "CSNBSAD" : "CSNBSAE";
    struct cca_sym_chain local;
    struct sym_call call;
    struct cca_device *dev = NULL;
    long rc = 0, reason = 0, exit_len = 0;
    int starts, ret = 0;

    if (p == NULL || p->key == NULL || p->key_len == 0
        || (in == NULL && in_len > 0) || (out == NULL && in_len > 0)
        || (p->iv == NULL && p->iv_len > 0)
        || (p->aad == NULL && p->aad_len > 0)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "%s needs parameters, a key, and input and output "
                       "buffers", verb);
        goto err;
    }
    if (chain == NULL) {
        memset(&local, 0, sizeof(local));
        local.device = -1;
        chain = &local;
    }
    if (!sym_prepare(be, p, chain, in_len, tag_len, &call, res))
        goto err;
    starts = p->chain == CCA_SYM_CHAIN_ONLY
             || p->chain == CCA_SYM_CHAIN_INITIAL;
    if (starts) {
        memset(chain->vector, 0, sizeof(chain->vector));
        chain->device = -1;
    }

    /* Every piece of a chain goes to the adapter that started it. */
    dev = cca_lib_begin(be, starts ? -1 : chain->device, res);
    if (dev == NULL)
        goto err;
    (decrypt ? be->cca->CSNBSAD : be->cca->CSNBSAE)(
        &rc, &reason, &exit_len, NULL, &call.rule.count, call.rule.keywords,
        &call.key_len, (unsigned char *)p->key, &call.tag_len, tag,
        &call.block, &call.iv_len, (unsigned char *)p->iv, &call.chain_len,
        chain->vector, &call.in_len, (unsigned char *)in, &call.out_len, out,
        &call.aad_len, (unsigned char *)p->aad);
    if (!cca_lib_result(be, dev, res, verb, rc, reason))
        goto err;
    if (call.out_len != (long)in_len) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "%s returned %ld bytes for %zu bytes of input", verb,
                       call.out_len, in_len);
        goto err;
    }
    chain->device = dev->index;
    chain->len = (size_t)call.chain_len;
    ret = 1;

err:
    cca_lib_end(be, dev);
    /* Output of a failed call is never usable: a GCM plaintext whose tag
     * did not match must not be read. */
    if (!ret && out != NULL)
        OPENSSL_cleanse(out, in_len);
    return ret;
}

int cca_lib_symmetric_encipher(struct cca_backend *be,
                               const struct cca_sym_params *p,
                               struct cca_sym_chain *chain,
                               const uint8_t *in, size_t in_len,
                               uint8_t *out, uint8_t *tag, size_t tag_len,
                               struct cca_result *res)
{
    return sym_cipher(be, 0, p, chain, in, in_len, out, tag, tag_len, res);
}

int cca_lib_symmetric_decipher(struct cca_backend *be,
                               const struct cca_sym_params *p,
                               struct cca_sym_chain *chain,
                               const uint8_t *in, size_t in_len,
                               uint8_t *out, const uint8_t *tag,
                               size_t tag_len, struct cca_result *res)
{
    return sym_cipher(be, 1, p, chain, in, in_len, out, (uint8_t *)tag,
                      tag_len, res);
}
