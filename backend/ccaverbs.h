/*
 * The cca transport: the backend's verb API carried out with the verbs of
 * IBM's CCA host library (libcsulcca.so), loaded with dlopen.
 *
 * First part: the CCA verbs this project calls, as function types.  CCA's
 * calling convention passes every parameter by pointer, integers as long,
 * and starts each verb with the return code, the reason code, the exit
 * data length and the exit data (ignored).  Rule keywords are 8 bytes,
 * upper case, padded with spaces.  The parameter lists follow the
 * prototypes in openCryptoki's CCA token (usr/lib/cca_stdll/csulincl.h)
 * and IBM's CCA documentation for Linux on IBM Z.
 *
 * Second part: the loaded library and the transport functions that the
 * verb files (verbs_*.c) and key storage (keystore.c) hand calls to when a
 * backend uses transport cca.  Not installed.
 */
#ifndef IBM4767_CCAVERBS_H
#define IBM4767_CCAVERBS_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/cca.h>
#include <ibm4767/keystore.h>

/* ---- CCA verbs as function types -------------------------------------- */

/* CSUACFQ: facility query.  Output goes to rule and verb_data. */
typedef void cca_fn_CSUACFQ(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *verb_data_len,
                            unsigned char *verb_data);
/* CSUACFV: the library's CCA version, "V.R.M" and more. */
typedef void cca_fn_CSUACFV(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *version_len,
                            unsigned char *version);
/* CSUACRA / CSUACRD: allocate or release a coprocessor for this thread. */
typedef void cca_fn_CSUACRA(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *name_len,
                            unsigned char *name);
/* CSNDPKB: PKA key token build (skeletons and clear external tokens). */
typedef void cca_fn_CSNDPKB(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *kvs_len,
                            unsigned char *kvs, long *name_len,
                            unsigned char *name, long *customer_data_len,
                            unsigned char *customer_data,
                            long *reserved2_len, unsigned char *reserved2,
                            long *reserved3_len, unsigned char *reserved3,
                            long *reserved4_len, unsigned char *reserved4,
                            long *reserved5_len, unsigned char *reserved5,
                            long *token_len, unsigned char *token);
/* CSNDPKG: PKA key generate from a skeleton.  transport_key is 64 bytes. */
typedef void cca_fn_CSNDPKG(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *regen_len,
                            unsigned char *regen, long *skeleton_len,
                            unsigned char *skeleton,
                            unsigned char *transport_key, long *out_len,
                            unsigned char *out);
/* CSNDPKI: PKA key import.  importer is a 64-byte key identifier. */
typedef void cca_fn_CSNDPKI(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *source_len,
                            unsigned char *source, unsigned char *importer,
                            long *target_len, unsigned char *target);
/* CSNDPKX: PKA public key extract. */
typedef void cca_fn_CSNDPKX(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *source_len,
                            unsigned char *source, long *target_len,
                            unsigned char *target);
/* CSNDDSG: digital signature generate. */
typedef void cca_fn_CSNDDSG(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *key_len,
                            unsigned char *key, long *hash_len,
                            unsigned char *hash, long *sig_len,
                            long *sig_bits, unsigned char *sig);
/* CSNDDSV: digital signature verify; 4/429 when it does not verify. */
typedef void cca_fn_CSNDDSV(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *key_len,
                            unsigned char *key, long *hash_len,
                            unsigned char *hash, long *sig_len,
                            unsigned char *sig);
/* CSNDPKE / CSNDPKD: PKA encrypt and decrypt. */
typedef void cca_fn_CSNDPKE(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *in_len,
                            unsigned char *in, long *data_struct_len,
                            unsigned char *data_struct, long *key_len,
                            unsigned char *key, long *out_len,
                            unsigned char *out);
/* CSNDEDH: EC Diffie-Hellman, 31 parameters. */
typedef void cca_fn_CSNDEDH(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *private_len,
                            unsigned char *private_key,
                            long *private_kek_len,
                            unsigned char *private_kek, long *public_len,
                            unsigned char *public_key, long *chain_len,
                            unsigned char *chain, long *party_len,
                            unsigned char *party, long *key_bits,
                            long *reserved1_len, unsigned char *reserved1,
                            long *reserved2_len, unsigned char *reserved2,
                            long *reserved3_len, unsigned char *reserved3,
                            long *reserved4_len, unsigned char *reserved4,
                            long *reserved5_len, unsigned char *reserved5,
                            long *output_kek_len,
                            unsigned char *output_kek, long *out_len,
                            unsigned char *out);
