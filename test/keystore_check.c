/*
 * keystore-check: a client of key storage for the shell tests.
 *
 *   keystore-check read DB LABEL
 *       Read LABEL once and print its token digest and the cache counters.
 *   keystore-check read-twice DB LABEL FIFO
 *       Read LABEL, print its token digest and the cache counters, wait
 *       for a line on FIFO, then read and print again.  The test changes
 *       the record from another process while this one waits.
 *   keystore-check write-loop DB PREFIX COUNT
 *       Create PREFIX.R0 ... with tokens derived from the index, printing
 *       each index after its commit.  The test kills it part-way.
 *   keystore-check verify DB PREFIX COUNT
 *       Run PRAGMA integrity_check and read back PREFIX.R0 to
 *       PREFIX.R<COUNT-1>, checking each token.
 *   keystore-check write DB LABEL SEED
 *       Overwrite LABEL (OVERLAY) with a token derived from SEED.
 *   keystore-check pem-key FILE
 *       Load a private key with PEM_read_bio_PrivateKey, as servers such
 *       as HAProxy do, and print its type and size.  The provider comes
 *       from OPENSSL_CONF.
 *
 * Exit status: 0 ok, 1 failed check, 2 usage error.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>

#include <ibm4767/keystore.h>
#include <ibm4767/log.h>
#include <ibm4767/token.h>

#define TOKEN_LEN 200

/* A token with a valid PKA header whose body is derived from seed. */
static void make_token(uint8_t token[TOKEN_LEN], unsigned long seed)
{
    memset(token, 0, TOKEN_LEN);
    token[0] = CCA_TOKEN_INTERNAL_PKA;
    token[2] = (uint8_t)(TOKEN_LEN >> 8);
    token[3] = (uint8_t)TOKEN_LEN;
    for (size_t i = CCA_TOKEN_HEADER_LEN; i < TOKEN_LEN; i++)
        token[i] = (uint8_t)((seed * 131u + i) & 0xFF);
}

static void print_read(struct cca_keystore *ks, const char *label,
                       const struct cca_key_record *rec)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    struct cca_keystore_stats st;

    EVP_Digest(rec->token, rec->token_len, md, &md_len, EVP_sha256(), NULL);
    cca_keystore_get_stats(ks, &st);
    printf("label=%s\ntoken-sha256=", label);
    for (unsigned int i = 0; i < md_len; i++)
        printf("%02x", md[i]);
    printf("\ncache-enabled=%d\ncache-hits=%llu\ncache-misses=%llu\n",
           st.cache_enabled, (unsigned long long)st.cache_hits,
           (unsigned long long)st.cache_misses);
    fflush(stdout);
}

static int read_once(struct cca_keystore *ks, const char *label)
{
    struct cca_key_record rec;
    struct cca_result res;

    if (!cca_key_record_read(ks, label, &rec, &res)) {
        fprintf(stderr, "keystore-check: read %s: %u/%u %s\n", label,
                res.rc, res.reason, res.detail);
        return 0;
    }
    print_read(ks, label, &rec);
    cca_key_record_clear(&rec);
    return 1;
}

static int cmd_read_twice(const char *db, const char *label,
                          const char *fifo)
{
    int ret = 1;
    char line[64];
    FILE *fp = NULL;
    struct cca_keystore *ks = cca_keystore_new(db, 0);

    if (ks == NULL || !read_once(ks, label))
        goto err;
    fp = fopen(fifo, "r");
    if (fp == NULL || fgets(line, sizeof(line), fp) == NULL) {
        fprintf(stderr, "keystore-check: no line on %s\n", fifo);
        goto err;
    }
    if (!read_once(ks, label))
        goto err;
    ret = 0;

err:
    if (fp != NULL)
        fclose(fp);
    cca_keystore_free(ks);
    return ret;
}

static int cmd_read(const char *db, const char *label)
{
    struct cca_keystore *ks = cca_keystore_new(db, 0);
    int ret = ks != NULL && read_once(ks, label) ? 0 : 1;

    cca_keystore_free(ks);
    return ret;
}

static int cmd_write_loop(const char *db, const char *prefix,
                          unsigned long count)
{
    int ret = 1;
    char label[CCA_LABEL_TEXT_MAX + 1];
    uint8_t token[TOKEN_LEN];
    struct cca_result res;
    struct cca_keystore *ks = cca_keystore_new(db, CCA_KEYSTORE_CREATE);

    if (ks == NULL)
        goto err;
    for (unsigned long i = 0; i < count; i++) {
        snprintf(label, sizeof(label), "%s.R%lu", prefix, i);
        make_token(token, i);
        if (!cca_key_record_create(ks, label, CCA_KEY_TYPE_RSA, token,
                                   sizeof(token), &res)) {
            fprintf(stderr, "keystore-check: create %s: %u/%u %s\n", label,
                    res.rc, res.reason, res.detail);
            goto err;
        }
        printf("%lu\n", i);
        fflush(stdout);
    }
    ret = 0;

err:
    cca_keystore_free(ks);
    return ret;
}

