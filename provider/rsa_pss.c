/*
 * RSA-PSS parameters between OpenSSL's parameter names and the key
 * token's RSA-PSS section.  The key restrictions follow OpenSSL 3.0's
 * default provider, so keys move between the two without changing
 * meaning: a restriction that names only some parts takes the
 * RSASSA-PSS-params defaults (RFC 8017, A.2.3) for the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include "rsa_pss.h"

/* Digest sizes in bytes of the digests section 0x60 can name. */
static int digest_size(int nid)
{
    switch (nid) {
    case NID_sha1:
        return 20;
    case NID_sha224:
        return 28;
    case NID_sha256:
        return 32;
    case NID_sha384:
        return 48;
    case NID_sha512:
        return 64;
    default:
        return -1;
    }
}

/* Look up the NID of a digest parameter; raises naming the digest when
 * the key token cannot record it. */
static int read_digest_nid(const struct ibm4767_provctx *ctx,
                           const OSSL_PARAM *p, const char *props,
                           const char *what, int *nid)
{
    const char *name = NULL;
    EVP_MD *md;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)) {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                      "RSA-PSS %s must be a digest name string", what);
        return 0;
    }
    md = ibm4767_digest_fetch(ctx, name, props);
    if (md == NULL)
        return 0;
    *nid = EVP_MD_get_type(md);
    EVP_MD_free(md);
    if (cca_pss_hash_id(*nid) == CCA_PSS_HASH_NONE) {
        IBM4767_RAISE(ctx, IBM4767_R_UNSUPPORTED,
                      "RSA-PSS %s %s is not supported: the coprocessor "
                      "restricts RSA-PSS keys to SHA1, SHA224, SHA256, "
                      "SHA384 or SHA512", what, name);
        return 0;
    }
    return 1;
}

static int read_mask_gen(const struct ibm4767_provctx *ctx,
                         const OSSL_PARAM *p)
{
    const char *name = NULL;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)) {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                      "RSA-PSS mask generation function must be a string");
        return 0;
    }
    if (strcasecmp(name, SN_mgf1) != 0) {
        IBM4767_RAISE(ctx, IBM4767_R_UNSUPPORTED,
                      "RSA-PSS mask generation function %s is not "
                      "supported; RSASSA-PSS defines MGF1 only", name);
        return 0;
    }
    return 1;
}

static int read_min_salt(const struct ibm4767_provctx *ctx,
                         const OSSL_PARAM *p, uint32_t *min_salt)
{
    int value;

    if (!OSSL_PARAM_get_int(p, &value) || value < 0 || value > UINT16_MAX) {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                      "RSA-PSS minimum salt length must be an integer from "
                      "0 to %u bytes", UINT16_MAX);
        return 0;
    }
    *min_salt = (uint32_t)value;
    return 1;
}

int ibm4767_rsa_pss_read_params(const struct ibm4767_provctx *ctx,
                                const OSSL_PARAM params[],
                                struct cca_rsa_pss *pss)
{
    const OSSL_PARAM *md, *mgf, *mgf1_md, *salt, *props;
    const char *prop_value = NULL;

    md = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_DIGEST);
    mgf = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_MASKGENFUNC);
    mgf1_md = OSSL_PARAM_locate_const(params,
                                      OSSL_PKEY_PARAM_RSA_MGF1_DIGEST);
    salt = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN);
    props = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_DIGEST_PROPS);
    if (md == NULL && mgf == NULL && mgf1_md == NULL && salt == NULL)
        return 1;
    if (props != NULL && !OSSL_PARAM_get_utf8_string_ptr(props, &prop_value)) {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                      "RSA-PSS digest properties must be a string");
        return 0;
    }

    if (!pss->restricted) {
        pss->restricted = 1;
        pss->hash_nid = NID_sha1;
        pss->mgf1_nid = NID_sha1;
        pss->min_salt_len = IBM4767_PSS_DEFAULT_SALT;
    }
    if (md != NULL
        && !read_digest_nid(ctx, md, prop_value, "digest", &pss->hash_nid))
        return 0;
    if (mgf != NULL && !read_mask_gen(ctx, mgf))
        return 0;
    if (mgf1_md != NULL
        && !read_digest_nid(ctx, mgf1_md, prop_value, "MGF1 digest",
                            &pss->mgf1_nid))
        return 0;
    if (salt != NULL && !read_min_salt(ctx, salt, &pss->min_salt_len))
        return 0;
    return 1;
}