/* CSNBKTB2: key token build for variable-length symmetric tokens. */
typedef void cca_fn_CSNBKTB2(long *rc, long *reason, long *exit_len,
                             unsigned char *exit_data, long *rule_count,
                             unsigned char *rule, long *clear_key_bits,
                             unsigned char *clear_key, long *name_len,
                             unsigned char *name, long *user_data_len,
                             unsigned char *user_data, long *token_data_len,
                             unsigned char *token_data, long *reserved_len,
                             unsigned char *reserved, long *token_len,
                             unsigned char *token);
/* CSNBKGN2: key generate for variable-length symmetric tokens. */
typedef void cca_fn_CSNBKGN2(long *rc, long *reason, long *exit_len,
                             unsigned char *exit_data, long *rule_count,
                             unsigned char *rule, long *clear_key_bits,
                             unsigned char *key_type1,
                             unsigned char *key_type2, long *name1_len,
                             unsigned char *name1, long *name2_len,
                             unsigned char *name2, long *user_data1_len,
                             unsigned char *user_data1,
                             long *user_data2_len,
                             unsigned char *user_data2, long *kek1_len,
                             unsigned char *kek1, long *kek2_len,
                             unsigned char *kek2, long *out1_len,
                             unsigned char *out1, long *out2_len,
                             unsigned char *out2);
/* CSNBKPI2: key part import into a variable-length symmetric token.
 * part_bits is the key part's length in bits (0 with COMPLETE).  On input
 * key_len is the size of the buffer at key, which contains the token.
 * CCA accepts any size from the token's own length up to 725 bytes.  On
 * output key_len is the length of the returned token. */
typedef void cca_fn_CSNBKPI2(long *rc, long *reason, long *exit_len,
                             unsigned char *exit_data, long *rule_count,
                             unsigned char *rule, long *part_bits,
                             unsigned char *part, long *key_len,
                             unsigned char *key);
/* CSNBSAE / CSNBSAD: symmetric algorithm encipher and decipher.  For GCM
 * key_parms is the tag and optional_data the additional data. */
typedef void cca_fn_CSNBSAE(long *rc, long *reason, long *exit_len,
                            unsigned char *exit_data, long *rule_count,
                            unsigned char *rule, long *key_len,
                            unsigned char *key, long *key_parms_len,
                            unsigned char *key_parms, long *block_size,
                            long *iv_len, unsigned char *iv,
                            long *chain_len, unsigned char *chain,
                            long *in_len, unsigned char *in, long *out_len,
                            unsigned char *out, long *optional_len,
                            unsigned char *optional);
/* CSNBRNGL: random number generate long. */
typedef void cca_fn_CSNBRNGL(long *rc, long *reason, long *exit_len,
                             unsigned char *exit_data, long *rule_count,
                             unsigned char *rule, long *reserved_len,
                             unsigned char *reserved, long *len,
                             unsigned char *out);
/* CSNDKRC, CSNDKRR, CSNDKRW and the AES variants CSNBAKRC, CSNBAKRR,
 * CSNBAKRW: key record create, read and write.  label is CCA's 64-byte
 * space-padded field. */
typedef void cca_fn_key_record(long *rc, long *reason, long *exit_len,
                               unsigned char *exit_data, long *rule_count,
                               unsigned char *rule, unsigned char *label,
                               long *token_len, unsigned char *token);
/* CSNDKRD and CSNBAKRD: key record delete. */
typedef void cca_fn_key_record_delete(long *rc, long *reason,
                                      long *exit_len,
                                      unsigned char *exit_data,
                                      long *rule_count, unsigned char *rule,
                                      unsigned char *label);
/* CSNDKRL and CSNBAKRL: key record list.  label is a 64-byte label
 * pattern in which a name part may be '*'.  The verb writes a
 * key-record-list file (see below) and returns its path, at most
 * CCA_KRL_NAME_MAX bytes, in dataset_name and its length in
 * dataset_name_len.  security_server_name is an output that Linux
 * libraries do not use. */
