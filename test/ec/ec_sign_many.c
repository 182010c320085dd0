/*
 * ec_sign_many KEY COUNT [SIGNATURE-FILE]
 *
 * Sign COUNT random messages with an EC key in the device through the
 * ibm4767 provider, cycling through SHA-1 to SHA-512.  KEY is a token PEM
 * file, or import:CURVE (P-256, P-384, P-521) to generate a key in the
 * default provider and import its private scalar into the device with
 * EVP_PKEY_fromdata.  An imported key must match the original and must
 * refuse to export its private part.  The
 * signatures come in turn from one-shot EVP_DigestSign, from streaming
 * EVP_DigestSignUpdate/Final, and from EVP_PKEY_sign over a digest made on
 * the host.  Each signature must
 *   - be no longer than EVP_PKEY_get_size(),
 *   - be strict DER (decoding and re-encoding gives the same bytes),
 *   - verify with the default provider alone, in a library context that
 *     has never loaded ibm4767.
 * Every 50th signature is also verified in the device, and a changed
 * message must fail that verification.  The first signature is written to
 * SIGNATURE-FILE for "openssl asn1parse".
 *
 * The ibm4767 module is found through OPENSSL_MODULES and the device
 * through IBM4767_DEVICES.  Exit status: 0 pass, 1 a check failed, 99 the
 * test could not run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#define EXIT_CHECK_FAILED 1
#define EXIT_HARD_ERROR   99
#define MAX_MESSAGE_LEN   2048
#define MAX_SIGNATURE_LEN 256

enum sign_mode { SIGN_ONE_SHOT = 0, SIGN_STREAMING, SIGN_DIGEST, SIGN_MODES };

static const char *const digest_names[] = {
    "SHA1", "SHA224", "SHA256", "SHA384", "SHA512",
};
#define DIGEST_COUNT (sizeof(digest_names) / sizeof(digest_names[0]))

static const char *const mode_names[] = {
    "EVP_DigestSign", "EVP_DigestSignUpdate/Final", "EVP_PKEY_sign",
};

struct test_state {
    OSSL_LIB_CTX *device_ctx;    /* ibm4767 and default */
    OSSL_LIB_CTX *reference_ctx; /* default only */
    OSSL_PROVIDER *providers[3];
    EVP_PKEY *key;               /* device key */
    EVP_PKEY *reference_pub;     /* its public key in reference_ctx */
    size_t max_size;
};

static void report(const char *what, size_t index, const char *md,
                   int mode)
{
    fprintf(stderr, "FAIL: signature %zu (%s, %s): %s\n", index, md,
            mode_names[mode], what);
    ERR_print_errors_fp(stderr);
}

static EVP_PKEY *load_key(OSSL_LIB_CTX *libctx, const char *path)
{
    EVP_PKEY *key = NULL;
    BIO *in = BIO_new_file(path, "r");

    if (in != NULL)
        key = PEM_read_bio_PrivateKey_ex(in, NULL, NULL, NULL, libctx, NULL);
    BIO_free(in);
    return key;
}

/*
 * Generate a key of curve in the default provider and import its private
 * scalar and public point into the device.  The result must be the same
 * key, and its private part must not export.
 */
static EVP_PKEY *import_key(OSSL_LIB_CTX *libctx, const char *curve)
{
    EVP_PKEY *original = NULL;
    EVP_PKEY *imported = NULL;
    EVP_PKEY *ret = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    OSSL_PARAM *params = NULL;
    OSSL_PARAM *exported = NULL;

    original = EVP_PKEY_Q_keygen(libctx, "provider=default", "EC", curve);
    pctx = EVP_PKEY_CTX_new_from_name(libctx, "EC", "provider=ibm4767");
    if (original == NULL || pctx == NULL
        || EVP_PKEY_todata(original, EVP_PKEY_KEYPAIR, &params) <= 0
        || EVP_PKEY_fromdata_init(pctx) <= 0
        || EVP_PKEY_fromdata(pctx, &imported, EVP_PKEY_KEYPAIR, params) <= 0) {
        fprintf(stderr, "cannot import a %s key into the device\n", curve);
        goto err;
    }
    if (EVP_PKEY_eq(imported, original) != 1) {
        fprintf(stderr, "the imported %s key does not match the original\n",
                curve);
        goto err;
    }
    if (EVP_PKEY_todata(imported, EVP_PKEY_KEYPAIR, &exported) > 0) {
        fprintf(stderr, "the imported %s key exported its private part\n",
                curve);
        goto err;
    }
    ERR_clear_error();
    ret = imported;
    imported = NULL;

err:
    /* OpenSSL 3.0 has no OSSL_PARAM_clear_free; this test key is thrown
     * away, so its scalar in params is not cleansed. */
    OSSL_PARAM_free(exported);
    OSSL_PARAM_free(params);
    EVP_PKEY_free(imported);
    EVP_PKEY_free(original);
    EVP_PKEY_CTX_free(pctx);
    return ret;
}

