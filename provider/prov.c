/*
 * Entry point of the ibm4767 provider: configuration, the provider's own
 * parameters, the algorithm tables and teardown.
 *
 * Loading never talks to the coprocessor.  The backend connects on the
 * first request, so `openssl list -providers` works with no device, and
 * the first key operation waits for a device that runs its self-test.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>

#include <ibm4767/keystore.h>

#include "prov.h"

#define PROV_DESCRIPTION "IBM 4767 CCA coprocessor provider"

/* The logging facility is shared by every provider instance in the
 * process (one per library context that loads the module). */
static int log_users;

/*
 * Algorithm tables.  Every entry carries "provider=ibm4767", which a
 * property query such as `-propquery provider=ibm4767` selects.
 */
static const OSSL_ALGORITHM keymgmt_algs[] = {
    { "RSA:rsaEncryption", IBM4767_PROPQ, ibm4767_rsa_keymgmt_functions,
      "RSA keys held in CCA key tokens" },
    { "RSA-PSS:RSASSA-PSS", IBM4767_PROPQ, ibm4767_rsapss_keymgmt_functions,
      "RSA-PSS keys held in CCA key tokens" },
    { "EC:id-ecPublicKey", IBM4767_PROPQ, ibm4767_ec_keymgmt_functions,
      "EC keys held in CCA key tokens" },
    { NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM signature_algs[] = {
    { "RSA:rsaEncryption", IBM4767_PROPQ, ibm4767_rsa_signature_functions,
      "RSA PKCS#1 v1.5 and PSS signatures in the coprocessor" },
    { "ECDSA", IBM4767_PROPQ, ibm4767_ecdsa_signature_functions,
      "ECDSA signatures in the coprocessor" },
    { NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM asym_cipher_algs[] = {
    { "RSA:rsaEncryption", IBM4767_PROPQ, ibm4767_rsa_asym_cipher_functions,
      "RSA PKCS#1 v1.5, OAEP and raw encryption in the coprocessor" },
    { NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM keyexch_algs[] = {
    { "ECDH", IBM4767_PROPQ, ibm4767_ecdh_keyexch_functions,
      "ECDH with a key held in the coprocessor" },
    { NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM decoder_algs[] = {
    { "RSA:rsaEncryption", IBM4767_PROPQ ",input=pem",
      ibm4767_token_pem_rsa_decoder_functions,
      "CCA KEY TOKEN PEM to an RSA key" },
    { "RSA-PSS:RSASSA-PSS", IBM4767_PROPQ ",input=pem",
      ibm4767_token_pem_rsapss_decoder_functions,
      "CCA KEY TOKEN PEM to an RSA-PSS key" },
    { "EC:id-ecPublicKey", IBM4767_PROPQ ",input=pem",
      ibm4767_token_pem_ec_decoder_functions,
      "CCA KEY TOKEN PEM to an EC key" },
    { "DER", IBM4767_PROPQ ",input=pem",
      ibm4767_token_pem2der_decoder_functions,
      "CCA KEY TOKEN PEM to raw token bytes" },
    { "RSA:rsaEncryption", IBM4767_PROPQ ",input=der",
      ibm4767_token_der_rsa_decoder_functions,
      "raw CCA key token to an RSA key" },
    { "RSA-PSS:RSASSA-PSS", IBM4767_PROPQ ",input=der",
      ibm4767_token_der_rsapss_decoder_functions,
      "raw CCA key token to an RSA-PSS key" },
    { "EC:id-ecPublicKey", IBM4767_PROPQ ",input=der",
      ibm4767_token_der_ec_decoder_functions,
      "raw CCA key token to an EC key" },
    /* OpenSSL keeps one implementation per name and property string, so
     * a property of its own keeps this one apart from the token one. */
    { "DER", IBM4767_PROPQ ",input=pem,ibm4767.pem=label",
      ibm4767_label_pem2der_decoder_functions,
      "CCA KEY LABEL PEM to the token of that key storage label" },
    { NULL, NULL, NULL, NULL },
};

/*
 * PEM_write_bio_PrivateKey() in OpenSSL 3.0 requests output "pem" with
 * structure "PrivateKeyInfo".  This provider serves that request with the
 * token PEM, which contains no clear key.
 */
#define TOKEN_PEM_PROPS IBM4767_PROPQ ",output=pem,structure=PrivateKeyInfo"
#define SPKI_PEM_PROPS  IBM4767_PROPQ ",output=pem,structure=SubjectPublicKeyInfo"
#define SPKI_DER_PROPS  IBM4767_PROPQ ",output=der,structure=SubjectPublicKeyInfo"
#define TEXT_PROPS      IBM4767_PROPQ ",output=text"

static const OSSL_ALGORITHM encoder_algs[] = {
    { "RSA:rsaEncryption", TOKEN_PEM_PROPS,
      ibm4767_token_pem_encoder_functions, "RSA key token to PEM" },
    { "RSA:rsaEncryption", SPKI_PEM_PROPS,
      ibm4767_spki_pem_encoder_functions, "RSA public key to PEM" },
    { "RSA:rsaEncryption", SPKI_DER_PROPS,
      ibm4767_spki_der_encoder_functions, "RSA public key to DER" },
    { "RSA:rsaEncryption", TEXT_PROPS, ibm4767_text_encoder_functions,
      "RSA key token to text" },
    { "RSA-PSS:RSASSA-PSS", TOKEN_PEM_PROPS,
      ibm4767_token_pem_encoder_functions, "RSA-PSS key token to PEM" },
    { "RSA-PSS:RSASSA-PSS", SPKI_PEM_PROPS,
      ibm4767_spki_pem_encoder_functions,
      "RSA-PSS public key, with its PSS parameters, to PEM" },
    { "RSA-PSS:RSASSA-PSS", SPKI_DER_PROPS,
      ibm4767_spki_der_encoder_functions,
      "RSA-PSS public key, with its PSS parameters, to DER" },
    { "RSA-PSS:RSASSA-PSS", TEXT_PROPS, ibm4767_text_encoder_functions,
      "RSA-PSS key token to text" },
    { "EC:id-ecPublicKey", TOKEN_PEM_PROPS,
      ibm4767_token_pem_encoder_functions, "EC key token to PEM" },
    { "EC:id-ecPublicKey", SPKI_PEM_PROPS,
      ibm4767_spki_pem_encoder_functions, "EC public key to PEM" },
    { "EC:id-ecPublicKey", SPKI_DER_PROPS,
      ibm4767_spki_der_encoder_functions, "EC public key to DER" },
    { "EC:id-ecPublicKey", TEXT_PROPS, ibm4767_text_encoder_functions,
      "EC key token to text" },
    { NULL, NULL, NULL, NULL },
};

/* AES in the coprocessor, under OpenSSL's names and aliases. */
static const OSSL_ALGORITHM cipher_algs[] = {
    { "AES-128-ECB:2.16.840.1.101.3.4.1.1", IBM4767_PROPQ,
      ibm4767_aes_128_ecb_cipher_functions, "AES-128-ECB in the coprocessor" },
    { "AES-192-ECB:2.16.840.1.101.3.4.1.21", IBM4767_PROPQ,
      ibm4767_aes_192_ecb_cipher_functions, "AES-192-ECB in the coprocessor" },
    { "AES-256-ECB:2.16.840.1.101.3.4.1.41", IBM4767_PROPQ,
      ibm4767_aes_256_ecb_cipher_functions, "AES-256-ECB in the coprocessor" },
    { "AES-128-CBC:AES128:2.16.840.1.101.3.4.1.2", IBM4767_PROPQ,
      ibm4767_aes_128_cbc_cipher_functions, "AES-128-CBC in the coprocessor" },
    { "AES-192-CBC:AES192:2.16.840.1.101.3.4.1.22", IBM4767_PROPQ,
      ibm4767_aes_192_cbc_cipher_functions, "AES-192-CBC in the coprocessor" },
    { "AES-256-CBC:AES256:2.16.840.1.101.3.4.1.42", IBM4767_PROPQ,
      ibm4767_aes_256_cbc_cipher_functions, "AES-256-CBC in the coprocessor" },
    { "AES-128-CTR", IBM4767_PROPQ, ibm4767_aes_128_ctr_cipher_functions,
      "AES-128-CTR in the coprocessor" },
    { "AES-192-CTR", IBM4767_PROPQ, ibm4767_aes_192_ctr_cipher_functions,
      "AES-192-CTR in the coprocessor" },
    { "AES-256-CTR", IBM4767_PROPQ, ibm4767_aes_256_ctr_cipher_functions,
      "AES-256-CTR in the coprocessor" },
    { "AES-128-GCM:id-aes128-GCM:2.16.840.1.101.3.4.1.6", IBM4767_PROPQ,
      ibm4767_aes_128_gcm_cipher_functions, "AES-128-GCM in the coprocessor" },
    { "AES-192-GCM:id-aes192-GCM:2.16.840.1.101.3.4.1.26", IBM4767_PROPQ,
      ibm4767_aes_192_gcm_cipher_functions, "AES-192-GCM in the coprocessor" },
    { "AES-256-GCM:id-aes256-GCM:2.16.840.1.101.3.4.1.46", IBM4767_PROPQ,
      ibm4767_aes_256_gcm_cipher_functions, "AES-256-GCM in the coprocessor" },
    { NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM store_algs[] = {
    { "ibm4767", IBM4767_PROPQ, ibm4767_store_functions,
      "keys in key storage by label: ibm4767:label=NAME" },
    { NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM rand_algs[] = {
    { "IBM4767-RNG", IBM4767_PROPQ, ibm4767_rand_functions,
      "random numbers from the coprocessor's DRBG" },
    { NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM *prov_query_operation(void *provctx,
                                                  int operation_id,
                                                  int *no_cache)
{
    const struct ibm4767_provctx *ctx = provctx;

    *no_cache = 0;
    switch (operation_id) {
    case OSSL_OP_KEYMGMT:
        return keymgmt_algs;
    case OSSL_OP_SIGNATURE:
        return signature_algs;
    case OSSL_OP_ASYM_CIPHER:
        return asym_cipher_algs;
    case OSSL_OP_KEYEXCH:
        return keyexch_algs;
    case OSSL_OP_DECODER:
        return decoder_algs;
    case OSSL_OP_ENCODER:
        return encoder_algs;
    case OSSL_OP_CIPHER:
        return ctx->cipher_algs != NULL ? ctx->cipher_algs : cipher_algs;
    case OSSL_OP_RAND:
        return rand_algs;
    case OSSL_OP_STORE:
        return store_algs;
    default:
        return NULL;
    }
}

static const OSSL_PARAM *prov_gettable_params(void *provctx)
{
    static const OSSL_PARAM gettable[] = {
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, NULL, 0),
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, NULL, 0),
        OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, NULL, 0),
        OSSL_PARAM_uint(OSSL_PROV_PARAM_STATUS, NULL),
        OSSL_PARAM_END,
    };

    return gettable;
}

static int prov_fill_params(OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, PROV_DESCRIPTION))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, PACKAGE_VERSION))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
    if (p != NULL
        && !OSSL_PARAM_set_utf8_ptr(p, PACKAGE_NAME " " PACKAGE_VERSION
                                    " built with " OPENSSL_VERSION_TEXT))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
    if (p != NULL && !OSSL_PARAM_set_uint(p, 1))
        return 0;
    return 1;
}

static int prov_get_params(void *provctx, OSSL_PARAM params[])
{
    if (prov_fill_params(params))
        return 1;
    IBM4767_RAISE(provctx, IBM4767_R_INVALID_PARAMETER,
                  "cannot return the requested provider parameters; check "
                  "their types");
    return 0;
}

static const OSSL_ITEM *prov_get_reason_strings(void *provctx)
{
    return ibm4767_reason_strings();
}

static void prov_teardown(void *vctx)
{
    struct ibm4767_provctx *ctx = vctx;

    if (ctx == NULL)
        return;
    IBM4767_DEBUG("provider instance unloading");
    cca_backend_free(ctx->backend);
    cca_keystore_free(ctx->keystore);
    OPENSSL_free(ctx->cipher_algs);
    OSSL_LIB_CTX_free(ctx->libctx);
    OPENSSL_free(ctx);
    if (__atomic_sub_fetch(&log_users, 1, __ATOMIC_ACQ_REL) == 0)
        ibm4767_log_close();
}

static const OSSL_DISPATCH prov_functions[] = {
    { OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))prov_teardown },
    { OSSL_FUNC_PROVIDER_GETTABLE_PARAMS,
      (void (*)(void))prov_gettable_params },
    { OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))prov_get_params },
    { OSSL_FUNC_PROVIDER_QUERY_OPERATION,
      (void (*)(void))prov_query_operation },
    { OSSL_FUNC_PROVIDER_GET_REASON_STRINGS,
      (void (*)(void))prov_get_reason_strings },
    { 0, NULL },
};

/* Take the core functions this provider calls. */
static void take_core_functions(struct ibm4767_provctx *ctx,
                                const OSSL_DISPATCH *in)
{
    for (; in->function_id != 0; in++) {
        switch (in->function_id) {
        case OSSL_FUNC_CORE_GET_PARAMS:
            ctx->core_get_params = OSSL_FUNC_core_get_params(in);
            break;
        case OSSL_FUNC_CORE_NEW_ERROR:
            ctx->core_new_error = OSSL_FUNC_core_new_error(in);
            break;
        case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
            ctx->core_set_error_debug = OSSL_FUNC_core_set_error_debug(in);
            break;
        case OSSL_FUNC_CORE_VSET_ERROR:
            ctx->core_vset_error = OSSL_FUNC_core_vset_error(in);
            break;
        case OSSL_FUNC_BIO_READ_EX:
            ctx->bio_read_ex = OSSL_FUNC_BIO_read_ex(in);
            break;
        case OSSL_FUNC_BIO_WRITE_EX:
            ctx->bio_write_ex = OSSL_FUNC_BIO_write_ex(in);
            break;
        case OSSL_FUNC_BIO_UP_REF:
            ctx->bio_up_ref = OSSL_FUNC_BIO_up_ref(in);
            break;
        case OSSL_FUNC_BIO_FREE:
            ctx->bio_free = OSSL_FUNC_BIO_free(in);
            break;
        default:
            break;
        }
    }
}

static int copy_setting(struct ibm4767_provctx *ctx, const char *key,
                        const char *value, char *dst, size_t dst_len)
{
    size_t len = strlen(value);

    if (len >= dst_len) {
        IBM4767_RAISE(ctx, IBM4767_R_CONFIG,
                      "provider configuration key %s is %zu characters "
                      "long; the limit is %zu", key, len, dst_len - 1);
        return 0;
    }
    memcpy(dst, value, len + 1);
    return 1;
}

/* Largest ready-timeout in seconds: one day, the limit that
 * IBM4767_READY_TIMEOUT has too. */
#define READY_TIMEOUT_MAX_S 86400L

static int parse_ready_timeout(struct ibm4767_provctx *ctx,
                               const char *value, long *timeout_ms)
{
    char *end = NULL;
    long seconds;

    errno = 0;
    seconds = strtol(value, &end, 10);
    if (!isdigit((unsigned char)value[0]) || *end != '\0' || errno != 0
        || seconds > READY_TIMEOUT_MAX_S) {
        IBM4767_RAISE(ctx, IBM4767_R_CONFIG,
                      "provider configuration key ready-timeout is \"%s\"; "
                      "give a whole number of seconds from 0 to %ld", value,
                      READY_TIMEOUT_MAX_S);
        return 0;
    }
    *timeout_ms = seconds * 1000;
    return 1;
}

/* Read the keys transport ("socket" or "cca") and cca-library (the CCA
 * host library the cca transport loads). */
static int read_transport_config(struct ibm4767_provctx *ctx,
                                 const char *transport,
                                 const char *cca_library)
{
    if (transport != NULL) {
        ctx->config.transport = cca_transport_parse(transport);
        if (ctx->config.transport < 0) {
            IBM4767_RAISE(ctx, IBM4767_R_CONFIG,
                          "provider configuration key transport is \"%s\"; "
                          "use socket (the emulator) or cca (IBM's CCA host "
                          "library)", transport);
            return 0;
        }
    }
    if (cca_library != NULL
        && !copy_setting(ctx, "cca-library", cca_library,
                         ctx->config.cca_library,
                         sizeof(ctx->config.cca_library)))
        return 0;
    return 1;
}

/*
 * Copy the AES table without the modes the coprocessor lacks.  CCA's
 * CSNBSAE has no CTR, and GCM came with CCA 5.2.  With every mode
 * supported, ctx->cipher_algs stays NULL and the full table serves.
 */
static int filter_ciphers(struct ibm4767_provctx *ctx)
{
    size_t n = sizeof(cipher_algs) / sizeof(cipher_algs[0]), kept = 0;
    int ctr = cca_backend_supports(ctx->backend, CCA_CAP_AES_CTR);
    int gcm = cca_backend_supports(ctx->backend, CCA_CAP_AES_GCM);

    if (ctr && gcm)
        return 1;
    ctx->cipher_algs = OPENSSL_zalloc(n * sizeof(cipher_algs[0]));
    if (ctx->cipher_algs == NULL) {
        IBM4767_RAISE(ctx, IBM4767_R_MALLOC_FAILURE,
                      "out of memory for the cipher table");
        return 0;
    }
    for (size_t i = 0; cipher_algs[i].algorithm_names != NULL; i++) {
        const char *name = cipher_algs[i].algorithm_names;

        if ((!ctr && strstr(name, "-CTR") != NULL)
            || (!gcm && strstr(name, "-GCM") != NULL))
            continue;
        ctx->cipher_algs[kept++] = cipher_algs[i];
    }
    IBM4767_INFO("AES%s%s not offered: not supported by this card's CCA "
                 "level %s", ctr ? "" : " CTR", gcm ? "" : " GCM",
                 cca_backend_cca_level(ctx->backend));
    return 1;
}

/*
 * Read the keys of this provider's openssl.cnf section, then let the
 * environment override them.  This runs once, at load time: nginx clears
 * the environment of its workers, which keep what the master read.
 */
static int read_config(struct ibm4767_provctx *ctx)
{
    const char *devices = NULL, *timeout = NULL, *level = NULL;
    const char *log_file = NULL, *key_storage = NULL;
    const char *transport = NULL, *cca_library = NULL, *spin = NULL;
    OSSL_PARAM params[9];
    char env_err[256] = "";
    int log_level;

    params[0] = OSSL_PARAM_construct_utf8_ptr("devices", (char **)&devices,
                                              0);
    params[1] = OSSL_PARAM_construct_utf8_ptr("ready-timeout",
                                              (char **)&timeout, 0);
    params[2] = OSSL_PARAM_construct_utf8_ptr("log-level", (char **)&level,
                                              0);
    params[3] = OSSL_PARAM_construct_utf8_ptr("log-file", (char **)&log_file,
                                              0);
    params[4] = OSSL_PARAM_construct_utf8_ptr("key-storage",
                                              (char **)&key_storage, 0);
    params[5] = OSSL_PARAM_construct_utf8_ptr("transport",
                                              (char **)&transport, 0);
    params[6] = OSSL_PARAM_construct_utf8_ptr("cca-library",
                                              (char **)&cca_library, 0);
    params[7] = OSSL_PARAM_construct_utf8_ptr("spin-wait-us", (char **)&spin,
                                              0);
    params[8] = OSSL_PARAM_construct_end();

    cca_config_defaults(&ctx->config);
    if (ctx->core_get_params != NULL
        && !ctx->core_get_params(ctx->handle, params)) {
        IBM4767_RAISE(ctx, IBM4767_R_CONFIG,
                      "cannot read the provider's configuration section");
        return 0;
    }

    if (devices != NULL
        && !copy_setting(ctx, "devices", devices, ctx->config.devices,
                         sizeof(ctx->config.devices)))
        return 0;
    if (timeout != NULL
        && !parse_ready_timeout(ctx, timeout, &ctx->config.ready_timeout_ms))
        return 0;
    if (spin != NULL && !cca_parse_spin_wait(spin, &ctx->config.spin_wait_us)) {
        IBM4767_RAISE(ctx, IBM4767_R_CONFIG,
                      "provider configuration key spin-wait-us is \"%s\"; "
                      "give a whole number of microseconds from 0 (never "
                      "spin) to %d", spin, CCA_SPIN_WAIT_MAX_US);
        return 0;
    }
    if (level != NULL) {
        log_level = ibm4767_log_parse_level(level);
        if (log_level < 0) {
            IBM4767_RAISE(ctx, IBM4767_R_CONFIG,
                          "provider configuration key log-level is \"%s\"; "
                          "use off, error, warn, info or debug", level);
            return 0;
        }
        ctx->config.log_level = log_level;
    }
    if (log_file != NULL
        && !copy_setting(ctx, "log-file", log_file, ctx->config.log_file,
                         sizeof(ctx->config.log_file)))
        return 0;
    if (!read_transport_config(ctx, transport, cca_library))
        return 0;

    if (!cca_config_apply_env(&ctx->config, env_err, sizeof(env_err))) {
        IBM4767_RAISE(ctx, IBM4767_R_CONFIG, "%s", env_err);
        return 0;
    }

    /* IBM4767_KEY_STORAGE overrides key-storage; no file is opened yet. */
    ctx->keystore = cca_keystore_new(cca_keystore_choose_path(key_storage),
                                     0);
    if (ctx->keystore == NULL) {
        IBM4767_RAISE(ctx, IBM4767_R_CONFIG,
                      "cannot set up key storage \"%s\": the path is empty "
                      "or too long, or memory ran out",
                      cca_keystore_choose_path(key_storage));
        return 0;
    }
    return 1;
}

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle,
                       const OSSL_DISPATCH *in, const OSSL_DISPATCH **out,
                       void **provctx)
{
    struct ibm4767_provctx *ctx;
    char backend_err[512];

    ctx = OPENSSL_zalloc(sizeof(*ctx));
    if (ctx == NULL)
        return 0;
    ctx->handle = handle;
    take_core_functions(ctx, in);
    __atomic_add_fetch(&log_users, 1, __ATOMIC_ACQ_REL);

    /* OpenSSL's configuration loader does not show why a provider failed
     * to load, so errors in the configuration itself go to stderr. */
    ibm4767_log_open(IBM4767_PROV_NAME, IBM4767_LOG_ERROR, NULL);
    if (!read_config(ctx))
        goto err;
    if (!ibm4767_log_open(IBM4767_PROV_NAME, ctx->config.log_level,
                          ctx->config.log_file))
        IBM4767_WARN("cannot open log file %s; logging to stderr",
                     ctx->config.log_file);

    ctx->libctx = OSSL_LIB_CTX_new_child(handle, in);
    if (ctx->libctx == NULL) {
        IBM4767_RAISE(ctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot create the provider's library context");
        goto err;
    }
    /* With the socket transport the backend only records the
     * configuration: no connection.  With transport cca it loads the CCA
     * library, which fails here when the library or a verb is missing. */
    ctx->backend = cca_backend_open(&ctx->config, backend_err,
                                    sizeof(backend_err));
    if (ctx->backend == NULL) {
        /* A missing CCA library is a configuration error too: show it on
         * stderr whatever the log level, as for the keys above. */
        ibm4767_log_open(IBM4767_PROV_NAME, IBM4767_LOG_ERROR, NULL);
        IBM4767_RAISE(ctx, IBM4767_R_CONFIG,
                      "cannot set up the coprocessor backend (transport "
                      "%s, devices \"%s\"): %s",
                      cca_transport_name(ctx->config.transport),
                      ctx->config.devices, backend_err);
        goto err;
    }
    cca_keystore_use_backend(ctx->keystore, ctx->backend);
    if (!filter_ciphers(ctx))
        goto err;
    IBM4767_INFO("provider loaded: transport %s, devices %s, ready timeout "
                 "%ld ms", cca_transport_name(ctx->config.transport),
                 ctx->config.devices, ctx->config.ready_timeout_ms);

    *out = prov_functions;
    *provctx = ctx;
    return 1;

err:
    prov_teardown(ctx);
    return 0;
}
