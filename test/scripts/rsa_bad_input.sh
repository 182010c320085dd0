#!/bin/sh
# Invalid input to the RSA operations fails with a non-zero exit and an
# error that names the problem, and the emulator keeps serving:
#   - a token PEM with broken base64, a truncated token;
#   - a token whose wrapped private key was altered (device 8/29);
#   - a token made under another master key (second emulator, 8/48);
#   - a message longer than the modulus allows;
#   - an unknown padding mode;
#   - a signature-only key asked to decrypt (device 8/4770).
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

emu_start crp01
crp01=$EMU_SOCKET
key="$T/key.pem"
msg="$T/msg.txt"
rsa_genkey "$key" 2048
rsa_pubout "$key" "$T/pub.pem"
printf 'a short message\n' >"$msg"

# good_sign: a good operation on the device still works.
good_sign() {
    # shellcheck disable=SC2086
    run "$1: a good signature afterwards" "$OPENSSL" dgst $PROV_OPTS \
        -sha256 -sign "$key" -out "$T/good.sig" "$msg"
}

# A token PEM whose third line has a character outside base64.
sed '3s/^./!/' "$key" >"$T/base64.pem"
# shellcheck disable=SC2086
expect_fail "broken base64" "CCA KEY TOKEN PEM line 3 is not valid base64" \
    "$OPENSSL" pkey $PROV_OPTS -in "$T/base64.pem" -pubout

# A token cut short, in a well-formed PEM.
token_of "$key" "$T/key.token"
head -c 400 "$T/key.token" >"$T/short.token"
token_pem "$T/short.token" "$T/short.pem"
# shellcheck disable=SC2086
expect_fail "truncated token" "invalid CCA key token.*(length|short|truncated)" \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$T/short.pem" \
    -out "$T/sig.bin" "$msg"
good_sign "truncated token"

# One flipped bit in the wrapped private key (at byte 400 of the token,
# past the private section's fixed part at bytes 8 to 160): the device's
# integrity check of the token fails with 8/29.
cp "$T/key.token" "$T/altered.token"
flip_byte "$T/altered.token" 400
token_pem "$T/altered.token" "$T/altered.pem"
# shellcheck disable=SC2086
expect_fail "altered wrapped key" "8/29" \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$T/altered.pem" \
    -out "$T/sig.bin" "$msg"
good_sign "altered wrapped key"

# A token from a second emulator, which has master keys of its own.
emu_start crp02
crp02=$EMU_SOCKET
IBM4767_DEVICES=$crp02
export IBM4767_DEVICES
rsa_genkey "$T/other.pem" 2048
IBM4767_DEVICES=$crp01
EMU_SOCKET=$crp01
# shellcheck disable=SC2086
expect_fail "token of another master key" "8/48" \
    "$OPENSSL" dgst $PROV_OPTS -sha256 -sign "$T/other.pem" \
    -out "$T/sig.bin" "$msg"
good_sign "token of another master key"

# A message longer than PKCS#1 v1.5 encryption allows with a 2048-bit key
# (245 bytes), and a ciphertext longer than the modulus.  ("pkeyutl -sign"
# itself rejects input over 64 bytes, so the signature limit cannot be
# reached from the command line.)
awk 'BEGIN { for (i = 0; i < 300; i++) printf "m" }' >"$T/long.txt"
# shellcheck disable=SC2086
expect_fail "message too long to encrypt" "300 bytes does not fit.*at most 245" \
    "$OPENSSL" pkeyutl $PROV_OPTS -encrypt -inkey "$key" -in "$T/long.txt" \
    -out "$T/long.enc"
# shellcheck disable=SC2086
expect_fail "ciphertext longer than the modulus" "300 bytes.*256-byte" \
    "$OPENSSL" pkeyutl $PROV_OPTS -decrypt -inkey "$key" -in "$T/long.txt" \
    -out "$T/long.dec"
good_sign "message too long"

# Padding modes the provider does not have.
"$OPENSSL" dgst -sha256 -binary -out "$T/msg.sha256" "$msg"
# shellcheck disable=SC2086
expect_fail "X9.31 signature padding" "padding mode.*not supported" \
    "$OPENSSL" pkeyutl $PROV_OPTS -sign -inkey "$key" \
    -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:x931 \
    -in "$T/msg.sha256" -out "$T/x931.sig"
# shellcheck disable=SC2086
expect_fail "unknown padding name" "padding|rsa_padding_mode" \
    "$OPENSSL" pkeyutl $PROV_OPTS -decrypt -inkey "$key" \
    -pkeyopt rsa_padding_mode:foo -in "$T/msg.sha256" -out "$T/x.dec"
good_sign "unknown padding"

# A signature-only key asked to decrypt: the device refuses with 8/4770.
rsa_genkey "$T/sign.pem" 2048 sign
rsa_pubout "$T/sign.pem" "$T/sign.pub"
"$OPENSSL" pkeyutl -encrypt -pubin -inkey "$T/sign.pub" -in "$msg" \
    -out "$T/sign.enc" || fail "default provider encryption failed"
# shellcheck disable=SC2086
expect_fail "signature-only key decrypts" "8/4770" \
    "$OPENSSL" pkeyutl $PROV_OPTS -decrypt -inkey "$T/sign.pem" \
    -in "$T/sign.enc" -out "$T/sign.dec"
good_sign "signature-only key decrypts"

exit 0