typedef void cca_fn_key_record_list(long *rc, long *reason, long *exit_len,
                                    unsigned char *exit_data,
                                    long *rule_count, unsigned char *rule,
                                    unsigned char *label,
                                    long *dataset_name_len,
                                    unsigned char *dataset_name,
                                    unsigned char *security_server_name);

/*
 * This project's extension, exported only by its emulator library
 * (libcsulcca-emu.so), never by IBM's: the emulator's status reply, with
 * the counters, code segments and timing profile that CCA has no verb
 * for.  adapter is 0 for CRP01.  Returns 1, or 0 with res filled.
 */
#define CCA_EMU_STATUS_SYMBOL "ibm4767_emu_status"
typedef int cca_fn_emu_status(int adapter, struct cca_status *st,
                              struct cca_result *res);

/* ---- Key-record-list files ---------------------------------------------- */

/*
 * The list verbs write a text file of fixed-length records: a header
 * record, then one detail record per matching key record.  Each record is
 * 154 bytes, two lines of 77 that end in CR LF, and fields are padded with
 * spaces.  The layout follows the key-record-list data set of IBM's CCA
 * manual (release 2.54, "other than OS/400").  The file is named
 * KYRLTnnn.LST (nnn from 001 to 999, then 001 again) and is in the
 * directory that CSUPKALD (PKA) or CSUAESLD (AES) names.  kreclist.dat in
 * the same directory contains the next nnn.
 */
#define CCA_KRL_NAME_MAX        64   /* the dataset_name field */
#define CCA_KRL_RECORD_LEN      154
#define CCA_KRL_LINE_LEN        77
#define CCA_KRL_TIME_LEN        19   /* "ccyy-mm-dd hh:mm:ss" */
#define CCA_KRL_NUMBER_LEN      4    /* record length and offset fields */
/* Header record. */
#define CCA_KRL_HDR_TITLE_OFF   0    /* 24 bytes: "PKA KEY-RECORD-LIST" */
#define CCA_KRL_HDR_TITLE_LEN   24
#define CCA_KRL_HDR_TIME_OFF    26   /* when the list was written */
#define CCA_KRL_HDR_COUNT_OFF   50   /* 6 bytes: number of detail records */
#define CCA_KRL_HDR_COUNT_LEN   6
#define CCA_KRL_HDR_RECLEN_OFF  58   /* detail record length, "154" */
#define CCA_KRL_HDR_FIRST_OFF   62   /* offset of the first detail record */
#define CCA_KRL_HDR_PATTERN_OFF 77   /* 64 bytes: the label pattern */
/* Detail record. */
#define CCA_KRL_DTL_FLAG_OFF    0    /* '*' when the record failed its
                                      * validation, else a space */
#define CCA_KRL_DTL_LABEL_OFF   3    /* 64 bytes */
#define CCA_KRL_DTL_TYPE_OFF    67   /* 8 bytes: key type, NO-KEY */
#define CCA_KRL_DTL_MKVP_OFF    77   /* 4 hex digits: MKVP's first 2 bytes */
#define CCA_KRL_DTL_CREATED_OFF 92
#define CCA_KRL_DTL_CHANGED_OFF 113
#define CCA_KRL_DTL_FORM_OFF    133  /* 8 bytes: INTERNAL, EXTERNAL, NO-KEY */
#define CCA_KRL_FIELD_LEN       8

/* ---- Rule arrays -------------------------------------------------------- */

#define CCA_KEYWORD_LEN 8
/* Most keywords this project passes to one verb. */
#define CCA_RULE_MAX    8

struct cca_rule {
    long count;
    unsigned char keywords[CCA_RULE_MAX * CCA_KEYWORD_LEN];
};

void cca_rule_init(struct cca_rule *rule);
/* Append keyword, padded with spaces; it must have 1 to 8 characters. */
void cca_rule_add(struct cca_rule *rule, const char *keyword);

/* ---- The loaded library ------------------------------------------------- */

struct cca_lib {
    void *handle;
    unsigned long id;            /* unique per opened library */
    char path[1024];
    char level[16];              /* "5.4": the CCA version and release */
    unsigned int version;        /* 5 in CCA 5.4 */
    unsigned int release;        /* 4 in CCA 5.4 */

