/*
 * Encoders for keys of this provider: the key token as a CCA KEY TOKEN PEM
 * (what PEM_write_bio_PrivateKey writes, so `openssl pkey -out` copies a
 * key file without any clear key), and the public key as
 * SubjectPublicKeyInfo in PEM and DER.  The text encoder is in
 * encoder_text.c.
 */
#include <openssl/bio.h>
#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "prov.h"

/* The encoders keep no state of their own: the context is the provider's. */
static void *encoder_newctx(void *provctx)
{
    return provctx;
}

static void encoder_freectx(void *vctx)
{
}

/* Return the key an encoder was given, or NULL (raised).  Keys of other
 * providers would arrive as obj_abstract, which these encoders do not
 * take: OpenSSL then uses another provider's encoder. */
static struct ibm4767_key *encoder_key(struct ibm4767_provctx *ctx,
                                       const void *obj_raw,
                                       const OSSL_PARAM obj_abstract[])
{
    struct ibm4767_key *key = (struct ibm4767_key *)obj_raw;

    if (obj_abstract != NULL || key == NULL || key->token == NULL) {
        IBM4767_RAISE(ctx, IBM4767_R_NO_KEY,
                      "the encoder needs a key of this provider");
        return NULL;
    }
    return key;
}

static int token_does_selection(void *provctx, int selection)
{
    return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0;
}

static int token_pem_encode(void *vctx, OSSL_CORE_BIO *cout,
                            const void *obj_raw,
                            const OSSL_PARAM obj_abstract[], int selection,
                            OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    struct ibm4767_provctx *ctx = vctx;
    struct ibm4767_key *key;
    BIO *out = NULL;
    int ret = 0;

    key = encoder_key(ctx, obj_raw, obj_abstract);
    if (key == NULL)
        goto err;
    if (!key->tok.has_private) {
        IBM4767_RAISE(ctx, IBM4767_R_NO_KEY,
                      "the key is a public key: it has no private key token "
                      "to write; write its public key instead");
        goto err;
    }
    out = BIO_new_from_core_bio(ctx->libctx, cout);
    if (out == NULL
        || PEM_write_bio(out, IBM4767_PEM_TOKEN_LABEL, "", key->token,
                         (long)key->token_len) <= 0) {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PEM,
                      "cannot write the CCA KEY TOKEN PEM");
        goto err;
    }
    ret = 1;

err:
    BIO_free(out);
    return ret;
}

static int spki_does_selection(void *provctx, int selection)
{
    return (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0;
}

static int spki_encode(struct ibm4767_provctx *ctx, OSSL_CORE_BIO *cout,
                       const void *obj_raw, const OSSL_PARAM obj_abstract[],
                       int pem)
{
    struct ibm4767_key *key;
    uint8_t *der = NULL;
    size_t der_len = 0;
    BIO *out = NULL;
    int ok = 0, ret = 0;

    key = encoder_key(ctx, obj_raw, obj_abstract);
    if (key == NULL || !ibm4767_der_spki(key, &der, &der_len))
        goto err;
    out = BIO_new_from_core_bio(ctx->libctx, cout);
    if (out != NULL && pem)
        ok = PEM_write_bio(out, PEM_STRING_PUBLIC, "", der,
                           (long)der_len) > 0;
    else if (out != NULL)
        ok = BIO_write(out, der, (int)der_len) == (int)der_len;
    if (!ok) {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_KEY,
                      "cannot write the SubjectPublicKeyInfo");
        goto err;
    }
    ret = 1;

err:
    BIO_free(out);
    OPENSSL_free(der);
    return ret;
}

static int spki_pem_encode(void *vctx, OSSL_CORE_BIO *cout,
                           const void *obj_raw,
                           const OSSL_PARAM obj_abstract[], int selection,
                           OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    return spki_encode(vctx, cout, obj_raw, obj_abstract, 1);
}

static int spki_der_encode(void *vctx, OSSL_CORE_BIO *cout,
                           const void *obj_raw,
                           const OSSL_PARAM obj_abstract[], int selection,
                           OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    return spki_encode(vctx, cout, obj_raw, obj_abstract, 0);
}

const OSSL_DISPATCH ibm4767_token_pem_encoder_functions[] = {
    { OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))encoder_newctx },
    { OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))encoder_freectx },
    { OSSL_FUNC_ENCODER_DOES_SELECTION,
      (void (*)(void))token_does_selection },
    { OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))token_pem_encode },
    { 0, NULL },
};

const OSSL_DISPATCH ibm4767_spki_pem_encoder_functions[] = {
    { OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))encoder_newctx },
    { OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))encoder_freectx },
    { OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))spki_does_selection },
    { OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))spki_pem_encode },
    { 0, NULL },
};

const OSSL_DISPATCH ibm4767_spki_der_encoder_functions[] = {
    { OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))encoder_newctx },
    { OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))encoder_freectx },
    { OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))spki_does_selection },
    { OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))spki_der_encode },
    { 0, NULL },
};
