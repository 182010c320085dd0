#!/bin/sh
# AES-GCM through EVP on the ibm4767 provider against an emulator: same
# ciphertext and tag as the default provider for several key sizes, tag
# lengths, IV lengths and AAD sizes, and a changed tag, AAD, ciphertext or
# IV fails (test/aes/aes_gcm_evp.c).
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/aes_common.sh"

aes_require_built "$top_builddir/provider/.libs/ibm4767.so" "$CLU"
emu_start crp01
requests=$(aes_counter symmetric-requests)
aes_run_program aes_gcm_evp
aes_expect_growth symmetric-requests "$requests" 50
exit 0
