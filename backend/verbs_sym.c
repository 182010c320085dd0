/*
 * Symmetric verbs: AES key generate (CSNBKGN2), clear key import, and
 * encipher and decipher (CSNBSAE, CSNBSAD).  Request fields follow
 * protocol.h in order.
 *
 * Encipher and decipher take any length: input and AAD longer than
 * IBM4767_SYM_DATA_MAX go to the device as a chain of pieces.  Every piece
 * of a chain goes to the device that started it, because only that device
 * can open the chaining vector it returned.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/symtoken.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* One request of a chain: the slices of the caller's buffers it carries. */
struct sym_piece {
    uint32_t step;               /* CCA_SYM_CHAIN_* of this request */
    const uint8_t *aad;
    size_t aad_len;
    const uint8_t *in;
    size_t len;
    uint8_t *out;
};

/* The caller's whole call, for the piece loop. */
struct sym_call {
    uint16_t verb;
    const struct cca_sym_params *p;
    struct cca_sym_chain *chain;
    uint8_t *tag_out;            /* encipher */
    const uint8_t *tag_in;       /* decipher */
    size_t tag_len;
};

static int step_starts(uint32_t step)
{
    return step == CCA_SYM_CHAIN_ONLY || step == CCA_SYM_CHAIN_INITIAL;
}

static int step_ends(uint32_t step)
{
    return step == CCA_SYM_CHAIN_ONLY || step == CCA_SYM_CHAIN_FINAL;
}

static int check_key(const struct cca_sym_params *p, struct cca_result *res)
{
    struct cca_sym_token tok;
    uint32_t reason;

    if (p->key == NULL || p->key_len == 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "no AES key or key token given");
        return 0;
    }
    if (p->key_form == CCA_SYM_KEY_CLEAR) {
        if (p->key_len == 16 || p->key_len == 24 || p->key_len == 32)
            return 1;
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "clear AES key of %zu bytes is invalid: use 16, 24 "
                       "or 32 bytes", p->key_len);
        return 0;
    }
    if (p->key_form != CCA_SYM_KEY_TOKEN) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                       "key form %u is invalid: use CCA_SYM_KEY_CLEAR or "
                       "CCA_SYM_KEY_TOKEN", p->key_form);
        return 0;
    }
    if (!cca_sym_token_parse(p->key, p->key_len, &tok, &reason, res->detail,
                             sizeof(res->detail))) {
        res->rc = CCA_RC_ERROR;
        res->reason = reason;
        return 0;
    }
    return 1;
}

static int check_iv(const struct cca_sym_params *p, struct cca_result *res)
{
    size_t want = p->mode == CCA_SYM_MODE_ECB ? 0 : 16;

    if (!step_starts(p->chain))
        return 1;
    if (p->iv == NULL && p->iv_len > 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "IV length %zu given without an IV", p->iv_len);
        return 0;
    }
    if (p->mode == CCA_SYM_MODE_GCM) {
        if (p->iv_len >= 1 && p->iv_len <= IBM4767_SYM_IV_MAX)
            return 1;
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "GCM IV of %zu bytes is invalid: use 1 to %u bytes "
                       "(12 is standard)", p->iv_len, IBM4767_SYM_IV_MAX);
        return 0;
    }
    if (p->iv_len != want) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "AES IV of %zu bytes is invalid for this mode: use "
                       "%zu bytes", p->iv_len, want);
        return 0;
    }
    return 1;
}

static int check_call(const struct sym_call *c, const uint8_t *in,
                      size_t in_len, const uint8_t *out,
                      struct cca_result *res)
{
    const struct cca_sym_params *p = c->p;
    int gcm;

