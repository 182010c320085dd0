/*
 * Unit tests of key storage: the record verbs with their CCA reason
 * codes, the host record cache across two connections, CSUCACHE, file
 * permissions, fork and threads.  Each test works on its own database in
 * a temporary directory.  test_label.c covers labels and list patterns.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <pthread.h>

#include <ibm4767/keystore.h>
#include <ibm4767/token.h>

struct fixture {
    char dir[64];
    char path[128];
    struct cca_keystore *ks;
};

/* A token with a valid PKA header: identifier, version, length, then
 * filler bytes derived from seed. */
static void fake_token(uint8_t *buf, size_t len, uint8_t seed)
{
    memset(buf, 0, len);
    buf[0] = CCA_TOKEN_INTERNAL_PKA;
    buf[2] = (uint8_t)(len >> 8);
    buf[3] = (uint8_t)len;
    for (size_t i = CCA_TOKEN_HEADER_LEN; i < len; i++)
        buf[i] = (uint8_t)(seed + i);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/ibm4767-keystore.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/keys.db", f->dir);
    unsetenv("CSUCACHE");
    f->ks = cca_keystore_new(f->path, CCA_KEYSTORE_CREATE);
    assert_non_null(f->ks);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[160];

    cca_keystore_free(f->ks);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", f->dir);
    free(f);
    return 0;
}

static void assert_result(const struct cca_result *res, uint32_t rc,
                          uint32_t reason, const char *in_detail)
{
    if (res->rc != rc || res->reason != reason)
        print_error("result %u/%u (%s), expected %u/%u\n", res->rc,
                    res->reason, res->detail, rc, reason);
    assert_int_equal(res->rc, rc);
    assert_int_equal(res->reason, reason);
    if (in_detail != NULL && strstr(res->detail, in_detail) == NULL)
        print_error("detail \"%s\" does not contain \"%s\"\n", res->detail,
                    in_detail);
    if (in_detail != NULL)
        assert_non_null(strstr(res->detail, in_detail));
}

static void create_with_token(struct cca_keystore *ks, const char *label,
                              uint8_t seed)
{
    uint8_t token[64];
    struct cca_result res;

    fake_token(token, sizeof(token), seed);
    assert_true(cca_key_record_create(ks, label, CCA_KEY_TYPE_RSA, token,
                                      sizeof(token), &res));
}

/* ---- record verbs ---- */

static void record_create_null_reads_null_token(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    const uint8_t zeros[CCA_NULL_TOKEN_LEN] = { 0 };

    assert_true(cca_key_record_create(f->ks, "web.tls.rsa", 0, NULL, 0,
                                      &res));
    assert_result(&res, 0, 0, NULL);
    assert_true(cca_key_record_read(f->ks, "WEB.TLS.RSA", &rec, &res));
    assert_string_equal(rec.label, "WEB.TLS.RSA");
    assert_int_equal(rec.type, CCA_KEY_TYPE_NULL);
    assert_int_equal(rec.token_len, CCA_NULL_TOKEN_LEN);
    assert_memory_equal(rec.token, zeros, CCA_NULL_TOKEN_LEN);
    assert_true(rec.created > 0);
    assert_true(rec.changed == rec.created);
    cca_key_record_clear(&rec);
}

static void record_create_duplicate_8_44(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;

    assert_true(cca_key_record_create(f->ks, "DUP", 0, NULL, 0, &res));
    assert_false(cca_key_record_create(f->ks, "dup", 0, NULL, 0, &res));
    assert_result(&res, 8, CCA_RS_LABEL_EXISTS, "DUP");
}

static void record_invalid_label_8_32(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    uint8_t token[32];

    fake_token(token, sizeof(token), 1);
    assert_false(cca_key_record_create(f->ks, "9LIVES", 0, NULL, 0, &res));
    assert_result(&res, 8, CCA_RS_LABEL_INVALID, "9LIVES");
    assert_false(cca_key_record_read(f->ks, "A..B", &rec, &res));
    assert_result(&res, 8, CCA_RS_LABEL_INVALID, "A..B");
    assert_false(cca_key_record_write(f->ks, CCA_KRW_OVERLAY, "A/B",
                                      CCA_KEY_TYPE_RSA, token, sizeof(token),
                                      &res));
    assert_result(&res, 8, CCA_RS_LABEL_INVALID, "A/B");
    assert_false(cca_key_record_delete(f->ks, CCA_KRD_LABEL_DL, "TOOLONGLABEL",
                                       &res));
    assert_result(&res, 8, CCA_RS_LABEL_INVALID, "TOOLONGLABEL");
}

