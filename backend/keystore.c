/*
 * Key storage verbs: key record create, write, read, delete and list, as
 * CCA's CSNDKRC, CSNDKRW, CSNDKRR, CSNDKRD and CSNDKRL define them.  Each
 * change is one SQLite transaction, so a process killed in the middle of a
 * verb leaves the record as it was before the verb.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include <ibm4767/log.h>
#include <ibm4767/token.h>

#include "ccaverbs.h"
#include "keystore_int.h"

/* Longest AES token CCA stores (a variable-length symmetric token). */
#define KEYSTORE_AES_TOKEN_MAX 725u

static const uint8_t null_token[CCA_NULL_TOKEN_LEN];

void cca_key_record_clear(struct cca_key_record *rec)
{
    if (rec == NULL)
        return;
    OPENSSL_clear_free(rec->token, rec->token_len);
    memset(rec, 0, sizeof(*rec));
}

void cca_key_record_list_free(struct cca_key_record *recs, size_t count)
{
    if (recs == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        cca_key_record_clear(&recs[i]);
    OPENSSL_free(recs);
}

void cca_keystore_use_backend(struct cca_keystore *ks,
                              struct cca_backend *be)
{
    if (ks == NULL)
        return;
    ks->backend = cca_backend_transport(be) == CCA_TRANSPORT_CCA ? be : NULL;
}

static int keystore_args_valid(struct cca_keystore *ks, const char *label,
                               struct cca_result *res)
{
    if (ks == NULL || label == NULL) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                        "key storage: no %s given",
                        ks == NULL ? "key storage handle" : "label");
        return 0;
    }
    return 1;
}

static int keystore_label(const char *text, char out[CCA_LABEL_TEXT_MAX + 1],
                          struct cca_result *res)
{
    char detail[sizeof(res->detail)];

    if (!cca_label_parse(text, out, detail, sizeof(detail))) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_LABEL_INVALID, "%s",
                        detail);
        return 0;
    }
    return 1;
}

/*
 * Check that a token fits its key type: PKA tokens start with the internal
 * or external PKA identifier and carry their own length at offset 2.  The
 * device checks everything else when the token is used.
 */
static int keystore_token_check(const char *label, uint32_t type,
                                const uint8_t *token, size_t len,
                                struct cca_result *res)
{
    if (token == NULL || len == 0) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                        "key record %s: no token given; delete the token "
                        "with TOKEN-DL to make a null record", label);
        return 0;
    }
    if (type == CCA_KEY_TYPE_AES) {
        if (len > KEYSTORE_AES_TOKEN_MAX) {
            keystore_result(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                            "key record %s: AES token of %zu bytes is "
                            "longer than %u", label, len,
                            KEYSTORE_AES_TOKEN_MAX);
            return 0;
        }
        return 1;
    }
    if (type != CCA_KEY_TYPE_RSA && type != CCA_KEY_TYPE_EC) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                        "key record %s: key type %u is not rsa, ec or aes",
                        label, type);
        return 0;
    }
    if (len > CCA_TOKEN_MAX) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID,
                        "key record %s: PKA token of %zu bytes is longer "
                        "than %u", label, len, CCA_TOKEN_MAX);
        return 0;
    }
    if (len < CCA_TOKEN_HEADER_LEN ||
        (token[0] != CCA_TOKEN_INTERNAL_PKA &&
         token[0] != CCA_TOKEN_EXTERNAL_PKA) ||
        ((size_t)token[2] << 8 | token[3]) != len) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_PKA_TOKEN_INVALID,
                        "key record %s: the %zu bytes given are not a "
                        "complete PKA key token (identifier 0x%02X)", label,
                        len, token[0]);
        return 0;
    }
    return 1;
}

static int keystore_lock(struct cca_keystore *ks, struct cca_result *res)
{
    pthread_mutex_lock(&ks->lock);
    if (!keystore_db_ensure(ks, res)) {
        pthread_mutex_unlock(&ks->lock);
        return 0;
    }
    return 1;
}

/* Start a write transaction and bring the cache up to date with changes
 * other processes made before it. */
