/*
 * Backend verb API (libibm4767): one function per CCA verb the provider and
 * tools need.  Every function is thread-safe, waits for a device that is
 * running its self-test (up to the readiness timeout) and fills a
 * struct cca_result with the CCA return/reason code, the device-driver code
 * and the device it talked to.  Functions return 1 when the device returned
 * 0 or 4 as return code (check res->rc for warnings and, for verify, 4/429)
 * and 0 otherwise.
 */
#ifndef IBM4767_CCA_H
#define IBM4767_CCA_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/codes.h>
#include <ibm4767/protocol.h>
#include <ibm4767/token.h>

#define CCA_DEFAULT_SOCKET        "/run/ibm4767/crp01.sock"
#define CCA_DEFAULT_READY_TIMEOUT 300 /* seconds: the card's POST can take minutes */
#define CCA_MAX_DEVICES           16
/* Microseconds a request checks for its reply before sleeping (config key
 * spin-wait-us, environment IBM4767_SPIN_WAIT_US); see backend/pool.c. */
#define CCA_DEFAULT_SPIN_WAIT_US  50
#define CCA_SPIN_WAIT_MAX_US      1000

/* Resolved configuration.  cca_config_apply_env() lets the environment
 * override what the caller (openssl.cnf, command line) set. */
/* Transports: the ways the backend reaches the coprocessor (configuration
 * key transport, environment IBM4767_TRANSPORT). */
#define CCA_TRANSPORT_SOCKET 0   /* "socket": the emulator's Unix socket */
#define CCA_TRANSPORT_CCA    1   /* "cca": IBM's CCA host library */
#define CCA_DEFAULT_CCA_LIBRARY "libcsulcca.so"

struct cca_config {
    char devices[4096];      /* comma-separated socket paths; first is CRP01.
                              * With transport cca: adapter names (CRP01,
                              * CRP02, ...), or anything else for every
                              * adapter the library reports */
    long ready_timeout_ms;
    int log_level;           /* IBM4767_LOG_* */
    char log_file[1024];     /* empty: stderr */
    int transport;           /* CCA_TRANSPORT_* */
    char cca_library[1024];  /* library the cca transport opens with dlopen */
    int ignore_default_adapter; /* 1: leave CSU_DEFAULT_ADAPTER alone (the
                                 * CCA emulator library applies it itself) */
    unsigned spin_wait_us;   /* 0 to CCA_SPIN_WAIT_MAX_US; 0: never spin */
};

/* Parse a transport name ("socket" or "cca"); returns -1 for any other. */
int cca_transport_parse(const char *name);
const char *cca_transport_name(int transport);

/* Parse a spin-wait time: a whole number of microseconds from 0 to
 * CCA_SPIN_WAIT_MAX_US.  Returns 1, or 0 when value is not one. */
int cca_parse_spin_wait(const char *value, unsigned *us);

/* Fill cfg with the built-in defaults. */
void cca_config_defaults(struct cca_config *cfg);
/* Apply IBM4767_DEVICES, IBM4767_READY_TIMEOUT, IBM4767_DEBUG,
 * IBM4767_TRANSPORT, IBM4767_CCA_LIBRARY and IBM4767_SPIN_WAIT_US.  Returns 1,
 * or 0 with a message in err when a variable contains an invalid value. */
int cca_config_apply_env(struct cca_config *cfg, char *err, size_t err_len);

struct cca_result {
    uint32_t rc;
    uint32_t reason;
    uint32_t driver_code;
    int device;              /* index into the device list, -1 if none */
    char device_name[8];     /* "CRP01" */
    char device_path[108];   /* that device's socket path, "" if none */
    char detail[512];        /* what failed, naming the socket where useful */
};

/* Render res as one line: "CRP01 (/path): 8/48 ... : message". */
const char *cca_result_text(const struct cca_result *res, char *buf,
                            size_t len);

struct cca_backend;

/* Create a backend for cfg.  Does not connect: the first request does.
 * Returns NULL only when memory runs out or cfg lists no device. */
struct cca_backend *cca_backend_new(const struct cca_config *cfg);
/* As cca_backend_new, and on failure writes the reason into err.  With
 * transport cca it loads the CCA library and resolves every verb the
 * backend calls, so a missing library or verb fails here, naming it. */