/*
 * Every part is written, defaults included, so that a receiver never
 * takes the key for an unrestricted one.  OpenSSL 3.0 writes defaults
 * only for the salt length, and reads both forms the same.
 */
int ibm4767_rsa_pss_push_params(const struct cca_rsa_pss *pss,
                                OSSL_PARAM_BLD *bld)
{
    if (!pss->restricted)
        return 1;
    return OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_RSA_DIGEST,
                                           OBJ_nid2sn(pss->hash_nid), 0)
           && OSSL_PARAM_BLD_push_utf8_string(bld,
                                              OSSL_PKEY_PARAM_RSA_MASKGENFUNC,
                                              SN_mgf1, 0)
           && OSSL_PARAM_BLD_push_utf8_string(
                  bld, OSSL_PKEY_PARAM_RSA_MGF1_DIGEST,
                  OBJ_nid2sn(pss->mgf1_nid), 0)
           && OSSL_PARAM_BLD_push_int(bld, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN,
                                      (int)pss->min_salt_len);
}

static int set_string(OSSL_PARAM params[], const char *key,
                      const char *value)
{
    OSSL_PARAM *p = OSSL_PARAM_locate(params, key);

    return p == NULL || OSSL_PARAM_set_utf8_string(p, value);
}

int ibm4767_rsa_pss_fill_params(const struct cca_rsa_pss *pss,
                                OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    if (!pss->restricted)
        return 1;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN);
    if (p != NULL && !OSSL_PARAM_set_int(p, (int)pss->min_salt_len))
        return 0;
    /* A restricted key signs with one digest only: OpenSSL then uses it
     * for certificates and requests instead of its own default. */
    return set_string(params, OSSL_PKEY_PARAM_MANDATORY_DIGEST,
                      OBJ_nid2sn(pss->hash_nid))
           && set_string(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST,
                         OBJ_nid2sn(pss->hash_nid))
           && set_string(params, OSSL_PKEY_PARAM_RSA_DIGEST,
                         OBJ_nid2sn(pss->hash_nid))
           && set_string(params, OSSL_PKEY_PARAM_RSA_MASKGENFUNC, SN_mgf1)
           && set_string(params, OSSL_PKEY_PARAM_RSA_MGF1_DIGEST,
                         OBJ_nid2sn(pss->mgf1_nid));
}

int ibm4767_rsa_pss_check_fit(const struct ibm4767_provctx *ctx,
                              const struct cca_rsa_pss *pss, uint32_t bits)
{
    long em_len = ((long)bits - 1 + 7) / 8;
    long max_salt = em_len - digest_size(pss->hash_nid) - 2;

    if (!pss->restricted || (long)pss->min_salt_len <= max_salt)
        return 1;
    IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                  "RSA-PSS minimum salt length of %u bytes does not fit a "
                  "%u-bit key with %s (at most %ld bytes); choose a shorter "
                  "salt or a larger key", pss->min_salt_len, bits,
                  OBJ_nid2sn(pss->hash_nid), max_salt < 0 ? 0 : max_salt);
    return 0;
}

const struct cca_rsa_pss *ibm4767_rsa_pss_restrictions(
    const struct ibm4767_key *key)
{
    if (key == NULL || !key->is_pss || !key->tok.pss.restricted)
        return NULL;
    return &key->tok.pss;
}