    cca_fn_CSUACFQ *CSUACFQ;
    cca_fn_CSUACFV *CSUACFV;     /* optional */
    cca_fn_CSUACRA *CSUACRA;
    cca_fn_CSNDPKB *CSNDPKB;
    cca_fn_CSNDPKG *CSNDPKG;
    cca_fn_CSNDPKI *CSNDPKI;
    cca_fn_CSNDPKX *CSNDPKX;
    cca_fn_CSNDDSG *CSNDDSG;
    cca_fn_CSNDDSV *CSNDDSV;
    cca_fn_CSNDPKE *CSNDPKE;
    cca_fn_CSNDPKE *CSNDPKD;
    cca_fn_CSNDEDH *CSNDEDH;
    cca_fn_CSNBKTB2 *CSNBKTB2;
    cca_fn_CSNBKGN2 *CSNBKGN2;
    cca_fn_CSNBKPI2 *CSNBKPI2;
    cca_fn_CSNBSAE *CSNBSAE;
    cca_fn_CSNBSAE *CSNBSAD;
    cca_fn_CSNBRNGL *CSNBRNGL;
    cca_fn_key_record *CSNDKRC;
    cca_fn_key_record *CSNDKRR;
    cca_fn_key_record *CSNDKRW;
    cca_fn_key_record_delete *CSNDKRD;
    cca_fn_key_record_list *CSNDKRL;
    cca_fn_key_record *CSNBAKRC;
    cca_fn_key_record *CSNBAKRR;
    cca_fn_key_record *CSNBAKRW;
    cca_fn_key_record_delete *CSNBAKRD;
    cca_fn_key_record_list *CSNBAKRL;
    cca_fn_emu_status *emu_status; /* optional: emulator library only */
};

struct cca_backend;
struct cca_device;

/* Load cfg->cca_library and resolve every verb.  Returns NULL with a
 * message naming the library and the missing verb (or dlerror's text)
 * in err. */
struct cca_lib *cca_lib_open(const struct cca_config *cfg, char *err,
                             size_t err_len);
void cca_lib_close(struct cca_lib *lib);

/* Write the backend's device list for lib into list (capacity cap): the
 * adapter names in devices when it lists only names of the form CRPnn,
 * else CRP01 up to the number of adapters the library reports. */
int cca_lib_device_list(struct cca_lib *lib, const char *devices,
                        char *list, size_t cap, char *err, size_t err_len);

int cca_lib_supports(const struct cca_lib *lib, enum cca_capability cap);
/* Return 1 when the library's level is at least version.release. */
int cca_lib_level_at_least(const struct cca_lib *lib, unsigned int version,
                           unsigned int release);

/*
 * Choose an adapter for one verb call (want: a device index, or -1),
 * allocate it to the calling thread with CSUACRA unless the thread
 * already has it, and count the call as outstanding.  Returns the device,
 * or NULL with res set.  cca_lib_end() ends the call.
 */
struct cca_device *cca_lib_begin(struct cca_backend *be, int want,
                                 struct cca_result *res);
void cca_lib_end(struct cca_backend *be, struct cca_device *dev);

/* Fill res with the return and reason code verb returned on dev.  A
 * failure is logged.  After return code 12 the adapter is passed over
 * for CCA_DEVICE_HOLDOFF_MS while other adapters can serve.  Returns 1
 * for return code 0 or 4, else 0. */
int cca_lib_result(struct cca_backend *be, struct cca_device *dev,
                   struct cca_result *res, const char *verb, long rc,
                   long reason);

/* Set res for a request this level of CCA cannot carry out: 8/4773 with
 * a detail that names what and the level. */
void cca_lib_unsupported(const struct cca_backend *be, struct cca_result *res,
                         const char *what);

/* Set res for a protocol verb that the cca transport does not carry out:
 * 8/4773, naming the verb and saying whether it is the emulator's own
 * (reset, fault injection, firmware, validation) or not mapped yet. */
void cca_lib_unavailable(const struct cca_backend *be, uint16_t verb,
                         struct cca_result *res);

/* ---- The verb API over CCA (one function per cca.h verb) --------------- */

int cca_lib_facility_query(struct cca_backend *be, int device, int wait_ready,
                           struct cca_status *st, struct cca_result *res);
