/*
 * Decoder for a CCA KEY LABEL PEM file: a key file that names a key
 * storage label instead of holding a key, for servers that accept only a
 * key file (nginx's ssl_certificate_key, HAProxy's crt bundle).
 *
 *   -----BEGIN CCA KEY LABEL-----
 *   V0VCLlRMUy5SU0EgICAgICAg...
 *   -----END CCA KEY LABEL-----
 *
 * The body is the base64 of CCA's 64-byte label field (the label,
 * space-padded), as `ibm4767-keys export-ref` writes it.  A shorter body
 * with just the label text is accepted too.  The decoder reads the
 * record's token from key storage and passes the token bytes on as DER.
 * The token decoders of decoder.c turn them into a key, so every path that
 * loads a CCA KEY TOKEN PEM loads this file as well.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <ibm4767/keystore.h>

#include "prov.h"

struct label_decoder_ctx {
    struct ibm4767_provctx *provctx;
};

static void *label_newctx(void *provctx)
{
    struct label_decoder_ctx *ctx = OPENSSL_zalloc(sizeof(*ctx));

    if (ctx == NULL) {
        IBM4767_RAISE(provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot allocate a key label decoder context");
        return NULL;
    }
    ctx->provctx = provctx;
    return ctx;
}

static void label_freectx(void *vctx)
{
    OPENSSL_free(vctx);
}

/* Turn the PEM body into a canonical label.  Returns 1, or 0 (raised). */
static int label_from_body(struct label_decoder_ctx *ctx,
                           const unsigned char *data, long len,
                           char label[CCA_LABEL_TEXT_MAX + 1])
{
    char text[CCA_LABEL_LEN + 1];
    char detail[512];

    if (len <= 0 || len > CCA_LABEL_LEN ||
        memchr(data, '\0', (size_t)len) != NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PEM,
                      "CCA KEY LABEL PEM body is %ld bytes; it must be a "
                      "label of at most %d characters, space-padded",
                      len, CCA_LABEL_LEN);
        return 0;
    }
    memcpy(text, data, (size_t)len);
    text[len] = '\0';
    if (!cca_label_parse(text, label, detail, sizeof(detail))) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PEM,
                      "CCA KEY LABEL PEM: %u/%u: %s", CCA_RC_ERROR,
                      CCA_RS_LABEL_INVALID, detail);
        return 0;
    }
    return 1;
}

/* Check the token the way a key would take it, so that a damaged token
 * stops decoding with what is wrong with it. */
static int label_check_token(struct label_decoder_ctx *ctx,
                             const uint8_t *token, size_t len)
{
    struct ibm4767_key *key = ibm4767_key_new(ctx->provctx, 0);
    int ok = key != NULL && ibm4767_key_set_token(key, token, len);

    ibm4767_key_free(key);
    return ok;
}

static int label_pass_token(struct label_decoder_ctx *ctx,
                            const char *label, OSSL_CALLBACK *data_cb,
                            void *data_cbarg)
{
    static int object_type = OSSL_OBJECT_PKEY;
    OSSL_PARAM params[3];
    uint8_t *token = NULL;
    size_t token_len = 0;
    int ret = 0;

    if (!ibm4767_keystore_read_token(ctx->provctx, label, &token,
                                     &token_len) ||
        !label_check_token(ctx, token, token_len))
        goto err;

    params[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE,
                                         &object_type);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA,
                                                  token, token_len);
    params[2] = OSSL_PARAM_construct_end();
    ret = data_cb(params, data_cbarg);
    if (ret)
        IBM4767_DEBUG("CCA KEY LABEL PEM: passed on the token of label %s",
                      label);

err:
    OPENSSL_clear_free(token, token_len);
    return ret;
}

static int label_decode(void *vctx, OSSL_CORE_BIO *cin, int selection,
                        OSSL_CALLBACK *data_cb, void *data_cbarg,
                        OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    struct label_decoder_ctx *ctx = vctx;
    char label[CCA_LABEL_TEXT_MAX + 1];
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    int ret = 0;
    BIO *in;

    in = BIO_new_from_core_bio(ctx->provctx->libctx, cin);
    if (in == NULL) {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot open the decoder's input");
        return 0;
    }

    /* The next PEM block; anything else is left to other decoders. */
    ERR_set_mark();
    if (!PEM_read_bio(in, &name, &header, &data, &len) ||
        strcmp(name, IBM4767_PEM_LABEL_LABEL) != 0) {
        ERR_pop_to_mark();
        ret = 1;
        goto err;
    }
    ERR_clear_last_mark();

    if (header[0] != '\0') {
        IBM4767_RAISE(ctx->provctx, IBM4767_R_INVALID_PEM,
                      "CCA KEY LABEL PEM has headers; the block contains only "
                      "the label");
        goto err;
    }
    if (!label_from_body(ctx, data, len, label))
        goto err;
    ret = label_pass_token(ctx, label, data_cb, data_cbarg);

err:
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    BIO_free(in);
    return ret;
}

const OSSL_DISPATCH ibm4767_label_pem2der_decoder_functions[] = {
    { OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))label_newctx },
    { OSSL_FUNC_DECODER_FREECTX, (void (*)(void))label_freectx },
    { OSSL_FUNC_DECODER_DECODE, (void (*)(void))label_decode },
    { 0, NULL },
};
