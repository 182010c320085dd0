/*
 * ibm4767-keys reencipher: after 'ibm4767-clu mk set', wrap the tokens
 * that are still under the old master key under the current one (CCA's
 * RTCMK through CSNDKTC and CSNBKTC).  Key records in key storage are
 * rewritten in place; token PEM files (--file) are replaced atomically,
 * keeping their mode and owner.  Tokens already under the current master
 * key stay as they are.  A token under neither the current nor the old
 * master key fails with 8/48 and is left unchanged.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <ibm4767/admin.h>
#include <ibm4767/token.h>

#include "keys.h"

#define CMD "reencipher"
#define TOKEN_PEM_NAME "CCA KEY TOKEN"
#define MAX_FILES 64

/* Outcome of one token. */
enum outcome { CHANGED, UNCHANGED, SKIPPED, FAILED };

struct tally {
    unsigned changed;
    unsigned unchanged;
    unsigned skipped;
    unsigned failed;
};

static void reencipher_help(void)
{
    printf("Usage: " KEYS_PROGRAM " reencipher [PATTERN] [--file FILE]...\n"
           "\n"
           "Wrap key tokens that are under the old master key under the\n"
           "current one, after 'ibm4767-clu mk set'.  Without arguments\n"
           "every record in key storage is checked; PATTERN limits it to\n"
           "matching labels (as 'list' takes them, e.g. 'WEB.*').\n"
           "\n"
           "  --file FILE   also re-encipher the CCA KEY TOKEN PEM file\n"
           "                FILE, replacing it atomically (may be repeated);\n"
           "                with only --file, key storage is not touched\n"
           "\n"
           "Tokens under the current master key are left as they are.  Exit\n"
           "status 1 when any token failed, e.g. 8/48 for a token under\n"
           "neither the current nor the old master key.\n");
}

static void count(struct tally *t, enum outcome o)
{
    if (o == CHANGED)
        t->changed++;
    else if (o == UNCHANGED)
        t->unchanged++;
    else if (o == SKIPPED)
        t->skipped++;
    else
        t->failed++;
}

/* Re-encipher one token into *out.  Returns CHANGED, UNCHANGED or FAILED
 * (after printing why, naming what). */
static enum outcome change_token(struct cca_backend *be, const char *what,
                                 const uint8_t *token, size_t len,
                                 uint8_t **out, size_t *out_len)
{
    struct cca_result res;

    if (!cca_key_token_change(be, token, len, out, out_len, &res)) {
        keys_fail_result(CMD, what, &res);
        return FAILED;
    }
    if (*out_len == len && memcmp(*out, token, len) == 0)
        return UNCHANGED;
    return CHANGED;
}

/* Public-only PKA tokens and null records carry no master key. */
static int has_wrapped_key(uint32_t type, const uint8_t *token, size_t len)
{
    if (type == CCA_KEY_TYPE_NULL || len == 0)
        return 0;
    if (type == CCA_KEY_TYPE_AES)
        return 1;
    return token[0] == CCA_TOKEN_INTERNAL_PKA;
}

/* ---------------------------------------------------------------------- */
/* Key storage                                                             */

/* Write the new token unless another process changed the record since
 * it was read. */
static enum outcome store_record(struct cca_keystore *ks,
                                 const struct cca_key_record *rec,
                                 const uint8_t *token, size_t len)
{
    struct cca_key_record now;
    struct cca_result res;
    int same;

    memset(&now, 0, sizeof(now));
    if (!cca_key_record_read(ks, rec->label, &now, &res)) {
        keys_fail_result(CMD, rec->label, &res);
        return FAILED;
    }
    same = now.token_len == rec->token_len
           && memcmp(now.token, rec->token, rec->token_len) == 0;
    cca_key_record_clear(&now);
    if (!same) {
        keys_fail(CMD, "%s: the record changed while it was re-enciphered; "
                  "run reencipher again", rec->label);
        return FAILED;
    }
    if (!cca_key_record_write(ks, CCA_KRW_OVERLAY, rec->label, rec->type,
                              token, len, &res)) {
        keys_fail_result(CMD, rec->label, &res);
        return FAILED;
    }
    return CHANGED;
}

