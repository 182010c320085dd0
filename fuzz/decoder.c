/*
 * Fuzz target: the provider's decoders, fed through OSSL_DECODER as an
 * application's key loading does.  Built twice: fuzz-decoder-der feeds
 * the input as DER (raw CCA key tokens), fuzz-decoder-pem as PEM (the
 * CCA KEY TOKEN and CCA KEY LABEL blocks; a label names a record of the
 * key storage that fuzz_provider_start() fills).
 *
 * The first input byte chooses the selection and the key type asked for,
 * the rest is the encoded key.  A key that decodes is then printed,
 * encoded to SubjectPublicKeyInfo and to its token PEM, and that PEM must
 * decode to an equal key.
 */
#include <config.h>

#include <string.h>

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "fuzz.h"
#include "fuzz_provider.h"

#ifndef FUZZ_INPUT_TYPE
#error "define FUZZ_INPUT_TYPE as \"DER\" or \"PEM\""
#endif

static OSSL_LIB_CTX *libctx;

static const int selections[] = {
    OSSL_KEYMGMT_SELECT_KEYPAIR,
    OSSL_KEYMGMT_SELECT_PUBLIC_KEY,
    OSSL_KEYMGMT_SELECT_PRIVATE_KEY,
    OSSL_KEYMGMT_SELECT_ALL,
};

static const char *const key_types[] = { NULL, "RSA", "EC", "RSA-PSS" };

static EVP_PKEY *decode(const char *input_type, const char *key_type,
                        int selection, const uint8_t *data, size_t size)
{
    OSSL_DECODER_CTX *dctx;
    EVP_PKEY *pkey = NULL;

    dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, input_type, NULL, key_type,
                                         selection, libctx, FUZZ_PROPQ);
    if (dctx == NULL || !OSSL_DECODER_from_data(dctx, &data, &size))
        pkey = NULL;
    OSSL_DECODER_CTX_free(dctx);
    return pkey;
}

/* The token PEM of a key decodes to an equal key. */
static void check_token_pem(EVP_PKEY *pkey, BIO *out)
{
    EVP_PKEY *again;
    char *pem = NULL;
    long len;

    (void)BIO_reset(out);
    if (!PEM_write_bio_PrivateKey(out, pkey, NULL, NULL, 0, NULL, NULL))
        return; /* a public key has no token PEM of its own */
    len = BIO_get_mem_data(out, &pem);
    FUZZ_CHECK(len > 0);
    again = decode("PEM", NULL, OSSL_KEYMGMT_SELECT_ALL, (uint8_t *)pem,
                   (size_t)len);
    FUZZ_CHECK(again != NULL);
    FUZZ_CHECK(EVP_PKEY_eq(pkey, again) == 1);
    EVP_PKEY_free(again);
}

static void use_key(EVP_PKEY *pkey)
{
    BIO *out = BIO_new(BIO_s_mem());
    unsigned char *spki = NULL;
    int len;

    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(EVP_PKEY_get_bits(pkey) > 0);
    (void)EVP_PKEY_get_security_bits(pkey);
    (void)EVP_PKEY_get_size(pkey);
    (void)EVP_PKEY_print_public(out, pkey, 0, NULL);
    (void)EVP_PKEY_print_private(out, pkey, 0, NULL);
    len = i2d_PUBKEY(pkey, &spki);
    FUZZ_CHECK(len > 0);
    check_token_pem(pkey, out);
    OPENSSL_free(spki);
    BIO_free(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    libctx = fuzz_provider_start();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    EVP_PKEY *pkey;
    uint8_t choice;

    if (size < 1)
        return 0;
    choice = data[0];
    pkey = decode(FUZZ_INPUT_TYPE, key_types[(choice >> 2) & 3],
                  selections[choice & 3], data + 1, size - 1);
    if (pkey != NULL)
        use_key(pkey);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    return 0;
}