static int keystore_begin_write(struct cca_keystore *ks,
                                struct cca_result *res)
{
    if (sqlite3_exec(ks->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
        SQLITE_OK) {
        keystore_sqlite_failure(ks, res, "starting a write transaction");
        return 0;
    }
    if (!keystore_cache_validate(ks, res)) {
        sqlite3_exec(ks->db, "ROLLBACK", NULL, NULL, NULL);
        return 0;
    }
    return 1;
}

/* Commit, and record that the cache now reflects this process's change. */
static int keystore_commit(struct cca_keystore *ks, struct cca_result *res)
{
    int64_t generation;

    if (!keystore_db_generation(ks, &generation, res))
        return 0;
    if (sqlite3_exec(ks->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        keystore_sqlite_failure(ks, res, "committing");
        return 0;
    }
    ks->cache_generation = generation;
    return 1;
}

static void keystore_rollback(struct cca_keystore *ks)
{
    if (ks->db != NULL && !sqlite3_get_autocommit(ks->db))
        sqlite3_exec(ks->db, "ROLLBACK", NULL, NULL, NULL);
}

static void record_set(struct cca_key_record *rec, const char *label,
                       uint32_t type, const uint8_t *token, size_t len,
                       int64_t created, int64_t changed)
{
    memset(rec, 0, sizeof(*rec));
    snprintf(rec->label, sizeof(rec->label), "%s", label);
    rec->type = type;
    rec->token = (uint8_t *)token;
    rec->token_len = len;
    rec->created = created;
    rec->changed = changed;
}

/* Read a record's columns (key_type, token, created, changed from column
 * first) into rec with a copy of the token.  Returns 1, or 0 when memory
 * runs out. */
static int record_from_row(struct cca_key_record *rec, const char *label,
                           sqlite3_stmt *stmt, int first)
{
    const void *blob = sqlite3_column_blob(stmt, first + 1);
    size_t len = (size_t)sqlite3_column_bytes(stmt, first + 1);
    uint8_t *token = OPENSSL_malloc(len > 0 ? len : 1);

    if (token == NULL)
        return 0;
    if (len > 0)
        memcpy(token, blob, len);
    record_set(rec, label, (uint32_t)sqlite3_column_int(stmt, first), token,
               len, sqlite3_column_int64(stmt, first + 2),
               sqlite3_column_int64(stmt, first + 3));
    return 1;
}

static void no_memory(struct cca_result *res, const char *label)
{
    keystore_result(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                    "key record %s: out of memory", label);
}

int cca_key_record_create(struct cca_keystore *ks, const char *label,
                          uint32_t type, const uint8_t *token,
                          size_t token_len, struct cca_result *res)
{
    int ret = 0;
    int locked = 0;
    int rc;
    char name[CCA_LABEL_TEXT_MAX + 1];
    char field[CCA_LABEL_LEN];
    int64_t now = (int64_t)time(NULL);
    sqlite3_stmt *stmt = NULL;
    struct cca_key_record rec;

    if (ks != NULL && ks->backend != NULL)
        return cca_lib_key_record_create(ks->backend, label, type, token,
                                         token_len, res);
    if (!keystore_args_valid(ks, label, res) ||
        !keystore_label(label, name, res))
        goto err;
    if (token == NULL) {
        type = CCA_KEY_TYPE_NULL;
        token = null_token;
        token_len = sizeof(null_token);
    } else if (!keystore_token_check(name, type, token, token_len, res)) {
        goto err;
    }

    if (!keystore_lock(ks, res))
        goto err;
    locked = 1;
    if (!keystore_begin_write(ks, res))
        goto err;
    if (sqlite3_prepare_v2(ks->db, "INSERT INTO key_record (label, "
                           "key_type, token, created, changed) VALUES "
                           "(?1, ?2, ?3, ?4, ?4)", -1, &stmt,
                           NULL) != SQLITE_OK) {
        keystore_sqlite_failure(ks, res, "preparing the insert");
        goto err;
    }
    cca_label_to_field(name, field);
    sqlite3_bind_text(stmt, 1, field, CCA_LABEL_LEN, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, (int)type);
    sqlite3_bind_blob(stmt, 3, token, (int)token_len, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, now);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_LABEL_EXISTS,
                        "key record %s already exists in %s; delete it "
                        "first or choose another label", name, ks->path);
        goto err;
    }
    if (rc != SQLITE_DONE) {
        keystore_sqlite_failure(ks, res, "inserting the record");
        goto err;
    }
    if (!keystore_commit(ks, res))
        goto err;

