#!/bin/sh
# Invalid input to the EC operations fails with a non-zero exit and an
# error that names the problem:
#   - an unknown group name at key generation;
#   - an ECDH peer point that is not on the curve (as a CCA token and as a
#     SubjectPublicKeyInfo);
#   - an ECDH peer on another curve than the device key;
#   - a truncated key token, and a token with an altered wrapped key;
#   - a signature-only key asked to derive (device reason 8/4770);
#   - a signature that does not verify.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/ec_common.sh"

emu_start crp01

dev="$T/dev.pem"
ec_genkey P-256 "$dev"
ec_pubout "$dev" "$T/dev.pub.pem"

# shellcheck disable=SC2086
expect_fail "unknown group name" "P-225.*(P-256|prime256v1)" \
    "$OPENSSL" genpkey $PROV_OPTS $DEVICE_PROPQ -algorithm EC \
    -pkeyopt ec_paramgen_curve:P-225 -out "$T/unknown.pem"

# A peer from the default provider on P-384 against a P-256 device key.
"$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 \
    -out "$T/peer384.pem"
"$OPENSSL" pkey -in "$T/peer384.pem" -pubout -out "$T/peer384.pub.pem"
# shellcheck disable=SC2086
expect_fail "ECDH peer on another curve" "P-384.*P-256|same curve" \
    "$OPENSSL" pkeyutl $PROV_OPTS -derive -inkey "$dev" \
    -peerkey "$T/peer384.pub.pem" -out "$T/secret.bin"

# A peer SPKI whose point is off the curve: the last byte of y changed.
# libcrypto's own decoder rejects it before it reaches the provider.
"$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$T/peer.pem"
"$OPENSSL" pkey -in "$T/peer.pem" -pubout -outform DER -out "$T/peer.der"
flip_byte "$T/peer.der" $(($(wc -c <"$T/peer.der") - 1))
"$OPENSSL" base64 -e <"$T/peer.der" |
    { echo '-----BEGIN PUBLIC KEY-----'; cat; echo '-----END PUBLIC KEY-----'; } \
    >"$T/offcurve.pub.pem"
# shellcheck disable=SC2086
expect_fail "ECDH peer SPKI off the curve" "not on curve|invalid point|peer key" \
    "$OPENSSL" pkeyutl $PROV_OPTS -derive -inkey "$dev" \
    -peerkey "$T/offcurve.pub.pem" -out "$T/secret.bin"

# A peer key token whose public point is off the curve: the same change
# made to the public section of a device key's token.  The provider's
# public-key check rejects it when pkeyutl sets the peer.
ec_genkey P-256 "$T/other.pem"
ec_pubout "$T/other.pem" "$T/other.pub.pem"
"$OPENSSL" pkey -pubin -in "$T/other.pub.pem" -outform DER -out "$T/other.der"
tail -c 65 "$T/other.der" >"$T/other.point"
token_of "$T/other.pem" "$T/other.token"
token_hex=$(hex_of "$T/other.token")
point_hex=$(hex_of "$T/other.point")
before_point=${token_hex%%"$point_hex"*}
[ "$before_point" != "$token_hex" ] ||
    fail "the public point of the P-256 key is not in its token"
flip_byte "$T/other.token" $((${#before_point} / 2 + 64))
token_pem "$T/other.token" "CCA KEY TOKEN" "$T/offcurve.token.pem"
# shellcheck disable=SC2086
expect_fail "ECDH peer token off the curve" "not a valid point|not on curve|8/(770|4774)" \
    "$OPENSSL" pkeyutl $PROV_OPTS -derive -inkey "$dev" \
    -peerkey "$T/offcurve.token.pem" -out "$T/secret.bin"

# A truncated token.
token_of "$dev" "$T/dev.token"
head -c $(($(wc -c <"$T/dev.token") - 20)) "$T/dev.token" >"$T/short.token"
token_pem "$T/short.token" "CCA KEY TOKEN" "$T/short.pem"
echo data >"$T/data.txt"
# shellcheck disable=SC2086
expect_fail "truncated key token" "token" \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$T/short.pem" \
    -out "$T/sig.bin" "$T/data.txt"

# A token whose wrapped private key was altered: the device's integrity
# check rejects it.
cp "$T/dev.token" "$T/altered.token"
flip_byte "$T/altered.token" $(($(wc -c <"$T/altered.token") - 80))
token_pem "$T/altered.token" "CCA KEY TOKEN" "$T/altered.pem"
# shellcheck disable=SC2086
expect_fail "altered key token" "8/(29|770|2947)" \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$T/altered.pem" \
    -out "$T/sig.bin" "$T/data.txt"

# A signature-only key asked to derive.
ec_genkey P-256 "$T/signonly.pem" sign
"$OPENSSL" pkey -in "$T/peer.pem" -pubout -out "$T/peer.pub.pem"
# shellcheck disable=SC2086
expect_fail "signature-only key asked to derive" "8/4770" \
    "$OPENSSL" pkeyutl $PROV_OPTS -derive -inkey "$T/signonly.pem" \
    -peerkey "$T/peer.pub.pem" -out "$T/secret.bin"

# A signature that does not verify, checked in the device.
# shellcheck disable=SC2086
"$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$dev" -out "$T/sig.bin" \
    "$T/data.txt" || fail "signing with the device key failed"
echo other >"$T/other.txt"
# shellcheck disable=SC2086
expect_fail "signature of another message" "does not verify|Verification failure" \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -prverify "$dev" \
    -signature "$T/sig.bin" "$T/other.txt"

exit 0
