#!/bin/sh
# The AES and random number suite over transport cca.  aes_enc_cli.sh
# expects that CTR is not offered (CSNBSAE has no CTR).  The programs of
# aes_stream.sh, aes_bad_input.sh and aes_secure_key.sh run CTR ciphers:
# over transport cca they check that CTR fails as doc/cca-verbs.md
# documents and run the mode AES_CCA_MODE names in its place, here each of CBC, ECB
# and GCM in turn.
. "$top_srcdir/test/cca/cca_common.sh"

cca_run_scripts \
    aes_enc_cli \
    aes_gcm_evp \
    aes_wycheproof \
    aes_rand \
    aes_tls_no_symmetric
result=$?

for mode in cbc ecb gcm; do
    AES_CCA_MODE=$mode
    export AES_CCA_MODE
    cca_run_scripts aes_stream aes_bad_input aes_secure_key
    result=$(cca_worse "$result" $?)
done
exit "$result"
