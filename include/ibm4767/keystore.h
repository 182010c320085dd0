/*
 * Key storage: key records by label, kept in one SQLite database that every
 * process on the host shares, with a per-process host record cache.  The
 * verbs follow CCA's key storage verbs (key record create, write, read,
 * delete and list).  They report failures the same way as the device
 * verbs, in a struct cca_result with the CCA return/reason code and a
 * detail line that names the label.  doc/key-storage.md describes the
 * file, its permissions and the cache.
 *
 * Labels follow CCA's rules: 1 to 7 parts separated by dots, each 1 to 8
 * characters from A-Z, 0-9, #, $ and @, and no part starting with a digit.
 * Lower-case letters are folded to upper case, as some CCA implementations
 * do.  In the database a label is CCA's 64-byte field, padded with spaces.
 *
 * All functions are thread-safe.  A child process after fork() opens its
 * own database connection and never uses the parent's.
 */
#ifndef IBM4767_KEYSTORE_H
#define IBM4767_KEYSTORE_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/cca.h>

/* CCA's label field: the label text, left-aligned and space-padded. */
#define CCA_LABEL_LEN       64
#define CCA_LABEL_PARTS_MAX 7
#define CCA_LABEL_PART_MAX  8
/* Maximum length of the label text: 7 parts of 8 characters and 6 dots. */
#define CCA_LABEL_TEXT_MAX  (CCA_LABEL_PARTS_MAX * CCA_LABEL_PART_MAX + \
                             CCA_LABEL_PARTS_MAX - 1)

/* Default database; the provider's key-storage setting and then the
 * IBM4767_KEY_STORAGE environment variable override it. */
#define CCA_KEYSTORE_DEFAULT_PATH "/var/lib/ibm4767/keys.db"
#define CCA_KEYSTORE_ENV          "IBM4767_KEY_STORAGE"

/*
 * Parse label text (a C string; trailing spaces, as in a 64-byte field, are
 * ignored) into its canonical upper-case form in out.  Returns 1, or 0 with
 * the reason, naming the label, in detail.
 */
int cca_label_parse(const char *text, char out[CCA_LABEL_TEXT_MAX + 1],
                    char *detail, size_t detail_len);

/*
 * Parse a list pattern.  A part may hold one '*' as its first character,
 * its last character or its only character: "*" alone matches any one
 * part, "WEB*" any part starting with WEB, "*RSA" any part ending in RSA.
 * A last part that is only "*" matches one or more parts, so "*" lists
 * every label and "WEB.*" every label below WEB.
 */
int cca_label_pattern_parse(const char *text,
                            char out[CCA_LABEL_TEXT_MAX + 1], char *detail,
                            size_t detail_len);

/* Return 1 when the canonical label matches the parsed pattern. */
int cca_label_match(const char *pattern, const char *label);

/* Write the canonical label into CCA's 64-byte space-padded field. */
void cca_label_to_field(const char *label, char field[CCA_LABEL_LEN]);

/* Key type of a record. */
enum cca_key_type {
    CCA_KEY_TYPE_NULL = 0,   /* a null record: no key yet */
    CCA_KEY_TYPE_RSA = 1,    /* PKA token, same value as CCA_ALG_RSA */
    CCA_KEY_TYPE_EC = 2,     /* PKA token, same value as CCA_ALG_EC */
    CCA_KEY_TYPE_AES = 3,    /* symmetric token */
};

/* Name of a key type ("null", "rsa", "ec", "aes"; "unknown" otherwise). */
const char *cca_key_type_name(uint32_t type);

/* CCA's null PKA key token: the token of a null record. */
#define CCA_NULL_TOKEN_LEN 8u

/*
 * A key record as read from storage.  token is allocated with
 * OPENSSL_malloc; cca_key_record_clear() cleanses and frees it.  Times are
 * seconds since the Unix epoch (UTC).
 */
struct cca_key_record {
    char label[CCA_LABEL_TEXT_MAX + 1];  /* canonical text, no padding */
    uint32_t type;                       /* enum cca_key_type */
    uint8_t *token;
    size_t token_len;
    int64_t created;
    int64_t changed;
};

void cca_key_record_clear(struct cca_key_record *rec);

struct cca_keystore;