    if (p == NULL || (in == NULL && in_len > 0) || (out == NULL && in_len > 0)
        || (p->aad == NULL && p->aad_len > 0)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "%s needs parameters and input and output buffers",
                       ibm4767_verb_name(c->verb));
        return 0;
    }
    if (p->mode < CCA_SYM_MODE_ECB || p->mode > CCA_SYM_MODE_GCM
        || p->chain > CCA_SYM_CHAIN_FINAL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                       "AES mode %u or chaining step %u is invalid", p->mode,
                       p->chain);
        return 0;
    }
    if (!step_starts(p->chain) && (c->chain == NULL || c->chain->device < 0
                                   || c->chain->len == 0)) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "a CONTINUE or FINAL request needs the chaining "
                       "vector of an earlier INITIAL request");
        return 0;
    }
    if (!check_key(p, res) || !check_iv(p, res))
        return 0;

    gcm = p->mode == CCA_SYM_MODE_GCM;
    if ((p->mode == CCA_SYM_MODE_ECB || p->mode == CCA_SYM_MODE_CBC)
        && in_len % 16 != 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "%zu bytes of input are not whole 16-byte blocks, as "
                       "ECB and CBC need: pad the data", in_len);
        return 0;
    }
    if (!gcm && p->aad_len > 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_KEYWORD_COMBINATION,
                       "AAD is only used with GCM");
        return 0;
    }
    if (gcm && step_ends(p->chain)
        && (c->tag_len < CCA_SYM_GCM_TAG_MIN
            || c->tag_len > CCA_SYM_GCM_TAG_MAX
            || (c->tag_out == NULL && c->tag_in == NULL))) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "GCM tag of %zu bytes is invalid: use %u to %u bytes",
                       c->tag_len, CCA_SYM_GCM_TAG_MIN, CCA_SYM_GCM_TAG_MAX);
        return 0;
    }
    return 1;
}

static void put_request(struct ibm4767_wbuf *wb, const struct sym_call *c,
                        const struct sym_piece *piece)
{
    const struct cca_sym_params *p = c->p;
    int starts = step_starts(piece->step);
    int ends = step_ends(piece->step);
    int gcm = p->mode == CCA_SYM_MODE_GCM;
    size_t tag_len = gcm && ends ? c->tag_len : 0;

    ibm4767_put_u32(wb, p->mode);
    ibm4767_put_u32(wb, piece->step);
    ibm4767_put_u32(wb, p->key_form);
    ibm4767_put_bytes(wb, p->key, p->key_len);
    ibm4767_put_bytes(wb, p->iv, starts ? p->iv_len : 0);
    ibm4767_put_bytes(wb, c->chain != NULL ? c->chain->vector : NULL,
                      starts || c->chain == NULL ? 0 : c->chain->len);
    ibm4767_put_bytes(wb, piece->aad, piece->aad_len);
    ibm4767_put_u32(wb, (uint32_t)tag_len);
    ibm4767_put_bytes(wb, c->tag_in,
                      c->verb == IBM4767_VERB_SYM_DECIPHER ? tag_len : 0);
    ibm4767_put_bytes(wb, piece->in, piece->len);
}

/* Read output, chaining vector and tag; each must have the length this
 * piece calls for. */
static int read_reply(struct cca_reply *reply, const struct sym_call *c,
                      const struct sym_piece *piece, struct cca_result *res)
{
    const uint8_t *out, *cv, *tag;
    size_t out_len, cv_len, tag_len;
    int ends = step_ends(piece->step);
    size_t want_tag = c->verb == IBM4767_VERB_SYM_ENCIPHER && ends
                      && c->p->mode == CCA_SYM_MODE_GCM ? c->tag_len : 0;

    if (!ibm4767_get_bytes(&reply->rb, &out, &out_len)
        || !ibm4767_get_bytes(&reply->rb, &cv, &cv_len)
        || !ibm4767_get_bytes(&reply->rb, &tag, &tag_len)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "%s reply lacks its output, chaining vector or tag "
                       "field", ibm4767_verb_name(c->verb));
        return 0;
    }
    if (!cca_reply_finish(reply, res))
        return 0;
    if (out_len != piece->len || tag_len != want_tag
        || (ends ? cv_len != 0 : cv_len == 0 || cv_len > IBM4767_SYM_CHAIN_MAX)) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "%s reply has %zu output bytes for %zu input bytes, a "
                       "%zu-byte chaining vector and a %zu-byte tag",
                       ibm4767_verb_name(c->verb), out_len, piece->len,
                       cv_len, tag_len);
        return 0;
    }

    if (out_len > 0)
        memcpy(piece->out, out, out_len);
    if (want_tag > 0)
        memcpy(c->tag_out, tag, want_tag);
    if (!ends) {
        memcpy(c->chain->vector, cv, cv_len);
        c->chain->len = cv_len;
    }
    return 1;
}

