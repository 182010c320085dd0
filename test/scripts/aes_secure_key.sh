#!/bin/sh
# AES keys as key tokens (test/aes/aes_secure_key.c).  An AES-256 key
# generated in the device encrypts and decrypts through EVP with the
# "ibm4767-key-token" parameter, and with "ibm4767-key-label" once stored
# in key storage.  A changed token fails with 8/29.  An imported clear key
# gives the same ciphertext as the default provider.  The token presented
# to a second emulator, which has another AES master key, fails with 8/48.
# Over IBM4767_TRANSPORT=cca the altered-token check runs in the mode
# AES_CCA_MODE names (cbc by default) after checking that CTR is refused,
# and the import goes through CSNBKPI2.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/aes_common.sh"

aes_require_built "$top_builddir/provider/.libs/ibm4767.so" "$CLU"
aes_cca_mode
# Key storage for the "ibm4767-key-label" checks.
IBM4767_KEY_STORAGE=$T/keys.db
export IBM4767_KEY_STORAGE
emu_start crp01
first=$EMU_SOCKET
generations=$(aes_counter key-generations)
imports=$(aes_counter key-imports)

aes_run_program aes_secure_key generate "$T/aes256.token"
aes_expect_growth key-generations "$generations" 1
aes_run_program aes_secure_key use "$T/aes256.token"
aes_run_program aes_secure_key import
aes_expect_growth key-imports "$imports" 2

# A second device with its own state directory draws other master keys.
emu_start crp02
IBM4767_DEVICES=$EMU_SOCKET
export IBM4767_DEVICES
aes_run_program aes_secure_key other-device "$T/aes256.token"

# Back on the first device the token still works.
IBM4767_DEVICES=$first
export IBM4767_DEVICES
rm -f "$IBM4767_KEY_STORAGE"
aes_run_program aes_secure_key use "$T/aes256.token"
exit 0
