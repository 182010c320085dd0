/*
 * EC helpers shared by the EC key management, ECDSA and ECDH code of the
 * provider: the table of supported curves, point encoding through
 * libcrypto's EC_POINT functions, and the conversion between the device's
 * r||s signatures and DER ECDSA-Sig-Value.
 */
#ifndef IBM4767_EC_UTIL_H
#define IBM4767_EC_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/core_dispatch.h>

#include "prov.h"

/* Usage of a key with signing and ECDH both allowed (the default). */
#define IBM4767_EC_USAGE_BOTH (CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_AGREEMENT)

/* 0x04 || x || y on P-521, the largest supported curve. */
#define IBM4767_EC_MAX_POINT_LEN 133u
/* r || s on P-521. */
#define IBM4767_EC_MAX_RAW_SIG_LEN 132u
/* Largest scalar or coordinate (P-521). */
#define IBM4767_EC_MAX_FIELD_LEN 66u

/* One supported curve.  On the three NIST prime curves the group order has
 * as many bits as the field, so field_len is also the length of a scalar
 * and of r and s. */
struct ibm4767_ec_curve {
    int nid;
    const char *name;            /* OpenSSL short name, e.g. "prime256v1" */
    const char *nist_name;       /* e.g. "P-256" */
    const char *sec_name;        /* SEC 2 name, e.g. "secp256r1" */
    uint32_t bits;
    size_t field_len;
    int security_bits;
    const char *default_digest;
};

/* Look up a curve by NID; returns NULL for an unsupported curve. */
const struct ibm4767_ec_curve *ibm4767_ec_curve_by_nid(int nid);

/* Look up a curve by its OpenSSL, NIST or SEC 2 name (case-insensitive);
 * returns NULL for an unsupported name. */
const struct ibm4767_ec_curve *ibm4767_ec_curve_by_name(const char *name);

/* The supported names, for error messages:
 * "P-256 (prime256v1), P-384 (secp384r1), P-521 (secp521r1)". */
const char *ibm4767_ec_supported_curves(void);

/* The curve of an EC key with a token, or NULL (with an error raised
 * naming the operation in what) when key is empty or not an EC key. */
const struct ibm4767_ec_curve *ibm4767_ec_key_curve(
    const struct ibm4767_key *key, const char *what);

/*
 * Decode the point in, which may be uncompressed, compressed or hybrid.
 * Check that it lies on curve and is not the point at infinity, then
 * encode it into out (capacity out_cap) in the compressed or uncompressed
 * form.  Raises an error naming what ("peer public key") and returns 0
 * when the point is invalid.
 */
int ibm4767_ec_point_reencode(struct ibm4767_provctx *provctx,
                              const struct ibm4767_ec_curve *curve,
                              const uint8_t *in, size_t in_len,
                              int compressed, uint8_t *out, size_t out_cap,
                              size_t *out_len, const char *what);

/* Write the public point of key in the form its point-format selects. */
int ibm4767_ec_key_encoded_point(const struct ibm4767_key *key,
                                 uint8_t *out, size_t out_cap,
                                 size_t *out_len);

/* Maximum length of a DER ECDSA-Sig-Value on curve: both integers at full
 * length plus a leading zero byte. */
size_t ibm4767_ec_sig_max_der_len(const struct ibm4767_ec_curve *curve);

/* Convert the device's r || s into DER with minimal integers.  Raises and
 * returns 0 when raw has the wrong length or der_cap is too small. */
int ibm4767_ec_sig_raw_to_der(struct ibm4767_provctx *provctx,
                              const struct ibm4767_ec_curve *curve,
                              const uint8_t *raw, size_t raw_len,
                              uint8_t *der, size_t der_cap, size_t *der_len);

/*
 * Convert a DER ECDSA-Sig-Value into r || s, each padded to the curve's
 * length.  Returns 1 on success and 0, without raising, when der is not
 * the strict DER encoding of two integers that fit the curve: the caller
 * reports that as a signature that does not verify.
 */
int ibm4767_ec_sig_der_to_raw(const struct ibm4767_ec_curve *curve,
                              const uint8_t *der, size_t der_len,
                              uint8_t *raw, size_t raw_cap, size_t *raw_len);

/*
 * Key parameters.  Each parser accepts p == NULL (nothing to do), and
 * raises and returns 0 on an invalid value.
 */
/* IBM4767_PKEY_PARAM_USAGE: "sign", "derive" or "both" into CCA_USAGE_*. */
int ibm4767_ec_parse_usage(struct ibm4767_provctx *provctx,
                           const OSSL_PARAM *p, uint32_t *usage);
/* The name of a token's usage byte: "sign", "derive", "both" or "none". */
const char *ibm4767_ec_usage_name(uint8_t usage);
/* "point-format": "uncompressed" (0) or "compressed" (1). */
int ibm4767_ec_parse_point_format(struct ibm4767_provctx *provctx,
                                  const OSSL_PARAM *p, int *compressed);
/* "encoding": only "named_curve" is supported. */
int ibm4767_ec_check_encoding(struct ibm4767_provctx *provctx,
                              const OSSL_PARAM *p);
/* "group": a supported curve name; p must not be NULL. */
const struct ibm4767_ec_curve *ibm4767_ec_parse_group(
    struct ibm4767_provctx *provctx, const OSSL_PARAM *p);

/* Store token in key and check that it is for curve. */
int ibm4767_ec_key_store_token(struct ibm4767_key *key,
                               const struct ibm4767_ec_curve *curve,
                               const uint8_t *token, size_t token_len);
/* Store an external token for the uncompressed public point q in key. */
int ibm4767_ec_key_set_public(struct ibm4767_key *key,
                              const struct ibm4767_ec_curve *curve,
                              const uint8_t *q, size_t q_len);

/* The EC key management functions in keymgmt_ec_data.c, for the dispatch
 * table in keymgmt_ec.c. */
OSSL_FUNC_keymgmt_import_fn ibm4767_ec_import;
OSSL_FUNC_keymgmt_import_types_fn ibm4767_ec_import_types;
OSSL_FUNC_keymgmt_export_fn ibm4767_ec_export;
OSSL_FUNC_keymgmt_export_types_fn ibm4767_ec_export_types;
OSSL_FUNC_keymgmt_get_params_fn ibm4767_ec_get_params;
OSSL_FUNC_keymgmt_gettable_params_fn ibm4767_ec_gettable_params;
OSSL_FUNC_keymgmt_set_params_fn ibm4767_ec_set_params;
OSSL_FUNC_keymgmt_settable_params_fn ibm4767_ec_settable_params;

#endif
