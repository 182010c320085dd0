#!/bin/sh
# Bad input to the ibm4767 ciphers gets a clear error and no output taken
# as valid: wrong key or IV length, bad or missing tag, truncated or badly
# padded ciphertext (test/aes/aes_bad_input.c), and the same through
# "openssl enc".  Over IBM4767_TRANSPORT=cca the CTR cipher of the key
# checks is checked to be refused, and the mode AES_CCA_MODE names (cbc by
# default) runs in its place.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/aes_common.sh"

aes_require_built "$top_builddir/provider/.libs/ibm4767.so"
aes_cca_mode
emu_start crp01
aes_run_program aes_bad_input

key=000102030405060708090a0b0c0d0e0f
iv=0f0e0d0c0b0a09080706050403020100
head -c 100 /dev/urandom >"$T/msg"
# shellcheck disable=SC2086
"$OPENSSL" enc -e -aes-128-cbc -K $key -iv $iv -in "$T/msg" -out "$T/ct" \
    $PROV_OPTS $DEVICE_PROPQ || fail "aes-128-cbc encryption failed"
head -c 111 "$T/ct" >"$T/truncated"
# shellcheck disable=SC2086
expect_fail "openssl enc -d on a truncated ciphertext" "bad decrypt|not a whole number" \
    "$OPENSSL" enc -d -aes-128-cbc -K $key -iv $iv -in "$T/truncated" \
    -out "$T/out" $PROV_OPTS $DEVICE_PROPQ
exit 0
