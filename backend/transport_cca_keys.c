/*
 * Key storage over the CCA host library: labels resolve through CCA's
 * key record verbs, so keys that other CCA applications on the host
 * stored are usable by label.  RSA, EC and null records live in PKA key
 * storage (CSNDKRC, CSNDKRR, CSNDKRW, CSNDKRD), AES records in AES key
 * storage (CSNBAKRC, CSNBAKRR, CSNBAKRW, CSNBAKRD).  A read or delete
 * looks in PKA key storage first, then in AES key storage.  Listing is in
 * transport_cca_keylist.c.
 */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include <ibm4767/symtoken.h>
#include <ibm4767/token.h>

#include "backend_int.h"
#include "ccaverbs.h"

/* Maximum length of an AES token (a variable-length symmetric token). */
#define AES_TOKEN_MAX 725

/* The label in CCA's 64-byte field, after checking it as CCA does. */
static int label_field(const char *label, char name[CCA_LABEL_TEXT_MAX + 1],
                       unsigned char field[CCA_LABEL_LEN],
                       struct cca_result *res)
{
    char detail[sizeof(res->detail)];

    if (label == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "key storage: no label given");
        return 0;
    }
    if (!cca_label_parse(label, name, detail, sizeof(detail))) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_LABEL_INVALID, "%s",
                       detail);
        return 0;
    }
    cca_label_to_field(name, (char *)field);
    return 1;
}

/* The record type of a token read from key storage. */
static uint32_t token_type(const uint8_t *token, size_t len, int aes)
{
    struct cca_pka_token tok;
    uint32_t reason;
    uint8_t section;

    if (len == 0 || token[0] == 0x00)
        return CCA_KEY_TYPE_NULL;
    if (aes)
        return CCA_KEY_TYPE_AES;
    if (cca_token_parse(token, len, &tok, &reason, NULL, 0))
        return tok.alg == CCA_ALG_EC ? CCA_KEY_TYPE_EC : CCA_KEY_TYPE_RSA;
    /* A token this project does not parse, such as another CCA
     * application's RSA token format, still contains a key.  Its first
     * section identifies it as ECC or RSA. */
    section = len > CCA_TOKEN_HEADER_LEN ? token[CCA_TOKEN_HEADER_LEN] : 0;
    return section == CCA_SECTION_EC_PRIVATE
                   || section == CCA_SECTION_EC_PUBLIC
               ? CCA_KEY_TYPE_EC : CCA_KEY_TYPE_RSA;
}

static int is_not_found(const struct cca_result *res)
{
    return res->rc == CCA_RC_ERROR && res->reason == CCA_RS_NO_SUCH_LABEL;
}

/* Add a detail naming the label to a failed result. */
static void name_label(struct cca_result *res, const char *verb,
                       const char *name)
{
    snprintf(res->detail, sizeof(res->detail), "%s of key storage label %s "
             "returned %u/%u", verb, name, res->rc, res->reason);
}

int cca_lib_key_record_create(struct cca_backend *be, const char *label,
                              uint32_t type, const uint8_t *token,
                              size_t token_len, struct cca_result *res)
{
    int aes = type == CCA_KEY_TYPE_AES;
    const char *verb = aes ? "CSNBAKRC" : "CSNDKRC";
    char name[CCA_LABEL_TEXT_MAX + 1];
    unsigned char field[CCA_LABEL_LEN];
    struct cca_device *dev = NULL;
    long rc = 0, reason = 0, exit_len = 0, zero = 0;
    long len = token != NULL ? (long)token_len : 0;
    int ret = 0;
    struct cca_result local;

    if (res == NULL)
        res = &local;
    cca_result_init(res);

    if (!label_field(label, name, field, res))
        goto err;
    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    (aes ? be->cca->CSNBAKRC : be->cca->CSNDKRC)(
        &rc, &reason, &exit_len, NULL, &zero, NULL, field, &len,
        (unsigned char *)token);
    ret = cca_lib_result(be, dev, res, verb, rc, reason);
    if (!ret)
        name_label(res, verb, name);

err:
    cca_lib_end(be, dev);
    return ret;
}

int cca_lib_key_record_write(struct cca_backend *be, unsigned rule,
                             const char *label, uint32_t type,
                             const uint8_t *token, size_t token_len,
                             struct cca_result *res)
{
    int aes = type == CCA_KEY_TYPE_AES;
    const char *verb = aes ? "CSNBAKRW" : "CSNDKRW";
    char name[CCA_LABEL_TEXT_MAX + 1];
    unsigned char field[CCA_LABEL_LEN];
    struct cca_device *dev = NULL;
    struct cca_rule keywords;
    long rc = 0, reason = 0, exit_len = 0, len = (long)token_len;
    int ret = 0;
    struct cca_result local;

    if (res == NULL)
        res = &local;
    cca_result_init(res);