static int integrity_ok(const char *db)
{
    int ok = 0;
    sqlite3 *conn = NULL;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_open_v2(db, &conn, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(conn, "PRAGMA integrity_check", -1, &stmt,
                           NULL) != SQLITE_OK) {
        fprintf(stderr, "keystore-check: open %s: %s\n", db,
                conn != NULL ? sqlite3_errmsg(conn) : "out of memory");
        goto err;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *row = (const char *)sqlite3_column_text(stmt, 0);

        printf("integrity_check=%s\n", row != NULL ? row : "(null)");
        if (row != NULL && strcmp(row, "ok") == 0)
            ok = 1;
    }

err:
    sqlite3_finalize(stmt);
    sqlite3_close(conn);
    return ok;
}

static int cmd_verify(const char *db, const char *prefix,
                      unsigned long count)
{
    int ret = 1;
    char label[CCA_LABEL_TEXT_MAX + 1];
    uint8_t token[TOKEN_LEN];
    struct cca_key_record rec;
    struct cca_result res;
    struct cca_keystore *ks = NULL;

    if (!integrity_ok(db))
        goto err;
    ks = cca_keystore_new(db, 0);
    if (ks == NULL)
        goto err;
    for (unsigned long i = 0; i < count; i++) {
        snprintf(label, sizeof(label), "%s.R%lu", prefix, i);
        make_token(token, i);
        if (!cca_key_record_read(ks, label, &rec, &res)) {
            fprintf(stderr, "keystore-check: committed record %s: %u/%u "
                    "%s\n", label, res.rc, res.reason, res.detail);
            goto err;
        }
        if (rec.token_len != sizeof(token) ||
            memcmp(rec.token, token, sizeof(token)) != 0) {
            fprintf(stderr, "keystore-check: committed record %s holds "
                    "another token\n", label);
            cca_key_record_clear(&rec);
            goto err;
        }
        cca_key_record_clear(&rec);
    }
    printf("verified=%lu\n", count);
    ret = 0;

err:
    cca_keystore_free(ks);
    return ret;
}

static int cmd_write(const char *db, const char *label, unsigned long seed)
{
    int ret = 1;
    uint8_t token[TOKEN_LEN];
    struct cca_result res;
    struct cca_keystore *ks = cca_keystore_new(db, 0);

    make_token(token, seed);
    if (ks == NULL)
        goto err;
    if (!cca_key_record_write(ks, CCA_KRW_OVERLAY, label, CCA_KEY_TYPE_RSA,
                              token, sizeof(token), &res)) {
        fprintf(stderr, "keystore-check: write %s: %u/%u %s\n", label,
                res.rc, res.reason, res.detail);
        goto err;
    }
    ret = 0;

err:
    cca_keystore_free(ks);
    return ret;
}

static int cmd_pem_key(const char *path)
{
    int ret = 1;
    BIO *bio = BIO_new_file(path, "r");
    EVP_PKEY *pkey = NULL;

    if (bio != NULL)
        pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    if (pkey == NULL) {
        fprintf(stderr, "keystore-check: no private key in %s\n", path);
        ERR_print_errors_fp(stderr);
        goto err;
    }
    printf("type=%s\nbits=%d\n", EVP_PKEY_get0_type_name(pkey),
           EVP_PKEY_get_bits(pkey));
    ret = 0;

err:
    EVP_PKEY_free(pkey);
    BIO_free(bio);
    return ret;
}

static int parse_count(const char *s, unsigned long *out)
{
    char *end;

    *out = strtoul(s, &end, 10);
    return *s != '\0' && *end == '\0';
}

int main(int argc, char **argv)
{
    unsigned long n;

    /* Debug lines of key storage go to stderr with KEYSTORE_CHECK_DEBUG=1. */
    if (getenv("KEYSTORE_CHECK_DEBUG") != NULL)
        ibm4767_log_open("keystore-check", IBM4767_LOG_DEBUG, NULL);
    if (argc == 3 && strcmp(argv[1], "pem-key") == 0)
        return cmd_pem_key(argv[2]);
    if (argc == 4 && strcmp(argv[1], "read") == 0)
        return cmd_read(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "read-twice") == 0)
        return cmd_read_twice(argv[2], argv[3], argv[4]);
    if (argc == 5 && strcmp(argv[1], "write-loop") == 0 &&
        parse_count(argv[4], &n))
        return cmd_write_loop(argv[2], argv[3], n);
    if (argc == 5 && strcmp(argv[1], "verify") == 0 &&
        parse_count(argv[4], &n))
        return cmd_verify(argv[2], argv[3], n);
    if (argc == 5 && strcmp(argv[1], "write") == 0 &&
        parse_count(argv[4], &n))
        return cmd_write(argv[2], argv[3], n);

    fprintf(stderr,
            "usage: keystore-check read DB LABEL\n"
            "       keystore-check read-twice DB LABEL FIFO\n"
            "       keystore-check write-loop DB PREFIX COUNT\n"
            "       keystore-check verify DB PREFIX COUNT\n"
            "       keystore-check write DB LABEL SEED\n"
            "       keystore-check pem-key FILE\n");
    return 2;
}
