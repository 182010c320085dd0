/*
 * Bad input through libcrypto and the provider: damaged PEM files,
 * parameters the provider or the key cannot take, and invalid key
 * storage labels.  Each case names the provider reason it must raise
 * (include/ibm4767 and provider/prov.h) and, where the error carries a
 * CCA code, that code in its text.  After each case the daemon must still
 * serve a good request.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/store.h>

#include <ibm4767/keystore.h>
#include <ibm4767/symtoken.h>

#include "prov.h"
#include "badinput.h"

#define PROPQ "provider=ibm4767"
#define ERROR_TEXT_MAX 1024

struct prov_env {
    const struct bi_env *env;
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *default_prov;
    OSSL_PROVIDER *ibm4767_prov;
    EVP_PKEY *rsa;
    EVP_PKEY *ec;
};

struct prov_case {
    const char *name;
    /* Run the bad operation; returns 1 when it failed as a whole. */
    int (*run)(const struct prov_env *pe);
    int reason;              /* enum ibm4767_reason */
    const char *text;        /* in the error's text, or NULL */
};

/* ---------------------------------------------------------------------- */
/* PEM files                                                               */

static const char *write_file(const struct prov_env *pe, const char *name,
                              const char *text)
{
    static char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", pe->env->work_dir, name);
    f = fopen(path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "badinput: cannot write %s\n", path);
        exit(99);
    }
    return path;
}

/* Load a private key from uri as `openssl pkey -in` does; returns 1 when
 * no key came out. */
static int load_fails(const struct prov_env *pe, const char *uri)
{
    OSSL_STORE_CTX *store;
    EVP_PKEY *pkey = NULL;

    store = OSSL_STORE_open_ex(uri, pe->libctx, NULL, NULL, NULL, NULL, NULL,
                               NULL);
    if (store == NULL)
        return 1;
    (void)OSSL_STORE_expect(store, OSSL_STORE_INFO_PKEY);
    while (pkey == NULL && !OSSL_STORE_eof(store)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(store);

        if (info != NULL)
            pkey = OSSL_STORE_INFO_get1_PKEY(info);
        OSSL_STORE_INFO_free(info);
        if (info == NULL && OSSL_STORE_error(store))
            break;
    }
    OSSL_STORE_close(store);
    EVP_PKEY_free(pkey);
    return pkey == NULL;
}

/* A PEM block of label around the base64 text body. */
static int pem_fails(const struct prov_env *pe, const char *name,
                     const char *begin, const char *body, const char *end)
{
    char text[16384];

    snprintf(text, sizeof(text), "-----BEGIN %s-----\n%s-----END %s-----\n",
             begin, body, end);
    return load_fails(pe, write_file(pe, name, text));
}

/* The base64 of buf with lines of 64 characters, plus extra. */
static void base64_lines(const uint8_t *buf, size_t len, const char *extra,
                         char *out, size_t cap)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t off = 0; off < len && used + 70 < cap; off += 48) {
        size_t n = len - off < 48 ? len - off : 48;

        used += (size_t)EVP_EncodeBlock((unsigned char *)out + used,
                                        buf + off, (int)n);
        out[used++] = '\n';
        out[used] = '\0';
    }
    snprintf(out + used, cap - used, "%s", extra);
}

static int run_pem_bad_base64(const struct prov_env *pe)
{
    return pem_fails(pe, "bad-base64.pem", IBM4767_PEM_TOKEN_LABEL,
                     "HwAFYAAAAAAxAAFY*AAAAA\n", IBM4767_PEM_TOKEN_LABEL);
}

static int run_pem_header_line(const struct prov_env *pe)
{
    return pem_fails(pe, "header.pem", IBM4767_PEM_TOKEN_LABEL,
                     "Proc-Type: 4,ENCRYPTED\nHwAFYAAAAAA=\n",
                     IBM4767_PEM_TOKEN_LABEL);
}

static int run_pem_truncated(const struct prov_env *pe)
{
    const char *path = write_file(pe, "truncated.pem",
                                  "-----BEGIN " IBM4767_PEM_TOKEN_LABEL
                                  "-----\nHwAFYAAAAAAxAAFYAAAAAA==\n");

    return load_fails(pe, path);
}

