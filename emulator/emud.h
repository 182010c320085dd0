/*
 * Internal interfaces of ibm4767-emud, the emulated IBM 4767 coprocessor.
 *
 * Threads: one I/O thread runs the event loop (server.c, conn.c) and reads
 * request frames.  Worker pools (engine.c), one per emulated engine, run
 * the verbs (dispatch.c and the handlers in pka*.c, rng.c, status.c) and
 * write the replies themselves.  Everything a worker touches is either
 * read-only after start-up (struct emu_device) or has its own lock.
 */
#ifndef IBM4767_EMUD_H
#define IBM4767_EMUD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/types.h>

#include <ibm4767/cca.h>
#include <ibm4767/protocol.h>
#include <ibm4767/token.h>

#define EMU_PROGRAM "ibm4767-emud"

/* ---------------------------------------------------------------------- */
/* Configuration (options.c)                                               */

#define EMU_DEFAULT_STATE_DIR    "/var/lib/ibm4767/crp01"
#define EMU_DEFAULT_POST_SECONDS 3u
#define EMU_DEFAULT_KEY_CACHE    256u
#define EMU_MAX_KEY_CACHE        (1u << 20)
#define EMU_DEFAULT_SPIN_US      50u
#define EMU_MAX_SPIN_US          1000u
#define EMU_MAX_POST_SECONDS     3600u
#define EMU_MAX_WORKERS          1024u

struct emu_config {
    const char *socket_path;
    const char *socket_group;    /* NULL: owner-only socket */
    gid_t socket_gid;
    const char *state_dir;
    unsigned post_seconds;
    int no_firmware;
    int foreground;
    int log_level;               /* IBM4767_LOG_* */
    const char *log_file;        /* NULL: stderr */
    size_t key_cache_entries;    /* 0 turns the cache off */
    unsigned spin_us;            /* see server.c; 0 turns spinning off */
    unsigned pka_workers;        /* 0: one per online CPU */
    const struct emu_profile *profile; /* timing profile, NULL: off */
    /* Administration and validation (admin.h). */
    const char *validation_dir;  /* class key and certificate */
    int reinitialize;            /* erase the state: a new device */
    int print_segments;          /* print the segment hashes and exit */
    unsigned test_hooks;         /* EMU_HOOK_* bits */
};

/* Parse argv into cfg.  Returns 0 to run, 1 after printing the help
 * text, or 2 after printing a usage error on stderr. */
int emu_options_parse(int argc, char **argv, struct emu_config *cfg);

/* ---------------------------------------------------------------------- */
/* Results of a verb                                                       */

struct emu_result {
    uint32_t rc;
    uint32_t reason;
    char detail[224];            /* why a request failed; never key bytes */
};

void emu_result_init(struct emu_result *res);
/* Set rc/reason and a description; returns 0 so a handler can write
 * "return emu_fail(...)". */