/* The public key of key, decoded again inside libctx. */
static EVP_PKEY *public_copy(EVP_PKEY *key, OSSL_LIB_CTX *libctx)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    EVP_PKEY *pub = NULL;
    int len;

    len = i2d_PUBKEY(key, &der);
    if (len <= 0)
        return NULL;
    p = der;
    pub = d2i_PUBKEY_ex(NULL, &p, len, libctx, NULL);
    OPENSSL_free(der);
    return pub;
}

static int sign_message(const struct test_state *st, const char *md,
                        int mode, const unsigned char *msg, size_t msg_len,
                        unsigned char *sig, size_t *sig_len)
{
    int ret = 0;
    EVP_MD_CTX *mctx = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD *digest = NULL;
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hash_len = 0;
    size_t half = msg_len / 2;

    if (mode == SIGN_DIGEST) {
        digest = EVP_MD_fetch(st->device_ctx, md, NULL);
        pctx = EVP_PKEY_CTX_new_from_pkey(st->device_ctx, st->key, NULL);
        if (digest == NULL || pctx == NULL
            || !EVP_Digest(msg, msg_len, hash, &hash_len, digest, NULL)
            || EVP_PKEY_sign_init(pctx) <= 0
            || EVP_PKEY_CTX_set_signature_md(pctx, digest) <= 0
            || EVP_PKEY_sign(pctx, sig, sig_len, hash, hash_len) <= 0)
            goto end;
        ret = 1;
        goto end;
    }

    mctx = EVP_MD_CTX_new();
    if (mctx == NULL
        || EVP_DigestSignInit_ex(mctx, NULL, md, st->device_ctx, NULL,
                                 st->key, NULL) <= 0)
        goto end;
    if (mode == SIGN_ONE_SHOT) {
        if (EVP_DigestSign(mctx, sig, sig_len, msg, msg_len) <= 0)
            goto end;
    } else {
        if (EVP_DigestSignUpdate(mctx, msg, half) <= 0
            || EVP_DigestSignUpdate(mctx, msg + half, msg_len - half) <= 0
            || EVP_DigestSignFinal(mctx, sig, sig_len) <= 0)
            goto end;
    }
    ret = 1;

end:
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_CTX_free(pctx);
    EVP_MD_free(digest);
    return ret;
}

/* 1: the signature is strict DER; 0: it is not. */
static int is_strict_der(const unsigned char *sig, size_t sig_len)
{
    const unsigned char *p = sig;
    unsigned char *again = NULL;
    ECDSA_SIG *parsed;
    int len;
    int ok;

    parsed = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
    if (parsed == NULL || p != sig + sig_len) {
        ECDSA_SIG_free(parsed);
        return 0;
    }
    len = i2d_ECDSA_SIG(parsed, &again);
    ok = len > 0 && (size_t)len == sig_len && memcmp(again, sig, sig_len) == 0;
    OPENSSL_free(again);
    ECDSA_SIG_free(parsed);
    return ok;
}

/* 1: verifies, 0: does not verify, -1: the verification could not run. */
static int verify_message(OSSL_LIB_CTX *libctx, EVP_PKEY *key,
                          const char *md, const unsigned char *msg,
                          size_t msg_len, const unsigned char *sig,
                          size_t sig_len)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    int ret = -1;

    if (mctx != NULL
        && EVP_DigestVerifyInit_ex(mctx, NULL, md, libctx, NULL, key,
                                   NULL) > 0)
        ret = EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(mctx);
    return ret;
}

/* Check that the device verifies a good signature and rejects it for
 * another message.  Changes msg. */
static int check_device_verify(const struct test_state *st, size_t index,
                               const char *md, int mode, unsigned char *msg,
                               size_t msg_len, const unsigned char *sig,
                               size_t sig_len)
{
    int ok;

    if (verify_message(st->device_ctx, st->key, md, msg, msg_len, sig,
                       sig_len) != 1) {
        report("the device does not verify its own signature", index, md,
               mode);
        return 0;
    }

    /* An empty message is changed by appending a byte. */
    if (msg_len == 0) {
        msg[0] = 0x01;
        msg_len = 1;
    } else {
        msg[0] ^= 0x01;
    }
    ok = verify_message(st->device_ctx, st->key, md, msg, msg_len, sig,
                        sig_len);
    if (ok != 0) {
        report("the device verifies the signature for a changed message",
               index, md, mode);
        return 0;
    }
    ERR_clear_error();
    return 1;
}

