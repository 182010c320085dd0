/*
 * Key record verbs of libcsulcca-emu.so over the project's key storage
 * (the SQLite database IBM4767_KEY_STORAGE names), so that keys stored
 * with ibm4767-keys resolve by label through the cca transport too.
 *
 * The PKA verbs (CSNDKRC, CSNDKRR, CSNDKRW, CSNDKRD) see RSA, EC and null
 * records.  The AES verbs (CSNBAKRC, CSNBAKRR, CSNBAKRW, CSNBAKRD) see AES
 * and null records.  A record of the other kind reads as missing (8/30),
 * as with CCA's separate PKA and AES key storage.  The list verbs are in
 * emu_keylist.c.
 */
#include <config.h>

#include <string.h>

#include <ibm4767/symtoken.h>
#include <ibm4767/token.h>

#include "emu.h"

static const struct emu_keyword write_keywords[] = {
    { "CHECK", 0, 0, 0 },
    { "OVERLAY", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};

static const struct emu_keyword delete_keywords[] = {
    { "TOKEN-DL", 0, 0, 0 },
    { "LABEL-DL", 0, 0, 0 },
    { NULL, 0, 0, 0 },
};

/* The record type of a token given to a create or write verb. */
static int token_type(int aes, const unsigned char *token, long len,
                      uint32_t *type, struct emu_status_code *sc)
{
    struct cca_pka_token pka;
    struct cca_sym_token sym;
    uint32_t token_reason = 0;

    if (aes) {
        if (!emu_sym_token(token, len, &sym, sc))
            return 0;
        *type = CCA_KEY_TYPE_AES;
        return 1;
    }
    if (token == NULL || len <= 0 || len > (long)CCA_TOKEN_MAX) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_LENGTH_INVALID);
        return 0;
    }
    if (!cca_token_parse(token, (size_t)len, &pka, &token_reason, NULL, 0)) {
        emu_set(sc, CCA_RC_ERROR, (long)token_reason);
        return 0;
    }
    *type = pka.alg == CCA_ALG_EC ? CCA_KEY_TYPE_EC : CCA_KEY_TYPE_RSA;
    return 1;
}

/* Check the rule array (no keywords, or at most one of keywords when it
 * is not NULL; *found is its index, or -1) and take the label from its
 * field. */
static int parse_call(const long *rule_count, const unsigned char *rule,
                      const struct emu_keyword *keywords, int *found,
                      const unsigned char *field,
                      char label[CCA_LABEL_LEN + 1],
                      struct emu_status_code *sc)
{
    const struct emu_group groups[] = { { keywords, 0 } };
    int ngroups = keywords != NULL ? 1 : 0;

    *found = -1;
    return emu_parse_rules(rule_count, rule, 0, ngroups, groups, ngroups,
                           found, sc)
           && emu_label_text(field, label, sc);
}

/* Read the record of label; a record of the other kind gives 8/30. */
static int read_record(int aes, const char *label,
                       struct cca_key_record *rec,
                       struct emu_status_code *sc)
{
    struct cca_result res;

    if (!cca_key_record_read(emu_keystore(), label, rec, &res)) {
        emu_from_result(sc, &res);
        return 0;
    }
    if (rec->type != CCA_KEY_TYPE_NULL
        && (rec->type == CCA_KEY_TYPE_AES) != aes) {
        emu_set(sc, CCA_RC_ERROR, CCA_RS_NO_SUCH_LABEL);
        return 0;
    }
    return 1;
}

static void record_create(int aes, long *rule_count, unsigned char *rule,
                          unsigned char *field, long *token_len,
                          unsigned char *token, struct emu_status_code *sc)
{
    char label[CCA_LABEL_LEN + 1];
    struct cca_result res;
    uint32_t type = CCA_KEY_TYPE_NULL;
    long len = token_len != NULL ? *token_len : 0;
    int found;

    if (!parse_call(rule_count, rule, NULL, &found, field, label, sc))
        return;
    if (len != 0 && !token_type(aes, token, len, &type, sc))
        return;
    cca_key_record_create(emu_keystore(), label, type,
                          len != 0 ? token : NULL, (size_t)len, &res);
    emu_from_result(sc, &res);
}

static void record_read(int aes, long *rule_count, unsigned char *rule,
                        unsigned char *field, long *token_len,
                        unsigned char *token, struct emu_status_code *sc)
{
    char label[CCA_LABEL_LEN + 1];
    struct cca_key_record rec;
    int found;

    memset(&rec, 0, sizeof(rec));
    if (parse_call(rule_count, rule, NULL, &found, field, label, sc)
        && read_record(aes, label, &rec, sc))
        emu_output(rec.token, rec.token_len, token, token_len, sc);
    cca_key_record_clear(&rec);
}