static int send_piece(struct cca_backend *be, const struct sym_call *c,
                      const struct sym_piece *piece, struct cca_result *res)
{
    struct ibm4767_wbuf wb;
    struct cca_reply reply;
    struct cca_request req;
    int ret = 0;

    ibm4767_wbuf_init(&wb);
    memset(&reply, 0, sizeof(reply));

    /* The payload may contain a clear key or plaintext, which
     * ibm4767_wbuf_free cleanses.  The device keeps a GCM chain's state
     * and moves it on with each request, so a lost CONTINUE or FINAL may
     * have run and is not sent again.  Every other request is resendable:
     * a lost INITIAL leaves at most an unused chain, which the device ends
     * after it stays idle. */
    put_request(&wb, c, piece);
    cca_request_init(&req, c->verb,
                     c->p->mode != CCA_SYM_MODE_GCM
                         || step_starts(piece->step),
                     &wb);
    if (!step_starts(piece->step))
        req.device = c->chain->device;

    if (!cca_backend_call(be, &req, &reply, res))
        goto err;
    if (!read_reply(&reply, c, piece, res))
        goto err;
    if (!step_ends(piece->step))
        c->chain->device = res->device;
    ret = 1;

err:
    cca_reply_free(&reply);
    ibm4767_wbuf_free(&wb);
    return ret;
}

/* The step of a piece: the caller's step, split where the call takes
 * several requests. */
static uint32_t piece_step(uint32_t call_step, int first, int last)
{
    if (first && last)
        return call_step;
    if (first)
        return step_starts(call_step) ? CCA_SYM_CHAIN_INITIAL
                                      : CCA_SYM_CHAIN_CONTINUE;
    if (last)
        return step_ends(call_step) ? CCA_SYM_CHAIN_FINAL
                                    : CCA_SYM_CHAIN_CONTINUE;
    return CCA_SYM_CHAIN_CONTINUE;
}

/* AAD goes first, in pieces of IBM4767_SYM_DATA_MAX; the data starts in
 * the request that carries the last of the AAD. */
static int sym_call_run(struct cca_backend *be, struct sym_call *c,
                        const uint8_t *in, size_t in_len, uint8_t *out,
                        struct cca_result *res)
{
    const struct cca_sym_params *p = c->p;
    struct cca_sym_chain local;
    size_t aad_done = 0, done = 0;
    int first = 1, last = 0;

    if (c->chain == NULL) {
        memset(&local, 0, sizeof(local));
        c->chain = &local;
    }
    if (step_starts(p->chain)) {
        c->chain->device = -1;
        c->chain->len = 0;
    }

    while (!last) {
        struct sym_piece piece;
        size_t aad_left = p->aad_len - aad_done;

        memset(&piece, 0, sizeof(piece));
        piece.aad = p->aad_len > 0 ? p->aad + aad_done : NULL;
        piece.aad_len = aad_left < IBM4767_SYM_DATA_MAX ? aad_left
                                                        : IBM4767_SYM_DATA_MAX;
        if (piece.aad_len == aad_left) {
            piece.len = in_len - done;
            if (piece.len > IBM4767_SYM_DATA_MAX)
                piece.len = IBM4767_SYM_DATA_MAX;
        }
        piece.in = in_len > 0 ? in + done : NULL;
        piece.out = in_len > 0 ? out + done : NULL;
        last = piece.aad_len == aad_left && piece.len == in_len - done;
        piece.step = piece_step(p->chain, first, last);

        if (!send_piece(be, c, &piece, res))
            return 0;
        aad_done += piece.aad_len;
        done += piece.len;
        first = 0;
    }
    return 1;
}

static int sym_cipher(struct cca_backend *be, struct sym_call *c,
                      const uint8_t *in, size_t in_len, uint8_t *out,
                      struct cca_result *res)
{
    struct cca_result local;
    int ret = 0;

    if (res == NULL)
        res = &local;
    cca_result_init(res);
    if (be != NULL && be->cca != NULL)
        return c->verb == IBM4767_VERB_SYM_ENCIPHER
                   ? cca_lib_symmetric_encipher(be, c->p, c->chain, in,
                                                in_len, out, c->tag_out,
                                                c->tag_len, res)
                   : cca_lib_symmetric_decipher(be, c->p, c->chain, in,
                                                in_len, out, c->tag_in,
                                                c->tag_len, res);

    if (!check_call(c, in, in_len, out, res))
        return 0;
    ret = sym_call_run(be, c, in, in_len, out, res);

    /* Output of a failed call is never usable: a GCM plaintext whose tag
     * did not match must not be read, and a chain that broke off leaves a
     * partial result. */
    if (!ret && out != NULL)
        OPENSSL_cleanse(out, in_len);
    return ret;
}

