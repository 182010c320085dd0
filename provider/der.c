/*
 * DER encodings the provider hands to OpenSSL: signature
 * AlgorithmIdentifiers (for certificates, requests and TLS) and the
 * SubjectPublicKeyInfo of a key token's public part.
 */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "prov.h"

/* Copy the DER of alg into out; raises when it does not fit. */
static int algor_to_der(const struct ibm4767_provctx *ctx,
                        const X509_ALGOR *alg, uint8_t *out, size_t cap,
                        size_t *out_len)
{
    unsigned char *der = NULL;
    int len;

    len = i2d_X509_ALGOR(alg, &der);
    if (len <= 0) {
        IBM4767_RAISE(ctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot DER-encode an AlgorithmIdentifier");
        return 0;
    }
    if ((size_t)len > cap) {
        IBM4767_RAISE(ctx, IBM4767_R_BUFFER_TOO_SMALL,
                      "AlgorithmIdentifier of %d bytes does not fit in %zu",
                      len, cap);
        OPENSSL_free(der);
        return 0;
    }
    memcpy(out, der, (size_t)len);
    *out_len = (size_t)len;
    OPENSSL_free(der);
    return 1;
}

int ibm4767_der_signature_algorithm_id(const struct ibm4767_provctx *ctx,
                                       int md_nid, int pkey_nid,
                                       uint8_t *out, size_t cap,
                                       size_t *out_len)
{
    X509_ALGOR *alg = NULL;
    int sig_nid = NID_undef;
    int param_type;
    int ret = 0;

    if (!OBJ_find_sigid_by_algs(&sig_nid, md_nid, pkey_nid)) {
        IBM4767_RAISE(ctx, IBM4767_R_UNSUPPORTED,
                      "no signature algorithm for digest %s with key type %s",
                      OBJ_nid2sn(md_nid), OBJ_nid2sn(pkey_nid));
        goto err;
    }
    /* RFC 4055 gives sha*WithRSAEncryption NULL parameters; RFC 5758
     * gives ecdsa-with-SHA* none. */
    param_type = pkey_nid == NID_rsaEncryption ? V_ASN1_NULL : V_ASN1_UNDEF;

    alg = X509_ALGOR_new();
    if (alg == NULL
        || !X509_ALGOR_set0(alg, OBJ_nid2obj(sig_nid), param_type, NULL)) {
        IBM4767_RAISE(ctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot build the AlgorithmIdentifier of %s",
                      OBJ_nid2sn(sig_nid));
        goto err;
    }
    ret = algor_to_der(ctx, alg, out, cap, out_len);

err:
    X509_ALGOR_free(alg);
    return ret;
}

/* AlgorithmIdentifier of a digest inside RSASSA-PSS-params, with NULL
 * parameters as OpenSSL 3.0's default provider writes them. */
static X509_ALGOR *digest_algor(int md_nid)
{
    X509_ALGOR *alg = X509_ALGOR_new();

    if (alg != NULL
        && !X509_ALGOR_set0(alg, OBJ_nid2obj(md_nid), V_ASN1_NULL, NULL)) {
        X509_ALGOR_free(alg);
        alg = NULL;
    }
    return alg;
}

/* maskGenAlgorithm: id-mgf1 with the digest's AlgorithmIdentifier. */
static X509_ALGOR *mgf1_algor(int mgf1_nid)
{
    X509_ALGOR *hash = digest_algor(mgf1_nid);
    X509_ALGOR *mgf = NULL;
    ASN1_STRING *hash_der = NULL;

    if (hash == NULL)
        goto err;
    hash_der = ASN1_item_pack(hash, ASN1_ITEM_rptr(X509_ALGOR), NULL);
    mgf = X509_ALGOR_new();
    if (hash_der == NULL || mgf == NULL
        || !X509_ALGOR_set0(mgf, OBJ_nid2obj(NID_mgf1), V_ASN1_SEQUENCE,
                            hash_der)) {
        X509_ALGOR_free(mgf);
        mgf = NULL;
        goto err;
    }
    hash_der = NULL; /* owned by mgf now */

err:
    ASN1_STRING_free(hash_der);
    X509_ALGOR_free(hash);
    return mgf;
}

static RSA_PSS_PARAMS *pss_params_new(int md_nid, int mgf1_nid,
                                      int salt_len)
{
    RSA_PSS_PARAMS *pss = RSA_PSS_PARAMS_new();

    if (pss == NULL)
        return NULL;
    if (md_nid != NID_sha1
        && (pss->hashAlgorithm = digest_algor(md_nid)) == NULL)
        goto err;
    if (mgf1_nid != NID_sha1
        && (pss->maskGenAlgorithm = mgf1_algor(mgf1_nid)) == NULL)
        goto err;
    if (salt_len != 20) {
        pss->saltLength = ASN1_INTEGER_new();
        if (pss->saltLength == NULL
            || !ASN1_INTEGER_set(pss->saltLength, salt_len))
            goto err;
    }
    return pss;

err:
    RSA_PSS_PARAMS_free(pss);
    return NULL;
}

int ibm4767_der_rsa_pss_algorithm_id(const struct ibm4767_provctx *ctx,
                                     int md_nid, int mgf1_nid, int salt_len,
                                     uint8_t *out, size_t cap,
                                     size_t *out_len)
{
    RSA_PSS_PARAMS *pss = NULL;
    ASN1_STRING *pss_der = NULL;
    X509_ALGOR *alg = NULL;
    int ret = 0;

    if (salt_len < 0) {
        IBM4767_RAISE(ctx, IBM4767_R_INVALID_PARAMETER,
                      "PSS salt length %d is not resolved to a byte count",
                      salt_len);
        goto err;
    }
    pss = pss_params_new(md_nid, mgf1_nid, salt_len);
    if (pss != NULL)
        pss_der = ASN1_item_pack(pss, ASN1_ITEM_rptr(RSA_PSS_PARAMS), NULL);
    alg = X509_ALGOR_new();
    if (pss_der == NULL || alg == NULL
        || !X509_ALGOR_set0(alg, OBJ_nid2obj(NID_rsassaPss), V_ASN1_SEQUENCE,
                            pss_der)) {
        IBM4767_RAISE(ctx, IBM4767_R_MALLOC_FAILURE,
                      "cannot build the RSASSA-PSS AlgorithmIdentifier");
        goto err;
    }
    pss_der = NULL; /* owned by alg now */
    ret = algor_to_der(ctx, alg, out, cap, out_len);

err:
    X509_ALGOR_free(alg);
    ASN1_STRING_free(pss_der);
    RSA_PSS_PARAMS_free(pss);
    return ret;
}

/* Write a DER length; returns the bytes written (at most 3 here, since a
 * PKA token is shorter than 64 KiB). */
static size_t der_put_length(uint8_t *out, size_t len)
{
    if (len < 0x80) {
        out[0] = (uint8_t)len;
        return 1;
    }
    if (len < 0x100) {
        out[0] = 0x81;
        out[1] = (uint8_t)len;
        return 2;
    }
    out[0] = 0x82;
    out[1] = (uint8_t)(len >> 8);
    out[2] = (uint8_t)len;
    return 3;
}

static size_t der_length_size(size_t len)
{
    if (len < 0x80)
        return 1;
    if (len < 0x100)
        return 2;
    return 3;
}

/* Skip leading zero bytes of an unsigned big-endian integer (keeping one
 * byte for zero itself). */
static void strip_zeros(const uint8_t **p, size_t *len)
{
    while (*len > 1 && (*p)[0] == 0) {
        (*p)++;
        (*len)--;
    }
}

/* Size of the content of an INTEGER holding the unsigned value p: a
 * leading zero byte keeps a value with its top bit set positive. */
static size_t der_int_content_size(const uint8_t *p, size_t len)
{
    return len + ((p[0] & 0x80) != 0 ? 1 : 0);
}

static size_t der_put_int(uint8_t *out, const uint8_t *p, size_t len)
{
    size_t content = der_int_content_size(p, len);
    size_t off = 0;

    out[off++] = 0x02;
    off += der_put_length(out + off, content);
    if (content > len)
        out[off++] = 0x00;
    memcpy(out + off, p, len);
    return off + len;
}

/* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
 * (RFC 8017, A.1.1).  Built here because OpenSSL 3.0 offers it only
 * through the deprecated RSA type. */
static int rsa_public_key_der(const struct cca_pka_token *tok, uint8_t **der,
                              size_t *der_len)
{
    const uint8_t *n = tok->n, *e = tok->e;
    size_t n_len = tok->n_len, e_len = tok->e_len;
    size_t n_content, e_content, body, total, off = 0;
    uint8_t *out;

    if (n == NULL || e == NULL || n_len == 0 || e_len == 0)
        return 0;
    strip_zeros(&n, &n_len);
    strip_zeros(&e, &e_len);
    n_content = der_int_content_size(n, n_len);
    e_content = der_int_content_size(e, e_len);
    body = 1 + der_length_size(n_content) + n_content
           + 1 + der_length_size(e_content) + e_content;
    total = 1 + der_length_size(body) + body;

    out = OPENSSL_malloc(total);
    if (out == NULL)
        return 0;
    out[off++] = 0x30;
    off += der_put_length(out + off, body);
    off += der_put_int(out + off, n, n_len);
    off += der_put_int(out + off, e, e_len);
    *der = out;
    *der_len = off;
    return 1;
}

/*
 * The algorithm parameters of an RSA-PSS key's SubjectPublicKeyInfo
 * (RFC 4055, section 3.1): absent for a key without restrictions, else
 * RSASSA-PSS-params with the digest, MGF1 digest and minimum salt length.
 */
static int rsa_pss_key_params(const struct cca_pka_token *tok,
                              int *param_type, ASN1_STRING **params)
{
    const struct cca_rsa_pss *pss = &tok->pss;
    RSA_PSS_PARAMS *pss_params;

    *param_type = V_ASN1_UNDEF;
    *params = NULL;
    if (!pss->restricted)
        return 1;
    pss_params = pss_params_new(pss->hash_nid, pss->mgf1_nid,
                                (int)pss->min_salt_len);
    if (pss_params != NULL)
        *params = ASN1_item_pack(pss_params, ASN1_ITEM_rptr(RSA_PSS_PARAMS),
                                 NULL);
    RSA_PSS_PARAMS_free(pss_params);
    *param_type = V_ASN1_SEQUENCE;
    return *params != NULL;
}

static int spki_set_rsa(X509_PUBKEY *pub, const struct cca_pka_token *tok)
{
    uint8_t *key_der = NULL;
    size_t key_len = 0;
    ASN1_STRING *params = NULL;
    int param_type = V_ASN1_NULL;
    int key_nid = NID_rsaEncryption;
    int ret = 0;

    if (tok->is_pss) {
        key_nid = NID_rsassaPss;
        if (!rsa_pss_key_params(tok, &param_type, &params))
            goto err;
    }
    if (!rsa_public_key_der(tok, &key_der, &key_len))
        goto err;
    if (!X509_PUBKEY_set0_param(pub, OBJ_nid2obj(key_nid), param_type,
                                params, key_der, (int)key_len))
        goto err;
    params = NULL; /* both owned by pub now */
    key_der = NULL;
    ret = 1;

err:
    ASN1_STRING_free(params);
    OPENSSL_free(key_der);
    return ret;
}

static int spki_set_ec(X509_PUBKEY *pub, const struct cca_pka_token *tok)
{
    ASN1_OBJECT *curve = OBJ_nid2obj(tok->curve_nid);
    uint8_t *point;

    if (curve == NULL || tok->q == NULL || tok->q_len == 0)
        return 0;
    point = OPENSSL_memdup(tok->q, tok->q_len);
    if (point == NULL)
        return 0;
    if (!X509_PUBKEY_set0_param(pub, OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
                                V_ASN1_OBJECT, curve, point,
                                (int)tok->q_len)) {
        OPENSSL_free(point);
        return 0;
    }
    return 1;
}

int ibm4767_der_spki(const struct ibm4767_key *key, uint8_t **der,
                     size_t *der_len)
{
    X509_PUBKEY *pub = NULL;
    unsigned char *out = NULL;
    int len, ok = 0, ret = 0;

    if (key == NULL || key->token == NULL) {
        IBM4767_RAISE(key != NULL ? key->provctx : NULL, IBM4767_R_NO_KEY,
                      "no key to encode as SubjectPublicKeyInfo");
        goto err;
    }
    pub = X509_PUBKEY_new();
    if (pub != NULL)
        ok = key->alg == CCA_ALG_RSA ? spki_set_rsa(pub, &key->tok)
                                     : spki_set_ec(pub, &key->tok);
    if (!ok || (len = i2d_X509_PUBKEY(pub, &out)) <= 0) {
        IBM4767_RAISE(key->provctx, IBM4767_R_INVALID_KEY,
                      "cannot encode the public part of the %u-bit key as "
                      "SubjectPublicKeyInfo", key->tok.bits);
        goto err;
    }
    *der = out;
    *der_len = (size_t)len;
    ret = 1;

err:
    X509_PUBKEY_free(pub);
    return ret;
}