static int run_pem_wrong_end(const struct prov_env *pe)
{
    char body[12000];
    const struct bi_buf *t = &pe->env->keys.ec;

    base64_lines(t->data, t->len, "", body, sizeof(body));
    return pem_fails(pe, "wrong-end.pem", IBM4767_PEM_TOKEN_LABEL, body,
                     IBM4767_PEM_LABEL_LABEL);
}

static int run_pem_trailing_garbage(const struct prov_env *pe)
{
    const struct bi_buf *t = &pe->env->keys.ec;
    uint8_t longer[4096];
    char body[12000];

    memcpy(longer, t->data, t->len);
    memcpy(longer + t->len, "garbage", 7);
    base64_lines(longer, t->len + 7, "", body, sizeof(body));
    return pem_fails(pe, "trailing.pem", IBM4767_PEM_TOKEN_LABEL, body,
                     IBM4767_PEM_TOKEN_LABEL);
}

static int run_pem_aes_token(const struct prov_env *pe)
{
    const struct bi_buf *t = &pe->env->keys.aes;
    char body[12000];

    base64_lines(t->data, t->len, "", body, sizeof(body));
    return pem_fails(pe, "aes-token.pem", IBM4767_PEM_TOKEN_LABEL, body,
                     IBM4767_PEM_TOKEN_LABEL);
}

static int label_pem_fails(const struct prov_env *pe, const char *name,
                           const char *label)
{
    char body[256];

    base64_lines((const uint8_t *)label, strlen(label), "", body,
                 sizeof(body));
    return pem_fails(pe, name, IBM4767_PEM_LABEL_LABEL, body,
                     IBM4767_PEM_LABEL_LABEL);
}

static int run_label_pem_invalid(const struct prov_env *pe)
{
    return label_pem_fails(pe, "label-invalid.pem", "WEB..RSA");
}

static int run_label_pem_missing(const struct prov_env *pe)
{
    return label_pem_fails(pe, "label-missing.pem", "NO.SUCH.KEY");
}

/* ---------------------------------------------------------------------- */
/* Parameters                                                              */

static int sign_init_fails(const struct prov_env *pe, EVP_PKEY *pkey,
                           const OSSL_PARAM *params)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(pe->libctx, pkey, PROPQ);
    int failed = ctx == NULL || EVP_PKEY_sign_init_ex(ctx, params) != 1;

    EVP_PKEY_CTX_free(ctx);
    return failed;
}

static int run_rsa_unknown_padding(const struct prov_env *pe)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, "x931", 0),
        OSSL_PARAM_END,
    };

    return sign_init_fails(pe, pe->rsa, params);
}

static int run_rsa_digest_unusable(const struct prov_env *pe)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, "SHA3-256", 0),
        OSSL_PARAM_END,
    };

    return sign_init_fails(pe, pe->rsa, params);
}

static int run_ecdsa_digest_unusable(const struct prov_env *pe)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, "MD5", 0),
        OSSL_PARAM_END,
    };

    return sign_init_fails(pe, pe->ec, params);
}

static int run_pss_salt_negative(const struct prov_env *pe)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, "pss", 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, "-7", 0),
        OSSL_PARAM_END,
    };

    return sign_init_fails(pe, pe->rsa, params);
}

/* RSA-2048 with SHA-256 takes a salt of at most 256 - 32 - 2 = 222 bytes. */
static int run_pss_salt_too_long(const struct prov_env *pe)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, "pss", 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, "SHA256", 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, "223", 0),
        OSSL_PARAM_END,
    };
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(pe->libctx, pe->rsa,
                                                   PROPQ);
    uint8_t hash[32] = { 0 }, sig[512];
    size_t sig_len = sizeof(sig);
    int failed;

    failed = ctx == NULL || EVP_PKEY_sign_init_ex(ctx, params) != 1
             || EVP_PKEY_sign(ctx, sig, &sig_len, hash, sizeof(hash)) != 1;
    EVP_PKEY_CTX_free(ctx);
    return failed;
}

