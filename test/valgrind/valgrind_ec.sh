#!/bin/sh
# The openssl commands of an EC key in the device under valgrind:
# genpkey, pkey -pubout, dgst -sign and pkeyutl -derive.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/valgrind/valgrind_common.sh"

emu_start crp01
printf 'valgrind test message\n' >"$T/msg"

# shellcheck disable=SC2086 # PROV_OPTS and DEVICE_PROPQ are word lists
vg "EC genpkey in the device" "$OPENSSL" genpkey $PROV_OPTS \
    $DEVICE_PROPQ -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -pkeyopt ibm4767-usage:both -out "$T/key.pem"
vg "EC pkey -pubout" "$OPENSSL" pkey $PROV_OPTS -in "$T/key.pem" \
    -pubout -out "$T/pub.pem"
vg "EC dgst -sign" "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$T/key.pem" \
    -out "$T/sig" "$T/msg"
"$OPENSSL" dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig" "$T/msg" \
    >/dev/null || fail "the ECDSA signature does not verify"
"$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/peer.pem" || fail "EC peer key generation failed"
"$OPENSSL" pkey -in "$T/peer.pem" -pubout -out "$T/peer.pub" ||
    fail "EC peer public key extraction failed"
vg "EC pkeyutl -derive" "$OPENSSL" pkeyutl $PROV_OPTS -derive \
    -inkey "$T/key.pem" -peerkey "$T/peer.pub" -out "$T/secret"
"$OPENSSL" pkeyutl -derive -inkey "$T/peer.pem" -peerkey "$T/pub.pem" \
    -out "$T/secret.sw" || fail "ECDH in software failed"
cmp -s "$T/secret" "$T/secret.sw" || fail "the ECDH secret is wrong"