    record_set(&rec, name, type, token, token_len, now, now);
    keystore_cache_put(ks, &rec);
    IBM4767_INFO("key storage %s: created record %s (%s)", ks->path, name,
                 cca_key_type_name(type));
    keystore_result(res, CCA_RC_OK, CCA_RS_OK, NULL);
    ret = 1;

err:
    sqlite3_finalize(stmt);
    if (locked) {
        keystore_rollback(ks);
        pthread_mutex_unlock(&ks->lock);
    }
    return ret;
}

/* Bind field to the prepared select and step to its row.  Returns 1 with
 * the row current, or 0 with res filled (8/30 when the label does not
 * exist).  The caller resets the statement in both cases. */
static int keystore_step_select(struct cca_keystore *ks, const char *name,
                                const char *field, struct cca_result *res)
{
    sqlite3_stmt *stmt = ks->stmt_select;
    int rc;

    sqlite3_bind_text(stmt, 1, field, CCA_LABEL_LEN, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_NO_SUCH_LABEL,
                        "key record %s not found in %s", name, ks->path);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        keystore_sqlite_failure(ks, res, "reading the record");
        return 0;
    }
    return 1;
}

/* Read key_type and created of a record inside the write transaction.
 * Returns 1, or 0 with res filled (8/30 when the label does not exist). */
static int keystore_current(struct cca_keystore *ks, const char *name,
                            const char *field, uint32_t *type,
                            int64_t *created, struct cca_result *res)
{
    int ret = 0;
    sqlite3_stmt *stmt = ks->stmt_select;

    if (!keystore_step_select(ks, name, field, res))
        goto err;
    *type = (uint32_t)sqlite3_column_int(stmt, 0);
    *created = sqlite3_column_int64(stmt, 2);
    ret = 1;

err:
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return ret;
}

/* Replace the type and token of an existing record. */
static int keystore_update(struct cca_keystore *ks, const char *field,
                           uint32_t type, const uint8_t *token, size_t len,
                           int64_t now, struct cca_result *res)
{
    int ret = 0;
    sqlite3_stmt *stmt = NULL;

    if (sqlite3_prepare_v2(ks->db, "UPDATE key_record SET key_type = ?2, "
                           "token = ?3, changed = ?4 WHERE label = ?1", -1,
                           &stmt, NULL) != SQLITE_OK) {
        keystore_sqlite_failure(ks, res, "preparing the update");
        goto err;
    }
    sqlite3_bind_text(stmt, 1, field, CCA_LABEL_LEN, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, (int)type);
    sqlite3_bind_blob(stmt, 3, token, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, now);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        keystore_sqlite_failure(ks, res, "updating the record");
        goto err;
    }
    ret = 1;

err:
    sqlite3_finalize(stmt);
    return ret;
}

int cca_key_record_write(struct cca_keystore *ks, unsigned rule,
                         const char *label, uint32_t type,
                         const uint8_t *token, size_t token_len,
                         struct cca_result *res)
{
    int ret = 0;
    int locked = 0;
    char name[CCA_LABEL_TEXT_MAX + 1];
    char field[CCA_LABEL_LEN];
    uint32_t old_type;
    int64_t created;
    int64_t now = (int64_t)time(NULL);
    struct cca_key_record rec;

    if (ks != NULL && ks->backend != NULL)
        return cca_lib_key_record_write(ks->backend, rule, label, type,
                                        token, token_len, res);
    if (!keystore_args_valid(ks, label, res) ||
        !keystore_label(label, name, res))
        goto err;
    if (rule != CCA_KRW_CHECK && rule != CCA_KRW_OVERLAY) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                        "key record %s: write rule %u is neither CHECK nor "
                        "OVERLAY", name, rule);
        goto err;
    }
    if (!keystore_token_check(name, type, token, token_len, res))
        goto err;

    if (!keystore_lock(ks, res))
        goto err;
    locked = 1;
    if (!keystore_begin_write(ks, res))
        goto err;
    cca_label_to_field(name, field);
    if (!keystore_current(ks, name, field, &old_type, &created, res))
        goto err;
    if (rule == CCA_KRW_CHECK && old_type != CCA_KEY_TYPE_NULL) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_LABEL_EXISTS,
                        "key record %s already contains a %s key; the CHECK "
                        "rule writes only over a null record, so delete "
                        "the token first or write with OVERLAY", name,
                        cca_key_type_name(old_type));
        goto err;
    }
    if (!keystore_update(ks, field, type, token, token_len, now, res) ||
        !keystore_commit(ks, res))
        goto err;

    record_set(&rec, name, type, token, token_len, created, now);
    keystore_cache_put(ks, &rec);
    IBM4767_INFO("key storage %s: wrote a %s token to record %s (%s)",
                 ks->path, cca_key_type_name(type), name,
                 rule == CCA_KRW_OVERLAY ? "OVERLAY" : "CHECK");
    keystore_result(res, CCA_RC_OK, CCA_RS_OK, NULL);
    ret = 1;