static int run_rsa_decrypt_unknown_padding(const struct prov_env *pe)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, "x931", 0),
        OSSL_PARAM_END,
    };
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(pe->libctx, pe->rsa,
                                                   PROPQ);
    int failed = ctx == NULL || EVP_PKEY_decrypt_init_ex(ctx, params) != 1;

    EVP_PKEY_CTX_free(ctx);
    return failed;
}

static int cipher_init_fails(const struct prov_env *pe, const char *name,
                             int enc, const OSSL_PARAM *params)
{
    static const uint8_t key[32] = { 0x2B, 0x7E }, iv[16] = { 0x0F };
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(pe->libctx, name, PROPQ);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int failed;

    failed = cipher == NULL || ctx == NULL
             || EVP_CipherInit_ex2(ctx, cipher, key, iv, enc, NULL) != 1
             || EVP_CIPHER_CTX_set_params(ctx, params) != 1;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    return failed;
}

static int run_gcm_ivlen_zero(const struct prov_env *pe)
{
    size_t ivlen = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
        OSSL_PARAM_END,
    };

    return cipher_init_fails(pe, "AES-128-GCM", 1, params);
}

static int run_gcm_ivlen_too_long(const struct prov_env *pe)
{
    size_t ivlen = 1025;
    OSSL_PARAM params[] = {
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
        OSSL_PARAM_END,
    };

    return cipher_init_fails(pe, "AES-256-GCM", 1, params);
}

static int run_gcm_tag_too_short(const struct prov_env *pe)
{
    uint8_t tag[3] = { 1, 2, 3 };
    OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, sizeof(tag)),
        OSSL_PARAM_END,
    };

    return cipher_init_fails(pe, "AES-128-GCM", 0, params);
}

static int run_gcm_tag_too_long(const struct prov_env *pe)
{
    uint8_t tag[17] = { 1 };
    OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, sizeof(tag)),
        OSSL_PARAM_END,
    };

    return cipher_init_fails(pe, "AES-128-GCM", 0, params);
}

static int run_cbc_ivlen(const struct prov_env *pe)
{
    size_t ivlen = 12;
    OSSL_PARAM params[] = {
        OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, &ivlen),
        OSSL_PARAM_END,
    };

    return cipher_init_fails(pe, "AES-128-CBC", 1, params);
}

static int run_aes_token_damaged(const struct prov_env *pe)
{
    uint8_t token[CCA_SYMTOKEN_MAX_LEN];
    OSSL_PARAM params[] = {
        OSSL_PARAM_octet_string("ibm4767-key-token", token, 0),
        OSSL_PARAM_END,
    };
    const struct bi_buf *t = &pe->env->keys.aes;

    memcpy(token, t->data, t->len);
    token[CCA_SYMTOKEN_VERSION_OFF] = CCA_SYMTOKEN_VERSION_AESDATA;
    params[0].data_size = t->len;
    return cipher_init_fails(pe, "AES-256-CBC", 1, params);
}

/* ---------------------------------------------------------------------- */
/* Labels                                                                  */

static int run_label_too_long(const struct prov_env *pe)
{
    return load_fails(pe, "ibm4767:label=ABCDEFGH.ABCDEFGH.ABCDEFGH.ABCDEFGH."
                          "ABCDEFGH.ABCDEFGH.ABCDEFGH.A");
}

static int run_label_bad_character(const struct prov_env *pe)
{
    return load_fails(pe, "ibm4767:label=WEB.TLS!RSA");
}

static int run_label_empty(const struct prov_env *pe)
{
    return load_fails(pe, "ibm4767:label=");
}

static int run_label_missing(const struct prov_env *pe)
{
    return load_fails(pe, "ibm4767:label=NO.SUCH.KEY");
}

static int run_aes_label_invalid(const struct prov_env *pe)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string("ibm4767-key-label", "1ST.KEY", 0),
        OSSL_PARAM_END,
    };

    return cipher_init_fails(pe, "AES-128-CBC", 1, params);
}

