#!/bin/sh
# RSA decryption in the device.  Messages encrypted by the default
# provider with the exported public key decrypt with the key token to the
# original message: PKCS#1 v1.5, OAEP with SHA-1, and OAEP with SHA-256 and
# MGF1 SHA-256, with and without a label.  A wrong OAEP label and a
# ciphertext that is not PKCS#1 v1.5 padded fail.  A ciphertext the device
# makes with the token decrypts in the device again.
. "$top_srcdir/test/scripts/common.sh"
. "$top_srcdir/test/scripts/rsa_common.sh"

emu_start crp01
key="$T/key.pem"
pub="$T/pub.pem"
msg="$T/msg.txt"
rsa_genkey "$key" 2048
rsa_pubout "$key" "$pub"
printf 'premaster secret of 32 bytes.!!\n' >"$msg"

if have_clu; then
    decryptions=$(counter decryptions)
else
    echo "NOTE: $CLU not built: device counters not checked" >&2
fi

LABEL=6962 # "ib" in hex

# round_trip NAME PKEYOPTS: encrypt with the default provider, decrypt in
# the device with the same options, compare.  PKEYOPTS is a word list of
# -pkeyopt arguments.
round_trip() {
    name=$1
    opts=$2
    # shellcheck disable=SC2086
    run "$name: default provider encrypts" "$OPENSSL" pkeyutl -encrypt \
        -pubin -inkey "$pub" $opts -in "$msg" -out "$T/$name.enc"
    # shellcheck disable=SC2086
    run "$name: device decrypts" "$OPENSSL" pkeyutl $PROV_OPTS -decrypt \
        -inkey "$key" $opts -in "$T/$name.enc" -out "$T/$name.dec"
    cmp -s "$msg" "$T/$name.dec" || fail "$name: decrypts to another message"
    echo "ok: $name"
}

round_trip pkcs1 "-pkeyopt rsa_padding_mode:pkcs1"
round_trip oaep-sha1 "-pkeyopt rsa_padding_mode:oaep"
round_trip oaep-sha256 "-pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256"
# CCA's OAEP has no label, and CSNDPKD's ZERO-PAD takes only external
# keys, so over IBM4767_TRANSPORT=cca the device refuses both.
cca=0
[ "${IBM4767_TRANSPORT:-socket}" = cca ] && cca=1
if [ $cca -eq 1 ]; then
    run "oaep-sha256-label: default provider encrypts" "$OPENSSL" pkeyutl \
        -encrypt -pubin -inkey "$pub" -pkeyopt rsa_padding_mode:oaep \
        -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
        -pkeyopt "rsa_oaep_label:$LABEL" -in "$msg" \
        -out "$T/oaep-sha256-label.enc"
    # shellcheck disable=SC2086
    expect_fail "OAEP label over transport cca" \
        "not supported by this card's CCA level" \
        "$OPENSSL" pkeyutl $PROV_OPTS -decrypt -inkey "$key" \
        -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
        -pkeyopt rsa_mgf1_md:sha256 -pkeyopt "rsa_oaep_label:$LABEL" \
        -in "$T/oaep-sha256-label.enc" -out "$T/label.dec"
else
    round_trip oaep-sha256-label "-pkeyopt rsa_padding_mode:oaep \
        -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
        -pkeyopt rsa_oaep_label:$LABEL"
fi

if have_clu; then
    [ "$(counter decryptions)" -eq $((decryptions + 4 - cca)) ] ||
        fail "the decryptions did not run in the device"
fi

# A wrong OAEP label: the ciphertext was made with label "ib".
# shellcheck disable=SC2086
expect_fail "wrong OAEP label" "decrypt|4771" \
    "$OPENSSL" pkeyutl $PROV_OPTS -decrypt -inkey "$key" \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
    -pkeyopt rsa_mgf1_md:sha256 -pkeyopt rsa_oaep_label:6a6a \
    -in "$T/oaep-sha256-label.enc" -out "$T/wrong.dec"

# A ciphertext whose plaintext is not PKCS#1 v1.5 padded: raw RSA of a
# block of 0x55 bytes.
awk 'BEGIN { for (i = 0; i < 255; i++) printf "U" }' >"$T/block.bin"
printf '\000' | cat - "$T/block.bin" >"$T/raw.bin"
run "default provider encrypts without padding" "$OPENSSL" pkeyutl -encrypt \
    -pubin -inkey "$pub" -pkeyopt rsa_padding_mode:none -in "$T/raw.bin" \
    -out "$T/raw.enc"
# shellcheck disable=SC2086
expect_fail "PKCS#1 v1.5 padding check" "decrypt|4771" \
    "$OPENSSL" pkeyutl $PROV_OPTS -decrypt -inkey "$key" \
    -in "$T/raw.enc" -out "$T/raw.dec"

# The same block through the device without padding.
if [ $cca -eq 1 ]; then
    # shellcheck disable=SC2086
    expect_fail "no padding over transport cca" \
        "not supported by this card's CCA level" \
        "$OPENSSL" pkeyutl $PROV_OPTS -decrypt -inkey "$key" \
        -pkeyopt rsa_padding_mode:none -in "$T/raw.enc" -out "$T/raw.dec"
else
    # shellcheck disable=SC2086
    run "device decrypts without padding" "$OPENSSL" pkeyutl $PROV_OPTS \
        -decrypt -inkey "$key" -pkeyopt rsa_padding_mode:none \
        -in "$T/raw.enc" -out "$T/raw.dec"
    cmp -s "$T/raw.bin" "$T/raw.dec" ||
        fail "raw decryption gives another block"
    echo "ok: no padding"
fi

# Encryption through the device with the key token.
# shellcheck disable=SC2086
run "device encrypts PKCS#1 v1.5" "$OPENSSL" pkeyutl $PROV_OPTS -encrypt \
    -inkey "$key" -in "$msg" -out "$T/dev.enc"
# shellcheck disable=SC2086
run "device decrypts its own ciphertext" "$OPENSSL" pkeyutl $PROV_OPTS \
    -decrypt -inkey "$key" -in "$T/dev.enc" -out "$T/dev.dec"
cmp -s "$msg" "$T/dev.dec" || fail "device encryption round trip differs"
echo "ok: device encryption"

exit 0