struct cca_backend *cca_backend_open(const struct cca_config *cfg, char *err,
                                     size_t err_len);
void cca_backend_free(struct cca_backend *be);
int cca_backend_device_count(const struct cca_backend *be);
const char *cca_backend_device_path(const struct cca_backend *be, int device);
/* CCA_TRANSPORT_* of a backend. */
int cca_backend_transport(const struct cca_backend *be);

/*
 * What the coprocessor behind a backend can do.  The socket transport
 * (the emulator) supports everything.  Over the cca transport, support
 * depends on the CCA level of the host library and on what CCA offers at
 * all.  doc/cca-verbs.md lists the differences.
 */
enum cca_capability {
    CCA_CAP_AES_CTR = 1,       /* CSNBSAE has no CTR mode */
    CCA_CAP_AES_GCM,           /* CCA 5.2 and later */
    CCA_CAP_OAEP_SHA2,         /* OAEP with SHA-224, -384, -512: PKOAEP2 */
    CCA_CAP_OAEP_MGF1_OTHER,   /* OAEP with an MGF1 digest of its own */
    CCA_CAP_OAEP_LABEL,        /* OAEP with a non-empty label */
    CCA_CAP_PSS_MGF1_OTHER,    /* PSS with an MGF1 digest of its own */
    CCA_CAP_RSA_TLS_PADDING,   /* constant-time TLS premaster decryption */
    CCA_CAP_RSA_RAW_DECRYPT,   /* decryption without padding, internal key */
    CCA_CAP_ECDH_IMPORTED,     /* ECDH with a key that was imported */
    CCA_CAP_EMULATOR_STATUS,   /* counters, code segments, timing profile */
};

/* Return 1 when the coprocessor supports cap, else 0. */
int cca_backend_supports(const struct cca_backend *be,
                         enum cca_capability cap);
/* The CCA level as "version.release" ("5.4"), for messages; "" with the
 * socket transport. */
const char *cca_backend_cca_level(const struct cca_backend *be);

/* Device state, as in the status reply. */
enum cca_device_state {
    CCA_STATE_SELF_TEST = 1,
    CCA_STATE_READY = 2,
    CCA_STATE_NO_FIRMWARE = 3,
    CCA_STATE_ZEROIZED = 4,
};
const char *cca_device_state_name(uint32_t state);

/* Master key register states (CCA: new 1 empty/2 partial/3 full;
 * current and old 1 empty/2 valid). */
#define CCA_MK_EMPTY   1u
#define CCA_MK_PARTIAL 2u
#define CCA_MK_VALID   2u
#define CCA_MK_FULL    3u

struct cca_mk_register {
    uint32_t state;
    uint8_t mkvp[CCA_MKVP_LEN];
};

enum cca_mk_slot { CCA_MK_NEW = 0, CCA_MK_CURRENT = 1, CCA_MK_OLD = 2 };

#define CCA_STATUS_MAX_COUNTERS 32
#define CCA_STATUS_SEGMENTS     3

struct cca_counter {
    char name[32];
    uint64_t value;
};

struct cca_segment {
    char image[64];          /* e.g. "5.4.33 CCA" */
    char hash[65];           /* SHA-256, lower-case hex */
};

#define CCA_STATUS_MAX_PROFILE_OPS 24

/* One operation class of the device's timing profile: a request occupies
 * one of the engine's units for service_us plus per_kib_us per KiB of
 * data, after latency_us outside the engine.  So the engine serves
 * units * 1e6 / service_us requests a second at most, and one request at
 * a time runs at 1e6 / (latency_us + service_us) a second. */
struct cca_profile_op {
    char name[32];           /* e.g. "rsa-2048-private" */
    char engine[16];         /* e.g. "pka" */
    uint32_t units;
    uint32_t service_us;
    uint32_t per_kib_us;
    uint32_t latency_us;
};

struct cca_status {
    uint32_t state;          /* enum cca_device_state */
    uint32_t self_test_remaining_ms;
    char serial[32];
    char description[96];
    char firmware_version[32];
    uint32_t driver_code;    /* active warning (battery, RNG fault) or 0 */
    struct cca_mk_register aes[3];   /* indexed by enum cca_mk_slot */
    struct cca_mk_register apka[3];
    struct cca_segment segments[CCA_STATUS_SEGMENTS];
    size_t counter_count;
    struct cca_counter counters[CCA_STATUS_MAX_COUNTERS];
    char profile[16];        /* timing profile name, "" when off */
    size_t profile_op_count;
    struct cca_profile_op profile_ops[CCA_STATUS_MAX_PROFILE_OPS];
};