err:
    if (locked) {
        keystore_rollback(ks);
        pthread_mutex_unlock(&ks->lock);
    }
    return ret;
}

/* Look a record up in the database with the prepared select. */
static int keystore_select(struct cca_keystore *ks, const char *name,
                           struct cca_key_record *rec,
                           struct cca_result *res)
{
    int ret = 0;
    char field[CCA_LABEL_LEN];
    sqlite3_stmt *stmt = ks->stmt_select;

    cca_label_to_field(name, field);
    if (!keystore_step_select(ks, name, field, res))
        goto err;
    if (!record_from_row(rec, name, stmt, 0)) {
        no_memory(res, name);
        goto err;
    }
    ret = 1;

err:
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return ret;
}

int cca_key_record_read(struct cca_keystore *ks, const char *label,
                        struct cca_key_record *rec, struct cca_result *res)
{
    int ret = 0;
    int locked = 0;
    int hit;
    char name[CCA_LABEL_TEXT_MAX + 1];

    if (rec == NULL) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                        "key storage: no record to read into");
        goto err;
    }
    memset(rec, 0, sizeof(*rec));
    if (ks != NULL && ks->backend != NULL)
        return cca_lib_key_record_read(ks->backend, label, rec, res);
    if (!keystore_args_valid(ks, label, res) ||
        !keystore_label(label, name, res))
        goto err;

    if (!keystore_lock(ks, res))
        goto err;
    locked = 1;
    if (!keystore_cache_validate(ks, res))
        goto err;

    hit = keystore_cache_get(ks, name, rec);
    if (hit < 0) {
        no_memory(res, name);
        goto err;
    }
    if (hit) {
        ks->hits++;
        IBM4767_DEBUG("key storage %s: record %s read from the host cache",
                      ks->path, name);
    } else {
        ks->misses++;
        if (!keystore_select(ks, name, rec, res))
            goto err;
        keystore_cache_put(ks, rec);
        IBM4767_DEBUG("key storage %s: record %s read from the database%s",
                      ks->path, name,
                      ks->cache_enabled ? "" : " (host cache off)");
    }
    keystore_result(res, CCA_RC_OK, CCA_RS_OK, NULL);
    ret = 1;

err:
    if (locked)
        pthread_mutex_unlock(&ks->lock);
    return ret;
}

static int keystore_remove(struct cca_keystore *ks, unsigned rule,
                           const char *name, int64_t now,
                           struct cca_result *res)
{
    int ret = 0;
    char field[CCA_LABEL_LEN];
    sqlite3_stmt *stmt = NULL;
    const char *sql = rule == CCA_KRD_LABEL_DL
        ? "DELETE FROM key_record WHERE label = ?1"
        : "UPDATE key_record SET key_type = 0, token = ?2, changed = ?3 "
          "WHERE label = ?1";

    if (sqlite3_prepare_v2(ks->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        keystore_sqlite_failure(ks, res, "preparing the delete");
        goto err;
    }
    cca_label_to_field(name, field);
    sqlite3_bind_text(stmt, 1, field, CCA_LABEL_LEN, SQLITE_STATIC);
    if (rule == CCA_KRD_TOKEN_DL) {
        sqlite3_bind_blob(stmt, 2, null_token, sizeof(null_token),
                          SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, now);
    }
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        keystore_sqlite_failure(ks, res, "deleting the record");
        goto err;
    }
    if (sqlite3_changes(ks->db) == 0) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_NO_SUCH_LABEL,
                        "key record %s not found in %s", name, ks->path);
        goto err;
    }
    ret = 1;

err:
    sqlite3_finalize(stmt);
    return ret;
}