static void record_write(int aes, long *rule_count, unsigned char *rule,
                         unsigned char *field, long *token_len,
                         unsigned char *token, struct emu_status_code *sc)
{
    char label[CCA_LABEL_LEN + 1];
    struct cca_key_record rec;
    struct cca_result res;
    uint32_t type = 0;
    int found;

    memset(&rec, 0, sizeof(rec));
    if (!parse_call(rule_count, rule, write_keywords, &found, field, label,
                    sc)
        || !token_type(aes, token, token_len != NULL ? *token_len : 0, &type,
                       sc)
        || !read_record(aes, label, &rec, sc))
        goto err;
    cca_key_record_write(emu_keystore(),
                         found == 1 ? CCA_KRW_OVERLAY : CCA_KRW_CHECK, label,
                         type, token, (size_t)*token_len, &res);
    emu_from_result(sc, &res);

err:
    cca_key_record_clear(&rec);
}

static void record_delete(int aes, long *rule_count, unsigned char *rule,
                          unsigned char *field, struct emu_status_code *sc)
{
    char label[CCA_LABEL_LEN + 1];
    struct cca_key_record rec;
    struct cca_result res;
    int found;

    memset(&rec, 0, sizeof(rec));
    if (parse_call(rule_count, rule, delete_keywords, &found, field, label,
                   sc)
        && read_record(aes, label, &rec, sc)) {
        cca_key_record_delete(emu_keystore(),
                              found == 1 ? CCA_KRD_LABEL_DL
                                         : CCA_KRD_TOKEN_DL,
                              label, &res);
        emu_from_result(sc, &res);
    }
    cca_key_record_clear(&rec);
}

/* The create, read and write verbs share one parameter list. */
enum record_op { RECORD_CREATE, RECORD_READ, RECORD_WRITE };

static void record_verb(enum record_op op, int aes, long *rc, long *reason,
                        long *rule_count, unsigned char *rule,
                        unsigned char *label, long *token_len,
                        unsigned char *token)
{
    struct emu_status_code sc = { 0, 0 };

    if (emu_init(&sc)) {
        switch (op) {
        case RECORD_CREATE:
            record_create(aes, rule_count, rule, label, token_len, token,
                          &sc);
            break;
        case RECORD_READ:
            record_read(aes, rule_count, rule, label, token_len, token, &sc);
            break;
        case RECORD_WRITE:
            record_write(aes, rule_count, rule, label, token_len, token,
                         &sc);
            break;
        }
    }
    emu_finish(&sc, rc, reason);
}

static void delete_verb(int aes, long *rc, long *reason, long *rule_count,
                        unsigned char *rule, unsigned char *label)
{
    struct emu_status_code sc = { 0, 0 };

    if (emu_init(&sc))
        record_delete(aes, rule_count, rule, label, &sc);
    emu_finish(&sc, rc, reason);
}

void CSNDKRC(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label,
             long *token_len, unsigned char *token)
{
    record_verb(RECORD_CREATE, 0, rc, reason, rule_count, rule, label,
                token_len, token);
}

void CSNDKRR(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label,
             long *token_len, unsigned char *token)
{
    record_verb(RECORD_READ, 0, rc, reason, rule_count, rule, label,
                token_len, token);
}

void CSNDKRW(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label,
             long *token_len, unsigned char *token)
{
    record_verb(RECORD_WRITE, 0, rc, reason, rule_count, rule, label,
                token_len, token);
}

void CSNDKRD(long *rc, long *reason, long *exit_len, unsigned char *exit_data,
             long *rule_count, unsigned char *rule, unsigned char *label)
{
    delete_verb(0, rc, reason, rule_count, rule, label);
}

void CSNBAKRC(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label, long *token_len,
              unsigned char *token)
{
    record_verb(RECORD_CREATE, 1, rc, reason, rule_count, rule, label,
                token_len, token);
}

void CSNBAKRR(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label, long *token_len,
              unsigned char *token)
{
    record_verb(RECORD_READ, 1, rc, reason, rule_count, rule, label,
                token_len, token);
}

void CSNBAKRW(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label, long *token_len,
              unsigned char *token)
{
    record_verb(RECORD_WRITE, 1, rc, reason, rule_count, rule, label,
                token_len, token);
}

void CSNBAKRD(long *rc, long *reason, long *exit_len,
              unsigned char *exit_data, long *rule_count,
              unsigned char *rule, unsigned char *label)
{
    delete_verb(1, rc, reason, rule_count, rule, label);
}
