/*
 * ibm4767-clu retained: list the keys the device keeps inside (CSNDRKL)
 * and delete one (CSNDRKD).  Deleting here leaves a key record that
 * contains the key's token in key storage; 'ibm4767-keys delete' removes both.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/objects.h>

#include <ibm4767/admin.h>
#include <ibm4767/keystore.h>

#include "clu.h"

/* "sign", "sign,keymgmt", ... for the usage byte of a token. */
static const char *usage_text(uint8_t usage, char *buf, size_t len)
{
    size_t used;

    snprintf(buf, len, "%s%s%s", usage & CCA_USAGE_SIGNATURE ? "sign," : "",
             usage & CCA_USAGE_KEY_MGMT ? "keymgmt," : "",
             usage & CCA_USAGE_KEY_AGREEMENT ? "derive," : "");
    used = strlen(buf);
    if (used > 0)
        buf[used - 1] = '\0';
    return buf;
}

static void print_key(const struct cca_retained_key *k)
{
    struct cca_pka_token tok;
    char size[32], usage[48], created[32];
    time_t t = (time_t)k->created;
    struct tm tm;
    const char *curve;

    if (gmtime_r(&t, &tm) == NULL
        || strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(created, sizeof(created), "%lld", (long long)k->created);
    if (!cca_token_parse(k->token, k->token_len, &tok, NULL, NULL, 0)) {
        printf("%-40s %-5s %-6s %-16s %s\n", k->label, "?", "?",
               "damaged token", created);
        return;
    }
    if (tok.alg == CCA_ALG_EC) {
        curve = EC_curve_nid2nist(tok.curve_nid);
        snprintf(size, sizeof(size), "%s",
                 curve != NULL ? curve : OBJ_nid2sn(tok.curve_nid));
    } else {
        snprintf(size, sizeof(size), "%u", tok.bits);
    }
    printf("%-40s %-5s %-6s %-16s %s\n", k->label,
           tok.alg == CCA_ALG_EC ? "ec" : "rsa", size,
           usage_text(tok.usage, usage, sizeof(usage)), created);
}

static int retained_list(struct cca_backend *be,
                         const struct clu_options *opts, const char *pattern)
{
    struct cca_retained_key *keys = NULL;
    char parsed[CCA_LABEL_TEXT_MAX + 1];
    char detail[256];
    struct cca_status st;
    struct cca_result res;
    size_t count = 0, shown = 0;

    if (!cca_label_pattern_parse(pattern, parsed, detail, sizeof(detail)))
        return clu_usage_error("%s", detail);
    if (!cca_retained_key_list(be, CLU_DEVICE_INDEX, &keys, &count, &res))
        return clu_fail_result("listing the retained keys", &res);

    printf("%s (%s)", CLU_DEVICE_NAME, clu_device_path(be, opts));
    if (cca_facility_query(be, CLU_DEVICE_INDEX, 0, &st, &res))
        printf(", serial %s", st.serial);
    printf(": %zu retained key%s\n", count, count == 1 ? "" : "s");
    for (size_t i = 0; i < count; i++) {
        if (!cca_label_match(parsed, keys[i].label))
            continue;
        if (shown++ == 0)
            printf("%-40s %-5s %-6s %-16s %s\n", "LABEL", "TYPE", "SIZE",
                   "USAGE", "CREATED");
        print_key(&keys[i]);
    }
    cca_retained_key_list_free(keys, count);
    return CLU_EXIT_OK;
}

static int retained_delete(struct cca_backend *be,
                           const struct clu_options *opts, const char *label)
{
    char canonical[CCA_LABEL_TEXT_MAX + 1];
    char detail[256];
    struct cca_result res;

    if (!cca_label_parse(label, canonical, detail, sizeof(detail)))
        return clu_usage_error("%u/%u: %s", CCA_RC_ERROR,
                               CCA_RS_LABEL_INVALID, detail);
    if (!cca_retained_key_delete(be, CLU_DEVICE_INDEX, canonical, &res))
        return clu_fail_result("deleting the retained key", &res);
    printf("%s (%s): retained key %s deleted; a key record that holds its "
           "token now fails with 8/%u, remove it with 'ibm4767-keys delete "
           "%s'\n", CLU_DEVICE_NAME, clu_device_path(be, opts), canonical,
           CCA_RS_RETAINED_KEY_NOT_FOUND, canonical);
    return CLU_EXIT_OK;
}

int clu_retained(const struct clu_options *opts)
{
    const char *action = opts->operand_count > 0 ? opts->operands[0]
                                                 : "list";
    struct cca_backend *be;
    int ret;

    if (strcmp(action, "list") != 0 && strcmp(action, "delete") != 0)
        return clu_usage_error("unknown retained action '%s': use list or "
                               "delete", action);
    if (strcmp(action, "delete") == 0 && opts->operand_count != 2)
        return clu_usage_error("'retained delete' needs the LABEL of a key; "
                               "'retained list' shows them");

    be = clu_open_backend(opts);
    if (be == NULL)
        return CLU_EXIT_FAILED;
    if (strcmp(action, "list") == 0)
        ret = retained_list(be, opts, opts->operand_count > 1
                                          ? opts->operands[1] : "*");
    else
        ret = retained_delete(be, opts, opts->operands[1]);
    cca_backend_free(be);
    return ret;
}