/* Look up a counter by name; returns 0 when absent. */
uint64_t cca_status_counter(const struct cca_status *st, const char *name);
/* Look up a timing profile class by name; NULL when absent. */
const struct cca_profile_op *cca_status_profile_op(const struct cca_status *st,
                                                   const char *name);

/* CSUACFQ.  device: index, or -1 for the first configured device.  With
 * wait_ready set, waits through a self-test like every other verb. */
int cca_facility_query(struct cca_backend *be, int device, int wait_ready,
                       struct cca_status *st, struct cca_result *res);

/* CSNDPKG.  size: RSA modulus bits, or the curve NID for EC.  e may be
 * NULL for 65537.  *token is allocated with OPENSSL_malloc. */
int cca_pka_key_generate(struct cca_backend *be, uint32_t alg, uint32_t size,
                         const uint8_t *e, size_t e_len, uint32_t usage,
                         uint8_t **token, size_t *token_len,
                         struct cca_result *res);

/*
 * CSNDPKG with CCA's RETAIN rule: a new RSA or EC key whose private key
 * stays inside the device under label (canonical label text, see
 * ibm4767/keystore.h) and never leaves it.  *token receives the
 * retained-key token (ibm4767/token.h), which names the label and the
 * device's serial number, and res->device the device that keeps the key.
 * device: index into the configured devices, or -1 to let the backend
 * choose.  Every verb that takes a token then sends a request with this
 * token to that device only.  Fails with 8/44 when the device already
 * keeps a retained key with this label, and with 8/4773 over the cca
 * transport.  Never sent twice: after a lost reply, list the device's
 * retained keys (ibm4767/admin.h) to see whether the key was made.
 */
int cca_pka_key_generate_retained(struct cca_backend *be, int device,
                                  const char *label, uint32_t alg,
                                  uint32_t size, const uint8_t *e,
                                  size_t e_len, uint32_t usage,
                                  uint8_t **token, size_t *token_len,
                                  struct cca_result *res);

/*
 * Key value structures for CSNDPKI, in the form CCA's CSNDPKB takes:
 *  RSA: nine u16 fields (modulus bits, then the lengths of n, e, d, p, q,
 *       dp, dq and u = q^-1 mod p), followed by the nine values.
 *  EC:  u8 curve type, u8 reserved, u16 field bits, u16 length of d,
 *       u16 length of Q, then d and Q (Q may be empty).
 * The caller cleanses kvs after the call.
 */
#define CCA_RSA_KVS_HEADER_LEN 18u
#define CCA_EC_KVS_HEADER_LEN  8u
int cca_pka_key_import(struct cca_backend *be, uint32_t alg, uint32_t usage,
                       const uint8_t *kvs, size_t kvs_len, uint8_t **token,
                       size_t *token_len, struct cca_result *res);

/*
 * CSNDPKG and CSNDPKI for an RSA-PSS key: as cca_pka_key_generate and
 * cca_pka_key_import with CCA_ALG_RSA, and the token gets the RSA-PSS
 * section for pss (ibm4767/token.h).  The device then signs with the key
 * only with PSS and within the restrictions of pss.  It never decrypts
 * with it, so usage must leave out CCA_USAGE_KEY_MGMT (0 means signature
 * only).  The cca transport fails both with 8/4773, because CCA tokens
 * have no such section.
 */
int cca_pka_rsa_pss_key_generate(struct cca_backend *be, uint32_t bits,
                                 const uint8_t *e, size_t e_len,
                                 uint32_t usage,
                                 const struct cca_rsa_pss *pss,
                                 uint8_t **token, size_t *token_len,
                                 struct cca_result *res);
int cca_pka_rsa_pss_key_import(struct cca_backend *be, uint32_t usage,
                               const struct cca_rsa_pss *pss,
                               const uint8_t *kvs, size_t kvs_len,
                               uint8_t **token, size_t *token_len,
                               struct cca_result *res);