/* Flags of cca_keystore_new(). */
#define CCA_KEYSTORE_CREATE 0x01u  /* create a missing database (mode 0640) */
#define CCA_KEYSTORE_NO_CACHE 0x02u /* no host record cache, whatever
                                     * CSUCACHE is */

/*
 * Create a handle on the database at path.  Does not touch the file: the
 * first verb opens it, and reports a missing or unreadable file with the
 * path in the detail.  Without CCA_KEYSTORE_CREATE a missing file is an
 * error.  The host record cache is on unless CSUCACHE starts with N or n
 * or flags contain CCA_KEYSTORE_NO_CACHE.
 * Returns NULL only when memory runs out or path is empty or too long.
 */
struct cca_keystore *cca_keystore_new(const char *path, unsigned flags);
void cca_keystore_free(struct cca_keystore *ks);
const char *cca_keystore_path(const struct cca_keystore *ks);

/*
 * Choose the database path: IBM4767_KEY_STORAGE when set and not empty,
 * else configured when not NULL or empty, else the default.  Returns the
 * chosen path (a pointer to one of the three).
 */
const char *cca_keystore_choose_path(const char *configured);

/*
 * Keep ks's records in the key storage of be's CCA host library (CSNDKR*
 * and CSNBAKR* verbs) instead of the database, when be uses transport
 * cca.  A backend with the socket transport leaves ks on the database.
 * Listing reads the key-record-list files that CSNDKRL and CSNBAKRL
 * write.  be must outlive ks's use.
 */
void cca_keystore_use_backend(struct cca_keystore *ks,
                              struct cca_backend *be);

/* Host record cache counters of one handle. */
struct cca_keystore_stats {
    int cache_enabled;
    uint64_t cache_hits;     /* reads served from the cache */
    uint64_t cache_misses;   /* reads that went to the database */
    uint64_t cache_flushes;  /* times another process's change emptied it */
    size_t cache_entries;
};

void cca_keystore_get_stats(struct cca_keystore *ks,
                            struct cca_keystore_stats *st);

/*
 * CSNDKRC: add a record under a new label.  With token NULL the record is
 * a null record (type CCA_KEY_TYPE_NULL); otherwise it contains the
 * token.
 * Fails with 8/32 on an invalid label and 8/44 when the label exists.
 */
int cca_key_record_create(struct cca_keystore *ks, const char *label,
                          uint32_t type, const uint8_t *token,
                          size_t token_len, struct cca_result *res);

/* Write rules (CSNDKRW rule array). */
#define CCA_KRW_CHECK   0u  /* only over a null record (CCA's default) */
#define CCA_KRW_OVERLAY 1u  /* over any record */

/*
 * CSNDKRW: store a token in an existing record.  Fails with 8/30 when the
 * label does not exist and, under CCA_KRW_CHECK, with 8/44 when the record
 * already contains a token.
 */
int cca_key_record_write(struct cca_keystore *ks, unsigned rule,
                         const char *label, uint32_t type,
                         const uint8_t *token, size_t token_len,
                         struct cca_result *res);

/*
 * CSNDKRR: read a record into rec (clear it with cca_key_record_clear).
 * A null record reads as type CCA_KEY_TYPE_NULL with CCA's 8-byte null
 * token.  Fails with 8/30 when the label does not exist.
 */
int cca_key_record_read(struct cca_keystore *ks, const char *label,
                        struct cca_key_record *rec, struct cca_result *res);

/* Delete rules (CSNDKRD rule array). */
#define CCA_KRD_TOKEN_DL 0u  /* keep the record, make it a null record */
#define CCA_KRD_LABEL_DL 1u  /* remove the record and its label */

/* CSNDKRD: delete one record (no wildcards).  Fails with 8/30 when the
 * label does not exist. */
int cca_key_record_delete(struct cca_keystore *ks, unsigned rule,
                          const char *label, struct cca_result *res);

/*
 * CSNDKRL: return the records whose labels match pattern (see
 * cca_label_pattern_parse), sorted by label, tokens included.  *recs is
 * NULL when none match; free it with cca_key_record_list_free().
 */
int cca_key_record_list(struct cca_keystore *ks, const char *pattern,
                        struct cca_key_record **recs, size_t *count,
                        struct cca_result *res);
void cca_key_record_list_free(struct cca_key_record *recs, size_t count);

#endif
