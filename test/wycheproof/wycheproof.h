/*
 * Shared declarations of the Wycheproof vector runners.
 *
 * A runner reads Wycheproof vector files (JSON, Apache-2.0, project
 * Wycheproof) at run time and replays every test case through public EVP
 * calls on one provider: ibm4767 (the device) or default (a check of the
 * runner itself).  The default provider decodes the keys in the vectors,
 * and EVP_PKEY_fromdata() imports them into the provider under test.
 * Every operation is fetched with the property query "provider=NAME", so
 * the provider under test does the work.
 */
#ifndef IBM4767_TEST_WYCHEPROOF_H
#define IBM4767_TEST_WYCHEPROOF_H

#include <stddef.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

/* Exit codes: 77 is the skip code of Automake's test driver. */
#define WP_EXIT_OK    0
#define WP_EXIT_FAIL  1
#define WP_EXIT_USAGE 2
#define WP_EXIT_SKIP  77

/* Size of the buffers that describe what an operation did. */
#define WP_TEXT_LEN 512

/* Provider state shared by every file of one run. */
struct wp_runner {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *target;       /* provider under test */
    OSSL_PROVIDER *base;         /* default: decodes the vectors' keys */
    const char *provider_name;   /* "ibm4767" or "default" */
    char propq[64];              /* "provider=NAME": key imports */
    /* Property query of the operations: propq, or NULL as in applications
     * that fetch nothing themselves (the key's provider serves them). */
    const char *op_propq;
    int device;                  /* 1 when the target is ibm4767 */
    int verbose;
    long only_tc_id;             /* run only this tcId; -1 runs all */
};

/* The "result" field of a test case. */
enum wp_expect {
    WP_EXPECT_VALID,
    WP_EXPECT_INVALID,
    WP_EXPECT_ACCEPTABLE,
};

/* What an operation did with one test case. */
enum wp_outcome {
    WP_OUTCOME_SUCCESS,   /* succeeded, and any output equals the vector's */
    WP_OUTCOME_REJECTED,  /* the operation, or a key import it needs, failed */
    WP_OUTCOME_MISMATCH,  /* succeeded with an output other than expected */
    WP_OUTCOME_ERROR,     /* the runner could not run the case */
};

/* Result of preparing a test group (its key, digest and parameters). */
enum wp_setup {
    WP_SETUP_READY,
    WP_SETUP_SKIP,           /* the device does not support the group */
    WP_SETUP_KEY_REJECTED,   /* the provider rejected the group's key */
    WP_SETUP_ERROR,          /* the vector or the runner is broken */
};

struct wp_tally {
    unsigned long passed;
    unsigned long failed;
    unsigned long acceptable;
    unsigned long skipped;
};

struct wp_key_cache;

/* One vector file being run. */
struct wp_file {
    const struct wp_runner *runner;
    const char *name;
    struct wp_tally tally;
    /* Private keys already imported, by their text in the vector file
     * (ECDH gives a private key per test case but reuses a few dozen). */
    struct wp_key_cache *keys;
};

/* One test group and what its setup prepared. */
struct wp_group {
    struct wp_file *file;
    const json_t *json;
    EVP_PKEY *key;               /* the group's key, in the target provider */
    const char *md;              /* the group's "sha", e.g. "SHA-256" */
    const char *mgf1_md;         /* the group's "mgfSha" (RSA-PSS, OAEP) */
    int salt_len;                /* the group's "sLen" in bytes (RSA-PSS) */
    const char *curve;           /* OpenSSL group name (EC) */
    size_t field_len;            /* bytes of one EC coordinate */
};

/* A vector file schema and the functions that run its groups and cases. */
struct wp_family {
    const char *schema;          /* the file's "schema" field */
    const char *group_type;      /* each group's "type" field */
    /* 1 when the operation uses a private key, which never leaves the
     * provider under test.  A public key exports, so without a property
     * query libcrypto may verify with it in another provider. */
    int private_key;
    /* Prepares g; on anything but WP_SETUP_READY writes the reason into
     * what.  The runner frees g->key after the group. */
    enum wp_setup (*setup)(struct wp_group *g, char *what, size_t what_len);
    /* Runs one test case; writes what happened into what. */
    enum wp_outcome (*run)(struct wp_group *g, const json_t *test,
                           char *what, size_t what_len);
};

/* A runner program: its families and the files it runs by default. */
struct wp_program {
    const char *name;
    const struct wp_family *const *families;
    size_t family_count;
    const char *const *files;
    size_t file_count;
};

/* Parses the command line, runs the files and returns the exit code. */
int wp_main(const struct wp_program *prog, int argc, char **argv);

/* Byte strings decoded from the vectors' hex fields. */
struct wp_bytes {
    unsigned char *data;         /* never NULL after a successful decode */
    size_t len;
};

/* Decodes the hex string field of obj into out.  Returns 1, or 0 with the
 * reason in what when the field is missing or not hex. */
