/*
 * Decoders from a CCA key token to a key of this provider.  A PEM block
 * labelled CCA KEY TOKEN, whose body is the token bytes, decodes to a key
 * ("pem" input) or, for OSSL_STORE, to the raw token bytes; raw token
 * bytes ("der" input) decode to a key.  OpenSSL 3.0's own PEM decoder
 * passes on only the labels it recognizes, so this provider reads its PEM
 * label itself.
 *
 * A decoder that finds input that is not its own returns 1 without an
 * object, and OpenSSL rewinds the input for the next decoder.  Returning
 * 0 stops decoding altogether; that is kept for a token PEM or token that
 * is damaged, so the caller sees what is wrong with it.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "prov.h"

#define PEM_BEGIN        "-----BEGIN "
#define PEM_END          "-----END "
#define PEM_TOKEN_BEGIN  PEM_BEGIN IBM4767_PEM_TOKEN_LABEL "-----"
#define PEM_TOKEN_END    PEM_END IBM4767_PEM_TOKEN_LABEL "-----"
/* Base64 of the largest token (6500 bytes) takes 8668 characters. */
#define PEM_BODY_MAX     12000
#define PEM_LINE_MAX     256
/* Lines read before the BEGIN line, as text in front of a PEM block. */
#define PEM_PREAMBLE_MAX 1000
/* Lines read after it before giving up; the largest token takes 136. */
#define PEM_BODY_LINES_MAX 1000

struct token_decoder_ctx {
    struct ibm4767_provctx *provctx;
    uint32_t alg;                /* CCA_ALG_RSA or CCA_ALG_EC */
    int is_pss;                  /* RSA: decode RSA-PSS keys, not RSA */
};

static void *decoder_newctx(void *provctx, uint32_t alg, int is_pss)
{
    struct token_decoder_ctx *ctx = OPENSSL_zalloc(sizeof(*ctx));

    if (ctx == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate a key token decoder context");
        return NULL;
    }
    ctx->provctx = provctx;
    ctx->alg = alg;
    ctx->is_pss = is_pss;
    return ctx;
}

static void *decoder_rsa_newctx(void *provctx)
{
    return decoder_newctx(provctx, CCA_ALG_RSA, 0);
}

/* A token with the RSA-PSS section contains an RSA-PSS key. */
static void *decoder_rsapss_newctx(void *provctx)
{
    return decoder_newctx(provctx, CCA_ALG_RSA, 1);
}

static void *decoder_ec_newctx(void *provctx)
{
    return decoder_newctx(provctx, CCA_ALG_EC, 0);
}

static void decoder_freectx(void *vctx)
{
    OPENSSL_free(vctx);
}

/* A key token contains a public key and, when internal, a private key. */
static int decoder_does_selection(void *provctx, int selection)
{
    if (selection == 0)
        return 1;
    return (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0;
}

/*
 * Make a key of the decoder's type from token and pass it on.  A token of
 * another key type (RSA, RSA-PSS or EC) is left to that type's decoder
 * (return 1, no object).
 */
static int decoder_pass_token(struct token_decoder_ctx *ctx,
                              const uint8_t *token, size_t token_len,
                              int selection, OSSL_CALLBACK *data_cb,
                              void *data_cbarg)
{
    static int object_type = OSSL_OBJECT_PKEY;
    struct ibm4767_key *key;
    OSSL_PARAM params[4];
    const char *data_type;
    int ret = 0;

    key = ibm4767_key_new(ctx->provctx, 0);
    if (key == NULL || !ibm4767_key_set_token(key, token, token_len))
        goto err;
    if (key->alg != ctx->alg || key->is_pss != ctx->is_pss) {
        ret = 1;
        goto err;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0
        && (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) == 0
        && !key->tok.has_private) {
        ret = 1; /* a public token cannot serve a private-key request */
        goto err;
    }
    /* A request for the public key only (PEM_read_bio_PUBKEY, or
     * OSSL_STORE expecting a public key, as for `pkeyutl -peerkey`) gets
     * the public part of a private token, as a public key object. */
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0
        && (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) == 0
        && !ibm4767_key_drop_private(key))
        goto err;

    data_type = ibm4767_key_type_name(key);
    params[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE,
                                         &object_type);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE,
                                                 (char *)data_type, 0);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE,
                                                  &key, sizeof(key));
    params[3] = OSSL_PARAM_construct_end();
    /* The key management's load takes key and sets it to NULL. */
    ret = data_cb(params, data_cbarg);