static int check_one(const struct test_state *st, size_t index,
                     FILE *sig_file)
{
    const char *md = digest_names[index % DIGEST_COUNT];
    int mode = (int)(index % SIGN_MODES);
    unsigned char msg[MAX_MESSAGE_LEN];
    unsigned char sig[MAX_SIGNATURE_LEN];
    size_t msg_len = (index * 37) % sizeof(msg);
    size_t sig_len = sizeof(sig);

    if (msg_len > 0 && RAND_bytes(msg, (int)msg_len) != 1) {
        report("RAND_bytes failed", index, md, mode);
        return 0;
    }
    if (!sign_message(st, md, mode, msg, msg_len, sig, &sig_len)) {
        report("signing failed", index, md, mode);
        return 0;
    }
    if (sig_len > st->max_size) {
        fprintf(stderr, "FAIL: signature %zu is %zu bytes, max-size is %zu\n",
                index, sig_len, st->max_size);
        return 0;
    }
    if (!is_strict_der(sig, sig_len)) {
        report("the signature is not a strict DER ECDSA-Sig-Value", index,
               md, mode);
        return 0;
    }
    if (verify_message(st->reference_ctx, st->reference_pub, md, msg,
                       msg_len, sig, sig_len) != 1) {
        report("the default provider does not verify it", index, md, mode);
        return 0;
    }
    if (index % 50 == 0
        && !check_device_verify(st, index, md, mode, msg, msg_len, sig,
                                sig_len))
        return 0;

    if (sig_file != NULL && index == 0
        && fwrite(sig, 1, sig_len, sig_file) != sig_len) {
        fprintf(stderr, "FAIL: cannot write the first signature\n");
        return 0;
    }
    return 1;
}

static int setup(struct test_state *st, const char *key_path)
{
    int size;

    st->device_ctx = OSSL_LIB_CTX_new();
    st->reference_ctx = OSSL_LIB_CTX_new();
    if (st->device_ctx == NULL || st->reference_ctx == NULL
        || (st->providers[0] = OSSL_PROVIDER_load(st->device_ctx,
                                                  "ibm4767")) == NULL
        || (st->providers[1] = OSSL_PROVIDER_load(st->device_ctx,
                                                  "default")) == NULL
        || (st->providers[2] = OSSL_PROVIDER_load(st->reference_ctx,
                                                  "default")) == NULL) {
        fprintf(stderr, "cannot load the ibm4767 and default providers "
                "(OPENSSL_MODULES=%s)\n",
                getenv("OPENSSL_MODULES") != NULL ? getenv("OPENSSL_MODULES")
                                                  : "(unset)");
        return 0;
    }

    if (strncmp(key_path, "import:", 7) == 0)
        st->key = import_key(st->device_ctx, key_path + 7);
    else
        st->key = load_key(st->device_ctx, key_path);
    if (st->key == NULL) {
        fprintf(stderr, "cannot load the device key from %s\n", key_path);
        return 0;
    }
    st->reference_pub = public_copy(st->key, st->reference_ctx);
    if (st->reference_pub == NULL) {
        fprintf(stderr, "cannot copy the public key of %s into the default "
                "provider\n", key_path);
        return 0;
    }
    size = EVP_PKEY_get_size(st->key);
    if (size <= 0) {
        fprintf(stderr, "EVP_PKEY_get_size of %s returned %d\n", key_path,
                size);
        return 0;
    }
    st->max_size = (size_t)size;
    return 1;
}

static void teardown(struct test_state *st)
{
    size_t i;

    EVP_PKEY_free(st->reference_pub);
    EVP_PKEY_free(st->key);
    for (i = 0; i < sizeof(st->providers) / sizeof(st->providers[0]); i++)
        OSSL_PROVIDER_unload(st->providers[i]);
    OSSL_LIB_CTX_free(st->reference_ctx);
    OSSL_LIB_CTX_free(st->device_ctx);
}

int main(int argc, char **argv)
{
    struct test_state st = { 0 };
    FILE *sig_file = NULL;
    char *end = NULL;
    unsigned long count;
    size_t i;
    int status = EXIT_HARD_ERROR;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s KEY COUNT [SIGNATURE-FILE]\n", argv[0]);
        return 2;
    }
    count = strtoul(argv[2], &end, 10);
    if (*end != '\0' || count == 0) {
        fprintf(stderr, "invalid COUNT '%s': expected a positive number\n",
                argv[2]);
        return 2;
    }

    if (!setup(&st, argv[1])) {
        ERR_print_errors_fp(stderr);
        goto end;
    }
    if (argc == 4 && (sig_file = fopen(argv[3], "wb")) == NULL) {
        perror(argv[3]);
        goto end;
    }

    status = EXIT_CHECK_FAILED;
    for (i = 0; i < count; i++) {
        if (!check_one(&st, i, sig_file))
            goto end;
    }
    printf("ok: %lu signatures of %s: strict DER, at most %zu bytes, "
           "verified by the default provider\n", count, argv[1],
           st.max_size);
    status = 0;

end:
    if (sig_file != NULL && fclose(sig_file) != 0 && status == 0) {
        perror(argv[3]);
        status = EXIT_HARD_ERROR;
    }
    teardown(&st);
    return status;
}