int cca_lib_pka_key_generate(struct cca_backend *be, uint32_t alg,
                             uint32_t size, const uint8_t *e, size_t e_len,
                             uint32_t usage, uint8_t **token,
                             size_t *token_len, struct cca_result *res);
int cca_lib_pka_key_import(struct cca_backend *be, uint32_t alg,
                           uint32_t usage, const uint8_t *kvs, size_t kvs_len,
                           uint8_t **token, size_t *token_len,
                           struct cca_result *res);
int cca_lib_pka_public_key_extract(struct cca_backend *be,
                                   const uint8_t *token, size_t token_len,
                                   uint8_t **pub, size_t *pub_len,
                                   struct cca_result *res);
int cca_lib_digital_signature_generate(struct cca_backend *be,
                                       const struct cca_sig_params *p,
                                       const uint8_t *token, size_t token_len,
                                       const uint8_t *hash, size_t hash_len,
                                       uint8_t *sig, size_t *sig_len,
                                       struct cca_result *res);
int cca_lib_digital_signature_verify(struct cca_backend *be,
                                     const struct cca_sig_params *p,
                                     const uint8_t *token, size_t token_len,
                                     const uint8_t *hash, size_t hash_len,
                                     const uint8_t *sig, size_t sig_len,
                                     struct cca_result *res);
int cca_lib_pka_decrypt(struct cca_backend *be,
                        const struct cca_pka_cipher_params *p,
                        const uint8_t *token, size_t token_len,
                        const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t *out_len, struct cca_result *res);
int cca_lib_pka_encrypt(struct cca_backend *be,
                        const struct cca_pka_cipher_params *p,
                        const uint8_t *token, size_t token_len,
                        const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t *out_len, struct cca_result *res);
int cca_lib_ec_diffie_hellman(struct cca_backend *be, const uint8_t *token,
                              size_t token_len, const uint8_t *peer,
                              size_t peer_len, uint8_t *out, size_t *out_len,
                              struct cca_result *res);
int cca_lib_symmetric_key_generate(struct cca_backend *be, uint32_t alg,
                                   uint32_t bits, uint32_t usage,
                                   uint32_t mode, uint8_t **token,
                                   size_t *token_len, struct cca_result *res);
int cca_lib_symmetric_key_import(struct cca_backend *be, uint32_t alg,
                                 uint32_t usage, uint32_t mode,
                                 const uint8_t *key, size_t key_len,
                                 uint8_t **token, size_t *token_len,
                                 struct cca_result *res);
int cca_lib_symmetric_encipher(struct cca_backend *be,
                               const struct cca_sym_params *p,
                               struct cca_sym_chain *chain,
                               const uint8_t *in, size_t in_len,
                               uint8_t *out, uint8_t *tag, size_t tag_len,
                               struct cca_result *res);
int cca_lib_symmetric_decipher(struct cca_backend *be,
                               const struct cca_sym_params *p,
                               struct cca_sym_chain *chain,
                               const uint8_t *in, size_t in_len,
                               uint8_t *out, const uint8_t *tag,
                               size_t tag_len, struct cca_result *res);
int cca_lib_random_number_generate(struct cca_backend *be, uint8_t *out,
                                   size_t len, struct cca_result *res);

/* Key storage through CCA's key record verbs: the PKA verbs (CSNDKR*) for
 * RSA, EC and null records, the AES verbs (CSNBAKR*) for AES records.
 * The list reads the files of CSNDKRL and CSNBAKRL and then each token. */
int cca_lib_key_record_create(struct cca_backend *be, const char *label,
                              uint32_t type, const uint8_t *token,
                              size_t token_len, struct cca_result *res);
int cca_lib_key_record_write(struct cca_backend *be, unsigned rule,
                             const char *label, uint32_t type,
                             const uint8_t *token, size_t token_len,
                             struct cca_result *res);
int cca_lib_key_record_read(struct cca_backend *be, const char *label,
                            struct cca_key_record *rec,
                            struct cca_result *res);
int cca_lib_key_record_delete(struct cca_backend *be, unsigned rule,
                              const char *label, struct cca_result *res);
int cca_lib_key_record_list(struct cca_backend *be, const char *pattern,
                            struct cca_key_record **recs, size_t *count,
                            struct cca_result *res);

#endif