err:
    ibm4767_key_free(key);
    return ret;
}

/* Strip the line end; returns the length left. */
static size_t chomp(char *line)
{
    size_t len = strlen(line);

    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    return len;
}

/*
 * Read the lines up to the first BEGIN line.  Returns 1 with *is_token
 * telling whether it is this provider's label, or 0 when the input ends
 * first (not a PEM block: nothing for this decoder).
 */
static int pem_find_begin(BIO *in, char *line, int *is_token)
{
    int i;

    for (i = 0; i < PEM_PREAMBLE_MAX; i++) {
        if (BIO_gets(in, line, PEM_LINE_MAX) <= 0)
            return 0;
        chomp(line);
        if (strncmp(line, PEM_BEGIN, strlen(PEM_BEGIN)) != 0)
            continue;
        *is_token = strcmp(line, PEM_TOKEN_BEGIN) == 0;
        return 1;
    }
    return 0;
}

/* The first problem found in a token PEM body and the line it is on. */
struct pem_problem {
    int line;                /* 0: nothing wrong yet */
    const char *what;
};

static void note_problem(struct pem_problem *pp, int line, const char *what)
{
    if (pp->line == 0) {
        pp->line = line;
        pp->what = what;
    }
}

/*
 * Read the base64 body of a CCA KEY TOKEN block up to its END line and
 * decode it into *token; raises naming the first bad line.  A damaged
 * block is still read to its end.  Otherwise OSSL_STORE takes each
 * remaining line for a new object, and their errors push this one out of
 * OpenSSL's 16-entry error queue.
 */
static int pem_read_token_body(struct token_decoder_ctx *ctx, BIO *in,
                               uint8_t **token, size_t *token_len)
{
    struct pem_problem problem = { 0, NULL };
    char line[PEM_LINE_MAX];
    EVP_ENCODE_CTX *b64 = NULL;
    uint8_t *out = NULL;
    size_t total = 0, body = 0, len;
    int line_no = 1, n = 0, have_end = 0, ret = 0;

    b64 = EVP_ENCODE_CTX_new();
    out = OPENSSL_malloc(PEM_BODY_MAX);
    if (b64 == NULL || out == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate a PEM decoding buffer");
        goto err;
    }
    EVP_DecodeInit(b64);
    while (line_no < PEM_BODY_LINES_MAX
           && BIO_gets(in, line, sizeof(line)) > 0) {
        line_no++;
        len = chomp(line);
        if (strcmp(line, PEM_TOKEN_END) == 0) {
            have_end = 1;
            break;
        }
        body += len;
        if (problem.line != 0)
            continue;
        if (strchr(line, ':') != NULL)
            note_problem(&problem, line_no,
                         "a PEM header; a token PEM has none");
        else if (body > PEM_BODY_MAX)
            note_problem(&problem, line_no, "past the size of any key token");
        else if (EVP_DecodeUpdate(b64, out + total, &n, (unsigned char *)line,
                                  (int)len) < 0)
            note_problem(&problem, line_no,
                         "not valid base64; the file is damaged");
        else
            total += (size_t)n;
    }

    if (problem.line != 0) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PEM,
                      "CCA KEY TOKEN PEM line %d is %s", problem.line,
                      problem.what);
        goto err;
    }
    if (!have_end) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PEM,
                      "CCA KEY TOKEN PEM ends after line %d without its END "
                      "line; the file is truncated", line_no);
        goto err;
    }
    if (EVP_DecodeFinal(b64, out + total, &n) < 0) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PEM,
                      "CCA KEY TOKEN PEM body is not valid base64 (it ends "
                      "in the middle of a group); the file is damaged");
        goto err;
    }
    total += (size_t)n;
    *token = out;
    *token_len = total;
    out = NULL;
    ret = 1;