/* CSNDPKX: *pub is an external token with the public section only. */
int cca_pka_public_key_extract(struct cca_backend *be, const uint8_t *token,
                               size_t token_len, uint8_t **pub,
                               size_t *pub_len, struct cca_result *res);

/* Signature schemes (CSNDDSG rule keywords). */
#define CCA_SIG_PKCS1     1u /* PKCS-1.1: DigestInfo built by the device */
#define CCA_SIG_PSS       2u /* PKCS-PSS */
#define CCA_SIG_ECDSA     3u
#define CCA_SIG_PKCS1_RAW 4u /* PKCS-1.0 style: caller's bytes, no DigestInfo */

/* PSS salt lengths with a special meaning (the values OpenSSL uses). */
#define CCA_SALT_DIGEST ((int32_t)-1)
#define CCA_SALT_AUTO   ((int32_t)-2)
#define CCA_SALT_MAX    ((int32_t)-3)

struct cca_sig_params {
    uint32_t scheme;
    int hash_nid;            /* NID of the digest, 0 for none */
    int mgf1_nid;            /* PSS only; 0: same as hash_nid */
    int32_t salt_len;        /* PSS only */
};

/* CSNDDSG.  sig has room for *sig_len bytes; *sig_len gets the length.
 * RSA signatures are modulus-sized; ECDSA signatures are r||s. */
int cca_digital_signature_generate(struct cca_backend *be,
                                   const struct cca_sig_params *p,
                                   const uint8_t *token, size_t token_len,
                                   const uint8_t *hash, size_t hash_len,
                                   uint8_t *sig, size_t *sig_len,
                                   struct cca_result *res);

/* CSNDDSV: returns 1 with rc 0 when valid, 1 with 4/429 when the
 * signature does not verify, 0 on any other failure. */
int cca_digital_signature_verify(struct cca_backend *be,
                                 const struct cca_sig_params *p,
                                 const uint8_t *token, size_t token_len,
                                 const uint8_t *hash, size_t hash_len,
                                 const uint8_t *sig, size_t sig_len,
                                 struct cca_result *res);

/* PKA padding modes (CSNDPKD/CSNDPKE rule keywords). */
#define CCA_PAD_PKCS1 1u     /* PKCS-1.2 */
#define CCA_PAD_OAEP  2u     /* PKCSOAEP / PKOAEP2 */
#define CCA_PAD_TLS   3u     /* PKCS#1 v1.5 with TLS premaster handling */
#define CCA_PAD_NONE  4u     /* ZERO-PAD: raw RSA */

struct cca_pka_cipher_params {
    uint32_t padding;
    int oaep_nid;            /* OAEP digest */
    int mgf1_nid;            /* 0: same as oaep_nid */
    const uint8_t *label;
    size_t label_len;
    uint32_t tls_client_version;
    uint32_t tls_alt_version;
};

/* CSNDPKD / CSNDPKE: out has room for *out_len bytes. */
int cca_pka_decrypt(struct cca_backend *be,
                    const struct cca_pka_cipher_params *p,
                    const uint8_t *token, size_t token_len,
                    const uint8_t *in, size_t in_len, uint8_t *out,
                    size_t *out_len, struct cca_result *res);
int cca_pka_encrypt(struct cca_backend *be,
                    const struct cca_pka_cipher_params *p,
                    const uint8_t *token, size_t token_len,
                    const uint8_t *in, size_t in_len, uint8_t *out,
                    size_t *out_len, struct cca_result *res);

/* CSNDEDH: the shared secret (x coordinate) into out. */
int cca_ec_diffie_hellman(struct cca_backend *be, const uint8_t *token,
                          size_t token_len, const uint8_t *peer,
                          size_t peer_len, uint8_t *out, size_t *out_len,
                          struct cca_result *res);

/*
 * Symmetric (AES) verbs.  The constants are wire values of the SYM_* verbs
 * in ibm4767/protocol.h; tokens are laid out as ibm4767/symtoken.h says.
 */
#define CCA_SYM_ALG_AES 2u

/* Key usage of a token (CSNBKGN2 key-usage keywords ENCRYPT, DECRYPT). */
#define CCA_SYM_USAGE_ENCRYPT 0x01u
#define CCA_SYM_USAGE_DECRYPT 0x02u