static const struct prov_case cases[] = {
    { "token PEM with invalid base64", run_pem_bad_base64,
      IBM4767_R_INVALID_PEM, "not valid base64" },
    { "token PEM with a header line", run_pem_header_line,
      IBM4767_R_INVALID_PEM, "PEM header" },
    { "token PEM without its END line", run_pem_truncated,
      IBM4767_R_INVALID_PEM, "truncated" },
    { "token PEM ending with another label", run_pem_wrong_end,
      IBM4767_R_INVALID_PEM, "without its END line" },
    { "token PEM with bytes after the token", run_pem_trailing_garbage,
      IBM4767_R_INVALID_TOKEN, "8/770" },
    { "token PEM holding an AES token", run_pem_aes_token,
      IBM4767_R_INVALID_TOKEN, "8/770" },
    { "label PEM with an invalid label", run_label_pem_invalid,
      IBM4767_R_INVALID_PEM, "8/32" },
    { "label PEM naming a missing record", run_label_pem_missing,
      IBM4767_R_NO_KEY, "8/30" },
    { "RSA signature padding x931", run_rsa_unknown_padding,
      IBM4767_R_UNSUPPORTED, "x931" },
    { "RSA signature with SHA3-256", run_rsa_digest_unusable,
      IBM4767_R_UNSUPPORTED, "SHA3-256" },
    { "ECDSA signature with MD5", run_ecdsa_digest_unusable,
      IBM4767_R_UNSUPPORTED, "MD5" },
    { "PSS salt length -7", run_pss_salt_negative,
      IBM4767_R_INVALID_PARAMETER, "-7" },
    { "PSS salt length 223 for RSA-2048 and SHA-256", run_pss_salt_too_long,
      IBM4767_R_INVALID_PARAMETER, "223" },
    { "RSA decryption padding x931", run_rsa_decrypt_unknown_padding,
      IBM4767_R_UNSUPPORTED, "x931" },
    { "AES-GCM IV length 0", run_gcm_ivlen_zero,
      IBM4767_R_INVALID_PARAMETER, NULL },
    { "AES-GCM IV length 1025", run_gcm_ivlen_too_long,
      IBM4767_R_INVALID_PARAMETER, "1025" },
    { "AES-GCM tag of 3 bytes", run_gcm_tag_too_short,
      IBM4767_R_INVALID_PARAMETER, NULL },
    { "AES-GCM tag of 17 bytes", run_gcm_tag_too_long,
      IBM4767_R_INVALID_PARAMETER, NULL },
    { "AES-CBC IV length 12", run_cbc_ivlen,
      IBM4767_R_INVALID_PARAMETER, "16" },
    { "AES token of version 4", run_aes_token_damaged,
      IBM4767_R_INVALID_TOKEN, "version 0x04" },
    { "label of 64 characters", run_label_too_long,
      IBM4767_R_INVALID_PARAMETER, "8/32" },
    { "label with '!'", run_label_bad_character,
      IBM4767_R_INVALID_PARAMETER, "8/32" },
    { "empty label", run_label_empty, IBM4767_R_INVALID_PARAMETER, "8/32" },
    { "label without a record", run_label_missing, IBM4767_R_NO_KEY,
      "8/30" },
    { "AES key label starting with a digit", run_aes_label_invalid,
      IBM4767_R_DEVICE_ERROR, "8/32" },
};

/* ---------------------------------------------------------------------- */
/* Checking the error queue                                                */

/* Find the case's error among the queued ones (OSSL_STORE and the decoder
 * chain queue errors of their own around it); empties the queue.  On a
 * miss, seen lists what was there. */
