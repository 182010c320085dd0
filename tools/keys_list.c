/*
 * ibm4767-keys list and show: the contents of key storage, read from the
 * tokens on the host without the device.
 */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <ibm4767/symtoken.h>

#include "keys.h"

/* Key properties read from a token, for printing. */
struct key_summary {
    char size[32];           /* "2048", "P-256", "-" */
    char usage[48];
    char form[64];           /* internal/external, for show */
    char mkvp[2 * CCA_MKVP_LEN + 1];
    int pka_valid;           /* tok below is filled in */
    struct cca_pka_token tok;
};

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02X", p[i]);
    out[2 * n] = '\0';
}

static void summarize_pka(const struct cca_key_record *rec,
                          struct key_summary *s)
{
    uint32_t reason;
    const char *curve;

    if (!cca_token_parse(rec->token, rec->token_len, &s->tok, &reason, NULL,
                         0)) {
        snprintf(s->form, sizeof(s->form), "damaged token (8/%u)", reason);
        return;
    }
    s->pka_valid = 1;
    if (s->tok.alg == CCA_ALG_EC) {
        curve = EC_curve_nid2nist(s->tok.curve_nid);
        snprintf(s->size, sizeof(s->size), "%s",
                 curve != NULL ? curve : OBJ_nid2sn(s->tok.curve_nid));
    } else {
        snprintf(s->size, sizeof(s->size), "%u", s->tok.bits);
    }
    if (s->tok.is_retained) {
        /* No master key wraps a retained key. */
        keys_usage_name(s->tok.usage, s->usage, sizeof(s->usage));
        snprintf(s->form, sizeof(s->form), "retained (private key kept "
                 "inside the coprocessor)");
    } else if (s->tok.has_private) {
        keys_usage_name(s->tok.usage, s->usage, sizeof(s->usage));
        hex(s->tok.mkvp, CCA_MKVP_LEN, s->mkvp);
        snprintf(s->form, sizeof(s->form), "internal (private key wrapped "
                 "by the coprocessor)");
    } else {
        snprintf(s->usage, sizeof(s->usage), "verify,encrypt");
        snprintf(s->form, sizeof(s->form), "external (public key only)");
    }
}

static void summarize_aes(const struct cca_key_record *rec,
                          struct key_summary *s)
{
    struct cca_sym_token tok;
    uint32_t reason;

    if (!cca_sym_token_parse(rec->token, rec->token_len, &tok, &reason, NULL,
                             0)) {
        snprintf(s->form, sizeof(s->form), "damaged token (8/%u)", reason);
        return;
    }
    snprintf(s->size, sizeof(s->size), "%u", tok.key_bits);
    snprintf(s->usage, sizeof(s->usage), "%s%s%s",
             tok.usage & CCA_SYMTOKEN_KUF1_ENCRYPT ? "encrypt" : "",
             (tok.usage & CCA_SYMTOKEN_KUF1_ENCRYPT) &&
                     (tok.usage & CCA_SYMTOKEN_KUF1_DECRYPT) ? "," : "",
             tok.usage & CCA_SYMTOKEN_KUF1_DECRYPT ? "decrypt" : "");
    hex(tok.mkvp, CCA_MKVP_LEN, s->mkvp);
    snprintf(s->form, sizeof(s->form), "internal (wrapped by the "
             "coprocessor)");
}

static void summarize(const struct cca_key_record *rec,
                      struct key_summary *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->size, sizeof(s->size), "-");
    snprintf(s->usage, sizeof(s->usage), "-");
    snprintf(s->mkvp, sizeof(s->mkvp), "-");
    snprintf(s->form, sizeof(s->form), "null record (no key)");
    if (rec->type == CCA_KEY_TYPE_RSA || rec->type == CCA_KEY_TYPE_EC)
        summarize_pka(rec, s);
    else if (rec->type == CCA_KEY_TYPE_AES)
        summarize_aes(rec, s);
}

static const char *format_time(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "%lld", (long long)t);
    return buf;
}

static void list_help(void)
{
    printf("Usage: " KEYS_PROGRAM " list [PATTERN]\n"
           "\n"
           "List the key records whose labels match PATTERN (default *),\n"
           "one per line: label, type, size (bits or curve), usage, and the\n"
           "times the record was created and last changed (UTC).  A\n"
           "retained key's line ends with the device that keeps it.\n"
           "In a pattern, '*' may be the first, last or only character of a\n"
           "part: WEB.* lists every label below WEB, *.RSA the two-part\n"
           "labels ending in RSA, WEB* the one-part labels starting with\n"
           "WEB, and * alone every label.\n");
}