int emu_fail(struct emu_result *res, uint32_t rc, uint32_t reason,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Set a warning (0/10001, 4/429): the verb completed. */
void emu_warn(struct emu_result *res, uint32_t rc, uint32_t reason);

/* ---------------------------------------------------------------------- */
/* Counters (device.c)                                                     */

enum emu_counter {
    EMU_CTR_REQUESTS = 0,
    EMU_CTR_REJECTED,
    EMU_CTR_SIGNATURES,
    EMU_CTR_VERIFICATIONS,
    EMU_CTR_DECRYPTIONS,
    EMU_CTR_ENCRYPTIONS,
    EMU_CTR_KEY_GENERATIONS,
    EMU_CTR_KEY_IMPORTS,
    EMU_CTR_PUBLIC_KEY_EXTRACTS,
    EMU_CTR_DERIVATIONS,
    EMU_CTR_RANDOM_REQUESTS,
    EMU_CTR_RANDOM_BYTES,
    EMU_CTR_KEY_CACHE_HITS,
    EMU_CTR_KEY_CACHE_MISSES,
    EMU_CTR_KEY_CACHE_EVICTIONS,
    EMU_CTR_SYMMETRIC_REQUESTS,  /* AES encipher and decipher requests */
    EMU_CTR_SYMMETRIC_BYTES,     /* their data bytes */
    EMU_CTR_COUNT,
    EMU_CTR_NONE = -1,           /* a verb that counts only as a request */
};

struct emu_counters {
    _Atomic uint64_t value[EMU_CTR_COUNT];
};

void emu_counter_add(struct emu_counters *c, enum emu_counter id,
                     uint64_t n);
uint64_t emu_counter_get(const struct emu_counters *c, enum emu_counter id);
/* The name in the status reply, e.g. "key-cache-hits". */
const char *emu_counter_name(enum emu_counter id);

/* ---------------------------------------------------------------------- */
/* State directory (state.c)                                               */

#define EMU_MK_LEN 32u

enum emu_mk_type { EMU_MK_AES = 0, EMU_MK_APKA = 1, EMU_MK_TYPES = 2 };

struct emu_mk_register {
    uint32_t state;              /* CCA_MK_EMPTY, CCA_MK_VALID, ... */
    uint8_t key[EMU_MK_LEN];
    uint8_t mkvp[CCA_MKVP_LEN];
};

struct emu_state {
    char *dir;                   /* absolute path */
    int lock_fd;                 /* flock held while the daemon runs */
    /* Indexed by enum emu_mk_type, then enum cca_mk_slot. */
    struct emu_mk_register mk[EMU_MK_TYPES][3];
    char serial[16];
    EVP_PKEY *device_key;        /* RSA-2048, signs status replies */
    X509 *device_cert;           /* device key certified by the class key,
                                  * NULL while uncertified */
    X509 *class_cert;            /* class key certified by the root key */
    uint32_t zeroized_code;      /* tamper driver code, 0 while intact */
    unsigned acp_disabled;       /* bits (1 << enum emu_acp) */
};

/* Files of the state directory. */
#define EMU_STATE_MASTER_KEYS "master-keys"
#define EMU_STATE_DEVICE      "device"
#define EMU_STATE_DEVICE_KEY  "device-key.pem"
#define EMU_STATE_DEVICE_CERT "device-cert.pem"
#define EMU_STATE_CLASS_CERT  "class-cert.pem"
#define EMU_STATE_ACP         "access-control"
#define EMU_STATE_ZEROIZED    "zeroized"

/* emu_state_open flag: replace a zeroized device with a new one. */
#define EMU_STATE_REINITIALIZE 0x01u

/* Open the state directory, creating it (mode 0700) and the device's
 * master keys, serial number and device key on first start.  A zeroized
 * device loads its serial number only. */
int emu_state_open(struct emu_state *st, const char *dir,
                   OSSL_LIB_CTX *libctx, unsigned flags, char *err,
                   size_t err_len);
void emu_state_close(struct emu_state *st);
/* Replace a file of the state directory atomically (mode 0600). */
int emu_state_write_file(const struct emu_state *st, const char *name,
                         const void *data, size_t len, char *err,
                         size_t err_len);
/* Read a file of the state directory into a NUL-terminated buffer (free
 * with emu_state_file_free).  Returns 1, 0 on an error, or -1 when the
 * file does not exist. */
int emu_state_read_file(const struct emu_state *st, const char *name,
                        char **out, size_t *out_len, char *err,
                        size_t err_len);
void emu_state_file_free(char *text);
int emu_state_save_master_keys(const struct emu_state *st, char *err,
                               size_t err_len);
/* CCA's AES and APKA verification pattern: the first 8 bytes of
 * SHA-256(0x01 || key). */
int emu_mkvp_compute(OSSL_LIB_CTX *libctx, const uint8_t key[EMU_MK_LEN],
                     uint8_t mkvp[CCA_MKVP_LEN]);

/* ---------------------------------------------------------------------- */
/* Device context (device.c)                                               */

/* One supported EC curve with its group, shared read-only by workers. */
struct emu_curve {
    int nid;
    const char *name;            /* OpenSSL group name, e.g. "P-256" */
    size_t field_len;            /* bytes of a coordinate and of r, s */
    EC_GROUP *group;
};

#define EMU_CURVES  3
#define EMU_DIGESTS 6

struct emu_segment {
    char image[64];
    char hash[65];               /* SHA-256, lower-case hex */
};

struct emu_keycache;
struct emu_rng;
struct emu_admin;
struct emu_retained;

struct emu_device {
    const struct emu_config *cfg;
    OSSL_LIB_CTX *libctx;        /* own context: default provider only */
    OSSL_PROVIDER *default_prov;
    EVP_CIPHER *aes_gcm;
    EVP_MD *sha256;
    EVP_MD *digests[EMU_DIGESTS];
    struct emu_curve curves[EMU_CURVES];
    struct emu_state state;
    struct emu_counters counters;
    struct emu_keycache *keycache;
    struct emu_rng *rng;
    struct emu_segment segments[CCA_STATUS_SEGMENTS];
    /* Self-test timing (selftest.c), CLOCK_MONOTONIC milliseconds; a
     * reset moves it from a worker thread. */
    _Atomic int64_t ready_at_ms;
    atomic_int ready_logged;
    struct emu_admin *admin;     /* administration state (admin.h) */
    struct emu_retained *retained; /* retained keys (retained.h) */
};

/* Create the library context and everything in dev that workers share.
 * Loads no configuration file, so openssl.cnf can never make the daemon
 * load the ibm4767 provider and call itself. */
int emu_device_init(struct emu_device *dev, const struct emu_config *cfg,
                    char *err, size_t err_len);
void emu_device_free(struct emu_device *dev);
const struct emu_curve *emu_curve_by_nid(const struct emu_device *dev,
                                         int nid);
/* The digest for a NID the verbs accept: SHA-1, SHA-224, SHA-256,
 * SHA-384, SHA-512, and MD5-SHA1 when allow_md5_sha1 is set.  NULL for
 * any other NID.  The device owns the result. */
const EVP_MD *emu_digest_by_nid(const struct emu_device *dev, int nid,
                                int allow_md5_sha1);

/* ---------------------------------------------------------------------- */
/* Self-test and device state (selftest.c)                                 */

/* Run the start-up consistency checks (wrap/unwrap, DRBG, device key
 * pair) and start the self-test period. */
int emu_selftest_run(struct emu_device *dev, char *err, size_t err_len);
/* enum cca_device_state now; *remaining_ms gets the self-test time left. */
uint32_t emu_device_state(struct emu_device *dev, uint32_t *remaining_ms);
/* A phrase for log lines: "device is <phrase>". */
const char *emu_device_state_name(uint32_t state);
/* The CCA return/reason every verb but STATUS gets in this state, or 0/0
 * when the device is ready. */
void emu_state_rejection(uint32_t state, uint32_t *rc, uint32_t *reason);
/* Milliseconds until the self-test ends (logging the change to READY
 * once it has), or -1 when no change is due. */
int emu_selftest_poll(struct emu_device *dev);
/* Start the self-test period again (a reset). */
void emu_selftest_restart(struct emu_device *dev);

/* ---------------------------------------------------------------------- */
/* Random number generator (rng.c)                                         */

/* Hash_DRBG (SP 800-90A) with SHA-256, seeded from the host's entropy. */
struct emu_rng *emu_rng_new(OSSL_LIB_CTX *libctx, const char *serial,
                            char *err, size_t err_len);
void emu_rng_free(struct emu_rng *rng);
int emu_rng_generate(struct emu_rng *rng, uint8_t *out, size_t len);

/* ---------------------------------------------------------------------- */
/* Unwrapped-key cache (keycache.c)                                        */

#define EMU_TOKEN_HASH_LEN 32u

/* entries == 0 gives a cache that stores nothing: every lookup is a miss. */
struct emu_keycache *emu_keycache_new(size_t entries,
                                      struct emu_counters *counters);
void emu_keycache_free(struct emu_keycache *kc);
/* Look a token hash up: a new reference to the key, or NULL (a miss). */
EVP_PKEY *emu_keycache_get(struct emu_keycache *kc,
                           const uint8_t hash[EMU_TOKEN_HASH_LEN]);
/* Store a key (the cache takes its own reference). */
void emu_keycache_put(struct emu_keycache *kc,
                      const uint8_t hash[EMU_TOKEN_HASH_LEN], EVP_PKEY *pkey);
/* Drop every entry, e.g. after a master key change. */
void emu_keycache_clear(struct emu_keycache *kc);

/* ---------------------------------------------------------------------- */
/* Key wrapping under the APKA master key (wrap.c)                         */

/* Encrypt key into the wrapped area of a token built by the
 * cca_token_build_*_private functions, filling in nonce and tag. */
int emu_wrap_token(struct emu_device *dev, uint8_t *token, size_t token_len,
                   const uint8_t *key, size_t key_len,
                   struct emu_result *res);
/* Decrypt the wrapped key of a parsed internal token into out
 * (tok->wrapped_len bytes) under the register at slot. */
int emu_unwrap_token(struct emu_device *dev, const uint8_t *token,
                     size_t token_len, const struct cca_pka_token *tok,
                     enum cca_mk_slot slot, uint8_t *out,
                     struct emu_result *res);
/* Find the APKA register whose MKVP the token carries: current, or old
 * (*slot = CCA_MK_OLD); fails with 8/48 when neither matches. */
int emu_select_master_key(struct emu_device *dev,
                          const struct cca_pka_token *tok,
                          enum cca_mk_slot *slot, struct emu_result *res);

/* ---------------------------------------------------------------------- */
/* Keys from tokens (key.c)                                                */

struct emu_key {
    const uint8_t *token;        /* the request's token bytes */
    size_t token_len;
    struct cca_pka_token tok;    /* parsed view into token */
    EVP_PKEY *pkey;              /* owned reference */
    int old_master_key;          /* verbs then return 0/10001 */
};

/* Parse a token and make its key usable: from the cache, by unwrapping an
 * internal token, from the public section of an external token, or from
 * the retained key store for a retained-key token.  Fails with 8/770
 * (structure), 8/48 (MKVP), 8/29 (altered token) or 8/4787 (no such
 * retained key in this device). */
int emu_key_load(struct emu_device *dev, const uint8_t *token, size_t len,
                 struct emu_key *key, struct emu_result *res);
void emu_key_release(struct emu_key *key);
/* Build the private key from what a token wraps (secret, len bytes): the
 * DER RSAPrivateKey of an RSA key, or the private scalar of an EC key on
 * tok's curve and public point.  NULL when it does not decode. */
EVP_PKEY *emu_key_private_from_secret(struct emu_device *dev,
                                      const struct cca_pka_token *tok,
                                      const uint8_t *secret, size_t len);
/* Fail with 8/4770 unless the key has a private part and all usage bits. */
int emu_key_check_usage(const struct emu_key *key, uint8_t usage,
                        const char *operation, struct emu_result *res);

/* ---------------------------------------------------------------------- */
/* RSA and EC engines (pka_rsa*.c, pka_ec.c)                               */

/* Signature and cipher parameters, as read from a request. */
struct emu_sig_params {
    uint32_t scheme;             /* CCA_SIG_* */
    int hash_nid;
    int mgf1_nid;
    int32_t salt_len;
};

struct emu_cipher_params {
    uint32_t padding;            /* CCA_PAD_* */
    int oaep_nid;
    int mgf1_nid;
    const uint8_t *label;
    size_t label_len;
    uint32_t tls_client_version;
    uint32_t tls_alt_version;
};

/* A new token is written into *token (OPENSSL_malloc). */
/* pss is NULL for an RSA key; for an RSA-PSS key the token gets the
 * RSA-PSS section with its parameters. */
int emu_rsa_generate(struct emu_device *dev, uint32_t bits,
                     const uint8_t *e, size_t e_len, uint8_t usage,
                     const struct cca_rsa_pss *pss, uint8_t **token,
                     size_t *token_len, struct emu_result *res);
int emu_rsa_import(struct emu_device *dev, uint8_t usage,
                   const struct cca_rsa_pss *pss, const uint8_t *kvs,
                   size_t kvs_len, uint8_t **token, size_t *token_len,
                   struct emu_result *res);
/* Build a key from the DER a token wraps, or from a public section. */
EVP_PKEY *emu_rsa_private_from_der(struct emu_device *dev,
                                   const uint8_t *der, size_t len);
EVP_PKEY *emu_rsa_public_from_token(struct emu_device *dev,
                                    const struct cca_pka_token *tok);

/* out has room for *out_len bytes (at least the modulus size). */
int emu_rsa_sign(struct emu_device *dev, const struct emu_key *key,
                 const struct emu_sig_params *p, const uint8_t *hash,
                 size_t hash_len, uint8_t *out, size_t *out_len,
                 struct emu_result *res);
/* Returns 1 with rc 0 (valid) or 4/429 (not valid); 0 on other errors. */
int emu_rsa_verify(struct emu_device *dev, const struct emu_key *key,
                   const struct emu_sig_params *p, const uint8_t *hash,
                   size_t hash_len, const uint8_t *sig, size_t sig_len,
                   struct emu_result *res);
int emu_rsa_decrypt(struct emu_device *dev, const struct emu_key *key,
                    const struct emu_cipher_params *p, const uint8_t *in,
                    size_t in_len, uint8_t *out, size_t *out_len,
                    struct emu_result *res);
int emu_rsa_encrypt(struct emu_device *dev, const struct emu_key *key,
                    const struct emu_cipher_params *p, const uint8_t *in,
                    size_t in_len, uint8_t *out, size_t *out_len,
                    struct emu_result *res);

int emu_ec_generate(struct emu_device *dev, int curve_nid, uint8_t usage,
                    uint8_t **token, size_t *token_len,
                    struct emu_result *res);
int emu_ec_import(struct emu_device *dev, uint8_t usage, const uint8_t *kvs,
                  size_t kvs_len, uint8_t **token, size_t *token_len,
                  struct emu_result *res);
EVP_PKEY *emu_ec_private_from_token(struct emu_device *dev,
                                    const struct cca_pka_token *tok,
                                    const uint8_t *d, size_t d_len);
EVP_PKEY *emu_ec_public_from_token(struct emu_device *dev,
                                   const struct cca_pka_token *tok);
/* r||s, each the curve's field size; out has room for *out_len bytes. */
int emu_ec_sign(struct emu_device *dev, const struct emu_key *key,
                const uint8_t *hash, size_t hash_len, uint8_t *out,
                size_t *out_len, struct emu_result *res);
int emu_ec_verify(struct emu_device *dev, const struct emu_key *key,
                  const uint8_t *hash, size_t hash_len, const uint8_t *sig,
                  size_t sig_len, struct emu_result *res);
int emu_ec_derive(struct emu_device *dev, const struct emu_key *key,
                  const uint8_t *peer, size_t peer_len, uint8_t *out,
                  size_t *out_len, struct emu_result *res);

/* ---------------------------------------------------------------------- */
/* Verb handlers (pka.c, rng.c, status.c) and the verb table (dispatch.c)  */

typedef int emu_handler_fn(struct emu_device *dev, struct ibm4767_rbuf *req,
                           struct ibm4767_wbuf *reply, struct emu_result *res);

emu_handler_fn emu_verb_status;
emu_handler_fn emu_verb_pka_key_generate;
emu_handler_fn emu_verb_pka_key_import;
emu_handler_fn emu_verb_pka_public_extract;
emu_handler_fn emu_verb_signature_generate;
emu_handler_fn emu_verb_signature_verify;
emu_handler_fn emu_verb_pka_decrypt;
emu_handler_fn emu_verb_pka_encrypt;
emu_handler_fn emu_verb_ec_diffie_hellman;
emu_handler_fn emu_verb_random_generate;
emu_handler_fn emu_verb_sym_key_generate;
emu_handler_fn emu_verb_sym_key_import;
emu_handler_fn emu_verb_sym_encipher;
emu_handler_fn emu_verb_sym_decipher;

/* Compute the code segment hashes shown in the status reply. */
int emu_status_init(struct emu_device *dev, char *err, size_t err_len);

/* Fail with 8/4780 unless every byte of the request was read. */
int emu_request_done(const struct ibm4767_rbuf *req, struct emu_result *res);
/* Fail with 8/4780 naming the field that could not be read. */
int emu_request_short(struct emu_result *res, const char *field);

/* ---------------------------------------------------------------------- */
/* Worker pools (engine.c)                                                 */

enum emu_engine_id {
    EMU_ENGINE_PKA = 0,          /* RSA and EC: one worker per CPU */
    EMU_ENGINE_RNG,              /* random number generator */
    EMU_ENGINE_CPU,              /* the card's CPU: status */
    EMU_ENGINE_SYM,              /* AES: symmetric key and cipher verbs */
    EMU_ENGINE_COUNT,
};

struct emu_job;
struct emu_engine;

typedef void emu_job_fn(struct emu_job *job, void *arg);
/* Called by a worker when a full queue gets room again. */
typedef void emu_room_fn(void *arg);

struct emu_engine *emu_engine_new(const char *name, unsigned threads,
                                  size_t queue_cap, emu_job_fn *run,
                                  void *run_arg, emu_room_fn *on_room,
                                  void *room_arg);
int emu_engine_start(struct emu_engine *eng, char *err, size_t err_len);
/* Queue a job, or run it on the calling thread when engine.c's rules for
 * that allow it; returns 0 (and keeps nothing) when the queue is full. */
int emu_engine_try_submit(struct emu_engine *eng, struct emu_job *job);
/* Let the submitting thread run jobs of this kind that took at most
 * max_us microseconds before; 0 (the default) turns that off. */
void emu_engine_set_inline_max(struct emu_engine *eng, unsigned max_us);
/* Let the workers finish every queued job, then join them. */
void emu_engine_stop(struct emu_engine *eng);
void emu_engine_free(struct emu_engine *eng);

/* ---------------------------------------------------------------------- */
/* Timing profile (profile.c)                                              */

struct emu_profile;

/* A request's reservation of a unit of its engine, from enter to leave. */
struct emu_profile_slot {
    struct timespec done_at;     /* CLOCK_MONOTONIC end of service time */
    int active;                  /* set by enter, cleared by leave */
};

/* The profile named name ("4767"), or NULL when there is none. */
const struct emu_profile *emu_profile_find(const char *name);
/* "" for NULL (no profile). */
const char *emu_profile_name(const struct emu_profile *p);
/* Set up the units of every engine; call before any worker starts.
 * Does nothing for NULL. */
void emu_profile_start(const struct emu_profile *p);
/* Worker threads engine id needs under the profile, at least
 * configured. */
unsigned emu_profile_workers(const struct emu_profile *p,
                             enum emu_engine_id id, unsigned configured);
/* Wait the request's modelled latency, then take a unit of its engine.
 * Does nothing for NULL. */
void emu_profile_enter(const struct emu_profile *p, uint16_t verb,
                       const uint8_t *payload, size_t len,
                       struct emu_profile_slot *slot);
/* Hold the unit until the modelled service time has passed, then give it
 * back. */
void emu_profile_leave(struct emu_profile_slot *slot);
/* Append the profile's status fields (protocol.h lists them). */
int emu_profile_put_status(const struct emu_profile *p,
                           struct ibm4767_wbuf *wb);

/* ---------------------------------------------------------------------- */
/* Connections and the event loop (conn.c, server.c, listen.c)             */

struct emu_conn;
struct emu_server;

/* One request frame read from a connection. */
struct emu_job {
    struct emu_conn *conn;       /* holds a reference */
    struct emu_server *server;
    struct ibm4767_header hdr;
    /* Error reply for a frame whose verb must not run (bad version, bad
     * reserved field, payload over the limit); rc 0 for a runnable frame. */
    uint32_t reject_rc;
    uint32_t reject_reason;
    const char *reject_what;
    unsigned epoch;              /* device epoch when admitted (admin.c) */
    int run_inline_ok;           /* the I/O thread may run it (conn.c) */
    size_t payload_len;
    uint8_t payload[];
};

/* Allocate a job for a payload of len bytes; free with emu_job_free
 * (which cleanses the payload: requests can carry clear keys). */
struct emu_job *emu_job_new(size_t len);
void emu_job_free(struct emu_job *job);

/* Queue a reply frame (header included) on the connection, writing as
 * much as the socket takes now without blocking. */
void emu_conn_send(struct emu_conn *conn, const uint8_t *frame, size_t len);
/* Release what a job holds on its connection (its place among the
 * requests in flight and its reference), then free the job.  Call after
 * its reply was sent, or when no reply will be sent. */
void emu_job_finish(struct emu_job *job);
unsigned long emu_conn_id(const struct emu_conn *conn);

/* Route a complete frame through the verb table (dispatch.c).  Returns 1
 * when the job was queued or got an error reply, or 0 when its engine's
 * queue is full (the caller keeps the job and submits it again later). */
int emu_dispatch(struct emu_server *srv, struct emu_job *job);
/* Requests handed to an engine whose reply is not sent yet: now, and the
 * maximum since the daemon started. */
void emu_dispatch_in_flight(uint64_t *now, uint64_t *max);
/* Engine callback: run the verb and send its reply. */
void emu_job_run(struct emu_job *job, void *device);

struct emu_device *emu_server_device(struct emu_server *srv);
struct emu_engine *emu_server_engine(struct emu_server *srv,
                                     enum emu_engine_id id);
/* Ask the I/O thread to look at conn again (a worker finished a job it
 * was waiting for, or a write failed). */
void emu_server_notify(struct emu_server *srv, struct emu_conn *conn);
/* Wake the I/O thread to retry paused connections. */
void emu_server_wake(void *srv);

/* conn.c, called by the I/O thread only. */
struct emu_conn *emu_conn_new(struct emu_server *srv, int fd,
                              unsigned long id, int epoll_fd);
/* Read and dispatch frames; returns 0 when the connection must close. */
int emu_conn_on_readable(struct emu_conn *conn);
int emu_conn_on_writable(struct emu_conn *conn);
/* Retry a frame held back by a full queue and continue reading; returns
 * 0 when the connection must close. */
int emu_conn_resume(struct emu_conn *conn);
int emu_conn_is_paused(const struct emu_conn *conn);
/* True when the peer has finished sending and every reply is written. */
int emu_conn_is_finished(struct emu_conn *conn);
void emu_conn_close(struct emu_conn *conn);
void emu_conn_ref(struct emu_conn *conn);
void emu_conn_unref(struct emu_conn *conn);

struct emu_server *emu_server_new(struct emu_device *dev, int listen_fd,
                                  char *err, size_t err_len);
/* Serve until SIGTERM or SIGINT; returns 1 after a clean stop. */
int emu_server_run(struct emu_server *srv);
void emu_server_free(struct emu_server *srv);
/* Conns kept by the I/O thread: paused ones are retried on wake. */
void emu_server_pause(struct emu_server *srv, struct emu_conn *conn);

/* Create the socket directory and the listening socket, refusing to
 * replace a live daemon's socket and removing a stale one. */
int emu_listen_open(const struct emu_config *cfg, int *fd_out,
                    dev_t *dev_out, ino_t *ino_out, char *err,
                    size_t err_len);
/* Remove the socket file if it is still the one this daemon created. */
void emu_listen_remove(const char *path, dev_t dev, ino_t ino);

#endif
