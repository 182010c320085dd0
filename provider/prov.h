/*
 * Shared declarations of the ibm4767 provider: the provider context, the
 * key object every key management, signature, cipher and encoder uses, the
 * error helpers and the dispatch tables.
 */
#ifndef IBM4767_PROV_H
#define IBM4767_PROV_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/types.h>

#include <ibm4767/cca.h>
#include <ibm4767/log.h>

#define IBM4767_PROV_NAME       "ibm4767"
#define IBM4767_PROPQ           "provider=ibm4767"
/* PEM label of a key token file; its body is the token bytes. */
#define IBM4767_PEM_TOKEN_LABEL "CCA KEY TOKEN"
/* PEM label of a file that names a key storage label. */
#define IBM4767_PEM_LABEL_LABEL "CCA KEY LABEL"

struct ibm4767_provctx {
    const OSSL_CORE_HANDLE *handle;
    OSSL_LIB_CTX *libctx;            /* child context: digests, decoding */
    struct cca_backend *backend;
    struct cca_config config;
    /* Core functions for raising errors. */
    OSSL_FUNC_core_new_error_fn *core_new_error;
    OSSL_FUNC_core_set_error_debug_fn *core_set_error_debug;
    OSSL_FUNC_core_vset_error_fn *core_vset_error;
    OSSL_FUNC_core_get_params_fn *core_get_params;
    OSSL_FUNC_BIO_read_ex_fn *bio_read_ex;
    OSSL_FUNC_BIO_write_ex_fn *bio_write_ex;
    OSSL_FUNC_BIO_up_ref_fn *bio_up_ref;
    OSSL_FUNC_BIO_free_fn *bio_free;
};

/*
 * A key held by the provider.  The private part exists only inside the
 * token, wrapped by the device; everything else is read from the token's
 * public section.  A public-only key carries an external token built on
 * the host so the device can verify and encrypt with it.
 */
struct ibm4767_key {
    struct ibm4767_provctx *provctx;
    uint32_t alg;                /* CCA_ALG_RSA or CCA_ALG_EC; 0 if empty */
    int is_pss;                  /* key management RSA-PSS */
    uint8_t *token;
    size_t token_len;
    struct cca_pka_token tok;    /* parsed view into token */
    int point_compressed;        /* EC: point-format set to compressed */
    int warned_old_mk;           /* 0/10001 logged once per key */
};

/* Provider reason codes (ERR_raise reason numbers of this provider). */
enum ibm4767_reason {
    IBM4767_R_DEVICE_ERROR = 1,      /* CCA return/reason from the device */
    IBM4767_R_NOT_EXPORTABLE,
    IBM4767_R_INVALID_KEY,
    IBM4767_R_INVALID_TOKEN,
    IBM4767_R_INVALID_PARAMETER,
    IBM4767_R_UNSUPPORTED,
    IBM4767_R_BUFFER_TOO_SMALL,
    IBM4767_R_NO_KEY,
    IBM4767_R_OPERATION_NOT_INITIALIZED,
    IBM4767_R_MALLOC_FAILURE,
    IBM4767_R_DIGEST_FAILED,
    IBM4767_R_KEY_USAGE,
    IBM4767_R_BAD_SIGNATURE,
    IBM4767_R_DECRYPT_FAILED,
    IBM4767_R_CONFIG,
    IBM4767_R_INVALID_PEM,
};

/* Push an error with a printf-style detail onto OpenSSL's error queue and
 * log it at error level. */
void ibm4767_raise(const struct ibm4767_provctx *ctx, int reason,
                   const char *file, int line, const char *func,
                   const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
#define IBM4767_RAISE(ctx, reason, ...) \
    ibm4767_raise((ctx), (reason), __FILE__, __LINE__, __func__, __VA_ARGS__)

/* Raise IBM4767_R_DEVICE_ERROR for a failed verb: "<what>: <result text>". */
void ibm4767_raise_cca(const struct ibm4767_provctx *ctx,
                       const struct cca_result *res, const char *what,
                       const char *file, int line, const char *func);
#define IBM4767_RAISE_CCA(ctx, res, what) \
    ibm4767_raise_cca((ctx), (res), (what), __FILE__, __LINE__, __func__)

const OSSL_ITEM *ibm4767_reason_strings(void);

/* Key object life cycle (provider/key.c). */
struct ibm4767_key *ibm4767_key_new(struct ibm4767_provctx *ctx,
                                    uint32_t alg);
void ibm4767_key_free(struct ibm4767_key *key);
/* Take a copy of token, parse it and check it matches key->alg.  Raises
 * and returns 0 on an invalid token. */
int ibm4767_key_set_token(struct ibm4767_key *key, const uint8_t *token,
                          size_t len);
/* Note a CCA warning (0/10001) from a verb on this key, once per key. */
void ibm4767_key_note_result(struct ibm4767_key *key,
                             const struct cca_result *res);

/* Dispatch tables, one per algorithm and operation. */
extern const OSSL_DISPATCH ibm4767_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH ibm4767_rsapss_keymgmt_functions[];
extern const OSSL_DISPATCH ibm4767_ec_keymgmt_functions[];
extern const OSSL_DISPATCH ibm4767_rsa_signature_functions[];
extern const OSSL_DISPATCH ibm4767_ecdsa_signature_functions[];
extern const OSSL_DISPATCH ibm4767_rsa_asym_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_ecdh_keyexch_functions[];
extern const OSSL_DISPATCH ibm4767_token_pem_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_der_rsa_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_der_ec_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_pem_encoder_functions[];
extern const OSSL_DISPATCH ibm4767_spki_pem_encoder_functions[];
extern const OSSL_DISPATCH ibm4767_spki_der_encoder_functions[];
extern const OSSL_DISPATCH ibm4767_text_encoder_functions[];
extern const OSSL_DISPATCH ibm4767_rand_functions[];

#endif
