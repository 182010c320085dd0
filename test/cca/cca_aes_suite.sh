#!/bin/sh
# The AES and random number suite over transport cca.  aes_enc_cli.sh
# expects that CTR is not offered (CSNBSAE has no CTR).  Left out because
# their programs test AES-CTR throughout: aes_stream.sh, aes_bad_input.sh
# and aes_secure_key.sh; test/cca/cca_verbs covers ECB, CBC and GCM
# chaining of the emulator library instead.
. "$top_srcdir/test/cca/cca_common.sh"

cca_run_scripts \
    aes_enc_cli \
    aes_gcm_evp \
    aes_wycheproof \
    aes_rand \
    aes_tls_no_symmetric