    if (token == NULL || token_len == 0) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "key record write needs a token");
        goto err;
    }
    if (!label_field(label, name, field, res))
        goto err;
    cca_rule_init(&keywords);
    cca_rule_add(&keywords, rule == CCA_KRW_OVERLAY ? "OVERLAY" : "CHECK");

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    (aes ? be->cca->CSNBAKRW : be->cca->CSNDKRW)(
        &rc, &reason, &exit_len, NULL, &keywords.count, keywords.keywords,
        field, &len, (unsigned char *)token);
    ret = cca_lib_result(be, dev, res, verb, rc, reason);
    if (!ret)
        name_label(res, verb, name);

err:
    cca_lib_end(be, dev);
    return ret;
}

/* Read field from PKA (aes 0) or AES key storage into buf. */
static int read_record(struct cca_backend *be, struct cca_device *dev,
                       int aes, unsigned char *field, uint8_t *buf,
                       long *len, struct cca_result *res)
{
    long rc = 0, reason = 0, exit_len = 0, zero = 0;

    *len = aes ? AES_TOKEN_MAX : CCA_TOKEN_MAX;
    (aes ? be->cca->CSNBAKRR : be->cca->CSNDKRR)(
        &rc, &reason, &exit_len, NULL, &zero, NULL, field, len, buf);
    return cca_lib_result(be, dev, res, aes ? "CSNBAKRR" : "CSNDKRR", rc,
                          reason);
}

int cca_lib_key_record_read(struct cca_backend *be, const char *label,
                            struct cca_key_record *rec,
                            struct cca_result *res)
{
    char name[CCA_LABEL_TEXT_MAX + 1];
    unsigned char field[CCA_LABEL_LEN];
    struct cca_device *dev = NULL;
    uint8_t *buf = NULL;
    long len = 0;
    int aes = 0, ret = 0;
    struct cca_result local;

    if (res == NULL)
        res = &local;
    cca_result_init(res);

    if (rec == NULL) {
        cca_result_set(res, CCA_RC_ERROR, CCA_RS_HOST_INVALID_ARGUMENT,
                       "key storage: no record to read into");
        goto err;
    }
    memset(rec, 0, sizeof(*rec));
    if (!label_field(label, name, field, res))
        goto err;
    buf = OPENSSL_malloc(CCA_TOKEN_MAX);
    if (buf == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory reading key record %s", name);
        goto err;
    }

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    if (!read_record(be, dev, 0, field, buf, &len, res)) {
        aes = is_not_found(res);
        if (!aes || !read_record(be, dev, 1, field, buf, &len, res)) {
            name_label(res, aes ? "CSNBAKRR" : "CSNDKRR", name);
            goto err;
        }
    }
    if (len < 0 || len > CCA_TOKEN_MAX) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_BAD_REPLY,
                       "key record %s read back as %ld bytes", name, len);
        goto err;
    }

    rec->token = OPENSSL_memdup(buf, len > 0 ? (size_t)len : 1);
    if (rec->token == NULL) {
        cca_result_set(res, CCA_RC_INTERNAL, CCA_RS_HOST_NO_MEMORY,
                       "out of memory reading key record %s", name);
        goto err;
    }
    rec->token_len = (size_t)len;
    rec->type = token_type(buf, (size_t)len, aes);
    snprintf(rec->label, sizeof(rec->label), "%s", name);
    ret = 1;

err:
    cca_lib_end(be, dev);
    OPENSSL_clear_free(buf, CCA_TOKEN_MAX);
    return ret;
}

int cca_lib_key_record_delete(struct cca_backend *be, unsigned rule,
                              const char *label, struct cca_result *res)
{
    char name[CCA_LABEL_TEXT_MAX + 1];
    unsigned char field[CCA_LABEL_LEN];
    struct cca_device *dev = NULL;
    struct cca_rule keywords;
    long rc = 0, reason = 0, exit_len = 0;
    int ret = 0;
    struct cca_result local;

    if (res == NULL)
        res = &local;
    cca_result_init(res);

    if (!label_field(label, name, field, res))
        goto err;
    cca_rule_init(&keywords);
    cca_rule_add(&keywords,
                 rule == CCA_KRD_LABEL_DL ? "LABEL-DL" : "TOKEN-DL");

    dev = cca_lib_begin(be, -1, res);
    if (dev == NULL)
        goto err;
    be->cca->CSNDKRD(&rc, &reason, &exit_len, NULL, &keywords.count,
                     keywords.keywords, field);
    ret = cca_lib_result(be, dev, res, "CSNDKRD", rc, reason);
    if (!ret && is_not_found(res)) {
        be->cca->CSNBAKRD(&rc, &reason, &exit_len, NULL, &keywords.count,
                          keywords.keywords, field);
        ret = cca_lib_result(be, dev, res, "CSNBAKRD", rc, reason);
    }
    if (!ret)
        name_label(res, "key record delete", name);

err:
    cca_lib_end(be, dev);
    return ret;
}