static void record_missing_label_8_30(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    uint8_t token[32];

    fake_token(token, sizeof(token), 1);
    assert_false(cca_key_record_read(f->ks, "NO.SUCH.KEY", &rec, &res));
    assert_result(&res, 8, CCA_RS_NO_SUCH_LABEL, "NO.SUCH.KEY");
    assert_null(rec.token);
    assert_false(cca_key_record_write(f->ks, CCA_KRW_CHECK, "NO.SUCH.KEY",
                                      CCA_KEY_TYPE_RSA, token, sizeof(token),
                                      &res));
    assert_result(&res, 8, CCA_RS_NO_SUCH_LABEL, "NO.SUCH.KEY");
    assert_false(cca_key_record_delete(f->ks, CCA_KRD_TOKEN_DL, "NO.SUCH.KEY",
                                       &res));
    assert_result(&res, 8, CCA_RS_NO_SUCH_LABEL, "NO.SUCH.KEY");
}

static void record_write_check_vs_overlay(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    uint8_t first[48];
    uint8_t second[80];

    fake_token(first, sizeof(first), 1);
    fake_token(second, sizeof(second), 2);
    assert_true(cca_key_record_create(f->ks, "APP.KEY", 0, NULL, 0, &res));

    /* CHECK writes over the null record... */
    assert_true(cca_key_record_write(f->ks, CCA_KRW_CHECK, "APP.KEY",
                                     CCA_KEY_TYPE_RSA, first, sizeof(first),
                                     &res));
    /* ...but not over a record that contains a token. */
    assert_false(cca_key_record_write(f->ks, CCA_KRW_CHECK, "APP.KEY",
                                      CCA_KEY_TYPE_EC, second, sizeof(second),
                                      &res));
    assert_result(&res, 8, CCA_RS_LABEL_EXISTS, "APP.KEY");
    assert_true(cca_key_record_read(f->ks, "APP.KEY", &rec, &res));
    assert_int_equal(rec.type, CCA_KEY_TYPE_RSA);
    assert_int_equal(rec.token_len, sizeof(first));
    assert_memory_equal(rec.token, first, sizeof(first));
    cca_key_record_clear(&rec);

    /* OVERLAY replaces it. */
    assert_true(cca_key_record_write(f->ks, CCA_KRW_OVERLAY, "APP.KEY",
                                     CCA_KEY_TYPE_EC, second, sizeof(second),
                                     &res));
    assert_true(cca_key_record_read(f->ks, "APP.KEY", &rec, &res));
    assert_int_equal(rec.type, CCA_KEY_TYPE_EC);
    assert_int_equal(rec.token_len, sizeof(second));
    assert_memory_equal(rec.token, second, sizeof(second));
    cca_key_record_clear(&rec);

    assert_false(cca_key_record_write(f->ks, 7, "APP.KEY", CCA_KEY_TYPE_EC,
                                      second, sizeof(second), &res));
    assert_result(&res, 8, CCA_RS_KEYWORD_INVALID, "APP.KEY");
}

static void record_token_rejected(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    uint8_t token[64];
    uint8_t *huge = calloc(1, CCA_TOKEN_MAX + 1);

    assert_non_null(huge);
    assert_true(cca_key_record_create(f->ks, "BAD", 0, NULL, 0, &res));

    fake_token(token, sizeof(token), 3);
    token[0] = 0x01;
    assert_false(cca_key_record_write(f->ks, CCA_KRW_CHECK, "BAD",
                                      CCA_KEY_TYPE_RSA, token, sizeof(token),
                                      &res));
    assert_result(&res, 8, CCA_RS_PKA_TOKEN_INVALID, "BAD");

    fake_token(token, sizeof(token), 3);
    assert_false(cca_key_record_write(f->ks, CCA_KRW_CHECK, "BAD",
                                      CCA_KEY_TYPE_RSA, token,
                                      sizeof(token) - 1, &res));
    assert_result(&res, 8, CCA_RS_PKA_TOKEN_INVALID, "BAD");

    assert_false(cca_key_record_write(f->ks, CCA_KRW_CHECK, "BAD",
                                      CCA_KEY_TYPE_RSA, huge,
                                      CCA_TOKEN_MAX + 1, &res));
    assert_result(&res, 8, CCA_RS_LENGTH_INVALID, "BAD");
    free(huge);
}

