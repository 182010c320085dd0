#!/bin/sh
# The openssl commands of an RSA key in the device under valgrind:
# genpkey, pkey -pubout, dgst -sign and pkeyutl -decrypt.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/valgrind/valgrind_common.sh"

emu_start crp01
printf 'valgrind test message\n' >"$T/msg"

# shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
vg "RSA genpkey in the device" "$OPENSSL" genpkey $PROV_OPTS \
    $DEVICE_PROPQ -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$T/key.pem"
vg "RSA pkey -pubout" "$OPENSSL" pkey $PROV_OPTS -in "$T/key.pem" \
    -pubout -out "$T/pub.pem"
vg "RSA dgst -sign" "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$T/key.pem" \
    -out "$T/sig" "$T/msg"
"$OPENSSL" dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig" "$T/msg" \
    >/dev/null || fail "the RSA signature does not verify"
"$OPENSSL" pkeyutl -encrypt -pubin -inkey "$T/pub.pem" -in "$T/msg" \
    -out "$T/enc" || fail "RSA encryption in software failed"
vg "RSA pkeyutl -decrypt" "$OPENSSL" pkeyutl $PROV_OPTS -decrypt \
    -inkey "$T/key.pem" -in "$T/enc" -out "$T/dec"
cmp -s "$T/msg" "$T/dec" || fail "the RSA decryption is wrong"
