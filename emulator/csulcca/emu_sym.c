/*
 * AES verbs of libcsulcca-emu.so: CSNBKTB2 (skeleton of an AES CIPHER
 * key), CSNBKGN2 (generate into it), CSNBKPI2 (import a clear key into
 * it as one key part), CSNBSAE and CSNBSAD (ECB, CBC and, from CCA 5.2,
 * GCM).
 *
 * CBC chains the CCA way: the 32-byte chaining vector holds the last
 * ciphertext block, which the next CONTINUE call uses as its IV.  A GCM
 * chain's state is the emulator's sealed chaining vector, longer than
 * CCA's 104-byte field, so the field contains a handle to it
 * (emu_gcm.c).
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/symtoken.h>

#include "emu.h"

#define AES_BLOCK      16
#define CHAIN_LEN_CBC  32

/* ---- CSNBKTB2, CSNBKGN2 and CSNBKPI2 ---------------------------------- */

/* The token algorithm group of the three key verbs. */
static const struct emu_keyword key_alg_keywords[] = {
    { "AES", 0, 0, 0 },
    { "HMAC", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};
static const struct emu_keyword ktb2_form_keywords[] = {
    { "INTERNAL", 0, 0, 0 },
    { "EXTERNAL", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};
static const struct emu_keyword ktb2_type_keywords[] = {
    { "CIPHER", 0, 0, 0 },
    { "EXPORTER", 0, 0, 1 },
    { "IMPORTER", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};
static const struct emu_keyword ktb2_state_keywords[] = {
    { "NO-KEY", 0, 0, 0 },
    { "KEY-CLR", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};
static const struct emu_keyword ktb2_encrypt_keywords[] = {
    { "ENCRYPT", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};
static const struct emu_keyword ktb2_decrypt_keywords[] = {
    { "DECRYPT", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};
static const struct emu_keyword ktb2_mode_keywords[] = {
    { "ANY-MODE", 0, 0, 0 },
    { "ECB", 0, 0, 0 },
    { "CBC", 0, 0, 0 },
    { "GCM", 5, 2, 0 },
    { "CFB", 0, 0, 1 },
    { "OFB", 0, 0, 1 },
    { "XTS", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

static const uint8_t ktb2_modes[] = {
    CCA_SYMTOKEN_MODE_ANY, CCA_SYM_MODE_ECB, CCA_SYM_MODE_CBC,
    CCA_SYM_MODE_GCM,
};

void CSNBKTB2(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, long *clear_key_bits,
              unsigned char *clear_key, long *name_len, unsigned char *name,
              long *user_data_len, unsigned char *user_data,
              long *token_data_len, unsigned char *token_data,
              long *reserved_len, unsigned char *reserved, long *token_len,
              unsigned char *token)
{
    const struct emu_group groups[] = {
        { ktb2_form_keywords, 1 }, { key_alg_keywords, 1 },
        { ktb2_type_keywords, 1 }, { ktb2_state_keywords, 0 },
        { ktb2_encrypt_keywords, 0 }, { ktb2_decrypt_keywords, 0 },
        { ktb2_mode_keywords, 0 },
    };
    static const uint8_t no_mkvp[CCA_MKVP_LEN];
    struct emu_status_code sc = { 0, 0 };
    uint8_t skeleton[CCA_SYMTOKEN_MAX_LEN];
    uint16_t usage = 0;
    size_t len;
    int found[7];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 3, 7, groups, 7, found, &sc))
        goto err;
    if ((name_len != NULL && *name_len != 0)
        || (user_data_len != NULL && *user_data_len != 0)) {
        emu_set(&sc, CCA_RC_ERROR, EMU_RS_UNSUPPORTED);
        goto err;
    }

    /* NOTE: that a CIPHER key without ENCRYPT or DECRYPT may do both is
     * unconfirmed. */
    if (found[4] >= 0)
        usage |= CCA_SYMTOKEN_KUF1_ENCRYPT;
    if (found[5] >= 0)
        usage |= CCA_SYMTOKEN_KUF1_DECRYPT;
    if (usage == 0)
        usage = CCA_SYMTOKEN_KUF1_ENCRYPT | CCA_SYMTOKEN_KUF1_DECRYPT;
    /* A skeleton is built for 256 bits; CSNBKGN2 sets the size. */
    len = cca_sym_token_build(256, usage,
                              ktb2_modes[found[6] >= 0 ? found[6] : 0],
                              no_mkvp, skeleton, sizeof(skeleton));
    if (len == 0) {
        emu_set(&sc, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY);
        goto err;
    }
    emu_output(skeleton, len, token, token_len, &sc);

err:
    emu_finish(&sc, rc, reason);
}

static const struct emu_keyword kgn2_form_keywords[] = {
    { "OP", 0, 0, 0 },
    { "EX", 0, 0, 1 },
    { "IM", 0, 0, 1 },
    { "OPEX", 0, 0, 1 },
    { "OPIM", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

/* The length of the token in a key identifier buffer of *len bytes: its
 * own length field when the buffer is that long, because CCA takes a
 * buffer of any size from the token's length up to 725 bytes. */
static long token_length(const unsigned char *token, const long *len)
{
    long own;

    if (token == NULL || len == NULL || *len < CCA_SYMTOKEN_LEN_OFF + 2)
        return len != NULL ? *len : 0;
    own = ((long)token[CCA_SYMTOKEN_LEN_OFF] << 8)
          | token[CCA_SYMTOKEN_LEN_OFF + 1];
    return own > 0 && own <= *len ? own : *len;
}

/* Parse the token in a key identifier buffer of *len bytes. */
static int key_identifier_token(const unsigned char *token, const long *len,
                                struct cca_sym_token *tok,
                                struct emu_status_code *sc)
{
    return emu_sym_token(token, token_length(token, len), tok, sc);
}

/* Read the usage and mode of a skeleton, as the backend's values. */
static int skeleton_fields(const unsigned char *token, const long *len,
                           uint32_t *usage, uint32_t *mode,
                           struct emu_status_code *sc)
{
    struct cca_sym_token tok;

    if (!key_identifier_token(token, len, &tok, sc))
        return 0;
    *usage = 0;
    if (tok.usage & CCA_SYMTOKEN_KUF1_ENCRYPT)
        *usage |= CCA_SYM_USAGE_ENCRYPT;
    if (tok.usage & CCA_SYMTOKEN_KUF1_DECRYPT)
        *usage |= CCA_SYM_USAGE_DECRYPT;
    *mode = tok.mode == CCA_SYMTOKEN_MODE_ANY ? 0 : tok.mode;
    return 1;
}

void CSNBKGN2(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, long *clear_key_bits,
              unsigned char *key_type1, unsigned char *key_type2,
              long *name1_len, unsigned char *name1, long *name2_len,
              unsigned char *name2, long *user_data1_len,
              unsigned char *user_data1, long *user_data2_len,
              unsigned char *user_data2, long *kek1_len,
              unsigned char *kek1, long *kek2_len, unsigned char *kek2,
              long *out1_len, unsigned char *out1, long *out2_len,
              unsigned char *out2)
{
    const struct emu_group groups[] = {
        { key_alg_keywords, 1 }, { kgn2_form_keywords, 1 },
    };
    struct emu_status_code sc = { 0, 0 };
    struct cca_result res;
    uint8_t *tok = NULL;
    size_t tok_len = 0;
    uint32_t usage = 0, mode = 0;
    long bits = clear_key_bits != NULL ? *clear_key_bits : 0;
    int found[2];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 2, 2, groups, 2, found, &sc))
        goto err;
    if ((bits != 128 && bits != 192 && bits != 256) || key_type1 == NULL
        || memcmp(key_type1, "TOKEN   ", EMU_KEYWORD_LEN) != 0) {
        emu_set(&sc, CCA_RC_ERROR, bits != 128 && bits != 192 && bits != 256
                                       ? CCA_RS_LENGTH_INVALID
                                       : CCA_RS_KEYWORD_INVALID);
        goto err;
    }
    if (!skeleton_fields(out1, out1_len, &usage, &mode, &sc))
        goto err;

    if (cca_symmetric_key_generate(emu_backend(), CCA_SYM_ALG_AES,
                                   (uint32_t)bits, usage, mode, &tok,
                                   &tok_len, &res)) {
        emu_from_result(&sc, &res);
        emu_output(tok, tok_len, out1, out1_len, &sc);
    } else {
        emu_from_result(&sc, &res);
    }
    if (out2_len != NULL && sc.rc == CCA_RC_OK)
        *out2_len = 0;

err:
    OPENSSL_free(tok);
    emu_finish(&sc, rc, reason);
}

static const struct emu_keyword kpi2_step_keywords[] = {
    { "FIRST", 0, 0, 0 },
    { "ADD-PART", 0, 0, 1 },
    { "COMPLETE", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};
static const struct emu_keyword kpi2_parts_keywords[] = {
    { "MIN1PART", 0, 0, 0 },
    { "MIN2PART", 0, 0, 1 },
    { "MIN3PART", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};

enum { KPI2_FIRST, KPI2_ADD_PART, KPI2_COMPLETE };

/* CSNBKPI2 FIRST MIN1PART: wrap the key part, the whole key, into the
 * skeleton at key (a buffer of *key_len bytes). */
static void kpi2_first(long bits, const unsigned char *part, long *key_len,
                       unsigned char *key, struct emu_status_code *sc)
{
    struct cca_result res;
    uint8_t *tok = NULL;
    size_t tok_len = 0;
    uint32_t usage = 0, mode = 0;

    if ((bits != 128 && bits != 192 && bits != 256) || part == NULL) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return;
    }
    if (!skeleton_fields(key, key_len, &usage, &mode, sc))
        return;
    if (cca_symmetric_key_import(emu_backend(), CCA_SYM_ALG_AES, usage, mode,
                                 part, (size_t)bits / 8, &tok, &tok_len,
                                 &res)) {
        emu_from_result(sc, &res);
        emu_output(tok, tok_len, key, key_len, sc);
    } else {
        emu_from_result(sc, &res);
    }
    OPENSSL_free(tok);
}

/*
 * CSNBKPI2 with a clear key as its only part.  FIRST with MIN1PART wraps
 * the key into the skeleton.  COMPLETE checks the token and returns it
 * unchanged: this library's tokens have no key-part flag, so a token is
 * usable from FIRST on (on a card only after COMPLETE).  ADD-PART,
 * MIN2PART and MIN3PART, which need key parts combined inside the card,
 * get 8/4773.  NOTE: CCA's default when FIRST comes without MINnPART is
 * unconfirmed; this library then returns 8/34.
 */
void CSNBKPI2(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, long *part_bits, unsigned char *part,
              long *key_len, unsigned char *key)
{
    const struct emu_group groups[] = {
        { key_alg_keywords, 1 }, { kpi2_step_keywords, 1 },
        { kpi2_parts_keywords, 0 },
    };
    struct emu_status_code sc = { 0, 0 };
    struct cca_sym_token tok;
    long bits = part_bits != NULL ? *part_bits : -1;
    int found[3];

    if (!emu_init(&sc)
        || !emu_parse_rules(rule_count, rule, 2, 3, groups, 3, found, &sc))
        goto err;
    if ((found[1] == KPI2_FIRST) != (found[2] >= 0)) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION);
        goto err;
    }

    if (found[1] == KPI2_FIRST) {
        kpi2_first(bits, part, key_len, key, &sc);
    } else if (bits != 0) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
    } else if (key_identifier_token(key, key_len, &tok, &sc)) {
        *key_len = token_length(key, key_len);
    }

err:
    emu_finish(&sc, rc, reason);
}

/* ---- CSNBSAE and CSNBSAD ---------------------------------------------- */

static const struct emu_keyword sae_alg_keywords[] = {
    { "AES", 0, 0, 0 },
    { "DES", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};
static const struct emu_keyword sae_mode_keywords[] = {
    { "CBC", 0, 0, 0 },
    { "ECB", 0, 0, 0 },
    { "GCM", 5, 2, 0 },
    { "PKCS-PAD", 0, 0, 1 },
    { NULL, 0, 0, 0 },
};
static const struct emu_keyword sae_key_keywords[] = {
    { "KEY-CLR", 0, 0, 0 },
    { "KEYIDENT", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};
/* ICV selection for ECB and CBC, chaining steps for GCM.  NOTE: FIRST,
 * MIDDLE and LAST for GCM are unconfirmed keywords. */
static const struct emu_keyword sae_step_keywords[] = {
    { "INITIAL", 0, 0, 0 },
    { "CONTINUE", 0, 0, 0 },
    { "ONLY", 0, 0, 0 },
    { "FIRST", 5, 2, 0 },
    { "MIDDLE", 5, 2, 0 },
    { "LAST", 5, 2, 0 },
    { NULL, 0, 0, 0 },
};

enum { SM_CBC, SM_ECB, SM_GCM };
enum { ST_INITIAL, ST_CONTINUE, ST_ONLY, ST_FIRST, ST_MIDDLE, ST_LAST };

/* The parameters of one CSNBSAE or CSNBSAD call. */
struct sae_call {
    int decrypt;
    int mode;                    /* SM_* */
    int step;                    /* ST_* */
    struct cca_sym_params p;
    const uint8_t *in;
    size_t len;
    uint8_t *tag;
    size_t tag_len;
};

static int sae_rules(const long *rule_count, const unsigned char *rule,
                     struct sae_call *c, struct emu_status_code *sc)
{
    const struct emu_group groups[] = {
        { sae_alg_keywords, 1 }, { sae_mode_keywords, 0 },
        { sae_key_keywords, 0 }, { sae_step_keywords, 0 },
    };
    int found[4], gcm_step;

    /* CCA takes 1 to 5 keywords; a fifth one repeats a group here. */
    if (!emu_parse_rules(rule_count, rule, 1, 5, groups, 4, found, sc))
        return 0;
    c->mode = found[1] >= 0 ? found[1] : SM_CBC;
    c->p.key_form = found[2] == 1 ? CCA_SYM_KEY_TOKEN : CCA_SYM_KEY_CLEAR;
    if (c->mode == SM_GCM) {
        c->step = found[3] >= 0 ? found[3] : ST_ONLY;
        gcm_step = c->step >= ST_ONLY;
    } else {
        c->step = found[3] >= 0 ? found[3] : ST_INITIAL;
        gcm_step = c->step <= ST_CONTINUE;
    }
    if (!gcm_step) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION);
        return 0;
    }
    c->p.mode = c->mode == SM_GCM ? CCA_SYM_MODE_GCM
                : c->mode == SM_ECB ? CCA_SYM_MODE_ECB : CCA_SYM_MODE_CBC;
    return 1;
}

/* ECB and CBC: one ONLY request to the emulator, chaining in the 32-byte
 * vector as the last ciphertext block. */
static void sae_block(struct sae_call *c, long *iv_len,
                      const unsigned char *iv, long *chain_len,
                      unsigned char *chain, uint8_t *out,
                      struct emu_status_code *sc)
{
    uint8_t last[AES_BLOCK];
    struct cca_result res;
    int ok;

    if (c->len % AES_BLOCK != 0) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return;
    }
    c->p.chain = CCA_SYM_CHAIN_ONLY;
    if (c->mode == SM_CBC) {
        if (chain_len == NULL || chain == NULL
            || *chain_len < CHAIN_LEN_CBC) {
            if (chain_len != NULL)
                *chain_len = CHAIN_LEN_CBC;
            emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
            return;
        }
        if (c->step == ST_INITIAL
            && (iv == NULL || iv_len == NULL || *iv_len != AES_BLOCK)) {
            emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
            return;
        }
        c->p.iv = c->step == ST_INITIAL ? iv : chain;
        c->p.iv_len = AES_BLOCK;
    }

    /* Decryption may run in place, so the last ciphertext block is saved
     * before it is overwritten. */
    if (c->decrypt && c->len >= AES_BLOCK)
        memcpy(last, c->in + c->len - AES_BLOCK, AES_BLOCK);
    if (c->decrypt)
        ok = cca_symmetric_decipher(emu_backend(), &c->p, NULL, c->in,
                                    c->len, out, NULL, 0, &res);
    else
        ok = cca_symmetric_encipher(emu_backend(), &c->p, NULL, c->in,
                                    c->len, out, NULL, 0, &res);
    emu_from_result(sc, &res);
    if (!ok || c->mode != SM_CBC)
        return;

    /* The output chaining value: the last ciphertext block. */
    if (c->len >= AES_BLOCK)
        memmove(chain, c->decrypt ? last : out + c->len - AES_BLOCK,
                AES_BLOCK);
    else if (c->step == ST_INITIAL)
        memmove(chain, iv, AES_BLOCK);
    memset(chain + AES_BLOCK, 0, CHAIN_LEN_CBC - AES_BLOCK);
    *chain_len = CHAIN_LEN_CBC;
}

static uint32_t gcm_chain_step(int step)
{
    switch (step) {
    case ST_FIRST:
        return CCA_SYM_CHAIN_INITIAL;
    case ST_MIDDLE:
        return CCA_SYM_CHAIN_CONTINUE;
    case ST_LAST:
        return CCA_SYM_CHAIN_FINAL;
    default:
        return CCA_SYM_CHAIN_ONLY;
    }
}

static void sae(int decrypt, long *rc, long *reason, long *rule_count,
                unsigned char *rule, long *key_len, unsigned char *key,
                long *kp_len, unsigned char *kp, long *block, long *iv_len,
                unsigned char *iv, long *chain_len, unsigned char *chain,
                long *in_len, unsigned char *in, long *out_len,
                unsigned char *out, long *opt_len, unsigned char *opt)
{
    struct emu_status_code sc = { 0, 0 };
    struct sae_call c;

    memset(&c, 0, sizeof(c));
    c.decrypt = decrypt;
    if (!emu_init(&sc) || !sae_rules(rule_count, rule, &c, &sc))
        goto err;
    if (block == NULL || *block != AES_BLOCK || key == NULL
        || key_len == NULL || *key_len <= 0 || *key_len > EMU_AES_TOKEN_MAX
        || in_len == NULL || *in_len < 0 || (in == NULL && *in_len > 0)
        || out_len == NULL) {
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        goto err;
    }
    if (*out_len < *in_len || (out == NULL && *in_len > 0)) {
        *out_len = *in_len;
        emu_set(&sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        goto err;
    }
    c.p.key = key;
    c.p.key_len = (size_t)*key_len;
    c.in = in;
    c.len = (size_t)*in_len;

    if (c.mode != SM_GCM) {
        sae_block(&c, iv_len, iv, chain_len, chain, out, &sc);
    } else {
        struct emu_gcm_call g = {
            .decrypt = decrypt, .p = c.p, .in = c.in, .len = c.len,
            .out = out, .tag_len = kp_len, .tag = kp, .iv_len = iv_len,
            .iv = iv, .chain_len = chain_len, .chain = chain,
            .aad_len = opt_len, .aad = opt,
        };

        g.p.chain = gcm_chain_step(c.step);
        emu_gcm_run(&g, &sc);
    }
    if (sc.rc == CCA_RC_OK || sc.rc == CCA_RC_WARNING)
        *out_len = *in_len;

err:
    emu_finish(&sc, rc, reason);
}

void CSNBSAE(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *key_len,
             unsigned char *key, long *kp_len, unsigned char *kp,
             long *block, long *iv_len, unsigned char *iv, long *chain_len,
             unsigned char *chain, long *in_len, unsigned char *in,
             long *out_len, unsigned char *out, long *opt_len,
             unsigned char *opt)
{
    sae(0, rc, reason, rule_count, rule, key_len, key, kp_len, kp, block,
        iv_len, iv, chain_len, chain, in_len, in, out_len, out, opt_len, opt);
}

void CSNBSAD(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, long *key_len,
             unsigned char *key, long *kp_len, unsigned char *kp,
             long *block, long *iv_len, unsigned char *iv, long *chain_len,
             unsigned char *chain, long *in_len, unsigned char *in,
             long *out_len, unsigned char *out, long *opt_len,
             unsigned char *opt)
{
    sae(1, rc, reason, rule_count, rule, key_len, key, kp_len, kp, block,
        iv_len, iv, chain_len, chain, in_len, in, out_len, out, opt_len, opt);
}