int cca_key_record_delete(struct cca_keystore *ks, unsigned rule,
                          const char *label, struct cca_result *res)
{
    int ret = 0;
    int locked = 0;
    char name[CCA_LABEL_TEXT_MAX + 1];
    int64_t now = (int64_t)time(NULL);

    if (ks != NULL && ks->backend != NULL)
        return cca_lib_key_record_delete(ks->backend, rule, label, res);
    if (!keystore_args_valid(ks, label, res) ||
        !keystore_label(label, name, res))
        goto err;
    if (rule != CCA_KRD_TOKEN_DL && rule != CCA_KRD_LABEL_DL) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_KEYWORD_INVALID,
                        "key record %s: delete rule %u is neither TOKEN-DL "
                        "nor LABEL-DL", name, rule);
        goto err;
    }

    if (!keystore_lock(ks, res))
        goto err;
    locked = 1;
    if (!keystore_begin_write(ks, res) ||
        !keystore_remove(ks, rule, name, now, res) ||
        !keystore_commit(ks, res))
        goto err;

    /* TOKEN-DL keeps the record; the next read fetches it again. */
    keystore_cache_remove(ks, name);
    IBM4767_INFO("key storage %s: deleted %s %s", ks->path,
                 rule == CCA_KRD_LABEL_DL ? "record" : "the token of record",
                 name);
    keystore_result(res, CCA_RC_OK, CCA_RS_OK, NULL);
    ret = 1;

err:
    if (locked) {
        keystore_rollback(ks);
        pthread_mutex_unlock(&ks->lock);
    }
    return ret;
}

/* Append the current row to *recs when its label matches pattern. */
static int list_add_row(sqlite3_stmt *stmt, const char *pattern,
                        struct cca_key_record **recs, size_t *count,
                        size_t *cap)
{
    char name[CCA_LABEL_LEN + 1];
    size_t len = (size_t)sqlite3_column_bytes(stmt, 0);
    const unsigned char *text = sqlite3_column_text(stmt, 0);

    if (text == NULL || len > CCA_LABEL_LEN)
        return 1;
    memcpy(name, text, len);
    while (len > 0 && name[len - 1] == ' ')
        len--;
    name[len] = '\0';
    if (len > CCA_LABEL_TEXT_MAX || !cca_label_match(pattern, name))
        return 1;

    if (*count == *cap) {
        size_t new_cap = *cap == 0 ? 16 : *cap * 2;
        struct cca_key_record *grown =
            OPENSSL_realloc(*recs, new_cap * sizeof(**recs));

        if (grown == NULL)
            return 0;
        *recs = grown;
        *cap = new_cap;
    }
    if (!record_from_row(&(*recs)[*count], name, stmt, 1))
        return 0;
    (*count)++;
    return 1;
}

int cca_key_record_list(struct cca_keystore *ks, const char *pattern,
                        struct cca_key_record **recs, size_t *count,
                        struct cca_result *res)
{
    int ret = 0;
    int locked = 0;
    int rc;
    size_t cap = 0;
    char pat[CCA_LABEL_TEXT_MAX + 1];
    char detail[sizeof(res->detail)];
    sqlite3_stmt *stmt = NULL;

    *recs = NULL;
    *count = 0;
    if (ks != NULL && ks->backend != NULL)
        return cca_lib_key_record_list(ks->backend, pattern, recs, count,
                                       res);
    if (!keystore_args_valid(ks, pattern, res))
        goto err;
    if (!cca_label_pattern_parse(pattern, pat, detail, sizeof(detail))) {
        keystore_result(res, CCA_RC_ERROR, CCA_RS_LABEL_INVALID, "%s",
                        detail);
        goto err;
    }

    if (!keystore_lock(ks, res))
        goto err;
    locked = 1;
    if (sqlite3_prepare_v2(ks->db, "SELECT label, key_type, token, created, "
                           "changed FROM key_record ORDER BY label", -1,
                           &stmt, NULL) != SQLITE_OK) {
        keystore_sqlite_failure(ks, res, "preparing the list");
        goto err;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!list_add_row(stmt, pat, recs, count, &cap)) {
            no_memory(res, pat);
            goto err;
        }
    }
    if (rc != SQLITE_DONE) {
        keystore_sqlite_failure(ks, res, "listing the records");
        goto err;
    }
    keystore_result(res, CCA_RC_OK, CCA_RS_OK, NULL);
    ret = 1;

err:
    sqlite3_finalize(stmt);
    if (locked)
        pthread_mutex_unlock(&ks->lock);
    if (!ret) {
        cca_key_record_list_free(*recs, *count);
        *recs = NULL;
        *count = 0;
    }
    return ret;
}