/* Modes (CSNBSAE/CSNBSAD processing rules; CTR is this project's own). */
#define CCA_SYM_MODE_ECB 1u
#define CCA_SYM_MODE_CBC 2u
#define CCA_SYM_MODE_CTR 3u
#define CCA_SYM_MODE_GCM 4u

/* Chaining steps (CSNBSAE/CSNBSAD ONLY, INITIAL, CONTINUE, FINAL). */
#define CCA_SYM_CHAIN_ONLY     0u
#define CCA_SYM_CHAIN_INITIAL  1u
#define CCA_SYM_CHAIN_CONTINUE 2u
#define CCA_SYM_CHAIN_FINAL    3u

/* Key forms (CSNBSAE/CSNBSAD KEY-CLR and KEYIDENT). */
#define CCA_SYM_KEY_CLEAR 1u
#define CCA_SYM_KEY_TOKEN 2u

#define CCA_SYM_GCM_TAG_MIN 4u
#define CCA_SYM_GCM_TAG_MAX 16u

/* CSNBKGN2: a new AES key of bits (128, 192, 256) wrapped under the AES
 * master key.  usage is CCA_SYM_USAGE_* bits, mode a CCA_SYM_MODE_* the
 * key is restricted to, or 0 for any.  *token is allocated with
 * OPENSSL_malloc. */
int cca_symmetric_key_generate(struct cca_backend *be, uint32_t alg,
                               uint32_t bits, uint32_t usage, uint32_t mode,
                               uint8_t **token, size_t *token_len,
                               struct cca_result *res);

/* Wrap a clear AES key (16, 24 or 32 bytes) into a token, as
 * cca_symmetric_key_generate does.  The caller cleanses key. */
int cca_symmetric_key_import(struct cca_backend *be, uint32_t alg,
                             uint32_t usage, uint32_t mode,
                             const uint8_t *key, size_t key_len,
                             uint8_t **token, size_t *token_len,
                             struct cca_result *res);

/* What a symmetric request works on.  key is a clear key (KEY-CLR) or a
 * token (KEYIDENT).  The IV is sent on a chain's first request only, AAD
 * (GCM) only before the chain's first data byte. */
struct cca_sym_params {
    uint32_t mode;           /* CCA_SYM_MODE_* */
    uint32_t chain;          /* CCA_SYM_CHAIN_* */
    uint32_t key_form;       /* CCA_SYM_KEY_CLEAR or CCA_SYM_KEY_TOKEN */
    const uint8_t *key;
    size_t key_len;
    const uint8_t *iv;
    size_t iv_len;
    const uint8_t *aad;
    size_t aad_len;
};

/* The state of a chain between requests: the device that holds it and the
 * opaque chaining vector it returned.  Set device to -1 before INITIAL. */
struct cca_sym_chain {
    int device;
    size_t len;
    uint8_t vector[IBM4767_SYM_CHAIN_MAX];
};

/*
 * CSNBSAE / CSNBSAD.  out receives in_len bytes (ECB and CBC take whole
 * 16-byte blocks; the caller pads).  Any length is accepted: longer input
 * and AAD go to the device as a chain of IBM4767_SYM_DATA_MAX pieces.
 * chain may be NULL for ONLY; for INITIAL and CONTINUE it receives the
 * chaining vector, and CONTINUE and FINAL send it back to the same device.
 * GCM ONLY and FINAL: encipher writes a tag of tag_len bytes (4 to 16) to
 * tag; decipher checks tag_len bytes at tag and fails with 8/2947 when
 * they do not match (out then holds nothing usable).
 */
int cca_symmetric_encipher(struct cca_backend *be,
                           const struct cca_sym_params *p,
                           struct cca_sym_chain *chain, const uint8_t *in,
                           size_t in_len, uint8_t *out, uint8_t *tag,
                           size_t tag_len, struct cca_result *res);
int cca_symmetric_decipher(struct cca_backend *be,
                           const struct cca_sym_params *p,
                           struct cca_sym_chain *chain, const uint8_t *in,
                           size_t in_len, uint8_t *out, const uint8_t *tag,
                           size_t tag_len, struct cca_result *res);

/* CSNBRNGL: any length; split into IBM4767_RANDOM_MAX pieces. */
int cca_random_number_generate(struct cca_backend *be, uint8_t *out,
                               size_t len, struct cca_result *res);

#endif
