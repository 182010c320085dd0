#!/bin/sh
# The EC suite over transport cca.  Every script runs: ECDH uses keys
# generated in the device, as CCA's CSNDEDH requires.
. "$top_srcdir/test/cca/cca_common.sh"

cca_run_scripts \
    ec_genpkey_pubout \
    ec_genpkey_req_x509 \
    ec_sign_many \
    ec_genpkey_derive \
    ec_genpkey_tls \
    ec_bad_input
