#!/bin/sh
# Key storage over transport cca: labels stored with ibm4767-keys resolve
# through the emulator library's key record verbs (CSNDKRR, CSNBAKRR),
# which read the same key storage database, and ibm4767-keys itself keeps
# its records through those verbs (keys_tool_cca.sh).
. "$top_srcdir/test/cca/cca_common.sh"

cca_run_scripts \
    keys_store_uri \
    keys_label_pem \
    keys_tool_cca