static enum outcome reencipher_record(struct cca_backend *be,
                                      struct cca_keystore *ks,
                                      const struct cca_key_record *rec)
{
    uint8_t *token = NULL;
    size_t len = 0;
    enum outcome o;

    if (!has_wrapped_key(rec->type, rec->token, rec->token_len)) {
        printf("%s: %s record without a wrapped key, skipped\n", rec->label,
               cca_key_type_name(rec->type));
        return SKIPPED;
    }
    o = change_token(be, rec->label, rec->token, rec->token_len, &token,
                     &len);
    if (o == CHANGED)
        o = store_record(ks, rec, token, len);
    if (o == CHANGED)
        printf("%s: re-enciphered under the current master key\n",
               rec->label);
    else if (o == UNCHANGED)
        printf("%s: already under the current master key\n", rec->label);
    OPENSSL_clear_free(token, len);
    return o;
}

static int reencipher_storage(struct keys_options *opts,
                              struct cca_backend *be, const char *pattern,
                              struct tally *t)
{
    struct cca_keystore *ks = keys_open_storage(opts, CMD, 0);
    struct cca_key_record *recs = NULL;
    struct cca_result res;
    size_t n = 0;

    if (ks == NULL)
        return 0;
    if (!cca_key_record_list(ks, pattern, &recs, &n, &res)) {
        keys_fail_result(CMD, "listing key storage", &res);
        cca_keystore_free(ks);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        count(t, reencipher_record(be, ks, &recs[i]));
    if (n == 0)
        printf("no key record in %s matches %s\n", keys_storage_name(ks),
               pattern);
    cca_key_record_list_free(recs, n);
    cca_keystore_free(ks);
    return 1;
}

/* ---------------------------------------------------------------------- */
/* Token PEM files                                                         */

/* Read the token of a CCA KEY TOKEN PEM file. */
static int read_token_file(const char *path, uint8_t **token, size_t *len)
{
    BIO *in = BIO_new_file(path, "r");
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long data_len = 0;
    int ok;

    ok = in != NULL
         && PEM_read_bio(in, &name, &header, &data, &data_len) > 0
         && strcmp(name, TOKEN_PEM_NAME) == 0;
    if (ok) {
        *token = data;
        *len = (size_t)data_len;
        data = NULL;
    } else {
        keys_fail(CMD, "%s: cannot read a " TOKEN_PEM_NAME " PEM file%s%s",
                  path, name != NULL ? "; it holds " : "",
                  name != NULL ? name : "");
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_clear_free(data, (size_t)data_len);
    BIO_free(in);
    return ok;
}

static int sync_directory(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ok;

    if (fd < 0)
        return 0;
    ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* Write the PEM into the open temporary file fd with the old file's
 * mode and owner, and sync it. */
static int write_temporary(int fd, const struct stat *old,
                           const uint8_t *token, size_t len)
{
    FILE *fp;
    int ok;

    if (fchmod(fd, old->st_mode & 07777) != 0
        || ((old->st_uid != geteuid() || old->st_gid != getegid())
            && fchown(fd, old->st_uid, old->st_gid) != 0))
        return 0;
    fp = fdopen(dup(fd), "w");
    if (fp == NULL)
        return 0;
    ok = PEM_write(fp, TOKEN_PEM_NAME, "", token, (long)len) > 0;
    ok = fflush(fp) == 0 && ok;
    ok = fsync(fileno(fp)) == 0 && ok;
    ok = fclose(fp) == 0 && ok;
    return ok;
}

/* Replace path with the new token: temporary file in the same directory,
 * fsync, rename over the old file, fsync the directory. */
static int replace_token_file(const char *path, const uint8_t *token,
                              size_t len)
{
    char *copy = OPENSSL_strdup(path);
    char *tmp = OPENSSL_zalloc(strlen(path) + 16);
    const char *dir;
    struct stat old;
    int fd = -1, ret = 0;

    if (copy == NULL || tmp == NULL || stat(path, &old) != 0)
        goto err;
    dir = dirname(copy);
    snprintf(tmp, strlen(path) + 16, "%s.XXXXXX", path);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        goto err;
    if (!write_temporary(fd, &old, token, len) || rename(tmp, path) != 0)
        goto err;
    ret = sync_directory(dir);

err:
    if (!ret)
        keys_fail(CMD, "%s: cannot replace the file: %s; the old token is "
                  "still in place", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (!ret && fd >= 0)
        unlink(tmp);
    OPENSSL_free(tmp);
    OPENSSL_free(copy);
    return ret;
}

static enum outcome reencipher_file(struct cca_backend *be, const char *path)
{
    uint8_t *token = NULL, *fresh = NULL;
    size_t len = 0, fresh_len = 0;
    enum outcome o = FAILED;

    if (!read_token_file(path, &token, &len))
        return FAILED;
    if (len == 0 || token[0] != CCA_TOKEN_INTERNAL_PKA) {
        printf("%s: public key token without a wrapped key, skipped\n",
               path);
        o = SKIPPED;
        goto err;
    }
    o = change_token(be, path, token, len, &fresh, &fresh_len);
    if (o == CHANGED && !replace_token_file(path, fresh, fresh_len))
        o = FAILED;
    if (o == CHANGED)
        printf("%s: re-enciphered under the current master key\n", path);
    else if (o == UNCHANGED)
        printf("%s: already under the current master key\n", path);

err:
    OPENSSL_clear_free(fresh, fresh_len);
    OPENSSL_clear_free(token, len);
    return o;
}

/* ---------------------------------------------------------------------- */
/* The command                                                             */

struct reencipher_args {
    const char *pattern;
    const char *files[MAX_FILES];
    size_t file_count;
};

static int parse_args(struct keys_options *opts, int argc, char **argv,
                      struct reencipher_args *a)
{
    enum { OPT_FILE = 1 };
    static const struct option long_options[] = {
        { "file", required_argument, NULL, OPT_FILE },
        KEYS_COMMON_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    char canonical[CCA_LABEL_TEXT_MAX + 1], detail[512];
    int c, ret;

    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if (c == OPT_FILE) {
            if (a->file_count == MAX_FILES)
                return keys_usage_error(CMD, "at most %d --file options",
                                        MAX_FILES);
            a->files[a->file_count++] = optarg;
            continue;
        }
        ret = keys_common_option(opts, CMD, c, argv, reencipher_help);
        if (ret >= 0)
            return ret;
    }
    if (optind + 1 < argc)
        return keys_usage_error(CMD, "unexpected argument '%s'",
                                argv[optind + 1]);
    if (optind < argc) {
        a->pattern = argv[optind];
        if (!cca_label_pattern_parse(a->pattern, canonical, detail,
                                     sizeof(detail)))
            return keys_usage_error(CMD, "invalid pattern: %s", detail);
    } else if (a->file_count == 0) {
        a->pattern = "*";
    }
    return -1;
}

int keys_reencipher(struct keys_options *opts, int argc, char **argv)
{
    struct reencipher_args args;
    struct tally t = { 0, 0, 0, 0 };
    struct cca_backend *be;
    int ok = 1, ret;

    memset(&args, 0, sizeof(args));
    ret = parse_args(opts, argc, argv, &args);
    if (ret >= 0)
        return ret;
    be = keys_open_backend(opts, CMD);
    if (be == NULL)
        return KEYS_EXIT_FAILED;

    if (args.pattern != NULL)
        ok = reencipher_storage(opts, be, args.pattern, &t);
    for (size_t i = 0; i < args.file_count; i++)
        count(&t, reencipher_file(be, args.files[i]));
    cca_backend_free(be);

    printf("%u re-enciphered, %u already current, %u skipped, %u failed\n",
           t.changed, t.unchanged, t.skipped, t.failed);
    return ok && t.failed == 0 ? KEYS_EXIT_OK : KEYS_EXIT_FAILED;
}
