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
/* Key generation and import parameter (UTF-8 string) naming what the key
 * may do: "sign", "keymgmt" or "both" for RSA; "sign", "derive" or "both"
 * for EC. */
#define IBM4767_PKEY_PARAM_USAGE "ibm4767-usage"

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
    /* Key storage for ibm4767: URIs and CCA KEY LABEL files; no file is
     * opened until a label is loaded. */
    struct cca_keystore *keystore;
    /* AES algorithms without the modes the coprocessor lacks (CTR over
     * transport cca); NULL when the full table serves. */
    OSSL_ALGORITHM *cipher_algs;
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
    int is_pss;                  /* key management RSA-PSS; once a token
                                  * is set, its tok.is_pss */
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
/* Return the name of the key's type in OpenSSL: "RSA", "RSA-PSS" or
 * "EC". */
const char *ibm4767_key_type_name(const struct ibm4767_key *key);
/* Note a CCA warning (0/10001) from a verb on this key, once per key. */
void ibm4767_key_note_result(struct ibm4767_key *key,
                             const struct cca_result *res);
/* Copy key (its token) into a new key object; raises and returns NULL when
 * memory runs out. */
struct ibm4767_key *ibm4767_key_dup(const struct ibm4767_key *key);
/* Return 1 when key contains what selection (OSSL_KEYMGMT_SELECT_*)
 * requests: a public key for every token, a private key for internal
 * tokens only. */
int ibm4767_key_has(const struct ibm4767_key *key, int selection);
/* Replace an internal token by an external token of its public key, built
 * on the host.  Returns 1, or 0 (raised) when memory runs out. */
int ibm4767_key_drop_private(struct ibm4767_key *key);

/*
 * Key references.  A decoder or the store loader passes a key to a key
 * management's load function as OSSL_OBJECT_PARAM_REFERENCE: the address
 * of a struct ibm4767_key pointer, reference size
 * sizeof(struct ibm4767_key *).  load takes the key over and sets that
 * pointer to NULL; the sender frees any key still left in that pointer
 * after its object callback returns.  Returns the key, or NULL (raised) when the
 * reference is malformed or refers to a key of another algorithm than
 * alg.
 */
struct ibm4767_key *ibm4767_key_from_reference(const void *reference,
                                               size_t reference_len,
                                               uint32_t alg);

/* Digests (provider/digest.c).  Fetch name from the child library context
 * with props; raises naming the digest when it is unknown. */
EVP_MD *ibm4767_digest_fetch(const struct ibm4767_provctx *ctx,
                             const char *name, const char *props);
/* Fetch a digest for an operation fetched with op_propq.  Explicit
 * md_props win; otherwise op_propq is tried first and, because this
 * provider has no digests, any implementation is taken when it matches
 * none. */
EVP_MD *ibm4767_digest_fetch_for_op(const struct ibm4767_provctx *ctx,
                                    const char *name, const char *md_props,
                                    const char *op_propq);
/* Return the NID of md when the coprocessor supports it (SHA-1, SHA-224,
 * SHA-256, SHA-384, SHA-512), else raise naming it and return 0. */
int ibm4767_digest_device_nid(const struct ibm4767_provctx *ctx,
                              const EVP_MD *md);

/* DER encodings (provider/der.c).  Each writes at most cap bytes into out
 * and sets *out_len; returns 1, or 0 (raised) when out is too small. */
#define IBM4767_ALGORITHM_ID_MAX 128
/* AlgorithmIdentifier of the signature scheme of digest md_nid with key
 * type pkey_nid (NID_rsaEncryption: sha*WithRSAEncryption with NULL
 * parameters; NID_X9_62_id_ecPublicKey: ecdsa-with-SHA* without). */
int ibm4767_der_signature_algorithm_id(const struct ibm4767_provctx *ctx,
                                       int md_nid, int pkey_nid,
                                       uint8_t *out, size_t cap,
                                       size_t *out_len);
/* AlgorithmIdentifier id-RSASSA-PSS with its RSASSA-PSS-params (defaults
 * SHA-1, MGF1 with SHA-1 and salt length 20 omitted, as DER requires). */
int ibm4767_der_rsa_pss_algorithm_id(const struct ibm4767_provctx *ctx,
                                     int md_nid, int mgf1_nid, int salt_len,
                                     uint8_t *out, size_t cap,
                                     size_t *out_len);
/* SubjectPublicKeyInfo of key's public part (RSA or EC); *der is
 * allocated with OPENSSL_malloc. */
int ibm4767_der_spki(const struct ibm4767_key *key, uint8_t **der,
                     size_t *der_len);

/* Dispatch tables, one per algorithm and operation. */
extern const OSSL_DISPATCH ibm4767_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH ibm4767_rsapss_keymgmt_functions[];
extern const OSSL_DISPATCH ibm4767_ec_keymgmt_functions[];
extern const OSSL_DISPATCH ibm4767_rsa_signature_functions[];
extern const OSSL_DISPATCH ibm4767_ecdsa_signature_functions[];
extern const OSSL_DISPATCH ibm4767_rsa_asym_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_ecdh_keyexch_functions[];
extern const OSSL_DISPATCH ibm4767_token_pem_rsa_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_pem_rsapss_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_pem_ec_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_pem2der_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_der_rsa_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_der_rsapss_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_der_ec_decoder_functions[];
extern const OSSL_DISPATCH ibm4767_token_pem_encoder_functions[];
extern const OSSL_DISPATCH ibm4767_spki_pem_encoder_functions[];
extern const OSSL_DISPATCH ibm4767_spki_der_encoder_functions[];
extern const OSSL_DISPATCH ibm4767_text_encoder_functions[];
extern const OSSL_DISPATCH ibm4767_rand_functions[];
extern const OSSL_DISPATCH ibm4767_aes_128_ecb_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_192_ecb_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_256_ecb_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_128_cbc_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_192_cbc_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_256_cbc_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_128_ctr_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_192_ctr_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_256_ctr_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_128_gcm_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_192_gcm_cipher_functions[];
extern const OSSL_DISPATCH ibm4767_aes_256_gcm_cipher_functions[];

/* Key storage (provider/store.c): the OSSL_STORE loader for ibm4767:
 * URIs and the CCA KEY LABEL decoder (provider/decoder_label.c). */
extern const OSSL_DISPATCH ibm4767_store_functions[];
extern const OSSL_DISPATCH ibm4767_label_pem2der_decoder_functions[];
/* Read the token of an RSA or EC key record; *token is allocated and the
 * caller cleanses it.  Raises naming the label (with its CCA code for a
 * missing label, 8/30, or an invalid one, 8/32) and returns 0 on failure. */
int ibm4767_keystore_read_token(struct ibm4767_provctx *ctx,
                                const char *label, uint8_t **token,
                                size_t *token_len);

#endif