int cca_symmetric_encipher(struct cca_backend *be,
                           const struct cca_sym_params *p,
                           struct cca_sym_chain *chain, const uint8_t *in,
                           size_t in_len, uint8_t *out, uint8_t *tag,
                           size_t tag_len, struct cca_result *res)
{
    struct sym_call c = {
        .verb = IBM4767_VERB_SYM_ENCIPHER, .p = p, .chain = chain,
        .tag_out = tag, .tag_len = tag_len,
    };

    return sym_cipher(be, &c, in, in_len, out, res);
}

int cca_symmetric_decipher(struct cca_backend *be,
                           const struct cca_sym_params *p,
                           struct cca_sym_chain *chain, const uint8_t *in,
                           size_t in_len, uint8_t *out, const uint8_t *tag,
                           size_t tag_len, struct cca_result *res)
{
    struct sym_call c = {
        .verb = IBM4767_VERB_SYM_DECIPHER, .p = p, .chain = chain,
        .tag_in = tag, .tag_len = tag_len,
    };

    return sym_cipher(be, &c, in, in_len, out, res);
}

/* Generate and import differ only in the last request field. */
static int sym_key_request(struct cca_backend *be, uint16_t verb,
                           uint32_t alg, uint32_t bits, uint32_t usage,
                           uint32_t mode, const uint8_t *key, size_t key_len,
                           uint8_t **token, size_t *token_len,
                           struct cca_result *res)
{
    struct cca_result local;
    struct ibm4767_wbuf wb;
    int ret = 0;

    if (res == NULL)
        res = &local;
    ibm4767_wbuf_init(&wb);
    cca_result_init(res);

    if (be != NULL && be->cca != NULL) {
        ret = verb == IBM4767_VERB_SYM_KEY_GENERATE
                  ? cca_lib_symmetric_key_generate(be, alg, bits, usage,
                                                   mode, token, token_len,
                                                   res)
                  : cca_lib_symmetric_key_import(be, alg, usage, mode, key,
                                                 key_len, token, token_len,
                                                 res);
        goto err;
    }
    if (token == NULL || token_len == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "%s needs token and token_len outputs",
                       ibm4767_verb_name(verb));
        goto err;
    }
    if (alg != CCA_SYM_ALG_AES) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_ALGORITHM_UNSUPPORTED,
                       "symmetric algorithm %u is not supported: use "
                       "CCA_SYM_ALG_AES", alg);
        goto err;
    }
    if (bits != 128 && bits != 192 && bits != 256) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                       "AES key of %u bits is invalid: use 128, 192 or 256 "
                       "bits", bits);
        goto err;
    }

    ibm4767_put_u32(&wb, alg);
    if (verb == IBM4767_VERB_SYM_KEY_GENERATE)
        ibm4767_put_u32(&wb, bits);
    ibm4767_put_u32(&wb, usage);
    ibm4767_put_u32(&wb, mode);
    if (verb == IBM4767_VERB_SYM_KEY_IMPORT)
        ibm4767_put_bytes(&wb, key, key_len);
    /* Resendable: a new key leaves no state in the device, so a second
     * attempt only returns another token. */
    ret = cca_call_take_bytes(be, verb, 1, &wb, token, token_len,
                              "AES key token", res);

err:
    ibm4767_wbuf_free(&wb);
    return ret;
}

int cca_symmetric_key_generate(struct cca_backend *be, uint32_t alg,
                               uint32_t bits, uint32_t usage, uint32_t mode,
                               uint8_t **token, size_t *token_len,
                               struct cca_result *res)
{
    return sym_key_request(be, IBM4767_VERB_SYM_KEY_GENERATE, alg, bits,
                           usage, mode, NULL, 0, token, token_len, res);
}

int cca_symmetric_key_import(struct cca_backend *be, uint32_t alg,
                             uint32_t usage, uint32_t mode,
                             const uint8_t *key, size_t key_len,
                             uint8_t **token, size_t *token_len,
                             struct cca_result *res)
{
    if (key == NULL) {
        if (res != NULL) {
            cca_result_init(res);
            cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                           "AES key import needs a clear key");
        }
        return 0;
    }
    return sym_key_request(be, IBM4767_VERB_SYM_KEY_IMPORT, alg,
                           (uint32_t)(key_len * 8), usage, mode, key,
                           key_len, token, token_len, res);
}