int wp_json_hex(const json_t *obj, const char *field, struct wp_bytes *out,
                char *what, size_t what_len);
/* Cleanses and frees b (the vectors hold private keys and secrets). */
void wp_bytes_free(struct wp_bytes *b);
/* Returns the string field of obj, or NULL when absent or not a string. */
const char *wp_json_string(const json_t *obj, const char *field);
/* Reads an integer field.  Returns 1, or 0 when absent or not an integer. */
int wp_json_long(const json_t *obj, const char *field, long *out);

/* Moves the OpenSSL error queue into buf as "reason (detail); ..." after
 * prefix, and clears the queue. */
void wp_take_errors(char *buf, size_t len, const char *prefix);
/* Writes "output differs: got ..., expected ..." with the first bytes. */
void wp_describe_mismatch(char *buf, size_t len, const unsigned char *got,
                          size_t got_len, const struct wp_bytes *expected);

/* Maps a Wycheproof curve name (secp256r1, ...) to OpenSSL's group name
 * and coordinate size.  Returns NULL for curves the runners do not know. */
const char *wp_curve_group_name(const char *curve, size_t *field_len);
/* Returns 1 when the device supports an RSA modulus of this many bits. */
int wp_rsa_bits_supported(long bits);

/* Key decoding with the default provider (keys.c). */
EVP_PKEY *wp_decode_spki(const struct wp_runner *r, const struct wp_bytes *der,
                         char *what, size_t what_len);
EVP_PKEY *wp_decode_pkcs8(const struct wp_runner *r,
                          const struct wp_bytes *der, char *what,
                          size_t what_len);
EVP_PKEY *wp_decode_pem_public(const struct wp_runner *r, const char *pem,
                               char *what, size_t what_len);
EVP_PKEY *wp_decode_pem_private(const struct wp_runner *r, const char *pem,
                                char *what, size_t what_len);

/* Imports a key from parameters into the provider under test with
 * EVP_PKEY_fromdata() and checks that the key belongs to that provider. */
EVP_PKEY *wp_key_import(const struct wp_runner *r, const char *key_type,
                        int selection, const OSSL_PARAM *params, char *what,
                        size_t what_len);
/* Exports src with EVP_PKEY_todata() and imports the parameters into the
 * provider under test, as libcrypto does when a key moves between
 * providers.  selection is EVP_PKEY_PUBLIC_KEY or EVP_PKEY_KEYPAIR. */
EVP_PKEY *wp_key_transfer(const struct wp_runner *r, const EVP_PKEY *src,
                          int selection, char *what, size_t what_len);
/* Prepares an RSA group: skips key sizes the device does not support, then
 * decodes der_field (SubjectPublicKeyInfo for EVP_PKEY_PUBLIC_KEY, PKCS#8
 * for EVP_PKEY_KEYPAIR) and imports the key into g->key. */
enum wp_setup wp_setup_rsa_key(struct wp_group *g, const char *der_field,
                               int selection, char *what, size_t what_len);
/* Checks that the provider under test runs the operation of ctx, so that
 * no operation falls back to another provider.  Returns 1, or 0 with the
 * reason in what. */
int wp_check_operation_provider(const struct wp_runner *r,
                                const EVP_PKEY_CTX *ctx, char *what,
                                size_t what_len);
/* Cleanses every parameter's data, then frees the array. */
void wp_params_free(OSSL_PARAM *params);

/* Cache of imported private keys for one file.  The id is a string owned
 * by the loaded vector file, which outlives the cache.  find returns 1 when
 * id is cached and sets *pkey (NULL when the import was rejected; the reason
 * is then copied into what).  add takes ownership of pkey. */
int wp_key_cache_find(const struct wp_key_cache *cache, const char *id,
                      EVP_PKEY **pkey, char *what, size_t what_len);
int wp_key_cache_add(struct wp_key_cache **cache, const char *id,
                     EVP_PKEY *pkey, const char *what);
void wp_key_cache_free(struct wp_key_cache *cache);

/* Families (rsa_sig.c, rsa_enc.c, ecdsa.c, ecdh.c). */
extern const struct wp_family wp_rsa_pkcs1_verify_family;
extern const struct wp_family wp_rsa_pss_verify_family;
extern const struct wp_family wp_rsa_pss_params_verify_family;
extern const struct wp_family wp_rsa_pkcs1_sign_family;
extern const struct wp_family wp_rsa_oaep_decrypt_family;
extern const struct wp_family wp_rsa_pkcs1_decrypt_family;
extern const struct wp_family wp_ecdsa_der_verify_family;
extern const struct wp_family wp_ecdsa_p1363_verify_family;
extern const struct wp_family wp_ecdh_asn_family;
extern const struct wp_family wp_ecdh_pem_family;
extern const struct wp_family wp_ecdh_ecpoint_family;

#endif
