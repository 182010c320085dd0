#!/bin/sh
# The RSA suite over transport cca.  rsa_sign_pkcs1_pss.sh,
# rsa_decrypt_pkcs1_oaep.sh and rsa_tls_s_server.sh expect CCA's
# differences themselves when IBM4767_TRANSPORT is cca: no PSS with its
# own MGF1 digest, no OAEP label, no raw decryption with an internal key,
# no TLS premaster mode (so no RSA key exchange).
. "$top_srcdir/test/cca/cca_common.sh"

cca_run_scripts \
    rsa_genpkey_pubout \
    rsa_req_x509_verify \
    rsa_sign_pkcs1_pss \
    rsa_decrypt_pkcs1_oaep \
    rsa_tls_s_server \
    rsa_bad_input \
    rsa_private_not_exportable