int ibm4767_rsa_pss_check_digest(const struct ibm4767_provctx *ctx,
                                 const struct ibm4767_key *key, int nid,
                                 int mgf1)
{
    const struct cca_rsa_pss *pss = ibm4767_rsa_pss_restrictions(key);
    int allowed;

    if (pss == NULL)
        return 1;
    allowed = mgf1 ? pss->mgf1_nid : pss->hash_nid;
    if (nid == allowed)
        return 1;
    IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                  "the RSA-PSS key allows only %s as %s digest, not %s; "
                  "leave the digest unset or use %s", OBJ_nid2sn(allowed),
                  mgf1 ? "MGF1" : "message", OBJ_nid2sn(nid),
                  OBJ_nid2sn(allowed));
    return 0;
}

int ibm4767_rsa_pss_check_salt(const struct ibm4767_provctx *ctx,
                               const struct ibm4767_key *key, int salt)
{
    const struct cca_rsa_pss *pss = ibm4767_rsa_pss_restrictions(key);

    if (pss == NULL || salt >= (int)pss->min_salt_len)
        return 1;
    IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                  "PSS salt length %d is shorter than the %u bytes the "
                  "RSA-PSS key requires", salt, pss->min_salt_len);
    return 0;
}

int ibm4767_rsa_pss_read_saltlen(const struct ibm4767_provctx *ctx,
                                 const OSSL_PARAM *p, int *salt_len)
{
    const char *s = NULL;
    char *end = NULL;
    long v;

    if (p->data_type == OSSL_PARAM_INTEGER) {
        if (!OSSL_PARAM_get_int(p, salt_len))
            goto bad;
    } else if (OSSL_PARAM_get_utf8_string_ptr(p, &s)) {
        if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST) == 0) {
            *salt_len = RSA_PSS_SALTLEN_DIGEST;
        } else if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_MAX) == 0) {
            *salt_len = RSA_PSS_SALTLEN_MAX;
        } else if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO) == 0) {
            *salt_len = RSA_PSS_SALTLEN_AUTO;
        } else {
            v = strtol(s, &end, 10);
            if (end == s || *end != '\0' || v < 0 || v > 1024)
                goto bad;
            *salt_len = (int)v;
        }
    } else {
        goto bad;
    }
    if (*salt_len < RSA_PSS_SALTLEN_MAX)
        goto bad;
    return 1;

bad:
    IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                  "PSS salt length \"%s\" is invalid; use digest, max, auto "
                  "or a number of bytes", s != NULL ? s : "(integer)");
    return 0;
}

int ibm4767_rsa_pss_write_saltlen(int salt_len, OSSL_PARAM *p)
{
    if (p->data_type == OSSL_PARAM_INTEGER)
        return OSSL_PARAM_set_int(p, salt_len);
    switch (salt_len) {
    case RSA_PSS_SALTLEN_DIGEST:
        return OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST);
    case RSA_PSS_SALTLEN_MAX:
        return OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_RSA_PSS_SALT_LEN_MAX);
    case RSA_PSS_SALTLEN_AUTO:
        return OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO);
    default: {
        char num[16];

        snprintf(num, sizeof(num), "%d", salt_len);
        return OSSL_PARAM_set_utf8_string(p, num);
    }
    }
}

int ibm4767_rsa_read_pad_mode(const OSSL_PARAM *p, const OSSL_ITEM *names,
                              int *pad_mode, const char **name)
{
    size_t i;

    *name = NULL;
    if (p->data_type == OSSL_PARAM_INTEGER)
        return OSSL_PARAM_get_int(p, pad_mode);
    if (!OSSL_PARAM_get_utf8_string_ptr(p, name))
        return 0;
    for (i = 0; names[i].ptr != NULL; i++) {
        if (strcmp(*name, names[i].ptr) == 0) {
            *pad_mode = (int)names[i].id;
            return 1;
        }
    }
    return 0;
}