static int find_error(const struct prov_case *c, char *seen, size_t cap)
{
    const char *data = NULL;
    unsigned long e;
    int flags = 0, found = 0;
    size_t used = 0;

    seen[0] = '\0';
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        const char *lib = ERR_lib_error_string(e);
        const char *text = (flags & ERR_TXT_STRING) && data != NULL ? data
                                                                    : "";
        int ours = lib != NULL && strcmp(lib, IBM4767_PROV_NAME) == 0;

        if (ours && ERR_GET_REASON(e) == c->reason
            && (c->text == NULL || strstr(text, c->text) != NULL))
            found = 1;
        if (used < cap)
            used += (size_t)snprintf(seen + used, cap - used,
                                     "\n    %s reason %d: %s",
                                     lib != NULL ? lib : "?",
                                     ERR_GET_REASON(e), text);
    }
    return found;
}

static EVP_PKEY *generate_key(OSSL_LIB_CTX *libctx, const char *type)
{
    return strcmp(type, "RSA") == 0
               ? EVP_PKEY_Q_keygen(libctx, PROPQ, "RSA", (size_t)2048)
               : EVP_PKEY_Q_keygen(libctx, PROPQ, "EC", "P-256");
}

static int make_key_storage(const struct bi_env *env)
{
    static char path[1024];
    struct cca_keystore *ks;
    struct cca_result res;
    int ok;

    snprintf(path, sizeof(path), "%s/keys.db", env->work_dir);
    setenv(CCA_KEYSTORE_ENV, path, 1);
    ks = cca_keystore_new(path, CCA_KEYSTORE_CREATE);
    ok = ks != NULL
         && cca_key_record_create(ks, "BADINPUT.EC", CCA_KEY_TYPE_EC,
                                  env->keys.ec.data, env->keys.ec.len, &res);
    cca_keystore_free(ks);
    return ok;
}

static int start_provider(struct prov_env *pe)
{
    const char *modules = getenv("IBM4767_TEST_MODULES");

    pe->libctx = OSSL_LIB_CTX_new();
    if (pe->libctx == NULL
        || (modules != NULL
            && !OSSL_PROVIDER_set_default_search_path(pe->libctx, modules)))
        return 0;
    pe->default_prov = OSSL_PROVIDER_load(pe->libctx, "default");
    pe->ibm4767_prov = OSSL_PROVIDER_load(pe->libctx, IBM4767_PROV_NAME);
    if (pe->default_prov == NULL || pe->ibm4767_prov == NULL)
        return 0;
    pe->rsa = generate_key(pe->libctx, "RSA");
    pe->ec = generate_key(pe->libctx, "EC");
    return pe->rsa != NULL && pe->ec != NULL;
}

void bi_run_provider_cases(const struct bi_env *env)
{
    struct prov_env pe = { env, NULL, NULL, NULL, NULL, NULL };
    char seen[ERROR_TEXT_MAX];

    setenv("IBM4767_DEVICES", env->main_socket, 1);
    if (!make_key_storage(env) || !start_provider(&pe)) {
        ERR_print_errors_fp(stderr);
        bi_fail("cannot set up key storage and the provider with device "
                "keys; no provider case ran");
        goto done;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct prov_case *c = &cases[i];

        ERR_clear_error();
        if (!c->run(&pe)) {
            bi_fail("%s: succeeded, expected ibm4767 reason %d", c->name,
                    c->reason);
        } else if (!find_error(c, seen, sizeof(seen))) {
            bi_fail("%s: no ibm4767 error with reason %d%s%s; errors:%s",
                    c->name, c->reason, c->text != NULL ? " and text " : "",
                    c->text != NULL ? c->text : "", seen);
        } else if (!bi_daemon_serves(env->main_socket, -1)) {
            bi_fail("%s: the daemon does not serve the next request",
                    c->name);
        } else {
            bi_ok("%s: ibm4767 reason %d%s%s, daemon serves", c->name,
                  c->reason, c->text != NULL ? ", " : "",
                  c->text != NULL ? c->text : "");
        }
    }

done:
    EVP_PKEY_free(pe.rsa);
    EVP_PKEY_free(pe.ec);
    if (pe.ibm4767_prov != NULL)
        OSSL_PROVIDER_unload(pe.ibm4767_prov);
    if (pe.default_prov != NULL)
        OSSL_PROVIDER_unload(pe.default_prov);
    OSSL_LIB_CTX_free(pe.libctx);
}
