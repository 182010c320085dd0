/*
 * ibm4767-keys export-token and export-ref: the PEM files servers load.
 *
 * A token PEM (CCA KEY TOKEN) contains the key token itself, and the
 * provider decodes it without key storage.  A reference PEM (CCA KEY
 * LABEL) contains only the label.  Its body is the base64 of CCA's 64-byte
 * label field (the label, space-padded).  The provider reads the token
 * from key storage each time the file is loaded, so a re-enciphered or
 * replaced token needs no new file.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "keys.h"

#define TOKEN_PEM_NAME "CCA KEY TOKEN"
#define LABEL_PEM_NAME "CCA KEY LABEL"
/* The token file is as sensitive as key storage, while the label file
 * contains no key at all. */
#define TOKEN_FILE_MODE 0640
#define LABEL_FILE_MODE 0644

/* Write one PEM block to a new file.  Returns 1, or 0 after printing
 * why. */
static int write_pem(const char *cmd, const char *path, mode_t mode,
                     const char *name, const uint8_t *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    FILE *fp;
    int ok;

    if (fd < 0 || fchmod(fd, mode) != 0) {
        keys_fail(cmd, "cannot create '%s': %s%s", path, strerror(errno),
                  errno == EEXIST ? "; remove it or choose another file"
                                  : "");
        if (fd >= 0)
            close(fd);
        return 0;
    }
    fp = fdopen(fd, "w");
    if (fp == NULL) {
        close(fd);
        keys_fail(cmd, "cannot write '%s': %s", path, strerror(errno));
        return 0;
    }
    ok = PEM_write(fp, name, "", data, (long)len) > 0;
    ok = fclose(fp) == 0 && ok;
    if (!ok) {
        keys_fail(cmd, "cannot write '%s'; the file may be incomplete, "
                  "remove it and try again", path);
        return 0;
    }
    return 1;
}

int keys_write_token_pem(const char *cmd, const char *path,
                         const uint8_t *token, size_t token_len)
{
    if (!write_pem(cmd, path, TOKEN_FILE_MODE, TOKEN_PEM_NAME, token,
                   token_len))
        return 0;
    printf("wrote the key token to %s\n", path);
    return 1;
}

struct export_args {
    char label[CCA_LABEL_TEXT_MAX + 1];
    const char *out;
};

/* Parse "LABEL --out FILE" for cmd.  Returns -1 to go on, or the exit
 * code. */
static int parse_args(struct keys_options *opts, const char *cmd,
                      void (*help)(void), int argc, char **argv,
                      struct export_args *a)
{
    enum { OPT_OUT = 1 };
    static const struct option long_options[] = {
        { "out", required_argument, NULL, OPT_OUT },
        KEYS_COMMON_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    int c, ret;

    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if (c == OPT_OUT) {
            a->out = optarg;
            continue;
        }
        ret = keys_common_option(opts, cmd, c, argv, help);
        if (ret >= 0)
            return ret;
    }
    ret = keys_label_operand(cmd, argc, argv, a->label);
    if (ret >= 0)
        return ret;
    if (a->out == NULL)
        return keys_usage_error(cmd, "missing --out FILE");
    if (access(a->out, F_OK) == 0)
        return keys_usage_error(cmd, "--out '%s' already exists; remove it "
                                "or choose another file", a->out);
    return -1;
}

/* Read the record that cmd exports.  Returns 1, or 0 after printing
 * why. */
static int read_record(struct keys_options *opts, const char *cmd,
                       const char *label, struct cca_key_record *rec)
{
    struct cca_keystore *ks = keys_open_storage(opts, cmd, 0);
    struct cca_result res;
    int ok;

    if (ks == NULL)
        return 0;
    ok = cca_key_record_read(ks, label, rec, &res);
    if (!ok)
        keys_fail_result(cmd, "reading the key record", &res);
    cca_keystore_free(ks);
    return ok;
}

static void export_token_help(void)
{
    printf("Usage: " KEYS_PROGRAM " export-token LABEL --out FILE\n"
           "\n"
           "Write the key token of record LABEL to FILE as a CCA KEY TOKEN\n"
           "PEM file (mode 0640; FILE must not exist).  The token contains\n"
           "the private key wrapped under the coprocessor's master key, and\n"
           "the provider loads it without key storage.\n");
}

int keys_export_token(struct keys_options *opts, int argc, char **argv)
{
    struct export_args args;
    struct cca_key_record rec;
    int ret;

    memset(&args, 0, sizeof(args));
    ret = parse_args(opts, "export-token", export_token_help, argc, argv,
                     &args);
    if (ret >= 0)
        return ret;
    if (!read_record(opts, "export-token", args.label, &rec))
        return KEYS_EXIT_FAILED;

    ret = KEYS_EXIT_FAILED;
    if (rec.type == CCA_KEY_TYPE_NULL)
        keys_fail("export-token", "key record %s is a null record and "
                  "contains no token; store a key in it first", args.label);
    else if (keys_write_token_pem("export-token", args.out, rec.token,
                                  rec.token_len))
        ret = KEYS_EXIT_OK;
    cca_key_record_clear(&rec);
    return ret;
}

static void export_ref_help(void)
{
    printf("Usage: " KEYS_PROGRAM " export-ref LABEL --out FILE\n"
           "\n"
           "Write a CCA KEY LABEL PEM file that names record LABEL (mode\n"
           "0644; FILE must not exist).  Give it to a server that only takes\n"
           "a key file, e.g. nginx's ssl_certificate_key: the provider reads\n"
           "the token from key storage each time the file is loaded.\n");
}

int keys_export_ref(struct keys_options *opts, int argc, char **argv)
{
    struct export_args args;
    struct cca_key_record rec;
    char field[CCA_LABEL_LEN];
    int ret;

    memset(&args, 0, sizeof(args));
    ret = parse_args(opts, "export-ref", export_ref_help, argc, argv, &args);
    if (ret >= 0)
        return ret;
    /* The reference is only useful for a label that exists. */
    if (!read_record(opts, "export-ref", args.label, &rec))
        return KEYS_EXIT_FAILED;
    cca_key_record_clear(&rec);

    cca_label_to_field(args.label, field);
    if (!write_pem("export-ref", args.out, LABEL_FILE_MODE, LABEL_PEM_NAME,
                   (const uint8_t *)field, sizeof(field)))
        return KEYS_EXIT_FAILED;
    printf("wrote a reference to key record %s to %s\n", args.label,
           args.out);
    return KEYS_EXIT_OK;
}