err:
    OPENSSL_free(out);
    EVP_ENCODE_CTX_free(b64);
    return ret;
}

/* Parse token the way a key would, raising what is wrong with it.  A
 * damaged token then stops decoding here with that message, where a
 * later decoder could only report that nothing decoded. */
static int check_token(struct token_decoder_ctx *ctx, const uint8_t *token,
                       size_t token_len)
{
    struct ibm4767_key *key = ibm4767_key_new(ctx->provctx, 0);
    int ok;

    ok = key != NULL && ibm4767_key_set_token(key, token, token_len);
    ibm4767_key_free(key);
    return ok;
}

/* Read the body of the first PEM block of cin into *token when the block
 * is a CCA KEY TOKEN.  Returns 1 with *token left NULL when the input
 * holds no such block, so other decoders may try, and 0 (raised) on an
 * error. */
static int pem_read_input(struct token_decoder_ctx *ctx, OSSL_CORE_BIO *cin,
                          uint8_t **token, size_t *token_len)
{
    char line[PEM_LINE_MAX];
    int is_token = 0, ret = 0;
    BIO *in;

    in = BIO_new_from_core_bio(ctx->provctx->libctx, cin);
    if (in == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot open the decoder's input");
        return 0;
    }
    if (!pem_find_begin(in, line, &is_token) || !is_token) {
        ret = 1; /* not a CCA KEY TOKEN block: let other decoders try */
        goto err;
    }
    if (!pem_read_token_body(ctx, in, token, token_len))
        goto err;
    ret = 1;

err:
    BIO_free(in);
    return ret;
}

/*
 * PEM to DER: the body of a CCA KEY TOKEN block passed on as raw token
 * bytes for the "der" decoders.  OSSL_STORE's file: loader only chains
 * decoders that end in DER, so this is the path `openssl pkey -in`,
 * `s_server -key` and other OSSL_STORE users take to a token PEM.
 */
static int pem2der_decode(void *vctx, OSSL_CORE_BIO *cin, int selection,
                          OSSL_CALLBACK *data_cb, void *data_cbarg,
                          OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    static int object_type = OSSL_OBJECT_PKEY;
    struct token_decoder_ctx *ctx = vctx;
    uint8_t *token = NULL;
    size_t token_len = 0;
    OSSL_PARAM params[3];
    int ret = 0;

    if (!pem_read_input(ctx, cin, &token, &token_len))
        return 0;
    if (token == NULL)
        return 1;
    if (!check_token(ctx, token, token_len))
        goto err;

    params[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE,
                                         &object_type);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA,
                                                  token, token_len);
    params[2] = OSSL_PARAM_construct_end();
    ret = data_cb(params, data_cbarg);

err:
    OPENSSL_free(token);
    return ret;
}

static int pem_decode(void *vctx, OSSL_CORE_BIO *cin, int selection,
                      OSSL_CALLBACK *data_cb, void *data_cbarg,
                      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    struct token_decoder_ctx *ctx = vctx;
    uint8_t *token = NULL;
    size_t token_len = 0;
    int ret;

    if (!pem_read_input(ctx, cin, &token, &token_len))
        return 0;
    if (token == NULL)
        return 1;
    ret = decoder_pass_token(ctx, token, token_len, selection, data_cb,
                             data_cbarg);
    OPENSSL_free(token);
    return ret;
}

/* Return 1 when buf starts like a PKA key token: identifier 0x1E or 0x1F
 * and version 0.  Other binary input is left alone: DER starts with 0x30,
 * and 0x1F 0x00 is no valid DER tag. */
static int looks_like_token(const uint8_t *buf, size_t len)
{
    if (len < 4)
        return 0;
    return (buf[0] == CCA_TOKEN_INTERNAL_PKA
            || buf[0] == CCA_TOKEN_EXTERNAL_PKA)
           && buf[1] == 0x00;
}