int keys_list(struct keys_options *opts, int argc, char **argv)
{
    static const struct option long_options[] = {
        KEYS_COMMON_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct cca_keystore *ks;
    struct cca_key_record *recs = NULL;
    struct cca_backend *be = NULL;
    struct cca_result res;
    struct key_summary s;
    const char *pattern = "*";
    char created[32], changed[32], location[320];
    size_t count = 0;
    int c, ret;

    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        ret = keys_common_option(opts, "list", c, argv, list_help);
        if (ret >= 0)
            return ret;
    }
    if (optind < argc)
        pattern = argv[optind++];
    if (optind < argc)
        return keys_usage_error("list", "unexpected argument '%s'",
                                argv[optind]);

    ks = keys_open_storage(opts, "list", 0);
    if (ks == NULL)
        return KEYS_EXIT_FAILED;
    if (!cca_key_record_list(ks, pattern, &recs, &count, &res)) {
        ret = res.reason == CCA_RS_LABEL_INVALID
                  ? keys_usage_error("list", "%s", res.detail)
                  : keys_fail_result("list", "listing key storage", &res);
        cca_keystore_free(ks);
        return ret;
    }

    printf("%-40s %-5s %-6s %-16s %-20s %s\n", "LABEL", "TYPE", "SIZE",
           "USAGE", "CREATED", "CHANGED");
    for (size_t i = 0; i < count; i++) {
        summarize(&recs[i], &s);
        printf("%-40s %-5s %-6s %-16s %-20s %s", recs[i].label,
               cca_key_type_name(recs[i].type), s.size, s.usage,
               format_time(recs[i].created, created, sizeof(created)),
               format_time(recs[i].changed, changed, sizeof(changed)));
        if (s.pka_valid && s.tok.is_retained)
            printf("  %s", keys_retained_location(opts, &be, &recs[i],
                                                  &s.tok, location,
                                                  sizeof(location)));
        putchar('\n');
    }
    cca_backend_free(be);
    cca_key_record_list_free(recs, count);
    cca_keystore_free(ks);
    return KEYS_EXIT_OK;
}

/* Build the public key of a PKA token as a libcrypto key. */
static EVP_PKEY *public_key(const struct cca_pka_token *tok)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    BIGNUM *n = NULL, *e = NULL;
    int ok = bld != NULL;

    if (ok && tok->alg == CCA_ALG_RSA) {
        n = BN_bin2bn(tok->n, (int)tok->n_len, NULL);
        e = BN_bin2bn(tok->e, (int)tok->e_len, NULL);
        ok = n != NULL && e != NULL &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
             OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    } else if (ok) {
        ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                             OBJ_nid2sn(tok->curve_nid), 0) &&
             OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                              tok->q, tok->q_len);
    }
    if (ok)
        params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, tok->alg == CCA_ALG_RSA ? "RSA"
                                                                   : "EC",
                                     NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;

    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pkey;
}

static void show_help(void)
{
    printf("Usage: " KEYS_PROGRAM " show LABEL\n"
           "\n"
           "Print the contents of key record LABEL: key type and size,\n"
           "usage, the master key verification pattern (MKVP) of the master\n"
           "key that wraps it, the record's times, and the public key as\n"
           "PEM.  For a retained key, the device that keeps its private\n"
           "key (asked for its status to match the serial number).\n");
}

/* location: where a retained key is, or NULL. */
static void print_record(const struct cca_key_record *rec,
                         const char *location)
{
    struct key_summary s;
    char created[32], changed[32];
    EVP_PKEY *pkey;

    summarize(rec, &s);
    printf("label:    %s\n"
           "type:     %s\n"
           "token:    %s, %zu bytes\n"
           "size:     %s\n"
           "usage:    %s\n"
           "mkvp:     %s\n"
           "created:  %s\n"
           "changed:  %s\n",
           rec->label, cca_key_type_name(rec->type), s.form, rec->token_len,
           s.size, s.usage, s.mkvp,
           format_time(rec->created, created, sizeof(created)),
           format_time(rec->changed, changed, sizeof(changed)));
    if (location != NULL)
        printf("location: %s\n", location);
    if (!s.pka_valid)
        return;
    pkey = public_key(&s.tok);
    if (pkey == NULL || !PEM_write_PUBKEY(stdout, pkey))
        printf("public key: cannot be encoded\n");
    EVP_PKEY_free(pkey);
}

/* CCA's key record read verbs return no times; its list verbs do.  A
 * record read without them takes them from a list of its own label. */
static void read_times(struct cca_keystore *ks, struct cca_key_record *rec)
{
    struct cca_key_record *listed = NULL;
    struct cca_result res;
    size_t count = 0;

    if (rec->created != 0 || rec->changed != 0
        || !cca_key_record_list(ks, rec->label, &listed, &count, &res))
        return;
    if (count == 1) {
        rec->created = listed[0].created;
        rec->changed = listed[0].changed;
    }
    cca_key_record_list_free(listed, count);
}

int keys_show(struct keys_options *opts, int argc, char **argv)
{
    static const struct option long_options[] = {
        KEYS_COMMON_LONG_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    char label[CCA_LABEL_TEXT_MAX + 1];
    struct cca_keystore *ks;
    struct cca_key_record rec;
    struct cca_backend *be = NULL;
    struct cca_pka_token tok;
    struct cca_result res;
    char location[320];
    int c, ret;

    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        ret = keys_common_option(opts, "show", c, argv, show_help);
        if (ret >= 0)
            return ret;
    }
    ret = keys_label_operand("show", argc, argv, label);
    if (ret >= 0)
        return ret;

    ks = keys_open_storage(opts, "show", 0);
    if (ks == NULL)
        return KEYS_EXIT_FAILED;
    if (cca_key_record_read(ks, label, &rec, &res)) {
        int retained = cca_token_parse(rec.token, rec.token_len, &tok, NULL,
                                       NULL, 0) && tok.is_retained;

        read_times(ks, &rec);

        print_record(&rec, retained ? keys_retained_location(
                                          opts, &be, &rec, &tok, location,
                                          sizeof(location))
                                    : NULL);
        cca_backend_free(be);
        cca_key_record_clear(&rec);
        ret = KEYS_EXIT_OK;
    } else {
        ret = keys_fail_result("show", "reading the key record", &res);
    }
    cca_keystore_free(ks);
    return ret;
}
