/*
 * Shared by the two parts of the RSA and RSA-PSS key management
 * (keymgmt_rsa.c and keymgmt_rsa_data.c).
 */
#ifndef IBM4767_KEYMGMT_RSA_H
#define IBM4767_KEYMGMT_RSA_H

#include <openssl/core_dispatch.h>

#include "prov.h"

#define RSA_USAGE_BOTH (CCA_USAGE_SIGNATURE | CCA_USAGE_KEY_MGMT)

/* Parse the usage parameter; raises naming the value when unknown. */
int ibm4767_rsa_parse_usage(struct ibm4767_provctx *ctx, const OSSL_PARAM *p,
                            uint32_t *usage);
/* An RSA-PSS key only signs: raises unless usage leaves out keymgmt
 * (decryption). */
int ibm4767_rsapss_check_usage(struct ibm4767_provctx *ctx, uint32_t usage);

OSSL_FUNC_keymgmt_import_fn ibm4767_rsa_import;
OSSL_FUNC_keymgmt_export_fn ibm4767_rsa_export;
OSSL_FUNC_keymgmt_import_types_fn ibm4767_rsa_import_types;
OSSL_FUNC_keymgmt_export_types_fn ibm4767_rsa_export_types;
OSSL_FUNC_keymgmt_import_types_fn ibm4767_rsapss_import_types;
OSSL_FUNC_keymgmt_export_types_fn ibm4767_rsapss_export_types;

#endif