static int der_decode(void *vctx, OSSL_CORE_BIO *cin, int selection,
                      OSSL_CALLBACK *data_cb, void *data_cbarg,
                      OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    struct token_decoder_ctx *ctx = vctx;
    uint8_t *buf = NULL;
    size_t len = 0, n = 0;
    int ret = 0;
    BIO *in;

    in = BIO_new_from_core_bio(ctx->provctx->libctx, cin);
    buf = OPENSSL_malloc(CCA_TOKEN_MAX + 1);
    if (in == NULL || buf == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot open the decoder's input");
        goto err;
    }
    /* Read one byte past the largest token to tell a token from a
     * longer input. */
    while (len <= CCA_TOKEN_MAX
           && BIO_read_ex(in, buf + len, CCA_TOKEN_MAX + 1 - len, &n)
           && n > 0)
        len += n;
    if (!looks_like_token(buf, len)) {
        ret = 1; /* not a key token: let other decoders try */
        goto err;
    }
    ret = decoder_pass_token(ctx, buf, len, selection, data_cb, data_cbarg);

err:
    OPENSSL_free(buf);
    BIO_free(in);
    return ret;
}

const OSSL_DISPATCH ibm4767_token_pem_rsa_decoder_functions[] = {
    { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))decoder_rsa_newctx },
    { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))decoder_freectx },
    { OSSL_FUNC_DECODER_DOES_SELECTION,
      (void (*)(void))decoder_does_selection },
    { OSSL_FUNC_DECODER_DECODE, (void (*)(void))pem_decode },
    { 0, NULL },
};

const OSSL_DISPATCH ibm4767_token_pem_rsapss_decoder_functions[] = {
    { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))decoder_rsapss_newctx },
    { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))decoder_freectx },
    { OSSL_FUNC_DECODER_DOES_SELECTION,
      (void (*)(void))decoder_does_selection },
    { OSSL_FUNC_DECODER_DECODE, (void (*)(void))pem_decode },
    { 0, NULL },
};

const OSSL_DISPATCH ibm4767_token_pem_ec_decoder_functions[] = {
    { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))decoder_ec_newctx },
    { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))decoder_freectx },
    { OSSL_FUNC_DECODER_DOES_SELECTION,
      (void (*)(void))decoder_does_selection },
    { OSSL_FUNC_DECODER_DECODE, (void (*)(void))pem_decode },
    { 0, NULL },
};

const OSSL_DISPATCH ibm4767_token_pem2der_decoder_functions[] = {
    { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))decoder_rsa_newctx },
    { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))decoder_freectx },
    { OSSL_FUNC_DECODER_DECODE, (void (*)(void))pem2der_decode },
    { 0, NULL },
};

const OSSL_DISPATCH ibm4767_token_der_rsa_decoder_functions[] = {
    { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))decoder_rsa_newctx },
    { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))decoder_freectx },
    { OSSL_FUNC_DECODER_DOES_SELECTION,
      (void (*)(void))decoder_does_selection },
    { OSSL_FUNC_DECODER_DECODE, (void (*)(void))der_decode },
    { 0, NULL },
};

const OSSL_DISPATCH ibm4767_token_der_rsapss_decoder_functions[] = {
    { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))decoder_rsapss_newctx },
    { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))decoder_freectx },
    { OSSL_FUNC_DECODER_DOES_SELECTION,
      (void (*)(void))decoder_does_selection },
    { OSSL_FUNC_DECODER_DECODE, (void (*)(void))der_decode },
    { 0, NULL },
};

const OSSL_DISPATCH ibm4767_token_der_ec_decoder_functions[] = {
    { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))decoder_ec_newctx },
    { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))decoder_freectx },
    { OSSL_FUNC_DECODER_DOES_SELECTION,
      (void (*)(void))decoder_does_selection },
    { OSSL_FUNC_DECODER_DECODE, (void (*)(void))der_decode },
    { 0, NULL },
};
