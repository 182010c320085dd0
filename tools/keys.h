/*
 * ibm4767-keys: key storage management for the ibm4767 project.  keys.c
 * parses the command line and runs the subcommands; keys_generate.c,
 * keys_import.c, keys_list.c, keys_export.c and keys_reencipher.c hold
 * one concern each.
 */
#ifndef IBM4767_KEYS_H
#define IBM4767_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <ibm4767/cca.h>
#include <ibm4767/keystore.h>

#define KEYS_PROGRAM "ibm4767-keys"

/* Exit codes shared by every subcommand. */
#define KEYS_EXIT_OK     0
#define KEYS_EXIT_FAILED 1
#define KEYS_EXIT_USAGE  2

/* Settings shared by the subcommands. */
struct keys_options {
    struct cca_config config;    /* devices, transport, ready timeout,
                                  * logging */
    const char *device;          /* --device, or NULL */
    const char *key_storage;     /* --key-storage, or NULL */
    /* Transport cca: the backend whose CCA library keeps the key records
     * (keys_open_storage() sets it up).  main() frees it after the
     * subcommand, which has freed its key storage handle by then. */
    struct cca_backend *storage_backend;
};

/* A subcommand: parses its own arguments (argv[0] is its name) and
 * returns the program's exit code. */
struct keys_command {
    const char *name;
    const char *synopsis;
    int (*run)(struct keys_options *opts, int argc, char **argv);
};

int keys_generate(struct keys_options *opts, int argc, char **argv);
int keys_import(struct keys_options *opts, int argc, char **argv);
int keys_list(struct keys_options *opts, int argc, char **argv);
int keys_show(struct keys_options *opts, int argc, char **argv);
int keys_export_token(struct keys_options *opts, int argc, char **argv);
int keys_export_ref(struct keys_options *opts, int argc, char **argv);
int keys_delete(struct keys_options *opts, int argc, char **argv);
/* Wrap tokens under the old master key under the current one
 * (keys_reencipher.c). */
int keys_reencipher(struct keys_options *opts, int argc, char **argv);

/*
 * Options every subcommand accepts next to its own.  A subcommand lists
 * KEYS_COMMON_LONG_OPTIONS in its option table and passes the codes it
 * does not know to keys_common_option().
 */
enum {
    KEYS_OPT_DEVICE = 1000,
    KEYS_OPT_KEY_STORAGE,
    KEYS_OPT_HELP,
};
#define KEYS_COMMON_LONG_OPTIONS \
    { "device", required_argument, NULL, KEYS_OPT_DEVICE }, \
    { "key-storage", required_argument, NULL, KEYS_OPT_KEY_STORAGE }, \
    { "help", no_argument, NULL, KEYS_OPT_HELP }

/*
 * Handle an option code of KEYS_COMMON_LONG_OPTIONS, '?' or ':' for
 * subcommand cmd.  Returns -1 to go on, or the exit code (help printed,
 * usage error).
 */
int keys_common_option(struct keys_options *opts, const char *cmd, int code,
                       char **argv, void (*help)(void));

/* Print "ibm4767-keys CMD: message" and a hint to --help; returns 2. */
int keys_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "ibm4767-keys CMD: message"; returns 1. */
int keys_fail(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "ibm4767-keys CMD: WHAT: <result text>"; returns 1. */
int keys_fail_result(const char *cmd, const char *what,
                     const struct cca_result *res);

/* Check that exactly one operand follows the options and validate it as
 * a label into out.  Returns -1 to go on, or 2 after a usage error. */
int keys_label_operand(const char *cmd, int argc, char **argv,
                       char out[CCA_LABEL_TEXT_MAX + 1]);
/* Validate a label option value.  Returns 1, or 0 after printing the
 * usage error. */
int keys_parse_label(const char *cmd, const char *text,
                     char out[CCA_LABEL_TEXT_MAX + 1]);

/* Open key storage: with transport socket the database (--key-storage,
 * else IBM4767_KEY_STORAGE, else the default), with transport cca the CCA
 * library's key storage through its key record verbs.  flags:
 * CCA_KEYSTORE_CREATE for the subcommands that add keys.  Returns NULL
 * after printing why. */
struct cca_keystore *keys_open_storage(struct keys_options *opts,
                                       const char *cmd, unsigned flags);
/* Where the records of ks are kept, for messages: the database path, or
 * "CCA key storage (CCA library PATH)". */
const char *keys_storage_name(const struct cca_keystore *ks);
/* Set up the device connection (made on the first request).  Returns
 * NULL after printing why. */
struct cca_backend *keys_open_backend(struct keys_options *opts,
                                      const char *cmd);

/* Parse --usage (sign, keymgmt, derive, both) for algorithm alg into CCA
 * usage flags.  Returns 1, or 0 after printing the usage error. */
int keys_parse_usage(const char *cmd, const char *text, uint32_t alg,
                     uint32_t *usage);
/* Describe CCA usage flags ("sign", "sign,keymgmt", ...). */
const char *keys_usage_name(uint32_t usage, char *buf, size_t len);

/* Write token as a CCA KEY TOKEN PEM file, mode 0600, replacing nothing:
 * an existing file is an error.  Returns 1, or 0 after printing why. */
int keys_write_token_pem(const char *cmd, const char *path,
                         const uint8_t *token, size_t token_len);

/* Store a new key token under label (a key record create with the
 * token) and print what was stored.  Returns the exit code. */
int keys_store_token(struct cca_keystore *ks, const char *cmd,
                     const char *label, uint32_t type, const uint8_t *token,
                     size_t token_len);

/* Fail early when label already names a record, so no device work is
 * wasted.  Returns -1 to go on, or the exit code. */
int keys_check_label_free(struct cca_keystore *ks, const char *cmd,
                          const char *label);

/* Retained keys (keys_retained.c). */
/* generate --retain: a key kept inside the coprocessor under label, and
 * its retained-key token stored as key record label (and written to out
 * when not NULL).  Returns the exit code. */
int keys_generate_retained(struct keys_options *opts, const char *label,
                           uint32_t alg, uint32_t size, uint32_t usage,
                           const char *out);
/* Before key record label goes: when it keeps a retained-key token,
 * delete the key in the device that keeps it.  Returns -1 to go on and
 * delete the record, or the exit code after printing why not. */
int keys_delete_retained(struct keys_options *opts, struct cca_keystore *ks,
                         const char *label);
/* "retained in device CRP02 (PATH, serial S)" for the record rec of a
 * retained key (tok is its parsed token), asking the devices of opts
 * through *be, which it opens when NULL; the caller frees *be. */
const char *keys_retained_location(struct keys_options *opts,
                                   struct cca_backend **be,
                                   const struct cca_key_record *rec,
                                   const struct cca_pka_token *tok,
                                   char *buf, size_t len);

#endif