static void record_delete_token_then_label(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;

    create_with_token(f->ks, "OLD.KEY", 4);
    assert_true(cca_key_record_delete(f->ks, CCA_KRD_TOKEN_DL, "OLD.KEY",
                                      &res));
    assert_true(cca_key_record_read(f->ks, "OLD.KEY", &rec, &res));
    assert_int_equal(rec.type, CCA_KEY_TYPE_NULL);
    assert_int_equal(rec.token_len, CCA_NULL_TOKEN_LEN);
    cca_key_record_clear(&rec);

    assert_true(cca_key_record_delete(f->ks, CCA_KRD_LABEL_DL, "OLD.KEY",
                                      &res));
    assert_false(cca_key_record_read(f->ks, "OLD.KEY", &rec, &res));
    assert_result(&res, 8, CCA_RS_NO_SUCH_LABEL, "OLD.KEY");
}

static void record_list_wildcards(void **state)
{
    static const struct {
        const char *pattern;
        size_t count;
        const char *first;
    } cases[] = {
        { "*", 5, "API.EC" },
        { "WEB.*", 2, "WEB.TLS.EC" },
        { "WEB.TLS.*", 2, "WEB.TLS.EC" },
        { "*.RSA", 1, "API.RSA" },
        { "*.*.RSA", 1, "WEB.TLS.RSA" },
        { "WEB*", 1, "WEBSRV" },
        { "NOTHING.*", 0, NULL },
    };
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record *recs;
    size_t count;

    create_with_token(f->ks, "WEB.TLS.RSA", 1);
    create_with_token(f->ks, "WEB.TLS.EC", 2);
    create_with_token(f->ks, "WEB.MAIL", 3);
    create_with_token(f->ks, "API.RSA", 4);
    assert_true(cca_key_record_create(f->ks, "WEBSRV", 0, NULL, 0, &res));
    /* Delete one record so that the list must reflect the change. */
    assert_true(cca_key_record_delete(f->ks, CCA_KRD_LABEL_DL, "WEB.MAIL",
                                      &res));
    create_with_token(f->ks, "API.EC", 5);

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(cca_key_record_list(f->ks, cases[i].pattern, &recs,
                                        &count, &res));
        if (count != cases[i].count)
            print_error("pattern \"%s\": %zu records, expected %zu\n",
                        cases[i].pattern, count, cases[i].count);
        assert_int_equal(count, cases[i].count);
        if (cases[i].first != NULL)
            assert_string_equal(recs[0].label, cases[i].first);
        else
            assert_null(recs);
        cca_key_record_list_free(recs, count);
    }

    assert_false(cca_key_record_list(f->ks, "W*B", &recs, &count, &res));
    assert_result(&res, 8, CCA_RS_LABEL_INVALID, "W*B");
}

static void record_list_sorted_with_tokens(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record *recs;
    size_t count;

    create_with_token(f->ks, "B.KEY", 1);
    create_with_token(f->ks, "A.KEY", 2);
    create_with_token(f->ks, "A", 3);
    assert_true(cca_key_record_list(f->ks, "*", &recs, &count, &res));
    assert_int_equal(count, 3);
    assert_string_equal(recs[0].label, "A");
    assert_string_equal(recs[1].label, "A.KEY");
    assert_string_equal(recs[2].label, "B.KEY");
    assert_int_equal(recs[1].type, CCA_KEY_TYPE_RSA);
    assert_int_equal(recs[1].token_len, 64);
    assert_int_equal(recs[1].token[0], CCA_TOKEN_INTERNAL_PKA);
    cca_key_record_list_free(recs, count);
}

/* ---- database file ---- */

static void storage_missing_file_12_4807(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    char path[160];
    struct cca_keystore *ks;

    snprintf(path, sizeof(path), "%s/absent.db", f->dir);
    ks = cca_keystore_new(path, 0);
    assert_non_null(ks);
    assert_false(cca_key_record_read(ks, "ANY", &rec, &res));
    assert_result(&res, 12, CCA_RS_HOST_KEY_STORAGE, path);
    assert_int_equal(access(path, F_OK), -1);
    cca_keystore_free(ks);
}

static void storage_not_a_keystore(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    char path[160];
    struct cca_keystore *ks;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/empty.db", f->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    ks = cca_keystore_new(path, 0);
    assert_non_null(ks);
    assert_false(cca_key_record_read(ks, "ANY", &rec, &res));
    assert_result(&res, 12, CCA_RS_HOST_KEY_STORAGE, "schema version 0");
    cca_keystore_free(ks);
}

