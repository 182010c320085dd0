/*
 * Fuzz target: parameter handling of the provider's AES cipher contexts
 * (ECB, CBC, CTR, GCM).  The parameters go to EVP_CipherInit_ex2 or to
 * EVP_CIPHER_CTX_set_params and are read back with
 * EVP_CIPHER_CTX_get_params.  A key token parameter is checked on the
 * host.  On request a short message is encrypted or decrypted too, which
 * fails at the latest when it reaches for the device.
 *
 * Input: u8 cipher, u8 flags, the parameters (params.h), u8 message
 * length, then the buffer sizes of the parameters read back.
 */
#include <config.h>

#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include <ibm4767/protocol.h>

#include "fuzz.h"
#include "fuzz_provider.h"
#include "params.h"

#define FLAG_DECRYPT     0x01u
#define FLAG_CLEAR_KEY   0x02u /* a clear key in the init call */
#define FLAG_IV          0x04u /* an IV in the init call */
#define FLAG_INIT_PARAMS 0x08u /* the parameters go to the init call */
#define FLAG_GET         0x10u
#define FLAG_RUN         0x20u
#define FLAG_TOKEN       0x40u /* the AES token of fuzz_provider_start() */

static const char *const cipher_names[] = {
    "AES-128-ECB", "AES-192-ECB", "AES-256-ECB",
    "AES-128-CBC", "AES-192-CBC", "AES-256-CBC",
    "AES-128-CTR", "AES-192-CTR", "AES-256-CTR",
    "AES-128-GCM", "AES-192-GCM", "AES-256-GCM",
};

#define CIPHERS (sizeof(cipher_names) / sizeof(cipher_names[0]))

static OSSL_LIB_CTX *libctx;
static EVP_CIPHER *ciphers[CIPHERS];

static void run_message(EVP_CIPHER_CTX *ctx, size_t msg_len)
{
    uint8_t msg[64], out[128];
    int n = 0;

    memset(msg, 0xA5, sizeof(msg));
    if (EVP_CipherUpdate(ctx, out, &n, msg, (int)msg_len) == 1)
        (void)EVP_CipherFinal_ex(ctx, out + n, &n);
}

static void read_back(EVP_CIPHER_CTX *ctx, struct fuzz_input *in)
{
    struct fuzz_params request;
    const OSSL_PARAM *gettable = EVP_CIPHER_CTX_gettable_params(ctx);

    if (gettable == NULL)
        return;
    (void)EVP_CIPHER_CTX_get_params(ctx, fuzz_params_request(&request, in,
                                                             gettable));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    libctx = fuzz_provider_start();
    for (size_t i = 0; i < CIPHERS; i++) {
        ciphers[i] = EVP_CIPHER_fetch(libctx, cipher_names[i], FUZZ_PROPQ);
        FUZZ_CHECK(ciphers[i] != NULL);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t key[32] = { 0x2B, 0x7E, 0x15, 0x16 };
    /* An IV length set in the same init call applies to this IV, in
     * OpenSSL's own GCM as here, so the buffer has the longest length
     * the provider accepts. */
    static const uint8_t iv[IBM4767_SYM_IV_MAX] = { 0x00, 0x01, 0x02 };
    struct fuzz_input in = { data, size };
    struct fuzz_params set;
    EVP_CIPHER *cipher = ciphers[fuzz_get_u8(&in) % CIPHERS];
    uint8_t flags = fuzz_get_u8(&in);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    OSSL_PARAM token_param[2];
    const OSSL_PARAM *params;
    const uint8_t *token;
    size_t token_len, msg_len;

    FUZZ_CHECK(ctx != NULL);
    params = fuzz_params_read(&set, &in, FUZZ_PARAMS_MAX);
    msg_len = fuzz_get_u8(&in) % 65;
    if ((flags & FLAG_TOKEN) && !(flags & FLAG_CLEAR_KEY)) {
        token = fuzz_token(FUZZ_TOKEN_AES, &token_len);
        token_param[0] = OSSL_PARAM_construct_octet_string(
            "ibm4767-key-token", (void *)token, token_len);
        token_param[1] = OSSL_PARAM_construct_end();
        if (EVP_CipherInit_ex2(ctx, cipher, NULL, NULL,
                               !(flags & FLAG_DECRYPT), token_param) != 1)
            goto done;
    }
    if (EVP_CipherInit_ex2(ctx, cipher,
                           (flags & FLAG_CLEAR_KEY) ? key : NULL,
                           (flags & FLAG_IV) ? iv : NULL,
                           !(flags & FLAG_DECRYPT),
                           (flags & FLAG_INIT_PARAMS) ? params : NULL) != 1)
        goto done;
    if (!(flags & FLAG_INIT_PARAMS)
        && EVP_CIPHER_CTX_set_params(ctx, params) != 1)
        goto done;
    if (flags & FLAG_GET)
        read_back(ctx, &in);
    if (flags & FLAG_RUN)
        run_message(ctx, msg_len);

done:
    EVP_CIPHER_CTX_free(ctx);
    ERR_clear_error();
    return 0;
}
