/*
 * RSA-PSS parameters in OpenSSL's terms (provider/rsa_pss.c): the
 * restrictions of an RSA-PSS key as key management parameters, the PSS
 * salt length as a signature parameter, and the RSA pad-mode parameter
 * that signatures and asymmetric ciphers share.
 */
#ifndef IBM4767_RSA_PSS_H
#define IBM4767_RSA_PSS_H

#include <openssl/param_build.h>
#include <openssl/params.h>

#include "prov.h"

/* Default salt length of RSASSA-PSS-params (RFC 8017, A.2.3), which a
 * restriction that names no salt length takes. */
#define IBM4767_PSS_DEFAULT_SALT 20

/*
 * Read the restriction parameters (OSSL_PKEY_PARAM_RSA_DIGEST,
 * _MGF1_DIGEST, _MASKGENFUNC and _PSS_SALTLEN) into pss.  As in OpenSSL
 * 3.0's default provider, the first one given makes an unrestricted pss
 * restricted to SHA-1, MGF1 with SHA-1 and a 20-byte salt, and each
 * parameter then replaces its own part.  Raises naming the rejected
 * value: a digest the coprocessor does not have, a mask generation
 * function other than MGF1, a negative salt length.
 */
int ibm4767_rsa_pss_read_params(const struct ibm4767_provctx *ctx,
                                const OSSL_PARAM params[],
                                struct cca_rsa_pss *pss);

/* Push the restrictions of pss onto bld (nothing for an unrestricted
 * key); returns 0 when memory runs out. */
int ibm4767_rsa_pss_push_params(const struct cca_rsa_pss *pss,
                                OSSL_PARAM_BLD *bld);

/* Set the restriction parameters params requests.  For a restricted key
 * OSSL_PKEY_PARAM_MANDATORY_DIGEST and OSSL_PKEY_PARAM_DEFAULT_DIGEST
 * are its digest; call it after the RSA parameters, which set another
 * default digest.  Returns 0 when a parameter has the wrong type. */
int ibm4767_rsa_pss_fill_params(const struct cca_rsa_pss *pss,
                                OSSL_PARAM params[]);

/* Check that a bits-bit modulus leaves room for the minimum salt length
 * of pss with its digest (RFC 8017, 9.1.1); raises naming both when not.
 * An unrestricted pss always fits. */
int ibm4767_rsa_pss_check_fit(const struct ibm4767_provctx *ctx,
                              const struct cca_rsa_pss *pss, uint32_t bits);

/* Return the PSS restrictions of key, or NULL when there are none: no
 * key, an RSA key, or an RSA-PSS key without restrictions. */
const struct cca_rsa_pss *ibm4767_rsa_pss_restrictions(
    const struct ibm4767_key *key);
/* Raise unless key allows digest nid as its message digest (mgf1 0) or
 * as its MGF1 digest (mgf1 1). */
int ibm4767_rsa_pss_check_digest(const struct ibm4767_provctx *ctx,
                                 const struct ibm4767_key *key, int nid,
                                 int mgf1);
/* Raise unless a salt of salt bytes meets key's minimum salt length. */
int ibm4767_rsa_pss_check_salt(const struct ibm4767_provctx *ctx,
                               const struct ibm4767_key *key, int salt);

/* Read the saltlen signature parameter: a byte count, or "digest", "max",
 * "auto" (OpenSSL 3.0's keywords) and their negative integer codes. */
int ibm4767_rsa_pss_read_saltlen(const struct ibm4767_provctx *ctx,
                                 const OSSL_PARAM *p, int *salt_len);
/* Write salt_len (bytes or RSA_PSS_SALTLEN_*) into p, as an integer or a
 * string as p requests. */
int ibm4767_rsa_pss_write_saltlen(int salt_len, OSSL_PARAM *p);

/* Read an RSA pad-mode parameter, given as an integer (RSA_*_PADDING) or
 * as one of the names in names (terminated by a NULL ptr).  Sets *name to
 * the string when p is one, else to NULL.  Returns 0 without raising when
 * p has another type or an unlisted name, so the caller raises with its
 * own list of modes; the caller also checks an integer's range. */
int ibm4767_rsa_read_pad_mode(const OSSL_PARAM *p, const OSSL_ITEM *names,
                              int *pad_mode, const char **name);

#endif