static void storage_file_mode_0640(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct stat st;
    char side[160];
    mode_t old = umask(077);

    assert_true(cca_key_record_create(f->ks, "MODE", 0, NULL, 0, &res));
    umask(old);

    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    snprintf(side, sizeof(side), "%s-wal", f->path);
    assert_int_equal(stat(side, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    snprintf(side, sizeof(side), "%s-shm", f->path);
    assert_int_equal(stat(side, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
}

static void storage_wal_kept_after_close(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    char side[160];

    assert_true(cca_key_record_create(f->ks, "KEEP", 0, NULL, 0, &res));
    cca_keystore_free(f->ks);
    f->ks = NULL;
    snprintf(side, sizeof(side), "%s-wal", f->path);
    assert_int_equal(access(side, F_OK), 0);
    snprintf(side, sizeof(side), "%s-shm", f->path);
    assert_int_equal(access(side, F_OK), 0);
}

static void storage_choose_path_order(void **state)
{
    (void)state;
    unsetenv(CCA_KEYSTORE_ENV);
    assert_string_equal(cca_keystore_choose_path(NULL),
                        CCA_KEYSTORE_DEFAULT_PATH);
    assert_string_equal(cca_keystore_choose_path(""),
                        CCA_KEYSTORE_DEFAULT_PATH);
    assert_string_equal(cca_keystore_choose_path("/etc/k.db"), "/etc/k.db");
    setenv(CCA_KEYSTORE_ENV, "/run/k.db", 1);
    assert_string_equal(cca_keystore_choose_path("/etc/k.db"), "/run/k.db");
    setenv(CCA_KEYSTORE_ENV, "", 1);
    assert_string_equal(cca_keystore_choose_path("/etc/k.db"), "/etc/k.db");
    unsetenv(CCA_KEYSTORE_ENV);
}

/* ---- host record cache ---- */

static void cache_hit_on_second_read(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    struct cca_keystore_stats st;

    create_with_token(f->ks, "HOT", 1);
    /* The create filled the cache, so both reads are hits. */
    for (int i = 0; i < 2; i++) {
        assert_true(cca_key_record_read(f->ks, "HOT", &rec, &res));
        cca_key_record_clear(&rec);
    }
    cca_keystore_get_stats(f->ks, &st);
    assert_true(st.cache_enabled);
    assert_int_equal(st.cache_hits, 2);
    assert_int_equal(st.cache_misses, 0);
    assert_int_equal(st.cache_entries, 1);
}

static void cache_sees_other_connection_change(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    struct cca_keystore_stats st;
    struct cca_keystore *other;
    uint8_t token[96];

    create_with_token(f->ks, "SHARED", 1);
    other = cca_keystore_new(f->path, 0);
    assert_non_null(other);

    /* other reads (miss, then hit)... */
    assert_true(cca_key_record_read(other, "SHARED", &rec, &res));
    cca_key_record_clear(&rec);
    assert_true(cca_key_record_read(other, "SHARED", &rec, &res));
    assert_int_equal(rec.token_len, 64);
    cca_key_record_clear(&rec);

    /* ...the first handle rewrites the record... */
    fake_token(token, sizeof(token), 9);
    assert_true(cca_key_record_write(f->ks, CCA_KRW_OVERLAY, "SHARED",
                                     CCA_KEY_TYPE_RSA, token, sizeof(token),
                                     &res));

    /* ...and other's next read returns the new token. */
    assert_true(cca_key_record_read(other, "SHARED", &rec, &res));
    assert_int_equal(rec.token_len, sizeof(token));
    assert_memory_equal(rec.token, token, sizeof(token));
    cca_key_record_clear(&rec);

    cca_keystore_get_stats(other, &st);
    assert_int_equal(st.cache_hits, 1);
    assert_int_equal(st.cache_misses, 2);
    assert_int_equal(st.cache_flushes, 1);

    /* A delete by the first handle is seen too. */
    assert_true(cca_key_record_delete(f->ks, CCA_KRD_LABEL_DL, "SHARED",
                                      &res));
    assert_false(cca_key_record_read(other, "SHARED", &rec, &res));
    assert_result(&res, 8, CCA_RS_NO_SUCH_LABEL, "SHARED");
    cca_keystore_free(other);
}

static void cache_off_with_csucache_n(void **state)
{
    static const char *const values[] = { "N", "no", "never" };
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    struct cca_keystore_stats st;

    create_with_token(f->ks, "COLD", 1);
    for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
        struct cca_keystore *ks;

        setenv("CSUCACHE", values[v], 1);
        ks = cca_keystore_new(f->path, 0);
        unsetenv("CSUCACHE");
        assert_non_null(ks);
        for (int i = 0; i < 3; i++) {
            assert_true(cca_key_record_read(ks, "COLD", &rec, &res));
            cca_key_record_clear(&rec);
        }
        cca_keystore_get_stats(ks, &st);
        assert_false(st.cache_enabled);
        assert_int_equal(st.cache_hits, 0);
        assert_int_equal(st.cache_misses, 3);
        assert_int_equal(st.cache_entries, 0);
        cca_keystore_free(ks);
    }

    /* Any other value leaves the cache on. */
    setenv("CSUCACHE", "Y", 1);
    {
        struct cca_keystore *ks = cca_keystore_new(f->path, 0);

        unsetenv("CSUCACHE");
        assert_non_null(ks);
        cca_keystore_get_stats(ks, &st);
        assert_true(st.cache_enabled);
        cca_keystore_free(ks);
    }
}

static void cache_bounded_by_max(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    struct cca_keystore_stats st;
    char label[16];

    for (int i = 0; i < 300; i++) {
        snprintf(label, sizeof(label), "K%d", i);
        create_with_token(f->ks, label, (uint8_t)i);
    }
    cca_keystore_get_stats(f->ks, &st);
    assert_true(st.cache_entries <= 256);
    /* The oldest was evicted and reads back from the database. */
    assert_true(cca_key_record_read(f->ks, "K0", &rec, &res));
    assert_int_equal(rec.token[CCA_TOKEN_HEADER_LEN], CCA_TOKEN_HEADER_LEN);
    cca_key_record_clear(&rec);
    cca_keystore_get_stats(f->ks, &st);
    assert_int_equal(st.cache_misses, 1);
}

/* ---- fork and threads ---- */

static void fork_child_uses_own_connection(void **state)
{
    struct fixture *f = *state;
    struct cca_result res;
    struct cca_key_record rec;
    int status;
    pid_t pid;

    create_with_token(f->ks, "PARENT", 1);
    assert_true(cca_key_record_read(f->ks, "PARENT", &rec, &res));
    cca_key_record_clear(&rec);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Exit status: 0 ok, otherwise the step that failed. */
        if (!cca_key_record_read(f->ks, "PARENT", &rec, &res))
            _exit(1);
        cca_key_record_clear(&rec);
        create_with_token(f->ks, "CHILD", 2);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* The parent reopens its connection and reads the child's record. */
    assert_true(cca_key_record_read(f->ks, "CHILD", &rec, &res));
    assert_int_equal(rec.type, CCA_KEY_TYPE_RSA);
    cca_key_record_clear(&rec);
}

struct reader_arg {
    struct cca_keystore *ks;
    int failures;
};

static void *reader_thread(void *p)
{
    struct reader_arg *arg = p;
    struct cca_result res;
    struct cca_key_record rec;

    for (int i = 0; i < 500; i++) {
        const char *label = (i & 1) ? "T.ONE" : "T.TWO";

        if (!cca_key_record_read(arg->ks, label, &rec, &res) ||
            rec.token_len != 64)
            arg->failures++;
        cca_key_record_clear(&rec);
    }
    return NULL;
}

static void threads_read_concurrently(void **state)
{
    struct fixture *f = *state;
    pthread_t threads[4];
    struct reader_arg args[4];

    create_with_token(f->ks, "T.ONE", 1);
    create_with_token(f->ks, "T.TWO", 2);
    for (int i = 0; i < 4; i++) {
        args[i].ks = f->ks;
        args[i].failures = 0;
        assert_int_equal(pthread_create(&threads[i], NULL, reader_thread,
                                        &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(record_create_null_reads_null_token,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(record_create_duplicate_8_44, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(record_invalid_label_8_32, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(record_missing_label_8_30, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(record_write_check_vs_overlay, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(record_token_rejected, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(record_delete_token_then_label,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(record_list_wildcards, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(record_list_sorted_with_tokens,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(storage_missing_file_12_4807, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(storage_not_a_keystore, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(storage_file_mode_0640, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(storage_wal_kept_after_close, setup,
                                        teardown),
        cmocka_unit_test(storage_choose_path_order),
        cmocka_unit_test_setup_teardown(cache_hit_on_second_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(cache_sees_other_connection_change,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(cache_off_with_csucache_n, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(cache_bounded_by_max, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(fork_child_uses_own_connection,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(threads_read_concurrently, setup,
                                        teardown),
    };

    return cmocka_run_group_tests_name("keystore", tests, NULL, NULL);
}
